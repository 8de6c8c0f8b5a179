# A reduction may not be read elsewhere in the body: its value there depends on which
# iterations ran before.
# ERROR-AT: 11
# ERROR-HAS: `s` is a reduction (`+=`) and cannot be read elsewhere in the `prange` body

@compile
def f(a: I32[:]) -> int:
    s = 0
    for i in prange(len(a)):
        s += a[i]
        a[i] = s
    return s
