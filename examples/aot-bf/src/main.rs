//! Runs the Brainfuck program that build.rs compiled to native code.
//!
//! `cargo run -p aot-bf` prints "Hello World!". Another program:
//! `MSP_BF_PROGRAM=$PWD/prog.bf cargo run -p aot-bf`.

msp::include_kernels!("kernels");

fn main() -> Result<(), msp::Fault> {
    let mut tape = vec![0i32; 30000];
    run(&mut tape[..])?;
    // The generated kernels are checked: a bad index is an error naming the line.
    if let Err(fault) = cell(&tape[..], 30000) {
        eprintln!("(as expected) {fault}");
    }
    Ok(())
}
