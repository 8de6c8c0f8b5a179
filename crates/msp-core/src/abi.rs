//! The calling convention of compiled kernels, in one place and without LLVM: what
//! codegen declares, what JIT trampolines unpack, what the Rust wrappers and the C header
//! pass.
//!
//! A kernel `k` is `ret k(p..., msp_fault *fault)` with the C ABI, where each source
//! parameter becomes, in order:
//!
//! - a scalar: one argument of its C type (`bool` as a byte);
//! - an array: a pointer to its first element (row-major, contiguous), then one `int64_t`
//!   per `:` axis, in axis order, giving that axis's extent for this call.
//!
//! The fault record ([`FaultRecord`]) comes last. A JIT trampoline takes the same
//! arguments as one 8-byte slot each, in the same order.
//!
//! ```
//! use msp_core::abi::{AbiParam, kernel_params};
//! use msp_core::check::{ArrayType, Extent, KernelSig, Scalar, Type};
//!
//! let sig = KernelSig {
//!     name: "scale".into(),
//!     params: vec![
//!         ("a".into(), Type::Array(ArrayType { elem: Scalar::F32, dims: vec![Extent::Runtime, Extent::Fixed(3)] })),
//!         ("k".into(), Type::Scalar(Scalar::F32)),
//!     ],
//!     ret: Type::None,
//!     writes: vec![true, false],
//! };
//! assert_eq!(
//!     kernel_params(&sig),
//!     vec![
//!         AbiParam::Data { param: 0, elem: Scalar::F32, writes: true },
//!         AbiParam::Extent { param: 0, axis: 0 },
//!         AbiParam::Scalar { param: 1, ty: Scalar::F32 },
//!     ]
//! );
//! assert_eq!(msp_core::abi::extent_name("a", 0), "a_dim0");
//! ```

use crate::check::hir::KernelSig;
use crate::check::{Scalar, Type};

pub use msp_rt::{FaultKind, FaultRecord, ShapeError, bind_extents, fault_message};

/// One machine-level argument of a kernel (the fault pointer, always last, is not listed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AbiParam {
    /// Source parameter `param`, a scalar.
    Scalar { param: usize, ty: Scalar },
    /// The data pointer of array parameter `param`; `writes` says whether the kernel (or
    /// one it calls) may store through it.
    Data {
        param: usize,
        elem: Scalar,
        writes: bool,
    },
    /// The extent of `:` axis `axis` of array parameter `param`, an `i64`.
    Extent { param: usize, axis: usize },
}

/// The arguments of a kernel with signature `sig`, in order, before the fault pointer.
pub fn kernel_params(sig: &KernelSig) -> Vec<AbiParam> {
    let mut out = Vec::with_capacity(sig.params.len());
    for (param, (_, ty)) in sig.params.iter().enumerate() {
        match ty {
            Type::Scalar(s) => out.push(AbiParam::Scalar { param, ty: *s }),
            Type::Array(a) => {
                out.push(AbiParam::Data {
                    param,
                    elem: a.elem,
                    writes: sig.writes.get(param).copied().unwrap_or(true),
                });
                out.extend(
                    a.runtime_axes()
                        .map(|axis| AbiParam::Extent { param, axis }),
                );
            }
            // The checker refuses `None` parameters.
            Type::None => {}
        }
    }
    out
}

/// The name of the extent argument of axis `axis` of array parameter `param` in
/// generated C and Rust declarations (`a_dim0`).
pub fn extent_name(param: &str, axis: usize) -> String {
    format!("{param}_dim{axis}")
}

/// The C declaration of [`FaultRecord`], for generated headers.
pub const C_FAULT_RECORD: &str = "typedef struct msp_fault {\n    uint32_t site;\n    uint32_t reserved;\n    int64_t value;\n    int64_t extent;\n    /* Set by the caller: the lowest address kernels may take the stack to, or 0 for no\n     * test. Recursive kernels, and kernels with large local arrays, fault below it. */\n    uint64_t stack_low;\n} msp_fault;";
