//! The fixed cost of a typed JIT call: `dot` over empty `F32[:]` slices, called
//! `CALLS` times (default 10^7), in ns per call (fastest of 5 rounds); then `dot` and
//! `saxpy` over 10^3 elements against the C loops, alternating (fastest of 5 rounds of
//! `CALLS / 100` calls each).
//!
//! `cargo run --release -p msp-bench --example call_probe`

/// Nanoseconds per call of `f`, from the fastest of 5 rounds of `calls` calls.
fn best_ns(calls: u32, f: &mut dyn FnMut()) -> f64 {
    let t = msp_bench::fastest(5, &mut || {
        for _ in 0..calls {
            f();
        }
    });
    t.as_secs_f64() * 1e9 / f64::from(calls)
}

fn main() {
    let src = include_str!("../kernels/vector_rt.py");
    let m = msp_core::driver::Compiler::new()
        .jit_source("vector_rt.py", src)
        .unwrap_or_else(|e| panic!("{e}"));
    let dot = m
        .kernel::<(&[f32], &[f32]), f32>("dot")
        .unwrap_or_else(|e| panic!("{e}"));
    let saxpy = m
        .kernel::<(f32, &[f32], &mut [f32]), ()>("saxpy")
        .unwrap_or_else(|e| panic!("{e}"));
    let calls: u32 = std::env::var("CALLS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000_000);
    let empty: [f32; 0] = [];
    let best = best_ns(calls, &mut || {
        let r = dot.call(std::hint::black_box((&empty[..], &empty[..])));
        std::hint::black_box(r.ok());
    });
    let c_best = best_ns(calls, &mut || {
        std::hint::black_box(msp_bench::c_dot_rt(std::hint::black_box(&empty), &empty));
    });
    println!("typed call of dot over empty slices: {best:.1} ns (C: {c_best:.1} ns)");
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(1000);
    let x: Vec<f32> = (0..n).map(|i| (i % 7) as f32).collect();
    let mut y: Vec<f32> = (0..n).map(|i| (i % 5) as f32 * 0.5).collect();
    let calls = calls / 100;
    for _ in 0..3 {
        let md = best_ns(calls, &mut || {
            std::hint::black_box(dot.call(std::hint::black_box((&x[..], &y[..]))).ok());
        });
        let cd = best_ns(calls, &mut || {
            std::hint::black_box(msp_bench::c_dot_rt(std::hint::black_box(&x), &y));
        });
        let ms = best_ns(calls, &mut || {
            std::hint::black_box(saxpy.call((0.5, &x[..], &mut y[..])).ok());
        });
        let cs = best_ns(calls, &mut || {
            msp_bench::c_saxpy_rt(0.5, std::hint::black_box(&x), &mut y);
        });
        println!(
            "n = {n}: dot {md:.1} ns, C {cd:.1} ns ({:.3}x); saxpy {ms:.1} ns, C {cs:.1} ns ({:.3}x)",
            md / cd,
            ms / cs
        );
    }
}
