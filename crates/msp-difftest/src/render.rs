//! Renders a generated [`Program`] twice: as kernel source for msp, and as a Python
//! model in which every wrap, rounding and saturation of the kernel semantics is an
//! explicit call (see `model.py`).

use std::fmt::Write;

use crate::ast::*;
use crate::types::{self, Scalar, Scalar::*};

fn float_text(v: f64) -> String {
    let s = format!("{v:?}");
    if v < 0.0 { format!("({s})") } else { s }
}

fn int_text(v: i128) -> String {
    if v < 0 {
        format!("({v})")
    } else {
        v.to_string()
    }
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push_str("    ");
    }
}

/// An array's type as a kernel writes it: `F32[4]`, `I64[:][3]`.
pub fn arr_type(a: &Arr) -> String {
    let mut s = types::array_name(a.elem).to_string();
    for d in &a.dims {
        match d {
            Some(d) => write!(s, "[{d}]").unwrap(),
            None => s.push_str("[:]"),
        }
    }
    s
}

/// `len(a)` or `a.shape[k]`: the same text in the kernel and the model (model arrays
/// carry a `shape`).
fn len_text(arr: &Arr, axis: i64, shape: bool) -> String {
    if shape {
        format!("{}.shape[{axis}]", arr.name)
    } else {
        format!("len({})", arr.name)
    }
}

// ---------------------------------------------------------------- kernel source

/// The program as an msp module.
pub fn kernel_source(p: &Program) -> String {
    let mut out = String::new();
    for (k, f) in p.funcs.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        kernel_func(&mut out, f);
    }
    out
}

fn kernel_func(out: &mut String, f: &Func) {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| match p {
            Param::Scalar(n, t) => format!("{n}: {}", types::name(*t)),
            Param::Array(a) => format!("{}: {}", a.name, arr_type(a)),
        })
        .collect();
    writeln!(
        out,
        "@compile\ndef {}({}) -> {}:",
        f.name,
        params.join(", "),
        types::name(f.ret)
    )
    .unwrap();
    for l in &f.locals {
        indent(out, 1);
        match l {
            Local::Scalar { name, ty, init } => {
                writeln!(out, "{name}: {} = {}", types::name(*ty), kexpr(init)).unwrap()
            }
            Local::Array(a) => writeln!(out, "{}: {}", a.name, arr_type(a)).unwrap(),
        }
    }
    kblock(out, &f.body, 1);
}

fn kblock(out: &mut String, body: &[Stmt], depth: usize) {
    if body.is_empty() {
        indent(out, depth);
        out.push_str("pass\n");
    }
    for s in body {
        kstmt(out, s, depth);
    }
}

fn kindex(arr: &Arr, idx: &[String], comma: bool) -> String {
    if comma {
        format!("{}[{}]", arr.name, idx.join(", "))
    } else {
        format!("{}[{}]", arr.name, idx.join("]["))
    }
}

