//! Counting loops: `while v < e:` whose body ends with `v = v + 1` and writes `v`
//! nowhere else. Until that last statement `v` still has the value the condition
//! accepted, so `v < e` holds and `v + 1` cannot pass the largest value of `v`'s type.
//! Those additions become [`ArithOp::AddNoWrap`], which codegen emits as `add nsw`
//! (`nuw` for unsigned types).
//!
//! When `e` is a literal and the statement just before the loop sets `v` to a literal
//! (or to an enclosing counter plus a literal), `v` stays within known bounds in the
//! body; so does the variable of a `for` over a literal `range` that its body does not
//! assign. An array index built from such counters and literals with `+`, `-` and `*`
//! (`a[i]`, `a[i - 1]`, `a[row * 8 + col]`), none of whose steps can wrap, records the
//! bounds that follow ([`Place::known`]): codegen then leaves out the bounds check when
//! the index cannot leave the axis, and the wrap-from-the-end when it cannot be
//! negative.
//!
//! A limit can be a literal, an extent (`len(a)`, `a.shape[k]`, a local assigned one
//! once) or a `min(...)` of those: a counter below `min(len(a), len(b))` is below each,
//! and indexes both arrays without checks (a staged query scans a table's columns so).
//!
//! Nothing changes in what a kernel computes: the facts are true of every run. They
//! save LLVM from proving them: with wrapping 32-bit counters, scalar evolution has to
//! show that `j = i + 1` and `j = j + 1` never wrap before it can widen the counters to
//! 64 bits, and on a nest like the seed's transpose it only gets there by simplifying
//! the loops twice (and loop strength reduction, at code generation, pays again for
//! every 32-bit counter left); every check it then deletes costs it a proof too.
//!
//! The counters of counting loops and of `for` loops with a step of ±1 are also marked
//! [`Local::wide`]: codegen keeps them at 64 bits, computing their no-wrap steps there,
//! so LLVM gets 64-bit induction variables from the start instead of widening 32-bit
//! ones (work that cost the seed's transpose a third of a millisecond in IndVarSimplify
//! and, through the exit test it rewrote, most of a millisecond in loop strength
//! reduction at code generation).
//!
//! Kernels with labels are left alone: a `goto` could enter a loop body without
//! testing its condition.

use super::hir::{
    ArithOp, CountingGuards, GuardedAxis, Intrinsic, Local, LocalId, Place, TExpr, TExprKind,
    TStmt, TypedKernel,
};
use super::{Scalar, Type};
use std::collections::{HashMap, HashSet};

use crate::ast::CmpOp;

/// Marks the no-wrap steps of every counting loop in `kernel`, the counters kept at 64
/// bits, and the array indexes built from counters with known bounds.
pub fn mark_counting_loops(kernel: &mut TypedKernel) {
    if has_labels(&kernel.body) {
        return;
    }
    let mut assigned = HashMap::new();
    count_assignments(&kernel.body, &mut assigned);
    let single = assigned
        .iter()
        .filter(|(local, (count, _))| *count == 1 && !kernel.locals[local.0 as usize].is_param)
        .map(|(local, _)| *local)
        .collect();
    // A local whose one assignment is `n = len(a)` only ever holds 0 (before it) or
    // that extent, so `i < n` bounds `i` by the extent as `i < len(a)` does.
    let extent_locals = assigned
        .into_iter()
        .filter_map(|(local, (count, value))| match value {
            Some(extent) if count == 1 && !kernel.locals[local.0 as usize].is_param => {
                Some((local, extent))
            }
            _ => None,
        })
        .collect();
    let mut cx = Walk {
        locals: &mut kernel.locals,
        env: Vec::new(),
        checked: !kernel.unchecked,
        extent_locals,
        single,
        lets: Vec::new(),
        steady: Vec::new(),
    };
    cx.walk(&mut kernel.body);
}

struct Walk<'a> {
    locals: &'a mut [Local],
    env: Vec<CounterRange>,
    checked: bool,
    /// Locals assigned once, to an array extent (see [`mark_counting_loops`]).
    extent_locals: HashMap<LocalId, ExtentOf>,
    /// Locals that one statement of the kernel assigns (parameters aside).
    single: HashSet<LocalId>,
    /// Of those, the ones assigned earlier in an enclosing block, as sums over
    /// counters ([`Affine`]): `i = ti * 64 + bi * 8` before `a[i + 3]`.
    lets: Vec<(LocalId, Affine)>,
    /// Counters of the enclosing loops that could be versioned: from 0 or above, never
    /// assigned in the body, below a limit that is the same at every test.
    steady: Vec<LocalId>,
}

