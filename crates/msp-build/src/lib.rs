//! Compile msp kernels from `build.rs` into a static library, with Rust bindings and a C
//! header, in the style of `cc::Build`.
//!
//! ```no_run
//! // build.rs, in `fn main()`:
//! msp_build::Build::new()
//!     .file("kernels/bf.py")
//!     .define("source", "++++++++[>++++++++<-]>+.")
//!     .compile("kernels");
//! ```
//!
//! ```ignore
//! // src/main.rs: one safe function per `@compile` kernel, as `msp::msp!` defines.
//! msp::include_kernels!("kernels");
//!
//! fn main() {
//!     let mut tape = [0i32; 30000];
//!     run(&mut tape).unwrap();
//! }
//! ```
//!
//! What `compile("kernels")` does, for each file: stage it (defines become stage-0
//! globals), type-check it, and emit an object for `TARGET` (honouring `-C target-cpu`
//! and `-C target-feature` from `CARGO_ENCODED_RUSTFLAGS`). Then it archives the objects
//! with the `cc` crate into `$OUT_DIR/libkernels.a`, prints the `cargo:` lines that link
//! it and rerun the build when a kernel file changes, and writes
//! - `$OUT_DIR/msp/kernels.rs`: the bindings for `msp::include_kernels!("kernels")`;
//! - `$OUT_DIR/msp/libkernels_c.a`: the library for C callers, see below;
//! - `$OUT_DIR/msp/kernels.h`: a C header for C callers of the library.
//!
//! `prange` loops call `msp_parallel_for`. Rust programs get it from `msp-rt` (a rayon
//! pool), so `libkernels.a`, which rustc links, must not define it. C programs link
//! `libkernels_c.a` instead: the same kernel objects and, when a kernel uses `prange`, a
//! C runtime with the same contract on an OpenMP team (`msp_parallel_for.c`, compiled
//! here with `-fopenmp`; C programs then link with `-fopenmp`, as the header says). If
//! the C compiler cannot build it, the Rust library is still built, cargo shows a warning,
//! no C archive is written and the header stops C compilations with an `#error`.
//!
//! Files whose contents did not change are not rewritten, so nothing downstream rebuilds.
//! Symbols are `{package}_{library}_{kernel}` (see [`Build::symbol_prefix`]).
//!
//! Errors (a Python syntax error, a type error, a failing generator) are printed with the
//! source line and the quote/splice chain, and the build script fails.

use std::fmt;
use std::path::{Path, PathBuf};

use msp_core::aot::{self, AotOptions, AotTarget, Emit, ExternPolicy, KernelBinding, SiteBinding};
use msp_core::driver::{CompileError, Compiler};
use msp_core::staged::DefineValue;

/// A set of kernel files to compile into one static library.
#[derive(Clone, Debug, Default)]
pub struct Build {
    files: Vec<PathBuf>,
    defines: Vec<(String, DefineValue)>,
    unchecked: bool,
    opt_level: Option<u8>,
    threads: u32,
    externs: ExternPolicy,
    symbol_prefix: Option<String>,
    target: Option<String>,
    target_cpu: Option<String>,
    out_dir: Option<PathBuf>,
    no_cargo_metadata: bool,
    no_c_archive: bool,
}

/// The C runtime of `prange` loops, compiled into the C archive.
const C_RUNTIME: &str = include_str!("msp_parallel_for.c");

