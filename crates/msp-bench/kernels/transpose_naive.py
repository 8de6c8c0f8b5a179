# The naive transpose: the loop of conformance/transpose.py (the seed's benchmark).
# `n` is a stage-0 value, so the extents are compile-time constants.

@compile
def transpose(src: Float[n][n], dst: Float[n][n]) -> None:
    i = 0
    while i < n:
        dst[i, i] = src[i, i]
        j = i + 1
        while j < n:
            dst[i, j] = src[j, i]
            dst[j, i] = src[i, j]
            j = j + 1
        i = i + 1
    return
