//! Machine code in memory: an LLVM module lowered by a code generation pipeline reused
//! across modules and linked into executable memory (the crate-private `native` module,
//! over `native.cpp`), kernels called through their trampolines, faults turned into
//! [`Fault`] values.

mod args;
mod lazy;
pub(crate) mod native;

pub(crate) use lazy::LazyCopies;

use std::collections::HashMap;
use std::fmt;

use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::targets::TargetMachine;

use crate::check::hir::{FaultKind, KernelSig};
use crate::check::{CheckedModule, Type};
use crate::codegen::{CodegenError, FaultRecord, JIT_SYMBOL_PREFIX, TRAMPOLINE_SUFFIX};
use crate::source::SourceMap;

pub use args::{CallArg, CallPlan, KernelArg, KernelArgs, KernelRet, RawArg, ScalarValue};
pub use msp_rt::{ArrayData, ArrayDataMut, CallError, Element, Fault, Shaped, ShapedMut};

/// An array argument that does not fit parameter `i` of `sig`.
pub(crate) fn shape_error(sig: &KernelSig, i: usize, problem: crate::abi::ShapeError) -> CallError {
    let (param, ty) = &sig.params[i];
    match problem {
        crate::abi::ShapeError::Len { expected, got } => CallError::Length {
            kernel: sig.name.clone(),
            param: param.clone(),
            ty: ty.to_string(),
            expected: expected as usize,
            got,
        },
        problem => CallError::Shape {
            kernel: sig.name.clone(),
            param: param.clone(),
            ty: ty.to_string(),
            problem: Box::new(problem),
        },
    }
}

/// Fetching a kernel failed: no such kernel, or it has another signature than asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no kernel named `{0}` in this module (kernels: {1})")]
    Unknown(String, String),
    #[error(
        "kernel `{0}` is compiled without run-time checks; take it with `unchecked_kernel` and call it in `unsafe`"
    )]
    Unchecked(String),
    #[error("kernel `{name}` is `{actual}`, not `{requested}`")]
    Mismatch {
        name: String,
        actual: String,
        requested: String,
    },
}

struct SiteInfo {
    kernel: String,
    location: String,
    origin: String,
    kind: FaultKind,
}

struct KernelEntry {
    sig: KernelSig,
    trampoline: usize,
    /// Arguments of the calling convention ([`crate::abi::kernel_params`]).
    slots: usize,
    /// How typed calls fill the slots.
    plan: CallPlan,
    /// Compiled with run-time checks: only then is a call from safe code sound.
    checked: bool,
}

/// A compiled module whose kernels can be called. Dropping it frees the machine code.
pub struct JitModule {
    /// The machine code: one object, or one per tier when kernels asked for
    /// different ones (`@compile(fast_compile=...)`), the fast one calling the other.
    code: Vec<native::LoadedObject>,
    /// The checked copies `code` calls, compiled when one first runs.
    lazy: Option<Box<LazyCopies>>,
    kernels: HashMap<String, KernelEntry>,
    order: Vec<String>,
    sites: Vec<SiteInfo>,
    report: crate::report::CompileReport,
}

/// A C function a kernel can call through an `@extern` declaration, given by address.
#[derive(Clone, Copy, Debug)]
pub struct ExternFn {
    pub address: usize,
}

impl JitModule {
    /// Builds a module: `build` lowers the checked module into a fresh context (and may
    /// optimize it, and take its checked copies out to compile on first use); then
    /// `backend` turns it into machine code, linked with `externs`.
    /// The LLVM context and module are gone when this returns.
    pub(crate) fn new(
        checked: &CheckedModule,
        map: &SourceMap,
        externs: &HashMap<String, ExternFn>,
        backend: &mut native::JitBackend,
        build: impl for<'c> FnOnce(
            &'c Context,
            &TargetMachine,
        )
            -> Result<(Module<'c>, Option<Box<LazyCopies>>), CodegenError>,
    ) -> Result<JitModule, CodegenError> {
        let context = Context::create();
        let (module, mut lazy) = build(&context, backend.target_machine())?;
        let mut symbols = Self::base_symbols(checked, externs);
        if let Some(l) = &mut lazy {
            l.link(&mut symbols);
        }
        let code = backend.emitter().emit(&module, |object| {
            native::LoadedObject::load(object, &symbols)
        })?;
        drop(module);
        drop(context);
        let home = vec![0; checked.kernels.len()];
        Self::from_objects(checked, map, vec![code], &home, lazy)
    }

