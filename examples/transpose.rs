//! Transpose of an `n`×`n` float matrix, compiled ahead of time by `msp!` from
//! `examples/transpose.py` with `n` defined at the call: `cargo run --release --example transpose`.

use std::time::Instant;

const N: usize = 512;

msp::msp!(file = "examples/transpose.py", define(n = 512));

fn transpose_rust(src: &[[f32; N]; N], dst: &mut [[f32; N]; N]) {
    for i in 0..N {
        for j in 0..N {
            dst[j][i] = src[i][j];
        }
    }
}

fn main() -> Result<(), msp::CallError> {
    let mut src = vec![[0.0f32; N]; N];
    for (i, row) in src.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = (i * N + j) as f32;
        }
    }
    let src: Box<[[f32; N]; N]> = src.into_boxed_slice().try_into().expect("N rows");
    let mut dst: Box<[[f32; N]; N]> = vec![[0.0f32; N]; N]
        .into_boxed_slice()
        .try_into()
        .expect("N rows");
    let mut expect: Box<[[f32; N]; N]> = vec![[0.0f32; N]; N]
        .into_boxed_slice()
        .try_into()
        .expect("N rows");

    transpose(&*src, &mut *dst)?;
    transpose_rust(&src, &mut expect);
    assert!(dst == expect, "msp and Rust disagree");
    dst.iter_mut().for_each(|r| r.fill(0.0));
    // SAFETY: the kernel's counters stay below n = 512, the extent of both arrays.
    unsafe { transpose_unchecked(&*src, &mut *dst)? };
    assert!(dst == expect, "unchecked kernel disagrees");

    let reps = 50;
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        t.elapsed().as_secs_f64() * 1e3 / f64::from(reps)
    };
    let checked = time(&mut || transpose(&*src, &mut *dst).expect("no fault"));
    // SAFETY: as above.
    let unchecked =
        time(&mut || unsafe { transpose_unchecked(&*src, &mut *dst) }.expect("no fault"));
    let rust = time(&mut || transpose_rust(&src, &mut expect));
    println!(
        "transpose {N}x{N}: msp checked {checked:.3} ms, msp unchecked {unchecked:.3} ms, Rust {rust:.3} ms"
    );
    Ok(())
}
