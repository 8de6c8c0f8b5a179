//! Quotes and splices: `q("...")` parses its text into a code value; `splice(e)` (in a
//! kernel or in a quote's text) inserts what `e` evaluates to. Inserting a code value
//! clones it and re-stamps every span with the splice site, so diagnostics in generated
//! code can show the chain "quote built here, spliced there".
//!
//! Cross-stage persistence: in a quote's text, a name that is not assigned by the quote
//! itself and is bound in an enclosing *function* scope at stage 0 is replaced by its
//! value (scalars become literals, expression code values are spliced in).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::interp::{Interp, Res, Scope, with_stack};
use super::value::{CodeBody, MAX_CODE_DEPTH, Value, repr, with_stack_for_depth};
use super::walk::{self, NameUse, Size};
use crate::ast::*;
use crate::diag::Diagnostic;
use crate::parse;
use crate::source::{ExpnId, SourceKind, Span};

/// How to expand one piece of code: where its splices are evaluated and which names may
/// be lifted from stage 0.
pub struct Expander {
    /// The stage-0 scope splices are evaluated in.
    pub env: Rc<Scope>,
    /// Whether free names are lifted from enclosing function scopes.
    pub lift: bool,
    /// Names the code itself assigns (never lifted).
    pub locals: HashSet<String>,
}

impl Expander {
    /// An expander for `env`, lifting only if `env` lies inside a function; `locals` are
    /// the names the code assigns anywhere (those stay kernel variables).
    pub fn new(env: &Rc<Scope>, locals: HashSet<String>) -> Expander {
        Expander {
            env: env.clone(),
            lift: !env.is_module(),
            locals,
        }
    }
}

/// The names `stmts` (and `params`) assign: they belong to the generated code.
pub fn assigned_names(stmts: &[Stmt], params: &[Param]) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut add = |n: &str, u: NameUse| {
        if u == NameUse::Store {
            out.insert(n.to_string());
        }
    };
    walk::names_in_params(params, &mut add);
    walk::names_in_stmts(stmts, &mut add);
    out
}

impl<'a> Interp<'a> {
    /// `q(text)`: parses `text` as code in the scope `env` where `q` is called.
    pub fn quote(&mut self, text: &Value, call: Span, env: &Rc<Scope>) -> Res<Value> {
        let Value::Str(s) = text else {
            return Err(self.fail(
                call,
                format!(
                    "q() needs a str holding Python code, not {}",
                    text.type_name()
                ),
            ));
        };
        let text = s.as_str().to_string();
        self.check_memory(call, text.len())?;
        self.quote_bytes += text.len() + 64;
        self.tick_n(call, (text.len() / 16) as u64)?;
        let source = self.map.add(
            "<quote>",
            text.as_str(),
            SourceKind::Quote { built_at: call },
        );
        let module = match parse::parse_module(self.map, source) {
            Ok(m) => m,
            Err(parse::ParseError(inner)) => {
                let detail = inner
                    .message
                    .strip_prefix("syntax error: ")
                    .unwrap_or(&inner.message)
                    .to_string();
                let mut diag =
                    Diagnostic::error(call, format!("syntax error in quoted code: {detail}"))
                        .with_label("in the quote built here");
                if let Some(at) = inner.span {
                    let (line, col) = self.map.get(source).line_col(at.lo);
                    diag = diag
                        .with_secondary(at, "the quoted text is not valid Python here")
                        .with_note(format!("at line {line}, column {col} of the quoted text"));
                }
                return Err(self.fail_diag(diag));
            }
        };
        let one_expression = matches!(
            &module.body[..],
            [Stmt {
                kind: StmtKind::Expr(_),
                ..
            }]
        );
        let ex = Expander::new(env, assigned_names(&module.body, &[]));
        let mut stmts = self.expand_stmts(&ex, module.body)?;
        let body = match (one_expression, stmts.len()) {
            (true, 1) if matches!(stmts[0].kind, StmtKind::Expr(_)) => match stmts.pop() {
                Some(Stmt {
                    kind: StmtKind::Expr(e),
                    ..
                }) => CodeBody::Expr(e),
                _ => CodeBody::Stmts(Vec::new()),
            },
            _ => CodeBody::Stmts(stmts),
        };
        let size = match &body {
            CodeBody::Expr(e) => walk::measure_expr(e),
            CodeBody::Stmts(s) => walk::measure_stmts(s),
        };
        // Wrapped first, so that even a refused tree is dropped on a large enough stack.
        let code = Value::code(body, size.nodes, size.depth);
        self.check_code_size(size, call)?;
        self.check_memory(call, 0)?;
        Ok(code)
    }

