# Nothing leaves a prange body: no break, return or goto.
# ERROR-AT: 7
# ERROR-HAS: `break` cannot leave a `prange` body

@compile
def f(a: I32[:]) -> int:
    for i in prange(len(a)):
        if a[i] > 0:
            break
    return 0
