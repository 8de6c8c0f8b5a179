# The fixed-extent twin of transpose_rt.py: the same loop nest with `n` a stage-0
# value, so the extents are compile-time constants (for the compile-time comparison).

@compile
def transpose(src: Float[n][n], dst: Float[n][n]) -> None:
    for i in range(n):
        for j in range(n):
            dst[j, i] = src[i, j]
