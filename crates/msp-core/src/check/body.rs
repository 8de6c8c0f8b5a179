//! Checking one kernel's statements.

use std::collections::{HashMap, HashSet};

use crate::ast::{Expr, ExprKind, Stmt, StmtKind};
use crate::diag::Diagnostic;
use crate::source::Span;
use crate::staged::{ConstValue, KernelDef};

use super::hir::*;
use super::types::{ArrayType, Scalar, Type};
use super::{CheckOptions, MAX_LOCAL_ARRAY_BYTES, resolve_type};

/// What every kernel of the module can see: the signatures it may call.
pub(super) struct ModuleCtx<'a> {
    pub kernels: &'a [KernelSig],
    pub externs: &'a [ExternSig],
}

/// The state of checking one kernel.
pub(super) struct KernelChecker<'a> {
    pub ctx: &'a ModuleCtx<'a>,
    pub def: &'a KernelDef,
    pub sig: KernelSig,
    pub locals: Vec<Local>,
    pub names: HashMap<String, LocalId>,
    /// Names assigned anywhere in the body: these are locals, never frozen constants.
    pub assigned: HashSet<String>,
    pub labels: HashMap<String, LabelId>,
    pub label_names: Vec<String>,
    pub loop_depth: usize,
    /// Inside a `prange` body: the `loop_depth` of its own statements (a `break` there
    /// would leave the parallel loop).
    prange_depth: Option<usize>,
    pub unchecked: bool,
    pub sites: &'a mut Vec<FaultSite>,
    pub diags: Vec<Diagnostic>,
    temp_count: u32,
    /// Bytes of the local arrays declared so far (they share the stack limit).
    local_array_bytes: u64,
}

/// `what` (a statement) inside a `prange` body, which runs its iterations on several
/// threads in any order: nothing may leave it.
fn leave_prange(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(span, format!("{what} cannot leave a `prange` body"))
        .with_note("iterations run in any order, on several threads; `continue` ends one")
}

pub(super) fn check_kernel(
    ctx: &ModuleCtx<'_>,
    def: &KernelDef,
    sig: KernelSig,
    opts: &CheckOptions,
    sites: &mut Vec<FaultSite>,
) -> Result<TypedKernel, Vec<Diagnostic>> {
    let unchecked = def.options.unchecked.unwrap_or(opts.unchecked);
    let mut kc = KernelChecker {
        ctx,
        def,
        sig: sig.clone(),
        locals: Vec::new(),
        names: HashMap::new(),
        assigned: HashSet::new(),
        labels: HashMap::new(),
        label_names: Vec::new(),
        loop_depth: 0,
        prange_depth: None,
        unchecked,
        sites,
        diags: Vec::new(),
        temp_count: 0,
        local_array_bytes: 0,
    };
    for (name, ty) in &sig.params {
        let id = kc.new_local(name, ty.clone(), true);
        kc.names.insert(name.clone(), id);
    }
    collect_assigned(&def.body, &mut kc.assigned);
    kc.collect_labels(&def.body);
    let body = kc.block(&def.body);
    if !kc.diags.is_empty() {
        return Err(kc.diags);
    }
    if let Type::Scalar(ret) = &sig.ret
        && super::flow::end_reachable(&body, kc.label_names.len())
    {
        // Falling off the end would return a zero the kernel never computed.
        let span = def.body.last().map_or(def.span, |s| s.span);
        // As the names are spoken: an `int`, an `i8`, an `f64`; a `u8`, a `float`.
        let article = match ret.name().as_bytes() {
            [b'i' | b'f', b'0'..=b'9' | b'n', ..] => "an",
            _ => "a",
        };
        return Err(vec![
            Diagnostic::error(
                span,
                format!(
                    "`{}` can reach its end without returning {article} `{ret}`",
                    sig.name
                ),
            )
            .with_label("control can leave the kernel after this statement")
            .with_note(
                "end every path with `return`; a kernel that returns nothing is declared `-> None`",
            ),
        ]);
    }
    Ok(TypedKernel {
        sig,
        locals: kc.locals,
        labels: kc.label_names,
        body,
        span: def.span,
        name_span: def.name.span,
        unchecked,
        debug: def.options.debug,
        add_time: def.options.add_time,
        noinline: def.options.noinline,
        fast_compile: def.options.fast_compile,
        callees: Vec::new(),
        stack_site: None,
    })
}

