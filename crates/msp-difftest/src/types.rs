//! The kernel language's typing rules, written anew from the design brief so the oracle
//! does not share code with the checker it tests.

use Scalar::*;
pub use msp_core::check::Scalar;

pub const INTS: [Scalar; 8] = [I8, I16, I32, I64, U8, U16, U32, U64];
pub const FLOATS: [Scalar; 2] = [F32, F64];
pub const ALL: [Scalar; 11] = [Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64];

pub fn is_int(s: Scalar) -> bool {
    INTS.contains(&s)
}

pub fn is_float(s: Scalar) -> bool {
    s == F32 || s == F64
}

pub fn is_signed(s: Scalar) -> bool {
    matches!(s, I8 | I16 | I32 | I64)
}

pub fn bits(s: Scalar) -> u32 {
    match s {
        Bool => 1,
        I8 | U8 => 8,
        I16 | U16 => 16,
        I32 | U32 | F32 => 32,
        I64 | U64 | F64 => 64,
    }
}

/// The range of an integer type (bool: 0..=1).
pub fn range(s: Scalar) -> (i128, i128) {
    let b = bits(s);
    if s == Bool {
        (0, 1)
    } else if is_signed(s) {
        (-(1i128 << (b - 1)), (1i128 << (b - 1)) - 1)
    } else {
        (0, (1i128 << b) - 1)
    }
}

pub fn fits(s: Scalar, v: i128) -> bool {
    let (lo, hi) = range(s);
    lo <= v && v <= hi
}

/// Implicit conversion without loss (as Python would keep the value): wider ints, any
/// int or bool to a float, f32 to f64.
pub fn widens(a: Scalar, b: Scalar) -> bool {
    if a == b {
        return true;
    }
    match (a, b) {
        (Bool, t) => t != Bool,
        (F32, F64) => true,
        (f, t) if is_int(f) && is_float(t) => true,
        (f, t) if is_int(f) && is_int(t) => {
            let ((fl, fh), (tl, th)) = (range(f), range(t));
            tl <= fl && fh <= th
        }
        _ => false,
    }
}

/// The type two arithmetic operands meet at.
pub fn join(a: Scalar, b: Scalar) -> Option<Scalar> {
    let a = if a == Bool { I32 } else { a };
    let b = if b == Bool { I32 } else { b };
    if a == b {
        return Some(a);
    }
    match (is_float(a), is_float(b)) {
        (true, true) => Some(F64),
        (true, false) => Some(a),
        (false, true) => Some(b),
        (false, false) if widens(a, b) => Some(b),
        (false, false) if widens(b, a) => Some(a),
        _ => [I16, I32, I64]
            .into_iter()
            .find(|&t| widens(a, t) && widens(b, t)),
    }
}

/// The type of `a / b`.
pub fn truediv_type(a: Scalar, b: Scalar) -> Option<Scalar> {
    let j = join(a, b)?;
    Some(if is_float(j) {
        j
    } else if bits(a) == 64 || bits(b) == 64 {
        F64
    } else {
        F32
    })
}

/// The type an unannotated integer literal takes next to an operand of type `other`.
pub fn int_lit_partner(other: Scalar) -> Scalar {
    if other == Bool { I32 } else { other }
}

/// The type a float literal takes next to an operand of type `other`.
pub fn float_lit_partner(other: Scalar) -> Scalar {
    if is_float(other) {
        other
    } else if bits(other) == 64 {
        F64
    } else {
        F32
    }
}

/// How the kernel language spells a scalar type (annotations and casts).
pub fn name(s: Scalar) -> &'static str {
    match s {
        Bool => "bool",
        I8 => "i8",
        I16 => "i16",
        I32 => "int",
        I64 => "i64",
        U8 => "u8",
        U16 => "u16",
        U32 => "u32",
        U64 => "u64",
        F32 => "float",
        F64 => "f64",
    }
}

/// The array constructor (`Int`, `F64`, ...).
pub fn array_name(s: Scalar) -> &'static str {
    match s {
        Bool => "Bool",
        I8 => "I8",
        I16 => "I16",
        I32 => "Int",
        I64 => "I64",
        U8 => "U8",
        U16 => "U16",
        U32 => "U32",
        U64 => "U64",
        F32 => "Float",
        F64 => "F64",
    }
}
