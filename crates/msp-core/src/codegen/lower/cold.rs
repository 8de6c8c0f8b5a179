//! Outlined checked copies. The checked copy of a versioned loop (`FnLower::versioned`)
//! runs only when a guard fails, on the way to a fault as a rule, yet inline it cost
//! as much to compile as the copy that runs: O3's loop passes, loop strength reduction
//! and instruction selection did the same work on both (the for/for transpose over
//! `Float[:][:]` compiled in 1.5× its fixed twin's time, the seed's `while` nest in
//! 1.9×). So it becomes a function of its own, `k.checkedN(env, fault) -> i32`, marked
//! `optnone` (and `noinline`, `cold`): the optimizer leaves it as emitted and the code
//! generator takes its quick path (fast instruction selection).
//!
//! The caller writes every local into `env` (scalars by value, arrays as their address
//! and extents) and, for a `range` loop, its bounds; the copy runs the loop on its own
//! slots, writes the scalars back and says how it ended: the range ran out ([`DONE`]),
//! `break` ([`BROKE`]), `return` with the value in `env` ([`RETURNED`]) or a fault, its
//! record written ([`FAULTED`]). The caller reloads the scalars and goes on from there.
//!
//! The JIT goes one step further and compiles the copies only when one first runs
//! (`jit/lazy.rs`); ahead-of-time code has them compiled with the rest.

use inkwell::attributes::AttributeLoc;
use inkwell::basic_block::BasicBlock;
use inkwell::module::Linkage;
use inkwell::values::{IntValue, PointerValue};

use super::{FnLower, LoopCopy, Res, Slot, enum_attr};
use crate::check::hir::{LocalId, TExpr, TStmt};
use crate::check::{Extent, Type};

const DONE: u64 = 0;
const BROKE: u64 = 1;
const RETURNED: u64 = 2;
/// Also what `FnLower::return_zero` returns in an outlined copy, and what the JIT's
/// stub returns when it cannot compile the copies (`jit/lazy.rs`).
pub(crate) const FAULTED: u64 = 3;

