//! JIT-compiles `examples/add3.py` and calls it; `cargo run --example add3`.
use msp::Compiler;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut compiler = Compiler::new();
    compiler.dump_ir(true);
    let module = compiler.jit_source("add3.py", include_str!("add3.py"))?;
    let add3 = module.kernel::<(i32,), i32>("add3")?;
    for n in [0, 39, -10] {
        println!("add3({n}) = {}", add3.call((n,))?);
    }
    // The optimizer turns the three additions into one.
    let ir = module.report().ir_optimized.as_deref().unwrap_or("");
    let body: Vec<&str> = ir
        .lines()
        .skip_while(|l| !l.starts_with("define") || !l.contains("@msp.add3("))
        .take_while(|l| *l != "}")
        .collect();
    println!("optimized IR:\n{}\n}}", body.join("\n"));
    eprintln!("compile: {}", module.report().times);
    Ok(())
}
