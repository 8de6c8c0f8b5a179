# Found by msp-difftest (seed 99, program 334) and shrunk: msp disagrees with
# the Python model of the kernel semantics.
#   Python model: R:d401f800000000000
#   msp:          COMPILE_ERROR:this argument of `h0` must be `i8`, but this is `int`
# RUN: main(0, -12, -0.0, -8.0)
# RESULT: 7.875

@compile
def h0(p1: int, p2: i8) -> int:
    return (p1 or (-2061344345) or ((p1 if bool(0) else p1) ** 3))

@compile
def h1(p7: int, p8: f64, p9: f64) -> i16:
    h0((0 // h0(0, (i8(-13) if bool(0) else i8(-14)))), (i8(-15) | i8((True & False))))
    return ((i16(14) if (bool(1) & bool(0)) else i16(p9)) << 14)

@compile
def main(x16: int, x17: i64, x18: float, x19: float) -> f64:
    return (f64(7.875) + (bool(bool(0)) and bool(0)))
