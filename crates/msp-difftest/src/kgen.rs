//! The random kernel generator: well-typed programs over every scalar width, with
//! arithmetic, comparisons, `and`/`or`, conditionals, bounded loops, `break`/`continue`,
//! array loads and stores with in-range indexes, calls between kernels and `goto`/`label`
//! in the shapes a Python model can express (forward out of blocks, backward as a loop).
//!
//! Some kernels (and now and then a statement of any kernel) also get *counting loops* in
//! exactly the shape msp's checker trusts (`c = start` / `while c < limit:` / body /
//! `c += 1`, see `msp_core::check::counting`), and array indexes that are a bare loop
//! variable, in range or not (an index out of range is a fault on both sides).

use crate::ast::*;
use crate::rng::Rng;
use crate::types::{self, Scalar, Scalar::*};

/// What the generator produces. The `avoid_*` switches leave out constructs whose
/// mismatches are known and reported, so a run can look for new ones.
#[derive(Clone, Debug)]
pub struct Config {
    /// Nesting depth of expressions.
    pub expr_depth: u32,
    /// Statements per kernel, roughly.
    pub stmts: usize,
    /// Helper kernels besides the entry kernel, at most.
    pub helpers: usize,
    /// Input sets per program.
    pub inputs: usize,
    /// Leave out float `//` and `%`.
    pub avoid_float_floor_ops: bool,
    /// Shift counts always have the shifted value's type (or narrower).
    pub avoid_wide_shift_counts: bool,
    /// Array stores whose index and value both call kernels.
    pub avoid_effects_in_stores: bool,
    /// Bool operators between two bool literals (`True ^ False`).
    pub avoid_bool_literal_ops: bool,
    /// `float(...)` literals that f32 cannot hold exactly (they are widened unrounded).
    pub avoid_inexact_f32_literals: bool,
    /// Array parameters with `:` extents (`F32[:]`, `I64[:][3]`, `Int[:][:]`), `len(a)`
    /// and `a.shape[k]`, loops up to them; off: every extent fixed, as before.
    pub runtime_extents: bool,
    /// The largest extent an input set gives a `:` axis (each is drawn from 0 to this).
    pub max_extent: usize,
    /// `prange` loops, race-free by construction (see [`Gen::par_for`]).
    pub parallel_loops: bool,
    /// Leave out locals a `prange` body assigns on some paths only and that are read
    /// after the loop (bug 20, fixed: msp left them as the last chunk left them, not as
    /// the last iteration that assigned them).
    pub avoid_partial_privates: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            expr_depth: 3,
            stmts: 14,
            helpers: 2,
            inputs: 3,
            avoid_float_floor_ops: false,
            avoid_wide_shift_counts: false,
            avoid_effects_in_stores: false,
            avoid_bool_literal_ops: false,
            avoid_inexact_f32_literals: false,
            runtime_extents: true,
            max_extent: 5,
            parallel_loops: true,
            avoid_partial_privates: false,
        }
    }
}

impl Config {
    /// Everything, known problems included.
    pub fn everything() -> Config {
        Config::default()
    }

    /// Leaves out the constructs of the mismatches reported in RELIABILITY.md (bugs 1–6,
    /// 13 and 20, all fixed now): for hunting new bugs in the rest if they ever return.
    pub fn avoid_known() -> Config {
        Config {
            avoid_float_floor_ops: true,
            avoid_wide_shift_counts: true,
            avoid_effects_in_stores: true,
            avoid_bool_literal_ops: true,
            avoid_inexact_f32_literals: true,
            avoid_partial_privates: true,
            ..Config::default()
        }
    }
}

#[derive(Clone, Debug)]
struct Sig {
    name: String,
    params: Vec<Param>,
    ret: Scalar,
    /// Whether it may write an array parameter (msp then refuses one array passed for
    /// two of them).
    writes_arrays: bool,
    /// Whether it has a long `prange` or calls a function that has one (a long loop's
    /// body does not call it: the model would run its iterations times the caller's).
    long: bool,
}

#[derive(Clone, Debug, Default)]
struct Env {
    /// Scalars that can be read, and whether each can be assigned.
    scalars: Vec<(String, Scalar, bool)>,
    arrays: Vec<Arr>,
    callable: Vec<Sig>,
    loop_depth: usize,
    labels: Vec<String>,
    /// No calls in expressions (to keep a store's index free of effects).
    pure: bool,
    /// Loop variables whose body we are in, innermost last: bare array indexes, and the
    /// counters a counting loop may start from.
    counters: Vec<Counter>,
    /// In a counting loop's body (not in a loop nested in it): a `continue` would skip
    /// the step and loop forever.
    no_continue: bool,
    /// Counters of counting loops earlier in an enclosing block, with their values after
    /// the loop: read (as indexes, or as a later loop's start) outside their loop, where
    /// msp must not trust their loop's bounds.
    after: Vec<Counter>,
    /// In a `prange` body (at any depth): the locals from outside are read-only captures
    /// (`scalars` says so), `arrays` are only read, and writes go to `par_arrays`. A block
    /// forgets the locals it introduced when it ends, and a `for` its variable (msp's
    /// checker wants every read of a private to follow an assignment on every path).
    par: bool,
    /// The reductions a `prange` body may update (its loop's and enclosing ones').
    reductions: Vec<(String, Scalar, Red)>,
    /// The arrays the enclosing `prange` bodies write, each only at its loop variables.
    par_arrays: Vec<ParArr>,
    /// In a `prange` body outside any loop of its own: a `break` would leave the body.
    no_break: bool,
    /// The variables of the enclosing `prange` loops (a long one's is no index).
    par_vars: Vec<(String, Scalar)>,
    /// In a long `prange`'s body: a nested one is short (the model runs every iteration).
    in_long: bool,
}

/// An array a `prange` body writes: every access indexes axis `k` with the loop
/// variable `v` for each `(k, v)` in `fixed` (one per enclosing `prange` that writes it).
#[derive(Clone, Debug)]
struct ParArr {
    arr: Arr,
    fixed: Vec<(usize, Expr)>,
}

/// A loop variable in scope.
#[derive(Clone, Debug)]
struct Counter {
    name: String,
    ty: Scalar,
    /// Every value it has in the body, when the generator knows them (literal bounds,
    /// never assigned but by the loop).
    range: Option<(i128, i128)>,
    /// A counting loop's counter: `c + 1` in its body cannot wrap.
    steps: bool,
}

pub struct Gen<'r> {
    rng: &'r mut Rng,
    cfg: Config,
    fresh: usize,
    locals: Vec<Local>,
    current_ret: Scalar,
    /// This kernel favours counting loops and has no labels (a label anywhere makes msp
    /// leave every loop of the kernel alone).
    counting: bool,
    /// Float sums of long `prange` loops in this kernel, which its `return` may give
    /// whole (their last bits tell msp's chunked order from any other).
    results: Vec<(String, Scalar)>,
    /// This kernel has a long `prange`, or calls a kernel that is long.
    made_long: bool,
}

const INT_OPS: [BOp; 10] = [
    BOp::Add,
    BOp::Sub,
    BOp::Mul,
    BOp::FloorDiv,
    BOp::Mod,
    BOp::BitAnd,
    BOp::BitOr,
    BOp::BitXor,
    BOp::Shl,
    BOp::Shr,
];

fn non_bool() -> Vec<Scalar> {
    types::ALL.iter().copied().filter(|&s| s != Bool).collect()
}

