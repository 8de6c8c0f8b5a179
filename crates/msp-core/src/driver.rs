//! The pipeline end to end: source text → staged → checked → LLVM → machine code.
//!
//! [`Compiler`] holds what is fixed across compilations (defines, options, registered
//! externs); each `*_source` call runs the phases and returns either the product or a
//! [`CompileError`] with every diagnostic rendered against the sources.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::check::{self, CheckOptions, CheckedModule};
use crate::codegen::{self, CodegenOptions};
use crate::diag::{Diagnostic, render_all};
use crate::jit::{self, ExternFn, JitModule};
use crate::source::{SourceKind, SourceMap};
use crate::stage::{self, Limits};
use crate::staged::{DefineValue, StagedModule};
use crate::{parse, source::SourceId};

/// Compilation failed; `rendered` shows every diagnostic with its source lines.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{rendered}")]
pub struct CompileError {
    pub diagnostics: Vec<Diagnostic>,
    /// The diagnostics rendered with snippets and the quote/splice chain.
    pub rendered: String,
    /// One line per diagnostic: `file:line:col: error: message`.
    pub short: String,
}

impl CompileError {
    /// Renders `diagnostics` against the sources they point into.
    pub fn new(diagnostics: Vec<Diagnostic>, map: &SourceMap) -> CompileError {
        let rendered = render_all(&diagnostics, map);
        let short = diagnostics
            .iter()
            .map(|d| d.render_short(map))
            .collect::<Vec<_>>()
            .join("\n");
        CompileError {
            diagnostics,
            rendered,
            short,
        }
    }

    /// An error with no place in any source (an I/O or LLVM failure).
    pub fn internal(message: String) -> CompileError {
        let d = Diagnostic::error_nowhere(message);
        CompileError::new(vec![d], &SourceMap::new())
    }
}

pub use crate::report::{CompileReport, PhaseTimes};

/// A module after stage 0.
pub struct StagedProgram {
    pub map: SourceMap,
    pub file: SourceId,
    pub staged: StagedModule,
    pub times: PhaseTimes,
}

/// A module that passed stage 0 and the type checker.
pub struct CheckedProgram {
    pub map: SourceMap,
    pub file: SourceId,
    pub staged: StagedModule,
    pub checked: CheckedModule,
    pub times: PhaseTimes,
}

/// Compiles staged modules. Configure once, compile many times.
///
/// ```
/// use msp_core::driver::Compiler;
///
/// let module = Compiler::new()
///     .jit_source("add.py", "@compile\ndef add3(n: int) -> int:\n    return n + 3\n")
///     .unwrap();
/// let add3 = module.kernel::<(i32,), i32>("add3").unwrap();
/// assert_eq!(add3.call((4,)).unwrap(), 7);
/// ```
#[derive(Clone, Debug)]
pub struct Compiler {
    defines: Vec<(String, DefineValue)>,
    unchecked: bool,
    opt_level: u8,
    fast_compile: bool,
    loop_passes: Option<bool>,
    limits: Limits,
    dump_ir: bool,
    externs: HashMap<String, ExternFn>,
    threads: u32,
}

impl Default for Compiler {
    fn default() -> Self {
        Compiler {
            defines: Vec::new(),
            unchecked: false,
            opt_level: 3,
            fast_compile: false,
            loop_passes: None,
            limits: Limits::default(),
            dump_ir: false,
            externs: HashMap::new(),
            threads: 0,
        }
    }
}

impl Compiler {
    pub fn new() -> Compiler {
        Compiler::default()
    }

    /// Gives stage 0 a global (a later define of the same name wins).
    pub fn define(&mut self, name: impl Into<String>, value: impl Into<DefineValue>) -> &mut Self {
        let name = name.into();
        self.defines.retain(|(n, _)| *n != name);
        self.defines.push((name, value.into()));
        self
    }

    /// Leaves out run-time index and division checks (kernels may still ask for them).
    pub fn unchecked(&mut self, yes: bool) -> &mut Self {
        self.unchecked = yes;
        self
    }

    /// Threads that `prange` loops run on (0, the default: `MSP_NUM_THREADS`, else every
    /// core). Results do not depend on it: chunks and reductions follow the loop's bounds.
    pub fn threads(&mut self, n: u32) -> &mut Self {
        self.threads = n;
        self
    }

