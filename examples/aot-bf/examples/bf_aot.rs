//! The Brainfuck compiler ahead of time: `cargo run --example bf_aot`.
//!
//! This package's build.rs staged `programs/hello.bf` (or `MSP_BF_PROGRAM`) through
//! `kernels/bf.py` and compiled it with msp-build into a static library; the kernel
//! is an ordinary Rust function here, with no LLVM at run time.

msp::include_kernels!("kernels");

// The static library is bundled into this package's lib crate; linking that crate
// brings it along.
use aot_bf as _;

fn main() -> Result<(), msp::CallError> {
    let mut tape = vec![0i32; 30000];
    run(&mut tape[..])?;
    Ok(())
}
