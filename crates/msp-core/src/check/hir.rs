//! The typed kernel IR: what the checker produces and codegen consumes.
//!
//! Every expression has a concrete [`Scalar`] type (literals have been given theirs),
//! every name is resolved to a [`LocalId`], a kernel, an extern or a constant, and every
//! operation that can fault at run time carries a [`SiteId`] into the module's fault
//! table. Codegen needs no further analysis.

use crate::ast::{BinOp, CmpOp};
use crate::source::Span;

use super::types::{ArrayType, Scalar, Type};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LocalId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LabelId(pub u32);

/// Index into [`CheckedModule::fault_sites`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SiteId(pub u32);

/// A whole module after type checking.
#[derive(Clone, Debug)]
pub struct CheckedModule {
    pub kernels: Vec<TypedKernel>,
    pub externs: Vec<ExternSig>,
    pub fault_sites: Vec<FaultSite>,
}

/// The signature of a kernel as callers see it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KernelSig {
    pub name: String,
    pub params: Vec<(String, Type)>,
    pub ret: Type,
    /// Per parameter: whether the kernel (or a kernel it calls) may write to this array.
    /// Hosts pass read-only buffers only where this is false.
    pub writes: Vec<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExternSig {
    pub name: String,
    pub params: Vec<Scalar>,
    pub ret: Type,
    pub span: Span,
}

/// A place where a checked kernel can stop with a fault.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultSite {
    pub kernel: String,
    pub span: Span,
    pub kind: FaultKind,
}

pub use msp_rt::FaultKind;

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Type,
    /// Parameters come first, in order.
    pub is_param: bool,
    /// A loop counter narrower than 64 bits that codegen keeps at 64 bits (set by
    /// `check::counting`): the slot holds the value extended by its type's signedness,
    /// so indexes and comparisons use it as is and LLVM has no counter to widen.
    pub wide: bool,
}

#[derive(Clone, Debug)]
pub struct TypedKernel {
    pub sig: KernelSig,
    pub locals: Vec<Local>,
    pub labels: Vec<String>,
    pub body: Vec<TStmt>,
    pub span: Span,
    /// The kernel's name in its `def` (where kernel-wide faults point).
    pub name_span: Span,
    /// No run-time checks (index and division faults become undefined behaviour's cheaper cousin:
    /// out-of-range indexes are not caught).
    pub unchecked: bool,
    pub debug: bool,
    pub add_time: bool,
    /// `@compile(inline=False)`: LLVM must not inline the kernel into its callers.
    pub noinline: bool,
    /// `@compile(fast_compile=...)`: the JIT tier this kernel asked for (`None`: the
    /// compilation's).
    pub fast_compile: Option<bool>,
    /// The kernels this one calls (indexes into [`CheckedModule::kernels`]), each once.
    pub callees: Vec<usize>,
    /// The fault site of the stack test at the kernel's entry, for checked kernels
    /// that recurse or have large local arrays (`check::stack`).
    pub stack_site: Option<SiteId>,
}

impl TypedKernel {
    pub fn local(&self, id: LocalId) -> &Local {
        &self.locals[id.0 as usize]
    }
}

/// An array access path: the array local and one index per dimension.
#[derive(Clone, Debug)]
pub struct Place {
    pub array: LocalId,
    pub ty: ArrayType,
    pub indices: Vec<TExpr>,
    /// One fault site per axis (index out of range); `None` in unchecked kernels.
    pub sites: Option<Vec<SiteId>>,
    /// Per axis, bounds the index is known to stay within (`lo..=hi`), found by
    /// `check::counting` for loop counters; `None` where nothing is known beyond the
    /// index's type.
    pub known: Vec<Option<(i128, i128)>>,
    /// Per axis, whether the index is known to lie in `0..extent` of this very array's
    /// axis, whatever the extent (a counter of `range(len(a))` indexing `a`): found by
    /// `check::counting`; codegen then emits neither the check nor the wrap.
    pub within: Vec<bool>,
    /// Per axis, the counter of the enclosing loop whose guard keeps the index in
    /// `0..extent` ([`TStmt::ForRange::guards`], [`CountingGuards`]): codegen leaves the
    /// check out of that loop's guarded copy and keeps it in the other.
    pub guarded: Vec<Option<LocalId>>,
    /// Per axis, the index as `scale * v + r` with `r` always in `0..scale` and `v` the
    /// counter of an enclosing loop whose range is not literal (`i = ti * 64 + bi * 8`,
    /// `a[i + 3]` with `bi` in `0..8`): found by `check::counting`, which turns it into a
    /// guard of `v`'s loop ([`GuardedAxis`]) when that loop can be versioned.
    pub scaled: Vec<Option<(LocalId, u64)>>,
}

