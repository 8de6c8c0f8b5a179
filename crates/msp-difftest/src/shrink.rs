//! Delta debugging over the generator's tree: remove statements, inline blocks, replace
//! expressions by same-typed children or literals, simplify inputs — keeping each step
//! that still shows the same kind of failure.

use std::time::{Duration, Instant};

use crate::ast::*;
use crate::run::{self, Outcome};
use crate::types::{self, Scalar};

fn zero_lit(ty: Scalar) -> Lit {
    if ty == Scalar::Bool {
        Lit::Bool(false)
    } else if types::is_float(ty) {
        Lit::Float(0.0)
    } else {
        Lit::Int(0)
    }
}

fn one_lit(ty: Scalar) -> Lit {
    if ty == Scalar::Bool {
        Lit::Bool(true)
    } else if types::is_float(ty) {
        Lit::Float(1.0)
    } else {
        Lit::Int(1)
    }
}

fn expr_variants(e: &Expr) -> Vec<Expr> {
    let mut out = Vec::new();
    let ty = e.ty();
    match e {
        Expr::Lit { val, ty, bare } => {
            // Towards 0, then 1 (never from 0 to 1: each step must be simpler, or an
            // irrelevant literal would flip between them until the budget ends).
            let (zero, one) = (zero_lit(*ty), one_lit(*ty));
            for v in [zero, one] {
                if v != *val
                    && *val != zero
                    && !(*bare && matches!(v, Lit::Float(_)) && matches!(val, Lit::Int(_)))
                {
                    out.push(Expr::Lit {
                        val: v,
                        ty: *ty,
                        bare: *bare,
                    });
                }
            }
            return out;
        }
        _ => {
            for c in e.children() {
                if !c.is_bare_lit() && c.ty() == ty {
                    out.push(c.clone());
                }
            }
            out.push(Expr::Lit {
                val: zero_lit(ty),
                ty,
                bare: false,
            });
            out.push(Expr::Lit {
                val: one_lit(ty),
                ty,
                bare: false,
            });
        }
    }
    // Fewer operands in chains and min/max, keeping a non-literal one.
    match e {
        Expr::Cmp { ops, xs, join }
            if xs.len() > 2 && xs.iter().all(|x| x.ty() == *join && !x.is_bare_lit()) =>
        {
            out.push(Expr::Cmp {
                ops: ops[..ops.len() - 1].to_vec(),
                xs: xs[..xs.len() - 1].to_vec(),
                join: *join,
            });
        }
        Expr::BoolOp { and, xs, ty } if xs.len() > 2 && !xs[0].is_bare_lit() => {
            out.push(Expr::BoolOp {
                and: *and,
                xs: xs[..2].to_vec(),
                ty: *ty,
            });
        }
        Expr::Intr {
            f: f @ (Intr::Min | Intr::Max),
            xs,
            ty,
        } if xs.len() > 2 && !xs[0].is_bare_lit() => {
            out.push(Expr::Intr {
                f: *f,
                xs: xs[..2].to_vec(),
                ty: *ty,
            });
        }
        _ => {}
    }
    let n = e.children().len();
    for k in 0..n {
        let child = e.children()[k].clone();
        for v in expr_variants(&child) {
            let mut e2 = e.clone();
            *e2.children_mut()[k] = v;
            out.push(e2);
        }
    }
    out
}

