# An extern's effects would interleave across threads: refused in a prange body.
# ERROR-AT: 11
# ERROR-HAS: `putchar` is an external C function

@extern
def putchar(c: int) -> int: ...

@compile
def f(n: int) -> None:
    for i in prange(n):
        putchar(65)
