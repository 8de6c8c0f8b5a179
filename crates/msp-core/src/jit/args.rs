//! Passing Rust values to kernels: the typed path (`KernelArgs` tuples) and the dynamic
//! path (`CallArg` values checked at run time). Both fill one 8-byte slot per parameter
//! for the kernel's trampoline.

use std::marker::PhantomData;

use super::CallError;
use crate::check::hir::KernelSig;
use crate::check::{Scalar, Type};
use msp_rt::{ArrayData, ArrayDataMut, Element, Extent};

/// A scalar value of any kernel type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalarValue {
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    F32(f32),
    F64(f64),
}

fn write_slot<T: Copy>(v: T) -> u64 {
    let mut slot = 0u64;
    // SAFETY: every T used here is at most 8 bytes and slot is 8-aligned.
    unsafe { (&mut slot as *mut u64 as *mut T).write(v) };
    slot
}

fn read_slot<T: Copy>(slot: u64) -> T {
    // SAFETY: as in write_slot; the trampoline stored a T at the start of the slot.
    unsafe { (&slot as *const u64 as *const T).read() }
}

impl ScalarValue {
    pub fn scalar(&self) -> Scalar {
        match self {
            ScalarValue::Bool(_) => Scalar::Bool,
            ScalarValue::I8(_) => Scalar::I8,
            ScalarValue::I16(_) => Scalar::I16,
            ScalarValue::I32(_) => Scalar::I32,
            ScalarValue::I64(_) => Scalar::I64,
            ScalarValue::U8(_) => Scalar::U8,
            ScalarValue::U16(_) => Scalar::U16,
            ScalarValue::U32(_) => Scalar::U32,
            ScalarValue::U64(_) => Scalar::U64,
            ScalarValue::F32(_) => Scalar::F32,
            ScalarValue::F64(_) => Scalar::F64,
        }
    }

    #[inline]
    pub(crate) fn to_slot(self) -> u64 {
        match self {
            ScalarValue::Bool(v) => write_slot(v as u8),
            ScalarValue::I8(v) => write_slot(v),
            ScalarValue::I16(v) => write_slot(v),
            ScalarValue::I32(v) => write_slot(v),
            ScalarValue::I64(v) => write_slot(v),
            ScalarValue::U8(v) => write_slot(v),
            ScalarValue::U16(v) => write_slot(v),
            ScalarValue::U32(v) => write_slot(v),
            ScalarValue::U64(v) => write_slot(v),
            ScalarValue::F32(v) => write_slot(v),
            ScalarValue::F64(v) => write_slot(v),
        }
    }

    #[inline]
    pub(crate) fn from_slot(s: Scalar, slot: u64) -> ScalarValue {
        match s {
            Scalar::Bool => ScalarValue::Bool(read_slot::<u8>(slot) != 0),
            Scalar::I8 => ScalarValue::I8(read_slot(slot)),
            Scalar::I16 => ScalarValue::I16(read_slot(slot)),
            Scalar::I32 => ScalarValue::I32(read_slot(slot)),
            Scalar::I64 => ScalarValue::I64(read_slot(slot)),
            Scalar::U8 => ScalarValue::U8(read_slot(slot)),
            Scalar::U16 => ScalarValue::U16(read_slot(slot)),
            Scalar::U32 => ScalarValue::U32(read_slot(slot)),
            Scalar::U64 => ScalarValue::U64(read_slot(slot)),
            Scalar::F32 => ScalarValue::F32(read_slot(slot)),
            Scalar::F64 => ScalarValue::F64(read_slot(slot)),
        }
    }

    /// Converts an integer to a value of type `s`, if it fits (floats take any integer).
    pub fn from_i128(s: Scalar, v: i128) -> Option<ScalarValue> {
        Some(match s {
            Scalar::Bool => ScalarValue::Bool(v != 0),
            Scalar::I8 => ScalarValue::I8(v.try_into().ok()?),
            Scalar::I16 => ScalarValue::I16(v.try_into().ok()?),
            Scalar::I32 => ScalarValue::I32(v.try_into().ok()?),
            Scalar::I64 => ScalarValue::I64(v.try_into().ok()?),
            Scalar::U8 => ScalarValue::U8(v.try_into().ok()?),
            Scalar::U16 => ScalarValue::U16(v.try_into().ok()?),
            Scalar::U32 => ScalarValue::U32(v.try_into().ok()?),
            Scalar::U64 => ScalarValue::U64(v.try_into().ok()?),
            Scalar::F32 => ScalarValue::F32(v as f32),
            Scalar::F64 => ScalarValue::F64(v as f64),
        })
    }

