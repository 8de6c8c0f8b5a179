//! The seam between stage 0 and the kernel compiler: what staging hands to the checker.
//!
//! A [`StagedModule`] holds kernels whose bodies are plain kernel-language ASTs: every
//! `splice(...)` has been replaced by the code it produced, every cross-stage name lifted.
//! The checker never sees a stage-0 value; scalar globals a kernel reads arrive as
//! [`ConstValue`]s in [`KernelDef::consts`].

use std::collections::BTreeMap;

use crate::ast::{Expr, Ident, Param, Stmt};
use crate::source::Span;

/// A module after stage 0: its kernels and extern declarations, in source order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StagedModule {
    pub kernels: Vec<KernelDef>,
    pub externs: Vec<ExternDecl>,
}

/// One `@compile` function after staging.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelDef {
    pub name: Ident,
    pub params: Vec<Param>,
    pub returns: Option<Expr>,
    /// The body with all splices done; no `q`/`splice` calls remain.
    pub body: Vec<Stmt>,
    /// Stage-0 globals holding scalars that the kernel (body or annotations) names, with
    /// the values they had when the kernel was staged. They behave as literals.
    pub consts: BTreeMap<String, ConstValue>,
    /// Stage-0 globals the kernel names that hold something other than a scalar, with
    /// the stage-0 type name, so the checker can explain why they cannot be used.
    pub opaque_globals: BTreeMap<String, String>,
    pub options: KernelOptions,
    /// The `def` statement.
    pub span: Span,
}

/// A C function the kernels may call: `@extern def putchar(c: int) -> int: ...`, or a
/// stub listed in the seed spelling's `external={...}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExternDecl {
    pub name: Ident,
    pub params: Vec<Param>,
    pub returns: Option<Expr>,
    pub span: Span,
}

/// Options given on a kernel's decorator (`@gen.compile(debug=True)`, `@compile(unchecked=True)`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KernelOptions {
    /// `None`: use the compilation's default.
    pub unchecked: Option<bool>,
    /// Print unoptimized and optimized IR (the seed's `debug=True`).
    pub debug: bool,
    /// Report compile time per phase (the seed's `add_time=`).
    pub add_time: bool,
    /// `inline=False`: keep the kernel out of line (LLVM's `noinline`), so a generator
    /// that splits long code into several kernels keeps each one a function of its own.
    pub noinline: bool,
    /// `fast_compile=True|False`: the JIT compiles this kernel for time to result, or
    /// fully optimized, whatever `Compiler::fast_compile` says for the rest; `None`:
    /// as the compilation says.
    pub fast_compile: Option<bool>,
    /// `name="..."`: the kernel's name, instead of the `def`'s (a generator that stages
    /// one kernel per piece of code names each one, e.g. with `gensym`). The `def`'s own
    /// name is bound at stage 0 to the kernel.
    pub name: Option<String>,
}

/// A compile-time scalar: a frozen global, a lifted stage-0 value or a define.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ConstValue {
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// A value given to stage 0 from outside (`--define name=value`, `Compiler::define`).
#[derive(Clone, Debug, PartialEq)]
pub enum DefineValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    List(Vec<DefineValue>),
}

macro_rules! define_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for DefineValue {
            fn from(x: $t) -> Self { DefineValue::$v(x.into()) }
        }
    )*};
}
define_from!(i64 => Int, i32 => Int, u32 => Int, f64 => Float, f32 => Float, bool => Bool, String => Str, &str => Str);

impl<T: Into<DefineValue>> From<Vec<T>> for DefineValue {
    fn from(v: Vec<T>) -> Self {
        DefineValue::List(v.into_iter().map(Into::into).collect())
    }
}
