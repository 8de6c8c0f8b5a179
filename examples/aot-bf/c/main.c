/* Calls the Brainfuck kernel and the parallel kernels from C, through the C libraries and
   headers msp-build wrote (libkernels_c.a and libpar_c.a, linked with -fopenmp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "par.h"

/* The parallel kernels on the inputs src/main.rs gives them, printed as it prints them;
   the prange loops run on the C library's OpenMP runtime, sized by MSP_NUM_THREADS. */
static int parallel(void) {
    enum { N = 10000, ROWS = 37, COLS = 53, M = 1000 };
    static int64_t a[N], dst[N], idx[N], table[ROWS * COLS];
    static double x[N];
    for (int64_t i = 0; i < N; i++) {
        a[i] = i;
        x[i] = 1.0 / ((double)i + 1.0);
        idx[i] = i % M;
    }
    msp_fault fault = {0};
    int64_t sum = aot_bf_par_psum(a, N, &fault);
    double squares = aot_bf_par_psquares(x, N, &fault);
    aot_bf_par_pscale(a, N, dst, N, 3, &fault);
    aot_bf_par_ptable(table, ROWS, COLS, &fault);
    int64_t gathered = aot_bf_par_pgather(a, M, idx, N, &fault);
    if (fault.site != 0) {
        fprintf(stderr, "%s\n", par_fault_message(&fault));
        return 1;
    }
    int64_t scaled = 0, tabled = 0;
    for (int64_t i = 0; i < N; i++) scaled += dst[i];
    for (int64_t i = 0; i < ROWS * COLS; i++) tabled += table[i];
    uint64_t bits;
    memcpy(&bits, &squares, sizeof bits);
    printf("par: psum %lld psquares %016llx pscale %lld ptable %lld pgather %lld\n",
           (long long)sum, (unsigned long long)bits, (long long)scaled, (long long)tabled,
           (long long)gathered);
    /* Two bad indexes: the lower iteration's fault is the one reported. */
    idx[700] = 5000;
    idx[9000] = 7000;
    msp_fault bad = {0};
    aot_bf_par_pgather(a, M, idx, N, &bad);
    printf("par fault: %s (value %lld, extent %lld)\n", par_fault_message(&bad),
           (long long)bad.value, (long long)bad.extent);
    return 0;
}

static int32_t tape[30000];

int main(void) {
    msp_fault fault = {0};
    aot_bf_kernels_run(tape, &fault);
    if (fault.site != 0) {
        fprintf(stderr, "%s\n", kernels_fault_message(&fault));
        return 1;
    }
    fflush(stdout);
    /* A fault: index 30000 is out of range. */
    int32_t v = aot_bf_kernels_cell(tape, 30000, &fault);
    printf("\ncell fault: %s (value %lld, result %d)\n", kernels_fault_message(&fault), (long long)fault.value, v);

    /* A kernel over a run-time-sized array: the extent follows the pointer. */
    int64_t len = 5;
    int32_t *cells = malloc(sizeof(int32_t) * (size_t)len);
    if (!cells) return 1;
    for (int64_t i = 0; i < len; i++) cells[i] = (int32_t)(i + 1);
    msp_fault ok = {0};
    int64_t s = aot_bf_kernels_weighted(cells, len, 5, &ok);
    printf("weighted: %lld (site %u)\n", (long long)s, ok.site);
    /* Past the run-time end: the record carries the index and the extent of this call. */
    msp_fault past = {0};
    aot_bf_kernels_weighted(cells, len, 7, &past);
    printf("weighted fault: %s (value %lld, extent %lld)\n", kernels_fault_message(&past),
           (long long)past.value, (long long)past.extent);
    free(cells);
    return parallel();
}
