# A kernel called in a prange body may only read the arrays it is passed.
# ERROR-AT: 12
# ERROR-HAS: `wr` writes the array `a` passed to it

@compile
def wr(a: I32[:]) -> None:
    a[0] = 1

@compile
def f(a: I32[:]) -> None:
    for i in prange(len(a)):
        wr(a)
