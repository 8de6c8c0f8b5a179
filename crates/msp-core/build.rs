//! Compiles `src/jit/native.cpp` (the JIT's reusable code generation pipeline and object
//! loader, which LLVM's C API does not offer) against the LLVM that llvm-sys links.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=src/jit/native.cpp");
    println!("cargo:rerun-if-env-changed=LLVM_SYS_191_PREFIX");
    let prefix = std::env::var("LLVM_SYS_191_PREFIX").unwrap_or_else(|_| "/usr/lib/llvm-19".into());
    let config = format!("{prefix}/bin/llvm-config");
    let query = |arg: &str| -> String {
        let out = Command::new(&config)
            .arg(arg)
            .output()
            .unwrap_or_else(|e| panic!("msp-core needs LLVM 19's {config}: {e}"));
        assert!(out.status.success(), "{config} {arg} failed");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let mut build = cc::Build::new();
    build.cpp(true).file("src/jit/native.cpp").warnings(false);
    for flag in query("--cxxflags").split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-I") {
            build.include(dir);
        } else if let Some(def) = flag.strip_prefix("-D") {
            let (name, value) = def
                .split_once('=')
                .map_or((def, None), |(n, v)| (n, Some(v)));
            build.define(name, value);
        } else {
            build.flag(flag);
        }
    }
    if query("--has-rtti") != "YES" {
        // Deriving from LLVM's classes needs their type info, absent without RTTI.
        build.flag("-fno-rtti");
    }
    build.compile("msp_native");
}
