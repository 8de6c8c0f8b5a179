//! Stage-0 values: Python's scalars and containers, functions, and the staging-specific
//! values (code, kernel and extern references, decorators).
//!
//! Containers are shared (`Rc`) and mutable through `RefCell`, as Python objects are;
//! callers never hold a borrow across a call back into the interpreter. Every container
//! charges its size to [`alloc`](super::alloc) so the memory limit can be enforced.

use std::cell::{Ref, RefCell};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use super::alloc::{self, Charge};
use super::interp::Scope;
use crate::ast::{Expr, FunctionDef, Param, Stmt};
use crate::source::Span;
use crate::staged::KernelOptions;

/// One stage-0 value.
#[derive(Clone, Debug)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<StrObj>),
    List(Rc<ListObj>),
    Tuple(Rc<TupleObj>),
    Dict(Rc<DictObj>),
    /// A set: a dict whose values are all `None`, which keeps insertion order so that
    /// generators iterate sets deterministically.
    Set(Rc<DictObj>),
    Range(Rc<RangeObj>),
    Function(Rc<Closure>),
    Builtin(Builtin),
    /// `obj.method`, not yet called.
    Method(Rc<BoundMethod>),
    Code(Rc<Code>),
    /// A staged kernel, by name.
    Kernel(Rc<str>),
    /// A declared external function, by name.
    Extern(Rc<str>),
    /// The seed's `CGEngine.create_engine()`.
    Engine,
    /// What `compile(...)` / `engine.compile(...)` return: a kernel decorator with options.
    Decorator(Rc<KernelDecorator>),
}

/// An immutable string, charged to the memory account.
#[derive(Debug)]
pub struct StrObj {
    text: Box<str>,
    _charge: Charge,
}

impl StrObj {
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A mutable list.
#[derive(Debug)]
pub struct ListObj {
    items: RefCell<Vec<Value>>,
    charge: Charge,
}

impl ListObj {
    pub fn borrow(&self) -> Ref<'_, Vec<Value>> {
        self.items.borrow()
    }

    /// A copy of the items, so the caller can run code that might touch this list.
    pub fn snapshot(&self) -> Vec<Value> {
        self.items.borrow().clone()
    }

    pub fn len(&self) -> usize {
        self.items.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Mutates the items and re-charges the list's size. `f` must not call back into
    /// the interpreter.
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut Vec<Value>) -> R) -> R {
        let r = f(&mut self.items.borrow_mut());
        self.charge.set(vec_bytes(&self.items.borrow()));
        r
    }
}

impl Drop for ListObj {
    fn drop(&mut self) {
        alloc::drop_later(std::mem::take(self.items.get_mut()));
    }
}

/// An immutable tuple.
#[derive(Debug)]
pub struct TupleObj {
    items: Vec<Value>,
    _charge: Charge,
}

impl TupleObj {
    pub fn items(&self) -> &[Value] {
        &self.items
    }
}

impl Drop for TupleObj {
    fn drop(&mut self) {
        alloc::drop_later(std::mem::take(&mut self.items));
    }
}

/// An insertion-ordered hash map (Python's `dict`); also the storage of sets.
#[derive(Debug)]
pub struct DictObj {
    map: RefCell<OrdMap>,
    charge: Charge,
}

impl DictObj {
    pub fn borrow(&self) -> Ref<'_, OrdMap> {
        self.map.borrow()
    }

    pub fn len(&self) -> usize {
        self.map.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Mutates the map and re-charges its size. `f` must not call back into the
    /// interpreter.
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut OrdMap) -> R) -> R {
        let r = f(&mut self.map.borrow_mut());
        self.charge.set(self.map.borrow().bytes());
        r
    }

    /// The live entries, copied.
    pub fn entries(&self) -> Vec<(Value, Value)> {
        self.map
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub fn keys(&self) -> Vec<Value> {
        self.map.borrow().iter().map(|(k, _)| k.clone()).collect()
    }
}

impl Drop for DictObj {
    fn drop(&mut self) {
        let map = std::mem::take(self.map.get_mut());
        let mut values = Vec::with_capacity(map.len() * 2);
        for (k, v) in map.entries.into_iter().flatten() {
            values.push(k);
            values.push(v);
        }
        alloc::drop_later(values);
    }
}