fn stmt_variants(s: &Stmt, fine: bool) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut probe = s.clone();
    let nblocks = probe.blocks_mut().len();
    for b in 0..nblocks {
        let block = s.clone().blocks_mut()[b].clone();
        for v in block_variants(&block, fine) {
            let mut s2 = s.clone();
            *s2.blocks_mut()[b] = v;
            out.push(s2);
        }
    }
    if let Stmt::If { arms, els } = s {
        if !els.is_empty() {
            out.push(Stmt::If {
                arms: arms.clone(),
                els: Vec::new(),
            });
        }
        if arms.len() > 1 {
            for k in 0..arms.len() {
                let mut a = arms.clone();
                a.remove(k);
                out.push(Stmt::If {
                    arms: a,
                    els: els.clone(),
                });
            }
        }
    }
    if let Stmt::While { els, .. } | Stmt::CountWhile { els, .. } | Stmt::For { els, .. } = s
        && !els.is_empty()
    {
        let mut s2 = s.clone();
        if let Stmt::While { els, .. } | Stmt::CountWhile { els, .. } | Stmt::For { els, .. } =
            &mut s2
        {
            els.clear();
        }
        out.push(s2);
    }
    // A `prange` as the serial loop over the same range: often the failure is not about
    // the parallel loop at all.
    if let Stmt::ParFor {
        var,
        ty,
        args,
        body,
        ..
    } = s
    {
        out.push(Stmt::For {
            var: var.clone(),
            ty: *ty,
            args: args.clone(),
            body: body.clone(),
            els: Vec::new(),
        });
    }
    let nexprs = if fine { probe.exprs_mut().len() } else { 0 };
    for k in 0..nexprs {
        let e = s.clone().exprs_mut()[k].clone();
        for v in expr_variants(&e) {
            let mut s2 = s.clone();
            *s2.exprs_mut()[k] = v;
            out.push(s2);
        }
    }
    out
}

fn block_variants(b: &[Stmt], fine: bool) -> Vec<Vec<Stmt>> {
    let mut out = Vec::new();
    if !fine && b.len() >= 4 {
        // Halves first (ddmin's big steps).
        let h = b.len() / 2;
        out.push(b[h..].to_vec());
        out.push(b[..h].iter().chain(b.last()).cloned().collect());
    }
    for i in 0..b.len() {
        let mut v = b.to_vec();
        v.remove(i);
        out.push(v);
        let mut s = b[i].clone();
        for inner in s.blocks_mut() {
            let mut v = b.to_vec();
            v.splice(i..=i, inner.iter().cloned());
            out.push(v);
        }
    }
    for i in 0..b.len() {
        for s2 in stmt_variants(&b[i], fine) {
            let mut v = b.to_vec();
            v[i] = s2;
            out.push(v);
        }
    }
    out
}

fn input_variants(p: &Program) -> Vec<Program> {
    let mut out = Vec::new();
    let entry = p.entry().clone();
    for (k, param) in entry.params.iter().enumerate() {
        let simple: Vec<Value> = match param {
            Param::Scalar(_, t) if *t == Scalar::Bool => vec![Value::Bool(false)],
            Param::Scalar(_, t) if types::is_float(*t) => {
                vec![Value::Float(0.0), Value::Float(1.0)]
            }
            Param::Scalar(..) => vec![Value::Int(0), Value::Int(1)],
            Param::Array(a) => {
                let z = match zero_lit(a.elem) {
                    Lit::Bool(b) => Value::Bool(b),
                    Lit::Float(f) => Value::Float(f),
                    Lit::Int(i) => Value::Int(i),
                };
                // A `:` axis one shorter (its last slice dropped).
                if let Some(Input::Array { dims, vals }) = p.inputs.first().map(|s| &s[k]) {
                    for (axis, d) in a.dims.iter().enumerate() {
                        if d.is_none() && dims[axis] > 0 {
                            let mut r = p.clone();
                            r.inputs[0][k] = drop_last_slice(dims, vals, axis);
                            out.push(r);
                        }
                    }
                }
                if p.inputs.iter().any(
                    |set| matches!(&set[k], Input::Array { vals, .. } if vals.iter().any(|x| *x != z)),
                ) {
                    let mut q = p.clone();
                    for set in &mut q.inputs {
                        if let Input::Array { vals, .. } = &mut set[k] {
                            vals.iter_mut().for_each(|x| *x = z.clone());
                        }
                    }
                    out.push(q);
                }
                if let Some(Input::Array { vals, .. }) = p.inputs.first().map(|s| &s[k]) {
                    for (j, x) in vals.iter().enumerate() {
                        if *x != z {
                            let mut r = p.clone();
                            if let Input::Array { vals, .. } = &mut r.inputs[0][k] {
                                vals[j] = z.clone();
                            }
                            out.push(r);
                        }
                    }
                }
                continue;
            }
        };
        // Towards the first simple value (never back from it).
        let simplest = simple[0].clone();
        for v in simple {
            if p.inputs
                .iter()
                .any(|set| matches!(&set[k], Input::Scalar(x) if *x != v && *x != simplest))
            {
                let mut q = p.clone();
                for set in &mut q.inputs {
                    set[k] = Input::Scalar(v.clone());
                }
                out.push(q);
            }
        }
    }
    out
}

