//! Lowering typed kernels to LLVM IR: allocas for locals, blocks for control flow,
//! cold blocks for faults. `mem2reg` and the O3 pipeline do the rest.

use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::intrinsics::Intrinsic as LlvmIntrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValueEnum, FloatValue, FunctionValue, IntValue, PhiValue,
    PointerValue,
};
use inkwell::{AddressSpace, FloatPredicate, IntPredicate};

use super::{CodegenError, CodegenOptions, Placement, TRAMPOLINE_SUFFIX};
use crate::abi::{self, AbiParam};
use crate::ast::CmpOp;
use crate::check::hir::*;
use crate::check::{CheckedModule, Extent, Scalar, Type};

pub(super) mod cold;
mod par;

type Res<T> = Result<T, CodegenError>;

/// Stack left before a recursive step grows the stack, and how much it adds.
const RED_ZONE: usize = 128 * 1024;
const STACK_GROWTH: usize = 4 * 1024 * 1024;

pub(super) fn lower_module<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    checked: &CheckedModule,
    opts: &CodegenOptions,
    cpu: &str,
    features: &str,
) -> Res<()> {
    let types = Types::new(ctx);
    let mut fns = Vec::new();
    let placement = |i: usize| opts.placement.as_ref().map_or(Placement::Here, |p| p[i]);
    for (i, k) in checked.kernels.iter().enumerate() {
        let f = declare_kernel(ctx, module, &types, &k.sig, &opts.symbol_prefix);
        if matches!(placement(i), Placement::Elsewhere | Placement::Trampoline) {
            fns.push(f);
            continue;
        }
        for attr in [
            ctx.create_string_attribute("target-cpu", cpu),
            ctx.create_string_attribute("target-features", features),
        ] {
            f.add_attribute(AttributeLoc::Function, attr);
        }
        f.add_attribute(AttributeLoc::Function, enum_attr(ctx, "nounwind", 0));
        if k.noinline {
            f.add_attribute(AttributeLoc::Function, enum_attr(ctx, "noinline", 0));
        }
        let internal = match placement(i) {
            Placement::Here => opts.internal_kernels && opts.trampolines,
            Placement::Copy => true,
            Placement::Exported | Placement::Elsewhere | Placement::Trampoline => false,
        };
        if internal {
            f.set_linkage(Linkage::Internal);
        }
        fns.push(f);
    }
    let par_count = std::cell::Cell::new(0);
    let scatter_stores = features.split(',').any(|f| f == "+avx512f");
    let mut externs = Vec::new();
    for x in &checked.externs {
        externs.push(declare_extern(ctx, module, &types, x));
    }
    for (i, (k, &f)) in checked.kernels.iter().zip(&fns).enumerate() {
        match placement(i) {
            Placement::Here | Placement::Exported | Placement::Copy => {}
            Placement::Elsewhere => continue,
            Placement::Trampoline => {
                if opts.trampolines {
                    emit_trampoline(ctx, module, &types, k, f, &opts.symbol_prefix, false)?;
                }
                continue;
            }
        }
        let mut fb = FnLower {
            ctx,
            module,
            builder: ctx.create_builder(),
            types: &types,
            kernel: k,
            func: f,
            kernels: &fns,
            kernel_sigs: checked.kernels.iter().map(|k| &k.sig).collect(),
            externs: &externs,
            extern_sigs: &checked.externs,
            slots: Vec::new(),
            labels: Vec::new(),
            loops: Vec::new(),
            fault_ptr: f
                .get_last_param()
                .expect("fault parameter")
                .into_pointer_value(),
            fault_exit: None,
            fault_return: None,
            active_guards: Vec::new(),
            pre_guarded: Vec::new(),
            in_checked_copy: 0,
            outlined: false,
            cold_env: None,
            assigned: Vec::new(),
            par_count: &par_count,
            scatter_stores,
            opts,
        };
        fb.lower()?;
        if opts.trampolines && placement(i) == Placement::Here {
            // Inlined up front (see `CodegenOptions::internal_kernels`).
            let inline = opts.internal_kernels && !k.noinline;
            emit_trampoline(ctx, module, &types, k, f, &opts.symbol_prefix, inline)?;
        }
    }
    Ok(())
}

fn enum_attr(ctx: &Context, name: &str, val: u64) -> Attribute {
    ctx.create_enum_attribute(Attribute::get_named_enum_kind_id(name), val)
}

struct Types<'ctx> {
    ptr: inkwell::types::PointerType<'ctx>,
    i64: inkwell::types::IntType<'ctx>,
    i32: inkwell::types::IntType<'ctx>,
    i8: inkwell::types::IntType<'ctx>,
    i1: inkwell::types::IntType<'ctx>,
    ctx: &'ctx Context,
}

impl<'ctx> Types<'ctx> {
    fn new(ctx: &'ctx Context) -> Self {
        Types {
            ptr: ctx.ptr_type(AddressSpace::default()),
            i64: ctx.i64_type(),
            i32: ctx.i32_type(),
            i8: ctx.i8_type(),
            i1: ctx.bool_type(),
            ctx,
        }
    }

    /// The type of a value in registers (bool is i1).
    fn reg(&self, s: Scalar) -> BasicTypeEnum<'ctx> {
        match s {
            Scalar::Bool => self.i1.into(),
            Scalar::I8 | Scalar::U8 => self.i8.into(),
            Scalar::I16 | Scalar::U16 => self.ctx.i16_type().into(),
            Scalar::I32 | Scalar::U32 => self.i32.into(),
            Scalar::I64 | Scalar::U64 => self.i64.into(),
            Scalar::F32 => self.ctx.f32_type().into(),
            Scalar::F64 => self.ctx.f64_type().into(),
        }
    }

    /// The type in memory and at the ABI boundary (bool is a byte).
    fn mem(&self, s: Scalar) -> BasicTypeEnum<'ctx> {
        if s == Scalar::Bool {
            self.i8.into()
        } else {
            self.reg(s)
        }
    }
}

/// `signext`/`zeroext` for small integers at the C ABI boundary.
fn ext_attr(ctx: &Context, s: Scalar) -> Option<Attribute> {
    match s {
        Scalar::Bool | Scalar::U8 | Scalar::U16 => Some(enum_attr(ctx, "zeroext", 0)),
        Scalar::I8 | Scalar::I16 => Some(enum_attr(ctx, "signext", 0)),
        _ => None,
    }
}

/// The C ABI's extension attributes of a signature (`params[i]` is `None` for a
/// pointer). A declaration and each call of it must carry the same ones: a callee may
/// rely on its caller having extended a small integer.
fn ext_attrs(
    ctx: &Context,
    params: impl IntoIterator<Item = Option<Scalar>>,
    ret: &Type,
) -> Vec<(AttributeLoc, Attribute)> {
    let mut out: Vec<(AttributeLoc, Attribute)> = params
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| Some((AttributeLoc::Param(i as u32), ext_attr(ctx, s?)?)))
        .collect();
    if let Some(a) = ret.scalar().and_then(|s| ext_attr(ctx, s)) {
        out.push((AttributeLoc::Return, a));
    }
    out
}

/// [`ext_attrs`] of a kernel (its arrays are pointers and `i64` extents; the fault
/// pointer that follows them has none).
fn kernel_ext_attrs(ctx: &Context, sig: &KernelSig) -> Vec<(AttributeLoc, Attribute)> {
    let params = abi::kernel_params(sig).into_iter().map(|p| match p {
        AbiParam::Scalar { ty, .. } => Some(ty),
        AbiParam::Data { .. } | AbiParam::Extent { .. } => None,
    });
    ext_attrs(ctx, params, &sig.ret)
}

/// [`ext_attrs`] of an external C function.
fn extern_ext_attrs(ctx: &Context, x: &ExternSig) -> Vec<(AttributeLoc, Attribute)> {
    ext_attrs(ctx, x.params.iter().map(|&s| Some(s)), &x.ret)
}

/// The LLVM function type of a C-ABI signature: scalars as their memory types
/// (`bool` is a byte), `None` as `void`.
fn c_fn_type<'ctx>(
    t: &Types<'ctx>,
    params: &[BasicMetadataTypeEnum<'ctx>],
    ret: &Type,
) -> inkwell::types::FunctionType<'ctx> {
    match ret {
        Type::Scalar(s) => t.mem(*s).fn_type(params, false),
        _ => t.ctx.void_type().fn_type(params, false),
    }
}

fn declare_kernel<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    t: &Types<'ctx>,
    sig: &KernelSig,
    prefix: &str,
) -> FunctionValue<'ctx> {
    let abi_params = abi::kernel_params(sig);
    let mut params: Vec<BasicMetadataTypeEnum> = abi_params
        .iter()
        .map(|p| match p {
            AbiParam::Scalar { ty, .. } => t.mem(*ty).into(),
            AbiParam::Data { .. } => t.ptr.into(),
            AbiParam::Extent { .. } => t.i64.into(),
        })
        .collect();
    params.push(t.ptr.into());
    let f = module.add_function(
        &format!("{prefix}{}", sig.name),
        c_fn_type(t, &params, &sig.ret),
        Some(Linkage::External),
    );
    for (loc, a) in kernel_ext_attrs(ctx, sig) {
        f.add_attribute(loc, a);
    }
    for (i, p) in abi_params.iter().enumerate() {
        let AbiParam::Data { param, elem, .. } = *p else {
            continue;
        };
        let Type::Array(a) = &sig.params[param].1 else {
            continue;
        };
        // Arrays never overlap (the checker refuses the same array twice in one call;
        // Rust's borrows and the C contract promise it at the boundary).
        let mut attrs = vec![
            enum_attr(ctx, "noalias", 0),
            enum_attr(ctx, "nocapture", 0),
            enum_attr(ctx, "align", elem.size()),
        ];
        // Only a fixed-extent array has a size known here; a `:` array may be empty.
        if let Some(n) = a.len() {
            attrs.push(enum_attr(ctx, "dereferenceable", n * elem.size()));
        }
        for attr in attrs {
            f.add_attribute(AttributeLoc::Param(i as u32), attr);
        }
    }
    f
}

fn declare_extern<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    t: &Types<'ctx>,
    x: &ExternSig,
) -> FunctionValue<'ctx> {
    if let Some(f) = module.get_function(&x.name) {
        return f;
    }
    let params: Vec<BasicMetadataTypeEnum> = x.params.iter().map(|&s| t.mem(s).into()).collect();
    let f = module.add_function(
        &x.name,
        c_fn_type(t, &params, &x.ret),
        Some(Linkage::External),
    );
    for (loc, a) in extern_ext_attrs(ctx, x) {
        f.add_attribute(loc, a);
    }
    f
}

/// `void k__msp_call(u64 *args, void *ret, fault *f)`: unpacks one 8-byte slot per
/// parameter, so a host can call any kernel without knowing its signature statically.
fn emit_trampoline<'ctx>(
    ctx: &'ctx Context,
    module: &Module<'ctx>,
    t: &Types<'ctx>,
    k: &TypedKernel,
    target: FunctionValue<'ctx>,
    prefix: &str,
    inline: bool,
) -> Res<()> {
    let fn_ty = ctx
        .void_type()
        .fn_type(&[t.ptr.into(), t.ptr.into(), t.ptr.into()], false);
    let f = module.add_function(
        &format!("{prefix}{}{TRAMPOLINE_SUFFIX}", k.sig.name),
        fn_ty,
        Some(Linkage::External),
    );
    let b = ctx.create_builder();
    b.position_at_end(ctx.append_basic_block(f, "entry"));
    let args = f.get_nth_param(0).expect("param").into_pointer_value();
    let ret = f.get_nth_param(1).expect("param").into_pointer_value();
    let fault = f.get_nth_param(2).expect("param").into_pointer_value();
    let mut call_args: Vec<BasicMetadataValueEnum> = Vec::new();
    for (i, p) in abi::kernel_params(&k.sig).iter().enumerate() {
        // SAFETY of the IR: slot i of the host's argument array; the host allocates one
        // per argument of the calling convention.
        let slot = unsafe {
            b.build_in_bounds_gep(t.i64, args, &[t.i64.const_int(i as u64, false)], "slot")?
        };
        let v = match p {
            AbiParam::Scalar { ty, .. } => b.build_load(t.mem(*ty), slot, "arg")?,
            AbiParam::Data { .. } => b.build_load(t.ptr, slot, "arr")?,
            AbiParam::Extent { .. } => b.build_load(t.i64, slot, "extent")?,
        };
        call_args.push(v.into());
    }
    call_args.push(fault.into());
    let call = b.build_call(target, &call_args, "r")?;
    for (loc, a) in kernel_ext_attrs(ctx, &k.sig) {
        call.add_attribute(loc, a);
    }
    if inline {
        call.add_attribute(AttributeLoc::Function, enum_attr(ctx, "alwaysinline", 0));
    }
    if let inkwell::values::ValueKind::Basic(v) = call.try_as_basic_value() {
        b.build_store(ret, v)?;
    }
    b.build_return(None)?;
    Ok(())
}

