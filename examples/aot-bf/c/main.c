/* Calls the Brainfuck kernel from C, through the static library and header msp-build wrote. */
#include <stdio.h>
#include <stdlib.h>
#include "kernels.h"

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
    return 0;
}