/// The array of extents `dims` and elements `vals` (row-major) without its last slice
/// along `axis`.
fn drop_last_slice(dims: &[usize], vals: &[Value], axis: usize) -> Input {
    let inner: usize = dims[axis + 1..].iter().product();
    let d = dims[axis];
    let kept = vals
        .iter()
        .enumerate()
        .filter(|(j, _)| (j / inner) % d != d - 1)
        .map(|(_, v)| v.clone())
        .collect();
    let mut dims = dims.to_vec();
    dims[axis] -= 1;
    Input::Array { dims, vals: kept }
}

/// Every program one step simpler than `p`: statements and inputs (`fine` false), or
/// expressions too (`fine` true).
pub fn variants(p: &Program, fine: bool) -> Vec<Program> {
    let mut out = Vec::new();
    // Drop a helper kernel (if nothing calls it).
    for k in 0..p.funcs.len() - 1 {
        let mut q = p.clone();
        q.funcs.remove(k);
        out.push(q);
    }
    for (fi, f) in p.funcs.iter().enumerate() {
        for v in block_variants(&f.body, fine) {
            let mut q = p.clone();
            q.funcs[fi].body = v;
            out.push(q);
        }
        for li in 0..f.locals.len() {
            let mut q = p.clone();
            q.funcs[fi].locals.remove(li);
            out.push(q);
            if let (true, Local::Scalar { name, ty, init }) = (fine, &f.locals[li]) {
                for v in expr_variants(init) {
                    let mut q = p.clone();
                    q.funcs[fi].locals[li] = Local::Scalar {
                        name: name.clone(),
                        ty: *ty,
                        init: v,
                    };
                    out.push(q);
                }
            }
        }
    }
    out.extend(input_variants(p));
    out.retain(well_formed);
    out
}

/// Most iterations a counting loop with literal bounds may make per entry in a shrunk program
/// (generated ones make a handful; a literal shrunk to 0 could make it 2^63).
const MAX_TRIPS: i128 = 300;

/// Most iterations a `prange` with literal bounds may make (generated ones make up to
/// some thousands, so that chunks hold several iterations).
const MAX_PAR_TRIPS: i128 = 4096;

/// An upper bound of the extents input sets give `:` axes (`Config::max_extent` is far
/// below it), for bounding loops up to an extent.
const MAX_EXTENT: i128 = 64;

/// Whether a `continue` in `b` (not in a loop nested in it) would target the loop `b`
/// is the body of.
fn loose_continue(b: &[Stmt]) -> bool {
    b.iter().any(|s| match s {
        Stmt::Continue => true,
        Stmt::While { .. } | Stmt::CountWhile { .. } | Stmt::For { .. } | Stmt::ParFor { .. } => {
            false
        }
        other => other.blocks().into_iter().any(|b| loose_continue(b)),
    })
}

/// Whether `b` assigns the scalar `var` (a `for` over it included).
fn assigns(b: &[Stmt], var: &str) -> bool {
    b.iter().any(|s| match s {
        Stmt::Assign { var: v, .. } | Stmt::Aug { var: v, .. } | Stmt::MinMax { var: v, .. } => {
            v == var
        }
        Stmt::For { var: v, .. }
        | Stmt::ParFor { var: v, .. }
        | Stmt::CountWhile { counter: v, .. }
            if v == var =>
        {
            true
        }
        other => other.blocks().into_iter().any(|b| assigns(b, var)),
    })
}

/// Whether `b` has a `for` over `counter` that could take it back below its value: the
/// generator's only one is `for counter in range(counter, n)`, which never does.
fn resets(b: &[Stmt], counter: &str) -> bool {
    b.iter().any(|s| match s {
        Stmt::For { var, args, .. } if var == counter => {
            !matches!(args.as_slice(), [Expr::Var { name, .. }, _] if name == counter)
        }
        other => other.blocks().into_iter().any(|b| resets(b, counter)),
    })
}