    /// A float as a value of float type `s` (`None` for integer types).
    pub fn from_f64(s: Scalar, v: f64) -> Option<ScalarValue> {
        match s {
            Scalar::F32 => Some(ScalarValue::F32(v as f32)),
            Scalar::F64 => Some(ScalarValue::F64(v)),
            _ => None,
        }
    }

    /// The value as Python's `repr` prints it (`3`, `True`, `0.1`, `1e-05`).
    pub fn py_repr(&self) -> String {
        match *self {
            ScalarValue::Bool(b) => if b { "True" } else { "False" }.to_string(),
            ScalarValue::I8(v) => v.to_string(),
            ScalarValue::I16(v) => v.to_string(),
            ScalarValue::I32(v) => v.to_string(),
            ScalarValue::I64(v) => v.to_string(),
            ScalarValue::U8(v) => v.to_string(),
            ScalarValue::U16(v) => v.to_string(),
            ScalarValue::U32(v) => v.to_string(),
            ScalarValue::U64(v) => v.to_string(),
            // An f32 reaches Python as a float (an f64) holding exactly the same value.
            ScalarValue::F32(v) => ScalarValue::F64(v as f64).py_repr(),
            ScalarValue::F64(v) => {
                py_float_repr(v.is_nan(), v.is_infinite(), v < 0.0, &format!("{v:e}"))
            }
        }
    }
}

/// Python's float repr from Rust's shortest scientific form (`1.5e-7`): positional for
/// exponents in -4..16, scientific with a two-digit exponent otherwise.
pub fn py_float_repr(nan: bool, inf: bool, negative: bool, sci: &str) -> String {
    if nan {
        return "nan".into();
    }
    if inf {
        return if negative { "-inf" } else { "inf" }.into();
    }
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        format!(
            "{sign}{m}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

macro_rules! elements {
    ($($t:ty => $s:ident, $v:ident);* $(;)?) => {$(
        impl KernelArg for $t {
            #[inline]
            fn kind() -> ArgKind { ArgKind::Scalar(Scalar::$s) }
            #[inline]
            fn raw(&mut self) -> RawArg<'_> { RawArg::Scalar(ScalarValue::$v(*self).to_slot()) }
        }
        impl KernelRet for $t {
            fn matches(t: &Type) -> bool { *t == Type::Scalar(Scalar::$s) }
            fn describe() -> String { Scalar::$s.to_string() }
            fn from_value(v: Option<ScalarValue>) -> Self {
                match v { Some(ScalarValue::$v(x)) => x, _ => unreachable!("signature was checked") }
            }
            #[inline]
            fn from_slot(slot: u64) -> Self {
                match ScalarValue::from_slot(Scalar::$s, slot) {
                    ScalarValue::$v(x) => x,
                    _ => unreachable!("from_slot gives its scalar's variant"),
                }
            }
        }
    )*};
}

elements! {
    bool => Bool, Bool; i8 => I8, I8; i16 => I16, I16; i32 => I32, I32; i64 => I64, I64;
    u8 => U8, U8; u16 => U16, U16; u32 => U32, U32; u64 => U64, U64; f32 => F32, F32; f64 => F64, F64;
}

/// What a Rust argument is, for signature checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    Scalar(Scalar),
    Array { elem: Scalar, writable: bool },
}

/// One argument of a typed kernel call, as the trampoline takes it.
pub enum RawArg<'a> {
    Scalar(u64),
    Array {
        ptr: u64,
        len: usize,
        shape: Option<&'a [usize]>,
        /// Row-major and contiguous (see [`ArrayData::contiguous`]).
        contiguous: bool,
    },
}

/// One argument of a typed kernel call.
pub trait KernelArg {
    fn kind() -> ArgKind;
    /// The slot value, and for arrays the element count and shape.
    fn raw(&mut self) -> RawArg<'_>;
}