enum Slot<'ctx> {
    Scalar(PointerValue<'ctx>, Scalar),
    /// A counter kept at 64 bits ([`crate::check::hir::Local::wide`]): an `i64` slot
    /// holding the value extended by its type's signedness.
    Wide(PointerValue<'ctx>, Scalar),
    /// An array: its first element and, per axis, its extent as an `i64` (a constant for
    /// a fixed axis, the caller's argument for a `:` axis).
    Array(PointerValue<'ctx>, Vec<IntValue<'ctx>>),
}

/// A `for v in range(...)` statement's parts, as [`TStmt::ForRange`] holds them.
struct RangeLoop<'a> {
    var: LocalId,
    start: &'a TExpr,
    stop: &'a TExpr,
    step: &'a TExpr,
    step_site: Option<SiteId>,
    body: &'a [TStmt],
    orelse: &'a [TStmt],
    guards: &'a [GuardedAxis],
}

/// What the versioning of a loop needs ([`FnLower::versioned`]): its counter, the
/// bound it stays below (evaluated once, as an `i64` extended by `stop_ty`'s
/// signedness), the (array, axis) pairs its guard tests, and its body.
struct RangeGuards<'a, 'ctx> {
    /// Names the copies' blocks: `for` or `while`.
    kind: &'static str,
    var: LocalId,
    stop: IntValue<'ctx>,
    stop_ty: Scalar,
    guards: &'a [GuardedAxis],
    body: &'a [TStmt],
}

/// A loop that [`FnLower::versioned`] emits twice: a `range` loop with its bounds
/// (evaluated once, before the copies) and whether its counter runs at 64 bits, or a
/// `while` loop.
#[derive(Clone, Copy)]
enum LoopCopy<'l, 'ctx> {
    Range {
        r: &'l RangeLoop<'l>,
        bounds: (IntValue<'ctx>, IntValue<'ctx>, IntValue<'ctx>),
        wide: bool,
    },
    While {
        cond: &'l TExpr,
        body: &'l [TStmt],
    },
}

struct LoopTargets<'ctx> {
    cont: BasicBlock<'ctx>,
    brk: BasicBlock<'ctx>,
}

struct FnLower<'a, 'ctx> {
    ctx: &'ctx Context,
    module: &'a Module<'ctx>,
    builder: Builder<'ctx>,
    types: &'a Types<'ctx>,
    kernel: &'a TypedKernel,
    func: FunctionValue<'ctx>,
    kernels: &'a [FunctionValue<'ctx>],
    kernel_sigs: Vec<&'a KernelSig>,
    externs: &'a [FunctionValue<'ctx>],
    extern_sigs: &'a [ExternSig],
    slots: Vec<Slot<'ctx>>,
    labels: Vec<BasicBlock<'ctx>>,
    loops: Vec<LoopTargets<'ctx>>,
    fault_ptr: PointerValue<'ctx>,
    fault_exit: Option<FaultExit<'ctx>>,
    /// See [`Self::fault_return`].
    fault_return: Option<BasicBlock<'ctx>>,
    /// Counters of the enclosing `for` loops being emitted as their guarded copy
    /// ([`TStmt::ForRange::guards`]).
    active_guards: Vec<LocalId>,
    /// Nested `range` loops (by their `guards`) whose guards an enclosing loop being
    /// emitted as its guarded copy has tested already (see [`Self::for_range`]).
    pre_guarded: Vec<*const GuardedAxis>,
    /// Inside the checked copy of a versioned loop (how many deep): it runs only when a
    /// guard fails, that is on the way to a fault, so its loops are left rolled and
    /// scalar ([`Self::latch_branch`]).
    in_checked_copy: u32,
    /// Lowering the outlined body of a parallel loop: returns are `ret void`.
    outlined: bool,
    /// Lowering an outlined checked copy (`cold::ColdCopy`): its `env`, where a
    /// `return` leaves its value.
    cold_env: Option<PointerValue<'ctx>>,
    /// In an outlined body: a flag per private local of its loop, set when the chunk
    /// assigns the local (see `par::par_for`).
    assigned: Vec<(LocalId, PointerValue<'ctx>)>,
    /// Parallel loops outlined so far in this module (names their functions).
    par_count: &'a std::cell::Cell<usize>,
    opts: &'a CodegenOptions,
    /// The target stores a vector to scattered addresses (AVX-512): see
    /// [`Self::latch_branch`].
    scatter_stores: bool,
}

/// The one fault exit block of a function and the phis that feed the record.
#[derive(Clone, Copy)]
struct FaultExit<'ctx> {
    block: BasicBlock<'ctx>,
    site: PhiValue<'ctx>,
    value: PhiValue<'ctx>,
    extent: PhiValue<'ctx>,
}

impl<'a, 'ctx> FnLower<'a, 'ctx> {
    fn lower(&mut self) -> Res<()> {
        let entry = self.ctx.append_basic_block(self.func, "entry");
        self.builder.position_at_end(entry);
        let t = self.types;
        // Slots are allocated at the top of the entry block (`entry_alloca`), so the stack
        // test comes after them but before anything touches the frame.
        if let Some(site) = self.kernel.stack_site {
            self.stack_test(site)?;
        }
        let mut param_index = 0u32;
        for local in &self.kernel.locals {
            let slot = match &local.ty {
                Type::Scalar(s) => {
                    let slot_ty = if local.wide { t.i64.into() } else { t.reg(*s) };
                    let p = self.entry_alloca(slot_ty, &local.name)?;
                    let init = if local.is_param {
                        let v = self.func.get_nth_param(param_index).expect("param");
                        param_index += 1;
                        self.abi_to_reg(v, *s)?
                    } else {
                        // Every local starts zeroed: a read the checker could not rule out
                        // (through `goto`) sees 0, never an undefined value.
                        zero(t, *s)
                    };
                    if local.wide {
                        let init = self.widen(init.into_int_value(), *s)?;
                        self.builder.build_store(p, init)?;
                        Slot::Wide(p, *s)
                    } else {
                        self.builder.build_store(p, init)?;
                        Slot::Scalar(p, *s)
                    }
                }
                Type::Array(a) if local.is_param => {
                    let v = self
                        .func
                        .get_nth_param(param_index)
                        .expect("param")
                        .into_pointer_value();
                    param_index += 1;
                    let mut extents = Vec::with_capacity(a.dims.len());
                    for d in &a.dims {
                        extents.push(match d {
                            Extent::Fixed(n) => t.i64.const_int(*n, false),
                            Extent::Runtime => {
                                let e = self.func.get_nth_param(param_index).expect("extent");
                                param_index += 1;
                                e.into_int_value()
                            }
                        });
                    }
                    Slot::Array(v, extents)
                }
                Type::Array(a) => {
                    let n = a.len().unwrap_or(0);
                    // The checker's stack limit keeps `n` far below u32::MAX; never truncate.
                    let n32 = u32::try_from(n)
                        .map_err(|_| CodegenError::new("local array too large for the stack"))?;
                    let arr_ty = t.mem(a.elem).array_type(n32);
                    let p = self.entry_alloca(arr_ty.into(), &local.name)?;
                    let bytes = t.i64.const_int(n * a.elem.size(), false);
                    self.builder
                        .build_memset(p, a.elem.size() as u32, t.i8.const_zero(), bytes)?;
                    let extents = a
                        .dims
                        .iter()
                        .map(|d| t.i64.const_int(d.fixed().unwrap_or(0), false))
                        .collect();
                    Slot::Array(p, extents)
                }
                Type::None => unreachable!("no None locals"),
            };
            self.slots.push(slot);
        }
        for name in &self.kernel.labels {
            self.labels.push(
                self.ctx
                    .append_basic_block(self.func, &format!("label.{name}")),
            );
        }
        let body = &self.kernel.body;
        self.block(body)?;
        if !self.terminated() {
            self.return_zero()?;
        }
        Ok(())
    }