/// Whether `name` is a checked copy's symbol, `k.checkedN` as [`FnLower::outline_copy`]
/// names it (kernel names have no dot).
pub(crate) fn is_checked_copy(name: &str) -> bool {
    name.rsplit_once(".checked")
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `env`: a `range` loop's start, stop and step, the return value, then the locals.
const ENV_BOUNDS: u64 = 0;
const ENV_RET: u64 = 3;
const ENV_LOCALS: u64 = 4;

impl<'a, 'ctx> FnLower<'a, 'ctx> {
    /// Whether the checked copy of a loop with this body can be outlined: not inside a
    /// parallel loop's outlined body (whose privates track assignments), nor around a
    /// `prange` (which outlines its own body).
    pub(super) fn can_outline(&self, body: &[TStmt]) -> bool {
        fn holds_prange(stmts: &[TStmt]) -> bool {
            stmts.iter().any(|s| {
                matches!(s, TStmt::ParFor(_)) || s.blocks().iter().any(|b| holds_prange(b))
            })
        }
        self.opts.outline_checked_copies
            && !self.outlined
            && self.cold_env.is_none()
            && !holds_prange(body)
    }

    /// Emits the call of the outlined checked copy of `copy` from the current block.
    pub(super) fn cold_copy(
        &mut self,
        copy: LoopCopy<'_, 'ctx>,
        else_bb: BasicBlock<'ctx>,
        exit: BasicBlock<'ctx>,
    ) -> Res<()> {
        let t = self.types;
        let width = self.env_locals_width();
        let env = self.entry_alloca(
            t.i64.array_type((ENV_LOCALS + width) as u32).into(),
            "checked.env",
        )?;
        if let LoopCopy::Range { bounds, .. } = copy {
            let (a, b, c) = bounds;
            for (k, v) in [a, b, c].into_iter().enumerate() {
                let at = self.env_slot(env, ENV_BOUNDS + k as u64)?;
                self.builder.build_store(at, v)?;
            }
        }
        self.store_locals(env)?;
        let f = self.outline_copy(copy)?;
        let status = self
            .builder
            .build_call(f, &[env.into(), self.fault_ptr.into()], "status")?;
        let status = super::basic(status)?.into_int_value();
        self.load_locals(env)?;
        let returned = self.ctx.append_basic_block(self.func, "checked.returned");
        let faulted = self.ctx.append_basic_block(self.func, "checked.faulted");
        let code = |c: u64| t.i32.const_int(c, false);
        self.builder.build_switch(
            status,
            faulted,
            &[
                (code(DONE), else_bb),
                (code(BROKE), exit),
                (code(RETURNED), returned),
            ],
        )?;
        self.builder.position_at_end(returned);
        match &self.kernel.sig.ret {
            Type::Scalar(s) => {
                let at = self.env_slot(env, ENV_RET)?;
                let v = self.builder.build_load(t.mem(*s), at, "ret")?;
                self.builder.build_return(Some(&v))?;
            }
            _ => {
                self.builder.build_return(None)?;
            }
        }
        self.builder.position_at_end(faulted);
        self.return_zero()
    }

    /// The outlined function: `i32 k.checkedN(ptr env, ptr fault)`.
    fn outline_copy(
        &mut self,
        copy: LoopCopy<'_, 'ctx>,
    ) -> Res<inkwell::values::FunctionValue<'ctx>> {
        let t = self.types;
        let n = self.par_count.get();
        self.par_count.set(n + 1);
        let name = format!(
            "{}{}.checked{n}",
            self.opts.symbol_prefix, self.kernel.sig.name
        );
        let fn_ty = t.i32.fn_type(&[t.ptr.into(), t.ptr.into()], false);
        let f = self
            .module
            .add_function(&name, fn_ty, Some(Linkage::Internal));
        for attr in self.func.attributes(AttributeLoc::Function) {
            f.add_attribute(AttributeLoc::Function, attr);
        }
        for name in ["nounwind", "optnone", "noinline", "cold"] {
            f.add_attribute(AttributeLoc::Function, enum_attr(self.ctx, name, 0));
        }
        let fault = f.get_nth_param(1).expect("fault").into_pointer_value();
        let mut child = self.child(f, fault);
        child.in_checked_copy = 1;
        child.lower_copy(copy)?;
        Ok(f)
    }

    /// The outlined function's body (see [`Self::outline_copy`]).
    fn lower_copy(&mut self, copy: LoopCopy<'_, 'ctx>) -> Res<()> {
        let t = self.types;
        let entry = self.ctx.append_basic_block(self.func, "entry");
        self.builder.position_at_end(entry);
        let env = self
            .func
            .get_nth_param(0)
            .expect("env")
            .into_pointer_value();
        self.cold_env = Some(env);
        // Every local gets a slot of this function, from `env`.
        let mut at = ENV_LOCALS;
        for (i, local) in self.kernel.locals.iter().enumerate() {
            let slot = match &local.ty {
                Type::Array(a) => {
                    let ptr = self.env_slot(env, at)?;
                    let ptr = self.builder.build_load(t.ptr, ptr, "arr")?;
                    let mut extents = Vec::with_capacity(a.dims.len());
                    for (k, d) in a.dims.iter().enumerate() {
                        extents.push(match d {
                            // Constants stay constants: the checks against them fold.
                            Extent::Fixed(n) => t.i64.const_int(*n, false),
                            Extent::Runtime => {
                                let p = self.env_slot(env, at + 1 + k as u64)?;
                                self.builder
                                    .build_load(t.i64, p, "extent")?
                                    .into_int_value()
                            }
                        });
                    }
                    at += 1 + a.dims.len() as u64;
                    Slot::Array(ptr.into_pointer_value(), extents)
                }
                Type::Scalar(s) => {
                    let p = self.env_slot(env, at)?;
                    let v = self.load_abi_slot(p, LocalId(i as u32))?;
                    at += 1;
                    self.scalar_slot(local, *s, v)?
                }
                Type::None => unreachable!("no None locals"),
            };
            self.slots.push(slot);
        }
        let copy = match copy {
            LoopCopy::Range { r, bounds, wide } => {
                let (a, b, c) = bounds;
                let load = |k: u64, like: IntValue<'ctx>| -> Res<IntValue<'ctx>> {
                    let p = self.env_slot(env, ENV_BOUNDS + k)?;
                    Ok(self
                        .builder
                        .build_load(like.get_type(), p, "bound")?
                        .into_int_value())
                };
                let bounds = (load(0, a)?, load(1, b)?, load(2, c)?);
                LoopCopy::Range { r, bounds, wide }
            }
            w @ LoopCopy::While { .. } => w,
        };
        let done = self.ctx.append_basic_block(self.func, "checked.done");
        let broke = self.ctx.append_basic_block(self.func, "checked.broke");
        self.loop_copy(copy, done, broke)?;
        for (bb, status) in [(done, DONE), (broke, BROKE)] {
            self.builder.position_at_end(bb);
            self.store_locals(env)?;
            self.builder
                .build_return(Some(&t.i32.const_int(status, false)))?;
        }
        Ok(())
    }

    /// `return` in an outlined copy: the value into `env`, then [`RETURNED`].
    pub(super) fn cold_return(&mut self, value: Option<&TExpr>) -> Res<()> {
        let env = self.cold_env.expect("in an outlined copy");
        if let Some(e) = value {
            let v = self.expr(e)?;
            let v = self.reg_to_abi(v, e.ty)?;
            let at = self.env_slot(env, ENV_RET)?;
            self.builder.build_store(at, v)?;
        }
        let status = self.types.i32.const_int(RETURNED, false);
        self.builder.build_return(Some(&status))?;
        Ok(())
    }

    /// The `env` slots every local takes: an array's address and one per axis, one per
    /// scalar.
    fn env_locals_width(&self) -> u64 {
        (self.kernel.locals.iter())
            .map(|l| match &l.ty {
                Type::Array(a) => 1 + a.dims.len() as u64,
                _ => 1,
            })
            .sum()
    }

    fn env_slot(&self, env: PointerValue<'ctx>, i: u64) -> Res<PointerValue<'ctx>> {
        let t = self.types;
        // SAFETY of the IR: `i` is below `env`'s slot count (`ENV_LOCALS` plus
        // `env_locals_width`), which both functions compute from the same locals.
        Ok(unsafe {
            self.builder
                .build_in_bounds_gep(t.i64, env, &[t.i64.const_int(i, false)], "env")?
        })
    }

    /// Writes every local into `env`: scalars in their C representation, arrays as
    /// their address and extents.
    fn store_locals(&mut self, env: PointerValue<'ctx>) -> Res<()> {
        let mut at = ENV_LOCALS;
        for i in 0..self.kernel.locals.len() {
            let id = LocalId(i as u32);
            match &self.slots[i] {
                Slot::Array(ptr, extents) => {
                    let (ptr, extents) = (*ptr, extents.clone());
                    let p = self.env_slot(env, at)?;
                    self.builder.build_store(p, ptr)?;
                    for (k, e) in extents.iter().enumerate() {
                        let p = self.env_slot(env, at + 1 + k as u64)?;
                        self.builder.build_store(p, *e)?;
                    }
                    at += 1 + extents.len() as u64;
                }
                Slot::Scalar(..) | Slot::Wide(..) => {
                    let s = self.kernel.local(id).ty.scalar().expect("a scalar local");
                    let v = self.load_local(id)?;
                    let v = self.reg_to_abi(v, s)?;
                    let p = self.env_slot(env, at)?;
                    self.builder.build_store(p, v)?;
                    at += 1;
                }
            }
        }
        Ok(())
    }

    /// Reads the scalar locals back from `env` after the outlined copy ran.
    fn load_locals(&mut self, env: PointerValue<'ctx>) -> Res<()> {
        let mut at = ENV_LOCALS;
        for i in 0..self.kernel.locals.len() {
            let id = LocalId(i as u32);
            match &self.slots[i] {
                Slot::Array(_, extents) => at += 1 + extents.len() as u64,
                Slot::Scalar(..) | Slot::Wide(..) => {
                    let p = self.env_slot(env, at)?;
                    let v = self.load_abi_slot(p, id)?;
                    self.store_local(id, v)?;
                    at += 1;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_checked_copy;

    #[test]
    fn checked_copy_symbols_are_told_apart_from_kernels() {
        assert!(is_checked_copy("k.checked0"));
        assert!(is_checked_copy("__msp_jit_k.checked12"));
        assert!(!is_checked_copy("k"));
        assert!(!is_checked_copy("k.checked"));
        assert!(!is_checked_copy("k.checked1x"));
        assert!(!is_checked_copy("k.par0"));
    }
}
