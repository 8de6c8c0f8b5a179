//! The staged power function compiled ahead of time by `msp!` while rustc builds this
//! example (no build script, no LLVM at run time): `cargo run --example power_aot`.
//! (`examples/power.rs` does the same just in time, with the exponent read at run time.)
//!
//! The generator `power(n, x)` runs at stage 0 and unrolls `x ** n` into `n`
//! multiplications; each `@compile` kernel becomes a Rust function in this module.

msp::msp!(
    r#"
def power(n, x):
    if n == 0:
        return q("1")
    return q("splice(power(n - 1, x)) * splice(x)")

@compile
def power10(x: int) -> int:
    return splice(power(10, q("x")))

@compile
def cube(y: int) -> int:
    return splice(power(3, q("y")))

# The same generator at another type: the quote's code is typed where it lands.
@compile
def power5f(x: f64) -> f64:
    return splice(power(5, q("x")))
"#
);

fn main() -> Result<(), msp::CallError> {
    for x in [2, 3] {
        println!("power10({x}) = {}", power10(x)?);
    }
    println!("cube(-4) = {}", cube(-4)?);
    println!("power5f(1.5) = {}", power5f(1.5)?);
    assert_eq!(power10(2)?, 1024);
    assert_eq!(cube(-4)?, -64);
    Ok(())
}
