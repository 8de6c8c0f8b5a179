//! Which kernels test the room left on the call stack before they run.
//!
//! A checked kernel must not end the host with a stack overflow (a signal): recursion
//! may go as deep as its argument says, and local arrays take up to
//! [`super::MAX_LOCAL_ARRAY_BYTES`] of stack each. So a checked kernel that is part of a
//! cycle of calls, or whose local arrays take [`LARGE_FRAME_BYTES`] or more, gets a
//! fault site of kind [`FaultKind::StackExhausted`]; codegen tests the stack pointer at
//! its entry against the bound the caller put in the fault record. Other kernels need no
//! test: without cycles, calls nest at most as deep as there are kernels, each with a
//! small frame.

use super::counting::stmt_exprs;
use super::hir::{Callee, FaultKind, FaultSite, SiteId, TExprKind, TypedKernel};
use super::types::Type;

/// Local arrays of this many bytes make a kernel test the stack even when it is not
/// recursive.
pub const LARGE_FRAME_BYTES: u64 = 16 * 1024;

/// Sets [`TypedKernel::callees`]: the kernels each kernel calls.
pub fn mark_callees(kernels: &mut [TypedKernel]) {
    for k in kernels.iter_mut() {
        let mut out = Vec::new();
        for s in k.body.iter_mut() {
            stmt_exprs(s, &mut |e| {
                if let TExprKind::Call {
                    callee: Callee::Kernel(c),
                    ..
                } = e.kind
                {
                    out.push(c);
                }
            });
        }
        out.sort_unstable();
        out.dedup();
        k.callees = out;
    }
}

/// Sets [`TypedKernel::stack_site`] for the checked kernels that need a stack test
/// (after [`mark_callees`]).
pub fn mark_stack_checks(kernels: &mut [TypedKernel], sites: &mut Vec<FaultSite>) {
    let callees: Vec<Vec<usize>> = kernels.iter().map(|k| k.callees.clone()).collect();
    for (i, k) in kernels.iter_mut().enumerate() {
        if k.unchecked {
            continue;
        }
        if reaches(&callees, i, i) || frame_bytes(k) >= LARGE_FRAME_BYTES {
            sites.push(FaultSite {
                kernel: k.sig.name.clone(),
                span: k.name_span,
                kind: FaultKind::StackExhausted,
            });
            k.stack_site = Some(SiteId(sites.len() as u32 - 1));
        }
    }
}

/// The bytes of a kernel's local arrays (they live in its stack frame).
pub fn frame_bytes(k: &TypedKernel) -> u64 {
    k.locals
        .iter()
        .filter(|l| !l.is_param)
        .filter_map(|l| match &l.ty {
            Type::Array(a) => a
                .fixed_product()
                .map(|n| n.saturating_mul(u64::from(a.elem.bits().div_ceil(8)))),
            Type::Scalar(_) | Type::None => None,
        })
        .fold(0u64, u64::saturating_add)
}

/// Whether a chain of calls leads from kernel `from` to kernel `to`.
fn reaches(callees: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; callees.len()];
    let mut work: Vec<usize> = callees[from].clone();
    while let Some(k) = work.pop() {
        if k == to {
            return true;
        }
        if !std::mem::replace(&mut seen[k], true) {
            work.extend(&callees[k]);
        }
    }
    false
}
