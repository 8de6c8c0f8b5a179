//! Ahead-of-time output: a checked program → object code or assembly for a target
//! triple, plus a [`KernelBinding`] per kernel that the `msp!` macro and `msp-build` turn
//! into Rust wrappers and C declarations.
//!
//! The fronts stay thin: they choose a target and a symbol prefix, call [`compile`], and
//! hand the result to [`rust::bindings`] (Rust source text), [`c::header`] (a C header)
//! or [`asm::for_global_asm`] (assembly a `global_asm!` accepts). The code the bindings
//! call at run time lives in the `msp-rt` crate, which needs no LLVM.
//!
//! Symbols: every kernel `k` is emitted as `{symbol_prefix}k`. The prefix keeps two
//! compilations apart when their kernels share names (two `msp!` invocations in one
//! crate, two crates in one binary); [`symbol_prefix`] builds a unique one.

pub mod asm;
pub mod binding;
pub mod c;
pub mod rust;

use std::time::Instant;

use inkwell::context::Context;
use inkwell::targets::{FileType, RelocMode, TargetMachine, TargetTriple};
use inkwell::values::BasicValue;

use crate::codegen::{self, CodegenOptions};
use crate::diag::Diagnostic;
use crate::driver::{CheckedProgram, CompileError, CompileReport};

pub use binding::{KernelBinding, ParamBinding, SiteBinding};

/// What machine the code is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AotTarget {
    /// An LLVM target triple (Rust's spelling is accepted for the common targets).
    pub triple: String,
    /// LLVM CPU name; `"generic"` (or empty) means the triple's baseline, as rustc's default.
    pub cpu: String,
    /// LLVM feature string, e.g. `+avx2,+fma`; empty for the CPU's own.
    pub features: String,
}

impl AotTarget {
    /// The triple's baseline CPU, as rustc targets it without `-C target-cpu`.
    pub fn baseline(triple: impl Into<String>) -> AotTarget {
        AotTarget {
            triple: llvm_triple(&triple.into()),
            cpu: String::new(),
            features: String::new(),
        }
    }

    /// The machine this process runs on, with all of its features (`-C target-cpu=native`).
    pub fn native() -> AotTarget {
        let _ = codegen::init_native();
        AotTarget {
            triple: TargetMachine::get_default_triple()
                .as_str()
                .to_string_lossy()
                .into_owned(),
            cpu: TargetMachine::get_host_cpu_name().to_string(),
            features: TargetMachine::get_host_cpu_features().to_string(),
        }
    }

    /// `triple` with a `-C target-cpu` value (`native` resolves to this machine's CPU).
    pub fn with_cpu(triple: impl Into<String>, cpu: &str) -> AotTarget {
        if cpu == "native" {
            let mut t = AotTarget::native();
            t.triple = llvm_triple(&triple.into());
            return t;
        }
        AotTarget {
            cpu: cpu.to_string(),
            ..AotTarget::baseline(triple)
        }
    }

    /// Whether assembly for this target is AT&T x86 (needs `options(att_syntax)`).
    pub fn is_x86(&self) -> bool {
        let arch = self.triple.split('-').next().unwrap_or("");
        matches!(arch, "x86_64" | "i386" | "i586" | "i686" | "x86")
    }

    /// Whether the target's objects are ELF (everything but Apple and Windows targets).
    pub fn is_elf(&self) -> bool {
        !(self.triple.contains("apple")
            || self.triple.contains("darwin")
            || self.triple.contains("windows"))
    }

    fn machine(&self, opt_level: u8) -> Result<TargetMachine, CompileError> {
        let triple = TargetTriple::create(&self.triple);
        let cpu = match self.cpu.as_str() {
            // rustc's baseline for x86_64 targets.
            "" if self.triple.starts_with("x86_64") => "x86-64",
            "" => "generic",
            cpu => cpu,
        };
        // Position-independent code, as rustc emits for every hosted target's default.
        codegen::target_machine(
            &triple,
            cpu,
            &self.features,
            codegen::opt_level(opt_level),
            RelocMode::PIC,
        )
        .map_err(|e| internal(e.to_string()))
    }
}

/// Rust target triples that LLVM spells differently.
fn llvm_triple(rust: &str) -> String {
    match rust {
        "aarch64-apple-darwin" => "arm64-apple-macosx11.0.0".to_string(),
        "x86_64-apple-darwin" => "x86_64-apple-macosx10.12.0".to_string(),
        other => other.to_string(),
    }
}

/// What to emit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// A relocatable object file (for a static library).
    Object,
    /// Assembly text as LLVM prints it (AT&T syntax on x86).
    Assembly,
}

/// Which `@extern` C functions a compilation accepts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExternPolicy {
    /// Accept any name; a missing function then shows up only when the program links.
    pub allow_unresolved: bool,
    /// Names accepted although this process cannot resolve them (the user promises they
    /// are linked in: their own C code, another library).
    pub provided: Vec<String>,
}

