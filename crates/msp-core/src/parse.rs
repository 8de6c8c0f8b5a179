//! Parsing: Python text → [`ast::Module`](crate::ast::Module), through ruff's parser.
//!
//! Invariant: parsing never panics on any input; a syntax error is one [`ParseError`]
//! pointing into the text. Constructs outside msp's subsets are not errors here: they
//! become `Unsupported` nodes that the phase which meets them reports.

use std::rc::Rc;

use ruff_python_ast as py;
use ruff_text_size::{Ranged, TextRange};

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::source::{SourceId, SourceMap, Span};

/// A syntax error, with its place.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", .0.message)]
pub struct ParseError(pub Diagnostic);

/// Parses the whole text of `source` as a module.
pub fn parse_module(map: &SourceMap, source: SourceId) -> Result<Module, ParseError> {
    let text = &map.get(source).text;
    if let Some(pos) = text.find('\0') {
        let span = Span::new(source, pos as u32, pos as u32 + 1);
        return Err(ParseError(Diagnostic::error(
            span,
            "source contains a NUL byte",
        )));
    }
    // ruff's parser recurses once per nesting level, and so does dropping its tree: run
    // both on a stack sized to the input (each level takes at least one byte of source).
    with_parser_stack(text.len(), || {
        let mut parsed = ruff_python_parser::parse_unchecked_source(text, py::PySourceType::Python);
        let indent = indentation(text, parsed.tokens());
        // ruff measures tabs 2 columns wide, so it reads some indentation CPython accepts
        // otherwise (and refuses some). Where CPython's two measures agree, the one with
        // tabs 1 column wide gives CPython's blocks: the same text with each indenting tab
        // made a space (same offsets, string contents untouched) parses as CPython reads it.
        if !indent.tabs.is_empty() {
            let mut bytes = text.clone().into_bytes();
            for &t in &indent.tabs {
                bytes[t] = b' ';
            }
            let spaced = String::from_utf8(bytes).unwrap_or_else(|_| text.clone());
            drop(parsed); // one tree at a time
            parsed = ruff_python_parser::parse_unchecked_source(&spaced, py::PySourceType::Python);
        }
        // CPython's tokenizer meets bad indentation before a syntax error found at the
        // line break that ends the line before (an `if` whose block is missing because of
        // that indentation) or later.
        let syntax_error = parsed.errors().first();
        if let Some(bad) = indent.error
            && syntax_error.is_none_or(|e| bad.after <= e.location.start().to_usize())
        {
            let span = Span::new(source, bad.at as u32, bad.end as u32);
            return Err(ParseError(
                Diagnostic::error(span, format!("syntax error: {}", bad.message))
                    .with_label(bad.label)
                    .with_note(bad.note),
            ));
        }
        if let Some(e) = syntax_error {
            let span = span_of(source, e.location);
            return Err(ParseError(
                Diagnostic::error(span, format!("syntax error: {}", e.error)).with_label("here"),
            ));
        }
        let lower = Lower { source, text };
        lower.check_depth(parsed.syntax())?;
        Ok(Module {
            body: lower.stmts(&parsed.syntax().body),
        })
    })
}

/// What [`indentation`] found: the tabs that indent logical lines (up to the first
/// error), and the indentation CPython refuses, if any.
struct Indentation {
    tabs: Vec<usize>,
    error: Option<BadIndent>,
}

/// Indentation CPython refuses.
struct BadIndent {
    /// Where the line break before the offending line starts.
    after: usize,
    /// Byte range of the offending line's indentation.
    at: usize,
    end: usize,
    message: &'static str,
    label: &'static str,
    note: String,
}

/// CPython's indentation rule, which ruff's parser does not apply: the indentation of
/// each logical line is measured twice, with tabs 8 columns wide and 1 column wide, and
/// compared with the stack of enclosing indentations. When the two measures disagree
/// (deeper by one and not by the other, or equal by one only), the meaning depends on
/// the tab size and Python raises `TabError`; a dedent to no enclosing level is an
/// `IndentationError`. Lines that only hold a comment or whitespace are not measured,
/// and neither are continuation lines (inside brackets, strings or after a backslash):
/// a logical line starts at the first token after a `Newline` token.
fn indentation(text: &str, tokens: &[ruff_python_ast::token::Token]) -> Indentation {
    let mut tabs = Vec::new();
    let error = indentation_error(text, tokens, &mut tabs);
    Indentation { tabs, error }
}

