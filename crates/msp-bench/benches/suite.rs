//! msp's benchmark suite (issue 6). `scripts/bench.sh` runs it together with the Python
//! peers; alone: `cargo bench -p msp-bench`.
//!
//! Criterion times the kernels against their peers (transpose sweep, Brainfuck runs, and
//! issue 12's kernels over run-time extents: `F32[:]` dot and saxpy against the same C
//! loops with `n` an argument, `Float[:][:]` transposes against the fixed-extent ones);
//! the compile-side numbers (JIT latency by phase, Brainfuck compile time per source op,
//! peak memory of each compile in a child process, AOT object sizes) are medians over
//! repeated compiles in this process. Everything lands in `target/msp-bench/results.json`
//! and one table, printed and written between the markers of `BENCHMARKS.md`.
//!
//! Run by `cargo test` (no `--bench`), criterion only smoke-tests each routine and the
//! compile-side part runs once on the smallest inputs. No timing is asserted anywhere.
//!
//! `MSP_BENCH_ONLY=PART cargo bench -p msp-bench --bench suite` measures one part and
//! merges it into the last `results.json`: `jit`, `bf_scaling`, `bf_run_once`, `rt`
//! (the run-time-extent kernels: their criterion groups, pairwise ratios and compile-time
//! pairs), or `par` (the parallel loops of issue 14: Mandelbrot, the launch cost of a
//! `prange`, saxpy at 10^8, against C with OpenMP).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use msp_bench::*;
use msp_core::driver::{Compiler, PhaseTimes};
use msp_core::jit::{JitModule, Kernel, Shaped, ShapedMut};

/// Bytes the kernels printed through `putchar` (summed so the work cannot be dropped).
static SINK: AtomicU64 = AtomicU64::new(0);

extern "C" fn sink_putchar(c: i32) -> i32 {
    SINK.fetch_add(c as u64 & 0xff, Ordering::Relaxed);
    c
}

struct Cfg {
    full: bool,
    sizes: Vec<usize>,
    tiles: Vec<usize>,
    /// Element counts of the `F32[:]` vector kernels (dot, saxpy).
    vec_sizes: Vec<usize>,
    bf_programs: Vec<(String, PathBuf)>,
    jit_repeat: usize,
    /// The Mandelbrot image's side (pixels) and the element count of the parallel saxpy.
    par_side: usize,
    par_saxpy_n: usize,
    /// Pairs timed for each of the parallel loops' ratios.
    par_pairs: usize,
}

