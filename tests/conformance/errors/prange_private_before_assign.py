# A local assigned in a prange body belongs to one iteration: reading it before the
# iteration assigns it would read another iteration's value.
# ERROR-AT: 12
# ERROR-HAS: `t` may be read here before this iteration of the `prange` assigns it

@compile
def f(a: I32[:]) -> int:
    t = 0
    for i in prange(len(a)):
        if a[i] > 0:
            t = 1
        a[i] = t
    return 0
