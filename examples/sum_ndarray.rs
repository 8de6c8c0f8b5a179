//! Sums a 3×3 array passed as a nested Rust array; `cargo run --example sum_ndarray`.
use msp::Compiler;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let module = Compiler::new().jit_source("sum_ndarray.py", include_str!("sum_ndarray.py"))?;
    let sum = module.kernel::<(&[[i32; 3]; 3],), i32>("sum_ndarray")?;
    let grid = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
    println!("sum_ndarray({grid:?}) = {}", sum.call((&grid,))?);
    // A slice works too; its length is checked against the kernel's 3×3.
    let flat: Vec<i32> = (1..=9).collect();
    let sum_flat = module.kernel::<(&[i32],), i32>("sum_ndarray")?;
    println!("sum_ndarray(1..=9) = {}", sum_flat.call((&flat[..],))?);
    println!(
        "with 8 elements: {}",
        sum_flat.call((&flat[..8],)).unwrap_err()
    );
    eprintln!("compile: {}", module.report().times);
    Ok(())
}
