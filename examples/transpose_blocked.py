# A cache-blocked transpose, staged: the generator emits the blocked loop nest for the
# size `n` and the tile size `tile` it is given (both stage-0 values, defined by the
# caller). The tile loops walk `tile`×`tile` blocks, small enough that a block of `src`
# and of `dst` stay in the L1 cache; inside a block the generator unrolls a
# `micro`×`micro` sub-block into straight-line code (64 loads and stores per step).
#
# Every loop counts from 0 to a constant in unsigned 64-bit arithmetic, so LLVM's
# scalar evolution knows the range of each index and deletes every bounds check of the
# default, checked, kernel. (With `int` counters the index is a sign-extended 32-bit
# expression that wraps, and the negative-index normalization is a select: SCEV cannot
# see through either, and a check per row stays in the loop.)

micro = 8

def check_shape(n, tile):
    if tile % micro != 0 or n % tile != 0:
        print(f"tile {tile} must be a multiple of {micro} and divide n = {n}")
        return False
    return True

def micro_block():
    lines = []
    for a in range(micro):
        for b in range(micro):
            lines.append(f"dst[j + {b}, i + {a}] = src[i + {a}, j + {b}]")
    return q("\n".join(lines))

def blocked_loops(n, tile):
    tiles = n // tile
    blocks = tile // micro
    body = micro_block()
    return q("""
for ti in range(u64(0), splice(tiles)):
    for tj in range(u64(0), splice(tiles)):
        for bi in range(u64(0), splice(blocks)):
            for bj in range(u64(0), splice(blocks)):
                i = ti * splice(tile) + bi * splice(micro)
                j = tj * splice(tile) + bj * splice(micro)
                splice(body)
""")

ok = check_shape(n, tile)

@compile
def transpose(src: Float[n][n], dst: Float[n][n]) -> None:
    splice(blocked_loops(n, tile))