    /// Fails if code of this size exceeds the code-size limit or nests too deeply.
    pub fn check_code_size(&self, size: Size, span: Span) -> Res<()> {
        if size.nodes > self.limits.max_code_nodes {
            return Err(self.fail(
                span,
                format!(
                    "generated code too large: {} nodes, limit {}",
                    size.nodes, self.limits.max_code_nodes
                ),
            ));
        }
        if size.depth > MAX_CODE_DEPTH {
            return Err(self.fail(
                span,
                format!(
                    "generated code nested too deeply: {} levels, limit {MAX_CODE_DEPTH}",
                    size.depth
                ),
            ));
        }
        Ok(())
    }

    /// Expands splices (and lifts names) in a statement list.
    pub fn expand_stmts(&mut self, ex: &Expander, stmts: Vec<Stmt>) -> Res<Vec<Stmt>> {
        let mut out = Vec::with_capacity(stmts.len());
        for stmt in stmts {
            self.expand_stmt(ex, stmt, &mut out)?;
        }
        Ok(out)
    }

    fn expand_stmt(&mut self, ex: &Expander, mut stmt: Stmt, out: &mut Vec<Stmt>) -> Res<()> {
        if let StmtKind::Expr(e) = &stmt.kind {
            // `splice(e)` as a statement: statement lists are welcome here.
            if let Some(("splice", args)) = e.as_named_call() {
                let site = e.span;
                let v = self.eval_splice_arg(e, args, &ex.env)?;
                return self.insert_statements(v, site, out);
            }
            // A lifted name holding statements, standing alone as a statement.
            if let Some(name) = e.as_name()
                && let Some(v) = self.liftable(ex, name)
                && matches!(&v, Value::Code(c) if matches!(c.body, CodeBody::Stmts(_)))
            {
                return self.insert_statements(v, e.span, out);
            }
        }
        with_stack(|| self.expand_stmt_children(ex, &mut stmt))?;
        out.push(stmt);
        Ok(())
    }

