//! Checking expressions: literal typing, Python's promotions, builtins and calls.

use crate::ast::{BinOp, BoolOp, CmpOp, Expr, ExprKind, UnaryOp};
use crate::diag::Diagnostic;
use crate::source::Span;

use super::body::{KernelChecker, cast_hint};
use super::consts::{self, Lit};
use super::hir::*;
use super::types::{Extent, Scalar, Type, arith_join};

impl KernelChecker<'_> {
    /// Whether `e` folds to a literal (literals and stage-0 constants only).
    pub fn is_literal(&self, e: &Expr) -> Result<bool, Diagnostic> {
        Ok(self.fold(e)?.is_some())
    }

    fn fold(&self, e: &Expr) -> Result<Option<Lit>, Diagnostic> {
        consts::eval_in(e, &|n| self.constant(n))
    }

    /// Types a folded literal: from `expected` when it fits, else `int`/`float`/`bool`.
    fn literal(&self, lit: Lit, expected: Option<Scalar>, span: Span) -> Result<TExpr, Diagnostic> {
        let (kind, ty) = match lit {
            Lit::Bool(b) => (TExprKind::Bool(b), Scalar::Bool),
            Lit::Float(f) => {
                let ty = match expected {
                    Some(t) if t.is_float() => t,
                    _ => Scalar::F32,
                };
                (TExprKind::Float(float_value(f, ty)), ty)
            }
            Lit::Int(v) => match expected {
                Some(t) if t.is_float() => (TExprKind::Float(float_value(v as f64, t)), t),
                Some(t) if t.is_int() => {
                    let (lo, hi) = t.int_range();
                    if v < lo || v > hi {
                        return Err(Diagnostic::error(
                            span,
                            format!("the literal {v} does not fit in `{t}`"),
                        )
                        .with_note(format!("`{t}` holds {lo} to {hi}")));
                    }
                    (TExprKind::Int(v), t)
                }
                _ => {
                    let ty = [Scalar::I32, Scalar::I64, Scalar::U64]
                        .into_iter()
                        .find(|t| {
                            let (lo, hi) = t.int_range();
                            lo <= v && v <= hi
                        })
                        .ok_or_else(|| {
                            Diagnostic::error(
                                span,
                                format!("the integer literal {v} does not fit in 64 bits"),
                            )
                        })?;
                    (TExprKind::Int(v), ty)
                }
            },
        };
        Ok(TExpr { kind, ty, span })
    }

    /// The type a literal operand takes next to an operand of type `other`.
    fn literal_partner(lit: Lit, other: Scalar) -> Scalar {
        match lit {
            Lit::Float(_) if other.is_float() => other,
            Lit::Float(_) if other.bits() == 64 => Scalar::F64,
            Lit::Float(_) => Scalar::F32,
            Lit::Int(_) if other == Scalar::Bool => Scalar::I32,
            Lit::Int(_) => other,
            Lit::Bool(_) => Scalar::Bool,
        }
    }

    /// Inserts a conversion (no-op when the type already matches).
    pub fn convert(&self, t: TExpr, to: Scalar) -> TExpr {
        if t.ty == to {
            return t;
        }
        let span = t.span;
        match t.kind {
            // Retype literals in place so constants stay constants.
            TExprKind::Int(v)
                if to.is_int() && {
                    let (lo, hi) = to.int_range();
                    lo <= v && v <= hi
                } =>
            {
                TExpr {
                    kind: TExprKind::Int(v),
                    ty: to,
                    span,
                }
            }
            TExprKind::Int(v) if to.is_float() => TExpr {
                kind: TExprKind::Float(float_value(v as f64, to)),
                ty: to,
                span,
            },
            TExprKind::Float(f) if to.is_float() => TExpr {
                kind: TExprKind::Float(float_value(f, to)),
                ty: to,
                span,
            },
            _ => TExpr {
                kind: TExprKind::Cast(Box::new(t)),
                ty: to,
                span,
            },
        }
    }

    /// Converts implicitly where that loses nothing Python would keep, else explains.
    pub fn coerce(&self, t: TExpr, to: Scalar, what: &str) -> Result<TExpr, Diagnostic> {
        if t.ty.widens_to(to) {
            return Ok(self.convert(t, to));
        }
        Err(Diagnostic::error(
            t.span,
            format!("{what} must be `{to}`, but this is `{}`", t.ty),
        )
        .with_label(format!("`{}`", t.ty))
        .with_note(format!("convert explicitly with `{}(...)`", cast_hint(to))))
    }

    /// An expression whose value may be unused: calls of `-> None` functions are allowed.
    pub fn call_or_expr(&mut self, e: &Expr) -> Result<TExpr, Diagnostic> {
        if let ExprKind::Call {
            func,
            args,
            keywords,
        } = &e.kind
            && let Some(name) = func.as_name()
            && let Some(t) = self.user_call(name, args, keywords, e.span, true)?
        {
            return Ok(t);
        }
        self.expr(e, None)
    }

    pub fn expr(&mut self, e: &Expr, expected: Option<Scalar>) -> Result<TExpr, Diagnostic> {
        // Generated code can nest thousands of levels deep; grow the stack rather than overflow.
        stacker::maybe_grow(super::RED_ZONE, super::STACK_GROWTH, || {
            self.expr_inner(e, expected)
        })
    }

    fn expr_inner(&mut self, e: &Expr, expected: Option<Scalar>) -> Result<TExpr, Diagnostic> {
        if let Some(lit) = self.fold(e)? {
            return self.literal(lit, expected, e.span);
        }
        let span = e.span;
        match &e.kind {
            ExprKind::Name(name) => self.name(name, span),
            ExprKind::Subscript { value, index } if matches!(&value.kind, ExprKind::Attribute { attr, .. } if attr.name == "shape") => {
                self.shape(value, index, expected, span)
            }
            ExprKind::Subscript { .. } => {
                let place = self.place(e)?;
                let ty = place.ty.elem;
                Ok(TExpr { kind: TExprKind::Load(Box::new(place)), ty, span })
            }
            ExprKind::BinOp { op, left, right } => self.binop(*op, left, right, span),
            ExprKind::UnaryOp { op, operand } => self.unary(*op, operand, expected, span),
            ExprKind::Compare { left, ops, comparators } => self.compare(left, ops, comparators, span),
            ExprKind::BoolOp { op, values } => {
                let refs: Vec<&Expr> = values.iter().collect();
                let typed = self.join_all(&refs, expected, "`and`/`or` operands")?;
                let ty = typed[0].ty;
                Ok(TExpr { kind: TExprKind::BoolOp { and: *op == BoolOp::And, values: typed }, ty, span })
            }
            ExprKind::IfExp { test, body, orelse } => {
                let cond = self.expr(test, None)?;
                let cond = self.truthy(cond);
                let mut typed = self.join_all(&[&**body, &**orelse], expected, "the branches of a conditional expression")?;
                let orelse = typed.pop().expect("two branches");
                let then = typed.pop().expect("two branches");
                let ty = then.ty;
                Ok(TExpr { kind: TExprKind::IfExp { cond: Box::new(cond), then: Box::new(then), orelse: Box::new(orelse) }, ty, span })
            }
            ExprKind::Call { func, args, keywords } => self.call(func, args, keywords, expected, span),
            ExprKind::Str(_) => Err(Diagnostic::error(span, "strings exist only at stage 0; kernels have numbers, bools and arrays")),
            ExprKind::NoneLit => Err(Diagnostic::error(span, "`None` is not a value in kernels")),
            ExprKind::Unsupported(what) => Err(Diagnostic::error(span, format!("{what} is not supported in kernels"))),
            ExprKind::Lambda { .. } => Err(Diagnostic::error(span, "`lambda` is not supported in kernels")),
            ExprKind::List(_) | ExprKind::Tuple(_) | ExprKind::Dict { .. } | ExprKind::Set(_) => {
                Err(Diagnostic::error(span, "lists, tuples, dicts and sets exist only at stage 0")
                    .with_note("generate the code that uses them with a quote, or pass an array parameter"))
            }
            ExprKind::ListComp { .. } | ExprKind::SetComp { .. } | ExprKind::DictComp { .. } | ExprKind::GeneratorExp { .. } => {
                Err(Diagnostic::error(span, "comprehensions exist only at stage 0"))
            }
            ExprKind::FString(_) => Err(Diagnostic::error(span, "f-strings exist only at stage 0")),
            ExprKind::Attribute { .. } => Err(Diagnostic::error(span, "attributes are not supported in kernels (except `math.` functions)")),
            ExprKind::Starred(_) | ExprKind::Slice { .. } | ExprKind::Ellipsis => {
                Err(Diagnostic::error(span, "this expression is not supported in kernels"))
            }
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) => unreachable!("literals fold"),
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Result<TExpr, Diagnostic> {
        match self.names.get(name).copied() {
            Some(id) => match &self.locals[id.0 as usize].ty {
                Type::Scalar(s) => Ok(TExpr {
                    kind: TExprKind::Local(id),
                    ty: *s,
                    span,
                }),
                other => Err(Diagnostic::error(
                    span,
                    format!("`{name}` is `{other}`; index it, or pass it to a kernel"),
                )),
            },
            None => {
                if self.ctx.kernels.iter().any(|k| k.name == name)
                    || self.ctx.externs.iter().any(|k| k.name == name)
                {
                    return Err(Diagnostic::error(
                        span,
                        format!("`{name}` is a function; call it"),
                    ));
                }
                Err(self.unknown_name(name, span))
            }
        }
    }

    /// Types several expressions to one common type (literals adopt it).
    fn join_all(
        &mut self,
        es: &[&Expr],
        expected: Option<Scalar>,
        what: &str,
    ) -> Result<Vec<TExpr>, Diagnostic> {
        let mut typed: Vec<Option<TExpr>> = Vec::new();
        let mut ty: Option<Scalar> = None;
        let mut lits = Vec::new();
        for e in es {
            if let Some(l) = self.fold(e)? {
                lits.push(l);
                typed.push(None);
                continue;
            }
            let t = self.expr(e, expected)?;
            ty = Some(match ty {
                None => t.ty,
                Some(prev) if prev == Scalar::Bool && t.ty == Scalar::Bool => Scalar::Bool,
                Some(prev) => arith_join(prev, t.ty).ok_or_else(|| {
                    Diagnostic::error(
                        t.span,
                        format!("{what} have types `{prev}` and `{}` that do not mix", t.ty),
                    )
                })?,
            });
            typed.push(Some(t));
        }
        let ty = match ty {
            Some(t) => lits.iter().fold(t, |acc, &l| {
                let p = Self::literal_partner(l, acc);
                if acc.widens_to(p) && !(acc.is_float() && p.is_int()) {
                    p
                } else {
                    acc
                }
            }),
            None => match expected {
                Some(t) => t,
                None => {
                    // All literals: the widest of their default types.
                    let mut t = None;
                    for (e, l) in es.iter().zip(lits.iter()) {
                        let lt = self.literal(*l, None, e.span)?.ty;
                        t = Some(match t {
                            None => lt,
                            Some(Scalar::Bool) if lt == Scalar::Bool => Scalar::Bool,
                            Some(p) => arith_join(p, lt).unwrap_or(lt),
                        });
                    }
                    t.unwrap_or(Scalar::I32)
                }
            },
        };
        let mut out = Vec::new();
        for (e, t) in es.iter().zip(typed) {
            let t = match t {
                Some(t) => t,
                None => self.expr(e, Some(ty))?,
            };
            out.push(self.coerce(t, ty, what)?);
        }
        Ok(out)
    }

    fn binop(
        &mut self,
        op: BinOp,
        left: &Expr,
        right: &Expr,
        span: Span,
    ) -> Result<TExpr, Diagnostic> {
        if op == BinOp::Pow {
            return self.pow(left, right, span);
        }
        if op == BinOp::MatMul {
            return Err(Diagnostic::error(span, "`@` is not supported in kernels"));
        }
        let aop = ArithOp::from_binop(op).expect("not pow/matmul");
        // A shift count keeps its own type: `(x: i8) << 260` shifts by 260, not by 4.
        let (l, r) = if matches!(aop, ArithOp::LShift | ArithOp::RShift) {
            (self.expr(left, None)?, self.expr(right, None)?)
        } else {
            self.operands(left, right)?
        };
        let bad = |l: &TExpr, r: &TExpr| {
            Diagnostic::error(
                span,
                format!("`{}` cannot combine `{}` and `{}`", op.symbol(), l.ty, r.ty),
            )
            .with_note("convert one side explicitly, e.g. `i64(x)` or `f64(x)`")
        };
        match aop {
            ArithOp::LShift | ArithOp::RShift => {
                if !l.ty.is_int() || !r.ty.is_int() {
                    return Err(bad(&l, &r));
                }
                let ty = l.ty;
                Ok(TExpr {
                    kind: TExprKind::Arith {
                        op: aop,
                        left: Box::new(l),
                        right: Box::new(r),
                        site: None,
                    },
                    ty,
                    span,
                })
            }
            ArithOp::BitAnd | ArithOp::BitOr | ArithOp::BitXor => {
                if l.ty == Scalar::Bool && r.ty == Scalar::Bool {
                    return Ok(TExpr {
                        kind: TExprKind::Arith {
                            op: aop,
                            left: Box::new(l),
                            right: Box::new(r),
                            site: None,
                        },
                        ty: Scalar::Bool,
                        span,
                    });
                }
                let ty = arith_join(l.ty, r.ty)
                    .filter(|t| t.is_int())
                    .ok_or_else(|| bad(&l, &r))?;
                let (l, r) = (self.convert(l, ty), self.convert(r, ty));
                Ok(TExpr {
                    kind: TExprKind::Arith {
                        op: aop,
                        left: Box::new(l),
                        right: Box::new(r),
                        site: None,
                    },
                    ty,
                    span,
                })
            }
            ArithOp::FDiv => {
                let ty = match arith_join(l.ty, r.ty).ok_or_else(|| bad(&l, &r))? {
                    t if t.is_float() => t,
                    _ if l.ty.bits() == 64 || r.ty.bits() == 64 => Scalar::F64,
                    _ => Scalar::F32,
                };
                let (l, r) = (self.convert(l, ty), self.convert(r, ty));
                Ok(TExpr {
                    kind: TExprKind::Arith {
                        op: aop,
                        left: Box::new(l),
                        right: Box::new(r),
                        site: None,
                    },
                    ty,
                    span,
                })
            }
            _ => {
                let ty = arith_join(l.ty, r.ty).ok_or_else(|| bad(&l, &r))?;
                let site = self.division_site(aop, ty, span);
                let (l, r) = (self.convert(l, ty), self.convert(r, ty));
                Ok(TExpr {
                    kind: TExprKind::Arith {
                        op: aop,
                        left: Box::new(l),
                        right: Box::new(r),
                        site,
                    },
                    ty,
                    span,
                })
            }
        }
    }

    /// Types two operands; a literal takes the type of the other side.
    fn operands(&mut self, left: &Expr, right: &Expr) -> Result<(TExpr, TExpr), Diagnostic> {
        match (self.fold(left)?, self.fold(right)?) {
            (Some(ll), None) => {
                let r = self.expr(right, None)?;
                let l = self.literal(ll, Some(Self::literal_partner(ll, r.ty)), left.span)?;
                Ok((l, r))
            }
            (None, Some(rl)) => {
                let l = self.expr(left, None)?;
                let r = self.literal(rl, Some(Self::literal_partner(rl, l.ty)), right.span)?;
                Ok((l, r))
            }
            _ => Ok((self.expr(left, None)?, self.expr(right, None)?)),
        }
    }

    fn pow(&mut self, left: &Expr, right: &Expr, span: Span) -> Result<TExpr, Diagnostic> {
        match self.fold(right)? {
            Some(Lit::Int(n)) => {
                let base = self.expr(left, None)?;
                let exp = i64::try_from(n)
                    .ok()
                    // `unsigned_abs`: `abs` of `i64::MIN` overflows.
                    .filter(|n| n.unsigned_abs() <= 1 << 20)
                    .ok_or_else(|| {
                        Diagnostic::error(right.span, format!("the exponent {n} is too large"))
                    })?;
                let base = if exp < 0 && !base.ty.is_float() {
                    // Python: an int to a negative power is a float.
                    let to = if base.ty.bits() == 64 {
                        Scalar::F64
                    } else {
                        Scalar::F32
                    };
                    self.convert(base, to)
                } else if base.ty == Scalar::Bool {
                    self.convert(base, Scalar::I32)
                } else {
                    base
                };
                let ty = base.ty;
                Ok(TExpr {
                    kind: TExprKind::PowInt {
                        base: Box::new(base),
                        exp,
                    },
                    ty,
                    span,
                })
            }
            _ => {
                let (l, r) = self.operands(left, right)?;
                let ty = match arith_join(l.ty, r.ty) {
                    Some(t) if t.is_float() => t,
                    _ => {
                        return Err(Diagnostic::error(
                            span,
                            "`**` needs a constant integer exponent, or float operands",
                        )
                        .with_note("e.g. `x ** 3`, or `float(x) ** y`"));
                    }
                };
                let args = vec![self.convert(l, ty), self.convert(r, ty)];
                Ok(TExpr {
                    kind: TExprKind::Intrinsic {
                        op: Intrinsic::Pow,
                        args,
                    },
                    ty,
                    span,
                })
            }
        }
    }

    fn unary(
        &mut self,
        op: UnaryOp,
        operand: &Expr,
        expected: Option<Scalar>,
        span: Span,
    ) -> Result<TExpr, Diagnostic> {
        // `not x` is a bool whatever the context wants: its operand takes no type from
        // the target (`x: i8 = not (300 or 4)` is False, not a literal 300 in an i8).
        let expected = if op == UnaryOp::Not { None } else { expected };
        let t = self.expr(operand, expected)?;
        match op {
            UnaryOp::Pos => Ok(t),
            UnaryOp::Not => {
                let t = self.truthy(t);
                Ok(TExpr {
                    kind: TExprKind::Not(Box::new(t)),
                    ty: Scalar::Bool,
                    span,
                })
            }
            UnaryOp::Neg => {
                let t = if t.ty == Scalar::Bool {
                    self.convert(t, Scalar::I32)
                } else {
                    t
                };
                let ty = t.ty;
                Ok(TExpr {
                    kind: TExprKind::Neg(Box::new(t)),
                    ty,
                    span,
                })
            }
            UnaryOp::Invert => {
                let t = if t.ty == Scalar::Bool {
                    self.convert(t, Scalar::I32)
                } else {
                    t
                };
                if !t.ty.is_int() {
                    return Err(Diagnostic::error(
                        span,
                        format!("`~` needs an integer, not `{}`", t.ty),
                    ));
                }
                let ty = t.ty;
                Ok(TExpr {
                    kind: TExprKind::Invert(Box::new(t)),
                    ty,
                    span,
                })
            }
        }
    }

    fn compare(
        &mut self,
        left: &Expr,
        ops: &[CmpOp],
        comparators: &[Expr],
        span: Span,
    ) -> Result<TExpr, Diagnostic> {
        for op in ops {
            if matches!(op, CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot) {
                return Err(Diagnostic::error(
                    span,
                    format!("`{}` is not supported in kernels", op.symbol()),
                ));
            }
        }
        let mut all: Vec<&Expr> = vec![left];
        all.extend(comparators.iter());
        let operands = self.join_all(&all, None, "compared values")?;
        let ty = operands[0].ty;
        Ok(TExpr {
            kind: TExprKind::Compare {
                operands,
                ops: ops.iter().map(|&o| (o, ty)).collect(),
            },
            ty: Scalar::Bool,
            span,
        })
    }

    fn call(
        &mut self,
        func: &Expr,
        args: &[Expr],
        keywords: &[crate::ast::Keyword],
        expected: Option<Scalar>,
        span: Span,
    ) -> Result<TExpr, Diagnostic> {
        if let Some(k) = keywords.first() {
            return Err(Diagnostic::error(
                k.span,
                "keyword arguments are not supported in kernels",
            ));
        }
        let name = match &func.kind {
            ExprKind::Name(n) => n.as_str(),
            ExprKind::Attribute { value, attr } if value.as_name() == Some("math") => {
                return self.math(&attr.name, args, span).unwrap_or_else(|| {
                    Err(Diagnostic::error(
                        attr.span,
                        format!("`math.{}` is not available in kernels", attr.name),
                    ))
                });
            }
            _ => {
                return Err(Diagnostic::error(
                    func.span,
                    "only named functions can be called in kernels",
                ));
            }
        };
        if let Some(t) = self.user_call(name, args, keywords, span, false)? {
            return Ok(t);
        }
        if let Some(to) = cast_target(name) {
            let [arg] = args else {
                return Err(Diagnostic::error(
                    span,
                    format!("`{name}(...)` takes one argument"),
                ));
            };
            if let Some(lit) = self.fold(arg)? {
                // `i64(3000000000)`, `float(1)`: a literal of that type.
                // A conversion of a constant gives what the run-time conversion would:
                // floats saturate into an integer type, integers wrap to its width.
                let lit = if to == Scalar::Bool {
                    lit
                } else {
                    cast_constant(lit, to)
                };
                if to == Scalar::Bool {
                    let t = self.literal(lit, None, span)?;
                    return Ok(self.truthy(t));
                }
                return self.literal(lit, Some(to), span);
            }
            let t = self.expr(arg, None)?;
            if to == Scalar::Bool {
                return Ok(self.truthy(t));
            }
            return Ok(TExpr {
                kind: TExprKind::Cast(Box::new(t)),
                ty: to,
                span,
            });
        }
        match name {
            "abs" => {
                let [arg] = args else { return Err(Diagnostic::error(span, "abs() takes one argument")) };
                let t = self.expr(arg, expected)?;
                let t = if t.ty == Scalar::Bool { self.convert(t, Scalar::I32) } else { t };
                let ty = t.ty;
                Ok(TExpr { kind: TExprKind::Intrinsic { op: Intrinsic::Abs, args: vec![t] }, ty, span })
            }
            "min" | "max" => {
                if args.len() < 2 {
                    return Err(Diagnostic::error(span, format!("{name}() takes two or more numbers in a kernel")));
                }
                let refs: Vec<&Expr> = args.iter().collect();
                let typed = self.join_all(&refs, expected, &format!("the arguments of {name}()"))?;
                let ty = typed[0].ty;
                let op = if name == "min" { Intrinsic::Min } else { Intrinsic::Max };
                Ok(TExpr { kind: TExprKind::Intrinsic { op, args: typed }, ty, span })
            }
            "round" => {
                let [arg] = args else { return Err(Diagnostic::error(span, "round() takes one argument in a kernel")) };
                let t = self.expr(arg, None)?;
                if !t.ty.is_float() {
                    return Ok(t);
                }
                let to = if t.ty == Scalar::F64 { Scalar::I64 } else { Scalar::I32 };
                let ty = t.ty;
                let r = TExpr { kind: TExprKind::Intrinsic { op: Intrinsic::RoundEven, args: vec![t] }, ty, span };
                Ok(TExpr { kind: TExprKind::Cast(Box::new(r)), ty: to, span })
            }
            "len" => {
                let [Expr { kind: ExprKind::Name(a), span: aspan }] = args else {
                    return Err(Diagnostic::error(span, "len() takes an array in a kernel"));
                };
                let id = *self.names.get(a).ok_or_else(|| self.unknown_name(a, *aspan))?;
                self.extent(id, a, 0, *aspan, expected, span)
            }
            "label" | "goto" => Err(Diagnostic::error(span, format!("`{name}(...)` is a statement, not a value"))),
            "splice" | "q" => Err(Diagnostic::error(span, format!("`{name}` was left after staging; is it inside a string?"))),
            "print" => Err(Diagnostic::error(span, "print() exists only at stage 0")
                .with_note("in a kernel, declare an extern such as `@extern def putchar(c: int) -> int: ...`")),
            "range" => Err(Diagnostic::error(span, "range() is only allowed as the iterable of a `for` loop")),
            _ => match self.math(name, args, span) {
                Some(r) => r,
                None => Err(Diagnostic::error(func.span, format!("unknown function `{name}`"))
                    .with_note("kernels call other @compile kernels, @extern functions, casts and math functions")),
            },
        }
    }

    /// `a.shape[k]` with a literal `k`, as in NumPy.
    fn shape(
        &mut self,
        value: &Expr,
        index: &Expr,
        expected: Option<Scalar>,
        span: Span,
    ) -> Result<TExpr, Diagnostic> {
        let ExprKind::Attribute { value: base, .. } = &value.kind else {
            return Err(Diagnostic::error(value.span, "expected `a.shape`"));
        };
        let Expr {
            kind: ExprKind::Name(a),
            span: aspan,
        } = &**base
        else {
            return Err(Diagnostic::error(
                base.span,
                "`.shape` is taken of an array name in kernels",
            ));
        };
        let id = *self
            .names
            .get(a)
            .ok_or_else(|| self.unknown_name(a, *aspan))?;
        let axis = match self.fold(index)? {
            Some(Lit::Int(k)) => k,
            _ => {
                return Err(Diagnostic::error(
                    index.span,
                    "the axis of `.shape[...]` must be an integer known at compile time",
                )
                .with_note(format!("write e.g. `{a}.shape[0]`")));
            }
        };
        self.extent(id, a, axis, *aspan, expected, span)
    }

    /// The extent of axis `axis` of array `id`: a literal for a fixed axis, the `i64` the
    /// caller passed for a `:` axis. Negative axes count from the end, as in NumPy.
    fn extent(
        &mut self,
        id: LocalId,
        name: &str,
        axis: i128,
        aspan: Span,
        expected: Option<Scalar>,
        span: Span,
    ) -> Result<TExpr, Diagnostic> {
        let arr = self
            .array_of(id)
            .ok_or_else(|| Diagnostic::error(aspan, format!("`{name}` is not an array")))?;
        let rank = arr.dims.len() as i128;
        let k = if axis < 0 { axis + rank } else { axis };
        if !(0..rank).contains(&k) {
            return Err(Diagnostic::error(
                span,
                format!("`{name}` is `{arr}` and has no axis {axis}"),
            )
            .with_note(format!("its axes are 0 to {}", rank - 1)));
        }
        match arr.dims[k as usize] {
            Extent::Fixed(n) => self.literal(
                Lit::Int(i128::from(n)),
                expected.filter(|t| t.is_int()),
                span,
            ),
            Extent::Runtime => Ok(TExpr {
                kind: TExprKind::Extent {
                    array: id,
                    axis: k as u32,
                },
                ty: Scalar::I64,
                span,
            }),
        }
    }

    /// Calls of kernels and externs of this module. `as_stmt` allows `-> None` callees.
    fn user_call(
        &mut self,
        name: &str,
        args: &[Expr],
        keywords: &[crate::ast::Keyword],
        span: Span,
        as_stmt: bool,
    ) -> Result<Option<TExpr>, Diagnostic> {
        if self.names.contains_key(name) {
            return Ok(None);
        }
        let (callee, params, ret): (Callee, Vec<Type>, Type) =
            if let Some(i) = self.ctx.kernels.iter().position(|k| k.name == name) {
                let k = &self.ctx.kernels[i];
                (
                    Callee::Kernel(i),
                    k.params.iter().map(|(_, t)| t.clone()).collect(),
                    k.ret.clone(),
                )
            } else if let Some(i) = self.ctx.externs.iter().position(|k| k.name == name) {
                let x = &self.ctx.externs[i];
                (
                    Callee::Extern(i),
                    x.params.iter().map(|&s| Type::Scalar(s)).collect(),
                    x.ret.clone(),
                )
            } else {
                return Ok(None);
            };
        if let Some(k) = keywords.first() {
            return Err(Diagnostic::error(
                k.span,
                "keyword arguments are not supported in kernels",
            ));
        }
        if args.len() != params.len() {
            return Err(Diagnostic::error(
                span,
                format!(
                    "`{name}` takes {} argument(s), {} given",
                    params.len(),
                    args.len()
                ),
            ));
        }
        let mut targs = Vec::new();
        for (a, p) in args.iter().zip(&params) {
            match p {
                Type::Scalar(s) => {
                    let t = self.expr(a, Some(*s))?;
                    targs.push(Arg::Scalar(self.coerce(
                        t,
                        *s,
                        &format!("this argument of `{name}`"),
                    )?));
                }
                Type::Array(want) => {
                    let id = a.as_name().and_then(|n| self.names.get(n).copied());
                    // The same array twice is refused after checking, where it is
                    // written (`check::refuse_written_overlaps`): only then is it known.
                    match id.and_then(|id| self.array_of(id).map(|t| (id, t))) {
                        Some((id, have)) if have.passes_as(want) => targs.push(Arg::Array(id)),
                        Some((_, have)) => {
                            let mut d = Diagnostic::error(
                                a.span,
                                format!("`{name}` expects `{want}`, but this is `{have}`"),
                            );
                            if have.elem == want.elem && have.dims.len() == want.dims.len() {
                                d = d.with_note("an array with a `:` extent passes only where the parameter's extent is `:` too; declare the parameter with `:`");
                            }
                            return Err(d);
                        }
                        None => {
                            return Err(Diagnostic::error(
                                a.span,
                                format!("`{name}` expects an array `{want}` here"),
                            ));
                        }
                    }
                }
                Type::None => unreachable!("parameters are never None"),
            }
        }
        let ty = match &ret {
            Type::Scalar(s) => *s,
            Type::None if as_stmt => Scalar::Bool,
            _ => {
                return Err(Diagnostic::error(
                    span,
                    format!("`{name}` returns nothing; its result cannot be used"),
                ));
            }
        };
        Ok(Some(TExpr {
            kind: TExprKind::Call {
                callee,
                args: targs,
                ret,
            },
            ty,
            span,
        }))
    }

    fn math(&mut self, name: &str, args: &[Expr], span: Span) -> Option<Result<TExpr, Diagnostic>> {
        use Intrinsic::*;
        let (op, arity, to_int) = match name {
            "sqrt" => (Sqrt, 1, false),
            "exp" => (Exp, 1, false),
            "log" => (Log, 1, false),
            "log2" => (Log2, 1, false),
            "log10" => (Log10, 1, false),
            "sin" => (Sin, 1, false),
            "cos" => (Cos, 1, false),
            "tan" => (Tan, 1, false),
            "asin" => (Asin, 1, false),
            "acos" => (Acos, 1, false),
            "atan" => (Atan, 1, false),
            "atan2" => (Atan2, 2, false),
            "sinh" => (Sinh, 1, false),
            "cosh" => (Cosh, 1, false),
            "tanh" => (Tanh, 1, false),
            "pow" => (Pow, 2, false),
            "fabs" => (Fabs, 1, false),
            "copysign" => (CopySign, 2, false),
            "hypot" => (Hypot, 2, false),
            "fmod" => (Fmod, 2, false),
            "floor" => (Floor, 1, true),
            "ceil" => (Ceil, 1, true),
            "trunc" => (Trunc, 1, true),
            "isnan" => (IsNan, 1, false),
            "isinf" => (IsInf, 1, false),
            _ => return None,
        };
        Some((|| {
            if args.len() != arity {
                return Err(Diagnostic::error(
                    span,
                    format!("{name}() takes {arity} argument(s)"),
                ));
            }
            let refs: Vec<&Expr> = args.iter().collect();
            let typed = self.join_all(&refs, None, &format!("the arguments of {name}()"))?;
            let ty = match typed[0].ty {
                t if t.is_float() => t,
                t if t.bits() == 64 => Scalar::F64,
                _ => Scalar::F32,
            };
            let typed: Vec<TExpr> = typed.into_iter().map(|t| self.convert(t, ty)).collect();
            let result_ty = if matches!(op, IsNan | IsInf) {
                Scalar::Bool
            } else {
                ty
            };
            let t = TExpr {
                kind: TExprKind::Intrinsic { op, args: typed },
                ty: result_ty,
                span,
            };
            if to_int {
                // Python's math.floor/ceil/trunc give ints.
                let to = if ty == Scalar::F64 {
                    Scalar::I64
                } else {
                    Scalar::I32
                };
                return Ok(TExpr {
                    kind: TExprKind::Cast(Box::new(t)),
                    ty: to,
                    span,
                });
            }
            Ok(t)
        })())
    }
}

