//! The library for C callers: its `prange` runtime (`src/msp_parallel_for.c`) keeps
//! msp-rt's contract, `lib{name}_c.a` and the header say what to link, and a C compiler
//! without OpenMP leaves a clear error instead of a broken archive.
//!
//! These run the C compiler (`CC`, else `cc`), which must take `-fopenmp`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_string())
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `tests/c_runtime.c` checks the runtime case by case; here it runs under several
/// `MSP_NUM_THREADS` values, and the team it reports for a loop with `threads` 0 is
/// checked against the variable.
#[test]
fn the_c_runtime_keeps_msp_rts_contract() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = scratch("c-runtime").join("c_runtime");
    let status = Command::new(cc())
        .args(["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-fopenmp"])
        .arg(manifest.join("src/msp_parallel_for.c"))
        .arg(manifest.join("tests/c_runtime.c"))
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(status.success(), "compiling the C runtime's test failed");
    let run = |threads: Option<&str>| {
        let mut cmd = Command::new(&exe);
        match threads {
            Some(t) => cmd.env("MSP_NUM_THREADS", t),
            None => cmd.env_remove("MSP_NUM_THREADS"),
        };
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "MSP_NUM_THREADS={threads:?}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let words: Vec<&str> = stdout.split_whitespace().collect();
        match words[..] {
            ["default", "team", team, "of", procs, "processors"] => (
                team.parse::<usize>().unwrap(),
                procs.parse::<usize>().unwrap(),
            ),
            _ => panic!("unexpected output: {stdout}"),
        }
    };
    assert_eq!(run(Some("3")).0, 3);
    assert_eq!(run(Some(" +5 ")).0, 5);
    assert_eq!(run(Some("1")).0, 1);
    // Unset, 0 or not a number: every core.
    for t in [None, Some("0"), Some("three"), Some("")] {
        let (team, procs) = run(t);
        assert_eq!(team, procs, "MSP_NUM_THREADS={t:?}");
    }
}

const PAR: &str = "\
@compile
def psum(a: I64[:]) -> i64:
    s: i64 = 0
    for i in prange(len(a)):
        s += a[i]
    return s
";

const SERIAL: &str = "\
@compile
def total(a: I64[:]) -> i64:
    s: i64 = 0
    for i in range(len(a)):
        s += a[i]
    return s
";

fn build(dir: &Path, source: &str, name: &str) -> msp_build::Output {
    let file = dir.join(format!("{name}.py"));
    std::fs::write(&file, source).unwrap();
    msp_build::Build::new()
        .file(&file)
        .out_dir(dir)
        .target(&host_triple())
        .symbol_prefix(&format!("{name}_"))
        .cargo_metadata(false)
        .try_compile(name)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The triple the C compiler builds for (the tests run on the host).
fn host_triple() -> String {
    match (std::env::consts::ARCH, std::env::consts::OS) {
        (arch, "linux") => format!("{arch}-unknown-linux-gnu"),
        (arch, "macos") => format!("{arch}-apple-darwin"),
        (arch, os) => panic!("no triple for {arch}-{os} in this test"),
    }
}

/// A C caller of a `prange` kernel: `lib{name}_c.a` links with `-fopenmp` alone and gives
/// the serial result with one thread and with three; the header says how to link.
#[test]
fn a_prange_kernel_links_from_c_with_openmp() {
    let dir = scratch("c-library-par");
    let out = build(&dir, PAR, "par");
    let lib = out.c_library.expect("a C library");
    assert_eq!(lib, dir.join("msp/libpar_c.a"));
    let header = std::fs::read_to_string(&out.c_header).unwrap();
    for needle in [
        "libpar_c.a",
        "-fopenmp",
        "MSP_NUM_THREADS",
        "threads at once",
    ] {
        assert!(header.contains(needle), "`{needle}` in:\n{header}");
    }
    let main = dir.join("main.c");
    std::fs::write(
        &main,
        "#include <stdio.h>\n#include \"par.h\"\n\
         int main(void) {\n    static int64_t a[100000];\n\
         for (int64_t i = 0; i < 100000; i++) a[i] = i * i % 1009;\n\
         msp_fault f = {0};\n    int64_t s = par_psum(a, 100000, &f);\n\
         printf(\"%lld %u\\n\", (long long)s, f.site);\n    return 0;\n}\n",
    )
    .unwrap();
    let exe = dir.join("main");
    let status = Command::new(cc())
        .arg(&main)
        .arg("-I")
        .arg(dir.join("msp"))
        .arg(&lib)
        .arg("-fopenmp")
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(status.success(), "linking the C library failed");
    let expected: i64 = (0..100_000i64).map(|i| i * i % 1009).sum();
    for threads in ["1", "3"] {
        let run = Command::new(&exe)
            .env("MSP_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(run.status.success(), "{run:?}");
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            format!("{expected} 0\n")
        );
    }
}

/// Without `prange` the C library holds the kernels alone and needs nothing else.
#[test]
fn a_serial_library_needs_no_openmp() {
    let dir = scratch("c-library-serial");
    let out = build(&dir, SERIAL, "serial");
    assert!(out.c_library.is_some_and(|l| l.exists()));
    let header = std::fs::read_to_string(&out.c_header).unwrap();
    assert!(header.contains("needs no other library"), "{header}");
    assert!(!header.contains("-fopenmp"), "{header}");
}

/// A C compiler without OpenMP: the Rust library is built, no C library is written (a
/// stale one is removed), and the header stops a C compilation with `#error`.
///
/// `cc` takes the compiler from `CC`, so this runs itself again as a child process with
/// `CC` set to a wrapper that drops `-fopenmp`.
#[test]
fn without_openmp_there_is_no_c_library() {
    if std::env::var_os("MSP_BUILD_TEST_NO_OPENMP").is_none() {
        let dir = scratch("no-openmp-cc");
        let wrapper = dir.join("cc-without-openmp");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nfor a in \"$@\"; do shift; [ \"$a\" = -fopenmp ] || set -- \"$@\" \"$a\"; done\nexec {} \"$@\"\n",
                cc()
            ),
        )
        .unwrap();
        let chmod = Command::new("chmod").arg("+x").arg(&wrapper).status();
        assert!(chmod.is_ok_and(|s| s.success()));
        let out = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "without_openmp_there_is_no_c_library"])
            .env("MSP_BUILD_TEST_NO_OPENMP", "1")
            .env("CC", &wrapper)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
        return;
    }
    let dir = scratch("no-openmp");
    let stale = dir.join("msp/libpar_c.a");
    std::fs::create_dir_all(dir.join("msp")).unwrap();
    std::fs::write(&stale, b"stale").unwrap();
    let out = build(&dir, PAR, "par");
    assert!(out.library.exists());
    assert_eq!(out.c_library, None);
    assert!(!stale.exists());
    let header = std::fs::read_to_string(&out.c_header).unwrap();
    assert!(
        header.contains("#error \"msp-build wrote no C library libpar_c.a"),
        "{header}"
    );
    assert!(header.contains("did not compile"), "{header}");
    eprintln!("{header}");
}

