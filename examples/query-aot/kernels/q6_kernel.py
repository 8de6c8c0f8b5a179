# The kernel's signature, as msp-query's engine writes it: a `T[:]` parameter per
# column, then `out` (revenue, row count). Returns the rows written to `out` (1), or
# -1 when `out` is too small.
@compile
def q6_revenue(l_shipdate: I32[:], l_discount: I64[:], l_quantity: I64[:], l_extendedprice: I64[:], out: I64[:]) -> i64:
    splice(compile_query())
