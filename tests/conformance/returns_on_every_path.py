# Kernels whose end cannot be reached need no final `return`: `while True:` without
# a `break`, `if`/`else` that both return, and a `goto` to a label followed by `return`.
# RUN: first_square_over(30)
# RESULT: 36
# RUN: sign(-4)
# RESULT: -1
# RUN: sign(0)
# RESULT: 0
# RUN: escape(5)
# RESULT: 7

@compile
def first_square_over(n: int) -> int:
    i = 0
    while True:
        i += 1
        if i * i > n:
            return i * i

@compile
def sign(x: int) -> int:
    if x > 0:
        return 1
    elif x < 0:
        return -1
    else:
        return 0

@compile
def escape(x: int) -> int:
    while True:
        x += 1
        if x > 6:
            goto("out")
    label("out")
    return x