/// The value of `to(lit)` computed as the run-time conversion does it.
fn cast_constant(lit: Lit, to: Scalar) -> Lit {
    if to.is_float() {
        return match lit {
            Lit::Int(v) => Lit::Float(v as f64),
            Lit::Bool(b) => Lit::Float(b as i32 as f64),
            f => f,
        };
    }
    let (lo, hi) = to.int_range();
    match lit {
        Lit::Bool(b) => Lit::Int(b as i128),
        Lit::Float(f) if f.is_nan() => Lit::Int(0),
        Lit::Float(f) => Lit::Int((f.trunc() as i128).clamp(lo, hi)),
        Lit::Int(v) => {
            let bits = to.bits();
            let m = v.rem_euclid(1i128 << bits);
            Lit::Int(if to.is_signed() && m > hi {
                m - (1i128 << bits)
            } else {
                m
            })
        }
    }
}

/// A float constant as a value of `ty`: an f32 literal holds the f32 nearest the text,
/// exactly as a variable of that type would (widening it later keeps that value).
fn float_value(f: f64, ty: Scalar) -> f64 {
    if ty == Scalar::F32 {
        f as f32 as f64
    } else {
        f
    }
}

/// `int(x)`, `float(x)`, `i64(x)`, ...: the type a conversion call produces.
fn cast_target(name: &str) -> Option<Scalar> {
    match name {
        "int" => Some(Scalar::I32),
        "float" => Some(Scalar::F32),
        "bool" => Some(Scalar::Bool),
        other => Scalar::from_annotation(other),
    }
}