/// What holds where an expression is evaluated: the counters' ranges, the earlier
/// assignments of [`Walk::lets`], and the counters of [`Walk::steady`].
struct Facts<'w> {
    env: &'w [CounterRange],
    lets: &'w [(LocalId, Affine)],
    steady: &'w [LocalId],
}

/// An integer expression as `k + sum(c * v)` over locals, every `c` and `k` at least 0.
#[derive(Clone, Debug, Default)]
struct Affine {
    terms: Vec<(LocalId, i128)>,
    k: i128,
}

impl Affine {
    fn add(mut self, other: Affine) -> Option<Affine> {
        self.k = self.k.checked_add(other.k)?;
        for (v, c) in other.terms {
            match self.terms.iter_mut().find(|(w, _)| *w == v) {
                Some((_, d)) => *d = d.checked_add(c)?,
                None => self.terms.push((v, c)),
            }
        }
        Some(self)
    }

    fn scale(mut self, m: i128) -> Option<Affine> {
        self.k = self.k.checked_mul(m)?;
        for (_, c) in &mut self.terms {
            *c = c.checked_mul(m)?;
        }
        Some(self)
    }
}

/// An array axis, as an extent: the array local and the axis.
type ExtentOf = (LocalId, u32);

/// Per local: how many statements assign it, and the extent the last one assigns, if
/// it assigns one.
fn count_assignments(stmts: &[TStmt], out: &mut HashMap<LocalId, (usize, Option<ExtentOf>)>) {
    for s in stmts {
        match s {
            TStmt::Assign { local, value } => {
                let e = out.entry(*local).or_insert((0, None));
                e.0 += 1;
                e.1 = match value.kind {
                    TExprKind::Extent { array, axis } => Some((array, axis)),
                    _ => None,
                };
            }
            TStmt::ForRange {
                var, body, orelse, ..
            } => {
                out.entry(*var).or_insert((0, None)).0 += 2;
                count_assignments(body, out);
                count_assignments(orelse, out);
            }
            TStmt::If { then, orelse, .. }
            | TStmt::While {
                body: then, orelse, ..
            } => {
                count_assignments(then, out);
                count_assignments(orelse, out);
            }
            TStmt::ParFor(p) => {
                out.entry(p.var).or_insert((0, None)).0 += 2;
                count_assignments(&p.body, out);
            }
            TStmt::Store { .. }
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

/// Keeps a loop counter at 64 bits ([`Local::wide`]) when its type is narrower.
fn mark_wide(local: &mut Local) {
    if let Type::Scalar(s) = local.ty
        && s.is_int()
        && s.bits() < 64
    {
        local.wide = true;
    }
}

/// A literal `range` step that cannot carry the counter out of its type's range: ±1
/// (1 for unsigned types). The counter is strictly on this side of `stop` before the
/// step, and `stop` is representable.
pub fn unit_step(step: &TExpr, ty: Scalar) -> bool {
    matches!(
        (ty.is_signed(), &step.kind),
        (true, TExprKind::Int(1 | -1)) | (false, TExprKind::Int(1))
    )
}

/// A loop counter's value everywhere in its loop's body: `lo..=hi`.
#[derive(Clone, Copy)]
struct CounterRange {
    local: LocalId,
    lo: i128,
    hi: Hi,
}

/// The largest value of a counter in its loop's body.
#[derive(Clone, Copy)]
enum Hi {
    Lit(i128),
    /// One less than the run-time extent of an array axis (`range(len(a))`): not a
    /// number here, but enough to index that axis of that array.
    BelowExtent(LocalId, u32),
}

impl CounterRange {
    fn literal(&self) -> Option<(i128, i128)> {
        match self.hi {
            Hi::Lit(hi) => Some((self.lo, hi)),
            Hi::BelowExtent(..) => None,
        }
    }
}

/// Loop versioning stops at this many nested guarded loops (each doubles the code of
/// what it encloses) and at bodies of this many statements.
const MAX_GUARDED_DEPTH: usize = 2;
const MAX_GUARDED_BODY: usize = 256;
/// Guards one loop may test before it runs.
const MAX_GUARDS: usize = 8;

impl Walk<'_> {
    fn walk(&mut self, stmts: &mut [TStmt]) {
        let lets = self.lets.len();
        for k in 0..stmts.len() {
            let (before, rest) = stmts.split_at_mut(k);
            self.stmt(&mut rest[0], before.last());
            // Later statements of this block (and blocks in them) see the value this
            // assignment, the local's only one, gave it.
            if let TStmt::Assign { local, value } = &rest[0]
                && self.single.contains(local)
                && let Some(a) = self.facts().affine(value)
            {
                self.lets.push((*local, a));
            }
        }
        self.lets.truncate(lets);
    }

    fn facts(&self) -> Facts<'_> {
        Facts {
            env: &self.env,
            lets: &self.lets,
            steady: &self.steady,
        }
    }

    fn stmt(&mut self, s: &mut TStmt, entry: Option<&TStmt>) {
        match s {
            TStmt::While {
                cond,
                body,
                orelse,
                guards,
            } => {
                // The condition runs with the counter at any value, the body within range.
                let env = &self.facts();
                cond.visit_mut(&mut |e| known_indexes(e, env));
                let mut bounds = Vec::new();
                // The counter and its limit, when the loop can be versioned: it starts at
                // 0 or above and the limit is the same at every test.
                let mut versionable = None;
                if let Some((v, ty, limit)) = counter(cond, self.locals)
                    && steps_once_at_end(body, v, ty)
                {
                    mark_wide(&mut self.locals[v.0 as usize]);
                    for s in body.iter_mut() {
                        stmt_exprs(s, &mut |e| mark_expr(e, v, ty));
                    }
                    if let Some(lo) = entry.and_then(|p| entry_value(p, v, ty, &self.env)) {
                        self.below(v, lo, limit, &mut bounds);
                        if lo >= 0 && loop_invariant(limit, body) {
                            versionable = Some((v, limit.clone()));
                        }
                    }
                }
                let steady = versionable.as_ref().map(|(v, _)| *v);
                self.in_scope(bounds, steady, |w| w.walk(body));
                if let Some((var, limit)) = versionable
                    && self.versionable_body(body)
                    && let Some(axes) = guard_axes(body, var)
                {
                    *guards = Some(Box::new(CountingGuards { var, limit, axes }));
                }
                self.walk(orelse);
            }
            TStmt::ForRange {
                var,
                start,
                stop,
                step,
                body,
                orelse,
                guards,
                ..
            } => {
                let env = &self.facts();
                for e in [&mut *start, &mut *stop, &mut *step] {
                    e.visit_mut(&mut |e| known_indexes(e, env));
                }
                if unit_step(step, start.ty) {
                    mark_wide(&mut self.locals[var.0 as usize]);
                }
                // `for v in range(a, b)` with a positive literal step and a literal or
                // extent stop, when the body does not assign `v` (which Python allows):
                // `v` stays at least what `a` is at least (`range(max(c, 0), ...)` counts
                // from 0 or more).
                let steady = matches!(step.kind, TExprKind::Int(1..)) && !assigns(body, *var);
                let mut bounds = Vec::new();
                if steady && let Some(a) = least_value(start, &self.env) {
                    self.below(*var, a, stop, &mut bounds);
                }
                // Accesses at the bare counter (or a multiple of it plus less than the
                // multiple) that are still checked: one test before the loop can show
                // them all in range (see `TStmt::ForRange::guards`).
                let nonneg = matches!(start.kind, TExprKind::Int(a) if a >= 0);
                self.in_scope(bounds, (steady && nonneg).then_some(*var), |w| w.walk(body));
                if steady
                    && nonneg
                    && self.versionable_body(body)
                    && let Some(found) = guard_axes(body, *var)
                {
                    *guards = found;
                }
                self.walk(orelse);
            }
            TStmt::If { cond, then, orelse } => {
                let env = &self.facts();
                cond.visit_mut(&mut |e| known_indexes(e, env));
                self.walk(then);
                self.walk(orelse);
            }
            // The counter runs from `start` (a literal >= 0) below `stop` in every
            // iteration, whichever thread runs it; the body never assigns it.
            TStmt::ParFor(p) => {
                let env = &self.facts();
                for e in [&mut p.start, &mut p.stop, &mut p.step] {
                    e.visit_mut(&mut |e| known_indexes(e, env));
                }
                let lo = match p.start.kind {
                    TExprKind::Int(a) => Some(a),
                    _ => None,
                };
                let mut bounds = Vec::new();
                if let Some(a) = lo {
                    self.below(p.var, a, &p.stop, &mut bounds);
                }
                let steady =
                    (lo.is_some_and(|a| a >= 0) && !assigns(&p.body, p.var)).then_some(p.var);
                self.in_scope(bounds, steady, |w| w.walk(&mut p.body));
                // Loop versioning per chunk, as for `range` loops: without it a `prange`
                // body keeps a check per iteration on such accesses, and a checked
                // iteration does not vectorize (saxpy over 10^8 elements ran 1.6× slower
                // than the serial loop on 2 threads).
                if lo.is_some_and(|a| a >= 0)
                    && !assigns(&p.body, p.var)
                    && self.versionable_body(&p.body)
                    && let Some(found) = guard_axes(&mut p.body, p.var)
                {
                    p.guards = found;
                }
            }
            TStmt::Store { .. } | TStmt::StoreUpdate { .. } => {
                let env = &self.facts();
                if let TStmt::Store { place, .. } | TStmt::StoreUpdate { place, .. } = s {
                    mark_place(place, env);
                }
                stmt_exprs(s, &mut |e| known_indexes(e, env));
            }
            TStmt::Assign { .. }
            | TStmt::Expr(_)
            | TStmt::Break
            | TStmt::Continue
            | TStmt::Return(_)
            | TStmt::Label(_)
            | TStmt::Goto(_) => {
                let env = &self.facts();
                stmt_exprs(s, &mut |e| known_indexes(e, env));
            }
        }
    }

    /// The array axis whose extent `e` is: `len(a)`, `a.shape[k]`, or a local that only
    /// ever holds one.
    fn extent_of(&self, e: &TExpr) -> Option<ExtentOf> {
        match e.kind {
            TExprKind::Extent { array, axis } => Some((array, axis)),
            TExprKind::Local(n) => self.extent_locals.get(&n).copied(),
            _ => None,
        }
    }

    /// What `v < limit` says of a counter `v` that starts at `lo` and only grows: a
    /// range per bound, for a literal, an extent (`len(a)`, `a.shape[k]`, a local
    /// holding one) and each argument of a `min(...)` of those (`range(min(len(a),
    /// len(b)))` indexes both arrays without checks).
    fn below(&self, local: LocalId, lo: i128, limit: &TExpr, out: &mut Vec<CounterRange>) {
        match &limit.kind {
            TExprKind::Int(b) => {
                if lo < *b {
                    out.push(CounterRange {
                        local,
                        lo,
                        hi: Hi::Lit(b - 1),
                    });
                }
            }
            TExprKind::Intrinsic {
                op: Intrinsic::Min,
                args,
            } if limit.ty.is_int() => {
                for a in args {
                    // Only arguments in the min's own type: a cast one could be smaller.
                    if a.ty == limit.ty {
                        self.below(local, lo, a, out);
                    }
                }
            }
            _ => {
                if let Some((array, axis)) = self.extent_of(limit) {
                    out.push(CounterRange {
                        local,
                        lo,
                        hi: Hi::BelowExtent(array, axis),
                    });
                }
            }
        }
    }

    /// Whether a loop with this body may be versioned (emitted twice, see
    /// [`TStmt::ForRange::guards`]): the kernel is checked, the body is not too large
    /// and does not nest too many versioned loops, and every `while` loop in it is
    /// versioned itself.
    fn versionable_body(&self, body: &[TStmt]) -> bool {
        self.checked
            && guarded_height(body) < MAX_GUARDED_DEPTH
            && TStmt::count(body) <= MAX_GUARDED_BODY
            && !holds_unversioned_while(body)
    }

    /// Runs `f` (the walk of a loop's body) with the counter's ranges in scope, and the
    /// counter among [`Walk::steady`] when it is one.
    fn in_scope(
        &mut self,
        bounds: Vec<CounterRange>,
        steady: Option<LocalId>,
        f: impl FnOnce(&mut Self),
    ) {
        let pushed = bounds.len();
        self.env.extend(bounds);
        self.steady.extend(steady);
        f(self);
        self.steady
            .truncate(self.steady.len() - usize::from(steady.is_some()));
        self.env.truncate(self.env.len() - pushed);
    }
}

/// How deep guarded loops nest in `stmts` (0: none).
fn guarded_height(stmts: &[TStmt]) -> usize {
    stmts
        .iter()
        .map(|s| {
            let guarded = match s {
                TStmt::ForRange { guards, .. } => !guards.is_empty(),
                TStmt::While { guards, .. } => guards.is_some(),
                TStmt::ParFor(p) => !p.guards.is_empty(),
                _ => false,
            };
            let [body, orelse] = s.blocks();
            (guarded_height(body) + usize::from(guarded)).max(guarded_height(orelse))
        })
        .max()
        .unwrap_or(0)
}

/// Marks the accesses in `body` at the bare counter `var` that still need a check as
/// guarded by `var`'s loop, and returns the (array, axis) pairs its guard tests; `None`
/// (and nothing marked) when there are more than [`MAX_GUARDS`].
fn guard_axes(body: &mut [TStmt], var: LocalId) -> Option<Vec<GuardedAxis>> {
    let mut found = Vec::new();
    for s in body.iter_mut() {
        stmt_places(s, &mut |p| guard_place(p, var, &mut found));
    }
    if found.len() > MAX_GUARDS {
        for s in body.iter_mut() {
            stmt_places(s, &mut |p| unguard_place(p, var));
        }
        return None;
    }
    Some(found)
}

/// Whether `limit`, tested at every iteration of a loop with this body, has the same
/// value at each test: a literal, an extent, or a local the body does not assign.
fn loop_invariant(limit: &TExpr, body: &[TStmt]) -> bool {
    match limit.kind {
        TExprKind::Int(_) | TExprKind::Extent { .. } => true,
        TExprKind::Local(l) => !assigns(body, l),
        _ => false,
    }
}

/// Marks the axes of `place` indexed by the bare counter `var`, or by a multiple of it
/// plus less than the multiple ([`Place::scaled`]), that still need a check as guarded
/// by `var`'s loop, and collects the axes the guard tests.
fn guard_place(place: &mut Place, var: LocalId, found: &mut Vec<GuardedAxis>) {
    if place.sites.is_none() {
        return;
    }
    for (axis, idx) in place.indices.iter().enumerate() {
        let scale = match (&idx.kind, place.scaled[axis]) {
            (TExprKind::Local(v), _) if *v == var => 1,
            (_, Some((v, scale))) if v == var => scale,
            _ => continue,
        };
        if place.within[axis] || place.guarded[axis].is_some() {
            continue;
        }
        // A fixed axis the counter's literal bounds already keep in range needs nothing.
        if let (Some((lo, hi)), Some(extent)) = (place.known[axis], place.ty.dims[axis].fixed())
            && lo >= 0
            && hi < i128::from(extent)
        {
            continue;
        }
        place.guarded[axis] = Some(var);
        let key = GuardedAxis {
            array: place.array,
            axis: axis as u32,
            scale,
        };
        if !found.contains(&key) {
            found.push(key);
        }
    }
}

fn unguard_place(place: &mut Place, var: LocalId) {
    for g in &mut place.guarded {
        if *g == Some(var) {
            *g = None;
        }
    }
}

/// The least value `v` can have when its loop starts, from the statement just before
/// the loop: `v = c`, or `v = w + c` for a counter `w` of an enclosing loop.
fn entry_value(prev: &TStmt, v: LocalId, ty: Scalar, env: &[CounterRange]) -> Option<i128> {
    let TStmt::Assign { local, value } = prev else {
        return None;
    };
    if *local != v || value.ty != ty {
        return None;
    }
    let (min, max) = ty.int_range();
    let (w, c) = match &value.kind {
        TExprKind::Int(c) => return Some(*c),
        TExprKind::Local(w) => (*w, 0),
        TExprKind::Arith {
            op: ArithOp::Add | ArithOp::AddNoWrap,
            left,
            right,
            ..
        } => match (&left.kind, &right.kind) {
            (TExprKind::Local(w), TExprKind::Int(c)) | (TExprKind::Int(c), TExprKind::Local(w)) => {
                (*w, *c)
            }
            _ => return None,
        },
        _ => return None,
    };
    // Of the counter's bounds (several for a `min`), a literal one if it has one.
    let r = env
        .iter()
        .rev()
        .filter(|r| r.local == w)
        .max_by_key(|r| r.literal().is_some())?;
    let (lo, hi) = match r.literal() {
        Some(range) => range,
        // Below a run-time extent, which is at most i64::MAX: `w + 1` cannot wrap in
        // i64 (as in `j = i + 1` / `while j < n` over a matrix of `n` rows).
        None if ty == Scalar::I64 && c <= 1 => (r.lo, i128::from(i64::MAX) - 1),
        None => return None,
    };
    // `w + c` must not wrap for any `w` in range, or the least value says nothing.
    (lo + c >= min && hi + c <= max).then_some(lo + c)
}

/// Records the ranges of `place`'s indexes that are built from counters in scope, and
/// the ones that are a multiple of a steady counter plus less than the multiple.
fn mark_place(place: &mut Place, facts: &Facts<'_>) {
    let env = facts.env;
    for (axis, idx) in place.indices.iter().enumerate() {
        if matches!(idx.kind, TExprKind::Int(_)) {
            continue;
        }
        // Only a checked access can be guarded (`guard_place`).
        if place.sites.is_some() && !matches!(idx.kind, TExprKind::Local(_)) {
            place.scaled[axis] = facts.scaled(idx);
        }
        if let Some(range) = value_range(idx, env) {
            place.known[axis] = Some(range);
        }
        // A counter below this very axis's run-time extent, from 0 or above.
        // (A counter can have several bounds, one per argument of a `min`.)
        if let TExprKind::Local(v) = idx.kind
            && env.iter().any(|r| {
                r.local == v
                    && r.lo >= 0
                    && matches!(r.hi, Hi::BelowExtent(array, a)
                        if array == place.array && a as usize == axis)
            })
        {
            place.within[axis] = true;
        }
    }
}

/// A value `e` is never below: its range's least, the most of a `max(...)`'s
/// arguments' least values, else its type's least.
fn least_value(e: &TExpr, env: &[CounterRange]) -> Option<i128> {
    if !e.ty.is_int() {
        return None;
    }
    match &e.kind {
        TExprKind::Intrinsic {
            op: Intrinsic::Max,
            args,
        } => args.iter().filter_map(|a| least_value(a, env)).max(),
        _ => Some(value_range(e, env).map_or(e.ty.int_range().0, |r| r.0)),
    }
}

/// The values an integer expression can take, when it is built from counters in scope
/// and literals with `+`, `-` and multiplication by a literal (`i + 1`, `i - 1`,
/// `row * 8 + col`), and no step of it can wrap: every intermediate range must fit the
/// type, so the wrapping arithmetic computes the exact value. Whatever `x` is, `x & m`
/// with `m` such an expression in `0..=c` is in `0..=c` (`lut[x & 255]` over a
/// `U8[256]`, a slot `h & (len(t) - 1)` of a fixed `t`); `//` by a positive literal and
/// integer conversions (of values the new type holds) keep ranges.
fn value_range(e: &TExpr, env: &[CounterRange]) -> Option<(i128, i128)> {
    let (min, max) = e.ty.int_range();
    let (lo, hi) = match &e.kind {
        TExprKind::Int(c) => (*c, *c),
        TExprKind::Arith {
            op: ArithOp::BitAnd,
            left,
            right,
            ..
        } => {
            // In two's complement an AND with a value in 0..=c keeps only bits of it:
            // 0 ..= c, whatever the other operand is (`x & 255`, `h & (len(t) - 1)` for a
            // fixed `t`).
            let c = [left, right]
                .iter()
                .filter_map(|x| value_range(x, env))
                .filter(|r| r.0 >= 0)
                .map(|r| r.1)
                .min()?;
            (0, c)
        }
        // Floor division by a positive literal keeps the order of values.
        TExprKind::Arith {
            op: ArithOp::FloorDiv,
            left,
            right,
            ..
        } => {
            let TExprKind::Int(c @ 1..) = right.kind else {
                return None;
            };
            let (lo, hi) = value_range(left, env)?;
            (lo.div_euclid(c), hi.div_euclid(c))
        }
        // An integer conversion of a value the new type holds is that value.
        TExprKind::Cast(inner) if inner.ty.is_int() => value_range(inner, env)?,
        TExprKind::Local(v) => env
            .iter()
            .rev()
            .filter(|r| r.local == *v)
            .find_map(CounterRange::literal)?,
        TExprKind::Arith {
            op, left, right, ..
        } => {
            let (a, b) = (value_range(left, env)?, value_range(right, env)?);
            match op {
                ArithOp::Add | ArithOp::AddNoWrap => (a.0 + b.0, a.1 + b.1),
                ArithOp::Sub => (a.0 - b.1, a.1 - b.0),
                ArithOp::Mul => {
                    // Products of two u64-range values can pass i128's range.
                    let products = [
                        a.0.checked_mul(b.0)?,
                        a.0.checked_mul(b.1)?,
                        a.1.checked_mul(b.0)?,
                        a.1.checked_mul(b.1)?,
                    ];
                    let lo = products.iter().copied().min()?;
                    let hi = products.iter().copied().max()?;
                    (lo, hi)
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    (e.ty.is_int() && lo >= min && hi <= max).then_some((lo, hi))
}

fn known_indexes(e: &mut TExpr, facts: &Facts<'_>) {
    if let TExprKind::Load(place) = &mut e.kind {
        mark_place(place, facts);
    }
}

impl Facts<'_> {
    /// `e` as an [`Affine`] sum, when every step of it is an `i64`/`u64` addition,
    /// multiplication by a literal, or conversion between the two, over literals and
    /// locals at least 0 (a local of [`Walk::lets`] stands for the sum it was given).
    /// Such a sum never wraps while its value is below an extent: each step's value is
    /// at most the whole's, and an extent fits `i64`.
    fn affine(&self, e: &TExpr) -> Option<Affine> {
        if !(e.ty.is_int() && e.ty.bits() == 64) {
            return None;
        }
        match &e.kind {
            TExprKind::Int(c) if *c >= 0 => Some(Affine {
                terms: Vec::new(),
                k: *c,
            }),
            TExprKind::Local(v) => match self.lets.iter().rev().find(|(l, _)| l == v) {
                Some((_, a)) => Some(a.clone()),
                None => Some(Affine {
                    terms: vec![(*v, 1)],
                    k: 0,
                }),
            },
            TExprKind::Cast(inner) => self.affine(inner),
            TExprKind::Arith {
                op: ArithOp::Add | ArithOp::AddNoWrap,
                left,
                right,
                ..
            } => self.affine(left)?.add(self.affine(right)?),
            TExprKind::Arith {
                op: ArithOp::Mul,
                left,
                right,
                ..
            } => match (&left.kind, &right.kind) {
                (TExprKind::Int(m @ 0..), _) => self.affine(right)?.scale(*m),
                (_, TExprKind::Int(m @ 0..)) => self.affine(left)?.scale(*m),
                _ => None,
            },
            _ => None,
        }
    }

    /// `idx` as `scale * v + r` for a counter `v` of [`Walk::steady`] whose range is
    /// not literal and `r` in `0..scale` (built from literals and counters with literal
    /// ranges at least 0): `(v, scale)`.
    fn scaled(&self, idx: &TExpr) -> Option<(LocalId, u64)> {
        let a = self.affine(idx)?;
        let (mut lo, mut hi) = (a.k, a.k);
        let mut counter = None;
        for (v, c) in a.terms {
            if c == 0 {
                continue;
            }
            let literal = self
                .env
                .iter()
                .rev()
                .filter(|r| r.local == v)
                .find_map(CounterRange::literal);
            match literal {
                Some((l, h)) if l >= 0 => {
                    lo = lo.checked_add(c.checked_mul(l)?)?;
                    hi = hi.checked_add(c.checked_mul(h)?)?;
                }
                None if counter.is_none() && self.steady.contains(&v) => counter = Some((v, c)),
                _ => return None,
            }
        }
        let (v, scale) = counter?;
        (lo >= 0 && hi < scale)
            .then(|| u64::try_from(scale).ok().map(|s| (v, s)))
            .flatten()
    }
}

/// `v < e` or `e > v`, compared in `v`'s own integer type: `v`, its type and `e`.
fn counter<'e>(cond: &'e TExpr, locals: &[Local]) -> Option<(LocalId, Scalar, &'e TExpr)> {
    let TExprKind::Compare { operands, ops } = &cond.kind else {
        return None;
    };
    let ([a, b], [(op, ty)]) = (operands.as_slice(), ops.as_slice()) else {
        return None;
    };
    let (v, limit) = match (op, &a.kind, &b.kind) {
        (CmpOp::Lt, TExprKind::Local(v), _) => (*v, b),
        (CmpOp::Gt, _, TExprKind::Local(v)) => (*v, a),
        _ => return None,
    };
    let is_counter =
        ty.is_int() && locals.get(v.0 as usize).map(|l| &l.ty) == Some(&Type::Scalar(*ty));
    is_counter.then_some((v, *ty, limit))
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

/// `v + 1` (or `1 + v`) computed in `v`'s type (already marked no-wrap or not).
fn is_step(e: &TExpr, v: LocalId, ty: Scalar) -> bool {
    let TExprKind::Arith {
        op: ArithOp::Add | ArithOp::AddNoWrap,
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

/// Whether a statement in `stmts` (nested ones included) assigns the local `v`.
pub(crate) fn assigns(stmts: &[TStmt], v: LocalId) -> bool {
    stmts.iter().any(|s| match s {
        TStmt::Assign { local, .. } => *local == v,
        TStmt::ForRange {
            var, body, orelse, ..
        } => *var == v || assigns(body, v) || assigns(orelse, v),
        TStmt::If { then, orelse, .. } => assigns(then, v) || assigns(orelse, v),
        TStmt::While { body, orelse, .. } => assigns(body, v) || assigns(orelse, v),
        TStmt::ParFor(p) => p.var == v || assigns(&p.body, v),
        // Stores and calls write arrays, never a scalar local of this kernel.
        TStmt::Store { .. }
        | TStmt::StoreUpdate { .. }
        | TStmt::Expr(_)
        | TStmt::Break
        | TStmt::Continue
        | TStmt::Return(_)
        | TStmt::Label(_)
        | TStmt::Goto(_) => false,
    })
}

/// Whether a `while` loop that is not versioned itself is somewhere in `stmts`. A loop
/// around one is not versioned: such a `while` (a hash table's probe, say) does not
/// vectorize, so the copy would double the loop's code (and its compile time: TPC-H
/// Q3's kernel, whose scans probe hash tables in `while` loops, compiled in 212 ms with
/// both copies) to save only a few well-predicted checks.
fn holds_unversioned_while(stmts: &[TStmt]) -> bool {
    stmts.iter().any(|s| {
        matches!(s, TStmt::While { guards: None, .. })
            || s.blocks().iter().any(|b| holds_unversioned_while(b))
    })
}

/// Calls `f` on every array place of `s`, stored and loaded, nested ones included.
fn stmt_places(s: &mut TStmt, f: &mut dyn FnMut(&mut Place)) {
    stored_places(s, f);
    stmt_exprs(s, &mut |e| {
        if let TExprKind::Load(p) = &mut e.kind {
            f(p);
        }
    });
}

/// Calls `f` on the place of every store in `s`, nested statements included.
fn stored_places(s: &mut TStmt, f: &mut dyn FnMut(&mut Place)) {
    match s {
        TStmt::Store { place, .. } | TStmt::StoreUpdate { place, .. } => f(place),
        TStmt::If { then, orelse, .. }
        | TStmt::While {
            body: then, orelse, ..
        }
        | TStmt::ForRange {
            body: then, orelse, ..
        } => {
            for s in then.iter_mut().chain(orelse.iter_mut()) {
                stored_places(s, f);
            }
        }
        TStmt::ParFor(p) => p.body.iter_mut().for_each(|s| stored_places(s, f)),
        TStmt::Assign { .. }
        | TStmt::Expr(_)
        | TStmt::Break
        | TStmt::Continue
        | TStmt::Return(_)
        | TStmt::Label(_)
        | TStmt::Goto(_) => {}
    }
}

fn has_labels(stmts: &[TStmt]) -> bool {
    stmts.iter().any(|s| match s {
        TStmt::Label(_) | TStmt::Goto(_) => true,
        TStmt::If { then, orelse, .. } => has_labels(then) || has_labels(orelse),
        TStmt::While { body, orelse, .. } | TStmt::ForRange { body, orelse, .. } => {
            has_labels(body) || has_labels(orelse)
        }
        TStmt::ParFor(p) => has_labels(&p.body),
        TStmt::Assign { .. }
        | TStmt::Store { .. }
        | TStmt::StoreUpdate { .. }
        | TStmt::Expr(_)
        | TStmt::Break
        | TStmt::Continue
        | TStmt::Return(_) => false,
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
pub(super) fn stmt_exprs(s: &mut TStmt, f: &mut dyn FnMut(&mut TExpr)) {
    match s {
        TStmt::Assign { value, .. } | TStmt::Expr(value) | TStmt::Return(Some(value)) => {
            value.visit_mut(f)
        }
        TStmt::Store { place, value } | TStmt::StoreUpdate { place, value, .. } => {
            place.indices.iter_mut().for_each(|i| i.visit_mut(f));
            value.visit_mut(f);
        }
        TStmt::If { cond, then, orelse }
        | TStmt::While {
            cond,
            body: then,
            orelse,
            ..
        } => {
            cond.visit_mut(f);
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
                e.visit_mut(f);
            }
            body.iter_mut().for_each(|s| stmt_exprs(s, f));
            orelse.iter_mut().for_each(|s| stmt_exprs(s, f));
        }
        TStmt::ParFor(p) => {
            for e in [&mut p.start, &mut p.stop, &mut p.step] {
                e.visit_mut(f);
            }
            p.body.iter_mut().for_each(|s| stmt_exprs(s, f));
        }
        TStmt::Break | TStmt::Continue | TStmt::Return(None) | TStmt::Label(_) | TStmt::Goto(_) => {
        }
    }
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
