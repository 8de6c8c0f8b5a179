//! Lowering `prange` loops: the body becomes a function over a range of iterations
//! (`k.parN(env, lo, hi, out, fault)`), the loop a call of the runtime's
//! `msp_parallel_for`, which runs chunks of iterations on its thread pool.
//!
//! The caller fills `env` with what the body reads (`ParLoop::captures`: scalars by
//! value, arrays as their address and extents) and the loop's start and iteration count.
//! Each chunk starts its reductions at their identity, runs its iterations in order and
//! writes its results to its row of `out`, followed by each private local's value (the
//! loop variable's too) and whether the chunk assigned it; the caller combines the
//! reductions in chunk order, so the outcome does not depend on the thread count, and
//! takes each private from the last chunk that assigned it: what a serial loop leaves in
//! it (the value from before the loop if no iteration assigned it).

use inkwell::IntPredicate;
use inkwell::attributes::AttributeLoc;
use inkwell::module::Linkage;
use inkwell::values::{BasicValueEnum, FunctionValue, IntValue, PointerValue};

use super::{FnLower, LoopTargets, Res, Slot, basic, enum_attr, zero};
use crate::ast::CmpOp;
use crate::check::hir::{LocalId, ParLoop, ReduceOp};
use crate::check::{Scalar, Type};

/// Fixed slots at the start of `env`: the counter's start and the iteration count.
const ENV_START: u64 = 0;
const ENV_COUNT: u64 = 1;
const ENV_CAPTURES: u64 = 2;

