# A fault in a kernel called by another kernel stops both and names the callee's line.
# RUN: outer(3)
# RESULT: 4
# RUN: outer(0)
# ERROR-AT: 10
# ERROR-HAS: zero

@compile
def inner(d: int) -> int:
    return 12 // d

@compile
def outer(d: int) -> int:
    return inner(d) + 0
