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

pub use crate::check::hir::FaultKind;

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

/// What a kernel writes when it stops with a fault. `site` is the fault site's index
/// plus one (0 means no fault); `value` is the offending index where there is one, and
/// `extent` the extent of the axis it was out of range for.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultRecord {
    pub site: u32,
    pub reserved: u32,
    pub value: i64,
    pub extent: i64,
}

/// The C declaration of [`FaultRecord`], for generated headers.
pub const C_FAULT_RECORD: &str = "typedef struct msp_fault {\n    uint32_t site;\n    uint32_t reserved;\n    int64_t value;\n    int64_t extent;\n} msp_fault;";

/// What went wrong, in words, for a fault of `kind` with `record`'s values.
pub fn fault_message(kind: &FaultKind, record: &FaultRecord) -> String {
    match kind {
        FaultKind::IndexOutOfRange { axis, extent } => {
            let extent = extent.map_or(record.extent, |e| e as i64);
            format!(
                "index {} is out of range for axis {axis} of extent {extent}",
                record.value
            )
        }
        FaultKind::DivisionByZero => "integer division by zero".into(),
        FaultKind::ModuloByZero => "integer modulo by zero".into(),
        FaultKind::RangeStepZero => "range() step is zero".into(),
    }
}

/// Why an array argument does not fit its parameter's type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("has {got} elements; it needs {expected}")]
    Len { expected: u64, got: usize },
    #[error(
        "has {got} elements, which is not a multiple of the {step} elements per index of axis {axis}"
    )]
    NotMultiple { axis: usize, step: u64, got: usize },
    #[error(
        "is a flat buffer, but the type has {axes} `:` axes; pass a shaped view (`msp::Shaped`) saying its extents"
    )]
    NeedsShape { axes: usize },
    #[error("has {got} axes; it needs {expected}")]
    Rank { expected: usize, got: usize },
    #[error("has extent {got} on axis {axis}; it needs {expected}")]
    Axis {
        axis: usize,
        expected: u64,
        got: usize,
    },
    #[error("has shape {shape:?}, which holds {product} elements, not the {got} it was given")]
    Product {
        shape: Vec<usize>,
        product: u128,
        got: usize,
    },
}

/// The extents of the `:` axes of `ty` for an argument of `len` elements, written to
/// `out` (one per `:` axis, in order). `shape` is the argument's own shape when it has
/// one (a shaped view); a flat buffer fits when the type has at most one `:` axis and
/// `len` is a whole number of its steps.
///
/// ```
/// use msp_core::abi::{bind_extents, ShapeError};
/// use msp_core::check::{ArrayType, Extent, Scalar};
///
/// let rows = ArrayType { elem: Scalar::F32, dims: vec![Extent::Runtime, Extent::Fixed(3)] };
/// let mut out = [0u64; 1];
/// bind_extents(&rows, 12, None, &mut out).unwrap();
/// assert_eq!(out, [4]);
/// assert_eq!(bind_extents(&rows, 10, None, &mut out), Err(ShapeError::NotMultiple { axis: 0, step: 3, got: 10 }));
/// ```
pub fn bind_extents(
    ty: &crate::check::ArrayType,
    len: usize,
    shape: Option<&[usize]>,
    out: &mut [u64],
) -> Result<(), ShapeError> {
    use crate::check::Extent;
    if let Some(shape) = shape {
        if shape.len() != ty.dims.len() {
            return Err(ShapeError::Rank {
                expected: ty.dims.len(),
                got: shape.len(),
            });
        }
        let product = shape.iter().map(|&d| d as u128).product::<u128>();
        if product != len as u128 {
            return Err(ShapeError::Product {
                shape: shape.to_vec(),
                product,
                got: len,
            });
        }
        let mut k = 0;
        for (axis, (d, &got)) in ty.dims.iter().zip(shape).enumerate() {
            match d {
                Extent::Fixed(n) if *n as u128 != got as u128 => {
                    return Err(ShapeError::Axis {
                        axis,
                        expected: *n,
                        got,
                    });
                }
                Extent::Fixed(_) => {}
                Extent::Runtime => {
                    out[k] = got as u64;
                    k += 1;
                }
            }
        }
        return Ok(());
    }
    let runtime: Vec<usize> = ty.runtime_axes().collect();
    let step = ty.fixed_product().unwrap_or(u64::MAX);
    match runtime.as_slice() {
        [] => match ty.len() {
            Some(n) if n as u128 == len as u128 => Ok(()),
            n => Err(ShapeError::Len {
                expected: n.unwrap_or(u64::MAX),
                got: len,
            }),
        },
        [axis] => {
            // Fixed extents are positive, so `step` is too.
            if (len as u64) % step != 0 {
                return Err(ShapeError::NotMultiple {
                    axis: *axis,
                    step,
                    got: len,
                });
            }
            out[0] = len as u64 / step;
            Ok(())
        }
        more => Err(ShapeError::NeedsShape { axes: more.len() }),
    }
}