    /// What a module's machine code links against besides its own symbols: the extern
    /// C functions it declares (those `externs` gives) and the runtime.
    pub(crate) fn base_symbols(
        checked: &CheckedModule,
        externs: &HashMap<String, ExternFn>,
    ) -> HashMap<String, usize> {
        let mut symbols: HashMap<String, usize> = checked
            .externs
            .iter()
            .filter_map(|x| externs.get(&x.name).map(|f| (x.name.clone(), f.address)))
            .collect();
        // `prange` loops call the runtime linked into this process (not exported to the
        // dynamic symbol table, so the table gives its address).
        symbols.insert(
            msp_rt::parallel::ENTRY.into(),
            msp_rt::parallel::msp_parallel_for as *const () as usize,
        );
        symbols
    }

    /// A module of loaded code: kernel `i`'s trampoline is in `code[home[i]]`.
    pub(crate) fn from_objects(
        checked: &CheckedModule,
        map: &SourceMap,
        code: Vec<native::LoadedObject>,
        home: &[usize],
        lazy: Option<Box<LazyCopies>>,
    ) -> Result<JitModule, CodegenError> {
        let mut jit = JitModule {
            code,
            lazy,
            kernels: HashMap::new(),
            order: Vec::new(),
            sites: Vec::new(),
            report: Default::default(),
        };
        for (k, &object) in checked.kernels.iter().zip(home) {
            let name = &k.sig.name;
            let trampoline = jit.code[object]
                .symbol(&format!("{JIT_SYMBOL_PREFIX}{name}{TRAMPOLINE_SUFFIX}"))
                .ok_or_else(|| CodegenError::new(format!("JIT lookup of `{name}` failed")))?;
            jit.kernels.insert(
                name.clone(),
                KernelEntry {
                    sig: k.sig.clone(),
                    trampoline,
                    slots: crate::abi::kernel_params(&k.sig).len(),
                    plan: CallPlan::of(&k.sig),
                    checked: !k.unchecked,
                },
            );
            jit.order.push(name.clone());
        }
        jit.sites = checked
            .fault_sites
            .iter()
            .map(|s| SiteInfo {
                kernel: s.kernel.clone(),
                location: map.file_location(s.span).to_string(),
                origin: map.origin_line(s.span).unwrap_or_default(),
                kind: s.kind.clone(),
            })
            .collect();
        Ok(jit)
    }

    pub(crate) fn with_report(mut self, report: crate::report::CompileReport) -> JitModule {
        self.report = report;
        self
    }

    /// Phase timings and, if asked for, the IR of this compilation.
    pub fn report(&self) -> &crate::report::CompileReport {
        &self.report
    }

    /// The kernels in source order, with their signatures.
    pub fn kernels(&self) -> impl Iterator<Item = &KernelSig> {
        self.order.iter().map(|n| &self.kernels[n].sig)
    }

    /// The signature of one kernel.
    pub fn signature(&self, name: &str) -> Option<&KernelSig> {
        self.kernels.get(name).map(|k| &k.sig)
    }