impl<'a, 'ctx> FnLower<'a, 'ctx> {
    pub(super) fn par_for(&mut self, p: &ParLoop) -> Res<()> {
        let t = self.types;
        let ty = p.start.ty;
        let step = literal_step(p);
        // The iteration count, from the bounds extended to 64 bits (start >= 0).
        let start = self.expr(&p.start)?.into_int_value();
        let stop = self.expr(&p.stop)?.into_int_value();
        let (start64, stop64) = (self.to_i64(start, ty)?, self.to_i64(stop, ty)?);
        let pred = if ty.is_signed() {
            IntPredicate::SGT
        } else {
            IntPredicate::UGT
        };
        let b = &self.builder;
        let runs = b.build_int_compare(pred, stop64, start64, "runs")?;
        let diff = b.build_int_sub(stop64, start64, "span")?;
        let step_v = t.i64.const_int(step, false);
        let whole = b.build_int_unsigned_div(diff, step_v, "iters")?;
        let rest = b.build_int_unsigned_rem(diff, step_v, "rest")?;
        let partial = b.build_int_compare(IntPredicate::NE, rest, t.i64.const_zero(), "part")?;
        let partial = b.build_int_z_extend(partial, t.i64, "part")?;
        let count = b.build_int_add(whole, partial, "iters")?;
        let count = b
            .build_select(runs, count, t.i64.const_zero(), "iters")?
            .into_int_value();

        // env: start, count, then the captures.
        let mut env_slots = ENV_CAPTURES;
        for &c in &p.captures {
            env_slots += self.env_width(c);
        }
        let env = self.entry_alloca(t.i64.array_type(env_slots as u32).into(), "par.env")?;
        let slot = |this: &Self, base: PointerValue<'ctx>, i: u64| -> Res<PointerValue<'ctx>> {
            // SAFETY of the IR: `i` is below the buffer's slot count (counted above).
            Ok(unsafe {
                this.builder.build_in_bounds_gep(
                    t.i64,
                    base,
                    &[t.i64.const_int(i, false)],
                    "slot",
                )?
            })
        };
        self.builder
            .build_store(slot(self, env, ENV_START)?, start64)?;
        self.builder
            .build_store(slot(self, env, ENV_COUNT)?, count)?;
        let mut at = ENV_CAPTURES;
        for &c in &p.captures {
            match &self.slots[c.0 as usize] {
                Slot::Array(ptr, extents) => {
                    let (ptr, extents) = (*ptr, extents.clone());
                    self.builder.build_store(slot(self, env, at)?, ptr)?;
                    for (k, e) in extents.iter().enumerate() {
                        self.builder
                            .build_store(slot(self, env, at + 1 + k as u64)?, *e)?;
                    }
                    at += 1 + extents.len() as u64;
                }
                Slot::Scalar(..) | Slot::Wide(..) => {
                    let s = self.kernel.local(c).ty.scalar().expect("a scalar local");
                    let v = self.load_local(c)?;
                    let v = self.reg_to_abi(v, s)?;
                    self.builder.build_store(slot(self, env, at)?, v)?;
                    at += 1;
                }
            }
        }
        // A chunk's row: its reductions' results, then per private its value and
        // whether the chunk assigned it.
        let reductions = p.reductions.len() as u64;
        let stride = reductions + 2 * p.privates.len() as u64;
        let out = {
            let n = msp_rt::parallel::MAX_CHUNKS as u64 * stride;
            self.entry_alloca(t.i64.array_type(n as u32).into(), "par.out")?
        };

        let body = self.outline(p, env_slots)?;
        let run = self.runtime_entry();
        let threads = t.i64.const_int(u64::from(self.opts.threads), false);
        let chunks = basic(self.builder.build_call(
            run,
            &[
                body.as_global_value().as_pointer_value().into(),
                env.into(),
                count.into(),
                out.into(),
                t.i64.const_int(stride, false).into(),
                self.fault_ptr.into(),
                threads.into(),
            ],
            "chunks",
        )?)?
        .into_int_value();
        self.propagate_fault()?;

        // The chunks' results, combined in chunk order; each private takes the value of
        // the last chunk that assigned it (there are privates: the loop variable).
        {
            let c_slot = self.entry_alloca(t.i64.into(), "par.c")?;
            self.builder.build_store(c_slot, t.i64.const_zero())?;
            let head = self.ctx.append_basic_block(self.func, "combine.head");
            let step_bb = self.ctx.append_basic_block(self.func, "combine.step");
            let done = self.ctx.append_basic_block(self.func, "combine.done");
            self.builder.build_unconditional_branch(head)?;
            self.builder.position_at_end(head);
            let c = self
                .builder
                .build_load(t.i64, c_slot, "c")?
                .into_int_value();
            let more = self
                .builder
                .build_int_compare(IntPredicate::SLT, c, chunks, "more")?;
            self.builder.build_conditional_branch(more, step_bb, done)?;
            self.builder.position_at_end(step_bb);
            let base = self
                .builder
                .build_int_mul(c, t.i64.const_int(stride, false), "row")?;
            for (r, &(l, op)) in p.reductions.iter().enumerate() {
                let i = self
                    .builder
                    .build_int_add(base, t.i64.const_int(r as u64, false), "at")?;
                // SAFETY of the IR: `c` is below the chunk count, at most MAX_CHUNKS.
                let ptr = unsafe { self.builder.build_in_bounds_gep(t.i64, out, &[i], "part")? };
                let part = self.load_abi_slot(ptr, l)?;
                let acc = self.load_local(l)?;
                let v = self.combine(op, l, acc, part)?;
                self.store_local(l, v)?;
            }
            for (i, &l) in p.privates.iter().enumerate() {
                let at = reductions + 2 * i as u64;
                let at = self
                    .builder
                    .build_int_add(base, t.i64.const_int(at, false), "at")?;
                let flag_at = self
                    .builder
                    .build_int_add(at, t.i64.const_int(1, false), "at")?;
                // SAFETY of the IR: `c` is below the chunk count, at most MAX_CHUNKS.
                let (ptr, flag_ptr) = unsafe {
                    (
                        self.builder
                            .build_in_bounds_gep(t.i64, out, &[at], "priv")?,
                        self.builder
                            .build_in_bounds_gep(t.i64, out, &[flag_at], "assigned")?,
                    )
                };
                let v = self.load_abi_slot(ptr, l)?;
                let flag = self
                    .builder
                    .build_load(t.i64, flag_ptr, "assigned")?
                    .into_int_value();
                let flag = self.builder.build_int_compare(
                    IntPredicate::NE,
                    flag,
                    t.i64.const_zero(),
                    "assigned",
                )?;
                let cur = self.load_local(l)?;
                let v = self.builder.build_select(flag, v, cur, "private")?;
                self.store_local(l, v)?;
                // Inside an enclosing parallel body: its chunk assigned `l` if this loop did.
                self.mark_assigned_if(l, flag)?;
            }
            let next = self
                .builder
                .build_int_add(c, t.i64.const_int(1, false), "c")?;
            self.builder.build_store(c_slot, next)?;
            self.builder.build_unconditional_branch(head)?;
            self.builder.position_at_end(done);
        }
        Ok(())
    }

