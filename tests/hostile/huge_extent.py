@compile
def f(a: Int[1000000000000][1000000000000]) -> int:
    return a[0, 0]
