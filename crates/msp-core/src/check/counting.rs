//! Counting loops: `while v < e:` whose body ends with `v = v + 1` and writes `v`
//! nowhere else. Until that last statement `v` still has the value the condition
//! accepted, so `v < e` holds and `v + 1` cannot pass the largest value of `v`'s type.
//! Those additions become [`ArithOp::AddNoWrap`], which codegen emits as `add nsw`
//! (`nuw` for unsigned types).
//!
//! Nothing changes in what a kernel computes: the fact is true of every run. It saves
//! LLVM from proving it: with wrapping 32-bit counters, scalar evolution has to show
//! that `j = i + 1` and `j = j + 1` never wrap before it can widen the counters to
//! 64 bits, and on a nest like the seed's transpose it only gets there by simplifying
//! the loops twice (and loop strength reduction, at code generation, pays again for
//! every 32-bit counter left).
//!
//! Kernels with labels are left alone: a `goto` could enter a loop body without
//! testing its condition.

use super::hir::{Arg, ArithOp, LocalId, TExpr, TExprKind, TStmt, TypedKernel};
use super::{Scalar, Type};
use crate::ast::CmpOp;

/// Marks the no-wrap steps of every counting loop in `kernel`.
pub fn mark_counting_loops(kernel: &mut TypedKernel) {
    if has_labels(&kernel.body) {
        return;
    }
    let locals: Vec<Type> = kernel.locals.iter().map(|l| l.ty.clone()).collect();
    mark_block(&mut kernel.body, &locals);
}

fn mark_block(stmts: &mut [TStmt], locals: &[Type]) {
    for s in stmts {
        match s {
            TStmt::While { cond, body, orelse } => {
                if let Some((v, ty)) = counter(cond, locals)
                    && steps_once_at_end(body, v, ty)
                {
                    for s in body.iter_mut() {
                        stmt_exprs(s, &mut |e| mark_expr(e, v, ty));
                    }
                }
                mark_block(body, locals);
                mark_block(orelse, locals);
            }
            TStmt::If { then, orelse, .. } => {
                mark_block(then, locals);
                mark_block(orelse, locals);
            }
            TStmt::ForRange { body, orelse, .. } => {
                mark_block(body, locals);
                mark_block(orelse, locals);
            }
            _ => {}
        }
    }
}

/// `v < e` or `e > v`, compared in `v`'s own integer type.
fn counter(cond: &TExpr, locals: &[Type]) -> Option<(LocalId, Scalar)> {
    let TExprKind::Compare { operands, ops } = &cond.kind else {
        return None;
    };
    let ([a, b], [(op, ty)]) = (operands.as_slice(), ops.as_slice()) else {
        return None;
    };
    let v = match (op, &a.kind, &b.kind) {
        (CmpOp::Lt, TExprKind::Local(v), _) | (CmpOp::Gt, _, TExprKind::Local(v)) => *v,
        _ => return None,
    };
    let is_counter = ty.is_int() && locals.get(v.0 as usize) == Some(&Type::Scalar(*ty));
    is_counter.then_some((v, *ty))
}

/// The body's last statement is `v = v + 1` and no other statement assigns `v`.
fn steps_once_at_end(body: &[TStmt], v: LocalId, ty: Scalar) -> bool {
    let Some((last, rest)) = body.split_last() else {
        return false;
    };
    let steps =
        matches!(last, TStmt::Assign { local, value } if *local == v && is_step(value, v, ty));
    steps && !assigns(rest, v)
}

/// `v + 1` (or `1 + v`) computed in `v`'s type.
fn is_step(e: &TExpr, v: LocalId, ty: Scalar) -> bool {
    let TExprKind::Arith {
        op: ArithOp::Add,
        left,
        right,
        ..
    } = &e.kind
    else {
        return false;
    };
    let is_v = |x: &TExpr| matches!(x.kind, TExprKind::Local(l) if l == v);
    let is_one = |x: &TExpr| matches!(x.kind, TExprKind::Int(1));
    e.ty == ty && ((is_v(left) && is_one(right)) || (is_one(left) && is_v(right)))
}

fn assigns(stmts: &[TStmt], v: LocalId) -> bool {
    stmts.iter().any(|s| match s {
        TStmt::Assign { local, .. } => *local == v,
        TStmt::ForRange {
            var, body, orelse, ..
        } => *var == v || assigns(body, v) || assigns(orelse, v),
        TStmt::If { then, orelse, .. } => assigns(then, v) || assigns(orelse, v),
        TStmt::While { body, orelse, .. } => assigns(body, v) || assigns(orelse, v),
        _ => false,
    })
}

fn has_labels(stmts: &[TStmt]) -> bool {
    stmts.iter().any(|s| match s {
        TStmt::Label(_) | TStmt::Goto(_) => true,
        TStmt::If { then, orelse, .. } => has_labels(then) || has_labels(orelse),
        TStmt::While { body, orelse, .. } | TStmt::ForRange { body, orelse, .. } => {
            has_labels(body) || has_labels(orelse)
        }
        _ => false,
    })
}

fn mark_expr(e: &mut TExpr, v: LocalId, ty: Scalar) {
    if is_step(e, v, ty)
        && let TExprKind::Arith { op, .. } = &mut e.kind
    {
        *op = ArithOp::AddNoWrap;
    }
}

