# A generator that recurses 990 times builds an expression 990 levels deep; the checker
# and codegen handle it without running out of stack.
# RUN: p990(1)
# RESULT: 1
# RUN: p990(-1)
# RESULT: 1

def power(n, x):
    if n == 0:
        return q("1")
    return q("splice(power(n - 1, x)) * splice(x)")

@compile
def p990(x: int) -> int:
    return splice(power(990, q("x")))
