//! Array arguments: the Rust memory a kernel can take, and the extents of its `:` axes.

use crate::{Extent, Scalar};

/// A Rust type that is an array element of a kernel type.
///
/// # Safety
/// `SCALAR` must have exactly `Self`'s size and representation.
pub unsafe trait Element: Copy + 'static {
    const SCALAR: Scalar;
}

/// Implements [`Element`] for the Rust types of the kernel scalars.
macro_rules! elements {
    ($($t:ty => $s:ident),* $(,)?) => {$(
        // SAFETY: the kernel scalar `$s` is this Rust type at the C ABI (`bool` is a byte).
        unsafe impl Element for $t {
            const SCALAR: Scalar = Scalar::$s;
        }
    )*};
}

elements! {
    bool => Bool, i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    u8 => U8, u16 => U16, u32 => U32, u64 => U64, f32 => F32, f64 => F64,
}

/// Memory a kernel can take as an array: slices, fixed arrays and nested fixed arrays of
/// an [`Element`], laid out row-major, and shaped views ([`Shaped`]).
///
/// # Safety
/// `elem_count` elements of `Elem` must lie contiguously from `data_ptr`, and `shape`,
/// when given, must multiply to `elem_count`.
pub unsafe trait ArrayData {
    type Elem: Element;
    fn elem_count(&self) -> usize;
    /// The address of the first element.
    fn data_ptr(&self) -> *const Self::Elem;
    /// The extents of every axis, for arguments that know them (shaped views); plain
    /// buffers are flat and give `None`.
    fn shape(&self) -> Option<&[usize]> {
        None
    }
    /// Whether the elements are contiguous and row-major. Views that can be strided
    /// (`ndarray`'s) say `false` when they are not, and the call refuses them rather
    /// than copy behind the caller's back.
    fn contiguous(&self) -> bool {
        true
    }
}

/// [`ArrayData`] a kernel may write.
///
/// # Safety
/// As for [`ArrayData`]; the memory must be writable through `data_mut_ptr`.
pub unsafe trait ArrayDataMut: ArrayData {
    fn data_mut_ptr(&mut self) -> *mut Self::Elem;
}

macro_rules! flat_arrays {
    ($( [$($g:tt)*] $t:ty => $count:expr; )*) => {$(
        // SAFETY: slices and (nested) arrays of `T` are contiguous `T`s, row-major.
        unsafe impl<T: Element, $($g)*> ArrayData for $t {
            type Elem = T;
            fn elem_count(&self) -> usize {
                let f: fn(&Self) -> usize = $count;
                f(self)
            }
            fn data_ptr(&self) -> *const T {
                (self as *const Self).cast::<T>()
            }
        }
        // SAFETY: as above, through a unique borrow.
        unsafe impl<T: Element, $($g)*> ArrayDataMut for $t {
            fn data_mut_ptr(&mut self) -> *mut T {
                (self as *mut Self).cast::<T>()
            }
        }
    )*};
}

flat_arrays! {
    [] [T] => |a| a.len();
    [const N: usize] [T; N] => |_| N;
    [const N: usize, const M: usize] [[T; M]; N] => |_| N * M;
    [const M: usize] [[T; M]] => |a| a.len() * M;
}

// SAFETY: a `Vec`'s elements are contiguous from `as_ptr`.
unsafe impl<T: Element> ArrayData for Vec<T> {
    type Elem = T;
    fn elem_count(&self) -> usize {
        self.len()
    }
    fn data_ptr(&self) -> *const T {
        self.as_ptr()
    }
}

// SAFETY: as above, through a unique borrow.
unsafe impl<T: Element> ArrayDataMut for Vec<T> {
    fn data_mut_ptr(&mut self) -> *mut T {
        self.as_mut_ptr()
    }
}

/// A row-major buffer with an explicit shape, for kernels whose arrays have several `:`
/// axes (`Float[:][:]`): `Shaped::new(&data, [rows, cols])`. The product of the extents
/// must equal the buffer's length.
///
/// ```
/// let data = vec![1.0f32; 6];
/// let m = msp_rt::Shaped::new(&data, [2, 3]).unwrap();
/// assert!(msp_rt::Shaped::new(&data, [4, 2]).is_err());
/// # let _ = m;
/// ```
#[derive(Clone, Debug)]
pub struct Shaped<'a, T> {
    data: &'a [T],
    shape: Vec<usize>,
}

/// [`Shaped`] over a buffer the kernel may write.
#[derive(Debug)]
pub struct ShapedMut<'a, T> {
    data: &'a mut [T],
    shape: Vec<usize>,
}

fn check_product(len: usize, shape: &[usize]) -> Result<(), ShapeError> {
    let product = shape.iter().map(|&d| d as u128).product::<u128>();
    if product != len as u128 {
        return Err(ShapeError::Product {
            shape: shape.to_vec(),
            product,
            got: len,
        });
    }
    Ok(())
}

impl<'a, T: Element> Shaped<'a, T> {
    /// A view of `data` with extents `shape` (row-major).
    ///
    /// # Errors
    /// When the extents do not multiply to `data.len()`.
    pub fn new(data: &'a [T], shape: impl AsRef<[usize]>) -> Result<Self, ShapeError> {
        let shape = shape.as_ref().to_vec();
        check_product(data.len(), &shape)?;
        Ok(Shaped { data, shape })
    }
}