/// An array axis that a versioned loop's guard tests. Every access it marks
/// ([`Place::guarded`]) has an index `scale * v + r`, with `v` the loop's counter
/// (from 0 or above, below `stop`) and `r` in `0..scale` (`scale` 1: the bare counter),
/// so the index stays in `0..extent` on every iteration when
/// `stop <= extent / scale` holds (a tile loop `for ti in range(rows // 64)` over
/// `a[ti * 64 + k]` with `k` in `0..64` tests `rows // 64 <= len(a) // 64`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuardedAxis {
    pub array: LocalId,
    pub axis: u32,
    pub scale: u64,
}

#[derive(Clone, Debug)]
pub enum TStmt {
    /// `local = value` (value already converted to the local's type).
    Assign {
        local: LocalId,
        value: TExpr,
    },
    /// `a[i, j] = value`
    Store {
        place: Place,
        value: TExpr,
    },
    /// `a[i, j] op= value`: the place is computed once (its indexes are evaluated
    /// once, before `value`, as in Python). `site` is the fault site of an integer
    /// `//=` or `%=`.
    StoreUpdate {
        place: Place,
        op: ArithOp,
        value: TExpr,
        site: Option<SiteId>,
    },
    /// An expression evaluated for its effect (a call).
    Expr(TExpr),
    If {
        cond: TExpr,
        then: Vec<TStmt>,
        orelse: Vec<TStmt>,
    },
    /// `while cond: body else: orelse`
    While {
        cond: TExpr,
        body: Vec<TStmt>,
        orelse: Vec<TStmt>,
        /// For a counting loop (`check::counting`) that can be versioned like a `range`
        /// loop: see [`CountingGuards`].
        guards: Option<Box<CountingGuards>>,
    },
    /// `for var in range(start, stop, step): body else: orelse`
    ForRange {
        var: LocalId,
        start: TExpr,
        stop: TExpr,
        step: TExpr,
        step_site: Option<SiteId>,
        body: Vec<TStmt>,
        orelse: Vec<TStmt>,
        /// Array axes whose accesses at the counter (or at `scale` times it plus less
        /// than `scale`, see [`GuardedAxis`]) are in range on every iteration when
        /// `stop <= extent / scale` holds for each (checked once before the loop): codegen
        /// emits the loop twice, a copy without those checks when all hold, and the
        /// checked loop otherwise, which faults at the iteration where it would.
        guards: Vec<GuardedAxis>,
    },
    /// `for var in prange(start, stop, step): body`: iterations that may run on several
    /// threads, in any order (see [`ParLoop`]).
    ParFor(Box<ParLoop>),
    Break,
    Continue,
    Return(Option<TExpr>),
    Label(LabelId),
    Goto(LabelId),
}

/// The guards of a counting `while v < limit:` loop, as [`TStmt::ForRange::guards`]
/// are for a `range` loop. `v` starts at 0 or above, only grows by the step at the end
/// of the body, and `limit` has the same value at every test (a literal, an extent, or
/// a local the body does not assign), so `v` stays in `0..limit` in the body: when
/// `limit <= extent / scale` holds for each [`GuardedAxis`] in `axes` (tested once
/// before the loop), the accesses it marks need no check.
#[derive(Clone, Debug)]
pub struct CountingGuards {
    pub var: LocalId,
    pub limit: TExpr,
    pub axes: Vec<GuardedAxis>,
}

/// A parallel loop. The checker (`check::races`) has shown that its iterations do not
/// interfere and sorted the locals the body touches; codegen outlines the body into a
/// function over a chunk of iterations and hands it to the runtime.
#[derive(Clone, Debug)]
pub struct ParLoop {
    pub var: LocalId,
    /// A literal `>= 0` (so the counter never indexes from the end).
    pub start: TExpr,
    pub stop: TExpr,
    /// A literal `>= 1`.
    pub step: TExpr,
    pub body: Vec<TStmt>,
    /// Locals the body reads and does not assign: passed in by value (arrays: their
    /// address and extents).
    pub captures: Vec<LocalId>,
    /// Locals the body assigns that live in one iteration (the loop variable too).
    pub privates: Vec<LocalId>,
    /// Locals the body only updates with one associative operator (`s += e`): each
    /// chunk of iterations reduces from the operator's identity, in order, and the
    /// chunks' results are combined in chunk order after the loop.
    pub reductions: Vec<(LocalId, ReduceOp)>,
    /// As [`TStmt::ForRange::guards`], per chunk: the (array, axis) pairs indexed by the
    /// bare loop variable whose checks one test before a chunk can drop (the chunk's last
    /// counter below each extent); the chunk runs a copy without them, else the checked one.
    pub guards: Vec<GuardedAxis>,
    /// `prange(..., races="allow")`: the user vouches for the body's arrays and calls.
    pub races_allowed: bool,
    /// The `prange(...)` call, for diagnostics.
    pub span: Span,
}

