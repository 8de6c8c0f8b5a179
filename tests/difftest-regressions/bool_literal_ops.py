# `True ^ False` is a bool in Python; so is a conditional expression of two bool literals.
# RUN: f(3)
# RESULT: True

@compile
def f(c: int) -> bool:
    a: bool = (True ^ False)
    b: bool = a & (False if c else True) | a
    return b