fn kstmt(out: &mut String, s: &Stmt, d: usize) {
    match s {
        Stmt::Assign { var, e } => {
            indent(out, d);
            writeln!(out, "{var} = {}", kexpr(e)).unwrap();
        }
        Stmt::Aug { var, op, e, .. } => {
            indent(out, d);
            writeln!(out, "{var} {}= {}", op.symbol(), kexpr(e)).unwrap();
        }
        Stmt::Store { arr, idx, e, comma } => {
            indent(out, d);
            let idx: Vec<String> = idx.iter().map(kexpr).collect();
            writeln!(out, "{} = {}", kindex(arr, &idx, *comma), kexpr(e)).unwrap();
        }
        Stmt::AugStore { arr, idx, op, e } => {
            indent(out, d);
            let idx: Vec<String> = idx.iter().map(kexpr).collect();
            writeln!(
                out,
                "{} {}= {}",
                kindex(arr, &idx, true),
                op.symbol(),
                kexpr(e)
            )
            .unwrap();
        }
        Stmt::If { arms, els } => {
            for (k, (c, b)) in arms.iter().enumerate() {
                indent(out, d);
                writeln!(out, "{} {}:", if k == 0 { "if" } else { "elif" }, kexpr(c)).unwrap();
                kblock(out, b, d + 1);
            }
            if !els.is_empty() {
                indent(out, d);
                out.push_str("else:\n");
                kblock(out, els, d + 1);
            }
        }
        Stmt::While {
            counter,
            limit,
            cond,
            body,
            els,
        } => {
            indent(out, d);
            writeln!(out, "{counter} = 0").unwrap();
            indent(out, d);
            writeln!(out, "while {counter} < {limit} and {}:", kexpr(cond)).unwrap();
            indent(out, d + 1);
            writeln!(out, "{counter} += 1").unwrap();
            kblock(out, body, d + 1);
            if !els.is_empty() {
                indent(out, d);
                out.push_str("else:\n");
                kblock(out, els, d + 1);
            }
        }
        Stmt::CountWhile {
            counter,
            start,
            limit,
            le,
            flipped,
            step,
            body,
            tail,
            els,
            ..
        } => {
            indent(out, d);
            writeln!(out, "{counter} = {}", kexpr(start)).unwrap();
            indent(out, d);
            let limit = match limit {
                CountLimit::Lit(v) => int_text(*v),
                CountLimit::Extent(e) => kexpr(e),
            };
            writeln!(out, "while {}:", count_cond(counter, &limit, *le, *flipped)).unwrap();
            // The step follows the body even when the body is empty.
            for s in body {
                kstmt(out, s, d + 1);
            }
            indent(out, d + 1);
            match step {
                StepForm::Aug => writeln!(out, "{counter} += 1"),
                StepForm::AddRight => writeln!(out, "{counter} = {counter} + 1"),
                StepForm::AddLeft => writeln!(out, "{counter} = 1 + {counter}"),
            }
            .unwrap();
            for s in tail {
                kstmt(out, s, d + 1);
            }
            if !els.is_empty() {
                indent(out, d);
                out.push_str("else:\n");
                kblock(out, els, d + 1);
            }
        }
        Stmt::For {
            var,
            args,
            body,
            els,
            ..
        } => {
            indent(out, d);
            let a: Vec<String> = args.iter().map(kexpr).collect();
            writeln!(out, "for {var} in range({}):", a.join(", ")).unwrap();
            kblock(out, body, d + 1);
            if !els.is_empty() {
                indent(out, d);
                out.push_str("else:\n");
                kblock(out, els, d + 1);
            }
        }
        Stmt::ParFor {
            var, args, body, ..
        } => {
            indent(out, d);
            let a: Vec<String> = args.iter().map(kexpr).collect();
            writeln!(out, "for {var} in prange({}):", a.join(", ")).unwrap();
            kblock(out, body, d + 1);
        }
        Stmt::MinMax { var, max, e, .. } => {
            indent(out, d);
            let f = if *max { "max" } else { "min" };
            writeln!(out, "{var} = {f}({var}, {})", kexpr(e)).unwrap();
        }
        Stmt::Break => {
            indent(out, d);
            out.push_str("break\n");
        }
        Stmt::Continue => {
            indent(out, d);
            out.push_str("continue\n");
        }
        Stmt::Pass => {
            indent(out, d);
            out.push_str("pass\n");
        }
        Stmt::Return(e) => {
            indent(out, d);
            writeln!(out, "return {}", kexpr(e)).unwrap();
        }
        Stmt::Call(e) => {
            indent(out, d);
            writeln!(out, "{}", kexpr(e)).unwrap();
        }
        Stmt::Region { label, body } => {
            kblock(out, body, d);
            indent(out, d);
            writeln!(out, "label(\"{label}\")").unwrap();
        }
        Stmt::Repeat {
            label,
            counter,
            limit,
            body,
        } => {
            indent(out, d);
            writeln!(out, "{counter} = 0").unwrap();
            indent(out, d);
            writeln!(out, "label(\"{label}\")").unwrap();
            kblock(out, body, d);
            indent(out, d);
            writeln!(out, "{counter} += 1").unwrap();
            indent(out, d);
            writeln!(out, "if {counter} < {limit}:").unwrap();
            indent(out, d + 1);
            writeln!(out, "goto(\"{label}\")").unwrap();
        }
        Stmt::Goto(label) => {
            indent(out, d);
            writeln!(out, "goto(\"{label}\")").unwrap();
        }
    }
}

/// A counting loop's condition, the same text in the kernel and the model.
fn count_cond(counter: &str, limit: &str, le: bool, flipped: bool) -> String {
    match (flipped, le) {
        (false, false) => format!("{counter} < {limit}"),
        (false, true) => format!("{counter} <= {limit}"),
        (true, false) => format!("{limit} > {counter}"),
        (true, true) => format!("{limit} >= {counter}"),
    }
}

