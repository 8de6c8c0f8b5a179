x = 'abc
@compile
def f() -> int:
    return 1
