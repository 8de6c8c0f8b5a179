//! Runs the Brainfuck program that build.rs compiled to native code.
//!
//! `cargo run -p aot-bf` prints "Hello World!". Another program:
//! `MSP_BF_PROGRAM=$PWD/prog.bf cargo run -p aot-bf`.

msp::include_kernels!("kernels");

/// The parallel kernels of `kernels/par.py` (another msp-build library); here their
/// `prange` loops run on msp-rt's rayon pool, sized by `MSP_NUM_THREADS`.
mod par {
    msp::include_kernels!("par");
}

/// The same source as the library's `aot_bf::inline`: same kernel names, same text,
/// another crate.
mod inline {
    msp::msp!(
        r#"
@compile
def cell(tape: Int[30000], i: int) -> int:
    return tape[i] + 1000

@compile
def run(tape: Int[30000]) -> None:
    tape[0] = 7
"#
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut tape = vec![0i32; 30000];
    run(&mut tape[..])?;
    // The generated kernels are checked: a bad index is an error naming the line.
    if let Err(fault) = cell(&tape[..], 30000) {
        eprintln!("(as expected) {fault}");
    }
    // Three kernels named `run` and three named `cell` in one binary, each its own.
    let mut t = vec![0i32; 30000];
    inline::run(&mut t[..])?;
    let mut u = vec![0i32; 30000];
    aot_bf::inline::run(&mut u[..])?;
    t[1] = 5;
    let cells = [
        cell(&t[..], 1)?,
        inline::cell(&t[..], 0)?,
        aot_bf::inline::cell(&u[..], 0)?,
    ];
    eprintln!("cells: {cells:?}");
    parallel()?;
    Ok(())
}

/// The parallel kernels on the inputs `c/main.c` gives them, printed as it prints them,
/// so the test can compare the two runtimes and thread counts.
fn parallel() -> Result<(), Box<dyn std::error::Error>> {
    let n = 10_000usize;
    let a: Vec<i64> = (0..n as i64).collect();
    let x: Vec<f64> = (0..n).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let mut dst = vec![0i64; n];
    par::pscale(&a, &mut dst, 3)?;
    let (rows, cols) = (37, 53);
    let mut table = vec![0i64; rows * cols];
    par::ptable(&mut msp::ShapedMut::new(&mut table, [rows, cols])?)?;
    let mut idx: Vec<i64> = (0..n as i64).map(|i| i % 1000).collect();
    let gathered = par::pgather(&a[..1000], &idx)?;
    eprintln!(
        "par: psum {} psquares {:016x} pscale {} ptable {} pgather {gathered}",
        par::psum(&a)?,
        par::psquares(&x)?.to_bits(),
        dst.iter().sum::<i64>(),
        table.iter().sum::<i64>(),
    );
    // Two bad indexes: the lower iteration's fault is the one reported.
    idx[700] = 5000;
    idx[9000] = 7000;
    if let Err(fault) = par::pgather(&a[..1000], &idx) {
        eprintln!("par fault: {fault}");
    }
    Ok(())
}
