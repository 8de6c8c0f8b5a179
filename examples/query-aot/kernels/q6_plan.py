# TPC-H Q6 (queries/q6.sql of examples/query, with its validation parameters) as the
# plan msp-query's planner makes of it: the globals that its engine gives query.py as
# defines, written out here because this query is fixed at build time. build.rs puts
# this file, then query.py, then q6_kernel.py into one module.
#
#   select sum(l_extendedprice * l_discount) as revenue from lineitem
#   where l_shipdate >= date '1994-01-01' and l_shipdate < date '1994-01-01' + interval '1' year
#     and l_discount between 0.06 - 0.01 and 0.06 + 0.01 and l_quantity < 24
#
# Dates are days since 1970-01-01 (1994-01-01 is 8766, 1995-01-01 is 9131); decimals
# are scaled integers, scale 2 (0.05 is 5, 24 is 2400).
SHIPDATE = ["col", 0, "l_shipdate"]
DISCOUNT = ["col", 0, "l_discount"]
plan = [
    "agg", "array",
    ["filter", ["scan", 0], ["and", [
        ["cmp", ">=", SHIPDATE, ["int", 8766]],
        ["cmp", "<", SHIPDATE, ["int", 9131]],
        ["cmp", ">=", DISCOUNT, ["int", 5]],
        ["cmp", "<=", DISCOUNT, ["int", 7]],
        ["cmp", "<", ["col", 0, "l_quantity"], ["int", 2400]],
    ]]],
    [], [],
    [["sum", ["*", ["col", 0, "l_extendedprice"], DISCOUNT]]],
]
tables = [["lineitem", ["l_shipdate", "l_discount", "l_quantity", "l_extendedprice"]]]
coltypes = [["l_shipdate", "I32"], ["l_discount", "I64"], ["l_quantity", "I64"], ["l_extendedprice", "I64"]]
dicts = []