/// The storage of [`DictObj`]: entries in insertion order (removed ones left as holes
/// until the next compaction) and an index from hash key to entry.
#[derive(Debug, Default)]
pub struct OrdMap {
    entries: Vec<Option<(Value, Value)>>,
    index: HashMap<Key, usize>,
}

impl OrdMap {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn get(&self, key: &Key) -> Option<&Value> {
        let &i = self.index.get(key)?;
        self.entries[i].as_ref().map(|(_, v)| v)
    }

    pub fn contains(&self, key: &Key) -> bool {
        self.index.contains_key(key)
    }

    /// Inserts or replaces; a replaced entry keeps its place and its original key.
    pub fn insert(&mut self, key: Key, key_value: Value, value: Value) {
        if let Some(&i) = self.index.get(&key)
            && let Some(entry) = self.entries[i].as_mut()
        {
            entry.1 = value;
            return;
        }
        self.entries.push(Some((key_value, value)));
        self.index.insert(key, self.entries.len() - 1);
    }

    pub fn remove(&mut self, key: &Key) -> Option<(Value, Value)> {
        let i = self.index.remove(key)?;
        let entry = self.entries[i].take();
        if self.entries.len() > 32 && self.index.len() * 2 < self.entries.len() {
            self.compact();
        }
        entry
    }

    /// Removes and returns the last entry (`dict.popitem`, `set.pop`).
    pub fn pop_last(&mut self) -> Option<(Value, Value)> {
        while let Some(last) = self.entries.pop() {
            if let Some((k, v)) = last {
                if let Ok(key) = Key::of(&k) {
                    self.index.remove(&key);
                }
                return Some((k, v));
            }
        }
        None
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.entries.iter().flatten().map(|(k, v)| (k, v))
    }

    fn compact(&mut self) {
        self.entries.retain(Option::is_some);
        self.index.clear();
        for (i, (k, _)) in self.entries.iter().flatten().enumerate() {
            if let Ok(key) = Key::of(k) {
                self.index.insert(key, i);
            }
        }
    }

    fn bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Option<(Value, Value)>>()
            + self.index.capacity() * (std::mem::size_of::<(Key, usize)>() + 8)
    }
}

/// `range(start, stop, step)`, never materialized.
#[derive(Debug)]
pub struct RangeObj {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl RangeObj {
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn len(&self) -> usize {
        let (start, stop, step) = (
            i128::from(self.start),
            i128::from(self.stop),
            i128::from(self.step),
        );
        let n = if step > 0 && start < stop {
            (stop - start + step - 1) / step
        } else if step < 0 && start > stop {
            (start - stop - step - 1) / (-step)
        } else {
            0
        };
        usize::try_from(n).unwrap_or(usize::MAX)
    }

