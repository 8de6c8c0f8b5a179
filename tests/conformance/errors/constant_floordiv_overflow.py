# The least 128-bit value floor-divided by -1 is 2**127: folding it exactly needs more
# than 128 bits, so the checker refuses it with a diagnostic (it used to panic).
# ERROR-AT: 8
# ERROR-HAS: does not fit in 128 bits

@compile
def f() -> i64:
    return (-170141183460469231731687303715884105727 - 1) // -1
