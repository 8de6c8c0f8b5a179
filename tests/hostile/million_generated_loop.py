def many(n):
    out = []
    for i in range(n):
        out.append(q("x = x + 1"))
    return out

@compile
def f(x: int) -> int:
    splice(many(1000000))
    return x
