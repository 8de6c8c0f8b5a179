//! Trust tests in one binary (each LLVM-linking test binary costs a long link):
//! - a fixed-seed differential run of generated kernels against CPython, and of stage-0
//!   programs (skipped with a message when python3 is absent);
//! - load: thousands of JIT modules compiled and dropped keep resident memory bounded;
//!   modules compiled and called on several threads agree with serial runs;
//! - limits: a generator of a million statements and one that allocates without bound
//!   stop with clear errors;
//! - the Rust API's doors: wrong signatures, slice lengths, unknown kernels, bad
//!   defines and dynamic arguments give errors, never panics.

use std::time::Duration;

use msp_core::check::hir::{ArithOp, Place, ReduceOp, TExpr, TExprKind, TStmt};
use msp_core::driver::Compiler;
use msp_core::jit::{CallArg, CallError, ScalarValue, SignatureError};
use msp_core::stage::Limits;
use msp_difftest::ast::{CountLimit, Expr, Input, Param, Red, Stmt};
use msp_difftest::campaign::{self, Options};
use msp_difftest::{Config, kgen, render, run, shrink, stage0};

fn python_or_skip(what: &str) -> bool {
    if run::python_available() {
        return true;
    }
    eprintln!(
        "skipping {what}: python3 is not available (set MSP_PYTHON to use another interpreter)"
    );
    false
}

#[test]
fn generated_kernels_agree_with_cpython() {
    if !python_or_skip("the kernel differential run") {
        return;
    }
    let opts = Options {
        programs: 200,
        seed: 20_240_601,
        batch: 50,
        shrink: true,
        shrink_budget: Duration::from_secs(30),
        ..Options::default()
    };
    let mut log = Vec::new();
    // Every construct: the bugs `Config::avoid_known` steps around are all fixed.
    let report = campaign::run(&Config::everything(), &opts, |m| log.push(m.to_string()));
    assert!(
        report.infra_errors.is_empty(),
        "python runs failed: {:?}",
        report.infra_errors
    );
    assert_eq!(report.programs, 200);
    assert!(
        report.failures.is_empty(),
        "{} mismatches:\n{}",
        report.failures.len(),
        log.join("\n")
    );
    // Kernels over `:` arrays: some input sets pass empty arrays, and some faults come
    // after the kernel wrote an array argument (the arrays were compared as left then).
    eprintln!(
        "{} input sets returned, {} faulted ({} after writing an array), {} with an empty array; {} programs with a prange",
        report.returned,
        report.faulted,
        report.faulted_after_writes,
        report.empty_arrays,
        report.prange_programs
    );
    assert!(
        report.faulted_after_writes >= 20 && report.empty_arrays >= 20,
        "{} faults after writes, {} empty",
        report.faulted_after_writes,
        report.empty_arrays
    );
    // `prange` loops, each program's on 1, 2 and 7 threads against one chunked model.
    assert!(
        report.prange_programs >= 60,
        "{} programs with a prange",
        report.prange_programs
    );
}

/// Counting loops among `stmts` (the generator's tree), and how many of them are near
/// misses by `<=` or statements after the step.
fn counting_loops(stmts: &[Stmt], loops: &mut usize, near: &mut usize) {
    for s in stmts {
        if let Stmt::CountWhile { le, tail, .. } = s {
            *loops += 1;
            *near += usize::from(*le || !tail.is_empty());
        }
        for b in s.blocks() {
            counting_loops(b, loops, near);
        }
    }
}

/// What msp's checker made of counting loops in `stmts`: loops whose step is marked
/// no-wrap, and array accesses with an axis of known bounds (top-level statements).
fn trusted(stmts: &[TStmt], steps: &mut usize, known: &mut usize) {
    for s in stmts {
        match s {
            TStmt::While { body, orelse, .. } => {
                if let Some(TStmt::Assign { value, .. }) = body.last()
                    && let TExprKind::Arith {
                        op: ArithOp::AddNoWrap,
                        ..
                    } = value.kind
                {
                    *steps += 1;
                }
                trusted(body, steps, known);
                trusted(orelse, steps, known);
            }
            TStmt::ForRange { body, orelse, .. } => {
                trusted(body, steps, known);
                trusted(orelse, steps, known);
            }
            TStmt::If { then, orelse, .. } => {
                trusted(then, steps, known);
                trusted(orelse, steps, known);
            }
            TStmt::Store { place, .. } | TStmt::StoreUpdate { place, .. } => {
                *known += place.known.iter().filter(|k| k.is_some()).count();
            }
            _ => {}
        }
    }
}

