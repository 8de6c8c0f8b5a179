//! Kernel-language types.

use std::fmt;

pub use msp_rt::{Extent, Scalar};

/// A value's type: a scalar, nothing, or a row-major, contiguous array.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Scalar(Scalar),
    None,
    Array(ArrayType),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArrayType {
    pub elem: Scalar,
    pub dims: Vec<Extent>,
}

impl ArrayType {
    /// An array whose every extent is fixed.
    pub fn fixed(elem: Scalar, dims: &[u64]) -> ArrayType {
        ArrayType {
            elem,
            dims: dims.iter().map(|&d| Extent::Fixed(d)).collect(),
        }
    }

    /// Number of elements when every extent is fixed; `None` when one is known only at
    /// call time, or on overflow (refused by the checker).
    pub fn len(&self) -> Option<u64> {
        self.dims
            .iter()
            .try_fold(1u64, |acc, d| acc.checked_mul(d.fixed()?))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Whether every extent is fixed at compile time.
    pub fn is_fixed(&self) -> bool {
        self.dims.iter().all(|d| matches!(d, Extent::Fixed(_)))
    }

    /// The axes whose extents the caller passes, in order.
    pub fn runtime_axes(&self) -> impl Iterator<Item = usize> + '_ {
        self.dims
            .iter()
            .enumerate()
            .filter(|(_, d)| **d == Extent::Runtime)
            .map(|(i, _)| i)
    }

    /// Whether an array of this type can be passed for a parameter of type `param`: same
    /// element and rank, and every fixed extent of `param` the same here (a `:` extent
    /// of `param` takes any).
    pub fn passes_as(&self, param: &ArrayType) -> bool {
        self.elem == param.elem
            && self.dims.len() == param.dims.len()
            && self
                .dims
                .iter()
                .zip(&param.dims)
                .all(|(have, want)| match want {
                    Extent::Runtime => true,
                    Extent::Fixed(_) => have == want,
                })
    }

    /// The product of the fixed extents (the elements per step of the run-time ones);
    /// `None` on overflow.
    pub fn fixed_product(&self) -> Option<u64> {
        self.dims
            .iter()
            .filter_map(|d| d.fixed())
            .try_fold(1u64, |acc, d| acc.checked_mul(d))
    }
}

impl fmt::Display for ArrayType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.elem.array_name())?;
        for d in &self.dims {
            write!(f, "[{d}]")?;
        }
        Ok(())
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Scalar(s) => s.fmt(f),
            Type::None => f.write_str("None"),
            Type::Array(a) => a.fmt(f),
        }
    }
}

impl Type {
    pub fn scalar(&self) -> Option<Scalar> {
        match self {
            Type::Scalar(s) => Some(*s),
            _ => None,
        }
    }
}

/// The type both operands of an arithmetic operator convert to, following Python: ints
/// and floats mix as the float type; two ints of different widths meet at a type that
/// holds both; bools count as ints.
pub fn arith_join(a: Scalar, b: Scalar) -> Option<Scalar> {
    let a = if a == Scalar::Bool { Scalar::I32 } else { a };
    let b = if b == Scalar::Bool { Scalar::I32 } else { b };
    if a == b {
        return Some(a);
    }
    match (a.is_float(), b.is_float()) {
        (true, true) => Some(Scalar::F64),
        (true, false) => Some(a),
        (false, true) => Some(b),
        (false, false) => {
            if a.widens_to(b) {
                Some(b)
            } else if b.widens_to(a) {
                Some(a)
            } else {
                // Mixed signedness: the smallest signed type holding both, if any.
                [Scalar::I16, Scalar::I32, Scalar::I64]
                    .into_iter()
                    .find(|&t| a.widens_to(t) && b.widens_to(t))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_promotion() {
        assert_eq!(arith_join(Scalar::I32, Scalar::F32), Some(Scalar::F32));
        assert_eq!(arith_join(Scalar::I32, Scalar::I64), Some(Scalar::I64));
        assert_eq!(arith_join(Scalar::U32, Scalar::I32), Some(Scalar::I64));
        assert_eq!(arith_join(Scalar::U64, Scalar::I64), None);
        assert_eq!(arith_join(Scalar::F32, Scalar::F64), Some(Scalar::F64));
        assert!(!Scalar::F32.widens_to(Scalar::I32));
        assert!(Scalar::U8.widens_to(Scalar::I16));
    }
}
