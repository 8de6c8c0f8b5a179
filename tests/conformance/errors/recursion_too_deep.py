# Recursion as deep as the argument says: a checked kernel that recurses tests the room
# left on the stack at its entry and faults, naming itself, instead of overflowing the
# stack (the host used to die with a stack overflow).
# RUN: depth(1000)
# RESULT: 1000
# RUN: depth(100000000)
# ERROR-AT: 11
# ERROR-HAS: the call stack is exhausted

@compile
def depth(n: i64) -> i64:
    if n == 0:
        return 0
    return 1 + depth(n - 1)
