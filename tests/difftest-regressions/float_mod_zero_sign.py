# Python's float `%` gives a zero result the sign of the divisor: -4.0 % 2.0 is 0.0 and
# 1.0 % -0.5 is -0.0.
# RUN: fmod(-4.0, 2.0)
# RESULT: 0.0
# RUN: fmod(1.0, -0.5)
# RESULT: -0.0

@compile
def fmod(a: f64, b: f64) -> f64:
    return a % b
