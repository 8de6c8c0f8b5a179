//! The hostile-input sweep through the macro's expansion (the CLI's is
//! `crates/msp-cli/tests/hostile.rs`): every file of `tests/hostile`, and extents at and
//! around powers of two, must expand to code or to a `compile_error!` with a message —
//! never a panic (which the macro would report as a bug in msp) and never generated
//! Rust that does not parse.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use crate::args::Args;
use crate::expand::{CallSite, expand};

/// The expansion of `msp!(<args>)`: `Ok(true)` for code, `Ok(false)` for a
/// `compile_error!`, `Err` for what must not happen.
fn expand_text(args: &str) -> Result<(bool, String), String> {
    let args: Args = syn::parse_str(args).map_err(|e| format!("arguments: {e}"))?;
    let site = CallSite {
        file: "sweep.rs".into(),
        line: 1,
        lines_match: true,
    };
    match catch_unwind(AssertUnwindSafe(|| expand(&args, &site))) {
        Err(_) => Err("the expansion panicked".into()),
        // The code itself is long and says little here.
        Ok(Ok(tokens)) => Ok((true, tokens.to_string().chars().take(200).collect())),
        Ok(Err(e)) => {
            let msg = e.to_string();
            if msg.trim().is_empty() {
                Err("a compile_error! without a message".into())
            } else if msg.contains("bug in msp") {
                Err(msg)
            } else {
                Ok((false, msg))
            }
        }
    }
}

fn hostile_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/hostile exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn hostile_files_expand_to_code_or_compile_errors() {
    let paths = hostile_files();
    assert!(paths.len() >= 40, "the hostile corpus is missing files");
    // Two at a time: a few stop only at stage 0's step budget, slow in a debug build.
    let mut failures = Vec::new();
    for pair in paths.chunks(2) {
        let results: Vec<Option<String>> = std::thread::scope(|s| {
            let hs: Vec<_> = pair
                .iter()
                .map(|p| {
                    s.spawn(move || {
                        // Both forms of source: the file, and its text inline (where the
                        // text is a string at all).
                        let mut bad = Vec::new();
                        let file = format!("file = {:?}", p.display().to_string());
                        if let Err(why) = expand_text(&file) {
                            bad.push(format!("file: {why}"));
                        }
                        if let Ok(text) = std::fs::read_to_string(p)
                            && text.len() < 1 << 20
                            && let Err(why) = expand_text(&format!("{text:?}"))
                        {
                            bad.push(format!("inline: {why}"));
                        }
                        (!bad.is_empty()).then(|| format!("{}: {}", p.display(), bad.join("; ")))
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        failures.extend(results.into_iter().flatten());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// As the CLI's `extents_at_power_of_two_boundaries`: local arrays up to the 1 MiB
/// limit and parameters up to 2^40 bytes compile; beyond, a diagnostic says the limit.
#[test]
fn extents_at_power_of_two_boundaries_expand_or_say_the_limit() {
    let mut sizes: Vec<u64> = Vec::new();
    for k in [0u32, 1, 8, 16, 19, 20, 21, 31, 32, 33, 40, 41, 62, 63] {
        let p = 1u64 << k;
        sizes.extend([p.saturating_sub(1).max(1), p, p + 1]);
    }
    sizes.sort_unstable();
    sizes.dedup();
    let mut failures = Vec::new();
    for &n in &sizes {
        let last = n - 1;
        let local = format!(
            "\"@compile\\ndef f() -> u64:\\n    x: U8[{n}]\\n    x[{last}] = 4\\n    return u64(x[-1])\\n\""
        );
        match expand_text(&local) {
            Err(why) => failures.push(format!("local U8[{n}]: {why}")),
            Ok((compiled, msg)) => {
                let limit = msg.contains("(1 MiB) of local arrays per kernel")
                    || msg.contains("is too large (limit");
                if compiled != (n <= 1 << 20) || (!compiled && !limit) {
                    failures.push(format!("local U8[{n}]: compiled {compiled}: {msg}"));
                }
            }
        }
        let param = format!(
            "\"@compile\\ndef g(a: U8[{n}]) -> u8:\\n    return a[{last}]\\n\\n@compile\\ndef h(a: U8[:]) -> u8:\\n    return a[{last}]\\n\""
        );
        match expand_text(&param) {
            Err(why) => failures.push(format!("parameter U8[{n}]: {why}")),
            Ok((compiled, msg)) if compiled != (n <= 1 << 40) => {
                failures.push(format!("parameter U8[{n}]: compiled {compiled}: {msg}"));
            }
            Ok(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