/// The generator keeps making counting loops in the shape msp trusts (and near misses),
/// msp's checker does trust them (no-wrap steps, indexes of known bounds), and every
/// program passes the shrinker's rules (loops stay short, no `continue` skips a step).
#[test]
fn generated_counting_loops_reach_the_counting_pass() {
    let cfg = Config::everything();
    let (mut loops, mut near, mut steps, mut known) = (0, 0, 0, 0);
    for i in 0..400 {
        let p = kgen::program(campaign::program_seed(3, i), &cfg);
        let src = render::kernel_source(&p);
        assert!(shrink::well_formed(&p), "not well formed:\n{src}");
        for f in &p.funcs {
            counting_loops(&f.body, &mut loops, &mut near);
        }
        let checked = Compiler::new()
            .check_source("gen.py", &src)
            .unwrap_or_else(|e| panic!("{}\n{src}", e.rendered));
        for k in &checked.checked.kernels {
            trusted(&k.body, &mut steps, &mut known);
        }
    }
    eprintln!(
        "400 programs: {loops} counting loops, {near} near misses; msp: {steps} no-wrap steps, {known} known index axes in stores"
    );
    assert!(
        loops >= 100 && near >= 10,
        "{loops} counting loops, {near} near misses"
    );
    assert!(
        steps >= 50 && known >= 20,
        "{steps} no-wrap steps, {known} known axes"
    );
}

/// Run-time extents in the generator's tree: `:` axes of parameters, `len`/`.shape`
/// uses, `for` loops over `range(...)` up to one, and `while` loops up to one.
#[derive(Debug, Default)]
struct ExtentUse {
    runtime_params: usize,
    lens: usize,
    shapes: usize,
    extent_fors: usize,
    extent_whiles: usize,
}

fn extent_exprs(e: &Expr, u: &mut ExtentUse) {
    if let Expr::Len { shape, .. } = e {
        if *shape {
            u.shapes += 1;
        } else {
            u.lens += 1;
        }
    }
    for c in e.children() {
        extent_exprs(c, u);
    }
}

fn extent_uses(stmts: &[Stmt], u: &mut ExtentUse) {
    for s in stmts {
        let mut s = s.clone();
        match &s {
            Stmt::For { args, .. } if args.iter().any(|a| matches!(a, Expr::Len { .. })) => {
                u.extent_fors += 1
            }
            Stmt::CountWhile {
                limit: CountLimit::Extent(e),
                ..
            } => {
                u.extent_whiles += 1;
                extent_exprs(e, u);
            }
            _ => {}
        }
        for e in s.exprs_mut() {
            extent_exprs(e, u);
        }
        for b in s.blocks() {
            extent_uses(b, u);
        }
    }
}

/// What msp's checker made of them: extents read at run time, accesses it proved
/// within their axis (no check), guarded accesses and the loops versioned for them,
/// and counting loops up to an extent (no-wrap step).
#[derive(Debug, Default)]
struct ExtentFacts {
    extents: usize,
    within: usize,
    guarded: usize,
    versioned_loops: usize,
    versioned_whiles: usize,
    extent_counting_loops: usize,
}

fn place_facts(p: &Place, f: &mut ExtentFacts) {
    f.within += p.within.iter().filter(|w| **w).count();
    f.guarded += p.guarded.iter().filter(|g| g.is_some()).count();
}

fn expr_facts(e: &TExpr, f: &mut ExtentFacts) {
    let mut e = e.clone();
    e.visit_mut(&mut |x| match &x.kind {
        TExprKind::Extent { .. } => f.extents += 1,
        TExprKind::Load(p) => place_facts(p, f),
        _ => {}
    });
}

