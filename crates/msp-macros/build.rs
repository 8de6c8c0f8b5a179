//! Records the triple this proc macro is compiled for. A proc macro is built for the
//! machine that runs rustc, and it cannot see the triple of the crate it expands in, so
//! `msp!` emits code for this one (and the expansion refuses to build for another).
fn main() {
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    println!("cargo:rustc-env=MSP_MACROS_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
