# Found by msp-difftest (seed 19, program 1810) and shrunk; the same class showed up as
# seed 1007, program 764. An f32 `//` whose exact quotient is not an f32 is rounded
# twice: msp floored the f32-rounded quotient, the model (CPython's algorithm on the
# exact f32 values, rounded once) does not, so the result was one f32 step off. Float
# `//` and `%` on f32 now run in f64 and round once.
#   Python model: R:f4b964fdc
#   msp:          R:f4b964fdd
# RUN: main([[False, False, False], [False, False, False]], [0, 0, 0, 0], 0)
# RESULT: 19701688.0

@compile
def main(a2: Bool[2][3], a1: Int[4], x12: i64) -> float:
    return ((float(-727.5) if (not u8(124)) else (2147483648.0 - float(-393.75))) // ((u8(255) + u8(129)) - u8(19)))
