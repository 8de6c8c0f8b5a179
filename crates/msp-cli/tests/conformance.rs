//! Runs the conformance cases (`../shared/conformance`, and the project's own under
//! `tests/conformance`) against the `msp` binary, one test per `RUN:` line.
//!
//! Case format: see `../shared/conformance/README.md`; a case may also say `# THREADS: 1 2 7`
//! (every call runs once per thread count, `msp run --threads N`, with the same
//! expectations) and `# XFAIL: why`
//! (it reproduces a known bug and must fail until that is fixed). Set `MSP_CONFORMANCE` to a list of
//! directories (separated by `:`) to run others.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use libtest_mimic::{Arguments, Failed, Trial};

#[derive(Clone, Debug, Default)]
struct Run {
    call: Option<String>,
    stdout: Vec<String>,
    result: Option<String>,
    args_after: Vec<String>,
    error_at: Option<u32>,
    error_has: Vec<String>,
    /// `--threads` for the call (from `# THREADS:`); `None`: the default.
    threads: Option<u32>,
}

/// The directives a case may use; any other `# KEY:` line in the header is a typo.
const DIRECTIVES: &[&str] = &[
    "DEFINE",
    "RUN",
    "STDOUT",
    "RESULT",
    "ARGS-AFTER",
    "ERROR-AT",
    "ERROR-HAS",
    "THREADS",
    "XFAIL",
];

/// A case's defines and runs, or what is wrong with its header: a case that would run
/// nothing, or whose expectations would be dropped, must fail, not pass unseen.
fn parse_case(text: &str) -> Result<(Vec<String>, Vec<Run>), String> {
    let mut defines = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let mut problems = Vec::new();
    // `# THREADS: 1 2 7`: every call runs once per thread count, with the same
    // expectations (parallel loops give the same results on any number of threads).
    let mut threads: Vec<u32> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix('#') else {
            if line.trim().is_empty() {
                continue;
            }
            break; // expectations live in the leading comment block
        };
        let rest = rest.trim_start();
        let Some((key, value)) = rest.split_once(':') else {
            continue;
        };
        if !key.chars().all(|c| c.is_ascii_uppercase() || c == '-') || key.is_empty() {
            continue;
        }
        let value = value.strip_prefix(' ').unwrap_or(value);
        let cur = |runs: &mut Vec<Run>| {
            if runs.is_empty() {
                runs.push(Run::default()); // expectations before any RUN: a compile-only check
            }
            runs.len() - 1
        };
        match key {
            "DEFINE" => defines.push(value.trim().to_string()),
            "RUN" => runs.push(Run {
                call: Some(value.trim().to_string()),
                ..Run::default()
            }),
            "STDOUT" => {
                let i = cur(&mut runs);
                runs[i].stdout.push(value.to_string());
            }
            "RESULT" => {
                let i = cur(&mut runs);
                runs[i].result = Some(value.trim().to_string());
            }
            "ARGS-AFTER" => {
                let i = cur(&mut runs);
                runs[i].args_after.push(value.trim().to_string());
            }
            "ERROR-AT" => {
                let i = cur(&mut runs);
                match value.trim().parse() {
                    Ok(at) => runs[i].error_at = Some(at),
                    Err(_) => problems.push(format!(
                        "line {}: `# ERROR-AT: {}` is not a line number",
                        n + 1,
                        value.trim()
                    )),
                }
            }
            "ERROR-HAS" => {
                let i = cur(&mut runs);
                runs[i].error_has.push(value.trim().to_string());
            }
            "THREADS" => {
                for t in value.split_whitespace() {
                    match t.parse() {
                        Ok(n) if n > 0 => threads.push(n),
                        _ => problems.push(format!(
                            "line {}: `# THREADS: {}` is not a list of thread counts",
                            n + 1,
                            value.trim()
                        )),
                    }
                }
            }
            "XFAIL" => {}
            _ => problems.push(format!(
                "line {}: unknown directive `# {key}:` (known: {})",
                n + 1,
                DIRECTIVES.join(", ")
            )),
        }
    }
    if runs.is_empty() && problems.is_empty() {
        problems.push(
            "no `# RUN:`, `# ERROR-AT:` or `# ERROR-HAS:` line in the leading comment block: the case would test nothing".into(),
        );
    }
    if !threads.is_empty() {
        runs = runs
            .into_iter()
            .flat_map(|r| match r.call {
                Some(_) => threads
                    .iter()
                    .map(|&t| Run {
                        threads: Some(t),
                        ..r.clone()
                    })
                    .collect(),
                None => vec![r],
            })
            .collect();
    }
    if problems.is_empty() {
        Ok((defines, runs))
    } else {
        Err(problems.join("; "))
    }
}