    fn abi_to_reg(&self, v: BasicValueEnum<'ctx>, s: Scalar) -> Res<BasicValueEnum<'ctx>> {
        if s == Scalar::Bool {
            let b = self.builder.build_int_compare(
                IntPredicate::NE,
                v.into_int_value(),
                self.types.i8.const_zero(),
                "b",
            )?;
            return Ok(b.into());
        }
        Ok(v)
    }

    fn reg_to_abi(&self, v: BasicValueEnum<'ctx>, s: Scalar) -> Res<BasicValueEnum<'ctx>> {
        if s == Scalar::Bool {
            return Ok(self
                .builder
                .build_int_z_extend(v.into_int_value(), self.types.i8, "b8")?
                .into());
        }
        Ok(v)
    }

    fn terminated(&self) -> bool {
        self.builder
            .get_insert_block()
            .and_then(|b| b.get_terminator())
            .is_some()
    }

    /// After a jump or return, code that follows in the same block is unreachable; give it
    /// a fresh block so lowering can go on (LLVM deletes it).
    fn open_block(&mut self) {
        if self.terminated() {
            let bb = self.ctx.append_basic_block(self.func, "dead");
            self.builder.position_at_end(bb);
        }
    }

    fn return_zero(&self) -> Res<()> {
        if self.cold_env.is_some() {
            self.builder
                .build_return(Some(&self.types.i32.const_int(cold::FAULTED, false)))?;
            return Ok(());
        }
        if self.outlined {
            self.builder.build_return(None)?;
            return Ok(());
        }
        match &self.kernel.sig.ret {
            Type::Scalar(s) => {
                let z = self.reg_to_abi(zero(self.types, *s), *s)?;
                self.builder.build_return(Some(&z))?;
            }
            _ => {
                self.builder.build_return(None)?;
            }
        }
        Ok(())
    }

    fn block(&mut self, stmts: &[TStmt]) -> Res<()> {
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || self.block_inner(stmts))
    }

    fn block_inner(&mut self, stmts: &[TStmt]) -> Res<()> {
        for s in stmts {
            self.open_block();
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &TStmt) -> Res<()> {
        match s {
            TStmt::Assign { local, value } => {
                match self.slots[local.0 as usize] {
                    Slot::Scalar(p, _) => {
                        let v = self.expr(value)?;
                        self.builder.build_store(p, v)?;
                    }
                    Slot::Wide(p, s) => {
                        let v = self.expr_at_64(value, s)?;
                        self.builder.build_store(p, v)?;
                    }
                    Slot::Array(..) => unreachable!("scalar local"),
                }
                self.mark_assigned(*local)?;
            }
            TStmt::Store { place, value } => {
                // Python evaluates the value before the target's indexes.
                let v = self.expr(value)?;
                let ptr = self.place_ptr(place)?;
                let v = self.reg_to_abi(v, place.ty.elem)?;
                self.builder.build_store(ptr, v)?;
            }
            TStmt::StoreUpdate {
                place,
                op,
                value,
                site,
            } => {
                let ptr = self.place_ptr(place)?;
                let elem = place.ty.elem;
                let old = self.builder.build_load(self.types.mem(elem), ptr, "old")?;
                let old = self.abi_to_reg(old, elem)?;
                let v = self.expr(value)?;
                let new = self.arith(*op, elem, old, v, *site)?;
                let new = self.reg_to_abi(new, elem)?;
                self.builder.build_store(ptr, new)?;
            }
            TStmt::Expr(e) => {
                self.expr_any(e)?;
            }
            TStmt::If { cond, then, orelse } => {
                let then_bb = self.ctx.append_basic_block(self.func, "then");
                let else_bb = self.ctx.append_basic_block(self.func, "else");
                let end_bb = self.ctx.append_basic_block(self.func, "endif");
                self.branch_on(cond, then_bb, else_bb)?;
                self.builder.position_at_end(then_bb);
                self.block(then)?;
                self.branch_if_open(end_bb)?;
                self.builder.position_at_end(else_bb);
                self.block(orelse)?;
                self.branch_if_open(end_bb)?;
                self.builder.position_at_end(end_bb);
            }
            TStmt::While {
                cond,
                body,
                orelse,
                guards,
            } => {
                let else_bb = self.ctx.append_basic_block(self.func, "while.else");
                let exit = self.ctx.append_basic_block(self.func, "while.exit");
                match guards.as_deref() {
                    Some(g) if !g.axes.is_empty() && self.in_checked_copy == 0 => {
                        // The limit is a literal, an extent or a local: evaluating it
                        // once more cannot fault or change anything.
                        let stop = self.expr(&g.limit)?.into_int_value();
                        let g = RangeGuards {
                            kind: "while",
                            var: g.var,
                            stop: self.widen_to_i64(stop, g.limit.ty)?,
                            stop_ty: g.limit.ty,
                            guards: &g.axes,
                            body,
                        };
                        self.versioned(&g, LoopCopy::While { cond, body }, else_bb, exit)?;
                    }
                    _ => self.while_copy(cond, body, else_bb, exit)?,
                }
                self.builder.position_at_end(else_bb);
                self.block(orelse)?;
                self.branch_if_open(exit)?;
                self.builder.position_at_end(exit);
            }
            TStmt::ForRange {
                var,
                start,
                stop,
                step,
                step_site,
                body,
                orelse,
                guards,
            } => {
                let range = RangeLoop {
                    var: *var,
                    start,
                    stop,
                    step,
                    step_site: *step_site,
                    body,
                    orelse,
                    guards,
                };
                self.for_range(&range)?;
            }
            TStmt::ParFor(p) => self.par_for(p)?,
            TStmt::Break => {
                let t = self
                    .loops
                    .last()
                    .expect("checker rejects break outside loops")
                    .brk;
                self.builder.build_unconditional_branch(t)?;
            }
            TStmt::Continue => {
                let t = self
                    .loops
                    .last()
                    .expect("checker rejects continue outside loops")
                    .cont;
                self.builder.build_unconditional_branch(t)?;
            }
            TStmt::Return(v) if self.cold_env.is_some() => self.cold_return(v.as_ref())?,
            TStmt::Return(v) => match v {
                Some(e) => {
                    let v = self.expr(e)?;
                    let v = self.reg_to_abi(v, e.ty)?;
                    self.builder.build_return(Some(&v))?;
                }
                None => {
                    self.builder.build_return(None)?;
                }
            },
            TStmt::Label(id) => {
                let bb = self.labels[id.0 as usize];
                self.branch_if_open(bb)?;
                self.builder.position_at_end(bb);
            }
            TStmt::Goto(id) => {
                let bb = self.labels[id.0 as usize];
                self.builder.build_unconditional_branch(bb)?;
            }
        }
        Ok(())
    }

    fn branch_if_open(&self, bb: BasicBlock<'ctx>) -> Res<()> {
        if !self.terminated() {
            self.builder.build_unconditional_branch(bb)?;
        }
        Ok(())
    }

    fn for_range(&mut self, r: &RangeLoop<'_>) -> Res<()> {
        let ty = r.start.ty;
        let unit_step = crate::check::counting::unit_step(r.step, ty);
        // A counter that steps by ±1 runs at 64 bits (extended by signedness): it stays
        // between `start` and `stop`, so it equals the extension of the narrow counter,
        // and LLVM gets a 64-bit induction variable instead of widening one.
        let wide = unit_step && ty.bits() < 64;
        let bound = |this: &mut Self, e: &TExpr| -> Res<IntValue<'ctx>> {
            let v = this.expr(e)?.into_int_value();
            if wide { this.widen(v, ty) } else { Ok(v) }
        };
        let start_v = bound(self, r.start)?;
        let stop_v = bound(self, r.stop)?;
        let step_v = bound(self, r.step)?;
        if let Some(site) = r.step_site {
            let is_zero = self.builder.build_int_compare(
                IntPredicate::EQ,
                step_v,
                step_v.get_type().const_zero(),
                "step0",
            )?;
            self.fault_if(is_zero, site, self.types.i64.const_zero())?;
        }
        let bounds = (start_v, stop_v, step_v);
        let else_bb = self.ctx.append_basic_block(self.func, "for.else");
        let exit = self.ctx.append_basic_block(self.func, "for.exit");
        if r.guards.is_empty() || self.in_checked_copy > 0 {
            self.range_copy(r, bounds, wide, else_bb, exit)?;
        } else {
            let g = RangeGuards {
                kind: "for",
                var: r.var,
                stop: self.widen_to_i64(stop_v, ty)?,
                stop_ty: ty,
                guards: r.guards,
                body: r.body,
            };
            self.versioned(&g, LoopCopy::Range { r, bounds, wide }, else_bb, exit)?;
        }
        self.builder.position_at_end(else_bb);
        self.block(r.orelse)?;
        self.branch_if_open(exit)?;
        self.builder.position_at_end(exit);
        Ok(())
    }

    /// Emits a versioned loop (a `range` loop or a counting `while`) from the current
    /// block: one test before the loop that every guarded access stays in range on
    /// every iteration (`stop <= extent`), then the copy without their checks, else the
    /// checked loop, which faults where it would. `copy` emits one copy of the loop.
    ///
    /// Inside a checked copy nothing is versioned again: that code runs only on the way
    /// to a fault, so one checked copy of each inner loop is enough. A loop whose guards
    /// an enclosing loop tested already is emitted as its guarded copy alone.
    fn versioned(
        &mut self,
        g: &RangeGuards<'_, 'ctx>,
        copy: LoopCopy<'_, 'ctx>,
        else_bb: BasicBlock<'ctx>,
        exit: BasicBlock<'ctx>,
    ) -> Res<()> {
        if self.in_checked_copy > 0 {
            return self.loop_copy(copy, else_bb, exit);
        }
        if self.pre_guarded.contains(&g.guards.as_ptr()) {
            self.active_guards.push(g.var);
            let copied = self.loop_copy(copy, else_bb, exit);
            self.active_guards.pop();
            return copied;
        }
        let mut all = self.guards_hold(g.guards, guard_pred(g.stop_ty), g.stop)?;
        // The guards of nested loops whose `stop` is the same on every entry (a literal,
        // an extent, or a local this loop does not assign) are tested here too, and
        // those loops are emitted as their guarded copy alone: a nest has one guarded
        // and one checked copy, not a checked copy of each inner loop inside the
        // guarded outer one (which made the O3 time of a `Float[:][:]` transpose 2.8×
        // its fixed twin's).
        let mut nested = Vec::new();
        hoistable_guards(g.body, g.body, &mut nested);
        let (base, mut hoisted) = (self.pre_guarded.len(), 0);
        for (stop, guards) in nested {
            if hoisted + guards.len() > MAX_HOISTED_GUARDS
                || self.pre_guarded.contains(&guards.as_ptr())
            {
                continue;
            }
            hoisted += guards.len();
            let v = self.expr(stop)?.into_int_value();
            let v = self.widen_to_i64(v, stop.ty)?;
            let ok = self.guards_hold(guards, guard_pred(stop.ty), v)?;
            all = self.builder.build_and(all, ok, "guards")?;
            self.pre_guarded.push(guards.as_ptr());
        }
        let fast = (self.ctx).append_basic_block(self.func, &format!("{}.guarded", g.kind));
        let slow = (self.ctx).append_basic_block(self.func, &format!("{}.checked", g.kind));
        let all = self.expect_bool(all, true, "likely")?;
        self.builder.build_conditional_branch(all, fast, slow)?;
        self.builder.position_at_end(fast);
        self.active_guards.push(g.var);
        let copied = self.loop_copy(copy, else_bb, exit);
        self.active_guards.pop();
        self.pre_guarded.truncate(base);
        copied?;
        self.builder.position_at_end(slow);
        if self.can_outline(g.body) {
            return self.cold_copy(copy, else_bb, exit);
        }
        self.in_checked_copy += 1;
        let copied = self.loop_copy(copy, else_bb, exit);
        self.in_checked_copy -= 1;
        copied
    }

    /// One copy of a loop (see [`LoopCopy`]), leaving to `else_bb` when its range is
    /// exhausted or its condition fails and to `exit` on `break`.
    fn loop_copy(
        &mut self,
        copy: LoopCopy<'_, 'ctx>,
        else_bb: BasicBlock<'ctx>,
        exit: BasicBlock<'ctx>,
    ) -> Res<()> {
        match copy {
            LoopCopy::Range { r, bounds, wide } => self.range_copy(r, bounds, wide, else_bb, exit),
            LoopCopy::While { cond, body } => self.while_copy(cond, body, else_bb, exit),
        }
    }

    /// `v` (an integer of type `ty`) as an `i64`, extended by `ty`'s signedness.
    fn widen_to_i64(&mut self, v: IntValue<'ctx>, ty: Scalar) -> Res<IntValue<'ctx>> {
        if v.get_type().get_bit_width() < 64 {
            self.widen(v, ty)
        } else {
            Ok(v)
        }
    }

    /// One copy of a `while` loop, from the current block: it leaves to `else_bb` when
    /// the condition fails and to `exit` on `break`.
    ///
    /// Emitted in rotated form: the condition is tested before the first iteration
    /// (while.head) and again at the bottom (while.latch), which is where `continue`
    /// goes. LLVM's loop rotation would otherwise do this to every loop, and on a huge
    /// generated kernel (a Brainfuck program: hundreds of nested loops) each rotation
    /// makes scalar evolution forget the whole loop nest, quadratic in the kernel's size.
    ///
    /// The one exception: in the guarded copy of a versioned loop, a `while` with a loop
    /// in its body keeps its test at the top and a plain back edge, marked
    /// `llvm.loop.unroll.runtime.disable`. On a Zen 3 (whose scheduling model lets LLVM
    /// unroll loops of a few hundred micro-ops) LLVM unrolled the outer loop of the
    /// naive transpose over `Float[:][:]` by 4 with a remainder, five copies of the
    /// inner loop, and loop strength reduction took 12 ms of a 41 ms compile (the
    /// fixed twin: 16 ms). In rotated form the outer test folds away (the inner loop ran
    /// only if it holds) and that fold drops the latch's metadata; the plain back edge
    /// keeps it through LLVM's own rotation: 13.5 ms, against 12.3 for the twin, and
    /// the same run time (0.97–0.99× C, `loop_probe tri`).
    fn while_copy(
        &mut self,
        cond: &TExpr,
        body: &[TStmt],
        else_bb: BasicBlock<'ctx>,
        exit: BasicBlock<'ctx>,
    ) -> Res<()> {
        let head = self.ctx.append_basic_block(self.func, "while.head");
        let body_bb = self.ctx.append_basic_block(self.func, "while.body");
        let latch = self.ctx.append_basic_block(self.func, "while.latch");
        self.builder.build_unconditional_branch(head)?;
        self.builder.position_at_end(head);
        self.branch_on(cond, body_bb, else_bb)?;
        let outer = self.in_checked_copy == 0 && !self.active_guards.is_empty() && holds_loop(body);
        self.builder.position_at_end(body_bb);
        self.loops.push(LoopTargets {
            cont: latch,
            brk: exit,
        });
        let lowered = self.block(body);
        self.loops.pop();
        lowered?;
        self.branch_if_open(latch)?;
        self.builder.position_at_end(latch);
        if outer {
            let br = self.builder.build_unconditional_branch(head)?;
            super::loop_md::mark_no_runtime_unroll(self.ctx, br);
        } else if self.in_checked_copy > 0 {
            // One back edge, to carry the checked copy's loop metadata.
            let c = self.expr(cond)?.into_int_value();
            self.latch_branch(c, body_bb, else_bb, LoopStores::Any)?;
        } else {
            self.branch_on(cond, body_bb, else_bb)?;
        }
        Ok(())
    }

    /// Whether `value pred extent / scale` holds for every guarded axis: the test before
    /// a versioned loop (`range` loops and `prange` chunks alike). Extents are at least
    /// 0, so the unsigned division is exact floor division, and it cannot overflow as
    /// `value * scale` could.
    pub(super) fn guards_hold(
        &self,
        guards: &[GuardedAxis],
        pred: IntPredicate,
        value: IntValue<'ctx>,
    ) -> Res<IntValue<'ctx>> {
        let mut all = self.types.i1.const_int(1, false);
        for g in guards {
            let Slot::Array(_, extents) = &self.slots[g.array.0 as usize] else {
                unreachable!("guards name arrays")
            };
            let mut extent = extents[g.axis as usize];
            if g.scale > 1 {
                let scale = extent.get_type().const_int(g.scale, false);
                extent = self
                    .builder
                    .build_int_unsigned_div(extent, scale, "extent.tiles")?;
            }
            let ok = self
                .builder
                .build_int_compare(pred, value, extent, "guard")?;
            all = self.builder.build_and(all, ok, "guards")?;
        }
        Ok(all)
    }

    /// One copy of a `range` loop's iteration, from the current block: it leaves to
    /// `else_bb` when the range is exhausted and to `exit` on `break`.
    fn range_copy(
        &mut self,
        r: &RangeLoop<'_>,
        (start_v, stop_v, step_v): (IntValue<'ctx>, IntValue<'ctx>, IntValue<'ctx>),
        wide: bool,
        else_bb: BasicBlock<'ctx>,
        exit: BasicBlock<'ctx>,
    ) -> Res<()> {
        let ty = r.start.ty;
        let signed = ty.is_signed();
        let narrow = self.types.reg(ty).into_int_type();
        let unit_step = crate::check::counting::unit_step(r.step, ty);
        let reg = if wide { self.types.i64 } else { narrow };
        // The hidden counter: assigning the loop variable in the body does not change
        // the iteration, as in Python. Its slot lives in the entry block, where SROA
        // promotes it; an alloca inside an outer loop would take new stack per pass.
        let counter = self.entry_alloca(reg.into(), "range.i")?;
        self.builder.build_store(counter, start_v)?;
        let head = self.ctx.append_basic_block(self.func, "for.head");
        let body_bb = self.ctx.append_basic_block(self.func, "for.body");
        let latch = self.ctx.append_basic_block(self.func, "for.latch");
        self.builder.build_unconditional_branch(head)?;
        // Rotated, like `while`: tested once before the first iteration and then at the
        // bottom, so LLVM's loop rotation has nothing to do.
        self.builder.position_at_end(head);
        let i = self.builder.build_load(reg, counter, "i")?.into_int_value();
        let more = self.range_more(i, stop_v, r.step, step_v, signed)?;
        self.builder
            .build_conditional_branch(more, body_bb, else_bb)?;
        self.builder.position_at_end(body_bb);
        // Entered from the head and from the latch: read the counter afresh.
        let i = self.builder.build_load(reg, counter, "i")?.into_int_value();
        match self.slots[r.var.0 as usize] {
            Slot::Wide(var_ptr, _) => {
                let i = if wide { i } else { self.widen(i, ty)? };
                self.builder.build_store(var_ptr, i)?;
            }
            Slot::Scalar(var_ptr, _) => {
                let i = if wide {
                    self.builder.build_int_truncate(i, narrow, "i")?
                } else {
                    i
                };
                self.builder.build_store(var_ptr, i)?;
            }
            Slot::Array(..) => unreachable!("scalar loop variable"),
        }
        self.mark_assigned(r.var)?;
        self.loops.push(LoopTargets {
            cont: latch,
            brk: exit,
        });
        let lowered = self.block(r.body);
        self.loops.pop();
        lowered?;
        self.branch_if_open(latch)?;
        self.builder.position_at_end(latch);
        let i = self.builder.build_load(reg, counter, "i")?.into_int_value();
        let next = if unit_step {
            // A step of ±1 cannot leave the type's range: the counter is strictly on
            // this side of `stop`, which is representable. Saying so (nsw/nuw) keeps the
            // loop to one exit, which scalar evolution counts cheaply.
            if signed {
                self.builder.build_int_nsw_add(i, step_v, "next")?
            } else {
                self.builder.build_int_nuw_add(i, step_v, "next")?
            }
        } else {
            // Stepping past the type's range means the loop is done (stop is
            // representable).
            let name = if signed {
                "llvm.sadd.with.overflow"
            } else {
                "llvm.uadd.with.overflow"
            };
            let f = self.intrinsic(name, &[reg.into()])?;
            let pair = self
                .builder
                .build_call(f, &[i.into(), step_v.into()], "next")?;
            let pair = basic(pair)?.into_struct_value();
            let next = self
                .builder
                .build_extract_value(pair, 0, "next")?
                .into_int_value();
            let ovf = self
                .builder
                .build_extract_value(pair, 1, "ovf")?
                .into_int_value();
            let step_ok = self.ctx.append_basic_block(self.func, "for.step");
            self.builder
                .build_conditional_branch(ovf, else_bb, step_ok)?;
            self.builder.position_at_end(step_ok);
            next
        };
        self.builder.build_store(counter, next)?;
        let more = self.range_more(next, stop_v, r.step, step_v, signed)?;
        let stores = if column_store_loop(r.body, r.var) {
            LoopStores::Column
        } else if column_store_nest(r.body) {
            LoopStores::ColumnNest
        } else {
            LoopStores::Any
        };
        self.latch_branch(more, body_bb, else_bb, stores)?;
        Ok(())
    }

    /// Branches to `yes` when the condition `cond` (a `bool`) holds, else to `no`. An
    /// `and`/`or` chain or a `not` becomes control flow, operand by operand in Python's
    /// order, instead of a `bool` merged in a phi and then tested: LLVM's level-0 code
    /// generator ([`crate::driver::Compiler::fast_compile`]) kept the merged value in a stack
    /// slot and tested it again in a block of its own per operand.
    ///
    /// A chain whose later operands are cheap and cannot fault ([`Self::speculatable`])
    /// is evaluated whole instead ([`Self::eager_bool_op`]): a query's filter
    /// `d >= lo and d < hi and q < k` over in-range column loads then has no branch
    /// in its loop, which LLVM vectorizes (TPC-H Q6's scan did not vectorize
    /// with the loads of the later columns behind branches).
    fn branch_on(&mut self, cond: &TExpr, yes: BasicBlock<'ctx>, no: BasicBlock<'ctx>) -> Res<()> {
        match &cond.kind {
            TExprKind::BoolOp { and, values } if self.eager(cond.ty, values) => {
                let c = self.eager_bool_op(*and, values)?;
                self.builder.build_conditional_branch(c, yes, no)?;
                Ok(())
            }
            TExprKind::BoolOp { and, values } if cond.ty == Scalar::Bool && !values.is_empty() => {
                let (last, init) = values.split_last().expect("non-empty");
                for v in init {
                    let next = self.ctx.append_basic_block(self.func, "cond.next");
                    if *and {
                        self.branch_on(v, next, no)?;
                    } else {
                        self.branch_on(v, yes, next)?;
                    }
                    self.builder.position_at_end(next);
                }
                self.branch_on(last, yes, no)
            }
            TExprKind::Not(x) => self.branch_on(x, no, yes),
            _ => {
                let c = self.expr(cond)?.into_int_value();
                self.builder.build_conditional_branch(c, yes, no)?;
                Ok(())
            }
        }
    }

    /// A loop's back edge. In the checked copy of a versioned loop it carries loop
    /// metadata that turns off vectorization and unrolling: that copy runs only when a
    /// guard failed, and optimizing it like the guarded copy doubled the O3 time of a
    /// `Float[:][:]` transpose (BENCHMARKS.md, "Run-time extents").
    ///
    /// A loop whose every store writes a column, at a stride known only at run time
    /// ([`column_store_loop`]), is left rolled and scalar as well: vectorized, its
    /// stores are scatters (AVX-512) or eight scalar stores, no faster than the scalar
    /// loop's, and the runtime-unrolled or vector loop with its remainder ran slower
    /// than the plain one. The for/for transpose over `Float[:][:]` (`loop_probe`,
    /// against the same loop in C, N = 256…2048): 1.03–1.09× vectorized with scatters
    /// on a Xeon, 1.00–1.06× rolled; 1.04–1.51× runtime-unrolled by 8 on a Zen 3,
    /// 0.99–1.03× without (BENCHMARKS.md, "Run-time extents").
    ///
    /// Where the target scatters (AVX-512) the column-store loop is vectorized instead,
    /// eight lanes wide, not interleaved, its tail masked: one vector loop
    /// ([`super::loop_md::mark_narrow_vector`]). On a Zen 4 the fixed-extent twin's
    /// scatter loop ran 1.15–1.30× faster than the rolled one (and than C); this loop
    /// runs as fast as the twin's, 0.8–0.9× C (`loop_probe`). LLVM's own choice,
    /// sixteen lanes interleaved with a vector epilogue and a scalar remainder,
    /// compiled the for/for transpose in 14 ms, eight lanes in 7.7, eight with the tail
    /// masked in 6.8–7.2 (the fixed twin: 5.3; `jit_probe`). The outer loop of such a
    /// nest stays rolled.
    fn latch_branch(
        &mut self,
        more: IntValue<'ctx>,
        body: BasicBlock<'ctx>,
        done: BasicBlock<'ctx>,
        stores: LoopStores,
    ) -> Res<()> {
        let br = self.builder.build_conditional_branch(more, body, done)?;
        let checked_copy = self.in_checked_copy > 0;
        match stores {
            _ if checked_copy => super::loop_md::mark_rolled_scalar(self.ctx, br, true),
            LoopStores::Column if self.scatter_stores => {
                super::loop_md::mark_narrow_vector(self.ctx, br)
            }
            LoopStores::Column | LoopStores::ColumnNest => {
                super::loop_md::mark_rolled_scalar(self.ctx, br, false)
            }
            LoopStores::Any if self.opts.interleave_once => {
                super::loop_md::mark_interleave_once(self.ctx, br)
            }
            LoopStores::Any => {}
        }
        Ok(())
    }

    /// `llvm.expect(v, expected)`: block placement and the loop passes treat the other
    /// side as cold.
    fn expect_bool(
        &mut self,
        v: IntValue<'ctx>,
        expected: bool,
        name: &str,
    ) -> Res<IntValue<'ctx>> {
        let expect = self.intrinsic("llvm.expect", &[self.types.i1.into()])?;
        let hinted = self.builder.build_call(
            expect,
            &[
                v.into(),
                self.types.i1.const_int(expected as u64, false).into(),
            ],
            name,
        )?;
        Ok(basic(hinted)?.into_int_value())
    }

    /// Whether a `range` loop runs another iteration with counter `i`: `i < stop` going
    /// up, `i > stop` going down, chosen at run time when the step is not a literal.
    fn range_more(
        &self,
        i: IntValue<'ctx>,
        stop: IntValue<'ctx>,
        step: &TExpr,
        step_v: IntValue<'ctx>,
        signed: bool,
    ) -> Res<IntValue<'ctx>> {
        let b = &self.builder;
        let (lt, gt) = if signed {
            (IntPredicate::SLT, IntPredicate::SGT)
        } else {
            (IntPredicate::ULT, IntPredicate::UGT)
        };
        Ok(match step.kind {
            TExprKind::Int(v) if v > 0 => b.build_int_compare(lt, i, stop, "more")?,
            TExprKind::Int(_) => b.build_int_compare(gt, i, stop, "more")?,
            _ => {
                let up = b.build_int_compare(lt, i, stop, "up")?;
                if !signed {
                    // An unsigned step is never negative.
                    return Ok(up);
                }
                let down = b.build_int_compare(gt, i, stop, "down")?;
                let pos = b.build_int_compare(
                    IntPredicate::SGT,
                    step_v,
                    step_v.get_type().const_zero(),
                    "pos",
                )?;
                b.build_select(pos, up, down, "more")?.into_int_value()
            }
        })
    }

