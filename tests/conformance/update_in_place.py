# `a[i] op= v` evaluates the index once, before `v` (as Python does), for every
# operator; integer `//=` and `%=` on an element still fault on a zero divisor.
# RUN: counted([7, 9, 11, 13], [0])
# RESULT: 3
# ARGS-AFTER: [7, 4, 2, 13]
# ARGS-AFTER: [3]
# RUN: floor_update([-7, 9], 2)
# RESULT: -4
# RUN: floor_update([-7, 9], 0)
# ERROR-AT: 30
# ERROR-HAS: zero
# RUN: mod_update([-7, 9], 0)
# ERROR-AT: 36
# ERROR-HAS: zero

@compile
def next_index(calls: Int[1]) -> int:
    calls[0] += 1
    return calls[0]

@compile
def counted(a: Int[4], calls: Int[1]) -> int:
    a[next_index(calls)] //= 2
    a[next_index(calls)] %= 3
    a[next_index(calls) - 3] += 0
    return calls[0]

@compile
def floor_update(a: Int[2], d: int) -> int:
    a[0] //= d
    a[1] %= d
    return a[0]

@compile
def mod_update(a: Int[2], d: int) -> int:
    a[1] %= d
    return a[1]