/// The walk of [`indentation`]: returns the first error; `tabs` receives the offsets of
/// the tabs in the indentation measured before it.
fn indentation_error(
    text: &str,
    tokens: &[ruff_python_ast::token::Token],
    tabs: &mut Vec<usize>,
) -> Option<BadIndent> {
    use ruff_python_ast::token::TokenKind as K;
    const TAB: usize = 8;
    // (columns with tabs of 8, columns with tabs of 1), outermost first.
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    let bytes = text.as_bytes();
    let mut line_start = Some(0usize);
    let mut after = 0;
    for tok in tokens {
        match tok.kind() {
            K::Newline => {
                line_start = Some(tok.end().to_usize());
                after = tok.start().to_usize();
                continue;
            }
            // The comment and the line break of a blank line, and the zero-width
            // tokens the lexer adds, come before the line's first real token.
            K::NonLogicalNewline | K::Comment | K::Indent | K::Dedent => {
                if line_start.is_some() && tok.kind() == K::NonLogicalNewline {
                    line_start = Some(tok.end().to_usize());
                }
                continue;
            }
            K::EndOfFile => break,
            _ => {}
        }
        let Some(start) = line_start.take() else {
            continue;
        };
        // Measure from the text, not up to the token: the lexer may start an error
        // token inside the indentation. As CPython's tokenizer does, a form feed resets
        // the count, and a backslash continuation inside the indentation fixes it at the
        // first backslash.
        let (mut col, mut alt, mut cont) = (0usize, 0usize, None);
        let (mut i, mut at) = (start, start);
        while i < bytes.len() {
            match bytes[i] {
                b' ' => (col, alt) = (col + 1, alt + 1),
                b'\t' => {
                    (col, alt) = ((col / TAB + 1) * TAB, alt + 1);
                    tabs.push(i);
                }
                b'\x0c' => (col, alt) = (0, 0),
                b'\\' if matches!(bytes.get(i + 1), Some(b'\n' | b'\r')) => {
                    cont = cont.or(Some(col));
                    i += 1 + usize::from(bytes[i + 1..].starts_with(b"\r\n"));
                    at = i + 1;
                }
                _ => break,
            }
            i += 1;
        }
        if matches!(bytes.get(i), None | Some(b'#' | b'\n' | b'\r')) {
            continue; // a blank line after all
        }
        if let Some(c) = cont.filter(|&c| c != 0) {
            (col, alt) = (c, c);
        }
        // The span: the indentation of the line's last physical line, or its first
        // character when it has none.
        let end = if at == i { (i + 1).min(text.len()) } else { i };
        let end = (end..=text.len())
            .find(|&e| text.is_char_boundary(e))
            .unwrap_or(text.len());
        let tab_error = |note: String| BadIndent {
            after,
            at,
            end,
            message: "inconsistent use of tabs and spaces in indentation",
            label: "Python raises TabError here",
            note,
        };
        let &(top, top_alt) = stack.last()?;
        if col == top {
            if alt != top_alt {
                return Some(tab_error(format!(
                    "with tabs 8 columns wide this line is as deep as the block it is in, with tabs 1 column wide it is not ({alt} columns against {top_alt})"
                )));
            }
        } else if col > top {
            if alt <= top_alt {
                return Some(tab_error(format!(
                    "with tabs 8 columns wide this line is indented deeper than the one before ({col} columns against {top}), with tabs 1 column wide it is not ({alt} against {top_alt})"
                )));
            }
            stack.push((col, alt));
        } else {
            while stack.len() > 1 && stack.last().is_some_and(|&(c, _)| col < c) {
                stack.pop();
            }
            let &(top, top_alt) = stack.last()?;
            if col != top {
                return Some(BadIndent {
                    after,
                    at,
                    end,
                    message: "unindent does not match any outer indentation level",
                    label: "Python raises IndentationError here",
                    note: format!("this line is {col} columns deep, the enclosing block {top}"),
                });
            }
            if alt != top_alt {
                return Some(tab_error(format!(
                    "with tabs 8 columns wide this line returns to an enclosing block's depth, with tabs 1 column wide it does not ({alt} columns against {top_alt})"
                )));
            }
        }
    }
    None
}

