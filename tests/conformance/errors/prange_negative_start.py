# A prange starts at a literal of 0 or more, so that a[i] never counts from the end.
# ERROR-AT: 7
# ERROR-HAS: a `prange` starts at a literal of 0 or more

@compile
def f(a: I32[:]) -> None:
    for i in prange(-1, len(a)):
        a[i] = 0
