//! Printing msp's AST back as Python: staged kernels for `msp expand`, code values for
//! stage-0 `print`, and Python's `repr` of floats and strings.
//!
//! Invariant: the text re-parses to the same tree (spans aside), so `msp expand`'s output
//! is itself a valid msp module. Parentheses are added only where precedence needs them.

use std::fmt::Write as _;

use crate::ast::*;
use crate::staged::{ConstValue, ExternDecl, KernelDef, KernelOptions, StagedModule};

/// Python's `repr` of a float: the shortest text that reads back as the same value,
/// fixed-point for exponents from -4 to 15 (`0.0001`, `3.0`), scientific otherwise
/// (`1e-05`, `1e+16`).
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d.ddde±x`.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let text = if point <= 0 {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        } else if point as usize >= digits.len() {
            format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{text}")
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.abs())
    }
}

/// Python's `repr` of a string: single quotes unless the text has a single quote and no
/// double quote; control characters escaped.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            // Python escapes non-printable characters, other whitespace included.
            c if c.is_control() || (c.is_whitespace() && c != ' ') => {
                if (c as u32) < 0x100 {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                } else if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// An expression as Python text.
pub fn unparse_expr(e: &Expr) -> String {
    let mut p = Printer::default();
    p.expr(e, 0);
    p.out
}

/// Statements as Python text, one per line, ending in a newline.
pub fn unparse_stmts(stmts: &[Stmt]) -> String {
    let mut p = Printer::default();
    p.block_lines(stmts);
    p.out
}

/// A staged kernel as a Python `def` with its decorator. Frozen globals come first as
/// assignments, so the text is a module that stages to the same kernel.
pub fn unparse_kernel(k: &KernelDef) -> String {
    let mut p = Printer::default();
    if !k.consts.is_empty() || !k.opaque_globals.is_empty() {
        let _ = writeln!(p.out, "# stage-0 globals `{}` reads", k.name.name);
        for (name, v) in &k.consts {
            let _ = writeln!(p.out, "{name} = {}", const_text(*v));
        }
        for (name, ty) in &k.opaque_globals {
            let _ = writeln!(p.out, "# {name}: a stage-0 {ty}");
        }
        p.out.push('\n');
    }
    p.out.push_str(&decorator_text(&k.options));
    p.out.push('\n');
    p.signature(&k.name.name, &k.params, &k.returns);
    p.body(&k.body);
    p.out
}

/// An extern declaration as `@extern def f(...) -> T: ...`.
pub fn unparse_extern(e: &ExternDecl) -> String {
    let mut p = Printer::default();
    p.out.push_str("@extern\n");
    p.signature(&e.name.name, &e.params, &e.returns);
    p.out.truncate(p.out.trim_end().len());
    p.out.push_str(" ...\n");
    p.out
}

/// A whole staged module: externs, then kernels, separated by blank lines.
pub fn unparse_module(m: &StagedModule) -> String {
    let mut parts: Vec<String> = m.externs.iter().map(unparse_extern).collect();
    parts.extend(m.kernels.iter().map(unparse_kernel));
    parts.join("\n\n")
}

fn const_text(v: ConstValue) -> String {
    match v {
        ConstValue::Int(i) => i.to_string(),
        ConstValue::Float(f) if f.is_nan() => "float('nan')".into(),
        ConstValue::Float(f) if f.is_infinite() => if f > 0.0 { "1e999" } else { "-1e999" }.into(),
        ConstValue::Float(f) => float_repr(f),
        ConstValue::Bool(b) => if b { "True" } else { "False" }.into(),
    }
}

fn decorator_text(o: &KernelOptions) -> String {
    let mut opts = Vec::new();
    if let Some(u) = o.unchecked {
        opts.push(format!("unchecked={}", if u { "True" } else { "False" }));
    }
    if o.debug {
        opts.push("debug=True".into());
    }
    if o.add_time {
        opts.push("add_time=True".into());
    }
    if o.noinline {
        opts.push("inline=False".into());
    }
    if let Some(f) = o.fast_compile {
        opts.push(format!("fast_compile={}", if f { "True" } else { "False" }));
    }
    if opts.is_empty() {
        "@compile".into()
    } else {
        format!("@compile({})", opts.join(", "))
    }
}

// Python's precedence levels, loosest first.
const LAMBDA: u8 = 0;
const IFEXP: u8 = 1;
const OR: u8 = 2;
const AND: u8 = 3;
const NOT: u8 = 4;
const CMP: u8 = 5;
const BOR: u8 = 6;
const BXOR: u8 = 7;
const BAND: u8 = 8;
const SHIFT: u8 = 9;
const ARITH: u8 = 10;
const TERM: u8 = 11;
const UNARY: u8 = 12;
const POW: u8 = 13;
const AWAIT: u8 = 14;
const ATOM: u8 = 16;

fn binop_prec(op: BinOp) -> u8 {
    match op {
        BinOp::BitOr => BOR,
        BinOp::BitXor => BXOR,
        BinOp::BitAnd => BAND,
        BinOp::LShift | BinOp::RShift => SHIFT,
        BinOp::Add | BinOp::Sub => ARITH,
        BinOp::Mul | BinOp::Div | BinOp::FloorDiv | BinOp::Mod | BinOp::MatMul => TERM,
        BinOp::Pow => POW,
    }
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Lambda { .. } => LAMBDA,
        ExprKind::IfExp { .. } => IFEXP,
        ExprKind::BoolOp { op: BoolOp::Or, .. } => OR,
        ExprKind::BoolOp {
            op: BoolOp::And, ..
        } => AND,
        ExprKind::UnaryOp {
            op: UnaryOp::Not, ..
        } => NOT,
        ExprKind::Compare { .. } => CMP,
        ExprKind::BinOp { op, .. } => binop_prec(*op),
        ExprKind::UnaryOp { .. } => UNARY,
        ExprKind::Int(i) if *i < 0 => UNARY,
        ExprKind::Float(f) if f.is_sign_negative() => UNARY,
        ExprKind::Starred(_) => BOR,
        _ => ATOM,
    }
}

#[derive(Default)]
struct Printer {
    out: String,
    indent: usize,
}

impl Printer {
    fn line_start(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
    }

    fn signature(&mut self, name: &str, params: &[Param], returns: &Option<Expr>) {
        self.line_start();
        let _ = write!(self.out, "def {name}(");
        self.params(params);
        self.out.push(')');
        if let Some(r) = returns {
            self.out.push_str(" -> ");
            self.expr(r, 0);
        }
        self.out.push_str(":\n");
    }

    fn params(&mut self, params: &[Param]) {
        let mut first = true;
        let mut star_written = false;
        for p in params {
            if !first {
                self.out.push_str(", ");
            }
            first = false;
            match p.kind {
                ParamKind::VarArgs => {
                    self.out.push('*');
                    star_written = true;
                }
                ParamKind::KwArgs => self.out.push_str("**"),
                ParamKind::KwOnly if !star_written => {
                    self.out.push_str("*, ");
                    star_written = true;
                }
                _ => {}
            }
            self.out.push_str(&p.name.name);
            if let Some(a) = &p.annotation {
                self.out.push_str(": ");
                self.expr(a, 0);
            }
            if let Some(d) = &p.default {
                self.out
                    .push_str(if p.annotation.is_some() { " = " } else { "=" });
                self.expr(d, 0);
            }
        }
    }

    /// An indented block after a `:` line; `pass` if empty.
    fn body(&mut self, stmts: &[Stmt]) {
        self.indent += 1;
        if stmts.is_empty() {
            self.line_start();
            self.out.push_str("pass\n");
        } else {
            self.block_lines(stmts);
        }
        self.indent -= 1;
    }

    fn block_lines(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.stmt(s));
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::If { .. } => return self.if_chain(s, "if"),
            StmtKind::FunctionDef(def) => {
                for d in &def.decorators {
                    self.line_start();
                    self.out.push('@');
                    self.expr(d, 0);
                    self.out.push('\n');
                }
                return self.signature_and_body(def);
            }
            _ => {}
        }
        self.line_start();
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e, 0),
            StmtKind::Assign { targets, value } => {
                for t in targets {
                    self.target(t);
                    self.out.push_str(" = ");
                }
                self.expr(value, 0);
            }
            StmtKind::AugAssign { target, op, value } => {
                self.target(target);
                let _ = write!(self.out, " {}= ", op.symbol());
                self.expr(value, 0);
            }
            StmtKind::AnnAssign {
                target,
                annotation,
                value,
            } => {
                self.target(target);
                self.out.push_str(": ");
                self.expr(annotation, 0);
                if let Some(v) = value {
                    self.out.push_str(" = ");
                    self.expr(v, 0);
                }
            }
            StmtKind::While { test, body, orelse } => {
                self.out.push_str("while ");
                self.expr(test, 0);
                self.out.push_str(":\n");
                self.body(body);
                self.else_block(orelse);
                return;
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.out.push_str("for ");
                self.target(target);
                self.out.push_str(" in ");
                self.expr(iter, 0);
                self.out.push_str(":\n");
                self.body(body);
                self.else_block(orelse);
                return;
            }
            StmtKind::Break => self.out.push_str("break"),
            StmtKind::Continue => self.out.push_str("continue"),
            StmtKind::Pass => self.out.push_str("pass"),
            StmtKind::Return(None) => self.out.push_str("return"),
            StmtKind::Return(Some(v)) => {
                self.out.push_str("return ");
                self.expr(v, 0);
            }
            StmtKind::Global(names) | StmtKind::Nonlocal(names) => {
                let kw = if matches!(s.kind, StmtKind::Global(_)) {
                    "global"
                } else {
                    "nonlocal"
                };
                let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
                let _ = write!(self.out, "{kw} {}", names.join(", "));
            }
            StmtKind::Unsupported(what) => {
                let _ = write!(self.out, "...  # {what}: not supported here");
            }
            StmtKind::If { .. } | StmtKind::FunctionDef(_) => {}
        }
        self.out.push('\n');
    }

    fn signature_and_body(&mut self, def: &FunctionDef) {
        self.signature(&def.name.name, &def.params, &def.returns);
        self.body(&def.body);
    }

    /// `if`/`elif`/`else`: an `else` holding exactly one `if` prints as `elif`.
    fn if_chain(&mut self, s: &Stmt, keyword: &str) {
        let StmtKind::If { test, body, orelse } = &s.kind else {
            return;
        };
        self.line_start();
        let _ = write!(self.out, "{keyword} ");
        self.expr(test, 0);
        self.out.push_str(":\n");
        self.body(body);
        match &orelse[..] {
            [] => {}
            [
                only @ Stmt {
                    kind: StmtKind::If { .. },
                    ..
                },
            ] => self.if_chain(only, "elif"),
            _ => self.else_block(orelse),
        }
    }

    fn else_block(&mut self, orelse: &[Stmt]) {
        if orelse.is_empty() {
            return;
        }
        self.line_start();
        self.out.push_str("else:\n");
        self.body(orelse);
    }

    /// An assignment target: a top-level tuple needs no parentheses.
    fn target(&mut self, t: &Expr) {
        match &t.kind {
            ExprKind::Tuple(xs) if !xs.is_empty() => {
                self.comma_list(xs, BOR);
                if xs.len() == 1 {
                    self.out.push(',');
                }
            }
            _ => self.expr(t, 0),
        }
    }

    fn comma_list(&mut self, xs: &[Expr], min: u8) {
        for (i, x) in xs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(x, min);
        }
    }

    fn expr(&mut self, e: &Expr, min: u8) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            let wrap = prec(e) < min;
            if wrap {
                self.out.push('(');
            }
            self.expr_inner(e);
            if wrap {
                self.out.push(')');
            }
        });
    }

    fn expr_inner(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Name(n) => self.out.push_str(n),
            ExprKind::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            ExprKind::Float(f) => self.out.push_str(&match float_repr(*f).as_str() {
                "inf" => "1e999".to_string(),
                "-inf" => "-1e999".to_string(),
                "nan" => "float('nan')".to_string(),
                s => s.to_string(),
            }),
            ExprKind::Str(s) => self.out.push_str(&str_repr(s)),
            ExprKind::Bool(b) => self.out.push_str(if *b { "True" } else { "False" }),
            ExprKind::NoneLit => self.out.push_str("None"),
            ExprKind::Ellipsis | ExprKind::Unsupported(_) => self.out.push_str("..."),
            ExprKind::BinOp { op, left, right } => {
                let p = binop_prec(*op);
                let (lmin, rmin) = if *op == BinOp::Pow {
                    (AWAIT, UNARY)
                } else {
                    (p, p + 1)
                };
                self.expr(left, lmin);
                let _ = write!(self.out, " {} ", op.symbol());
                self.expr(right, rmin);
            }
            ExprKind::UnaryOp { op, operand } => {
                self.out.push_str(op.symbol());
                // `-(-x)` reads better than `--x` (which is equally valid).
                let sign_on_sign = matches!(op, UnaryOp::Neg | UnaryOp::Pos)
                    && matches!(
                        operand.kind,
                        ExprKind::UnaryOp {
                            op: UnaryOp::Neg | UnaryOp::Pos,
                            ..
                        }
                    );
                let min = match op {
                    UnaryOp::Not => NOT,
                    _ if sign_on_sign => ATOM,
                    _ => UNARY,
                };
                self.expr(operand, min);
            }
            ExprKind::BoolOp { op, values } => {
                let (word, p) = match op {
                    BoolOp::And => (" and ", AND),
                    BoolOp::Or => (" or ", OR),
                };
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(word);
                    }
                    self.expr(v, p + 1);
                }
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                self.expr(left, CMP + 1);
                for (op, c) in ops.iter().zip(comparators) {
                    let _ = write!(self.out, " {} ", op.symbol());
                    self.expr(c, CMP + 1);
                }
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.expr(func, ATOM);
                self.out.push('(');
                self.comma_list(args, 0);
                for (i, k) in keywords.iter().enumerate() {
                    if i > 0 || !args.is_empty() {
                        self.out.push_str(", ");
                    }
                    match &k.name {
                        Some(n) => {
                            let _ = write!(self.out, "{}=", n.name);
                        }
                        None => self.out.push_str("**"),
                    }
                    self.expr(&k.value, 0);
                }
                self.out.push(')');
            }
            ExprKind::Attribute { value, attr } => {
                // `1.real` would lex as a float: parenthesize int literals.
                if matches!(value.kind, ExprKind::Int(_)) {
                    self.out.push('(');
                    self.expr(value, 0);
                    self.out.push(')');
                } else {
                    self.expr(value, ATOM);
                }
                let _ = write!(self.out, ".{}", attr.name);
            }
            ExprKind::Subscript { value, index } => {
                self.expr(value, ATOM);
                self.out.push('[');
                match &index.kind {
                    ExprKind::Tuple(xs) if !xs.is_empty() => {
                        self.comma_list(xs, 0);
                        if xs.len() == 1 {
                            self.out.push(',');
                        }
                    }
                    _ => self.expr(index, 0),
                }
                self.out.push(']');
            }
            ExprKind::Slice { lower, upper, step } => {
                if let Some(l) = lower {
                    self.expr(l, 0);
                }
                self.out.push(':');
                if let Some(u) = upper {
                    self.expr(u, 0);
                }
                if let Some(s) = step {
                    self.out.push(':');
                    self.expr(s, 0);
                }
            }
            ExprKind::Tuple(xs) => {
                self.out.push('(');
                self.comma_list(xs, 0);
                if xs.len() == 1 {
                    self.out.push(',');
                }
                self.out.push(')');
            }
            ExprKind::List(xs) => {
                self.out.push('[');
                self.comma_list(xs, 0);
                self.out.push(']');
            }
            ExprKind::Set(xs) if xs.is_empty() => self.out.push_str("set()"),
            ExprKind::Set(xs) => {
                self.out.push('{');
                self.comma_list(xs, 0);
                self.out.push('}');
            }
            ExprKind::Dict { keys, values } => {
                self.out.push('{');
                for (i, (k, v)) in keys.iter().zip(values).enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    match k {
                        Some(k) => {
                            self.expr(k, 0);
                            self.out.push_str(": ");
                            self.expr(v, 0);
                        }
                        None => {
                            self.out.push_str("**");
                            self.expr(v, BOR);
                        }
                    }
                }
                self.out.push('}');
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(body, IFEXP + 1);
                self.out.push_str(" if ");
                self.expr(test, IFEXP + 1);
                self.out.push_str(" else ");
                self.expr(orelse, IFEXP);
            }
            ExprKind::Lambda { params, body } => {
                self.out.push_str("lambda");
                if !params.is_empty() {
                    self.out.push(' ');
                    self.params(params);
                }
                self.out.push_str(": ");
                self.expr(body, 0);
            }
            ExprKind::ListComp { elt, generators } => {
                self.out.push('[');
                self.expr(elt, IFEXP);
                self.comprehensions(generators);
                self.out.push(']');
            }
            ExprKind::SetComp { elt, generators } => {
                self.out.push('{');
                self.expr(elt, IFEXP);
                self.comprehensions(generators);
                self.out.push('}');
            }
            ExprKind::GeneratorExp { elt, generators } => {
                self.out.push('(');
                self.expr(elt, IFEXP);
                self.comprehensions(generators);
                self.out.push(')');
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => {
                self.out.push('{');
                self.expr(key, 0);
                self.out.push_str(": ");
                self.expr(value, 0);
                self.comprehensions(generators);
                self.out.push('}');
            }
            ExprKind::FString(parts) => {
                self.out.push_str("f'");
                self.fstring_parts(parts);
                self.out.push('\'');
            }
            ExprKind::Starred(inner) => {
                self.out.push('*');
                self.expr(inner, BOR);
            }
        }
    }

    fn comprehensions(&mut self, gens: &[Comprehension]) {
        for g in gens {
            self.out.push_str(" for ");
            self.target(&g.target);
            self.out.push_str(" in ");
            self.expr(&g.iter, OR);
            for c in &g.ifs {
                self.out.push_str(" if ");
                self.expr(c, OR);
            }
        }
    }

    fn fstring_parts(&mut self, parts: &[FStringPart]) {
        for part in parts {
            match part {
                FStringPart::Literal(s) => {
                    let quoted = str_repr(s);
                    // Reuse repr's escaping, in single-quote form, then double the braces.
                    let inner = &quoted[1..quoted.len() - 1];
                    let inner = if quoted.starts_with('"') {
                        inner.replace('\'', "\\'")
                    } else {
                        inner.to_string()
                    };
                    self.out
                        .push_str(&inner.replace('{', "{{").replace('}', "}}"));
                }
                FStringPart::Value {
                    value,
                    conversion,
                    spec,
                } => {
                    self.out.push('{');
                    let text = unparse_expr(value);
                    // `{{` right after the brace would read as an escaped brace.
                    if text.starts_with('{') {
                        self.out.push(' ');
                    }
                    self.out.push_str(&text);
                    if let Some(c) = conversion {
                        let _ = write!(self.out, "!{c}");
                    }
                    if !spec.is_empty() {
                        self.out.push(':');
                        self.fstring_parts(spec);
                    }
                    self.out.push('}');
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_module;
    use crate::source::{SourceKind, SourceMap};

    fn reprint(src: &str) -> String {
        let mut map = SourceMap::new();
        let id = map.add("t.py", src, SourceKind::File);
        let m = parse_module(&map, id).unwrap_or_else(|e| panic!("{src}: {}", e.0.message));
        unparse_stmts(&m.body)
    }

    #[test]
    fn floats_print_as_python_repr() {
        let cases = [
            (0.1, "0.1"),
            (1e-5, "1e-05"),
            (3.0, "3.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (1e22, "1e+22"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-2.5, "-2.5"),
            (0.0001220703125, "0.0001220703125"),
            (f64::INFINITY, "inf"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want);
        }
    }

    #[test]
    fn strings_print_as_python_repr() {
        assert_eq!(str_repr("abc"), "'abc'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(str_repr("tab\there\n\x01"), "'tab\\there\\n\\x01'");
        assert_eq!(str_repr("back\\slash"), "'back\\\\slash'");
    }

    /// Canonical text prints back exactly: parentheses only where precedence needs them.
    #[test]
    fn canonical_text_reprints_unchanged() {
        let src = "\
x = (a + b) * c
y = a - (b - c)
z = (-2) ** 2
w = -2 ** 2
v = not (a and b)
u = (a if b else c) + 1
t = a if b else c if d else e
s = m[1:2, ::3]
r = f(*a, k=1, **m)
p = (1).real
o = [x for x in y if x]
n = {k: v for k, v in items}
q = a < b < c
q = (a < b) < c
q = x ** -1
q = 2 ** 3 ** 4
q = (2 ** 3) ** 4
q = a and b or c
q = a and (b or c)
q = -(-x)
q = ~x & (y | z) ^ 1
q = lambda a, b=2: a + b
q = (x for x in y)
q = {1, 2}
q = {'a': 1, **d}
q = (1,)
q = ()
q = cells[i, j]
q = f'{x!r:>{w}} {{lit}}'
a, (b, c) = t
x += 1
y: i64 = 0
if a:
    pass
elif b:
    x = 1
else:
    x = 2
while x < 10:
    x = x + 1
    if x == 3:
        continue
    break
else:
    pass
for i in range(3):
    label('top')
    goto('top')
def f(a: Int[3][3], *args, k: int = 1, **kw) -> None:
    global g
    return
def g(a: F32[:], b: I64[:][3][:]) -> i64:
    return len(a) + b.shape[-1]
";
        assert_eq!(reprint(src), src);
    }

    #[test]
    fn printing_is_stable() {
        for src in [
            "x = ((a))\n",
            "y = (a) + (b * c)\n",
            "z = -(1)\n",
            "print(-(2.5))\n",
        ] {
            let once = reprint(src);
            assert_eq!(reprint(&once), once, "{src}");
        }
    }
}