/// Why a build failed.
#[derive(Debug)]
pub enum Error {
    /// A kernel file did not compile; the diagnostics are rendered against its source.
    Compile {
        file: PathBuf,
        error: Box<CompileError>,
    },
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Missing environment (not run from a build script) or bad configuration.
    Config(String),
    Archive(cc::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Compile { error, .. } => f.write_str(error.rendered.trim_end()),
            Error::Io { path, error } => write!(f, "{}: {error}", path.display()),
            Error::Config(m) => f.write_str(m),
            Error::Archive(e) => write!(f, "archiving the kernels: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// What [`Build::try_compile`] produced.
#[derive(Clone, Debug)]
pub struct Output {
    pub library: PathBuf,
    pub rust_bindings: PathBuf,
    pub c_header: PathBuf,
    /// The library for C callers (`$OUT_DIR/msp/lib{name}_c.a`); `None` when turned off
    /// ([`Build::c_archive`]) or when its `prange` runtime could not be compiled (cargo
    /// then shows a warning saying why).
    pub c_library: Option<PathBuf>,
    pub kernels: Vec<KernelBinding>,
}

/// What became of the C archive.
enum CArchive {
    Written {
        /// Whether it holds the `prange` runtime (some kernel needs it).
        runtime: bool,
    },
    /// The runtime did not compile; why.
    Failed(String),
    Off,
}

impl Build {
    pub fn new() -> Build {
        Build::default()
    }

    /// Adds a staged module (`.py`), relative to the package's directory.
    pub fn file(&mut self, path: impl AsRef<Path>) -> &mut Build {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    pub fn files<P: AsRef<Path>>(&mut self, paths: impl IntoIterator<Item = P>) -> &mut Build {
        for p in paths {
            self.file(p);
        }
        self
    }

    /// Gives every file's stage 0 a global (an int, float, bool, string or list).
    pub fn define(&mut self, name: &str, value: impl Into<DefineValue>) -> &mut Build {
        self.defines.retain(|(n, _)| n != name);
        self.defines.push((name.to_string(), value.into()));
        self
    }

    /// Leaves out the run-time index and division checks (wrappers then return values,
    /// not `Result`s).
    pub fn unchecked(&mut self, yes: bool) -> &mut Build {
        self.unchecked = yes;
        self
    }

    /// Threads of `prange` loops (default 0: `MSP_NUM_THREADS` when the program runs,
    /// else every core). Results do not depend on it.
    pub fn threads(&mut self, n: u32) -> &mut Build {
        self.threads = n;
        self
    }

    /// LLVM optimization level 0–3 (default 3, whatever the profile's).
    pub fn opt_level(&mut self, level: u8) -> &mut Build {
        self.opt_level = Some(level.min(3));
        self
    }

    /// Accepts an `@extern` C function the build script's process cannot see (your own C
    /// code, another library): you promise it is linked in.
    pub fn extern_symbol(&mut self, name: &str) -> &mut Build {
        self.externs.provided.push(name.to_string());
        self
    }

    /// Accepts every `@extern` without looking it up (missing ones then fail at link time).
    pub fn allow_unresolved_externs(&mut self, yes: bool) -> &mut Build {
        self.externs.allow_unresolved = yes;
        self
    }

    /// The prefix of every kernel symbol (default `{package}_{library}_`, sanitized).
    pub fn symbol_prefix(&mut self, prefix: &str) -> &mut Build {
        self.symbol_prefix = Some(prefix.to_string());
        self
    }

    /// The target triple (default: `TARGET`, as cargo gives build scripts).
    pub fn target(&mut self, triple: &str) -> &mut Build {
        self.target = Some(triple.to_string());
        self
    }

    /// The CPU to compile for (default: `-C target-cpu` from the rustflags, else the
    /// triple's baseline); `native` is the build machine's.
    pub fn target_cpu(&mut self, cpu: &str) -> &mut Build {
        self.target_cpu = Some(cpu.to_string());
        self
    }

    /// Where outputs go (default `OUT_DIR`).
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Build {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Whether to write the library for C callers, `$OUT_DIR/msp/lib{name}_c.a` (default
    /// yes). When a kernel uses `prange` it holds a runtime compiled by the C compiler with
    /// OpenMP; turn it off when no C program links the kernels and the target has no such
    /// compiler.
    pub fn c_archive(&mut self, yes: bool) -> &mut Build {
        self.no_c_archive = !yes;
        self
    }

    /// Whether to print `cargo:` lines (default yes).
    pub fn cargo_metadata(&mut self, yes: bool) -> &mut Build {
        self.no_cargo_metadata = !yes;
        self
    }

    /// Compiles, archives and writes the bindings; on failure prints the diagnostics and
    /// panics, failing the build script (as `cc::Build::compile` does).
    pub fn compile(&mut self, name: &str) {
        if let Err(e) = self.try_compile(name) {
            eprintln!("{e}");
            panic!("msp-build: compiling the kernels of `{name}` failed (diagnostics above)");
        }
    }

    /// [`compile`](Build::compile) returning the error instead.
    pub fn try_compile(&mut self, name: &str) -> Result<Output, Error> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(Error::Config(format!(
                "library name `{name}`: use letters, digits, `_` and `-`"
            )));
        }
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => PathBuf::from(env("OUT_DIR")?),
        };
        let msp_dir = out_dir.join("msp");
        let obj_dir = msp_dir.join("obj");
        std::fs::create_dir_all(&obj_dir).map_err(|error| Error::Io {
            path: obj_dir.clone(),
            error,
        })?;
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_default();
        let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
        let prefix = match &self.symbol_prefix {
            Some(p) => p.clone(),
            None if package.is_empty() => format!("{}_", aot::sanitize(name)),
            None => format!("{}_{}_", aot::sanitize(&package), aot::sanitize(name)),
        };
        let target = self.aot_target()?;

        let mut compiler = Compiler::new();
        for (n, v) in &self.defines {
            compiler.define(n.clone(), v.clone());
        }
        compiler.unchecked(self.unchecked);

        let mut objects = Vec::new();
        let mut rust = String::new();
        let mut all_kernels: Vec<KernelBinding> = Vec::new();
        let mut header_kernels = Vec::new();
        let mut parallel = false;
        for (i, file) in self.files.iter().enumerate() {
            let path = manifest_dir.join(file);
            self.metadata(&format!("cargo:rerun-if-changed={}", path.display()));
            let text = std::fs::read_to_string(&path).map_err(|error| Error::Io {
                path: path.clone(),
                error,
            })?;
            let shown = file.display().to_string();
            let compile_err = |error: CompileError| Error::Compile {
                file: file.clone(),
                error: Box::new(error),
            };
            let program = compiler.check_source(&shown, &text).map_err(compile_err)?;
            let mut opts = AotOptions::new(target.clone(), prefix.clone());
            opts.emit = Emit::Object;
            opts.opt_level = self.opt_level.unwrap_or(3);
            opts.threads = self.threads;
            opts.externs = self.externs.clone();
            let out = aot::compile(&program, &opts).map_err(compile_err)?;
            // One Rust module and one C header for the library: kernel names must differ
            // across its files, also as Rust spells them.
            for k in &out.kernels {
                if let Some(prev) = all_kernels.iter().find(|p| p.name == k.name) {
                    return Err(Error::Config(format!(
                        "kernel `{}` is defined twice in library `{name}`: at {} and at {}",
                        k.name, prev.location, k.location
                    )));
                }
            }
            if let Some(clash) = aot::rust::name_clash(all_kernels.iter().chain(&out.kernels)) {
                return Err(Error::Config(format!("in library `{name}`: {clash}")));
            }
            let stem = file
                .file_stem()
                .map(|s| aot::sanitize(&s.to_string_lossy()))
                .unwrap_or_default();
            let obj = obj_dir.join(format!("{name}-{i}-{stem}.o"));
            write_if_changed(&obj, &out.code)?;
            objects.push(obj);
            let opts = aot::rust::RustOptions {
                runtime: "::msp::__private".to_string(),
                ffi_module: format!("__msp_ffi_{}_{i}_{stem}", aot::sanitize(name)),
                vis: "pub".to_string(),
                linkage: aot::rust::Linkage::External,
                header: Some(format!(
                    "Kernels of {shown}, compiled by msp-build for {}. Do not edit.",
                    out.triple
                )),
            };
            rust.push_str(&aot::rust::bindings(&out.kernels, &out.sites, &opts));
            rust.push('\n');
            header_kernels.push((out.kernels.clone(), out.sites));
            parallel |= out.parallel;
            all_kernels.extend(out.kernels);
        }

        let mut cc = self.cc(&target.triple);
        cc.objects(&objects).out_dir(&out_dir);
        cc.try_compile(name).map_err(Error::Archive)?;
        let library = out_dir.join(format!("lib{name}.a"));

        // Next to the header, so the two outputs for C callers are in one place.
        let c_name = format!("{name}_c");
        let c_path = msp_dir.join(format!("lib{c_name}.a"));
        let c_archive = if self.no_c_archive {
            remove_stale(&c_path)?;
            CArchive::Off
        } else {
            let dirs = (msp_dir.as_path(), obj_dir.as_path());
            self.c_archive_of(&target.triple, &c_name, dirs, &objects, parallel)?
        };
        if let CArchive::Failed(why) = &c_archive {
            for line in format!(
                "msp-build: no C library `{}` for `{name}`: its prange runtime did not compile \
                 (the Rust library is fine): {why}",
                c_path.display()
            )
            .lines()
            {
                self.metadata(&format!("cargo:warning={line}"));
            }
        }

        let rust_path = msp_dir.join(format!("{name}.rs"));
        write_if_changed(&rust_path, rust.as_bytes())?;
        let header_path = msp_dir.join(format!("{name}.h"));
        let mut header = c_preamble(name, &c_archive, self.threads);
        header.push_str(&c_header(name, &header_kernels));
        write_if_changed(&header_path, header.as_bytes())?;
        Ok(Output {
            library,
            rust_bindings: rust_path,
            c_header: header_path,
            c_library: matches!(c_archive, CArchive::Written { .. }).then_some(c_path),
            kernels: all_kernels,
        })
    }

    /// A `cc` build for `triple`, printing cargo lines as configured.
    fn cc(&self, triple: &str) -> cc::Build {
        let mut cc = cc::Build::new();
        cc.cargo_metadata(!self.no_cargo_metadata);
        if let Some(t) = &self.target {
            cc.target(t);
        }
        // Outside a build script (a test, a tool) nothing says what the host is: then the
        // build is taken to be native.
        if std::env::var_os("HOST").is_none() {
            cc.host(triple);
        }
        cc
    }

    /// Writes `lib{c_name}.a` in `msp_dir`, the library for C callers: the kernel objects
    /// and, if `parallel`, the `prange` runtime (compiled in `obj_dir`).
    fn c_archive_of(
        &self,
        triple: &str,
        c_name: &str,
        (msp_dir, obj_dir): (&Path, &Path),
        objects: &[PathBuf],
        parallel: bool,
    ) -> Result<CArchive, Error> {
        let mut members = objects.to_vec();
        if parallel {
            let src = obj_dir.join("msp_parallel_for.c");
            write_if_changed(&src, C_RUNTIME.as_bytes())?;
            let mut cc = self.cc(triple);
            // The runtime only hands out chunks, so its speed does not follow the
            // profile's; a fixed level also lets it build outside a build script.
            cc.out_dir(obj_dir)
                .file(&src)
                .std("c11")
                .flag("-fopenmp")
                .opt_level(2);
            match cc.try_compile_intermediates() {
                Ok(objs) => members.extend(objs),
                Err(e) => {
                    // A stale archive would link kernels of an older build.
                    remove_stale(&msp_dir.join(format!("lib{c_name}.a")))?;
                    return Ok(CArchive::Failed(e.to_string()));
                }
            }
        }
        self.cc(triple)
            .out_dir(msp_dir)
            .try_create_archive(c_name, &members)
            .map_err(Error::Archive)?;
        Ok(CArchive::Written { runtime: parallel })
    }

    fn metadata(&self, line: &str) {
        if !self.no_cargo_metadata {
            println!("{line}");
        }
    }

    fn aot_target(&self) -> Result<AotTarget, Error> {
        let triple = match &self.target {
            Some(t) => t.clone(),
            None => env("TARGET")?,
        };
        let flags = RustFlags::from_env();
        let cpu = self.target_cpu.clone().or(flags.cpu);
        let mut target = match cpu {
            Some(cpu) => AotTarget::with_cpu(&triple, &cpu),
            None => AotTarget::baseline(&triple),
        };
        if !flags.features.is_empty() {
            let extra = flags.features.join(",");
            target.features = if target.features.is_empty() {
                extra
            } else {
                format!("{},{extra}", target.features)
            };
        }
        Ok(target)
    }
}

/// The header's opening comment for C callers: what to link, the threads of `prange`
/// loops, calls from several threads; an `#error` when there is no C library to link.
fn c_preamble(name: &str, archive: &CArchive, threads: u32) -> String {
    let lib = format!("lib{name}_c.a");
    let mut lines = vec![
        format!("Generated by msp-build: the C interface of library `{name}`. Do not edit."),
        String::new(),
    ];
    match archive {
        CArchive::Written { runtime } => {
            lines.push(format!(
                "Linking: C programs link {lib}, next to this header ($OUT_DIR/msp)."
            ));
            lines.push(format!(
                "$OUT_DIR/lib{name}.a is for Rust programs, which get the prange runtime"
            ));
            lines.push("from msp-rt; it lacks that runtime.".to_string());
            lines.push(String::new());
            if *runtime {
                lines.extend(
                    [
                        "Kernels here run prange loops on an OpenMP thread team: link with",
                        "-fopenmp (gcc, clang) or -lgomp -lpthread (gcc's OpenMP runtime, which",
                        "the archive was built against), e.g.",
                    ]
                    .map(String::from),
                );
                lines.push(format!(
                    "    cc main.c -I $OUT_DIR/msp $OUT_DIR/msp/{lib} -fopenmp"
                ));
                lines.push(String::new());
                match threads {
                    0 => lines.extend(
                        [
                            "Threads of prange loops: MSP_NUM_THREADS=N in the environment (read",
                            "at the first parallel loop), else every core; msp-build's",
                            "`.threads(N)` fixes N at build time. OMP_NUM_THREADS is not read.",
                        ]
                        .map(String::from),
                    ),
                    n => {
                        lines.push(format!(
                            "Threads of prange loops: {n}, fixed by this build (msp-build's"
                        ));
                        lines.extend(
                            [
                                "`.threads(N)`; with 0, the default, MSP_NUM_THREADS=N in the",
                                "environment, else every core). OMP_NUM_THREADS is not read.",
                            ]
                            .map(String::from),
                        );
                    }
                }
                lines.extend(
                    [
                        "Results do not depend on the number of threads: a loop's chunks",
                        "depend on its iteration count alone.",
                    ]
                    .map(String::from),
                );
            } else {
                lines.push(format!(
                    "No kernel here uses prange, so {lib} needs no other library, e.g."
                ));
                lines.push(format!("    cc main.c -I $OUT_DIR/msp $OUT_DIR/msp/{lib}"));
            }
            lines.extend(
                [
                    "",
                    "Calls from several threads: every kernel may be called from several",
                    "threads at once, as long as no two calls write the same array. Kernels",
                    "keep no state between calls; each call of a parallel loop gets its own",
                    "team, and a parallel loop reached from inside another (a kernel called",
                    "from a prange body) runs serially.",
                ]
                .map(String::from),
            );
        }
        CArchive::Failed(why) => {
            lines.push(format!(
                "msp-build could not write {lib}: its prange runtime did not compile"
            ));
            lines.push(
                "with OpenMP (-fopenmp); the C compiler's messages are among the".to_string(),
            );
            lines.push("build script's warnings. The cc crate reported:".to_string());
            lines.extend(
                why.lines()
                    .map(|l| format!("    {}", l.replace("*/", "* /"))),
            );
        }
        CArchive::Off => {
            lines.push(
                "The build turned off the library for C callers (`.c_archive(false)`),".to_string(),
            );
            lines.push(format!("so there is no {lib} to link."));
        }
    }
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        let lead = match i {
            0 => "/* ",
            _ if l.is_empty() => "",
            _ => "   ",
        };
        s.push_str(lead);
        s.push_str(l);
        s.push('\n');
    }
    s.push_str("*/\n");
    if matches!(archive, CArchive::Failed(_)) {
        s.push_str(&format!(
            "#error \"msp-build wrote no C library {lib}: see the comment above\"\n"
        ));
    }
    s.push('\n');
    s
}

/// One header for the library: every file's kernels, one fault helper per file.
fn c_header(name: &str, files: &[(Vec<KernelBinding>, Vec<SiteBinding>)]) -> String {
    match files {
        [(kernels, sites)] => aot::c::header(name, kernels, sites),
        _ => {
            // Several files: each file's fault records number its own sites, so each gets
            // its own helper (`{name}_{i}_fault_message`) inside one include guard.
            let mut out = String::new();
            for (i, (kernels, sites)) in files.iter().enumerate() {
                out.push_str(&aot::c::header(&format!("{name}_{i}"), kernels, sites));
            }
            out
        }
    }
}

/// `-C target-cpu` and `-C target-feature` from `CARGO_ENCODED_RUSTFLAGS`.
#[derive(Debug, Default, PartialEq)]
struct RustFlags {
    cpu: Option<String>,
    features: Vec<String>,
}

impl RustFlags {
    fn from_env() -> RustFlags {
        RustFlags::parse(&std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default())
    }

    fn parse(encoded: &str) -> RustFlags {
        let mut out = RustFlags::default();
        let mut args = encoded.split('\x1f').filter(|a| !a.is_empty());
        while let Some(a) = args.next() {
            let codegen = match a {
                "-C" | "--codegen" => args.next().unwrap_or(""),
                a => a
                    .strip_prefix("-C")
                    .or_else(|| a.strip_prefix("--codegen="))
                    .unwrap_or(""),
            };
            if let Some(cpu) = codegen.strip_prefix("target-cpu=") {
                out.cpu = Some(cpu.to_string());
            } else if let Some(features) = codegen.strip_prefix("target-feature=") {
                out.features.extend(
                    features
                        .split(',')
                        .filter(|f| !f.is_empty())
                        .map(llvm_feature),
                );
            }
        }
        out
    }
}

/// Rust's name of a target feature → LLVM's, where they differ.
fn llvm_feature(f: &str) -> String {
    let (sign, name) = f.split_at(usize::from(f.starts_with(['+', '-'])));
    let sign = if sign.is_empty() { "+" } else { sign };
    let name = match name {
        "bmi1" => "bmi",
        "cmpxchg16b" => "cx16",
        "pclmulqdq" => "pclmul",
        "rdrand" => "rdrnd",
        "lahfsahf" => "sahf",
        "neon" => "neon",
        other => other,
    };
    format!("{sign}{name}")
}

fn env(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| {
        Error::Config(format!(
            "`{name}` is not set: run msp-build from a build script (or set it)"
        ))
    })
}

/// Removes `path` if it is there.
fn remove_stale(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Io {
            path: path.to_path_buf(),
            error: e,
        }),
        _ => Ok(()),
    }
}

