@compile
def f(a: Int[0]) -> int:
    return 0
