@compile
def f(été: int) -> int:
    return été + 1
