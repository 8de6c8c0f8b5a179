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
                (UnaryOp::Neg, Lit::Int(i)) => Lit::Int(-i),
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
                Err(msg) => return Err(Diagnostic::error(e.span, msg)),
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

/// Python semantics on unbounded ints (kept to 128 bits; overflow refuses to fold, and
/// the checker then reports the literal as too large for its type).
fn binop(op: BinOp, a: Lit, b: Lit) -> Result<Option<Lit>, String> {
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
        let v = match op {
            BinOp::Add => x.checked_add(y),
            BinOp::Sub => x.checked_sub(y),
            BinOp::Mul => x.checked_mul(y),
            BinOp::FloorDiv | BinOp::Mod if y == 0 => {
                return Err("division by zero in a constant expression".into());
            }
            BinOp::FloorDiv => {
                Some(x.div_euclid(y) - if y < 0 && x.rem_euclid(y) != 0 { 1 } else { 0 })
            }
            BinOp::Mod => Some(py_mod(x, y)),
            BinOp::Div if y == 0 => return Err("division by zero in a constant expression".into()),
            BinOp::Div => return Ok(Some(Lit::Float(x as f64 / y as f64))),
            BinOp::Pow if y < 0 => return Ok(Some(Lit::Float((x as f64).powi(y as i32)))),
            BinOp::Pow => u32::try_from(y).ok().and_then(|e| x.checked_pow(e)),
            BinOp::LShift => u32::try_from(y)
                .ok()
                .filter(|&s| s < 127)
                .and_then(|s| x.checked_mul(1i128 << s)),
            BinOp::RShift => u32::try_from(y).ok().map(|s| x >> s.min(127)),
            BinOp::BitAnd => Some(x & y),
            BinOp::BitOr => Some(x | y),
            BinOp::BitXor => Some(x ^ y),
            BinOp::MatMul => None,
        };
        return Ok(v.map(Lit::Int));
    }
    let (x, y) = (as_float(a), as_float(b));
    Ok(Some(Lit::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div | BinOp::FloorDiv | BinOp::Mod if y == 0.0 => {
            return Err("division by zero in a constant expression".into());
        }
        BinOp::Div => x / y,
        BinOp::FloorDiv => (x / y).floor(),
        BinOp::Mod => {
            let r = x % y;
            if r != 0.0 && (r < 0.0) != (y < 0.0) {
                r + y
            } else {
                r
            }
        }
        BinOp::Pow => x.powf(y),
        _ => return Ok(None),
    })))
}

fn py_mod(x: i128, y: i128) -> i128 {
    let r = x % y;
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
}