    /// LLVM optimization level, 0 to 3 (default 3).
    pub fn opt_level(&mut self, level: u8) -> &mut Self {
        self.opt_level = level.min(3);
        self
    }

    /// Compile for time to the first result rather than for speed of the code (the JIT,
    /// and the IR and assembly that `ir_source` and `asm_source` show). The optimizer
    /// runs [`codegen::QUICK_PIPELINE`] (SSA locals, common subexpressions, CFG
    /// cleanup; trampolines call their kernels rather than take them in), and LLVM's
    /// level-0 code generator makes the machine code, with its fast instruction
    /// selector and the basic register allocator. For large kernels that run once:
    /// TPC-H Q3's staged query kernel (sf 1, examples/query, a Zen 4 VM) compiles in
    /// 14 ms instead of 85 ms at O3 and runs in 32–35 ms against 41, so its result
    /// comes sooner; a small loop that vectorizes is better served by adding the loop
    /// vectorizer ([`Self::loop_passes`]). Overrides
    /// `opt_level` for the JIT. A kernel can ask for either tier itself
    /// (`@compile(fast_compile=True)` or `False`); the JIT then compiles the two tiers
    /// as two modules, linked together.
    ///
    /// ```
    /// let module = msp_core::driver::Compiler::new()
    ///     .fast_compile(true)
    ///     .jit_source("s.py", "@compile\ndef twice(x: int) -> int:\n    return 2 * x\n")
    ///     .unwrap();
    /// let twice = module.kernel::<(i32,), i32>("twice").unwrap();
    /// assert_eq!(twice.call((21,)).unwrap(), 42);
    /// ```
    pub fn fast_compile(&mut self, yes: bool) -> &mut Self {
        self.fast_compile = yes;
        self
    }

    /// Whether LLVM's loop passes run.
    ///
    /// At O3 (default: yes) they are the loop vectorizer, the unroller, loop-invariant
    /// code motion and the like. Without them the JIT runs the function passes alone
    /// ([`codegen::LOOP_FREE_PIPELINE`], what O3 runs on code without loops), and loops
    /// stay scalar and as written: the trade for a loop that runs too few iterations
    /// to repay its compile. TPC-H Q6 at sf 1 (examples/query, a `prange` over 6
    /// million rows, two threads): compile + run 12.3 + 8.2 ms without, 30.9 + 5.2 ms
    /// with them.
    ///
    /// Under [`Self::fast_compile`] (default: no) the loop vectorizer alone runs, on
    /// rotated loops, without interleaving, with instcombine after it
    /// ([`codegen::FAST_VECTORIZE_PIPELINE`]), and `and`/`or` of cheap operands are
    /// evaluated whole so that filter loops have no branch in them: for a small kernel
    /// whose loop vectorizes, most of O3's run-time gain for a fraction of its compile
    /// time. Q6 again, one thread, a Zen 4 VM: 7.7 + 2.8 ms, against 4.3 + 17 in the
    /// plain fast tier and 21 + 2.3 at O3.
    ///
    /// ```
    /// use msp_core::driver::Compiler;
    /// let src = "@compile\ndef total(a: I64[:]) -> i64:\n    s: i64 = 0\n    for i in range(len(a)):\n        s += a[i]\n    return s\n";
    /// // O3 without the loop passes, and the fast tier with its loop vectorizer.
    /// for compiler in [Compiler::new().loop_passes(false), Compiler::new().fast_compile(true).loop_passes(true)] {
    ///     let module = compiler.jit_source("s.py", src).unwrap();
    ///     let total = module.kernel::<(&[i64],), i64>("total").unwrap();
    ///     assert_eq!(total.call((&[1, 2, 3][..],)).unwrap(), 6);
    /// }
    /// ```
    pub fn loop_passes(&mut self, yes: bool) -> &mut Self {
        self.loop_passes = Some(yes);
        self
    }

    /// Stage-0 limits: recursion depth, steps, generated code size, memory.
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Keeps the unoptimized and optimized IR in the [`CompileReport`].
    pub fn dump_ir(&mut self, yes: bool) -> &mut Self {
        self.dump_ir = yes;
        self
    }

