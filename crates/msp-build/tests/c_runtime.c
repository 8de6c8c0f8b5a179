#define _POSIX_C_SOURCE 200809L /* setenv, nanosleep */
/* Checks msp-build's C runtime of prange loops (src/msp_parallel_for.c) against the contract
   of msp-rt's msp_parallel_for: the cases of crates/msp-rt/src/parallel.rs's tests and more.
   Built with -fopenmp and run by tests/c_runtime.rs, which also reads the last line (the
   team size that MSP_NUM_THREADS gives). Exits 1 after printing every failed check. */
#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct fault {
    uint32_t site;
    uint32_t reserved;
    int64_t value;
    int64_t extent;
} fault;

typedef void (*chunk_fn)(const void *env, int64_t lo, int64_t hi, uint64_t *out, fault *f);
int64_t msp_parallel_for(chunk_fn body, const void *env, int64_t n, uint64_t *out,
                         int64_t stride, fault *f, int64_t threads);

static int failures;
#define CHECK(cond, ...)                                            \
    do {                                                            \
        if (!(cond)) {                                              \
            failures++;                                             \
            fprintf(stderr, "FAIL line %d: %s: ", __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                           \
            fputc('\n', stderr);                                    \
        }                                                           \
    } while (0)

/* What a body reads, and what it records (atomics: chunks run at once). */
struct env {
    int64_t fault_at, fault_at2; /* iterations that fault (-1: none) */
    int64_t slow_at;             /* the chunk holding this iteration waits 5 ms first */
    int sleep_us;                /* every chunk waits this long first */
    atomic_int started;          /* chunks started */
    atomic_int team;             /* the largest team a chunk ran in */
    atomic_ullong threads_seen;  /* bit k: thread k of the team ran a chunk */
};

static void pause_us(int us) {
    struct timespec ts = {0, (long)us * 1000};
    nanosleep(&ts, NULL);
}

static void note(struct env *e) {
    atomic_fetch_add(&e->started, 1);
    int team = omp_get_num_threads(), was = atomic_load(&e->team);
    while (team > was && !atomic_compare_exchange_weak(&e->team, &was, team)) {
    }
    int me = omp_get_thread_num();
    if (me < 64) atomic_fetch_or(&e->threads_seen, 1ull << me);
}

/* Adds its iteration numbers into out[0] and their count into out[1] (when the stride
   leaves room); faults at fault_at / fault_at2 with the iteration as the value. */
static void sum_body(const void *env, int64_t lo, int64_t hi, uint64_t *out, fault *f) {
    struct env *e = (struct env *)env;
    note(e);
    if (e->sleep_us) pause_us(e->sleep_us);
    if (e->slow_at >= lo && e->slow_at < hi) pause_us(5000);
    uint64_t s = 0;
    for (int64_t k = lo; k < hi; k++) {
        if (k == e->fault_at || k == e->fault_at2) {
            f->site = 1;
            f->value = k;
            return;
        }
        s += (uint64_t)k;
    }
    if (out) out[0] = s;
}

static struct env fresh(void) {
    struct env e = {.fault_at = -1, .fault_at2 = -1, .slow_at = -1};
    return e;
}

static int64_t run(struct env *e, int64_t n, uint64_t *out, int64_t stride, fault *f,
                   int64_t threads) {
    memset(out, 0, 256 * 2 * sizeof *out);
    memset(f, 0, sizeof *f);
    return msp_parallel_for(sum_body, e, n, out, stride, f, threads);
}

/* The outer body of a nested loop: each chunk runs an inner loop of 1000 iterations, which
   must run serially, on this thread, in the outer team. */
struct nest {
    atomic_int inner_elsewhere; /* inner chunks that ran on another thread */
    atomic_int inner_wrong;     /* inner loops with a wrong result */
};

static _Thread_local pthread_t current_outer;

static void inner_body(const void *env, int64_t lo, int64_t hi, uint64_t *out, fault *f) {
    struct nest *n = (struct nest *)env;
    (void)f;
    if (!pthread_equal(pthread_self(), current_outer)) atomic_fetch_add(&n->inner_elsewhere, 1);
    uint64_t s = 0;
    for (int64_t k = lo; k < hi; k++) s += (uint64_t)k;
    out[0] = s;
}

static void outer_body(const void *env, int64_t lo, int64_t hi, uint64_t *out, fault *f) {
    struct nest *n = (struct nest *)env;
    for (int64_t k = lo; k < hi; k++) {
        uint64_t parts[256] = {0};
        current_outer = pthread_self();
        int64_t chunks = msp_parallel_for(inner_body, n, 1000, parts, 1, f, 3);
        uint64_t s = 0;
        for (int64_t c = 0; c < chunks; c++) s += parts[c];
        if (chunks != 250 || s != 999 * 1000 / 2) atomic_fetch_add(&n->inner_wrong, 1);
    }
    out[0] = (uint64_t)(hi - lo);
}

int main(void) {
    static uint64_t out[512], base[512];
    fault f, fb;

    /* The chunks depend on the iteration count alone: the same count and the same
       per-chunk results with every thread count. */
    const int64_t counts[] = {1, 7, 256, 257, 10000};
    const int64_t chunks_of[] = {1, 7, 256, 129, 250};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        int64_t n = counts[i];
        struct env e = fresh();
        int64_t c1 = run(&e, n, base, 1, &fb, 1);
        CHECK(c1 == chunks_of[i], "n = %lld: %lld chunks", (long long)n, (long long)c1);
        uint64_t total = 0;
        for (int64_t c = 0; c < c1; c++) total += base[c];
        CHECK(total == (uint64_t)n * (uint64_t)(n - 1) / 2, "n = %lld", (long long)n);
        const int64_t ts[] = {2, 3, 7};
        for (size_t j = 0; j < 3; j++) {
            struct env e2 = fresh();
            int64_t c = run(&e2, n, out, 1, &f, ts[j]);
            CHECK(c == c1 && memcmp(out, base, sizeof out) == 0 && f.site == 0,
                  "n = %lld, threads = %lld", (long long)n, (long long)ts[j]);
        }
    }

    /* No iterations: nothing runs, no chunks. */
    {
        struct env e = fresh();
        CHECK(run(&e, 0, out, 1, &f, 3) == 0 && run(&e, -5, out, 1, &f, 3) == 0, " ");
        CHECK(atomic_load(&e.started) == 0, "%d chunks ran", atomic_load(&e.started));
    }

    /* Chunk c's slots start at out + c * stride; with no slots (stride 0) out may be NULL. */
    {
        struct env e = fresh();
        int64_t c = run(&e, 1000, out, 2, &f, 3);
        uint64_t total = 0;
        for (int64_t k = 0; k < c; k++) {
            total += out[2 * k];
            CHECK(out[2 * k + 1] == 0, "chunk %lld wrote past its slot", (long long)k);
        }
        CHECK(c == 250 && total == 999 * 1000 / 2, "stride 2");
        memset(&f, 0, sizeof f);
        CHECK(msp_parallel_for(sum_body, &e, 1000, NULL, 0, &f, 3) == 250, "stride 0");
    }

    /* The lowest faulting iteration wins, on any number of threads, even when a later
       chunk faults first. */
    const int64_t ts[] = {1, 2, 7};
    for (size_t j = 0; j < 3; j++) {
        struct env e = fresh();
        e.fault_at = 4321;
        run(&e, 10000, out, 1, &f, ts[j]);
        CHECK(f.site == 1 && f.value == 4321, "threads = %lld: site %u value %lld",
              (long long)ts[j], f.site, (long long)f.value);
        struct env e2 = fresh();
        e2.fault_at = 4321;
        e2.slow_at = 4321;
        e2.fault_at2 = 4400;
        run(&e2, 10000, out, 1, &f, ts[j]);
        CHECK(f.site == 1 && f.value == 4321, "threads = %lld, slow: value %lld",
              (long long)ts[j], (long long)f.value);
    }

    /* Chunks after a known fault are not started: with the fault in chunk 0 and every
       chunk taking 1 ms, only the few chunks already handed out run, not all 250. */
    {
        struct env e = fresh();
        e.fault_at = 0;
        e.sleep_us = 1000;
        run(&e, 10000, out, 1, &f, 3);
        int started = atomic_load(&e.started);
        CHECK(f.site == 1 && f.value == 0, "value %lld", (long long)f.value);
        CHECK(started < 50, "%d of 250 chunks started after a fault in the first", started);
    }

    /* The threads argument sizes the team, and the chunks are shared out. */
    {
        struct env e = fresh();
        e.sleep_us = 200;
        run(&e, 10000, out, 1, &f, 3);
        unsigned long long seen = atomic_load(&e.threads_seen);
        CHECK(atomic_load(&e.team) == 3, "team of %d", atomic_load(&e.team));
        CHECK((seen & (seen - 1)) != 0, "one thread ran every chunk (mask %llx)", seen);
        struct env one = fresh();
        run(&one, 10000, out, 1, &f, 1);
        CHECK(atomic_load(&one.team) == 1, "threads = 1: team of %d", atomic_load(&one.team));
    }

    /* A loop inside a running chunk runs serially on that chunk's thread. */
    {
        struct nest n = {0};
        memset(&f, 0, sizeof f);
        int64_t c = msp_parallel_for(outer_body, &n, 64, out, 1, &f, 3);
        uint64_t total = 0;
        for (int64_t k = 0; k < c; k++) total += out[k];
        CHECK(c == 64 && total == 64, "outer loop");
        CHECK(atomic_load(&n.inner_wrong) == 0, "%d inner loops wrong", atomic_load(&n.inner_wrong));
        CHECK(atomic_load(&n.inner_elsewhere) == 0, "%d inner chunks on another thread",
              atomic_load(&n.inner_elsewhere));
    }

    /* Threads 0: MSP_NUM_THREADS, else every core; read once, at the first such loop. */
    struct env d = fresh();
    run(&d, 10000, out, 1, &f, 0);
    int first = atomic_load(&d.team);
    setenv("MSP_NUM_THREADS", first == 2 ? "3" : "2", 1);
    struct env d2 = fresh();
    run(&d2, 10000, out, 1, &f, 0);
    CHECK(atomic_load(&d2.team) == first, "the team changed with MSP_NUM_THREADS: %d, then %d",
          first, atomic_load(&d2.team));

    if (failures) return 1;
    printf("default team %d of %d processors\n", first, omp_get_num_procs());
    return 0;
}