fn config() -> Cfg {
    let full = std::env::args().any(|a| a == "--bench");
    let quick = std::env::var("MSP_BENCH_QUICK").is_ok_and(|v| v == "1");
    let root = workspace_root();
    let shared = root.join("../shared/bench/bf");
    let mut bf_programs = vec![("hello".to_string(), root.join("examples/bf/hello.b"))];
    if full {
        bf_programs.push(("countdown".into(), root.join("examples/bf/countdown.b")));
        bf_programs.push(("digits".into(), root.join("examples/bf/digits.b")));
        for name in ["bench", "mandelbrot"] {
            let p = shared.join(format!("{name}.b"));
            if p.exists() {
                bf_programs.push((name.into(), p));
            } else {
                eprintln!("msp-bench: {} is missing; skipping it", p.display());
            }
        }
    }
    Cfg {
        full,
        sizes: if !full {
            vec![256]
        } else if quick {
            vec![256, 1024, 4096]
        } else {
            vec![256, 512, 1024, 2048, 4096]
        },
        tiles: if full {
            vec![32, 64, 128, 256]
        } else {
            vec![32]
        },
        vec_sizes: if full {
            vec![1_000, 100_000, 10_000_000]
        } else {
            vec![1_000]
        },
        bf_programs,
        jit_repeat: if !full {
            1
        } else if quick {
            7
        } else {
            21
        },
        // The sizes even in a quick run: the goals are stated at them.
        par_side: if full { 2048 } else { 128 },
        par_saxpy_n: if full { 100_000_000 } else { 10_000 },
        par_pairs: if !full {
            2
        } else if quick {
            8
        } else {
            20
        },
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn compiler() -> Compiler {
    let mut c = Compiler::new();
    // SAFETY: sink_putchar is `int putchar(int)`, the signature of the kernels' @extern.
    unsafe { c.register_extern("putchar", sink_putchar as *const ()) };
    c
}

/// One kernel to compile: its file, its defines, and whether it is checked.
#[derive(Clone)]
struct Job {
    label: String,
    file: PathBuf,
    defines: Vec<(String, Define)>,
    unchecked: bool,
    /// `Compiler::threads` (0: the default). Not carried by `spec`: the child-process
    /// jobs have no `prange`.
    threads: u32,
}

#[derive(Clone)]
enum Define {
    Int(i64),
    Str(String),
}

impl Job {
    fn new(label: &str, file: PathBuf) -> Job {
        Job {
            label: label.into(),
            file,
            defines: Vec::new(),
            unchecked: false,
            threads: 0,
        }
    }
    fn int(mut self, name: &str, v: i64) -> Job {
        self.defines.push((name.into(), Define::Int(v)));
        self
    }
    fn str(mut self, name: &str, v: String) -> Job {
        self.defines.push((name.into(), Define::Str(v)));
        self
    }
    fn unchecked(mut self, yes: bool) -> Job {
        self.unchecked = yes;
        self
    }
    fn threads(mut self, n: u32) -> Job {
        self.threads = n;
        self
    }
    fn compiler(&self) -> Compiler {
        let mut c = compiler();
        c.unchecked(self.unchecked);
        c.threads(self.threads);
        for (name, v) in &self.defines {
            match v {
                Define::Int(i) => c.define(name.as_str(), *i),
                Define::Str(s) => c.define(name.as_str(), s.as_str()),
            };
        }
        c
    }
    fn compile(&self) -> JitModule {
        let text = read(&self.file);
        self.compiler()
            .jit_source(&self.file.display().to_string(), &text)
            .unwrap_or_else(|e| panic!("{}: {e}", self.label))
    }
    /// Encodes the job for a child process (see `child_compile`).
    fn spec(&self) -> String {
        let mut s = format!(
            "{}\u{1}{}\u{1}{}",
            self.label,
            self.file.display(),
            self.unchecked
        );
        for (name, v) in &self.defines {
            match v {
                Define::Int(i) => write!(s, "\u{1}i:{name}={i}").unwrap(),
                Define::Str(t) => write!(s, "\u{1}s:{name}={t}").unwrap(),
            }
        }
        s
    }
    fn from_spec(spec: &str) -> Job {
        let mut parts = spec.split('\u{1}');
        let label = parts.next().unwrap_or_default();
        let file = PathBuf::from(parts.next().unwrap_or_default());
        let unchecked = parts.next() == Some("true");
        let mut job = Job::new(label, file).unchecked(unchecked);
        for p in parts {
            let (kind, rest) = p.split_at(2);
            let (name, value) = rest.split_once('=').expect("name=value");
            job = match kind {
                "i:" => job.int(name, value.parse().expect("int define")),
                _ => job.str(name, value.to_string()),
            };
        }
        job
    }
}

/// Results gathered outside criterion, as JSON fragments keyed by name.
#[derive(Default)]
struct Extra {
    json: BTreeMap<String, String>,
}

fn main() {
    if let Ok(spec) = std::env::var("MSP_BENCH_CHILD") {
        child_compile(&spec);
        return;
    }
    let cfg = config();
    let out_dir = results_dir();
    std::fs::create_dir_all(&out_dir).expect("results dir");
    let mut extra = Extra::default();
    if let Ok(only) = std::env::var("MSP_BENCH_ONLY") {
        // Re-measure one part and merge it into an existing results.json (a smoke run,
        // without `--bench`, into results-smoke.json).
        let keys: Vec<&str> = match only.as_str() {
            "bf_scaling" => {
                bf_scaling(&cfg, &mut extra);
                vec!["bf_scaling"]
            }
            "bf_run_once" => {
                interp_once(&cfg, &mut extra);
                vec!["bf_run_once"]
            }
            "jit" => {
                jit_latency(&cfg, &mut extra);
                vec!["jit"]
            }
            "rt_jit" => {
                rt_jit(&cfg, &mut extra);
                vec!["rt_jit"]
            }
            "rt" => {
                // The run-time-extent kernels: their criterion groups, pairwise ratios
                // and compile-time pairs.
                let mut c = criterion(&cfg, &out_dir);
                rt_benches(&mut c, &cfg);
                c.final_summary();
                rt_pairs(&cfg, &mut extra);
                rt_jit(&cfg, &mut extra);
                for group in RT_GROUPS {
                    extra
                        .json
                        .insert(group.into(), criterion_group(&out_dir, group));
                }
                let mut keys = RT_GROUPS.to_vec();
                keys.extend(["rt_paired", "rt_jit"]);
                keys
            }
            "par" => {
                // The parallel loops (issue 14): their criterion group and pairwise ratios.
                let mut c = criterion(&cfg, &out_dir);
                par_benches(&mut c, &cfg, &mut extra);
                c.final_summary();
                par_pairs(&cfg, &mut extra);
                for group in PAR_GROUPS {
                    extra
                        .json
                        .insert(group.into(), criterion_group(&out_dir, group));
                }
                let mut keys = PAR_GROUPS.to_vec();
                keys.extend(["par_check", "par_paired"]);
                keys
            }
            other => {
                panic!("MSP_BENCH_ONLY={other}: expected bf_scaling, bf_run_once, jit, rt or par")
            }
        };
        let path = out_dir.join(if cfg.full {
            "results.json"
        } else {
            "results-smoke.json"
        });
        let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "{\n}\n".into());
        let mut body = old.trim_end().trim_end_matches('}').trim_end().to_string();
        // A key measured again is appended: JSON readers keep the last one.
        for key in keys {
            let sep = if body.ends_with('{') { "" } else { "," };
            body = format!("{body}{sep}\n  \"{key}\": {}", extra.json[key]);
        }
        std::fs::write(&path, format!("{body}\n}}\n")).expect("write results.json");
        eprintln!("msp-bench: merged {only} into {}", path.display());
        return;
    }

    // JIT latency first, so the first compile of the process is really the first.
    jit_latency(&cfg, &mut extra);

    let mut c = criterion(&cfg, &out_dir);
    transpose_benches(&mut c, &cfg);
    transpose_pairs(&cfg, &mut extra);
    rt_benches(&mut c, &cfg);
    rt_pairs(&cfg, &mut extra);
    par_benches(&mut c, &cfg, &mut extra);
    par_pairs(&cfg, &mut extra);
    let bf_modules = bf_benches(&mut c, &cfg, &mut extra);
    c.final_summary();
    drop(bf_modules);

    rt_jit(&cfg, &mut extra);
    bf_compile(&cfg, &mut extra);
    bf_scaling(&cfg, &mut extra);
    memory(&cfg, &mut extra);
    aot_sizes(&cfg, &mut extra);

    let results = collect_results(&cfg, &out_dir, &extra);
    // A smoke run (cargo test) must not overwrite the last real run's results.
    let json_path = out_dir.join(if cfg.full {
        "results.json"
    } else {
        "results-smoke.json"
    });
    std::fs::write(&json_path, &results).expect("write results.json");
    eprintln!("msp-bench: wrote {}", json_path.display());
}

fn criterion(_cfg: &Cfg, out_dir: &Path) -> Criterion {
    Criterion::default()
        .output_directory(&out_dir.join("criterion"))
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

// ---------------------------------------------------------------------------------------
// Transpose sweep

fn transpose_jobs(n: usize, tiles: &[usize]) -> Vec<(String, Job)> {
    let root = workspace_root();
    let naive = root.join("crates/msp-bench/kernels/transpose_naive.py");
    let blocked = root.join("examples/transpose_blocked.py");
    let mut jobs = vec![
        (
            "msp_naive".to_string(),
            Job::new("naive", naive.clone()).int("n", n as i64),
        ),
        (
            "msp_naive_unchecked".to_string(),
            Job::new("naive unchecked", naive)
                .int("n", n as i64)
                .unchecked(true),
        ),
    ];
    for &t in tiles {
        for unchecked in [false, true] {
            let name = format!(
                "msp_blocked{t}{}",
                if unchecked { "_unchecked" } else { "" }
            );
            jobs.push((
                name.clone(),
                Job::new(&name, blocked.clone())
                    .int("n", n as i64)
                    .int("tile", t as i64)
                    .unchecked(unchecked),
            ));
        }
    }
    jobs
}

fn transpose_benches(c: &mut Criterion, cfg: &Cfg) {
    let mut g = c.benchmark_group("transpose");
    for &n in &cfg.sizes {
        let src: Vec<f32> = (0..n * n).map(|x| x as f32).collect();
        let mut dst = vec![0.0f32; n * n];
        let mut expect = vec![0.0f32; n * n];
        rust_transpose_for(n).expect("sweep size")(&src, &mut expect);
        g.throughput(Throughput::Bytes((n * n * 4) as u64));
        // Slow sizes get fewer, longer samples.
        let secs = if n >= 4096 {
            6
        } else if n >= 2048 {
            3
        } else {
            2
        };
        g.measurement_time(Duration::from_secs(if cfg.full { secs } else { 1 }));
        for (name, job) in transpose_jobs(n, &cfg.tiles) {
            let module = job.compile();
            // A typed handle fixes the borrows' lifetime for all its calls, so a loop
            // that reuses `&mut dst` fetches it per call (a hash lookup, ~0.1 µs).
            let call = |dst: &mut [f32]| {
                let k = module
                    .unchecked_kernel::<(&[f32], &mut [f32]), ()>("transpose")
                    .expect("transpose kernel");
                // SAFETY: the unchecked variants index within n × n, the arrays' extent
                // (the checked variants of the same loops never fault).
                unsafe { k.call((&src, dst)) }.expect("no fault")
            };
            dst.fill(0.0);
            call(&mut dst);
            assert!(
                dst == expect,
                "{name} at n = {n} disagrees with the Rust transpose"
            );
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| call(&mut dst))
            });
        }
        let rust = rust_transpose_for(n).expect("size");
        g.bench_with_input(BenchmarkId::new("rust_naive", n), &n, |b, _| {
            b.iter(|| rust(&src, &mut dst))
        });
        dst.fill(0.0);
        c_transpose(n, &src, &mut dst);
        assert!(dst == expect, "the C transpose disagrees at n = {n}");
        g.bench_with_input(BenchmarkId::new("c_naive", n), &n, |b, _| {
            b.iter(|| c_transpose(n, &src, &mut dst))
        });
        g.bench_with_input(BenchmarkId::new("memcpy", n), &n, |b, _| {
            b.iter(|| c_copy(&src, &mut dst))
        });
    }
    g.finish();
}

/// Ratios a/b of two routines timed alternately (a b b a ...), one ratio per pair: a
/// drift in the machine's load hits both sides, unlike separate criterion runs.
fn paired(a: &mut dyn FnMut(), b: &mut dyn FnMut(), pairs: usize) -> Stats {
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64()
    };
    a();
    b();
    let mut ratios = Vec::new();
    for k in 0..pairs {
        let (ta, tb) = if k % 2 == 0 {
            let ta = time(a);
            (ta, time(b))
        } else {
            let tb = time(b);
            (time(a), tb)
        };
        ratios.push(ta / tb);
    }
    // Stats in "ms" units hold plain ratios here.
    Stats::of_ms(ratios)
}

/// The goals' ratios, measured pairwise: msp naive vs C, checked vs unchecked (naive and
/// blocked), blocked vs memcpy.
fn transpose_pairs(cfg: &Cfg, extra: &mut Extra) {
    let mut entries = Vec::new();
    let tile = *cfg.tiles.iter().max().unwrap_or(&32);
    for &n in &cfg.sizes {
        let tile = tile.min(n);
        let src: Vec<f32> = (0..n * n).map(|x| x as f32).collect();
        // One destination for both sides: two buffers can differ in page placement
        // (transparent huge pages), which the strided naive loop feels more than any
        // code difference.
        let dst = std::cell::RefCell::new(vec![0.0f32; n * n]);
        let modules: BTreeMap<String, JitModule> = transpose_jobs(n, &[tile])
            .into_iter()
            .map(|(name, job)| (name, job.compile()))
            .collect();
        let run = |name: &str, dst: &mut [f32]| {
            let k = modules[name]
                .unchecked_kernel::<(&[f32], &mut [f32]), ()>("transpose")
                .expect("kernel");
            // SAFETY: as above: the loops stay within n × n.
            unsafe { k.call((&src, dst)) }.expect("no fault")
        };
        let pairs = if !cfg.full {
            2
        } else if n >= 4096 {
            12
        } else {
            24
        };
        let blocked = format!("msp_blocked{tile}");
        let blocked_u = format!("{blocked}_unchecked");
        let r = paired(
            &mut || run("msp_naive", &mut dst.borrow_mut()),
            &mut || c_transpose(n, &src, &mut dst.borrow_mut()),
            pairs,
        );
        entries.push(format!("\"naive_vs_c/{n}\": {}", r.json()));
        let r = paired(
            &mut || run("msp_naive", &mut dst.borrow_mut()),
            &mut || run("msp_naive_unchecked", &mut dst.borrow_mut()),
            pairs,
        );
        entries.push(format!("\"naive_checked_vs_unchecked/{n}\": {}", r.json()));
        let r = paired(
            &mut || run(&blocked, &mut dst.borrow_mut()),
            &mut || run(&blocked_u, &mut dst.borrow_mut()),
            pairs,
        );
        entries.push(format!(
            "\"blocked_checked_vs_unchecked/{n}\": {}",
            r.json()
        ));
        let r = paired(
            &mut || run(&blocked, &mut dst.borrow_mut()),
            &mut || c_copy(&src, &mut dst.borrow_mut()),
            pairs,
        );
        entries.push(format!("\"blocked_vs_memcpy/{n}\": {}", r.json()));
    }
    extra.json.insert(
        "paired".into(),
        format!("{{\"tile\": {tile}, {}}}", entries.join(", ")),
    );
}