    /// Makes a C function available to `@extern` declarations of that name, in place of
    /// the process's own symbol.
    ///
    /// # Safety
    /// `address` must be an `extern "C"` function whose parameters and return type match
    /// every `@extern` declaration of `name` that kernels compiled by this compiler use.
    pub unsafe fn register_extern(
        &mut self,
        name: impl Into<String>,
        address: *const (),
    ) -> &mut Self {
        self.externs.insert(
            name.into(),
            ExternFn {
                address: address as usize,
            },
        );
        self
    }

    /// Parses and stages a module: runs its generators, splices its quotes. The result is
    /// what `msp expand` prints; it has not been type-checked.
    pub fn stage_source(&self, name: &str, text: &str) -> Result<StagedProgram, CompileError> {
        let mut map = SourceMap::new();
        let file = map.add(name, text, SourceKind::File);
        let mut times = PhaseTimes::default();
        let t = Instant::now();
        let module =
            parse::parse_module(&map, file).map_err(|e| CompileError::new(vec![e.0], &map))?;
        times.parse = t.elapsed();
        let t = Instant::now();
        let mut out = std::io::stderr();
        let staged = stage::run_module(
            &mut map,
            file,
            &module,
            &self.defines,
            &self.limits,
            &mut out,
        )
        .map_err(|e| CompileError::new(vec![e.diagnostic], &map))?;
        times.stage = t.elapsed();
        Ok(StagedProgram {
            map,
            file,
            staged,
            times,
        })
    }

    /// Parses, stages and type-checks a module.
    pub fn check_source(&self, name: &str, text: &str) -> Result<CheckedProgram, CompileError> {
        let StagedProgram {
            map,
            file,
            staged,
            mut times,
        } = self.stage_source(name, text)?;
        let t = Instant::now();
        let checked = check::check_module(
            &map,
            &staged,
            &CheckOptions {
                unchecked: self.unchecked,
            },
        )
        .map_err(|e| CompileError::new(e.diagnostics, &map))?;
        times.check = t.elapsed();
        Ok(CheckedProgram {
            map,
            file,
            staged,
            checked,
            times,
        })
    }

    /// Reads a file and checks it.
    pub fn check_file(&self, path: impl AsRef<Path>) -> Result<CheckedProgram, CompileError> {
        let (name, text) = read(path.as_ref())?;
        self.check_source(&name, &text)
    }

    /// Compiles a module to machine code in this process.
    pub fn jit_source(&self, name: &str, text: &str) -> Result<JitModule, CompileError> {
        let program = self.check_source(name, text)?;
        self.jit_checked(program)
    }

    /// Reads a file and JIT-compiles it.
    pub fn jit_file(&self, path: impl AsRef<Path>) -> Result<JitModule, CompileError> {
        let (name, text) = read(path.as_ref())?;
        self.jit_source(&name, &text)
    }

