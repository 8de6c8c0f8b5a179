//! LLVM code generation: [`CheckedModule`] → LLVM module, then optimization.
//!
//! Invariant: this is the only module (with `jit` and `aot`, which consume its output)
//! that touches inkwell. One lowering feeds both the JIT and object/assembly output; the
//! [`TargetMachine`] decides which CPU the code is for.
//!
//! Every kernel follows the calling convention in [`crate::abi`]: scalars as their C
//! types, arrays as a pointer plus one `i64` per `:` axis, the fault record last. A
//! checked kernel that faults writes a [`FaultRecord`] and returns. For the JIT, each
//! kernel also gets a uniform trampoline `k__msp_call(u64* args, void* ret, fault*)`
//! taking one slot per argument of that convention.

mod loop_md;
mod lower;

use inkwell::OptimizationLevel;
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple,
};

use crate::check::CheckedModule;

/// A code generation or LLVM failure. Only internal bugs and unusable targets end here:
/// everything a user can get wrong is caught by the checker first.
#[derive(Clone, Debug, thiserror::Error)]
#[error("code generation failed: {message}")]
pub struct CodegenError {
    pub message: String,
}

impl CodegenError {
    pub(crate) fn new(message: impl Into<String>) -> CodegenError {
        CodegenError {
            message: message.into(),
        }
    }
}

impl From<inkwell::builder::BuilderError> for CodegenError {
    fn from(e: inkwell::builder::BuilderError) -> Self {
        CodegenError::new(format!("LLVM builder: {e}"))
    }
}

pub use crate::abi::FaultRecord;
pub(crate) use lower::cold::{FAULTED as CHECKED_COPY_FAULTED, is_checked_copy};

/// The suffix of the JIT trampoline of each kernel.
pub const TRAMPOLINE_SUFFIX: &str = "__msp_call";

/// The JIT's symbol prefix. A kernel named like a C library function (`fmod`, `abs`)
/// must not capture calls LLVM emits to that function; a `.` cannot occur in C names.
pub const JIT_SYMBOL_PREFIX: &str = "msp.";

/// Options for one lowering.
#[derive(Clone, Debug)]
pub struct CodegenOptions {
    /// Prepended to every kernel's symbol (AOT uses it to keep crates apart).
    pub symbol_prefix: String,
    /// Emit the JIT trampolines.
    pub trampolines: bool,
    /// Run the LLVM verifier on the unoptimized module.
    pub verify: bool,
    /// Give kernels internal linkage, leaving the trampolines as the module's only
    /// entry points (JIT modules, whose host calls trampolines only): O3 inlines each
    /// kernel into its trampoline and drops the copy, so machine code is generated once
    /// per kernel instead of twice — a third of a small kernel's JIT latency. The
    /// trampoline's call is also marked `alwaysinline` (unless the kernel asked for
    /// `inline=False`), so the kernel is inlined before the simplification passes run
    /// rather than after them: its loops are simplified once, not once as the kernel
    /// and again in the trampoline (a loop nest's O3 time drops by a quarter).
    pub internal_kernels: bool,
    /// Threads of `prange` loops (0: `MSP_NUM_THREADS`, else every core), passed to the
    /// runtime at each loop.
    pub threads: u32,
    /// Give each check's fault edge a block of its own that writes the fault record
    /// (then returns through one shared block), so nothing of the fault path sits on
    /// the hot path.
    /// Optimized code generation splits those edges itself; LLVM's fast instruction
    /// selector and register allocator ([`crate::driver::Compiler::fast_compile`]) do not,
    /// and ran every check's copies (and their spills) on every iteration.
    pub cold_fault_edges: bool,
    /// Evaluate a `bool` `and`/`or` whole when its later operands are cheap and cannot
    /// fault (see `FnLower::speculatable`), for the optimizer: with no branch in it, a
    /// filter loop vectorizes (TPC-H Q6's run at sf 1 went 19 → 15.5 ms). Off for the
    /// fast tier, whose scalar code then does every operand's work on every row (Q6
    /// fast-compiled: 31 → 40 ms, medians of four alternating runs).
    pub eager_conditions: bool,
    /// Compile each versioned loop's checked copy as a function of its own that LLVM
    /// neither optimizes nor unrolls (`optnone`; see `lower::cold`). Off for the fast
    /// tier, which optimizes nothing much anyway.
    pub outline_checked_copies: bool,
    /// Mark `range` and `prange` loops `llvm.loop.interleave.count 1`, so that the loop
    /// vectorizer emits one vector body per loop rather than two to four: for the fast
    /// tier's vectorizer ([`FAST_VECTORIZE_PIPELINE`]), whose code generator pays for
    /// every copy. TPC-H Q6's kernel (sf 1, one thread, best of five processes on a Zen 4
    /// VM): compile 7.9 → 6.8 ms, the same 2.8 ms run.
    pub interleave_once: bool,
    /// Per kernel (as in [`CheckedModule::kernels`]), what this module holds of it;
    /// `None`: every kernel, whole. The JIT compiles kernels of two tiers
    /// (`@compile(fast_compile=...)`) as two modules, each declaring the other's kernels
    /// for its calls, linked together.
    pub placement: Option<Vec<Placement>>,
}

