//! The generator's own program tree. Every node knows its kernel type, so the same tree
//! renders both as kernel source and as a Python model with explicit wraps and roundings,
//! and the shrinker can edit it without re-deriving types.

use crate::types::Scalar;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

impl BOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BOp::Add => "+",
            BOp::Sub => "-",
            BOp::Mul => "*",
            BOp::Div => "/",
            BOp::FloorDiv => "//",
            BOp::Mod => "%",
            BOp::BitAnd => "&",
            BOp::BitOr => "|",
            BOp::BitXor => "^",
            BOp::Shl => "<<",
            BOp::Shr => ">>",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UOp {
    Neg,
    Invert,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum COp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl COp {
    pub fn symbol(self) -> &'static str {
        match self {
            COp::Lt => "<",
            COp::Le => "<=",
            COp::Gt => ">",
            COp::Ge => ">=",
            COp::Eq => "==",
            COp::Ne => "!=",
        }
    }
}

/// Built-in functions with a fixed model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intr {
    Abs,
    Min,
    Max,
    Round,
    Floor,
    Ceil,
    Trunc,
    Sqrt,
    Fabs,
    IsNan,
    IsInf,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lit {
    Int(i128),
    Float(f64),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arr {
    pub name: String,
    pub elem: Scalar,
    /// One extent per axis: `Some(n)` fixed at compile time, `None` for a `:` axis
    /// (a parameter's extent, known when the kernel is called).
    pub dims: Vec<Option<usize>>,
}

impl Arr {
    /// An array whose every extent is fixed.
    pub fn fixed(name: String, elem: Scalar, dims: &[usize]) -> Arr {
        Arr {
            name,
            elem,
            dims: dims.iter().map(|&d| Some(d)).collect(),
        }
    }

    /// The element count when every extent is fixed.
    pub fn fixed_len(&self) -> Option<usize> {
        self.dims.iter().copied().product()
    }

    /// Whether some axis is `:`.
    pub fn has_runtime_axis(&self) -> bool {
        self.dims.iter().any(Option::is_none)
    }

    /// The axis `axis` names (negative: from the end, as `a.shape[-1]`).
    pub fn axis(&self, axis: i64) -> usize {
        if axis < 0 {
            (axis + self.dims.len() as i64) as usize
        } else {
            axis as usize
        }
    }

    /// Whether an array of this type may be passed for a parameter of type `param`:
    /// same element type and rank, and each fixed extent of `param` fixed and equal here
    /// (a `:` axis of `param` takes any extent; a `:` axis here fits only a `:` one).
    pub fn passes_as(&self, param: &Arr) -> bool {
        self.elem == param.elem
            && self.dims.len() == param.dims.len()
            && self
                .dims
                .iter()
                .zip(&param.dims)
                .all(|(have, want)| want.is_none() || have == want)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Var {
        name: String,
        ty: Scalar,
    },
    /// `bare`: written as a plain number whose type comes from its context (the other
    /// operand, the assigned variable); otherwise written as a cast of the literal
    /// (`u8(5)`), which has the type `ty` on its own. `ty` is the type the checker gives it.
    Lit {
        val: Lit,
        ty: Scalar,
        bare: bool,
    },
    Load {
        arr: Arr,
        idx: Vec<Expr>,
        comma: bool,
    },
    /// `len(arr)` (`shape` false, `axis` 0) or `arr.shape[axis]` (`axis` may be negative,
    /// counting from the last axis). For a `:` axis the checker gives it type `i64`; for a
    /// fixed one it is a literal typed by its context, so the generator uses it only where
    /// the context makes it `ty` (`int` where nothing is expected, a `range()` bound of the
    /// counter's type).
    Len {
        arr: Arr,
        axis: i64,
        shape: bool,
        ty: Scalar,
    },
    /// `join`: the type both operands convert to (for shifts: the left type).
    Bin {
        op: BOp,
        l: Box<Expr>,
        r: Box<Expr>,
        join: Scalar,
        ty: Scalar,
    },
    /// `base ** exp` with a constant exponent; the base converts to `ty` first.
    Pow {
        base: Box<Expr>,
        exp: i32,
        ty: Scalar,
    },
    Un {
        op: UOp,
        e: Box<Expr>,
        ty: Scalar,
    },
    Cmp {
        ops: Vec<COp>,
        xs: Vec<Expr>,
        join: Scalar,
    },
    BoolOp {
        and: bool,
        xs: Vec<Expr>,
        ty: Scalar,
    },
    IfExp {
        c: Box<Expr>,
        t: Box<Expr>,
        f: Box<Expr>,
        ty: Scalar,
    },
    Cast {
        to: Scalar,
        e: Box<Expr>,
    },
    /// An implicit widening the checker inserts (assignment, argument, return).
    Widen {
        to: Scalar,
        e: Box<Expr>,
    },
    Call {
        func: String,
        args: Vec<Arg>,
        ty: Scalar,
    },
    Intr {
        f: Intr,
        xs: Vec<Expr>,
        ty: Scalar,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Scalar(Expr),
    Array(Arr),
}

impl Expr {
    pub fn ty(&self) -> Scalar {
        match self {
            Expr::Var { ty, .. }
            | Expr::Lit { ty, .. }
            | Expr::Bin { ty, .. }
            | Expr::Pow { ty, .. }
            | Expr::Un { ty, .. }
            | Expr::BoolOp { ty, .. }
            | Expr::IfExp { ty, .. }
            | Expr::Call { ty, .. }
            | Expr::Intr { ty, .. }
            | Expr::Len { ty, .. } => *ty,
            Expr::Load { arr, .. } => arr.elem,
            Expr::Cmp { .. } => Scalar::Bool,
            Expr::Cast { to, .. } | Expr::Widen { to, .. } => *to,
        }
    }

    pub fn is_bare_lit(&self) -> bool {
        matches!(self, Expr::Lit { bare: true, .. })
    }

    /// Direct children, for walkers.
    pub fn children_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            Expr::Var { .. } | Expr::Lit { .. } | Expr::Len { .. } => vec![],
            Expr::Load { idx, .. } => idx.iter_mut().collect(),
            Expr::Bin { l, r, .. } => vec![&mut **l, &mut **r],
            Expr::Pow { base, .. } => vec![&mut **base],
            Expr::Un { e, .. } | Expr::Cast { e, .. } | Expr::Widen { e, .. } => vec![&mut **e],
            Expr::Cmp { xs, .. } | Expr::BoolOp { xs, .. } | Expr::Intr { xs, .. } => {
                xs.iter_mut().collect()
            }
            Expr::IfExp { c, t, f, .. } => vec![&mut **c, &mut **t, &mut **f],
            Expr::Call { args, .. } => args
                .iter_mut()
                .filter_map(|a| match a {
                    Arg::Scalar(e) => Some(e),
                    Arg::Array(_) => None,
                })
                .collect(),
        }
    }

    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Var { .. } | Expr::Lit { .. } | Expr::Len { .. } => vec![],
            Expr::Load { idx, .. } => idx.iter().collect(),
            Expr::Bin { l, r, .. } => vec![&**l, &**r],
            Expr::Pow { base, .. } => vec![&**base],
            Expr::Un { e, .. } | Expr::Cast { e, .. } | Expr::Widen { e, .. } => vec![&**e],
            Expr::Cmp { xs, .. } | Expr::BoolOp { xs, .. } | Expr::Intr { xs, .. } => {
                xs.iter().collect()
            }
            Expr::IfExp { c, t, f, .. } => vec![&**c, &**t, &**f],
            Expr::Call { args, .. } => args
                .iter()
                .filter_map(|a| match a {
                    Arg::Scalar(e) => Some(e),
                    Arg::Array(_) => None,
                })
                .collect(),
        }
    }
}

