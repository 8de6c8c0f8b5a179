//! Hostile inputs through the command line: every file in `tests/hostile` (and a few
//! generated here) must make `msp check` end within the timeout with a diagnostic or a
//! correct compile — never a signal, a hang or a panic message. Bad arguments to every
//! subcommand must give clear errors the same way.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: the test profile's binary is unoptimized, and stage-0 limits (steps,
/// memory) are tuned to stop an optimized build within a few seconds.
const TIMEOUT: Duration = Duration::from_secs(300);

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

fn msp(args: &[&str]) -> Outcome {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_msp"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("msp starts");
    // Read the pipes on threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut s).ok();
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    match status {
        None => Outcome {
            code: Some(-1),
            stdout,
            stderr: format!("TIMEOUT after {TIMEOUT:?}\n{stderr}"),
            elapsed: start.elapsed(),
        },
        Some(s) => Outcome {
            code: s.code(),
            stdout,
            stderr,
            elapsed: start.elapsed(),
        },
    }
}

/// Ended by itself, with 0 (compiled) or 1 (a diagnostic), no panic; returns why not.
fn judge(what: &str, o: &Outcome) -> Option<String> {
    let all = format!("{}{}", o.stdout, o.stderr);
    let bad = match o.code {
        None => Some("killed by a signal".to_string()),
        Some(-1) => Some("did not finish".to_string()),
        Some(0) => None,
        Some(1) if o.stderr.trim().is_empty() => Some("failed without a message".into()),
        Some(1) => None,
        Some(c) => Some(format!("exit code {c}")),
    }
    .or_else(|| {
        (all.contains("panicked") || all.contains("RUST_BACKTRACE")).then(|| "panicked".to_string())
    });
    bad.map(|why| {
        format!(
            "{what}: {why} ({:.1?})\n{}",
            o.elapsed,
            all.chars().take(2000).collect::<String>()
        )
    })
}

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile")
}

