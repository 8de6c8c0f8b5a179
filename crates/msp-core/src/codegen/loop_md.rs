//! Loop metadata (`!llvm.loop`) on back edges. inkwell has no way to build the
//! self-referential node a loop ID must be, so this goes through the LLVM C API.

use inkwell::context::{AsContextRef, Context};
use inkwell::llvm_sys::core::{
    LLVMConstInt, LLVMGetMDKindIDInContext, LLVMInt1TypeInContext, LLVMMDNodeInContext2,
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
    mark_loop(ctx, latch, true, unversioned);
}

/// Marks the loop whose back edge is `latch` as one LLVM's loop unrolling must not
/// unroll by a run-time trip count (`llvm.loop.unroll.runtime.disable`); unrolling it
/// by a constant trip count stays allowed.
pub(super) fn mark_no_runtime_unroll(ctx: &Context, latch: InstructionValue<'_>) {
    mark_loop(ctx, latch, false, false);
}

fn mark_loop(ctx: &Context, latch: InstructionValue<'_>, rolled_scalar: bool, unversioned: bool) {
    // SAFETY: every reference passed below comes from `ctx` (the context `latch` lives
    // in) and is live for the calls; the temporary node is handed to
    // `LLVMMetadataReplaceAllUsesWith`, which replaces its one use and frees it.
    unsafe {
        let c = ctx.as_ctx_ref();
        let string = |s: &str| LLVMMDStringInContext2(c, s.as_ptr().cast(), s.len());
        let node =
            |ops: &mut [LLVMMetadataRef]| LLVMMDNodeInContext2(c, ops.as_mut_ptr(), ops.len());
        let i1_false = LLVMValueAsMetadata(LLVMConstInt(LLVMInt1TypeInContext(c), 0, 0));
        let vectorize = node(&mut [string("llvm.loop.vectorize.enable"), i1_false]);
        let unroll = node(&mut [string("llvm.loop.unroll.disable")]);
        // A loop ID's first operand is the ID itself: LoopInfo ignores a node that
        // does not refer to itself, and the cycle keeps two loops' IDs apart.
        let placeholder = LLVMTemporaryMDNode(c, std::ptr::null_mut(), 0);
        let mut ops = if rolled_scalar {
            vec![placeholder, vectorize, unroll]
        } else {
            vec![
                placeholder,
                node(&mut [string("llvm.loop.unroll.runtime.disable")]),
            ]
        };
        if unversioned {
            ops.push(node(&mut [string("llvm.loop.unswitch.injection.disable")]));
        }
        let id = node(&mut ops);
        LLVMMetadataReplaceAllUsesWith(placeholder, id);
        let kind = "llvm.loop";
        let kind = LLVMGetMDKindIDInContext(c, kind.as_ptr().cast(), kind.len() as u32);
        LLVMSetMetadata(latch.as_value_ref(), kind, LLVMMetadataAsValue(c, id));
    }
}