    /// The `i`-th element (0-based, already in range).
    pub fn at(&self, i: usize) -> i64 {
        (i128::from(self.start) + i as i128 * i128::from(self.step)) as i64
    }
}

/// A stage-0 function: a `def` or a `lambda`, with the scope it closes over.
#[derive(Debug)]
pub struct Closure {
    pub name: Rc<str>,
    pub code: FnCode,
    pub env: Rc<Scope>,
    /// Default values, one per parameter (`None` where there is no default).
    pub defaults: Vec<Option<Value>>,
    pub info: Rc<FnInfo>,
}

impl Closure {
    pub fn params(&self) -> &[Param] {
        match &self.code {
            FnCode::Def(def) => &def.params,
            FnCode::Lambda { params, .. } => params,
        }
    }
}

/// The code of a [`Closure`].
#[derive(Debug)]
pub enum FnCode {
    Def(Rc<FunctionDef>),
    Lambda { params: Vec<Param>, body: Rc<Expr> },
}

/// What a function body declares, computed once per `def`.
#[derive(Debug, Default)]
pub struct FnInfo {
    pub globals: Vec<String>,
    pub nonlocals: Vec<String>,
}

/// `receiver.name`, waiting for its call.
#[derive(Debug)]
pub struct BoundMethod {
    pub receiver: Value,
    pub name: Rc<str>,
}

/// A code value: what `q(...)` returns. Immutable; splicing clones the tree.
#[derive(Debug)]
pub struct Code {
    pub body: CodeBody,
    /// AST nodes in `body`, for the code-size limit.
    pub nodes: usize,
    /// Nesting depth of `body`: cloning and dropping recurse this deep.
    pub depth: usize,
    _charge: Charge,
}

/// An expression, or a statement list.
#[derive(Clone, Debug, PartialEq)]
pub enum CodeBody {
    Expr(Expr),
    Stmts(Vec<Stmt>),
}

/// Bytes a code value is charged per AST node: a rough size of one node with its spans.
pub const CODE_NODE_BYTES: usize = 96;

/// Generated code may nest at most this deep (a recursive generator builds
/// `x * (x * (...))`). Later passes walk kernels recursively; the cap keeps them safe.
pub const MAX_CODE_DEPTH: usize = 3000;

/// Runs `f` (a clone or drop of a tree `depth` levels deep) on a stack large enough for
/// it: derived `Clone` and drop glue recurse once per level.
pub fn with_stack_for_depth<R>(depth: usize, f: impl FnOnce() -> R) -> R {
    // About 1.7 KiB per level in a debug build; leave room for twice that.
    let needed = depth * 4096 + (64 << 10);
    stacker::maybe_grow(needed, needed, f)
}

impl Code {
    pub fn new(body: CodeBody, nodes: usize, depth: usize) -> Code {
        Code {
            body,
            nodes,
            depth,
            _charge: Charge::new(nodes.saturating_mul(CODE_NODE_BYTES)),
        }
    }
}

impl Drop for Code {
    fn drop(&mut self) {
        let body = std::mem::replace(&mut self.body, CodeBody::Stmts(Vec::new()));
        with_stack_for_depth(self.depth, || drop(body));
    }
}

/// A kernel decorator: `compile`, `compile(unchecked=True)`, `engine.compile(...)`.
#[derive(Debug)]
pub struct KernelDecorator {
    pub options: KernelOptions,
    /// Stage-0 functions (or extern references) listed in `external=`.
    pub externals: Vec<(Value, Span)>,
}

macro_rules! builtins {
    ($($variant:ident => $name:literal,)*) => {
        /// The builtin functions and objects of stage 0.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Builtin { $($variant,)* }

        impl Builtin {
            pub fn name(self) -> &'static str {
                match self { $(Builtin::$variant => $name,)* }
            }

            pub fn from_name(name: &str) -> Option<Builtin> {
                match name { $($name => Some(Builtin::$variant),)* _ => None }
            }
        }
    };
}

builtins! {
    Print => "print",
    Len => "len",
    Range => "range",
    Enumerate => "enumerate",
    Zip => "zip",
    Sorted => "sorted",
    Reversed => "reversed",
    Min => "min",
    Max => "max",
    Sum => "sum",
    Abs => "abs",
    Ord => "ord",
    Chr => "chr",
    Str => "str",
    Int => "int",
    Float => "float",
    Bool => "bool",
    List => "list",
    Tuple => "tuple",
    Dict => "dict",
    Set => "set",
    Repr => "repr",
    Isinstance => "isinstance",
    Globals => "globals",
    Any => "any",
    All => "all",
    Map => "map",
    Filter => "filter",
    Round => "round",
    Divmod => "divmod",
    Pow => "pow",
    Hex => "hex",
    Bin => "bin",
    Callable => "callable",
    Type => "type",
    Q => "q",
    Splice => "splice",
    Gensym => "gensym",
    Compile => "compile",
    Extern => "extern",
    CGEngine => "CGEngine",
}

