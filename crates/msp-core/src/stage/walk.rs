//! Generic walks over the AST used by staging: every span (for re-stamping), node counts
//! (for the code-size limit) and the names a piece of code reads and writes.
//!
//! Generated code can nest far deeper than parsed code (a recursive generator builds
//! `x * (x * (...))`), so each walk grows the stack on demand.

use super::interp::with_stack;
use crate::ast::*;
use crate::source::Span;

// ----- spans -----

/// Calls `f` on every span in `stmts` (statements, expressions, names, parameters).
pub fn spans_in_stmts(stmts: &mut [Stmt], f: &mut dyn FnMut(&mut Span)) {
    for s in stmts {
        spans_in_stmt(s, f);
    }
}

fn spans_in_stmt(s: &mut Stmt, f: &mut dyn FnMut(&mut Span)) {
    f(&mut s.span);
    with_stack(|| match &mut s.kind {
        StmtKind::Expr(e) => spans_in_expr(e, f),
        StmtKind::Assign { targets, value } => {
            for t in targets {
                spans_in_expr(t, f);
            }
            spans_in_expr(value, f);
        }
        StmtKind::AugAssign { target, value, .. } => {
            spans_in_expr(target, f);
            spans_in_expr(value, f);
        }
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
        } => {
            spans_in_expr(target, f);
            spans_in_expr(annotation, f);
            if let Some(v) = value {
                spans_in_expr(v, f);
            }
        }
        StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
            spans_in_expr(test, f);
            spans_in_stmts(body, f);
            spans_in_stmts(orelse, f);
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
        } => {
            spans_in_expr(target, f);
            spans_in_expr(iter, f);
            spans_in_stmts(body, f);
            spans_in_stmts(orelse, f);
        }
        StmtKind::Return(v) => {
            if let Some(v) = v {
                spans_in_expr(v, f);
            }
        }
        StmtKind::FunctionDef(def) => {
            let def = std::rc::Rc::make_mut(def);
            f(&mut def.span);
            f(&mut def.name.span);
            spans_in_params(&mut def.params, f);
            if let Some(r) = &mut def.returns {
                spans_in_expr(r, f);
            }
            for d in &mut def.decorators {
                spans_in_expr(d, f);
            }
            spans_in_stmts(&mut def.body, f);
        }
        StmtKind::Global(names) | StmtKind::Nonlocal(names) => {
            for n in names {
                f(&mut n.span);
            }
        }
        StmtKind::Break | StmtKind::Continue | StmtKind::Pass | StmtKind::Unsupported(_) => {}
    });
}

/// Calls `f` on every span in the parameters.
pub fn spans_in_params(params: &mut [Param], f: &mut dyn FnMut(&mut Span)) {
    for p in params {
        f(&mut p.span);
        f(&mut p.name.span);
        if let Some(a) = &mut p.annotation {
            spans_in_expr(a, f);
        }
        if let Some(d) = &mut p.default {
            spans_in_expr(d, f);
        }
    }
}

