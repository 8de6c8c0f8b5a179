//! The work-sharing runtime of `prange` loops: generated code outlines a loop's body into
//! a function over a range of iterations and calls [`msp_parallel_for`], which cuts the
//! iteration space into chunks and runs them on a rayon thread pool.
//!
//! The chunks depend on the iteration count alone ([`chunk_size`]), never on the number
//! of threads: each chunk reduces its iterations in order into its own slots, and the
//! caller combines the chunks' results in chunk order, so a loop gives the same bits
//! with 1, 2 or 64 threads.
//!
//! C programs linking an `msp-build` library get a second implementation of this
//! contract, on OpenMP (`crates/msp-build/src/msp_parallel_for.c`): a change here must be
//! made there too.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::FaultRecord;

/// At most this many chunks per loop: the caller's buffer for the chunks' results has
/// room for this many.
pub const MAX_CHUNKS: usize = 256;

/// The symbol of [`msp_parallel_for`], which generated code calls.
pub const ENTRY: &str = "msp_parallel_for";

/// Iterations per chunk for a loop of `n` iterations: as few chunks as give every
/// thread of a large machine several to balance uneven iterations, no more than
/// [`MAX_CHUNKS`].
///
/// ```
/// assert_eq!(msp_rt::parallel::chunk_size(10), 1);
/// assert_eq!(msp_rt::parallel::chunk_size(1000), 4);
/// assert_eq!(msp_rt::parallel::chunk_size(0), 1);
/// ```
pub fn chunk_size(n: u64) -> u64 {
    n.div_ceil(MAX_CHUNKS as u64).max(1)
}

/// The outlined body of a parallel loop: runs iterations `lo..hi` (iteration numbers:
/// iteration `k` has counter `start + k * step`) with the captures in `env`, writes the
/// chunk's reduction results to `out`, and on a checked fault writes `fault` and returns.
pub type ChunkFn =
    unsafe extern "C" fn(env: *const u8, lo: i64, hi: i64, out: *mut u64, fault: *mut FaultRecord);

thread_local! {
    /// Set while this thread runs a chunk: a parallel loop reached from inside one (a
    /// nested `prange`, or a kernel called from a parallel body) runs serially.
    static IN_PARALLEL: Cell<bool> = const { Cell::new(false) };
}

thread_local! {
    /// The count [`with_threads`] set for this thread (0: none).
    static SCOPED_THREADS: Cell<usize> = const { Cell::new(0) };
}

/// Runs `f` with `threads` as the thread count of the `prange` loops it reaches on this
/// thread whose kernels were compiled without one (`Compiler::threads(0)`, the
/// default), and returns what `f` returns; 0 leaves the default. A count compiled into
/// the kernel wins. Results do not depend on the count ([`chunk_size`]); this is how a
/// caller tries one JIT module on several counts without compiling it again, as
/// OpenMP's `omp_set_num_threads` does for a C caller of an `msp-build` library.
///
/// ```
/// let inside = msp_rt::parallel::with_threads(3, msp_rt::parallel::threads);
/// assert_eq!(inside, 3);
/// assert_ne!(msp_rt::parallel::threads(), 0);
/// ```
pub fn with_threads<R>(threads: usize, f: impl FnOnce() -> R) -> R {
    /// Puts the outer count back, also when `f` unwinds.
    struct Restore(usize);
    impl Drop for Restore {
        fn drop(&mut self) {
            SCOPED_THREADS.with(|t| t.set(self.0));
        }
    }
    let _restore = Restore(SCOPED_THREADS.with(|t| t.replace(threads)));
    f()
}

/// The thread count a `prange` loop compiled without one runs on here: the innermost
/// [`with_threads`], else `MSP_NUM_THREADS`, else every core.
pub fn threads() -> usize {
    match SCOPED_THREADS.with(Cell::get) {
        0 => default_threads(),
        n => n,
    }
}

