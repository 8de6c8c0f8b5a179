//! The runtime of msp's generated code: what `msp!` and `msp-build` wrappers, C callers'
//! headers and the JIT's argument checks share. It has no LLVM in it, so a crate that
//! only calls kernels compiled ahead of time links this and nothing of the compiler.
//!
//! - [`Scalar`] and [`Extent`]: the kernel types as the calling convention sees them;
//! - [`FaultRecord`], [`FaultKind`], [`Fault`]: what a checked kernel reports when it
//!   stops, and the message a user reads;
//! - [`ArrayData`], [`Shaped`], [`bind_extents`]: Rust memory passed as kernel arrays,
//!   and the extents of their `:` axes;
//! - [`CallError`]: why a call did not return a value.
//!
//! ```
//! use msp_rt::{bind_extents, Extent};
//!
//! // `F32[:]` called with 5 elements: the kernel gets one extent, 5.
//! let mut extents = [0u64; 1];
//! bind_extents(&[Extent::Runtime], 5, None, &mut extents).unwrap();
//! assert_eq!(extents, [5]);
//! ```

mod array;
mod fault;
pub mod parallel;
mod scalar;
pub mod stack;
pub mod wrapper;

pub use array::{ArrayData, ArrayDataMut, Element, ShapeError, Shaped, ShapedMut, bind_extents};
pub use fault::{Fault, FaultKind, FaultRecord, fault_message};
pub use scalar::{Extent, Scalar};

/// Why a call did not return a value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Fault(#[from] Fault),
    #[error(
        "argument `{param}` of `{kernel}` has {got} elements; the kernel's array `{ty}` needs {expected}"
    )]
    Length {
        kernel: String,
        param: String,
        ty: String,
        expected: usize,
        got: usize,
    },
    #[error("argument `{param}` of `{kernel}` (`{ty}`) {problem}")]
    Shape {
        kernel: String,
        param: String,
        ty: String,
        problem: Box<ShapeError>,
    },
    #[error(
        "kernel `{kernel}` is compiled without run-time checks; call it with `call_dynamic_unchecked` in `unsafe`"
    )]
    Unchecked { kernel: String },
    #[error("`{kernel}` takes {expected} argument(s), {got} given")]
    Arity {
        kernel: String,
        expected: usize,
        got: usize,
    },
    #[error("argument `{param}` of `{kernel}` must be `{expected}`, got {got}")]
    Type {
        kernel: String,
        param: String,
        expected: String,
        got: String,
    },
}