// ---------------------------------------------------------------------------------------
// Run-time extents (`:`): vector loops over `F32[:]`, transposes over `Float[:][:]`

/// The criterion groups of the run-time-extent kernels.
const RT_GROUPS: [&str; 2] = ["vec", "transpose_rt"];

fn kernel_file(name: &str) -> PathBuf {
    workspace_root().join("crates/msp-bench/kernels").join(name)
}

/// `vector_rt.py` (dot, saxpy over `F32[:]`), checked and unchecked.
fn vector_modules() -> (JitModule, JitModule) {
    let job = Job::new("vector_rt", kernel_file("vector_rt.py"));
    (job.compile(), job.unchecked(true).compile())
}

/// The inputs of the vector kernels: small integers and halves, so every product and
/// partial sum of the first call is exact (the C saxpy is contracted into an FMA by
/// gcc, msp's is not; on these values both round the same).
fn vector_inputs(n: usize) -> (Vec<f32>, Vec<f32>) {
    let x = (0..n).map(|v| (v % 7) as f32).collect();
    let y = (0..n).map(|v| (v % 5) as f32 * 0.5).collect();
    (x, y)
}

type Dot<'m> = msp_core::jit::UncheckedKernel<'m, (&'m [f32], &'m [f32]), f32>;
type Saxpy<'m> = msp_core::jit::UncheckedKernel<'m, (f32, &'m [f32], &'m mut [f32]), ()>;

fn dot_of(m: &JitModule) -> msp_core::jit::UncheckedKernel<'_, (&[f32], &[f32]), f32> {
    m.unchecked_kernel("dot").expect("dot kernel")
}

fn saxpy_of(m: &JitModule) -> msp_core::jit::UncheckedKernel<'_, (f32, &[f32], &mut [f32]), ()> {
    m.unchecked_kernel("saxpy").expect("saxpy kernel")
}

/// A call of `dot`. SAFETY (of the unchecked module's calls): `dot` indexes `y` below
/// `len(x)` and every caller here passes `y` at least as long as `x`.
fn call_dot(k: &Dot<'_>, x: &[f32], y: &[f32]) -> f32 {
    // SAFETY: as above.
    unsafe { k.call((x, y)) }.expect("no fault")
}

/// A call of `saxpy`. Every caller here passes `x` at least as long as `y`.
fn call_saxpy(k: &Saxpy<'_>, a: f32, x: &[f32], y: &mut [f32]) {
    // SAFETY: `saxpy` indexes `x` below `len(y)`, in range (see above).
    unsafe { k.call((a, x, y)) }.expect("no fault")
}

const SAXPY_K: f32 = 0.5;

/// `transpose_rt.py` (the naive loop over `Float[:][:]`) and its fixed-extent twin
/// `transpose_rect.py`, and `transpose_blocked_rt.py` at `tile`.
fn rt_transpose_jobs(n: usize, tile: usize) -> Vec<(String, Job)> {
    let naive = kernel_file("transpose_rt.py");
    let blocked = kernel_file("transpose_blocked_rt.py");
    vec![
        ("msp_naive_rt".into(), Job::new("naive_rt", naive.clone())),
        (
            "msp_naive_rt_unchecked".into(),
            Job::new("naive_rt unchecked", naive).unchecked(true),
        ),
        (
            "msp_naive_rect".into(),
            Job::new("naive_rect", kernel_file("transpose_rect.py")).int("n", n as i64),
        ),
        (
            format!("msp_blocked_rt{tile}"),
            Job::new("blocked_rt", blocked.clone()).int("tile", tile as i64),
        ),
        (
            format!("msp_blocked_rt{tile}_unchecked"),
            Job::new("blocked_rt unchecked", blocked)
                .int("tile", tile as i64)
                .unchecked(true),
        ),
    ]
}

/// Calls a `transpose(src, dst)` kernel over `n`×`n` f32: fixed-extent kernels take
/// slices, run-time-extent ones (`Float[:][:]`) shaped views.
fn call_transpose(m: &JitModule, rt: bool, n: usize, src: &[f32], dst: &mut [f32]) {
    if rt {
        let k = m
            .unchecked_kernel::<(&Shaped<f32>, &mut ShapedMut<f32>), ()>("transpose")
            .expect("transpose kernel");
        let s = Shaped::new(src, [n, n]).expect("shape");
        let mut d = ShapedMut::new(dst, [n, n]).expect("shape");
        // SAFETY: every variant indexes within the n × n extents passed (the checked
        // variants of the same loops never fault).
        unsafe { k.call((&s, &mut d)) }.expect("no fault")
    } else {
        let k = m
            .unchecked_kernel::<(&[f32], &mut [f32]), ()>("transpose")
            .expect("transpose kernel");
        // SAFETY: as above.
        unsafe { k.call((src, dst)) }.expect("no fault")
    }
}

/// The tile of the run-time-extent blocked transpose: the suite's largest (the one its
/// pairwise ratios use), at most `n`.
fn rt_tile(cfg: &Cfg, n: usize) -> usize {
    cfg.tiles.iter().max().copied().unwrap_or(32).min(n)
}

fn rt_benches(c: &mut Criterion, cfg: &Cfg) {
    let (vc, vu) = vector_modules();
    let mut g = c.benchmark_group("vec");
    g.measurement_time(Duration::from_secs(if cfg.full { 2 } else { 1 }));
    for &n in &cfg.vec_sizes {
        let (x, y0) = vector_inputs(n);
        let want_dot = x.iter().zip(&y0).fold(0.0f32, |s, (a, b)| s + a * b);
        let want_saxpy: Vec<f32> = x.iter().zip(&y0).map(|(a, b)| SAXPY_K * a + b).collect();
        g.throughput(Throughput::Elements(n as u64));
        for (name, m) in [("msp_dot", &vc), ("msp_dot_unchecked", &vu)] {
            let k = dot_of(m);
            let got = call_dot(&k, &x, &y0);
            assert!(
                (got - want_dot).abs() <= 1e-3 * want_dot.abs(),
                "{name} at n = {n}: {got} vs {want_dot}"
            );
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| call_dot(&k, std::hint::black_box(&x), &y0))
            });
        }
        let got = c_dot_rt(&x, &y0);
        assert!((got - want_dot).abs() <= 1e-3 * want_dot.abs(), "C dot");
        g.bench_with_input(BenchmarkId::new("c_dot", n), &n, |b, _| {
            b.iter(|| c_dot_rt(std::hint::black_box(&x), &y0))
        });
        let mut y = y0.clone();
        for (name, m) in [("msp_saxpy", &vc), ("msp_saxpy_unchecked", &vu)] {
            let k = saxpy_of(m);
            y.copy_from_slice(&y0);
            call_saxpy(&k, SAXPY_K, &x, &mut y);
            assert!(y == want_saxpy, "{name} at n = {n}");
            // y grows by at most 3 per call: no overflow, no subnormals.
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| call_saxpy(&k, SAXPY_K, &x, &mut y))
            });
        }
        y.copy_from_slice(&y0);
        c_saxpy_rt(SAXPY_K, &x, &mut y);
        assert!(y == want_saxpy, "C saxpy at n = {n}");
        g.bench_with_input(BenchmarkId::new("c_saxpy", n), &n, |b, _| {
            b.iter(|| c_saxpy_rt(SAXPY_K, &x, &mut y))
        });
    }
    g.finish();

    rt_transposes_fit_any_shape(cfg);
    let mut g = c.benchmark_group("transpose_rt");
    for &n in &cfg.sizes {
        let src: Vec<f32> = (0..n * n).map(|x| x as f32).collect();
        let mut dst = vec![0.0f32; n * n];
        let mut expect = vec![0.0f32; n * n];
        rust_transpose_for(n).expect("sweep size")(&src, &mut expect);
        g.throughput(Throughput::Bytes((n * n * 4) as u64));
        let secs = if n >= 4096 {
            6
        } else if n >= 2048 {
            3
        } else {
            2
        };
        g.measurement_time(Duration::from_secs(if cfg.full { secs } else { 1 }));
        for (name, job) in rt_transpose_jobs(n, rt_tile(cfg, n)) {
            let m = job.compile();
            let rt = name != "msp_naive_rect";
            dst.fill(0.0);
            call_transpose(&m, rt, n, &src, &mut dst);
            assert!(
                dst == expect,
                "{name} at n = {n} disagrees with the Rust transpose"
            );
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| call_transpose(&m, rt, n, &src, &mut dst))
            });
        }
        dst.fill(0.0);
        c_transpose_rt_n(n, n, &src, &mut dst);
        assert!(
            dst == expect,
            "the C run-time-n transpose disagrees at n = {n}"
        );
        g.bench_with_input(BenchmarkId::new("c_naive_rt", n), &n, |b, _| {
            b.iter(|| c_transpose_rt_n(n, n, &src, &mut dst))
        });
    }
    g.finish();
}

