# `len(a)` of a fixed axis is a compile-time constant, as the literal 4 is: `-len(a)`
# folds to -4, which does not fit in `u8`, so it is refused like `z: u8 = -4` (it used
# to wrap to 252).
# ERROR-AT: 9
# ERROR-HAS: the literal -4 does not fit in `u8`

@compile
def f(a: Int[4]) -> int:
    z: u8 = -len(a)
    return z
