def g(n):
    if n == 0:
        return q("1")
    return q("(splice(g(n - 1)) + 1)")

@compile
def f() -> int:
    return splice(g(100000))
