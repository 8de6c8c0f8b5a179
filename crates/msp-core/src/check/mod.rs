//! Type checking: [`StagedModule`] → [`CheckedModule`].
//!
//! Resolves annotations (array extents may name stage-0 constants), gives every local the
//! type of its first assignment or annotation, types literals from their context, and
//! records every run-time fault site. Errors accumulate: one run reports every kernel's
//! problems, each with a span (and, for generated code, the quote/splice chain).

mod body;
mod consts;
pub(crate) mod counting;
mod expr;
mod flow;
pub mod hir;
mod races;
mod stack;
pub use stack::frame_bytes;
pub mod types;

use std::collections::{BTreeMap, HashMap};

use crate::ast::{Expr, ExprKind, ParamKind};
use crate::diag::Diagnostic;
use crate::source::{SourceMap, Span};
use crate::staged::{ConstValue, KernelDef, StagedModule};

use consts::Lit;
pub use hir::{CheckedModule, ExternSig, FaultKind, FaultSite, KernelSig, TypedKernel};
pub use types::{ArrayType, Extent, Scalar, Type};

/// Errors found while checking; there is at least one.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{}", .diagnostics.first().map_or("type error", |d| d.message.as_str()))]
pub struct CheckError {
    pub diagnostics: Vec<Diagnostic>,
}

/// Options that change what the checker produces.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckOptions {
    /// Leave out run-time index and division checks unless a kernel asks for them.
    pub unchecked: bool,
}

/// Stack left before a recursive step grows the stack, and how much it adds: generated
/// kernels can nest thousands of levels deep.
pub(crate) const RED_ZONE: usize = 128 * 1024;
pub(crate) const STACK_GROWTH: usize = 4 * 1024 * 1024;
/// The stack each checking and lowering pass runs on (reserved, touched only as used).
pub(crate) const PASS_STACK: usize = 256 * 1024 * 1024;

/// Arrays larger than this many bytes are refused: extents come from generators and
/// defines, and a typo should not become a multi-terabyte length check.
pub const MAX_ARRAY_BYTES: u64 = 1 << 40;

/// Local (non-parameter) arrays live on the stack of the thread that calls the kernel:
/// all of one kernel's together may take at most this many bytes. Kernels may run on
/// Rust's 2 MiB spawned-thread stacks, and half of one leaves room for the caller and
/// the kernel's own calls; larger arrays belong in the caller's memory, as parameters.
pub const MAX_LOCAL_ARRAY_BYTES: u64 = 1 << 20;

/// Type-checks every kernel of a staged module.
pub fn check_module(
    map: &SourceMap,
    staged: &StagedModule,
    opts: &CheckOptions,
) -> Result<CheckedModule, CheckError> {
    let _ = map;
    // One generous stack for all the recursive walks over (possibly generated, deeply
    // nested) kernels; the hottest recursions also grow on demand.
    stacker::grow(PASS_STACK, || check_all(staged, opts))
}