/// Parameter names that meet as C spells them: `fault` beside the fault record, `fault_`
/// beside `fault` (a keyword of the header's own), `a_dim0` beside the extent of `a`'s
/// axis 0, a C keyword. The header compiles, and the call gives the kernel's answer.
#[test]
fn parameter_names_that_meet_in_c_get_names_of_their_own() {
    let dir = scratch("c-library-names");
    let source = "\
@compile
def names(a: I64[:], a_dim0: int, fault: int, fault_: int, char: int) -> i64:
    return len(a) * 10000 + a_dim0 * 1000 + fault * 100 + fault_ * 10 + char
";
    let out = build(&dir, source, "names");
    let header = std::fs::read_to_string(&out.c_header).unwrap();
    assert!(
        header.contains(
            "int64_t names_names(const int64_t *a /* I64[:] */, int64_t a_dim0, int32_t a_dim0_, \
             int32_t fault_, int32_t fault__, int32_t char_, msp_fault *fault);"
        ),
        "{header}"
    );
    let lib = out.c_library.expect("a C library");
    let main = dir.join("main.c");
    std::fs::write(
        &main,
        "#include <stdio.h>\n#include \"names.h\"\n\
         int main(void) {\n    int64_t a[7] = {0};\n    msp_fault f = {0};\n\
         printf(\"%lld %u\\n\", (long long)names_names(a, 7, 1, 2, 3, 4, &f), f.site);\n\
         return 0;\n}\n",
    )
    .unwrap();
    let exe = dir.join("main");
    let status = Command::new(cc())
        .arg("-Wall")
        .arg("-Werror")
        .arg(&main)
        .arg("-I")
        .arg(dir.join("msp"))
        .arg(&lib)
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(status.success(), "compiling against the header failed");
    let run = Command::new(&exe).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&run.stdout), "71234 0\n");
}

/// Two files of one library whose kernels Rust spells alike (`crate` is `crate_`): an
/// error naming both, not Rust bindings that fail to compile.
#[test]
fn kernels_rust_spells_alike_are_an_error() {
    let dir = scratch("rust-name-clash");
    let a = dir.join("a.py");
    let b = dir.join("b.py");
    std::fs::write(&a, "@compile\ndef crate(x: int) -> int:\n    return x\n").unwrap();
    std::fs::write(&b, "\n@compile\ndef crate_(x: int) -> int:\n    return x\n").unwrap();
    let err = msp_build::Build::new()
        .file(&a)
        .file(&b)
        .out_dir(&dir)
        .target(&host_triple())
        .cargo_metadata(false)
        .try_compile("clash")
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a.py:2:1") && err.contains("b.py:3:1"),
        "{err}"
    );
    assert!(err.contains("are both `crate_` in Rust"), "{err}");
}
