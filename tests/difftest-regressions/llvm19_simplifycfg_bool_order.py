# Found by msp-difftest (seed 80201, program 1446; the whole program is
# seed80201_program1446.py): LLVM 19.1's SimplifyCFG
# segfaulted on a chain of two `bool` orderings (`a < b < c`) whose operands its own
# folding had made constant, when the chain picked between two arms of a conditional
# expression. msp now lowers a `bool` ordering as logic (`a < b` is `not a and b`).
# `crash` is that shape cut down by hand; `order` checks the lowering on every pair.
# RUN: crash(5)
# ERROR-AT: 22
# ERROR-HAS: zero
# RUN: order(False, True)
# RESULT: 11100010
# RUN: order(True, False)
# RESULT: 11010
# RUN: order(True, True)
# RESULT: 10101001
# RUN: order(False, False)
# RESULT: 10101000

@compile
def crash(p: int) -> int:
    r: int = 0
    if (((p << 3) < 0) if ((bool(0) if bool(1) else bool(0)) < (bool(0) and bool(p)) < (bool(0) | bool(0))) else (2 >= (1 % u16(0)))):
        r = 1
    return r

@compile
def order(a: bool, b: bool) -> int:
    r: int = 0
    for k in range(8):
        r = r * 10
        if k == 0 and a <= b <= True:
            r += 1
        if k == 1 and a < b:
            r += 1
        if k == 2 and a <= b:
            r += 1
        if k == 3 and a > b:
            r += 1
        if k == 4 and a >= b:
            r += 1
        if k == 5 and b > a > False:
            r += 1
        if k == 6 and max(a, b) > min(a, b):
            r += 1
        if k == 7 and False < a <= b:
            r += 1
    return r
