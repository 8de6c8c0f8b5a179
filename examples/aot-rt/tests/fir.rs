//! The FIR filter over signals of several lengths, the binary over a file, and the
//! dependency tree of a crate that uses `msp` without the JIT.

#[test]
fn filters_any_length() {
    assert_eq!(aot_rt::filter(&[]).unwrap(), Vec::<f64>::new());
    assert_eq!(aot_rt::filter(&[1.0, 2.0]).unwrap(), Vec::<f64>::new());
    assert_eq!(aot_rt::filter(&[4.0, 8.0, 4.0]).unwrap(), vec![6.0]);
    let signal: Vec<f64> = (0..10_000).map(|i| f64::from(i % 7)).collect();
    let got = aot_rt::filter(&signal).unwrap();
    assert_eq!(got.len(), signal.len() - 2);
    for (i, y) in got.iter().enumerate() {
        let want = 0.25 * signal[i] + 0.5 * signal[i + 1] + 0.25 * signal[i + 2];
        assert_eq!(*y, want, "at {i}");
    }
}

#[test]
fn binary_reads_a_file_of_unknown_length() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aot-rt"))
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/data/signal.txt"))
        .output()
        .expect("run the binary");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, ["2", "3", "4", "5", "6", "7"]);
}

#[test]
fn links_no_llvm() {
    // What the program links, proc macros aside: the runtime, not the compiler.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal,no-proc-macro",
            "-p",
            "aot-rt",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).expect("utf-8");
    assert!(tree.contains("msp-rt"), "{tree}");
    for banned in ["inkwell", "llvm-sys", "msp-core"] {
        assert!(!tree.contains(banned), "{banned} in the tree:\n{tree}");
    }
}
