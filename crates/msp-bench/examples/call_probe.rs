//! The fixed cost of a typed JIT call: `dot` over empty `F32[:]` slices, called
//! `CALLS` times (default 10^7), in ns per call (fastest of 5 rounds).
//!
//! `cargo run --release -p msp-bench --example call_probe`

use std::time::Instant;

fn main() {
    let src = "@compile\ndef dot(x: F32[:], y: F32[:]) -> f32:\n    s: f32 = 0\n    for i in range(len(x)):\n        s += x[i] * y[i]\n    return s\n";
    let m = msp_core::driver::Compiler::new()
        .jit_source("dot.py", src)
        .unwrap_or_else(|e| panic!("{e}"));
    let dot = m
        .kernel::<(&[f32], &[f32]), f32>("dot")
        .unwrap_or_else(|e| panic!("{e}"));
    let calls: u32 = std::env::var("CALLS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000_000);
    let empty: [f32; 0] = [];
    let best = (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                let r = dot.call(std::hint::black_box((&empty[..], &empty[..])));
                std::hint::black_box(r.ok());
            }
            t.elapsed().as_secs_f64() * 1e9 / f64::from(calls)
        })
        .fold(f64::INFINITY, f64::min);
    println!("typed call of dot over empty slices: {best:.1} ns");
}