/// Stack for parsing `len` bytes: a base plus the worst case of one nesting level per byte.
fn parser_stack(len: usize) -> usize {
    const PER_BYTE: usize = 4 * 1024;
    (1usize << 20)
        .saturating_add(len.saturating_mul(PER_BYTE))
        .min(16usize << 30)
}

/// Runs `f` with [`parser_stack`]`(len)` bytes of stack, on a new segment only when the
/// current stack has less left. Stage 0 parses every quote: a new segment for each (an
/// `mmap`, its guard page, the page faults of its first use and an `munmap`) was 60 of
/// each per compile of TPC-H Q3, about 2 ms of its 15.
fn with_parser_stack<R>(len: usize, f: impl FnOnce() -> R) -> R {
    let need = parser_stack(len);
    stacker::maybe_grow(need, need, f)
}

/// Parses text that must be a single expression (a `--call` argument list, a define value).
pub fn parse_expression(map: &SourceMap, source: SourceId) -> Result<Expr, ParseError> {
    let text = &map.get(source).text;
    with_parser_stack(text.len(), || {
        let parsed = ruff_python_parser::parse_expression(text).map_err(|e| {
            let span = span_of(source, e.location);
            ParseError(Diagnostic::error(
                span,
                format!("syntax error: {}", e.error),
            ))
        })?;
        let lower = Lower { source, text };
        lower.check_expr_depth(&parsed.syntax().body)?;
        Ok(lower.expr(&parsed.syntax().body))
    })
}

fn span_of(source: SourceId, r: TextRange) -> Span {
    Span::new(source, r.start().to_u32(), r.end().to_u32())
}

/// Nesting deeper than this is refused before lowering, so that no later recursive pass
/// (stage 0, checker, codegen) can overflow the stack on hostile input.
pub const MAX_NESTING: usize = 200;

struct Lower<'t> {
    source: SourceId,
    /// The source text (spans that the syntax tree leaves out, like a `def` keyword).
    text: &'t str,
}

/// Finds the first node nested deeper than [`MAX_NESTING`], without descending further.
struct Depth {
    depth: usize,
    deepest: Option<TextRange>,
}

impl<'a> py::visitor::Visitor<'a> for Depth {
    fn visit_stmt(&mut self, stmt: &'a py::Stmt) {
        if self.deepest.is_some() {
            return;
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.deepest = Some(stmt.range());
        } else {
            py::visitor::walk_stmt(self, stmt);
        }
        self.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a py::Expr) {
        if self.deepest.is_some() {
            return;
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.deepest = Some(expr.range());
        } else {
            py::visitor::walk_expr(self, expr);
        }
        self.depth -= 1;
    }
}