fn lit_text(val: &Lit) -> String {
    match val {
        Lit::Int(v) => int_text(*v),
        Lit::Float(v) => float_text(*v),
        Lit::Bool(b) => if *b { "True" } else { "False" }.to_string(),
    }
}

pub fn kexpr(e: &Expr) -> String {
    match e {
        Expr::Var { name, .. } => name.clone(),
        Expr::Lit {
            val, bare: true, ..
        } => lit_text(val),
        // `bool(1)`, not `True`: a bare bool literal folds with its neighbours.
        Expr::Lit {
            val: Lit::Bool(b), ..
        } => format!("bool({})", *b as u8),
        Expr::Lit { val, ty, .. } => {
            let inner = match val {
                Lit::Int(v) => v.to_string(),
                Lit::Float(v) => format!("{v:?}"),
                Lit::Bool(b) => (*b as u8).to_string(),
            };
            format!("{}({inner})", types::name(*ty))
        }
        Expr::Load { arr, idx, comma } => {
            let idx: Vec<String> = idx.iter().map(kexpr).collect();
            kindex(arr, &idx, *comma)
        }
        Expr::Len {
            arr, axis, shape, ..
        } => len_text(arr, *axis, *shape),
        Expr::Bin { op, l, r, .. } => format!("({} {} {})", kexpr(l), op.symbol(), kexpr(r)),
        Expr::Pow { base, exp, .. } => format!(
            "({} ** {})",
            kexpr(base),
            if *exp < 0 {
                format!("-{}", -exp)
            } else {
                exp.to_string()
            }
        ),
        Expr::Un { op, e, .. } => match op {
            UOp::Neg => format!("(-{})", kexpr(e)),
            UOp::Invert => format!("(~{})", kexpr(e)),
            UOp::Not => format!("(not {})", kexpr(e)),
        },
        Expr::Cmp { ops, xs, .. } => {
            let mut s = format!("({}", kexpr(&xs[0]));
            for (op, x) in ops.iter().zip(&xs[1..]) {
                write!(s, " {} {}", op.symbol(), kexpr(x)).unwrap();
            }
            s.push(')');
            s
        }
        Expr::BoolOp { and, xs, .. } => {
            let parts: Vec<String> = xs.iter().map(kexpr).collect();
            format!("({})", parts.join(if *and { " and " } else { " or " }))
        }
        Expr::IfExp { c, t, f, .. } => format!("({} if {} else {})", kexpr(t), kexpr(c), kexpr(f)),
        Expr::Cast { to, e } => format!("{}({})", types::name(*to), kexpr(e)),
        Expr::Widen { e, .. } => kexpr(e),
        Expr::Call { func, args, .. } => {
            let a: Vec<String> = args
                .iter()
                .map(|a| match a {
                    Arg::Scalar(e) => kexpr(e),
                    Arg::Array(arr) => arr.name.clone(),
                })
                .collect();
            format!("{func}({})", a.join(", "))
        }
        Expr::Intr { f, xs, .. } => {
            let a: Vec<String> = xs.iter().map(kexpr).collect();
            let name = match f {
                Intr::Abs => "abs",
                Intr::Min => "min",
                Intr::Max => "max",
                Intr::Round => "round",
                Intr::Floor => "math.floor",
                Intr::Ceil => "math.ceil",
                Intr::Trunc => "math.trunc",
                Intr::Sqrt => "math.sqrt",
                Intr::Fabs => "math.fabs",
                Intr::IsNan => "math.isnan",
                Intr::IsInf => "math.isinf",
            };
            format!("{name}({})", a.join(", "))
        }
    }
}

// ---------------------------------------------------------------- Python model

fn tcode(s: Scalar) -> &'static str {
    match s {
        Bool => "bool",
        I8 => "i8",
        I16 => "i16",
        I32 => "i32",
        I64 => "i64",
        U8 => "u8",
        U16 => "u16",
        U32 => "u32",
        U64 => "u64",
        F32 => "f32",
        F64 => "f64",
    }
}

/// Python source of a value of type `ty` whose numeric value is `v` (exact for floats).
pub fn py_float(v: f64) -> String {
    format!("_bd({:#x})", v.to_bits())
}

