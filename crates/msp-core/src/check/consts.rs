//! Compile-time evaluation of literal expressions.
//!
//! Literals have no fixed width until their context gives one, so `x + 1` with `x: u8`
//! adds a `u8`. An expression made only of literals and stage-0 constants folds to one
//! [`Lit`] here, and the checker types it as a single literal.

use std::collections::BTreeMap;

use crate::ast::{BinOp, Expr, ExprKind, UnaryOp};
use crate::diag::Diagnostic;
use crate::staged::ConstValue;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lit {
    Int(i128),
    Float(f64),
    Bool(bool),
}

/// Folds `e` if it is made only of literals and constants; `Ok(None)` if it is not.
/// Errors only for constant expressions that are wrong in themselves (`1 // 0`).
pub fn eval(e: &Expr, consts: &BTreeMap<String, ConstValue>) -> Result<Option<Lit>, Diagnostic> {
    eval_in(e, &|name| consts.get(name).copied())
}

/// As [`eval`], with names resolved by `lookup` (the checker excludes kernel locals).
pub fn eval_in(
    e: &Expr,
    lookup: &dyn Fn(&str) -> Option<ConstValue>,
) -> Result<Option<Lit>, Diagnostic> {
    stacker::maybe_grow(super::RED_ZONE, super::STACK_GROWTH, || {
        eval_inner(e, lookup)
    })
}

fn eval_inner(
    e: &Expr,
    lookup: &dyn Fn(&str) -> Option<ConstValue>,
) -> Result<Option<Lit>, Diagnostic> {
    Ok(Some(match &e.kind {
        ExprKind::Int(v) => Lit::Int(*v),
        ExprKind::Float(v) => Lit::Float(*v),
        ExprKind::Bool(b) => Lit::Bool(*b),
        ExprKind::Name(n) => match lookup(n) {
            Some(ConstValue::Int(v)) => Lit::Int(v as i128),
            Some(ConstValue::Float(v)) => Lit::Float(v),
            Some(ConstValue::Bool(v)) => Lit::Bool(v),
            None => return Ok(None),
        },
        ExprKind::UnaryOp { op, operand } => {
            let Some(v) = eval_in(operand, lookup)? else {
                return Ok(None);
            };
            match (op, v) {
                (UnaryOp::Pos, v) => v,
                (UnaryOp::Neg, Lit::Int(i)) => match i.checked_neg() {
                    Some(n) => Lit::Int(n),
                    None => return Err(too_large(e)),
                },
                (UnaryOp::Neg, Lit::Float(f)) => Lit::Float(-f),
                (UnaryOp::Neg, Lit::Bool(b)) => Lit::Int(-(b as i128)),
                (UnaryOp::Invert, Lit::Int(i)) => Lit::Int(!i),
                (UnaryOp::Invert, Lit::Bool(b)) => Lit::Int(!(b as i128)),
                (UnaryOp::Not, v) => Lit::Bool(!truthy(v)),
                (UnaryOp::Invert, Lit::Float(_)) => return Ok(None),
            }
        }
        ExprKind::BinOp { op, left, right } => {
            let (Some(a), Some(b)) = (eval_in(left, lookup)?, eval_in(right, lookup)?) else {
                return Ok(None);
            };
            match binop(*op, a, b) {
                Ok(v) => match v {
                    Some(v) => v,
                    None => return Ok(None),
                },
                Err(Refused::Overflow) => return Err(too_large(e)),
                Err(Refused::Invalid(msg)) => return Err(Diagnostic::error(e.span, msg)),
            }
        }
        _ => return Ok(None),
    }))
}

fn truthy(v: Lit) -> bool {
    match v {
        Lit::Int(i) => i != 0,
        Lit::Float(f) => f != 0.0,
        Lit::Bool(b) => b,
    }
}

fn as_int(v: Lit) -> Option<i128> {
    match v {
        Lit::Int(i) => Some(i),
        Lit::Bool(b) => Some(b as i128),
        Lit::Float(_) => None,
    }
}

fn as_float(v: Lit) -> f64 {
    match v {
        Lit::Int(i) => i as f64,
        Lit::Bool(b) => b as i32 as f64,
        Lit::Float(f) => f,
    }
}

