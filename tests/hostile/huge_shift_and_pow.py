@compile
def f(x: int) -> int:
    return (x << 100000000000) + x ** 1000000000