fn collect_assigned(body: &[Stmt], out: &mut HashSet<String>) {
    fn target(e: &Expr, out: &mut HashSet<String>) {
        match &e.kind {
            ExprKind::Name(n) => {
                out.insert(n.clone());
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                items.iter().for_each(|i| target(i, out))
            }
            _ => {}
        }
    }
    for s in body {
        match &s.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| target(t, out)),
            StmtKind::AugAssign { target: t, .. } | StmtKind::AnnAssign { target: t, .. } => {
                target(t, out)
            }
            StmtKind::For {
                target: t,
                body,
                orelse,
                ..
            } => {
                target(t, out);
                collect_assigned(body, out);
                collect_assigned(orelse, out);
            }
            StmtKind::If { body, orelse, .. } | StmtKind::While { body, orelse, .. } => {
                collect_assigned(body, out);
                collect_assigned(orelse, out);
            }
            _ => {}
        }
    }
}

/// A `label`/`goto` statement: its kind, and its label text with the text's span (or,
/// when the argument is not one string literal, the span of the whole call).
type LabelStmt<'a> = (&'static str, Result<(&'a str, Span), Span>);

/// `label("x")` / `goto("x")` as a statement: the kind and the label text.
pub(super) fn label_stmt(s: &Stmt) -> Option<LabelStmt<'_>> {
    let StmtKind::Expr(e) = &s.kind else {
        return None;
    };
    let (name, args) = e.as_named_call()?;
    let kind = match name {
        "label" => "label",
        "goto" => "goto",
        _ => return None,
    };
    Some((
        kind,
        match args {
            [
                Expr {
                    kind: ExprKind::Str(text),
                    span,
                    ..
                },
            ] => Ok((text.as_str(), *span)),
            _ => Err(e.span),
        },
    ))
}

impl<'a> KernelChecker<'a> {
    pub fn new_local(&mut self, name: &str, ty: Type, is_param: bool) -> LocalId {
        self.locals.push(Local {
            name: name.to_string(),
            ty,
            is_param,
            wide: false,
        });
        LocalId(self.locals.len() as u32 - 1)
    }

    /// A hidden local for a value that must be evaluated once.
    pub fn temp(&mut self, ty: Scalar) -> LocalId {
        self.temp_count += 1;
        let name = format!("$t{}", self.temp_count);
        self.new_local(&name, Type::Scalar(ty), false)
    }

    pub fn site(&mut self, span: Span, kind: FaultKind) -> Option<SiteId> {
        if self.unchecked {
            return None;
        }
        self.sites.push(FaultSite {
            kernel: self.sig.name.clone(),
            span,
            kind,
        });
        Some(SiteId(self.sites.len() as u32 - 1))
    }

    /// The fault site of an integer `//` or `%` (a zero divisor faults); `None` for
    /// every other operator and for float operands.
    pub fn division_site(&mut self, op: ArithOp, ty: Scalar, span: Span) -> Option<SiteId> {
        match op {
            ArithOp::FloorDiv if ty.is_int() => self.site(span, FaultKind::DivisionByZero),
            ArithOp::Mod if ty.is_int() => self.site(span, FaultKind::ModuloByZero),
            _ => None,
        }
    }

    pub fn constant(&self, name: &str) -> Option<ConstValue> {
        if self.assigned.contains(name) || self.names.contains_key(name) {
            return None;
        }
        self.def.consts.get(name).copied()
    }

    fn collect_labels(&mut self, body: &[Stmt]) {
        for s in body {
            if let Some(("label", Ok((text, span)))) = label_stmt(s) {
                if self.labels.contains_key(text) {
                    self.diags.push(Diagnostic::error(
                        span,
                        format!("label `{text}` is defined twice in this kernel"),
                    ));
                } else {
                    self.labels
                        .insert(text.to_string(), LabelId(self.label_names.len() as u32));
                    self.label_names.push(text.to_string());
                }
            }
            match &s.kind {
                StmtKind::If { body, orelse, .. }
                | StmtKind::While { body, orelse, .. }
                | StmtKind::For { body, orelse, .. } => {
                    self.collect_labels(body);
                    self.collect_labels(orelse);
                }
                _ => {}
            }
        }
    }

    pub fn block(&mut self, body: &[Stmt]) -> Vec<TStmt> {
        stacker::maybe_grow(super::RED_ZONE, super::STACK_GROWTH, || {
            self.block_inner(body)
        })
    }