/// Why a constant expression does not fold.
#[derive(Debug, PartialEq)]
enum Refused {
    /// Python's value is outside the 128 bits folding works in (no kernel type holds
    /// more than 64, so the value could not be used anyway).
    Overflow,
    /// Python raises: division by zero, a negative shift count, `0 ** -1`.
    Invalid(&'static str),
}

/// The diagnostic for a constant whose exact value leaves the 128 bits folding uses.
fn too_large(e: &Expr) -> Diagnostic {
    Diagnostic::error(
        e.span,
        "this constant expression's value does not fit in 128 bits",
    )
    .with_note("constant integer expressions are folded exactly, as Python computes them; kernel integer types hold at most 64 bits")
}

/// Python semantics on unbounded ints, computed exactly in 128 bits: a value outside
/// them is refused rather than wrapped, so a fold never gives a value Python would not.
fn binop(op: BinOp, a: Lit, b: Lit) -> Result<Option<Lit>, Refused> {
    // Python: bit operators on two bools give a bool.
    if let (Lit::Bool(x), Lit::Bool(y)) = (a, b) {
        match op {
            BinOp::BitAnd => return Ok(Some(Lit::Bool(x & y))),
            BinOp::BitOr => return Ok(Some(Lit::Bool(x | y))),
            BinOp::BitXor => return Ok(Some(Lit::Bool(x ^ y))),
            _ => {}
        }
    }
    if let (Some(x), Some(y)) = (as_int(a), as_int(b)) {
        const DIV_ZERO: Refused = Refused::Invalid("division by zero in a constant expression");
        let v = match op {
            BinOp::Add => x.checked_add(y),
            BinOp::Sub => x.checked_sub(y),
            BinOp::Mul => x.checked_mul(y),
            BinOp::FloorDiv | BinOp::Mod | BinOp::Div if y == 0 => return Err(DIV_ZERO),
            // Only `MIN // -1` leaves the range (its value is 2**127).
            BinOp::FloorDiv => x.checked_div(y).map(|q| {
                let r = x.wrapping_rem(y);
                if r != 0 && (r < 0) != (y < 0) {
                    q - 1
                } else {
                    q
                }
            }),
            BinOp::Mod => Some(py_mod(x, y)),
            BinOp::Div => return Ok(Some(Lit::Float(x as f64 / y as f64))),
            // Python: an int to a negative power is the float power of the two floats.
            BinOp::Pow if y < 0 && x == 0 => {
                return Err(Refused::Invalid(
                    "0 cannot be raised to a negative power in a constant expression",
                ));
            }
            BinOp::Pow if y < 0 => return Ok(Some(Lit::Float((x as f64).powf(y as f64)))),
            BinOp::Pow => match x {
                // Bases whose powers never grow, whatever the exponent.
                0 | 1 => Some(if y == 0 { 1 } else { x }),
                -1 => Some(if y % 2 == 0 { 1 } else { -1 }),
                _ => u32::try_from(y).ok().and_then(|e| x.checked_pow(e)),
            },
            BinOp::LShift | BinOp::RShift if y < 0 => {
                return Err(Refused::Invalid(
                    "negative shift count in a constant expression",
                ));
            }
            BinOp::LShift => match u32::try_from(y) {
                _ if x == 0 => Some(0),
                // Exact when shifting back gives `x` again.
                Ok(s) if s < 128 => Some(x.wrapping_shl(s)).filter(|v| v >> s == x),
                _ => None,
            },
            BinOp::RShift => Some(x >> u32::try_from(y).unwrap_or(127).min(127)),
            BinOp::BitAnd => Some(x & y),
            BinOp::BitOr => Some(x | y),
            BinOp::BitXor => Some(x ^ y),
            BinOp::MatMul => return Ok(None),
        };
        return v.map(|v| Some(Lit::Int(v))).ok_or(Refused::Overflow);
    }
    let (x, y) = (as_float(a), as_float(b));
    Ok(Some(Lit::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div | BinOp::FloorDiv | BinOp::Mod if y == 0.0 => {
            return Err(Refused::Invalid(
                "division by zero in a constant expression",
            ));
        }
        BinOp::Div => x / y,
        BinOp::FloorDiv => float_divmod(x, y).0,
        BinOp::Mod => float_divmod(x, y).1,
        BinOp::Pow if x == 0.0 && y < 0.0 => {
            return Err(Refused::Invalid(
                "0.0 cannot be raised to a negative power in a constant expression",
            ));
        }
        BinOp::Pow => x.powf(y),
        _ => return Ok(None),
    })))
}

