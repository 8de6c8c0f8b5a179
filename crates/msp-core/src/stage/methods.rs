//! Methods of stage-0 values: `str`, `list`, `dict`, `set`, and the seed's engine.

use std::rc::Rc;

use super::format;
use super::interp::{Interp, Res, Scope};
use super::ops;
use super::value::{BoundMethod, Builtin, Key, OrdMap, Value, repr};
use crate::source::Span;

const STR_METHODS: &[&str] = &[
    "join",
    "split",
    "rsplit",
    "replace",
    "strip",
    "lstrip",
    "rstrip",
    "startswith",
    "endswith",
    "format",
    "upper",
    "lower",
    "find",
    "rfind",
    "index",
    "count",
    "isdigit",
    "isalpha",
    "isalnum",
    "isspace",
    "isupper",
    "islower",
    "isidentifier",
    "splitlines",
    "ljust",
    "rjust",
    "center",
    "zfill",
    "partition",
    "rpartition",
    "capitalize",
    "title",
];
const LIST_METHODS: &[&str] = &[
    "append", "pop", "extend", "insert", "index", "count", "reverse", "sort", "remove", "clear",
    "copy",
];
const DICT_METHODS: &[&str] = &[
    "get",
    "keys",
    "values",
    "items",
    "pop",
    "setdefault",
    "update",
    "clear",
    "copy",
    "popitem",
];
const SET_METHODS: &[&str] = &[
    "add",
    "remove",
    "discard",
    "pop",
    "union",
    "intersection",
    "difference",
    "update",
    "clear",
    "copy",
    "issubset",
    "issuperset",
];

fn has_method(v: &Value, name: &str) -> bool {
    match v {
        Value::Str(_) => STR_METHODS.contains(&name),
        Value::List(_) => LIST_METHODS.contains(&name),
        Value::Tuple(_) => matches!(name, "index" | "count"),
        Value::Dict(_) => DICT_METHODS.contains(&name),
        Value::Set(_) => SET_METHODS.contains(&name),
        Value::Builtin(Builtin::CGEngine) => name == "create_engine",
        Value::Engine => name == "compile",
        _ => false,
    }
}

impl<'a> Interp<'a> {
    /// `v.name` as a value: a bound method, or a few data attributes.
    pub fn get_attr(&mut self, v: Value, name: &str, span: Span) -> Res<Value> {
        if let Value::Range(r) = &v {
            match name {
                "start" => return Ok(Value::Int(r.start)),
                "stop" => return Ok(Value::Int(r.stop)),
                "step" => return Ok(Value::Int(r.step)),
                _ => {}
            }
        }
        if let (Value::Function(f), "__name__") = (&v, name) {
            return Ok(Value::str(&*f.name));
        }
        if has_method(&v, name) {
            return Ok(Value::Method(Rc::new(BoundMethod {
                receiver: v,
                name: Rc::from(name),
            })));
        }
        Err(self.no_attribute(&v, name, span))
    }

    fn no_attribute(&self, v: &Value, name: &str, span: Span) -> super::interp::Fault {
        let mut msg = format!("'{}' object has no attribute '{name}'", v.type_name());
        if matches!(v, Value::Code(_)) {
            msg.push_str(" (code values are opaque at stage 0: splice them into quotes)");
        }
        self.fail(span, msg)
    }

    pub fn call_method(
        &mut self,
        receiver: Value,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
        env: &Rc<Scope>,
    ) -> Res<Value> {
        if !has_method(&receiver, name) {
            return Err(self.no_attribute(&receiver, name, span));
        }
        let keyword_ok = matches!(
            (&receiver, name),
            (Value::List(_), "sort")
                | (Value::Str(_), "format" | "split" | "rsplit")
                | (Value::Engine, "compile")
                | (Value::Dict(_), "update")
        );
        if !keyword_ok && !kwargs.is_empty() {
            return Err(self.fail(span, format!("{name}() takes no keyword arguments")));
        }
        match &receiver {
            Value::Str(s) => {
                let s = s.as_str().to_string();
                self.str_method(&s, name, args, kwargs, span)
            }
            Value::List(_) => self.list_method(&receiver, name, args, kwargs, span, env),
            Value::Tuple(t) => {
                let items = t.items().to_vec();
                self.seq_search(&items, name, &args, span)
            }
            Value::Dict(_) => self.dict_method(&receiver, name, args, kwargs, span),
            Value::Set(_) => self.set_method(&receiver, name, args, span),
            Value::Builtin(Builtin::CGEngine) => {
                self.arity("create_engine", &args, 0, 0, span)?;
                Ok(Value::Engine)
            }
            Value::Engine => {
                if !args.is_empty() {
                    return Err(self.fail(span, "compile() takes only keyword options"));
                }
                self.kernel_decorator(kwargs, span)
            }
            _ => Err(self.no_attribute(&receiver, name, span)),
        }
    }

