# The staged power function. `n` comes from outside (Compiler::define), so the exponent
# can be chosen at run time and still be compiled into straight-line code.
#
# `power` is the textbook generator: one multiplication per step. `power_steps` does
# square-and-multiply at stage 0 and emits one statement per multiplication, so x ** n
# costs about 2·log2(n) multiplications.

def power(n, x):
    if n == 0:
        return q("1")
    return q("splice(x) * splice(power(n - 1, x))")

def power_steps(n):
    lines = []
    while n > 0:
        if n % 2 == 1:
            lines.append("acc = acc * sq")
        n = n // 2
        if n > 0:
            lines.append("sq = sq * sq")
    return q("\n".join(lines) if lines else "pass")

@compile
def pow_naive(x: i64) -> i64:
    return splice(power(n, q("x")))

@compile
def pow_n(x: i64) -> i64:
    acc: i64 = 1
    sq = x
    splice(power_steps(n))
    return acc

@compile
def pow_n_float(x: f64) -> f64:
    acc: f64 = 1
    sq = x
    splice(power_steps(n))
    return acc
