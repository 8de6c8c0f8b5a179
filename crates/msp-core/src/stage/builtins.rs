//! Builtin functions of stage 0: Python's usual ones plus `q`, `splice`, `gensym`,
//! `compile`, `extern` and the seed's `CGEngine`.

use std::rc::Rc;

use super::interp::{Interp, Res, Scope};
use super::ops;
use super::value::{Builtin, KernelDecorator, Key, OrdMap, Value, repr, to_str};
use crate::source::Span;
use crate::staged::KernelOptions;

/// Keyword arguments matched against the names a builtin accepts.
pub struct Kwargs(Vec<(String, Value)>);

impl Kwargs {
    pub fn take(&mut self, name: &str) -> Option<Value> {
        let i = self.0.iter().position(|(k, _)| k == name)?;
        Some(self.0.remove(i).1)
    }
}

impl<'a> Interp<'a> {
    /// Fails unless `args.len()` is within `min..=max`.
    pub fn arity(&self, name: &str, args: &[Value], min: usize, max: usize, span: Span) -> Res<()> {
        if args.len() < min || args.len() > max {
            let expected = if min == max {
                format!("{min}")
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(self.fail(
                span,
                format!(
                    "{name}() takes {expected} argument{} ({} given)",
                    if expected == "1" { "" } else { "s" },
                    args.len()
                ),
            ));
        }
        Ok(())
    }

    /// Splits off the keywords a builtin knows; any other keyword is an error.
    pub fn kwargs(
        &self,
        name: &str,
        kwargs: Vec<(String, Value)>,
        allowed: &[&str],
        span: Span,
    ) -> Res<Kwargs> {
        if let Some((bad, _)) = kwargs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(self.fail(
                span,
                format!("{name}() got an unexpected keyword argument `{bad}`"),
            ));
        }
        Ok(Kwargs(kwargs))
    }

