# A `return` inside a `prange` body, even in a serial loop within it, would leave the
# parallel loop: refused at its own line. (A `break` of the inner serial loop is fine.)
# ERROR-AT: 13
# ERROR-HAS: `return` cannot leave a `prange` body

@compile
def f(a: I32[:]) -> int:
    for i in prange(len(a)):
        for j in range(3):
            if j == 1:
                break
            if a[i] > j:
                return 1
    return 0