/// Reads and parses one case file; an unreadable file is a problem, not an empty case.
fn load_case(path: &Path) -> Result<(String, Vec<String>, Vec<Run>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    let (defines, runs) = parse_case(&text)?;
    Ok((text, defines, runs))
}

fn check_run(path: &Path, defines: &[String], run: &Run) -> Result<(), Failed> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_msp"));
    match &run.call {
        Some(call) => cmd.arg("run").arg(path).arg("--call").arg(call),
        None => cmd.arg("check").arg(path),
    };
    for d in defines {
        cmd.arg("--define").arg(d);
    }
    if let Some(t) = run.threads {
        cmd.arg("--threads").arg(t.to_string());
    }
    if !run.args_after.is_empty() {
        cmd.arg("--print-args");
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run msp: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code().is_none() {
        return Err(format!("msp was killed by a signal\nstderr: {stderr}").into());
    }
    let base = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    if run.error_at.is_some() || !run.error_has.is_empty() {
        let all = format!("{stdout}{stderr}");
        let mut why = Vec::new();
        if out.status.success() {
            why.push("expected an error, got exit 0".to_string());
        }
        if let Some(line) = run.error_at
            && !all.contains(&format!("{base}:{line}"))
        {
            why.push(format!("the error does not name {base}:{line}"));
        }
        for h in &run.error_has {
            if !all.to_lowercase().contains(&h.to_lowercase()) {
                why.push(format!("the error lacks `{h}`"));
            }
        }
        return if why.is_empty() {
            Ok(())
        } else {
            Err(format!("{}\n--- output ---\n{all}", why.join("; ")).into())
        };
    }
    let mut want = String::new();
    for s in &run.stdout {
        want.push_str(s);
        want.push('\n');
    }
    if let Some(r) = &run.result {
        want.push_str(r);
        want.push('\n');
    }
    for a in &run.args_after {
        want.push_str(a);
        want.push('\n');
    }
    if !out.status.success() || stdout != want {
        return Err(format!(
            "exit {:?}\nwant: {want:?}\ngot:  {stdout:?}\nstderr: {stderr}",
            out.status.code()
        )
        .into());
    }
    Ok(())
}

