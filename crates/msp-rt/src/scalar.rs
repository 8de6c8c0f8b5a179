//! The kernel language's scalar types and array extents, as the calling convention
//! knows them.

use std::fmt;

/// A scalar type. `int` is `I32` and `float` is `F32`, as in the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scalar {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

impl Scalar {
    pub const ALL: [Scalar; 11] = [
        Scalar::Bool,
        Scalar::I8,
        Scalar::I16,
        Scalar::I32,
        Scalar::I64,
        Scalar::U8,
        Scalar::U16,
        Scalar::U32,
        Scalar::U64,
        Scalar::F32,
        Scalar::F64,
    ];

    /// The scalar an annotation name stands for (`int`, `f64`, ...).
    pub fn from_annotation(name: &str) -> Option<Scalar> {
        Some(match name {
            "int" | "i32" => Scalar::I32,
            "float" | "f32" => Scalar::F32,
            "bool" => Scalar::Bool,
            "i8" => Scalar::I8,
            "i16" => Scalar::I16,
            "i64" => Scalar::I64,
            "u8" => Scalar::U8,
            "u16" => Scalar::U16,
            "u32" => Scalar::U32,
            "u64" => Scalar::U64,
            "f64" => Scalar::F64,
            _ => return None,
        })
    }

    /// The element scalar of an array constructor (`Int[3]`, `F64[n][n]`, ...).
    pub fn from_array_constructor(name: &str) -> Option<Scalar> {
        Some(match name {
            "Int" | "I32" => Scalar::I32,
            "Float" | "F32" => Scalar::F32,
            "Bool" => Scalar::Bool,
            "I8" => Scalar::I8,
            "I16" => Scalar::I16,
            "I64" => Scalar::I64,
            "U8" => Scalar::U8,
            "U16" => Scalar::U16,
            "U32" => Scalar::U32,
            "U64" => Scalar::U64,
            "F64" => Scalar::F64,
            _ => return None,
        })
    }

    pub fn is_int(self) -> bool {
        !matches!(self, Scalar::Bool | Scalar::F32 | Scalar::F64)
    }

    pub fn is_float(self) -> bool {
        matches!(self, Scalar::F32 | Scalar::F64)
    }

    pub fn is_signed(self) -> bool {
        matches!(self, Scalar::I8 | Scalar::I16 | Scalar::I32 | Scalar::I64)
    }

    /// Width in bits (1 for bool).
    pub fn bits(self) -> u32 {
        match self {
            Scalar::Bool => 1,
            Scalar::I8 | Scalar::U8 => 8,
            Scalar::I16 | Scalar::U16 => 16,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 32,
            Scalar::I64 | Scalar::U64 | Scalar::F64 => 64,
        }
    }

    /// Bytes this scalar takes in an array (bool takes one byte).
    pub fn size(self) -> u64 {
        (self.bits() as u64).div_ceil(8)
    }

    /// The range of an integer type, as i128.
    pub fn int_range(self) -> (i128, i128) {
        match self {
            Scalar::Bool => (0, 1),
            Scalar::I8 => (i8::MIN as i128, i8::MAX as i128),
            Scalar::I16 => (i16::MIN as i128, i16::MAX as i128),
            Scalar::I32 => (i32::MIN as i128, i32::MAX as i128),
            Scalar::I64 => (i64::MIN as i128, i64::MAX as i128),
            Scalar::U8 => (0, u8::MAX as i128),
            Scalar::U16 => (0, u16::MAX as i128),
            Scalar::U32 => (0, u32::MAX as i128),
            Scalar::U64 => (0, u64::MAX as i128),
            Scalar::F32 | Scalar::F64 => (i128::MIN, i128::MAX),
        }
    }

    /// How the source spells this type.
    pub fn name(self) -> &'static str {
        match self {
            Scalar::Bool => "bool",
            Scalar::I8 => "i8",
            Scalar::I16 => "i16",
            Scalar::I32 => "int",
            Scalar::I64 => "i64",
            Scalar::U8 => "u8",
            Scalar::U16 => "u16",
            Scalar::U32 => "u32",
            Scalar::U64 => "u64",
            Scalar::F32 => "float",
            Scalar::F64 => "f64",
        }
    }

    /// The array constructor spelling (`Int`, `F64`, ...).
    pub fn array_name(self) -> &'static str {
        match self {
            Scalar::Bool => "Bool",
            Scalar::I8 => "I8",
            Scalar::I16 => "I16",
            Scalar::I32 => "Int",
            Scalar::I64 => "I64",
            Scalar::U8 => "U8",
            Scalar::U16 => "U16",
            Scalar::U32 => "U32",
            Scalar::U64 => "U64",
            Scalar::F32 => "Float",
            Scalar::F64 => "F64",
        }
    }

    /// The Rust type with the same ABI.
    pub fn rust_name(self) -> &'static str {
        match self {
            Scalar::Bool => "bool",
            Scalar::I8 => "i8",
            Scalar::I16 => "i16",
            Scalar::I32 => "i32",
            Scalar::I64 => "i64",
            Scalar::U8 => "u8",
            Scalar::U16 => "u16",
            Scalar::U32 => "u32",
            Scalar::U64 => "u64",
            Scalar::F32 => "f32",
            Scalar::F64 => "f64",
        }
    }

    /// The C type with the same ABI.
    pub fn c_name(self) -> &'static str {
        match self {
            Scalar::Bool => "bool",
            Scalar::I8 => "int8_t",
            Scalar::I16 => "int16_t",
            Scalar::I32 => "int32_t",
            Scalar::I64 => "int64_t",
            Scalar::U8 => "uint8_t",
            Scalar::U16 => "uint16_t",
            Scalar::U32 => "uint32_t",
            Scalar::U64 => "uint64_t",
            Scalar::F32 => "float",
            Scalar::F64 => "double",
        }
    }

    /// Whether a value of `self` converts to `to` implicitly (no cast written): widening
    /// integers, any integer or bool to a float (Python's promotion), f32 to f64.
    pub fn widens_to(self, to: Scalar) -> bool {
        if self == to {
            return true;
        }
        match (self, to) {
            (Scalar::Bool, t) => t.is_int() || t.is_float(),
            (Scalar::F32, Scalar::F64) => true,
            (f, t) if f.is_int() && t.is_float() => true,
            (f, t) if f.is_int() && t.is_int() => {
                let (flo, fhi) = f.int_range();
                let (tlo, thi) = t.int_range();
                tlo <= flo && fhi <= thi
            }
            _ => false,
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The extent of one array axis: fixed when the kernel is compiled (`Float[4]`, or a
/// stage-0 value), or known only when it is called (`Float[:]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extent {
    Fixed(u64),
    /// Passed by the caller as an `i64` beside the array's pointer.
    Runtime,
}

impl Extent {
    pub fn fixed(self) -> Option<u64> {
        match self {
            Extent::Fixed(n) => Some(n),
            Extent::Runtime => None,
        }
    }
}

impl fmt::Display for Extent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Extent::Fixed(n) => write!(f, "{n}"),
            Extent::Runtime => f.write_str(":"),
        }
    }
}
