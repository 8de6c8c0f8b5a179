//! Python's operators on stage-0 values: arithmetic with 64-bit overflow checks and floor
//! semantics, comparisons, membership, indexing and slicing.
//!
//! Errors are plain messages; the interpreter attaches the span.

use std::cmp::Ordering;

use super::value::{Key, OrdMap, Value, repr};
use crate::ast::{BinOp, CmpOp, UnaryOp};

pub type OpResult<T> = Result<T, String>;

fn overflow() -> String {
    "integer overflow: stage-0 ints are 64-bit".to_string()
}

/// A number as an int (bools count as ints), if it is one.
fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

fn as_float(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(*f),
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn unsupported(op: BinOp, a: &Value, b: &Value) -> String {
    let mut msg = format!(
        "unsupported operand types for {}: '{}' and '{}'",
        op.symbol(),
        a.type_name(),
        b.type_name()
    );
    if matches!(a, Value::Code(_)) || matches!(b, Value::Code(_)) {
        msg.push_str(" (combine code values inside a quote: q(\"splice(a) + splice(b)\"))");
    }
    msg
}

/// `a op b`. `room` is how many bytes may still be allocated, checked before
/// repetition builds a large string or list.
pub fn binary(op: BinOp, a: &Value, b: &Value, room: usize) -> OpResult<Value> {
    if let (Some(x), Some(y)) = (as_int(a), as_int(b)) {
        if let (Value::Bool(p), Value::Bool(q)) = (a, b) {
            match op {
                BinOp::BitAnd => return Ok(Value::Bool(*p & *q)),
                BinOp::BitOr => return Ok(Value::Bool(*p | *q)),
                BinOp::BitXor => return Ok(Value::Bool(*p ^ *q)),
                _ => {}
            }
        }
        return int_binary(op, x, y);
    }
    if let (Some(x), Some(y)) = (as_float(a), as_float(b)) {
        return float_binary(op, x, y).map(Value::Float);
    }
    match (op, a, b) {
        (BinOp::Add, Value::Str(x), Value::Str(y)) => {
            let (x, y) = (x.as_str(), y.as_str());
            if x.len() + y.len() > room {
                return Err(memory_msg());
            }
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Ok(Value::str(s))
        }
        (BinOp::Add, Value::List(x), Value::List(y)) => {
            let (x, y) = (x.snapshot(), y.snapshot());
            fits(x.len() + y.len(), room)?;
            let mut items = x;
            items.extend(y);
            Ok(Value::list(items))
        }
        (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
            fits(x.items().len() + y.items().len(), room)?;
            let mut items = x.items().to_vec();
            items.extend(y.items().iter().cloned());
            Ok(Value::tuple(items))
        }
        (BinOp::Mul, Value::Str(_) | Value::List(_) | Value::Tuple(_), _)
            if as_int(b).is_some() =>
        {
            repeat(a, as_int(b).unwrap_or(0), room)
        }
        (BinOp::Mul, _, Value::Str(_) | Value::List(_) | Value::Tuple(_))
            if as_int(a).is_some() =>
        {
            repeat(b, as_int(a).unwrap_or(0), room)
        }
        (BinOp::Mod, Value::Str(fmt), args) => {
            super::format::percent_format(fmt.as_str(), args).map(Value::str)
        }
        (
            BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor,
            Value::Set(x),
            Value::Set(y),
        ) => Ok(Value::set(set_op(op, &x.borrow(), &y.borrow()))),
        (BinOp::BitOr, Value::Dict(x), Value::Dict(y)) => {
            let mut map = OrdMap::default();
            for (k, v) in x.entries().into_iter().chain(y.entries()) {
                if let Ok(key) = Key::of(&k) {
                    map.insert(key, k, v);
                }
            }
            Ok(Value::dict(map))
        }
        _ => Err(unsupported(op, a, b)),
    }
}

fn memory_msg() -> String {
    "stage-0 memory limit exceeded: the result would be too large".to_string()
}

fn set_op(op: BinOp, x: &OrdMap, y: &OrdMap) -> OrdMap {
    let mut out = OrdMap::default();
    let keep = |in_other: bool| -> bool {
        match op {
            BinOp::BitAnd => in_other,
            BinOp::Sub => !in_other,
            _ => true,
        }
    };
    for (k, _) in x.iter() {
        if let Ok(key) = Key::of(k)
            && keep(y.contains(&key))
            && !(op == BinOp::BitXor && y.contains(&key))
        {
            out.insert(key, k.clone(), Value::None);
        }
    }
    if matches!(op, BinOp::BitOr | BinOp::BitXor) {
        for (k, _) in y.iter() {
            if let Ok(key) = Key::of(k)
                && !(op == BinOp::BitXor && x.contains(&key))
            {
                out.insert(key, k.clone(), Value::None);
            }
        }
    }
    out
}

/// Refuses a new sequence of `len` values that would not fit in the memory left.
fn fits(len: usize, room: usize) -> OpResult<()> {
    if len.saturating_mul(std::mem::size_of::<Value>()) > room {
        Err(memory_msg())
    } else {
        Ok(())
    }
}

fn repeat(seq: &Value, n: i64, room: usize) -> OpResult<Value> {
    let n = usize::try_from(n.max(0)).unwrap_or(0);
    match seq {
        Value::Str(s) => {
            let len = s.as_str().len().checked_mul(n).ok_or_else(memory_msg)?;
            if len > room {
                return Err(memory_msg());
            }
            Ok(Value::str(s.as_str().repeat(n)))
        }
        Value::List(_) | Value::Tuple(_) => {
            let items = match seq {
                Value::List(l) => l.snapshot(),
                Value::Tuple(t) => t.items().to_vec(),
                _ => Vec::new(),
            };
            let len = items.len().checked_mul(n).ok_or_else(memory_msg)?;
            if len.saturating_mul(std::mem::size_of::<Value>()) > room {
                return Err(memory_msg());
            }
            let mut out = Vec::with_capacity(len);
            for _ in 0..n {
                out.extend(items.iter().cloned());
            }
            Ok(if matches!(seq, Value::List(_)) {
                Value::list(out)
            } else {
                Value::tuple(out)
            })
        }
        _ => Err("can only repeat a str, list or tuple".into()),
    }
}

/// Python's `//` on ints (rounds toward negative infinity).
pub fn floor_div(x: i64, y: i64) -> OpResult<i64> {
    if y == 0 {
        return Err("integer division or modulo by zero".into());
    }
    let q = x.checked_div(y).ok_or_else(overflow)?;
    Ok(if x % y != 0 && ((x < 0) != (y < 0)) {
        q - 1
    } else {
        q
    })
}

/// Python's `%` on ints (the result has the sign of the divisor).
pub fn floor_mod(x: i64, y: i64) -> OpResult<i64> {
    if y == 0 {
        return Err("integer division or modulo by zero".into());
    }
    let r = x.checked_rem(y).unwrap_or(0);
    Ok(if r != 0 && ((r < 0) != (y < 0)) {
        r + y
    } else {
        r
    })
}

fn int_binary(op: BinOp, x: i64, y: i64) -> OpResult<Value> {
    let int = |r: Option<i64>| r.map(Value::Int).ok_or_else(overflow);
    match op {
        BinOp::Add => int(x.checked_add(y)),
        BinOp::Sub => int(x.checked_sub(y)),
        BinOp::Mul => int(x.checked_mul(y)),
        BinOp::Div => {
            if y == 0 {
                return Err("division by zero".into());
            }
            Ok(Value::Float(x as f64 / y as f64))
        }
        BinOp::FloorDiv => floor_div(x, y).map(Value::Int),
        BinOp::Mod => floor_mod(x, y).map(Value::Int),
        BinOp::Pow => {
            if y < 0 {
                return float_binary(op, x as f64, y as f64).map(Value::Float);
            }
            match u32::try_from(y) {
                Ok(e) => int(x.checked_pow(e)),
                Err(_) if matches!(x, 0 | 1) => Ok(Value::Int(x)),
                Err(_) if x == -1 => Ok(Value::Int(if y % 2 == 0 { 1 } else { -1 })),
                Err(_) => Err(overflow()),
            }
        }
        BinOp::LShift => {
            if y < 0 {
                return Err("negative shift count".into());
            }
            if x == 0 {
                return Ok(Value::Int(0));
            }
            let r = if y >= 64 {
                None
            } else {
                x.checked_shl(y as u32)
            };
            match r {
                Some(r) if (r >> y) == x => Ok(Value::Int(r)),
                _ => Err(overflow()),
            }
        }
        BinOp::RShift => {
            if y < 0 {
                return Err("negative shift count".into());
            }
            Ok(Value::Int(x >> y.min(63)))
        }
        BinOp::BitAnd => Ok(Value::Int(x & y)),
        BinOp::BitOr => Ok(Value::Int(x | y)),
        BinOp::BitXor => Ok(Value::Int(x ^ y)),
        BinOp::MatMul => Err("unsupported operand types for @: 'int' and 'int'".into()),
    }
}

fn float_binary(op: BinOp, x: f64, y: f64) -> OpResult<f64> {
    match op {
        BinOp::Add => Ok(x + y),
        BinOp::Sub => Ok(x - y),
        BinOp::Mul => Ok(x * y),
        BinOp::Div => {
            if y == 0.0 {
                return Err("float division by zero".into());
            }
            Ok(x / y)
        }
        BinOp::FloorDiv | BinOp::Mod => {
            if y == 0.0 {
                return Err("float division or modulo by zero".into());
            }
            let (div, rem) = float_divmod(x, y);
            Ok(if op == BinOp::Mod { rem } else { div })
        }
        BinOp::Pow => {
            if x == 0.0 && y < 0.0 {
                return Err("0.0 cannot be raised to a negative power".into());
            }
            if x < 0.0 && y.fract() != 0.0 {
                return Err("a negative number raised to a fractional power is complex".into());
            }
            let r = x.powf(y);
            if r.is_infinite() && x.is_finite() && y.is_finite() {
                return Err("float power overflows".into());
            }
            Ok(r)
        }
        _ => Err(format!(
            "unsupported operand types for {}: 'float' and 'float'",
            op.symbol()
        )),
    }
}

/// Python's float `divmod`: floor quotient and a remainder with the divisor's sign.
pub fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    let mut rem = x % y;
    let mut div = (x - rem) / y;
    if rem != 0.0 {
        if (y < 0.0) != (rem < 0.0) {
            rem += y;
            div -= 1.0;
        }
    } else {
        rem = 0.0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(x / y)
    };
    (floordiv, rem)
}