fn extent_facts(stmts: &[TStmt], f: &mut ExtentFacts) {
    for s in stmts {
        match s {
            TStmt::Assign { value, .. } | TStmt::Expr(value) | TStmt::Return(Some(value)) => {
                expr_facts(value, f)
            }
            TStmt::Return(None) | TStmt::Break | TStmt::Continue => {}
            TStmt::Label(_) | TStmt::Goto(_) => {}
            TStmt::Store { place, value } | TStmt::StoreUpdate { place, value, .. } => {
                place_facts(place, f);
                place.indices.iter().for_each(|i| expr_facts(i, f));
                expr_facts(value, f);
            }
            TStmt::If { cond, then, orelse } => {
                expr_facts(cond, f);
                extent_facts(then, f);
                extent_facts(orelse, f);
            }
            TStmt::While {
                cond,
                body,
                orelse,
                guards,
            } => {
                expr_facts(cond, f);
                f.versioned_whiles +=
                    usize::from(guards.as_ref().is_some_and(|g| !g.axes.is_empty()));
                let up_to_extent = matches!(&cond.kind, TExprKind::Compare { operands, .. }
                    if operands.iter().any(|o| matches!(o.kind, TExprKind::Extent { .. })));
                if up_to_extent
                    && let Some(TStmt::Assign { value, .. }) = body.last()
                    && let TExprKind::Arith {
                        op: ArithOp::AddNoWrap,
                        ..
                    } = value.kind
                {
                    f.extent_counting_loops += 1;
                }
                extent_facts(body, f);
                extent_facts(orelse, f);
            }
            TStmt::ForRange {
                start,
                stop,
                step,
                body,
                orelse,
                guards,
                ..
            } => {
                for e in [start, stop, step] {
                    expr_facts(e, f);
                }
                f.versioned_loops += usize::from(!guards.is_empty());
                extent_facts(body, f);
                extent_facts(orelse, f);
            }
            TStmt::ParFor(p) => {
                for e in [&p.start, &p.stop, &p.step] {
                    expr_facts(e, f);
                }
                extent_facts(&p.body, f);
            }
        }
    }
}

/// The generator keeps making kernels over `:` arrays (with `len`, `.shape`, loops up to
/// extents that index other arrays at the counter), and msp's checker does optimize
/// them: accesses within their own axis, loops versioned behind a guard, counting loops
/// up to an extent. Input sets give `:` axes extents from 0 up, so some are empty.
#[test]
fn generated_runtime_extents_reach_the_checker() {
    let cfg = Config::everything();
    let (mut u, mut f) = (ExtentUse::default(), ExtentFacts::default());
    let (mut sets, mut empty, mut differ) = (0, 0, 0);
    for i in 0..400 {
        let p = kgen::program(campaign::program_seed(5, i), &cfg);
        let src = render::kernel_source(&p);
        assert!(shrink::well_formed(&p), "not well formed:\n{src}");
        for func in &p.funcs {
            u.runtime_params += func
                .params
                .iter()
                .filter(|p| matches!(p, Param::Array(a) if a.has_runtime_axis()))
                .count();
            extent_uses(&func.body, &mut u);
        }
        for set in &p.inputs {
            sets += 1;
            let arrays: Vec<&Vec<usize>> = set
                .iter()
                .filter_map(|x| match x {
                    Input::Array { dims, .. } => Some(dims),
                    Input::Scalar(_) => None,
                })
                .collect();
            empty += usize::from(arrays.iter().any(|d| d.contains(&0)));
            differ += usize::from(arrays.windows(2).any(|w| w[0] != w[1]));
        }
        let checked = Compiler::new()
            .check_source("gen.py", &src)
            .unwrap_or_else(|e| panic!("{}\n{src}", e.rendered));
        for k in &checked.checked.kernels {
            extent_facts(&k.body, &mut f);
        }
    }
    eprintln!(
        "400 programs: {u:?}; msp: {f:?}; {sets} input sets, {empty} with an empty array, {differ} with arrays of different extents"
    );
    assert!(
        u.runtime_params >= 150 && u.lens >= 150 && u.shapes >= 150,
        "{u:?}"
    );
    assert!(u.extent_fors >= 100 && u.extent_whiles >= 30, "{u:?}");
    assert!(
        f.extents >= 300
            && f.within >= 50
            && f.guarded >= 50
            && f.versioned_loops >= 30
            && f.versioned_whiles >= 10
            && f.extent_counting_loops >= 10,
        "{f:?}"
    );
    assert!(
        empty >= 60 && differ >= 100,
        "{empty} empty, {differ} differ"
    );
}

/// A generated `prange`: the reductions it listed that its body updates (the ones msp's
/// checker should find), whether it is nested, whether it runs past 256 iterations.
type GenPrange = (Vec<(String, Red)>, bool, bool);

/// One of msp's parallel loops: its reductions by name, the stores its body makes, its
/// private locals (the loop variable included).
type HirPrange = (Vec<(String, ReduceOp)>, usize, usize);