    fn str_arg(&self, args: &[Value], i: usize, what: &str, span: Span) -> Res<String> {
        match args.get(i) {
            Some(Value::Str(s)) => Ok(s.as_str().to_string()),
            Some(other) => Err(self.fail(
                span,
                format!("{what} must be a str, not {}", other.type_name()),
            )),
            None => Err(self.fail(span, format!("{what} is missing"))),
        }
    }

    fn opt_str_arg(&self, args: &[Value], i: usize, what: &str, span: Span) -> Res<Option<String>> {
        match args.get(i) {
            None | Some(Value::None) => Ok(None),
            Some(_) => self.str_arg(args, i, what, span).map(Some),
        }
    }

    fn str_method(
        &mut self,
        s: &str,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Res<Value> {
        let strs = |v: Vec<String>| Value::list(v.into_iter().map(Value::str).collect());
        match name {
            "join" => {
                self.arity(name, &args, 1, 1, span)?;
                let items = self.collect(&args[0], span)?;
                let mut parts = Vec::with_capacity(items.len());
                let mut total = 0usize;
                for (i, x) in items.iter().enumerate() {
                    match x.as_str() {
                        Some(p) => {
                            total += p.len() + s.len();
                            parts.push(p);
                        }
                        None => {
                            return Err(self.fail(
                                span,
                                format!(
                                    "sequence item {i}: expected str instance, {} found",
                                    x.type_name()
                                ),
                            ));
                        }
                    }
                }
                self.check_memory(span, total)?;
                self.tick_n(span, (total / 64) as u64)?;
                Ok(Value::str(parts.join(s)))
            }
            "split" | "rsplit" => {
                let mut kw = self.kwargs(name, kwargs, &["sep", "maxsplit"], span)?;
                self.arity(name, &args, 0, 2, span)?;
                let sep = match args.first().cloned().or_else(|| kw.take("sep")) {
                    None | Some(Value::None) => None,
                    Some(Value::Str(x)) => Some(x.as_str().to_string()),
                    Some(other) => {
                        return Err(self.fail(
                            span,
                            format!("sep must be a str, not {}", other.type_name()),
                        ));
                    }
                };
                let maxsplit = match args.get(1).cloned().or_else(|| kw.take("maxsplit")) {
                    None => -1,
                    Some(v) => self.expect_int(&v, "maxsplit", span)?,
                };
                let limit = usize::try_from(maxsplit).ok();
                let parts: Vec<String> = match sep {
                    Some(sep) if sep.is_empty() => {
                        return Err(self.fail(span, "empty separator"));
                    }
                    Some(sep) => match (name, limit) {
                        ("split", None) => s.split(sep.as_str()).map(String::from).collect(),
                        ("split", Some(n)) => {
                            s.splitn(n + 1, sep.as_str()).map(String::from).collect()
                        }
                        (_, None) => s.split(sep.as_str()).map(String::from).collect(),
                        (_, Some(n)) => {
                            let mut v: Vec<String> =
                                s.rsplitn(n + 1, sep.as_str()).map(String::from).collect();
                            v.reverse();
                            v
                        }
                    },
                    None => split_whitespace(s, limit, name == "rsplit"),
                };
                Ok(strs(parts))
            }
            "replace" => {
                self.arity(name, &args, 2, 3, span)?;
                let old = self.str_arg(&args, 0, "replace() argument 1", span)?;
                let new = self.str_arg(&args, 1, "replace() argument 2", span)?;
                let count = match args.get(2) {
                    Some(v) => self.expect_int(v, "replace() count", span)?,
                    None => -1,
                };
                let occurrences = if old.is_empty() {
                    s.chars().count() + 1
                } else {
                    s.matches(old.as_str()).count()
                };
                self.check_memory(span, s.len() + occurrences.saturating_mul(new.len()))?;
                Ok(Value::str(match usize::try_from(count) {
                    Ok(n) => s.replacen(old.as_str(), &new, n),
                    Err(_) => s.replace(old.as_str(), &new),
                }))
            }
            "strip" | "lstrip" | "rstrip" => {
                self.arity(name, &args, 0, 1, span)?;
                let chars = self.opt_str_arg(&args, 0, "strip() argument", span)?;
                let is_strip = |c: char| match &chars {
                    Some(set) => set.contains(c),
                    None => c.is_whitespace(),
                };
                Ok(Value::str(match name {
                    "strip" => s.trim_matches(is_strip),
                    "lstrip" => s.trim_start_matches(is_strip),
                    _ => s.trim_end_matches(is_strip),
                }))
            }
            "startswith" | "endswith" => {
                self.arity(name, &args, 1, 1, span)?;
                let options: Vec<Value> = match &args[0] {
                    Value::Tuple(t) => t.items().to_vec(),
                    other => vec![other.clone()],
                };
                let mut yes = false;
                for (i, _) in options.iter().enumerate() {
                    let p = self.str_arg(&options, i, &format!("{name}() argument"), span)?;
                    yes |= if name == "startswith" {
                        s.starts_with(&p)
                    } else {
                        s.ends_with(&p)
                    };
                }
                Ok(Value::Bool(yes))
            }
            "format" => format::str_format(s, &args, &kwargs)
                .map(Value::str)
                .map_err(|m| self.fail(span, m)),
            "upper" => Ok(Value::str(s.to_uppercase())),
            "lower" => Ok(Value::str(s.to_lowercase())),
            "capitalize" => {
                let mut c = s.chars();
                Ok(Value::str(match c.next() {
                    Some(f) => f
                        .to_uppercase()
                        .chain(c.flat_map(char::to_lowercase))
                        .collect(),
                    None => String::new(),
                }))
            }
            "title" => {
                let mut out = String::with_capacity(s.len());
                let mut prev_letter = false;
                for c in s.chars() {
                    if prev_letter {
                        out.extend(c.to_lowercase());
                    } else {
                        out.extend(c.to_uppercase());
                    }
                    prev_letter = c.is_alphabetic();
                }
                Ok(Value::str(out))
            }
            "find" | "rfind" | "index" | "count" => {
                self.arity(name, &args, 1, 1, span)?;
                let sub = self.str_arg(&args, 0, &format!("{name}() argument"), span)?;
                if name == "count" {
                    let n = if sub.is_empty() {
                        s.chars().count() + 1
                    } else {
                        s.matches(sub.as_str()).count()
                    };
                    return Ok(Value::Int(n as i64));
                }
                let at = if name == "rfind" {
                    s.rfind(sub.as_str())
                } else {
                    s.find(sub.as_str())
                };
                match at {
                    Some(b) => Ok(Value::Int(s[..b].chars().count() as i64)),
                    None if name == "index" => Err(self.fail(span, "substring not found")),
                    None => Ok(Value::Int(-1)),
                }
            }
            "isdigit" | "isalpha" | "isalnum" | "isspace" | "isupper" | "islower"
            | "isidentifier" => {
                self.arity(name, &args, 0, 0, span)?;
                let yes = match name {
                    "isidentifier" => super::builtins::is_identifier(s),
                    "isupper" => {
                        s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase)
                    }
                    "islower" => {
                        s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase)
                    }
                    _ => {
                        let test: fn(char) -> bool = match name {
                            "isdigit" => |c| c.is_ascii_digit(),
                            "isalpha" => char::is_alphabetic,
                            "isalnum" => char::is_alphanumeric,
                            _ => char::is_whitespace,
                        };
                        !s.is_empty() && s.chars().all(test)
                    }
                };
                Ok(Value::Bool(yes))
            }
            "splitlines" => {
                self.arity(name, &args, 0, 0, span)?;
                Ok(strs(s.lines().map(String::from).collect()))
            }
            "ljust" | "rjust" | "center" | "zfill" => {
                let max = if name == "zfill" { 1 } else { 2 };
                self.arity(name, &args, 1, max, span)?;
                let width = usize::try_from(self.expect_int(&args[0], "width", span)?).unwrap_or(0);
                self.check_memory(span, width)?;
                let fill = match args.get(1) {
                    Some(_) => {
                        let f = self.str_arg(&args, 1, "fill character", span)?;
                        let mut cs = f.chars();
                        match (cs.next(), cs.next()) {
                            (Some(c), None) => c,
                            _ => {
                                return Err(self.fail(
                                    span,
                                    "the fill character must be exactly one character long",
                                ));
                            }
                        }
                    }
                    None => ' ',
                };
                let len = s.chars().count();
                let n = width.saturating_sub(len);
                let pad = |k: usize, c: char| std::iter::repeat_n(c, k).collect::<String>();
                Ok(Value::str(match name {
                    "ljust" => format!("{s}{}", pad(n, fill)),
                    "rjust" => format!("{}{s}", pad(n, fill)),
                    "center" => {
                        let left = n / 2 + (n & width & 1);
                        format!("{}{s}{}", pad(left, fill), pad(n - left, fill))
                    }
                    _ => match s.strip_prefix(['-', '+']) {
                        Some(rest) => format!("{}{}{rest}", &s[..1], pad(n, '0')),
                        None => format!("{}{s}", pad(n, '0')),
                    },
                }))
            }
            "partition" | "rpartition" => {
                self.arity(name, &args, 1, 1, span)?;
                let sep = self.str_arg(&args, 0, "separator", span)?;
                if sep.is_empty() {
                    return Err(self.fail(span, "empty separator"));
                }
                let found = if name == "partition" {
                    s.find(sep.as_str())
                } else {
                    s.rfind(sep.as_str())
                };
                let parts = match found {
                    Some(i) => [
                        s[..i].to_string(),
                        sep.clone(),
                        s[i + sep.len()..].to_string(),
                    ],
                    None if name == "partition" => [s.to_string(), String::new(), String::new()],
                    None => [String::new(), String::new(), s.to_string()],
                };
                Ok(Value::tuple(parts.into_iter().map(Value::str).collect()))
            }
            _ => Err(self.fail(span, format!("'str' object has no attribute '{name}'"))),
        }
    }

    /// `index` and `count` of lists and tuples.
    fn seq_search(
        &mut self,
        items: &[Value],
        name: &str,
        args: &[Value],
        span: Span,
    ) -> Res<Value> {
        self.arity(name, args, 1, 1, span)?;
        let mut count = 0;
        for (i, x) in items.iter().enumerate() {
            if ops::equal(x, &args[0]).map_err(|m| self.fail(span, m))? {
                if name == "index" {
                    return Ok(Value::Int(i as i64));
                }
                count += 1;
            }
        }
        if name == "index" {
            return Err(self.fail(span, format!("{} is not in the sequence", repr(&args[0]))));
        }
        Ok(Value::Int(count))
    }

    fn list_method(
        &mut self,
        receiver: &Value,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
        env: &Rc<Scope>,
    ) -> Res<Value> {
        let Value::List(list) = receiver else {
            return Err(self.fail(span, "not a list"));
        };
        match name {
            "append" => {
                self.arity(name, &args, 1, 1, span)?;
                let x = args.into_iter().next().unwrap_or(Value::None);
                list.with_mut(|v| v.push(x));
                Ok(Value::None)
            }
            "extend" => {
                self.arity(name, &args, 1, 1, span)?;
                let items = self.collect(&args[0], span)?;
                self.check_memory(span, items.len() * std::mem::size_of::<Value>())?;
                list.with_mut(|v| v.extend(items));
                Ok(Value::None)
            }
            "insert" => {
                self.arity(name, &args, 2, 2, span)?;
                let i = self.expect_int(&args[0], "insert() index", span)?;
                let x = args[1].clone();
                list.with_mut(|v| {
                    let n = v.len() as i64;
                    let at = if i < 0 { (i + n).max(0) } else { i.min(n) };
                    v.insert(at as usize, x);
                });
                Ok(Value::None)
            }
            "pop" => {
                self.arity(name, &args, 0, 1, span)?;
                let i = match args.first() {
                    Some(v) => self.expect_int(v, "pop() index", span)?,
                    None => -1,
                };
                let n = list.len() as i64;
                if n == 0 {
                    return Err(self.fail(span, "pop from empty list"));
                }
                let at = if i < 0 { i + n } else { i };
                if at < 0 || at >= n {
                    return Err(self.fail(span, "pop index out of range"));
                }
                Ok(list.with_mut(|v| v.remove(at as usize)))
            }
            "remove" => {
                self.arity(name, &args, 1, 1, span)?;
                let items = list.snapshot();
                for (i, x) in items.iter().enumerate() {
                    if ops::equal(x, &args[0]).map_err(|m| self.fail(span, m))? {
                        let old = list.with_mut(|v| v.remove(i));
                        drop(old);
                        return Ok(Value::None);
                    }
                }
                Err(self.fail(span, "list.remove(x): x not in list"))
            }
            "index" | "count" => {
                let items = list.snapshot();
                self.seq_search(&items, name, &args, span)
            }
            "reverse" => {
                self.arity(name, &args, 0, 0, span)?;
                list.with_mut(|v| v.reverse());
                Ok(Value::None)
            }
            "clear" => {
                self.arity(name, &args, 0, 0, span)?;
                let old = list.with_mut(std::mem::take);
                super::alloc::drop_later(old);
                Ok(Value::None)
            }
            "copy" => {
                self.arity(name, &args, 0, 0, span)?;
                Ok(Value::list(list.snapshot()))
            }
            "sort" => {
                self.arity(name, &args, 0, 0, span)?;
                let mut kw = self.kwargs(name, kwargs, &["key", "reverse"], span)?;
                let key = kw.take("key");
                let reverse = kw.take("reverse").is_some_and(|v| v.truthy());
                let sorted = self.sort_values(list.snapshot(), key.as_ref(), reverse, span, env)?;
                list.with_mut(|v| *v = sorted);
                Ok(Value::None)
            }
            _ => Err(self.fail(span, format!("'list' object has no attribute '{name}'"))),
        }
    }

    fn key(&self, v: &Value, span: Span) -> Res<Key> {
        Key::of(v).map_err(|m| self.fail(span, m))
    }

    fn dict_method(
        &mut self,
        receiver: &Value,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Res<Value> {
        let Value::Dict(d) = receiver else {
            return Err(self.fail(span, "not a dict"));
        };
        match name {
            "get" => {
                self.arity(name, &args, 1, 2, span)?;
                let k = self.key(&args[0], span)?;
                let found = d.borrow().get(&k).cloned();
                Ok(found
                    .or_else(|| args.get(1).cloned())
                    .unwrap_or(Value::None))
            }
            "keys" => {
                self.arity(name, &args, 0, 0, span)?;
                Ok(Value::list(d.keys()))
            }
            "values" => {
                self.arity(name, &args, 0, 0, span)?;
                Ok(Value::list(
                    d.entries().into_iter().map(|(_, v)| v).collect(),
                ))
            }
            "items" => {
                self.arity(name, &args, 0, 0, span)?;
                Ok(Value::list(
                    d.entries()
                        .into_iter()
                        .map(|(k, v)| Value::tuple(vec![k, v]))
                        .collect(),
                ))
            }
            "pop" => {
                self.arity(name, &args, 1, 2, span)?;
                let k = self.key(&args[0], span)?;
                match d.with_mut(|m| m.remove(&k)) {
                    Some((_, v)) => Ok(v),
                    None => args.get(1).cloned().ok_or_else(|| {
                        self.fail(span, format!("key {} not found in dict", repr(&args[0])))
                    }),
                }
            }
            "popitem" => {
                self.arity(name, &args, 0, 0, span)?;
                match d.with_mut(OrdMap::pop_last) {
                    Some((k, v)) => Ok(Value::tuple(vec![k, v])),
                    None => Err(self.fail(span, "popitem(): dictionary is empty")),
                }
            }
            "setdefault" => {
                self.arity(name, &args, 1, 2, span)?;
                let k = self.key(&args[0], span)?;
                if let Some(v) = d.borrow().get(&k).cloned() {
                    return Ok(v);
                }
                let v = args.get(1).cloned().unwrap_or(Value::None);
                d.with_mut(|m| m.insert(k, args[0].clone(), v.clone()));
                Ok(v)
            }
            "update" => {
                self.arity(name, &args, 0, 1, span)?;
                let mut pairs = match args.first() {
                    Some(Value::Dict(other)) => other.entries(),
                    Some(other) => {
                        let mut pairs = Vec::new();
                        for item in self.collect(other, span)? {
                            let kv = self.collect(&item, span)?;
                            if kv.len() != 2 {
                                return Err(self.fail(span, "update() needs pairs of (key, value)"));
                            }
                            pairs.push((kv[0].clone(), kv[1].clone()));
                        }
                        pairs
                    }
                    None => Vec::new(),
                };
                pairs.extend(kwargs.into_iter().map(|(k, v)| (Value::str(k), v)));
                let mut keyed = Vec::with_capacity(pairs.len());
                for (k, v) in pairs {
                    keyed.push((self.key(&k, span)?, k, v));
                }
                d.with_mut(|m| {
                    for (key, k, v) in keyed {
                        m.insert(key, k, v);
                    }
                });
                Ok(Value::None)
            }
            "clear" => {
                self.arity(name, &args, 0, 0, span)?;
                let old = d.with_mut(std::mem::take);
                drop(old);
                Ok(Value::None)
            }
            "copy" => {
                self.arity(name, &args, 0, 0, span)?;
                Ok(Value::dict(copy_map(&d.borrow())))
            }
            _ => Err(self.fail(span, format!("'dict' object has no attribute '{name}'"))),
        }
    }

    fn set_method(
        &mut self,
        receiver: &Value,
        name: &str,
        args: Vec<Value>,
        span: Span,
    ) -> Res<Value> {
        let Value::Set(s) = receiver else {
            return Err(self.fail(span, "not a set"));
        };
        match name {
            "add" | "remove" | "discard" => {
                self.arity(name, &args, 1, 1, span)?;
                let k = self.key(&args[0], span)?;
                match name {
                    "add" => s.with_mut(|m| m.insert(k, args[0].clone(), Value::None)),
                    _ => {
                        let removed = s.with_mut(|m| m.remove(&k));
                        if removed.is_none() && name == "remove" {
                            return Err(self.fail(span, format!("{} not in set", repr(&args[0]))));
                        }
                    }
                }
                Ok(Value::None)
            }
            "pop" => {
                self.arity(name, &args, 0, 0, span)?;
                s.with_mut(OrdMap::pop_last)
                    .map(|(k, _)| k)
                    .ok_or_else(|| self.fail(span, "pop from an empty set"))
            }
            "union" | "intersection" | "difference" | "issubset" | "issuperset" | "update" => {
                self.arity(name, &args, 1, 1, span)?;
                let items = self.collect(&args[0], span)?;
                let other = self.make_set(items, span)?;
                let op = match name {
                    "union" | "update" => crate::ast::BinOp::BitOr,
                    "intersection" => crate::ast::BinOp::BitAnd,
                    "difference" => crate::ast::BinOp::Sub,
                    _ => {
                        let Value::Set(o) = &other else {
                            return Ok(Value::Bool(false));
                        };
                        let (small, big) = if name == "issubset" { (s, o) } else { (o, s) };
                        let big = big.borrow();
                        let yes = small
                            .borrow()
                            .iter()
                            .all(|(k, _)| Key::of(k).is_ok_and(|k| big.contains(&k)));
                        return Ok(Value::Bool(yes));
                    }
                };
                let result = self.binary(op, receiver, &other, span)?;
                if name == "update" {
                    if let Value::Set(r) = &result {
                        let entries = copy_map(&r.borrow());
                        s.with_mut(|m| *m = entries);
                    }
                    return Ok(Value::None);
                }
                Ok(result)
            }
            "clear" => {
                self.arity(name, &args, 0, 0, span)?;
                let old = s.with_mut(std::mem::take);
                drop(old);
                Ok(Value::None)
            }
            "copy" => {
                self.arity(name, &args, 0, 0, span)?;
                Ok(Value::set(copy_map(&s.borrow())))
            }
            _ => Err(self.fail(span, format!("'set' object has no attribute '{name}'"))),
        }
    }
}

