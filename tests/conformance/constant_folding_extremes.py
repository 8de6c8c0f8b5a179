# Constant expressions fold to Python's value at the ends of the 128-bit range, and an
# intermediate too large for a kernel type is fine when the result fits.
# RUN: modulo_of_the_least()
# RESULT: 0
# RUN: shifts()
# RESULT: 64
# RUN: negative_power()
# RESULT: 0.0
# RUN: unit_bases()
# RESULT: 1
# RUN: float_floordiv()
# RESULT: 9.0
# RUN: float_mod_zero()
# RESULT: 0.0

@compile
def modulo_of_the_least() -> i64:
    return (-170141183460469231731687303715884105727 - 1) % -1

@compile
def shifts() -> i64:
    return ((1 << 126) >> 120) + ((-1 << 127) >> 200) + 1

@compile
def negative_power() -> f64:
    return 2 ** -4294967297

@compile
def unit_bases() -> i64:
    return (-1) ** (10 ** 30) * 1 ** (2 ** 100) + 0 ** (10 ** 30)

@compile
def float_floordiv() -> f64:
    return 1.0 // 0.1

@compile
def float_mod_zero() -> f64:
    return -4.0 % 2.0