    /// A typed handle to a kernel; the Rust types must match the kernel's signature.
    ///
    /// `Args` is a tuple of scalars (`i32`, `f64`, `bool`, ...) and arrays (`&[T]`,
    /// `&mut [T]`, `&[[T; M]; N]`, ...); `Ret` is a scalar or `()`.
    ///
    /// # Errors
    /// [`SignatureError::Unchecked`] for a kernel compiled without run-time checks: its
    /// calls can corrupt memory, so they go through [`JitModule::unchecked_kernel`].
    pub fn kernel<Args: KernelArgs, Ret: KernelRet>(
        &self,
        name: &str,
    ) -> Result<Kernel<'_, Args, Ret>, SignatureError> {
        let handle = self.unchecked_kernel::<Args, Ret>(name)?;
        if !handle.entry.checked {
            return Err(SignatureError::Unchecked(name.to_string()));
        }
        Ok(Kernel { inner: handle })
    }

    /// A typed handle to any kernel, checked or not, whose calls are `unsafe`.
    pub fn unchecked_kernel<Args: KernelArgs, Ret: KernelRet>(
        &self,
        name: &str,
    ) -> Result<UncheckedKernel<'_, Args, Ret>, SignatureError> {
        let entry = self.entry(name)?;
        let sig = &entry.sig;
        let ok = Args::matches(sig) && Ret::matches(&sig.ret);
        if !ok {
            return Err(SignatureError::Mismatch {
                name: name.to_string(),
                actual: describe_sig(sig),
                requested: format!("fn{} -> {}", Args::describe(), Ret::describe()),
            });
        }
        Ok(UncheckedKernel {
            module: self,
            entry,
            _types: std::marker::PhantomData,
        })
    }

    fn entry(&self, name: &str) -> Result<&KernelEntry, SignatureError> {
        self.kernels
            .get(name)
            .ok_or_else(|| SignatureError::Unknown(name.to_string(), self.order.join(", ")))
    }

    /// Calls a kernel with arguments checked at run time (for hosts that learn the
    /// signature only from the module, like the CLI). Returns `None` for `-> None`.
    ///
    /// # Errors
    /// Besides argument errors and faults, [`CallError::Unchecked`] for a kernel compiled
    /// without run-time checks (see [`JitModule::call_dynamic_unchecked`]).
    pub fn call_dynamic(
        &self,
        name: &str,
        args: &mut [CallArg<'_>],
    ) -> Result<Option<ScalarValue>, CallError> {
        if self.entry(name).is_ok_and(|e| !e.checked) {
            return Err(CallError::Unchecked {
                kernel: name.into(),
            });
        }
        // SAFETY: the kernel checks its indexes and divisions itself.
        unsafe { self.call_dynamic_unchecked(name, args) }
    }

    /// [`JitModule::call_dynamic`] for any kernel, checked or not.
    ///
    /// # Safety
    /// For a kernel compiled without run-time checks, the caller must make sure that
    /// every index it computes is in range and no integer division or modulo divides by
    /// zero; an index out of range reads or writes memory outside the arrays passed.
    pub unsafe fn call_dynamic_unchecked(
        &self,
        name: &str,
        args: &mut [CallArg<'_>],
    ) -> Result<Option<ScalarValue>, CallError> {
        let entry = self.entry(name).map_err(|e| {
            CallError::Fault(Fault {
                kernel: name.into(),
                location: String::new(),
                message: e.to_string(),
                origin: None,
            })
        })?;
        let sig = &entry.sig;
        if args.len() != sig.params.len() {
            return Err(CallError::Arity {
                kernel: name.into(),
                expected: sig.params.len(),
                got: args.len(),
            });
        }
        let mut slots = vec![0u64; entry.slots.max(1)];
        let mut at = 0;
        for (k, arg) in args.iter().enumerate() {
            arg.pack(sig, &entry.plan, k, &mut slots, &mut at)?;
        }
        // SAFETY: every slot holds a value of the parameter's type, or a pointer to an
        // array of the element type with the extents in the slots after it; the caller
        // answers for what an unchecked kernel does with them.
        unsafe { self.invoke(entry, &slots) }
    }

    /// Calls the trampoline and decodes the result.
    ///
    /// # Safety
    /// `slots` must hold, for each parameter, a value of its type (arrays: a pointer to
    /// enough elements, writable if the kernel writes them).
    unsafe fn invoke(
        &self,
        entry: &KernelEntry,
        slots: &[u64],
    ) -> Result<Option<ScalarValue>, CallError> {
        // SAFETY: passed on from the caller.
        let ret = unsafe { invoke_raw(entry, slots) }.map_err(|f| self.fault_error(f))?;
        Ok(match &entry.sig.ret {
            Type::Scalar(s) => Some(ScalarValue::from_slot(*s, ret)),
            _ => None,
        })
    }

    /// The error for a fault record, out of line: the typed call's success path stays a
    /// few instructions (a `CallError` is large, and building or moving one on every
    /// call showed in profiles of small calls).
    #[cold]
    #[inline(never)]
    fn fault_error(&self, record: FaultRecord) -> CallError {
        CallError::Fault(self.fault(record))
    }

    fn fault(&self, record: FaultRecord) -> Fault {
        if record.site == lazy::COMPILE_FAILED_SITE
            && let Some(e) = self.lazy.as_ref().and_then(|l| l.error())
        {
            return Fault::at_site(
                "?",
                "?",
                "",
                format!("the checked copy of a loop could not be compiled: {e}"),
            );
        }
        match self.sites.get((record.site as usize).wrapping_sub(1)) {
            Some(site) => Fault::at_site(
                &site.kernel,
                &site.location,
                &site.origin,
                crate::abi::fault_message(&site.kind, &record),
            ),
            None => Fault::unknown_site(record.site),
        }
    }
}

/// Calls the trampoline: the return slot, or the fault record when the kernel faulted.
///
/// # Safety
/// As [`JitModule::invoke`].
#[inline]
unsafe fn invoke_raw(entry: &KernelEntry, slots: &[u64]) -> Result<u64, FaultRecord> {
    let mut ret = 0u64;
    let mut fault = FaultRecord::for_this_thread();
    // SAFETY: the address is the trampoline codegen emitted with this exact signature.
    let f: extern "C" fn(*const u64, *mut u64, *mut FaultRecord) =
        unsafe { std::mem::transmute(entry.trampoline) };
    f(slots.as_ptr(), &mut ret, &mut fault);
    if fault.site != 0 {
        return Err(fault);
    }
    Ok(ret)
}

/// How a signature reads in messages: `fn(int, Float[4][4]) -> float`.
pub fn describe_sig(sig: &KernelSig) -> String {
    let params: Vec<String> = sig.params.iter().map(|(_, t)| t.to_string()).collect();
    format!("fn({}) -> {}", params.join(", "), sig.ret)
}

/// A kernel with a checked Rust signature. Cheap to copy; borrows its module.
///
/// One handle serves any number of calls, each with its own borrows:
///
/// ```
/// let m = msp_core::driver::Compiler::new()
///     .jit_source("scale.py", "@compile\ndef scale(a: Float[3], k: float) -> None:\n    for i in range(3):\n        a[i] = a[i] * k\n")
///     .unwrap();
/// let scale = m.kernel::<(&mut [f32], f32), ()>("scale").unwrap();
/// let mut a = vec![1.0, 2.0, 3.0];
/// scale.call((&mut a, 2.0)).unwrap();
/// a[0] += 1.0;
/// scale.call((&mut a, 0.5)).unwrap();
/// assert_eq!(a, [1.5, 2.0, 3.0]);
/// ```
pub struct Kernel<'m, Args, Ret> {
    inner: UncheckedKernel<'m, Args, Ret>,
}

