@compile
def f(a: Int[-3]) -> int:
    return 0