fn int_lit_value(e: &Expr) -> Option<i128> {
    match e {
        Expr::Lit {
            val: Lit::Int(v), ..
        } => Some(*v),
        _ => None,
    }
}

/// The values of a `for` variable over literal `range(...)` arguments and the number of
/// iterations (None for a zero step).
fn literal_trips(args: &[i128]) -> Option<(i128, i128, i128)> {
    let trips = |span: i128, step: i128| (span.max(0) + step - 1) / step;
    match *args {
        [b] => Some((0, b - 1, b.max(0))),
        [a, b] => Some((a, b - 1, (b - a).max(0))),
        [a, b, s] if s > 0 => Some((a, b - 1, trips(b - a, s))),
        [a, b, s] if s < 0 => Some((b + 1, a, trips(a - b, -s))),
        _ => None,
    }
}

/// Every loop with literal bounds in `b` stays short, whatever the shrinker replaced: a
/// `for` or `prange` over literals makes at most [`MAX_PAR_TRIPS`] iterations (and has a
/// nonzero step);
/// a counting loop starts from a literal, or from a loop variable in `scope` (name,
/// least and greatest value at that point: in an enclosing body, or after its counting
/// loop earlier in an enclosing block) plus a literal without wrapping, at most
/// [`MAX_TRIPS`] below its limit, cannot pass its type's largest value if it is a near
/// miss, and has no `continue` of its own in its body, which would skip the step.
fn loops_bounded(b: &[Stmt], scope: &mut Vec<(String, i128, i128)>) -> bool {
    let mark = scope.len();
    for s in b {
        // The loop variable the body of `s` sees, with its values there when known, and
        // a counting loop's counter after the loop.
        let (var, after): (Option<(String, i128, i128)>, _) = match s {
            Stmt::CountWhile {
                counter,
                ty,
                start,
                limit,
                le,
                body,
                tail,
                ..
            } => {
                let known = |name: &str| {
                    scope
                        .iter()
                        .rev()
                        .find(|(n, ..)| n == name)
                        .map(|&(_, lo, hi)| (lo, hi))
                };
                let from = match start {
                    Expr::Var { name, .. } => known(name),
                    Expr::Bin {
                        op: BOp::Add, l, r, ..
                    } => match (&**l, &**r) {
                        (Expr::Var { name, .. }, k) | (k, Expr::Var { name, .. }) => known(name)
                            .zip(int_lit_value(k))
                            .map(|((lo, hi), k)| (lo + k, hi + k)),
                        _ => None,
                    },
                    lit => int_lit_value(lit).map(|v| (v, v)),
                };
                let (min, max) = types::range(*ty);
                let Some((lo, hi)) = from else {
                    return false;
                };
                // An extent limit is at most the largest extent an input set gives (the
                // shrinker only shortens arrays).
                let limit = match limit {
                    CountLimit::Lit(v) => *v,
                    CountLimit::Extent(_) => MAX_EXTENT,
                };
                if resets(body, counter) {
                    return false;
                }
                let exact = !le && tail.is_empty() && !assigns(body, counter);
                let trips = limit - lo + i128::from(*le);
                if lo < min
                    || hi > max
                    || trips > MAX_TRIPS
                    || (!exact && limit >= max)
                    || loose_continue(body)
                {
                    return false;
                }
                let inside = if exact {
                    (lo, (limit - 1).max(lo))
                } else {
                    (lo, (limit + 1).max(lo))
                };
                let after = (counter.clone(), lo, hi.max(limit + 1).min(max));
                (Some((counter.clone(), inside.0, inside.1)), Some(after))
            }
            Stmt::For {
                var, args, body, ..
            } => {
                match args
                    .iter()
                    .map(int_lit_value)
                    .collect::<Option<Vec<i128>>>()
                {
                    None => (None, None),
                    Some(lits) => {
                        let Some((lo, hi, trips)) = literal_trips(&lits) else {
                            return false;
                        };
                        // A long `prange` shrunk to a serial loop keeps its count.
                        if trips > MAX_PAR_TRIPS {
                            return false;
                        }
                        ((!assigns(body, var)).then(|| (var.clone(), lo, hi)), None)
                    }
                }
            }
            // Literal start and step (the checker's rule), and a bounded count.
            Stmt::ParFor { var, args, .. } => {
                let lits: Vec<Option<i128>> = args.iter().map(int_lit_value).collect();
                let (start, step) = match lits.as_slice() {
                    [_] => (Some(0), Some(1)),
                    [a, _] => (*a, Some(1)),
                    [a, _, s] => (*a, *s),
                    _ => (None, None),
                };
                let (Some(start), Some(step)) = (start, step) else {
                    return false;
                };
                if start < 0 || step < 1 {
                    return false;
                }
                match lits.get(args.len().min(2) - 1).copied().flatten() {
                    Some(stop) => {
                        let Some((lo, hi, trips)) = literal_trips(&[start, stop, step]) else {
                            return false;
                        };
                        if trips > MAX_PAR_TRIPS {
                            return false;
                        }
                        (Some((var.clone(), lo, hi)), None)
                    }
                    None => (None, None),
                }
            }
            // Stepped first: 1..=limit in the body.
            Stmt::While { counter, limit, .. } => {
                (Some((counter.clone(), 1, i128::from(*limit).max(1))), None)
            }
            _ => (None, None),
        };
        // The blocks in which the loop variable is in scope: a loop's body (and a
        // counting loop's tail), not its `else`.
        let in_loop = match s {
            Stmt::CountWhile { .. } => 2,
            Stmt::While { .. } | Stmt::For { .. } | Stmt::ParFor { .. } => 1,
            _ => 0,
        };
        for (k, block) in s.blocks().into_iter().enumerate() {
            let pushed = match &var {
                Some(v) if k < in_loop => {
                    scope.push(v.clone());
                    true
                }
                _ => false,
            };
            let ok = loops_bounded(block, scope);
            if pushed {
                scope.pop();
            }
            if !ok {
                return false;
            }
        }
        scope.extend(after);
    }
    scope.truncate(mark);
    true
}