/// How a counting loop steps its counter `c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepForm {
    /// `c += 1`
    Aug,
    /// `c = c + 1`
    AddRight,
    /// `c = 1 + c`
    AddLeft,
}

/// The operator of a `prange` reduction (msp's `ReduceOp`): `s += e` … `s ^= e` are
/// [`Stmt::Aug`] statements, `s = min(s, e)` and `s = max(s, e)` [`Stmt::MinMax`] ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Red {
    Add,
    Sub,
    Mul,
    Or,
    And,
    Xor,
    Min,
    Max,
}

impl Red {
    /// The augmented operator of an `op=` reduction (None for min and max).
    pub fn aug_op(self) -> Option<BOp> {
        Some(match self {
            Red::Add => BOp::Add,
            Red::Sub => BOp::Sub,
            Red::Mul => BOp::Mul,
            Red::Or => BOp::BitOr,
            Red::And => BOp::BitAnd,
            Red::Xor => BOp::BitXor,
            Red::Min | Red::Max => return None,
        })
    }

    /// The reduction an `op=` statement is, when `op` is one msp recognises.
    pub fn of_aug(op: BOp) -> Option<Red> {
        Some(match op {
            BOp::Add => Red::Add,
            BOp::Sub => Red::Sub,
            BOp::Mul => Red::Mul,
            BOp::BitOr => Red::Or,
            BOp::BitAnd => Red::And,
            BOp::BitXor => Red::Xor,
            _ => return None,
        })
    }
}