/// The `.py` files under `dir`; a directory that cannot be listed is an error.
fn case_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for e in entries {
        let p = e
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if p.is_dir() {
            case_files(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
    Ok(())
}

/// The harness's own checks: a case that tests nothing, an expectation it cannot read
/// and an unreadable file each fail by name.
fn self_tests() -> Vec<Trial> {
    let expect_err = |what: &'static str, text: &'static str, needle: &'static str| {
        Trial::test(format!("harness: {what}"), move || match parse_case(text) {
            Ok(_) => Err(format!("{what}: accepted").into()),
            Err(e) if e.contains(needle) => Ok(()),
            Err(e) => Err(format!("{what}: {e}").into()),
        })
    };
    vec![
        expect_err(
            "a case without RUN or ERROR fails",
            "# A note.\n\n@compile\ndef f() -> int:\n    return 1\n",
            "no `# RUN:`",
        ),
        expect_err(
            "a case with only defines fails",
            "# DEFINE: n=3\nx = 1\n",
            "no `# RUN:`",
        ),
        expect_err(
            "an unparsable ERROR-AT fails",
            "# ERROR-AT: seven\n# ERROR-HAS: x\n",
            "`# ERROR-AT: seven` is not a line number",
        ),
        expect_err(
            "an unknown directive fails",
            "# RUN: f()\n# RESLUT: 1\n",
            "unknown directive `# RESLUT:`",
        ),
        expect_err(
            "a bad THREADS list fails",
            "# THREADS: 1 two\n# RUN: f()\n# RESULT: 1\n",
            "is not a list of thread counts",
        ),
        Trial::test(
            "harness: THREADS repeats every call per thread count",
            || {
                let (_, runs) = parse_case(
                    "# THREADS: 1 2 7\n# RUN: f(1)\n# RESULT: 2\n# RUN: g()\n# RESULT: 3\n",
                )?;
                let got: Vec<_> = runs
                    .iter()
                    .map(|r| (r.call.clone(), r.threads, r.result.clone()))
                    .collect();
                if runs.len() == 6
                    && got[2] == (Some("f(1)".into()), Some(7), Some("2".into()))
                    && got[3].1 == Some(1)
                {
                    Ok(())
                } else {
                    Err(format!("{got:?}").into())
                }
            },
        ),
        Trial::test("harness: a well-formed case parses", || {
            let (defines, runs) = parse_case(
                "# DEFINE: n=3\n# RUN: f(1)\n# RESULT: 2\n# RUN: f(2)\n# ERROR-AT: 9\n",
            )?;
            if defines.len() == 1 && runs.len() == 2 && runs[1].error_at == Some(9) {
                Ok(())
            } else {
                Err(format!("{defines:?} {runs:?}").into())
            }
        }),
        Trial::test("harness: an unreadable case file fails", || {
            let dir = std::env::temp_dir().join(format!("msp-conformance-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let bad = dir.join("latin1.py");
            std::fs::write(&bad, b"# RUN: f()\n# RESULT: '\xe9'\n").map_err(|e| e.to_string())?;
            let r = load_case(&bad);
            let _ = std::fs::remove_dir_all(&dir);
            match r {
                Err(e) if e.contains("cannot read") => Ok(()),
                other => Err(format!("{other:?}").into()),
            }
        }),
    ]
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // `../shared` sits beside the repository in the project's checkout and in CI, not
    // in a plain clone: there its cases are skipped (loudly), except under `CI=true`.
    let shared = root.join("../shared/conformance");
    let dirs: Vec<PathBuf> = match std::env::var("MSP_CONFORMANCE") {
        Ok(v) => v.split(':').map(PathBuf::from).collect(),
        Err(_) => vec![
            shared.clone(),
            root.join("tests/conformance"),
            root.join("tests/difftest-regressions"),
        ],
    };
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut trials = self_tests();
    for dir in &dirs {
        if !dir.is_dir() && *dir == shared && !ci {
            let d = dir.display().to_string();
            eprintln!(
                "conformance: {d} is missing (no ../shared beside the repository); skipping its cases (with CI=true this fails)"
            );
            trials.push(
                Trial::test(
                    format!("conformance directory {d} (missing, skipped)"),
                    || Ok(()),
                )
                .with_ignored_flag(true),
            );
            continue;
        }
        if !dir.is_dir() {
            // A missing suite must fail loudly, not pass by running nothing.
            let d = dir.display().to_string();
            trials.push(Trial::test(
                format!("conformance directory {d}"),
                move || Err(format!("{d} is missing").into()),
            ));
            continue;
        }
        let mut files = Vec::new();
        if let Err(e) = case_files(dir, &mut files) {
            let d = dir.display().to_string();
            trials.push(Trial::test(
                format!("conformance directory {d}"),
                move || Err(e.into()),
            ));
            continue;
        }
        files.sort();
        for f in files {
            let rel = f.strip_prefix(dir).unwrap_or(&f).display().to_string();
            let (text, defines, runs) = match load_case(&f) {
                Ok(case) => case,
                Err(why) => {
                    let shown = f.display().to_string();
                    trials.push(Trial::test(format!("{rel} [header]"), move || {
                        Err(format!("{shown}: {why}").into())
                    }));
                    continue;
                }
            };
            for (i, run) in runs.into_iter().enumerate() {
                let threads = run
                    .threads
                    .map_or(String::new(), |t| format!(" threads={t}"));
                let name = format!(
                    "{rel} [{}]{threads} #{i}",
                    run.call.clone().unwrap_or_else(|| "check".into())
                );
                let (f, defines) = (f.clone(), defines.clone());
                // `# XFAIL: why` marks a case that reproduces a known, reported bug: it
                // must fail until the bug is fixed, then the line must go.
                let xfail = text
                    .lines()
                    .take_while(|l| l.starts_with('#') || l.trim().is_empty())
                    .any(|l| l.starts_with("# XFAIL:"));
                trials.push(Trial::test(name, move || match (check_run(&f, &defines, &run), xfail) {
                    (Ok(()), true) => Err("XPASS: the bug this case reproduces is fixed; remove its `# XFAIL:` line".into()),
                    (Err(_), true) => Ok(()),
                    (r, false) => r,
                }));
            }
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