fn vec_bytes(v: &Vec<Value>) -> usize {
    v.capacity() * std::mem::size_of::<Value>()
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        let text: Box<str> = s.into().into_boxed_str();
        let charge = Charge::new(text.len() + 16);
        Value::Str(Rc::new(StrObj {
            text,
            _charge: charge,
        }))
    }

    pub fn list(items: Vec<Value>) -> Value {
        let charge = Charge::new(vec_bytes(&items));
        Value::List(Rc::new(ListObj {
            items: RefCell::new(items),
            charge,
        }))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        let charge = Charge::new(vec_bytes(&items));
        Value::Tuple(Rc::new(TupleObj {
            items,
            _charge: charge,
        }))
    }

    pub fn dict(map: OrdMap) -> Value {
        let charge = Charge::new(map.bytes());
        Value::Dict(Rc::new(DictObj {
            map: RefCell::new(map),
            charge,
        }))
    }

    pub fn set(map: OrdMap) -> Value {
        let charge = Charge::new(map.bytes());
        Value::Set(Rc::new(DictObj {
            map: RefCell::new(map),
            charge,
        }))
    }

    pub fn range(start: i64, stop: i64, step: i64) -> Value {
        Value::Range(Rc::new(RangeObj { start, stop, step }))
    }

    pub fn code(body: CodeBody, nodes: usize, depth: usize) -> Value {
        Value::Code(Rc::new(Code::new(body, nodes, depth)))
    }

    /// The string, if this is a `str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// Python's `type(x).__name__`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Range(_) => "range",
            Value::Function(_) => "function",
            Value::Builtin(_) => "builtin_function_or_method",
            Value::Method(_) => "method",
            Value::Code(_) => "code",
            Value::Kernel(_) => "kernel",
            Value::Extern(_) => "extern",
            Value::Engine => "CGEngine",
            Value::Decorator(_) => "decorator",
        }
    }

    /// Python's truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.as_str().is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Tuple(t) => !t.items().is_empty(),
            Value::Dict(d) | Value::Set(d) => !d.is_empty(),
            Value::Range(r) => !r.is_empty(),
            _ => true,
        }
    }

    /// Identity, for `is` and for hashing functions and code.
    pub fn identity(&self) -> Option<usize> {
        Some(match self {
            Value::Str(x) => Rc::as_ptr(x) as *const u8 as usize,
            Value::List(x) => Rc::as_ptr(x) as *const u8 as usize,
            Value::Tuple(x) => Rc::as_ptr(x) as *const u8 as usize,
            Value::Dict(x) | Value::Set(x) => Rc::as_ptr(x) as *const u8 as usize,
            Value::Range(x) => Rc::as_ptr(x) as *const u8 as usize,
            Value::Function(x) => Rc::as_ptr(x) as *const u8 as usize,
            Value::Method(x) => Rc::as_ptr(x) as *const u8 as usize,
            Value::Code(x) => Rc::as_ptr(x) as *const u8 as usize,
            Value::Kernel(x) | Value::Extern(x) => Rc::as_ptr(x) as *const u8 as usize,
            Value::Decorator(x) => Rc::as_ptr(x) as *const u8 as usize,
            _ => return None,
        })
    }
}

