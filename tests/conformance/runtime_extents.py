# Arrays whose extents the caller passes (`:`), beside fixed ones: len(), .shape[k],
# negative indexes from the run-time end, empty arrays, mixed axes, faults at the
# run-time end, fixed arrays passed to `:` parameters, and a generator that unrolls by
# a stage-0 factor while the length stays a run-time value.
# RUN: dot([1, 2, 3], [4, 5, 6])
# RESULT: 32.0
# RUN: dot([], [])
# RESULT: 0.0
# RUN: dot([1, 2, 3], [4, 5])
# ERROR-AT: 62
# ERROR-HAS: index 2 is out of range for axis 0 of extent 2
# RUN: dot([1, 2], [4, 5, 6])
# RESULT: 14.0
# RUN: saxpy(2.0, [1, 2, 3], [10, 20, 30])
# ARGS-AFTER: [1.0, 2.0, 3.0]
# ARGS-AFTER: [12.0, 24.0, 36.0]
# RUN: saxpy(2.0, [1, 2], [10, 20, 30])
# ERROR-AT: 68
# ERROR-HAS: index 2 is out of range for axis 0 of extent 2
# RUN: ends([5, 6, 7, 8])
# RESULT: 58
# RUN: ends([9])
# RESULT: 99
# RUN: ends([])
# ERROR-AT: 72
# ERROR-HAS: index 0 is out of range for axis 0 of extent 0
# RUN: weighted([[1, 2, 3], [4, 5, 6]])
# RESULT: 2046
# RUN: weighted([])
# RESULT: 0
# RUN: weighted([[1, 2]])
# ERROR-HAS: needs 3
# RUN: shape(zeros(3, 7))
# RESULT: 307
# RUN: shape(zeros(0, 5))
# RESULT: 5
# RUN: shape([[1, 2], [3, 4], [5, 6]])
# RESULT: 302
# RUN: shape([[1, 2], [3]])
# ERROR-HAS: rectangular
# RUN: corner(iota(2, 3, 4))
# RESULT: 23
# RUN: transpose(iota(2, 3), zeros(3, 2))
# ARGS-AFTER: [[0, 1, 2], [3, 4, 5]]
# ARGS-AFTER: [[0, 3], [1, 4], [2, 5]]
# RUN: transpose(iota(2, 3), zeros(2, 2))
# ERROR-AT: 94
# ERROR-HAS: index 2 is out of range for axis 0 of extent 2
# RUN: fixed_to_runtime(iota)
# RESULT: 28
# RUN: unrolled_sum(iota(11))
# RESULT: 55
# RUN: unrolled_sum(iota(3))
# RESULT: 3
# RUN: unrolled_sum(zeros(0))
# RESULT: 0

@compile
def dot(x: F32[:], y: F32[:]) -> f32:
    s: f32 = 0
    for i in range(len(x)):
        s += x[i] * y[i]
    return s

@compile
def saxpy(k: f32, x: F32[:], y: F32[:]) -> None:
    for i in range(len(y)):
        y[i] = k * x[i] + y[i]

@compile
def ends(a: I64[:]) -> i64:
    return a[0] * 10 + a[-1] + len(a) * 0

@compile
def weighted(m: I32[:][3]) -> i64:
    s: i64 = 0
    for r in range(len(m)):
        for c in range(m.shape[1]):
            s += m[r, c] * (c + 1)
    return s + m.shape[0] * 1000

@compile
def shape(m: Int[:][:]) -> i64:
    return m.shape[0] * 100 + m.shape[-1]

@compile
def corner(a: Int[:][3][:]) -> int:
    return a[-1, -1, -1]

@compile
def transpose(src: Int[:][:], dst: Int[:][:]) -> None:
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[j, i] = src[i, j]

@compile
def total(a: Int[:]) -> int:
    s = 0
    for i in range(len(a)):
        s += a[i]
    return s

@compile
def fixed_to_runtime(a: Int[8]) -> int:
    return total(a)

def unroll(factor):
    # The body `factor` times per step, then the rest one at a time.
    body = [q(f"s += a[i + {k}]") for k in range(factor)]
    return q("""
n = len(a)
i: i64 = 0
while i + factor <= n:
    splice(body)
    i += factor
while i < n:
    s += a[i]
    i += 1
""")

@compile
def unrolled_sum(a: I64[:]) -> i64:
    s: i64 = 0
    splice(unroll(4))
    return s
