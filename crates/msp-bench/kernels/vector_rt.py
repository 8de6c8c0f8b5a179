# Vector loops over arrays of run-time length (`F32[:]`): the extent is an argument of
# the call. `range(len(a))` indexes `a` with no check; the other array at the counter
# is checked once before the loop (loop versioning: a copy without checks runs when
# `len(x) >= len(y)`, the checked copy otherwise, faulting where the access would).

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