    pub fn expect_int(&self, v: &Value, what: &str, span: Span) -> Res<i64> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(i64::from(*b)),
            other => Err(self.fail(
                span,
                format!("{what} must be an int, not {}", other.type_name()),
            )),
        }
    }

    pub fn call_builtin(
        &mut self,
        b: Builtin,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
        env: &Rc<Scope>,
    ) -> Res<Value> {
        let name = b.name();
        // Builtins that take keywords check them themselves; the rest take none.
        let takes_keywords = matches!(
            b,
            Builtin::Print
                | Builtin::Sorted
                | Builtin::Min
                | Builtin::Max
                | Builtin::Dict
                | Builtin::Compile
                | Builtin::Enumerate
                | Builtin::Sum
                | Builtin::Int
                | Builtin::Gensym
        );
        if !takes_keywords && !kwargs.is_empty() {
            return Err(self.fail(span, format!("{name}() takes no keyword arguments")));
        }
        let one = |me: &Self, args: &[Value]| -> Res<Value> {
            me.arity(name, args, 1, 1, span)?;
            Ok(args[0].clone())
        };
        match b {
            Builtin::Print => {
                let mut kw = self.kwargs(name, kwargs, &["sep", "end", "flush"], span)?;
                let sep = kw.take("sep").map_or(" ".to_string(), |v| to_str(&v));
                let end = kw.take("end").map_or("\n".to_string(), |v| to_str(&v));
                let parts: Vec<String> = args.iter().map(to_str).collect();
                let text = parts.join(&sep) + &end;
                self.write_out(&text, span)?;
                Ok(Value::None)
            }
            Builtin::Len => {
                let v = one(self, &args)?;
                let n = match &v {
                    Value::Str(s) => s.as_str().chars().count(),
                    Value::List(l) => l.len(),
                    Value::Tuple(t) => t.items().len(),
                    Value::Dict(d) | Value::Set(d) => d.len(),
                    Value::Range(r) => r.len(),
                    other => {
                        return Err(self.fail(
                            span,
                            format!("object of type '{}' has no len()", other.type_name()),
                        ));
                    }
                };
                Ok(Value::Int(n as i64))
            }
            Builtin::Range => {
                self.arity(name, &args, 1, 3, span)?;
                let mut ints = Vec::new();
                for a in &args {
                    ints.push(self.expect_int(a, "range() argument", span)?);
                }
                let (start, stop, step) = match ints[..] {
                    [stop] => (0, stop, 1),
                    [start, stop] => (start, stop, 1),
                    [start, stop, step] => (start, stop, step),
                    _ => (0, 0, 1),
                };
                if step == 0 {
                    return Err(self.fail(span, "range() arg 3 must not be zero"));
                }
                Ok(Value::range(start, stop, step))
            }
            Builtin::Enumerate => {
                let mut kw = self.kwargs(name, kwargs, &["start"], span)?;
                self.arity(name, &args, 1, 2, span)?;
                let start = match args.get(1).cloned().or_else(|| kw.take("start")) {
                    Some(v) => self.expect_int(&v, "enumerate() start", span)?,
                    None => 0,
                };
                let items = self.collect(&args[0], span)?;
                let mut out = Vec::with_capacity(items.len());
                for (i, x) in items.into_iter().enumerate() {
                    let k = start
                        .checked_add(i as i64)
                        .ok_or_else(|| self.fail(span, "integer overflow"))?;
                    out.push(Value::tuple(vec![Value::Int(k), x]));
                }
                Ok(Value::list(out))
            }
            Builtin::Zip => {
                let mut columns = Vec::new();
                for a in &args {
                    columns.push(self.collect(a, span)?);
                }
                let n = columns.iter().map(Vec::len).min().unwrap_or(0);
                let rows = (0..n)
                    .map(|i| Value::tuple(columns.iter().map(|c| c[i].clone()).collect()))
                    .collect();
                Ok(Value::list(rows))
            }
            Builtin::Sorted => {
                let mut kw = self.kwargs(name, kwargs, &["key", "reverse"], span)?;
                let items = self.collect(&one(self, &args)?, span)?;
                let key = kw.take("key");
                let reverse = kw.take("reverse").is_some_and(|v| v.truthy());
                let sorted = self.sort_values(items, key.as_ref(), reverse, span, env)?;
                Ok(Value::list(sorted))
            }
            Builtin::Reversed => {
                let mut items = self.collect(&one(self, &args)?, span)?;
                items.reverse();
                Ok(Value::list(items))
            }
            Builtin::Min | Builtin::Max => self.min_max(b, args, kwargs, span, env),
            Builtin::Sum => {
                let mut kw = self.kwargs(name, kwargs, &["start"], span)?;
                self.arity(name, &args, 1, 2, span)?;
                let mut acc = args
                    .get(1)
                    .cloned()
                    .or_else(|| kw.take("start"))
                    .unwrap_or(Value::Int(0));
                for x in self.collect(&args[0], span)? {
                    acc = self.binary(crate::ast::BinOp::Add, &acc, &x, span)?;
                }
                Ok(acc)
            }
            Builtin::Abs => match one(self, &args)? {
                Value::Float(f) => Ok(Value::Float(f.abs())),
                Value::Int(i) => i
                    .checked_abs()
                    .map(Value::Int)
                    .ok_or_else(|| self.fail(span, "integer overflow in abs()")),
                Value::Bool(b) => Ok(Value::Int(i64::from(b))),
                other => Err(self.fail(
                    span,
                    format!("bad operand type for abs(): '{}'", other.type_name()),
                )),
            },
            Builtin::Ord => {
                let v = one(self, &args)?;
                let mut chars = v.as_str().unwrap_or("").chars();
                match (chars.next(), chars.next(), &v) {
                    (Some(c), None, Value::Str(_)) => Ok(Value::Int(i64::from(u32::from(c)))),
                    _ => Err(self.fail(
                        span,
                        format!(
                            "ord() expected a character, but got {}",
                            if v.as_str().is_some() { "a longer string".to_string() } else { v.type_name().to_string() }
                        ),
                    )),
                }
            }
            Builtin::Chr => {
                let v = one(self, &args)?;
                let i = self.expect_int(&v, "chr() argument", span)?;
                u32::try_from(i)
                    .ok()
                    .and_then(char::from_u32)
                    .map(Value::str)
                    .ok_or_else(|| self.fail(span, format!("chr() arg not in range(0x110000): {i}")))
            }
            Builtin::Str => {
                self.arity(name, &args, 0, 1, span)?;
                Ok(match args.first() {
                    None => Value::str(""),
                    Some(v @ Value::Str(_)) => v.clone(),
                    Some(v) => Value::str(to_str(v)),
                })
            }
            Builtin::Repr => Ok(Value::str(repr(&one(self, &args)?))),
            Builtin::Int => {
                let mut kw = self.kwargs(name, kwargs, &["base"], span)?;
                self.arity(name, &args, 0, 2, span)?;
                let base = args.get(1).cloned().or_else(|| kw.take("base"));
                self.to_int(args.first(), base, span)
            }
            Builtin::Float => {
                self.arity(name, &args, 0, 1, span)?;
                match args.first() {
                    None => Ok(Value::Float(0.0)),
                    Some(Value::Float(f)) => Ok(Value::Float(*f)),
                    Some(Value::Int(i)) => Ok(Value::Float(*i as f64)),
                    Some(Value::Bool(b)) => Ok(Value::Float(f64::from(u8::from(*b)))),
                    Some(Value::Str(s)) => parse_float(s.as_str()).map(Value::Float).ok_or_else(|| {
                        self.fail(
                            span,
                            format!("could not convert string to float: {}", repr(&args[0])),
                        )
                    }),
                    Some(other) => Err(self.fail(
                        span,
                        format!("float() argument must be a string or a number, not '{}'", other.type_name()),
                    )),
                }
            }
            Builtin::Bool => {
                self.arity(name, &args, 0, 1, span)?;
                Ok(Value::Bool(args.first().is_some_and(Value::truthy)))
            }
            Builtin::List => {
                self.arity(name, &args, 0, 1, span)?;
                let items = match args.first() {
                    Some(v) => self.collect(v, span)?,
                    None => Vec::new(),
                };
                Ok(Value::list(items))
            }
            Builtin::Tuple => {
                self.arity(name, &args, 0, 1, span)?;
                Ok(match args.first() {
                    Some(v @ Value::Tuple(_)) => v.clone(),
                    Some(v) => Value::tuple(self.collect(v, span)?),
                    None => Value::tuple(Vec::new()),
                })
            }
            Builtin::Set => {
                self.arity(name, &args, 0, 1, span)?;
                let items = match args.first() {
                    Some(v) => self.collect(v, span)?,
                    None => Vec::new(),
                };
                self.make_set(items, span)
            }
            Builtin::Dict => {
                self.arity(name, &args, 0, 1, span)?;
                let mut map = OrdMap::default();
                if let Some(src) = args.first() {
                    let pairs = match src {
                        Value::Dict(d) => d.entries(),
                        other => {
                            let mut pairs = Vec::new();
                            for item in self.collect(other, span)? {
                                let kv = self.collect(&item, span)?;
                                if kv.len() != 2 {
                                    return Err(self.fail(
                                        span,
                                        "dict() needs pairs of (key, value)",
                                    ));
                                }
                                let mut kv = kv.into_iter();
                                if let (Some(k), Some(v)) = (kv.next(), kv.next()) {
                                    pairs.push((k, v));
                                }
                            }
                            pairs
                        }
                    };
                    for (k, v) in pairs {
                        let key = Key::of(&k).map_err(|m| self.fail(span, m))?;
                        map.insert(key, k, v);
                    }
                }
                for (k, v) in kwargs {
                    let kv = Value::str(k);
                    if let Ok(key) = Key::of(&kv) {
                        map.insert(key, kv, v);
                    }
                }
                Ok(Value::dict(map))
            }
            Builtin::Isinstance => {
                self.arity(name, &args, 2, 2, span)?;
                let types = match &args[1] {
                    Value::Tuple(t) => t.items().to_vec(),
                    other => vec![other.clone()],
                };
                let mut yes = false;
                for t in &types {
                    let Value::Builtin(ty) = t else {
                        return Err(self.fail(span, "isinstance() arg 2 must be a type or a tuple of types"));
                    };
                    yes |= is_instance(&args[0], *ty);
                }
                Ok(Value::Bool(yes))
            }
            Builtin::Type => {
                let v = one(self, &args)?;
                let ty = match v {
                    Value::Bool(_) => Builtin::Bool,
                    Value::Int(_) => Builtin::Int,
                    Value::Float(_) => Builtin::Float,
                    Value::Str(_) => Builtin::Str,
                    Value::List(_) => Builtin::List,
                    Value::Tuple(_) => Builtin::Tuple,
                    Value::Dict(_) => Builtin::Dict,
                    Value::Set(_) => Builtin::Set,
                    Value::Range(_) => Builtin::Range,
                    other => return Ok(Value::str(other.type_name())),
                };
                Ok(Value::Builtin(ty))
            }
            Builtin::Callable => Ok(Value::Bool(matches!(
                one(self, &args)?,
                Value::Function(_) | Value::Builtin(_) | Value::Method(_)
            ))),
            Builtin::Globals => {
                self.arity(name, &args, 0, 0, span)?;
                let mut entries: Vec<(String, Value)> = self
                    .globals
                    .vars
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let mut map = OrdMap::default();
                for (k, v) in entries {
                    let kv = Value::str(k);
                    if let Ok(key) = Key::of(&kv) {
                        map.insert(key, kv, v);
                    }
                }
                Ok(Value::dict(map))
            }
            Builtin::Any | Builtin::All => {
                let items = self.collect(&one(self, &args)?, span)?;
                let want = b == Builtin::Any;
                Ok(Value::Bool(if want {
                    items.iter().any(Value::truthy)
                } else {
                    items.iter().all(Value::truthy)
                }))
            }
            Builtin::Map => {
                self.arity(name, &args, 2, usize::MAX, span)?;
                let mut columns = Vec::new();
                for a in &args[1..] {
                    columns.push(self.collect(a, span)?);
                }
                let n = columns.iter().map(Vec::len).min().unwrap_or(0);
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    let row = columns.iter().map(|c| c[i].clone()).collect();
                    out.push(self.call(&args[0], row, Vec::new(), span, env)?);
                }
                Ok(Value::list(out))
            }
            Builtin::Filter => {
                self.arity(name, &args, 2, 2, span)?;
                let mut out = Vec::new();
                for x in self.collect(&args[1], span)? {
                    let keep = match &args[0] {
                        Value::None => x.truthy(),
                        f => self.call1(f, x.clone(), span, env)?.truthy(),
                    };
                    if keep {
                        out.push(x);
                    }
                }
                Ok(Value::list(out))
            }
            Builtin::Round => {
                self.arity(name, &args, 1, 2, span)?;
                let digits = match args.get(1) {
                    None | Some(Value::None) => None,
                    Some(v) => Some(self.expect_int(v, "round() ndigits", span)?),
                };
                match (&args[0], digits) {
                    (Value::Int(i), _) => Ok(Value::Int(*i)),
                    (Value::Bool(b), _) => Ok(Value::Int(i64::from(*b))),
                    (Value::Float(f), None) => {
                        let r = f.round_ties_even();
                        if !r.is_finite() || r.abs() >= 9.2e18 {
                            return Err(self.fail(span, "cannot round this float to an int"));
                        }
                        Ok(Value::Int(r as i64))
                    }
                    (Value::Float(f), Some(d)) => {
                        if !f.is_finite() || !(0..=300).contains(&d) {
                            return Ok(Value::Float(*f));
                        }
                        let text = format!("{:.*}", d as usize, f);
                        Ok(Value::Float(text.parse().unwrap_or(*f)))
                    }
                    (other, _) => Err(self.fail(
                        span,
                        format!("type {} doesn't define __round__", other.type_name()),
                    )),
                }
            }
            Builtin::Divmod => {
                self.arity(name, &args, 2, 2, span)?;
                let q = self.binary(crate::ast::BinOp::FloorDiv, &args[0], &args[1], span)?;
                let r = self.binary(crate::ast::BinOp::Mod, &args[0], &args[1], span)?;
                Ok(Value::tuple(vec![q, r]))
            }
            Builtin::Pow => {
                self.arity(name, &args, 2, 3, span)?;
                if let Some(m) = args.get(2) {
                    let (base, exp, m) = (
                        self.expect_int(&args[0], "pow() base", span)?,
                        self.expect_int(&args[1], "pow() exponent", span)?,
                        self.expect_int(m, "pow() modulus", span)?,
                    );
                    if m == 0 || exp < 0 {
                        return Err(self.fail(span, "pow() with a modulus needs a non-zero modulus and a non-negative exponent"));
                    }
                    let (mut acc, mut b, mut e, m128) = (1i128, i128::from(base), exp, i128::from(m));
                    b = b.rem_euclid(m128);
                    while e > 0 {
                        if e & 1 == 1 {
                            acc = acc * b % m128;
                        }
                        b = b * b % m128;
                        e >>= 1;
                    }
                    let r = ops::floor_mod(acc as i64, m).map_err(|msg| self.fail(span, msg))?;
                    return Ok(Value::Int(r));
                }
                self.binary(crate::ast::BinOp::Pow, &args[0], &args[1], span)
            }
            Builtin::Hex | Builtin::Bin => {
                let v = one(self, &args)?;
                let i = self.expect_int(&v, &format!("{name}() argument"), span)?;
                let sign = if i < 0 { "-" } else { "" };
                let a = i.unsigned_abs();
                Ok(Value::str(if b == Builtin::Hex {
                    format!("{sign}0x{a:x}")
                } else {
                    format!("{sign}0b{a:b}")
                }))
            }
            Builtin::Q => {
                let v = one(self, &args)?;
                self.quote(&v, span, env)
            }
            Builtin::Splice => Err(self.fail(
                span,
                "splice(...) only works inside a kernel body or inside the text of a quote q(\"...\")",
            )),
            Builtin::Gensym => {
                let mut kw = self.kwargs(name, kwargs, &["prefix"], span)?;
                self.arity(name, &args, 0, 1, span)?;
                let prefix = match args.first().cloned().or_else(|| kw.take("prefix")) {
                    None => "tmp".to_string(),
                    Some(Value::Str(s)) => s.as_str().to_string(),
                    Some(other) => {
                        return Err(self.fail(
                            span,
                            format!("gensym() prefix must be a str, not {}", other.type_name()),
                        ));
                    }
                };
                if !is_identifier(&prefix) {
                    return Err(self.fail(
                        span,
                        format!("gensym() prefix {} is not an identifier", crate::unparse::str_repr(&prefix)),
                    ));
                }
                self.gensym_counter += 1;
                Ok(Value::str(format!("{prefix}_{}", self.gensym_counter)))
            }
            Builtin::Compile => {
                if !args.is_empty() {
                    return Err(self.fail(
                        span,
                        "compile takes only keyword options; write it as a decorator: @compile or @compile(unchecked=True)",
                    ));
                }
                self.kernel_decorator(kwargs, span)
            }
            Builtin::Extern => Err(self.fail(
                span,
                "extern is a decorator: write `@extern` above a `def` with a typed signature",
            )),
            Builtin::CGEngine => Err(self.fail(
                span,
                "CGEngine is not callable; use CGEngine.create_engine()",
            )),
        }
    }

    /// The options of `compile(...)` / `engine.compile(...)`, as a decorator value.
    pub fn kernel_decorator(&mut self, kwargs: Vec<(String, Value)>, span: Span) -> Res<Value> {
        let mut kw = self.kwargs(
            "compile",
            kwargs,
            &[
                "unchecked",
                "debug",
                "add_time",
                "inline",
                "fast_compile",
                "name",
                "env",
                "external",
            ],
            span,
        )?;
        let mut options = KernelOptions::default();
        if let Some(v) = kw.take("unchecked") {
            options.unchecked = Some(v.truthy());
        }
        options.debug = kw.take("debug").is_some_and(|v| v.truthy());
        options.add_time = kw.take("add_time").is_some_and(|v| v.truthy());
        options.noinline = kw.take("inline").is_some_and(|v| !v.truthy());
        options.fast_compile = kw.take("fast_compile").map(|v| v.truthy());
        match kw.take("name") {
            None => {}
            Some(Value::Str(s)) if is_identifier(s.as_str()) => {
                options.name = Some(s.as_str().to_string());
            }
            Some(other) => {
                return Err(self.fail(
                    span,
                    format!(
                        "compile(name=...) needs an identifier string, not {}",
                        repr(&other)
                    ),
                ));
            }
        }
        let _env = kw.take("env"); // the seed passed globals(); stage 0 sees them anyway
        let mut externals = Vec::new();
        if let Some(ext) = kw.take("external") {
            for f in self.collect(&ext, span)? {
                externals.push((f, span));
            }
        }
        Ok(Value::Decorator(Rc::new(KernelDecorator {
            options,
            externals,
        })))
    }

    fn to_int(&self, v: Option<&Value>, base: Option<Value>, span: Span) -> Res<Value> {
        let Some(v) = v else {
            return Ok(Value::Int(0));
        };
        if let Some(base) = base {
            let base = self.expect_int(&base, "int() base", span)?;
            let Value::Str(s) = v else {
                return Err(self.fail(span, "int() can't convert non-string with explicit base"));
            };
            return parse_int(s.as_str(), base as u32)
                .map(Value::Int)
                .ok_or_else(|| {
                    self.fail(
                        span,
                        format!("invalid literal for int() with base {base}: {}", repr(v)),
                    )
                });
        }
        match v {
            Value::Int(i) => Ok(Value::Int(*i)),
            Value::Bool(b) => Ok(Value::Int(i64::from(*b))),
            Value::Float(f) => {
                if f.is_nan() || f.is_infinite() {
                    return Err(self.fail(
                        span,
                        format!(
                            "cannot convert float {} to integer",
                            crate::unparse::float_repr(*f)
                        ),
                    ));
                }
                let t = f.trunc();
                if t.abs() >= (1u64 << 63) as f64 {
                    return Err(
                        self.fail(span, "integer overflow: the float does not fit in 64 bits")
                    );
                }
                Ok(Value::Int(t as i64))
            }
            Value::Str(s) => parse_int(s.as_str(), 10).map(Value::Int).ok_or_else(|| {
                self.fail(
                    span,
                    format!("invalid literal for int() with base 10: {}", repr(v)),
                )
            }),
            other => Err(self.fail(
                span,
                format!(
                    "int() argument must be a string or a number, not '{}'",
                    other.type_name()
                ),
            )),
        }
    }

    fn min_max(
        &mut self,
        b: Builtin,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
        env: &Rc<Scope>,
    ) -> Res<Value> {
        let name = b.name();
        let mut kw = self.kwargs(name, kwargs, &["key", "default"], span)?;
        let key = kw.take("key");
        let default = kw.take("default");
        let items = match args.len() {
            0 => return Err(self.fail(span, format!("{name} expected at least 1 argument, got 0"))),
            1 => self.collect(&args[0], span)?,
            _ => args,
        };
        if items.is_empty() {
            return default
                .ok_or_else(|| self.fail(span, format!("{name}() arg is an empty sequence")));
        }
        let mut best: Option<(Value, Value)> = None;
        for x in items {
            let k = match &key {
                Some(f) if !matches!(f, Value::None) => self.call1(f, x.clone(), span, env)?,
                _ => x.clone(),
            };
            let better = match &best {
                None => true,
                Some((bk, _)) => {
                    let ord = ops::order(&k, bk).map_err(|m| self.fail(span, m))?;
                    matches!(
                        (b, ord),
                        (Builtin::Min, Some(std::cmp::Ordering::Less))
                            | (Builtin::Max, Some(std::cmp::Ordering::Greater))
                    )
                }
            };
            if better {
                best = Some((k, x));
            }
        }
        Ok(best.map(|(_, x)| x).unwrap_or(Value::None))
    }

    /// A stable sort by Python ordering, with an optional key function.
    pub fn sort_values(
        &mut self,
        items: Vec<Value>,
        key: Option<&Value>,
        reverse: bool,
        span: Span,
        env: &Rc<Scope>,
    ) -> Res<Vec<Value>> {
        let mut keyed = Vec::with_capacity(items.len());
        for x in items {
            let k = match key {
                Some(f) if !matches!(f, Value::None) => self.call1(f, x.clone(), span, env)?,
                _ => x.clone(),
            };
            keyed.push((k, x));
        }
        let n = keyed.len() as u64;
        self.tick_n(span, n * (64 - n.leading_zeros() as u64) / 4)?;
        let mut error = None;
        keyed.sort_by(|a, b| {
            let ord = match ops::order(&a.0, &b.0) {
                Ok(Some(o)) => o,
                Ok(None) => std::cmp::Ordering::Equal,
                Err(m) => {
                    error.get_or_insert(m);
                    std::cmp::Ordering::Equal
                }
            };
            if reverse { ord.reverse() } else { ord }
        });
        if let Some(m) = error {
            return Err(self.fail(span, m));
        }
        Ok(keyed.into_iter().map(|(_, x)| x).collect())
    }
}