impl<'r> Gen<'r> {
    pub fn new(rng: &'r mut Rng, cfg: Config) -> Gen<'r> {
        Gen {
            rng,
            cfg,
            fresh: 0,
            locals: Vec::new(),
            current_ret: I32,
            counting: false,
            results: Vec::new(),
            made_long: false,
        }
    }

    fn name(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn any_scalar(&mut self) -> Scalar {
        // Favour the everyday types, but reach every width.
        match self.rng.below(16) {
            0..=3 => I32,
            4..=5 => F32,
            6..=7 => F64,
            8..=9 => I64,
            10 => Bool,
            _ => *self.rng.pick(&[I8, I16, U8, U16, U32, U64]),
        }
    }

    fn any_arr(&mut self) -> Arr {
        let elem = self.any_scalar();
        let dims = if self.rng.chance(2, 3) {
            vec![self.rng.below(6) + 1]
        } else {
            vec![self.rng.below(3) + 1, self.rng.below(4) + 1]
        };
        let name = self.name("a");
        Arr::fixed(name, elem, &dims)
    }

    /// `a` with some axes turned into `:` (at least one), when run-time extents are on.
    fn with_runtime_axes(&mut self, a: &Arr) -> Arr {
        let mut b = a.clone();
        if !self.cfg.runtime_extents {
            return b;
        }
        let n = b.dims.len();
        let first = self.rng.below(n);
        for (k, d) in b.dims.iter_mut().enumerate() {
            if k == first || self.rng.chance(1, 2) {
                *d = None;
            }
        }
        b
    }

    /// A whole program: helpers, then the entry kernel `main`, then inputs.
    pub fn program(&mut self) -> Program {
        let n_arrays = self.rng.below(3);
        let fixed: Vec<Arr> = (0..n_arrays).map(|_| self.any_arr()).collect();
        // The entry's array parameters: each, half the time, with `:` axes. A helper's
        // array parameter copies one of them, now and then with more `:` axes (so the
        // entry's arrays, and fixed ones, can be passed to it) or with none.
        let arrays: Vec<Arr> = fixed
            .iter()
            .map(|a| {
                if self.cfg.runtime_extents && self.rng.chance(1, 2) {
                    self.with_runtime_axes(a)
                } else {
                    a.clone()
                }
            })
            .collect();
        let n_helpers = self.rng.below(self.cfg.helpers + 1);
        let mut sigs: Vec<Sig> = Vec::new();
        let mut funcs = Vec::new();
        for h in 0..n_helpers {
            let mut params = Vec::new();
            for _ in 0..self.rng.below(4) {
                let t = self.any_scalar();
                params.push(Param::Scalar(self.name("p"), t));
            }
            let n_arrays = match self.rng.below(6) {
                _ if arrays.is_empty() => 0,
                0..=2 => 0,
                3 | 4 => 1,
                _ => 2,
            };
            for _ in 0..n_arrays {
                let k = self.rng.below(arrays.len());
                let mut a = match self.rng.below(6) {
                    0 => fixed[k].clone(),
                    1 | 2 => {
                        let more = self.with_runtime_axes(&arrays[k]);
                        let mut a = arrays[k].clone();
                        for (d, m) in a.dims.iter_mut().zip(&more.dims) {
                            if m.is_none() {
                                *d = None;
                            }
                        }
                        a
                    }
                    _ => arrays[k].clone(),
                };
                a.name = self.name("a");
                params.insert(self.rng.below(params.len() + 1), Param::Array(a));
            }
            let ret = self.any_scalar();
            let name = format!("h{h}");
            let f = self.func(&name, params.clone(), ret, &sigs);
            funcs.push(f);
            let so_far = Program {
                funcs: funcs.clone(),
                inputs: Vec::new(),
                threads: Vec::new(),
            };
            let writes_arrays = params
                .iter()
                .any(|p| matches!(p, Param::Array(a) if so_far.writes(so_far.entry(), &a.name)));
            sigs.push(Sig {
                name,
                params,
                ret,
                writes_arrays,
                long: self.made_long,
            });
        }
        let mut params: Vec<Param> = Vec::new();
        for _ in 0..self.rng.below(4) + 1 {
            let t = self.any_scalar();
            params.push(Param::Scalar(self.name("x"), t));
        }
        for a in &arrays {
            params.insert(self.rng.below(params.len() + 1), Param::Array(a.clone()));
        }
        let ret = self.any_scalar();
        let main = self.func("main", params, ret, &sigs);
        funcs.push(main);
        let entry = funcs.last().expect("main").clone();
        let inputs = (0..self.cfg.inputs).map(|_| self.inputs(&entry)).collect();
        // `prange` loops run on 1, 2 and 7 threads (more than this machine's cores too):
        // the same chunks and so the same results.
        let threads = (0..self.cfg.inputs).map(|k| [1, 2, 7][k % 3]).collect();
        Program {
            funcs,
            inputs,
            threads,
        }
    }

    fn func(&mut self, name: &str, params: Vec<Param>, ret: Scalar, callable: &[Sig]) -> Func {
        let mut env = Env {
            callable: callable.to_vec(),
            ..Env::default()
        };
        for p in &params {
            match p {
                Param::Scalar(n, t) => env.scalars.push((n.clone(), *t, true)),
                Param::Array(a) => env.arrays.push(a.clone()),
            }
        }
        self.locals = Vec::new();
        self.current_ret = ret;
        // Kernels over `:` arrays are label-free (so msp optimizes their loops) more often.
        let runtime = params
            .iter()
            .any(|p| matches!(p, Param::Array(a) if a.has_runtime_axis()));
        self.counting = self.rng.chance(1, if runtime { 2 } else { 4 });
        for _ in 0..self.rng.below(4) + 1 {
            let ty = self.any_scalar();
            let init = self.expr_or_lit(&env, ty, 1);
            let name = self.name("v");
            self.locals.push(Local::Scalar {
                name: name.clone(),
                ty,
                init,
            });
            env.scalars.push((name, ty, true));
        }
        if self.rng.chance(1, 4) {
            let a = self.any_arr();
            self.locals.push(Local::Array(a.clone()));
            env.arrays.push(a);
        }
        self.results.clear();
        self.made_long = false;
        let mut budget = self.cfg.stmts;
        let mut body = self.block(&mut env, &mut budget, 0);
        let ret_e = match self.results.clone().as_slice() {
            [_, ..] if types::is_float(ret) && self.rng.chance(5, 6) => {
                let (r, ty) = self.rng.pick(&self.results).clone();
                let v = Expr::Var { name: r, ty };
                match (ty, ret) {
                    (a, b) if a == b => v,
                    (F32, _) => Expr::Widen {
                        to: ret,
                        e: Box::new(v),
                    },
                    _ => Expr::Cast {
                        to: ret,
                        e: Box::new(v),
                    },
                }
            }
            _ => self.expr_or_lit(&env, ret, self.cfg.expr_depth),
        };
        body.push(Stmt::Return(ret_e));
        Func {
            name: name.to_string(),
            params,
            ret,
            locals: std::mem::take(&mut self.locals),
            body,
        }
    }

    fn block(&mut self, env: &mut Env, budget: &mut usize, depth: usize) -> Vec<Stmt> {
        let n = self.rng.below(4) + 1;
        let after = env.after.len();
        let scalars = env.scalars.len();
        let mut out = Vec::new();
        for _ in 0..n {
            if *budget == 0 {
                break;
            }
            *budget -= 1;
            let s = self.stmt(env, budget, depth);
            if env.par
                && let Stmt::For { var, .. } = &s
            {
                // Not assigned after the loop when it runs no iteration.
                env.scalars.retain(|v| v.0 != *var);
            }
            out.push(s);
        }
        if env.par {
            env.scalars.truncate(scalars);
        }
        env.after.truncate(after);
        if out.is_empty() {
            out.push(Stmt::Pass);
        }
        out
    }

    fn counter(&mut self, env: &mut Env, prefix: &str) -> String {
        let name = self.name(prefix);
        self.locals.push(Local::Scalar {
            name: name.clone(),
            ty: I32,
            init: int_lit(0, I32),
        });
        env.scalars.push((name.clone(), I32, false));
        name
    }

    fn stmt(&mut self, env: &mut Env, budget: &mut usize, depth: usize) -> Stmt {
        let d = self.cfg.expr_depth;
        if self.cfg.parallel_loops && depth < 3 {
            let p = match (env.par, depth) {
                (true, _) => 5,
                (false, 0) => 12,
                (false, _) => 4,
            };
            if self.rng.chance(p, 100) {
                return self.par_for(env, budget, depth);
            }
        }
        if env.par {
            if !env.par_arrays.is_empty() && self.rng.chance(1, 6) {
                return self.par_store(env);
            }
            if !env.reductions.is_empty() && self.rng.chance(1, 6) {
                return self.reduce(env);
            }
        }
        if depth < 3 && self.rng.chance(if self.counting { 10 } else { 2 }, 100) {
            return self.count_while(env, budget, depth);
        }
        if depth < 3 && self.cfg.runtime_extents && !env.arrays.is_empty() {
            let p = match (env.arrays.iter().any(Arr::has_runtime_axis), self.counting) {
                (true, true) => 14,
                (true, false) => 8,
                (false, _) => 2,
            };
            if self.rng.chance(p, 100) {
                if self.rng.chance(1, 4) {
                    return self.tile_for(env);
                }
                return self.extent_for(env, budget, depth);
            }
        }
        loop {
            match self.rng.below(100) {
                0..=24 => {
                    let vars: Vec<(String, Scalar)> = env
                        .scalars
                        .iter()
                        .filter(|v| v.2)
                        .map(|v| (v.0.clone(), v.1))
                        .collect();
                    if vars.is_empty() {
                        continue;
                    }
                    let (var, ty) = self.rng.pick(&vars).clone();
                    let e = self.expr_or_lit_widening(env, ty, d);
                    return Stmt::Assign { var, e };
                }
                25..=34 => {
                    let vars: Vec<(String, Scalar)> = env
                        .scalars
                        .iter()
                        .filter(|v| v.2)
                        .map(|v| (v.0.clone(), v.1))
                        .collect();
                    if vars.is_empty() {
                        continue;
                    }
                    let (var, ty) = self.rng.pick(&vars).clone();
                    let Some((op, e, join)) = self.aug_operand(env, ty, true) else {
                        continue;
                    };
                    return Stmt::Aug {
                        var,
                        ty,
                        op,
                        e,
                        join,
                    };
                }
                35..=44 => {
                    // In a `prange` body, arrays are written only by `par_store`.
                    if env.arrays.is_empty() || env.par {
                        continue;
                    }
                    let arr = self.rng.pick(&env.arrays).clone();
                    // A store's index is kept free of calls unless asked for: Python
                    // evaluates the value first, and a call in each could tell the order.
                    let mut ienv = env.clone();
                    ienv.pure = self.cfg.avoid_effects_in_stores || self.rng.chance(3, 4);
                    let idx = self.indexes(&ienv, &arr);
                    let e = self.expr_or_lit_widening(env, arr.elem, d);
                    let comma = self.rng.chance(1, 2);
                    return Stmt::Store { arr, idx, e, comma };
                }
                45..=49 => {
                    if env.arrays.is_empty() || env.par {
                        continue;
                    }
                    let arr = self.rng.pick(&env.arrays).clone();
                    let mut ienv = env.clone();
                    ienv.pure = true;
                    let idx = self.indexes(&ienv, &arr);
                    let Some((op, e, _)) = self.aug_operand(env, arr.elem, false) else {
                        continue;
                    };
                    return Stmt::AugStore { arr, idx, op, e };
                }
                50..=61 if depth < 3 => {
                    let mut arms = Vec::new();
                    for _ in 0..self.rng.below(3) + 1 {
                        let t = if self.rng.chance(3, 4) {
                            Bool
                        } else {
                            self.any_scalar()
                        };
                        let c = self.expr(env, t, d);
                        arms.push((c, self.block(env, budget, depth + 1)));
                    }
                    let els = if self.rng.chance(1, 2) {
                        self.block(env, budget, depth + 1)
                    } else {
                        Vec::new()
                    };
                    return Stmt::If { arms, els };
                }
                62..=67 if depth < 3 => {
                    let counter = self.counter(env, "w");
                    let limit = self.rng.range(0, 6);
                    let cond = self.expr(env, Bool, d);
                    // Stepped first: `w` is 1..=limit in the body (a counter msp does not
                    // recognise, so a counting loop starting from it gets no range).
                    let range = Some((1, (limit as i128).max(1)));
                    let body = self.loop_body(env, budget, depth, &counter, I32, range, false);
                    let els = if self.rng.chance(1, 4) {
                        self.block(env, budget, depth + 1)
                    } else {
                        Vec::new()
                    };
                    return Stmt::While {
                        counter,
                        limit,
                        cond,
                        body,
                        els,
                    };
                }
                68..=77 if depth < 3 => {
                    let ty = *self.rng.pick(&types::INTS);
                    let var = self.name("i");
                    self.locals.push(Local::Scalar {
                        name: var.clone(),
                        ty,
                        init: int_lit(0, ty),
                    });
                    let args = self.range_args(env, ty);
                    // A loop variable the body does not assign keeps to literal bounds.
                    let fixed = self.counting || self.rng.chance(1, 2);
                    env.scalars.push((var.clone(), ty, !fixed));
                    let range = if fixed { literal_range(&args) } else { None };
                    let mut body = self.loop_body(env, budget, depth, &var, ty, range, false);
                    if !fixed && !env.arrays.is_empty() && self.rng.chance(1, 3) {
                        // A near miss: stepped past its bounds in the body, then an index.
                        let v = Expr::Var {
                            name: var.clone(),
                            ty,
                        };
                        body.push(Stmt::Assign {
                            var: var.clone(),
                            e: Expr::Bin {
                                op: BOp::Add,
                                l: Box::new(v.clone()),
                                r: Box::new(int_lit(1, ty)),
                                join: ty,
                                ty,
                            },
                        });
                        let (arr, axis) = self.any_axis(env);
                        let s = self.probe(env, &arr, axis, v);
                        body.push(s);
                    }
                    // In a `prange` body the variable may be unassigned in the `else`.
                    let els = if self.rng.chance(1, 4) && !env.par {
                        self.block(env, budget, depth + 1)
                    } else {
                        Vec::new()
                    };
                    return Stmt::For {
                        var,
                        ty,
                        args,
                        body,
                        els,
                    };
                }
                78..=83 if env.loop_depth > 0 => {
                    let s = if (self.rng.chance(1, 2) || env.no_continue) && !env.no_break {
                        Stmt::Break
                    } else {
                        Stmt::Continue
                    };
                    if self.rng.chance(1, 5) {
                        return s;
                    }
                    let c = self.expr(env, Bool, d);
                    return Stmt::If {
                        arms: vec![(c, vec![s])],
                        els: Vec::new(),
                    };
                }
                84..=86 if !env.par => {
                    let c = self.expr(env, Bool, d);
                    let ret = self.ret_type(env);
                    let e = self.expr_or_lit(env, ret, d);
                    return Stmt::If {
                        arms: vec![(c, vec![Stmt::Return(e)])],
                        els: Vec::new(),
                    };
                }
                87..=90 => {
                    if env.callable.is_empty() {
                        continue;
                    }
                    let sig = self.rng.pick(&env.callable).clone();
                    let Some(call) = self.call(env, &sig, d) else {
                        continue;
                    };
                    return Stmt::Call(call);
                }
                91..=94 if depth < 3 && !self.counting && !env.par => {
                    let label = self.name("L");
                    env.labels.push(label.clone());
                    let body = self.block(env, budget, depth + 1);
                    env.labels.pop();
                    return Stmt::Region { label, body };
                }
                95..=96 if depth < 3 && !self.counting && !env.par => {
                    let counter = self.counter(env, "g");
                    let label = self.name("R");
                    let limit = self.rng.range(1, 4);
                    // `break`/`continue` inside would leave the loop the Python model
                    // writes for the backward jump; only loops nested inside may use them.
                    let saved = env.loop_depth;
                    env.loop_depth = 0;
                    let body = self.block(env, budget, depth + 1);
                    env.loop_depth = saved;
                    return Stmt::Repeat {
                        label,
                        counter,
                        limit,
                        body,
                    };
                }
                97..=98 if !env.labels.is_empty() => {
                    let l = self.rng.pick(&env.labels).clone();
                    let c = self.expr(env, Bool, d);
                    return Stmt::If {
                        arms: vec![(c, vec![Stmt::Goto(l)])],
                        els: Vec::new(),
                    };
                }
                99 => return Stmt::Pass,
                _ => continue,
            }
        }
    }

    fn ret_type(&mut self, _env: &Env) -> Scalar {
        self.current_ret
    }

    /// A loop body with `var` in scope as a loop variable (`range`: its values there,
    /// if known; `steps`: a counting loop's counter, so `continue` is left out).
    #[allow(clippy::too_many_arguments)]
    fn loop_body(
        &mut self,
        env: &mut Env,
        budget: &mut usize,
        depth: usize,
        var: &str,
        ty: Scalar,
        range: Option<(i128, i128)>,
        steps: bool,
    ) -> Vec<Stmt> {
        let saved = (env.counters.len(), env.no_continue, env.no_break);
        env.counters.push(Counter {
            name: var.to_string(),
            ty,
            range,
            steps,
        });
        env.no_continue = steps;
        env.no_break = false;
        env.loop_depth += 1;
        let body = self.block(env, budget, depth + 1);
        env.loop_depth -= 1;
        env.counters.truncate(saved.0);
        env.no_continue = saved.1;
        env.no_break = saved.2;
        body
    }

    /// A counting loop in the shape msp trusts: `c = start`, `while c < limit:` (or
    /// `limit > c`), a body without a `continue` of its own, and the step last. `start`
    /// is a small literal, one near the top (or bottom) of the type, one within an
    /// array's axis (often at its very ends), or `outer + k` for a loop variable `outer`
    /// with known values (an enclosing one, or a counter after its loop). Each entry
    /// runs a handful of times. One loop in five is a near miss msp must not trust:
    /// `<=`, statements after the step, or a second step in the body; its counter
    /// reaches `limit`, which is then often an axis's extent, indexed at the body's end.
    ///
    /// With run-time extents, often `i: i64` up to `len(a)` or `a.shape[k]` (of a `:`
    /// axis mostly): `while i < len(a)` from a literal (negative now and then, which msp
    /// must not trust), indexing `a` there and often another array too, which may be
    /// shorter.
    fn count_while(&mut self, env: &mut Env, budget: &mut usize, depth: usize) -> Stmt {
        let outers: Vec<Counter> = env
            .counters
            .iter()
            .chain(&env.after)
            .filter(|c| c.range.is_some())
            .cloned()
            .collect();
        let near_miss = self.rng.chance(1, 5);
        // Arrays and axes the loop runs along, indexed by the counter at the body's end.
        let mut probes: Vec<(Arr, usize)> = Vec::new();
        let runtime = runtime_axes(&env.arrays);
        let extent_form = self.cfg.runtime_extents
            && !env.arrays.is_empty()
            && self.rng.chance(if runtime.is_empty() { 1 } else { 2 }, 5);
        // The start and its least and greatest values, and the limit.
        let (ty, start, lo, hi, limit) = if extent_form {
            let (a, axis) = if !runtime.is_empty() && self.rng.chance(5, 6) {
                self.rng.pick(&runtime).clone()
            } else {
                let (a, axis) = self.any_axis(env);
                (a, axis)
            };
            let start = *self.rng.pick(&[0, 0, 0, 1, 2, -1, -2]);
            let n = self.len_expr(&a, axis, I64);
            if self.rng.chance(3, 4) {
                probes.push((a, axis));
            }
            if self.rng.chance(1, 2) {
                let (b, axis) = self.any_axis(env);
                probes.push((b, axis));
            }
            (
                I64,
                int_lit(start, I64),
                start,
                start,
                CountLimit::Extent(n),
            )
        } else if !outers.is_empty() && self.rng.chance(1, 3) {
            let o = self.rng.pick(&outers).clone();
            let (olo, ohi) = o.range.expect("filtered");
            let (_, max) = types::range(o.ty);
            let mut k = *self.rng.pick(&[1, 1, 1, 0, 2]);
            if ohi + k > max {
                k = 0;
            }
            let var = Expr::Var {
                name: o.name.clone(),
                ty: o.ty,
            };
            let start = if k == 0 && self.rng.chance(1, 2) {
                var
            } else {
                let lit = int_lit(k, o.ty);
                let (l, r) = if self.rng.chance(3, 4) {
                    (var, lit)
                } else {
                    (lit, var)
                };
                Expr::Bin {
                    op: BOp::Add,
                    l: Box::new(l),
                    r: Box::new(r),
                    join: o.ty,
                    ty: o.ty,
                }
            };
            let lo = olo + k;
            let limit = (lo + self.rng.range(0, (ohi - olo) as i64 + 4) as i128).min(max);
            (o.ty, start, lo, ohi + k, CountLimit::Lit(limit))
        } else {
            let ty = match self.rng.below(10) {
                0..=3 => I32,
                4 => I8,
                5 => U8,
                6 => I16,
                7 => I64,
                _ => *self.rng.pick(&types::INTS),
            };
            let (min, max) = types::range(ty);
            let fixed_axes: Vec<(Arr, usize)> = env
                .arrays
                .iter()
                .flat_map(|a| {
                    a.dims
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| d.is_some())
                        .map(move |(k, _)| (a.clone(), k))
                })
                .collect();
            let shape = if near_miss && !fixed_axes.is_empty() && self.rng.chance(3, 4) {
                3
            } else {
                self.rng.below(8)
            };
            let (start, limit) = match shape {
                // Near the top of the type: the step reaches (or nearly) the largest value.
                0 | 1 => {
                    let limit = max - self.rng.range(0, 1) as i128;
                    (limit - self.rng.range(0, 5) as i128, limit)
                }
                // Near the bottom: negative indexes beyond the extent.
                2 if types::is_signed(ty) => {
                    let start = min + self.rng.range(0, 3) as i128;
                    (start, start + self.rng.range(0, 5) as i128)
                }
                // Along a fixed axis of an array, from its negative end when signed: no
                // check needed. Near misses end at the extent, where the counter faults.
                3..=5 if !fixed_axes.is_empty() => {
                    let (a, axis) = self.rng.pick(&fixed_axes).clone();
                    let d = a.dims[axis].expect("fixed") as i128;
                    let from = if types::is_signed(ty) { -d } else { 0 };
                    let start = if self.rng.chance(1, 3) {
                        from
                    } else {
                        from + self.rng.range(0, (d - from - 1) as i64) as i128
                    };
                    let limit = if near_miss || self.rng.chance(1, 2) {
                        d
                    } else {
                        start + self.rng.range(0, (d - start) as i64) as i128
                    };
                    if self.rng.chance(2, 3) {
                        probes.push((a, axis));
                    }
                    (start, limit)
                }
                _ => {
                    let start = (self.rng.range(-4, 3) as i128).max(min);
                    (
                        start,
                        (start + self.rng.range(-1, 6) as i128).clamp(min, max),
                    )
                }
            };
            (ty, int_lit(start, ty), start, start, CountLimit::Lit(limit))
        };
        let (_, max) = types::range(ty);
        // A literal limit, or (for an extent) the most any input set gives.
        let limit_hi = match &limit {
            CountLimit::Lit(v) => *v,
            CountLimit::Extent(_) => self.cfg.max_extent as i128,
        };
        let counter = self.name("c");
        self.locals.push(Local::Scalar {
            name: counter.clone(),
            ty,
            init: int_lit(0, ty),
        });
        // Readable from here on; assigned only by the loop.
        env.scalars.push((counter.clone(), ty, false));
        let flipped = self.rng.chance(1, 3);
        let step = *self.rng.pick(&[
            StepForm::Aug,
            StepForm::Aug,
            StepForm::AddRight,
            StepForm::AddLeft,
        ]);
        // A near miss lets the counter reach `limit + 1`, which must not wrap.
        let miss = if near_miss && limit_hi < max {
            self.rng.below(3) + 1
        } else {
            0
        };
        // The counter's values in the body, when known (not for an extent limit).
        let range = match limit {
            CountLimit::Extent(_) => None,
            CountLimit::Lit(_) if miss == 0 => (lo < limit_hi).then_some((lo, limit_hi - 1)),
            CountLimit::Lit(_) => Some((lo, (limit_hi + 1).max(lo))),
        };
        let mut body = self.loop_body(env, budget, depth, &counter, ty, range, true);
        let le = miss == 1;
        let mut tail = if miss == 2 {
            self.loop_body(env, budget, depth, &counter, ty, range, true)
        } else {
            Vec::new()
        };
        if miss == 3 {
            // A second step, at the body's top level (in a nested loop it could wrap).
            let extra = Stmt::Aug {
                var: counter.clone(),
                ty,
                op: BOp::Add,
                e: int_lit(1, ty),
                join: ty,
            };
            let extra = if self.rng.chance(1, 2) {
                let c = self.expr(env, Bool, self.cfg.expr_depth);
                Stmt::If {
                    arms: vec![(c, vec![extra])],
                    els: Vec::new(),
                }
            } else {
                extra
            };
            let at = self.rng.below(body.len() + 1);
            body.insert(at, extra);
        }
        let var = Expr::Var {
            name: counter.clone(),
            ty,
        };
        if extent_form && miss == 0 && self.rng.chance(1, 8) {
            // A near miss: an inner loop over the counter itself, from its value on (so
            // it never goes back and the loop ends), then the probes.
            let (b, baxis) = self.any_axis(env);
            let inner = self.probe(env, &b, baxis, var.clone());
            let n = self.len_expr(&b, baxis, ty);
            body.push(Stmt::For {
                var: counter.clone(),
                ty,
                args: vec![var.clone(), n],
                body: vec![inner],
                els: Vec::new(),
            });
        }
        for (arr, axis) in probes {
            let s = self.probe(env, &arr, axis, var.clone());
            if miss == 2 { &mut tail } else { &mut body }.push(s);
        }
        let els = if self.rng.chance(1, 5) {
            self.block(env, budget, depth + 1)
        } else {
            Vec::new()
        };
        // After the loop: at least `lo`; at most the start, or one past the limit.
        env.after.push(Counter {
            name: counter.clone(),
            ty,
            range: match limit {
                CountLimit::Lit(_) => Some((lo, hi.max(limit_hi + 1).min(max))),
                CountLimit::Extent(_) => None,
            },
            steps: false,
        });
        Stmt::CountWhile {
            counter,
            ty,
            start,
            limit,
            le,
            flipped,
            step,
            body,
            tail,
            els,
        }
    }

    /// A `for` loop up to an extent: `for i in range(len(a))` (or `a.shape[k]`, from a
    /// literal start, with a literal step), `range(n - 1, -1, -1)`, a near miss
    /// `range(n + 1)`, or a start of -1 (`a[-1]` is the last element); `i` is an `i64`.
    /// The body indexes `a` at `i` (which msp leaves unchecked) and often another array,
    /// which may be shorter: msp tests `stop <= extent` once before such a loop and runs
    /// an unchecked copy, or the checked one, which must fault at the iteration Python
    /// does, after the earlier iterations' writes.
    fn extent_for(&mut self, env: &mut Env, budget: &mut usize, depth: usize) -> Stmt {
        let runtime = runtime_axes(&env.arrays);
        let (arr, axis) = if !runtime.is_empty() && self.rng.chance(4, 5) {
            self.rng.pick(&runtime).clone()
        } else {
            self.any_axis(env)
        };
        let ty = I64;
        let var = self.name("i");
        self.locals.push(Local::Scalar {
            name: var.clone(),
            ty,
            init: int_lit(0, ty),
        });
        let lit = |v: i128| int_lit(v, ty);
        let bin = |op, l, r| bin_expr(op, l, r, ty);
        let n = self.len_expr(&arr, axis, ty);
        let i64_vars: Vec<String> = env
            .scalars
            .iter()
            .filter(|v| v.1 == I64)
            .map(|v| v.0.clone())
            .collect();
        let args = match self.rng.below(12) {
            0..=3 => vec![n],
            4 | 5 => vec![lit(self.rng.range(0, 2) as i128), n],
            6 => vec![
                lit(self.rng.range(0, 2) as i128),
                n,
                lit(self.rng.range(1, 3) as i128),
            ],
            7 => vec![bin(BOp::Sub, n, lit(1)), lit(-1), lit(-1)],
            8 => vec![bin(BOp::Add, n, lit(1))],
            9 => vec![lit(-1), n],
            // Up to the shorter of two extents, the usual way to walk arrays together.
            10 => {
                let (b, baxis) = self.any_axis(env);
                let m = self.len_expr(&b, baxis, ty);
                vec![Expr::Intr {
                    f: Intr::Min,
                    xs: vec![n, m],
                    ty,
                }]
            }
            // A stop unrelated to any extent (a scalar: often past the end, or negative).
            _ if !i64_vars.is_empty() => {
                let v = self.rng.pick(&i64_vars).clone();
                let x = Expr::Var { name: v, ty };
                vec![Expr::Bin {
                    op: BOp::Mod,
                    l: Box::new(x),
                    r: Box::new(lit(7)),
                    join: ty,
                    ty,
                }]
            }
            _ => vec![n],
        };
        // Mostly a counter the body leaves alone (msp trusts only those).
        let fixed = self.rng.chance(7, 8);
        env.scalars.push((var.clone(), ty, !fixed));
        let mut body = self.loop_body(env, budget, depth, &var, ty, None, false);
        let counter = Expr::Var {
            name: var.clone(),
            ty,
        };
        let mut probes = Vec::new();
        if self.rng.chance(3, 4) {
            probes.push((arr.clone(), axis));
        }
        if self.rng.chance(2, 3) {
            let (b, axis) = self.any_axis(env);
            probes.push((b, axis));
        }
        for (a, axis) in probes {
            let s = self.probe(env, &a, axis, counter.clone());
            let at = self.rng.below(body.len() + 1);
            body.insert(at, s);
        }
        // Near misses msp must not trust, each followed by an access at the counter: a
        // step in the body, or an inner loop over the same counter (which leaves it at
        // the inner loop's last value, or alone when that loop runs no iteration).
        match self.rng.below(12) {
            0 => body.push(Stmt::Assign {
                var: var.clone(),
                e: Expr::Bin {
                    op: BOp::Add,
                    l: Box::new(counter.clone()),
                    r: Box::new(lit(1)),
                    join: ty,
                    ty,
                },
            }),
            1 => {
                let (b, baxis) = self.any_axis(env);
                let inner = self.probe(env, &b, baxis, counter.clone());
                let n = self.len_expr(&b, baxis, ty);
                body.push(Stmt::For {
                    var: var.clone(),
                    ty,
                    args: vec![n],
                    body: vec![inner],
                    els: Vec::new(),
                });
            }
            _ => {}
        }
        if matches!(body.last(), Some(Stmt::Assign { .. } | Stmt::For { .. })) {
            let s = self.probe(env, &arr, axis, counter.clone());
            body.push(s);
        }
        let els = if self.rng.chance(1, 5) && !env.par {
            self.block(env, budget, depth + 1)
        } else {
            Vec::new()
        };
        Stmt::For {
            var,
            ty,
            args,
            body,
            els,
        }
    }

    /// An array of `env` and one of its axes, at random.
    fn any_axis(&mut self, env: &Env) -> (Arr, usize) {
        let a = self.rng.pick(&env.arrays).clone();
        let axis = self.rng.below(a.dims.len());
        (a, axis)
    }

    /// A tile loop over an extent: `for t in range(n // c): for b in range(l):` with
    /// accesses at `t * c + b * s + k` (literals `c`, `l`, `s`, `k`). When `b * s + k`
    /// stays below `c` msp tests each array's extent once before the tile loop and runs
    /// a copy without checks; otherwise (the near misses here) an access can pass the
    /// last tile's end and must fault where Python raises.
    fn tile_for(&mut self, env: &Env) -> Stmt {
        let runtime = runtime_axes(&env.arrays);
        let (arr, axis) = if runtime.is_empty() {
            self.any_axis(env)
        } else {
            self.rng.pick(&runtime).clone()
        };
        let ty = I64;
        let lit = |v: i128| int_lit(v, ty);
        let bin = |op, l, r| bin_expr(op, l, r, ty);
        let (t, b) = (self.name("t"), self.name("b"));
        for v in [&t, &b] {
            self.locals.push(Local::Scalar {
                name: v.clone(),
                ty,
                init: int_lit(0, ty),
            });
        }
        // The counters stay out of `env.scalars`: read elsewhere, before their loop,
        // they would be read before assigned in a `prange` iteration.
        let c = self.rng.range(1, 4) as i128;
        let l = self.rng.range(1, 3) as i128;
        let stride = self.rng.range(0, c as i64) as i128;
        let k = self.rng.range(0, 3) as i128;
        let n = self.len_expr(&arr, axis, ty);
        let var = |name: &String| Expr::Var {
            name: name.clone(),
            ty,
        };
        let index = bin(
            BOp::Add,
            bin(
                BOp::Add,
                bin(BOp::Mul, var(&t), lit(c)),
                bin(BOp::Mul, var(&b), lit(stride)),
            ),
            lit(k),
        );
        let mut body = vec![self.probe(env, &arr, axis, index.clone())];
        if self.rng.chance(1, 2) {
            let (other, oaxis) = self.any_axis(env);
            body.push(self.probe(env, &other, oaxis, index));
        }
        let inner = Stmt::For {
            var: b,
            ty,
            args: vec![lit(l)],
            body,
            els: Vec::new(),
        };
        Stmt::For {
            var: t,
            ty,
            args: vec![bin(BOp::FloorDiv, n, lit(c))],
            body: vec![inner],
            els: Vec::new(),
        }
    }

    /// An access to `arr` indexed by `index` on `axis` (literals in range on the others):
    /// a store, an element update, or a load into a scalar.
    fn probe(&mut self, env: &Env, arr: &Arr, axis: usize, index: Expr) -> Stmt {
        let mut ienv = env.clone();
        ienv.pure = true;
        // Another axis is now and then indexed by an enclosing loop's counter (both
        // axes by bare counters: the matrix walk, guarded by two loops).
        let outer: Vec<Counter> = env.counters.clone();
        let idx: Vec<Expr> = arr
            .dims
            .iter()
            .enumerate()
            .map(|(k, &d)| match d {
                _ if k == axis => index.clone(),
                _ if !outer.is_empty() && self.rng.chance(1, 2) => {
                    let c = self.rng.pick(&outer);
                    Expr::Var {
                        name: c.name.clone(),
                        ty: c.ty,
                    }
                }
                Some(d) => int_lit(self.rng.range(-(d as i64), d as i64 - 1) as i128, I64),
                None => self.runtime_index(&ienv, arr, k),
            })
            .collect();
        let comma = self.rng.chance(1, 2);
        let load_into: Vec<String> = env
            .scalars
            .iter()
            .filter(|v| v.2 && v.1 == arr.elem)
            .map(|v| v.0.clone())
            .collect();
        // A `prange` body only reads the arrays in `env.arrays`.
        let form = if env.par { 0 } else { self.rng.below(3) };
        match form {
            0 if env.par && load_into.is_empty() => Stmt::Pass,
            0 if !load_into.is_empty() => Stmt::Assign {
                var: self.rng.pick(&load_into).clone(),
                e: Expr::Load {
                    arr: arr.clone(),
                    idx,
                    comma,
                },
            },
            1 => {
                let mut ienv = env.clone();
                ienv.pure = true;
                match self.aug_operand(&ienv, arr.elem, false) {
                    Some((op, e, _)) => Stmt::AugStore {
                        arr: arr.clone(),
                        idx,
                        op,
                        e,
                    },
                    None => Stmt::Pass,
                }
            }
            _ => {
                let e = self.expr_or_lit_widening(env, arr.elem, self.cfg.expr_depth);
                Stmt::Store {
                    arr: arr.clone(),
                    idx,
                    e,
                    comma,
                }
            }
        }
    }

    /// A `prange` loop whose body is race-free by construction, as `check::races` wants
    /// it: `prange(stop)`, `prange(start, stop)` or `prange(start, stop, step)` (literal
    /// start `>= 0` and step `>= 1`; the stop an extent, a literal, now and then past 256
    /// iterations so that chunks hold several, or `(x % 7)`). The body
    ///
    /// - assigns its privates first (locals from outside, or new ones), then reads them;
    /// - updates reductions (`+= -= *= |= &= ^=`, `min`, `max`; by type) anywhere, never
    ///   reading them otherwise, and reads other locals from outside as captures;
    /// - writes a chosen array or two only at the loop variable on one axis (a nested
    ///   `prange` writes one of its enclosing loop's arrays, at another axis), reading
    ///   them only so, and reads every other array anywhere (out of range: a fault);
    /// - calls only kernels that write no array argument, never leaves (no `break` at
    ///   its level, `return` or `goto`), and holds serial loops and nested `prange`s.
    ///
    /// Unless `avoid_partial_privates`, a local from outside is now and then assigned
    /// only on some iterations (`if c: v = e`, last in the body), to be read after the
    /// loop.
    fn par_for(&mut self, env: &mut Env, budget: &mut usize, depth: usize) -> Stmt {
        let d = self.cfg.expr_depth;
        // The arrays it writes, each with the axis its variable indexes.
        let mut writes: Vec<(ParArr, usize)> = Vec::new();
        if env.par {
            for pa in &env.par_arrays {
                let free: Vec<usize> = (0..pa.arr.dims.len())
                    .filter(|k| pa.fixed.iter().all(|(f, _)| f != k))
                    .collect();
                if !free.is_empty() && writes.is_empty() && self.rng.chance(2, 3) {
                    let k = *self.rng.pick(&free);
                    writes.push((pa.clone(), k));
                }
            }
        } else {
            for a in &env.arrays {
                if writes.len() < 2 && self.rng.chance(1, 2) {
                    let k = self.rng.below(a.dims.len());
                    let pa = ParArr {
                        arr: a.clone(),
                        fixed: Vec::new(),
                    };
                    writes.push((pa, k));
                }
            }
        }
        // The stop, and the variable's type it asks for.
        let ints_16: [Scalar; 6] = [I16, I32, I64, U16, U32, U64];
        let extent = |g: &mut Self, a: &Arr, k: usize| {
            let ty = if a.dims[k].is_none() {
                I64
            } else {
                *g.rng.pick(&types::INTS)
            };
            (g.len_expr(a, k, ty), ty)
        };
        let mut large = false;
        // Long loops mostly at a kernel's top level, where their sums reach its result.
        let pick = if !env.par && depth == 0 && self.rng.chance(1, 3) {
            8
        } else {
            self.rng.below(12)
        };
        let (stop, ty) = match pick {
            0..=4 if !writes.is_empty() => {
                let (a, k) = (writes[0].0.arr.clone(), writes[0].1);
                extent(self, &a, k)
            }
            0..=5 if !env.arrays.is_empty() => {
                let (a, k) = self.any_axis(env);
                extent(self, &a, k)
            }
            6 => {
                let vars: Vec<(String, Scalar)> = env
                    .scalars
                    .iter()
                    .filter(|v| types::is_int(v.1))
                    .map(|v| (v.0.clone(), v.1))
                    .collect();
                if vars.is_empty() {
                    (int_lit(3, I32), I32)
                } else {
                    let (v, ty) = self.rng.pick(&vars).clone();
                    let stop = Expr::Bin {
                        op: BOp::Mod,
                        l: Box::new(Expr::Var { name: v, ty }),
                        r: Box::new(int_lit(7, ty)),
                        join: ty,
                        ty,
                    };
                    (stop, ty)
                }
            }
            7..=9 if !env.in_long => {
                // Past 256 iterations a chunk holds several: a float reduction's order is
                // then not the serial loop's.
                large = true;
                let ty = *self.rng.pick(&ints_16);
                let n = *self.rng.pick(&[257, 300, 384, 513, 700, 1000, 1500]);
                (int_lit(n, ty), ty)
            }
            _ => {
                let ty = *self.rng.pick(&types::INTS);
                (int_lit(self.rng.range(0, 8) as i128, ty), ty)
            }
        };
        if large {
            // A long loop is about reductions in chunks of several iterations: writes at
            // `i` (and reads of arrays at `i`, below) would fault at once on short arrays.
            writes.clear();
        }
        let start = if self.rng.chance(2, 3) {
            0
        } else {
            self.rng.range(1, 2) as i128
        };
        let step = if self.rng.chance(3, 4) {
            1
        } else {
            self.rng.range(2, 3) as i128
        };
        let args = match (start, step, self.rng.below(4)) {
            (0, 1, 0) => vec![int_lit(0, ty), stop],
            (0, 1, 1) => vec![int_lit(0, ty), stop, int_lit(1, ty)],
            (0, 1, _) => vec![stop],
            (_, 1, k) if k < 2 => vec![int_lit(start, ty), stop],
            _ => vec![int_lit(start, ty), stop, int_lit(step, ty)],
        };
        let range = literal_range(&args);
        let var = self.name("i");
        self.locals.push(Local::Scalar {
            name: var.clone(),
            ty,
            init: int_lit(0, ty),
        });
        let var_expr = Expr::Var {
            name: var.clone(),
            ty,
        };
        // Reductions: the enclosing loops' (a nested loop may update them too) and new
        // ones, from the locals this code may assign.
        let mut reductions = if env.par {
            env.reductions.clone()
        } else {
            Vec::new()
        };
        let fresh_reductions = reductions.len();
        // Not a loop variable in scope, which the body may read as an index.
        let assignable: Vec<(String, Scalar)> = env
            .scalars
            .iter()
            .filter(|v| v.2 && env.counters.iter().chain(&env.after).all(|c| c.name != v.0))
            .map(|v| (v.0.clone(), v.1))
            .collect();
        if large && !env.par {
            // A float sum of many iterations, for the kernel's result.
            let rty = *self.rng.pick(&[F32, F64]);
            let name = self.name("r");
            let init = self.bare_lit(rty);
            self.locals.push(Local::Scalar {
                name: name.clone(),
                ty: rty,
                init,
            });
            let op = *self.rng.pick(&[Red::Add, Red::Add, Red::Sub]);
            reductions.push((name.clone(), rty, op));
            self.results.push((name.clone(), rty));
            env.scalars.push((name, rty, true));
        }
        let wanted = self.rng.below(3) + usize::from(writes.is_empty());
        for _ in 0..wanted {
            let free: Vec<&(String, Scalar)> = assignable
                .iter()
                .filter(|v| reductions.iter().all(|r| r.0 != v.0))
                .collect();
            if free.is_empty() {
                break;
            }
            let (name, rty) = (*self.rng.pick(&free)).clone();
            let ops: &[Red] = if rty == Bool {
                &[Red::Or, Red::And, Red::Xor]
            } else if types::is_float(rty) {
                &[Red::Add, Red::Sub, Red::Mul, Red::Min, Red::Max]
            } else {
                &[
                    Red::Add,
                    Red::Sub,
                    Red::Mul,
                    Red::Or,
                    Red::And,
                    Red::Xor,
                    Red::Min,
                    Red::Max,
                ]
            };
            let op = *self.rng.pick(ops);
            reductions.push((name, rty, op));
        }
        let is_red = |n: &str, r: &[(String, Scalar, Red)]| r.iter().any(|x| x.0 == n);
        // Privates: locals from outside assigned first thing in the body, and new ones.
        let mut privates: Vec<(String, Scalar)> = Vec::new();
        for _ in 0..self.rng.below(3) {
            let free: Vec<&(String, Scalar)> = assignable
                .iter()
                .filter(|v| !is_red(&v.0, &reductions) && privates.iter().all(|p| p.0 != v.0))
                .collect();
            if !free.is_empty() && self.rng.chance(1, 2) {
                privates.push((*self.rng.pick(&free)).clone());
            } else {
                let pty = self.any_scalar();
                let init = self.bare_lit(pty);
                let name = self.name("t");
                self.locals.push(Local::Scalar {
                    name: name.clone(),
                    ty: pty,
                    init,
                });
                privates.push((name, pty));
            }
        }
        let partial = if self.cfg.avoid_partial_privates || !self.rng.chance(1, 4) {
            None
        } else {
            let free: Vec<&(String, Scalar)> = assignable
                .iter()
                .filter(|v| !is_red(&v.0, &reductions) && privates.iter().all(|p| p.0 != v.0))
                .collect();
            (!free.is_empty()).then(|| (*self.rng.pick(&free)).clone())
        };
        let hidden = |n: &str| {
            is_red(n, &reductions)
                || privates.iter().any(|p| p.0 == n)
                || partial.as_ref().is_some_and(|p| p.0 == n)
        };
        let mut benv = env.clone();
        benv.par = true;
        benv.scalars = env
            .scalars
            .iter()
            .filter(|v| !hidden(&v.0))
            .map(|v| (v.0.clone(), v.1, false))
            .collect();
        benv.scalars.push((var.clone(), ty, false));
        if !env.par {
            benv.arrays
                .retain(|a| writes.iter().all(|w| w.0.arr.name != a.name));
        }
        if large {
            // Reads of `:` arrays fault when they are empty, and a long loop should run.
            benv.arrays.retain(|a| !a.has_runtime_axis());
        }
        benv.par_arrays = writes
            .iter()
            .map(|(pa, k)| {
                let mut pa = pa.clone();
                pa.fixed.push((*k, var_expr.clone()));
                pa
            })
            .collect();
        benv.reductions = reductions.clone();
        benv.callable.retain(|s| !s.writes_arrays);
        benv.labels.clear();
        benv.loop_depth = env.loop_depth + 1;
        benv.no_break = true;
        benv.no_continue = false;
        benv.pure = false;
        benv.par_vars.push((var.clone(), ty));
        benv.in_long |= large;
        if benv.in_long {
            benv.callable.retain(|s| !s.long);
        }
        self.made_long |= large;
        if !large {
            benv.counters.push(Counter {
                name: var.clone(),
                ty,
                range,
                steps: false,
            });
        }
        let mut body = Vec::new();
        for (p, pty) in &privates {
            let e = self.expr_or_lit_widening(&benv, *pty, d);
            body.push(Stmt::Assign { var: p.clone(), e });
            benv.scalars.push((p.clone(), *pty, true));
        }
        let top = body.len();
        // A long loop keeps a short body (the model runs each iteration in Python).
        let mut small = (*budget).min(4);
        let inner = self.block(
            &mut benv,
            if large { &mut small } else { budget },
            depth + 1,
        );
        body.extend(inner);
        body.retain(|s| !matches!(s, Stmt::Pass));
        // Each written array and new reduction is updated at least once.
        for k in 0..benv.par_arrays.len() {
            let s = self.par_store_of(&benv, k);
            let at = self.rng.range(top as i64, body.len() as i64) as usize;
            body.insert(at, s);
        }
        for k in fresh_reductions..reductions.len() {
            let s = self.reduce_of(&benv, k);
            let at = self.rng.range(top as i64, body.len() as i64) as usize;
            body.insert(at, s);
        }
        if let Some((p, pty)) = &partial {
            let c = self.expr(&benv, Bool, d);
            let e = self.expr_or_lit_widening(&benv, *pty, d);
            body.push(Stmt::If {
                arms: vec![(c, vec![Stmt::Assign { var: p.clone(), e }])],
                els: Vec::new(),
            });
        }
        if body.is_empty() {
            body.push(Stmt::Pass);
        }
        if !env.par {
            // After the loop: what the last iteration left (and the new privates, which
            // every iteration assigns). In an enclosing `prange` body they may be
            // unassigned when this loop runs no iteration.
            env.scalars.push((var.clone(), ty, false));
            for (p, pty) in &privates {
                if !env.scalars.iter().any(|v| v.0 == *p) {
                    env.scalars.push((p.clone(), *pty, true));
                }
            }
        }
        let lp = Stmt::ParFor {
            var,
            ty,
            args,
            body,
            reductions,
        };
        // A long loop's float sum, stored whole into a float array after it (arrays are
        // compared after the call): `if bool(1):` holds the loop and the store.
        let sums: Vec<(String, Scalar)> = self
            .results
            .iter()
            .filter(|r| env.scalars.iter().any(|v| v.0 == r.0))
            .cloned()
            .collect();
        let floats: Vec<Arr> = env
            .arrays
            .iter()
            .filter(|a| types::is_float(a.elem))
            .cloned()
            .collect();
        if large && !env.par && !sums.is_empty() && !floats.is_empty() {
            let (r, rty) = sums[sums.len() - 1].clone();
            let arr = self.rng.pick(&floats).clone();
            let v = Expr::Var { name: r, ty: rty };
            let e = match (rty, arr.elem) {
                (a, b) if a == b => v,
                (F32, to) => Expr::Widen { to, e: Box::new(v) },
                (_, to) => Expr::Cast { to, e: Box::new(v) },
            };
            let idx = arr.dims.iter().map(|_| int_lit(0, I64)).collect();
            let store = Stmt::Store {
                arr,
                idx,
                e,
                comma: true,
            };
            let yes = Expr::Lit {
                val: Lit::Bool(true),
                ty: Bool,
                bare: false,
            };
            return Stmt::If {
                arms: vec![(yes, vec![lp, store])],
                els: Vec::new(),
            };
        }
        lp
    }

    /// The index of an access to `pa` in a `prange` body: each fixed axis its loop
    /// variable, the others anything in range (or not), often an inner loop's counter.
    fn par_index(&mut self, env: &Env, pa: &ParArr) -> Vec<Expr> {
        let mut ienv = env.clone();
        ienv.pure = true;
        let inner: Vec<Counter> = env
            .counters
            .iter()
            .filter(|c| pa.fixed.iter().all(|(_, v)| !reads_var(v, &c.name)))
            .cloned()
            .collect();
        (0..pa.arr.dims.len())
            .map(|k| {
                if let Some((_, v)) = pa.fixed.iter().find(|(f, _)| *f == k) {
                    return v.clone();
                }
                match pa.arr.dims[k] {
                    _ if !inner.is_empty() && self.rng.chance(1, 2) => {
                        let c = self.rng.pick(&inner);
                        Expr::Var {
                            name: c.name.clone(),
                            ty: c.ty,
                        }
                    }
                    Some(n) => int_lit(self.rng.range(-(n as i64), n as i64 - 1) as i128, I64),
                    None => self.runtime_index(&ienv, &pa.arr, k),
                }
            })
            .collect()
    }

    /// A write to a random one of the arrays the `prange` bodies around write.
    fn par_store(&mut self, env: &Env) -> Stmt {
        let k = self.rng.below(env.par_arrays.len());
        self.par_store_of(env, k)
    }

    /// A write to `env.par_arrays[k]`: a store, `out[i] = out[i] + e`, or an update.
    fn par_store_of(&mut self, env: &Env, k: usize) -> Stmt {
        let pa = env.par_arrays[k].clone();
        let arr = pa.arr.clone();
        let idx = self.par_index(env, &pa);
        let d = self.cfg.expr_depth;
        match self.rng.below(4) {
            0 => {
                let mut ienv = env.clone();
                ienv.pure = true;
                match self.aug_operand(&ienv, arr.elem, false) {
                    Some((op, e, _)) => Stmt::AugStore { arr, idx, op, e },
                    None => Stmt::Pass,
                }
            }
            1 if arr.elem != Bool => {
                let load = Expr::Load {
                    arr: arr.clone(),
                    idx: idx.clone(),
                    comma: true,
                };
                let e = Expr::Bin {
                    op: BOp::Add,
                    l: Box::new(load),
                    r: Box::new(self.expr(env, arr.elem, d - 1)),
                    join: arr.elem,
                    ty: arr.elem,
                };
                Stmt::Store {
                    arr,
                    idx,
                    e,
                    comma: self.rng.chance(1, 2),
                }
            }
            _ => {
                let e = self.expr_or_lit_widening(env, arr.elem, d);
                Stmt::Store {
                    arr,
                    idx,
                    e,
                    comma: self.rng.chance(1, 2),
                }
            }
        }
    }

    /// An update of a random one of the reductions in scope.
    fn reduce(&mut self, env: &Env) -> Stmt {
        let k = self.rng.below(env.reductions.len());
        self.reduce_of(env, k)
    }

    /// An update of `env.reductions[k]` by its operator, with an operand that does not
    /// read it (it is not in `env.scalars`).
    fn reduce_of(&mut self, env: &Env, k: usize) -> Stmt {
        let (var, ty, op) = env.reductions[k].clone();
        let d = self.cfg.expr_depth - 1;
        let e = if types::is_float(ty) && !env.par_vars.is_empty() && self.rng.chance(1, 2) {
            // A term that varies with a loop variable, at various scales: a sum of such
            // rounds differently in each order, so only msp's chunked order matches.
            let (name, vty) = self.rng.pick(&env.par_vars).clone();
            let v = Expr::Cast {
                to: ty,
                e: Box::new(Expr::Var { name, ty: vty }),
            };
            let k = *self.rng.pick(&[0.1, 1.1, 3.7, 1e-3, 0.3, 12345.678]);
            let term = Expr::Bin {
                op: BOp::Mul,
                l: Box::new(v),
                r: Box::new(Expr::Lit {
                    val: Lit::Float(k),
                    ty,
                    bare: true,
                }),
                join: ty,
                ty,
            };
            if self.rng.chance(1, 2) {
                term
            } else {
                let x = self.expr(env, ty, d);
                Expr::Bin {
                    op: BOp::Add,
                    l: Box::new(term),
                    r: Box::new(x),
                    join: ty,
                    ty,
                }
            }
        } else if self.rng.chance(1, 4) {
            self.bare_lit(ty)
        } else if ty != Bool && self.rng.chance(1, 4) {
            // Another type that meets `ty` at `ty` (as `s op e` must, to assign to `s`).
            let from: Vec<Scalar> = non_bool()
                .into_iter()
                .filter(|&s| types::join(ty, s) == Some(ty))
                .collect();
            let s = *self.rng.pick(&from);
            self.expr(env, s, d)
        } else {
            self.expr(env, ty, d)
        };
        match op.aug_op() {
            Some(op) => Stmt::Aug {
                var,
                ty,
                op,
                e,
                join: ty,
            },
            None => Stmt::MinMax {
                var,
                ty,
                max: op == Red::Max,
                e,
            },
        }
    }

    // ---- expressions ----

    /// An expression of type `ty`, or a bare literal (typed by the context, which expects `ty`).
    fn expr_or_lit(&mut self, env: &Env, ty: Scalar, depth: u32) -> Expr {
        if self.rng.chance(1, 6) {
            return self.bare_lit(ty);
        }
        self.expr(env, ty, depth)
    }

    /// As `expr_or_lit`, sometimes of a narrower type that widens implicitly.
    fn expr_or_lit_widening(&mut self, env: &Env, ty: Scalar, depth: u32) -> Expr {
        if self.rng.chance(1, 6) {
            let from: Vec<Scalar> = types::ALL
                .iter()
                .copied()
                .filter(|&s| s != ty && types::widens(s, ty))
                .collect();
            if !from.is_empty() {
                let s = *self.rng.pick(&from);
                let e = self.expr(env, s, depth);
                return Expr::Widen {
                    to: ty,
                    e: Box::new(e),
                };
            }
        }
        self.expr_or_lit(env, ty, depth)
    }

    fn int_value(&mut self, ty: Scalar) -> i128 {
        let (lo, hi) = types::range(ty);
        match self.rng.below(10) {
            0..=4 => (self.rng.range(-20, 20) as i128).clamp(lo, hi),
            5 => *self.rng.pick(&[lo, hi, lo + 1, hi - 1, 0, 1]),
            6 => (hi / 2 + self.rng.range(-3, 3) as i128).clamp(lo, hi),
            _ => {
                let span = (hi - lo) as u128 + 1;
                let r = ((self.rng.next_u64() as u128) << 64 | self.rng.next_u64() as u128) % span;
                lo + r as i128
            }
        }
    }

    fn float_value(&mut self) -> f64 {
        match self.rng.below(8) {
            0..=3 => self.rng.range(-64, 64) as f64 / 8.0,
            4 => *self.rng.pick(&[
                0.1,
                -0.3,
                1e10,
                3.0e-5,
                255.5,
                65536.0,
                2147483648.0,
                1e300,
                0.7,
                16777217.0,
            ]),
            _ => self.rng.range(-1000, 1000) as f64 * 1.25,
        }
    }

    /// A literal written bare: its type is `ty` from the context.
    fn bare_lit(&mut self, ty: Scalar) -> Expr {
        let val = if ty == Bool {
            Lit::Bool(self.rng.chance(1, 2))
        } else if types::is_float(ty) {
            if self.rng.chance(1, 4) {
                Lit::Int(self.rng.range(-100, 100) as i128)
            } else {
                Lit::Float(self.float_value())
            }
        } else {
            Lit::Int(self.int_value(ty))
        };
        Expr::Lit {
            val,
            ty,
            bare: true,
        }
    }

    /// A literal that has type `ty` by itself (`u8(5)`, `f64(0.5)`, `True`).
    fn typed_lit(&mut self, ty: Scalar) -> Expr {
        let val = if ty == Bool {
            Lit::Bool(self.rng.chance(1, 2))
        } else if types::is_float(ty) {
            let v = self.float_value();
            let v32 = v as f32 as f64;
            Lit::Float(if ty == F32 && self.cfg.avoid_inexact_f32_literals {
                if v32.is_finite() { v32 } else { 0.5 }
            } else {
                v
            })
        } else {
            Lit::Int(self.int_value(ty))
        };
        Expr::Lit {
            val,
            ty,
            bare: false,
        }
    }

    fn leaf(&mut self, env: &Env, ty: Scalar) -> Expr {
        // `c + 1` of a counting loop's counter: msp adds without wrapping.
        let steps: Vec<&Counter> = env
            .counters
            .iter()
            .filter(|c| c.steps && c.ty == ty)
            .collect();
        if !steps.is_empty() && self.rng.chance(1, 6) {
            let c = self.rng.pick(&steps);
            let var = Expr::Var {
                name: c.name.clone(),
                ty,
            };
            return Expr::Bin {
                op: BOp::Add,
                l: Box::new(var),
                r: Box::new(int_lit(1, ty)),
                join: ty,
                ty,
            };
        }
        if self.cfg.runtime_extents && !env.arrays.is_empty() && self.rng.chance(1, 10) {
            let runtime = runtime_axes(&env.arrays);
            if !runtime.is_empty() && ty != I32 {
                // An `i64` extent, converted when `ty` is another type.
                let (a, axis) = self.rng.pick(&runtime).clone();
                let n = self.len_expr(&a, axis, I64);
                return if ty == I64 {
                    n
                } else {
                    Expr::Cast {
                        to: ty,
                        e: Box::new(n),
                    }
                };
            }
            if ty == I32 {
                // A fixed extent: a literal the checker types `int` where nothing else
                // is expected.
                let fixed: Vec<(Arr, usize)> = env
                    .arrays
                    .iter()
                    .flat_map(|a| {
                        a.dims
                            .iter()
                            .enumerate()
                            .filter(|(_, d)| d.is_some())
                            .map(move |(k, _)| (a.clone(), k))
                    })
                    .collect();
                if !fixed.is_empty() {
                    let (a, axis) = self.rng.pick(&fixed).clone();
                    return self.len_expr(&a, axis, I32);
                }
            }
        }
        if env.par && self.rng.chance(1, 8) {
            // A written array, read at the loop variable (`out[i] = out[i] + ...`).
            let own: Vec<ParArr> = env
                .par_arrays
                .iter()
                .filter(|p| p.arr.elem == ty)
                .cloned()
                .collect();
            if !own.is_empty() {
                let pa = self.rng.pick(&own).clone();
                let idx = self.par_index(env, &pa);
                return Expr::Load {
                    arr: pa.arr,
                    idx,
                    comma: self.rng.chance(1, 2),
                };
            }
        }
        let vars: Vec<&(String, Scalar, bool)> = env.scalars.iter().filter(|v| v.1 == ty).collect();
        let arrays: Vec<&Arr> = env.arrays.iter().filter(|a| a.elem == ty).collect();
        match self.rng.below(10) {
            0..=5 if !vars.is_empty() => {
                let v = self.rng.pick(&vars);
                Expr::Var {
                    name: v.0.clone(),
                    ty,
                }
            }
            6..=7 if !arrays.is_empty() => {
                let a = (*self.rng.pick(&arrays)).clone();
                let mut ienv = env.clone();
                ienv.pure = true;
                let idx = self.indexes(&ienv, &a);
                let comma = self.rng.chance(1, 2);
                Expr::Load { arr: a, idx, comma }
            }
            _ => {
                if !vars.is_empty() && self.rng.chance(1, 2) {
                    let v = self.rng.pick(&vars);
                    return Expr::Var {
                        name: v.0.clone(),
                        ty,
                    };
                }
                self.typed_lit(ty)
            }
        }
    }

    /// One index per axis: in range (a literal in `-d..d`, `(e % d)`, or `((e % d) - d)`),
    /// or a loop variable in scope or a small expression of it, which may be out of
    /// range (a fault).
    fn indexes(&mut self, env: &Env, arr: &Arr) -> Vec<Expr> {
        let mut out = Vec::new();
        for (axis, &d) in arr.dims.iter().enumerate() {
            let den = if self.counting { 2 } else { 3 };
            let vars: Vec<&Counter> = env.counters.iter().chain(&env.after).collect();
            if !vars.is_empty() && self.rng.chance(1, den) {
                let c = self.rng.pick(&vars);
                let (name, ty) = (c.name.clone(), c.ty);
                let var = Expr::Var { name, ty };
                // Half the time an expression of it (`v + 1`, `v - 2`, `v * 2 + 1`):
                // the checker bounds these too, and leaves out checks they cannot fail.
                let e = match self.rng.below(if d.is_none() { 8 } else { 6 }) {
                    0..=2 => var,
                    // From the run-time end: `c - n` (negative, in range when `c` is),
                    // `n - 1 - c` (backwards).
                    6 | 7 => {
                        let n = self.len_expr(arr, axis, I64);
                        let var = if ty == I64 {
                            var
                        } else {
                            Expr::Cast {
                                to: I64,
                                e: Box::new(var),
                            }
                        };
                        let bin = |op, l, r| bin_expr(op, l, r, I64);
                        if self.rng.chance(1, 2) {
                            bin(BOp::Sub, var, n)
                        } else {
                            bin(BOp::Sub, bin(BOp::Sub, n, int_lit(1, I64)), var)
                        }
                    }
                    k => {
                        let lit = |v: i128| Expr::Lit {
                            val: Lit::Int(v),
                            ty,
                            bare: true,
                        };
                        let bin = |op, l, r| bin_expr(op, l, r, ty);
                        let off = self.rng.range(1, 2) as i128;
                        match k {
                            3 => bin(BOp::Add, var, lit(off)),
                            4 => bin(BOp::Sub, var, lit(off)),
                            _ => bin(BOp::Add, bin(BOp::Mul, var, lit(2)), lit(off)),
                        }
                    }
                };
                out.push(e);
                continue;
            }
            let Some(d) = d else {
                let e = self.runtime_index(env, arr, axis);
                out.push(e);
                continue;
            };
            let d128 = d as i128;
            let e = match self.rng.below(5) {
                // `x & m`, a literal mask: in 0..=m whatever `x` is, so without a check
                // when m < d (the checker's rule); m = d keeps the check, which faults
                // when the AND gives d.
                4 if d128 > 0 => {
                    let ty = *self.rng.pick(&types::INTS);
                    let top = if self.rng.chance(1, 4) {
                        d128
                    } else {
                        d128 - 1
                    };
                    let top = top.min(types::range(ty).1);
                    let m = if self.rng.chance(1, 2) {
                        top
                    } else {
                        self.rng.range(0, top as i64) as i128
                    };
                    let x = self.expr(env, ty, 1);
                    let mask = int_lit(m, ty);
                    let (l, r) = if self.rng.chance(1, 2) {
                        (x, mask)
                    } else {
                        (mask, x)
                    };
                    Expr::Bin {
                        op: BOp::BitAnd,
                        l: Box::new(l),
                        r: Box::new(r),
                        join: ty,
                        ty,
                    }
                }
                0 => Expr::Lit {
                    val: Lit::Int(self.rng.range(-(d as i64), d as i64 - 1) as i128),
                    ty: I64,
                    bare: true,
                },
                _ => {
                    let ty = *self.rng.pick(&types::INTS);
                    let x = self.expr(env, ty, 1);
                    let m = Expr::Bin {
                        op: BOp::Mod,
                        l: Box::new(x),
                        r: Box::new(Expr::Lit {
                            val: Lit::Int(d128),
                            ty,
                            bare: true,
                        }),
                        join: ty,
                        ty,
                    };
                    if types::is_signed(ty) && self.rng.chance(1, 3) {
                        Expr::Bin {
                            op: BOp::Sub,
                            l: Box::new(m),
                            r: Box::new(Expr::Lit {
                                val: Lit::Int(d128),
                                ty,
                                bare: true,
                            }),
                            join: ty,
                            ty,
                        }
                    } else {
                        m
                    }
                }
            };
            out.push(e);
        }
        out
    }

    /// `len(arr)` or `arr.shape[k]` for `axis` (`k` sometimes negative), typed `ty`: `i64`
    /// for a `:` axis; for a fixed one, the type its context gives the literal.
    fn len_expr(&mut self, arr: &Arr, axis: usize, ty: Scalar) -> Expr {
        let rank = arr.dims.len() as i64;
        let (shape, k) = if axis == 0 && self.rng.chance(1, 2) {
            (false, 0)
        } else if self.rng.chance(1, 3) {
            (true, axis as i64 - rank)
        } else {
            (true, axis as i64)
        };
        Expr::Len {
            arr: arr.clone(),
            axis: k,
            shape,
            ty,
        }
    }

    /// An index into the `:` axis `axis` of `arr`, whose extent is known only at run
    /// time: `(e % n)` or `((e % n) - n)` for `n` its extent (in range; by zero, a fault,
    /// when the axis is empty), `n - k` (the end, which faults on short arrays), or a
    /// small literal, negative ones from the end (in range or not, by the input set).
    fn runtime_index(&mut self, env: &Env, arr: &Arr, axis: usize) -> Expr {
        let lit = |v: i128| Expr::Lit {
            val: Lit::Int(v),
            ty: I64,
            bare: true,
        };
        let bin = |op, l, r| bin_expr(op, l, r, I64);
        let n = self.len_expr(arr, axis, I64);
        match self.rng.below(8) {
            0 => lit(self.rng.range(-3, 2) as i128),
            1 => bin(BOp::Sub, n, lit(self.rng.range(1, 2) as i128)),
            k => {
                // Operand types that meet `i64` at `i64`.
                let ty = *self.rng.pick(&[I8, I16, I32, I64, I64, U8, U16, U32]);
                let x = self.expr(env, ty, 1);
                let m = Expr::Bin {
                    op: BOp::Mod,
                    l: Box::new(x),
                    r: Box::new(n.clone()),
                    join: I64,
                    ty: I64,
                };
                if k >= 6 {
                    let n2 = self.len_expr(arr, axis, I64);
                    bin(BOp::Sub, m, n2)
                } else {
                    m
                }
            }
        }
    }

    /// `range(...)` arguments of type `ty` that give a handful of iterations.
    fn range_args(&mut self, env: &Env, ty: Scalar) -> Vec<Expr> {
        let lit = |v: i128| Expr::Lit {
            val: Lit::Int(v),
            ty,
            bare: true,
        };
        let (lo, hi) = types::range(ty);
        let signed = types::is_signed(ty);
        match self.rng.below(8) {
            0 => vec![lit(self.rng.range(0, 6) as i128)],
            1 => {
                let a = self.rng.range(-3, 3) as i128;
                let a = if signed { a } else { a.abs() };
                vec![lit(a), lit(a + self.rng.range(0, 5) as i128)]
            }
            2 => {
                // Near the top of the type: the counter must not wrap.
                let step = self.rng.range(1, 3) as i128;
                vec![lit(hi - self.rng.range(0, 6) as i128), lit(hi), lit(step)]
            }
            3 if signed => {
                let step = -(self.rng.range(1, 3) as i128);
                vec![lit(lo + self.rng.range(0, 6) as i128), lit(lo), lit(step)]
            }
            3 | 4 => {
                let x = self.expr(env, ty, 1);
                let m = Expr::Bin {
                    op: BOp::Mod,
                    l: Box::new(x),
                    r: Box::new(lit(7)),
                    join: ty,
                    ty,
                };
                vec![m]
            }
            5 if signed => {
                let x = self.expr(env, ty, 1);
                let m = Expr::Bin {
                    op: BOp::Mod,
                    l: Box::new(x),
                    r: Box::new(lit(3)),
                    join: ty,
                    ty,
                };
                let step = Expr::Bin {
                    op: BOp::Add,
                    l: Box::new(m),
                    r: Box::new(lit(1)),
                    join: ty,
                    ty,
                };
                let a = self.rng.range(-4, 4) as i128;
                if self.rng.chance(1, 2) {
                    vec![lit(a), lit(a + 7), step]
                } else {
                    let neg = Expr::Un {
                        op: UOp::Neg,
                        e: Box::new(step),
                        ty,
                    };
                    vec![lit(a + 7), lit(a), neg]
                }
            }
            6 => {
                let vars: Vec<&(String, Scalar, bool)> =
                    env.scalars.iter().filter(|v| v.1 == ty).collect();
                if vars.is_empty() {
                    return vec![lit(self.rng.range(0, 4) as i128)];
                }
                let v = self.rng.pick(&vars).0.clone();
                let var = Expr::Var { name: v, ty };
                let k = self.rng.range(0, 5) as i128;
                let stop = Expr::Bin {
                    op: BOp::Add,
                    l: Box::new(var.clone()),
                    r: Box::new(lit(k)),
                    join: ty,
                    ty,
                };
                vec![var, stop]
            }
            _ => {
                // Literal bounds and a positive step, often from a negative start.
                let a = self.rng.range(-6, 3) as i128;
                let a = if signed { a } else { a.abs() };
                let b = a + self.rng.range(-1, 8) as i128;
                let b = if signed { b } else { b.max(0) };
                vec![lit(a), lit(b), lit(self.rng.range(1, 3) as i128)]
            }
        }
    }

    /// A shift count: a literal, or `(e & mask)` of any integer type (never negative).
    fn shift_count(&mut self, env: &Env, ty: Scalar, depth: u32, same_type_only: bool) -> Expr {
        if self.rng.chance(1, 3) {
            let v = (self.rng.range(0, types::bits(ty) as i64 + 4) as i128).min(types::range(ty).1);
            return Expr::Lit {
                val: Lit::Int(v),
                ty,
                bare: true,
            };
        }
        let cty = if same_type_only || self.cfg.avoid_wide_shift_counts {
            let narrower: Vec<Scalar> = types::INTS
                .iter()
                .copied()
                .filter(|&s| types::widens(s, ty))
                .collect();
            *self.rng.pick(&narrower)
        } else {
            *self.rng.pick(&types::INTS)
        };
        let masks: Vec<i128> = [3, 7, 15, 31, 63, 127, 255, 511]
            .into_iter()
            .filter(|&m| types::fits(cty, m))
            .collect();
        let mask = *self.rng.pick(&masks);
        let x = self.expr(env, cty, depth);
        Expr::Bin {
            op: BOp::BitAnd,
            l: Box::new(x),
            r: Box::new(Expr::Lit {
                val: Lit::Int(mask),
                ty: cty,
                bare: true,
            }),
            join: cty,
            ty: cty,
        }
    }

    /// An operator and operand for `x op= e` on a value of type `ty`; the third item is
    /// the type of `x op e`.
    fn aug_operand(
        &mut self,
        env: &Env,
        ty: Scalar,
        allow_mixed: bool,
    ) -> Option<(BOp, Expr, Scalar)> {
        let d = self.cfg.expr_depth - 1;
        let op = if ty == Bool {
            *self.rng.pick(&[BOp::BitAnd, BOp::BitOr, BOp::BitXor])
        } else if types::is_float(ty) {
            let mut ops = vec![BOp::Add, BOp::Sub, BOp::Mul, BOp::Div];
            if !self.cfg.avoid_float_floor_ops {
                ops.extend([BOp::FloorDiv, BOp::Mod]);
            }
            *self.rng.pick(&ops)
        } else {
            *self.rng.pick(&INT_OPS)
        };
        if matches!(op, BOp::Shl | BOp::Shr) {
            let e = self.shift_count(env, ty, d, !allow_mixed);
            return Some((op, e, ty));
        }
        let e = if self.rng.chance(1, 3) {
            self.bare_lit(ty)
        } else if allow_mixed && ty != Bool && self.rng.chance(1, 4) {
            let from: Vec<Scalar> = non_bool()
                .into_iter()
                .filter(|&s| types::join(ty, s) == Some(ty))
                .collect();
            let s = *self.rng.pick(&from);
            self.expr(env, s, d)
        } else {
            self.expr(env, ty, d)
        };
        Some((op, e, ty))
    }

    fn expr(&mut self, env: &Env, ty: Scalar, depth: u32) -> Expr {
        if depth == 0 || self.rng.chance(1, 5) {
            return self.leaf(env, ty);
        }
        let d = depth - 1;
        match ty {
            Bool => match self.rng.below(12) {
                0..=4 => self.compare(env, d),
                5..=6 => self.bool_op(env, Bool, d),
                7 => Expr::Un {
                    op: UOp::Not,
                    e: Box::new(self.expr_any(env, d)),
                    ty: Bool,
                },
                8 => {
                    let op = *self.rng.pick(&[BOp::BitAnd, BOp::BitOr, BOp::BitXor]);
                    if !self.cfg.avoid_bool_literal_ops && self.rng.chance(1, 10) {
                        // Two bool literals: Python's result is a bool.
                        let l = self.bare_lit(Bool);
                        let r = self.bare_lit(Bool);
                        return Expr::Bin {
                            op,
                            l: Box::new(l),
                            r: Box::new(r),
                            join: Bool,
                            ty: Bool,
                        };
                    }
                    let l = self.expr(env, Bool, d);
                    let r = self.expr(env, Bool, d);
                    Expr::Bin {
                        op,
                        l: Box::new(l),
                        r: Box::new(r),
                        join: Bool,
                        ty: Bool,
                    }
                }
                9 => {
                    let e = self.expr_any(env, d);
                    Expr::Cast {
                        to: Bool,
                        e: Box::new(e),
                    }
                }
                10 => {
                    let t = *self.rng.pick(&types::FLOATS);
                    let f = if self.rng.chance(1, 2) {
                        Intr::IsNan
                    } else {
                        Intr::IsInf
                    };
                    Expr::Intr {
                        f,
                        xs: vec![self.expr(env, t, d)],
                        ty: Bool,
                    }
                }
                _ => self.misc(env, ty, d),
            },
            _ => match self.rng.below(20) {
                0..=9 => self.binary(env, ty, d),
                10 => {
                    let op = if types::is_int(ty) && self.rng.chance(1, 2) {
                        UOp::Invert
                    } else {
                        UOp::Neg
                    };
                    Expr::Un {
                        op,
                        e: Box::new(self.expr(env, ty, d)),
                        ty,
                    }
                }
                11..=12 => {
                    let from = *self.rng.pick(&types::ALL);
                    let e = if from == ty {
                        self.expr_any(env, d)
                    } else {
                        self.expr(env, from, d)
                    };
                    Expr::Cast {
                        to: ty,
                        e: Box::new(e),
                    }
                }
                13 => self.bool_op(env, ty, d),
                14 => {
                    let exp = if types::is_float(ty) {
                        self.rng.range(-3, 5) as i32
                    } else {
                        self.rng.range(0, 5) as i32
                    };
                    Expr::Pow {
                        base: Box::new(self.expr(env, ty, d)),
                        exp,
                        ty,
                    }
                }
                15 => {
                    let f = *self.rng.pick(&[Intr::Abs, Intr::Min, Intr::Max]);
                    let n = if f == Intr::Abs {
                        1
                    } else {
                        self.rng.below(2) + 2
                    };
                    let mut xs: Vec<Expr> = (0..n).map(|_| self.expr(env, ty, d)).collect();
                    if n > 1 && self.rng.chance(1, 3) {
                        let k = self.rng.below(n);
                        xs[k] = self.bare_lit(ty);
                    }
                    Expr::Intr { f, xs, ty }
                }
                16 if ty == I32 || ty == I64 => {
                    let from = if ty == I32 { F32 } else { F64 };
                    let f = *self
                        .rng
                        .pick(&[Intr::Round, Intr::Floor, Intr::Ceil, Intr::Trunc]);
                    Expr::Intr {
                        f,
                        xs: vec![self.expr(env, from, d)],
                        ty,
                    }
                }
                16 if types::is_float(ty) => {
                    let f = if self.rng.chance(1, 2) {
                        Intr::Sqrt
                    } else {
                        Intr::Fabs
                    };
                    Expr::Intr {
                        f,
                        xs: vec![self.expr(env, ty, d)],
                        ty,
                    }
                }
                _ => self.misc(env, ty, d),
            },
        }
    }

    fn expr_any(&mut self, env: &Env, depth: u32) -> Expr {
        let t = self.any_scalar();
        self.expr(env, t, depth)
    }

    /// Conditional expressions and calls.
    fn misc(&mut self, env: &Env, ty: Scalar, d: u32) -> Expr {
        if !env.pure && self.rng.chance(1, 2) {
            let sigs: Vec<Sig> = env
                .callable
                .iter()
                .filter(|s| s.ret == ty)
                .cloned()
                .collect();
            if !sigs.is_empty() {
                let sig = self.rng.pick(&sigs).clone();
                if let Some(c) = self.call(env, &sig, d) {
                    return c;
                }
            }
        }
        let c = if self.rng.chance(3, 4) {
            self.expr(env, Bool, d)
        } else {
            self.expr_any(env, d)
        };
        let t = self.expr(env, ty, d);
        let f = self.expr(env, ty, d);
        Expr::IfExp {
            c: Box::new(c),
            t: Box::new(t),
            f: Box::new(f),
            ty,
        }
    }

    fn call(&mut self, env: &Env, sig: &Sig, d: u32) -> Option<Expr> {
        // A caller of a function with a long `prange` is long too: a long loop that
        // called it would run the callee's iterations times its own in the model
        // (seed 12204 program 6985 took CPython more than 120 s so).
        self.made_long |= sig.long;
        let mut args = Vec::new();
        for p in &sig.params {
            match p {
                Param::Scalar(_, t) => {
                    args.push(Arg::Scalar(self.expr_or_lit_widening(env, *t, d)))
                }
                Param::Array(want) => {
                    let passed: Vec<&str> = args
                        .iter()
                        .filter_map(|a| match a {
                            Arg::Array(a) => Some(a.name.as_str()),
                            Arg::Scalar(_) => None,
                        })
                        .collect();
                    // One array for two parameters only when the callee writes none.
                    let have: Vec<&Arr> = env
                        .arrays
                        .iter()
                        .filter(|a| a.passes_as(want))
                        .filter(|a| !sig.writes_arrays || !passed.contains(&a.name.as_str()))
                        .collect();
                    if have.is_empty() {
                        return None;
                    }
                    let again: Vec<&&Arr> = have
                        .iter()
                        .filter(|a| passed.contains(&a.name.as_str()))
                        .collect();
                    let a = if !again.is_empty() && self.rng.chance(1, 2) {
                        (**self.rng.pick(&again)).clone()
                    } else {
                        (*self.rng.pick(&have)).clone()
                    };
                    args.push(Arg::Array(a));
                }
            }
        }
        Some(Expr::Call {
            func: sig.name.clone(),
            args,
            ty: sig.ret,
        })
    }

    fn binary(&mut self, env: &Env, ty: Scalar, d: u32) -> Expr {
        let op = if types::is_float(ty) {
            let mut ops = vec![BOp::Add, BOp::Sub, BOp::Mul, BOp::Div, BOp::Add, BOp::Mul];
            if !self.cfg.avoid_float_floor_ops {
                ops.extend([BOp::FloorDiv, BOp::Mod]);
            }
            *self.rng.pick(&ops)
        } else {
            *self.rng.pick(&INT_OPS)
        };
        if matches!(op, BOp::Shl | BOp::Shr) {
            let l = self.expr(env, ty, d);
            let r = self.shift_count(env, ty, d, false);
            return Expr::Bin {
                op,
                l: Box::new(l),
                r: Box::new(r),
                join: ty,
                ty,
            };
        }
        let shape = self.rng.below(10);
        if shape < 3 {
            // One side a bare literal, typed by the other side.
            if types::is_float(ty) && self.rng.chance(1, 3) {
                // An integer operand next to a float literal: the literal's float type.
                let ints: Vec<Scalar> = types::INTS
                    .iter()
                    .copied()
                    .filter(|&s| types::float_lit_partner(s) == ty)
                    .collect();
                let s = *self.rng.pick(&ints);
                let x = self.expr(env, s, d);
                let lit = Expr::Lit {
                    val: Lit::Float(self.float_value()),
                    ty,
                    bare: true,
                };
                let (l, r) = if op == BOp::Div || self.rng.chance(1, 2) {
                    (x, lit)
                } else {
                    (lit, x)
                };
                let ty2 = if op == BOp::Div {
                    types::truediv_type(l.ty(), r.ty()).expect("joins")
                } else {
                    ty
                };
                return Expr::Bin {
                    op,
                    join: ty,
                    l: Box::new(l),
                    r: Box::new(r),
                    ty: ty2,
                };
            }
            let x = self.expr(env, ty, d);
            let lit = if matches!(op, BOp::FloorDiv | BOp::Mod)
                && types::is_int(ty)
                && self.rng.chance(3, 4)
            {
                let mut v = self.int_value(ty);
                if v == 0 {
                    v = 1;
                }
                Expr::Lit {
                    val: Lit::Int(v),
                    ty,
                    bare: true,
                }
            } else {
                self.bare_lit(ty)
            };
            let (l, r) = if self.rng.chance(1, 2) {
                (x, lit)
            } else {
                (lit, x)
            };
            return Expr::Bin {
                op,
                l: Box::new(l),
                r: Box::new(r),
                join: ty,
                ty,
            };
        }
        if shape < 6 {
            // Mixed operand types that meet at `ty`.
            let pairs: Vec<(Scalar, Scalar)> = types::ALL
                .iter()
                .flat_map(|&a| types::ALL.iter().map(move |&b| (a, b)))
                .filter(|&(a, b)| (a, b) != (ty, ty))
                .filter(|&(a, b)| {
                    !(a == Bool
                        && b == Bool
                        && matches!(op, BOp::BitAnd | BOp::BitOr | BOp::BitXor))
                })
                .filter(|&(a, b)| {
                    if op == BOp::Div {
                        types::truediv_type(a, b) == Some(ty)
                    } else {
                        types::join(a, b) == Some(ty)
                    }
                })
                .collect();
            if !pairs.is_empty() {
                let (a, b) = *self.rng.pick(&pairs);
                let l = self.expr(env, a, d);
                let r = self.expr(env, b, d);
                // True division converts each operand straight to the result type.
                let join = if op == BOp::Div {
                    ty
                } else {
                    types::join(a, b).expect("pairs join")
                };
                return Expr::Bin {
                    op,
                    l: Box::new(l),
                    r: Box::new(r),
                    join,
                    ty,
                };
            }
        }
        if op == BOp::Div {
            // `ty` is a float here; both operands of type `ty`.
            let l = self.expr(env, ty, d);
            let r = self.expr(env, ty, d);
            return bin_expr(op, l, r, ty);
        }
        let l = self.expr(env, ty, d);
        let mut r = self.expr(env, ty, d);
        if matches!(op, BOp::FloorDiv | BOp::Mod) && types::is_int(ty) && self.rng.chance(1, 2) {
            // `(e | 1)` is never zero.
            r = bin_expr(BOp::BitOr, r, int_lit(1, ty), ty);
        }
        bin_expr(op, l, r, ty)
    }

    fn compare(&mut self, env: &Env, d: u32) -> Expr {
        let n = if self.rng.chance(1, 4) { 3 } else { 2 };
        let ops: Vec<COp> = (0..n - 1)
            .map(|_| {
                *self
                    .rng
                    .pick(&[COp::Lt, COp::Le, COp::Gt, COp::Ge, COp::Eq, COp::Ne])
            })
            .collect();
        match self.rng.below(4) {
            0 => {
                // Mixed types that meet.
                let a = self.any_scalar();
                let b = self.any_scalar();
                let join = if a == Bool && b == Bool {
                    Some(Bool)
                } else {
                    types::join(a, b)
                };
                if let Some(join) = join {
                    let xs = vec![self.expr(env, a, d), self.expr(env, b, d)];
                    return Expr::Cmp {
                        ops: vec![ops[0]],
                        xs,
                        join,
                    };
                }
                let t = self.any_scalar();
                let xs = (0..n).map(|_| self.expr(env, t, d)).collect();
                Expr::Cmp { ops, xs, join: t }
            }
            1 => {
                // A literal among non-literals of one type; a float literal next to
                // integers makes the comparison a float one.
                let t = *self.rng.pick(&non_bool());
                let float_lit = !types::is_float(t) && self.rng.chance(1, 3);
                let join = if float_lit {
                    types::float_lit_partner(t)
                } else {
                    t
                };
                let k = self.rng.below(n);
                let xs = (0..n)
                    .map(|i| {
                        if i != k {
                            self.expr(env, t, d)
                        } else if float_lit {
                            Expr::Lit {
                                val: Lit::Float(self.float_value()),
                                ty: join,
                                bare: true,
                            }
                        } else {
                            self.bare_lit(t)
                        }
                    })
                    .collect();
                Expr::Cmp { ops, xs, join }
            }
            _ => {
                let t = self.any_scalar();
                let xs = (0..n).map(|_| self.expr(env, t, d)).collect();
                Expr::Cmp { ops, xs, join: t }
            }
        }
    }

    fn bool_op(&mut self, env: &Env, ty: Scalar, d: u32) -> Expr {
        let n = self.rng.below(2) + 2;
        let and = self.rng.chance(1, 2);
        let mut xs: Vec<Expr> = (0..n).map(|_| self.expr(env, ty, d)).collect();
        if ty != Bool && self.rng.chance(1, 3) {
            let k = self.rng.below(n);
            xs[k] = self.bare_lit(ty);
        }
        Expr::BoolOp { and, xs, ty }
    }

    // ---- inputs ----

    fn value(&mut self, ty: Scalar) -> Value {
        match ty {
            Bool => Value::Bool(self.rng.chance(1, 2)),
            F32 | F64 => {
                let v = match self.rng.below(12) {
                    0 => *self.rng.pick(&[
                        0.0,
                        -0.0,
                        1.0,
                        -1.0,
                        0.5,
                        f64::INFINITY,
                        f64::NEG_INFINITY,
                        f64::NAN,
                    ]),
                    1 => *self.rng.pick(&[
                        1e-40,
                        3.4e38,
                        -3.4e38,
                        1e300,
                        5e-324,
                        2147483648.0,
                        -2147483649.0,
                        9.3e18,
                    ]),
                    2 => f64::from_bits(self.rng.next_u64()),
                    3..=6 => self.rng.range(-80, 80) as f64 / 4.0,
                    _ => self.rng.range(-100_000, 100_000) as f64 / 7.0,
                };
                let v = if ty == F32 { v as f32 as f64 } else { v };
                Value::Float(v)
            }
            t => Value::Int(self.int_value(t)),
        }
    }

    /// One input set: each `:` axis gets its own extent from 0 to `max_extent` (so
    /// arrays passed together differ in length, and some are empty).
    fn inputs(&mut self, f: &Func) -> Vec<Input> {
        f.params
            .iter()
            .map(|p| match p {
                Param::Scalar(_, t) => Input::Scalar(self.value(*t)),
                Param::Array(a) => {
                    // With a large `max_extent`, an array of several axes stays within
                    // some thousands of elements.
                    let mut product = 1;
                    let dims: Vec<usize> = a
                        .dims
                        .iter()
                        .map(|d| {
                            let e = d.unwrap_or_else(|| {
                                let e = self.rng.below(self.cfg.max_extent + 1);
                                if product * e > 4096 {
                                    self.rng.below(6)
                                } else {
                                    e
                                }
                            });
                            product *= e.max(1);
                            e
                        })
                        .collect();
                    let n: usize = dims.iter().product();
                    let vals = (0..n).map(|_| self.value(a.elem)).collect();
                    Input::Array { dims, vals }
                }
            })
            .collect()
    }
}

/// Whether `e` reads the local `name`.
fn reads_var(e: &Expr, name: &str) -> bool {
    matches!(e, Expr::Var { name: n, .. } if n == name)
        || e.children().into_iter().any(|c| reads_var(c, name))
}

/// Every `:` axis of `arrays`, with its array.
fn runtime_axes(arrays: &[Arr]) -> Vec<(Arr, usize)> {
    arrays
        .iter()
        .flat_map(|a| {
            a.dims
                .iter()
                .enumerate()
                .filter(|(_, d)| d.is_none())
                .map(move |(k, _)| (a.clone(), k))
        })
        .collect()
}

/// The values a `for` variable takes over literal `range(...)` arguments (None when
/// the range is empty or not all literals).
fn literal_range(args: &[Expr]) -> Option<(i128, i128)> {
    let lits: Vec<i128> = args
        .iter()
        .map(|a| match a {
            Expr::Lit {
                val: Lit::Int(v), ..
            } => Some(*v),
            _ => None,
        })
        .collect::<Option<_>>()?;
    match *lits.as_slice() {
        [b] => (0 < b).then_some((0, b - 1)),
        [a, b] => (a < b).then_some((a, b - 1)),
        [a, b, s] if s > 0 => (a < b).then_some((a, b - 1)),
        [a, b, s] if s < 0 => (b < a).then_some((b + 1, a)),
        _ => None,
    }
}

/// `l op r`, computed in `ty`, of type `ty`.
fn bin_expr(op: BOp, l: Expr, r: Expr, ty: Scalar) -> Expr {
    Expr::Bin {
        op,
        l: Box::new(l),
        r: Box::new(r),
        join: ty,
        ty,
    }
}

pub fn int_lit(v: i128, ty: Scalar) -> Expr {
    Expr::Lit {
        val: Lit::Int(v),
        ty,
        bare: true,
    }
}

/// A fresh program from `seed`.
pub fn program(seed: u64, cfg: &Config) -> Program {
    let mut rng = Rng::new(seed);
    Gen::new(&mut rng, cfg.clone()).program()
}
