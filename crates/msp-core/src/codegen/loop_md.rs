//! Loop metadata (`!llvm.loop`) on back edges. inkwell has no way to build the
//! self-referential node a loop ID must be, so this goes through the LLVM C API.

use inkwell::context::{AsContextRef, Context};
use inkwell::llvm_sys::core::{
    LLVMConstInt, LLVMGetMDKindIDInContext, LLVMIntTypeInContext, LLVMMDNodeInContext2,
    LLVMMDStringInContext2, LLVMMetadataAsValue, LLVMSetMetadata, LLVMValueAsMetadata,
};
use inkwell::llvm_sys::debuginfo::{LLVMMetadataReplaceAllUsesWith, LLVMTemporaryMDNode};
use inkwell::llvm_sys::prelude::LLVMMetadataRef;
use inkwell::values::{AsValueRef, InstructionValue};

/// Marks the loop whose back edge is `latch` as one to leave rolled and scalar:
/// `llvm.loop.vectorize.enable false` (which also keeps the vectorizer's run-time
/// stride and overlap versioning off it) and `llvm.loop.unroll.disable`. With
/// `unversioned`, also `llvm.loop.unswitch.injection.disable`: loop unswitching then
/// does not copy the loop once per bounds check whose range it could test before the
/// loop (its "injected conditions").
pub(super) fn mark_rolled_scalar(ctx: &Context, latch: InstructionValue<'_>, unversioned: bool) {
    let mut hints = vec![Hint::NoVectorize, Hint::NoUnroll];
    if unversioned {
        hints.push(Hint::NoUnswitchInjection);
    }
    mark_loop(ctx, latch, &hints);
}

/// Marks the loop whose back edge is `latch` as one LLVM's loop unrolling must not
/// unroll by a run-time trip count (`llvm.loop.unroll.runtime.disable`); unrolling it
/// by a constant trip count stays allowed.
pub(super) fn mark_no_runtime_unroll(ctx: &Context, latch: InstructionValue<'_>) {
    mark_loop(ctx, latch, &[Hint::NoRuntimeUnroll]);
}

/// Marks the loop whose back edge is `latch` as one the loop vectorizer, if it
/// vectorizes it, must not interleave (`llvm.loop.interleave.count 1`): one vector
/// body, not two to four copies of it (see `CodegenOptions::interleave_once`).
pub(super) fn mark_interleave_once(ctx: &Context, latch: InstructionValue<'_>) {
    mark_loop(ctx, latch, &[Hint::InterleaveOnce]);
}

/// Marks the loop whose back edge is `latch` as one to vectorize eight lanes wide,
/// without interleaving or unrolling, its last iterations masked
/// (`llvm.loop.vectorize.width 8`, `llvm.loop.interleave.count 1`,
/// `llvm.loop.unroll.disable`, `llvm.loop.vectorize.predicate.enable`): one vector
/// loop, with neither a vector epilogue nor a scalar remainder.
pub(super) fn mark_narrow_vector(ctx: &Context, latch: InstructionValue<'_>) {
    mark_loop(
        ctx,
        latch,
        &[
            Hint::VectorWidth(8),
            Hint::InterleaveOnce,
            Hint::NoUnroll,
            Hint::PredicateTail,
        ],
    );
}

/// One property of a loop ID.
#[derive(Clone, Copy)]
enum Hint {
    NoVectorize,
    NoUnroll,
    NoRuntimeUnroll,
    NoUnswitchInjection,
    InterleaveOnce,
    VectorWidth(u64),
    PredicateTail,
}

fn mark_loop(ctx: &Context, latch: InstructionValue<'_>, hints: &[Hint]) {
    // SAFETY: every reference passed below comes from `ctx` (the context `latch` lives
    // in) and is live for the calls; the temporary node is handed to
    // `LLVMMetadataReplaceAllUsesWith`, which replaces its one use and frees it.
    unsafe {
        let c = ctx.as_ctx_ref();
        let string = |s: &str| LLVMMDStringInContext2(c, s.as_ptr().cast(), s.len());
        let node =
            |ops: &mut [LLVMMetadataRef]| LLVMMDNodeInContext2(c, ops.as_mut_ptr(), ops.len());
        let int = |bits: u32, v: u64| {
            LLVMValueAsMetadata(LLVMConstInt(LLVMIntTypeInContext(c, bits), v, 0))
        };
        // A loop ID's first operand is the ID itself: LoopInfo ignores a node that
        // does not refer to itself, and the cycle keeps two loops' IDs apart.
        let placeholder = LLVMTemporaryMDNode(c, std::ptr::null_mut(), 0);
        let mut ops = vec![placeholder];
        for hint in hints {
            ops.push(match hint {
                Hint::NoVectorize => node(&mut [string("llvm.loop.vectorize.enable"), int(1, 0)]),
                Hint::NoUnroll => node(&mut [string("llvm.loop.unroll.disable")]),
                Hint::NoRuntimeUnroll => node(&mut [string("llvm.loop.unroll.runtime.disable")]),
                Hint::NoUnswitchInjection => {
                    node(&mut [string("llvm.loop.unswitch.injection.disable")])
                }
                Hint::InterleaveOnce => {
                    node(&mut [string("llvm.loop.interleave.count"), int(32, 1)])
                }
                Hint::PredicateTail => {
                    node(&mut [string("llvm.loop.vectorize.predicate.enable"), int(1, 1)])
                }
                Hint::VectorWidth(lanes) => {
                    node(&mut [string("llvm.loop.vectorize.width"), int(32, *lanes)])
                }
            });
        }
        let id = node(&mut ops);
        LLVMMetadataReplaceAllUsesWith(placeholder, id);
        let kind = "llvm.loop";
        let kind = LLVMGetMDKindIDInContext(c, kind.as_ptr().cast(), kind.len() as u32);
        LLVMSetMetadata(latch.as_value_ref(), kind, LLVMMetadataAsValue(c, id));
    }
}