/// The generator's `prange` loops in pre-order.
fn gen_pranges(stmts: &[Stmt], nested: bool, out: &mut Vec<GenPrange>) {
    for s in stmts {
        if let Stmt::ParFor {
            body,
            reductions,
            args,
            ..
        } = s
        {
            let mut ups = Vec::new();
            shrink::updates(body, &mut ups);
            let mut reds: Vec<(String, Red)> = reductions
                .iter()
                .filter(|r| ups.iter().any(|u| u.0 == r.0))
                .map(|r| (r.0.clone(), r.2))
                .collect();
            reds.sort_by(|a, b| a.0.cmp(&b.0));
            let large = args.iter().any(
                |a| matches!(a, Expr::Lit { val: msp_difftest::ast::Lit::Int(n), .. } if *n > 256),
            );
            out.push((reds, nested, large));
            gen_pranges(body, true, out);
            continue;
        }
        for b in s.blocks() {
            gen_pranges(b, nested, out);
        }
    }
}

/// msp's parallel loops in pre-order.
fn hir_pranges(stmts: &[TStmt], names: &[String], out: &mut Vec<HirPrange>) {
    fn stores(stmts: &[TStmt]) -> usize {
        stmts
            .iter()
            .map(|s| match s {
                TStmt::Store { .. } | TStmt::StoreUpdate { .. } => 1,
                TStmt::ParFor(p) => stores(&p.body),
                other => other.blocks().into_iter().map(stores).sum(),
            })
            .sum()
    }
    for s in stmts {
        if let TStmt::ParFor(p) = s {
            let mut reds: Vec<(String, ReduceOp)> = p
                .reductions
                .iter()
                .map(|(l, op)| (names[l.0 as usize].clone(), *op))
                .collect();
            reds.sort_by(|a, b| a.0.cmp(&b.0));
            out.push((reds, stores(&p.body), p.privates.len()));
            hir_pranges(&p.body, names, out);
            continue;
        }
        for b in s.blocks() {
            hir_pranges(b, names, out);
        }
    }
}

fn red_of(op: ReduceOp) -> Red {
    match op {
        ReduceOp::Add => Red::Add,
        ReduceOp::Sub => Red::Sub,
        ReduceOp::Mul => Red::Mul,
        ReduceOp::Min => Red::Min,
        ReduceOp::Max => Red::Max,
        ReduceOp::BitOr => Red::Or,
        ReduceOp::BitAnd => Red::And,
        ReduceOp::BitXor => Red::Xor,
    }
}

/// The generator keeps making `prange` loops that msp's checker accepts as parallel
/// loops (`TStmt::ParFor`), with the very reductions the generator listed (the model
/// restarts exactly those in each chunk): of every kind, on floats too, in nested
/// loops, with array writes and privates, and some of more than 256 iterations (so
/// that chunks hold several). A refused body is a generator bug (or a checker one).
#[test]
fn generated_prange_loops_reach_codegen_as_parallel_loops() {
    let cfg = Config::everything();
    let (mut loops, mut nested, mut large, mut writing, mut with_privates) = (0, 0, 0, 0, 0);
    let mut kinds = std::collections::HashMap::<Red, usize>::new();
    let mut float_reductions = 0;
    let mut programs_with = 0;
    for i in 0..300 {
        let p = kgen::program(campaign::program_seed(7, i), &cfg);
        let src = render::kernel_source(&p);
        assert!(shrink::well_formed(&p), "not well formed:\n{src}");
        programs_with += usize::from(p.has_prange());
        let checked = Compiler::new()
            .check_source("gen.py", &src)
            .unwrap_or_else(|e| panic!("{}\n{src}", e.rendered));
        for f in &p.funcs {
            let k = checked
                .checked
                .kernels
                .iter()
                .find(|k| k.sig.name == f.name)
                .expect("every kernel is checked");
            let names: Vec<String> = k.locals.iter().map(|l| l.name.clone()).collect();
            let (mut g, mut h) = (Vec::new(), Vec::new());
            gen_pranges(&f.body, false, &mut g);
            hir_pranges(&k.body, &names, &mut h);
            assert_eq!(g.len(), h.len(), "prange loops of `{}`:\n{src}", f.name);
            for ((greds, is_nested, is_large), (hreds, stores, privates)) in g.iter().zip(&h) {
                let hreds: Vec<(String, Red)> = hreds
                    .iter()
                    .map(|(n, op)| (n.clone(), red_of(*op)))
                    .collect();
                assert_eq!(
                    greds, &hreds,
                    "reductions of a prange in `{}`:\n{src}",
                    f.name
                );
                loops += 1;
                nested += usize::from(*is_nested);
                large += usize::from(*is_large);
                writing += usize::from(*stores > 0);
                with_privates += usize::from(*privates > 1);
                for (name, op) in greds {
                    *kinds.entry(*op).or_default() += 1;
                    let ty = k
                        .locals
                        .iter()
                        .find(|l| l.name == *name)
                        .and_then(|l| l.ty.scalar());
                    float_reductions += usize::from(ty.is_some_and(|t| t.is_float()));
                }
            }
        }
    }
    eprintln!(
        "300 programs, {programs_with} with a prange: {loops} loops ({nested} nested, {large} past 256 iterations, {writing} writing arrays, {with_privates} with privates); reductions {kinds:?}, {float_reductions} on floats"
    );
    assert!(
        programs_with >= 90 && loops >= 150,
        "{programs_with} programs, {loops} loops"
    );
    assert!(nested >= 10 && large >= 20 && writing >= 50 && with_privates >= 50);
    for op in [
        Red::Add,
        Red::Sub,
        Red::Mul,
        Red::Or,
        Red::And,
        Red::Xor,
        Red::Min,
        Red::Max,
    ] {
        assert!(kinds.get(&op).copied().unwrap_or(0) >= 10, "{kinds:?}");
    }
    assert!(
        float_reductions >= 30,
        "{float_reductions} float reductions"
    );
}

