//! The for/for transpose over `Float[:][:]` (kernels/transpose_rt.py; with `tri` as the
//! argument, the section-1 `while` loops of kernels/transpose_naive_rt.py) against the
//! same loop in C with run-time n, alternating: per N, the median of 15 per-pair ratios
//! of the fastest of 5 calls each (a quick check of a codegen change; the suite's
//! section 6 is the measurement).
//!
//! `cargo run --release -p msp-bench --example loop_probe [-- tri]`

use msp_bench::fastest;
use msp_core::jit::{Shaped, ShapedMut};

fn main() {
    let tri = std::env::args().nth(1).as_deref() == Some("tri");
    let src = if tri {
        include_str!("../kernels/transpose_naive_rt.py")
    } else {
        include_str!("../kernels/transpose_rt.py")
    };
    let m = msp_core::driver::Compiler::new()
        .jit_source("transpose.py", src)
        .unwrap_or_else(|e| panic!("{e}"));
    for n in [256usize, 512, 1024, 2048] {
        let a: Vec<f32> = (0..n * n).map(|x| x as f32).collect();
        let mut b = vec![0.0f32; n * n];
        let mut ratios: Vec<f64> = (0..15)
            .map(|_| {
                let ms = fastest(5, &mut || {
                    let s = Shaped::new(&a, [n, n]).expect("shape");
                    let mut d = ShapedMut::new(&mut b, [n, n]).expect("shape");
                    m.kernel::<(&Shaped<f32>, &mut ShapedMut<f32>), ()>("transpose")
                        .expect("transpose kernel")
                        .call((&s, &mut d))
                        .expect("no fault");
                });
                let c = fastest(5, &mut || {
                    if tri {
                        msp_bench::c_transpose_naive_rt_n(n, &a, &mut b)
                    } else {
                        msp_bench::c_transpose_rt_n(n, n, &a, &mut b)
                    }
                });
                ms.as_secs_f64() / c.as_secs_f64()
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "N = {n}: msp / C {:.3} ({:.3}-{:.3})",
            ratios[7], ratios[3], ratios[11]
        );
    }
}