    /// The outlined body: `void k.parN(ptr env, i64 lo, i64 hi, ptr out, ptr fault)`.
    fn outline(&mut self, p: &ParLoop, env_slots: u64) -> Res<FunctionValue<'ctx>> {
        let t = self.types;
        let n = self.par_count.get();
        self.par_count.set(n + 1);
        let name = format!("{}{}.par{n}", self.opts.symbol_prefix, self.kernel.sig.name);
        let fn_ty = self.ctx.void_type().fn_type(
            &[
                t.ptr.into(),
                t.i64.into(),
                t.i64.into(),
                t.ptr.into(),
                t.ptr.into(),
            ],
            false,
        );
        let f = self
            .module
            .add_function(&name, fn_ty, Some(Linkage::Internal));
        for attr in self.func.attributes(AttributeLoc::Function) {
            f.add_attribute(AttributeLoc::Function, attr);
        }
        f.add_attribute(AttributeLoc::Function, enum_attr(self.ctx, "nounwind", 0));
        let fault = f.get_nth_param(4).expect("fault").into_pointer_value();
        let mut child = self.child(f, fault);
        child.outlined = true;
        child.lower_chunk(p, env_slots)?;
        Ok(f)
    }

    /// A lowering of another function of this kernel (an outlined `prange` body or
    /// checked copy), `f`, whose fault record is `fault`: the same module, kernel and
    /// options, and nothing of this function's slots, blocks or loops.
    pub(super) fn child(
        &self,
        f: FunctionValue<'ctx>,
        fault: PointerValue<'ctx>,
    ) -> FnLower<'a, 'ctx> {
        FnLower {
            ctx: self.ctx,
            module: self.module,
            builder: self.ctx.create_builder(),
            types: self.types,
            kernel: self.kernel,
            func: f,
            kernels: self.kernels,
            kernel_sigs: self.kernel_sigs.clone(),
            externs: self.externs,
            extern_sigs: self.extern_sigs,
            slots: Vec::new(),
            labels: Vec::new(),
            loops: Vec::new(),
            fault_ptr: fault,
            fault_exit: None,
            fault_return: None,
            active_guards: Vec::new(),
            pre_guarded: Vec::new(),
            in_checked_copy: 0,
            outlined: false,
            cold_env: None,
            assigned: Vec::new(),
            par_count: self.par_count,
            scatter_stores: self.scatter_stores,
            opts: self.opts,
        }
    }

    /// The body of the outlined function (see [`Self::outline`]).
    fn lower_chunk(&mut self, p: &ParLoop, env_slots: u64) -> Res<()> {
        let t = self.types;
        let entry = self.ctx.append_basic_block(self.func, "entry");
        self.builder.position_at_end(entry);
        let param = |i: u32| self.func.get_nth_param(i).expect("param");
        let env = param(0).into_pointer_value();
        let (lo, hi) = (param(1).into_int_value(), param(2).into_int_value());
        let out = param(3).into_pointer_value();
        let slot = |this: &Self, i: u64| -> Res<PointerValue<'ctx>> {
            debug_assert!(i < env_slots);
            // SAFETY of the IR: `i` is below the slot count of `env` (see `par_for`).
            Ok(unsafe {
                this.builder
                    .build_in_bounds_gep(t.i64, env, &[t.i64.const_int(i, false)], "env")?
            })
        };
        let load_i64 = |this: &Self, i: u64| -> Res<IntValue<'ctx>> {
            Ok(this
                .builder
                .build_load(t.i64, slot(this, i)?, "e")?
                .into_int_value())
        };
        let start = load_i64(self, ENV_START)?;
        // Whether this chunk assigned each private, for the caller (see `par_for`).
        let mut assigned = Vec::new();
        for &l in &p.privates {
            let flag = self.builder.build_alloca(t.i1, "assigned")?;
            self.builder.build_store(flag, t.i1.const_zero())?;
            assigned.push((l, flag));
        }
        self.assigned = assigned;
        // Every local gets a slot: captures from `env`, the others zeroed (privates are
        // assigned before they are read) and reductions at their identity.
        let mut captured = std::collections::HashMap::new();
        let mut at = ENV_CAPTURES;
        for &c in &p.captures {
            captured.insert(c, at);
            at += self.env_width(c);
        }
        for (i, local) in self.kernel.locals.iter().enumerate() {
            let id = LocalId(i as u32);
            let s = match &local.ty {
                Type::Array(a) => {
                    let (ptr, extents) = match captured.get(&id) {
                        Some(&at) => {
                            let ptr = self
                                .builder
                                .build_load(t.ptr, slot(self, at)?, "arr")?
                                .into_pointer_value();
                            let mut extents = Vec::new();
                            for k in 0..a.dims.len() as u64 {
                                extents.push(load_i64(self, at + 1 + k)?);
                            }
                            (ptr, extents)
                        }
                        // Not used by the body.
                        None => (
                            t.ptr.const_null(),
                            a.dims
                                .iter()
                                .map(|d| t.i64.const_int(d.fixed().unwrap_or(0), false))
                                .collect(),
                        ),
                    };
                    Slot::Array(ptr, extents)
                }
                Type::Scalar(s) => {
                    let init = match (captured.get(&id), p.reductions.iter().find(|r| r.0 == id)) {
                        (Some(&at), _) => {
                            let v = self.builder.build_load(t.mem(*s), slot(self, at)?, "cap")?;
                            self.abi_to_reg(v, *s)?
                        }
                        (None, Some(&(_, op))) => identity(self, op, *s),
                        (None, None) => zero(t, *s),
                    };
                    self.scalar_slot(local, *s, init)?
                }
                Type::None => unreachable!("no None locals"),
            };
            self.slots.push(s);
        }
        let k_slot = self.builder.build_alloca(t.i64, "k")?;
        let exit = self.ctx.append_basic_block(self.func, "chunk.exit");
        if p.guards.is_empty() {
            self.chunk_copy(p, (start, lo, hi), k_slot, exit)?;
        } else {
            // Loop versioning per chunk (`ParLoop::guards`): the chunk's last counter,
            // `start + (hi - 1) * step`, below every guarded extent lets the copy without
            // those checks run; else the checked copy, which faults where it would. An
            // empty chunk's value is negative, fails the unsigned test and runs no
            // iteration of the checked copy.
            let b = &self.builder;
            let last_k = b.build_int_sub(hi, t.i64.const_int(1, false), "lastk")?;
            let step_v = t.i64.const_int(literal_step(p), false);
            let span = b.build_int_mul(last_k, step_v, "lastoff")?;
            let last_i = b.build_int_add(start, span, "lasti")?;
            let all = self.guards_hold(&p.guards, IntPredicate::ULT, last_i)?;
            let fast = self.ctx.append_basic_block(self.func, "chunk.guarded");
            let slow = self.ctx.append_basic_block(self.func, "chunk.checked");
            self.builder.build_conditional_branch(all, fast, slow)?;
            self.builder.position_at_end(fast);
            self.active_guards.push(p.var);
            let copied = self.chunk_copy(p, (start, lo, hi), k_slot, exit);
            self.active_guards.pop();
            copied?;
            self.builder.position_at_end(slow);
            self.chunk_copy(p, (start, lo, hi), k_slot, exit)?;
        }
        self.builder.position_at_end(exit);
        for (r, &(l, _)) in p.reductions.iter().enumerate() {
            let v = self.load_local(l)?;
            let s = self
                .kernel
                .local(l)
                .ty
                .scalar()
                .expect("a scalar reduction");
            let v = self.reg_to_abi(v, s)?;
            // SAFETY of the IR: the runtime gives each chunk one slot per reduction.
            let ptr = unsafe {
                self.builder.build_in_bounds_gep(
                    t.i64,
                    out,
                    &[t.i64.const_int(r as u64, false)],
                    "out",
                )?
            };
            self.builder.build_store(ptr, v)?;
        }
        // Each private's value and whether this chunk assigned it.
        let reductions = p.reductions.len() as u64;
        for (i, &l) in p.privates.iter().enumerate() {
            let v = self.load_local(l)?;
            let s = self.kernel.local(l).ty.scalar().expect("a scalar private");
            let v = self.reg_to_abi(v, s)?;
            let flag = self.assigned[i].1;
            let flag = self
                .builder
                .build_load(t.i1, flag, "assigned")?
                .into_int_value();
            let flag = self.builder.build_int_z_extend(flag, t.i64, "assigned")?;
            let at = reductions + 2 * i as u64;
            // SAFETY of the IR: the runtime gives each chunk a row of `stride` slots.
            let (ptr, flag_ptr) = unsafe {
                (
                    self.builder.build_in_bounds_gep(
                        t.i64,
                        out,
                        &[t.i64.const_int(at, false)],
                        "priv",
                    )?,
                    self.builder.build_in_bounds_gep(
                        t.i64,
                        out,
                        &[t.i64.const_int(at + 1, false)],
                        "assigned",
                    )?,
                )
            };
            self.builder.build_store(ptr, v)?;
            self.builder.build_store(flag_ptr, flag)?;
        }
        self.builder.build_return(None)?;
        Ok(())
    }

    /// One copy of a chunk's loop, from the current block to `exit`: for k in lo..hi,
    /// the loop variable `start + k * step`, the body.
    fn chunk_copy(
        &mut self,
        p: &ParLoop,
        (start, lo, hi): (IntValue<'ctx>, IntValue<'ctx>, IntValue<'ctx>),
        k_slot: PointerValue<'ctx>,
        exit: inkwell::basic_block::BasicBlock<'ctx>,
    ) -> Res<()> {
        // for k in lo..hi: var = start + k * step
        let t = self.types;
        let step = literal_step(p);
        self.builder.build_store(k_slot, lo)?;
        let head = self.ctx.append_basic_block(self.func, "chunk.head");
        let body = self.ctx.append_basic_block(self.func, "chunk.body");
        let latch = self.ctx.append_basic_block(self.func, "chunk.latch");
        self.builder.build_unconditional_branch(head)?;
        self.builder.position_at_end(head);
        let k = self
            .builder
            .build_load(t.i64, k_slot, "k")?
            .into_int_value();
        let more = self
            .builder
            .build_int_compare(IntPredicate::SLT, k, hi, "more")?;
        self.builder.build_conditional_branch(more, body, exit)?;
        self.builder.position_at_end(body);
        let k = self
            .builder
            .build_load(t.i64, k_slot, "k")?
            .into_int_value();
        let offset = self
            .builder
            .build_int_nuw_mul(k, t.i64.const_int(step, false), "off")?;
        let i = self.builder.build_int_nuw_add(start, offset, "i")?;
        let ty = p.start.ty;
        let var_value: BasicValueEnum<'ctx> = if ty.bits() == 64 {
            i.into()
        } else {
            self.builder
                .build_int_truncate(i, t.reg(ty).into_int_type(), "i")?
                .into()
        };
        self.store_local(p.var, var_value)?;
        self.mark_assigned(p.var)?;
        self.loops.push(LoopTargets {
            cont: latch,
            brk: exit,
        });
        let lowered = self.block(&p.body);
        self.loops.pop();
        lowered?;
        self.branch_if_open(latch)?;
        self.builder.position_at_end(latch);
        let k = self
            .builder
            .build_load(t.i64, k_slot, "k")?
            .into_int_value();
        let next = self
            .builder
            .build_int_nsw_add(k, t.i64.const_int(1, false), "k")?;
        self.builder.build_store(k_slot, next)?;
        let br = self.builder.build_unconditional_branch(head)?;
        if self.opts.interleave_once {
            super::super::loop_md::mark_interleave_once(self.ctx, br);
        }
        Ok(())
    }

    /// Notes that the chunk being lowered assigned `l`, if `l` is one of its loop's
    /// privates.
    pub(super) fn mark_assigned(&self, l: LocalId) -> Res<()> {
        let yes = self.types.i1.const_int(1, false);
        self.mark_assigned_if(l, yes)
    }

    /// As [`Self::mark_assigned`], when `cond` holds.
    fn mark_assigned_if(&self, l: LocalId, cond: IntValue<'ctx>) -> Res<()> {
        if let Some(&(_, flag)) = self.assigned.iter().find(|(x, _)| *x == l) {
            let t = self.types;
            let old = self
                .builder
                .build_load(t.i1, flag, "assigned")?
                .into_int_value();
            let new = self.builder.build_or(old, cond, "assigned")?;
            self.builder.build_store(flag, new)?;
        }
        Ok(())
    }

    /// The `env` slots a capture takes: one for a scalar; an array's address and one
    /// per axis for its extents.
    fn env_width(&self, c: LocalId) -> u64 {
        match &self.kernel.local(c).ty {
            Type::Array(a) => 1 + a.dims.len() as u64,
            _ => 1,
        }
    }

    /// The runtime's entry point, declared once per module.
    fn runtime_entry(&self) -> FunctionValue<'ctx> {
        const NAME: &str = msp_rt::parallel::ENTRY;
        if let Some(f) = self.module.get_function(NAME) {
            return f;
        }
        let t = self.types;
        let ty = t.i64.fn_type(
            &[
                t.ptr.into(),
                t.ptr.into(),
                t.i64.into(),
                t.ptr.into(),
                t.i64.into(),
                t.ptr.into(),
                t.i64.into(),
            ],
            false,
        );
        self.module.add_function(NAME, ty, Some(Linkage::External))
    }

    /// Extends an integer of type `ty` to 64 bits by its signedness.
    fn to_i64(&self, v: IntValue<'ctx>, ty: Scalar) -> Res<IntValue<'ctx>> {
        if v.get_type().get_bit_width() == 64 {
            return Ok(v);
        }
        self.widen(v, ty)
    }

    /// A slot of a scalar local holding `init` (wide counters in 64 bits).
    pub(super) fn scalar_slot(
        &mut self,
        local: &crate::check::hir::Local,
        s: Scalar,
        init: BasicValueEnum<'ctx>,
    ) -> Res<Slot<'ctx>> {
        let t = self.types;
        if local.wide {
            let p = self.builder.build_alloca(t.i64, &local.name)?;
            let w = self.widen(init.into_int_value(), s)?;
            self.builder.build_store(p, w)?;
            Ok(Slot::Wide(p, s))
        } else {
            let p = self.builder.build_alloca(t.reg(s), &local.name)?;
            self.builder.build_store(p, init)?;
            Ok(Slot::Scalar(p, s))
        }
    }

    /// A scalar local's value in registers.
    pub(super) fn load_local(&self, l: LocalId) -> Res<BasicValueEnum<'ctx>> {
        let t = self.types;
        Ok(match self.slots[l.0 as usize] {
            Slot::Scalar(p, s) => self.builder.build_load(t.reg(s), p, "v")?,
            Slot::Wide(p, s) => {
                let w = self.builder.build_load(t.i64, p, "w")?.into_int_value();
                self.builder
                    .build_int_truncate(w, t.reg(s).into_int_type(), "v")?
                    .into()
            }
            Slot::Array(..) => unreachable!("a scalar local"),
        })
    }

    /// Stores a register value into a scalar local's slot.
    pub(super) fn store_local(&self, l: LocalId, v: BasicValueEnum<'ctx>) -> Res<()> {
        match self.slots[l.0 as usize] {
            Slot::Scalar(p, _) => {
                self.builder.build_store(p, v)?;
            }
            Slot::Wide(p, s) => {
                let w = self.widen(v.into_int_value(), s)?;
                self.builder.build_store(p, w)?;
            }
            Slot::Array(..) => unreachable!("a scalar local"),
        }
        Ok(())
    }

    /// Loads a scalar local's value stored in its C representation in an 8-byte slot.
    pub(super) fn load_abi_slot(
        &self,
        ptr: PointerValue<'ctx>,
        l: LocalId,
    ) -> Res<BasicValueEnum<'ctx>> {
        let s = self.kernel.local(l).ty.scalar().expect("a scalar local");
        let v = self.builder.build_load(self.types.mem(s), ptr, "slot")?;
        self.abi_to_reg(v, s)
    }

    /// `acc op part` for combining two chunks' results of a reduction of `l`.
    fn combine(
        &mut self,
        op: ReduceOp,
        l: LocalId,
        acc: BasicValueEnum<'ctx>,
        part: BasicValueEnum<'ctx>,
    ) -> Res<BasicValueEnum<'ctx>> {
        use crate::check::hir::ArithOp;
        let s = self
            .kernel
            .local(l)
            .ty
            .scalar()
            .expect("a scalar reduction");
        let arith = match op {
            // A chunk of `s -= e` subtracts from 0: its result is added.
            ReduceOp::Add | ReduceOp::Sub => ArithOp::Add,
            ReduceOp::Mul => ArithOp::Mul,
            ReduceOp::BitOr => ArithOp::BitOr,
            ReduceOp::BitAnd => ArithOp::BitAnd,
            ReduceOp::BitXor => ArithOp::BitXor,
            ReduceOp::Min | ReduceOp::Max => {
                // As `min(acc, part)`: `part` only if it is strictly better.
                let cmp = if op == ReduceOp::Min {
                    CmpOp::Lt
                } else {
                    CmpOp::Gt
                };
                let better = self.compare_pair(cmp, s, part, acc)?;
                return Ok(self.builder.build_select(better, part, acc, "minmax")?);
            }
        };
        self.arith(arith, s, acc, part, None)
    }
}

