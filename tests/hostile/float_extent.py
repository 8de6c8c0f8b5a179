@compile
def f(a: Int[2.5]) -> int:
    return 0