    /// An alloca at the top of the entry block, wherever the builder is: allocas there
    /// are static (one stack slot per call) and SROA turns them into registers.
    /// Faults with `site` when the stack pointer, with this kernel's frame allocated, is
    /// below the bound the caller put in the fault record (word 3; 0 means no test, as
    /// no stack pointer is that low) plus the frame's local arrays (`check::stack`).
    fn stack_test(&mut self, site: SiteId) -> Res<()> {
        let t = self.types;
        // SAFETY of the IR: word 3 of the 32-byte record is `stack_low`.
        let low_ptr = unsafe {
            self.builder.build_in_bounds_gep(
                t.i64,
                self.fault_ptr,
                &[t.i64.const_int(3, false)],
                "lowp",
            )?
        };
        let low = self
            .builder
            .build_load(t.i64, low_ptr, "stack_low")?
            .into_int_value();
        let save = self.intrinsic(
            "llvm.stacksave",
            &[self.ctx.ptr_type(Default::default()).into()],
        )?;
        let sp = self.builder.build_call(save, &[], "sp")?;
        let sp = self
            .builder
            .build_ptr_to_int(basic(sp)?.into_pointer_value(), t.i64, "sp")?;
        let frame = crate::check::frame_bytes(self.kernel);
        let need = self
            .builder
            .build_int_add(low, t.i64.const_int(frame, false), "need")?;
        let short = self
            .builder
            .build_int_compare(IntPredicate::ULT, sp, need, "short")?;
        self.fault_if(short, site, t.i64.const_zero())
    }

    fn entry_alloca(&self, ty: BasicTypeEnum<'ctx>, name: &str) -> Res<PointerValue<'ctx>> {
        let entry = self
            .func
            .get_first_basic_block()
            .expect("the entry block exists while lowering");
        let b = self.ctx.create_builder();
        match entry.get_first_instruction() {
            Some(first) => b.position_before(&first),
            None => b.position_at_end(entry),
        }
        Ok(b.build_alloca(ty, name)?)
    }

    fn intrinsic(&self, name: &str, tys: &[BasicTypeEnum<'ctx>]) -> Res<FunctionValue<'ctx>> {
        LlvmIntrinsic::find(name)
            .and_then(|i| i.get_declaration(self.module, tys))
            .ok_or_else(|| CodegenError::new(format!("missing LLVM intrinsic {name}")))
    }

    fn libm(&self, name: &str, ty: Scalar, arity: usize) -> FunctionValue<'ctx> {
        let sym = if ty == Scalar::F32 {
            format!("{name}f")
        } else {
            name.to_string()
        };
        if let Some(f) = self.module.get_function(&sym) {
            return f;
        }
        let fty = self.types.reg(ty);
        let params: Vec<BasicMetadataTypeEnum> = (0..arity).map(|_| fty.into()).collect();
        let f =
            self.module
                .add_function(&sym, fty.fn_type(&params, false), Some(Linkage::External));
        f.add_attribute(AttributeLoc::Function, enum_attr(self.ctx, "nounwind", 0));
        f
    }

    /// Branches to the function's fault exit when `failed` holds. One exit block per
    /// function, fed by phis, keeps the CFG small: a kernel with thousands of checks would
    /// otherwise have thousands of exit blocks, and O3's loop passes slow down with each.
    fn fault_if(&mut self, failed: IntValue<'ctx>, site: SiteId, value: IntValue<'ctx>) -> Res<()> {
        self.fault_if_at(failed, site, value, self.types.i64.const_zero())
    }

    /// [`Self::fault_if`] for an index fault: the record also gets the axis's extent.
    fn fault_if_at(
        &mut self,
        failed: IntValue<'ctx>,
        site: SiteId,
        value: IntValue<'ctx>,
        extent: IntValue<'ctx>,
    ) -> Res<()> {
        let hinted = self.expect_bool(failed, false, "cold")?;
        let site = self.types.i32.const_int(site.0 as u64 + 1, false);
        if self.opts.cold_fault_edges {
            // The record is written in a block of the check's own, which then returns
            // through one shared block without phis. An edge block holding only a branch
            // (phis in the shared exit) is folded away by the quick pipeline's
            // `simplifycfg`, and the level-0 code generator then copied every check's
            // three values into the phis' stack slots on the hot path.
            let ok_bb = self.ctx.append_basic_block(self.func, "ok");
            let edge = self.ctx.append_basic_block(self.func, "fault.edge");
            self.builder.build_conditional_branch(hinted, edge, ok_bb)?;
            self.builder.position_at_end(edge);
            self.store_fault(site, value, extent)?;
            let ret = self.fault_return()?;
            self.builder.build_unconditional_branch(ret)?;
            self.builder.position_at_end(ok_bb);
        } else {
            let exit = self.fault_exit()?;
            let ok_bb = self.ctx.append_basic_block(self.func, "ok");
            let here = self.builder.get_insert_block().expect("positioned");
            self.builder
                .build_conditional_branch(hinted, exit.block, ok_bb)?;
            exit.site.add_incoming(&[(&site, here)]);
            exit.value.add_incoming(&[(&value, here)]);
            exit.extent.add_incoming(&[(&extent, here)]);
            self.builder.position_at_end(ok_bb);
        }
        Ok(())
    }

    /// Stores a fault's site, value and extent into the fault record (laid out as
    /// [`crate::abi::FaultRecord`]).
    fn store_fault(
        &mut self,
        site: IntValue<'ctx>,
        value: IntValue<'ctx>,
        extent: IntValue<'ctx>,
    ) -> Res<()> {
        let t = self.types;
        self.builder.build_store(self.fault_ptr, site)?;
        for (word, v) in [(1, value), (2, extent)] {
            // SAFETY of the IR: words 1 and 2 of the 32-byte record are `value`, `extent`.
            let p = unsafe {
                self.builder.build_in_bounds_gep(
                    t.i64,
                    self.fault_ptr,
                    &[t.i64.const_int(word, false)],
                    "fv",
                )?
            };
            self.builder.build_store(p, v)?;
        }
        Ok(())
    }

    /// The function's fault exit: takes the site, value and extent through phis, stores
    /// them into the fault record, returns.
    fn fault_exit(&mut self) -> Res<FaultExit<'ctx>> {
        if let Some(exit) = self.fault_exit {
            return Ok(exit);
        }
        let here = self.builder.get_insert_block().expect("positioned");
        let t = self.types;
        let bb = self.ctx.append_basic_block(self.func, "fault");
        self.builder.position_at_end(bb);
        let site = self.builder.build_phi(t.i32, "site")?;
        let value = self.builder.build_phi(t.i64, "value")?;
        let extent = self.builder.build_phi(t.i64, "extent")?;
        self.store_fault(
            site.as_basic_value().into_int_value(),
            value.as_basic_value().into_int_value(),
            extent.as_basic_value().into_int_value(),
        )?;
        self.return_zero()?;
        self.builder.position_at_end(here);
        let exit = FaultExit {
            block: bb,
            site,
            value,
            extent,
        };
        self.fault_exit = Some(exit);
        Ok(exit)
    }

    /// The block that returns after a fault whose record is already written
    /// ([`CodegenOptions::cold_fault_edges`]).
    fn fault_return(&mut self) -> Res<BasicBlock<'ctx>> {
        if let Some(bb) = self.fault_return {
            return Ok(bb);
        }
        let here = self.builder.get_insert_block().expect("positioned");
        let bb = self.ctx.append_basic_block(self.func, "fault.return");
        self.builder.position_at_end(bb);
        self.return_zero()?;
        self.builder.position_at_end(here);
        self.fault_return = Some(bb);
        Ok(bb)
    }

