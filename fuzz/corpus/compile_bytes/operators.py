# Python's operators on fixed-width values: floor division and modulo, shifts,
# bit operators, powers, chained comparisons and `and`/`or` returning operands.
# RUN: fdiv(-7.0, 2.0)
# RESULT: -4.0
# RUN: fmod(-7.0, 2.0)
# RESULT: 1.0
# RUN: shifts(1, 3)
# RESULT: 8
# RUN: shifts(1, 40)
# RESULT: 0
# RUN: bits(12, 10)
# RESULT: 14
# RUN: cube_plus_square(3)
# RESULT: 36
# RUN: inverse_square(4.0)
# RESULT: 0.0625
# RUN: between(1, 2, 3)
# RESULT: True
# RUN: between(1, 3, 2)
# RESULT: False
# RUN: first_truthy(0, 7)
# RESULT: 7
# RUN: first_truthy(5, 7)
# RESULT: 5
# RUN: both(5, 0)
# RESULT: 0
# RUN: min_int_floordiv(-2147483648, -1)
# RESULT: -2147483648
# RUN: conditional(4)
# RESULT: 16
# RUN: conditional(-4)
# RESULT: 4

@compile
def fdiv(a: f64, b: f64) -> f64:
    return a // b

@compile
def fmod(a: f64, b: f64) -> f64:
    return a % b

@compile
def shifts(x: int, n: int) -> int:
    return x << n

@compile
def bits(a: int, b: int) -> int:
    return (a & b) | (a ^ b)

@compile
def cube_plus_square(x: int) -> int:
    return x ** 3 + x ** 2

@compile
def inverse_square(x: float) -> float:
    return x ** -2

@compile
def between(a: int, b: int, c: int) -> bool:
    return a < b < c

@compile
def first_truthy(a: int, b: int) -> int:
    return a or b

@compile
def both(a: int, b: int) -> int:
    return a and b

@compile
def min_int_floordiv(a: int, b: int) -> int:
    return a // b

@compile
def conditional(x: int) -> int:
    return x * x if x > 0 else -x
