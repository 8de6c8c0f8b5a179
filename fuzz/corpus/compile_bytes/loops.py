# for-range with one to three arguments, negative steps, break/continue and loop `else`.
# RUN: countdown(10)
# RESULT: 55
# RUN: stepped(0, 20, 3)
# RESULT: 63
# RUN: stepped(20, 0, -3)
# RESULT: 77
# RUN: stepped(5, 5, 1)
# RESULT: 0
# RUN: find_first_multiple(7, 50)
# RESULT: 7
# RUN: find_first_multiple(70, 50)
# RESULT: -1
# RUN: skip_odd(10)
# RESULT: 25
# RUN: reassigned_loop_var(5)
# RESULT: 10

@compile
def countdown(n: int) -> int:
    total = 0
    for i in range(n, 0, -1):
        total += i
    return total

@compile
def stepped(a: int, b: int, s: int) -> int:
    total = 0
    for i in range(a, b, s):
        total += i
    return total

@compile
def find_first_multiple(k: int, limit: int) -> int:
    found = -1
    for i in range(1, limit):
        if i % k == 0:
            found = i
            break
    else:
        found = -1
    return found

@compile
def skip_odd(n: int) -> int:
    total = 0
    i = 0
    while i < n:
        i += 1
        if i % 2 == 1:
            continue
        total += i - 1
    return total + 0 * i

@compile
def reassigned_loop_var(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
        i = 100
    return total
