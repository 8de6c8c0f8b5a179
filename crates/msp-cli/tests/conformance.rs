//! Runs the conformance cases (`../shared/conformance`, and the project's own under
//! `tests/conformance`) against the `msp` binary, one test per `RUN:` line.
//!
//! Case format: see `../shared/conformance/README.md`; a case may also say `# XFAIL: why`
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
}

fn parse_case(text: &str) -> (Vec<String>, Vec<Run>) {
    let mut defines = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    for line in text.lines() {
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
                runs[i].error_at = value.trim().parse().ok();
            }
            "ERROR-HAS" => {
                let i = cur(&mut runs);
                runs[i].error_has.push(value.trim().to_string());
            }
            _ => {}
        }
    }
    (defines, runs)
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

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            case_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
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
    let mut trials = Vec::new();
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
        case_files(dir, &mut files);
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            let (defines, runs) = parse_case(&text);
            let rel = f.strip_prefix(dir).unwrap_or(&f).display().to_string();
            for (i, run) in runs.into_iter().enumerate() {
                let name = format!(
                    "{rel} [{}] #{i}",
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
