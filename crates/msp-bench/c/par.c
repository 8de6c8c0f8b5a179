/* C peers of the parallel-loop kernels (crates/msp-bench/kernels/par.py), built by
 * build.rs with -O3 -march=native -fopenmp, and -ffp-contract=off: msp emits no fused
 * multiply-add, and a contracted `zr2 - zi2 + cr` rounds differently, which changes
 * iteration counts near the set's edge; the images must be equal across peers.
 *
 * Schedules. The Mandelbrot rows differ in cost (rows through the set take 256
 * iterations a pixel, rows outside a few), so the loop is `schedule(dynamic, chunk)`
 * with msp's chunk, ceil(n / 256) iterations (msp_rt::parallel::chunk_size): both
 * runtimes hand out the same pieces of work, and the comparison is of the code and the
 * launch. saxpy's iterations all cost the same; it uses `schedule(static)`, what a C
 * programmer writes for it (and OpenMP's usual default). The launch probe is timed
 * with both. */

#include <omp.h>

static long msp_chunk(long n) { return n <= 0 ? 1 : (n + 255) / 256; }

#define MANDEL_ROW                                                        \
    do {                                                                  \
        const double ci = y0 + (double)y * d;                             \
        for (long x = 0; x < w; x++) {                                    \
            const double cr = x0 + (double)x * d;                         \
            double zr = 0, zi = 0;                                        \
            int k = 0;                                                    \
            while (k < maxit) {                                           \
                const double zr2 = zr * zr, zi2 = zi * zi;                \
                if (zr2 + zi2 > 4.0)                                      \
                    break;                                                \
                zi = 2.0 * zr * zi + ci;                                  \
                zr = zr2 - zi2 + cr;                                      \
                k++;                                                      \
            }                                                             \
            img[y * w + x] = k;                                           \
        }                                                                 \
    } while (0)

void c_mandel_serial(int *img, long h, long w, double x0, double y0, double d, int maxit) {
    for (long y = 0; y < h; y++)
        MANDEL_ROW;
}

void c_mandel_omp(int *img, long h, long w, double x0, double y0, double d, int maxit) {
    const long chunk = msp_chunk(h);
#pragma omp parallel for schedule(dynamic, chunk)
    for (long y = 0; y < h; y++)
        MANDEL_ROW;
}

/* Launch cost: an empty loop, and one store per iteration, in msp's schedule and in
 * OpenMP's static one. */
void c_empty_omp(long n) {
    const long chunk = msp_chunk(n);
#pragma omp parallel for schedule(dynamic, chunk)
    for (long i = 0; i < n; i++) {
    }
}

void c_touch_omp(long *a, long n) {
    const long chunk = msp_chunk(n);
#pragma omp parallel for schedule(dynamic, chunk)
    for (long i = 0; i < n; i++)
        a[i] = i;
}

void c_touch_omp_static(long *a, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++)
        a[i] = i;
}

void c_saxpy_serial(float k, const float *x, float *y, long n) {
    for (long i = 0; i < n; i++)
        y[i] = k * x[i] + y[i];
}

void c_saxpy_omp(float k, const float *x, float *y, long n) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++)
        y[i] = k * x[i] + y[i];
}

/* The number of threads an OpenMP parallel region gets here (for the report). */
int c_omp_threads(void) {
    int t = 0;
#pragma omp parallel
    {
#pragma omp single
        t = omp_get_num_threads();
    }
    return t;
}