/// A typed handle to a kernel that may have no run-time checks: its calls are `unsafe`.
///
/// ```
/// let m = msp_core::driver::Compiler::new()
///     .jit_source("poke.py", "@compile(unchecked=True)\ndef poke(a: Int[4], i: int) -> None:\n    a[i] = 7\n")
///     .unwrap();
/// assert!(m.kernel::<(&mut [i32; 4], i32), ()>("poke").is_err());
/// let poke = m.unchecked_kernel::<(&mut [i32; 4], i32), ()>("poke").unwrap();
/// let mut a = [0; 4];
/// // SAFETY: 2 is in range for the 4 elements of `a`.
/// unsafe { poke.call((&mut a, 2)) }.unwrap();
/// assert_eq!(a, [0, 0, 7, 0]);
/// ```
pub struct UncheckedKernel<'m, Args, Ret> {
    module: &'m JitModule,
    entry: &'m KernelEntry,
    // Covariant in `Args`: the lifetimes written in a handle's argument types may
    // shrink at each call, so every call borrows its arguments for the call alone
    // (`fn(Args)` would make the first call's borrows last as long as the handle).
    _types: std::marker::PhantomData<fn() -> (Args, Ret)>,
}

impl<Args, Ret> fmt::Debug for Kernel<'_, Args, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl<Args, Ret> fmt::Debug for UncheckedKernel<'_, Args, Ret> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Kernel({} : {})",
            self.entry.sig.name,
            describe_sig(&self.entry.sig)
        )
    }
}

