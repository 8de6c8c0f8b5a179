//! The msp-build path end to end: the Rust binary built with the kernels, and a C program
//! linked against the C libraries of the same kernels through the generated headers.

use std::path::Path;
use std::process::Command;

/// What both programs print for the parallel kernels of `kernels/par.py`, with any number
/// of threads: the integer results are the serial loop's; the float sum's bits are those
/// of the chunked order (40 iterations a chunk, chunks in order), which differ from the
/// serial loop's (`3ffa513d881ef17a`) in the last bits.
const PAR: &str = "par: psum 199960004 psquares 3ffa513d881ef15d pscale 199980000 ptable 35348986 pgather 4995000";

/// The line of `out` that starts with `prefix`.
fn line<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{out}"))
}

#[test]
fn rust_binary_prints_hello() {
    for threads in ["1", "3"] {
        let out = Command::new(env!("CARGO_BIN_EXE_aot-bf"))
            .env("MSP_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello World!\n");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("kernel `cell` stopped at kernels/bf.py:51:17"),
            "{err}"
        );
        assert_eq!(line(&err, "par: "), PAR, "MSP_NUM_THREADS={threads}");
        assert_eq!(
            line(&err, "par fault: "),
            "par fault: kernel `pgather` stopped at kernels/par.py:39:16: index 5000 is out of range for axis 0 of extent 1000",
            "MSP_NUM_THREADS={threads}"
        );
    }
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
        .arg(out_dir.join("msp/libkernels_c.a"))
        .arg(out_dir.join("msp/libpar_c.a"))
        .arg("-fopenmp")
        .arg("-lm")
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(status.success(), "{cc} failed");
    let run = |threads: &str| {
        let out = Command::new(&exe)
            .env("MSP_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success(), "MSP_NUM_THREADS={threads}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let stdout = run("1");
    // The same output, parallel kernels included, on one thread and on three.
    assert_eq!(run("3"), stdout);
    assert_eq!(line(&stdout, "par: "), PAR);
    assert_eq!(
        line(&stdout, "par fault: "),
        "par fault: kernel `pgather` stopped at kernels/par.py:39:16: index out of range for axis 0 (the record holds the index and the extent) (value 5000, extent 1000)"
    );
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
