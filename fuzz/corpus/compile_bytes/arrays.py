# Negative indexes, a[i][j] spelling, local arrays, array updates and kernels that
# pass arrays to kernels.
# RUN: last(iota)
# RESULT: 7
# RUN: corner([[1, 2], [3, 4]])
# RESULT: 4
# RUN: histogram([1, 3, 3, 0, 1, 3])
# RESULT: 3
# RUN: bump(zeros)
# ARGS-AFTER: [[1, 2, 3], [4, 5, 6]]
# RUN: scaled_sum(iota)
# RESULT: 56.0

@compile
def last(a: Int[8]) -> int:
    return a[-1]

@compile
def corner(m: Int[2][2]) -> int:
    return m[1][1] * m[-1, -1] // m[1, 1]

@compile
def histogram(xs: Int[6]) -> int:
    counts: Int[4]
    for i in range(6):
        counts[xs[i]] += 1
    best = 0
    for k in range(4):
        if counts[k] > counts[best]:
            best = k
    return counts[best]

@compile
def fill(m: Int[2][3], start: int) -> None:
    k = start
    for i in range(2):
        for j in range(3):
            m[i, j] = k
            k += 1

@compile
def bump(m: Int[2][3]) -> None:
    fill(m, 1)

@compile
def total(v: F64[8]) -> f64:
    s: f64 = 0
    for i in range(8):
        s += v[i]
    return s

@compile
def scaled_sum(v: F64[8]) -> f64:
    return total(v) * 2
