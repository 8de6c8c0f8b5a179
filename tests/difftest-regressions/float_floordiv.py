# Python's float floor division is not floor(a / b): 1.0 // 0.1 is 9.0 (0.1 is a bit more
# than a tenth), 1.5 // -0.3 is -6.0, inf // 1.0 is nan, -1.0 // inf is -1.0.
# RUN: fdiv(1.0, 0.1)
# RESULT: 9.0
# RUN: fdiv(1.5, -0.3)
# RESULT: -6.0
# RUN: fdiv(-1.0, 1e999)
# RESULT: -1.0

@compile
def fdiv(a: f64, b: f64) -> f64:
    return a // b