/// The operator of a `prange` reduction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReduceOp {
    /// `s += e`
    Add,
    /// `s -= e`: each chunk subtracts from 0 and the chunks' results are added.
    Sub,
    /// `s *= e`
    Mul,
    /// `s = min(s, e)`
    Min,
    /// `s = max(s, e)`
    Max,
    /// `s |= e`
    BitOr,
    /// `s &= e`
    BitAnd,
    /// `s ^= e`
    BitXor,
}

impl TStmt {
    /// The statement blocks nested directly in this statement (body and `else` of a
    /// loop, branches of an `if`); empty for the others.
    pub fn blocks(&self) -> [&[TStmt]; 2] {
        match self {
            TStmt::If { then, orelse, .. } => [then, orelse],
            TStmt::While { body, orelse, .. } | TStmt::ForRange { body, orelse, .. } => {
                [body, orelse]
            }
            TStmt::ParFor(p) => [&p.body, &[]],
            TStmt::Assign { .. }
            | TStmt::Store { .. }
            | TStmt::StoreUpdate { .. }
            | TStmt::Expr(_)
            | TStmt::Break
            | TStmt::Continue
            | TStmt::Return(_)
            | TStmt::Label(_)
            | TStmt::Goto(_) => [&[], &[]],
        }
    }

    /// Statements in `stmts`, nested ones included: a kernel's size, which LLVM's
    /// compile time follows.
    ///
    /// ```
    /// use msp_core::check::hir::TStmt;
    /// let p = msp_core::driver::Compiler::new()
    ///     .check_source("k.py", "@compile\ndef f(n: int) -> int:\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n")
    ///     .unwrap();
    /// // `s = 0`, the loop, the `+=` in it and the `return`.
    /// assert_eq!(TStmt::count(&p.checked.kernels[0].body), 4);
    /// ```
    pub fn count(stmts: &[TStmt]) -> usize {
        stmts
            .iter()
            .map(|s| 1 + s.blocks().iter().map(|b| TStmt::count(b)).sum::<usize>())
            .sum()
    }
}

#[derive(Clone, Debug)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Scalar,
    pub span: Span,
}

impl TExpr {
    /// Whether this expression, or one nested in it, reads `local`.
    pub fn reads_local(&self, local: LocalId) -> bool {
        let mut found = false;
        self.visit(&mut |x| found |= matches!(x.kind, TExprKind::Local(l) if l == local));
        found
    }

    /// Calls `f` on this expression and every expression nested in it, parents first.
    pub fn visit(&self, f: &mut dyn FnMut(&TExpr)) {
        f(self);
        match &self.kind {
            TExprKind::Load(p) => p.indices.iter().for_each(|i| i.visit(f)),
            TExprKind::Arith { left, right, .. } => {
                left.visit(f);
                right.visit(f);
            }
            TExprKind::PowInt { base: x, .. }
            | TExprKind::Neg(x)
            | TExprKind::Invert(x)
            | TExprKind::Not(x)
            | TExprKind::Truthy(x)
            | TExprKind::Cast(x) => x.visit(f),
            TExprKind::Compare { operands: xs, .. }
            | TExprKind::BoolOp { values: xs, .. }
            | TExprKind::Intrinsic { args: xs, .. } => xs.iter().for_each(|x| x.visit(f)),
            TExprKind::IfExp { cond, then, orelse } => {
                cond.visit(f);
                then.visit(f);
                orelse.visit(f);
            }
            TExprKind::Call { args, .. } => args.iter().for_each(|a| {
                if let Arg::Scalar(x) = a {
                    x.visit(f)
                }
            }),
            TExprKind::Int(_)
            | TExprKind::Float(_)
            | TExprKind::Bool(_)
            | TExprKind::Local(_)
            | TExprKind::Extent { .. } => {}
        }
    }

