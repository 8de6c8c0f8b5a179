//! The C peers: the same transpose loop as the msp kernel, a plain `memcpy` of the same
//! bytes, and the loops of the run-time-extent kernels (dot, saxpy, a transpose) with `n`
//! an argument, compiled with `gcc -O3 -march=native` (the brief's reference compiler).
fn main() {
    println!("cargo:rerun-if-changed=c/peers.c");
    cc::Build::new()
        .file("c/peers.c")
        .opt_level(3)
        .flag("-march=native")
        .flag_if_supported("-fno-strict-aliasing")
        .compile("msp_bench_peers");
}