/// The run-time-extent transposes on a rows × cols matrix that is neither square nor a
/// multiple of the tile (the blocked kernel's edge loops run), against a plain loop.
fn rt_transposes_fit_any_shape(cfg: &Cfg) {
    let tile = rt_tile(cfg, usize::MAX);
    let (rows, cols) = (2 * tile + 5, tile + 3);
    let src: Vec<f32> = (0..rows * cols).map(|x| x as f32).collect();
    let mut expect = vec![0.0f32; rows * cols];
    for i in 0..rows {
        for j in 0..cols {
            expect[j * rows + i] = src[i * cols + j];
        }
    }
    for (name, job) in rt_transpose_jobs(rows, tile) {
        if name == "msp_naive_rect" {
            continue;
        }
        let m = job.compile();
        let k = m
            .unchecked_kernel::<(&Shaped<f32>, &mut ShapedMut<f32>), ()>("transpose")
            .expect("transpose kernel");
        let mut dst = vec![0.0f32; rows * cols];
        let s = Shaped::new(&src, [rows, cols]).expect("shape");
        let mut d = ShapedMut::new(&mut dst, [cols, rows]).expect("shape");
        // SAFETY: the loops index src below its extents and dst below its transposed ones
        // (the checked variants run the same loops and would fault otherwise).
        unsafe { k.call((&s, &mut d)) }.expect("no fault");
        drop(d);
        assert!(dst == expect, "{name} on {rows}×{cols}");
    }
}

/// Calls per timed side of a pair, so a side takes about 2 ms even at 10^3 elements.
fn batch(n: usize) -> usize {
    (2_000_000 / n).max(1)
}

/// The goals' ratios of the run-time-extent kernels, timed pairwise (see `paired`).
fn rt_pairs(cfg: &Cfg, extra: &mut Extra) {
    let mut entries = Vec::new();
    let pairs = if cfg.full { 24 } else { 2 };
    let (vc, vu) = vector_modules();
    let (dc, du) = (dot_of(&vc), dot_of(&vu));
    let (sc, su) = (saxpy_of(&vc), saxpy_of(&vu));
    for &n in &cfg.vec_sizes {
        let (x, y0) = vector_inputs(n);
        let reps = batch(n);
        let dot = |k: &Dot<'_>| {
            for _ in 0..reps {
                std::hint::black_box(call_dot(k, std::hint::black_box(&x), &y0));
            }
        };
        let mut c_dot = || {
            for _ in 0..reps {
                std::hint::black_box(c_dot_rt(std::hint::black_box(&x), &y0));
            }
        };
        let r = paired(&mut || dot(&dc), &mut c_dot, pairs);
        entries.push(format!("\"dot_vs_c/{n}\": {}", r.json()));
        let r = paired(&mut || dot(&dc), &mut || dot(&du), pairs);
        entries.push(format!("\"dot_checked_vs_unchecked/{n}\": {}", r.json()));
        // One y for both sides, as one dst for the transposes.
        let y = std::cell::RefCell::new(y0.clone());
        let saxpy = |k: &Saxpy<'_>| {
            let mut y = y.borrow_mut();
            for _ in 0..reps {
                call_saxpy(k, SAXPY_K, &x, &mut y);
            }
        };
        let mut c_saxpy = || {
            let mut y = y.borrow_mut();
            for _ in 0..reps {
                c_saxpy_rt(SAXPY_K, &x, &mut y);
            }
        };
        let r = paired(&mut || saxpy(&sc), &mut c_saxpy, pairs);
        entries.push(format!("\"saxpy_vs_c/{n}\": {}", r.json()));
        let r = paired(&mut || saxpy(&sc), &mut || saxpy(&su), pairs);
        entries.push(format!("\"saxpy_checked_vs_unchecked/{n}\": {}", r.json()));
    }
    // The fixed cost of a call: `dot` over empty arrays, through the JIT typed handle
    // (argument packing, extents, trampoline, fault record) and through C.
    let empty: [f32; 0] = [];
    let calls = if cfg.full { 1_000_000 } else { 1000 };
    let per_call = |f: &mut dyn FnMut()| {
        let samples: Vec<f64> = (0..if cfg.full { 11 } else { 1 })
            .map(|_| {
                let t = Instant::now();
                for _ in 0..calls {
                    f();
                }
                t.elapsed().as_secs_f64() * 1e9 / calls as f64
            })
            .collect();
        Stats::of_ms(samples)
    };
    let msp_ns = per_call(&mut || {
        std::hint::black_box(call_dot(&dc, std::hint::black_box(&empty), &empty));
    });
    let c_ns = per_call(&mut || {
        std::hint::black_box(c_dot_rt(std::hint::black_box(&empty), &empty));
    });
    // Stats in "ms" units hold nanoseconds here.
    entries.push(format!(
        "\"call_ns\": {{\"msp_dot_empty\": {}, \"c_dot_empty\": {}}}",
        msp_ns.json(),
        c_ns.json()
    ));
    let mut tiles = Vec::new();
    for &n in &cfg.sizes {
        let tile = rt_tile(cfg, n);
        tiles.push(tile);
        let src: Vec<f32> = (0..n * n).map(|x| x as f32).collect();
        let dst = std::cell::RefCell::new(vec![0.0f32; n * n]);
        let mut modules: BTreeMap<String, (JitModule, bool)> = rt_transpose_jobs(n, tile)
            .into_iter()
            .map(|(name, job)| {
                let rt = name != "msp_naive_rect";
                (name, (job.compile(), rt))
            })
            .collect();
        for (name, job) in transpose_jobs(n, &[tile]) {
            if !name.contains("unchecked") {
                modules.insert(name, (job.compile(), false));
            }
        }
        // The section-1 loop itself over `Float[:][:]` (timed here only).
        let tri = Job::new("naive_tri_rt", kernel_file("transpose_naive_rt.py"));
        modules.insert("msp_naive_tri_rt".into(), (tri.compile(), true));
        let run = |name: &str| {
            let (m, rt) = &modules[name];
            call_transpose(m, *rt, n, &src, &mut dst.borrow_mut());
        };
        let mut expect = vec![0.0f32; n * n];
        rust_transpose_for(n).expect("sweep size")(&src, &mut expect);
        for name in modules.keys() {
            dst.borrow_mut().fill(0.0);
            run(name);
            assert!(*dst.borrow() == expect, "{name} at n = {n}");
        }
        let pairs = if !cfg.full {
            2
        } else if n >= 4096 {
            12
        } else {
            24
        };
        let blocked_rt = format!("msp_blocked_rt{tile}");
        for (key, a, b) in [
            ("naive_rt_vs_fixed", "msp_naive_rt", "msp_naive".to_string()),
            ("naive_rt_vs_rect", "msp_naive_rt", "msp_naive_rect".into()),
            (
                "naive_tri_rt_vs_fixed",
                "msp_naive_tri_rt",
                "msp_naive".into(),
            ),
            (
                "naive_rt_checked_vs_unchecked",
                "msp_naive_rt",
                "msp_naive_rt_unchecked".into(),
            ),
            (
                "blocked_rt_vs_fixed",
                &blocked_rt,
                format!("msp_blocked{tile}"),
            ),
            (
                "blocked_rt_checked_vs_unchecked",
                &blocked_rt,
                format!("{blocked_rt}_unchecked"),
            ),
        ] {
            let r = paired(&mut || run(a), &mut || run(&b), pairs);
            entries.push(format!("\"{key}/{n}\": {}", r.json()));
        }
        let r = paired(
            &mut || run("msp_naive_rt"),
            &mut || c_transpose_rt_n(n, n, &src, &mut dst.borrow_mut()),
            pairs,
        );
        entries.push(format!("\"naive_rt_vs_c/{n}\": {}", r.json()));
        let r = paired(
            &mut || run("msp_naive_tri_rt"),
            &mut || c_transpose_naive_rt_n(n, &src, &mut dst.borrow_mut()),
            pairs,
        );
        entries.push(format!("\"naive_tri_rt_vs_c/{n}\": {}", r.json()));
    }
    extra.json.insert(
        "rt_paired".into(),
        format!(
            "{{\"vec_sizes\": {:?}, \"sizes\": {:?}, \"tiles\": {:?}, {}}}",
            cfg.vec_sizes,
            cfg.sizes,
            tiles,
            entries.join(", ")
        ),
    );
}

