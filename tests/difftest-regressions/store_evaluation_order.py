# Python evaluates the value of `a[i] = v` before the index: bump() sets a[0] = 1 first,
# so the store goes to a[1].
# RUN: order([0, 0])
# RESULT: 0
# ARGS-AFTER: [1, 0]

@compile
def bump(a: Int[2]) -> int:
    a[0] = 1
    return 0

@compile
def order(a: Int[2]) -> int:
    a[a[0]] = bump(a)
    return a[1]
