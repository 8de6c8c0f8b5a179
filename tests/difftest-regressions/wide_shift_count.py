# A shift by the width or more gives 0; the count is the count's value, not that value
# truncated to the shifted operand's type: (x: i8) << 260 is 0, not x << 4.
# RUN: shl(1, 260)
# RESULT: 0

@compile
def shl(x: i8, n: int) -> i8:
    return x << n
