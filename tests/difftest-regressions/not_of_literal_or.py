# Found by msp-difftest (seed 11, program 715 of the prange generator's first campaign),
# reduced by hand: `not (300 or 4)` is False in Python, whatever the assignment's type;
# msp typed the `or` of two literals under `not` by the assigned local's type (i8) and
# refused the literal 300 ("does not fit in `i8`"); the operand of `not` now takes no
# type from the target.
# RUN: g()
# RESULT: 0

@compile
def g() -> i8:
    x: i8 = 0
    x = not (300 or 4)
    return x
