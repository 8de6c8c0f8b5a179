# No `goto` (or `label`) inside a `prange` body.
# ERROR-AT: 10
# ERROR-HAS: `goto` cannot leave a `prange` body

@compile
def f(a: I32[:]) -> int:
    s = 0
    for i in prange(len(a)):
        if a[i] > 0:
            goto("done")
    label("done")
    return s
