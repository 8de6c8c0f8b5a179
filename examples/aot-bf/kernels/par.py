# Parallel loops (`prange`) in an msp-build library, for the Rust binary (msp-rt's rayon
# pool) and the C program (the C library's OpenMP runtime). Each result is the same with
# any number of threads: the chunks of a loop depend on its iteration count alone.

# A reduction: a weighted sum.
@compile
def psum(a: I64[:]) -> i64:
    s: i64 = 0
    for i in prange(len(a)):
        s += a[i] * (i % 7 + 1)
    return s

# A float reduction: its bits follow the chunks' order, not the threads'.
@compile
def psquares(x: F64[:]) -> f64:
    s: f64 = 0
    for i in prange(len(x)):
        s += x[i] * x[i]
    return s

# A map: each iteration writes its own element.
@compile
def pscale(src: I64[:], dst: I64[:], k: i64) -> None:
    for i in prange(len(dst)):
        dst[i] = src[i] * k + i

# A nested prange: the inner loop runs serially inside each chunk of the outer one.
@compile
def ptable(g: I64[:][:]) -> None:
    for r in prange(g.shape[0]):
        for c in prange(g.shape[1]):
            g[r, c] = r * 1000 + c

# A checked fault inside a parallel loop: the lowest faulting iteration's is reported.
@compile
def pgather(a: I64[:], idx: I64[:]) -> i64:
    s: i64 = 0
    for i in prange(len(idx)):
        s += a[idx[i]]
    return s