    /// Whether the index on `axis` of `place` is in range whatever the extent: proved by
    /// the checker, or by the guard of the loop copy being emitted.
    fn axis_proved(&self, place: &Place, axis: usize) -> bool {
        place.within[axis] || place.guarded[axis].is_some_and(|v| self.active_guards.contains(&v))
    }

    /// The address of an array element, with each index normalized (negative counts from
    /// the end) and, in checked kernels, bounds-checked.
    fn place_ptr(&mut self, place: &Place) -> Res<PointerValue<'ctx>> {
        let t = self.types;
        let Slot::Array(base, ref extents) = self.slots[place.array.0 as usize] else {
            unreachable!("array local")
        };
        let extents = extents.clone();
        let mut linear: Option<IntValue<'ctx>> = None;
        for (axis, idx) in place.indices.iter().enumerate() {
            let extent_v = extents[axis];
            let proved = self.axis_proved(place, axis);
            let (lo, hi) = if proved {
                (0, 0)
            } else {
                index_bounds(idx, place.known[axis])
            };
            let (v, wide) = match self.wide_value(idx)? {
                Some(w) => (w, true),
                None => (self.expr(idx)?.into_int_value(), false),
            };
            let v64 = if wide || idx.ty.bits() == 64 {
                v
            } else if idx.ty.is_signed() && lo < 0 {
                self.builder.build_int_s_extend(v, t.i64, "ix")?
            } else {
                self.builder.build_int_z_extend(v, t.i64, "ix")?
            };
            let norm = if lo < 0 {
                let neg = self.builder.build_int_compare(
                    IntPredicate::SLT,
                    v64,
                    t.i64.const_zero(),
                    "neg",
                )?;
                let wrapped = self.builder.build_int_add(v64, extent_v, "fromend")?;
                self.builder
                    .build_select(neg, wrapped, v64, "ix")?
                    .into_int_value()
            } else {
                v64
            };
            let in_range = proved
                || match place.ty.dims[axis] {
                    Extent::Fixed(extent) => lo >= -i128::from(extent) && hi < i128::from(extent),
                    Extent::Runtime => false,
                };
            if let Some(sites) = place.sites.as_ref().filter(|_| !in_range) {
                let bad =
                    self.builder
                        .build_int_compare(IntPredicate::UGE, norm, extent_v, "oob")?;
                self.fault_if_at(bad, sites[axis], v64, extent_v)?;
            }
            linear = Some(match linear {
                None => norm,
                Some(l) => {
                    let scaled = self.builder.build_int_nuw_mul(l, extent_v, "row")?;
                    self.builder.build_int_nuw_add(scaled, norm, "lin")?
                }
            });
        }
        let linear = linear.unwrap_or_else(|| t.i64.const_zero());
        // SAFETY of the IR: `linear` is in range (checked above, or proved by the checker,
        // or the kernel is unchecked and the caller promised it).
        let ptr = unsafe {
            self.builder
                .build_in_bounds_gep(t.mem(place.ty.elem), base, &[linear], "elem")?
        };
        Ok(ptr)
    }

    /// Evaluates an expression statement; calls of `-> None` functions give no value.
    fn expr_any(&mut self, e: &TExpr) -> Res<Option<BasicValueEnum<'ctx>>> {
        if let TExprKind::Call { callee, args, ret } = &e.kind {
            return self.call(callee, args, ret);
        }
        self.expr(e).map(Some)
    }

    fn expr(&mut self, e: &TExpr) -> Res<BasicValueEnum<'ctx>> {
        // Generated code can nest thousands of levels deep; grow the stack rather than overflow.
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || self.expr_inner(e))
    }

    fn expr_inner(&mut self, e: &TExpr) -> Res<BasicValueEnum<'ctx>> {
        let t = self.types;
        Ok(match &e.kind {
            TExprKind::Int(v) => {
                let ty = t.reg(e.ty).into_int_type();
                // Two's complement of the value; the checker ensured it fits the type.
                ty.const_int(*v as u64, e.ty.is_signed()).into()
            }
            TExprKind::Float(f) => t.reg(e.ty).into_float_type().const_float(*f).into(),
            TExprKind::Bool(b) => t.i1.const_int(*b as u64, false).into(),
            TExprKind::Local(id) => match self.slots[id.0 as usize] {
                Slot::Scalar(p, s) => self.builder.build_load(t.reg(s), p, "v")?,
                Slot::Wide(p, s) => {
                    let w = self.builder.build_load(t.i64, p, "w")?.into_int_value();
                    let narrow = t.reg(s).into_int_type();
                    self.builder.build_int_truncate(w, narrow, "v")?.into()
                }
                Slot::Array(..) => unreachable!("checker gives arrays no scalar use"),
            },
            TExprKind::Extent { array, axis } => match &self.slots[array.0 as usize] {
                Slot::Array(_, extents) => extents[*axis as usize].into(),
                _ => unreachable!("the checker takes extents of arrays only"),
            },
            TExprKind::Load(place) => {
                let ptr = self.place_ptr(place)?;
                let v = self.builder.build_load(t.mem(place.ty.elem), ptr, "ld")?;
                self.abi_to_reg(v, place.ty.elem)?
            }
            TExprKind::Arith {
                op,
                left,
                right,
                site,
            } => {
                let l = self.expr(left)?;
                let r = self.expr(right)?;
                self.arith(*op, e.ty, l, r, *site)?
            }
            TExprKind::PowInt { base, exp } => {
                let b = self.expr(base)?;
                self.pow_int(b, e.ty, *exp)?
            }
            TExprKind::Neg(x) => {
                let v = self.expr(x)?;
                if e.ty.is_float() {
                    self.builder
                        .build_float_neg(v.into_float_value(), "neg")?
                        .into()
                } else {
                    self.builder
                        .build_int_neg(v.into_int_value(), "neg")?
                        .into()
                }
            }
            TExprKind::Invert(x) => {
                let v = self.expr(x)?.into_int_value();
                self.builder.build_not(v, "inv")?.into()
            }
            TExprKind::Not(x) => {
                let v = self.expr(x)?.into_int_value();
                self.builder.build_not(v, "not")?.into()
            }
            TExprKind::Truthy(x) => {
                let v = self.expr(x)?;
                self.truthy(v, x.ty)?.into()
            }
            TExprKind::Cast(x) => {
                let v = self.expr(x)?;
                self.cast(v, x.ty, e.ty)?
            }
            TExprKind::Compare { operands, ops } => self.compare(operands, ops)?,
            TExprKind::BoolOp { and, values } => self.bool_op(*and, values, e.ty)?,
            TExprKind::IfExp { cond, then, orelse } => {
                let c = self.expr(cond)?.into_int_value();
                let then_bb = self.ctx.append_basic_block(self.func, "ifx.then");
                let else_bb = self.ctx.append_basic_block(self.func, "ifx.else");
                let end = self.ctx.append_basic_block(self.func, "ifx.end");
                self.builder.build_conditional_branch(c, then_bb, else_bb)?;
                self.builder.position_at_end(then_bb);
                let a = self.expr(then)?;
                let a_bb = self.builder.get_insert_block().expect("block");
                self.builder.build_unconditional_branch(end)?;
                self.builder.position_at_end(else_bb);
                let b = self.expr(orelse)?;
                let b_bb = self.builder.get_insert_block().expect("block");
                self.builder.build_unconditional_branch(end)?;
                self.builder.position_at_end(end);
                let phi = self.builder.build_phi(t.reg(e.ty), "ifx")?;
                phi.add_incoming(&[(&a, a_bb), (&b, b_bb)]);
                phi.as_basic_value()
            }
            TExprKind::Call { callee, args, ret } => self
                .call(callee, args, ret)?
                .ok_or_else(|| CodegenError::new("a call without a value used as a value"))?,
            TExprKind::Intrinsic { op, args } => self.intrinsic_call(*op, args, e.ty)?,
        })
    }

    fn truthy(&self, v: BasicValueEnum<'ctx>, ty: Scalar) -> Res<IntValue<'ctx>> {
        Ok(if ty.is_float() {
            let f = v.into_float_value();
            self.builder.build_float_compare(
                FloatPredicate::UNE,
                f,
                f.get_type().const_zero(),
                "truthy",
            )?
        } else if ty == Scalar::Bool {
            v.into_int_value()
        } else {
            let i = v.into_int_value();
            self.builder.build_int_compare(
                IntPredicate::NE,
                i,
                i.get_type().const_zero(),
                "truthy",
            )?
        })
    }

    fn cast(&self, v: BasicValueEnum<'ctx>, from: Scalar, to: Scalar) -> Res<BasicValueEnum<'ctx>> {
        let t = self.types;
        let b = &self.builder;
        if from == to {
            return Ok(v);
        }
        if to == Scalar::Bool {
            return Ok(self.truthy(v, from)?.into());
        }
        let to_ty = t.reg(to);
        Ok(match (from.is_float(), to.is_float()) {
            (false, false) => {
                let i = v.into_int_value();
                let it = to_ty.into_int_type();
                if from.bits() > to.bits() {
                    b.build_int_truncate(i, it, "trunc")?.into()
                } else if from.bits() == to.bits() {
                    i.into()
                } else if from.is_signed() {
                    b.build_int_s_extend(i, it, "sext")?.into()
                } else {
                    b.build_int_z_extend(i, it, "zext")?.into()
                }
            }
            (false, true) => {
                let i = v.into_int_value();
                let ft = to_ty.into_float_type();
                if from.is_signed() {
                    b.build_signed_int_to_float(i, ft, "itof")?.into()
                } else {
                    b.build_unsigned_int_to_float(i, ft, "utof")?.into()
                }
            }
            (true, false) => {
                // Saturating conversion: out-of-range floats clamp and NaN gives 0, never poison.
                let name = if to.is_signed() {
                    "llvm.fptosi.sat"
                } else {
                    "llvm.fptoui.sat"
                };
                let f = self.intrinsic(name, &[to_ty, t.reg(from)])?;
                basic(b.build_call(f, &[v.into()], "ftoi")?)?
            }
            (true, true) => {
                let f = v.into_float_value();
                let ft = to_ty.into_float_type();
                if from.bits() < to.bits() {
                    b.build_float_ext(f, ft, "fext")?.into()
                } else {
                    b.build_float_trunc(f, ft, "ftrunc")?.into()
                }
            }
        })
    }

    fn arith(
        &mut self,
        op: ArithOp,
        ty: Scalar,
        l: BasicValueEnum<'ctx>,
        r: BasicValueEnum<'ctx>,
        site: Option<SiteId>,
    ) -> Res<BasicValueEnum<'ctx>> {
        if ty.is_float() {
            return self.float_arith(op, ty, l.into_float_value(), r.into_float_value());
        }
        let (a, c) = (l.into_int_value(), r.into_int_value());
        let b = &self.builder;
        let signed = ty.is_signed();
        Ok(match op {
            ArithOp::Add => b.build_int_add(a, c, "add")?.into(),
            ArithOp::AddNoWrap if signed => b.build_int_nsw_add(a, c, "step")?.into(),
            ArithOp::AddNoWrap => b.build_int_nuw_add(a, c, "step")?.into(),
            ArithOp::Sub => b.build_int_sub(a, c, "sub")?.into(),
            ArithOp::Mul => b.build_int_mul(a, c, "mul")?.into(),
            ArithOp::BitAnd => b.build_and(a, c, "and")?.into(),
            ArithOp::BitOr => b.build_or(a, c, "or")?.into(),
            ArithOp::BitXor => b.build_xor(a, c, "xor")?.into(),
            ArithOp::LShift | ArithOp::RShift => {
                // Shifting by the width or more is defined: the bits all leave (or, for an
                // arithmetic right shift, become copies of the sign).
                // The count keeps its own type; compare it there, then bring it to the
                // shifted operand's width (it is below that width wherever it is used).
                let it = a.get_type();
                let ct = c.get_type();
                let big = b.build_int_compare(
                    IntPredicate::UGE,
                    c,
                    ct.const_int(ty.bits() as u64, false),
                    "big",
                )?;
                let c = if ct.get_bit_width() > it.get_bit_width() {
                    b.build_int_truncate(c, it, "cnt")?
                } else if ct.get_bit_width() < it.get_bit_width() {
                    b.build_int_z_extend(c, it, "cnt")?
                } else {
                    c
                };
                let max_shift = it.const_int(ty.bits() as u64 - 1, false);
                let amount = b.build_select(big, max_shift, c, "amt")?.into_int_value();
                if op == ArithOp::LShift {
                    let s = b.build_left_shift(a, amount, "shl")?;
                    b.build_select(big, it.const_zero(), s, "shl")?
                } else if signed {
                    b.build_right_shift(a, amount, true, "sar")?.into()
                } else {
                    let s = b.build_right_shift(a, amount, false, "shr")?;
                    b.build_select(big, it.const_zero(), s, "shr")?
                }
            }
            ArithOp::FloorDiv | ArithOp::Mod => return self.int_div(op, ty, a, c, site),
            ArithOp::FDiv => unreachable!("checker converts true division to floats"),
        })
    }

    fn int_div(
        &mut self,
        op: ArithOp,
        ty: Scalar,
        a: IntValue<'ctx>,
        c: IntValue<'ctx>,
        site: Option<SiteId>,
    ) -> Res<BasicValueEnum<'ctx>> {
        let it = a.get_type();
        if let Some(site) = site {
            let is_zero =
                self.builder
                    .build_int_compare(IntPredicate::EQ, c, it.const_zero(), "divzero")?;
            let value = self.types.i64.const_zero();
            self.fault_if(is_zero, site, value)?;
        }
        let b = &self.builder;
        if !ty.is_signed() {
            return Ok(if op == ArithOp::FloorDiv {
                b.build_int_unsigned_div(a, c, "udiv")?
            } else {
                b.build_int_unsigned_rem(a, c, "urem")?
            }
            .into());
        }
        // MIN // -1 overflows `sdiv`; divide by 1 instead and negate (wrapping), as
        // fixed-width arithmetic does.
        let minus_one = it.const_all_ones();
        let is_m1 = b.build_int_compare(IntPredicate::EQ, c, minus_one, "m1")?;
        let safe = b
            .build_select(is_m1, it.const_int(1, false), c, "d")?
            .into_int_value();
        let q = b.build_int_signed_div(a, safe, "q")?;
        let r = b.build_int_signed_rem(a, safe, "r")?;
        // Python floors: when the remainder is nonzero and its sign differs from the
        // divisor's, step the quotient down and move the remainder by one divisor.
        let r_nz = b.build_int_compare(IntPredicate::NE, r, it.const_zero(), "rnz")?;
        let sign_diff = b.build_int_compare(
            IntPredicate::SLT,
            b.build_xor(r, c, "x")?,
            it.const_zero(),
            "sd",
        )?;
        let adjust = b.build_and(r_nz, sign_diff, "adj")?;
        Ok(if op == ArithOp::FloorDiv {
            let q1 = b.build_int_sub(q, it.const_int(1, false), "q1")?;
            let q = b.build_select(adjust, q1, q, "fq")?.into_int_value();
            let neg = b.build_int_neg(a, "nega")?;
            b.build_select(is_m1, neg, q, "floordiv")?
        } else {
            let r1 = b.build_int_add(r, c, "r1")?;
            b.build_select(adjust, r1, r, "mod")?
        })
    }

    fn float_arith(
        &mut self,
        op: ArithOp,
        ty: Scalar,
        a: FloatValue<'ctx>,
        c: FloatValue<'ctx>,
    ) -> Res<BasicValueEnum<'ctx>> {
        if ty == Scalar::F32 && matches!(op, ArithOp::FloorDiv | ArithOp::Mod) {
            // f32 values are exact in f64, where Python's steps lose nothing; rounding
            // once at the end gives the f32 nearest Python's result. Rounding each step
            // to f32 (the quotient before its floor) can land one f32 step off.
            let (f32t, f64t) = (self.ctx.f32_type(), self.ctx.f64_type());
            let a64 = self.builder.build_float_ext(a, f64t, "a64")?;
            let c64 = self.builder.build_float_ext(c, f64t, "c64")?;
            let r = self
                .float_divmod(op, Scalar::F64, a64, c64)?
                .into_float_value();
            return Ok(self.builder.build_float_trunc(r, f32t, "r32")?.into());
        }
        let b = &self.builder;
        Ok(match op {
            ArithOp::Add | ArithOp::AddNoWrap => b.build_float_add(a, c, "fadd")?.into(),
            ArithOp::Sub => b.build_float_sub(a, c, "fsub")?.into(),
            ArithOp::Mul => b.build_float_mul(a, c, "fmul")?.into(),
            ArithOp::FDiv => b.build_float_div(a, c, "fdiv")?.into(),
            ArithOp::FloorDiv | ArithOp::Mod => return self.float_divmod(op, ty, a, c),
            _ => unreachable!("bit operators on floats are rejected by the checker"),
        })
    }

    /// Python's float `//` and `%`, computed as CPython does: from `fmod`, with the
    /// remainder taking the divisor's sign (a zero remainder too) and the quotient snapped
    /// to the nearest integer (`floor(a / b)` differs: `1.0 // 0.1` is 9.0, not 10.0).
    fn float_divmod(
        &mut self,
        op: ArithOp,
        ty: Scalar,
        a: FloatValue<'ctx>,
        c: FloatValue<'ctx>,
    ) -> Res<BasicValueEnum<'ctx>> {
        let reg = self.types.reg(ty);
        let ft = a.get_type();
        let zero = ft.const_zero();
        let one = ft.const_float(1.0);
        let copysign = self.intrinsic("llvm.copysign", &[reg])?;
        let floor = self.intrinsic("llvm.floor", &[reg])?;
        let b = &self.builder;
        let m = b.build_float_rem(a, c, "fmod")?;
        let div = b.build_float_div(b.build_float_sub(a, m, "a_m")?, c, "div")?;
        let m_nz = b.build_float_compare(FloatPredicate::UNE, m, zero, "m_nz")?;
        let c_neg = b.build_float_compare(FloatPredicate::OLT, c, zero, "c_neg")?;
        let m_neg = b.build_float_compare(FloatPredicate::OLT, m, zero, "m_neg")?;
        let differ = b.build_xor(c_neg, m_neg, "differ")?;
        let adjust = b.build_and(m_nz, differ, "adjust")?;
        if op == ArithOp::Mod {
            let moved = b.build_float_add(m, c, "m_plus_c")?;
            let signed_zero = basic(b.build_call(copysign, &[zero.into(), c.into()], "zero_c")?)?
                .into_float_value();
            let m = b.build_select(adjust, moved, m, "m1")?.into_float_value();
            return Ok(b.build_select(m_nz, m, signed_zero, "pymod")?);
        }
        let div_adj = b.build_float_sub(div, one, "div_minus_1")?;
        let div = b
            .build_select(adjust, div_adj, div, "div1")?
            .into_float_value();
        let fl = basic(b.build_call(floor, &[div.into()], "fl")?)?.into_float_value();
        let frac = b.build_float_sub(div, fl, "frac")?;
        let round_up =
            b.build_float_compare(FloatPredicate::OGT, frac, ft.const_float(0.5), "round_up")?;
        let fl1 = b.build_float_add(fl, one, "fl1")?;
        let snapped = b.build_select(round_up, fl1, fl, "snapped")?;
        let quotient = b.build_float_div(a, c, "q")?;
        let zero_q = basic(b.build_call(copysign, &[zero.into(), quotient.into()], "zero_q")?)?;
        let div_nz = b.build_float_compare(FloatPredicate::UNE, div, zero, "div_nz")?;
        let result = b.build_select(div_nz, snapped, zero_q, "pyfloordiv")?;
        // Python raises on `x // 0.0`; kernels give IEEE's `x / 0.0` (±inf, or nan for 0/0),
        // as NumPy does, rather than the nan the fmod-based steps would produce.
        let c_zero = b.build_float_compare(FloatPredicate::OEQ, c, zero, "c_zero")?;
        Ok(b.build_select(c_zero, quotient.into(), result, "floordiv")?)
    }

    fn pow_int(
        &self,
        base: BasicValueEnum<'ctx>,
        ty: Scalar,
        exp: i64,
    ) -> Res<BasicValueEnum<'ctx>> {
        let b = &self.builder;
        let one: BasicValueEnum = if ty.is_float() {
            self.types.reg(ty).into_float_type().const_float(1.0).into()
        } else {
            self.types
                .reg(ty)
                .into_int_type()
                .const_int(1, false)
                .into()
        };
        let mul = |x: BasicValueEnum<'ctx>, y: BasicValueEnum<'ctx>| -> Res<BasicValueEnum<'ctx>> {
            Ok(if ty.is_float() {
                b.build_float_mul(x.into_float_value(), y.into_float_value(), "pw")?
                    .into()
            } else {
                b.build_int_mul(x.into_int_value(), y.into_int_value(), "pw")?
                    .into()
            })
        };
        // Square and multiply, so x ** 1000 is about twenty multiplications.
        let mut n = exp.unsigned_abs();
        let mut acc: Option<BasicValueEnum> = None;
        let mut sq = base;
        while n > 0 {
            if n & 1 == 1 {
                acc = Some(match acc {
                    None => sq,
                    Some(a) => mul(a, sq)?,
                });
            }
            n >>= 1;
            if n > 0 {
                sq = mul(sq, sq)?;
            }
        }
        let v = acc.unwrap_or(one);
        if exp < 0 {
            return Ok(b
                .build_float_div(one.into_float_value(), v.into_float_value(), "recip")?
                .into());
        }
        Ok(v)
    }

    fn compare_pair(
        &self,
        op: CmpOp,
        ty: Scalar,
        a: BasicValueEnum<'ctx>,
        c: BasicValueEnum<'ctx>,
    ) -> Res<IntValue<'ctx>> {
        let b = &self.builder;
        if ty.is_float() {
            let p = match op {
                CmpOp::Eq => FloatPredicate::OEQ,
                CmpOp::NotEq => FloatPredicate::UNE,
                CmpOp::Lt => FloatPredicate::OLT,
                CmpOp::LtE => FloatPredicate::OLE,
                CmpOp::Gt => FloatPredicate::OGT,
                CmpOp::GtE => FloatPredicate::OGE,
                _ => unreachable!("checker rejects in/is"),
            };
            return Ok(b.build_float_compare(
                p,
                a.into_float_value(),
                c.into_float_value(),
                "cmp",
            )?);
        }
        if ty == Scalar::Bool
            && let Some(v) = self.order_bools(op, a.into_int_value(), c.into_int_value())?
        {
            return Ok(v);
        }
        let s = ty.is_signed();
        let p = match op {
            CmpOp::Eq => IntPredicate::EQ,
            CmpOp::NotEq => IntPredicate::NE,
            CmpOp::Lt if s => IntPredicate::SLT,
            CmpOp::Lt => IntPredicate::ULT,
            CmpOp::LtE if s => IntPredicate::SLE,
            CmpOp::LtE => IntPredicate::ULE,
            CmpOp::Gt if s => IntPredicate::SGT,
            CmpOp::Gt => IntPredicate::UGT,
            CmpOp::GtE if s => IntPredicate::SGE,
            CmpOp::GtE => IntPredicate::UGE,
            _ => unreachable!("checker rejects in/is"),
        };
        Ok(b.build_int_compare(p, a.into_int_value(), c.into_int_value(), "cmp")?)
    }

    /// An ordering of two `bool`s as logic (`a < b` is `!a & b`), `None` for `==` and
    /// `!=`. Why not `icmp ult i1`: LLVM 19.1's SimplifyCFG segfaults on a chain of two
    /// such compares once its own folding has made their operands constant
    /// (`tests/difftest-regressions/llvm19_simplifycfg_bool_order.py`, found by the
    /// differential campaign), and InstCombine turns them into this logic anyway.
    fn order_bools(
        &self,
        op: CmpOp,
        a: IntValue<'ctx>,
        c: IntValue<'ctx>,
    ) -> Res<Option<IntValue<'ctx>>> {
        let b = &self.builder;
        Ok(Some(match op {
            CmpOp::Lt => b.build_and(b.build_not(a, "nota")?, c, "cmp")?,
            CmpOp::LtE => b.build_or(b.build_not(a, "nota")?, c, "cmp")?,
            CmpOp::Gt => b.build_and(a, b.build_not(c, "notc")?, "cmp")?,
            CmpOp::GtE => b.build_or(a, b.build_not(c, "notc")?, "cmp")?,
            CmpOp::Eq | CmpOp::NotEq | CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot => {
                return Ok(None);
            }
        }))
    }

    /// `a op b` at 64 bits when either side is a counter kept there (or a no-wrap step
    /// of one): extending both sides by the type's signedness keeps every comparison's
    /// answer. `None` when neither side is, with nothing emitted.
    fn compare_wide(
        &mut self,
        op: CmpOp,
        ty: Scalar,
        a: &TExpr,
        b: &TExpr,
    ) -> Res<Option<IntValue<'ctx>>> {
        if !ty.is_int() || ty.bits() >= 64 || a.ty != ty || b.ty != ty {
            return Ok(None);
        }
        if !self.is_wide(a) && !self.is_wide(b) {
            return Ok(None);
        }
        let l = self.expr_at_64(a, ty)?;
        let r = self.expr_at_64(b, ty)?;
        Ok(Some(self.compare_pair(op, ty, l.into(), r.into())?))
    }

    /// Whether [`Self::wide_value`] computes `e` at 64 bits.
    fn is_wide(&self, e: &TExpr) -> bool {
        match &e.kind {
            TExprKind::Local(id) => matches!(self.slots[id.0 as usize], Slot::Wide(..)),
            TExprKind::Arith {
                op: ArithOp::AddNoWrap,
                left,
                right,
                ..
            } => match (&left.kind, &right.kind) {
                (_, TExprKind::Int(_)) => self.is_wide(left),
                (TExprKind::Int(_), _) => self.is_wide(right),
                _ => false,
            },
            _ => false,
        }
    }

    /// `e` extended to 64 bits by its type's signedness, computed there without
    /// truncating, when `e` is a counter kept at 64 bits or a no-wrap sum of one and a
    /// literal (the sum fits `e`'s type, so the 64-bit sum is its extension); `None`
    /// otherwise, with nothing emitted.
    fn wide_value(&mut self, e: &TExpr) -> Res<Option<IntValue<'ctx>>> {
        if !self.is_wide(e) {
            return Ok(None);
        }
        let t = self.types;
        Ok(Some(match &e.kind {
            TExprKind::Local(id) => {
                let Slot::Wide(p, _) = self.slots[id.0 as usize] else {
                    unreachable!("is_wide")
                };
                self.builder.build_load(t.i64, p, "w")?.into_int_value()
            }
            TExprKind::Arith { left, right, .. } => {
                let (w, c) = match (&left.kind, &right.kind) {
                    (_, TExprKind::Int(c)) => (left, *c),
                    (TExprKind::Int(c), _) => (right, *c),
                    _ => unreachable!("is_wide"),
                };
                let w = self.wide_value(w)?.expect("is_wide");
                let c = t.i64.const_int(c as i64 as u64, true);
                if e.ty.is_signed() {
                    self.builder.build_int_nsw_add(w, c, "wstep")?
                } else {
                    self.builder.build_int_nuw_add(w, c, "wstep")?
                }
            }
            _ => unreachable!("is_wide"),
        }))
    }

    /// `e` (of integer type `s`) extended to 64 bits by `s`'s signedness: computed there
    /// when [`Self::wide_value`] can, else evaluated and extended.
    fn expr_at_64(&mut self, e: &TExpr, s: Scalar) -> Res<IntValue<'ctx>> {
        match self.wide_value(e)? {
            Some(w) => Ok(w),
            None => {
                let v = self.expr(e)?.into_int_value();
                self.widen(v, s)
            }
        }
    }

    /// `v` of type `s` extended to 64 bits by `s`'s signedness.
    fn widen(&self, v: IntValue<'ctx>, s: Scalar) -> Res<IntValue<'ctx>> {
        let t = self.types;
        Ok(if s.is_signed() {
            self.builder.build_int_s_extend(v, t.i64, "wide")?
        } else {
            self.builder.build_int_z_extend(v, t.i64, "wide")?
        })
    }

    fn compare(
        &mut self,
        operands: &[TExpr],
        ops: &[(CmpOp, Scalar)],
    ) -> Res<BasicValueEnum<'ctx>> {
        if let [(op, ty)] = ops
            && let Some(c) = self.compare_wide(*op, *ty, &operands[0], &operands[1])?
        {
            return Ok(c.into());
        }
        let mut left = self.expr(&operands[0])?;
        if ops.len() == 1 {
            let right = self.expr(&operands[1])?;
            return Ok(self.compare_pair(ops[0].0, ops[0].1, left, right)?.into());
        }
        // A chain evaluates each operand once and stops at the first false comparison.
        let end = self.ctx.append_basic_block(self.func, "cmp.end");
        let mut incoming = Vec::new();
        for (k, (op, ty)) in ops.iter().enumerate() {
            let right = self.expr(&operands[k + 1])?;
            let c = self.compare_pair(*op, *ty, left, right)?;
            let here = self.builder.get_insert_block().expect("block");
            if k + 1 == ops.len() {
                incoming.push((c, here));
                self.builder.build_unconditional_branch(end)?;
            } else {
                let next = self.ctx.append_basic_block(self.func, "cmp.next");
                incoming.push((self.types.i1.const_zero(), here));
                self.builder.build_conditional_branch(c, next, end)?;
                self.builder.position_at_end(next);
            }
            left = right;
        }
        self.builder.position_at_end(end);
        let phi = self.builder.build_phi(self.types.i1, "chain")?;
        for (v, bb) in &incoming {
            phi.add_incoming(&[(v, *bb)]);
        }
        Ok(phi.as_basic_value())
    }

    fn bool_op(&mut self, and: bool, values: &[TExpr], ty: Scalar) -> Res<BasicValueEnum<'ctx>> {
        if self.eager(ty, values) {
            return Ok(self.eager_bool_op(and, values)?.into());
        }
        // Python's value semantics: `a and b` is `a` if `a` is falsy, else `b`.
        let end = self
            .ctx
            .append_basic_block(self.func, if and { "and.end" } else { "or.end" });
        let mut incoming = Vec::new();
        for (k, v) in values.iter().enumerate() {
            let x = self.expr(v)?;
            let here = self.builder.get_insert_block().expect("block");
            incoming.push((x, here));
            if k + 1 == values.len() {
                self.builder.build_unconditional_branch(end)?;
            } else {
                let t = self.truthy(x, ty)?;
                let next = self.ctx.append_basic_block(self.func, "bool.next");
                if and {
                    self.builder.build_conditional_branch(t, next, end)?;
                } else {
                    self.builder.build_conditional_branch(t, end, next)?;
                }
                self.builder.position_at_end(next);
            }
        }
        self.builder.position_at_end(end);
        let phi = self.builder.build_phi(self.types.reg(ty), "boolop")?;
        for (v, bb) in &incoming {
            phi.add_incoming(&[(v, *bb)]);
        }
        Ok(phi.as_basic_value())
    }

    /// Whether a `bool` `and`/`or` over `values` may evaluate every operand: those after
    /// the first (which always runs) are speculatable, and small.
    fn eager(&self, ty: Scalar, values: &[TExpr]) -> bool {
        let mut budget = MAX_SPECULATED_NODES;
        self.opts.eager_conditions
            && ty == Scalar::Bool
            && values.len() >= 2
            && values[1..]
                .iter()
                .all(|v| self.speculatable(v, &mut budget))
    }

    /// `and`/`or` over bools, every operand evaluated in order and merged with `select`
    /// (LLVM's logical and/or: a later operand that is poison does not reach the result
    /// when an earlier one decides it).
    fn eager_bool_op(&mut self, and: bool, values: &[TExpr]) -> Res<IntValue<'ctx>> {
        let (first, rest) = values.split_first().expect("two or more operands");
        let mut acc = self.expr(first)?.into_int_value();
        let (t, f) = (self.types.i1.const_all_ones(), self.types.i1.const_zero());
        for v in rest {
            let x = self.expr(v)?.into_int_value();
            let (yes, no) = if and { (x, f) } else { (t, x) };
            acc = self
                .builder
                .build_select(acc, yes, no, if and { "and" } else { "or" })?
                .into_int_value();
        }
        Ok(acc)
    }

    /// An expression that has no effect, cannot fault and has no undefined behavior
    /// wherever its statement runs, and is cheap: evaluating it when Python would
    /// have skipped it (`and`, `or`) changes nothing. Array loads qualify only when
    /// the index is known in range (by the checker or the guard of the loop copy being
    /// emitted), in checked and unchecked kernels alike: in an unchecked kernel
    /// `i < n and a[i] > 0` must not read `a[i]` when `i >= n`. Costs one unit of
    /// `budget` per node. Exhaustive: a new kind of expression is not speculated
    /// unseen.
    fn speculatable(&self, e: &TExpr, budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match &e.kind {
            TExprKind::Int(_)
            | TExprKind::Float(_)
            | TExprKind::Bool(_)
            | TExprKind::Local(_)
            | TExprKind::Extent { .. } => true,
            TExprKind::Load(place) => place.indices.iter().enumerate().all(|(axis, idx)| {
                let in_range = self.axis_proved(place, axis)
                    || match place.ty.dims[axis] {
                        Extent::Fixed(extent) => {
                            let (lo, hi) = index_bounds(idx, place.known[axis]);
                            lo >= 0 && hi < i128::from(extent)
                        }
                        Extent::Runtime => false,
                    };
                in_range && self.speculatable(idx, budget)
            }),
            // Integer division faults on zero (or, unchecked, is undefined there).
            TExprKind::Arith {
                op, left, right, ..
            } => {
                !(matches!(op, ArithOp::FloorDiv | ArithOp::Mod) && e.ty.is_int())
                    && self.speculatable(left, budget)
                    && self.speculatable(right, budget)
            }
            TExprKind::PowInt { base, exp } => {
                exp.unsigned_abs() <= 8 && self.speculatable(base, budget)
            }
            TExprKind::Neg(x)
            | TExprKind::Invert(x)
            | TExprKind::Not(x)
            | TExprKind::Truthy(x)
            | TExprKind::Cast(x) => self.speculatable(x, budget),
            TExprKind::Compare { operands, .. } => {
                operands.iter().all(|o| self.speculatable(o, budget))
            }
            TExprKind::BoolOp { values, .. } => values.iter().all(|v| self.speculatable(v, budget)),
            TExprKind::IfExp { cond, then, orelse } => {
                self.speculatable(cond, budget)
                    && self.speculatable(then, budget)
                    && self.speculatable(orelse, budget)
            }
            // Calls may have effects; of the math functions, only those that are an
            // instruction or two (the others call libm).
            TExprKind::Call { .. } => false,
            TExprKind::Intrinsic { op, args } => {
                matches!(
                    op,
                    Intrinsic::Abs
                        | Intrinsic::Min
                        | Intrinsic::Max
                        | Intrinsic::Sqrt
                        | Intrinsic::Floor
                        | Intrinsic::Ceil
                        | Intrinsic::Trunc
                        | Intrinsic::RoundEven
                        | Intrinsic::Fabs
                        | Intrinsic::CopySign
                        | Intrinsic::IsNan
                        | Intrinsic::IsInf
                ) && args.iter().all(|a| self.speculatable(a, budget))
            }
        }
    }

    fn call(
        &mut self,
        callee: &Callee,
        args: &[Arg],
        ret: &Type,
    ) -> Res<Option<BasicValueEnum<'ctx>>> {
        let mut vals: Vec<BasicMetadataValueEnum> = Vec::new();
        for (j, a) in args.iter().enumerate() {
            match a {
                Arg::Scalar(e) => {
                    let v = self.expr(e)?;
                    vals.push(self.reg_to_abi(v, e.ty)?.into());
                }
                Arg::Array(id) => {
                    let Slot::Array(p, ref extents) = self.slots[id.0 as usize] else {
                        unreachable!("array arg")
                    };
                    vals.push(p.into());
                    // The callee's `:` axes take this array's extents, fixed or not
                    // (only kernels take arrays).
                    if let Callee::Kernel(k) = callee
                        && let Some((_, Type::Array(want))) = self.kernel_sigs[*k].params.get(j)
                    {
                        for axis in want.runtime_axes() {
                            vals.push(extents[axis].into());
                        }
                    }
                }
            }
        }
        let (f, is_kernel) = match callee {
            Callee::Kernel(i) => {
                vals.push(self.fault_ptr.into());
                (self.kernels[*i], true)
            }
            Callee::Extern(i) => (self.externs[*i], false),
        };
        let call = self.builder.build_call(f, &vals, "call")?;
        // The call site carries the callee's extension attributes (see `ext_attrs`).
        let attrs = match callee {
            Callee::Kernel(i) => kernel_ext_attrs(self.ctx, self.kernel_sigs[*i]),
            Callee::Extern(i) => extern_ext_attrs(self.ctx, &self.extern_sigs[*i]),
        };
        for (loc, a) in attrs {
            call.add_attribute(loc, a);
        }
        let value = match (call.try_as_basic_value(), ret) {
            (inkwell::values::ValueKind::Basic(v), Type::Scalar(s)) => {
                Some(self.abi_to_reg(v, *s)?)
            }
            _ => None,
        };
        if is_kernel {
            // A fault in the callee stops this kernel too.
            self.propagate_fault()?;
        }
        Ok(value)
    }

    /// After a call that may fault (a kernel, a parallel loop): return at once if it did.
    fn propagate_fault(&mut self) -> Res<()> {
        let t = self.types;
        let site = self
            .builder
            .build_load(t.i32, self.fault_ptr, "fault")?
            .into_int_value();
        let failed = self.builder.build_int_compare(
            IntPredicate::NE,
            site,
            t.i32.const_zero(),
            "faulted",
        )?;
        let expect = self.intrinsic("llvm.expect", &[t.i1.into()])?;
        let hinted = basic(self.builder.build_call(
            expect,
            &[failed.into(), t.i1.const_zero().into()],
            "cold",
        )?)?
        .into_int_value();
        let out = self.ctx.append_basic_block(self.func, "propagate");
        let ok = self.ctx.append_basic_block(self.func, "ok");
        self.builder.build_conditional_branch(hinted, out, ok)?;
        self.builder.position_at_end(out);
        self.return_zero()?;
        self.builder.position_at_end(ok);
        Ok(())
    }

    fn intrinsic_call(
        &mut self,
        op: Intrinsic,
        args: &[TExpr],
        ty: Scalar,
    ) -> Res<BasicValueEnum<'ctx>> {
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.expr(a)?);
        }
        let arg_ty = args.first().map_or(ty, |a| a.ty);
        let reg = self.types.reg(arg_ty);
        let b = &self.builder;
        let llvm = |name: &str| -> Res<BasicValueEnum<'ctx>> {
            let f = self.intrinsic(name, &[reg])?;
            let argv: Vec<BasicMetadataValueEnum> = vals.iter().map(|v| (*v).into()).collect();
            basic(self.builder.build_call(f, &argv, "m")?)
        };
        let libm = |name: &str| -> Res<BasicValueEnum<'ctx>> {
            let f = self.libm(name, arg_ty, vals.len());
            let argv: Vec<BasicMetadataValueEnum> = vals.iter().map(|v| (*v).into()).collect();
            basic(self.builder.build_call(f, &argv, "m")?)
        };
        use Intrinsic::*;
        Ok(match op {
            Abs if arg_ty.is_float() => llvm("llvm.fabs")?,
            Abs if !arg_ty.is_signed() => vals[0],
            Abs => {
                let f = self.intrinsic("llvm.abs", &[reg])?;
                // `false`: abs(MIN) wraps to MIN instead of being poison.
                basic(b.build_call(
                    f,
                    &[vals[0].into(), self.types.i1.const_zero().into()],
                    "abs",
                )?)?
            }
            Min | Max => {
                // Python: min(a, b) is b only if b < a; ties and NaNs keep the first.
                let cmp = if op == Min { CmpOp::Lt } else { CmpOp::Gt };
                let mut acc = vals[0];
                for &v in &vals[1..] {
                    let better = self.compare_pair(cmp, arg_ty, v, acc)?;
                    acc = self.builder.build_select(better, v, acc, "minmax")?;
                }
                acc
            }
            Sqrt => llvm("llvm.sqrt")?,
            Exp => llvm("llvm.exp")?,
            Log => llvm("llvm.log")?,
            Log2 => llvm("llvm.log2")?,
            Log10 => llvm("llvm.log10")?,
            Sin => llvm("llvm.sin")?,
            Cos => llvm("llvm.cos")?,
            Pow => llvm("llvm.pow")?,
            Floor => llvm("llvm.floor")?,
            Ceil => llvm("llvm.ceil")?,
            Trunc => llvm("llvm.trunc")?,
            RoundEven => llvm("llvm.roundeven")?,
            Fabs => llvm("llvm.fabs")?,
            CopySign => llvm("llvm.copysign")?,
            Tan => libm("tan")?,
            Asin => libm("asin")?,
            Acos => libm("acos")?,
            Atan => libm("atan")?,
            Atan2 => libm("atan2")?,
            Sinh => libm("sinh")?,
            Cosh => libm("cosh")?,
            Tanh => libm("tanh")?,
            Hypot => libm("hypot")?,
            Fmod => b
                .build_float_rem(
                    vals[0].into_float_value(),
                    vals[1].into_float_value(),
                    "fmod",
                )?
                .into(),
            IsNan => {
                let f = vals[0].into_float_value();
                b.build_float_compare(FloatPredicate::UNO, f, f, "isnan")?
                    .into()
            }
            IsInf => {
                let f = self.intrinsic("llvm.fabs", &[reg])?;
                let a = basic(b.build_call(f, &[vals[0].into()], "abs")?)?.into_float_value();
                let inf = reg.into_float_type().const_float(f64::INFINITY);
                b.build_float_compare(FloatPredicate::OEQ, a, inf, "isinf")?
                    .into()
            }
        })
    }
}

