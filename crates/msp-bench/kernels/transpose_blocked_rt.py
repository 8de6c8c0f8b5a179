# The staged cache-blocked transpose of examples/transpose_blocked.py over a matrix of
# run-time extents (`Float[:][:]`): the tile size `tile` (and `micro`, 8 by default)
# stays a stage-0 value, so the generator still unrolls each `micro`×`micro` sub-block
# into straight-line code, but the number of tiles is computed from `src.shape` when
# the kernel is called. Rows and columns that do not fill a tile are transposed by
# plain loops after the blocked nest (none for the benchmark's sizes).
#
# Counters are u64, as in the fixed form. The checker cannot prove `ti * tile + ...`
# below an extent known only at run time, so a checked kernel keeps bounds checks
# here that LLVM must hoist or keep (see BENCHMARKS.md).

if "micro" not in globals():
    micro = 8

def micro_block():
    lines = []
    for a in range(micro):
        for b in range(micro):
            lines.append(f"dst[j + {b}, i + {a}] = src[i + {a}, j + {b}]")
    return q("\n".join(lines))

def blocked_loops(tile):
    if tile % micro != 0:
        # Staging stops here: the kernel calls a function that does not exist, and the
        # checker's error names it.
        return q("tile_must_be_a_multiple_of_micro()")
    blocks = tile // micro
    body = micro_block()
    return q("""
rows = u64(src.shape[0])
cols = u64(src.shape[1])
for ti in range(u64(0), rows // splice(tile)):
    for tj in range(u64(0), cols // splice(tile)):
        for bj in range(u64(0), splice(blocks)):
            for bi in range(u64(0), splice(blocks)):
                i = ti * splice(tile) + bi * splice(micro)
                j = tj * splice(tile) + bj * splice(micro)
                splice(body)
r0 = rows // splice(tile) * splice(tile)
c0 = cols // splice(tile) * splice(tile)
for ei in range(u64(0), r0):
    for ej in range(c0, cols):
        dst[ej, ei] = src[ei, ej]
for ei in range(r0, rows):
    for ej in range(u64(0), cols):
        dst[ej, ei] = src[ei, ej]
""")

@compile
def transpose(src: Float[:][:], dst: Float[:][:]) -> None:
    splice(blocked_loops(tile))
