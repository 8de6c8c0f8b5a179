//! The flagship demo: a Brainfuck compiler written as an msp generator.
//!
//! `cargo run --release --example bf -- FILE.b` reads the program, stages it into a
//! kernel (stage 0 runs `examples/bf/bf.py`), JIT-compiles it with LLVM and runs it.
//! Compile and run times go to stderr.
use std::time::Instant;

use msp::Compiler;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/bf/hello.b".into());
    let program = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;

    let t = Instant::now();
    let module = Compiler::new()
        .define("program", program.as_str())
        .jit_source("examples/bf/bf.py", include_str!("bf/bf.py"))?;
    let compile = t.elapsed();
    let run = module.kernel::<(&mut [u8],), ()>("run")?;

    let mut tape = vec![0u8; 30000];
    let t = Instant::now();
    let result = run.call((&mut tape,));
    let elapsed = t.elapsed();
    flush_c_stdout();
    result?;

    let ops = program.chars().filter(|c| "+-<>[].,".contains(*c)).count();
    eprintln!("\n{path}: {ops} Brainfuck commands");
    eprintln!(
        "compile: {:.2} ms ({})",
        compile.as_secs_f64() * 1e3,
        module.report().times
    );
    eprintln!("run:     {:.2} ms", elapsed.as_secs_f64() * 1e3);
    Ok(())
}

/// The kernel prints through C's `putchar`; flush C's buffer before Rust writes more.
fn flush_c_stdout() {
    unsafe extern "C" {
        fn fflush(stream: *mut std::ffi::c_void) -> i32;
    }
    // SAFETY: fflush(NULL) flushes all C output streams and touches no Rust state.
    unsafe { fflush(std::ptr::null_mut()) };
}
