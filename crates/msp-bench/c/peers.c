/* C peers of the msp kernels, built by build.rs with -O3 -march=native.
 * Like the msp kernels, each size is its own function with `n` a compile-time constant. */
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