/// Options of one AOT compilation.
#[derive(Clone, Debug)]
pub struct AotOptions {
    pub target: AotTarget,
    /// Prepended to every kernel symbol; see [`symbol_prefix`].
    pub symbol_prefix: String,
    /// LLVM optimization level, 0 to 3.
    pub opt_level: u8,
    pub emit: Emit,
    /// Keep the unoptimized and optimized IR in the report.
    pub dump_ir: bool,
    pub externs: ExternPolicy,
    /// Threads of `prange` loops (0: `MSP_NUM_THREADS` at run time, else every core).
    pub threads: u32,
}

impl AotOptions {
    pub fn new(target: AotTarget, symbol_prefix: impl Into<String>) -> AotOptions {
        AotOptions {
            target,
            symbol_prefix: symbol_prefix.into(),
            opt_level: 3,
            emit: Emit::Object,
            dump_ir: false,
            externs: ExternPolicy::default(),
            threads: 0,
        }
    }
}

/// The product of one AOT compilation.
#[derive(Clone, Debug)]
pub struct AotOutput {
    /// The object file or assembly text.
    pub code: Vec<u8>,
    pub kernels: Vec<KernelBinding>,
    /// The fault table: record `site` `i + 1` is `sites[i]`.
    pub sites: Vec<SiteBinding>,
    /// The C functions the code calls.
    pub externs: Vec<String>,
    /// Whether the code calls the `prange` runtime (`msp_parallel_for`), which C callers
    /// must then link.
    pub parallel: bool,
    /// The triple the code is for.
    pub triple: String,
    pub report: CompileReport,
}

impl AotOutput {
    /// The assembly as text (for [`Emit::Assembly`]).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.code).into_owned()
    }
}

/// Lowers, optimizes and emits a checked program for `opts.target`.
pub fn compile(program: &CheckedProgram, opts: &AotOptions) -> Result<AotOutput, CompileError> {
    check_externs(program, &opts.externs)?;
    let tm = opts.target.machine(opts.opt_level)?;
    let mut report = CompileReport {
        times: program.times,
        ..CompileReport::default()
    };
    let ctx = Context::create();
    let cg = CodegenOptions {
        symbol_prefix: opts.symbol_prefix.clone(),
        trampolines: false,
        verify: true,
        internal_kernels: false,
        threads: opts.threads,
        cold_fault_edges: false,
        eager_conditions: true,
        outline_checked_copies: true,
        interleave_once: false,
        // Ahead of time every kernel is optimized fully: `@compile(fast_compile=...)`
        // is the JIT's.
        placement: None,
    };
    let t = Instant::now();
    let module = codegen::emit_module(&ctx, &program.checked, &tm, &cg)
        .map_err(|e| internal(e.to_string()))?;
    report.times.codegen = t.elapsed();
    let dump = opts.dump_ir || program.checked.kernels.iter().any(|k| k.debug);
    if dump {
        report.ir_unoptimized = Some(module.print_to_string().to_string());
    }
    let t = Instant::now();
    codegen::optimize(&module, &tm, opts.opt_level).map_err(|e| internal(e.to_string()))?;
    report.times.optimize = t.elapsed();
    if dump {
        report.ir_optimized = Some(module.print_to_string().to_string());
    }
    let t = Instant::now();
    let file_type = match opts.emit {
        Emit::Object => FileType::Object,
        Emit::Assembly => FileType::Assembly,
    };
    // Builds a pipeline: under the JIT's lock (`with_pipeline_build`), so the fast
    // tier's allocator choice never leaks into it.
    let emitted = crate::jit::native::with_pipeline_build(false, || {
        tm.write_to_memory_buffer(&module, file_type)
    });
    let buf = emitted.map_err(|e| {
        internal(format!(
            "LLVM could not emit code for {}: {}",
            opts.target.triple,
            e.to_string()
        ))
    })?;
    report.times.machine_code = t.elapsed();
    // After optimization: a loop LLVM removed needs no runtime.
    let parallel = module
        .get_function(msp_rt::parallel::ENTRY)
        .is_some_and(|f| {
            f.as_global_value()
                .as_pointer_value()
                .get_first_use()
                .is_some()
        });
    Ok(AotOutput {
        code: buf.as_slice().to_vec(),
        kernels: binding::kernels(program, &opts.symbol_prefix),
        sites: binding::sites(program),
        externs: program
            .checked
            .externs
            .iter()
            .map(|x| x.name.clone())
            .collect(),
        parallel,
        triple: opts.target.triple.clone(),
        report,
    })
}

/// Refuses `@extern` declarations of C functions that will not be there at link time.
///
/// Without [`ExternPolicy::allow_unresolved`], a name must resolve in this process (the
/// compiler's: libc, libm and what they pull in) or be listed in
/// [`ExternPolicy::provided`]. A missing function is thus an error at its declaration,
/// not an undefined symbol when the user's program links.
pub fn check_externs(program: &CheckedProgram, policy: &ExternPolicy) -> Result<(), CompileError> {
    if policy.allow_unresolved {
        return Ok(());
    }
    let mut missing = Vec::new();
    for x in &program.checked.externs {
        if policy.provided.contains(&x.name) || crate::jit::process_symbol(&x.name).is_some() {
            continue;
        }
        missing.push(
            Diagnostic::error(x.span, format!("unknown C function `{}`", x.name))
                .with_label("declared here")
                .with_note(format!("`{}` is not in the C library the compiler sees, so linking would fail", x.name))
                .with_note(format!(
                    "if your program links it from elsewhere, declare that: `externs({})` in `msp!`, or `.extern_symbol(\"{}\")` in msp-build",
                    x.name, x.name
                )),
        );
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(CompileError::new(missing, &program.map))
    }
}