/// What a module holds of one kernel ([`CodegenOptions::placement`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The kernel and its trampoline, as [`CodegenOptions`] says.
    Here,
    /// The kernel alone, exported under its own name: kernels of another module call
    /// it, and that module holds its trampoline ([`Placement::Trampoline`]).
    Exported,
    /// A declaration of the kernel, which another module defines, and its trampoline.
    /// Cheaper there when that module's code generator is the fast one: a trampoline
    /// that calls its kernel costs the optimized one as much as a small kernel (LLVM's
    /// per-function work; two small kernels and their trampolines took 10 ms of machine
    /// code at level 3 on a Zen 4 VM).
    Trampoline,
    /// The kernel alone, internal: kernels here call it, and another module holds it
    /// with its trampoline.
    Copy,
    /// A declaration of the kernel alone, for calls: another module defines it.
    Elsewhere,
}

impl Default for CodegenOptions {
    fn default() -> Self {
        CodegenOptions {
            symbol_prefix: JIT_SYMBOL_PREFIX.to_string(),
            trampolines: true,
            verify: cfg!(debug_assertions),
            internal_kernels: false,
            threads: 0,
            cold_fault_edges: false,
            eager_conditions: true,
            outline_checked_copies: true,
            interleave_once: false,
            placement: None,
        }
    }
}

/// Makes LLVM's native target usable (idempotent).
pub fn init_native() -> Result<(), CodegenError> {
    static INIT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    INIT.get_or_init(|| {
        Target::initialize_native(&InitializationConfig::default())?;
        Target::initialize_all(&InitializationConfig::default());
        parse_llvm_args_from_env();
        Ok(())
    })
    .clone()
    .map_err(CodegenError::new)
}

/// LLVM options msp sets for every module, once per process.
///
/// `-enable-mem-access-versioning=false`: the loop vectorizer otherwise copies every loop
/// that indexes a `:` array by a run-time row stride, for the case that the stride is 1.
/// An msp stride is an extent of a row-major array, so that copy serves only arrays with
/// an axis of extent 1, and it cost the `Float[:][:]` transpose a third of its compile
/// time and its vector loop (BENCHMARKS.md, "Run-time extents").
pub const LLVM_DEFAULT_ARGS: &[&str] = &["-enable-mem-access-versioning=false"];

