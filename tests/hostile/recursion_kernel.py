@compile
def f(n: int) -> int:
    return f(n + 1)