/// Expression nodes an `and`/`or` may evaluate beyond Python's short circuit (see
/// [`FnLower::speculatable`]).
const MAX_SPECULATED_NODES: u32 = 32;

/// Guards of nested loops one versioned loop may test for them (each an `icmp` and an
/// `and` before the loop).
const MAX_HOISTED_GUARDS: usize = 16;

/// The guard comparison `stop <= extent` in the counter's signedness.
fn guard_pred(ty: Scalar) -> IntPredicate {
    if ty.is_signed() {
        IntPredicate::SLE
    } else {
        IntPredicate::ULE
    }
}

/// The versioned loops nested in `stmts` (`range` loops and counting `while` loops, not
/// inside a `prange`, whose body is another function, versioned per chunk on its own)
/// whose `stop` has the same value wherever the loop `outer` (the body of the loop
/// being versioned) runs them, with their guards: that loop can test those guards once
/// for all of their runs. Nested statements come from [`TStmt::blocks`], which matches
/// every statement.
fn hoistable_guards<'b>(
    outer: &[TStmt],
    stmts: &'b [TStmt],
    out: &mut Vec<(&'b TExpr, &'b [GuardedAxis])>,
) {
    for s in stmts {
        match s {
            TStmt::ParFor(_) => continue,
            TStmt::ForRange { stop, guards, .. }
                if !guards.is_empty() && invariant_in(stop, outer) =>
            {
                out.push((stop, guards));
            }
            TStmt::While {
                guards: Some(g), ..
            } if !g.axes.is_empty() && invariant_in(&g.limit, outer) => {
                out.push((&g.limit, &g.axes));
            }
            _ => {}
        }
        for block in s.blocks() {
            hoistable_guards(outer, block, out);
        }
    }
}