/// Calls `f` on every expression of `s`, nested ones and those of nested statements,
/// children before parents.
fn stmt_exprs(s: &mut TStmt, f: &mut dyn FnMut(&mut TExpr)) {
    match s {
        TStmt::Assign { value, .. } | TStmt::Expr(value) | TStmt::Return(Some(value)) => {
            expr_tree(value, f)
        }
        TStmt::Store { place, value } | TStmt::StoreUpdate { place, value, .. } => {
            place.indices.iter_mut().for_each(|i| expr_tree(i, f));
            expr_tree(value, f);
        }
        TStmt::If { cond, then, orelse }
        | TStmt::While {
            cond,
            body: then,
            orelse,
        } => {
            expr_tree(cond, f);
            then.iter_mut().for_each(|s| stmt_exprs(s, f));
            orelse.iter_mut().for_each(|s| stmt_exprs(s, f));
        }
        TStmt::ForRange {
            start,
            stop,
            step,
            body,
            orelse,
            ..
        } => {
            for e in [start, stop, step] {
                expr_tree(e, f);
            }
            body.iter_mut().for_each(|s| stmt_exprs(s, f));
            orelse.iter_mut().for_each(|s| stmt_exprs(s, f));
        }
        TStmt::Break | TStmt::Continue | TStmt::Return(None) | TStmt::Label(_) | TStmt::Goto(_) => {
        }
    }
}

fn expr_tree(e: &mut TExpr, f: &mut dyn FnMut(&mut TExpr)) {
    match &mut e.kind {
        TExprKind::Load(p) => p.indices.iter_mut().for_each(|i| expr_tree(i, f)),
        TExprKind::Arith { left, right, .. } => {
            expr_tree(left, f);
            expr_tree(right, f);
        }
        TExprKind::PowInt { base: x, .. }
        | TExprKind::Neg(x)
        | TExprKind::Invert(x)
        | TExprKind::Not(x)
        | TExprKind::Truthy(x)
        | TExprKind::Cast(x) => expr_tree(x, f),
        TExprKind::Compare { operands: xs, .. }
        | TExprKind::BoolOp { values: xs, .. }
        | TExprKind::Intrinsic { args: xs, .. } => xs.iter_mut().for_each(|x| expr_tree(x, f)),
        TExprKind::IfExp { cond, then, orelse } => {
            expr_tree(cond, f);
            expr_tree(then, f);
            expr_tree(orelse, f);
        }
        TExprKind::Call { args, .. } => args.iter_mut().for_each(|a| {
            if let Arg::Scalar(x) = a {
                expr_tree(x, f)
            }
        }),
        TExprKind::Int(_) | TExprKind::Float(_) | TExprKind::Bool(_) | TExprKind::Local(_) => {}
    }
    f(e);
}

#[cfg(test)]
mod tests {
    use crate::check::hir::{ArithOp, TExpr, TExprKind, TStmt};
    use crate::driver::Compiler;

    /// How many `+` of the first kernel of `src` are marked no-wrap.
    fn marked(src: &str) -> usize {
        let program = Compiler::new()
            .check_source("t.py", src)
            .unwrap_or_else(|e| panic!("{}", e.rendered));
        let mut n = 0;
        let mut count = |e: &mut TExpr| {
            if let TExprKind::Arith {
                op: ArithOp::AddNoWrap,
                ..
            } = e.kind
            {
                n += 1;
            }
        };
        let mut body: Vec<TStmt> = program.checked.kernels[0].body.clone();
        for s in &mut body {
            super::stmt_exprs(s, &mut count);
        }
        n
    }

    #[test]
    fn only_loops_that_step_their_counter_once_at_the_end() {
        let head = "@compile\ndef f(n: int) -> int:\n    s = 0\n    i = 0\n";
        let case = |body: &str| marked(&format!("{head}{body}    return s\n"));
        assert_eq!(
            case("    while i < n:\n        s += i + 1\n        i += 1\n"),
            2
        );
        assert_eq!(case("    while n > i:\n        i = 1 + i\n"), 1);
        // Stepped twice, stepped elsewhere, not at the end, or by a `for`.
        assert_eq!(
            case("    while i < n:\n        i += 1\n        i += 1\n"),
            0
        );
        assert_eq!(
            case("    while i < n:\n        if s > 3:\n            i = n\n        i += 1\n"),
            0
        );
        assert_eq!(
            case("    while i < n:\n        i += 1\n        s += i + 1\n"),
            0
        );
        assert_eq!(
            case(
                "    while i < n:\n        for i in range(3):\n            s += 1\n        i += 1\n"
            ),
            0
        );
        // `<=` lets the counter reach the largest value; a wider comparison proves nothing.
        assert_eq!(case("    while i <= n:\n        i += 1\n"), 0);
        assert_eq!(case("    while i < i64(n):\n        i += 1\n"), 0);
        // A label anywhere: a `goto` could enter the body without the test.
        assert_eq!(
            case(
                "    label(\"top\")\n    while i < n:\n        i += 1\n    if s < 0:\n        goto(\"top\")\n"
            ),
            0
        );
    }
}
