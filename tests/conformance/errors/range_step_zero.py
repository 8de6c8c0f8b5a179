# RUN: sum_by(0)
# ERROR-AT: 8
# ERROR-HAS: step

@compile
def sum_by(s: int) -> int:
    t = 0
    for i in range(0, 10, s):
        t += i
    return t