    fn expand_stmt_children(&mut self, ex: &Expander, stmt: &mut Stmt) -> Res<()> {
        match &mut stmt.kind {
            StmtKind::Expr(e) => self.expand_expr(ex, e)?,
            StmtKind::Assign { targets, value } => {
                for t in targets {
                    self.expand_target(ex, t)?;
                }
                self.expand_expr(ex, value)?;
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expand_target(ex, target)?;
                self.expand_expr(ex, value)?;
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
            } => {
                self.expand_target(ex, target)?;
                self.expand_expr(ex, annotation)?;
                if let Some(v) = value {
                    self.expand_expr(ex, v)?;
                }
            }
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                self.expand_expr(ex, test)?;
                *body = self.expand_stmts(ex, std::mem::take(body))?;
                *orelse = self.expand_stmts(ex, std::mem::take(orelse))?;
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.expand_target(ex, target)?;
                self.expand_expr(ex, iter)?;
                *body = self.expand_stmts(ex, std::mem::take(body))?;
                *orelse = self.expand_stmts(ex, std::mem::take(orelse))?;
            }
            StmtKind::Return(Some(v)) => self.expand_expr(ex, v)?,
            StmtKind::FunctionDef(def) => {
                let def = Rc::make_mut(def);
                self.expand_params(ex, &mut def.params)?;
                if let Some(r) = &mut def.returns {
                    self.expand_expr(ex, r)?;
                }
                for d in &mut def.decorators {
                    self.expand_expr(ex, d)?;
                }
                def.body = self.expand_stmts(ex, std::mem::take(&mut def.body))?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Expands annotations and defaults of parameters.
    pub fn expand_params(&mut self, ex: &Expander, params: &mut [Param]) -> Res<()> {
        for p in params {
            if let Some(a) = &mut p.annotation {
                self.expand_expr(ex, a)?;
            }
            if let Some(d) = &mut p.default {
                self.expand_expr(ex, d)?;
            }
        }
        Ok(())
    }

    /// An assignment target: names stay, but subscripts and attributes read values.
    fn expand_target(&mut self, ex: &Expander, t: &mut Expr) -> Res<()> {
        match &mut t.kind {
            ExprKind::Name(_) => Ok(()),
            ExprKind::Tuple(xs) | ExprKind::List(xs) => {
                for x in xs {
                    self.expand_target(ex, x)?;
                }
                Ok(())
            }
            ExprKind::Starred(inner) => self.expand_target(ex, inner),
            _ => self.expand_expr(ex, t),
        }
    }

    /// Expands splices (and lifts names) in an expression, in place.
    pub fn expand_expr(&mut self, ex: &Expander, e: &mut Expr) -> Res<()> {
        if let Some(("splice", args)) = e.as_named_call() {
            let site = e.span;
            let v = self.eval_splice_arg(e, args, &ex.env)?;
            *e = self.insert_expression(v, site)?;
            return Ok(());
        }
        if let ExprKind::Name(name) = &e.kind {
            if let Some(v) = self.liftable(ex, name) {
                let name = name.clone();
                *e = self.lift(&name, v, e.span)?;
            }
            return Ok(());
        }
        with_stack(|| self.expand_expr_children(ex, e))
    }

    fn expand_expr_children(&mut self, ex: &Expander, e: &mut Expr) -> Res<()> {
        match &mut e.kind {
            ExprKind::BinOp { left, right, .. } => {
                self.expand_expr(ex, left)?;
                self.expand_expr(ex, right)?;
            }
            ExprKind::UnaryOp { operand, .. } => self.expand_expr(ex, operand)?,
            ExprKind::BoolOp { values, .. } => {
                for v in values {
                    self.expand_expr(ex, v)?;
                }
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.expand_expr(ex, left)?;
                for c in comparators {
                    self.expand_expr(ex, c)?;
                }
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.expand_expr(ex, func)?;
                for a in args {
                    self.expand_expr(ex, a)?;
                }
                for k in keywords {
                    self.expand_expr(ex, &mut k.value)?;
                }
            }
            ExprKind::Attribute { value, .. } => self.expand_expr(ex, value)?,
            ExprKind::Subscript { value, index } => {
                self.expand_expr(ex, value)?;
                self.expand_expr(ex, index)?;
            }
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper, step].into_iter().flatten() {
                    self.expand_expr(ex, part)?;
                }
            }
            ExprKind::Tuple(xs) | ExprKind::List(xs) | ExprKind::Set(xs) => {
                for x in xs {
                    self.expand_expr(ex, x)?;
                }
            }
            ExprKind::Dict { keys, values } => {
                for k in keys.iter_mut().flatten() {
                    self.expand_expr(ex, k)?;
                }
                for v in values {
                    self.expand_expr(ex, v)?;
                }
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expand_expr(ex, test)?;
                self.expand_expr(ex, body)?;
                self.expand_expr(ex, orelse)?;
            }
            ExprKind::Lambda { params, body } => {
                self.expand_params(ex, params)?;
                self.expand_expr(ex, Rc::make_mut(body))?;
            }
            ExprKind::ListComp { elt, generators }
            | ExprKind::SetComp { elt, generators }
            | ExprKind::GeneratorExp { elt, generators } => {
                self.expand_expr(ex, elt)?;
                self.expand_comprehensions(ex, generators)?;
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => {
                self.expand_expr(ex, key)?;
                self.expand_expr(ex, value)?;
                self.expand_comprehensions(ex, generators)?;
            }
            ExprKind::FString(parts) => self.expand_fstring(ex, parts)?,
            ExprKind::Starred(inner) => self.expand_expr(ex, inner)?,
            _ => {}
        }
        Ok(())
    }

    fn expand_comprehensions(&mut self, ex: &Expander, gens: &mut [Comprehension]) -> Res<()> {
        for g in gens {
            self.expand_target(ex, &mut g.target)?;
            self.expand_expr(ex, &mut g.iter)?;
            for c in &mut g.ifs {
                self.expand_expr(ex, c)?;
            }
        }
        Ok(())
    }

    fn expand_fstring(&mut self, ex: &Expander, parts: &mut [FStringPart]) -> Res<()> {
        for p in parts {
            if let FStringPart::Value { value, spec, .. } = p {
                self.expand_expr(ex, value)?;
                self.expand_fstring(ex, spec)?;
            }
        }
        Ok(())
    }

    /// Evaluates the argument of `splice(...)` at stage 0.
    fn eval_splice_arg(&mut self, call: &Expr, args: &[Expr], env: &Rc<Scope>) -> Res<Value> {
        let has_keywords =
            matches!(&call.kind, ExprKind::Call { keywords, .. } if !keywords.is_empty());
        if args.len() != 1 || has_keywords || matches!(args[0].kind, ExprKind::Starred(_)) {
            return Err(self.fail(call.span, "splice takes exactly one argument: splice(code)"));
        }
        self.eval(&args[0], env)
    }

    /// The stage-0 value a free name in generated code stands for, if it is lifted.
    fn liftable(&self, ex: &Expander, name: &str) -> Option<Value> {
        if !ex.lift || ex.locals.contains(name) {
            return None;
        }
        let mut scope = Some(&ex.env);
        while let Some(s) = scope {
            if s.is_module() {
                return None;
            }
            if let Some(v) = s.get(name) {
                return Some(v);
            }
            scope = s.parent.as_ref();
        }
        None
    }

    /// Replaces a free name by the stage-0 value it is bound to.
    fn lift(&mut self, name: &str, v: Value, at: Span) -> Res<Expr> {
        match v {
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => self.literal(&v, at),
            Value::Code(ref c) if matches!(c.body, CodeBody::Expr(_)) => {
                self.insert_expression(v, at)
            }
            Value::Kernel(k) | Value::Extern(k) => Ok(Expr::new(ExprKind::Name(k.to_string()), at)),
            other => {
                let what = match &other {
                    Value::Code(_) => {
                        "a statement-list code value (splice it in statement position)".to_string()
                    }
                    v => format!("a {}", v.type_name()),
                };
                Err(self.fail(
                    at,
                    format!(
                        "stage-0 variable `{name}` is used in a quote but holds {what}; only int, float, bool \
                         and expression code values cross stages (build the text with an f-string, or rename \
                         the kernel variable)"
                    ),
                ))
            }
        }
    }

    /// A scalar as a literal node. Negative numbers become `-literal`, as the parser
    /// would produce from source text.
    pub fn literal(&self, v: &Value, at: Span) -> Res<Expr> {
        let lit = |k| Expr::new(k, at);
        let neg = |e: Expr| {
            Expr::new(
                ExprKind::UnaryOp {
                    op: UnaryOp::Neg,
                    operand: Box::new(e),
                },
                at,
            )
        };
        Ok(match v {
            Value::Bool(b) => lit(ExprKind::Bool(*b)),
            Value::Int(i) if *i < 0 => neg(lit(ExprKind::Int(-i128::from(*i)))),
            Value::Int(i) => lit(ExprKind::Int(i128::from(*i))),
            Value::Float(f) if f.is_nan() => {
                return Err(self.fail(at, "cannot lift a float nan into generated code"));
            }
            Value::Float(f) if f.is_sign_negative() => neg(lit(ExprKind::Float(-f))),
            Value::Float(f) => lit(ExprKind::Float(*f)),
            other => {
                return Err(self.fail(
                    at,
                    format!("cannot lift a {} into generated code", other.type_name()),
                ));
            }
        })
    }

    /// What `splice(v)` becomes in expression position.
    pub fn insert_expression(&mut self, v: Value, site: Span) -> Res<Expr> {
        match &v {
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => self.literal(&v, site),
            Value::Code(c) => match &c.body {
                CodeBody::Expr(e) => {
                    self.charge_clone(c, site)?;
                    let mut e = with_stack_for_depth(c.depth, || e.clone());
                    let mut restamp = self.restamper(site);
                    walk::spans_in_expr(&mut e, &mut restamp);
                    Ok(e)
                }
                CodeBody::Stmts(_) => Err(self.fail(
                    site,
                    "this splice is in expression position, but the code value is a statement list \
                     (splice it as a statement on its own line)",
                )),
            },
            Value::List(_) | Value::Tuple(_) => {
                let all_code = self
                    .collect(&v, site)?
                    .iter()
                    .all(|x| matches!(x, Value::Code(_)));
                if all_code {
                    Err(self.fail(
                        site,
                        "a list of code values can only be spliced in statement position",
                    ))
                } else {
                    Err(self.not_code(&v, site))
                }
            }
            other => Err(self.not_code(other, site)),
        }
    }

    /// What `splice(v)` becomes in statement position, appended to `out`.
    pub fn insert_statements(&mut self, v: Value, site: Span, out: &mut Vec<Stmt>) -> Res<()> {
        match &v {
            Value::Code(c) => {
                self.charge_clone(c, site)?;
                let mut restamp = self.restamper(site);
                match &c.body {
                    CodeBody::Expr(e) => {
                        let mut e = with_stack_for_depth(c.depth, || e.clone());
                        walk::spans_in_expr(&mut e, &mut restamp);
                        let span = e.span;
                        out.push(Stmt::new(StmtKind::Expr(e), span));
                    }
                    CodeBody::Stmts(stmts) => {
                        let mut stmts = with_stack_for_depth(c.depth, || stmts.clone());
                        walk::spans_in_stmts(&mut stmts, &mut restamp);
                        out.extend(stmts);
                    }
                }
                Ok(())
            }
            Value::List(_) | Value::Tuple(_) => {
                let items = self.collect(&v, site)?;
                for (i, item) in items.into_iter().enumerate() {
                    if !matches!(item, Value::Code(_)) {
                        return Err(self.fail(
                            site,
                            format!(
                                "splice of a list needs code values, but item {i} is a {}: {}",
                                item.type_name(),
                                short_repr(&item)
                            ),
                        ));
                    }
                    self.insert_statements(item, site, out)?;
                }
                Ok(())
            }
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                let e = self.literal(&v, site)?;
                out.push(Stmt::new(StmtKind::Expr(e), site));
                Ok(())
            }
            other => Err(self.not_code(other, site)),
        }
    }

