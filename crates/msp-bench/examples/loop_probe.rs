//! The for/for transpose over `Float[:][:]` (kernels/transpose_rt.py; with `tri` as the
//! argument, the section-1 `while` loops of kernels/transpose_naive_rt.py) against the
//! same loop in C with run-time n and the fixed-extent twin (kernels/transpose_rect.py,
//! kernels/transpose_naive.py), alternating: per N, the median of 15 per-pair ratios of
//! the fastest of 5 calls each (a quick check of a codegen change; the suite's section
//! 6 is the measurement).
//!
//! `cargo run --release -p msp-bench --example loop_probe [-- tri]`

use msp_bench::fastest;
use msp_core::jit::{Shaped, ShapedMut};

fn main() {
    let tri = std::env::args().nth(1).as_deref() == Some("tri");
    let (src, twin) = if tri {
        (
            include_str!("../kernels/transpose_naive_rt.py"),
            include_str!("../kernels/transpose_naive.py"),
        )
    } else {
        (
            include_str!("../kernels/transpose_rt.py"),
            include_str!("../kernels/transpose_rect.py"),
        )
    };
    let m = msp_core::driver::Compiler::new()
        .jit_source("transpose.py", src)
        .unwrap_or_else(|e| panic!("{e}"));
    for n in [256usize, 512, 1024, 2048] {
        let fixed = msp_core::driver::Compiler::new()
            .define("n", n as i64)
            .jit_source("twin.py", twin)
            .unwrap_or_else(|e| panic!("{e}"));
        let a: Vec<f32> = (0..n * n).map(|x| x as f32).collect();
        let mut b = vec![0.0f32; n * n];
        let ratios: Vec<(f64, f64)> = (0..15)
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
                let f = fastest(5, &mut || {
                    fixed
                        .kernel::<(&[f32], &mut [f32]), ()>("transpose")
                        .expect("transpose kernel")
                        .call((&a, &mut b))
                        .expect("no fault");
                });
                let ms = ms.as_secs_f64();
                (ms / c.as_secs_f64(), ms / f.as_secs_f64())
            })
            .collect();
        let mut vs_c: Vec<f64> = ratios.iter().map(|r| r.0).collect();
        let mut vs_fixed: Vec<f64> = ratios.iter().map(|r| r.1).collect();
        vs_c.sort_by(f64::total_cmp);
        vs_fixed.sort_by(f64::total_cmp);
        println!(
            "N = {n}: msp / C {:.3} ({:.3}-{:.3}), msp / fixed twin {:.3} ({:.3}-{:.3})",
            vs_c[7], vs_c[3], vs_c[11], vs_fixed[7], vs_fixed[3], vs_fixed[11]
        );
    }
}
