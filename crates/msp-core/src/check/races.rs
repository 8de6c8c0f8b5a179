//! Race freedom of `prange` loops: the checker accepts a parallel loop only when it can
//! show that its iterations do not interfere, and sorts the locals its body touches for
//! codegen ([`ParLoop::captures`], [`ParLoop::privates`], [`ParLoop::reductions`]).
//!
//! The rules, each an error at the offending expression when broken:
//!
//! - a local the body assigns is either *private* to the iteration (every read of it in
//!   the body follows an assignment in the same iteration; after the loop it holds what
//!   the last iteration to assign it gave it, else its value from before the loop, as in
//!   Python), or a *reduction*: only ever updated as `s += e`, `s -= e`, `s *= e`,
//!   `s |= e`, `s &= e`, `s ^= e`, `s = min(s, e)` or `s = max(s, e)` with one operator,
//!   `e` not reading `s`, and `s` read nowhere else in the body;
//! - an array the body writes is accessed (read or written) only at indexes whose axis
//!   `k` is the loop variable itself, the same `k` everywhere: iterations then touch
//!   disjoint elements (the variable starts at a literal `>= 0` and steps by a positive
//!   literal, so it never repeats and never counts from the end);
//! - a kernel called in the body only reads the arrays it is passed, and is passed none
//!   the body writes (it could read another iteration's elements); no extern is called
//!   (its effects would interleave);
//! - nothing leaves the body: no `return`, no `break` of the parallel loop, no labels.
//!
//! `prange(..., races="allow")` lifts the array and call rules (the user vouches for
//! them); locals keep theirs, since a shared scalar has no meaning across threads.
//!
//! Every statement kind is matched explicitly: a new one must say how it touches locals
//! and arrays before a parallel loop can contain it.

use std::collections::{HashMap, HashSet};

use super::hir::{
    Arg, ArithOp, Callee, Intrinsic, LocalId, ParLoop, Place, ReduceOp, TExpr, TExprKind, TStmt,
    TypedKernel,
};
use crate::diag::Diagnostic;
use crate::source::Span;

/// Checks every `prange` loop of `kernel` (nested ones too) and fills in what codegen
/// needs; `writes[c][j]`: kernel `c` may write its array parameter `j`.
pub fn check_parallel_loops(
    kernel: &mut TypedKernel,
    writes: &[Vec<bool>],
    kernel_names: &[String],
    extern_names: &[String],
) -> Vec<Diagnostic> {
    let names: Vec<String> = kernel.locals.iter().map(|l| l.name.clone()).collect();
    let cx = Cx {
        writes,
        kernel_names,
        extern_names,
        names: &names,
    };
    let mut diags = Vec::new();
    visit_loops(&mut kernel.body, &mut |p| cx.check(p, &mut diags));
    diags
}

/// Calls `f` on every parallel loop in `stmts`, outer loops before the ones they hold.
fn visit_loops(stmts: &mut [TStmt], f: &mut dyn FnMut(&mut ParLoop)) {
    for s in stmts {
        match s {
            TStmt::ParFor(p) => {
                f(p);
                visit_loops(&mut p.body, f);
            }
            TStmt::If { then, orelse, .. }
            | TStmt::While {
                body: then, orelse, ..
            }
            | TStmt::ForRange {
                body: then, orelse, ..
            } => {
                visit_loops(then, f);
                visit_loops(orelse, f);
            }
            TStmt::Assign { .. }
            | TStmt::Store { .. }
            | TStmt::StoreUpdate { .. }
            | TStmt::Expr(_)
            | TStmt::Break
            | TStmt::Continue
            | TStmt::Return(_)
            | TStmt::Label(_)
            | TStmt::Goto(_) => {}
        }
    }
}

struct Cx<'a> {
    writes: &'a [Vec<bool>],
    kernel_names: &'a [String],
    extern_names: &'a [String],
    names: &'a [String],
}

/// How the body assigns a local.
#[derive(Clone, Copy, PartialEq)]
enum Update {
    Plain,
    Reduce(ReduceOp),
}