/// Calls `f` on every span in `e`.
pub fn spans_in_expr(e: &mut Expr, f: &mut dyn FnMut(&mut Span)) {
    f(&mut e.span);
    with_stack(|| match &mut e.kind {
        ExprKind::BinOp { left, right, .. } => {
            spans_in_expr(left, f);
            spans_in_expr(right, f);
        }
        ExprKind::UnaryOp { operand, .. } => spans_in_expr(operand, f),
        ExprKind::BoolOp { values, .. } => values.iter_mut().for_each(|v| spans_in_expr(v, f)),
        ExprKind::Compare {
            left, comparators, ..
        } => {
            spans_in_expr(left, f);
            comparators.iter_mut().for_each(|v| spans_in_expr(v, f));
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            spans_in_expr(func, f);
            args.iter_mut().for_each(|v| spans_in_expr(v, f));
            for k in keywords {
                f(&mut k.span);
                if let Some(n) = &mut k.name {
                    f(&mut n.span);
                }
                spans_in_expr(&mut k.value, f);
            }
        }
        ExprKind::Attribute { value, attr } => {
            spans_in_expr(value, f);
            f(&mut attr.span);
        }
        ExprKind::Subscript { value, index } => {
            spans_in_expr(value, f);
            spans_in_expr(index, f);
        }
        ExprKind::Slice { lower, upper, step } => {
            for part in [lower, upper, step].into_iter().flatten() {
                spans_in_expr(part, f);
            }
        }
        ExprKind::Tuple(xs) | ExprKind::List(xs) | ExprKind::Set(xs) => {
            xs.iter_mut().for_each(|v| spans_in_expr(v, f))
        }
        ExprKind::Dict { keys, values } => {
            keys.iter_mut().flatten().for_each(|v| spans_in_expr(v, f));
            values.iter_mut().for_each(|v| spans_in_expr(v, f));
        }
        ExprKind::IfExp { test, body, orelse } => {
            spans_in_expr(test, f);
            spans_in_expr(body, f);
            spans_in_expr(orelse, f);
        }
        ExprKind::Lambda { params, body } => {
            spans_in_params(params, f);
            spans_in_expr(std::rc::Rc::make_mut(body), f);
        }
        ExprKind::ListComp { elt, generators }
        | ExprKind::SetComp { elt, generators }
        | ExprKind::GeneratorExp { elt, generators } => {
            spans_in_expr(elt, f);
            spans_in_comprehensions(generators, f);
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => {
            spans_in_expr(key, f);
            spans_in_expr(value, f);
            spans_in_comprehensions(generators, f);
        }
        ExprKind::FString(parts) => spans_in_fstring(parts, f),
        ExprKind::Starred(inner) => spans_in_expr(inner, f),
        ExprKind::Name(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::NoneLit
        | ExprKind::Ellipsis
        | ExprKind::Unsupported(_) => {}
    });
}

fn spans_in_comprehensions(gens: &mut [Comprehension], f: &mut dyn FnMut(&mut Span)) {
    for g in gens {
        spans_in_expr(&mut g.target, f);
        spans_in_expr(&mut g.iter, f);
        g.ifs.iter_mut().for_each(|v| spans_in_expr(v, f));
    }
}

fn spans_in_fstring(parts: &mut [FStringPart], f: &mut dyn FnMut(&mut Span)) {
    for p in parts {
        if let FStringPart::Value { value, spec, .. } = p {
            spans_in_expr(value, f);
            spans_in_fstring(spec, f);
        }
    }
}

// ----- node counts -----

/// How big a piece of code is: AST nodes, and how deeply they nest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    pub nodes: usize,
    pub depth: usize,
}

impl Size {
    /// Sizes of siblings: nodes add up, the depth is the deepest.
    pub fn and(self, other: Size) -> Size {
        Size {
            nodes: self.nodes + other.nodes,
            depth: self.depth.max(other.depth),
        }
    }

    /// One node above `children`.
    fn parent_of(children: Size) -> Size {
        Size {
            nodes: children.nodes + 1,
            depth: children.depth + 1,
        }
    }
}

/// Statements and expressions in `stmts`, nested ones included.
pub fn measure_stmts(stmts: &[Stmt]) -> Size {
    stmts
        .iter()
        .map(measure_stmt)
        .fold(Size::default(), Size::and)
}

fn measure_stmt(s: &Stmt) -> Size {
    let mut children = Size::default();
    with_stack(|| {
        for_each_child_of_stmt(s, &mut |c| {
            let size = match c {
                Child::Expr(e) => measure_expr(e),
                Child::Stmt(s) => measure_stmt(s),
            };
            children = children.and(size);
        })
    });
    Size::parent_of(children)
}

/// Expressions in `e`, itself included.
pub fn measure_expr(e: &Expr) -> Size {
    let mut children = Size::default();
    for_each_child_of_expr(e, &mut |c| children = children.and(measure_expr(c)));
    Size::parent_of(children)
}

/// A direct child of a statement.
enum Child<'a> {
    Expr(&'a Expr),
    Stmt(&'a Stmt),
}

/// Visits the direct child expressions and statements of a statement.
fn for_each_child_of_stmt<'a>(s: &'a Stmt, f: &mut dyn FnMut(Child<'a>)) {
    let mut fe = |e: &'a Expr| f(Child::Expr(e));
    match &s.kind {
        StmtKind::Expr(e) => fe(e),
        StmtKind::Assign { targets, value } => {
            targets.iter().for_each(&mut fe);
            fe(value);
        }
        StmtKind::AugAssign { target, value, .. } => {
            fe(target);
            fe(value);
        }
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
        } => {
            fe(target);
            fe(annotation);
            if let Some(v) = value {
                fe(v);
            }
        }
        StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
            fe(test);
            body.iter().chain(orelse).for_each(|s| f(Child::Stmt(s)));
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
        } => {
            fe(target);
            fe(iter);
            body.iter().chain(orelse).for_each(|s| f(Child::Stmt(s)));
        }
        StmtKind::Return(Some(v)) => fe(v),
        StmtKind::FunctionDef(def) => {
            for p in &def.params {
                p.annotation.iter().chain(&p.default).for_each(&mut fe);
            }
            def.returns.iter().chain(&def.decorators).for_each(&mut fe);
            def.body.iter().for_each(|s| f(Child::Stmt(s)));
        }
        _ => {}
    }
}