/// What a counting loop's counter runs up to.
#[derive(Clone, Debug, PartialEq)]
pub enum CountLimit {
    Lit(i128),
    /// `len(a)` or `a.shape[k]` ([`Expr::Len`], of the counter's type `i64`): the
    /// `while i < len(a)` loops whose indexes `a[i]` msp leaves unchecked.
    Extent(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    Assign {
        var: String,
        e: Expr,
    },
    /// `var op= e`; `join` is the type of `var op e` (it widens to the variable's type).
    Aug {
        var: String,
        ty: Scalar,
        op: BOp,
        e: Expr,
        join: Scalar,
    },
    Store {
        arr: Arr,
        idx: Vec<Expr>,
        e: Expr,
        comma: bool,
    },
    AugStore {
        arr: Arr,
        idx: Vec<Expr>,
        op: BOp,
        e: Expr,
    },
    If {
        arms: Vec<(Expr, Vec<Stmt>)>,
        els: Vec<Stmt>,
    },
    /// `counter = 0; while counter < limit and cond: counter += 1; body`
    While {
        counter: String,
        limit: i64,
        cond: Expr,
        body: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    /// A counting loop: `counter = start`, then `while counter < limit:` (`limit >
    /// counter` when `flipped`; `limit` a literal or an extent), `body`, the step, then
    /// `tail`. With `le` false and
    /// `tail` empty (and no other step in `body`) it has exactly the shape msp's checker
    /// trusts; `le` (`<=`), a `tail` after the step, or a second step in `body` are near
    /// misses it must not trust. No `continue` in `body` targets this loop (it would skip
    /// the step). `start` is a literal or `outer`/`outer + k` for a loop variable
    /// `outer` with known values; the shrinker leaves it alone, so the loop stays short.
    CountWhile {
        counter: String,
        ty: Scalar,
        start: Expr,
        limit: CountLimit,
        le: bool,
        flipped: bool,
        step: StepForm,
        body: Vec<Stmt>,
        tail: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    For {
        var: String,
        ty: Scalar,
        args: Vec<Expr>,
        body: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    /// `for var in prange(args):` (`args`: `stop`, `start, stop` or `start, stop, step`,
    /// start and step literals `>= 0` and `>= 1`). `reductions`: the locals the body
    /// updates only as reductions (of this loop or an enclosing one, which the model
    /// restarts at the identity in each of this loop's chunks: harmless when the body
    /// leaves one alone, since combining the identity changes nothing).
    ParFor {
        var: String,
        ty: Scalar,
        args: Vec<Expr>,
        body: Vec<Stmt>,
        reductions: Vec<(String, Scalar, Red)>,
    },
    /// `var = min(var, e)` (or `max`): a reduction in a `prange` body (`e` has type `ty`).
    MinMax {
        var: String,
        ty: Scalar,
        max: bool,
        e: Expr,
    },
    Break,
    Continue,
    Return(Expr),
    /// A call for its effect (its value, if any, is dropped).
    Call(Expr),
    /// `body` then `label(name)`; `Goto(name)` inside `body` jumps forward past it.
    Region {
        label: String,
        body: Vec<Stmt>,
    },
    /// `counter = 0; label(name); body; counter += 1; if counter < limit: goto(name)`.
    Repeat {
        label: String,
        counter: String,
        limit: i64,
        body: Vec<Stmt>,
    },
    Goto(String),
    Pass,
}

impl Stmt {
    pub fn blocks_mut(&mut self) -> Vec<&mut Vec<Stmt>> {
        match self {
            Stmt::If { arms, els } => {
                let mut v: Vec<&mut Vec<Stmt>> = arms.iter_mut().map(|(_, b)| b).collect();
                v.push(els);
                v
            }
            Stmt::While { body, els, .. } | Stmt::For { body, els, .. } => vec![body, els],
            Stmt::CountWhile {
                body, tail, els, ..
            } => vec![body, tail, els],
            Stmt::Region { body, .. } | Stmt::Repeat { body, .. } | Stmt::ParFor { body, .. } => {
                vec![body]
            }
            _ => vec![],
        }
    }

    /// As [`Stmt::blocks_mut`]: a loop's body first (a counting loop's tail second),
    /// then its `else`.
    pub fn blocks(&self) -> Vec<&Vec<Stmt>> {
        match self {
            Stmt::If { arms, els } => {
                let mut v: Vec<&Vec<Stmt>> = arms.iter().map(|(_, b)| b).collect();
                v.push(els);
                v
            }
            Stmt::While { body, els, .. } | Stmt::For { body, els, .. } => vec![body, els],
            Stmt::CountWhile {
                body, tail, els, ..
            } => vec![body, tail, els],
            Stmt::Region { body, .. } | Stmt::Repeat { body, .. } | Stmt::ParFor { body, .. } => {
                vec![body]
            }
            _ => vec![],
        }
    }

    /// Every expression of this statement outside its blocks (a counting loop's start
    /// and limit included).
    pub fn all_exprs(&self) -> Vec<&Expr> {
        match self {
            Stmt::Assign { e, .. }
            | Stmt::Aug { e, .. }
            | Stmt::MinMax { e, .. }
            | Stmt::Return(e)
            | Stmt::Call(e) => {
                vec![e]
            }
            Stmt::Store { idx, e, .. } | Stmt::AugStore { idx, e, .. } => {
                idx.iter().chain(std::iter::once(e)).collect()
            }
            Stmt::ParFor { args, .. } => args.iter().collect(),
            Stmt::If { arms, .. } => arms.iter().map(|(c, _)| c).collect(),
            Stmt::While { cond, .. } => vec![cond],
            Stmt::CountWhile { start, limit, .. } => match limit {
                CountLimit::Extent(l) => vec![start, l],
                CountLimit::Lit(_) => vec![start],
            },
            Stmt::For { args, .. } => args.iter().collect(),
            _ => vec![],
        }
    }

    /// The expressions the shrinker may replace (a counting loop's start is not one: it
    /// keeps the loop short; nor are a `prange`'s start and step, literals the checker
    /// requires).
    pub fn exprs_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            Stmt::Assign { e, .. }
            | Stmt::Aug { e, .. }
            | Stmt::MinMax { e, .. }
            | Stmt::Return(e)
            | Stmt::Call(e) => {
                vec![e]
            }
            Stmt::ParFor { args, .. } => {
                let stop = args.len().min(2) - 1;
                args.get_mut(stop).into_iter().collect()
            }
            Stmt::Store { idx, e, .. } | Stmt::AugStore { idx, e, .. } => {
                let mut v: Vec<&mut Expr> = idx.iter_mut().collect();
                v.push(e);
                v
            }
            Stmt::If { arms, .. } => arms.iter_mut().map(|(c, _)| c).collect(),
            Stmt::While { cond, .. } => vec![cond],
            Stmt::For { args, .. } => args.iter_mut().collect(),
            _ => vec![],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Scalar(String, Scalar),
    Array(Arr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Local {
    Scalar {
        name: String,
        ty: Scalar,
        init: Expr,
    },
    Array(Arr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    pub name: String,
    pub params: Vec<Param>,
    pub ret: Scalar,
    pub locals: Vec<Local>,
    pub body: Vec<Stmt>,
}

/// A scalar or array argument value for the entry kernel.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i128),
    /// f32 or f64 bits, by the parameter's type.
    Float(f64),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Scalar(Value),
    /// An array's extents (each `:` axis's chosen for this input set) and its elements,
    /// row-major.
    Array {
        dims: Vec<usize>,
        vals: Vec<Value>,
    },
}

/// One generated program: helper kernels then the entry kernel (last), and the inputs
/// the entry is called with.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub funcs: Vec<Func>,
    pub inputs: Vec<Vec<Input>>,
    /// The threads msp runs `prange` loops on for each input set (`Compiler::threads`):
    /// the model is the same for every count, so the results must be too.
    pub threads: Vec<u32>,
}

impl Program {
    pub fn entry(&self) -> &Func {
        self.funcs.last().expect("a program has an entry kernel")
    }

    /// Whether some kernel has a `prange` loop (msp then compiles it once per thread
    /// count).
    pub fn has_prange(&self) -> bool {
        fn block(b: &[Stmt]) -> bool {
            b.iter().any(|s| {
                matches!(s, Stmt::ParFor { .. }) || s.blocks().into_iter().any(|b| block(b))
            })
        }
        self.funcs.iter().any(|f| block(&f.body))
    }

    /// The thread count of input set `case` (1 when not said).
    pub fn threads_of(&self, case: usize) -> u32 {
        self.threads.get(case).copied().unwrap_or(1)
    }

    /// Whether kernel `f` may write its array `name`, as msp decides it: a store to it
    /// anywhere in its body, or passing it to a kernel that may write the parameter it
    /// is passed for. (A read-only buffer is refused for such a parameter.)
    pub fn writes(&self, f: &Func, name: &str) -> bool {
        fn expr_writes(p: &Program, e: &Expr, name: &str) -> bool {
            if let Expr::Call { func, args, .. } = e
                && let Some(callee) = p.funcs.iter().find(|g| g.name == *func)
            {
                for (a, param) in args.iter().zip(&callee.params) {
                    if let (Arg::Array(a), Param::Array(pa)) = (a, param)
                        && a.name == name
                        && p.writes(callee, &pa.name)
                    {
                        return true;
                    }
                }
            }
            e.children().into_iter().any(|c| expr_writes(p, c, name))
        }
        fn block_writes(p: &Program, b: &[Stmt], name: &str) -> bool {
            b.iter().any(|s| {
                let stored = matches!(s, Stmt::Store { arr, .. } | Stmt::AugStore { arr, .. }
                    if arr.name == name);
                stored
                    || s.all_exprs().into_iter().any(|e| expr_writes(p, e, name))
                    || s.blocks().into_iter().any(|b| block_writes(p, b, name))
            })
        }
        f.locals.iter().any(|l| match l {
            Local::Scalar { init, .. } => expr_writes(self, init, name),
            Local::Array(_) => false,
        }) || block_writes(self, &f.body, name)
    }
}