fn is_instance(v: &Value, ty: Builtin) -> bool {
    matches!(
        (v, ty),
        (Value::Int(_) | Value::Bool(_), Builtin::Int)
            | (Value::Bool(_), Builtin::Bool)
            | (Value::Float(_), Builtin::Float)
            | (Value::Str(_), Builtin::Str)
            | (Value::List(_), Builtin::List)
            | (Value::Tuple(_), Builtin::Tuple)
            | (Value::Dict(_), Builtin::Dict)
            | (Value::Set(_), Builtin::Set)
            | (Value::Range(_), Builtin::Range)
    )
}

/// Python's `int(text, base)`: surrounding whitespace, a sign, underscores between
/// digits, and a `0x`/`0o`/`0b` prefix matching the base.
pub fn parse_int(text: &str, base: u32) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = t.to_ascii_lowercase();
    let (base, digits) = match (base, lower.get(..2)) {
        (16 | 0, Some("0x")) => (16, &t[2..]),
        (8 | 0, Some("0o")) => (8, &t[2..]),
        (2 | 0, Some("0b")) => (2, &t[2..]),
        (0, _) => (10, t),
        (b, _) => (b, t),
    };
    if !(2..=36).contains(&base)
        || digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let v = i128::from_str_radix(&clean, base).ok()?;
    i64::try_from(if neg { -v } else { v }).ok()
}

/// Python's `float(text)`.
pub fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase().replace('_', "");
    match t.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" | "+nan" | "-nan" => Some(f64::NAN),
        _ if t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-')) =>
        {
            t.parse().ok()
        }
        _ => None,
    }
}

/// Whether `s` is a Python identifier (ASCII letters, digits and `_`).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}