/// Threads when nothing says otherwise: `MSP_NUM_THREADS`, else every core.
fn default_threads() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| {
        std::env::var("MSP_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// One pool per thread count, built on first use and kept.
fn pool(threads: usize) -> Option<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS.get_or_init(Default::default).lock().ok()?;
    if let Some(p) = pools.get(&threads) {
        return Some(p.clone());
    }
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("msp-prange-{i}"))
            .build()
            .ok()?,
    );
    pools.insert(threads, p.clone());
    Some(p)
}

/// What the threads running one loop share: the loop, the next chunk to claim, and what
/// the caller waits for. Helpers hold it by `Arc`, so a helper that starts after the
/// loop has returned finds no chunk left and touches nothing else.
struct Team {
    body: ChunkFn,
    env: *const u8,
    out: *mut u64,
    stride: usize,
    n: i64,
    chunk: i64,
    chunks: usize,
    /// The next chunk to claim: chunks are claimed in increasing order.
    next: AtomicUsize,
    /// Chunks run or skipped; the caller returns when it reaches `chunks`.
    done: AtomicUsize,
    /// The lowest chunk known to have faulted (`usize::MAX`: none), and its fault.
    first_fault: AtomicUsize,
    fault: Mutex<Option<(usize, FaultRecord)>>,
    caller: std::thread::Thread,
}
// SAFETY: the loop's captures are read-only while it runs, and chunk `c` writes only
// `out[c * stride..][..stride]` (the checker proved the body's own writes disjoint
// across iterations); every chunk has finished before the caller, which owns `env` and
// `out`, returns, and no chunk starts after that.
unsafe impl Send for Team {}
// SAFETY: as above.
unsafe impl Sync for Team {}

impl Team {
    /// Claims and runs chunks until none is left.
    fn work(&self) {
        let was = IN_PARALLEL.with(|f| f.replace(true));
        loop {
            let c = self.next.fetch_add(1, Ordering::Relaxed);
            if c >= self.chunks {
                break;
            }
            // A chunk after a faulting one cannot hold the lowest fault.
            if c < self.first_fault.load(Ordering::Acquire) {
                let lo = c as i64 * self.chunk;
                let hi = (lo + self.chunk).min(self.n);
                // The chunk's kernels test the stack of the thread that runs it.
                let mut f = FaultRecord::for_this_thread();
                // SAFETY: chunk `c` writes its own slots of `out` only (see `Team`); this
                // chunk is unclaimed by anyone else and `done` has not reached `chunks`,
                // so the caller still holds `env` and `out`.
                unsafe { (self.body)(self.env, lo, hi, self.out.add(c * self.stride), &mut f) };
                if f.site != 0 {
                    self.first_fault.fetch_min(c, Ordering::AcqRel);
                    if let Ok(mut slot) = self.fault.lock()
                        && slot.is_none_or(|(k, _)| c < k)
                    {
                        *slot = Some((c, f));
                    }
                }
            }
            // Release: the chunk's writes happen before the caller sees the count.
            if self.done.fetch_add(1, Ordering::AcqRel) + 1 == self.chunks {
                self.caller.unpark();
            }
        }
        IN_PARALLEL.with(|f| f.set(was));
    }
}

