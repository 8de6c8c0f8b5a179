# Nothing leaves a prange body: no break, return or goto. The error names the `break`'s
# own line, not the loop's.
# ERROR-AT: 10
# ERROR-HAS: `break` cannot leave a `prange` body

@compile
def f(a: I32[:]) -> int:
    for i in prange(len(a)):
        if a[i] > 0:
            break
    return 0
