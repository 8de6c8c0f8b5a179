# Parallel loops (issue 14): each kernel's serial form (`range`) and its `prange` form,
# the same body. C peers in crates/msp-bench/c/par.c, Numba peers in bench/peers.py;
# all compute the same iteration counts, bit for bit (no FMA anywhere: msp emits none,
# the C file is built with -ffp-contract=off, Numba does not contract).

# Mandelbrot: img[y, x] = iterations of z = z*z + c before |z| > 2, at most maxit, with
# c = (x0 + x * d) + (y0 + y * d)i. The prange runs over rows; a row's cost depends on
# how much of it lies in the set.
@compile
def mandel_serial(img: I32[:][:], x0: f64, y0: f64, d: f64, maxit: i32) -> None:
    for y in range(img.shape[0]):
        ci = y0 + f64(y) * d
        for x in range(img.shape[1]):
            cr = x0 + f64(x) * d
            zr: f64 = 0
            zi: f64 = 0
            k: i32 = 0
            while k < maxit:
                zr2 = zr * zr
                zi2 = zi * zi
                if zr2 + zi2 > 4.0:
                    break
                zi = 2.0 * zr * zi + ci
                zr = zr2 - zi2 + cr
                k += 1
            img[y, x] = k

@compile
def mandel(img: I32[:][:], x0: f64, y0: f64, d: f64, maxit: i32) -> None:
    for y in prange(img.shape[0]):
        ci = y0 + f64(y) * d
        for x in range(img.shape[1]):
            cr = x0 + f64(x) * d
            zr: f64 = 0
            zi: f64 = 0
            k: i32 = 0
            while k < maxit:
                zr2 = zr * zr
                zi2 = zi * zi
                if zr2 + zi2 > 4.0:
                    break
                zi = 2.0 * zr * zi + ci
                zr = zr2 - zi2 + cr
                k += 1
            img[y, x] = k

# The cost of entering and leaving a parallel loop: an empty body, and one store per
# iteration (Numba removes an empty prange altogether, so the store is what its loop
# and C's are timed with).
@compile
def empty(n: i64) -> None:
    for i in prange(n):
        pass

@compile
def touch(a: I64[:]) -> None:
    for i in prange(len(a)):
        a[i] = i

# saxpy, memory-bound: 12 bytes moved per element and two flops.
@compile
def saxpy_serial(k: f32, x: F32[:], y: F32[:]) -> None:
    for i in range(len(y)):
        y[i] = k * x[i] + y[i]

@compile
def saxpy(k: f32, x: F32[:], y: F32[:]) -> None:
    for i in prange(len(y)):
        y[i] = k * x[i] + y[i]