/// What a statement is to the column-store analysis below. Exhaustive over statements:
/// a new kind of statement must say here whether it loops, stores or branches.
enum StoreShape<'b> {
    /// A `range` loop, with its counter and body.
    Range(LocalId, &'b [TStmt]),
    /// Another loop.
    OtherLoop,
    Store(&'b Place),
    Branch(&'b [TStmt], &'b [TStmt]),
    /// Neither loops, stores nor branches into statements.
    Plain,
}

fn store_shape(s: &TStmt) -> StoreShape<'_> {
    match s {
        TStmt::ForRange { var, body, .. } => StoreShape::Range(*var, body),
        TStmt::While { .. } | TStmt::ParFor(_) => StoreShape::OtherLoop,
        TStmt::Store { place, .. } | TStmt::StoreUpdate { place, .. } => StoreShape::Store(place),
        TStmt::If { then, orelse, .. } => StoreShape::Branch(then, orelse),
        TStmt::Assign { .. }
        | TStmt::Expr(_)
        | TStmt::Break
        | TStmt::Continue
        | TStmt::Return(_)
        | TStmt::Label(_)
        | TStmt::Goto(_) => StoreShape::Plain,
    }
}

/// Whether `stmts` hold a loop (a `prange` body is another function).
fn holds_loop(stmts: &[TStmt]) -> bool {
    stmts.iter().any(|s| {
        matches!(s, TStmt::While { .. } | TStmt::ForRange { .. })
            || s.blocks().iter().any(|b| holds_loop(b))
    })
}

