//! Runs the Brainfuck program that build.rs compiled to native code.
//!
//! `cargo run -p aot-bf` prints "Hello World!". Another program:
//! `MSP_BF_PROGRAM=$PWD/prog.bf cargo run -p aot-bf`.

msp::include_kernels!("kernels");

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

fn main() -> Result<(), msp::CallError> {
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
    Ok(())
}