fn check_all(staged: &StagedModule, opts: &CheckOptions) -> Result<CheckedModule, CheckError> {
    let mut diags = Vec::new();
    let mut names: HashMap<&str, Span> = HashMap::new();

    let mut externs = Vec::new();
    for ext in &staged.externs {
        if let Some(prev) = names.insert(&ext.name.name, ext.name.span) {
            if externs.iter().any(|e: &ExternSig| e.name == ext.name.name) {
                continue; // the same stub listed by two kernels' `external=`
            }
            diags.push(duplicate(&ext.name.name, ext.name.span, prev));
            continue;
        }
        let empty = BTreeMap::new();
        let params: Vec<_> = ext
            .params
            .iter()
            .filter_map(|p| match resolve_param(p, &empty) {
                Ok(Type::Scalar(s)) => Some(s),
                Ok(other) => {
                    diags.push(Diagnostic::error(
                        p.span,
                        format!("an extern parameter must be a scalar, not `{other}`"),
                    ));
                    None
                }
                Err(d) => {
                    diags.push(d);
                    None
                }
            })
            .collect();
        let ret = match resolve_return(ext.returns.as_ref(), ext.name.span, &empty) {
            Ok(Type::Array(_)) => {
                diags.push(Diagnostic::error(
                    ext.span,
                    "an extern cannot return an array",
                ));
                continue;
            }
            Ok(t) => t,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        externs.push(ExternSig {
            name: ext.name.name.clone(),
            params,
            ret,
            span: ext.name.span,
        });
    }

    let mut sigs = Vec::new();
    for k in &staged.kernels {
        if let Some(prev) = names.insert(&k.name.name, k.name.span) {
            diags.push(duplicate(&k.name.name, k.name.span, prev));
        }
        match kernel_sig(k) {
            Ok(sig) => sigs.push(sig),
            Err(mut ds) => {
                diags.append(&mut ds);
                sigs.push(KernelSig {
                    name: k.name.name.clone(),
                    params: Vec::new(),
                    ret: Type::None,
                    writes: Vec::new(),
                });
            }
        }
    }
    if !diags.is_empty() {
        return Err(CheckError { diagnostics: diags });
    }

    let mut fault_sites = Vec::new();
    let mut kernels = Vec::new();
    for (k, sig) in staged.kernels.iter().zip(&sigs) {
        let ctx = body::ModuleCtx {
            kernels: &sigs,
            externs: &externs,
        };
        match body::check_kernel(&ctx, k, sig.clone(), opts, &mut fault_sites) {
            Ok(tk) => kernels.push(tk),
            Err(mut ds) => diags.append(&mut ds),
        }
    }
    if !diags.is_empty() {
        return Err(CheckError { diagnostics: diags });
    }
    mark_writes(&mut kernels);
    let overlaps = refuse_written_overlaps(&mut kernels);
    if !overlaps.is_empty() {
        return Err(CheckError {
            diagnostics: overlaps,
        });
    }
    let writes: Vec<Vec<bool>> = kernels.iter().map(|k| k.sig.writes.clone()).collect();
    let kernel_names: Vec<String> = kernels.iter().map(|k| k.sig.name.clone()).collect();
    let extern_names: Vec<String> = externs.iter().map(|x| x.name.clone()).collect();
    let races: Vec<Diagnostic> = kernels
        .iter_mut()
        .flat_map(|k| races::check_parallel_loops(k, &writes, &kernel_names, &extern_names))
        .collect();
    if !races.is_empty() {
        return Err(CheckError { diagnostics: races });
    }
    kernels.iter_mut().for_each(counting::mark_counting_loops);
    stack::mark_callees(&mut kernels);
    stack::mark_stack_checks(&mut kernels, &mut fault_sites);
    Ok(CheckedModule {
        kernels,
        externs,
        fault_sites,
    })
}

/// Finds which array parameters each kernel may write, through calls too (a fixpoint:
/// recursion means a callee's answer can depend on the caller's).
fn mark_writes(kernels: &mut [TypedKernel]) {
    use hir::{Arg, Callee, TExpr, TExprKind, TStmt};
    // (callee, param, local) for each array local passed to a kernel inside `e`.
    fn expr_calls(e: &mut TExpr, out: &mut Vec<(usize, usize, u32)>) {
        e.visit_mut(&mut |x| {
            if let TExprKind::Call {
                callee: Callee::Kernel(k),
                args,
                ..
            } = &x.kind
            {
                for (j, a) in args.iter().enumerate() {
                    if let Arg::Array(id) = a {
                        out.push((*k, j, id.0));
                    }
                }
            }
        });
    }
    // Per kernel: locals stored to directly, and (callee, param, local) array passes.
    fn walk(stmts: &mut [TStmt], stores: &mut Vec<u32>, calls: &mut Vec<(usize, usize, u32)>) {
        for s in stmts {
            match s {
                TStmt::Store { place, value } | TStmt::StoreUpdate { place, value, .. } => {
                    stores.push(place.array.0);
                    place.indices.iter_mut().for_each(|i| expr_calls(i, calls));
                    expr_calls(value, calls);
                }
                TStmt::Assign { value: e, .. } | TStmt::Expr(e) | TStmt::Return(Some(e)) => {
                    expr_calls(e, calls)
                }
                TStmt::If { cond, then, orelse }
                | TStmt::While {
                    cond,
                    body: then,
                    orelse,
                    ..
                } => {
                    expr_calls(cond, calls);
                    walk(then, stores, calls);
                    walk(orelse, stores, calls);
                }
                TStmt::ForRange {
                    start,
                    stop,
                    step,
                    body,
                    orelse,
                    ..
                } => {
                    for e in [start, stop, step] {
                        expr_calls(e, calls);
                    }
                    walk(body, stores, calls);
                    walk(orelse, stores, calls);
                }
                TStmt::ParFor(p) => {
                    for e in [&mut p.start, &mut p.stop, &mut p.step] {
                        expr_calls(e, calls);
                    }
                    walk(&mut p.body, stores, calls);
                }
                TStmt::Break
                | TStmt::Continue
                | TStmt::Return(None)
                | TStmt::Label(_)
                | TStmt::Goto(_) => {}
            }
        }
    }
    // Per kernel: array locals stored to, and (callee, param, local) array passes.
    type Facts = (Vec<u32>, Vec<(usize, usize, u32)>);
    let facts: Vec<Facts> = kernels
        .iter_mut()
        .map(|k| {
            let (mut stores, mut calls) = (Vec::new(), Vec::new());
            walk(&mut k.body, &mut stores, &mut calls);
            (stores, calls)
        })
        .collect();
    let mut writes: Vec<Vec<bool>> = kernels
        .iter()
        .map(|k| vec![false; k.sig.params.len()])
        .collect();
    loop {
        let mut changed = false;
        for (ki, (stores, calls)) in facts.iter().enumerate() {
            for p in 0..writes[ki].len() {
                if writes[ki][p] {
                    continue;
                }
                let direct = stores.contains(&(p as u32));
                let via = calls.iter().any(|&(callee, j, local)| {
                    local == p as u32 && writes[callee].get(j).copied().unwrap_or(false)
                });
                if direct || via {
                    writes[ki][p] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (k, w) in kernels.iter_mut().zip(writes) {
        k.sig.writes = w;
    }
}

/// Calls that pass one array for two parameters of which the callee (or a kernel it
/// calls) writes one. Overlapping arrays that are only read are harmless, and LLVM's
/// `noalias` on them stays sound: it forbids a write through one and an access through
/// another, and there is no write.
fn refuse_written_overlaps(kernels: &mut [TypedKernel]) -> Vec<Diagnostic> {
    use hir::{Arg, Callee, TExprKind};
    let writes: Vec<Vec<bool>> = kernels.iter().map(|k| k.sig.writes.clone()).collect();
    let names: Vec<Vec<String>> = kernels
        .iter()
        .map(|k| k.sig.params.iter().map(|(n, _)| n.clone()).collect())
        .collect();
    let kernel_names: Vec<String> = kernels.iter().map(|k| k.sig.name.clone()).collect();
    let mut diags = Vec::new();
    for k in kernels.iter_mut() {
        let locals: Vec<String> = k.locals.iter().map(|l| l.name.clone()).collect();
        for s in &mut k.body {
            counting::stmt_exprs(s, &mut |e| {
                let TExprKind::Call {
                    callee: Callee::Kernel(c),
                    args,
                    ..
                } = &e.kind
                else {
                    return;
                };
                let arrays: Vec<(usize, u32)> = args
                    .iter()
                    .enumerate()
                    .filter_map(|(j, a)| match a {
                        Arg::Array(id) => Some((j, id.0)),
                        Arg::Scalar(_) => None,
                    })
                    .collect();
                for (n, &(j, id)) in arrays.iter().enumerate() {
                    for &(m, other) in &arrays[n + 1..] {
                        let written = [j, m].into_iter().find(|&p| writes[*c][p]);
                        if other != id {
                            continue;
                        }
                        if let Some(w) = written {
                            let (pj, pm) = (&names[*c][j], &names[*c][m]);
                            diags.push(
                                Diagnostic::error(
                                    e.span,
                                    format!(
                                        "the array `{}` is passed as both `{pj}` and `{pm}` to `{}`, which writes `{}`",
                                        locals[id as usize], kernel_names[*c], names[*c][w]
                                    ),
                                )
                                .with_note("an array a kernel writes must not overlap its other parameters; copy it into a local array first"),
                            );
                        }
                    }
                }
            });
        }
    }
    diags
}

fn duplicate(name: &str, span: Span, prev: Span) -> Diagnostic {
    Diagnostic::error(span, format!("`{name}` is defined twice"))
        .with_secondary(prev, "first defined here")
}

fn kernel_sig(k: &KernelDef) -> Result<KernelSig, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut params = Vec::new();
    for p in &k.params {
        match resolve_param(p, &k.consts) {
            Ok(t) => params.push((p.name.name.clone(), t)),
            Err(d) => diags.push(d),
        }
    }
    let ret = match resolve_return(k.returns.as_ref(), k.name.span, &k.consts) {
        Ok(Type::Array(_)) => {
            diags.push(Diagnostic::error(
                k.returns.as_ref().map_or(k.span, |r| r.span),
                "a kernel cannot return an array; write into an array parameter instead",
            ));
            Type::None
        }
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            Type::None
        }
    };
    let writes = vec![false; params.len()];
    if diags.is_empty() {
        Ok(KernelSig {
            name: k.name.name.clone(),
            params,
            ret,
            writes,
        })
    } else {
        Err(diags)
    }
}

fn resolve_param(
    p: &crate::ast::Param,
    consts: &BTreeMap<String, ConstValue>,
) -> Result<Type, Diagnostic> {
    if p.kind != ParamKind::Normal || p.default.is_some() {
        return Err(Diagnostic::error(
            p.span,
            "kernel parameters are plain positional parameters (no defaults, `*args` or keywords)",
        ));
    }
    let Some(ann) = &p.annotation else {
        return Err(Diagnostic::error(
            p.span,
            format!("parameter `{}` needs a type annotation", p.name.name),
        )
        .with_label("missing annotation")
        .with_note("write e.g. `x: int`, `y: f64` or `a: Float[4][4]`"));
    };
    let t = resolve_type(ann, consts)?;
    if t == Type::None {
        return Err(Diagnostic::error(
            ann.span,
            "a parameter cannot have type `None`",
        ));
    }
    Ok(t)
}

fn resolve_return(
    ret: Option<&Expr>,
    name_span: Span,
    consts: &BTreeMap<String, ConstValue>,
) -> Result<Type, Diagnostic> {
    match ret {
        Some(r) => resolve_type(r, consts),
        None => Err(Diagnostic::error(
            name_span,
            "the return type needs an annotation (`-> int`, `-> None`, ...)",
        )
        .with_label("missing return annotation")),
    }
}

/// Resolves a type annotation: a scalar name, `None`, or an array constructor with
/// compile-time extents (`Float[n][n]`, `I64[3, 4]`).
pub fn resolve_type(e: &Expr, consts: &BTreeMap<String, ConstValue>) -> Result<Type, Diagnostic> {
    match &e.kind {
        ExprKind::NoneLit => Ok(Type::None),
        ExprKind::Name(n) if n == "None" => Ok(Type::None),
        ExprKind::Name(n) => match Scalar::from_annotation(n) {
            Some(s) => Ok(Type::Scalar(s)),
            None if Scalar::from_array_constructor(n).is_some() => {
                Err(Diagnostic::error(e.span, format!("`{n}` needs extents, e.g. `{n}[4]`")))
            }
            None => Err(Diagnostic::error(e.span, format!("unknown type `{n}`"))
                .with_note("kernel types: int, float, bool, None, i8..i64, u8..u64, f32, f64, and arrays like Int[3][3]")),
        },
        ExprKind::Attribute { attr, .. } => resolve_type(&Expr::new(ExprKind::Name(attr.name.clone()), e.span), consts),
        ExprKind::Str(s) => {
            // A string annotation (`x: "int"`): only plain names are accepted this way.
            resolve_type(&Expr::new(ExprKind::Name(s.clone()), e.span), consts)
        }
        ExprKind::Subscript { .. } => {
            let mut dims = Vec::new();
            let mut cur = e;
            let mut extents = Vec::new();
            while let ExprKind::Subscript { value, index } = &cur.kind {
                match &index.kind {
                    ExprKind::Tuple(items) => drop(extents.splice(0..0, items.iter())),
                    _ => extents.insert(0, &**index),
                }
                cur = value;
            }
            let name = match &cur.kind {
                ExprKind::Name(n) => n.as_str(),
                ExprKind::Attribute { attr, .. } => attr.name.as_str(),
                _ => return Err(Diagnostic::error(cur.span, "expected an array constructor such as `Int` or `F64`")),
            };
            let Some(elem) = Scalar::from_array_constructor(name) else {
                return Err(Diagnostic::error(cur.span, format!("unknown array element type `{name}`"))
                    .with_note("array constructors: Int, Float, Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64"));
            };
            for x in extents {
                // `:` (a slice with no bounds): the caller passes the extent.
                if let ExprKind::Slice { lower: None, upper: None, step: None } = &x.kind {
                    dims.push(Extent::Runtime);
                    continue;
                }
                let v = match consts::eval(x, consts) {
                    Ok(Some(Lit::Int(v))) => v,
                    Ok(_) => {
                        return Err(Diagnostic::error(x.span, "an array extent must be an integer known at compile time, or `:`")
                            .with_note("use a literal or a stage-0 global holding an int; `:` means the caller passes it (`F32[:]`)"));
                    }
                    Err(d) => return Err(d),
                };
                if v <= 0 {
                    return Err(Diagnostic::error(x.span, format!("an array extent must be positive, not {v}"))
                        .with_note("write `:` for an extent known only when the kernel is called"));
                }
                dims.push(Extent::Fixed(u64::try_from(v).unwrap_or(u64::MAX)));
            }
            let arr = ArrayType { elem, dims };
            // The fixed part alone must fit; run-time extents are checked at the call.
            match arr.fixed_product().and_then(|n| n.checked_mul(elem.size())) {
                Some(bytes) if bytes <= MAX_ARRAY_BYTES => Ok(Type::Array(arr)),
                _ => Err(Diagnostic::error(e.span, format!("array `{arr}` is too large (limit {MAX_ARRAY_BYTES} bytes)"))),
            }
        }
        _ => Err(Diagnostic::error(e.span, "not a type")),
    }
}
