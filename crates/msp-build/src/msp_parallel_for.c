/* The work-sharing runtime of `prange` loops for C callers of an msp-build library.
 *
 * Rust programs get `msp_parallel_for` from msp-rt (crates/msp-rt/src/parallel.rs, on a
 * rayon pool); msp-build compiles this file into the C archive only, so the two never
 * meet in one link. It keeps msp-rt's contract exactly, on an OpenMP thread team:
 *
 * - the chunks depend on the iteration count alone: ceil(n / 256) iterations each, at
 *   most 256 chunks, so results do not depend on the thread count;
 * - chunk c writes its reduction slots at out + c * stride;
 * - the fault of the lowest faulting chunk is the one reported; a chunk after a known
 *   fault is not started; the call returns once every started chunk has finished;
 * - a loop reached from inside a running chunk (a nested prange, a kernel called from a
 *   parallel body) runs serially;
 * - threads: the `threads` argument when positive, else MSP_NUM_THREADS, else every core
 *   OpenMP sees (omp_get_num_procs); OMP_NUM_THREADS plays no part;
 * - the return value is the number of chunks (0 when n <= 0). */

#ifndef _OPENMP
#error "msp-build: the C runtime of prange loops needs OpenMP: a C compiler that accepts -fopenmp (gcc; clang with libomp)"
#endif

#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* pthread_getattr_np: the stack bound of msp_rt_stack_low */
#endif
#include <limits.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <pthread.h>
#endif

/* The layout of msp_rt::FaultRecord and of the header's msp_fault. */
typedef struct msp_rt_fault {
    uint32_t site;
    uint32_t reserved;
    int64_t value;
    int64_t extent;
    uint64_t stack_low;
} msp_rt_fault;

/* An outlined loop body: runs iterations lo..hi with the captures in env. */
typedef void (*msp_rt_chunk_fn)(const void *env, int64_t lo, int64_t hi, uint64_t *out,
                                msp_rt_fault *fault);

#define MSP_RT_MAX_CHUNKS 256

int64_t msp_parallel_for(msp_rt_chunk_fn body, const void *env, int64_t n, uint64_t *out,
                         int64_t stride, msp_rt_fault *fault, int64_t threads);

/* Set while this thread runs a chunk of a parallel loop. */
static _Thread_local int msp_rt_in_parallel;

/* MSP_NUM_THREADS as msp-rt reads it (a positive decimal integer, surrounding spaces
   and a leading '+' allowed), or 0 when it is unset or not such a number. */
static int64_t msp_rt_parse_threads(const char *s) {
    if (s == NULL) return 0;
    while (*s == ' ' || (*s >= '\t' && *s <= '\r')) s++;
    if (*s == '+') s++;
    if (*s < '0' || *s > '9') return 0;
    int64_t n = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (n > (INT64_MAX - (*s - '0')) / 10) return 0;
        n = n * 10 + (*s - '0');
    }
    while (*s == ' ' || (*s >= '\t' && *s <= '\r')) s++;
    return *s == '\0' ? n : 0;
}

/* Read once and kept, as msp-rt does: a program that changes the variable later does not
   change its loops. Two threads racing here compute the same value. */
static int64_t msp_rt_default_threads(void) {
    static _Atomic int64_t cached;
    int64_t n = atomic_load_explicit(&cached, memory_order_relaxed);
    if (n > 0) return n;
    n = msp_rt_parse_threads(getenv("MSP_NUM_THREADS"));
    if (n <= 0) n = omp_get_num_procs();
    if (n <= 0) n = 1;
    atomic_store_explicit(&cached, n, memory_order_relaxed);
    return n;
}

/* Slots of chunk c; out is NULL when the loop has no reductions (stride 0), and C does
   not define NULL + 0. */
static uint64_t *msp_rt_slots(uint64_t *out, int64_t c, int64_t stride) {
    return stride == 0 ? out : out + c * stride;
}

/* The lowest address this thread's stack may reach, with msp-rt's margin
   (msp_rt::stack::STACK_MARGIN) to spare, or 0 where the platform does not say: the
   bound that kernels run by this thread's chunks test (msp_fault.stack_low). */
static uint64_t msp_rt_stack_low(void) {
    static _Thread_local int known;
    static _Thread_local uint64_t low;
    if (known) return low;
    known = 1;
#if defined(__GLIBC__)
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr = 0;
        size_t size = 0, guard = 4096;
        int got = pthread_attr_getstack(&attr, &addr, &size);
        if (pthread_attr_getguardsize(&attr, &guard) != 0) guard = 4096;
        pthread_attr_destroy(&attr);
        if (got == 0 && addr) low = (uint64_t)(uintptr_t)addr + guard + 64 * 1024;
    }
#endif
    return low;
}

int64_t msp_parallel_for(msp_rt_chunk_fn body, const void *env, int64_t n, uint64_t *out,
                         int64_t stride, msp_rt_fault *fault, int64_t threads) {
    if (n <= 0) return 0;
    const int64_t chunk = (int64_t)(((uint64_t)n + MSP_RT_MAX_CHUNKS - 1) / MSP_RT_MAX_CHUNKS);
    const int64_t chunks = (int64_t)(((uint64_t)n + (uint64_t)chunk - 1) / (uint64_t)chunk);
    if (stride < 0) stride = 0;
    int64_t t = threads > 0 ? threads : msp_rt_default_threads();

    if (msp_rt_in_parallel || t <= 1 || chunks <= 1) {
        /* Serially, in chunk order: the same chunks, so the same results. */
        for (int64_t c = 0; c < chunks; c++) {
            const int64_t lo = c * chunk, hi = lo + chunk < n ? lo + chunk : n;
            body(env, lo, hi, msp_rt_slots(out, c, stride), fault);
            if (fault->site != 0) break;
        }
        return chunks;
    }

    /* Each chunk faults into its own record; the lowest faulting chunk's is copied out.
       `first` is that chunk's number (chunks: none yet). */
    msp_rt_fault faults[MSP_RT_MAX_CHUNKS] = {{0}};
    _Atomic int64_t first = chunks;
    /* More threads than chunks would only idle. */
    if (t > chunks) t = chunks;
    if (t > INT_MAX) t = INT_MAX;
    /* monotonic dynamic, 1: chunks are handed out one at a time in increasing order, so
       threads balance uneven chunks and a fault stops the start of every later chunk. */
#pragma omp parallel for num_threads((int)t) schedule(monotonic : dynamic, 1)
    for (int64_t c = 0; c < chunks; c++) {
        /* A chunk after a faulting one cannot hold the lowest fault. */
        if (c > atomic_load_explicit(&first, memory_order_acquire)) continue;
        const int64_t lo = c * chunk, hi = lo + chunk < n ? lo + chunk : n;
        const int was = msp_rt_in_parallel;
        msp_rt_in_parallel = 1;
        /* The chunk's kernels test the stack of the thread that runs it. */
        faults[c].stack_low = msp_rt_stack_low();
        body(env, lo, hi, msp_rt_slots(out, c, stride), &faults[c]);
        msp_rt_in_parallel = was;
        if (faults[c].site != 0) {
            int64_t cur = atomic_load_explicit(&first, memory_order_relaxed);
            while (c < cur && !atomic_compare_exchange_weak_explicit(
                                  &first, &cur, c, memory_order_acq_rel, memory_order_relaxed)) {
            }
        }
    }
    /* The region's closing barrier makes every chunk's writes visible here. */
    const int64_t f = atomic_load_explicit(&first, memory_order_acquire);
    if (f < chunks) *fault = faults[f];
    return chunks;
}