    fn block_inner(&mut self, body: &[Stmt]) -> Vec<TStmt> {
        let mut out = Vec::new();
        for s in body {
            if let Err(d) = self.stmt(s, &mut out) {
                self.diags.push(d);
            }
        }
        out
    }

    fn stmt(&mut self, s: &Stmt, out: &mut Vec<TStmt>) -> Result<(), Diagnostic> {
        if let Some((kind, arg)) = label_stmt(s) {
            let (text, span) = arg.map_err(|span| {
                Diagnostic::error(
                    span,
                    format!("`{kind}` takes one string literal, e.g. {kind}(\"exit\")"),
                )
            })?;
            let id = match self.labels.get(text) {
                Some(&id) => id,
                None if kind == "goto" => {
                    let mut d =
                        Diagnostic::error(span, format!("`goto` to undefined label `{text}`"))
                            .with_label("no `label(...)` with this name in the kernel");
                    if !self.label_names.is_empty() {
                        d = d.with_note(format!(
                            "labels in this kernel: {}",
                            self.label_names.join(", ")
                        ));
                    }
                    return Err(d);
                }
                None => return Ok(()), // a duplicate label, already reported
            };
            if self.prange_depth.is_some() {
                return Err(leave_prange(s.span, &format!("`{kind}`")));
            }
            out.push(if kind == "label" {
                TStmt::Label(id)
            } else {
                TStmt::Goto(id)
            });
            return Ok(());
        }
        match &s.kind {
            StmtKind::Pass => {}
            StmtKind::Expr(e) => {
                let t = self.expr_stmt(e)?;
                out.push(t);
            }
            StmtKind::Assign { targets, value } => self.assign(targets, value, s.span, out)?,
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
            } => self.ann_assign(target, annotation, value.as_ref(), out)?,
            StmtKind::AugAssign { target, op, value } => {
                self.aug_assign(target, *op, value, s.span, out)?
            }
            StmtKind::If { test, body, orelse } => {
                let cond = self.condition(test)?;
                let then = self.block(body);
                let orelse = self.block(orelse);
                out.push(TStmt::If { cond, then, orelse });
            }
            StmtKind::While { test, body, orelse } => {
                let cond = self.condition(test)?;
                self.loop_depth += 1;
                let body = self.block(body);
                self.loop_depth -= 1;
                let orelse = self.block(orelse);
                out.push(TStmt::While {
                    cond,
                    body,
                    orelse,
                    guards: None,
                });
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => self.for_range(target, iter, body, orelse, out)?,
            StmtKind::Break | StmtKind::Continue if self.loop_depth == 0 => {
                let what = if matches!(s.kind, StmtKind::Break) {
                    "break"
                } else {
                    "continue"
                };
                return Err(Diagnostic::error(
                    s.span,
                    format!("`{what}` outside a loop"),
                ));
            }
            StmtKind::Break if self.prange_depth == Some(self.loop_depth) => {
                return Err(leave_prange(s.span, "`break`"));
            }
            StmtKind::Return(_) if self.prange_depth.is_some() => {
                return Err(leave_prange(s.span, "`return`"));
            }
            StmtKind::Break => out.push(TStmt::Break),
            StmtKind::Continue => out.push(TStmt::Continue),
            StmtKind::Return(value) => out.push(self.ret(value.as_ref(), s.span)?),
            StmtKind::FunctionDef(_) => {
                return Err(Diagnostic::error(
                    s.span,
                    "nested functions are not supported in kernels",
                )
                .with_note(
                    "define the helper as its own @compile kernel, or generate it at stage 0",
                ));
            }
            StmtKind::Global(_) | StmtKind::Nonlocal(_) => {
                return Err(Diagnostic::error(
                    s.span,
                    "`global`/`nonlocal` are not supported in kernels",
                )
                .with_note("kernels read stage-0 globals as constants and cannot assign them"));
            }
            StmtKind::Unsupported(what) => {
                return Err(Diagnostic::error(
                    s.span,
                    format!("{what} is not supported in kernels"),
                )
                .with_label("not in the kernel language"));
            }
        }
        Ok(())
    }

    fn expr_stmt(&mut self, e: &Expr) -> Result<TStmt, Diagnostic> {
        // A call of a `-> None` kernel or extern is fine here, and only here.
        Ok(TStmt::Expr(self.call_or_expr(e)?))
    }

    fn condition(&mut self, e: &Expr) -> Result<TExpr, Diagnostic> {
        let t = self.expr(e, None)?;
        Ok(self.truthy(t))
    }