/// What a walk over the body found.
#[derive(Default)]
struct Facts {
    /// Per assigned local, its updates (with the span of the assigned value).
    assigned: HashMap<LocalId, Vec<(Update, Span)>>,
    /// Reads of each local in the body, reduction statements' own reads of their local
    /// left out, and where the first one is.
    reads: HashMap<LocalId, (usize, Span)>,
    /// Locals used as arrays in the body (indexed, measured or passed).
    arrays: HashSet<LocalId>,
    /// Per array, its accesses: written or not, and the axes indexed by the loop
    /// variable, with the index's span.
    accesses: HashMap<LocalId, Vec<(bool, Vec<usize>, Span)>>,
    /// Arrays passed to kernels, with the call's span and the callee.
    passed: Vec<(LocalId, Span, usize)>,
    /// Order in which locals were first met, so captures come out deterministic.
    order: Vec<LocalId>,
}

impl Facts {
    fn meet(&mut self, l: LocalId) {
        if !self.order.contains(&l) {
            self.order.push(l);
        }
    }
}

impl Cx<'_> {
    fn name(&self, l: LocalId) -> &str {
        &self.names[l.0 as usize]
    }

    fn check(&self, p: &mut ParLoop, diags: &mut Vec<Diagnostic>) {
        let mut facts = Facts::default();
        let before = diags.len();
        for s in &p.body {
            self.stmt(s, p, 0, &mut facts, diags);
        }
        let var = p.var;
        let mut privates = vec![var];
        let mut reductions = Vec::new();
        let mut assigned: Vec<LocalId> = facts.assigned.keys().copied().collect();
        assigned.sort_by_key(|l| l.0);
        for l in assigned {
            let ups = &facts.assigned[&l];
            let span = ups[0].1;
            if l == var {
                diags.push(Diagnostic::error(
                    span,
                    format!(
                        "the `prange` variable `{}` cannot be assigned in the loop body",
                        self.name(l)
                    ),
                ));
                continue;
            }
            let ops: Vec<ReduceOp> = ups
                .iter()
                .filter_map(|(u, _)| match u {
                    Update::Reduce(op) => Some(*op),
                    Update::Plain => None,
                })
                .collect();
            if ops.len() == ups.len() {
                // Only reductions: one operator, and no other read of the local.
                if let Some(other) = ops.iter().find(|o| **o != ops[0]) {
                    diags.push(
                        Diagnostic::error(
                            span,
                            format!(
                                "`{}` is reduced with both `{}` and `{}` in this `prange` body",
                                self.name(l),
                                op_text(ops[0]),
                                op_text(*other)
                            ),
                        )
                        .with_note("a reduction uses one operator"),
                    );
                    continue;
                }
                if let Some(&(_, read)) = facts.reads.get(&l) {
                    diags.push(Diagnostic::error(
                        read,
                        format!(
                            "`{}` is a reduction (`{}`) and cannot be read elsewhere in the `prange` body",
                            self.name(l),
                            op_text(ops[0])
                        ),
                    ).with_note("its value in an iteration depends on which iterations ran before; read it after the loop"));
                    continue;
                }
                reductions.push((l, ops[0]));
            } else {
                privates.push(l);
            }
        }
        // Private locals: assigned in the iteration before any read. After the loop
        // they hold what the last iteration to assign them left, as in Python (codegen
        // takes each from the last chunk that assigned it).
        let private_set: HashSet<LocalId> = privates.iter().copied().collect();
        let reduce_set: HashSet<LocalId> = reductions.iter().map(|(l, _)| *l).collect();
        let mut defined = HashSet::from([var]);
        self.must_assign(&p.body, &private_set, &reduce_set, &mut defined, diags);
        // Arrays the body writes: one axis indexed by the loop variable in every access,
        // and never passed to a kernel, which may read any element (another iteration's).
        if !p.races_allowed {
            let mut arrays: Vec<&LocalId> = facts.accesses.keys().collect();
            arrays.sort_by_key(|l| l.0);
            for a in arrays {
                let acc = &facts.accesses[a];
                if !acc.iter().any(|(w, _, _)| *w) {
                    continue;
                }
                if let Some(&(_, span, callee)) = facts.passed.iter().find(|x| x.0 == *a) {
                    diags.push(Diagnostic::error(
                        span,
                        format!(
                            "`{}` is written in this `prange` body, so it cannot be passed to `{}`, which may read elements other iterations write",
                            self.name(*a),
                            self.kernel_names[callee]
                        ),
                    ).with_note("pass it to kernels after the loop, or index it with the loop variable in the body; `prange(..., races=\"allow\")` says you know they do not race"));
                    continue;
                }
                let mut common: Option<Vec<usize>> = None;
                for (_, axes, span) in acc {
                    let next: Vec<usize> = match &common {
                        None => axes.clone(),
                        Some(c) => c.iter().copied().filter(|k| axes.contains(k)).collect(),
                    };
                    if next.is_empty() {
                        diags.push(Diagnostic::error(
                            *span,
                            format!(
                                "`{}` is written in this `prange` body, so every access to it must index one axis with the loop variable `{}` itself; this one does not",
                                self.name(*a),
                                self.name(var)
                            ),
                        ).with_note("otherwise two iterations could touch the same element; `prange(..., races=\"allow\")` says you know they do not"));
                        break;
                    }
                    common = Some(next);
                }
            }
        }
        if diags.len() > before {
            return;
        }
        let mut captures = Vec::new();
        for &l in &facts.order {
            let used = facts.reads.contains_key(&l) || facts.arrays.contains(&l);
            if used && !private_set.contains(&l) && !reduce_set.contains(&l) {
                captures.push(l);
            }
        }
        p.captures = captures;
        p.privates = privates;
        p.reductions = reductions;
    }

    /// Collects the facts of one statement of the body; `depth` counts the serial loops
    /// around it inside the body (a `break` at depth 0 would leave the parallel loop).
    fn stmt(
        &self,
        s: &TStmt,
        p: &ParLoop,
        depth: usize,
        f: &mut Facts,
        diags: &mut Vec<Diagnostic>,
    ) {
        let leave = |what: &str| {
            Diagnostic::error(p.span, format!("{what} cannot leave a `prange` body"))
                .with_note("iterations run in any order, on several threads; `continue` ends one")
        };
        match s {
            TStmt::Assign { local, value } => {
                let update = reduction(*local, value);
                f.assigned
                    .entry(*local)
                    .or_default()
                    .push((update.map_or(Update::Plain, Update::Reduce), value.span));
                f.meet(*local);
                match (update, &value.kind) {
                    // The reduction's own read of its local is not a read of the body.
                    (Some(ReduceOp::Min | ReduceOp::Max), TExprKind::Intrinsic { args, .. }) => {
                        self.expr(&args[1], p, f, diags)
                    }
                    (Some(_), TExprKind::Arith { right, .. }) => self.expr(right, p, f, diags),
                    _ => self.expr(value, p, f, diags),
                }
            }
            TStmt::Store { place, value } => {
                self.place(place, true, p, f, diags);
                self.expr(value, p, f, diags);
            }
            TStmt::StoreUpdate { place, value, .. } => {
                self.place(place, true, p, f, diags);
                self.expr(value, p, f, diags);
            }
            TStmt::Expr(e) => self.expr(e, p, f, diags),
            TStmt::If { cond, then, orelse } => {
                self.expr(cond, p, f, diags);
                for s in then.iter().chain(orelse) {
                    self.stmt(s, p, depth, f, diags);
                }
            }
            TStmt::While {
                cond, body, orelse, ..
            } => {
                self.expr(cond, p, f, diags);
                for s in body {
                    self.stmt(s, p, depth + 1, f, diags);
                }
                for s in orelse {
                    self.stmt(s, p, depth, f, diags);
                }
            }
            TStmt::ForRange {
                var,
                start,
                stop,
                step,
                body,
                orelse,
                ..
            } => {
                for e in [start, stop, step] {
                    self.expr(e, p, f, diags);
                }
                f.assigned
                    .entry(*var)
                    .or_default()
                    .push((Update::Plain, start.span));
                f.meet(*var);
                for s in body {
                    self.stmt(s, p, depth + 1, f, diags);
                }
                for s in orelse {
                    self.stmt(s, p, depth, f, diags);
                }
            }
            // A nested parallel loop runs serially inside this one's iteration.
            TStmt::ParFor(inner) => {
                for e in [&inner.start, &inner.stop, &inner.step] {
                    self.expr(e, p, f, diags);
                }
                f.assigned
                    .entry(inner.var)
                    .or_default()
                    .push((Update::Plain, inner.span));
                f.meet(inner.var);
                for s in &inner.body {
                    self.stmt(s, p, depth + 1, f, diags);
                }
            }
            TStmt::Break if depth == 0 => diags.push(leave("`break`")),
            TStmt::Break | TStmt::Continue => {}
            TStmt::Return(_) => diags.push(leave("`return`")),
            TStmt::Label(_) | TStmt::Goto(_) => diags.push(leave("a `goto`")),
        }
    }

    fn place(
        &self,
        place: &Place,
        write: bool,
        p: &ParLoop,
        f: &mut Facts,
        diags: &mut Vec<Diagnostic>,
    ) {
        f.arrays.insert(place.array);
        f.meet(place.array);
        for i in &place.indices {
            self.expr(i, p, f, diags);
        }
        let axes = place
            .indices
            .iter()
            .enumerate()
            .filter(|(_, i)| matches!(i.kind, TExprKind::Local(v) if v == p.var))
            .map(|(k, _)| k)
            .collect();
        let span = place.indices.first().map_or(p.span, |i| i.span);
        f.accesses
            .entry(place.array)
            .or_default()
            .push((write, axes, span));
    }

    fn expr(&self, e: &TExpr, p: &ParLoop, f: &mut Facts, diags: &mut Vec<Diagnostic>) {
        match &e.kind {
            TExprKind::Local(l) => {
                f.reads.entry(*l).or_insert((0, e.span)).0 += 1;
                f.meet(*l);
            }
            TExprKind::Extent { array, .. } => {
                f.arrays.insert(*array);
                f.meet(*array);
            }
            TExprKind::Load(place) => self.place(place, false, p, f, diags),
            TExprKind::Call { callee, args, .. } => {
                for (j, a) in args.iter().enumerate() {
                    match a {
                        Arg::Scalar(x) => self.expr(x, p, f, diags),
                        Arg::Array(id) => {
                            f.arrays.insert(*id);
                            f.meet(*id);
                            if let Callee::Kernel(c) = callee {
                                f.passed.push((*id, e.span, *c));
                            }
                            if let Callee::Kernel(c) = callee
                                && self.writes[*c].get(j).copied().unwrap_or(true)
                                && !p.races_allowed
                            {
                                diags.push(Diagnostic::error(
                                    e.span,
                                    format!(
                                        "`{}` writes the array `{}` passed to it; a kernel called in a `prange` body may only read the arrays it is given",
                                        self.kernel_names[*c],
                                        self.name(*id)
                                    ),
                                ));
                            }
                        }
                    }
                }
                if let Callee::Extern(x) = callee
                    && !p.races_allowed
                {
                    diags.push(Diagnostic::error(
                        e.span,
                        format!(
                            "`{}` is an external C function: calls of it in a `prange` body would run in any order, at once",
                            self.extern_names[*x]
                        ),
                    ).with_note("call it outside the loop, or say `prange(..., races=\"allow\")` if it is safe to call concurrently"));
                }
            }
            TExprKind::Int(_) | TExprKind::Float(_) | TExprKind::Bool(_) => {}
            TExprKind::Arith { left, right, .. } => {
                self.expr(left, p, f, diags);
                self.expr(right, p, f, diags);
            }
            TExprKind::PowInt { base: x, .. }
            | TExprKind::Neg(x)
            | TExprKind::Invert(x)
            | TExprKind::Not(x)
            | TExprKind::Truthy(x)
            | TExprKind::Cast(x) => self.expr(x, p, f, diags),
            TExprKind::Compare { operands: xs, .. }
            | TExprKind::BoolOp { values: xs, .. }
            | TExprKind::Intrinsic { args: xs, .. } => {
                for x in xs {
                    self.expr(x, p, f, diags);
                }
            }
            TExprKind::IfExp { cond, then, orelse } => {
                self.expr(cond, p, f, diags);
                self.expr(then, p, f, diags);
                self.expr(orelse, p, f, diags);
            }
        }
    }

    /// Reports reads of private locals that no assignment of the same iteration must
    /// precede; `defined` holds the locals assigned on every path so far.
    fn must_assign(
        &self,
        stmts: &[TStmt],
        privates: &HashSet<LocalId>,
        reductions: &HashSet<LocalId>,
        defined: &mut HashSet<LocalId>,
        diags: &mut Vec<Diagnostic>,
    ) {
        let check = |e: &TExpr, defined: &HashSet<LocalId>, diags: &mut Vec<Diagnostic>| {
            let mut first = None;
            e.visit(&mut |x| {
                if let TExprKind::Local(l) = x.kind
                    && privates.contains(&l)
                    && !defined.contains(&l)
                    && first.is_none()
                {
                    first = Some((l, x.span));
                }
            });
            if let Some((l, span)) = first {
                diags.push(Diagnostic::error(
                    span,
                    format!("`{}` may be read here before this iteration of the `prange` assigns it", self.name(l)),
                ).with_note("a local assigned in a parallel loop's body belongs to one iteration: assign it first in the body (or make it a reduction, `s += ...`)"));
            }
        };
        for s in stmts {
            match s {
                TStmt::Assign { local, value } => {
                    if !reductions.contains(local) {
                        check(value, defined, diags);
                    }
                    defined.insert(*local);
                }
                TStmt::Store { place, value } | TStmt::StoreUpdate { place, value, .. } => {
                    for i in &place.indices {
                        check(i, defined, diags);
                    }
                    check(value, defined, diags);
                }
                TStmt::Expr(e) | TStmt::Return(Some(e)) => check(e, defined, diags),
                TStmt::If { cond, then, orelse } => {
                    check(cond, defined, diags);
                    let mut a = defined.clone();
                    self.must_assign(then, privates, reductions, &mut a, diags);
                    let mut b = defined.clone();
                    self.must_assign(orelse, privates, reductions, &mut b, diags);
                    defined.extend(a.intersection(&b).copied().collect::<Vec<_>>());
                }
                TStmt::While {
                    cond, body, orelse, ..
                } => {
                    check(cond, defined, diags);
                    self.must_assign(body, privates, reductions, &mut defined.clone(), diags);
                    self.must_assign(orelse, privates, reductions, &mut defined.clone(), diags);
                }
                TStmt::ForRange {
                    var,
                    start,
                    stop,
                    step,
                    body,
                    orelse,
                    ..
                } => {
                    for e in [start, stop, step] {
                        check(e, defined, diags);
                    }
                    let mut inner = defined.clone();
                    inner.insert(*var);
                    self.must_assign(body, privates, reductions, &mut inner, diags);
                    self.must_assign(orelse, privates, reductions, &mut defined.clone(), diags);
                }
                TStmt::ParFor(inner) => {
                    for e in [&inner.start, &inner.stop, &inner.step] {
                        check(e, defined, diags);
                    }
                    let mut d = defined.clone();
                    d.insert(inner.var);
                    self.must_assign(&inner.body, privates, reductions, &mut d, diags);
                }
                TStmt::Break
                | TStmt::Continue
                | TStmt::Return(None)
                | TStmt::Label(_)
                | TStmt::Goto(_) => {}
            }
        }
    }
}

