# Constant folding at the ends of its 128-bit range: each kernel must give a diagnostic
# or compile, never panic (`MIN // -1` panicked the checker, issue 13).
@compile
def floordiv() -> i64:
    return (-170141183460469231731687303715884105727 - 1) // -1

@compile
def modulo() -> i64:
    return (-170141183460469231731687303715884105727 - 1) % -1

@compile
def negate() -> i64:
    return -(-170141183460469231731687303715884105727 - 1)

@compile
def multiply() -> i64:
    return (-170141183460469231731687303715884105727 - 1) * -1

@compile
def add() -> i64:
    return 170141183460469231731687303715884105727 + 1

@compile
def subtract() -> i64:
    return -170141183460469231731687303715884105727 - 2

@compile
def power() -> i64:
    return 2 ** 127 + (-2) ** 127 + 3 ** 170141183460469231731687303715884105727

@compile
def shift() -> i64:
    return (1 << 127) + (1 << 170141183460469231731687303715884105727) + (1 << -1) + (1 >> -1)

@compile
def negative_exponent(x: f64) -> f64:
    return x ** -9223372036854775808 + 2 ** -170141183460469231731687303715884105727

@compile
def abs_of_least(x: i64) -> i64:
    return abs(-9223372036854775808) + abs(x)

@compile
def zero_to_negative() -> f64:
    return 0 ** -1 + 0.0 ** -1.0
