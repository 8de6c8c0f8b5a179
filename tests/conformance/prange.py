# Parallel loops: reductions of each kind, maps over one and two axes, a nested prange
# (run serially inside), a generated prange, empty and one-iteration ranges, the
# loop variable and private locals after the loop (those some iterations leave alone
# too: the last value an iteration gave them, else the one from before the loop), and
# a fault at the lowest iteration. Every call runs on 1, 2 and 7 threads, with the same
# expected results.
# THREADS: 1 2 7
# RUN: reduce(iota(1000))
# RESULT: 999000
# RUN: reduce([])
# RESULT: 0
# RUN: kinds(iota(6))
# RESULT: 83307
# RUN: kinds([5])
# RESULT: 66672
# RUN: fsum(iota(100))
# RESULT: 4950.0
# RUN: square([1, 2, 3], zeros(3))
# ARGS-AFTER: [1, 2, 3]
# ARGS-AFTER: [1, 4, 9]
# RUN: grid(zeros(3, 4))
# ARGS-AFTER: [[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]
# RUN: nested(zeros(2, 3))
# ARGS-AFTER: [[0, 1, 2], [100, 101, 102]]
# RUN: offset([1, 2, 3, 4], [10, 20, 30, 40])
# ARGS-AFTER: [1, 2, 3, 4]
# ARGS-AFTER: [10, 21, 32, 43]
# RUN: after(5)
# RESULT: 4041
# RUN: after(0)
# RESULT: -1
# RUN: after(1)
# RESULT: 0
# RUN: partial([0, 0, 0])
# RESULT: 705
# RUN: partial([0, 3, 0])
# RESULT: 102
# RUN: partial([2, 0, 0])
# RESULT: 1
# RUN: unrolled(iota(10))
# RESULT: 90
# RUN: fault(iota(300), 7)
# ERROR-AT: 130
# ERROR-HAS: integer division by zero
# RUN: first_fault(iota(1000))
# ERROR-AT: 137
# ERROR-HAS: index 1000 is out of range for axis 0 of extent 1000

@compile
def reduce(a: I64[:]) -> i64:
    s: i64 = 0
    for i in prange(len(a)):
        s += 2 * a[i]
    return s

@compile
def kinds(a: I64[:]) -> i64:
    add: i64 = 0
    sub: i64 = 0
    mul: i64 = 1
    lo: i64 = 100
    hi: i64 = -100
    o: i64 = 0
    n: i64 = -1
    x: i64 = 0
    for i in prange(len(a)):
        v = a[i] + 1
        add += v
        sub -= v
        mul *= v
        lo = min(lo, v)
        hi = max(hi, v)
        o |= v
        n &= v
        x ^= v
    return add + sub + mul * 10 + lo * 100 + hi * 1000 + o + n + x * 10000

@compile
def fsum(a: F64[:]) -> f64:
    s: f64 = 0
    for i in prange(len(a)):
        s += a[i]
    return s

@compile
def square(a: I32[:], out: I32[:]) -> None:
    for i in prange(len(out)):
        out[i] = a[i] * a[i]

@compile
def grid(g: I32[:][:]) -> None:
    for r in prange(g.shape[0]):
        for c in range(g.shape[1]):
            g[r, c] = int(r * 10 + c)

@compile
def nested(g: I32[:][:]) -> None:
    for r in prange(g.shape[0]):
        for c in prange(g.shape[1]):
            g[r, c] = int(r * 100 + c)

@compile
def offset(a: I32[:], out: I32[:]) -> None:
    for i in prange(1, len(out)):
        out[i] = out[i] + a[i - 1]

@compile
def after(n: i64) -> i64:
    t: i64 = -1
    i: i64 = 0
    for i in prange(n):
        t = i * 1000
    return t + i * 10 + n // 5

@compile
def partial(a: I64[:]) -> i64:
    t: i64 = 7
    j: i64 = 5
    for i in prange(len(a)):
        if a[i] > 0:
            t = i
        for j in range(a[i]):
            pass
    return t * 100 + j

@compile
def fault(a: I64[:], k: i64) -> i64:
    s: i64 = 0
    for i in prange(len(a)):
        s += a[i] // (a[i] - k)
    return s

@compile
def first_fault(a: I64[:]) -> i64:
    s: i64 = 0
    for i in prange(2 * len(a)):
        s += a[i]
    return s

def unroll(k):
    return q(f"""
for j in prange(len(a) // {k}):
    for u in range({k}):
        s += a[j * {k} + u] * 2
""")

@compile
def unrolled(a: I64[:]) -> i64:
    s: i64 = 0
    splice(unroll(2))
    return s
