/* C peers of the msp kernels, built by build.rs with -O3 -march=native.
 * Like the fixed-extent msp kernels, each transpose size is its own function with `n` a
 * compile-time constant; the peers of the run-time-extent kernels (`F32[:]`,
 * `Float[:][:]`) take `n` as an argument, as those kernels do. */
#include <string.h>

/* The naive transpose, exactly the loop of conformance/transpose.py. */
#define NAIVE(N)                                                          \
    void c_transpose_naive_##N(const float *src, float *dst) {            \
        const long n = N;                                                 \
        long i = 0;                                                       \
        while (i < n) {                                                   \
            dst[i * n + i] = src[i * n + i];                              \
            long j = i + 1;                                               \
            while (j < n) {                                               \
                dst[i * n + j] = src[j * n + i];                          \
                dst[j * n + i] = src[i * n + j];                          \
                j = j + 1;                                                \
            }                                                             \
            i = i + 1;                                                    \
        }                                                                 \
    }

NAIVE(256)
NAIVE(512)
NAIVE(1024)
NAIVE(2048)
NAIVE(4096)

/* The bandwidth bound: copying the same bytes. */
void c_memcpy(const float *src, float *dst, long count) {
    memcpy(dst, src, (size_t)count * sizeof(float));
}

/* Peers of the run-time-extent kernels (crates/msp-bench/kernels/vector_rt.py and
 * transpose_rt.py): the same loops, plain, with the extent an argument. */
float c_dot(const float *x, const float *y, long n) {
    float s = 0;
    for (long i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

void c_saxpy(float k, const float *x, float *y, long n) {
    for (long i = 0; i < n; i++)
        y[i] = k * x[i] + y[i];
}

/* The naive loop above (conformance/transpose.py) with `n` an argument: the peer of
 * kernels/transpose_naive_rt.py. */
void c_transpose_naive_rt(const float *src, float *dst, long n) {
    long i = 0;
    while (i < n) {
        dst[i * n + i] = src[i * n + i];
        long j = i + 1;
        while (j < n) {
            dst[i * n + j] = src[j * n + i];
            dst[j * n + i] = src[i * n + j];
            j = j + 1;
        }
        i = i + 1;
    }
}

void c_transpose_rt(const float *src, float *dst, long rows, long cols) {
    for (long i = 0; i < rows; i++)
        for (long j = 0; j < cols; j++)
            dst[j * rows + i] = src[i * cols + j];
}
