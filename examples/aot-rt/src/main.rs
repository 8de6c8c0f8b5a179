//! `cargo run -p aot-rt -- FILE`: reads whitespace-separated numbers of any count from
//! FILE (or standard input), runs the build-time-staged FIR filter over them and prints
//! the filtered signal, one value per line.

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut text = String::new();
    match std::env::args().nth(1) {
        Some(path) => text = std::fs::read_to_string(path)?,
        None => {
            std::io::stdin().read_to_string(&mut text)?;
        }
    }
    let signal: Vec<f64> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    for y in aot_rt::filter(&signal)? {
        println!("{y}");
    }
    Ok(())
}
