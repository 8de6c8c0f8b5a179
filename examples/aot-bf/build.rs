//! Compiles the Brainfuck program in `programs/hello.bf` (or the file named by
//! `MSP_BF_PROGRAM`) to native code: `kernels/bf.py` translates it at stage 0, one kernel
//! statement per command, and msp-build emits an object for the target and archives it.
//! A second library, `par`, holds the parallel (`prange`) kernels of `kernels/par.py`.
fn main() {
    let program =
        std::env::var("MSP_BF_PROGRAM").unwrap_or_else(|_| "programs/hello.bf".to_string());
    println!("cargo:rerun-if-env-changed=MSP_BF_PROGRAM");
    println!("cargo:rerun-if-changed={program}");
    let source =
        std::fs::read_to_string(&program).unwrap_or_else(|e| panic!("cannot read {program}: {e}"));
    msp_build::Build::new()
        .file("kernels/bf.py")
        .define("source", source)
        .compile("kernels");
    msp_build::Build::new()
        .file("kernels/par.py")
        .compile("par");
}