/// A `prange` step, a literal `>= 1` (the checker's rule).
fn literal_step(p: &ParLoop) -> u64 {
    match p.step.kind {
        crate::check::hir::TExprKind::Int(s) => s as u64,
        _ => unreachable!("the checker makes prange steps literals"),
    }
}

/// The identity of a reduction's operator for type `s`: where a chunk starts.
fn identity<'ctx>(this: &FnLower<'_, 'ctx>, op: ReduceOp, s: Scalar) -> BasicValueEnum<'ctx> {
    let t = this.types;
    let int = |v: i128| -> BasicValueEnum<'ctx> {
        t.reg(s).into_int_type().const_int(v as u64, false).into()
    };
    let float =
        |v: f64| -> BasicValueEnum<'ctx> { t.reg(s).into_float_type().const_float(v).into() };
    match (op, s.is_float()) {
        (ReduceOp::Add | ReduceOp::Sub | ReduceOp::BitOr | ReduceOp::BitXor, false) => int(0),
        (ReduceOp::Add | ReduceOp::Sub, true) => float(-0.0),
        (ReduceOp::Mul, false) => int(1),
        (ReduceOp::Mul, true) => float(1.0),
        (ReduceOp::BitAnd, _) => int(-1),
        (ReduceOp::Min, false) => int(s.int_range().1),
        (ReduceOp::Max, false) => int(s.int_range().0),
        (ReduceOp::Min, true) => float(f64::INFINITY),
        (ReduceOp::Max, true) => float(f64::NEG_INFINITY),
        (ReduceOp::BitOr | ReduceOp::BitXor, true) => float(0.0),
    }
}