    /// JIT-compiles a module that already passed the checker.
    pub fn jit_checked(&self, program: CheckedProgram) -> Result<JitModule, CompileError> {
        let CheckedProgram {
            map,
            checked,
            staged,
            mut times,
            ..
        } = program;
        // Codegen reads the checked module only: free the staged ASTs before LLVM's
        // memory peak (1.5 MiB of bf.py's mandelbrot.b compile).
        drop(staged);
        // An unresolved extern would leave a call to address 0; refuse it here.
        let mut missing = Vec::new();
        let mut externs = self.externs.clone();
        for x in &checked.externs {
            if externs.contains_key(&x.name) {
                continue;
            }
            match jit::process_symbol(&x.name) {
                Some(address) => {
                    externs.insert(x.name.clone(), ExternFn { address });
                }
                None => missing.push(
                    Diagnostic::error(x.span, format!("no C function `{}` in this process", x.name))
                        .with_note("register one with `Compiler::register_extern`, or link a library that defines it"),
                ),
            }
        }
        if !missing.is_empty() {
            return Err(CompileError::new(missing, &map));
        }
        let dump = self.dump_ir || checked.kernels.iter().any(|k| k.debug);
        let mut report = CompileReport {
            add_time: checked.kernels.iter().any(|k| k.add_time),
            ..CompileReport::default()
        };
        let opt_level = self.opt_level;
        let tiers: Vec<bool> = checked
            .kernels
            .iter()
            .map(|k| k.fast_compile.unwrap_or(self.fast_compile))
            .collect();
        report.fast_compiled = checked
            .kernels
            .iter()
            .zip(&tiers)
            .filter(|&(_, &fast)| fast)
            .map(|(k, _)| k.sig.name.clone())
            .collect();
        if tiers.iter().any(|&t| t) && tiers.iter().any(|&t| !t) {
            let t_all = Instant::now();
            let (jit, codegen_time, optimize_time) = self
                .jit_two_tiers(&checked, &map, &externs, &tiers, dump, &mut report)
                .map_err(|e| CompileError::internal(e.to_string()))?;
            times.codegen = codegen_time;
            times.optimize = optimize_time;
            times.machine_code = t_all.elapsed().saturating_sub(codegen_time + optimize_time);
            report.times = times;
            return Ok(jit.with_report(report));
        }
        // One tier for every kernel: the compilation's, unless they all asked otherwise.
        let fast = tiers.first().copied().unwrap_or(self.fast_compile);
        let mut phases = (Duration::ZERO, Duration::ZERO);
        let t_all = Instant::now();
        // The fast instruction selector and register allocator are LLVM's level 0.
        let backend_level = if fast { 0 } else { opt_level };
        let jit = jit::native::with_jit_backend(backend_level, |backend| {
            JitModule::new(&checked, &map, &externs, backend, |ctx, tm| {
                let (module, lazy) = self.lower_tier(
                    ctx,
                    tm,
                    &checked,
                    fast,
                    dump,
                    None,
                    &mut phases,
                    &mut report,
                )?;
                report.deferred_checked_copies = lazy.as_ref().map_or(0, |l| l.len());
                Ok((module, lazy))
            })
        })
        .and_then(|r| r)
        .map_err(|e| CompileError::internal(e.to_string()))?;
        times.codegen = phases.0;
        times.optimize = phases.1;
        times.machine_code = t_all.elapsed().saturating_sub(phases.0 + phases.1);
        report.times = times;
        Ok(jit.with_report(report))
    }

