//! The tree-walking interpreter: scopes, statements, expressions, calls and limits.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write;
use std::rc::{Rc, Weak};

use super::Limits;
use super::alloc;
use super::format;
use super::ops;
use super::value::{Builtin, Closure, FnCode, FnInfo, Key, OrdMap, Value};
use crate::ast::*;
use crate::diag::Diagnostic;
use crate::source::{ExpnId, SourceMap, Span};
use crate::staged::{DefineValue, StagedModule};

/// Stack kept free before a deep recursion point; below it `stacker` switches to a new
/// segment of [`STACK_SEGMENT`] bytes.
/// The red zone also covers dropping a partly built tree of generated code (up to
/// `MAX_CODE_DEPTH` levels) when an error unwinds through the expansion.
const RED_ZONE: usize = 1024 * 1024;
const STACK_SEGMENT: usize = 8 * 1024 * 1024;

/// Runs `f` with at least [`RED_ZONE`] bytes of stack, growing the stack if needed.
pub fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, f)
}

/// A stage-0 error on its way out: the diagnostic, boxed to keep `Result`s small.
#[derive(Debug)]
pub struct Fault(Box<Diagnostic>);

impl Fault {
    pub fn into_diagnostic(self) -> Diagnostic {
        *self.0
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Fault {
        self.0.notes.push(note.into());
        self
    }
}

pub type Res<T> = Result<T, Fault>;

/// How a statement finished.
pub enum Flow {
    Next,
    Break,
    Continue,
    Return(Value),
}

/// What kind of block a [`Scope`] belongs to; it decides where assignments go.
#[derive(Debug)]
pub enum ScopeKind {
    Module,
    Function(Rc<FnInfo>),
    Comprehension,
}

/// The variables of one scope. Names are short identifiers: a simple multiplicative
/// hash beats SipHash here, and stage-0 code is trusted input, not an attacker.
pub type Vars = HashMap<String, Value, BuildHasherDefault<NameHasher>>;

/// FNV-1a over the name's bytes.
#[derive(Default)]
pub struct NameHasher(u64);

impl Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// One lexical environment: the module's globals, a function call's locals, or a
/// comprehension's loop variables. Closures keep their defining scope alive.
#[derive(Debug)]
pub struct Scope {
    pub vars: RefCell<Vars>,
    pub parent: Option<Rc<Scope>>,
    pub kind: ScopeKind,
}

impl Scope {
    pub fn new(kind: ScopeKind, parent: Option<Rc<Scope>>) -> Rc<Scope> {
        Rc::new(Scope {
            vars: RefCell::new(Vars::default()),
            parent,
            kind,
        })
    }

    pub fn get(&self, name: &str) -> Option<Value> {
        self.vars.borrow().get(name).cloned()
    }

    pub fn set(&self, name: &str, value: Value) {
        // Rebinding an existing name (the common case in loops) allocates nothing.
        let mut vars = self.vars.borrow_mut();
        let old = match vars.get_mut(name) {
            Some(slot) => Some(std::mem::replace(slot, value)),
            None => {
                vars.insert(name.to_string(), value);
                None
            }
        };
        drop(vars);
        drop(old); // outside the borrow: dropping may run arbitrary drops
    }

    pub fn is_module(&self) -> bool {
        matches!(self.kind, ScopeKind::Module)
    }

    fn declares_global(&self, name: &str) -> bool {
        matches!(&self.kind, ScopeKind::Function(info) if info.globals.iter().any(|g| g == name))
    }

    fn declares_nonlocal(&self, name: &str) -> bool {
        matches!(&self.kind, ScopeKind::Function(info) if info.nonlocals.iter().any(|g| g == name))
    }
}

/// A stage-0 call in progress, for the depth limit and tracebacks.
struct Frame {
    call_site: Span,
}

/// The interpreter's state for one module.
pub struct Interp<'a> {
    pub map: &'a mut SourceMap,
    pub limits: Limits,
    out: &'a mut dyn Write,
    pub globals: Rc<Scope>,
    frames: Vec<Frame>,
    steps: u64,
    /// Bytes held on this thread before the module started (tests share threads).
    mem_base: usize,
    /// Bytes of quote texts added to the source map; never given back.
    pub quote_bytes: usize,
    pub gensym_counter: u64,
    pub staged: StagedModule,
    fn_infos: HashMap<*const FunctionDef, Rc<FnInfo>>,
    /// Length of each splice chain this run created (absent: not ours, treated as 0).
    pub expn_depths: HashMap<ExpnId, u32>,
    /// Scopes that closures were created in; cleared at the end to break `Rc` cycles.
    closure_scopes: Vec<Weak<Scope>>,
}