/// A hashable stand-in for a value, with Python's equalities (`1 == 1.0 == True`).
#[derive(Clone, Debug)]
pub enum Key {
    None,
    Int(i64),
    /// A float that is not an integer, by its bits.
    Float(u64),
    Str(Rc<StrObj>),
    Tuple(Vec<Key>),
    Builtin(Builtin),
    Engine,
    Kernel(Rc<str>),
    Extern(Rc<str>),
    /// Functions, code, methods...: hashed by identity.
    Ident(usize),
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        match (self, other) {
            (Key::None, Key::None) | (Key::Engine, Key::Engine) => true,
            (Key::Int(a), Key::Int(b)) => a == b,
            (Key::Float(a), Key::Float(b)) => a == b,
            (Key::Str(a), Key::Str(b)) => a.as_str() == b.as_str(),
            (Key::Tuple(a), Key::Tuple(b)) => a == b,
            (Key::Builtin(a), Key::Builtin(b)) => a == b,
            (Key::Ident(a), Key::Ident(b)) => a == b,
            (Key::Kernel(a), Key::Kernel(b)) | (Key::Extern(a), Key::Extern(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match self {
            Key::None => 0u8.hash(h),
            Key::Int(i) => (1u8, i).hash(h),
            Key::Float(b) => (2u8, b).hash(h),
            Key::Str(s) => (3u8, s.as_str()).hash(h),
            Key::Tuple(t) => (4u8, t).hash(h),
            Key::Builtin(b) => (5u8, b).hash(h),
            Key::Engine => 6u8.hash(h),
            Key::Ident(p) => (7u8, p).hash(h),
            Key::Kernel(n) => (8u8, n).hash(h),
            Key::Extern(n) => (9u8, n).hash(h),
        }
    }
}

impl Key {
    /// The key of a hashable value; lists, dicts and sets are not hashable.
    pub fn of(v: &Value) -> Result<Key, String> {
        Self::of_depth(v, 0)
    }

    fn of_depth(v: &Value, depth: usize) -> Result<Key, String> {
        if depth > 200 {
            return Err("tuple nested too deeply to hash".into());
        }
        Ok(match v {
            Value::None => Key::None,
            Value::Bool(b) => Key::Int(i64::from(*b)),
            Value::Int(i) => Key::Int(*i),
            Value::Float(f) => float_key(*f),
            Value::Str(s) => Key::Str(s.clone()),
            Value::Tuple(t) => Key::Tuple(
                t.items()
                    .iter()
                    .map(|x| Self::of_depth(x, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Builtin(b) => Key::Builtin(*b),
            Value::Engine => Key::Engine,
            Value::List(_) | Value::Dict(_) | Value::Set(_) => {
                return Err(format!("unhashable type: '{}'", v.type_name()));
            }
            // Two references to one kernel are the same key.
            Value::Kernel(name) => Key::Kernel(name.clone()),
            Value::Extern(name) => Key::Extern(name.clone()),
            other => Key::Ident(other.identity().unwrap_or(0)),
        })
    }
}

fn float_key(f: f64) -> Key {
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        Key::Int(f as i64)
    } else {
        Key::Float(f.to_bits())
    }
}

/// Python's `repr(v)`.
pub fn repr(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, true, &mut Vec::new());
    out
}

/// Python's `str(v)`.
pub fn to_str(v: &Value) -> String {
    match v {
        Value::Str(s) => s.as_str().to_string(),
        _ => {
            let mut out = String::new();
            write_value(&mut out, v, false, &mut Vec::new());
            out
        }
    }
}

/// Writes `v`; `seen` holds the containers being written, so a list that contains
/// itself prints as `[...]` instead of recursing forever.
fn write_value(out: &mut String, v: &Value, repr: bool, seen: &mut Vec<usize>) {
    if let Some(id) = v.identity()
        && matches!(
            v,
            Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::Tuple(_)
        )
    {
        if seen.contains(&id) || seen.len() > 200 {
            out.push_str(match v {
                Value::List(_) => "[...]",
                Value::Tuple(_) => "(...)",
                _ => "{...}",
            });
            return;
        }
        seen.push(id);
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            write_container(out, v, seen);
        });
        seen.pop();
        return;
    }
    match v {
        Value::None => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&crate::unparse::float_repr(*f)),
        Value::Str(s) if repr => out.push_str(&crate::unparse::str_repr(s.as_str())),
        Value::Str(s) => out.push_str(s.as_str()),
        Value::Range(r) => {
            if r.step == 1 {
                let _ = write!(out, "range({}, {})", r.start, r.stop);
            } else {
                let _ = write!(out, "range({}, {}, {})", r.start, r.stop, r.step);
            }
        }
        Value::Function(f) => {
            let _ = write!(out, "<function {}>", f.name);
        }
        Value::Builtin(Builtin::CGEngine) => out.push_str("<class 'CGEngine'>"),
        Value::Builtin(b) => {
            let _ = write!(out, "<built-in function {}>", b.name());
        }
        Value::Method(m) => {
            let _ = write!(out, "<bound method {}.{}>", m.receiver.type_name(), m.name);
        }
        Value::Code(c) => {
            let text = match &c.body {
                CodeBody::Expr(e) => crate::unparse::unparse_expr(e),
                CodeBody::Stmts(s) => crate::unparse::unparse_stmts(s),
            };
            let _ = write!(out, "<code {}>", text.trim_end());
        }
        Value::Kernel(name) => {
            let _ = write!(out, "<kernel {name}>");
        }
        Value::Extern(name) => {
            let _ = write!(out, "<extern {name}>");
        }
        Value::Engine => out.push_str("<CGEngine>"),
        Value::Decorator(_) => out.push_str("<kernel decorator>"),
        Value::List(_) | Value::Tuple(_) | Value::Dict(_) | Value::Set(_) => {}
    }
}

fn write_container(out: &mut String, v: &Value, seen: &mut Vec<usize>) {
    let seq = |out: &mut String, items: &[Value], seen: &mut Vec<usize>| {
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_value(out, x, true, seen);
        }
    };
    match v {
        Value::List(l) => {
            let items = l.snapshot();
            out.push('[');
            seq(out, &items, seen);
            out.push(']');
        }
        Value::Tuple(t) => {
            out.push('(');
            seq(out, t.items(), seen);
            if t.items().len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Value::Set(s) => {
            let keys = s.keys();
            if keys.is_empty() {
                out.push_str("set()");
            } else {
                out.push('{');
                seq(out, &keys, seen);
                out.push('}');
            }
        }
        Value::Dict(d) => {
            out.push('{');
            for (i, (k, x)) in d.entries().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, k, true, seen);
                out.push_str(": ");
                write_value(out, x, true, seen);
            }
            out.push('}');
        }
        _ => {}
    }
}