/// Writes `bytes` unless the file already holds exactly them (so its mtime stays, and
/// nothing that depends on it rebuilds).
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    std::fs::write(path, bytes).map_err(|error| Error::Io {
        path: path.to_path_buf(),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codegen_flags() {
        let f = RustFlags::parse(
            "-C\x1ftarget-cpu=native\x1f-Ctarget-feature=+avx2,-bmi1\x1f--cfg\x1ffoo",
        );
        assert_eq!(
            f,
            RustFlags {
                cpu: Some("native".into()),
                features: vec!["+avx2".into(), "-bmi".into()]
            }
        );
        assert_eq!(RustFlags::parse(""), RustFlags::default());
    }

    /// Bad input through `try_compile` is an `Err` with a message that names the cause
    /// (and, for a source error, the file and line), never a panic.
    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("msp-build-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let syntax = write(
            "syntax.py",
            "@compile\ndef f(x: int) -> int:\n    return (x))\n",
        );
        let types = write(
            "types.py",
            "@compile\ndef f(x: int) -> int:\n    return x + 0.5\n",
        );
        let unknown_extern = write(
            "ext.py",
            "@extern\ndef no_such_fn_anywhere(x: int) -> int: ...\n",
        );
        let build = |file: &Path, name: &str| {
            Build::new()
                .file(file)
                .out_dir(&dir)
                .target("x86_64-unknown-linux-gnu")
                .cargo_metadata(false)
                .try_compile(name)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let e = build(&syntax, "k").unwrap_err();
        assert!(e.contains("syntax.py:3"), "{e}");
        let e = build(&types, "k").unwrap_err();
        assert!(e.contains("types.py:3"), "{e}");
        let e = build(&unknown_extern, "k").unwrap_err();
        assert!(e.contains("no_such_fn_anywhere"), "{e}");
        let e = build(&dir.join("missing.py"), "k").unwrap_err();
        assert!(e.contains("missing.py"), "{e}");
        let e = build(&types, "bad name!").unwrap_err();
        assert!(e.contains("library name"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unchanged_files_keep_their_mtime() {
        let dir = std::env::temp_dir().join(format!("msp-build-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("x.rs");
        write_if_changed(&p, b"a").unwrap();
        let t = std::fs::metadata(&p).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        write_if_changed(&p, b"a").unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), t);
        write_if_changed(&p, b"b").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"b");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
