def g():
    return q("splice(g()) + 1")

@compile
def f() -> int:
    return splice(g())
