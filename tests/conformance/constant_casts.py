# A conversion of a constant gives what the run-time conversion gives: floats saturate
# into integer types, integers wrap to the width, bools are 0 and 1.
# RUN: f(0)
# RESULT: 2147483647
# RUN: g(0)
# RESULT: -15

@compile
def f(x: int) -> int:
    return int(1e20) + i8(300) - 44 + x

@compile
def g(x: i8) -> i8:
    return i8(-15) | i8(True & False) | x