/// Passes `MSP_LLVM_ARGS` (whitespace-separated, as `llc` takes them: `-time-passes`,
/// `-debug-pass-manager`, ...) to LLVM's option parser, once per process. A debugging
/// knob like rustc's `-C llvm-args`: LLVM's options are process-global.
///
/// Before them come msp's own defaults ([`LLVM_DEFAULT_ARGS`]), each unless
/// `MSP_LLVM_ARGS` names the same option.
fn parse_llvm_args_from_env() {
    use std::ffi::CString;
    let user = std::env::var("MSP_LLVM_ARGS").unwrap_or_default();
    let option_name = |a: &str| {
        a.trim_start_matches('-')
            .split('=')
            .next()
            .unwrap_or("")
            .to_string()
    };
    let named: Vec<String> = user.split_whitespace().map(option_name).collect();
    let owned: Vec<CString> = std::iter::once("msp")
        .chain(
            LLVM_DEFAULT_ARGS
                .iter()
                .copied()
                .filter(|d| !named.contains(&option_name(d))),
        )
        .chain(user.split_whitespace())
        .filter_map(|a| CString::new(a).ok())
        .collect();
    let ptrs: Vec<*const std::ffi::c_char> = owned.iter().map(|a| a.as_ptr()).collect();
    let overview = c"msp: MSP_LLVM_ARGS";
    // SAFETY: `ptrs` points into `owned`, which outlives the call; LLVM copies what it
    // keeps. Bad options make LLVM print an error and exit, as `llc` does.
    unsafe {
        inkwell::llvm_sys::support::LLVMParseCommandLineOptions(
            ptrs.len() as i32,
            ptrs.as_ptr(),
            overview.as_ptr(),
        );
    }
}

/// A target machine for this host's CPU and its features.
pub fn host_target_machine(opt: OptimizationLevel) -> Result<TargetMachine, CodegenError> {
    host_target_machine_with(opt, CodeModel::Default)
}

/// A host target machine with the given code model (the JIT's uses `JITDefault`, the
/// large model on x86-64, so its code and data can be anywhere in the address space).
pub(crate) fn host_target_machine_with(
    opt: OptimizationLevel,
    code_model: CodeModel,
) -> Result<TargetMachine, CodegenError> {
    init_native()?;
    let triple = TargetMachine::get_default_triple();
    let cpu = TargetMachine::get_host_cpu_name().to_string();
    let features = TargetMachine::get_host_cpu_features().to_string();
    create_target_machine(
        &triple,
        &cpu,
        &features,
        opt,
        RelocMode::Default,
        code_model,
    )
}

/// Runs `f` with this thread's cached host target machine for `level` (0..=3).
///
/// Creating a `TargetMachine` parses the host's CPU features and builds its subtarget
/// tables, a fixed cost that dominated the JIT latency of small kernels; each thread
/// keeps one per optimization level (an LLVM target machine must not be used by two
/// threads at once). Reentrant: a nested call gets a fresh machine.
pub fn with_host_target_machine<R>(
    level: u8,
    f: impl FnOnce(&TargetMachine) -> R,
) -> Result<R, CodegenError> {
    use std::cell::RefCell;
    thread_local! {
        static HOST_TMS: RefCell<[Option<TargetMachine>; 4]> = const { RefCell::new([None, None, None, None]) };
    }
    let level = usize::from(level.min(3));
    let cached = HOST_TMS.with(|c| c.borrow_mut()[level].take());
    let tm = match cached {
        Some(tm) => tm,
        None => host_target_machine(opt_level(level as u8))?,
    };
    let result = f(&tm);
    HOST_TMS.with(|c| c.borrow_mut()[level] = Some(tm));
    Ok(result)
}

/// A target machine for any triple LLVM knows (AOT), e.g. `x86_64-unknown-linux-gnu`.
pub fn target_machine(
    triple: &TargetTriple,
    cpu: &str,
    features: &str,
    opt: OptimizationLevel,
    reloc: RelocMode,
) -> Result<TargetMachine, CodegenError> {
    create_target_machine(triple, cpu, features, opt, reloc, CodeModel::Default)
}

fn create_target_machine(
    triple: &TargetTriple,
    cpu: &str,
    features: &str,
    opt: OptimizationLevel,
    reloc: RelocMode,
    code_model: CodeModel,
) -> Result<TargetMachine, CodegenError> {
    init_native()?;
    let target = Target::from_triple(triple)
        .map_err(|e| CodegenError::new(format!("unknown target {triple}: {e}")))?;
    target
        .create_target_machine(triple, cpu, features, opt, reloc, code_model)
        .ok_or_else(|| {
            CodegenError::new(format!("LLVM cannot create a target machine for {triple}"))
        })
}