impl Lower<'_> {
    fn span(&self, node: &impl Ranged) -> Span {
        span_of(self.source, node.range())
    }

    fn ident(&self, id: &py::Identifier) -> Ident {
        Ident {
            name: id.id.to_string(),
            span: span_of(self.source, id.range),
        }
    }

    fn check_depth(&self, module: &py::ModModule) -> Result<(), ParseError> {
        use py::visitor::Visitor;
        let mut d = Depth {
            depth: 0,
            deepest: None,
        };
        d.visit_body(&module.body);
        self.depth_result(d)
    }

    fn check_expr_depth(&self, expr: &py::Expr) -> Result<(), ParseError> {
        use py::visitor::Visitor;
        let mut d = Depth {
            depth: 0,
            deepest: None,
        };
        d.visit_expr(expr);
        self.depth_result(d)
    }

    fn depth_result(&self, d: Depth) -> Result<(), ParseError> {
        match d.deepest {
            Some(r) => Err(ParseError(Diagnostic::error(
                span_of(self.source, TextRange::new(r.start(), r.start())),
                format!("code is nested more than {MAX_NESTING} levels deep"),
            ))),
            None => Ok(()),
        }
    }

    fn stmts(&self, body: &[py::Stmt]) -> Vec<Stmt> {
        body.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&self, s: &py::Stmt) -> Stmt {
        let span = self.span(s);
        let kind = match s {
            py::Stmt::Expr(e) => StmtKind::Expr(self.expr(&e.value)),
            py::Stmt::Assign(a) => StmtKind::Assign {
                targets: a.targets.iter().map(|t| self.expr(t)).collect(),
                value: self.expr(&a.value),
            },
            py::Stmt::AugAssign(a) => match binop(a.op) {
                Some(op) => StmtKind::AugAssign {
                    target: self.expr(&a.target),
                    op,
                    value: self.expr(&a.value),
                },
                None => StmtKind::Unsupported("this augmented assignment operator"),
            },
            py::Stmt::AnnAssign(a) => StmtKind::AnnAssign {
                target: self.expr(&a.target),
                annotation: self.expr(&a.annotation),
                value: a.value.as_deref().map(|v| self.expr(v)),
            },
            py::Stmt::If(i) => {
                // `elif` chains become nested `if`s in the `else` branch.
                let mut orelse = Vec::new();
                for clause in i.elif_else_clauses.iter().rev() {
                    let body = self.stmts(&clause.body);
                    orelse = match &clause.test {
                        Some(test) => vec![Stmt::new(
                            StmtKind::If {
                                test: self.expr(test),
                                body,
                                orelse,
                            },
                            self.span(clause),
                        )],
                        None => body,
                    };
                }
                StmtKind::If {
                    test: self.expr(&i.test),
                    body: self.stmts(&i.body),
                    orelse,
                }
            }
            py::Stmt::While(w) => StmtKind::While {
                test: self.expr(&w.test),
                body: self.stmts(&w.body),
                orelse: self.stmts(&w.orelse),
            },
            py::Stmt::For(f) if !f.is_async => StmtKind::For {
                target: self.expr(&f.target),
                iter: self.expr(&f.iter),
                body: self.stmts(&f.body),
                orelse: self.stmts(&f.orelse),
            },
            py::Stmt::For(_) => StmtKind::Unsupported("`async for`"),
            py::Stmt::Break(_) => StmtKind::Break,
            py::Stmt::Continue(_) => StmtKind::Continue,
            py::Stmt::Pass(_) => StmtKind::Pass,
            py::Stmt::Return(r) => StmtKind::Return(r.value.as_deref().map(|v| self.expr(v))),
            py::Stmt::Global(g) => {
                StmtKind::Global(g.names.iter().map(|n| self.ident(n)).collect())
            }
            py::Stmt::Nonlocal(g) => {
                StmtKind::Nonlocal(g.names.iter().map(|n| self.ident(n)).collect())
            }
            py::Stmt::FunctionDef(f) if f.is_async => StmtKind::Unsupported("`async def`"),
            py::Stmt::FunctionDef(f) => StmtKind::FunctionDef(Rc::new(FunctionDef {
                name: self.ident(&f.name),
                params: self.params(&f.parameters),
                returns: f.returns.as_deref().map(|r| self.expr(r)),
                body: self.stmts(&f.body),
                decorators: f
                    .decorator_list
                    .iter()
                    .map(|d| self.expr(&d.expression))
                    .collect(),
                span: self.def_span(f),
            })),
            py::Stmt::ClassDef(_) => StmtKind::Unsupported("`class`"),
            py::Stmt::Delete(_) => StmtKind::Unsupported("`del`"),
            py::Stmt::TypeAlias(_) => StmtKind::Unsupported("`type` aliases"),
            py::Stmt::With(_) => StmtKind::Unsupported("`with`"),
            py::Stmt::Match(_) => StmtKind::Unsupported("`match`"),
            py::Stmt::Raise(_) => StmtKind::Unsupported("`raise`"),
            py::Stmt::Try(_) => StmtKind::Unsupported("`try`"),
            py::Stmt::Assert(_) => StmtKind::Unsupported("`assert`"),
            py::Stmt::Import(_) | py::Stmt::ImportFrom(_) => StmtKind::Unsupported("`import`"),
            py::Stmt::IpyEscapeCommand(_) => StmtKind::Unsupported("IPython escapes"),
        };
        Stmt::new(kind, span)
    }

    /// A `def` without its decorators: from `def` to the end of the body.
    fn def_span(&self, f: &py::StmtFunctionDef) -> Span {
        let full = self.span(f);
        match f.decorator_list.last() {
            Some(d) => {
                // The `def` keyword follows the last decorator, after the line's end and
                // any blank or comment lines.
                let after = self.span(d).hi.min(full.hi);
                let rest = self
                    .text
                    .get(after as usize..full.hi as usize)
                    .unwrap_or("");
                let mut skipped = 0;
                loop {
                    let tail = &rest[skipped..];
                    let trimmed = tail.trim_start();
                    skipped += tail.len() - trimmed.len();
                    if !trimmed.starts_with('#') {
                        break;
                    }
                    skipped += trimmed.find('\n').unwrap_or(trimmed.len());
                }
                Span {
                    lo: after + skipped as u32,
                    ..full
                }
            }
            None => full,
        }
    }

    fn params(&self, p: &py::Parameters) -> Vec<Param> {
        let mut out = Vec::new();
        for pd in p.posonlyargs.iter().chain(p.args.iter()) {
            out.push(self.param(&pd.parameter, pd.default.as_deref(), ParamKind::Normal));
        }
        if let Some(v) = &p.vararg {
            out.push(self.param(v, None, ParamKind::VarArgs));
        }
        for pd in &p.kwonlyargs {
            out.push(self.param(&pd.parameter, pd.default.as_deref(), ParamKind::KwOnly));
        }
        if let Some(k) = &p.kwarg {
            out.push(self.param(k, None, ParamKind::KwArgs));
        }
        out
    }

    fn param(&self, p: &py::Parameter, default: Option<&py::Expr>, kind: ParamKind) -> Param {
        Param {
            name: self.ident(&p.name),
            annotation: p.annotation.as_deref().map(|a| self.expr(a)),
            default: default.map(|d| self.expr(d)),
            kind,
            span: self.span(p),
        }
    }

    fn boxed(&self, e: &py::Expr) -> Box<Expr> {
        Box::new(self.expr(e))
    }

    fn exprs(&self, es: &[py::Expr]) -> Vec<Expr> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&self, e: &py::Expr) -> Expr {
        let span = self.span(e);
        let kind = match e {
            py::Expr::Name(n) => ExprKind::Name(n.id.to_string()),
            py::Expr::NumberLiteral(n) => match &n.value {
                py::Number::Int(i) => match i
                    .as_i64()
                    .map(i128::from)
                    .or_else(|| i.to_string().parse().ok())
                {
                    Some(v) => ExprKind::Int(v),
                    None => ExprKind::Unsupported("integer literals wider than 128 bits"),
                },
                py::Number::Float(f) => ExprKind::Float(*f),
                py::Number::Complex { .. } => ExprKind::Unsupported("complex numbers"),
            },
            py::Expr::StringLiteral(s) => ExprKind::Str(s.value.to_str().to_string()),
            py::Expr::BooleanLiteral(b) => ExprKind::Bool(b.value),
            py::Expr::NoneLiteral(_) => ExprKind::NoneLit,
            py::Expr::EllipsisLiteral(_) => ExprKind::Ellipsis,
            py::Expr::BinOp(b) => match binop(b.op) {
                Some(op) => ExprKind::BinOp {
                    op,
                    left: self.boxed(&b.left),
                    right: self.boxed(&b.right),
                },
                None => ExprKind::Unsupported("this operator"),
            },
            py::Expr::UnaryOp(u) => ExprKind::UnaryOp {
                op: match u.op {
                    py::UnaryOp::USub => UnaryOp::Neg,
                    py::UnaryOp::UAdd => UnaryOp::Pos,
                    py::UnaryOp::Not => UnaryOp::Not,
                    py::UnaryOp::Invert => UnaryOp::Invert,
                },
                operand: self.boxed(&u.operand),
            },
            py::Expr::BoolOp(b) => ExprKind::BoolOp {
                op: match b.op {
                    py::BoolOp::And => BoolOp::And,
                    py::BoolOp::Or => BoolOp::Or,
                },
                values: self.exprs(&b.values),
            },
            py::Expr::Compare(c) => ExprKind::Compare {
                left: self.boxed(&c.left),
                ops: c.ops.iter().map(|&op| cmpop(op)).collect(),
                comparators: self.exprs(&c.comparators),
            },
            py::Expr::Call(c) => ExprKind::Call {
                func: self.boxed(&c.func),
                args: self.exprs(&c.arguments.args),
                keywords: c
                    .arguments
                    .keywords
                    .iter()
                    .map(|k| Keyword {
                        name: k.arg.as_ref().map(|a| self.ident(a)),
                        value: self.expr(&k.value),
                        span: self.span(k),
                    })
                    .collect(),
            },
            py::Expr::Attribute(a) => ExprKind::Attribute {
                value: self.boxed(&a.value),
                attr: self.ident(&a.attr),
            },
            py::Expr::Subscript(s) => ExprKind::Subscript {
                value: self.boxed(&s.value),
                index: self.boxed(&s.slice),
            },
            py::Expr::Slice(s) => ExprKind::Slice {
                lower: s.lower.as_deref().map(|x| self.boxed(x)),
                upper: s.upper.as_deref().map(|x| self.boxed(x)),
                step: s.step.as_deref().map(|x| self.boxed(x)),
            },
            py::Expr::Tuple(t) => ExprKind::Tuple(self.exprs(&t.elts)),
            py::Expr::List(l) => ExprKind::List(self.exprs(&l.elts)),
            py::Expr::Set(s) => ExprKind::Set(self.exprs(&s.elts)),
            py::Expr::Dict(d) => ExprKind::Dict {
                keys: d
                    .items
                    .iter()
                    .map(|i| i.key.as_ref().map(|k| self.expr(k)))
                    .collect(),
                values: d.items.iter().map(|i| self.expr(&i.value)).collect(),
            },
            py::Expr::If(i) => ExprKind::IfExp {
                test: self.boxed(&i.test),
                body: self.boxed(&i.body),
                orelse: self.boxed(&i.orelse),
            },
            py::Expr::Lambda(l) => ExprKind::Lambda {
                params: l
                    .parameters
                    .as_deref()
                    .map(|p| self.params(p))
                    .unwrap_or_default(),
                body: Rc::new(self.expr(&l.body)),
            },
            py::Expr::ListComp(c) => ExprKind::ListComp {
                elt: self.boxed(&c.elt),
                generators: self.comps(&c.generators),
            },
            py::Expr::SetComp(c) => ExprKind::SetComp {
                elt: self.boxed(&c.elt),
                generators: self.comps(&c.generators),
            },
            py::Expr::Generator(c) => ExprKind::GeneratorExp {
                elt: self.boxed(&c.elt),
                generators: self.comps(&c.generators),
            },
            py::Expr::DictComp(c) => match &c.key {
                Some(key) => ExprKind::DictComp {
                    key: self.boxed(key),
                    value: self.boxed(&c.value),
                    generators: self.comps(&c.generators),
                },
                None => ExprKind::Unsupported("`**` in a dict comprehension"),
            },
            py::Expr::FString(f) => {
                let mut parts = Vec::new();
                for part in f.value.iter() {
                    match part {
                        py::FStringPart::Literal(s) => {
                            parts.push(FStringPart::Literal(s.value.to_string()))
                        }
                        py::FStringPart::FString(fs) => {
                            self.fstring_elements(&fs.elements, &mut parts)
                        }
                    }
                }
                ExprKind::FString(parts)
            }
            py::Expr::Starred(s) => ExprKind::Starred(self.boxed(&s.value)),
            py::Expr::Named(_) => ExprKind::Unsupported("`:=`"),
            py::Expr::Await(_) => ExprKind::Unsupported("`await`"),
            py::Expr::Yield(_) | py::Expr::YieldFrom(_) => ExprKind::Unsupported("`yield`"),
            py::Expr::TString(_) => ExprKind::Unsupported("t-strings"),
            py::Expr::BytesLiteral(_) => ExprKind::Unsupported("bytes literals"),
            py::Expr::IpyEscapeCommand(_) => ExprKind::Unsupported("IPython escapes"),
        };
        Expr::new(kind, span)
    }

    fn fstring_elements(
        &self,
        elements: &py::InterpolatedStringElements,
        out: &mut Vec<FStringPart>,
    ) {
        for el in elements.iter() {
            match el {
                py::InterpolatedStringElement::Literal(l) => {
                    out.push(FStringPart::Literal(l.value.to_string()))
                }
                py::InterpolatedStringElement::Interpolation(i) => {
                    let mut spec = Vec::new();
                    if let Some(fs) = &i.format_spec {
                        self.fstring_elements(&fs.elements, &mut spec);
                    }
                    let conversion = match i.conversion {
                        py::ConversionFlag::None => None,
                        py::ConversionFlag::Str => Some('s'),
                        py::ConversionFlag::Ascii => Some('a'),
                        py::ConversionFlag::Repr => Some('r'),
                    };
                    // `f"{x=}"` prints the expression text first.
                    if let Some(debug) = &i.debug_text {
                        out.push(FStringPart::Literal(debug.as_str().to_string()));
                    }
                    let conversion = match (conversion, &i.debug_text) {
                        (None, Some(_)) if spec.is_empty() => Some('r'),
                        (c, _) => c,
                    };
                    out.push(FStringPart::Value {
                        value: self.expr(&i.expression),
                        conversion,
                        spec,
                    });
                }
            }
        }
    }

    fn comps(&self, cs: &[py::Comprehension]) -> Vec<Comprehension> {
        cs.iter()
            .map(|c| Comprehension {
                target: self.expr(&c.target),
                iter: self.expr(&c.iter),
                ifs: self.exprs(&c.ifs),
            })
            .collect()
    }
}

