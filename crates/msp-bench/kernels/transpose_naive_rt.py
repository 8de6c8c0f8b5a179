# The suite's naive transpose (transpose_naive.py, the loop of conformance/transpose.py)
# over a matrix of run-time extents: `n` is `src.shape[0]`, read when the kernel is
# called, instead of a stage-0 value. The counters are i64, the type of `n` (with `int`
# counters `i < n` compares in i64 and the loops are not counting loops). Both counters
# stay below `src.shape[0]` (`j` starts at `i + 1`), so `src`'s first axis needs no
# check; its second axis and both of `dst`'s are other extents, checked once before
# the loops (the loop nest is versioned on `n` against them; see BENCHMARKS.md).

@compile
def transpose(src: Float[:][:], dst: Float[:][:]) -> None:
    n = src.shape[0]
    i: i64 = 0
    while i < n:
        dst[i, i] = src[i, i]
        j: i64 = i + 1
        while j < n:
            dst[i, j] = src[j, i]
            dst[j, i] = src[i, j]
            j = j + 1
        i = i + 1