/// What a `range` loop stores, for its loop metadata ([`FnLower::latch_branch`]).
#[derive(Clone, Copy)]
enum LoopStores {
    /// Only down columns, at a run-time stride ([`column_store_loop`]).
    Column,
    /// The outer loop of a nest of such loops ([`column_store_nest`]).
    ColumnNest,
    /// Anything else.
    Any,
}

/// Whether `body`, the body of a loop over `var`, is straight-line code (no loop in
/// it) that stores at least once, and only at places whose index mentions `var` on an
/// axis followed by a `:` axis: each iteration writes a row apart, at a stride known
/// only at run time (`dst[j, i] = ...` in a loop over `j`).
fn column_store_loop(body: &[TStmt], var: LocalId) -> bool {
    fn column(place: &Place, var: LocalId) -> bool {
        place.indices.iter().enumerate().any(|(axis, idx)| {
            place.ty.dims[axis + 1..].contains(&Extent::Runtime) && idx.reads_local(var)
        })
    }
    /// `false` when the block has a loop or a store that is not a column store.
    fn walk(stmts: &[TStmt], var: LocalId, stores: &mut usize) -> bool {
        stmts.iter().all(|s| match store_shape(s) {
            StoreShape::Range(..) | StoreShape::OtherLoop => false,
            StoreShape::Store(place) => {
                *stores += 1;
                column(place, var)
            }
            StoreShape::Branch(then, orelse) => {
                walk(then, var, stores) && walk(orelse, var, stores)
            }
            StoreShape::Plain => true,
        })
    }
    let mut stores = 0;
    walk(body, var, &mut stores) && stores > 0
}

/// Whether `body` is a loop nest's outer body whose loops are all column-store loops
/// ([`column_store_loop`]) and whose other statements store nothing: LLVM unrolled
/// such an outer loop by its run-time trip count (four copies of the inner loop, a
/// third of the for/for transpose's compile time) where gcc leaves it rolled, and the
/// rolled nest runs as fast.
fn column_store_nest(body: &[TStmt]) -> bool {
    let mut inner = 0;
    let all = body.iter().all(|s| match store_shape(s) {
        StoreShape::Range(var, body) => {
            inner += 1;
            column_store_loop(body, var)
        }
        StoreShape::OtherLoop | StoreShape::Store(_) | StoreShape::Branch(..) => false,
        StoreShape::Plain => true,
    });
    all && inner > 0
}

/// A value that cannot fault and is the same wherever the loop body `outer` evaluates
/// it: a literal, an extent of a parameter (arrays are never rebound), a local `outer`
/// does not assign, and casts and `min`s of those.
fn invariant_in(e: &TExpr, outer: &[TStmt]) -> bool {
    match &e.kind {
        TExprKind::Int(_) | TExprKind::Extent { .. } => true,
        TExprKind::Local(l) => !crate::check::counting::assigns(outer, *l),
        TExprKind::Cast(x) => x.ty.is_int() && invariant_in(x, outer),
        TExprKind::Intrinsic {
            op: Intrinsic::Min,
            args,
        } => args.iter().all(|a| invariant_in(a, outer)),
        // By a positive literal: it cannot fault (a tile count, `rows // 64`).
        TExprKind::Arith {
            op: ArithOp::FloorDiv,
            left,
            right,
            ..
        } => matches!(right.kind, TExprKind::Int(1..)) && invariant_in(left, outer),
        _ => false,
    }
}

/// The values an index can take: a literal's own, the loop bounds the checker found, or
/// its type's range. An index that cannot be negative needs no wrapping from the end
/// (and is zero-extended, which is the same for it and tells LLVM more); one that cannot
/// leave the axis (a constant in range, or a type too narrow to leave it: a `u16` into
/// 65536 elements) needs no check, which keeps huge generated kernels (a Brainfuck tape
/// addressed by a wrapping `u16`) free of loop exits LLVM would have to prove dead.
fn index_bounds(idx: &TExpr, known: Option<(i128, i128)>) -> (i128, i128) {
    match (&idx.kind, known) {
        (TExprKind::Int(v), _) => (*v, *v),
        (_, Some(range)) => range,
        _ => idx.ty.int_range(),
    }
}

fn zero<'ctx>(t: &Types<'ctx>, s: Scalar) -> BasicValueEnum<'ctx> {
    match t.reg(s) {
        BasicTypeEnum::IntType(i) => i.const_zero().into(),
        BasicTypeEnum::FloatType(f) => f.const_zero().into(),
        other => other.const_zero(),
    }
}

fn basic(call: inkwell::values::CallSiteValue<'_>) -> Res<BasicValueEnum<'_>> {
    match call.try_as_basic_value() {
        inkwell::values::ValueKind::Basic(v) => Ok(v),
        _ => Err(CodegenError::new("expected a call with a value")),
    }
}