fn binop(op: py::Operator) -> Option<BinOp> {
    Some(match op {
        py::Operator::Add => BinOp::Add,
        py::Operator::Sub => BinOp::Sub,
        py::Operator::Mult => BinOp::Mul,
        py::Operator::Div => BinOp::Div,
        py::Operator::FloorDiv => BinOp::FloorDiv,
        py::Operator::Mod => BinOp::Mod,
        py::Operator::Pow => BinOp::Pow,
        py::Operator::LShift => BinOp::LShift,
        py::Operator::RShift => BinOp::RShift,
        py::Operator::BitAnd => BinOp::BitAnd,
        py::Operator::BitOr => BinOp::BitOr,
        py::Operator::BitXor => BinOp::BitXor,
        py::Operator::MatMult => BinOp::MatMul,
    })
}

fn cmpop(op: py::CmpOp) -> CmpOp {
    match op {
        py::CmpOp::Eq => CmpOp::Eq,
        py::CmpOp::NotEq => CmpOp::NotEq,
        py::CmpOp::Lt => CmpOp::Lt,
        py::CmpOp::LtE => CmpOp::LtE,
        py::CmpOp::Gt => CmpOp::Gt,
        py::CmpOp::GtE => CmpOp::GtE,
        py::CmpOp::In => CmpOp::In,
        py::CmpOp::NotIn => CmpOp::NotIn,
        py::CmpOp::Is => CmpOp::Is,
        py::CmpOp::IsNot => CmpOp::IsNot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceKind;

    fn parse(text: &str) -> Result<Module, ParseError> {
        let mut map = SourceMap::new();
        let id = map.add("t.py", text, SourceKind::File);
        parse_module(&map, id)
    }

    #[test]
    fn elif_becomes_nested_if() {
        let m = parse("if a:\n    pass\nelif b:\n    pass\nelse:\n    x = 1\n").unwrap();
        let StmtKind::If { orelse, .. } = &m.body[0].kind else {
            panic!()
        };
        assert!(matches!(&orelse[0].kind, StmtKind::If { orelse, .. } if orelse.len() == 1));
    }

    /// A decorated `def`'s span starts at `def` (host bindings say "defined at" it),
    /// past blank and comment lines after the decorators.
    #[test]
    fn a_decorated_def_starts_at_def() {
        for text in [
            "@compile\ndef f(x: int) -> int:\n    return x\n",
            "@compile(unchecked=True)  # def not here\n\n  # nor here\ndef f(x: int) -> int:\n    return x\n",
        ] {
            let m = parse(text).unwrap();
            let StmtKind::FunctionDef(def) = &m.body[0].kind else {
                panic!()
            };
            assert!(
                text[def.span.lo as usize..].starts_with("def f("),
                "{text:?}: {:?}",
                &text[def.span.lo as usize..]
            );
        }
    }

    #[test]
    fn syntax_error_has_a_span() {
        let err = parse("x = (1 + 2))\n").unwrap_err();
        assert!(err.0.span.is_some());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("x = {}1{}\n", "[".repeat(3000), "]".repeat(3000));
        let err = parse(&text).unwrap_err();
        assert!(err.0.message.contains("nested"), "{}", err.0.message);
    }

    /// What CPython refuses as `TabError` is refused, at the offending line (issue 13:
    /// a tab-indented `if` with a body of eight spaces compiled).
    #[test]
    fn tabs_and_spaces_python_finds_ambiguous_are_refused() {
        for (text, line) in [
            ("def f(x):\n\tif x:\n        return 1\n    return 0\n", 3),
            (
                "def f(x):\n    if x > 0:\n\treturn x\n        return -x\n",
                3,
            ),
            ("def g(n):\n\tif n:\n\t    return 1\n        return 0\n", 4),
            ("if x:\n        a = 1\n\tb = 2\n", 3),
            ("if x:\n\ta = 1\n        b = 2\n", 3),
            // The error comes before a later syntax error, as in CPython.
            ("if x:\n\ta = 1\n        b = 2\n)\n", 3),
        ] {
            let err = parse(text).unwrap_err().0;
            assert_eq!(
                err.message, "syntax error: inconsistent use of tabs and spaces in indentation",
                "{text:?}"
            );
            let mut map = SourceMap::new();
            let id = map.add("t.py", text, SourceKind::File);
            let span = err.span.expect("a span");
            assert_eq!(map.get(id).line_col(span.lo), (line, 1), "{text:?}");
        }
    }

    #[test]
    fn tabs_python_reads_one_way_are_accepted() {
        for text in [
            "def f(x):\n\tif x:\n\t\treturn 1\n\treturn 0\n",
            "def f(x):\n\tif x:\n\t    return 1\n\treturn 0\n",
            "if x:\n    if y:\n    \ta = 1\n    b = 2\n",
            // Continuation lines, strings and comments are not indentation.
            "x = (1,\n\t2,\n        3)\n",
            "s = \"\"\"\n\tone\n        two\n\"\"\"\n",
            "if x:\n    a = 1\n\t# a comment\n    b = 2\n",
            "if x:\n    a = 1 + \\\n\t2\n    b = 2\n",
            "if x:\n\n\t\n    a = 1\n",
            "\x0cif x:\n    a = 1\n",
            // Equal for CPython (16 columns with tabs of 8, 4 with tabs of 1); ruff alone,
            // measuring tabs 2 columns wide, refused it.
            "if x:\n  \t\ta = 1\n \t \ta = 2\n",
        ] {
            if let Err(e) = parse(text) {
                panic!("{text:?}: {}", e.0.message);
            }
        }
    }

    #[test]
    fn unindent_to_no_outer_level_is_refused() {
        let err = parse("if x:\n        a = 1\n    b = 2\n").unwrap_err().0;
        assert!(
            err.message.contains("unindent does not match"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unsupported_statements_are_kept_with_their_span() {
        let m = parse("with open('x') as f:\n    pass\n").unwrap();
        assert!(matches!(m.body[0].kind, StmtKind::Unsupported("`with`")));
    }
}