/// Lowers a checked module to LLVM IR for `tm`'s target.
pub fn emit_module<'ctx>(
    ctx: &'ctx Context,
    checked: &CheckedModule,
    tm: &TargetMachine,
    opts: &CodegenOptions,
) -> Result<Module<'ctx>, CodegenError> {
    let module = ctx.create_module("msp");
    module.set_triple(&tm.get_triple());
    module.set_data_layout(&tm.get_target_data().get_data_layout());
    let cpu = tm.get_cpu().to_string();
    let features = feature_string(tm);
    stacker::grow(crate::check::PASS_STACK, || {
        lower::lower_module(ctx, &module, checked, opts, &cpu, &features)
    })?;
    if opts.verify {
        module
            .verify()
            .map_err(|e| CodegenError::new(format!("LLVM verifier: {}", e.to_string())))?;
    }
    Ok(module)
}

/// The target machine's feature string. inkwell's `get_feature_string` borrows LLVM's
/// freshly `strdup`ed copy and never frees it (a leak per compile, found by fuzzing);
/// take the copy and dispose of it here.
fn feature_string(tm: &TargetMachine) -> String {
    use inkwell::llvm_sys::core::LLVMDisposeMessage;
    use inkwell::llvm_sys::target_machine::LLVMGetTargetMachineFeatureString;
    // SAFETY: LLVM returns a new NUL-terminated string owned by the caller, which must
    // release it with LLVMDisposeMessage; it is read once and then released.
    unsafe {
        let raw = LLVMGetTargetMachineFeatureString(tm.as_mut_ptr());
        if raw.is_null() {
            return String::new();
        }
        let text = std::ffi::CStr::from_ptr(raw).to_string_lossy().into_owned();
        LLVMDisposeMessage(raw);
        text
    }
}

/// Runs the new pass manager's `default<On>` pipeline.
pub fn optimize(module: &Module<'_>, tm: &TargetMachine, level: u8) -> Result<(), CodegenError> {
    run_pipeline(module, tm, &format!("default<O{}>", level.min(3)))
}

/// Runs a new-pass-manager pipeline given in `opt -passes=` syntax.
pub fn run_pipeline(
    module: &Module<'_>,
    tm: &TargetMachine,
    pipeline: &str,
) -> Result<(), CodegenError> {
    module
        .run_passes(pipeline, tm, PassBuilderOptions::create())
        .map_err(|e| CodegenError::new(format!("optimizer: {}", e.to_string())))
}

/// The pipeline the JIT runs at O3 on modules without loops, `goto` or labels: the
/// function simplification passes `default<O3>` would run on such code (inlining, so a
/// kernel folds into its trampoline, first of all; SROA, instcombine, reassociate, GVN, SCCP, dead
/// code and store elimination) and the SLP vectorizer, without the loop passes, loop
/// vectorizer and interprocedural rounds that find nothing there. It gives the same
/// code on the seed's straight-line kernels (`add3`, `power10`: four multiplications)
/// and takes a third less time to run.
pub const LOOP_FREE_PIPELINE: &str = "function(sroa<modify-cfg>,early-cse<>,instcombine<max-iterations=1;no-verify-fixpoint>,simplifycfg),\
always-inline,ipsccp,\
cgscc(inline,function-attrs,function(sroa<modify-cfg>,early-cse<memssa>,jump-threading,\
correlated-propagation,simplifycfg,instcombine<max-iterations=1;no-verify-fixpoint>,reassociate,gvn<>,sccp,bdce,\
instcombine<max-iterations=1;no-verify-fixpoint>,dse,adce,simplifycfg)),\
globaldce,\
function(slp-vectorizer,instcombine<max-iterations=1;no-verify-fixpoint>,simplifycfg)";

