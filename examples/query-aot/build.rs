//! Compiles TPC-H Q6 ahead of time with the query compiler's own generator: the plan
//! (`kernels/q6_plan.py`), the generator library of examples/query (`query.py`, not a
//! copy) and the kernel's signature (`kernels/q6_kernel.py`) become one module in
//! `$OUT_DIR`, which msp-build stages, checks and compiles into the library `q6`.
use std::path::PathBuf;

fn main() {
    let parts = [
        "kernels/q6_plan.py",
        "../query/query.py",
        "kernels/q6_kernel.py",
    ];
    let mut module = String::new();
    for part in parts {
        println!("cargo:rerun-if-changed={part}");
        let text =
            std::fs::read_to_string(part).unwrap_or_else(|e| panic!("cannot read {part}: {e}"));
        module.push_str(&text);
        module.push('\n');
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("q6.py");
    // Rewritten only when it changes, so msp-build's outputs stay fresh for cargo.
    if std::fs::read_to_string(&out).ok().as_deref() != Some(module.as_str()) {
        std::fs::write(&out, &module).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    }
    msp_build::Build::new().file(&out).compile("q6");
}