    pub fn truthy(&mut self, t: TExpr) -> TExpr {
        if t.ty == Scalar::Bool {
            return t;
        }
        let span = t.span;
        TExpr {
            kind: TExprKind::Truthy(Box::new(t)),
            ty: Scalar::Bool,
            span,
        }
    }

    fn assign(
        &mut self,
        targets: &[Expr],
        value: &Expr,
        span: Span,
        out: &mut Vec<TStmt>,
    ) -> Result<(), Diagnostic> {
        if let [target] = targets {
            return self.assign_one(target, value, out);
        }
        // `a = b = v`: evaluate once into the first target, copy to the others.
        let first = &targets[0];
        self.assign_one(first, value, out)?;
        for t in &targets[1..] {
            self.assign_one(t, first, out)?;
        }
        let _ = span;
        Ok(())
    }

    fn assign_one(
        &mut self,
        target: &Expr,
        value: &Expr,
        out: &mut Vec<TStmt>,
    ) -> Result<(), Diagnostic> {
        match &target.kind {
            ExprKind::Name(name) => {
                let t = match self.names.get(name).copied() {
                    Some(id) => {
                        let ty = self.local_scalar(id, target.span)?;
                        let v = self.expr(value, Some(ty))?;
                        let v = self.coerce_to_local(v, ty, name)?;
                        TStmt::Assign {
                            local: id,
                            value: v,
                        }
                    }
                    None => {
                        let v = self.expr(value, None)?;
                        let id = self.new_local(name, Type::Scalar(v.ty), false);
                        self.names.insert(name.clone(), id);
                        TStmt::Assign {
                            local: id,
                            value: v,
                        }
                    }
                };
                out.push(t);
            }
            ExprKind::Subscript { .. } => {
                let place = self.place(target)?;
                let v = self.expr(value, Some(place.ty.elem))?;
                let v = self.coerce(v, place.ty.elem, "this array element")?;
                out.push(TStmt::Store { place, value: v });
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let (ExprKind::Tuple(values) | ExprKind::List(values)) = &value.kind else {
                    return Err(Diagnostic::error(
                        value.span,
                        "tuple assignment needs a tuple of the same length on the right",
                    ));
                };
                if values.len() != items.len() {
                    return Err(Diagnostic::error(
                        value.span,
                        format!(
                            "cannot unpack {} values into {} targets",
                            values.len(),
                            items.len()
                        ),
                    ));
                }
                // Evaluate every right-hand side before assigning any target (`a, b = b, a`).
                let mut temps = Vec::new();
                for (item, v) in items.iter().zip(values) {
                    let expected = self.target_scalar(item);
                    let tv = self.expr(v, expected)?;
                    let tmp = self.temp(tv.ty);
                    out.push(TStmt::Assign {
                        local: tmp,
                        value: tv,
                    });
                    temps.push(tmp);
                }
                for (item, tmp) in items.iter().zip(temps) {
                    let ty = self.locals[tmp.0 as usize]
                        .ty
                        .scalar()
                        .unwrap_or(Scalar::I32);
                    let name = self.locals[tmp.0 as usize].name.clone();
                    let read = Expr::new(ExprKind::Name(name.clone()), item.span);
                    self.names.insert(name.clone(), tmp);
                    let r = self.assign_one(item, &read, out);
                    self.names.remove(&name);
                    r?;
                    let _ = ty;
                }
            }
            _ => {
                return Err(Diagnostic::error(
                    target.span,
                    "cannot assign to this expression in a kernel",
                ));
            }
        }
        Ok(())
    }

    /// The scalar type a target already has, if it has one (to type literals on the right).
    fn target_scalar(&self, target: &Expr) -> Option<Scalar> {
        match &target.kind {
            ExprKind::Name(n) => self
                .names
                .get(n)
                .and_then(|id| self.locals[id.0 as usize].ty.scalar()),
            _ => None,
        }
    }

    fn local_scalar(&self, id: LocalId, span: Span) -> Result<Scalar, Diagnostic> {
        match &self.locals[id.0 as usize].ty {
            Type::Scalar(s) => Ok(*s),
            other => Err(Diagnostic::error(
                span,
                format!(
                    "cannot assign to `{}` of type `{other}`; assign its elements instead",
                    self.locals[id.0 as usize].name
                ),
            )),
        }
    }

