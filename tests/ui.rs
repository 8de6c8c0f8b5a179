//! Every way `msp!` can fail becomes a `compile_error!` at the call, with the rendered
//! diagnostic (file:line:col inside the staged source, the source line, the quote chain).
//! Snapshots in `tests/ui/*.stderr`; `TRYBUILD=overwrite` rewrites them.

#[test]
fn compile_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