impl<A: ArrayData + ?Sized> KernelArg for &A {
    fn kind() -> ArgKind {
        ArgKind::Array {
            elem: A::Elem::SCALAR,
            writable: false,
        }
    }
    #[inline]
    fn raw(&mut self) -> RawArg<'_> {
        RawArg::Array {
            ptr: self.data_ptr() as u64,
            len: self.elem_count(),
            shape: (**self).shape(),
            contiguous: (**self).contiguous(),
        }
    }
}

impl<A: ArrayDataMut + ?Sized> KernelArg for &mut A {
    fn kind() -> ArgKind {
        ArgKind::Array {
            elem: A::Elem::SCALAR,
            writable: true,
        }
    }
    #[inline]
    fn raw(&mut self) -> RawArg<'_> {
        // The kernel writes through this pointer: it comes from the unique borrow.
        let ptr = (**self).data_mut_ptr() as u64;
        RawArg::Array {
            ptr,
            len: self.elem_count(),
            shape: (**self).shape(),
            contiguous: (**self).contiguous(),
        }
    }
}

fn kind_matches(kind: ArgKind, want: &Type, writes: bool) -> bool {
    match (kind, want) {
        (ArgKind::Scalar(s), Type::Scalar(w)) => s == *w,
        (ArgKind::Array { elem, writable }, Type::Array(a)) => {
            elem == a.elem && (writable || !writes)
        }
        _ => false,
    }
}

fn describe_kind(kind: ArgKind) -> String {
    match kind {
        ArgKind::Scalar(s) => s.rust_name().to_string(),
        ArgKind::Array {
            elem,
            writable: true,
        } => format!("&mut [{}]", elem.rust_name()),
        ArgKind::Array {
            elem,
            writable: false,
        } => format!("&[{}]", elem.rust_name()),
    }
}

/// A tuple of [`KernelArg`]s: the argument list of a typed kernel handle.
pub trait KernelArgs {
    fn matches(sig: &KernelSig) -> bool;
    fn describe() -> String;
    /// Fills the slots from these arguments, by `plan` (made from `sig`).
    fn pack(
        &mut self,
        sig: &KernelSig,
        plan: &CallPlan,
        slots: &mut [u64],
    ) -> Result<(), CallError>;
}

/// How one parameter's argument fills its slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ParamPlan {
    /// One slot, the value.
    Scalar,
    /// Fixed extents only: the pointer, once the element count is `elems`.
    Fixed { elems: usize },
    /// `T[:]`: the pointer, then the length as the extent.
    Vector,
    /// Other arrays (several `:` axes, mixed axes): [`pack_one`] binds the extents.
    General,
}

/// How a kernel's arguments fill the trampoline's slots, decided once per kernel from
/// its signature, so a typed call does not walk the parameter types (a typed call of a
/// small kernel is a few nanoseconds, and walking the types was most of it).
#[derive(Clone, Debug, Default)]
pub struct CallPlan {
    params: Box<[ParamPlan]>,
}

impl CallPlan {
    pub(crate) fn of(sig: &KernelSig) -> CallPlan {
        let plan = |t: &Type| match t {
            Type::Array(a) if matches!(a.dims[..], [Extent::Runtime]) => ParamPlan::Vector,
            Type::Array(a) if a.runtime_axes().count() == 0 => {
                let elems = a
                    .dims
                    .iter()
                    .filter_map(|d| d.fixed())
                    .try_fold(1usize, |acc, d| acc.checked_mul(usize::try_from(d).ok()?));
                elems.map_or(ParamPlan::General, |elems| ParamPlan::Fixed { elems })
            }
            Type::Array(_) => ParamPlan::General,
            _ => ParamPlan::Scalar,
        };
        CallPlan {
            params: sig.params.iter().map(|(_, t)| plan(t)).collect(),
        }
    }
}

