//! Command-line values: `--define name=value` and `--call 'f(args)'`, parsed with the
//! same Python parser as modules and converted to the kernel's parameter types.

use msp_core::ast::{Expr, ExprKind, UnaryOp};
use msp_core::check::{KernelSig, Scalar, Type};
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
        ExprKind::Name(n) if n == "zeros" => Literal::Zeros,
        ExprKind::Name(n) if n == "iota" => Literal::Iota,
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
    Zeros,
    Iota,
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
        Literal::Zeros | Literal::Iota => {
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
                    "error: {what}: a list of {} items where the array needs {n}",
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
                let n = a.len().unwrap_or(0) as usize;
                let elem = a.elem;
                let flat: Vec<&Literal> = match lit {
                    Literal::Zeros | Literal::Iota => Vec::new(),
                    other => {
                        let mut v = Vec::with_capacity(n);
                        flatten(other, &a.dims, &mut v, &what)?;
                        v
                    }
                };
                let value = |i: usize| -> Result<ScalarValue, String> {
                    match lit {
                        Literal::Zeros => scalar_arg(&Literal::Int(0), elem, &what),
                        Literal::Iota if elem == Scalar::Bool => Ok(ScalarValue::Bool(i % 2 == 1)),
                        Literal::Iota => scalar_arg(&Literal::Int(i as i128), elem, &what),
                        _ => scalar_arg(flat[i], elem, &what),
                    }
                };
                let data = fill!(elem, n, value, I8 => i8, I16 => i16, I32 => i32, I64 => i64, U8 => u8, U16 => u16, U32 => u32, U64 => u64, F32 => f32, F64 => f64);
                Buffer::Array { data, dims: a.dims.clone() }
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
            Buffer::Array { data, .. } => match data {
                ArrayData::Bool(v) => CallArg::array(v),
                ArrayData::I8(v) => CallArg::array(v),
                ArrayData::I16(v) => CallArg::array(v),
                ArrayData::I32(v) => CallArg::array(v),
                ArrayData::I64(v) => CallArg::array(v),
                ArrayData::U8(v) => CallArg::array(v),
                ArrayData::U16(v) => CallArg::array(v),
                ArrayData::U32(v) => CallArg::array(v),
                ArrayData::U64(v) => CallArg::array(v),
                ArrayData::F32(v) => CallArg::array(v),
                ArrayData::F64(v) => CallArg::array(v),
            },
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
        Some((_, [])) => format!("[{}]", items.join(", ")),
        Some((&n, rest)) => {
            let chunk = items.len() / n.max(1) as usize;
            let parts: Vec<String> = items.chunks(chunk.max(1)).map(|c| nest(c, rest)).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}