    fn coerce_to_local(&mut self, v: TExpr, ty: Scalar, name: &str) -> Result<TExpr, Diagnostic> {
        if v.ty.widens_to(ty) {
            return Ok(self.convert(v, ty));
        }
        let hint = cast_hint(ty);
        Err(Diagnostic::error(v.span, format!("cannot assign a `{}` value to `{name}`, which is `{ty}`", v.ty))
            .with_label(format!("this is `{}`", v.ty))
            .with_note(format!("`{name}` took the type `{ty}` from its first assignment; convert with `{hint}(...)`, or declare it wider (`{name}: {} = ...`)", v.ty)))
    }

    fn ann_assign(
        &mut self,
        target: &Expr,
        annotation: &Expr,
        value: Option<&Expr>,
        out: &mut Vec<TStmt>,
    ) -> Result<(), Diagnostic> {
        let ExprKind::Name(name) = &target.kind else {
            return Err(Diagnostic::error(
                target.span,
                "only a plain name can be annotated",
            ));
        };
        let consts = self.visible_consts();
        let ty = resolve_type(annotation, &consts)?;
        if let Some(&id) = self.names.get(name)
            && self.locals[id.0 as usize].ty != ty
        {
            return Err(Diagnostic::error(
                annotation.span,
                format!(
                    "`{name}` already has type `{}`",
                    self.locals[id.0 as usize].ty
                ),
            ));
        }
        match (&ty, value) {
            (Type::None, _) => Err(Diagnostic::error(
                annotation.span,
                "a local cannot have type `None`",
            )),
            (Type::Array(a), _) if !a.is_fixed() => Err(Diagnostic::error(
                annotation.span,
                format!("a local array needs fixed extents, not `{ty}`"),
            )
            .with_note(
                "`:` extents are for parameters: the caller passes them; pass the array in",
            )),
            (Type::Array(_), Some(v)) => Err(Diagnostic::error(
                v.span,
                "a local array starts zeroed and takes no initial value",
            )
            .with_note(format!("write `{name}: {ty}` and assign its elements"))),
            (Type::Array(a), None) => {
                if !self.names.contains_key(name) {
                    // `resolve_type` bounds the size by MAX_ARRAY_BYTES: no overflow.
                    let bytes = a.len().unwrap_or(u64::MAX).saturating_mul(a.elem.size());
                    let total = self.local_array_bytes.saturating_add(bytes);
                    if total > MAX_LOCAL_ARRAY_BYTES {
                        let kernel = &self.sig.name;
                        let already = match self.local_array_bytes {
                            0 => String::new(),
                            n => format!(" (with the {n} bytes of its other local arrays)"),
                        };
                        // Reported, but the local is still declared: its uses check on
                        // without "used before it is assigned" errors.
                        self.diags.push(Diagnostic::error(
                            target.span.to(annotation.span),
                            format!("the local array `{name}: {ty}` takes {bytes} bytes of stack{already}, over the limit of {MAX_LOCAL_ARRAY_BYTES} bytes (1 MiB) of local arrays per kernel"),
                        )
                        .with_label("local arrays live on the caller's stack")
                        .with_note(format!("pass `{name}` to `{kernel}` as an array parameter instead: parameters live in the caller's memory, of any size")));
                    } else {
                        self.local_array_bytes = total;
                    }
                    let id = self.new_local(name, ty, false);
                    self.names.insert(name.clone(), id);
                }
                Ok(())
            }
            (Type::Scalar(s), v) => {
                let s = *s;
                let id = match self.names.get(name) {
                    Some(&id) => id,
                    None => {
                        let id = self.new_local(name, ty.clone(), false);
                        self.names.insert(name.clone(), id);
                        id
                    }
                };
                let value = match v {
                    Some(v) => {
                        let tv = self.expr(v, Some(s))?;
                        self.coerce_to_local(tv, s, name)?
                    }
                    None => self.zero(s, target.span),
                };
                out.push(TStmt::Assign { local: id, value });
                Ok(())
            }
        }
    }

    pub fn visible_consts(&self) -> std::collections::BTreeMap<String, ConstValue> {
        self.def
            .consts
            .iter()
            .filter(|(k, _)| self.constant(k).is_some())
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }

    pub fn zero(&self, ty: Scalar, span: Span) -> TExpr {
        let kind = match ty {
            Scalar::Bool => TExprKind::Bool(false),
            t if t.is_float() => TExprKind::Float(0.0),
            _ => TExprKind::Int(0),
        };
        TExpr { kind, ty, span }
    }