/// The pipeline of [`crate::driver::Compiler::fast_compile`]: locals made SSA values
/// (SROA), common subexpressions (so an index used by six accesses is checked once) and
/// CFG cleanup; nothing that rewrites loops, and no inlining (a fast-compiled trampoline
/// calls its kernel: inlining TPC-H Q3's kernel of 2,160 lines of IR into it cost 10 ms,
/// a third of the compile).
///
/// SROA pays because the fast tier's code generator allocates registers with LLVM's
/// basic allocator (`jit::native::with_pipeline_build`). With the fast allocator, a
/// loop's variables, made phis at its header, became a chain of stack copies on every
/// back edge, and locals were better left in their stack slots (a filtered sum over
/// 6·10^6 rows: 50 ms as phis, 32 ms in memory). TPC-H Q3 at sf 1, one thread, best of
/// five alternating processes on a Zen 4 VM, compile + run: 9.3 + 46.6 ms with locals
/// in memory and the fast allocator, 14.0 + 39.7 with the basic allocator, 14.3 + 35.2
/// with SROA as well (SROA alone: 9.6 + 46.1).
pub const QUICK_PIPELINE: &str = "function(sroa<modify-cfg>,early-cse<memssa>,simplifycfg)";

/// The pipeline of [`crate::driver::Compiler::fast_compile`] with
/// [`crate::driver::Compiler::loop_passes`]: the quick pipeline, then loop rotation and
/// the loop vectorizer (interleaving left to the loops' metadata, see
/// `CodegenOptions::interleave_once`), and instcombine to clean up after it, which also
/// narrows the widened column values again (without it a filtered sum over 6·10^6 rows
/// ran in 5 ms, not 3).
pub const FAST_VECTORIZE_PIPELINE: &str = "function(sroa<modify-cfg>,early-cse<memssa>,simplifycfg,\
loop(loop-rotate),loop-vectorize,instcombine<max-iterations=1;no-verify-fixpoint>,simplifycfg)";

/// Runs `optimize` at `level`, or, at O3 on a module with no loops (see
/// [`has_loops`]), the shorter [`LOOP_FREE_PIPELINE`].
pub fn optimize_checked(
    module: &Module<'_>,
    tm: &TargetMachine,
    level: u8,
    checked: &CheckedModule,
    loop_passes: bool,
) -> Result<(), CodegenError> {
    if level < 3 || (loop_passes && has_loops(checked)) {
        return optimize(module, tm, level);
    }
    run_pipeline(module, tm, LOOP_FREE_PIPELINE)
}

/// Whether any kernel has a loop: `while`, `for`, `prange`, or a label (`goto` can jump
/// back).
pub fn has_loops(checked: &CheckedModule) -> bool {
    use crate::check::hir::TStmt;
    // Every statement is matched by name: a loop this test missed would be compiled
    // without the loop passes, as `prange` loops were (TPC-H Q6's kernel, whose one
    // loop is a `prange`, ran scalar).
    fn any(stmts: &[TStmt]) -> bool {
        stmts.iter().any(|s| match s {
            TStmt::While { .. }
            | TStmt::ForRange { .. }
            | TStmt::ParFor(_)
            | TStmt::Label(_)
            | TStmt::Goto(_) => true,
            TStmt::If { then, orelse, .. } => any(then) || any(orelse),
            TStmt::Assign { .. }
            | TStmt::Store { .. }
            | TStmt::StoreUpdate { .. }
            | TStmt::Expr(_)
            | TStmt::Break
            | TStmt::Continue
            | TStmt::Return(_) => false,
        })
    }
    checked.kernels.iter().any(|k| any(&k.body))
}

/// Maps 0..=3 to LLVM's code generation levels.
pub fn opt_level(level: u8) -> OptimizationLevel {
    match level {
        0 => OptimizationLevel::None,
        1 => OptimizationLevel::Less,
        2 => OptimizationLevel::Default,
        _ => OptimizationLevel::Aggressive,
    }
}