impl<Args, Ret> Clone for Kernel<'_, Args, Ret> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Args, Ret> Copy for Kernel<'_, Args, Ret> {}
impl<Args, Ret> Clone for UncheckedKernel<'_, Args, Ret> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Args, Ret> Copy for UncheckedKernel<'_, Args, Ret> {}

impl<Args: KernelArgs, Ret: KernelRet> Kernel<'_, Args, Ret> {
    /// Calls the kernel. Array lengths and shapes are checked; a checked kernel's fault
    /// comes back as [`CallError::Fault`].
    pub fn call(&self, args: Args) -> Result<Ret, CallError> {
        // SAFETY: `JitModule::kernel` hands out `Kernel`s of checked kernels only.
        unsafe { self.inner.call(args) }
    }
}

impl<Args: KernelArgs, Ret: KernelRet> UncheckedKernel<'_, Args, Ret> {
    /// Calls the kernel, checking array lengths and shapes as [`Kernel::call`] does.
    ///
    /// # Safety
    /// If the kernel was compiled without run-time checks, every index it computes must
    /// be in range and no integer division or modulo may divide by zero: an index out of
    /// range reads or writes memory outside the arrays passed.
    pub unsafe fn call(&self, args: Args) -> Result<Ret, CallError> {
        // Most signatures fit on the stack; a call allocates only beyond that. Zeroing
        // 32 slots on every call was a third of a small call's time (`call_probe`), so
        // the common signatures get 8.
        let n = self.entry.slots;
        // SAFETY (all three): passed on from the caller.
        if n <= 8 {
            unsafe { self.call_in(args, &mut [0u64; 8]) }
        } else if n <= 32 {
            unsafe { self.call_in(args, &mut [0u64; 32]) }
        } else {
            unsafe { self.call_in(args, &mut vec![0u64; n]) }
        }
    }

    /// [`Self::call`] with `slots` (at least the signature's slot count) to pack into.
    ///
    /// # Safety
    /// As [`Self::call`].
    #[inline(always)]
    unsafe fn call_in(&self, mut args: Args, slots: &mut [u64]) -> Result<Ret, CallError> {
        args.pack(&self.entry.sig, &self.entry.plan, slots)?;
        // SAFETY: `unchecked_kernel()` checked the types against the signature and
        // `pack` the lengths and shapes, so each slot holds what the kernel expects; the
        // caller answers for an unchecked kernel's indexes.
        let r = unsafe { invoke_raw(self.entry, slots) }.map_err(|f| self.module.fault_error(f))?;
        Ok(Ret::from_slot(r))
    }
}

impl fmt::Debug for JitModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JitModule")
            .field("kernels", &self.order)
            .finish()
    }
}

/// Resolves a C symbol in the running process (its libc and anything it loaded).
pub fn process_symbol(name: &str) -> Option<usize> {
    load_process_symbols();
    inkwell::support::search_for_address_of_symbol(name)
}

/// Makes the process's own symbols visible to LLVM's symbol search, once.
fn load_process_symbols() {
    static LOAD: std::sync::Once = std::sync::Once::new();
    LOAD.call_once(inkwell::support::load_visible_symbols);
}