    fn aug_assign(
        &mut self,
        target: &Expr,
        op: crate::ast::BinOp,
        value: &Expr,
        span: Span,
        out: &mut Vec<TStmt>,
    ) -> Result<(), Diagnostic> {
        match &target.kind {
            ExprKind::Name(name) => {
                let Some(&id) = self.names.get(name) else {
                    return Err(Diagnostic::error(
                        target.span,
                        format!("`{name}` is updated before it is assigned"),
                    ));
                };
                let ty = self.local_scalar(id, target.span)?;
                let read = Expr::new(ExprKind::Name(name.clone()), target.span);
                let combined = Expr::new(
                    ExprKind::BinOp {
                        op,
                        left: Box::new(read),
                        right: Box::new(value.clone()),
                    },
                    span,
                );
                let v = self.expr(&combined, Some(ty))?;
                let v = self.coerce_to_local(v, ty, name)?;
                out.push(TStmt::Assign {
                    local: id,
                    value: v,
                });
            }
            ExprKind::Subscript { .. } => {
                let place = self.place(target)?;
                let elem = place.ty.elem;
                let Some(aop) =
                    ArithOp::from_binop(op).filter(|o| *o != ArithOp::FDiv || elem.is_float())
                else {
                    return Err(Diagnostic::error(
                        span,
                        format!(
                            "`{}=` on an array element is not supported; write `a[i] = a[i] {} v`",
                            op.symbol(),
                            op.symbol()
                        ),
                    ));
                };
                let v = self.expr(value, Some(elem))?;
                let v = self.coerce(v, elem, "the updated element")?;
                let site = self.division_site(aop, elem, span);
                out.push(TStmt::StoreUpdate {
                    place,
                    op: aop,
                    value: v,
                    site,
                });
            }
            _ => {
                return Err(Diagnostic::error(
                    target.span,
                    "cannot update this expression in a kernel",
                ));
            }
        }
        Ok(())
    }