/// Visits the direct child expressions of an expression.
fn for_each_child_of_expr(e: &Expr, fe: &mut dyn FnMut(&Expr)) {
    with_stack(|| match &e.kind {
        ExprKind::BinOp { left, right, .. } => {
            fe(left);
            fe(right);
        }
        ExprKind::UnaryOp { operand, .. } => fe(operand),
        ExprKind::BoolOp { values, .. } => values.iter().for_each(fe),
        ExprKind::Compare {
            left, comparators, ..
        } => {
            fe(left);
            comparators.iter().for_each(fe);
        }
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            fe(func);
            args.iter().for_each(&mut *fe);
            keywords.iter().for_each(|k| fe(&k.value));
        }
        ExprKind::Attribute { value, .. } => fe(value),
        ExprKind::Subscript { value, index } => {
            fe(value);
            fe(index);
        }
        ExprKind::Slice { lower, upper, step } => {
            for part in [lower, upper, step].into_iter().flatten() {
                fe(part);
            }
        }
        ExprKind::Tuple(xs) | ExprKind::List(xs) | ExprKind::Set(xs) => xs.iter().for_each(fe),
        ExprKind::Dict { keys, values } => {
            keys.iter().flatten().for_each(&mut *fe);
            values.iter().for_each(fe);
        }
        ExprKind::IfExp { test, body, orelse } => {
            fe(test);
            fe(body);
            fe(orelse);
        }
        ExprKind::Lambda { params, body } => {
            for p in params {
                p.annotation.iter().chain(&p.default).for_each(&mut *fe);
            }
            fe(body);
        }
        ExprKind::ListComp { elt, generators }
        | ExprKind::SetComp { elt, generators }
        | ExprKind::GeneratorExp { elt, generators } => {
            fe(elt);
            comprehension_children(generators, fe);
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => {
            fe(key);
            fe(value);
            comprehension_children(generators, fe);
        }
        ExprKind::FString(parts) => fstring_children(parts, fe),
        ExprKind::Starred(inner) => fe(inner),
        _ => {}
    });
}

fn comprehension_children(gens: &[Comprehension], fe: &mut dyn FnMut(&Expr)) {
    for g in gens {
        fe(&g.target);
        fe(&g.iter);
        g.ifs.iter().for_each(&mut *fe);
    }
}

fn fstring_children(parts: &[FStringPart], fe: &mut dyn FnMut(&Expr)) {
    for p in parts {
        if let FStringPart::Value { value, spec, .. } = p {
            fe(value);
            fstring_children(spec, fe);
        }
    }
}

