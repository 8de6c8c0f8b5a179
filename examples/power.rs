//! Staging with a value known only at run time: `cargo run --example power -- 13 2`
//! compiles `x ** 13` as square-and-multiply for the exponent given on the command line,
//! shows the staged kernel and the optimized IR, and calls it.
use msp::Compiler;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: i64 = args.next().as_deref().unwrap_or("13").parse()?;
    let x: i64 = args.next().as_deref().unwrap_or("2").parse()?;

    let mut compiler = Compiler::new();
    compiler.define("n", n).dump_ir(true);
    let staged = compiler.stage_source("power.py", include_str!("power.py"))?;
    println!(
        "# staged with n = {n}:\n{}",
        msp::core::unparse::unparse_module(&staged.staged)
    );

    let module = compiler.jit_source("power.py", include_str!("power.py"))?;
    let pow_n = module.kernel::<(i64,), i64>("pow_n")?;
    let pow_f = module.kernel::<(f64,), f64>("pow_n_float")?;
    println!("pow_n({x}) = {}", pow_n.call((x,))?);
    println!("pow_n_float(1.5) = {}", pow_f.call((1.5,))?);

    let ir = module.report().ir_optimized.as_deref().unwrap_or("");
    let muls = ir
        .lines()
        .skip_while(|l| !l.contains("@msp.pow_n("))
        .take_while(|l| *l != "}")
        .filter(|l| l.contains(" mul "))
        .count();
    println!("multiplications left in pow_n after O3: {muls}");
    eprintln!("compile: {}", module.report().times);
    Ok(())
}