/// The shrinker offers, for a `prange`, the serial loop over the same range and a
/// shorter stop, and every candidate it keeps lists the reductions msp will find.
#[test]
fn prange_loops_shrink_to_serial_loops() {
    let cfg = Config::everything();
    let (mut serial, mut seen) = (0, 0);
    for i in 0..200 {
        let p = kgen::program(campaign::program_seed(7, i), &cfg);
        let Some((var, args)) = p.entry().body.iter().find_map(|s| match s {
            Stmt::ParFor { var, args, .. } => Some((var.clone(), args.clone())),
            _ => None,
        }) else {
            continue;
        };
        seen += 1;
        let candidates = shrink::variants(&p, false);
        assert!(candidates.iter().all(shrink::well_formed));
        serial += usize::from(candidates.iter().any(|q| {
            q.entry()
                .body
                .iter()
                .any(|s| matches!(s, Stmt::For { var: v, args: a, .. } if *v == var && *a == args))
        }));
    }
    assert!(seen >= 20 && serial == seen, "{serial} of {seen}");
}

#[test]
fn generated_stage0_programs_agree_with_cpython() {
    if !python_or_skip("the stage-0 differential run") {
        return;
    }
    let mut log = Vec::new();
    let report = stage0::run(150, 7, 50, Duration::from_secs(120), |m| {
        log.push(m.to_string())
    });
    assert!(
        report.infra_errors.is_empty(),
        "python runs failed: {:?}",
        report.infra_errors
    );
    assert!(
        report.failures.is_empty(),
        "{} mismatches:\n{}",
        report.failures.len(),
        log.join("\n")
    );
}

/// Resident set size in bytes, from /proc/self/statm (None off Linux).
fn rss_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

const SMALL: &str = "@compile\ndef f(x: int, a: F64[4]) -> f64:\n    s: f64 = 0.0\n    for i in range(4):\n        s += a[i] * x\n    return s\n";

#[test]
fn compiling_and_dropping_many_modules_keeps_memory_bounded() {
    // Resident memory is the whole process's, and the other tests of this binary run on
    // parallel threads: measure in a child process that runs only the probe.
    let exe = std::env::current_exe().expect("test binary");
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "memory_probe_child",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .output()
        .expect("runs the probe");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for line in text.lines().filter(|l| l.contains("JIT modules")) {
        eprintln!("{line}");
    }
    assert!(out.status.success(), "the memory probe failed:\n{text}");
}

