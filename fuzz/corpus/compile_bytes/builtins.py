# Casts, abs/min/max, math functions and rounding as Python defines them.
# RUN: hyp(3.0, 4.0)
# RESULT: 5.0
# RUN: floors(-2.5)
# RESULT: -3
# RUN: ceils(2.1)
# RESULT: 3
# RUN: rounds(2.5)
# RESULT: 2
# RUN: rounds(3.5)
# RESULT: 4
# RUN: clamp3(-7, 0, 5)
# RESULT: 0
# RUN: saturate(1e20)
# RESULT: 2147483647
# RUN: narrow(300)
# RESULT: 44
# RUN: unsigned_wrap(0)
# RESULT: 255

@compile
def hyp(a: f64, b: f64) -> f64:
    return math.sqrt(a * a + b * b)

@compile
def floors(x: f64) -> i64:
    return math.floor(x)

@compile
def ceils(x: float) -> int:
    return ceil(x)

@compile
def rounds(x: f64) -> i64:
    return round(x)

@compile
def clamp3(x: int, lo: int, hi: int) -> int:
    return min(max(x, lo), hi)

@compile
def saturate(x: f64) -> int:
    return int(x)

@compile
def narrow(x: int) -> u8:
    return u8(x)

@compile
def unsigned_wrap(x: u8) -> u8:
    return x - 1