    fn for_range(
        &mut self,
        target: &Expr,
        iter: &Expr,
        body: &[Stmt],
        orelse: &[Stmt],
        out: &mut Vec<TStmt>,
    ) -> Result<(), Diagnostic> {
        let ExprKind::Name(var) = &target.kind else {
            return Err(Diagnostic::error(
                target.span,
                "a kernel `for` loop binds one name: `for i in range(...)`",
            ));
        };
        let (parallel, args) = match iter.as_named_call() {
            Some((name @ ("range" | "prange"), args)) if (1..=3).contains(&args.len()) => {
                (name == "prange", args)
            }
            Some((name @ ("range" | "prange"), _)) => {
                return Err(Diagnostic::error(
                    iter.span,
                    format!("{name}() takes 1 to 3 arguments"),
                ));
            }
            _ => {
                return Err(Diagnostic::error(
                    iter.span,
                    "kernels loop only over `range(...)` or `prange(...)`",
                )
                .with_note("use `for i in range(n)`, or a while loop"));
            }
        };
        let races_allowed = self.prange_options(iter, parallel)?;
        if parallel && !orelse.is_empty() {
            return Err(Diagnostic::error(
                iter.span,
                "a `prange` loop has no `else` clause",
            ));
        }
        let existing = self.names.get(var).copied();
        let var_ty = match existing {
            Some(id) => Some(self.local_scalar(id, target.span)?),
            None => None,
        };
        // The loop variable's type: its own if it exists, else that of the non-literal bounds.
        let mut typed: Vec<Option<TExpr>> = Vec::new();
        for a in args {
            typed.push(if self.is_literal(a)? {
                None
            } else {
                Some(self.expr(a, var_ty)?)
            });
        }
        let ty = match var_ty {
            Some(t) => t,
            None => {
                let mut ty: Option<Scalar> = None;
                for t in typed.iter().flatten() {
                    ty = Some(match ty {
                        None => t.ty,
                        Some(prev) => super::types::arith_join(prev, t.ty).ok_or_else(|| {
                            Diagnostic::error(
                                t.span,
                                format!(
                                    "range() bounds of types `{prev}` and `{}` do not mix",
                                    t.ty
                                ),
                            )
                        })?,
                    });
                }
                ty.unwrap_or(Scalar::I32)
            }
        };
        if !ty.is_int() {
            return Err(Diagnostic::error(
                iter.span,
                format!("range() needs integer bounds, not `{ty}`"),
            ));
        }
        let mut vals = Vec::new();
        for (a, t) in args.iter().zip(typed) {
            let t = match t {
                Some(t) => t,
                None => self.expr(a, Some(ty))?,
            };
            vals.push(self.coerce(t, ty, "a range() bound")?);
        }
        let span = iter.span;
        let one = TExpr {
            kind: TExprKind::Int(1),
            ty,
            span,
        };
        let zero = self.zero(ty, span);
        let (start, stop, step) = match vals.len() {
            1 => (zero, vals.remove(0), one),
            2 => {
                let stop = vals.remove(1);
                (vals.remove(0), stop, one)
            }
            _ => {
                let step = vals.remove(2);
                let stop = vals.remove(1);
                (vals.remove(0), stop, step)
            }
        };
        let step_site = match step.kind {
            TExprKind::Int(0) => {
                return Err(Diagnostic::error(
                    step.span,
                    "range() step must not be zero",
                ));
            }
            TExprKind::Int(_) => None,
            _ => self.site(step.span, FaultKind::RangeStepZero),
        };
        let var_id = match existing {
            Some(id) => id,
            None => {
                let id = self.new_local(var, Type::Scalar(ty), false);
                self.names.insert(var.clone(), id);
                id
            }
        };
        if parallel {
            // Iterations of different threads touch different elements only if the
            // counter never wraps from the end of an axis and never repeats a value.
            if !matches!(start.kind, TExprKind::Int(0..)) {
                return Err(Diagnostic::error(
                    start.span,
                    "a `prange` starts at a literal of 0 or more",
                )
                .with_note("so that `a[i]` of different iterations are different elements; shift the index in the body instead"));
            }
            if !matches!(step.kind, TExprKind::Int(1..)) {
                return Err(Diagnostic::error(
                    step.span,
                    "a `prange` steps by a positive literal",
                ));
            }
            // `break`, `return` and jumps out of the body are refused here, at their
            // own lines (`check::races` refuses them too, for HIR built otherwise).
            self.loop_depth += 1;
            let outer = self.prange_depth.replace(self.loop_depth);
            let body = self.block(body);
            self.prange_depth = outer;
            self.loop_depth -= 1;
            out.push(TStmt::ParFor(Box::new(ParLoop {
                var: var_id,
                start,
                stop,
                step,
                body,
                captures: Vec::new(),
                privates: Vec::new(),
                reductions: Vec::new(),
                guards: Vec::new(),
                races_allowed,
                span,
            })));
            return Ok(());
        }
        self.loop_depth += 1;
        let body = self.block(body);
        self.loop_depth -= 1;
        let orelse = self.block(orelse);
        out.push(TStmt::ForRange {
            var: var_id,
            start,
            stop,
            step,
            step_site,
            body,
            orelse,
            guards: Vec::new(),
        });
        Ok(())
    }

    /// The keywords of `prange(...)`: `races="allow"` opts out of the race checks.
    fn prange_options(&self, iter: &Expr, parallel: bool) -> Result<bool, Diagnostic> {
        let ExprKind::Call { keywords, .. } = &iter.kind else {
            return Ok(false);
        };
        let mut allowed = false;
        for k in keywords {
            match (
                parallel,
                k.name.as_ref().map(|a| a.name.as_str()),
                &k.value.kind,
            ) {
                (true, Some("races"), ExprKind::Str(v)) if v == "allow" => allowed = true,
                (true, Some("races"), _) => {
                    return Err(Diagnostic::error(
                        k.value.span,
                        "`races` takes the string \"allow\"",
                    ));
                }
                _ => {
                    return Err(Diagnostic::error(k.value.span, "unknown keyword argument")
                        .with_note("`prange` takes `races=\"allow\"`; `range` takes none"));
                }
            }
        }
        Ok(allowed)
    }

    fn ret(&mut self, value: Option<&Expr>, span: Span) -> Result<TStmt, Diagnostic> {
        match (&self.sig.ret.clone(), value) {
            (Type::None, None) => Ok(TStmt::Return(None)),
            (
                Type::None,
                Some(Expr {
                    kind: ExprKind::NoneLit,
                    ..
                }),
            ) => Ok(TStmt::Return(None)),
            (Type::None, Some(v)) => Err(Diagnostic::error(
                v.span,
                format!(
                    "kernel `{}` is declared `-> None` and cannot return a value",
                    self.sig.name
                ),
            )),
            (Type::Scalar(s), None) => Err(Diagnostic::error(
                span,
                format!("kernel `{}` must return a `{s}`", self.sig.name),
            )),
            (Type::Scalar(s), Some(v)) => {
                let s = *s;
                let t = self.expr(v, Some(s))?;
                if !t.ty.widens_to(s) {
                    return Err(Diagnostic::error(
                        v.span,
                        format!(
                            "kernel `{}` returns `{s}`, but this is `{}`",
                            self.sig.name, t.ty
                        ),
                    )
                    .with_note(format!("convert with `{}(...)`", cast_hint(s))));
                }
                Ok(TStmt::Return(Some(self.convert(t, s))))
            }
            (Type::Array(_), _) => Err(Diagnostic::error(span, "kernels cannot return arrays")),
        }
    }

