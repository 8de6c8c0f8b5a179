@compile
def f() -> int:
    a: Int[4][0]
    return 0
