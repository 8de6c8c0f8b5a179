# ERROR-AT: 7
# ERROR-HAS: twice

@compile
def f(x: int) -> int:
    label("a")
    label("a")
    return x