    /// Lowers `checked` for one JIT tier (`fast`: for time to result; `placement`: which
    /// kernels the module holds, `None` for all) and optimizes it as that tier does.
    /// The checked copies of versioned loops come out, to be compiled when one first
    /// runs (`jit/lazy.rs`), except in IR a user asked to see (`dump`, which also adds
    /// the IR to `report`); the fast tier outlines none. Adds the time lowering and
    /// optimizing took to `phases`.
    #[allow(clippy::too_many_arguments)]
    fn lower_tier<'c>(
        &self,
        ctx: &'c inkwell::context::Context,
        tm: &inkwell::targets::TargetMachine,
        checked: &CheckedModule,
        fast: bool,
        dump: bool,
        placement: Option<Vec<codegen::Placement>>,
        phases: &mut (Duration, Duration),
        report: &mut CompileReport,
    ) -> Result<(inkwell::module::Module<'c>, Option<Box<jit::LazyCopies>>), codegen::CodegenError>
    {
        fn append(ir: &mut Option<String>, module: &inkwell::module::Module<'_>) {
            ir.get_or_insert_with(String::new)
                .push_str(&module.print_to_string().to_string());
        }
        let t = Instant::now();
        let tier = self.tier(fast);
        let opts = CodegenOptions {
            placement,
            ..tier_options(tier, dump, self.threads)
        };
        let module = codegen::emit_module(ctx, checked, tm, &opts)?;
        phases.0 += t.elapsed();
        if dump {
            append(&mut report.ir_unoptimized, &module);
        }
        let t = Instant::now();
        let lazy = if dump || fast {
            None
        } else {
            jit::LazyCopies::split(&module, self.opt_level)?
        };
        self.optimize_tier(&module, tm, tier, checked)?;
        phases.1 += t.elapsed();
        if dump {
            append(&mut report.ir_optimized, &module);
        }
        Ok((module, lazy))
    }

    /// [`Self::jit_checked`] for a module whose kernels asked for different tiers
    /// (`tiers[i]`: kernel `i` compiles for time to result). Two LLVM modules: the fully
    /// optimized kernels, with copies of the fast kernels they call (so that module
    /// calls nothing in the other), first; then the fast kernels, calling the others'
    /// exported bodies. Returns the module and the time lowering and optimizing took.
    fn jit_two_tiers(
        &self,
        checked: &CheckedModule,
        map: &SourceMap,
        externs: &HashMap<String, ExternFn>,
        tiers: &[bool],
        dump: bool,
        report: &mut CompileReport,
    ) -> Result<(JitModule, Duration, Duration), codegen::CodegenError> {
        use codegen::Placement;
        let n = checked.kernels.len();
        // The optimized module's kernels and everything they call.
        let mut in_full: Vec<bool> = tiers.iter().map(|&fast| !fast).collect();
        let mut work: Vec<usize> = (0..n).filter(|&i| in_full[i]).collect();
        while let Some(i) = work.pop() {
            for &c in &checked.kernels[i].callees {
                if !std::mem::replace(&mut in_full[c], true) {
                    work.push(c);
                }
            }
        }
        // The optimized kernels the fast ones call: exported by the first module.
        let called_from_fast: Vec<bool> = (0..n)
            .map(|i| {
                !tiers[i] && (0..n).any(|f| tiers[f] && checked.kernels[f].callees.contains(&i))
            })
            .collect();
        let full_placement = (0..n)
            .map(|i| match (tiers[i], in_full[i]) {
                _ if called_from_fast[i] => Placement::Exported,
                (false, _) => Placement::Here,
                (true, true) => Placement::Copy,
                (true, false) => Placement::Elsewhere,
            })
            .collect();
        let fast_placement = (0..n)
            .map(|i| match (tiers[i], called_from_fast[i]) {
                (true, _) => Placement::Here,
                (false, true) => Placement::Trampoline,
                (false, false) => Placement::Elsewhere,
            })
            .collect();
        let mut phases = (Duration::ZERO, Duration::ZERO);
        let mut symbols = JitModule::base_symbols(checked, externs);
        let context = inkwell::context::Context::create();
        let (full, lazy) = jit::native::with_jit_backend(self.opt_level, |backend| {
            let tm = backend.target_machine();
            let (module, mut lazy) = self.lower_tier(
                &context,
                tm,
                checked,
                false,
                dump,
                Some(full_placement),
                &mut phases,
                report,
            )?;
            if let Some(l) = &mut lazy {
                l.link(&mut symbols);
            }
            let code = backend.emitter().emit(&module, |object| {
                jit::native::LoadedObject::load(object, &symbols)
            })?;
            Ok::<_, codegen::CodegenError>((code, lazy))
        })??;
        report.deferred_checked_copies = lazy.as_ref().map_or(0, |l| l.len());
        for (k, _) in checked
            .kernels
            .iter()
            .zip(&called_from_fast)
            .filter(|(_, c)| **c)
        {
            let name = format!("{}{}", codegen::JIT_SYMBOL_PREFIX, k.sig.name);
            let address = full.symbol(&name).ok_or_else(|| {
                codegen::CodegenError::new(format!("JIT lookup of `{name}` failed"))
            })?;
            symbols.insert(name, address);
        }
        let fast = jit::native::with_jit_backend(0, |backend| {
            let tm = backend.target_machine();
            let (module, _) = self.lower_tier(
                &context,
                tm,
                checked,
                true,
                dump,
                Some(fast_placement),
                &mut phases,
                report,
            )?;
            backend.emitter().emit(&module, |object| {
                jit::native::LoadedObject::load(object, &symbols)
            })
        })??;
        let home: Vec<usize> = (0..n)
            .map(|i| usize::from(tiers[i] || called_from_fast[i]))
            .collect();
        let jit = JitModule::from_objects(checked, map, vec![full, fast], &home, lazy)?;
        Ok((jit, phases.0, phases.1))
    }

    /// LLVM IR of a module for this host, before or after optimization.
    pub fn ir_source(
        &self,
        name: &str,
        text: &str,
        optimized: bool,
    ) -> Result<String, CompileError> {
        let program = self.check_source(name, text)?;
        self.with_host_module(&program, optimized, |module, _| {
            Ok(module.print_to_string().to_string())
        })
    }

    /// Optimized assembly of a module for this host.
    pub fn asm_source(&self, name: &str, text: &str) -> Result<String, CompileError> {
        let program = self.check_source(name, text)?;
        let fast = self.fast_compile;
        self.with_host_module(&program, true, |module, tm| {
            // The fast tier's register allocator too, as the JIT builds its pipeline.
            let emitted = jit::native::with_pipeline_build(fast, || {
                tm.write_to_memory_buffer(module, inkwell::targets::FileType::Assembly)
            });
            let buf = emitted.map_err(|e| {
                CompileError::internal(format!("assembly emission: {}", e.to_string()))
            })?;
            Ok(String::from_utf8_lossy(buf.as_slice()).into_owned())
        })
    }

    /// Lowers a checked program for this host (plain symbol names, no trampolines: the
    /// module is for reading, not running) and hands it to `f`.
    fn with_host_module<T>(
        &self,
        program: &CheckedProgram,
        optimized: bool,
        f: impl FnOnce(
            &inkwell::module::Module<'_>,
            &inkwell::targets::TargetMachine,
        ) -> Result<T, CompileError>,
    ) -> Result<T, CompileError> {
        let internal = |e: codegen::CodegenError| CompileError::internal(e.to_string());
        // Under `fast_compile`, what the JIT would make of it: its pipeline and LLVM's
        // level-0 code generator.
        let fast = self.fast_compile;
        let tier = self.tier(fast);
        let level = if fast { 0 } else { self.opt_level };
        let tm = codegen::host_target_machine(codegen::opt_level(level)).map_err(internal)?;
        let ctx = inkwell::context::Context::create();
        let opts = CodegenOptions {
            trampolines: false,
            symbol_prefix: String::new(),
            internal_kernels: false,
            ..tier_options(tier, true, 0)
        };
        let module = codegen::emit_module(&ctx, &program.checked, &tm, &opts).map_err(internal)?;
        if optimized {
            self.optimize_tier(&module, &tm, tier, &program.checked)
                .map_err(internal)?;
        }
        f(&module, &tm)
    }

    /// The tier `fast` (for time to result) names under this compiler's options.
    fn tier(&self, fast: bool) -> Tier {
        if fast {
            Tier::Fast {
                vectorize: self.loop_passes.unwrap_or(false),
            }
        } else {
            Tier::Optimized {
                loop_passes: self.loop_passes.unwrap_or(true),
            }
        }
    }

    /// Runs `tier`'s optimization pipeline on `module`.
    fn optimize_tier(
        &self,
        module: &inkwell::module::Module<'_>,
        tm: &inkwell::targets::TargetMachine,
        tier: Tier,
        checked: &CheckedModule,
    ) -> Result<(), codegen::CodegenError> {
        match tier {
            Tier::Fast { vectorize: false } => {
                codegen::run_pipeline(module, tm, codegen::QUICK_PIPELINE)
            }
            Tier::Fast { vectorize: true } => {
                codegen::run_pipeline(module, tm, codegen::FAST_VECTORIZE_PIPELINE)
            }
            Tier::Optimized { loop_passes } => {
                codegen::optimize_checked(module, tm, self.opt_level, checked, loop_passes)
            }
        }
    }
}