#[test]
#[ignore = "run by compiling_and_dropping_many_modules_keeps_memory_bounded in a child process"]
fn memory_probe_child() {
    // 10,000 in optimized builds; debug builds compile far slower, so fewer.
    let n = if cfg!(debug_assertions) { 1000 } else { 10_000 };
    let c = Compiler::new();
    for _ in 0..n / 10 {
        drop(c.jit_source("m.py", SMALL).expect("compiles"));
    }
    let Some(before) = rss_bytes() else {
        eprintln!("skipping the memory figure: no /proc/self/statm");
        return;
    };
    for k in 0..n {
        let m = c.jit_source("m.py", SMALL).expect("compiles");
        if k % 97 == 0 {
            let f = m.kernel::<(i32, &[f64; 4]), f64>("f").expect("signature");
            assert_eq!(f.call((2, &[1.0, 2.0, 3.0, 4.0])).expect("runs"), 20.0);
        }
    }
    let after = rss_bytes().expect("statm");
    let growth = after.saturating_sub(before);
    eprintln!(
        "{n} JIT modules compiled and dropped: resident {} MiB -> {} MiB (growth {} KiB)",
        before >> 20,
        after >> 20,
        growth >> 10
    );
    // A leak of one module's context and machine code (tens of KiB) per compilation
    // would add hundreds of MiB here.
    assert!(
        growth < 48 << 20,
        "resident memory grew by {} MiB over {n} compilations",
        growth >> 20
    );
}

#[test]
fn parallel_compiles_and_calls_match_serial_runs() {
    let cfg = Config::avoid_known();
    let progs: Vec<_> = (0..24)
        .map(|i| msp_difftest::kgen::program(campaign::program_seed(99, i), &cfg))
        .collect();
    let serial: Vec<Vec<String>> = progs.iter().map(run::run_msp).collect();
    let parallel: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let progs = &progs;
                s.spawn(move || {
                    progs
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % 4 == t)
                        .map(|(i, p)| (i, run::run_msp(p)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(usize, Vec<String>)> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, o)| o).collect()
    });
    assert_eq!(serial, parallel);
    // One module, called from several threads at once.
    let m = Compiler::new().jit_source("m.py", SMALL).expect("compiles");
    std::thread::scope(|s| {
        for t in 0..4 {
            let m = &m;
            s.spawn(move || {
                let f = m.kernel::<(i32, &[f64; 4]), f64>("f").expect("signature");
                for k in 0..2000 {
                    let x = k % 7 + t;
                    assert_eq!(
                        f.call((x, &[1.0, 1.0, 1.0, 1.0])).expect("runs"),
                        4.0 * x as f64
                    );
                }
            });
        }
    });
}

#[test]
fn a_million_generated_statements_hit_the_code_size_cap() {
    let src = "def many(n):\n    return [q(\"x = x + 1\")] * n\n\n@compile\ndef k(x: int) -> int:\n    splice(many(1000000))\n    return x\n";
    let e = Compiler::new()
        .check_source("big.py", src)
        .err()
        .expect("refused");
    let text = e.rendered.to_lowercase();
    assert!(
        text.contains("node") || text.contains("size") || text.contains("large"),
        "{}",
        e.rendered
    );
}

#[test]
fn unbounded_allocation_hits_the_memory_cap() {
    let src = "s = 'abcdefgh'\nwhile True:\n    s = s + s\n";
    let e = Compiler::new()
        .check_source("grow.py", src)
        .err()
        .expect("refused");
    assert!(e.rendered.contains("memory limit"), "{}", e.rendered);
    let src = "s = 'ab'\nwhile True:\n    s = s * 2\n";
    let mut c = Compiler::new();
    c.limits(Limits {
        max_memory: 16 << 20,
        ..Limits::default()
    });
    let e = c.check_source("grow.py", src).err().expect("refused");
    assert!(e.rendered.contains("memory limit"), "{}", e.rendered);
    // Lists: with the default limits some limit stops the growth (see the ignored test
    // below for why it is not always the memory cap).
    let src = "xs = [0]\nwhile True:\n    xs = xs + xs\n";
    assert!(Compiler::new().check_source("grow.py", src).is_err());
}

/// `xs = xs + xs` is stopped by the memory cap even with a generous step budget.
#[test]
fn list_growth_hits_the_memory_cap() {
    let mut c = Compiler::new();
    c.limits(Limits {
        max_memory: 64 << 20,
        max_steps: 400_000_000,
        ..Limits::default()
    });
    let e = c
        .check_source("grow.py", "xs = [0]\nwhile True:\n    xs = xs + xs\n")
        .err()
        .expect("refused");
    assert!(e.rendered.contains("memory limit"), "{}", e.rendered);
}

