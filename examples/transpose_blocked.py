# A cache-blocked transpose, staged: the generator emits the blocked loop nest for the
# size `n` and the tile size `tile` it is given (both stage-0 values, defined by the
# caller; `micro` may be defined too, 8 by default). The tile loops walk `tile`×`tile`
# blocks; inside a tile the innermost loop walks along rows of `dst`, so the writes are
# contiguous and each cache line of `dst` is filled before it is evicted, while `src` is
# read `micro` rows at a time. Each step is a `micro`×`micro` sub-block that the
# generator unrolls into straight-line code (64 loads and stores for micro = 8).
#
# Every loop counts from 0 to a constant in unsigned 64-bit arithmetic, so LLVM's
# scalar evolution knows the range of each index and deletes every bounds check of the
# default, checked, kernel. (With `int` counters the index is a sign-extended 32-bit
# expression that wraps, and the negative-index normalization is a select: SCEV cannot
# see through either, and a check per row stays in the loop.)

if "micro" not in globals():
    micro = 8

def micro_block():
    lines = []
    for a in range(micro):
        for b in range(micro):
            lines.append(f"dst[j + {b}, i + {a}] = src[i + {a}, j + {b}]")
    return q("\n".join(lines))

def blocked_loops(n, tile):
    if tile % micro != 0 or n % tile != 0:
        # Staging stops here: the kernel calls a function that does not exist, and the
        # checker's error names it.
        return q("tile_must_be_a_multiple_of_micro_and_divide_n()")
    tiles = n // tile
    blocks = tile // micro
    body = micro_block()
    return q("""
for ti in range(u64(0), splice(tiles)):
    for tj in range(u64(0), splice(tiles)):
        for bj in range(u64(0), splice(blocks)):
            for bi in range(u64(0), splice(blocks)):
                i = ti * splice(tile) + bi * splice(micro)
                j = tj * splice(tile) + bj * splice(micro)
                splice(body)
""")

@compile
def transpose(src: Float[n][n], dst: Float[n][n]) -> None:
    splice(blocked_loops(n, tile))