/// Python's float `(x // y, x % y)` for `y != 0`, computed as CPython (and the kernels'
/// run-time code) does: from `fmod`, the remainder taking the divisor's sign (a zero
/// too), the quotient snapped to the nearest integer (`1.0 // 0.1` is 9.0, not the
/// 10.0 of `floor(1.0 / 0.1)`).
fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    let m = x % y;
    let mut div = (x - m) / y;
    let m = if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            div -= 1.0;
            m + y
        } else {
            m
        }
    } else {
        0.0f64.copysign(y)
    };
    let q = if div != 0.0 {
        let fl = div.floor();
        if div - fl > 0.5 { fl + 1.0 } else { fl }
    } else {
        0.0f64.copysign(x / y)
    };
    (q, m)
}

fn py_mod(x: i128, y: i128) -> i128 {
    // `wrapping_rem`: `MIN % -1` is 0, and `%` would overflow computing it.
    let r = x.wrapping_rem(y);
    if r != 0 && (r < 0) != (y < 0) {
        r + y
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_floor_semantics() {
        assert_eq!(
            binop(BinOp::FloorDiv, Lit::Int(-7), Lit::Int(2)),
            Ok(Some(Lit::Int(-4)))
        );
        assert_eq!(
            binop(BinOp::Mod, Lit::Int(-7), Lit::Int(2)),
            Ok(Some(Lit::Int(1)))
        );
        assert_eq!(
            binop(BinOp::Mod, Lit::Int(7), Lit::Int(-2)),
            Ok(Some(Lit::Int(-1)))
        );
        assert_eq!(
            binop(BinOp::FloorDiv, Lit::Int(7), Lit::Int(-2)),
            Ok(Some(Lit::Int(-4)))
        );
        assert_eq!(
            binop(BinOp::Div, Lit::Int(7), Lit::Int(2)),
            Ok(Some(Lit::Float(3.5)))
        );
        assert!(binop(BinOp::FloorDiv, Lit::Int(1), Lit::Int(0)).is_err());
    }

    fn int(op: BinOp, x: i128, y: i128) -> Result<Option<Lit>, Refused> {
        binop(op, Lit::Int(x), Lit::Int(y))
    }

    /// At the ends of the 128-bit range, every operator gives Python's value or refuses
    /// it as too large: never a panic (the `MIN // -1` of issue 13), never a wrapped value.
    #[test]
    fn extremes_give_python_values_or_overflow() {
        use BinOp::*;
        let (min, max) = (i128::MIN, i128::MAX);
        let ok = |v: i128| Ok(Some(Lit::Int(v)));
        assert_eq!(int(FloorDiv, min, -1), Err(Refused::Overflow));
        assert_eq!(int(Mod, min, -1), ok(0));
        assert_eq!(int(FloorDiv, min, 1), ok(min));
        assert_eq!(int(FloorDiv, min, 2), ok(min / 2));
        assert_eq!(int(FloorDiv, max, -1), ok(-max));
        assert_eq!(int(FloorDiv, max, min), ok(-1));
        assert_eq!(int(FloorDiv, min, max), ok(-2));
        assert_eq!(int(Mod, max, min), ok(-1));
        assert_eq!(int(Mod, min, max), ok(max - 1));
        assert_eq!(int(Mod, min, 3), ok(1));
        assert_eq!(int(FloorDiv, min + 1, -3), ok(max / 3));
        assert_eq!(int(FloorDiv, min, 3), ok(min / 3 - 1));
        assert_eq!(int(Add, max, 1), Err(Refused::Overflow));
        assert_eq!(int(Add, min, -1), Err(Refused::Overflow));
        assert_eq!(int(Add, max, min), ok(-1));
        assert_eq!(int(Sub, min, 1), Err(Refused::Overflow));
        assert_eq!(int(Sub, 0, min), Err(Refused::Overflow));
        assert_eq!(int(Sub, -1, min), ok(max));
        assert_eq!(int(Mul, min, -1), Err(Refused::Overflow));
        assert_eq!(int(Mul, max, 2), Err(Refused::Overflow));
        assert_eq!(int(Mul, min, 1), ok(min));
        assert_eq!(int(Pow, 2, 126), ok(1 << 126));
        assert_eq!(int(Pow, -2, 127), ok(min));
        assert_eq!(int(Pow, 2, 127), Err(Refused::Overflow));
        assert_eq!(int(Pow, 3, max), Err(Refused::Overflow));
        assert_eq!(int(Pow, -1, max), ok(-1));
        assert_eq!(int(Pow, -1, 1 << 100), ok(1));
        assert_eq!(int(Pow, 1, max), ok(1));
        assert_eq!(int(Pow, 0, max), ok(0));
        assert_eq!(int(Pow, 0, 0), ok(1));
        // An int to a negative power is a float, with the exponent as a float: not
        // truncated to 32 bits (`2 ** -4294967297` was 0.5).
        assert_eq!(int(Pow, 2, -4294967297), Ok(Some(Lit::Float(0.0))));
        assert_eq!(int(Pow, 2, min), Ok(Some(Lit::Float(0.0))));
        assert_eq!(int(Pow, -2, -1), Ok(Some(Lit::Float(-0.5))));
        assert!(matches!(int(Pow, 0, -1), Err(Refused::Invalid(_))));
        assert_eq!(int(LShift, 1, 126), ok(1 << 126));
        assert_eq!(int(LShift, -1, 127), ok(min));
        assert_eq!(int(LShift, 1, 127), Err(Refused::Overflow));
        assert_eq!(int(LShift, max, 1), Err(Refused::Overflow));
        assert_eq!(int(LShift, min, 1), Err(Refused::Overflow));
        assert_eq!(int(LShift, 3, 1 << 100), Err(Refused::Overflow));
        assert_eq!(int(LShift, 0, max), ok(0));
        assert_eq!(int(RShift, min, 127), ok(-1));
        assert_eq!(int(RShift, min, max), ok(-1));
        assert_eq!(int(RShift, max, 1 << 100), ok(0));
        assert!(matches!(int(LShift, 1, -1), Err(Refused::Invalid(_))));
        assert!(matches!(int(RShift, 1, min), Err(Refused::Invalid(_))));
        assert_eq!(int(BitXor, min, max), ok(-1));
    }

    #[test]
    fn unary_minus_of_the_least_value_is_refused() {
        let e = |src: &str| {
            let mut map = crate::source::SourceMap::new();
            let id = map.add("t.py", src, crate::source::SourceKind::File);
            let x = crate::parse::parse_expression(&map, id).expect("parses");
            eval(&x, &BTreeMap::new())
        };
        let min = "(-170141183460469231731687303715884105727 - 1)";
        assert!(e(&format!("-{min}")).is_err());
        assert!(e(&format!("{min} // -1")).is_err());
        assert_eq!(e(&format!("{min} % -1")), Ok(Some(Lit::Int(0))));
        assert_eq!(e(&format!("-({min} + 1)")), Ok(Some(Lit::Int(i128::MAX))));
        assert_eq!(
            e("~(-170141183460469231731687303715884105727 - 1)"),
            Ok(Some(Lit::Int(i128::MAX)))
        );
    }

    /// Float `//` and `%` fold as the kernels compute them at run time (CPython's
    /// algorithm), not as `floor(x / y)`.
    #[test]
    fn float_floor_division_folds_as_python() {
        let f = |op, x: f64, y: f64| match binop(op, Lit::Float(x), Lit::Float(y)) {
            Ok(Some(Lit::Float(v))) => v,
            other => panic!("{other:?}"),
        };
        assert_eq!(f(BinOp::FloorDiv, 1.0, 0.1), 9.0);
        assert_eq!(f(BinOp::FloorDiv, 1.5, -0.3), -6.0);
        assert!(f(BinOp::FloorDiv, f64::INFINITY, 1.0).is_nan());
        assert_eq!(f(BinOp::FloorDiv, -1.0, f64::INFINITY), -1.0);
        assert_eq!(f(BinOp::Mod, -4.0, 2.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(f(BinOp::Mod, 1.0, -0.5).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f(BinOp::Mod, -1.0, 3.0), 2.0);
        assert!(binop(BinOp::Pow, Lit::Float(0.0), Lit::Float(-1.0)).is_err());
    }
}