/// [`pack_one`] with the common cases decided by the plan: a slice for `T[:]`, a
/// buffer of the right length for fixed extents, a scalar; the rest, and every error,
/// take the general path out of line.
#[inline(always)]
fn pack_planned(
    sig: &KernelSig,
    plan: &CallPlan,
    i: usize,
    arg: RawArg<'_>,
    slots: &mut [u64],
    at: &mut usize,
) -> Result<(), CallError> {
    match (plan.params.get(i), arg) {
        (
            Some(ParamPlan::Vector),
            RawArg::Array {
                ptr,
                len,
                shape: None,
                contiguous: true,
            },
        ) => {
            slots[*at] = ptr;
            slots[*at + 1] = len as u64;
            *at += 2;
            Ok(())
        }
        (
            Some(ParamPlan::Fixed { elems }),
            RawArg::Array {
                ptr,
                len,
                shape: None,
                contiguous: true,
            },
        ) if len == *elems => {
            slots[*at] = ptr;
            *at += 1;
            Ok(())
        }
        (Some(ParamPlan::Scalar), RawArg::Scalar(v)) => {
            slots[*at] = v;
            *at += 1;
            Ok(())
        }
        (_, arg) => pack_one(sig, i, arg, slots, at),
    }
}

/// Fills the slots of parameter `i` of `sig` from `arg`, from slot `*at` on (the
/// calling convention of [`crate::abi`]: a scalar, or a pointer then the extents of
/// the `:` axes), checking array lengths and shapes. Out of line: the common cases
/// take [`pack_planned`]'s arms.
#[inline(never)]
fn pack_one(
    sig: &KernelSig,
    i: usize,
    arg: RawArg<'_>,
    slots: &mut [u64],
    at: &mut usize,
) -> Result<(), CallError> {
    match (arg, &sig.params[i].1) {
        (
            RawArg::Array {
                ptr,
                len,
                shape,
                contiguous,
            },
            Type::Array(a),
        ) => {
            slots[*at] = ptr;
            let n = a.runtime_axes().count();
            let out = &mut slots[*at + 1..*at + 1 + n];
            let bound = if contiguous {
                crate::abi::bind_extents(&a.dims, len, shape, out)
            } else {
                Err(crate::abi::ShapeError::NotContiguous)
            };
            bound.map_err(|problem| super::shape_error(sig, i, problem))?;
            *at += 1 + n;
        }
        (RawArg::Scalar(v), _) | (RawArg::Array { ptr: v, .. }, _) => {
            slots[*at] = v;
            *at += 1;
        }
    }
    Ok(())
}

macro_rules! tuples {
    ($( ($($n:tt $t:ident),*) )*) => {$(
        impl<$($t: KernelArg),*> KernelArgs for ($($t,)*) {
            fn matches(sig: &KernelSig) -> bool {
                let kinds: &[ArgKind] = &[$($t::kind()),*];
                kinds.len() == sig.params.len()
                    && kinds.iter().zip(&sig.params).zip(&sig.writes).all(|((k, (_, t)), w)| kind_matches(*k, t, *w))
            }
            fn describe() -> String {
                let kinds: &[ArgKind] = &[$($t::kind()),*];
                format!("({})", kinds.iter().map(|k| describe_kind(*k)).collect::<Vec<_>>().join(", "))
            }
            #[allow(unused_variables, unused_mut)]
            #[inline(always)]
            fn pack(&mut self, sig: &KernelSig, plan: &CallPlan, slots: &mut [u64]) -> Result<(), CallError> {
                let mut at = 0;
                $( pack_planned(sig, plan, $n, self.$n.raw(), slots, &mut at)?; )*
                Ok(())
            }
        }
    )*};
}

tuples! {
    ()
    (0 A)
    (0 A, 1 B)
    (0 A, 1 B, 2 C)
    (0 A, 1 B, 2 C, 3 D)
    (0 A, 1 B, 2 C, 3 D, 4 E)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G)
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H)
}

/// The return type of a typed kernel handle: a scalar or `()`.
pub trait KernelRet {
    fn matches(t: &Type) -> bool;
    fn describe() -> String;
    fn from_value(v: Option<ScalarValue>) -> Self;
    /// The value from the trampoline's return slot (the signature was checked).
    fn from_slot(slot: u64) -> Self;
}

impl KernelRet for () {
    fn matches(t: &Type) -> bool {
        *t == Type::None
    }
    fn describe() -> String {
        "None".into()
    }
    fn from_value(_: Option<ScalarValue>) -> Self {}
    #[inline]
    fn from_slot(_: u64) -> Self {}
}

/// An argument for [`super::JitModule::call_dynamic`].
pub enum CallArg<'a> {
    Scalar(ScalarValue),
    Array(ArrayArg<'a>),
}