/// A symbol prefix unique to one compilation: `__msp_{crate}_{hash}_{counter}_`.
///
/// `crate_name` keeps crates apart, `hash` (of the source and options) keeps builds of
/// different programs apart, and `counter` two identical invocations in one crate.
pub fn symbol_prefix(crate_name: &str, hash: u64, counter: u64) -> String {
    format!("__msp_{}_{hash:016x}_{counter}_", sanitize(crate_name))
}

/// `name` with every character that cannot appear in a C identifier replaced by `_`.
pub fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// A stable 64-bit FNV-1a hash (the same in every process and Rust version, unlike
/// `DefaultHasher`), for symbol prefixes.
pub fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain((part.len() as u64).to_le_bytes().iter()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn internal(message: String) -> CompileError {
    CompileError::internal(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::Compiler;

    const FLOATS: &str = "@compile\ndef poly(a: Float[8], x: float) -> float:\n    s = 0.0\n    for i in range(8):\n        s = s * x + a[i] * 1.25 + 0.5\n    return s\n\n@compile\ndef twice(x: float) -> float:\n    return poly_helper(x) * 2.0\n\n@compile\ndef poly_helper(x: float) -> float:\n    return x + 3.75\n";

    #[test]
    fn assembly_for_global_asm() {
        let program = Compiler::new().check_source("poly.py", FLOATS).unwrap();
        let mut opts = AotOptions::new(
            AotTarget::baseline("x86_64-unknown-linux-gnu"),
            "__msp_t_1_",
        );
        opts.emit = Emit::Assembly;
        let out = compile(&program, &opts).unwrap();
        let text = out.text();
        assert!(text.contains(".LCPI"), "{text}");
        let asm = asm::for_global_asm(&text, "msp_t_1_", true);
        if std::env::var_os("MSP_SHOW_ASM").is_some() {
            eprintln!("{asm}");
        }
        assert!(asm.contains(".globl\t__msp_t_1_poly"), "{asm}");
        assert!(asm.contains(".Lmsp_t_1_CPI"), "{asm}");
        assert!(!asm.contains(".file"), "{asm}");
        assert_eq!(out.kernels.len(), 3);
        assert_eq!(out.kernels[0].symbol, "__msp_t_1_poly");
        assert!(matches!(
            &out.kernels[0].params[0],
            ParamBinding::Array {
                len: 8,
                writes: false,
                ..
            }
        ));
        assert_eq!(out.sites.len(), 1);
    }

    #[test]
    fn objects_for_other_targets() {
        let program = Compiler::new().check_source("poly.py", FLOATS).unwrap();
        for triple in [
            "aarch64-unknown-linux-gnu",
            "x86_64-pc-windows-msvc",
            "aarch64-apple-darwin",
        ] {
            let out = compile(
                &program,
                &AotOptions::new(AotTarget::baseline(triple), "p_"),
            )
            .unwrap();
            assert!(out.code.len() > 100, "{triple}");
        }
    }

    #[test]
    fn unknown_externs_are_errors() {
        let src = "@extern\ndef no_such_function_anywhere(x: int) -> int: ...\n\n@extern\ndef putchar(c: int) -> int: ...\n\n@compile\ndef f(x: int) -> int:\n    putchar(x)\n    return no_such_function_anywhere(x)\n";
        let program = Compiler::new().check_source("ext.py", src).unwrap();
        let err = compile(
            &program,
            &AotOptions::new(AotTarget::baseline("x86_64-unknown-linux-gnu"), "p_"),
        )
        .unwrap_err();
        assert_eq!(err.diagnostics.len(), 1, "{}", err.rendered);
        assert!(
            err.rendered
                .contains("unknown C function `no_such_function_anywhere`"),
            "{}",
            err.rendered
        );
        assert!(err.short.starts_with("ext.py:2:5"), "{}", err.short);
        let mut opts = AotOptions::new(AotTarget::baseline("x86_64-unknown-linux-gnu"), "p_");
        opts.externs
            .provided
            .push("no_such_function_anywhere".into());
        assert!(compile(&program, &opts).is_ok());
    }

    #[test]
    fn prefixes_are_identifiers() {
        assert_eq!(
            symbol_prefix("my-crate", 0xab, 2),
            "__msp_my_crate_00000000000000ab_2_"
        );
        assert_eq!(sanitize("9lives"), "_9lives");
        assert_ne!(stable_hash(&[b"ab", b"c"]), stable_hash(&[b"a", b"bc"]));
    }
}
