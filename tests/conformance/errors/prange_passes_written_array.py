# A prange body that writes an array may not pass it to a kernel: the kernel may read
# an element another iteration writes (`rd` reads w[0], which iteration 0 writes; the
# other iterations read the old or the new value by the threads' timing). Found while
# writing msp-difftest's prange generation (issue 14); it was accepted before.
# ERROR-AT: 15
# ERROR-HAS: `w` is written in this `prange` body, so it cannot be passed to `rd`

@compile
def rd(a: I64[:]) -> i64:
    return a[0]

@compile
def f(w: I64[:]) -> None:
    for i in prange(len(w)):
        w[i] = rd(w) + 1