/// A borrowed buffer passed as a kernel array.
pub struct ArrayArg<'a> {
    ptr: *mut u8,
    len: usize,
    elem: Scalar,
    writable: bool,
    shape: Option<Vec<usize>>,
    _borrow: PhantomData<&'a mut [u8]>,
}

impl<'a> CallArg<'a> {
    /// A buffer the kernel may read and write.
    pub fn array<T: Element>(data: &'a mut [T]) -> CallArg<'a> {
        CallArg::Array(ArrayArg {
            ptr: data.as_mut_ptr().cast(),
            len: data.len(),
            elem: T::SCALAR,
            writable: true,
            shape: None,
            _borrow: PhantomData,
        })
    }

    /// A buffer the kernel may only read (refused for kernels that write the parameter).
    pub fn array_ref<T: Element>(data: &'a [T]) -> CallArg<'a> {
        CallArg::Array(ArrayArg {
            ptr: data.as_ptr() as *mut u8,
            len: data.len(),
            elem: T::SCALAR,
            writable: false,
            shape: None,
            _borrow: PhantomData,
        })
    }

    /// A buffer with explicit extents (row-major), for arrays with several `:` axes;
    /// the call checks that they multiply to the buffer's length.
    pub fn shaped<T: Element>(data: &'a mut [T], shape: impl AsRef<[usize]>) -> CallArg<'a> {
        let mut arg = CallArg::array(data);
        if let CallArg::Array(a) = &mut arg {
            a.shape = Some(shape.as_ref().to_vec());
        }
        arg
    }

    /// A read-only [`CallArg::shaped`].
    pub fn shaped_ref<T: Element>(data: &'a [T], shape: impl AsRef<[usize]>) -> CallArg<'a> {
        let mut arg = CallArg::array_ref(data);
        if let CallArg::Array(a) = &mut arg {
            a.shape = Some(shape.as_ref().to_vec());
        }
        arg
    }

    /// Checks this argument against parameter `i` of `sig` and fills its slots from
    /// `*at` on, by `plan` (made from `sig`).
    pub(super) fn pack(
        &self,
        sig: &KernelSig,
        plan: &CallPlan,
        i: usize,
        slots: &mut [u64],
        at: &mut usize,
    ) -> Result<(), CallError> {
        let (param, want) = &sig.params[i];
        let type_err = |got: String| CallError::Type {
            kernel: sig.name.clone(),
            param: param.clone(),
            expected: want.to_string(),
            got,
        };
        let raw = match (self, want) {
            (CallArg::Scalar(v), Type::Scalar(s)) if v.scalar() == *s => {
                RawArg::Scalar(v.to_slot())
            }
            (CallArg::Scalar(v), _) => return Err(type_err(format!("a `{}`", v.scalar()))),
            (CallArg::Array(a), Type::Array(t)) if a.elem == t.elem => {
                if sig.writes[i] && !a.writable {
                    return Err(type_err(
                        "a read-only buffer, but the kernel writes this array".into(),
                    ));
                }
                RawArg::Array {
                    ptr: a.ptr as u64,
                    len: a.len,
                    shape: a.shape.as_deref(),
                    contiguous: true,
                }
            }
            (CallArg::Array(a), _) => return Err(type_err(format!("an array of `{}`", a.elem))),
        };
        pack_planned(sig, plan, i, raw, slots, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_repr() {
        let r = |x: f64| ScalarValue::F64(x).py_repr();
        assert_eq!(r(3.5), "3.5");
        assert_eq!(r(1.0), "1.0");
        assert_eq!(r(0.0001220703125), "0.0001220703125");
        assert_eq!(r(1e-5), "1e-05");
        assert_eq!(r(1e16), "1e+16");
        assert_eq!(r(123456789012345.0), "123456789012345.0");
        assert_eq!(r(-2.5), "-2.5");
        assert_eq!(r(0.1), "0.1");
        assert_eq!(ScalarValue::F32(0.1).py_repr(), "0.10000000149011612");
        assert_eq!(ScalarValue::F32(1.0 / 8192.0).py_repr(), "0.0001220703125");
        assert_eq!(ScalarValue::F32(12.5).py_repr(), "12.5");
    }
}
