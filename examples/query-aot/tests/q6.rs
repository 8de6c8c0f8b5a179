//! The ahead-of-time Q6 gives DuckDB's answer (examples/query/expected/q6.csv, over the
//! same generated rows at scale factor 0.01), and its program links no LLVM.

#[test]
fn q6_matches_duckdb() {
    let lineitem = msp_query_aot::Lineitem::generate(0.01);
    let (revenue, rows) = msp_query_aot::q6(&lineitem).expect("runs");
    assert!(rows > 0);
    let expected = include_str!("../../query/expected/q6.csv");
    let got = format!("revenue\n{}\n", msp_query_aot::decimal(revenue, 4));
    assert_eq!(got, expected);
}

#[test]
fn a_short_out_buffer_is_a_status_not_a_fault() {
    // The generator's protocol: -1 when `out` cannot take the result row.
    let t = msp_query_aot::Lineitem::generate(0.001);
    let mut out = [0i64; 1];
    let status = msp_query_aot::q6_revenue(
        &t.l_shipdate,
        &t.l_discount,
        &t.l_quantity,
        &t.l_extendedprice,
        &mut out,
    )
    .expect("no fault");
    assert_eq!(status, -1);
}

#[test]
fn the_program_links_no_llvm() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tree = std::process::Command::new(cargo)
        .args([
            "tree",
            "-e",
            "normal,no-proc-macro",
            "--offline",
            "-p",
            "msp-query-aot",
        ])
        .current_dir(manifest)
        .output()
        .expect("cargo tree");
    assert!(
        tree.status.success(),
        "{}",
        String::from_utf8_lossy(&tree.stderr)
    );
    let text = String::from_utf8_lossy(&tree.stdout);
    assert!(text.contains("msp-rt"), "{text}");
    for banned in ["inkwell", "llvm-sys", "msp-core"] {
        assert!(!text.contains(banned), "{banned} in the tree:\n{text}");
    }
}