/// JIT compile time of run-time-extent kernels against their fixed-extent twins (the
/// same loops with `n` a stage-0 value), compiled alternately in this process.
fn rt_jit(cfg: &Cfg, extra: &mut Extra) {
    let pairs = [
        (
            "naive transpose",
            Job::new("naive_tri_rt", kernel_file("transpose_naive_rt.py")),
            Job::new("naive", kernel_file("transpose_naive.py")).int("n", 1024),
        ),
        (
            "for/for transpose",
            Job::new("naive_rt", kernel_file("transpose_rt.py")),
            Job::new("naive_rect", kernel_file("transpose_rect.py")).int("n", 1024),
        ),
        (
            "blocked transpose (tile 128)",
            Job::new("blocked_rt", kernel_file("transpose_blocked_rt.py")).int("tile", 128),
            Job::new(
                "blocked",
                workspace_root().join("examples/transpose_blocked.py"),
            )
            .int("n", 1024)
            .int("tile", 128),
        ),
    ];
    let mut entries = Vec::new();
    for (label, rt, fixed) in pairs {
        let (rt_text, fixed_text) = (job_text(&rt), job_text(&fixed));
        let (crt, cfixed) = (rt.compiler(), fixed.compiler());
        // A first compile of each, then alternating ones (a b b a ...).
        timed_compile(&rt, &rt_text, &crt);
        timed_compile(&fixed, &fixed_text, &cfixed);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for k in 0..cfg.jit_repeat {
            if k % 2 == 0 {
                a.push(timed_compile(&rt, &rt_text, &crt));
                b.push(timed_compile(&fixed, &fixed_text, &cfixed));
            } else {
                b.push(timed_compile(&fixed, &fixed_text, &cfixed));
                a.push(timed_compile(&rt, &rt_text, &crt));
            }
        }
        let ratio = Stats::of_ms(
            a.iter()
                .zip(&b)
                .map(|(x, y)| x.1.as_secs_f64() / y.1.as_secs_f64())
                .collect(),
        );
        entries.push(format!(
            "\"{label}\": {{\"rt\": \"{}\", \"fixed\": \"{}\", \"rt_phases\": {}, \"fixed_phases\": {}, \"pair_ratio\": {}}}",
            rt.file.file_name().unwrap_or_default().to_string_lossy(),
            fixed.file.file_name().unwrap_or_default().to_string_lossy(),
            phases_json(&a),
            phases_json(&b),
            ratio.json()
        ));
    }
    extra
        .json
        .insert("rt_jit".into(), format!("{{{}}}", entries.join(", ")));
}

// ---------------------------------------------------------------------------------------
// Parallel loops (issue 14): `prange` against its serial loop, C with OpenMP and Numba

/// The criterion group of the parallel loops.
const PAR_GROUPS: [&str; 1] = ["par"];

/// Iterations of the launch-cost loops (the empty `prange` of 1,000).
const LAUNCH_N: usize = 1000;

/// The Mandelbrot kernels' iteration limit (the 256).
const MAXIT: i32 = 256;

/// `kernels/par.py`, checked, with the default threads (`MSP_NUM_THREADS`, else every
/// core) and with one (the runtime then runs the same chunks in order on the caller).
fn par_modules() -> (JitModule, JitModule) {
    let job = Job::new("par", kernel_file("par.py"));
    (job.compile(), job.threads(1).compile())
}

type EmptyK<'m> = Kernel<'m, (i64,), ()>;
type TouchK<'m> = Kernel<'m, (&'m mut [i64],), ()>;
type SaxpyK<'m> = Kernel<'m, (f32, &'m [f32], &'m mut [f32]), ()>;

/// The parallel loops' kernels of one module.
struct ParKernels<'m> {
    /// The Mandelbrot kernels, fetched at each call (see `call_mandel`).
    module: &'m JitModule,
    empty: EmptyK<'m>,
    touch: TouchK<'m>,
    saxpy_serial: SaxpyK<'m>,
    saxpy: SaxpyK<'m>,
}

impl ParKernels<'_> {
    fn of(m: &JitModule) -> ParKernels<'_> {
        ParKernels {
            module: m,
            empty: m.kernel("empty").expect("empty"),
            touch: m.kernel("touch").expect("touch"),
            saxpy_serial: m.kernel("saxpy_serial").expect("saxpy_serial"),
            saxpy: m.kernel("saxpy").expect("saxpy"),
        }
    }
}

/// A call of `mandel_serial` or `mandel` (`name`) of `k`'s module. A handle taking a
/// `&mut ShapedMut` fixes the view's lifetime for all its calls (`&mut` is invariant), so
/// the kernel is looked up per call (a hash lookup, against milliseconds of work).
fn call_mandel(k: &ParKernels<'_>, name: &str, v: &MandelView, img: &mut [i32]) {
    let f = k
        .module
        .kernel::<(&mut ShapedMut<i32>, f64, f64, f64, i32), ()>(name)
        .expect("Mandelbrot kernel");
    let mut s = ShapedMut::new(img, [v.side, v.side]).expect("shape");
    f.call((&mut s, v.x0, v.y0, v.d, v.maxit))
        .expect("no fault")
}

/// The parallel saxpy's inputs: as `vector_inputs` (small integers and halves: exact
/// products and sums, so C's and msp's results agree bit for bit).
fn par_saxpy_inputs(n: usize) -> (Vec<f32>, Vec<f32>) {
    vector_inputs(n)
}

