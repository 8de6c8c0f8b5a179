//! `goto` out of an infinite loop; `cargo run --example double_positive`.
use msp::Compiler;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let module =
        Compiler::new().jit_source("double_positive.py", include_str!("double_positive.py"))?;
    let f = module.kernel::<(i32,), i32>("double_positive_numbers")?;
    for n in [0, 5, 21] {
        println!("double_positive_numbers({n}) = {}", f.call((n,))?);
    }
    eprintln!("compile: {}", module.report().times);
    Ok(())
}