    fn not_code(&self, v: &Value, site: Span) -> super::interp::Fault {
        let hint = match v {
            Value::Str(_) => " (to turn text into code, quote it: q(text))",
            Value::None => " (did the generator forget to return its code?)",
            Value::List(_) | Value::Tuple(_) => {
                " (a list must hold code values: quote its items, or q(\"\\n\".join(lines)))"
            }
            _ => "",
        };
        self.fail(
            site,
            format!(
                "splice needs a code value (from q(...)), a list of them, or an int, float or bool; \
                 got a {}: {}{hint}",
                v.type_name(),
                short_repr(v)
            ),
        )
    }

    /// Cloning code is work and memory: count it before doing it.
    fn charge_clone(&mut self, code: &super::value::Code, site: Span) -> Res<()> {
        let size = Size {
            nodes: code.nodes,
            depth: code.depth,
        };
        self.check_code_size(size, site)?;
        self.tick_n(site, code.nodes as u64)
    }

    /// A span rewriter that records, once per distinct inner expansion, that the code
    /// was spliced at `site`.
    ///
    /// Code re-spliced over and over (a generator nesting its own output) would grow one
    /// chain per level and quadratically many expansions in all; a chain longer than
    /// [`MAX_CHAIN`] is cut to its new head, which keeps the place that matters (where
    /// the code lands) while the quote's own source still says where it was built.
    fn restamper(&mut self, site: Span) -> impl FnMut(&mut Span) + '_ {
        let mut memo: HashMap<ExpnId, ExpnId> = HashMap::new();
        let mut cut_chain: Option<ExpnId> = None;
        let map = &mut *self.map;
        let depths = &mut self.expn_depths;
        move |span: &mut Span| {
            let old = span.expn;
            if let Some(&new) = memo.get(&old) {
                span.expn = new;
                return;
            }
            let depth = depths.get(&old).copied().unwrap_or(0);
            let new = if depth >= MAX_CHAIN {
                *cut_chain.get_or_insert_with(|| {
                    let id = map.add_expansion(site, ExpnId::ROOT);
                    depths.insert(id, 1);
                    id
                })
            } else {
                let id = map.add_expansion(site, old);
                depths.insert(id, depth + 1);
                id
            };
            memo.insert(old, new);
            span.expn = new;
        }
    }
}

/// Splice chains longer than this are cut (see `restamper`).
const MAX_CHAIN: u32 = 32;

/// A value's repr, cut to a readable length for messages.
pub fn short_repr(v: &Value) -> String {
    let r = repr(v);
    if r.chars().count() > 60 {
        let cut: String = r.chars().take(57).collect();
        format!("{cut}...")
    } else {
        r
    }
}
