def many(n):
    return [q("x = x + 1")] * n

@compile
def f(x: int) -> int:
    splice(many(1000000))
    return x