/// The structural rules the Python model relies on: every kernel ends with `return`,
/// no `break`/`continue` sits in a backward-goto body outside a loop of its own, and
/// loops stay short ([`loops_bounded`]).
pub fn well_formed(p: &Program) -> bool {
    fn no_loose_jumps(b: &[Stmt]) -> bool {
        b.iter().all(|s| match s {
            Stmt::Break | Stmt::Continue => false,
            Stmt::While { .. } | Stmt::For { .. } | Stmt::ParFor { .. } => true,
            Stmt::If { arms, els } => {
                arms.iter().all(|(_, b)| no_loose_jumps(b)) && no_loose_jumps(els)
            }
            Stmt::Region { body, .. } | Stmt::Repeat { body, .. } => no_loose_jumps(body),
            _ => true,
        })
    }
    fn repeats_ok(b: &[Stmt]) -> bool {
        b.iter().all(|s| {
            let mut s = s.clone();
            if let Stmt::Repeat { body, .. } = &s
                && !no_loose_jumps(body)
            {
                return false;
            }
            s.blocks_mut().into_iter().all(|b| repeats_ok(b))
        })
    }
    p.funcs.iter().all(|f| {
        matches!(f.body.last(), Some(Stmt::Return(_)))
            && repeats_ok(&f.body)
            && loops_bounded(&f.body, &mut Vec::new())
            && reductions_agree(&f.body)
    })
}

/// How the statements of a `prange` body update locals, as msp's checker sorts them
/// (`check::races::reduction`): a reduction form (`s op= e` with `op` one msp
/// recognises and `e` not reading `s`, `s = min(s, e)`, `s = max(s, e)`) or a plain
/// assignment (`None`: any other, a loop's counter included).
pub fn updates(b: &[Stmt], out: &mut Vec<(String, Option<Red>)>) {
    for s in b {
        match s {
            Stmt::Aug { var, op, e, .. } => {
                let red = Red::of_aug(*op).filter(|_| !reads(e, var));
                out.push((var.clone(), red));
            }
            Stmt::MinMax { var, max, e, .. } => {
                let red = if *max { Red::Max } else { Red::Min };
                out.push((var.clone(), Some(red).filter(|_| !reads(e, var))));
            }
            Stmt::Assign { var, e } => out.push((var.clone(), reduction_form(var, e))),
            Stmt::For { var, .. } | Stmt::ParFor { var, .. } => out.push((var.clone(), None)),
            Stmt::CountWhile { counter, .. }
            | Stmt::While { counter, .. }
            | Stmt::Repeat { counter, .. } => out.push((counter.clone(), None)),
            _ => {}
        }
        for inner in s.blocks() {
            updates(inner, out);
        }
    }
}

