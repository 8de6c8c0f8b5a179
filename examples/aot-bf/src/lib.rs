//! A library crate next to the binary, with its own `msp!` kernels. The binary defines
//! kernels of the same names, from the same source text, with `msp!` and through
//! msp-build: the two crates are linked together, so their symbols must stay apart.

/// Kernels compiled into this library by `msp!`.
pub mod inline {
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