/// Runs `msp check` on each path, two at a time.
fn check_all(paths: Vec<PathBuf>) -> Vec<String> {
    let mut failures = Vec::new();
    for pair in paths.chunks(2) {
        let results: Vec<Option<String>> = std::thread::scope(|s| {
            let hs: Vec<_> = pair
                .iter()
                .map(|p| {
                    s.spawn(move || {
                        let o = msp(&["check", &p.display().to_string()]);
                        eprintln!("{}: exit {:?} in {:.1?}", p.display(), o.code, o.elapsed);
                        judge(&p.display().to_string(), &o)
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        failures.extend(results.into_iter().flatten());
    }
    failures
}

#[test]
fn hostile_files_get_diagnostics_not_crashes() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(hostile_dir())
        .expect("tests/hostile exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 40, "the hostile corpus is missing files");
    let failures = check_all(paths);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn generated_hostile_files_get_answers() {
    let dir = std::env::temp_dir().join(format!("msp-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut paths = Vec::new();
    let mut big = String::from("@compile\ndef f(x: int) -> int:\n");
    for _ in 0..300_000 {
        big.push_str("    x = x + 1\n");
    }
    big.push_str("    return x\n");
    paths.push(dir.join("statements_300k.py"));
    std::fs::write(&paths[0], big).expect("write");
    let mut top = String::new();
    for i in 0..300_000 {
        top.push_str(&format!("v{} = {i}\n", i % 100));
    }
    paths.push(dir.join("stage0_statements_300k.py"));
    std::fs::write(&paths[1], top).expect("write");
    let failures = check_all(paths);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

const GOOD: &str =
    "@compile\ndef f(x: int, a: Int[2]) -> int:\n    a[0] = x\n    return x + a[1]\n";

#[test]
fn bad_command_lines_get_clear_errors() {
    let dir = std::env::temp_dir().join(format!("msp-badcli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("good.py");
    std::fs::write(&good, GOOD).expect("write");
    let latin1 = dir.join("latin1.py");
    std::fs::write(&latin1, b"x = '\xe9t\xe9'\n").expect("write");
    let g = good.display().to_string();
    let l1 = latin1.display().to_string();
    let d = dir.display().to_string();
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "unparsable call",
            vec!["run", &g, "--call", "f(1,"],
            "error",
        ),
        (
            "call of no kernel",
            vec!["run", &g, "--call", "nope(1, [1, 2])"],
            "nope",
        ),
        (
            "call that is not a call",
            vec!["run", &g, "--call", "f"],
            "error",
        ),
        (
            "too few arguments",
            vec!["run", &g, "--call", "f(1)"],
            "argument",
        ),
        (
            "too many arguments",
            vec!["run", &g, "--call", "f(1, [1, 2], 3)"],
            "argument",
        ),
        (
            "string argument",
            vec!["run", &g, "--call", "f('one', [1, 2])"],
            "error",
        ),
        (
            "argument too large",
            vec!["run", &g, "--call", "f(99999999999999999999, [1, 2])"],
            "fit",
        ),
        (
            "float for int",
            vec!["run", &g, "--call", "f(1.5, [1, 2])"],
            "error",
        ),
        (
            "array of the wrong length",
            vec!["run", &g, "--call", "f(1, [1, 2, 3])"],
            "error",
        ),
        (
            "array nested too deep",
            vec!["run", &g, "--call", "f(1, [[1], [2]])"],
            "error",
        ),
        (
            "scalar for an array",
            vec!["run", &g, "--call", "f(1, 2)"],
            "error",
        ),
        (
            "non-literal argument",
            vec!["run", &g, "--call", "f(x, [1, 2])"],
            "error",
        ),
        (
            "keyword argument",
            vec!["run", &g, "--call", "f(x=1, a=[1, 2])"],
            "error",
        ),
        (
            "define without =",
            vec!["check", &g, "--define", "n"],
            "NAME=VALUE",
        ),
        (
            "define of a bad name",
            vec!["check", &g, "--define", "1n=3"],
            "name",
        ),
        (
            "define of a non-literal",
            vec!["check", &g, "--define", "n=foo()"],
            "literal",
        ),
        (
            "define of an unparsable value",
            vec!["check", &g, "--define", "n=(("],
            "error",
        ),
        (
            "define too large",
            vec!["check", &g, "--define", "n=99999999999999999999999"],
            "64 bits",
        ),
        (
            "define of zeros",
            vec!["check", &g, "--define", "n=zeros"],
            "error",
        ),
        (
            "missing file",
            vec!["check", "/nonexistent/nothing.py"],
            "cannot read",
        ),
        ("directory as file", vec!["check", &d], "error"),
        ("non-UTF-8 file", vec!["check", &l1], "UTF-8"),
        (
            "non-UTF-8 file, run",
            vec!["run", &l1, "--call", "f()"],
            "UTF-8",
        ),
        (
            "ir of a missing file",
            vec!["ir", "/nonexistent/nothing.py"],
            "cannot read",
        ),
        ("asm of a non-UTF-8 file", vec!["asm", &l1], "UTF-8"),
    ];
    let mut failures = Vec::new();
    for (what, args, needle) in &cases {
        let o = msp(args);
        if let Some(f) = judge(what, &o) {
            failures.push(f);
            continue;
        }
        if o.code != Some(1) {
            failures.push(format!(
                "{what}: expected exit 1, got {:?}\n{}{}",
                o.code, o.stdout, o.stderr
            ));
        } else if !o.stderr.to_lowercase().contains(&needle.to_lowercase()) {
            failures.push(format!(
                "{what}: the message lacks `{needle}`:\n{}",
                o.stderr
            ));
        }
    }
    // Usage errors come from clap: exit 2 with a message, no panic.
    for args in [
        vec![],
        vec!["frobnicate"],
        vec!["run", &g],
        vec!["check"],
        vec!["check", &g, "--no-such-flag"],
    ] {
        let o = msp(&args);
        let all = format!("{}{}", o.stdout, o.stderr);
        if o.code != Some(2) || all.contains("panicked") || o.stderr.trim().is_empty() {
            failures.push(format!("usage {args:?}: exit {:?}\n{all}", o.code));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn run_bench_prints_median_compile_and_call_times() {
    // `msp run --bench [--repeat K] [--unchecked]`: after the normal run, the median
    // compile and call times on stderr, one `key: milliseconds` line each. Only their
    // presence and form are checked here: the benchmark suite measures, tests do not.
    let dir = std::env::temp_dir().join(format!("msp-runbench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("sum.py");
    std::fs::write(
        &file,
        "@compile\ndef total(a: Int[5]) -> int:\n    s = 0\n    for i in range(5):\n        s += a[i]\n    return s\n",
    )
    .expect("write");
    let f = file.display().to_string();
    for extra in [&[][..], &["--unchecked"][..]] {
        let mut args = vec![
            "run",
            f.as_str(),
            "--call",
            "total(iota)",
            "--bench",
            "--repeat",
            "3",
        ];
        args.extend_from_slice(extra);
        let out = msp(&args);
        assert_eq!(out.code, Some(0), "{args:?}\nstderr: {}", out.stderr);
        assert_eq!(out.stdout.trim(), "10", "{args:?}");
        for key in ["compile_ms:", "call_ms:"] {
            let value = out
                .stderr
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .unwrap_or_else(|| panic!("{args:?}: no `{key}` line in\n{}", out.stderr));
            let ms: f64 = value
                .trim()
                .parse()
                .unwrap_or_else(|e| panic!("`{key}{value}`: {e}"));
            assert!(ms.is_finite() && ms >= 0.0, "`{key}{value}`");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Extents at and around each power of two, for local arrays (which live on the stack,
/// up to a limit) and parameters (fixed and `:`): each size runs correctly, or is refused
/// with a diagnostic that says why — never a signal, a wrong answer or a truncated extent.
#[test]
fn extents_at_power_of_two_boundaries() {
    let dir = std::env::temp_dir().join(format!("msp-extents-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut failures = Vec::new();
    let mut sizes: Vec<u64> = Vec::new();
    for k in [
        0u32, 1, 3, 8, 12, 16, 19, 20, 21, 24, 31, 32, 33, 40, 41, 62, 63,
    ] {
        let p = 1u64 << k;
        sizes.extend([p.saturating_sub(1).max(1), p, p + 1]);
    }
    sizes.sort_unstable();
    sizes.dedup();
    for &n in &sizes {
        // A local array: filled at both ends and read back.
        let local = dir.join(format!("local_{n}.py"));
        std::fs::write(
            &local,
            format!(
                "@compile\ndef f() -> u64:\n    x: U8[{n}]\n    x[0] = 3\n    x[{last}] = 4\n    return u64(x[0]) + u64(x[-1])\n",
                last = n - 1
            ),
        )
        .expect("write");
        let o = msp(&["run", &local.display().to_string(), "--call", "f()"]);
        if let Some(why) = judge(&format!("local U8[{n}]"), &o) {
            failures.push(why);
        } else if n <= 1 << 20 {
            let want = if n == 1 { "8" } else { "7" };
            if o.code != Some(0) || o.stdout.trim() != want {
                failures.push(format!(
                    "local U8[{n}]: want {want}, got exit {:?}: {}{}",
                    o.code, o.stdout, o.stderr
                ));
            }
        } else if o.code != Some(1)
            || !(o.stderr.contains("(1 MiB) of local arrays per kernel")
                || o.stderr.contains("is too large (limit"))
        {
            failures.push(format!(
                "local U8[{n}] must be refused with the limit: exit {:?}: {}",
                o.code, o.stderr
            ));
        }
        // A parameter of that extent (checked only: the caller owns its memory), and
        // a `:` parameter indexed at that constant.
        let param = dir.join(format!("param_{n}.py"));
        std::fs::write(
            &param,
            format!(
                "@compile\ndef g(a: U8[{n}]) -> u8:\n    return a[{last}]\n\n@compile\ndef h(a: U8[:]) -> u8:\n    return a[{last}]\n",
                last = n - 1
            ),
        )
        .expect("write");
        let o = msp(&["check", &param.display().to_string()]);
        if let Some(why) = judge(&format!("parameter U8[{n}]"), &o) {
            failures.push(why);
        } else if (n <= 1 << 40) != (o.code == Some(0)) {
            failures.push(format!(
                "parameter U8[{n}]: exit {:?} (the limit is 2^40 bytes): {}",
                o.code, o.stderr
            ));
        }
    }
    // `:` arrays at run time, around small powers of two: the last element is read, one
    // past it faults with the extent of the call.
    let runtime = dir.join("runtime.py");
    std::fs::write(
        &runtime,
        "@compile\ndef last(a: I64[:], i: i64) -> i64:\n    return a[i] + len(a) * 0\n",
    )
    .expect("write");
    for n in [1u64, 2, 3, 4, 7, 8, 9, 255, 256, 257, 1023, 1024, 1025] {
        let file = runtime.display().to_string();
        let ok = msp(&[
            "run",
            &file,
            "--call",
            &format!("last(iota({n}), {})", n - 1),
        ]);
        if ok.code != Some(0) || ok.stdout.trim() != (n - 1).to_string() {
            failures.push(format!("last(iota({n})): {}{}", ok.stdout, ok.stderr));
        }
        let past = msp(&["run", &file, "--call", &format!("last(iota({n}), {n})")]);
        let want = format!("index {n} is out of range for axis 0 of extent {n}");
        if past.code != Some(1) || !past.stderr.contains(&want) {
            failures.push(format!(
                "last(iota({n}), {n}): {}{}",
                past.stdout, past.stderr
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `--fast` shows and runs the fast tier: no vector loop where `-O3` makes one, and the
/// same answer.
#[test]
fn fast_flag_shows_and_runs_the_fast_tier() {
    let dir = std::env::temp_dir().join(format!("msp-fast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("sum.py");
    std::fs::write(
        &file,
        "@compile\ndef total(a: I32[:]) -> i32:\n    s: i32 = 0\n    for i in range(len(a)):\n        s += a[i]\n    return s\n",
    )
    .expect("write");
    let f = file.display().to_string();
    let o3 = msp(&["ir", "--opt", &f]);
    let fast = msp(&["ir", "--opt", "--fast", &f]);
    assert_eq!(
        (o3.code, fast.code),
        (Some(0), Some(0)),
        "{}{}",
        o3.stderr,
        fast.stderr
    );
    assert!(
        o3.stdout.contains("x i32>"),
        "-O3 vectorizes:\n{}",
        o3.stdout
    );
    assert!(
        !fast.stdout.contains("x i32>"),
        "--fast does not:\n{}",
        fast.stdout
    );
    let asm = msp(&["asm", "--fast", &f]);
    assert!(
        asm.code == Some(0) && asm.stdout.contains("total"),
        "{}",
        asm.stderr
    );
    for extra in [&[][..], &["--fast"][..]] {
        let mut args = vec!["run", &f, "--call", "total([1, 2, 3, 4, 5, 6, 7, 8, 9])"];
        args.extend_from_slice(extra);
        let o = msp(&args);
        assert_eq!(o.stdout.trim(), "45", "{extra:?}: {}", o.stderr);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn endless_kernel_recursion_is_a_fault() {
    // Run, not only checked: endless recursion, and recursion with local arrays (each
    // call 64 KiB of stack), end in a fault that names the kernel, never a stack
    // overflow (which used to abort the process).
    let dir = std::env::temp_dir().join(format!("msp-hostile-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let framed = dir.join("framed.py");
    std::fs::write(
        &framed,
        "@compile\ndef g(n: i64) -> i64:\n    x: U8[65536]\n    x[n % 65536] = 1\n    return g(n + 1) + x[0]\n",
    )
    .expect("write");
    let endless = hostile_dir().join("recursion_kernel.py");
    for (file, call, name) in [
        (endless.display().to_string(), "f(0)", "f"),
        (framed.display().to_string(), "g(0)", "g"),
    ] {
        let o = msp(&["run", &file, "--call", call]);
        assert_eq!(judge(&file, &o), None);
        assert_eq!(o.code, Some(1), "{}", o.stderr);
        assert!(
            o.stderr.contains(&format!("kernel `{name}` stopped at"))
                && o.stderr.contains("the call stack is exhausted"),
            "{}",
            o.stderr
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
