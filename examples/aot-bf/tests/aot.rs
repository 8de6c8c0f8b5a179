//! The msp-build path end to end: the Rust binary built with the kernels, and a C program
//! linked against the same static library through the generated header.

use std::path::Path;
use std::process::Command;

#[test]
fn rust_binary_prints_hello() {
    let out = Command::new(env!("CARGO_BIN_EXE_aot-bf")).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello World!\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kernel `cell` stopped at kernels/bf.py:51:17"),
        "{err}"
    );
}

#[test]
fn c_program_links_the_static_library() {
    let out_dir = Path::new(env!("OUT_DIR"));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = out_dir.join("c-main");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = Command::new(&cc)
        .arg(manifest.join("c/main.c"))
        .arg("-I")
        .arg(out_dir.join("msp"))
        .arg(out_dir.join("libkernels.a"))
        .arg("-lm")
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(status.success(), "{cc} failed");
    let out = Command::new(&exe).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("Hello World!\n"), "{stdout}");
    assert!(
        stdout.contains("cell fault: kernel `cell` stopped at kernels/bf.py:51:17: index out of range for axis 0 of extent 30000 (value 30000, result 0)"),
        "{stdout}"
    );
    // 1*1 + 2*2 + 3*3 + 4*4 + 5*5
    assert!(stdout.contains("weighted: 55 (site 0)"), "{stdout}");
    assert!(
        stdout.contains("weighted fault: kernel `weighted` stopped at kernels/bf.py:59:20: index out of range for axis 0 (the record holds the index and the extent) (value 5, extent 5)"),
        "{stdout}"
    );
}