pub fn unary(op: UnaryOp, v: &Value) -> OpResult<Value> {
    match (op, v) {
        (UnaryOp::Not, _) => Ok(Value::Bool(!v.truthy())),
        (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnaryOp::Pos, Value::Float(f)) => Ok(Value::Float(*f)),
        (UnaryOp::Neg, _) if as_int(v).is_some() => as_int(v)
            .and_then(i64::checked_neg)
            .map(Value::Int)
            .ok_or_else(overflow),
        (UnaryOp::Pos, _) if as_int(v).is_some() => Ok(Value::Int(as_int(v).unwrap_or(0))),
        (UnaryOp::Invert, _) if as_int(v).is_some() => Ok(Value::Int(!as_int(v).unwrap_or(0))),
        _ => Err(format!(
            "bad operand type for unary {}: '{}'",
            op.symbol().trim(),
            v.type_name()
        )),
    }
}

/// One comparison of a chain.
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> OpResult<bool> {
    match op {
        CmpOp::Eq => equal(a, b),
        CmpOp::NotEq => equal(a, b).map(|x| !x),
        CmpOp::In => contains(b, a),
        CmpOp::NotIn => contains(b, a).map(|x| !x),
        CmpOp::Is => Ok(same(a, b)),
        CmpOp::IsNot => Ok(!same(a, b)),
        CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE => {
            let ord = order(a, b)?;
            Ok(match (op, ord) {
                (_, None) => false, // NaN
                (CmpOp::Lt, Some(o)) => o == Ordering::Less,
                (CmpOp::LtE, Some(o)) => o != Ordering::Greater,
                (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
                (_, Some(o)) => o != Ordering::Less,
            })
        }
    }
}

/// `a is b`: identity for objects, equality of value for scalars.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) | (Value::Engine, Value::Engine) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Builtin(x), Value::Builtin(y)) => x == y,
        _ => match (a.identity(), b.identity()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// Compares an int with a float exactly (no rounding of large ints).
fn cmp_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f >= 9.3e18 {
        return Some(Ordering::Less);
    }
    if f <= -9.3e18 {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    match i.cmp(&(t as i64)) {
        Ordering::Equal => 0.0f64.partial_cmp(&(f - t)),
        o => Some(o),
    }
}

/// Python's `==`.
pub fn equal(a: &Value, b: &Value) -> OpResult<bool> {
    equal_depth(a, b, 0)
}

fn equal_depth(a: &Value, b: &Value, depth: usize) -> OpResult<bool> {
    stacker::maybe_grow(32 * 1024, 1 << 20, || equal_at_depth(a, b, depth))
}

fn equal_at_depth(a: &Value, b: &Value, depth: usize) -> OpResult<bool> {
    if depth > 500 {
        return Err("comparison nested too deeply".into());
    }
    Ok(match (a, b) {
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Float(f), _) if as_int(b).is_some() => {
            cmp_int_float(as_int(b).unwrap_or(0), *f) == Some(Ordering::Equal)
        }
        (_, Value::Float(f)) if as_int(a).is_some() => {
            cmp_int_float(as_int(a).unwrap_or(0), *f) == Some(Ordering::Equal)
        }
        _ if as_int(a).is_some() && as_int(b).is_some() => as_int(a) == as_int(b),
        (Value::None, Value::None) => true,
        (Value::Str(x), Value::Str(y)) => x.as_str() == y.as_str(),
        (Value::List(_), Value::List(_)) | (Value::Tuple(_), Value::Tuple(_)) => {
            let (x, y) = (seq_items(a), seq_items(b));
            if x.len() != y.len() {
                return Ok(false);
            }
            for (p, q) in x.iter().zip(&y) {
                if !equal_depth(p, q, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Dict(x), Value::Dict(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            for (k, v) in x.entries() {
                let Ok(key) = Key::of(&k) else {
                    return Ok(false);
                };
                let other = y.borrow().get(&key).cloned();
                match other {
                    Some(w) if equal_depth(&v, &w, depth + 1)? => {}
                    _ => return Ok(false),
                }
            }
            true
        }
        (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && {
                let yb = y.borrow();
                x.borrow()
                    .iter()
                    .all(|(k, _)| Key::of(k).map(|k| yb.contains(&k)).unwrap_or(false))
            }
        }
        (Value::Range(x), Value::Range(y)) => {
            let (n, m) = (x.len(), y.len());
            n == m && (n == 0 || (x.start == y.start && (n == 1 || x.step == y.step)))
        }
        (Value::Kernel(x), Value::Kernel(y)) | (Value::Extern(x), Value::Extern(y)) => x == y,
        _ => same(a, b),
    })
}

fn seq_items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.snapshot(),
        Value::Tuple(t) => t.items().to_vec(),
        _ => Vec::new(),
    }
}

/// Python's ordering for `<` and friends, and for `sorted`; `None` for NaN.
pub fn order(a: &Value, b: &Value) -> OpResult<Option<Ordering>> {
    order_depth(a, b, 0)
}

fn order_depth(a: &Value, b: &Value, depth: usize) -> OpResult<Option<Ordering>> {
    stacker::maybe_grow(32 * 1024, 1 << 20, || order_at_depth(a, b, depth))
}

fn order_at_depth(a: &Value, b: &Value, depth: usize) -> OpResult<Option<Ordering>> {
    if depth > 500 {
        return Err("comparison nested too deeply".into());
    }
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Ok(x.partial_cmp(y)),
        (Value::Float(f), _) if as_int(b).is_some() => {
            Ok(cmp_int_float(as_int(b).unwrap_or(0), *f).map(Ordering::reverse))
        }
        (_, Value::Float(f)) if as_int(a).is_some() => {
            Ok(cmp_int_float(as_int(a).unwrap_or(0), *f))
        }
        _ if as_int(a).is_some() && as_int(b).is_some() => Ok(as_int(a).cmp(&as_int(b)).into()),
        (Value::Str(x), Value::Str(y)) => Ok(Some(x.as_str().cmp(y.as_str()))),
        (Value::List(_), Value::List(_)) | (Value::Tuple(_), Value::Tuple(_)) => {
            let (x, y) = (seq_items(a), seq_items(b));
            for (p, q) in x.iter().zip(&y) {
                if !equal_depth(p, q, depth + 1)? {
                    return order_depth(p, q, depth + 1);
                }
            }
            Ok(Some(x.len().cmp(&y.len())))
        }
        _ => Err(format!(
            "'<' not supported between instances of '{}' and '{}'",
            a.type_name(),
            b.type_name()
        )),
    }
}

/// `item in container`.
pub fn contains(container: &Value, item: &Value) -> OpResult<bool> {
    match container {
        Value::Str(s) => match item {
            Value::Str(sub) => Ok(s.as_str().contains(sub.as_str())),
            _ => Err(format!(
                "'in <string>' requires a string as left operand, not {}",
                item.type_name()
            )),
        },
        Value::List(_) | Value::Tuple(_) => {
            for x in seq_items(container) {
                if equal(&x, item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Dict(d) | Value::Set(d) => {
            let key = Key::of(item)?;
            Ok(d.borrow().contains(&key))
        }
        Value::Range(r) => {
            let Some(i) = as_int(item) else {
                return Ok(false);
            };
            let (i, start, step) = (i128::from(i), i128::from(r.start), i128::from(r.step));
            let n = r.len() as i128;
            if n == 0 || (i - start) % step != 0 {
                return Ok(false);
            }
            let k = (i - start) / step;
            Ok(k >= 0 && k < n)
        }
        other => Err(format!(
            "argument of type '{}' is not iterable",
            other.type_name()
        )),
    }
}

/// A Python index into a sequence of `len` items (negative counts from the end).
fn normalize_index(i: i64, len: usize, what: &str) -> OpResult<usize> {
    let n = len as i128;
    let j = if i < 0 {
        i128::from(i) + n
    } else {
        i128::from(i)
    };
    if j < 0 || j >= n {
        return Err(format!(
            "{what} index out of range (index {i}, length {len})"
        ));
    }
    Ok(j as usize)
}

fn index_of(idx: &Value, what: &str) -> OpResult<i64> {
    as_int(idx).ok_or_else(|| {
        format!(
            "{what} indices must be integers or slices, not {}",
            idx.type_name()
        )
    })
}

/// `obj[idx]`.
pub fn get_item(obj: &Value, idx: &Value) -> OpResult<Value> {
    match obj {
        Value::List(l) => {
            let i = index_of(idx, "list")?;
            let items = l.borrow();
            let j = normalize_index(i, items.len(), "list")?;
            Ok(items[j].clone())
        }
        Value::Tuple(t) => {
            let i = index_of(idx, "tuple")?;
            let j = normalize_index(i, t.items().len(), "tuple")?;
            Ok(t.items()[j].clone())
        }
        Value::Str(s) => {
            let i = index_of(idx, "string")?;
            let s = s.as_str();
            if s.is_ascii() {
                let j = normalize_index(i, s.len(), "string")?;
                return Ok(Value::str(&s[j..j + 1]));
            }
            let chars: Vec<char> = s.chars().collect();
            let j = normalize_index(i, chars.len(), "string")?;
            Ok(Value::str(chars[j]))
        }
        Value::Range(r) => {
            let i = index_of(idx, "range object")?;
            let j = normalize_index(i, r.len(), "range object")?;
            Ok(Value::Int(r.at(j)))
        }
        Value::Dict(d) => {
            let key = Key::of(idx)?;
            d.borrow()
                .get(&key)
                .cloned()
                .ok_or_else(|| format!("key {} not found in dict", repr(idx)))
        }
        Value::Code(_) => {
            Err("a code value cannot be indexed at stage 0 (index inside the quote instead)".into())
        }
        other => Err(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        )),
    }
}

/// Resolved `start, stop, step` of a slice over `len` items, as Python computes them.
pub fn slice_indices(
    lo: Option<i64>,
    hi: Option<i64>,
    step: Option<i64>,
    len: usize,
) -> OpResult<(i128, i128, i128)> {
    let step = i128::from(step.unwrap_or(1));
    if step == 0 {
        return Err("slice step cannot be zero".into());
    }
    let n = len as i128;
    let clamp = |v: Option<i64>, default: i128| -> i128 {
        match v {
            None => default,
            Some(v) => {
                let v = i128::from(v);
                let v = if v < 0 { v + n } else { v };
                if step > 0 {
                    v.clamp(0, n)
                } else {
                    v.clamp(-1, n - 1)
                }
            }
        }
    };
    let (start, stop) = if step > 0 {
        (clamp(lo, 0), clamp(hi, n))
    } else {
        (clamp(lo, n - 1), clamp(hi, -1))
    };
    Ok((start, stop, step))
}

fn slice_positions(
    lo: Option<i64>,
    hi: Option<i64>,
    st: Option<i64>,
    len: usize,
) -> OpResult<Vec<usize>> {
    let (start, stop, step) = slice_indices(lo, hi, st, len)?;
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    Ok(out)
}

/// `obj[lo:hi:step]`.
pub fn get_slice(
    obj: &Value,
    lo: Option<i64>,
    hi: Option<i64>,
    st: Option<i64>,
) -> OpResult<Value> {
    match obj {
        Value::List(l) => {
            let items = l.borrow();
            let pos = slice_positions(lo, hi, st, items.len())?;
            Ok(Value::list(
                pos.into_iter().map(|i| items[i].clone()).collect(),
            ))
        }
        Value::Tuple(t) => {
            let pos = slice_positions(lo, hi, st, t.items().len())?;
            Ok(Value::tuple(
                pos.into_iter().map(|i| t.items()[i].clone()).collect(),
            ))
        }
        Value::Str(s) => {
            let s = s.as_str();
            if s.is_ascii() {
                let b = s.as_bytes();
                let pos = slice_positions(lo, hi, st, b.len())?;
                let out: String = pos.into_iter().map(|i| b[i] as char).collect();
                return Ok(Value::str(out));
            }
            let chars: Vec<char> = s.chars().collect();
            let pos = slice_positions(lo, hi, st, chars.len())?;
            Ok(Value::str(
                pos.into_iter().map(|i| chars[i]).collect::<String>(),
            ))
        }
        Value::Range(r) => {
            let (start, stop, step) = slice_indices(lo, hi, st, r.len())?;
            let (rs, rstep) = (i128::from(r.start), i128::from(r.step));
            let conv = |v: i128| i64::try_from(v).map_err(|_| "range too large".to_string());
            Ok(Value::range(
                conv(rs + start * rstep)?,
                conv(rs + stop * rstep)?,
                conv(step * rstep)?,
            ))
        }
        other => Err(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        )),
    }
}

/// `obj[idx] = value`.
pub fn set_item(obj: &Value, idx: &Value, value: Value) -> OpResult<()> {
    match obj {
        Value::List(l) => {
            let i = index_of(idx, "list")?;
            let j = normalize_index(i, l.len(), "list assignment")?;
            let old = l.with_mut(|items| std::mem::replace(&mut items[j], value));
            drop(old);
            Ok(())
        }
        Value::Dict(d) => {
            let key = Key::of(idx)?;
            d.with_mut(|m| m.insert(key, idx.clone(), value));
            Ok(())
        }
        other => Err(format!(
            "'{}' object does not support item assignment",
            other.type_name()
        )),
    }
}

/// `list[lo:hi:step] = items`.
pub fn set_slice(
    obj: &Value,
    lo: Option<i64>,
    hi: Option<i64>,
    st: Option<i64>,
    items: Vec<Value>,
) -> OpResult<()> {
    let Value::List(l) = obj else {
        return Err(format!(
            "'{}' object does not support slice assignment",
            obj.type_name()
        ));
    };
    let len = l.len();
    if st.unwrap_or(1) == 1 {
        let (start, stop, _) = slice_indices(lo, hi, None, len)?;
        let (start, stop) = (start as usize, (stop as usize).max(start as usize));
        l.with_mut(|v| {
            v.splice(start..stop, items);
        });
        return Ok(());
    }
    let pos = slice_positions(lo, hi, st, len)?;
    if pos.len() != items.len() {
        return Err(format!(
            "attempt to assign sequence of size {} to extended slice of size {}",
            items.len(),
            pos.len()
        ));
    }
    l.with_mut(|v| {
        for (i, x) in pos.into_iter().zip(items) {
            v[i] = x;
        }
    });
    Ok(())
}