#[test]
fn endless_stage0_recursion_and_loops_stop() {
    for src in [
        "def f(n):\n    return f(n + 1)\nf(0)\n",
        "def f(n):\n    return g(n)\ndef g(n):\n    return f(n)\nf(0)\n",
        "def g():\n    return q(\"splice(g())\")\n\n@compile\ndef k() -> int:\n    return splice(g())\n",
        "while True:\n    pass\n",
    ] {
        let e = Compiler::new()
            .check_source("loop.py", src)
            .err()
            .expect("refused");
        assert!(!e.rendered.is_empty());
    }
}

const API: &str = "@compile\ndef f(x: int, a: F64[2][3]) -> f64:\n    a[0, 0] = 1.0\n    return a[1, 2] + x\n\n@compile\ndef g(n: int) -> int:\n    return 10 // n\n";

#[test]
fn the_rust_api_answers_bad_calls_with_errors() {
    let m = Compiler::new().jit_source("api.py", API).expect("compiles");
    // Wrong signatures.
    assert!(matches!(
        m.kernel::<(i64, &mut [f64]), f64>("f"),
        Err(SignatureError::Mismatch { .. })
    ));
    assert!(
        matches!(
            m.kernel::<(i32, &[f64]), f64>("f"),
            Err(SignatureError::Mismatch { .. })
        ),
        "read-only buffer for a written array"
    );
    assert!(matches!(
        m.kernel::<(i32, &mut [f32]), f64>("f"),
        Err(SignatureError::Mismatch { .. })
    ));
    assert!(matches!(
        m.kernel::<(i32, &mut [f64]), ()>("f"),
        Err(SignatureError::Mismatch { .. })
    ));
    assert!(matches!(
        m.kernel::<(i32,), f64>("f"),
        Err(SignatureError::Mismatch { .. })
    ));
    let e = m.kernel::<(), ()>("nope").unwrap_err();
    assert!(
        matches!(e, SignatureError::Unknown(..)) && e.to_string().contains("f, g"),
        "{e}"
    );
    // Wrong slice lengths.
    let f = m.kernel::<(i32, &mut [f64]), f64>("f").expect("signature");
    let mut short = [0.0; 5];
    assert!(matches!(
        f.call((1, &mut short[..])),
        Err(CallError::Length {
            expected: 6,
            got: 5,
            ..
        })
    ));
    let mut empty: Vec<f64> = Vec::new();
    assert!(matches!(
        f.call((1, &mut empty[..])),
        Err(CallError::Length { .. })
    ));
    let mut ok = [0.0; 6];
    assert_eq!(f.call((1, &mut ok[..])).expect("runs"), 1.0);
    // Faults come back as errors.
    let g = m.kernel::<(i32,), i32>("g").expect("signature");
    assert!(matches!(g.call((0,)), Err(CallError::Fault(_))));
    // Dynamic calls: arity, types, lengths, unknown names.
    assert!(matches!(
        m.call_dynamic("g", &mut []),
        Err(CallError::Arity { .. })
    ));
    assert!(matches!(
        m.call_dynamic("g", &mut [CallArg::Scalar(ScalarValue::F64(1.0))]),
        Err(CallError::Type { .. })
    ));
    let mut buf = [0.0f64; 2];
    assert!(matches!(
        m.call_dynamic(
            "f",
            &mut [
                CallArg::Scalar(ScalarValue::I32(1)),
                CallArg::array(&mut buf[..])
            ]
        ),
        Err(CallError::Length { .. })
    ));
    let mut ints = [0i32; 6];
    assert!(matches!(
        m.call_dynamic(
            "f",
            &mut [
                CallArg::Scalar(ScalarValue::I32(1)),
                CallArg::array(&mut ints[..])
            ]
        ),
        Err(CallError::Type { .. })
    ));
    assert!(matches!(
        m.call_dynamic(
            "f",
            &mut [
                CallArg::array(&mut ints[..]),
                CallArg::Scalar(ScalarValue::I32(1))
            ]
        ),
        Err(CallError::Type { .. })
    ));
    let e = m.call_dynamic("nope", &mut []).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
}

const RUNTIME_API: &str = "@compile\ndef rows(a: I64[:][3]) -> i64:\n    return len(a)\n\n@compile\ndef grid(a: F64[:][:]) -> i64:\n    return a.shape[0] * 10 + a.shape[1]\n\n@compile\ndef first(a: I64[:]) -> i64:\n    return a[0]\n\n@compile\ndef poke(a: I64[:]) -> i64:\n    a[-1] = 7\n    return len(a)\n";

