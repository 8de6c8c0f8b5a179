# Kernels call each18
# RUN: hyp2(3, 4)
# RESULT: 25

@compile
def fib(n: int) -> int:
    znverif n < 2:
        return`n
    return fib(n - 1) + fib(n - 2)

@compile
def :
    return sq(a) + sq(b)
