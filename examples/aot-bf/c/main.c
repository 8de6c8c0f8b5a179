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
    return 0;
}