fn par_benches(c: &mut Criterion, cfg: &Cfg, extra: &mut Extra) {
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load_before: Vec<&str> = load_before.split_whitespace().take(3).collect();
    let (m, m1) = par_modules();
    let (k, k1) = (ParKernels::of(&m), ParKernels::of(&m1));
    let v = MandelView::new(cfg.par_side, MAXIT);
    let px = v.side * v.side;

    // Every peer computes the same image; its checksum is compared with Numba's in the
    // report (bench/peers.py computes it the same way).
    let mut want = vec![0i32; px];
    c_mandel(&v, &mut want, false);
    let mut img = vec![-1i32; px];
    type Run<'a, T> = (&'static str, &'a mut dyn FnMut(&mut [T]));
    let runs: [Run<'_, i32>; 4] = [
        ("msp serial", &mut |img: &mut [i32]| {
            call_mandel(&k, "mandel_serial", &v, img)
        }),
        ("msp prange", &mut |img: &mut [i32]| {
            call_mandel(&k, "mandel", &v, img)
        }),
        ("msp prange, 1 thread", &mut |img: &mut [i32]| {
            call_mandel(&k1, "mandel", &v, img)
        }),
        ("C OpenMP", &mut |img: &mut [i32]| c_mandel(&v, img, true)),
    ];
    for (name, run) in runs {
        img.fill(-1);
        run(&mut img);
        assert!(
            img == want,
            "{name}: Mandelbrot image differs from C serial's"
        );
    }
    let (weighted, total) = mandel_checksum(&want);
    extra.json.insert(
        "par_check".into(),
        format!(
            "{{\"mandel_side\": {}, \"maxit\": {MAXIT}, \"checksum\": {weighted}, \"total_iterations\": {total}, \"omp_threads\": {}, \"msp_threads\": {}, \"load_before\": \"{}\"}}",
            v.side,
            c_omp_thread_count(),
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            load_before.join(" ")
        ),
    );

    let mut g = c.benchmark_group("par");
    // Seconds per call at full size: one call per sample, ten samples.
    g.sampling_mode(criterion::SamplingMode::Flat);
    g.measurement_time(Duration::from_secs(if cfg.full { 4 } else { 1 }));
    let side = v.side;
    let runs: [Run<'_, i32>; 5] = [
        ("msp_mandel_serial", &mut |img: &mut [i32]| {
            call_mandel(&k, "mandel_serial", &v, img)
        }),
        ("msp_mandel", &mut |img: &mut [i32]| {
            call_mandel(&k, "mandel", &v, img)
        }),
        ("msp_mandel_t1", &mut |img: &mut [i32]| {
            call_mandel(&k1, "mandel", &v, img)
        }),
        ("c_mandel_serial", &mut |img: &mut [i32]| {
            c_mandel(&v, img, false)
        }),
        ("c_mandel_omp", &mut |img: &mut [i32]| {
            c_mandel(&v, img, true)
        }),
    ];
    for (name, run) in runs {
        g.bench_with_input(BenchmarkId::new(name, side), &side, |b, _| {
            b.iter(|| run(&mut img))
        });
    }

    let n = cfg.par_saxpy_n;
    let (x, y0) = par_saxpy_inputs(n);
    let want: Vec<f32> = x.iter().zip(&y0).map(|(a, b)| SAXPY_K * a + b).collect();
    let mut y = y0.clone();
    g.throughput(Throughput::Bytes(12 * n as u64));
    let runs: [Run<'_, f32>; 4] = [
        ("msp_saxpy_serial", &mut |y: &mut [f32]| {
            k.saxpy_serial.call((SAXPY_K, &x, y)).expect("no fault")
        }),
        ("msp_saxpy", &mut |y: &mut [f32]| {
            k.saxpy.call((SAXPY_K, &x, y)).expect("no fault")
        }),
        ("c_saxpy_serial", &mut |y: &mut [f32]| {
            c_saxpy_par(SAXPY_K, &x, y, false)
        }),
        ("c_saxpy_omp", &mut |y: &mut [f32]| {
            c_saxpy_par(SAXPY_K, &x, y, true)
        }),
    ];
    for (name, run) in runs {
        y.copy_from_slice(&y0);
        run(&mut y);
        assert!(y == want, "{name} at n = {n}");
        // y grows by at most 3 per call: no overflow, no subnormals.
        g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| b.iter(|| run(&mut y)));
    }
    drop((x, y, y0, want));

    // Launch cost: microseconds per call, so criterion's usual linear sampling.
    g.sampling_mode(criterion::SamplingMode::Auto);
    g.throughput(Throughput::Elements(LAUNCH_N as u64));
    g.measurement_time(Duration::from_secs(if cfg.full { 2 } else { 1 }));
    let mut a = vec![0i64; LAUNCH_N];
    let iota: Vec<i64> = (0..LAUNCH_N as i64).collect();
    let runs: [Run<'_, i64>; 3] = [
        ("msp_touch", &mut |a: &mut [i64]| {
            k.touch.call((a,)).expect("no fault")
        }),
        ("c_touch", &mut |a: &mut [i64]| c_touch_par(a, true)),
        ("c_touch_static", &mut |a: &mut [i64]| c_touch_par(a, false)),
    ];
    for (name, run) in runs {
        a.fill(-1);
        run(&mut a);
        assert!(a == iota, "{name}");
        g.bench_with_input(BenchmarkId::new(name, LAUNCH_N), &LAUNCH_N, |b, _| {
            b.iter(|| run(&mut a))
        });
    }
    // `empty(0)` returns before the runtime is entered: the call alone.
    for count in [LAUNCH_N, 0] {
        g.bench_with_input(BenchmarkId::new("msp_empty", count), &count, |b, &n| {
            b.iter(|| {
                k.empty
                    .call((std::hint::black_box(n as i64),))
                    .expect("no fault")
            })
        });
    }
    g.bench_with_input(BenchmarkId::new("c_empty", LAUNCH_N), &LAUNCH_N, |b, &n| {
        b.iter(|| c_empty_par(std::hint::black_box(n)))
    });
    g.finish();
}

/// The goals' ratios of the parallel loops, timed pairwise (see `paired`): prange
/// against the serial kernel and against C with OpenMP, for Mandelbrot and saxpy.
fn par_pairs(cfg: &Cfg, extra: &mut Extra) {
    let (m, _) = par_modules();
    let k = ParKernels::of(&m);
    let v = MandelView::new(cfg.par_side, MAXIT);
    let pairs = cfg.par_pairs;
    let img = std::cell::RefCell::new(vec![0i32; v.side * v.side]);
    let mut entries = Vec::new();
    let msp = |name: &str| call_mandel(&k, name, &v, &mut img.borrow_mut());
    type Pair<'a> = (&'static str, &'a mut dyn FnMut(), &'a mut dyn FnMut());
    let mandel: [Pair<'_>; 4] = [
        (
            "mandel_serial_vs_prange",
            &mut || msp("mandel_serial"),
            &mut || msp("mandel"),
        ),
        ("mandel_prange_vs_omp", &mut || msp("mandel"), &mut || {
            c_mandel(&v, &mut img.borrow_mut(), true)
        }),
        (
            "mandel_serial_vs_c_serial",
            &mut || msp("mandel_serial"),
            &mut || c_mandel(&v, &mut img.borrow_mut(), false),
        ),
        (
            "mandel_c_serial_vs_omp",
            &mut || c_mandel(&v, &mut img.borrow_mut(), false),
            &mut || c_mandel(&v, &mut img.borrow_mut(), true),
        ),
    ];
    for (key, a, b) in mandel {
        let r = paired(a, b, pairs);
        entries.push(format!("\"{key}\": {}", r.json()));
    }
    drop(img);

    let n = cfg.par_saxpy_n;
    let (x, y0) = par_saxpy_inputs(n);
    let y = std::cell::RefCell::new(y0);
    let msp = |k: &SaxpyK<'_>| {
        k.call((SAXPY_K, &x, &mut y.borrow_mut()))
            .expect("no fault")
    };
    let c = |omp: bool| c_saxpy_par(SAXPY_K, &x, &mut y.borrow_mut(), omp);
    let saxpy: [Pair<'_>; 3] = [
        (
            "saxpy_serial_vs_prange",
            &mut || msp(&k.saxpy_serial),
            &mut || msp(&k.saxpy),
        ),
        ("saxpy_prange_vs_omp", &mut || msp(&k.saxpy), &mut || {
            c(true)
        }),
        ("saxpy_c_serial_vs_omp", &mut || c(false), &mut || c(true)),
    ];
    for (key, a, b) in saxpy {
        let r = paired(a, b, pairs);
        entries.push(format!("\"{key}\": {}", r.json()));
    }
    extra.json.insert(
        "par_paired".into(),
        format!(
            "{{\"side\": {}, \"saxpy_n\": {n}, \"host\": \"{}\", {}}}",
            v.side,
            host_line(),
            entries.join(", ")
        ),
    );
}

// ---------------------------------------------------------------------------------------
// JIT latency by phase

fn jit_jobs() -> Vec<Job> {
    let root = workspace_root();
    let k = root.join("crates/msp-bench/kernels");
    let hello = read(&root.join("examples/bf/hello.b"));
    vec![
        Job::new("add3", k.join("add3.py")),
        Job::new("power10", k.join("power10.py")),
        Job::new("transpose", k.join("transpose_naive.py")).int("n", 1024),
        Job::new("bf_hello", root.join("examples/bf/bf.py")).str("program", hello.clone()),
        Job::new("bf_opt_hello", root.join("examples/bf/bf_opt.py")).str("program", hello),
    ]
}

fn phases_json(samples: &[(PhaseTimes, Duration, Duration)]) -> String {
    let pick = |f: &dyn Fn(&PhaseTimes) -> Duration| {
        Stats::of(&samples.iter().map(|s| f(&s.0)).collect::<Vec<_>>()).json()
    };
    let wall = Stats::of(&samples.iter().map(|s| s.1).collect::<Vec<_>>());
    let cpu = Stats::of(&samples.iter().map(|s| s.2).collect::<Vec<_>>());
    format!(
        "{{\"parse\": {}, \"stage\": {}, \"check\": {}, \"codegen\": {}, \"optimize\": {}, \"machine_code\": {}, \"total\": {}, \"cpu\": {}}}",
        pick(&|p| p.parse),
        pick(&|p| p.stage),
        pick(&|p| p.check),
        pick(&|p| p.codegen),
        pick(&|p| p.optimize),
        pick(&|p| p.machine_code),
        wall.json(),
        cpu.json()
    )
}

