//! Command-line values: `--define name=value` and `--call 'f(args)'`, parsed with the
//! same Python parser as modules and converted to the kernel's parameter types.

use msp_core::ast::{Expr, ExprKind, UnaryOp};
use msp_core::check::{ArrayType, Extent, KernelSig, Scalar, Type};
use msp_core::jit::{CallArg, ScalarValue};
use msp_core::parse::parse_expression;
use msp_core::source::{SourceKind, SourceMap};
use msp_core::staged::DefineValue;

fn parse_input(label: &str, text: &str) -> Result<Expr, String> {
    let mut map = SourceMap::new();
    let id = map.add(label, text, SourceKind::Input);
    parse_expression(&map, id)
        .map_err(|e| format!("error: cannot parse {label} `{text}`: {}", e.0.message))
}

/// A Python literal, as stage 0 sees it.
fn literal(e: &Expr) -> Option<Literal> {
    Some(match &e.kind {
        ExprKind::Int(v) => Literal::Int(*v),
        ExprKind::Float(f) => Literal::Float(*f),
        ExprKind::Bool(b) => Literal::Bool(*b),
        ExprKind::Str(s) => Literal::Str(s.clone()),
        ExprKind::UnaryOp {
            op: UnaryOp::Neg,
            operand,
        } => match literal(operand)? {
            Literal::Int(v) => Literal::Int(-v),
            Literal::Float(f) => Literal::Float(-f),
            _ => return None,
        },
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            Literal::List(items.iter().map(literal).collect::<Option<_>>()?)
        }
        ExprKind::Name(n) if n == "zeros" => Literal::Zeros(None),
        ExprKind::Name(n) if n == "iota" => Literal::Iota(None),
        // `zeros(3, 4)` / `iota(5)`: explicit extents, needed for `:` axes.
        ExprKind::Call {
            func,
            args,
            keywords,
        } if keywords.is_empty() => {
            let dims = args
                .iter()
                .map(|a| match a.kind {
                    ExprKind::Int(v) => u64::try_from(v).ok(),
                    _ => None,
                })
                .collect::<Option<Vec<u64>>>()?;
            match func.as_name()? {
                "zeros" => Literal::Zeros(Some(dims)),
                "iota" => Literal::Iota(Some(dims)),
                _ => return None,
            }
        }
        _ => return None,
    })
}

#[derive(Clone, Debug, PartialEq)]
enum Literal {
    Int(i128),
    Float(f64),
    Bool(bool),
    Str(String),
    List(Vec<Literal>),
    /// `zeros` / `zeros(d0, d1, ...)`: the extents, when given.
    Zeros(Option<Vec<u64>>),
    Iota(Option<Vec<u64>>),
}

pub fn parse_define(text: &str) -> Result<(String, DefineValue), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("error: --define wants NAME=VALUE, got `{text}`"))?;
    let name = name.trim();
    if name.is_empty()
        || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!("error: --define: `{name}` is not a valid name"));
    }
    let e = parse_input("--define value", value.trim())?;
    let lit = literal(&e).ok_or_else(|| {
        format!(
            "error: --define {name}: `{value}` is not a literal (int, float, bool, str or list)"
        )
    })?;
    Ok((
        name.to_string(),
        define_value(&lit).map_err(|m| format!("error: --define {name}: {m}"))?,
    ))
}

fn define_value(l: &Literal) -> Result<DefineValue, String> {
    Ok(match l {
        Literal::Int(v) => {
            DefineValue::Int(i64::try_from(*v).map_err(|_| format!("{v} does not fit in 64 bits"))?)
        }
        Literal::Float(f) => DefineValue::Float(*f),
        Literal::Bool(b) => DefineValue::Bool(*b),
        Literal::Str(s) => DefineValue::Str(s.clone()),
        Literal::List(items) => {
            DefineValue::List(items.iter().map(define_value).collect::<Result<_, _>>()?)
        }
        Literal::Zeros(_) | Literal::Iota(_) => {
            return Err("`zeros`/`iota` only stand for call arguments".into());
        }
    })
}

pub struct ParsedCall {
    pub name: String,
    args: Vec<Literal>,
}

