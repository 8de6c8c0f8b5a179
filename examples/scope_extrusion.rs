//! Scope extrusion: a code value built inside one generator escapes through a global and
//! is spliced into a later kernel; `cargo run --example scope_extrusion`.
use msp::Compiler;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let source = include_str!("scope_extrusion.py");
    let staged = Compiler::new().stage_source("scope_extrusion.py", source)?;
    println!("{}", msp::core::unparse::unparse_module(&staged.staged));
    let module = Compiler::new().jit_source("scope_extrusion.py", source)?;
    let f = module.kernel::<(i32,), i32>("f")?;
    let g = module.kernel::<(i32,), i32>("g")?;
    println!("f(5) = {}  (the generator's own result)", f.call((5,))?);
    println!(
        "g(5) = {}  ((x + 1) * 10, with the escaped quote)",
        g.call((5,))?
    );
    Ok(())
}
