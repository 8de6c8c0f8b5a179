@compile
def f() -> int:
    a: F64[100000000000]
    return 0