pub fn parse_call(text: &str) -> Result<ParsedCall, String> {
    let e = parse_input("--call", text)?;
    let ExprKind::Call {
        func,
        args,
        keywords,
    } = &e.kind
    else {
        return Err(format!("error: --call wants `kernel(args)`, got `{text}`"));
    };
    let name = func
        .as_name()
        .ok_or_else(|| format!("error: --call: `{text}` does not call a kernel by name"))?;
    if !keywords.is_empty() {
        return Err("error: --call: keyword arguments are not supported".into());
    }
    let args = args
        .iter()
        .map(|a| {
            literal(a).ok_or_else(|| {
                format!("error: --call: argument is not a literal, `zeros` or `iota`: {a:?}")
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(ParsedCall {
        name: name.to_string(),
        args,
    })
}

/// One argument, owned: a scalar, or an array buffer of the parameter's element type.
pub enum Buffer {
    Scalar(ScalarValue),
    Array { data: ArrayData, dims: Vec<u64> },
}

pub enum ArrayData {
    Bool(Vec<bool>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

fn scalar_arg(l: &Literal, s: Scalar, what: &str) -> Result<ScalarValue, String> {
    let bad = || format!("error: {what}: `{l:?}` is not a `{s}`");
    match l {
        Literal::Int(v) => ScalarValue::from_i128(s, *v)
            .filter(|_| s != Scalar::Bool)
            .ok_or_else(|| format!("error: {what}: {v} does not fit in `{s}`")),
        Literal::Float(f) => ScalarValue::from_f64(s, *f).ok_or_else(bad),
        Literal::Bool(b) if s == Scalar::Bool => Ok(ScalarValue::Bool(*b)),
        Literal::Bool(b) if s.is_int() => ScalarValue::from_i128(s, *b as i128).ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// The shape of a nested list literal for an array of type `ty`: each level's length,
/// which must be the same across a level (rectangular) and equal a fixed extent.
fn list_shape(l: &Literal, ty: &ArrayType, what: &str) -> Result<Vec<u64>, String> {
    let mut shape = Vec::new();
    let mut cur = l;
    for d in &ty.dims {
        let Literal::List(items) = cur else {
            return Err(format!(
                "error: {what}: expected a list here (the array has more dimensions)"
            ));
        };
        let n = items.len() as u64;
        if let Extent::Fixed(want) = d
            && n != *want
        {
            return Err(format!(
                "error: {what}: a list of {n} items where the array needs {want}"
            ));
        }
        shape.push(n);
        match items.first() {
            Some(first) => cur = first,
            // An empty level: the deeper extents are 0 unless fixed.
            None => {
                for d in &ty.dims[shape.len()..] {
                    shape.push(d.fixed().unwrap_or(0));
                }
                break;
            }
        }
    }
    Ok(shape)
}

/// Flattens a nested list of exactly `dims`, row-major.
fn flatten<'a>(
    l: &'a Literal,
    dims: &[u64],
    out: &mut Vec<&'a Literal>,
    what: &str,
) -> Result<(), String> {
    match (l, dims.split_first()) {
        (Literal::List(items), Some((&n, rest))) => {
            if items.len() as u64 != n {
                return Err(format!(
                    "error: {what}: a list of {} items where the array needs {n} (lists must be rectangular)",
                    items.len()
                ));
            }
            for i in items {
                flatten(i, rest, out, what)?;
            }
            Ok(())
        }
        (Literal::List(_), None) => Err(format!(
            "error: {what}: the list is nested deeper than the array"
        )),
        (_, Some(_)) => Err(format!(
            "error: {what}: expected a list here (the array has more dimensions)"
        )),
        (other, None) => {
            out.push(other);
            Ok(())
        }
    }
}

/// The extents of `zeros(...)` / `iota(...)` for an array of type `ty`: as given, or
/// the type's own when every extent is fixed.
fn explicit_shape(given: Option<&[u64]>, ty: &ArrayType, what: &str) -> Result<Vec<u64>, String> {
    let Some(given) = given else {
        return ty
            .dims
            .iter()
            .map(|d| d.fixed())
            .collect::<Option<Vec<u64>>>()
            .ok_or_else(|| {
                format!(
                    "error: {what}: `{ty}` has `:` extents; say them, e.g. `zeros({})`",
                    ty.dims
                        .iter()
                        .map(|d| d.fixed().unwrap_or(4).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
    };
    if given.len() != ty.dims.len() {
        return Err(format!(
            "error: {what}: {} extents given; `{ty}` has {} axes",
            given.len(),
            ty.dims.len()
        ));
    }
    for (axis, (d, &g)) in ty.dims.iter().zip(given).enumerate() {
        if let Extent::Fixed(want) = d
            && *want != g
        {
            return Err(format!(
                "error: {what}: extent {g} on axis {axis}, but `{ty}` needs {want}"
            ));
        }
    }
    Ok(given.to_vec())
}

/// Elements of an argument built from a literal: at most this many (16 GiB of f64s
/// would stop the host, not the kernel).
const MAX_CLI_ELEMENTS: u64 = 1 << 28;

macro_rules! fill {
    ($s:expr, $n:expr, $f:expr, $($v:ident => $t:ty),*) => {
        match $s {
            $(Scalar::$v => ArrayData::$v((0..$n).map(|i| -> Result<$t, String> {
                match $f(i)? { ScalarValue::$v(x) => Ok(x), _ => unreachable!("converted to the element type") }
            }).collect::<Result<_, _>>()?),)*
            Scalar::Bool => ArrayData::Bool((0..$n).map(|i| -> Result<bool, String> {
                match $f(i)? { ScalarValue::Bool(x) => Ok(x), _ => unreachable!("converted to the element type") }
            }).collect::<Result<_, _>>()?),
        }
    };
}

pub fn materialize(call: &ParsedCall, sig: &KernelSig) -> Result<Vec<Buffer>, String> {
    if call.args.len() != sig.params.len() {
        return Err(format!(
            "error: `{}` takes {} argument(s), {} given",
            sig.name,
            sig.params.len(),
            call.args.len()
        ));
    }
    let mut out = Vec::new();
    for (lit, (pname, ty)) in call.args.iter().zip(&sig.params) {
        let what = format!("argument `{pname}` of `{}`", sig.name);
        out.push(match ty {
            Type::Scalar(s) => Buffer::Scalar(scalar_arg(lit, *s, &what)?),
            Type::Array(a) => {
                let elem = a.elem;
                let dims = match lit {
                    Literal::Zeros(given) | Literal::Iota(given) => {
                        explicit_shape(given.as_deref(), a, &what)?
                    }
                    other => list_shape(other, a, &what)?,
                };
                let n = dims
                    .iter()
                    .try_fold(1u64, |acc, &d| acc.checked_mul(d))
                    .filter(|&n| n <= MAX_CLI_ELEMENTS)
                    .ok_or_else(|| format!("error: {what}: more than {MAX_CLI_ELEMENTS} elements"))?
                    as usize;
                let flat: Vec<&Literal> = match lit {
                    Literal::Zeros(_) | Literal::Iota(_) => Vec::new(),
                    other => {
                        let mut v = Vec::with_capacity(n);
                        flatten(other, &dims, &mut v, &what)?;
                        v
                    }
                };
                let value = |i: usize| -> Result<ScalarValue, String> {
                    match lit {
                        Literal::Zeros(_) => scalar_arg(&Literal::Int(0), elem, &what),
                        Literal::Iota(_) if elem == Scalar::Bool => Ok(ScalarValue::Bool(i % 2 == 1)),
                        Literal::Iota(_) => scalar_arg(&Literal::Int(i as i128), elem, &what),
                        _ => scalar_arg(flat[i], elem, &what),
                    }
                };
                let data = fill!(elem, n, value, I8 => i8, I16 => i16, I32 => i32, I64 => i64, U8 => u8, U16 => u16, U32 => u32, U64 => u64, F32 => f32, F64 => f64);
                Buffer::Array { data, dims }
            }
            Type::None => return Err(format!("error: {what}: a parameter of type None")),
        });
    }
    Ok(out)
}

pub fn call_args(buffers: &mut [Buffer]) -> Vec<CallArg<'_>> {
    buffers
        .iter_mut()
        .map(|b| match b {
            Buffer::Scalar(v) => CallArg::Scalar(*v),
            Buffer::Array { data, dims } => {
                let shape: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
                match data {
                    ArrayData::Bool(v) => CallArg::shaped(v, shape),
                    ArrayData::I8(v) => CallArg::shaped(v, shape),
                    ArrayData::I16(v) => CallArg::shaped(v, shape),
                    ArrayData::I32(v) => CallArg::shaped(v, shape),
                    ArrayData::I64(v) => CallArg::shaped(v, shape),
                    ArrayData::U8(v) => CallArg::shaped(v, shape),
                    ArrayData::U16(v) => CallArg::shaped(v, shape),
                    ArrayData::U32(v) => CallArg::shaped(v, shape),
                    ArrayData::U64(v) => CallArg::shaped(v, shape),
                    ArrayData::F32(v) => CallArg::shaped(v, shape),
                    ArrayData::F64(v) => CallArg::shaped(v, shape),
                }
            }
        })
        .collect()
}

impl Buffer {
    /// The array as a nested Python list (`None` for scalars).
    pub fn render_array(&self) -> Option<String> {
        let Buffer::Array { data, dims } = self else {
            return None;
        };
        let items: Vec<String> = match data {
            ArrayData::Bool(v) => v.iter().map(|x| ScalarValue::Bool(*x).py_repr()).collect(),
            ArrayData::I8(v) => v.iter().map(|x| x.to_string()).collect(),
            ArrayData::I16(v) => v.iter().map(|x| x.to_string()).collect(),
            ArrayData::I32(v) => v.iter().map(|x| x.to_string()).collect(),
            ArrayData::I64(v) => v.iter().map(|x| x.to_string()).collect(),
            ArrayData::U8(v) => v.iter().map(|x| x.to_string()).collect(),
            ArrayData::U16(v) => v.iter().map(|x| x.to_string()).collect(),
            ArrayData::U32(v) => v.iter().map(|x| x.to_string()).collect(),
            ArrayData::U64(v) => v.iter().map(|x| x.to_string()).collect(),
            ArrayData::F32(v) => v.iter().map(|x| ScalarValue::F32(*x).py_repr()).collect(),
            ArrayData::F64(v) => v.iter().map(|x| ScalarValue::F64(*x).py_repr()).collect(),
        };
        Some(nest(&items, dims))
    }
}

fn nest(items: &[String], dims: &[u64]) -> String {
    match dims.split_first() {
        None => items.first().cloned().unwrap_or_default(),
        Some((&n, rest)) => {
            let chunk = rest.iter().product::<u64>() as usize;
            let parts: Vec<String> = (0..n as usize)
                .map(|k| nest(items.get(k * chunk..(k + 1) * chunk).unwrap_or(&[]), rest))
                .collect();
            format!("[{}]", parts.join(", "))
        }
    }
}