fn read(path: &Path) -> Result<(String, String), CompileError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CompileError::internal(format!("cannot read {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        CompileError::internal(format!(
            "{}: not UTF-8 text (byte {} is invalid)",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok((path.display().to_string(), text))
}

/// How the JIT compiles a module: what [`Compiler::fast_compile`] and
/// [`Compiler::loop_passes`] choose between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tier {
    /// `opt_level`, with or without LLVM's loop passes.
    Optimized { loop_passes: bool },
    /// For time to result: the quick pipeline, or with `vectorize` the loop vectorizer's.
    Fast { vectorize: bool },
}

/// How a JIT tier lowers its kernels; `dump`: a user asked to see the IR.
fn tier_options(tier: Tier, dump: bool, threads: u32) -> CodegenOptions {
    let fast = matches!(tier, Tier::Fast { .. });
    CodegenOptions {
        // Kernels stay visible in the IR a user asked to see; otherwise only the
        // trampolines are entry points (see `internal_kernels`), except under
        // fast_compile, which does not inline them.
        internal_kernels: !dump && !fast,
        threads,
        cold_fault_edges: fast,
        // Branch-free conditions are for the vectorizer; the fast tier's scalar code
        // would do every operand's work on every row.
        eager_conditions: tier != Tier::Fast { vectorize: false },
        outline_checked_copies: !fast,
        interleave_once: tier == Tier::Fast { vectorize: true },
        ..CodegenOptions::default()
    }
}