/// The reduction `local = value` is, if it is one: `s op e` with `op` associative and
/// `e` not reading `s`, or `min(s, e)` / `max(s, e)`.
fn reduction(local: LocalId, value: &TExpr) -> Option<ReduceOp> {
    let is_s = |x: &TExpr| matches!(x.kind, TExprKind::Local(l) if l == local);
    let reads_s = |x: &TExpr| x.reads_local(local);
    match &value.kind {
        TExprKind::Arith {
            op, left, right, ..
        } if is_s(left) && !reads_s(right) => Some(match op {
            ArithOp::Add | ArithOp::AddNoWrap => ReduceOp::Add,
            ArithOp::Sub => ReduceOp::Sub,
            ArithOp::Mul => ReduceOp::Mul,
            ArithOp::BitOr => ReduceOp::BitOr,
            ArithOp::BitAnd => ReduceOp::BitAnd,
            ArithOp::BitXor => ReduceOp::BitXor,
            ArithOp::FDiv
            | ArithOp::FloorDiv
            | ArithOp::Mod
            | ArithOp::LShift
            | ArithOp::RShift => return None,
        }),
        TExprKind::Intrinsic {
            op: op @ (Intrinsic::Min | Intrinsic::Max),
            args,
        } if args.len() == 2 && is_s(&args[0]) && !reads_s(&args[1]) => {
            Some(if *op == Intrinsic::Min {
                ReduceOp::Min
            } else {
                ReduceOp::Max
            })
        }
        _ => None,
    }
}

fn op_text(op: ReduceOp) -> &'static str {
    match op {
        ReduceOp::Add => "+=",
        ReduceOp::Sub => "-=",
        ReduceOp::Mul => "*=",
        ReduceOp::Min => "= min(...)",
        ReduceOp::Max => "= max(...)",
        ReduceOp::BitOr => "|=",
        ReduceOp::BitAnd => "&=",
        ReduceOp::BitXor => "^=",
    }
}