/// Converts the Python value `py` of kernel type `from` to kernel type `to`.
pub fn conv(py: String, from: Scalar, to: Scalar) -> String {
    if from == to {
        return py;
    }
    if to == Bool {
        return format!("({py} != 0)");
    }
    if from == Bool {
        return if types::is_float(to) {
            format!("float({py})")
        } else {
            format!("int({py})")
        };
    }
    match (types::is_float(from), types::is_float(to)) {
        (false, false) => format!("_w_{}({py})", tcode(to)),
        (false, true) => {
            if to == F32 {
                format!("_i2f32({py})")
            } else {
                format!("float({py})")
            }
        }
        (true, false) => format!("_s_{}({py})", tcode(to)),
        (true, true) => {
            if to == F32 {
                format!("_f32({py})")
            } else {
                py
            }
        }
    }
}

/// The model of a literal: its value as the kernel type `ty` holds it.
fn mlit(val: &Lit, ty: Scalar) -> String {
    match (val, ty) {
        (Lit::Bool(b), Bool) => if *b { "True" } else { "False" }.to_string(),
        (Lit::Bool(b), t) => conv(if *b { "True" } else { "False" }.into(), Bool, t),
        (Lit::Int(v), t) if types::is_float(t) => {
            if t == F32 {
                format!("_i2f32({v})")
            } else {
                format!("float({v})")
            }
        }
        (Lit::Int(v), Bool) => if *v != 0 { "True" } else { "False" }.to_string(),
        (Lit::Int(v), _) => int_text(*v),
        (Lit::Float(v), F32) => format!("_f32({})", py_float(*v)),
        (Lit::Float(v), _) => py_float(*v),
    }
}

/// Where a chunk of a `prange` starts a reduction of type `ty` (msp's `identity`).
fn identity(op: Red, ty: Scalar) -> String {
    let (lo, hi) = types::range(ty);
    match (op, ty) {
        (Red::Or | Red::Xor, Bool) => "False".into(),
        (Red::And, Bool) => "True".into(),
        (Red::Add | Red::Sub, t) if types::is_float(t) => "-0.0".into(),
        (Red::Mul, t) if types::is_float(t) => "1.0".into(),
        (Red::Min, t) if types::is_float(t) => "math.inf".into(),
        (Red::Max, t) if types::is_float(t) => "(-math.inf)".into(),
        (Red::Add | Red::Sub | Red::Or | Red::Xor, _) => "0".into(),
        (Red::Mul, _) => "1".into(),
        // All ones: -1, or the largest value of an unsigned type.
        (Red::And, t) if types::is_signed(t) => "(-1)".into(),
        (Red::And, _) => hi.to_string(),
        (Red::Min, _) => int_text(hi),
        (Red::Max, _) => int_text(lo),
    }
}

/// `acc` combined with a chunk's result `part` (msp's `combine`: a chunk of `s -= e`
/// subtracted from the identity, so its result is added; min and max take `part` only
/// when it is strictly better, as `min(acc, part)` does).
fn combine(op: Red, ty: Scalar, acc: String, part: String) -> String {
    match op {
        Red::Add | Red::Sub => minbin(BOp::Add, acc, part, ty),
        Red::Mul => minbin(BOp::Mul, acc, part, ty),
        Red::Or => minbin(BOp::BitOr, acc, part, ty),
        Red::And => minbin(BOp::BitAnd, acc, part, ty),
        Red::Xor => minbin(BOp::BitXor, acc, part, ty),
        Red::Min => format!("({part} if {part} < {acc} else {acc})"),
        Red::Max => format!("({part} if {part} > {acc} else {acc})"),
    }
}

struct Model<'a> {
    prefix: &'a str,
    temps: usize,
}

/// The program as Python functions named `{prefix}{kernel}`.
pub fn model_source(p: &Program, prefix: &str) -> String {
    let mut m = Model { prefix, temps: 0 };
    let mut out = String::new();
    for f in &p.funcs {
        m.func(&mut out, f);
    }
    out
}