    /// Resolves `a[i, j]` / `a[i][j]` to an array place with checked indexes.
    pub fn place(&mut self, e: &Expr) -> Result<Place, Diagnostic> {
        let mut indices: Vec<&Expr> = Vec::new();
        let mut cur = e;
        while let ExprKind::Subscript { value, index } = &cur.kind {
            match &index.kind {
                ExprKind::Tuple(items) => drop(indices.splice(0..0, items.iter())),
                ExprKind::Slice { .. } => {
                    return Err(Diagnostic::error(
                        index.span,
                        "slices are not supported in kernels",
                    ));
                }
                _ => indices.insert(0, &**index),
            }
            cur = value;
        }
        let ExprKind::Name(name) = &cur.kind else {
            return Err(Diagnostic::error(
                cur.span,
                "only arrays can be indexed in kernels",
            ));
        };
        let Some(&array) = self.names.get(name) else {
            return Err(self.unknown_name(name, cur.span));
        };
        let Type::Array(ty) = self.locals[array.0 as usize].ty.clone() else {
            return Err(Diagnostic::error(
                cur.span,
                format!(
                    "`{name}` is `{}`, not an array",
                    self.locals[array.0 as usize].ty
                ),
            ));
        };
        if indices.len() != ty.dims.len() {
            return Err(Diagnostic::error(
                e.span,
                format!(
                    "`{name}` is `{ty}` and needs {} indexes, not {}",
                    ty.dims.len(),
                    indices.len()
                ),
            )
            .with_note(format!(
                "write `{name}[{}]`",
                (0..ty.dims.len())
                    .map(|k| ["i", "j", "k", "l"].get(k).copied().unwrap_or("x"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let mut t_indices = Vec::new();
        let mut sites = Vec::new();
        for (axis, idx) in indices.into_iter().enumerate() {
            let t = self.expr(idx, Some(Scalar::I64))?;
            if !t.ty.is_int() {
                return Err(Diagnostic::error(
                    idx.span,
                    format!("an index must be an integer, not `{}`", t.ty),
                ));
            }
            if let Some(s) = self.site(
                idx.span,
                FaultKind::IndexOutOfRange {
                    axis: axis as u32,
                    extent: ty.dims[axis].fixed(),
                    unsigned: !t.ty.is_signed(),
                },
            ) {
                sites.push(s);
            }
            t_indices.push(t);
        }
        let sites = if self.unchecked { None } else { Some(sites) };
        let n = t_indices.len();
        Ok(Place {
            array,
            ty,
            indices: t_indices,
            sites,
            known: vec![None; n],
            within: vec![false; n],
            guarded: vec![None; n],
            scaled: vec![None; n],
        })
    }

    pub fn unknown_name(&self, name: &str, span: Span) -> Diagnostic {
        let mut d = Diagnostic::error(span, format!("unknown name `{name}`"))
            .with_label("not a parameter, local or stage-0 constant");
        if let Some(kind) = self.def.opaque_globals.get(name) {
            d = Diagnostic::error(span, format!("`{name}` is a stage-0 {kind}; a kernel can only read stage-0 scalars (as constants)"))
                .with_note("splice it in with `splice(...)`, or pass it as a parameter");
        } else if self.assigned.contains(name) {
            d = Diagnostic::error(span, format!("`{name}` is used before it is assigned"));
        }
        d
    }

    /// An array `Type` for a local, if it is one.
    pub fn array_of(&self, id: LocalId) -> Option<ArrayType> {
        match &self.locals[id.0 as usize].ty {
            Type::Array(a) => Some(a.clone()),
            _ => None,
        }
    }
}

/// The conversion function that produces `ty`.
pub(super) fn cast_hint(ty: Scalar) -> &'static str {
    match ty {
        Scalar::I32 => "int",
        Scalar::F32 => "float",
        other => other.name(),
    }
}
