@compile
def f(n: int) -> int:
    goto("inner")
    while n > 0:
        label("inner")
        n -= 1
    return n