impl<'a, T: Element> ShapedMut<'a, T> {
    /// A writable view of `data` with extents `shape` (row-major).
    ///
    /// # Errors
    /// When the extents do not multiply to `data.len()`.
    pub fn new(data: &'a mut [T], shape: impl AsRef<[usize]>) -> Result<Self, ShapeError> {
        let shape = shape.as_ref().to_vec();
        check_product(data.len(), &shape)?;
        Ok(ShapedMut { data, shape })
    }
}

// SAFETY: the slice is contiguous and `new` checked the shape's product.
unsafe impl<T: Element> ArrayData for Shaped<'_, T> {
    type Elem = T;
    fn elem_count(&self) -> usize {
        self.data.len()
    }
    fn data_ptr(&self) -> *const T {
        self.data.as_ptr()
    }
    fn shape(&self) -> Option<&[usize]> {
        Some(&self.shape)
    }
}

// SAFETY: as for `Shaped`.
unsafe impl<T: Element> ArrayData for ShapedMut<'_, T> {
    type Elem = T;
    fn elem_count(&self) -> usize {
        self.data.len()
    }
    fn data_ptr(&self) -> *const T {
        self.data.as_ptr()
    }
    fn shape(&self) -> Option<&[usize]> {
        Some(&self.shape)
    }
}

// SAFETY: the view holds the unique borrow of its buffer.
unsafe impl<T: Element> ArrayDataMut for ShapedMut<'_, T> {
    fn data_mut_ptr(&mut self) -> *mut T {
        self.data.as_mut_ptr()
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
    #[error(
        "is not contiguous and row-major; pass a standard-layout view (e.g. `.as_standard_layout()`)"
    )]
    NotContiguous,
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
/// use msp_rt::{bind_extents, Extent, ShapeError};
///
/// let rows = [Extent::Runtime, Extent::Fixed(3)];
/// let mut out = [0u64; 1];
/// bind_extents(&rows, 12, None, &mut out).unwrap();
/// assert_eq!(out, [4]);
/// assert_eq!(bind_extents(&rows, 10, None, &mut out), Err(ShapeError::NotMultiple { axis: 0, step: 3, got: 10 }));
/// ```
pub fn bind_extents(
    dims: &[Extent],
    len: usize,
    shape: Option<&[usize]>,
    out: &mut [u64],
) -> Result<(), ShapeError> {
    if let Some(shape) = shape {
        if shape.len() != dims.len() {
            return Err(ShapeError::Rank {
                expected: dims.len(),
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
        for (axis, (d, &got)) in dims.iter().zip(shape).enumerate() {
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
    // Fixed extents are positive and the checker bounded their product.
    let step = dims
        .iter()
        .filter_map(|d| d.fixed())
        .try_fold(1u64, |acc, d| acc.checked_mul(d))
        .unwrap_or(u64::MAX);
    let mut runtime = dims
        .iter()
        .enumerate()
        .filter(|(_, d)| **d == Extent::Runtime)
        .map(|(i, _)| i);
    match (runtime.next(), runtime.next()) {
        (None, _) => {
            if step as u128 == len as u128 {
                Ok(())
            } else {
                Err(ShapeError::Len {
                    expected: step,
                    got: len,
                })
            }
        }
        (Some(axis), None) => {
            if !(len as u64).is_multiple_of(step) {
                return Err(ShapeError::NotMultiple {
                    axis,
                    step,
                    got: len,
                });
            }
            out[0] = len as u64 / step;
            Ok(())
        }
        (Some(_), Some(_)) => Err(ShapeError::NeedsShape {
            axes: 2 + runtime.count(),
        }),
    }
}

#[cfg(feature = "ndarray")]
mod ndarray_views {
    //! `ndarray` arrays and views as kernel arrays: their shape gives the extents; a
    //! view that is not in standard (row-major, contiguous) layout is refused.
    use super::{ArrayData, ArrayDataMut, Element};
    use ndarray::{ArrayBase, Data, DataMut, Dimension};

    // SAFETY: `contiguous` is true only for standard layout, where `len` elements lie
    // row-major from `as_ptr`; the call refuses the others before using the pointer.
    unsafe impl<S, D, T> ArrayData for ArrayBase<S, D>
    where
        S: Data<Elem = T>,
        D: Dimension,
        T: Element,
    {
        type Elem = T;
        fn elem_count(&self) -> usize {
            self.len()
        }
        fn data_ptr(&self) -> *const T {
            self.as_ptr()
        }
        fn shape(&self) -> Option<&[usize]> {
            Some(ArrayBase::shape(self))
        }
        fn contiguous(&self) -> bool {
            self.is_standard_layout()
        }
    }

    // SAFETY: as above, through the unique borrow of a mutable view or owned array.
    unsafe impl<S, D, T> ArrayDataMut for ArrayBase<S, D>
    where
        S: DataMut<Elem = T>,
        D: Dimension,
        T: Element,
    {
        fn data_mut_ptr(&mut self) -> *mut T {
            self.as_mut_ptr()
        }
    }
}