fn timed_compile(job: &Job, text: &str, c: &Compiler) -> (PhaseTimes, Duration, Duration) {
    let (t, cpu) = (Instant::now(), thread_cpu_time());
    let m = c
        .jit_source(&job.file.display().to_string(), text)
        .unwrap_or_else(|e| panic!("{}: {e}", job.label));
    let (wall, cpu) = (t.elapsed(), thread_cpu_time().saturating_sub(cpu));
    (m.report().times, wall, cpu)
}

fn jit_latency(cfg: &Cfg, extra: &mut Extra) {
    let mut entries = Vec::new();
    for (k, job) in jit_jobs().iter().enumerate() {
        let text = read(&job.file);
        let c = job.compiler();
        let first = timed_compile(job, &text, &c);
        let mut samples = Vec::new();
        for _ in 0..cfg.jit_repeat {
            samples.push(timed_compile(job, &text, &c));
        }
        // The O3 pipeline alone on a kernel already lowered (what a smaller pipeline
        // would save), measured at O1 and O0 too.
        let mut levels = Vec::new();
        for level in [0u8, 1, 2] {
            let mut c = job.compiler();
            c.opt_level(level);
            let s: Vec<_> = (0..cfg.jit_repeat.min(7))
                .map(|_| timed_compile(job, &text, &c))
                .collect();
            levels.push(format!(
                "\"O{level}\": {}",
                Stats::of(&s.iter().map(|x| x.1).collect::<Vec<_>>()).json()
            ));
        }
        entries.push(format!(
            "\"{}\": {{\"first_in_process\": {}, \"first_ms\": {:.4}, \"steady\": {}, \"levels\": {{{}}}}}",
            job.label,
            k == 0,
            first.1.as_secs_f64() * 1e3,
            phases_json(&samples),
            levels.join(", ")
        ));
    }
    extra
        .json
        .insert("jit".into(), format!("{{{}}}", entries.join(", ")));
}

// ---------------------------------------------------------------------------------------
// Brainfuck

fn bf_job(generator: &str, program: &Path, unchecked: bool) -> Job {
    let root = workspace_root();
    let label = format!(
        "{generator}:{}{}",
        program.file_stem().unwrap_or_default().to_string_lossy(),
        if unchecked { ":unchecked" } else { "" }
    );
    Job::new(&label, root.join(format!("examples/bf/{generator}.py")))
        .str("program", read(program))
        .unchecked(unchecked)
}

/// Compiles a Brainfuck program to C (one op per statement) and gcc -O2; returns the
/// binary and gcc's wall and CPU (children's user+sys) time.
fn gcc_build(name: &str, text: &str, out_dir: &Path) -> Option<(PathBuf, Duration)> {
    let c_path = out_dir.join(format!("bf_{name}.c"));
    let exe = out_dir.join(format!("bf_{name}"));
    std::fs::write(&c_path, bf_to_c(text)).ok()?;
    let t = Instant::now();
    let status = Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&exe)
        .arg(&c_path)
        .status()
        .ok()?;
    let took = t.elapsed();
    status.success().then_some((exe, took))
}

fn bf_benches(c: &mut Criterion, cfg: &Cfg, extra: &mut Extra) -> Vec<JitModule> {
    let out_dir = results_dir();
    let mut keep = Vec::new();
    let mut g = c.benchmark_group("bf_run");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(if cfg.full { 8 } else { 1 }));
    let mut gcc_note = Vec::new();
    let mut interp_once = Vec::new();
    for (name, path) in &cfg.bf_programs {
        let text = read(path);
        let expect = {
            let mut sum = 0u64;
            bf_interpret(&text, &mut |b| sum += u64::from(b)).expect("balanced program");
            sum
        };
        for generator in ["bf", "bf_opt"] {
            let module = bf_job(generator, path, false).compile();
            let run = |tape: &mut [u8]| {
                let k = module
                    .unchecked_kernel::<(&mut [u8],), ()>("run")
                    .expect("run kernel");
                // SAFETY: the benchmark programs keep the pointer inside the tape (the
                // checked build of each runs them without a fault).
                unsafe { k.call((tape,)) }.expect("no fault")
            };
            let cells = if generator == "bf" { 30000 } else { 65536 };
            let mut tape = vec![0u8; cells];
            let before = SINK.load(Ordering::Relaxed);
            run(&mut tape);
            assert_eq!(
                SINK.load(Ordering::Relaxed) - before,
                expect,
                "{generator} output of {name}"
            );
            g.bench_with_input(
                BenchmarkId::new(format!("msp_{generator}"), name),
                name,
                |b, _| {
                    b.iter(|| {
                        tape.fill(0);
                        run(&mut tape)
                    })
                },
            );
            keep.push(module);
        }
        if let Some((exe, _)) = gcc_build(name, &text, &out_dir) {
            g.bench_with_input(BenchmarkId::new("gcc_O2", name), name, |b, _| {
                b.iter(|| {
                    let st = Command::new(&exe)
                        .stdout(Stdio::null())
                        .status()
                        .expect("run");
                    assert!(st.success());
                })
            });
        } else {
            gcc_note.push(format!("\"{name}\""));
        }
        if name == "mandelbrot" {
            // Tens of seconds per run: one timed run, outside criterion.
            let t = Instant::now();
            bf_interpret(&text, &mut |c| {
                sink_putchar(i32::from(c));
            })
            .expect("ok");
            let ms = t.elapsed().as_secs_f64() * 1e3;
            interp_once.push(format!(
                "\"rust_interp/{name}\": {}",
                Stats::of_ms(vec![ms]).json()
            ));
            continue;
        }
        g.bench_with_input(BenchmarkId::new("rust_interp", name), name, |b, _| {
            b.iter(|| {
                bf_interpret(&text, &mut |c| {
                    sink_putchar(i32::from(c));
                })
                .expect("ok")
            })
        });
    }
    g.finish();
    extra
        .json
        .insert("gcc_missing".into(), format!("[{}]", gcc_note.join(", ")));
    extra.json.insert(
        "bf_run_once".into(),
        format!("{{{}}}", interp_once.join(", ")),
    );
    keep
}

/// The plain interpreter on mandelbrot.b, once (for `MSP_BENCH_ONLY=bf_run_once`).
fn interp_once(cfg: &Cfg, extra: &mut Extra) {
    let mut entries = Vec::new();
    if let Some((name, path)) = cfg.bf_programs.iter().find(|(n, _)| n == "mandelbrot") {
        let text = read(path);
        let t = Instant::now();
        bf_interpret(&text, &mut |c| {
            sink_putchar(i32::from(c));
        })
        .expect("ok");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        entries.push(format!(
            "\"rust_interp/{name}\": {}",
            Stats::of_ms(vec![ms]).json()
        ));
    }
    extra
        .json
        .insert("bf_run_once".into(), format!("{{{}}}", entries.join(", ")));
}

/// Compile time of one program repeated k times (mandelbrot.b concatenated with itself:
/// the same code, k times longer): linear growth keeps the time per op flat.
fn bf_scaling(cfg: &Cfg, extra: &mut Extra) {
    let Some((_, path)) = cfg.bf_programs.iter().find(|(n, _)| n == "mandelbrot") else {
        extra.json.insert("bf_scaling".into(), "{}".into());
        return;
    };
    let text = read(path);
    let mut entries = Vec::new();
    for (generator, ks) in [("bf_opt", &[1usize, 2, 4][..]), ("bf", &[1, 2][..])] {
        for &k in ks {
            let program = text.repeat(k);
            let ops = bf_ops(&program);
            let job = Job::new(
                &format!("{generator} x{k}"),
                workspace_root().join(format!("examples/bf/{generator}.py")),
            )
            .str("program", program);
            let c = job.compiler();
            let reps = if k == 1 { 3 } else { 1 };
            let samples: Vec<_> = (0..reps)
                .map(|_| timed_compile(&job, &job_text(&job), &c))
                .collect();
            let wall = Stats::of(&samples.iter().map(|s| s.1).collect::<Vec<_>>());
            entries.push(format!(
                "\"{generator}/x{k}\": {{\"ops\": {ops}, \"total\": {}, \"us_per_op\": {:.4}}}",
                wall.json(),
                wall.median * 1e3 / ops as f64
            ));
        }
    }
    extra
        .json
        .insert("bf_scaling".into(), format!("{{{}}}", entries.join(", ")));
}