fn copy_map(m: &OrdMap) -> OrdMap {
    let mut out = OrdMap::default();
    for (k, v) in m.iter() {
        if let Ok(key) = Key::of(k) {
            out.insert(key, k.clone(), v.clone());
        }
    }
    out
}

/// `str.split()` with no separator: runs of whitespace, no empty strings.
fn split_whitespace(s: &str, limit: Option<usize>, from_right: bool) -> Vec<String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let Some(n) = limit.filter(|&n| n < words.len()) else {
        return words.into_iter().map(String::from).collect();
    };
    // With a limit, the part left unsplit keeps its inner whitespace.
    if from_right {
        let mut rest = s.trim_end();
        let mut tail = Vec::new();
        for _ in 0..n {
            let cut = rest
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace())
                .map_or(0, |(i, c)| i + c.len_utf8());
            tail.push(rest[cut..].to_string());
            rest = rest[..cut].trim_end();
        }
        let mut out = vec![rest.trim_start().to_string()];
        tail.reverse();
        out.extend(tail);
        out
    } else {
        let mut out = Vec::new();
        let mut rest = s.trim_start();
        for _ in 0..n {
            let cut = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..cut].to_string());
            rest = rest[cut..].trim_start();
        }
        out.push(rest.to_string());
        out
    }
}