impl<'a> Interp<'a> {
    pub fn new(map: &'a mut SourceMap, limits: Limits, out: &'a mut dyn Write) -> Interp<'a> {
        Interp {
            map,
            limits,
            out,
            globals: Scope::new(ScopeKind::Module, None),
            frames: Vec::new(),
            steps: 0,
            mem_base: alloc::held(),
            quote_bytes: 0,
            gensym_counter: 0,
            staged: StagedModule::default(),
            fn_infos: HashMap::new(),
            expn_depths: HashMap::new(),
            closure_scopes: Vec::new(),
        }
    }

    /// Binds a define as a global.
    pub fn define(&mut self, name: &str, value: &DefineValue) {
        let v = define_to_value(value);
        self.globals.set(name, v);
    }

    pub fn run_module_body(&mut self, body: &[Stmt]) -> Res<()> {
        let globals = self.globals.clone();
        for stmt in body {
            let flow = self.exec_stmt(stmt, &globals)?;
            if let Some(what) = stray_flow(&flow) {
                return Err(self.fail(stmt.span, format!("{what} outside a function or loop")));
            }
        }
        Ok(())
    }

    /// Ends the run: breaks reference cycles between scopes and closures (so the memory
    /// account returns to where it was) and hands back the staged module.
    pub fn finish(mut self) -> StagedModule {
        for scope in self.closure_scopes.drain(..) {
            if let Some(s) = scope.upgrade() {
                let vars = std::mem::take(&mut *s.vars.borrow_mut());
                alloc::drop_later(vars.into_values().collect());
            }
        }
        let vars = std::mem::take(&mut *self.globals.vars.borrow_mut());
        alloc::drop_later(vars.into_values().collect());
        std::mem::take(&mut self.staged)
    }

    pub fn write_out(&mut self, text: &str, span: Span) -> Res<()> {
        self.out
            .write_all(text.as_bytes())
            .map_err(|e| self.fail(span, format!("cannot write stage-0 output: {e}")))
    }

    // ----- errors and limits -----

    /// An error at `span`, with the stage-0 traceback of the calls in progress.
    pub fn fail(&self, span: Span, message: impl Into<String>) -> Fault {
        self.fail_diag(Diagnostic::error(span, message))
    }

    /// Adds the traceback to a diagnostic: the first and last three calls in progress.
    pub fn fail_diag(&self, mut diag: Diagnostic) -> Fault {
        // Consecutive calls from one place (recursion) make one entry.
        let mut groups: Vec<(Span, usize)> = Vec::new();
        for f in &self.frames {
            match groups.last_mut() {
                Some((site, count)) if *site == f.call_site => *count += 1,
                _ => groups.push((f.call_site, 1)),
            }
        }
        let n = groups.len();
        let shown: Vec<usize> = if n <= 6 {
            (0..n).collect()
        } else {
            (0..3).chain(n - 3..n).collect()
        };
        for &i in shown.iter().rev() {
            let (site, count) = groups[i];
            let label = if count == 1 {
                "called from here".to_string()
            } else {
                format!("called from here ({count} nested calls)")
            };
            diag = diag.with_secondary(site, label);
        }
        if n > 6 {
            let hidden: usize = groups[3..n - 3].iter().map(|g| g.1).sum();
            diag = diag.with_note(format!(
                "stage-0 traceback: {} calls deep; {hidden} in the middle not shown",
                self.frames.len()
            ));
        }
        Fault(Box::new(diag))
    }

    /// Counts one interpreter step; fails when the step budget or memory is exhausted.
    pub fn tick(&mut self, span: Span) -> Res<()> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return Err(self.fail(
                span,
                format!(
                    "stage-0 step budget exhausted: more than {} steps (does a generator loop forever?)",
                    self.limits.max_steps
                ),
            ));
        }
        if self.steps.is_multiple_of(256) {
            self.check_memory(span, 0)?;
        }
        Ok(())
    }

    /// Counts `n` steps of work done inside one builtin (copying, sorting, cloning code).
    pub fn tick_n(&mut self, span: Span, n: u64) -> Res<()> {
        self.steps = self.steps.saturating_add(n);
        self.tick(span)
    }

    /// Bytes held by this module's values now.
    pub fn memory_held(&self) -> usize {
        alloc::held()
            .saturating_sub(self.mem_base)
            .saturating_add(self.quote_bytes)
    }

    /// Fails if holding `more` bytes on top of what is held would pass the limit.
    pub fn check_memory(&self, span: Span, more: usize) -> Res<()> {
        let held = self.memory_held().saturating_add(more);
        if held > self.limits.max_memory {
            return Err(self.fail(
                span,
                format!(
                    "stage-0 memory limit exceeded: values would hold about {} MiB, limit {} MiB",
                    held >> 20,
                    self.limits.max_memory >> 20
                ),
            ));
        }
        Ok(())
    }

    /// Bytes that may still be allocated before the memory limit.
    pub fn memory_room(&self) -> usize {
        self.limits.max_memory.saturating_sub(self.memory_held())
    }

    // ----- names -----

    pub fn lookup(&self, name: &str, env: &Rc<Scope>) -> Option<Value> {
        if env.declares_global(name) {
            return self
                .globals
                .get(name)
                .or_else(|| Builtin::from_name(name).map(Value::Builtin));
        }
        let mut scope = Some(env);
        while let Some(s) = scope {
            if let Some(v) = s.get(name) {
                return Some(v);
            }
            scope = s.parent.as_ref();
        }
        Builtin::from_name(name).map(Value::Builtin)
    }

    fn lookup_or_fail(&self, name: &str, env: &Rc<Scope>, span: Span) -> Res<Value> {
        self.lookup(name, env)
            .ok_or_else(|| self.fail(span, format!("name `{name}` is not defined")))
    }

    /// Binds `name` in the scope an assignment in `env` writes to.
    pub fn store_name(&mut self, name: &str, value: Value, env: &Rc<Scope>, span: Span) -> Res<()> {
        if env.declares_global(name) {
            self.globals.set(name, value);
            return Ok(());
        }
        if env.declares_nonlocal(name) {
            let mut scope = env.parent.as_ref();
            while let Some(s) = scope {
                if s.is_module() {
                    break;
                }
                if s.vars.borrow().contains_key(name) {
                    s.set(name, value);
                    return Ok(());
                }
                scope = s.parent.as_ref();
            }
            return Err(self.fail(
                span,
                format!("no binding for nonlocal `{name}` in an enclosing function"),
            ));
        }
        env.set(name, value);
        Ok(())
    }

    // ----- statements -----

    pub fn exec_block(&mut self, body: &[Stmt], env: &Rc<Scope>) -> Res<Flow> {
        for stmt in body {
            match self.exec_stmt(stmt, env)? {
                Flow::Next => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Next)
    }

    fn exec_stmt(&mut self, stmt: &Stmt, env: &Rc<Scope>) -> Res<Flow> {
        self.tick(stmt.span)?;
        match &stmt.kind {
            StmtKind::Expr(e) => {
                self.eval(e, env)?;
            }
            StmtKind::Assign { targets, value } => {
                let v = self.eval(value, env)?;
                for t in targets {
                    self.assign(t, v.clone(), env)?;
                }
            }
            StmtKind::AugAssign { target, op, value } => {
                self.aug_assign(target, *op, value, env)?
            }
            StmtKind::AnnAssign { target, value, .. } => {
                if let Some(value) = value {
                    let v = self.eval(value, env)?;
                    self.assign(target, v, env)?;
                }
            }
            StmtKind::If { test, body, orelse } => {
                let branch = if self.eval(test, env)?.truthy() {
                    body
                } else {
                    orelse
                };
                return self.exec_block(branch, env);
            }
            StmtKind::While { test, body, orelse } => loop {
                if !self.eval(test, env)?.truthy() {
                    return self.exec_block(orelse, env);
                }
                match self.exec_block(body, env)? {
                    Flow::Break => break,
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    Flow::Next | Flow::Continue => {}
                }
            },
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                let seq = self.eval(iter, env)?;
                let items = self.iterate(&seq, iter.span)?;
                for item in items {
                    self.tick(target.span)?;
                    self.assign(target, item, env)?;
                    match self.exec_block(body, env)? {
                        Flow::Break => return Ok(Flow::Next),
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Next | Flow::Continue => {}
                    }
                }
                return self.exec_block(orelse, env);
            }
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Return(value) => {
                let v = match value {
                    Some(e) => self.eval(e, env)?,
                    None => Value::None,
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Pass => {}
            StmtKind::FunctionDef(def) => self.exec_def(def, env)?,
            StmtKind::Global(_) | StmtKind::Nonlocal(_) => {}
            StmtKind::Unsupported(what) => {
                return Err(self.fail(
                    stmt.span,
                    format!("{what} is not supported in stage-0 code"),
                ));
            }
        }
        Ok(Flow::Next)
    }

    /// A plain (not kernel) `def`: makes a closure and binds it, applying decorators.
    pub fn make_function(&mut self, def: &Rc<FunctionDef>, env: &Rc<Scope>) -> Res<Value> {
        let defaults = self.eval_defaults(&def.params, env)?;
        let key = Rc::as_ptr(def);
        let info = match self.fn_infos.get(&key) {
            Some(info) => info.clone(),
            None => {
                let info = Rc::new(scan_declarations(&def.body));
                self.fn_infos.insert(key, info.clone());
                info
            }
        };
        self.note_closure_scope(env);
        Ok(Value::Function(Rc::new(Closure {
            name: Rc::from(def.name.name.as_str()),
            code: FnCode::Def(def.clone()),
            env: env.clone(),
            defaults,
            info,
        })))
    }

    fn eval_defaults(&mut self, params: &[Param], env: &Rc<Scope>) -> Res<Vec<Option<Value>>> {
        params
            .iter()
            .map(|p| p.default.as_ref().map(|d| self.eval(d, env)).transpose())
            .collect()
    }

    fn note_closure_scope(&mut self, env: &Rc<Scope>) {
        if env.is_module() {
            return;
        }
        let last = self.closure_scopes.last();
        if last.is_some_and(|w| std::ptr::eq(w.as_ptr(), Rc::as_ptr(env))) {
            return;
        }
        if self.closure_scopes.len() >= 1024 && self.closure_scopes.len().is_power_of_two() {
            self.closure_scopes.retain(|w| w.strong_count() > 0);
        }
        self.closure_scopes.push(Rc::downgrade(env));
    }

    // ----- assignment -----

    pub fn assign(&mut self, target: &Expr, value: Value, env: &Rc<Scope>) -> Res<()> {
        match &target.kind {
            ExprKind::Name(name) => self.store_name(name, value, env, target.span),
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                let items = self.collect(&value, target.span)?;
                self.assign_unpacked(elts, items, env, target.span)
            }
            ExprKind::Subscript { value: obj, index } => {
                let obj = self.eval(obj, env)?;
                if let ExprKind::Slice { lower, upper, step } = &index.kind {
                    let (lo, hi, st) = self.eval_slice_parts(lower, upper, step, env)?;
                    let items = self.collect(&value, target.span)?;
                    return ops::set_slice(&obj, lo, hi, st, items)
                        .map_err(|m| self.fail(target.span, m));
                }
                let idx = self.eval(index, env)?;
                ops::set_item(&obj, &idx, value).map_err(|m| self.fail(target.span, m))
            }
            ExprKind::Attribute { .. } => Err(self.fail(
                target.span,
                "assigning to attributes is not supported in stage-0 code",
            )),
            ExprKind::Starred(_) => Err(self.fail(
                target.span,
                "a starred assignment target must be in a tuple or list",
            )),
            _ => Err(self.fail(target.span, "cannot assign to this expression")),
        }
    }

    fn assign_unpacked(
        &mut self,
        targets: &[Expr],
        items: Vec<Value>,
        env: &Rc<Scope>,
        span: Span,
    ) -> Res<()> {
        let star = targets
            .iter()
            .position(|t| matches!(t.kind, ExprKind::Starred(_)));
        match star {
            None => {
                if items.len() != targets.len() {
                    let what = if items.len() > targets.len() {
                        "too many values to unpack"
                    } else {
                        "not enough values to unpack"
                    };
                    return Err(self.fail(
                        span,
                        format!("{what} (expected {}, got {})", targets.len(), items.len()),
                    ));
                }
                for (t, v) in targets.iter().zip(items) {
                    self.assign(t, v, env)?;
                }
                Ok(())
            }
            Some(s) => {
                let after = targets.len() - s - 1;
                if items.len() < targets.len() - 1 {
                    return Err(self.fail(
                        span,
                        format!(
                            "not enough values to unpack (expected at least {}, got {})",
                            targets.len() - 1,
                            items.len()
                        ),
                    ));
                }
                let mut items = items;
                let tail = items.split_off(items.len() - after);
                let middle = items.split_off(s);
                for (t, v) in targets[..s].iter().zip(items) {
                    self.assign(t, v, env)?;
                }
                if let ExprKind::Starred(inner) = &targets[s].kind {
                    self.assign(inner, Value::list(middle), env)?;
                }
                for (t, v) in targets[s + 1..].iter().zip(tail) {
                    self.assign(t, v, env)?;
                }
                Ok(())
            }
        }
    }

    fn aug_assign(&mut self, target: &Expr, op: BinOp, value: &Expr, env: &Rc<Scope>) -> Res<()> {
        match &target.kind {
            ExprKind::Name(name) => {
                let cur = self.lookup_or_fail(name, env, target.span)?;
                let rhs = self.eval(value, env)?;
                let new = self.inplace(op, cur, rhs, target.span)?;
                self.store_name(name, new, env, target.span)
            }
            ExprKind::Subscript { value: obj, index } => {
                let obj = self.eval(obj, env)?;
                if matches!(index.kind, ExprKind::Slice { .. }) {
                    return Err(self.fail(
                        target.span,
                        "augmented assignment to a slice is not supported",
                    ));
                }
                let idx = self.eval(index, env)?;
                let cur = ops::get_item(&obj, &idx).map_err(|m| self.fail(target.span, m))?;
                let rhs = self.eval(value, env)?;
                let new = self.inplace(op, cur, rhs, target.span)?;
                ops::set_item(&obj, &idx, new).map_err(|m| self.fail(target.span, m))
            }
            _ => Err(self.fail(
                target.span,
                "augmented assignment needs a name or a subscript",
            )),
        }
    }

    /// `a op= b`: lists are extended or repeated in place, as in Python.
    fn inplace(&mut self, op: BinOp, cur: Value, rhs: Value, span: Span) -> Res<Value> {
        if let Value::List(list) = &cur {
            match op {
                BinOp::Add => {
                    let items = self.collect(&rhs, span)?;
                    self.check_memory(span, items.len() * std::mem::size_of::<Value>())?;
                    list.with_mut(|v| v.extend(items));
                    return Ok(cur);
                }
                BinOp::Mul => {
                    let new = self.binary(op, &cur, &rhs, span)?;
                    if let Value::List(n) = &new {
                        let items = n.snapshot();
                        list.with_mut(|v| *v = items);
                    }
                    return Ok(cur);
                }
                _ => {}
            }
        }
        self.binary(op, &cur, &rhs, span)
    }

    pub fn binary(&mut self, op: BinOp, a: &Value, b: &Value, span: Span) -> Res<Value> {
        let room = self.memory_room();
        let v = ops::binary(op, a, b, room).map_err(|m| self.fail(span, m))?;
        // Concatenation and repetition copy: count the work they did.
        if let Value::Str(s) = &v {
            self.tick_n(span, (s.as_str().len() / 64) as u64)?;
        } else if let Value::List(l) = &v {
            self.tick_n(span, (l.len() / 16) as u64)?;
        }
        Ok(v)
    }

    // ----- expressions -----

    pub fn eval(&mut self, e: &Expr, env: &Rc<Scope>) -> Res<Value> {
        self.tick(e.span)?;
        match &e.kind {
            ExprKind::Name(name) => self.lookup_or_fail(name, env, e.span),
            ExprKind::Int(i) => i64::try_from(*i).map(Value::Int).map_err(|_| {
                self.fail(
                    e.span,
                    "integer literal does not fit in 64 bits (stage-0 ints are i64)",
                )
            }),
            ExprKind::Float(f) => Ok(Value::Float(*f)),
            ExprKind::Str(s) => Ok(Value::str(s.as_str())),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::NoneLit | ExprKind::Ellipsis => Ok(Value::None),
            ExprKind::BinOp { op, left, right } => {
                let a = self.eval(left, env)?;
                let b = self.eval(right, env)?;
                self.binary(*op, &a, &b, e.span)
            }
            ExprKind::UnaryOp { op, operand } => {
                let v = self.eval(operand, env)?;
                ops::unary(*op, &v).map_err(|m| self.fail(e.span, m))
            }
            ExprKind::BoolOp { op, values } => {
                let mut last = Value::None;
                for (i, x) in values.iter().enumerate() {
                    last = self.eval(x, env)?;
                    let stop = match op {
                        BoolOp::And => !last.truthy(),
                        BoolOp::Or => last.truthy(),
                    };
                    if stop || i + 1 == values.len() {
                        break;
                    }
                }
                Ok(last)
            }
            ExprKind::Compare {
                left,
                ops: cmp_ops,
                comparators,
            } => {
                let mut a = self.eval(left, env)?;
                for (op, right) in cmp_ops.iter().zip(comparators) {
                    let b = self.eval(right, env)?;
                    let ok = ops::compare(*op, &a, &b).map_err(|m| self.fail(e.span, m))?;
                    if !ok {
                        return Ok(Value::Bool(false));
                    }
                    a = b;
                }
                Ok(Value::Bool(true))
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => with_stack(|| self.eval_call(e.span, func, args, keywords, env)),
            ExprKind::Attribute { value, attr } => {
                let v = self.eval(value, env)?;
                self.get_attr(v, &attr.name, e.span)
            }
            ExprKind::Subscript { value, index } => {
                let obj = self.eval(value, env)?;
                if let ExprKind::Slice { lower, upper, step } = &index.kind {
                    let (lo, hi, st) = self.eval_slice_parts(lower, upper, step, env)?;
                    let v = ops::get_slice(&obj, lo, hi, st).map_err(|m| self.fail(e.span, m))?;
                    self.charge_new_value(&v, e.span)?;
                    return Ok(v);
                }
                let idx = self.eval(index, env)?;
                ops::get_item(&obj, &idx).map_err(|m| self.fail(e.span, m))
            }
            ExprKind::Slice { .. } => Err(self.fail(
                e.span,
                "a slice is only allowed inside `[...]` in stage-0 code",
            )),
            ExprKind::Tuple(elts) => Ok(Value::tuple(self.eval_elements(elts, env)?)),
            ExprKind::List(elts) => Ok(Value::list(self.eval_elements(elts, env)?)),
            ExprKind::Set(elts) => {
                let items = self.eval_elements(elts, env)?;
                self.make_set(items, e.span)
            }
            ExprKind::Dict { keys, values } => {
                let mut map = OrdMap::default();
                for (k, v) in keys.iter().zip(values) {
                    match k {
                        Some(k) => {
                            let kv = self.eval(k, env)?;
                            let vv = self.eval(v, env)?;
                            let key = Key::of(&kv).map_err(|m| self.fail(k.span, m))?;
                            map.insert(key, kv, vv);
                        }
                        None => {
                            let m = self.eval(v, env)?;
                            let Value::Dict(d) = &m else {
                                return Err(self.fail(
                                    v.span,
                                    format!("`**` needs a dict, not {}", m.type_name()),
                                ));
                            };
                            for (kv, vv) in d.entries() {
                                if let Ok(key) = Key::of(&kv) {
                                    map.insert(key, kv, vv);
                                }
                            }
                        }
                    }
                }
                Ok(Value::dict(map))
            }
            ExprKind::IfExp { test, body, orelse } => {
                if self.eval(test, env)?.truthy() {
                    self.eval(body, env)
                } else {
                    self.eval(orelse, env)
                }
            }
            ExprKind::Lambda { params, body } => {
                let defaults = self.eval_defaults(params, env)?;
                self.note_closure_scope(env);
                Ok(Value::Function(Rc::new(Closure {
                    name: Rc::from("<lambda>"),
                    code: FnCode::Lambda {
                        params: params.clone(),
                        body: body.clone(),
                    },
                    env: env.clone(),
                    defaults,
                    info: Rc::new(FnInfo::default()),
                })))
            }
            ExprKind::ListComp { elt, generators } | ExprKind::GeneratorExp { elt, generators } => {
                let mut out = Vec::new();
                self.comprehension(generators, env, e.span, &mut |me, scope| {
                    out.push(me.eval(elt, scope)?);
                    Ok(())
                })?;
                Ok(Value::list(out))
            }
            ExprKind::SetComp { elt, generators } => {
                let mut out = Vec::new();
                self.comprehension(generators, env, e.span, &mut |me, scope| {
                    out.push(me.eval(elt, scope)?);
                    Ok(())
                })?;
                self.make_set(out, e.span)
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => {
                let mut map = OrdMap::default();
                self.comprehension(generators, env, e.span, &mut |me, scope| {
                    let kv = me.eval(key, scope)?;
                    let vv = me.eval(value, scope)?;
                    let k = Key::of(&kv).map_err(|m| me.fail(key.span, m))?;
                    map.insert(k, kv, vv);
                    Ok(())
                })?;
                Ok(Value::dict(map))
            }
            ExprKind::FString(parts) => {
                let s = self.eval_fstring(parts, env)?;
                self.check_memory(e.span, s.len())?;
                Ok(Value::str(s))
            }
            ExprKind::Starred(_) => Err(self.fail(
                e.span,
                "`*` unpacking is only allowed in calls, displays and assignment targets",
            )),
            ExprKind::Unsupported(what) => {
                Err(self.fail(e.span, format!("{what} is not supported in stage-0 code")))
            }
        }
    }

    /// Counts the memory and copying work of a freshly built container.
    fn charge_new_value(&mut self, v: &Value, span: Span) -> Res<()> {
        let n = match v {
            Value::List(l) => l.len(),
            Value::Tuple(t) => t.items().len(),
            Value::Str(s) => s.as_str().len() / 4,
            _ => 0,
        };
        self.tick_n(span, (n / 16) as u64)
    }

    fn eval_slice_parts(
        &mut self,
        lower: &Option<Box<Expr>>,
        upper: &Option<Box<Expr>>,
        step: &Option<Box<Expr>>,
        env: &Rc<Scope>,
    ) -> Res<(Option<i64>, Option<i64>, Option<i64>)> {
        let part = |me: &mut Self, p: &Option<Box<Expr>>| -> Res<Option<i64>> {
            match p {
                None => Ok(None),
                Some(x) => match me.eval(x, env)? {
                    Value::None => Ok(None),
                    Value::Int(i) => Ok(Some(i)),
                    Value::Bool(b) => Ok(Some(i64::from(b))),
                    other => Err(me.fail(
                        x.span,
                        format!("slice indices must be integers, not {}", other.type_name()),
                    )),
                },
            }
        };
        let lo = part(self, lower)?;
        let hi = part(self, upper)?;
        let st = part(self, step)?;
        Ok((lo, hi, st))
    }

    /// Elements of a display, with `*xs` spread.
    fn eval_elements(&mut self, elts: &[Expr], env: &Rc<Scope>) -> Res<Vec<Value>> {
        let mut out = Vec::with_capacity(elts.len());
        for x in elts {
            if let ExprKind::Starred(inner) = &x.kind {
                let v = self.eval(inner, env)?;
                out.extend(self.collect(&v, inner.span)?);
            } else {
                out.push(self.eval(x, env)?);
            }
        }
        Ok(out)
    }

    pub fn make_set(&mut self, items: Vec<Value>, span: Span) -> Res<Value> {
        let mut map = OrdMap::default();
        for x in items {
            let k = Key::of(&x).map_err(|m| self.fail(span, m))?;
            map.insert(k, x, Value::None);
        }
        Ok(Value::set(map))
    }

    /// Runs `each` once per combination of the comprehension's loops, in a fresh scope
    /// holding the loop variables.
    fn comprehension(
        &mut self,
        generators: &[Comprehension],
        env: &Rc<Scope>,
        span: Span,
        each: &mut dyn FnMut(&mut Self, &Rc<Scope>) -> Res<()>,
    ) -> Res<()> {
        let scope = Scope::new(ScopeKind::Comprehension, Some(env.clone()));
        self.comp_level(generators, &scope, span, each)
    }

    fn comp_level(
        &mut self,
        generators: &[Comprehension],
        scope: &Rc<Scope>,
        span: Span,
        each: &mut dyn FnMut(&mut Self, &Rc<Scope>) -> Res<()>,
    ) -> Res<()> {
        let Some((first, rest)) = generators.split_first() else {
            return each(self, scope);
        };
        let seq = self.eval(&first.iter, scope)?;
        for item in self.iterate(&seq, first.iter.span)? {
            self.tick(span)?;
            self.assign(&first.target, item, scope)?;
            let mut keep = true;
            for cond in &first.ifs {
                if !self.eval(cond, scope)?.truthy() {
                    keep = false;
                    break;
                }
            }
            if keep {
                self.comp_level(rest, scope, span, each)?;
            }
        }
        Ok(())
    }

    fn eval_fstring(&mut self, parts: &[FStringPart], env: &Rc<Scope>) -> Res<String> {
        let mut out = String::new();
        for part in parts {
            match part {
                FStringPart::Literal(s) => out.push_str(s),
                FStringPart::Value {
                    value,
                    conversion,
                    spec,
                } => {
                    let v = self.eval(value, env)?;
                    let v = match conversion {
                        Some('r') | Some('a') => Value::str(super::value::repr(&v)),
                        Some(_) => Value::str(super::value::to_str(&v)),
                        None => v,
                    };
                    let spec = self.eval_fstring(spec, env)?;
                    let text =
                        format::format_value(&v, &spec).map_err(|m| self.fail(value.span, m))?;
                    out.push_str(&text);
                }
            }
        }
        Ok(out)
    }

    // ----- calls -----

    fn eval_call(
        &mut self,
        span: Span,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
        env: &Rc<Scope>,
    ) -> Res<Value> {
        // `obj.method(...)` calls the method directly, without a bound-method value.
        if let ExprKind::Attribute { value, attr } = &func.kind {
            let receiver = self.eval(value, env)?;
            let (args, kwargs) = self.eval_args(args, keywords, env)?;
            return self.call_method(receiver, &attr.name, args, kwargs, span, env);
        }
        let f = self.eval(func, env)?;
        let (args, kwargs) = self.eval_args(args, keywords, env)?;
        self.call(&f, args, kwargs, span, env)
    }

    fn eval_args(&mut self, args: &[Expr], keywords: &[Keyword], env: &Rc<Scope>) -> Res<CallArgs> {
        let positional = self.eval_elements(args, env)?;
        let mut kwargs = Vec::with_capacity(keywords.len());
        for kw in keywords {
            let v = self.eval(&kw.value, env)?;
            match &kw.name {
                Some(name) => kwargs.push((name.name.clone(), v)),
                None => {
                    let Value::Dict(d) = &v else {
                        return Err(
                            self.fail(kw.span, format!("`**` needs a dict, not {}", v.type_name()))
                        );
                    };
                    for (k, x) in d.entries() {
                        match k.as_str() {
                            Some(name) => kwargs.push((name.to_string(), x)),
                            None => {
                                return Err(self.fail(kw.span, "keywords must be strings"));
                            }
                        }
                    }
                }
            }
        }
        Ok((positional, kwargs))
    }

    /// Calls any callable value.
    pub fn call(
        &mut self,
        f: &Value,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
        env: &Rc<Scope>,
    ) -> Res<Value> {
        match f {
            Value::Function(clo) => self.call_closure(clo, args, kwargs, span),
            Value::Builtin(b) => self.call_builtin(*b, args, kwargs, span, env),
            Value::Method(m) => {
                let (receiver, name) = (m.receiver.clone(), m.name.clone());
                self.call_method(receiver, &name, args, kwargs, span, env)
            }
            Value::Kernel(name) => Err(self.fail(
                span,
                format!(
                    "kernel `{name}` cannot be called at stage 0: kernels run only after staging \
                     (to use it in generated code, name it inside a quote)"
                ),
            )),
            Value::Extern(name) => Err(self.fail(
                span,
                format!("external function `{name}` cannot be called at stage 0"),
            )),
            Value::Decorator(_) => Err(self.fail(
                span,
                "a kernel decorator can only be used as `@...` on a `def`",
            )),
            other => Err(self.fail(
                span,
                format!("'{}' object is not callable", other.type_name()),
            )),
        }
    }

    pub fn call_closure(
        &mut self,
        clo: &Rc<Closure>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        span: Span,
    ) -> Res<Value> {
        if self.frames.len() >= self.limits.max_depth {
            return Err(self.fail(
                span,
                format!(
                    "stage-0 recursion too deep: more than {} nested calls (calling `{}`)",
                    self.limits.max_depth, clo.name
                ),
            ));
        }
        let scope = Scope::new(ScopeKind::Function(clo.info.clone()), Some(clo.env.clone()));
        self.bind_args(clo, args, kwargs, &scope, span)?;
        self.frames.push(Frame { call_site: span });
        let result = with_stack(|| match &clo.code {
            FnCode::Def(def) => match self.exec_block(&def.body, &scope) {
                Ok(Flow::Return(v)) => Ok(v),
                Ok(Flow::Next) => Ok(Value::None),
                Ok(flow) => Err(self.fail(
                    def.span,
                    format!("{} outside a loop", stray_flow(&flow).unwrap_or("`break`")),
                )),
                Err(e) => Err(e),
            },
            FnCode::Lambda { body, .. } => self.eval(body, &scope),
        });
        self.frames.pop();
        result
    }

    fn bind_args(
        &mut self,
        clo: &Closure,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        scope: &Rc<Scope>,
        span: Span,
    ) -> Res<()> {
        let params = clo.params();
        let mut bound: Vec<Option<Value>> = vec![None; params.len()];
        let normal: Vec<usize> = (0..params.len())
            .filter(|&i| params[i].kind == ParamKind::Normal)
            .collect();
        let varargs = params.iter().position(|p| p.kind == ParamKind::VarArgs);
        let kwargs_at = params.iter().position(|p| p.kind == ParamKind::KwArgs);
        let n_args = args.len();
        let mut extra = Vec::new();
        for (i, a) in args.into_iter().enumerate() {
            match normal.get(i) {
                Some(&p) => bound[p] = Some(a),
                None => extra.push(a),
            }
        }
        if !extra.is_empty() && varargs.is_none() {
            return Err(self.fail(
                span,
                format!(
                    "{}() takes {} positional argument{} but {} were given",
                    clo.name,
                    normal.len(),
                    if normal.len() == 1 { "" } else { "s" },
                    n_args
                ),
            ));
        }
        let mut extra_kw = OrdMap::default();
        for (name, v) in kwargs {
            let slot = params.iter().position(|p| {
                p.name.name == name && matches!(p.kind, ParamKind::Normal | ParamKind::KwOnly)
            });
            match slot {
                Some(i) if bound[i].is_some() => {
                    return Err(self.fail(
                        span,
                        format!("{}() got multiple values for argument `{name}`", clo.name),
                    ));
                }
                Some(i) => bound[i] = Some(v),
                None if kwargs_at.is_some() => {
                    let kv = Value::str(name.as_str());
                    if let Ok(k) = Key::of(&kv) {
                        extra_kw.insert(k, kv, v);
                    }
                }
                None => {
                    return Err(self.fail(
                        span,
                        format!("{}() got an unexpected keyword argument `{name}`", clo.name),
                    ));
                }
            }
        }
        for (i, p) in params.iter().enumerate() {
            let v = match p.kind {
                ParamKind::VarArgs => Value::tuple(std::mem::take(&mut extra)),
                ParamKind::KwArgs => Value::dict(std::mem::take(&mut extra_kw)),
                _ => match bound[i].take().or_else(|| clo.defaults[i].clone()) {
                    Some(v) => v,
                    None => {
                        return Err(self.fail(
                            span,
                            format!("{}() missing required argument `{}`", clo.name, p.name.name),
                        ));
                    }
                },
            };
            scope.set(&p.name.name, v);
        }
        Ok(())
    }

    /// Calls a one-argument function (a sort key, `map`'s function).
    pub fn call1(&mut self, f: &Value, arg: Value, span: Span, env: &Rc<Scope>) -> Res<Value> {
        self.call(f, vec![arg], Vec::new(), span, env)
    }

    // ----- iteration -----

    /// Iterates a value as Python's `for` would. Lists are copied first, so the loop
    /// body may change them freely.
    pub fn iterate(&mut self, v: &Value, span: Span) -> Res<ValueIter> {
        Ok(match v {
            Value::Range(r) => ValueIter::Range {
                next: i128::from(r.start),
                stop: i128::from(r.stop),
                step: i128::from(r.step),
            },
            other => ValueIter::Items(self.collect(other, span)?.into_iter()),
        })
    }

    /// All items of an iterable value.
    pub fn collect(&mut self, v: &Value, span: Span) -> Res<Vec<Value>> {
        let items = match v {
            Value::List(l) => l.snapshot(),
            Value::Tuple(t) => t.items().to_vec(),
            Value::Str(s) => s.as_str().chars().map(Value::str).collect(),
            Value::Dict(d) | Value::Set(d) => d.keys(),
            Value::Range(r) => {
                let n = r.len();
                self.check_memory(span, n.saturating_mul(std::mem::size_of::<Value>()))?;
                (0..n).map(|i| Value::Int(r.at(i))).collect()
            }
            other => {
                return Err(self.fail(
                    span,
                    format!("'{}' object is not iterable", other.type_name()),
                ));
            }
        };
        self.tick_n(span, (items.len() / 16) as u64)?;
        Ok(items)
    }
}

/// Evaluated arguments of a call: positional values, then keyword name/value pairs.
type CallArgs = (Vec<Value>, Vec<(String, Value)>);

/// Iterator over a value's items.
pub enum ValueIter {
    Range { next: i128, stop: i128, step: i128 },
    Items(std::vec::IntoIter<Value>),
}

impl Iterator for ValueIter {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        match self {
            ValueIter::Range { next, stop, step } => {
                let more = if *step > 0 {
                    *next < *stop
                } else {
                    *next > *stop
                };
                if !more {
                    return None;
                }
                let v = *next as i64;
                *next += *step;
                Some(Value::Int(v))
            }
            ValueIter::Items(it) => it.next(),
        }
    }
}

/// The statement that produced a flow which should have been caught by a loop or call.
fn stray_flow(flow: &Flow) -> Option<&'static str> {
    match flow {
        Flow::Next => None,
        Flow::Break => Some("`break`"),
        Flow::Continue => Some("`continue`"),
        Flow::Return(_) => Some("`return`"),
    }
}

/// The `global`/`nonlocal` names a function body declares (not looking into nested defs).
fn scan_declarations(body: &[Stmt]) -> FnInfo {
    let mut info = FnInfo::default();
    fn walk(body: &[Stmt], info: &mut FnInfo) {
        for s in body {
            match &s.kind {
                StmtKind::Global(names) => {
                    info.globals.extend(names.iter().map(|n| n.name.clone()))
                }
                StmtKind::Nonlocal(names) => {
                    info.nonlocals.extend(names.iter().map(|n| n.name.clone()))
                }
                StmtKind::If { body, orelse, .. }
                | StmtKind::While { body, orelse, .. }
                | StmtKind::For { body, orelse, .. } => {
                    walk(body, info);
                    walk(orelse, info);
                }
                _ => {}
            }
        }
    }
    walk(body, &mut info);
    info
}

fn define_to_value(v: &DefineValue) -> Value {
    match v {
        DefineValue::Int(i) => Value::Int(*i),
        DefineValue::Float(f) => Value::Float(*f),
        DefineValue::Bool(b) => Value::Bool(*b),
        DefineValue::Str(s) => Value::str(s.as_str()),
        DefineValue::List(items) => Value::list(items.iter().map(define_to_value).collect()),
    }
}
