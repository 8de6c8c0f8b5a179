//! Compiles one staged file `REPS` times in one process (for `perf record`), printing the
//! median of each phase and of the thread's CPU time (which other processes' load does
//! not inflate).
//!
//! `cargo run --release -p msp-bench --example jit_probe -- FILE.py name=value...`
//! (`REPS=n` compiles, default 101; `UNCHECKED=1` leaves out the run-time checks).

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = &args[0];
    let mut c = msp_bench::compiler_with_defines(&args[1..]);
    c.unchecked(std::env::var_os("UNCHECKED").is_some());
    let text = std::fs::read_to_string(file).expect("file");
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(101);
    drop(c.jit_source(file, &text).unwrap_or_else(|e| panic!("{e}")));
    let mut total = Vec::new();
    let mut opt = Vec::new();
    let mut mc = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..reps {
        let (t, c0) = (Instant::now(), msp_bench::thread_cpu_time());
        let m = c.jit_source(file, &text).unwrap_or_else(|e| panic!("{e}"));
        total.push(t.elapsed().as_secs_f64() * 1e3);
        cpu.push((msp_bench::thread_cpu_time().saturating_sub(c0)).as_secs_f64() * 1e3);
        opt.push(m.report().times.optimize.as_secs_f64() * 1e3);
        mc.push(m.report().times.machine_code.as_secs_f64() * 1e3);
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "total {:.3} ms (CPU {:.3} ms), optimize {:.3} ms, machine code {:.3} ms",
        med(&mut total),
        med(&mut cpu),
        med(&mut opt),
        med(&mut mc)
    );
}
