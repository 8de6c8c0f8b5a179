# Small integers (u8, i8, i16, bool) cross kernel calls extended as the C ABI says; a
# recursive kernel is not inlined, so the calls really happen. `x + 1` wraps in u8.
# RUN: count(255, 2)
# RESULT: 1000255
# RUN: count(250, 10)
# RESULT: -316535182
# RUN: signed_chain(-128)
# RESULT: 126

@compile
def count(x: u8, n: int) -> int:
    if n == 0:
        return int(x)
    a = count(x + 1, n - 1)
    b = count(x, 0)
    return a * 1000 + b

@compile
def negate_small(x: i8, flip: bool) -> i16:
    if flip:
        return -i16(x)
    return i16(x)

@compile
def signed_chain(x: i8) -> int:
    return int(negate_small(x, True)) + int(negate_small(x + 127, False)) - 128 + int(negate_small(x - 1, False))
