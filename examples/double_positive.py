# `goto` leaves the loop: label/goto are function-scoped and jump forward or backward.
@compile
def double_positive_numbers(n: int) -> int:
    i = 0
    acc = 0
    while True:
        if i >= n:
            goto("exit")
        else:
            i = i + 1
        acc = acc + 2
    label("exit")
    return acc