fn bf_compile(cfg: &Cfg, extra: &mut Extra) {
    let out_dir = results_dir();
    let mut entries = Vec::new();
    for (name, path) in &cfg.bf_programs {
        let text = read(path);
        let ops = bf_ops(&text);
        let mut variants = vec![("bf", false), ("bf_opt", false), ("bf_opt", true)];
        if name == "mandelbrot" {
            variants.push(("bf", true));
        }
        let mut parts = Vec::new();
        for (generator, unchecked) in variants {
            let job = bf_job(generator, path, unchecked);
            let c = job.compiler();
            let slow = name == "mandelbrot" && generator == "bf" && !unchecked;
            let reps = if !cfg.full || slow {
                1
            } else if name == "mandelbrot" {
                5
            } else {
                9
            };
            let samples: Vec<_> = (0..reps)
                .map(|_| timed_compile(&job, &job_text(&job), &c))
                .collect();
            let wall = Stats::of(&samples.iter().map(|s| s.1).collect::<Vec<_>>());
            parts.push(format!(
                "\"{generator}{}\": {{\"phases\": {}, \"us_per_op\": {:.4}}}",
                if unchecked { "_unchecked" } else { "" },
                phases_json(&samples),
                wall.median * 1e3 / ops.max(1) as f64
            ));
        }
        // gcc -O2 on the one-op-per-statement C: wall time of the gcc process.
        let gcc: Vec<Duration> = (0..if cfg.full { 3 } else { 1 })
            .filter_map(|_| gcc_build(name, &text, &out_dir).map(|x| x.1))
            .collect();
        let gcc_json = if gcc.is_empty() {
            "null".to_string()
        } else {
            Stats::of(&gcc).json()
        };
        entries.push(format!(
            "\"{name}\": {{\"ops\": {ops}, \"bytes\": {}, \"gcc_O2_compile\": {gcc_json}, {}}}",
            text.len(),
            parts.join(", ")
        ));
    }
    extra
        .json
        .insert("bf_compile".into(), format!("{{{}}}", entries.join(", ")));
}

fn job_text(job: &Job) -> String {
    read(&job.file)
}

// ---------------------------------------------------------------------------------------
// Peak memory of each compile, in a child process

fn child_compile(spec: &str) {
    let job = Job::from_spec(spec);
    let text = read(&job.file);
    let c = job.compiler();
    // Warm LLVM up on a trivial kernel so the baseline includes the loaded libraries.
    let _ = compiler().jit_source("warm.py", "@compile\ndef f(x: int) -> int:\n    return x\n");
    let before = peak_rss_kib();
    let t = Instant::now();
    let m = c.jit_source(&job.file.display().to_string(), &text);
    let took = t.elapsed();
    let after = peak_rss_kib();
    match m {
        Ok(_) => println!("rss {before} {after} {:.3}", took.as_secs_f64() * 1e3),
        Err(e) => println!("error {}", e.short.replace('\n', " ")),
    }
}

fn memory(cfg: &Cfg, extra: &mut Extra) {
    let exe = std::env::current_exe().expect("own path");
    let mut jobs = jit_jobs();
    for (_, job) in transpose_jobs(4096, &[128]) {
        if !job.unchecked {
            jobs.push(job.clone());
        }
    }
    for (_, path) in &cfg.bf_programs {
        jobs.push(bf_job("bf", path, false));
        jobs.push(bf_job("bf_opt", path, false));
    }
    let mut entries = Vec::new();
    for job in jobs {
        let out = Command::new(&exe)
            .env("MSP_BENCH_CHILD", job.spec())
            .output();
        let line = out
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let v: Vec<&str> = line.split_whitespace().collect();
        if v.first() == Some(&"rss") && v.len() == 4 {
            entries.push(format!(
                "\"{}\": {{\"baseline_kib\": {}, \"peak_kib\": {}, \"compile_ms\": {}}}",
                job.label, v[1], v[2], v[3]
            ));
        } else {
            eprintln!("msp-bench: memory probe of {} failed: {line}", job.label);
        }
    }
    extra
        .json
        .insert("memory".into(), format!("{{{}}}", entries.join(", ")));
}

// ---------------------------------------------------------------------------------------
// AOT: compile time and object size per kernel (what msp! and msp-build do inside rustc)

fn aot_sizes(cfg: &Cfg, extra: &mut Extra) {
    use msp_core::aot::{self, AotOptions, AotTarget, Emit};
    let mut jobs = jit_jobs();
    for (_, job) in transpose_jobs(1024, &[128]) {
        jobs.push(job);
    }
    let mut entries = Vec::new();
    for job in jobs {
        let text = read(&job.file);
        let c = job.compiler();
        let reps = if cfg.full { 7 } else { 1 };
        let mut times = Vec::new();
        let mut size = (0, 0, 0);
        for _ in 0..reps {
            for emit in [Emit::Assembly, Emit::Object] {
                // msp! expands to global_asm!: stage, check, O3 and assembly text is its
                // work inside rustc (timed); the object gives the code size.
                let t = Instant::now();
                let program = c
                    .check_source(&job.file.display().to_string(), &text)
                    .expect("checks");
                let mut opts = AotOptions::new(AotTarget::native(), "bench_");
                opts.emit = emit;
                opts.externs.allow_unresolved = true;
                let out =
                    aot::compile(&program, &opts).unwrap_or_else(|e| panic!("{}: {e}", job.label));
                if emit == Emit::Assembly {
                    times.push(t.elapsed());
                    size.2 = out.code.len();
                } else {
                    size.0 = out.code.len();
                    size.1 = elf_text_bytes(&out.code);
                }
            }
        }
        entries.push(format!(
            "\"{}\": {{\"compile\": {}, \"object_bytes\": {}, \"text_bytes\": {}, \"asm_bytes\": {}}}",
            job.label,
            Stats::of(&times).json(),
            size.0,
            size.1,
            size.2
        ));
    }
    extra
        .json
        .insert("aot".into(), format!("{{{}}}", entries.join(", ")));
}

// ---------------------------------------------------------------------------------------
// Results: criterion's samples plus the extra measurements, as one JSON document

/// Per-iteration times (ms) of one criterion benchmark, from its `sample.json`.
fn criterion_samples(dir: &Path) -> Option<Vec<f64>> {
    let text = std::fs::read_to_string(dir.join("new/sample.json")).ok()?;
    let grab = |key: &str| -> Option<Vec<f64>> {
        let start = text.find(&format!("\"{key}\":["))? + key.len() + 4;
        let end = start + text[start..].find(']')?;
        text[start..end]
            .split(',')
            .map(|x| x.trim().parse::<f64>().ok())
            .collect()
    };
    let iters = grab("iters")?;
    let times = grab("times")?;
    Some(iters.iter().zip(&times).map(|(i, t)| t / i / 1e6).collect())
}

/// One criterion group's benchmarks, `"name/param": stats`, as a JSON object.
fn criterion_group(out_dir: &Path, group: &str) -> String {
    let mut rows = Vec::new();
    let Ok(impls) = std::fs::read_dir(out_dir.join("criterion").join(group)) else {
        return "{}".into();
    };
    let mut impls: Vec<_> = impls.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    impls.sort();
    for imp in impls {
        let Ok(params) = std::fs::read_dir(&imp) else {
            continue;
        };
        for p in params.filter_map(|e| e.ok()).map(|e| e.path()) {
            let param = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            if param == "report" {
                continue;
            }
            if let Some(s) = criterion_samples(&p) {
                rows.push(format!(
                    "\"{}/{}\": {}",
                    imp.file_name().unwrap_or_default().to_string_lossy(),
                    param,
                    Stats::of_ms(s).json()
                ));
            }
        }
    }
    format!("{{{}}}", rows.join(", "))
}

fn collect_results(cfg: &Cfg, out_dir: &Path, extra: &Extra) -> String {
    let mut groups = Vec::new();
    for group in ["transpose", "bf_run"]
        .into_iter()
        .chain(RT_GROUPS)
        .chain(PAR_GROUPS)
    {
        if out_dir.join("criterion").join(group).is_dir() {
            groups.push(format!("\"{group}\": {}", criterion_group(out_dir, group)));
        }
    }
    let mut doc = String::from("{\n");
    let _ = writeln!(doc, "  \"full\": {},", cfg.full);
    let _ = writeln!(doc, "  \"sizes\": {:?},", cfg.sizes);
    let _ = writeln!(doc, "  \"tiles\": {:?},", cfg.tiles);
    let _ = writeln!(doc, "  \"host\": \"{}\",", host_line());
    for g in groups {
        let _ = writeln!(doc, "  {g},");
    }
    let mut first = true;
    for (k, v) in &extra.json {
        if !first {
            doc.push_str(",\n");
        }
        first = false;
        let _ = write!(doc, "  \"{k}\": {v}");
    }
    doc.push_str("\n}\n");
    doc
}

fn host_line() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "{} ({} threads), load average {}",
        cpu.replace('"', "'"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.join(" ")
    )
}
