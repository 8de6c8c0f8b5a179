# The naive transpose over a matrix of run-time extents (`Float[:][:]`): rows and
# columns are arguments of the call. `src[i, j]` is indexed by counters below its own
# extents (no check); `dst[j, i]` is checked once before each loop (loop versioning).

@compile
def transpose(src: Float[:][:], dst: Float[:][:]) -> None:
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[j, i] = src[i, j]
