//! `cargo run --release -p msp-query-aot -- [--sf X] [--repeat N]`: TPC-H Q6 over
//! lineitem at scale factor X (default 0.1), generated in memory, with the kernel
//! msp-build compiled at build time. Prints the result as CSV (as `query` in
//! examples/query does) and, on stderr, the generate time and the fastest of N runs.
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut sf = 0.1;
    let mut repeat = 1u32;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next();
        match (flag.as_str(), value.as_deref().map(str::parse::<f64>)) {
            ("--sf", Some(Ok(v))) if v > 0.0 => sf = v,
            ("--repeat", Some(Ok(v))) if v >= 1.0 && v.fract() == 0.0 => repeat = v as u32,
            _ => {
                eprintln!("usage: msp-query-aot [--sf X] [--repeat N]");
                return ExitCode::FAILURE;
            }
        }
    }
    let t0 = Instant::now();
    let lineitem = msp_query_aot::Lineitem::generate(sf);
    let generated = t0.elapsed();
    let mut best = std::time::Duration::MAX;
    let mut result = Err(String::new());
    for _ in 0..repeat {
        let t0 = Instant::now();
        result = msp_query_aot::q6(&lineitem);
        best = best.min(t0.elapsed());
    }
    match result {
        Ok((revenue, _rows)) => {
            println!("revenue\n{}", msp_query_aot::decimal(revenue, 4));
            eprintln!("generate: {:.2} ms", generated.as_secs_f64() * 1e3);
            eprintln!("run:      {:.2} ms", best.as_secs_f64() * 1e3);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
