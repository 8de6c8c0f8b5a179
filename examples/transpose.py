# The seed's transpose benchmark: `n` is a stage-0 value (defined by the caller), so the
# array extents are compile-time constants.

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

# The same loop without run-time index checks (the extents are known, so the checked
# version's checks mostly fold away too).
@compile(unchecked=True)
def transpose_unchecked(src: Float[n][n], dst: Float[n][n]) -> None:
    for i in range(n):
        for j in range(n):
            dst[j, i] = src[i, j]