// ----- names -----

/// Where a name occurs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameUse {
    Load,
    Store,
}

/// Calls `f` for every name read or written in `stmts`. Arguments of `splice(...)` calls
/// are stage-0 code, not part of the code being generated, and are skipped.
pub fn names_in_stmts(stmts: &[Stmt], f: &mut dyn FnMut(&str, NameUse)) {
    for s in stmts {
        names_in_stmt(s, f);
    }
}

fn names_in_stmt(s: &Stmt, f: &mut dyn FnMut(&str, NameUse)) {
    with_stack(|| match &s.kind {
        StmtKind::Assign { targets, value } => {
            targets.iter().for_each(|t| names_in_target(t, f));
            names_in_expr(value, f);
        }
        StmtKind::AugAssign { target, value, .. } => {
            if let Some(n) = target.as_name() {
                f(n, NameUse::Load);
            }
            names_in_target(target, f);
            names_in_expr(value, f);
        }
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
        } => {
            names_in_target(target, f);
            names_in_expr(annotation, f);
            if let Some(v) = value {
                names_in_expr(v, f);
            }
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
        } => {
            names_in_target(target, f);
            names_in_expr(iter, f);
            names_in_stmts(body, f);
            names_in_stmts(orelse, f);
        }
        StmtKind::FunctionDef(def) => {
            f(&def.name.name, NameUse::Store);
            names_in_params(&def.params, f);
            def.returns
                .iter()
                .chain(&def.decorators)
                .for_each(|e| names_in_expr(e, f));
            names_in_stmts(&def.body, f);
        }
        _ => for_each_child_of_stmt(s, &mut |c| match c {
            Child::Expr(e) => names_in_expr(e, f),
            Child::Stmt(s) => names_in_stmt(s, f),
        }),
    });
}

/// Parameter names are stores; annotations and defaults are reads.
pub fn names_in_params(params: &[Param], f: &mut dyn FnMut(&str, NameUse)) {
    for p in params {
        f(&p.name.name, NameUse::Store);
        p.annotation
            .iter()
            .chain(&p.default)
            .for_each(|e| names_in_expr(e, f));
    }
}

fn names_in_target(t: &Expr, f: &mut dyn FnMut(&str, NameUse)) {
    match &t.kind {
        ExprKind::Name(n) => f(n, NameUse::Store),
        ExprKind::Tuple(xs) | ExprKind::List(xs) => xs.iter().for_each(|x| names_in_target(x, f)),
        ExprKind::Starred(inner) => names_in_target(inner, f),
        _ => names_in_expr(t, f),
    }
}

/// Calls `f` for every name read or written in `e` (splice arguments skipped).
pub fn names_in_expr(e: &Expr, f: &mut dyn FnMut(&str, NameUse)) {
    if is_splice_call(e) {
        return;
    }
    match &e.kind {
        ExprKind::Name(n) => f(n, NameUse::Load),
        ExprKind::Lambda { params, body } => {
            names_in_params(params, f);
            names_in_expr(body, f);
        }
        ExprKind::ListComp { elt, generators }
        | ExprKind::SetComp { elt, generators }
        | ExprKind::GeneratorExp { elt, generators } => {
            names_in_comprehensions(generators, f);
            names_in_expr(elt, f);
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => {
            names_in_comprehensions(generators, f);
            names_in_expr(key, f);
            names_in_expr(value, f);
        }
        _ => for_each_child_of_expr(e, &mut |c| names_in_expr(c, f)),
    }
}

fn names_in_comprehensions(gens: &[Comprehension], f: &mut dyn FnMut(&str, NameUse)) {
    for g in gens {
        names_in_target(&g.target, f);
        names_in_expr(&g.iter, f);
        g.ifs.iter().for_each(|c| names_in_expr(c, f));
    }
}

/// Whether `e` is `splice(arg)`.
pub fn is_splice_call(e: &Expr) -> bool {
    matches!(e.as_named_call(), Some(("splice", _)))
}
