//! Helpers of msp's benchmark suite (`cargo bench -p msp-bench`, driven by
//! `scripts/bench.sh`): the peers (a Rust transpose, a Brainfuck interpreter, the
//! Brainfuck-to-C translation), statistics, memory and object-size probes.
//!
//! Nothing here asserts a time: the suite measures and reports, tests check behaviour.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A compiler with the probes' command-line defines, `name=value` each: an integer, or
/// else the text of the file `value` names, or else `value` itself.
pub fn compiler_with_defines(defines: &[String]) -> msp_core::driver::Compiler {
    let mut c = msp_core::driver::Compiler::new();
    for d in defines {
        let (k, v) = d.split_once('=').expect("name=value");
        match v.parse::<i64>() {
            Ok(i) => c.define(k, i),
            Err(_) => c.define(
                k,
                std::fs::read_to_string(v).unwrap_or_else(|_| v.to_string()),
            ),
        };
    }
    c
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the suite writes its results: `$MSP_BENCH_DIR`, else `target/msp-bench` under
/// the workspace (or under `$CARGO_TARGET_DIR`).
pub fn results_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("MSP_BENCH_DIR") {
        return PathBuf::from(d);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("msp-bench")
}

/// The naive transpose of conformance/transpose.py, hand-written in Rust (indexing with
/// bounds checks, as a Rust programmer writes it; `N` a constant like the kernel's `n`).
pub fn rust_transpose_naive<const N: usize>(src: &[f32], dst: &mut [f32]) {
    let (src, dst) = (&src[..N * N], &mut dst[..N * N]);
    let mut i = 0;
    while i < N {
        dst[i * N + i] = src[i * N + i];
        let mut j = i + 1;
        while j < N {
            dst[i * N + j] = src[j * N + i];
            dst[j * N + i] = src[i * N + j];
            j += 1;
        }
        i += 1;
    }
}

/// A transpose routine: `(src, dst)`.
pub type TransposeFn = fn(&[f32], &mut [f32]);

/// The Rust naive transpose for a size of the sweep.
pub fn rust_transpose_for(n: usize) -> Option<TransposeFn> {
    Some(match n {
        256 => rust_transpose_naive::<256>,
        512 => rust_transpose_naive::<512>,
        1024 => rust_transpose_naive::<1024>,
        2048 => rust_transpose_naive::<2048>,
        4096 => rust_transpose_naive::<4096>,
        _ => return None,
    })
}

unsafe extern "C" {
    fn c_transpose_naive_256(src: *const f32, dst: *mut f32);
    fn c_transpose_naive_512(src: *const f32, dst: *mut f32);
    fn c_transpose_naive_1024(src: *const f32, dst: *mut f32);
    fn c_transpose_naive_2048(src: *const f32, dst: *mut f32);
    fn c_transpose_naive_4096(src: *const f32, dst: *mut f32);
    fn c_memcpy(src: *const f32, dst: *mut f32, count: std::ffi::c_long);
    fn c_dot(x: *const f32, y: *const f32, n: std::ffi::c_long) -> f32;
    fn c_saxpy(k: f32, x: *const f32, y: *mut f32, n: std::ffi::c_long);
    fn c_transpose_naive_rt(src: *const f32, dst: *mut f32, n: std::ffi::c_long);
    fn c_transpose_rt(
        src: *const f32,
        dst: *mut f32,
        rows: std::ffi::c_long,
        cols: std::ffi::c_long,
    );
}

/// The C naive transpose (gcc -O3 -march=native) for a size of the sweep.
pub fn c_transpose(n: usize, src: &[f32], dst: &mut [f32]) {
    assert!(src.len() >= n * n && dst.len() >= n * n);
    let f = match n {
        256 => c_transpose_naive_256,
        512 => c_transpose_naive_512,
        1024 => c_transpose_naive_1024,
        2048 => c_transpose_naive_2048,
        4096 => c_transpose_naive_4096,
        _ => panic!("no C transpose for n = {n}"),
    };
    // SAFETY: both buffers hold n*n floats (asserted) and do not overlap (distinct borrows).
    unsafe { f(src.as_ptr(), dst.as_mut_ptr()) }
}

/// `memcpy` of `src` into `dst` (the bandwidth bound of a transpose of the same bytes).
pub fn c_copy(src: &[f32], dst: &mut [f32]) {
    let n = src.len().min(dst.len());
    // SAFETY: n floats are readable from src and writable in dst; distinct borrows.
    unsafe { c_memcpy(src.as_ptr(), dst.as_mut_ptr(), n as std::ffi::c_long) }
}

/// The C dot product over `x.len()` elements, the extent passed at run time (the peer
/// of `kernels/vector_rt.py`'s `dot`).
pub fn c_dot_rt(x: &[f32], y: &[f32]) -> f32 {
    assert!(y.len() >= x.len());
    // SAFETY: x.len() floats are readable from both (asserted).
    unsafe { c_dot(x.as_ptr(), y.as_ptr(), x.len() as std::ffi::c_long) }
}

/// The C saxpy `y[i] = k * x[i] + y[i]` over `y.len()` elements (the peer of
/// `kernels/vector_rt.py`'s `saxpy`).
pub fn c_saxpy_rt(k: f32, x: &[f32], y: &mut [f32]) {
    assert!(x.len() >= y.len());
    // SAFETY: y.len() floats are readable from x (asserted) and writable in y; distinct
    // borrows.
    unsafe { c_saxpy(k, x.as_ptr(), y.as_mut_ptr(), y.len() as std::ffi::c_long) }
}

/// The C naive transpose (the loop of conformance/transpose.py) of an `n`×`n` matrix
/// with `n` passed at run time (the peer of `kernels/transpose_naive_rt.py`).
pub fn c_transpose_naive_rt_n(n: usize, src: &[f32], dst: &mut [f32]) {
    assert!(src.len() >= n * n && dst.len() >= n * n);
    // SAFETY: both buffers hold n*n floats (asserted); distinct borrows.
    unsafe { c_transpose_naive_rt(src.as_ptr(), dst.as_mut_ptr(), n as std::ffi::c_long) }
}

/// The C naive transpose of a `rows`×`cols` matrix with the extents passed at run time
/// (the peer of `kernels/transpose_rt.py`): `dst[j, i] = src[i, j]`.
pub fn c_transpose_rt_n(rows: usize, cols: usize, src: &[f32], dst: &mut [f32]) {
    assert!(src.len() >= rows * cols && dst.len() >= rows * cols);
    // SAFETY: both buffers hold rows*cols floats (asserted); distinct borrows.
    unsafe {
        c_transpose_rt(
            src.as_ptr(),
            dst.as_mut_ptr(),
            rows as std::ffi::c_long,
            cols as std::ffi::c_long,
        )
    }
}

unsafe extern "C" {
    fn c_mandel_serial(img: *mut i32, h: c_long, w: c_long, x0: f64, y0: f64, d: f64, maxit: i32);
    fn c_mandel_omp(img: *mut i32, h: c_long, w: c_long, x0: f64, y0: f64, d: f64, maxit: i32);
    fn c_empty_omp(n: c_long);
    fn c_touch_omp(a: *mut i64, n: c_long);
    fn c_touch_omp_static(a: *mut i64, n: c_long);
    fn c_saxpy_serial(k: f32, x: *const f32, y: *mut f32, n: c_long);
    fn c_saxpy_omp(k: f32, x: *const f32, y: *mut f32, n: c_long);
    fn c_omp_threads() -> i32;
}

use std::ffi::c_long;

/// The view of the Mandelbrot kernels (`kernels/par.py`): pixel `(y, x)` of an image
/// `side` pixels square is `c = (x0 + x * d) + (y0 + y * d)i`, over [-2, 1] × [-1.5, 1.5].
#[derive(Clone, Copy, Debug)]
pub struct MandelView {
    pub side: usize,
    pub x0: f64,
    pub y0: f64,
    pub d: f64,
    pub maxit: i32,
}

impl MandelView {
    pub fn new(side: usize, maxit: i32) -> MandelView {
        MandelView {
            side,
            x0: -2.0,
            y0: -1.5,
            d: 3.0 / side as f64,
            maxit,
        }
    }
}

/// The C Mandelbrot into `img` (`side`² counts, row-major): serially, or under
/// `#pragma omp parallel for schedule(dynamic, ceil(side / 256))`.
pub fn c_mandel(v: &MandelView, img: &mut [i32], omp: bool) {
    let n = v.side as c_long;
    assert!(img.len() >= v.side * v.side);
    let f = if omp { c_mandel_omp } else { c_mandel_serial };
    // SAFETY: img holds side × side counts (asserted); the C loop writes only those.
    unsafe { f(img.as_mut_ptr(), n, n, v.x0, v.y0, v.d, v.maxit) }
}

/// A checksum of an iteration-count image that every peer computes the same way (Numba's
/// in bench/peers.py): the sum of `count * (index + 1)` (wrapping), and the total count.
pub fn mandel_checksum(img: &[i32]) -> (u64, u64) {
    let mut weighted = 0u64;
    let mut total = 0u64;
    for (i, &k) in img.iter().enumerate() {
        weighted = weighted.wrapping_add((k as u64).wrapping_mul(i as u64 + 1));
        total += k as u64;
    }
    (weighted, total)
}

/// An empty OpenMP loop of `n` iterations (msp's chunks, dynamic schedule).
pub fn c_empty_par(n: usize) {
    // SAFETY: the loop touches nothing.
    unsafe { c_empty_omp(n as c_long) }
}

/// `a[i] = i` under OpenMP: msp's chunks and dynamic schedule, or `schedule(static)`.
pub fn c_touch_par(a: &mut [i64], dynamic: bool) {
    let f = if dynamic {
        c_touch_omp
    } else {
        c_touch_omp_static
    };
    // SAFETY: the loop writes a.len() elements of a.
    unsafe { f(a.as_mut_ptr(), a.len() as c_long) }
}

/// saxpy `y[i] = k * x[i] + y[i]` over `y.len()` elements from `c/par.c`: serially, or
/// under `#pragma omp parallel for schedule(static)`.
pub fn c_saxpy_par(k: f32, x: &[f32], y: &mut [f32], omp: bool) {
    assert!(x.len() >= y.len());
    let f = if omp { c_saxpy_omp } else { c_saxpy_serial };
    // SAFETY: y.len() floats are readable from x (asserted) and writable in y.
    unsafe { f(k, x.as_ptr(), y.as_mut_ptr(), y.len() as c_long) }
}

/// The threads of an OpenMP parallel region in this process.
pub fn c_omp_thread_count() -> i32 {
    // SAFETY: no arguments; opens one parallel region.
    unsafe { c_omp_threads() }
}

/// Brainfuck source commands (`+-<>[].,`) in a text.
pub fn bf_ops(text: &str) -> usize {
    text.chars().filter(|c| "+-<>[].,".contains(*c)).count()
}

/// A plain Brainfuck interpreter: one command per step, brackets pre-matched, 8-bit
/// wrapping cells on a 65536-cell tape. Output goes to `out`.
pub fn bf_interpret(text: &str, out: &mut impl FnMut(u8)) -> Result<(), String> {
    let code: Vec<u8> = text.bytes().filter(|c| b"+-<>[].,".contains(c)).collect();
    let mut jump = vec![0usize; code.len()];
    let mut stack = Vec::new();
    for (i, &c) in code.iter().enumerate() {
        if c == b'[' {
            stack.push(i);
        } else if c == b']' {
            let open = stack.pop().ok_or("unbalanced ]")?;
            jump[open] = i;
            jump[i] = open;
        }
    }
    if !stack.is_empty() {
        return Err("unbalanced [".into());
    }
    let mut tape = vec![0u8; 65536];
    let mut p: u16 = 0;
    let mut pc = 0;
    while pc < code.len() {
        match code[pc] {
            b'+' => tape[p as usize] = tape[p as usize].wrapping_add(1),
            b'-' => tape[p as usize] = tape[p as usize].wrapping_sub(1),
            b'>' => p = p.wrapping_add(1),
            b'<' => p = p.wrapping_sub(1),
            b'.' => out(tape[p as usize]),
            b',' => tape[p as usize] = 0,
            b'[' if tape[p as usize] == 0 => pc = jump[pc],
            b']' if tape[p as usize] != 0 => pc = jump[pc],
            _ => {}
        }
        pc += 1;
    }
    Ok(())
}

/// The one-op-per-statement translation of a Brainfuck program to C (the brief's peer):
/// each command is one C statement, on a 65536-byte tape like the msp kernels'.
pub fn bf_to_c(text: &str) -> String {
    let mut c = String::from(
        "#include <stdio.h>\nstatic unsigned char tape[65536];\nint main(void) {\n    unsigned char *p = tape;\n",
    );
    let mut depth = 1;
    for ch in text.chars() {
        let stmt = match ch {
            '+' => "++*p;",
            '-' => "--*p;",
            '>' => "++p;",
            '<' => "--p;",
            '.' => "putchar(*p);",
            ',' => "*p = getchar();",
            '[' => "while (*p) {",
            ']' => "}",
            _ => continue,
        };
        if ch == ']' {
            depth -= 1;
        }
        c.push_str(&"    ".repeat(depth));
        c.push_str(stmt);
        c.push('\n');
        if ch == '[' {
            depth += 1;
        }
    }
    c.push_str("    return 0;\n}\n");
    c
}

/// Median, quartiles, min and max of a sample, in milliseconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

impl Stats {
    pub fn of_ms(mut v: Vec<f64>) -> Stats {
        if v.is_empty() {
            return Stats::default();
        }
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let x = q * (v.len() - 1) as f64;
            let (lo, hi) = (x.floor() as usize, x.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (x - lo as f64)
        };
        Stats {
            median: at(0.5),
            q1: at(0.25),
            q3: at(0.75),
            min: v[0],
            max: v[v.len() - 1],
            n: v.len(),
        }
    }

    pub fn of(v: &[Duration]) -> Stats {
        Stats::of_ms(v.iter().map(|d| d.as_secs_f64() * 1e3).collect())
    }

    /// Spread as a percentage of the median: (q3 - q1) / median.
    pub fn iqr_pct(&self) -> f64 {
        if self.median > 0.0 {
            100.0 * (self.q3 - self.q1) / self.median
        } else {
            0.0
        }
    }

    pub fn json(&self) -> String {
        format!(
            "{{\"median_ms\": {:.6}, \"q1_ms\": {:.6}, \"q3_ms\": {:.6}, \"min_ms\": {:.6}, \"max_ms\": {:.6}, \"n\": {}}}",
            self.median, self.q1, self.q3, self.min, self.max, self.n
        )
    }
}

/// The fastest of `rounds` runs of `f`, wall time (other processes only ever add time),
/// for the probes' quick checks.
///
/// ```
/// let t = msp_bench::fastest(3, &mut || std::hint::black_box(()));
/// assert!(t < std::time::Duration::from_secs(1));
/// ```
pub fn fastest(rounds: usize, f: &mut dyn FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let t = std::time::Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// CPU time of the calling thread (immune to other processes' load, unlike wall time).
pub fn thread_cpu_time() -> Duration {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: clock_gettime writes one timespec (two longs on 64-bit Linux).
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.sec as u64, ts.nsec as u32)
}

/// Peak resident memory of this process so far (VmHWM), in KiB; 0 where /proc is absent.
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Bytes of executable sections in an ELF64 little-endian object (0 if not one).
pub fn elf_text_bytes(obj: &[u8]) -> u64 {
    let u16_at = |o: usize| {
        obj.get(o..o + 2)
            .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as u64)
    };
    let u64_at = |o: usize| {
        obj.get(o..o + 8)
            .map_or(0, |b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
    };
    if obj.len() < 64 || &obj[..4] != b"\x7fELF" || obj[4] != 2 || obj[5] != 1 {
        return 0;
    }
    let shoff = u64_at(0x28) as usize;
    let shentsize = u16_at(0x3a) as usize;
    let shnum = u16_at(0x3c) as usize;
    let mut total = 0;
    for k in 0..shnum {
        let sh = shoff + k * shentsize;
        let flags = u64_at(sh + 8);
        const SHF_EXECINSTR: u64 = 4;
        if flags & SHF_EXECINSTR != 0 {
            total += u64_at(sh + 32);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_and_c_transposes_agree() {
        let n = 256;
        let src: Vec<f32> = (0..n * n).map(|x| x as f32).collect();
        let mut a = vec![0.0; n * n];
        let mut b = vec![0.0; n * n];
        rust_transpose_for(n).unwrap()(&src, &mut a);
        c_transpose(n, &src, &mut b);
        assert_eq!(a, b);
        assert_eq!(a[1], src[n]);
        let mut c = vec![0.0; n * n];
        c_copy(&src, &mut c);
        assert_eq!(c, src);
    }

    #[test]
    fn run_time_extent_peers_compute_their_loops() {
        let x: Vec<f32> = (0..1003).map(|v| (v % 7) as f32).collect();
        let y: Vec<f32> = (0..1003).map(|v| (v % 5) as f32 * 0.5).collect();
        let want: f32 = x.iter().zip(&y).fold(0.0, |s, (a, b)| s + a * b);
        assert_eq!(c_dot_rt(&x, &y), want);
        let mut z = y.clone();
        c_saxpy_rt(2.0, &x, &mut z);
        for k in 0..z.len() {
            assert_eq!(z[k], 2.0 * x[k] + y[k]);
        }
        let (rows, cols) = (3, 5);
        let src: Vec<f32> = (0..rows * cols).map(|v| v as f32).collect();
        let mut dst = vec![0.0; rows * cols];
        c_transpose_rt_n(rows, cols, &src, &mut dst);
        for i in 0..rows {
            for j in 0..cols {
                assert_eq!(dst[j * rows + i], src[i * cols + j]);
            }
        }
    }

    #[test]
    fn interpreter_runs_hello() {
        let text = std::fs::read_to_string(workspace_root().join("examples/bf/hello.b")).unwrap();
        let mut out = Vec::new();
        bf_interpret(&text, &mut |c| out.push(c)).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "Hello from msp!\n");
    }

    #[test]
    fn c_translation_is_one_statement_per_op() {
        let c = bf_to_c("+[->+<]");
        assert_eq!(c.matches(';').count(), 6 + 2);
        assert!(c.contains("while (*p) {"));
    }

    #[test]
    fn stats_median_and_quartiles() {
        let s = Stats::of_ms(vec![5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!(
            (s.median, s.q1, s.q3, s.min, s.max),
            (3.0, 2.0, 4.0, 1.0, 5.0)
        );
    }
}