fn minbin(op: BOp, a: String, b: String, join: Scalar) -> String {
    let t = tcode(join);
    if join == Bool {
        return format!("({a} {} {b})", op.symbol());
    }
    if types::is_float(join) {
        let raw = match op {
            BOp::Add | BOp::Sub | BOp::Mul => format!("({a} {} {b})", op.symbol()),
            BOp::Div => format!("_fdiv({a}, {b})"),
            BOp::FloorDiv => format!("_ffd({a}, {b})"),
            BOp::Mod => format!("_fmd({a}, {b})"),
            _ => unreachable!("no bit operators on floats"),
        };
        return if join == F32 {
            format!("_f32({raw})")
        } else {
            raw
        };
    }
    match op {
        BOp::Add | BOp::Sub | BOp::Mul | BOp::FloorDiv => {
            format!("_w_{t}({a} {} {b})", op.symbol())
        }
        BOp::Mod | BOp::BitAnd | BOp::BitOr | BOp::BitXor => format!("({a} {} {b})", op.symbol()),
        BOp::Shl => format!("_shl_{t}({a}, {b})"),
        BOp::Shr => format!("_shr_{t}({a}, {b})"),
        BOp::Div => unreachable!("true division has a float type"),
    }
}

impl Model<'_> {
    fn func(&mut self, out: &mut String, f: &Func) {
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| match p {
                Param::Scalar(n, _) => n.clone(),
                Param::Array(a) => a.name.clone(),
            })
            .collect();
        writeln!(out, "def {}{}({}):", self.prefix, f.name, params.join(", ")).unwrap();
        for l in &f.locals {
            indent(out, 1);
            match l {
                Local::Scalar { name, ty, init } => {
                    writeln!(out, "{name} = {}", self.expr_as(init, *ty)).unwrap()
                }
                Local::Array(a) => {
                    let zero = match a.elem {
                        Bool => "False",
                        F32 | F64 => "0.0",
                        _ => "0",
                    };
                    // Local arrays have fixed extents.
                    let dims: Vec<usize> = a.dims.iter().map(|d| d.unwrap_or(0)).collect();
                    let mut s = format!("[{zero}] * {}", dims.last().expect("dims"));
                    for d in dims.iter().rev().skip(1) {
                        s = format!("[{s} for _ in range({d})]");
                    }
                    let shape: Vec<String> = dims.iter().map(|d| format!("{d}, ")).collect();
                    writeln!(out, "{} = _arr(({}), {s})", a.name, shape.concat()).unwrap();
                }
            }
        }
        self.block(out, &f.body, 1);
    }

    /// `e` converted to `ty` (bare literals are already `ty`).
    fn expr_as(&mut self, e: &Expr, ty: Scalar) -> String {
        if let Expr::Lit {
            val, bare: true, ..
        } = e
        {
            return mlit(val, ty);
        }
        conv(self.expr(e), e.ty(), ty)
    }

    fn block(&mut self, out: &mut String, body: &[Stmt], d: usize) {
        if body.is_empty() {
            indent(out, d);
            out.push_str("pass\n");
        }
        for s in body {
            self.stmt(out, s, d);
        }
    }

    fn index(&mut self, arr: &Arr, idx: &[String]) -> String {
        let mut s = arr.name.clone();
        for i in idx {
            write!(s, "[{i}]").unwrap();
        }
        s
    }

    fn stmt(&mut self, out: &mut String, s: &Stmt, d: usize) {
        match s {
            Stmt::Assign { var, e } => {
                let ty = e.ty();
                indent(out, d);
                writeln!(out, "{var} = {}", self.expr_as(e, ty)).unwrap();
            }
            Stmt::Aug {
                var,
                ty,
                op,
                e,
                join,
            } => {
                let bin = Expr::Bin {
                    op: *op,
                    l: Box::new(Expr::Var {
                        name: var.clone(),
                        ty: *ty,
                    }),
                    r: Box::new(e.clone()),
                    join: *join,
                    ty: *join,
                };
                indent(out, d);
                writeln!(out, "{var} = {}", self.expr_as(&bin, *ty)).unwrap();
            }
            Stmt::Store { arr, idx, e, .. } => {
                let idx: Vec<String> = idx.iter().map(|i| self.expr_as(i, i.ty())).collect();
                let target = self.index(arr, &idx);
                indent(out, d);
                writeln!(out, "{target} = {}", self.expr_as(e, arr.elem)).unwrap();
            }
            Stmt::AugStore { arr, idx, op, e } => {
                let mut names = Vec::new();
                for i in idx {
                    self.temps += 1;
                    let t = format!("_t{}", self.temps);
                    indent(out, d);
                    writeln!(out, "{t} = {}", self.expr_as(i, i.ty())).unwrap();
                    names.push(Expr::Var {
                        name: t,
                        ty: i.ty(),
                    });
                }
                let load = Expr::Load {
                    arr: arr.clone(),
                    idx: names.clone(),
                    comma: true,
                };
                let bin = Expr::Bin {
                    op: *op,
                    l: Box::new(load),
                    r: Box::new(e.clone()),
                    join: arr.elem,
                    ty: arr.elem,
                };
                let tn: Vec<String> = names.iter().map(|n| self.expr(n)).collect();
                let target = self.index(arr, &tn);
                indent(out, d);
                writeln!(out, "{target} = {}", self.expr(&bin)).unwrap();
            }
            Stmt::If { arms, els } => {
                for (k, (c, b)) in arms.iter().enumerate() {
                    indent(out, d);
                    writeln!(
                        out,
                        "{} {}:",
                        if k == 0 { "if" } else { "elif" },
                        self.expr(c)
                    )
                    .unwrap();
                    self.block(out, b, d + 1);
                }
                if !els.is_empty() {
                    indent(out, d);
                    out.push_str("else:\n");
                    self.block(out, els, d + 1);
                }
            }
            Stmt::While {
                counter,
                limit,
                cond,
                body,
                els,
            } => {
                indent(out, d);
                writeln!(out, "{counter} = 0").unwrap();
                indent(out, d);
                writeln!(out, "while {counter} < {limit} and {}:", self.expr(cond)).unwrap();
                indent(out, d + 1);
                writeln!(out, "{counter} += 1").unwrap();
                self.block(out, body, d + 1);
                if !els.is_empty() {
                    indent(out, d);
                    out.push_str("else:\n");
                    self.block(out, els, d + 1);
                }
            }
            Stmt::CountWhile {
                counter,
                ty,
                start,
                limit,
                le,
                flipped,
                body,
                tail,
                els,
                ..
            } => {
                indent(out, d);
                writeln!(out, "{counter} = {}", self.expr_as(start, *ty)).unwrap();
                indent(out, d);
                let limit = match limit {
                    CountLimit::Lit(v) => int_text(*v),
                    CountLimit::Extent(e) => self.expr_as(e, *ty),
                };
                writeln!(out, "while {}:", count_cond(counter, &limit, *le, *flipped)).unwrap();
                for s in body {
                    self.stmt(out, s, d + 1);
                }
                let step = minbin(BOp::Add, counter.clone(), "1".into(), *ty);
                indent(out, d + 1);
                writeln!(out, "{counter} = {step}").unwrap();
                for s in tail {
                    self.stmt(out, s, d + 1);
                }
                if !els.is_empty() {
                    indent(out, d);
                    out.push_str("else:\n");
                    self.block(out, els, d + 1);
                }
            }
            Stmt::For {
                var,
                ty,
                args,
                body,
                els,
            } => {
                let a: Vec<String> = args.iter().map(|x| self.expr_as(x, *ty)).collect();
                indent(out, d);
                writeln!(out, "for {var} in range({}):", a.join(", ")).unwrap();
                self.block(out, body, d + 1);
                if !els.is_empty() {
                    indent(out, d);
                    out.push_str("else:\n");
                    self.block(out, els, d + 1);
                }
            }
            Stmt::ParFor {
                var,
                ty,
                args,
                body,
                reductions,
            } => self.par_for(out, d, var, *ty, args, body, reductions),
            Stmt::MinMax { var, ty, max, e } => {
                indent(out, d);
                let f = if *max { "max" } else { "min" };
                writeln!(out, "{var} = {f}({var}, {})", self.expr_as(e, *ty)).unwrap();
            }
            Stmt::Break => {
                indent(out, d);
                out.push_str("break\n");
            }
            Stmt::Continue => {
                indent(out, d);
                out.push_str("continue\n");
            }
            Stmt::Pass => {
                indent(out, d);
                out.push_str("pass\n");
            }
            Stmt::Return(e) => {
                // The return type is the function's; `e` has it or widens to it.
                indent(out, d);
                writeln!(out, "return {}", self.ret_expr(e)).unwrap();
            }
            Stmt::Call(e) => {
                indent(out, d);
                writeln!(out, "{}", self.expr(e)).unwrap();
            }
            Stmt::Region { label, body } => {
                indent(out, d);
                out.push_str("try:\n");
                self.block(out, body, d + 1);
                indent(out, d);
                out.push_str("except _Goto as _g:\n");
                indent(out, d + 1);
                writeln!(out, "if _g.args[0] != '{label}':").unwrap();
                indent(out, d + 2);
                out.push_str("raise\n");
            }
            Stmt::Repeat {
                counter,
                limit,
                body,
                ..
            } => {
                indent(out, d);
                writeln!(out, "{counter} = 0").unwrap();
                indent(out, d);
                out.push_str("while True:\n");
                self.block(out, body, d + 1);
                indent(out, d + 1);
                writeln!(out, "{counter} += 1").unwrap();
                indent(out, d + 1);
                writeln!(out, "if {counter} < {limit}:").unwrap();
                indent(out, d + 2);
                out.push_str("continue\n");
                indent(out, d + 1);
                out.push_str("break\n");
            }
            Stmt::Goto(label) => {
                indent(out, d);
                writeln!(out, "raise _Goto('{label}')").unwrap();
            }
        }
    }

    /// A `prange` loop in msp's order (`msp_rt::parallel`, `codegen::lower::par`): chunks
    /// of `ceil(n / 256)` iterations (fixed by the count `n` alone), each running its
    /// iterations in order with every reduction started at its identity, and each
    /// chunk's result combined in chunk order into the value from before the loop. Other
    /// locals are shared across chunks as in Python: a private keeps the last value an
    /// iteration gave it, as msp promises. A fault that leaves the loop sets `_PF`: with
    /// several threads, chunks after the faulting one may have written their elements.
    #[allow(clippy::too_many_arguments)]
    fn par_for(
        &mut self,
        out: &mut String,
        d: usize,
        var: &str,
        ty: Scalar,
        args: &[Expr],
        body: &[Stmt],
        reductions: &[(String, Scalar, Red)],
    ) {
        self.temps += 1;
        let k = self.temps;
        let a: Vec<String> = args.iter().map(|x| self.expr_as(x, ty)).collect();
        let (start, stop, step) = match a.as_slice() {
            [stop] => ("0".to_string(), stop.clone(), "1".to_string()),
            [start, stop] => (start.clone(), stop.clone(), "1".to_string()),
            [start, stop, step, ..] => (start.clone(), stop.clone(), step.clone()),
            [] => ("0".to_string(), "0".to_string(), "1".to_string()),
        };
        let line = |out: &mut String, depth: usize, text: String| {
            indent(out, depth);
            out.push_str(&text);
            out.push('\n');
        };
        line(out, d, format!("_ps{k} = {start}"));
        line(out, d, format!("_pt{k} = {step}"));
        line(
            out,
            d,
            format!("_pn{k} = len(range(_ps{k}, {stop}, _pt{k}))"),
        );
        line(out, d, format!("_pz{k} = max(1, -(-_pn{k} // 256))"));
        for (j, (r, ..)) in reductions.iter().enumerate() {
            line(out, d, format!("_pr{k}_{j} = {r}"));
        }
        line(out, d, "try:".into());
        line(
            out,
            d + 1,
            format!("for _pc{k} in range(0, _pn{k}, _pz{k}):"),
        );
        for (r, rty, op) in reductions {
            line(out, d + 2, format!("{r} = {}", identity(*op, *rty)));
        }
        line(
            out,
            d + 2,
            format!("for _pk{k} in range(_pc{k}, min(_pc{k} + _pz{k}, _pn{k})):"),
        );
        line(out, d + 3, format!("{var} = _ps{k} + _pk{k} * _pt{k}"));
        self.block(out, body, d + 3);
        for (j, (r, rty, op)) in reductions.iter().enumerate() {
            let acc = format!("_pr{k}_{j}");
            line(
                out,
                d + 2,
                format!("{acc} = {}", combine(*op, *rty, acc.clone(), r.clone())),
            );
        }
        line(out, d, "except (IndexError, ZeroDivisionError):".into());
        line(out, d + 1, "_PF[0] = True".into());
        line(out, d + 1, "raise".into());
        for (j, (r, ..)) in reductions.iter().enumerate() {
            line(out, d, format!("{r} = _pr{k}_{j}"));
        }
    }

    fn ret_expr(&mut self, e: &Expr) -> String {
        // Return expressions are generated with the function's type (bare literals too).
        let ty = e.ty();
        self.expr_as(e, ty)
    }

    fn expr(&mut self, e: &Expr) -> String {
        match e {
            Expr::Var { name, .. } => name.clone(),
            Expr::Lit { val, ty, .. } => mlit(val, *ty),
            Expr::Load { arr, idx, .. } => {
                let idx: Vec<String> = idx.iter().map(|i| self.expr_as(i, i.ty())).collect();
                self.index(arr, &idx)
            }
            Expr::Len {
                arr, axis, shape, ..
            } => len_text(arr, *axis, *shape),
            Expr::Bin { op, l, r, join, .. } => {
                if matches!(op, BOp::Shl | BOp::Shr) {
                    let a = self.expr_as(l, *join);
                    let n = self.expr_as(r, r.ty());
                    return minbin(*op, a, n, *join);
                }
                let a = self.expr_as(l, *join);
                let b = self.expr_as(r, *join);
                minbin(*op, a, b, *join)
            }
            Expr::Pow { base, exp, ty } => {
                let b = self.expr_as(base, *ty);
                match ty {
                    F32 => format!("_powf({b}, {exp}, _f32)"),
                    F64 => format!("_powf({b}, {exp}, _id)"),
                    t => format!("_w_{}(({b}) ** {exp})", tcode(*t)),
                }
            }
            Expr::Un { op, e, ty } => {
                let a = self.expr(e);
                match op {
                    UOp::Neg if types::is_float(*ty) => format!("(-{a})"),
                    UOp::Neg => format!("_w_{}(-{a})", tcode(*ty)),
                    UOp::Invert => format!("_w_{}(~{a})", tcode(*ty)),
                    UOp::Not => format!("(not {a})"),
                }
            }
            Expr::Cmp { ops, xs, join } => {
                let mut s = format!("({}", self.expr_as(&xs[0], *join));
                for (op, x) in ops.iter().zip(&xs[1..]) {
                    let v = self.expr_as(x, *join);
                    write!(s, " {} {v}", op.symbol()).unwrap();
                }
                s.push(')');
                s
            }
            Expr::BoolOp { and, xs, ty } => {
                let parts: Vec<String> = xs.iter().map(|x| self.expr_as(x, *ty)).collect();
                format!("({})", parts.join(if *and { " and " } else { " or " }))
            }
            Expr::IfExp { c, t, f, ty } => {
                let (t, c, f) = (self.expr_as(t, *ty), self.expr(c), self.expr_as(f, *ty));
                format!("({t} if {c} else {f})")
            }
            Expr::Cast { to, e } | Expr::Widen { to, e } => self.expr_as(e, *to),
            Expr::Call { func, args, .. } => {
                let a: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::Scalar(e) => self.expr_as(e, e.ty()),
                        Arg::Array(arr) => arr.name.clone(),
                    })
                    .collect();
                format!("{}{func}({})", self.prefix, a.join(", "))
            }
            Expr::Intr { f, xs, ty } => {
                let t = tcode(*ty);
                match f {
                    Intr::Abs if types::is_float(*ty) => format!("abs({})", self.expr(&xs[0])),
                    Intr::Abs if types::is_signed(*ty) => {
                        format!("_w_{t}(abs({}))", self.expr(&xs[0]))
                    }
                    Intr::Abs => self.expr(&xs[0]),
                    Intr::Min | Intr::Max => {
                        let a: Vec<String> = xs.iter().map(|x| self.expr_as(x, *ty)).collect();
                        format!(
                            "{}({})",
                            if *f == Intr::Min { "min" } else { "max" },
                            a.join(", ")
                        )
                    }
                    Intr::Round => format!("_s_{t}(_round({}))", self.expr(&xs[0])),
                    Intr::Floor => format!("_s_{t}(_floor({}))", self.expr(&xs[0])),
                    Intr::Ceil => format!("_s_{t}(_ceil({}))", self.expr(&xs[0])),
                    Intr::Trunc => format!("_s_{t}(_trunc({}))", self.expr(&xs[0])),
                    Intr::Sqrt if *ty == F32 => format!("_f32(_sqrt({}))", self.expr(&xs[0])),
                    Intr::Sqrt => format!("_sqrt({})", self.expr(&xs[0])),
                    Intr::Fabs => format!("abs({})", self.expr(&xs[0])),
                    Intr::IsNan => format!("math.isnan({})", self.expr(&xs[0])),
                    Intr::IsInf => format!("math.isinf({})", self.expr(&xs[0])),
                }
            }
        }
    }
}

/// The type code the Python runner uses for canonical output.
pub fn type_code(s: Scalar) -> &'static str {
    tcode(s)
}