    /// Calls `f` on every expression nested in this one (array indexes and scalar call
    /// arguments included) and then on this one: children before parents.
    pub fn visit_mut(&mut self, f: &mut dyn FnMut(&mut TExpr)) {
        match &mut self.kind {
            TExprKind::Load(p) => p.indices.iter_mut().for_each(|i| i.visit_mut(f)),
            TExprKind::Arith { left, right, .. } => {
                left.visit_mut(f);
                right.visit_mut(f);
            }
            TExprKind::PowInt { base: x, .. }
            | TExprKind::Neg(x)
            | TExprKind::Invert(x)
            | TExprKind::Not(x)
            | TExprKind::Truthy(x)
            | TExprKind::Cast(x) => x.visit_mut(f),
            TExprKind::Compare { operands: xs, .. }
            | TExprKind::BoolOp { values: xs, .. }
            | TExprKind::Intrinsic { args: xs, .. } => xs.iter_mut().for_each(|x| x.visit_mut(f)),
            TExprKind::IfExp { cond, then, orelse } => {
                cond.visit_mut(f);
                then.visit_mut(f);
                orelse.visit_mut(f);
            }
            TExprKind::Call { args, .. } => args.iter_mut().for_each(|a| {
                if let Arg::Scalar(x) = a {
                    x.visit_mut(f)
                }
            }),
            TExprKind::Int(_)
            | TExprKind::Float(_)
            | TExprKind::Bool(_)
            | TExprKind::Local(_)
            | TExprKind::Extent { .. } => {}
        }
        f(self);
    }
}

/// Arithmetic after type resolution; both operands already have the result type
/// (shifts: the right operand may have another integer type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    /// An integer `v + 1` that cannot wrap: `v` is the counter of a loop that only runs
    /// while `v` is below some value of its type (see `check::counting`).
    AddNoWrap,
    Sub,
    Mul,
    /// True division of floats.
    FDiv,
    /// Floor division; ints carry a fault site for division by zero.
    FloorDiv,
    /// Python's modulo (sign of the divisor).
    Mod,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
}

impl ArithOp {
    pub fn from_binop(op: BinOp) -> Option<ArithOp> {
        Some(match op {
            BinOp::Add => ArithOp::Add,
            BinOp::Sub => ArithOp::Sub,
            BinOp::Mul => ArithOp::Mul,
            BinOp::Div => ArithOp::FDiv,
            BinOp::FloorDiv => ArithOp::FloorDiv,
            BinOp::Mod => ArithOp::Mod,
            BinOp::LShift => ArithOp::LShift,
            BinOp::RShift => ArithOp::RShift,
            BinOp::BitAnd => ArithOp::BitAnd,
            BinOp::BitOr => ArithOp::BitOr,
            BinOp::BitXor => ArithOp::BitXor,
            BinOp::Pow | BinOp::MatMul => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intrinsic {
    Abs,
    Min,
    Max,
    Sqrt,
    Exp,
    Log,
    Log2,
    Log10,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Pow,
    Floor,
    Ceil,
    Trunc,
    RoundEven,
    Fabs,
    CopySign,
    Hypot,
    Fmod,
    IsNan,
    IsInf,
}

#[derive(Clone, Debug)]
pub enum Callee {
    Kernel(usize),
    Extern(usize),
}

#[derive(Clone, Debug)]
pub enum Arg {
    Scalar(TExpr),
    Array(LocalId),
}

#[derive(Clone, Debug)]
pub enum TExprKind {
    Int(i128),
    Float(f64),
    Bool(bool),
    Local(LocalId),
    /// The extent of a `:` axis of an array parameter (`len(a)`, `a.shape[k]`), an `i64`.
    Extent {
        array: LocalId,
        axis: u32,
    },
    Load(Box<Place>),
    Arith {
        op: ArithOp,
        left: Box<TExpr>,
        right: Box<TExpr>,
        site: Option<SiteId>,
    },
    /// `base ** exp` with a constant integer exponent (negative only for floats).
    PowInt {
        base: Box<TExpr>,
        exp: i64,
    },
    Neg(Box<TExpr>),
    Invert(Box<TExpr>),
    /// `not x`: truthiness inverted.
    Not(Box<TExpr>),
    /// Truthiness of a scalar as a bool.
    Truthy(Box<TExpr>),
    /// `a < b <= c ...`: each operand evaluated once, short-circuiting; operands of one
    /// comparison share the type given alongside.
    Compare {
        operands: Vec<TExpr>,
        ops: Vec<(CmpOp, Scalar)>,
    },
    /// `and` / `or` with Python's value semantics: all operands have the result type.
    BoolOp {
        and: bool,
        values: Vec<TExpr>,
    },
    IfExp {
        cond: Box<TExpr>,
        then: Box<TExpr>,
        orelse: Box<TExpr>,
    },
    Cast(Box<TExpr>),
    Call {
        callee: Callee,
        args: Vec<Arg>,
        ret: Type,
    },
    Intrinsic {
        op: Intrinsic,
        args: Vec<TExpr>,
    },
}