/// Runs `n` iterations of `body` in chunks of [`chunk_size`]`(n)`, on `threads` threads
/// (0: [`threads`]`()`), and returns the number of chunks; chunk `c` writes its results to
/// `out + c * stride`. When iterations fault, `*fault` is the fault of the lowest
/// iteration: chunks after a faulting one are not started, the ones before it run to
/// their end, and the call returns only when every started chunk has finished.
///
/// The calling thread runs chunks too, claiming them from a counter with `threads - 1`
/// helpers from the pool: it starts at once and waits only for chunks still running at
/// the end, never for a sleeping worker to wake up (blocking in `ThreadPool::install`
/// until the pool had run the loop cost about 25 µs per launch of an empty loop of 1,000
/// iterations on 2 loaded cores).
///
/// # Safety
/// `body` must be an outlined loop body for `env`, and `out` must have room for
/// [`MAX_CHUNKS`]` * stride` slots; `fault` must be valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn msp_parallel_for(
    body: ChunkFn,
    env: *const u8,
    n: i64,
    out: *mut u64,
    stride: i64,
    fault: *mut FaultRecord,
    threads: i64,
) -> i64 {
    if n <= 0 {
        return 0;
    }
    let chunk = chunk_size(n as u64) as i64;
    let chunks = (n as u64).div_ceil(chunk as u64) as usize;
    let stride = stride.max(0) as usize;
    let threads = if threads > 0 {
        threads as usize
    } else {
        self::threads()
    };
    let nested = IN_PARALLEL.with(Cell::get);
    let pool = (!nested && threads > 1 && chunks > 1)
        .then(|| pool(threads))
        .flatten();
    let Some(pool) = pool else {
        // Serially, in chunk order: the same chunks, so the same results.
        for c in 0..chunks {
            let lo = c as i64 * chunk;
            let hi = (lo + chunk).min(n);
            // SAFETY: the caller's contract; chunk `c`'s slots are in `out`.
            unsafe { body(env, lo, hi, out.add(c * stride), fault) };
            // SAFETY: `fault` is valid (the caller's contract).
            if unsafe { (*fault).site } != 0 {
                break;
            }
        }
        return chunks as i64;
    };
    let team = Arc::new(Team {
        body,
        env,
        out,
        stride,
        n,
        chunk,
        chunks,
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        first_fault: AtomicUsize::new(usize::MAX),
        fault: Mutex::new(None),
        caller: std::thread::current(),
    });
    for _ in 1..threads.min(chunks) {
        let team = team.clone();
        pool.spawn(move || team.work());
    }
    team.work();
    // Every chunk is claimed; wait for the ones helpers still run (a park may return
    // early, so the count decides).
    while team.done.load(Ordering::Acquire) < chunks {
        std::thread::park();
    }
    if let Some((_, f)) = team.fault.lock().ok().and_then(|s| *s) {
        // SAFETY: `fault` is valid for writes (the caller's contract).
        unsafe { *fault = f };
    }
    chunks as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that adds its iteration numbers into `out[0]` and faults at iteration
    /// `env[0]` (if non-negative), recording the iteration in the fault's value.
    unsafe extern "C" fn sum_body(
        env: *const u8,
        lo: i64,
        hi: i64,
        out: *mut u64,
        fault: *mut FaultRecord,
    ) {
        // SAFETY: the tests pass an `i64` as `env` and a record.
        unsafe {
            let fault_at = *(env as *const i64);
            let mut s = 0u64;
            for k in lo..hi {
                if k == fault_at {
                    *fault = FaultRecord {
                        site: 1,
                        reserved: 0,
                        value: k,
                        extent: 0,
                        stack_low: 0,
                    };
                    return;
                }
                s = s.wrapping_add(k as u64);
            }
            *out = s;
        }
    }

    fn run(n: i64, fault_at: i64, threads: i64) -> (i64, Vec<u64>, FaultRecord) {
        let mut out = vec![0u64; MAX_CHUNKS];
        let mut fault = FaultRecord::default();
        // SAFETY: `sum_body` reads one i64 from env and writes one slot per chunk.
        let chunks = unsafe {
            msp_parallel_for(
                sum_body,
                (&fault_at as *const i64).cast(),
                n,
                out.as_mut_ptr(),
                1,
                &mut fault,
                threads,
            )
        };
        (chunks, out, fault)
    }

    #[test]
    fn chunks_depend_on_the_count_alone() {
        for n in [0, 1, 7, 256, 257, 10_000] {
            let (c1, o1, _) = run(n, -1, 1);
            for t in [2, 3, 7] {
                let (c, o, f) = run(n, -1, t);
                assert_eq!((c, &o, f.site), (c1, &o1, 0), "n = {n}, threads = {t}");
            }
            let total: u64 = o1[..c1 as usize].iter().sum();
            assert_eq!(total, (0..n as u64).sum::<u64>());
        }
    }

    /// Counts its chunks, takes 1 ms each, and faults at iteration 0.
    unsafe extern "C" fn slow_body(
        env: *const u8,
        lo: i64,
        _hi: i64,
        _out: *mut u64,
        fault: *mut FaultRecord,
    ) {
        // SAFETY: the test passes an `AtomicUsize` as `env` and a record.
        unsafe {
            (*(env as *const AtomicUsize)).fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(std::time::Duration::from_millis(1));
            if lo == 0 {
                (*fault).site = 1;
            }
        }
    }

    /// Once a chunk has faulted, later chunks are not started: of 250 chunks of 1 ms,
    /// only the few already running when chunk 0 faults run (none at all on one thread).
    #[test]
    fn chunks_after_a_fault_are_not_started() {
        for t in [1, 3] {
            let started = AtomicUsize::new(0);
            let mut fault = FaultRecord::default();
            // SAFETY: `slow_body` reads an `AtomicUsize` from env and writes no slots.
            let chunks = unsafe {
                msp_parallel_for(
                    slow_body,
                    (&started as *const AtomicUsize).cast(),
                    10_000,
                    std::ptr::null_mut(),
                    0,
                    &mut fault,
                    t,
                )
            };
            let started = started.load(Ordering::Relaxed);
            assert_eq!((chunks, fault.site), (250, 1));
            assert!(
                started < 50,
                "threads = {t}: {started} of 250 chunks started"
            );
            if t == 1 {
                assert_eq!(started, 1);
            }
        }
    }

    #[test]
    fn the_lowest_faulting_iteration_wins() {
        for t in [1, 2, 7] {
            let (_, out, f) = run(10_000, 4321, t);
            assert_eq!((f.site, f.value), (1, 4321), "threads = {t}");
            // Every chunk below the faulting one ran to its end.
            let chunk = chunk_size(10_000);
            for c in 0..4321 / chunk {
                let want: u64 = (c * chunk..(c + 1) * chunk).sum();
                assert_eq!(out[c as usize], want, "threads = {t}, chunk {c}");
            }
        }
    }

    /// Records in `env` (a `Mutex<HashSet<ThreadId>>`) the thread each chunk runs on.
    unsafe extern "C" fn where_body(
        env: *const u8,
        _lo: i64,
        _hi: i64,
        _out: *mut u64,
        _fault: *mut FaultRecord,
    ) {
        // SAFETY: the test passes the set as `env`.
        let seen =
            unsafe { &*(env as *const Mutex<std::collections::HashSet<std::thread::ThreadId>>) };
        if let Ok(mut s) = seen.lock() {
            s.insert(std::thread::current().id());
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }

    /// A loop compiled without a count runs on [`with_threads`]'s: on one thread, every
    /// chunk runs on the caller. The count is restored after the scope, also a nested one.
    #[test]
    fn with_threads_sets_the_count_of_loops_compiled_without_one() {
        let threads_used = |t: i64| {
            let seen = Mutex::new(std::collections::HashSet::<std::thread::ThreadId>::new());
            let mut fault = FaultRecord::default();
            // SAFETY: `where_body` reads the set from env and writes no slots.
            let chunks = unsafe {
                msp_parallel_for(
                    where_body,
                    (&seen as *const Mutex<_>).cast(),
                    1000,
                    std::ptr::null_mut(),
                    0,
                    &mut fault,
                    t,
                )
            };
            assert_eq!((chunks, fault.site), (250, 0));
            seen.into_inner().map(|s| s.len()).unwrap_or(0)
        };
        let outer = threads();
        with_threads(1, || {
            assert_eq!(threads(), 1);
            assert_eq!(threads_used(0), 1);
            with_threads(4, || assert_eq!(threads(), 4));
            assert_eq!(threads(), 1);
        });
        assert_eq!(threads(), outer);
    }
}