/// Arrays of run-time extent through the dynamic API: lengths that are no multiple of
/// the fixed axes, shapes of the wrong rank or product, a flat buffer for two `:` axes,
/// read-only buffers for written arrays all come back as errors; empty arrays are fine
/// until indexed (a fault).
#[test]
fn the_rust_api_answers_bad_runtime_extent_calls() {
    let m = Compiler::new()
        .jit_source("rt.py", RUNTIME_API)
        .expect("compiles");
    let i64_of = |r: Result<Option<ScalarValue>, CallError>| match r {
        Ok(Some(ScalarValue::I64(v))) => v,
        other => panic!("{other:?}"),
    };
    let mut six = [0i64; 6];
    assert_eq!(
        i64_of(m.call_dynamic("rows", &mut [CallArg::array(&mut six[..])])),
        2
    );
    let mut none: [i64; 0] = [];
    assert_eq!(
        i64_of(m.call_dynamic("rows", &mut [CallArg::array(&mut none[..])])),
        0
    );
    let mut seven = [0i64; 7];
    let e = m
        .call_dynamic("rows", &mut [CallArg::array(&mut seven[..])])
        .unwrap_err();
    assert!(
        matches!(e, CallError::Shape { .. } | CallError::Length { .. }),
        "{e:?}"
    );
    let mut g = [0.0f64; 6];
    assert_eq!(
        i64_of(m.call_dynamic("grid", &mut [CallArg::shaped(&mut g[..], [2, 3])])),
        23
    );
    let mut empty: [f64; 0] = [];
    assert_eq!(
        i64_of(m.call_dynamic("grid", &mut [CallArg::shaped(&mut empty[..], [0, 5])])),
        5
    );
    for bad in [vec![2, 2], vec![6], vec![1, 2, 3]] {
        let e = m
            .call_dynamic("grid", &mut [CallArg::shaped(&mut g[..], &bad)])
            .unwrap_err();
        assert!(matches!(e, CallError::Shape { .. }), "{bad:?}: {e:?}");
    }
    let e = m
        .call_dynamic("grid", &mut [CallArg::array(&mut g[..])])
        .unwrap_err();
    assert!(matches!(e, CallError::Shape { .. }), "{e:?}");
    // A read-only buffer is fine for an array the kernel only reads, refused for one it
    // writes; an empty array faults where it is indexed.
    let ro = [5i64, 6];
    assert_eq!(
        i64_of(m.call_dynamic("first", &mut [CallArg::array_ref(&ro[..])])),
        5
    );
    assert!(
        m.call_dynamic("poke", &mut [CallArg::array_ref(&ro[..])])
            .is_err()
    );
    let mut two = [1i64, 2];
    assert_eq!(
        i64_of(m.call_dynamic("poke", &mut [CallArg::array(&mut two[..])])),
        2
    );
    assert_eq!(two, [1, 7]);
    for k in ["first", "poke"] {
        let e = m
            .call_dynamic(k, &mut [CallArg::array(&mut none[..])])
            .unwrap_err();
        assert!(
            matches!(&e, CallError::Fault(f) if f.message.contains("extent 0")),
            "{k}: {e}"
        );
    }
}

#[test]
fn bad_defines_are_diagnostics() {
    let src = "@compile\ndef f(a: Int[n]) -> int:\n    return a[0]\n";
    for value in [
        msp_core::staged::DefineValue::Str("four".into()),
        msp_core::staged::DefineValue::Float(2.5),
        msp_core::staged::DefineValue::Int(-3),
        msp_core::staged::DefineValue::Int(0),
        msp_core::staged::DefineValue::Int(i64::MAX),
        msp_core::staged::DefineValue::List(vec![1.into(), 2.into()]),
        msp_core::staged::DefineValue::Bool(true),
    ] {
        let mut c = Compiler::new();
        c.define("n", value.clone());
        match c.jit_source("d.py", src) {
            Err(e) => assert!(!e.rendered.is_empty()),
            Ok(_) => assert_eq!(
                value,
                msp_core::staged::DefineValue::Bool(true),
                "a define of {value:?} compiled"
            ),
        }
    }
    // A define whose name is not an identifier is just an unused global.
    let mut c = Compiler::new();
    c.define("not a name", 3);
    c.define("", 3);
    assert!(
        c.jit_source("d.py", "@compile\ndef f() -> int:\n    return 1\n")
            .is_ok()
    );
}
