//! The C peers: the same transpose loop as the msp kernel, a plain `memcpy` of the same
//! bytes, and the loops of the run-time-extent kernels (dot, saxpy, a transpose) with `n`
//! an argument, compiled with `gcc -O3 -march=native` (the brief's reference compiler);
//! and the parallel-loop peers (`c/par.c`), with `-fopenmp` and `-ffp-contract=off` (see
//! the file), linked against libgomp.
fn main() {
    println!("cargo:rerun-if-changed=c/peers.c");
    println!("cargo:rerun-if-changed=c/par.c");
    cc::Build::new()
        .file("c/peers.c")
        .opt_level(3)
        .flag("-march=native")
        .flag_if_supported("-fno-strict-aliasing")
        .compile("msp_bench_peers");
    cc::Build::new()
        .file("c/par.c")
        .opt_level(3)
        .flag("-march=native")
        .flag("-fopenmp")
        .flag("-ffp-contract=off")
        .compile("msp_bench_par");
    println!("cargo:rustc-link-lib=gomp");
}