/// The reduction `var = e` is to msp's checker: `var op x` or `min(var, x)`/`max(var,
/// x)` with `var` itself (not converted) on the left and `x` not reading it.
fn reduction_form(var: &str, e: &Expr) -> Option<Red> {
    let is_var = |x: &Expr| matches!(x, Expr::Var { name, .. } if name == var);
    match e {
        Expr::Bin {
            op, l, r, join, ty, ..
        } if is_var(l) && l.ty() == *join && join == ty && !reads(r, var) => Red::of_aug(*op),
        Expr::Intr {
            f: f @ (Intr::Min | Intr::Max),
            xs,
            ty,
        } if xs.len() == 2 && is_var(&xs[0]) && xs[0].ty() == *ty && !reads(&xs[1], var) => {
            Some(if *f == Intr::Max { Red::Max } else { Red::Min })
        }
        _ => None,
    }
}

fn reads(e: &Expr, var: &str) -> bool {
    matches!(e, Expr::Var { name, .. } if name == var)
        || e.children().into_iter().any(|c| reads(c, var))
}

/// Every `prange` in `b` lists exactly the reductions msp's checker will find in its
/// body (so the model restarts the same locals in each chunk): a local only ever
/// updated in reduction form, with one operator, is listed with it; a listed one is
/// updated in no other way. (A listed one the body leaves alone does no harm.) Shrinking
/// can break this (dropping a private's first assignment leaves its `+=` alone), and the
/// program would then fail for the model's sake.
fn reductions_agree(b: &[Stmt]) -> bool {
    b.iter().all(|s| {
        if let Stmt::ParFor {
            body, reductions, ..
        } = s
        {
            let mut ups = Vec::new();
            updates(body, &mut ups);
            let listed = |v: &str| reductions.iter().find(|r| r.0 == v).map(|r| r.2);
            for (v, red) in &ups {
                let all_red = ups.iter().filter(|u| u.0 == *v).all(|u| u.1.is_some());
                match (listed(v), red) {
                    (Some(op), Some(r)) if op == *r => {}
                    (None, _) if !all_red => {}
                    _ => return false,
                }
            }
        }
        s.blocks().into_iter().all(|b| reductions_agree(b))
    })
}

/// Shrinks `p` (already cut to its failing input set) while the failure `kind` stays.
///
/// Passes over the candidates one step simpler than `p`; a step that keeps the failure
/// is taken and the pass goes on from the same place among the new program's
/// candidates (restarting from the first after every step would spend the budget on
/// statements long since tried). Another pass follows while one takes a step.
pub fn shrink(mut p: Program, kind: &str, budget: Duration, timeout: Duration) -> Program {
    let start = Instant::now();
    let candidates = |p: &Program| {
        let mut c = variants(p, false);
        c.extend(variants(p, true));
        c
    };
    loop {
        let mut changed = false;
        let mut cands = candidates(&p);
        let mut at = 0;
        while at < cands.len() {
            if start.elapsed() >= budget {
                return p;
            }
            let chunk = &cands[at..(at + 32).min(cands.len())];
            let found = run::evaluate(chunk, timeout).ok().and_then(|outs| {
                outs.iter()
                    .position(|o: &Outcome| o.kind(0).as_deref() == Some(kind))
            });
            match found {
                Some(k) => {
                    p = chunk[k].clone();
                    changed = true;
                    at += k;
                    cands = candidates(&p);
                }
                None => at += chunk.len(),
            }
        }
        if !changed {
            return p;
        }
    }
}

/// Keeps only input set `i`.
pub fn only_input(p: &Program, i: usize) -> Program {
    let mut q = p.clone();
    q.inputs = vec![p.inputs[i].clone()];
    q.threads = vec![p.threads_of(i)];
    q
}
