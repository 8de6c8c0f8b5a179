//! A plan → the generator's defines and the kernel's signature → a JIT-compiled kernel
//! → result rows, sorted and limited here (the results are small).
//!
//! The division of labour: Rust plans (types, scales, join order, which aggregation
//! strategy) and allocates every buffer, because a kernel cannot allocate and its
//! signature cannot be spliced; `query.py` turns the plan into code. Buffers are sized
//! from the tables' row counts at run time; a kernel that finds one too small returns a
//! code saying which, and is run again with it doubled (the kernel is compiled once).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use msp::{CallArg, Compiler, DefineValue, ScalarValue};

use crate::data::{Catalog, ColData, IntValues, Table};
use crate::plan::{self, AggFn, Expr, Plan, Source, Ty};

/// The generator library; `compile` appends the query's kernel to it.
pub const GENERATOR: &str = include_str!("../query.py");

/// Array aggregation (local arrays indexed by the keys' codes) up to this many groups;
/// beyond, a hash table. Kernel-local arrays live on the stack (1 MiB in all).
const MAX_ARRAY_GROUPS: usize = 1024;

/// The tables loaded so far, column by column, over one catalog.
pub struct Database {
    pub catalog: Catalog,
    tables: HashMap<String, Table>,
    /// Keep each query's kernel, as staged (Python text), in its result.
    pub keep_kernel: bool,
    /// How to compile each query's kernel.
    pub compile_mode: CompileMode,
    /// Threads of the kernels' `prange` loops (0: every core).
    pub threads: u32,
    pool: BufferPool,
}

/// The kernels' buffers, kept from run to run and query to query, as a database keeps
/// its memory: a kernel writes every element of a buffer before reading it (query.py),
/// so most are reused as they are; the aggregation table is taken clean and left so
/// (`take_clean`). Fresh pages cost a fault each when first touched (4 µs
/// apiece on the 2-core VM: TPC-H Q3's run spent half its time in them at sf 1).
#[derive(Default)]
struct BufferPool {
    free: Vec<Vec<i64>>,
    /// Buffers known to be zero in their whole length.
    clean: Vec<Vec<i64>>,
}

impl BufferPool {
    /// A buffer of at least `len` elements, all zero: the smallest clean one that is
    /// long enough, else a new one. A kernel given one leaves it zero when it succeeds
    /// (the aggregation table: it clears the records it used, which costs a few per
    /// group, where clearing the whole table each run cost a write of all of it: 40 MiB
    /// for TPC-H Q3 at sf 1).
    fn take_clean(&mut self, len: usize) -> Vec<i64> {
        let v = smallest_fit(&mut self.clean, len);
        // The tests run debug builds: a kernel that left a record behind fails here.
        debug_assert!(
            v.iter().all(|&x| x == 0),
            "a buffer returned as clean is not all zero"
        );
        v
    }

    /// Returns a buffer that was taken clean: as clean when the kernel succeeded, else
    /// zeroed first (a kernel that stops early leaves what it wrote).
    fn give_back_clean(&mut self, mut v: Vec<i64>, succeeded: bool) {
        if !succeeded {
            v.fill(0);
        }
        self.clean.push(v);
    }

    /// A buffer of at least `len` elements, of unspecified contents: the smallest free
    /// one that is long enough, else a new one (`calloc`: its pages cost nothing until
    /// touched). The kernel gets its first `len` elements.
    fn take(&mut self, len: usize) -> Vec<i64> {
        let mut v = smallest_fit(&mut self.free, len);
        // What a buffer held is never read: in debug builds (the tests) it is
        // poisoned, so a kernel that relied on zeroed memory would give wrong results.
        if cfg!(debug_assertions) {
            v[..len].fill(POISON);
        }
        v
    }

    fn give_back(&mut self, buffers: impl IntoIterator<Item = Vec<i64>>) {
        self.free.extend(buffers);
    }
}

/// Takes from `list` the smallest buffer of at least `len` elements, or makes a new one
/// (`calloc`: zero, and its pages cost nothing until touched).
fn smallest_fit(list: &mut Vec<Vec<i64>>, len: usize) -> Vec<i64> {
    let fit = (0..list.len())
        .filter(|&i| list[i].len() >= len)
        .min_by_key(|&i| list[i].len());
    match fit {
        Some(i) => list.swap_remove(i),
        None => vec![0; len],
    }
}

/// What a debug build fills buffers with.
const POISON: i64 = 0x5A5A_5A5A_5A5A_5A5A;

/// Kernels of at most this many statements compile with the loop vectorizer in
/// `CompileMode::Auto`.
const FAST_COMPILE_ABOVE: usize = 20;

/// LLVM's effort on a query's kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompileMode {
    /// `Compiler::fast_compile`, and for kernels of at most `FAST_COMPILE_ABOVE`
    /// statements its loop vectorizer as well (`Compiler::loop_passes`). LLVM's `-O3`
    /// time grows with the kernel, and what it buys does not: TPC-H at sf 1 on a 2-core
    /// EPYC VM, compile + run in ms, fast against `-O3` (ranges over one session's runs):
    /// Q3 (118 statements; hash probes, which do not vectorize) 16–25 + 105–160 against
    /// 130–230 + 62–90; Q1 (25; six groups of eight aggregates) 8–10 + 37–55 against
    /// 33–54 + 20–28, and only the fast compile meets the 30 ms goal. Since the fast tier
    /// allocates registers with LLVM's basic allocator (a Zen 4 VM): Q3 fast 14 + 32–35
    /// against 85 + 41 at O3 without the loop passes. Q6 (13 statements; a filter loop
    /// that vectorizes), one thread, best of five processes: 7.7 + 2.8 with the fast
    /// tier's vectorizer, 4.3 + 17 in the plain fast tier, 9–11.5 + 12–14 at O3 without
    /// the loop passes, 21 + 2.3 with them. The vectorizer in the fast tier would cost Q1
    /// 2.4 ms and Q3 5.7 ms of compile for nothing: their loops do not vectorize.
    Auto,
    /// `Compiler::fast_compile`: time to result first.
    Fast,
    /// LLVM's `-O3`, loop passes included.
    O3,
}

/// One value of a result.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    /// A scaled integer and its scale.
    Decimal(i64, u32),
    /// Days since 1970-01-01.
    Date(i64),
    Str(String),
    Float(f64),
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Null => Ok(()),
            Cell::Int(v) => write!(f, "{v}"),
            Cell::Decimal(v, scale) => {
                let p = 10u64.pow(*scale);
                let sign = if *v < 0 { "-" } else { "" };
                let a = v.unsigned_abs();
                if *scale == 0 {
                    write!(f, "{sign}{a}")
                } else {
                    write!(f, "{sign}{}.{:0w$}", a / p, a % p, w = *scale as usize)
                }
            }
            Cell::Date(d) => {
                let (y, m, day) = plan::civil_from_days(*d);
                write!(f, "{y:04}-{m:02}-{day:02}")
            }
            Cell::Str(s) => {
                if s.contains([',', '"', '\n']) {
                    write!(f, "\"{}\"", s.replace('"', "\"\""))
                } else {
                    f.write_str(s)
                }
            }
            Cell::Float(x) => write!(f, "{x}"),
        }
    }
}

fn compare_cells(a: &Cell, b: &Cell) -> Ordering {
    match (a, b) {
        // NULLs sort last, as in DuckDB's default.
        (Cell::Null, Cell::Null) => Ordering::Equal,
        (Cell::Null, _) => Ordering::Greater,
        (_, Cell::Null) => Ordering::Less,
        (
            Cell::Int(x) | Cell::Decimal(x, _) | Cell::Date(x),
            Cell::Int(y) | Cell::Decimal(y, _) | Cell::Date(y),
        ) => x.cmp(y),
        (Cell::Str(x), Cell::Str(y)) => x.cmp(y),
        (Cell::Float(x), Cell::Float(y)) => x.total_cmp(y),
        _ => Ordering::Equal,
    }
}

/// Where the time went.
#[derive(Clone, Debug, Default)]
pub struct Times {
    pub plan: Duration,
    pub load: Duration,
    /// Stage 0 and LLVM: the whole JIT compile.
    pub compile: Duration,
    /// The compile's phases, as msp reports them.
    pub phases: String,
    /// The kernel's runs (more than one when a buffer had to grow).
    pub run: Duration,
    pub runs: u32,
}

pub struct QueryResult {
    pub columns: Vec<(String, Ty)>,
    pub rows: Vec<Vec<Cell>>,
    pub times: Times,
    /// The kernel after staging, as Python (when `Database::keep_kernel`).
    pub kernel: Option<String>,
}

impl QueryResult {
    /// CSV with a header line.
    pub fn to_csv(&self) -> String {
        let mut s = self
            .columns
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(",");
        s.push('\n');
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(Cell::to_string).collect();
            s.push_str(&cells.join(","));
            s.push('\n');
        }
        s
    }
}

/// A buffer the kernel needs, by name, with its length.
struct Buffer {
    name: String,
    len: usize,
    /// All zero on entry; the kernel leaves it so when it succeeds.
    clean: bool,
    /// A fixed extent in the kernel's signature (its length a compile-time constant,
    /// so masks made from it bound the kernel's indexes), instead of `:`.
    fixed: bool,
}

/// Capacities that grow when the kernel says they are too small.
#[derive(Clone)]
struct Sizes {
    out_rows: usize,
    agg_slots: usize,
    /// Per join: entries of its build side.
    join_entries: Vec<usize>,
}

impl Database {
    pub fn new(catalog: Catalog) -> Database {
        Database {
            catalog,
            tables: HashMap::new(),
            keep_kernel: false,
            compile_mode: CompileMode::Auto,
            threads: 0,
            pool: BufferPool::default(),
        }
    }

    /// Makes sure `columns` of `table` are loaded.
    fn ensure(&mut self, table: &str, columns: &[String]) -> Result<()> {
        let missing: Vec<String> = match self.tables.get(table) {
            Some(t) => columns
                .iter()
                .filter(|c| !t.columns.contains_key(*c))
                .cloned()
                .collect(),
            None => columns.to_vec(),
        };
        if missing.is_empty() {
            return Ok(());
        }
        let loaded = self.catalog.load(table, &missing)?;
        match self.tables.get_mut(table) {
            Some(t) => t.columns.extend(loaded.columns),
            None => {
                self.tables.insert(table.to_string(), loaded);
            }
        }
        Ok(())
    }

    /// Plans, loads what the query reads, compiles and runs it.
    pub fn run_sql(&mut self, sql: &str) -> Result<QueryResult> {
        let mut times = Times::default();
        let t0 = Instant::now();
        let plan = plan::plan(sql, &self.catalog)?;
        times.plan = t0.elapsed();

        let t0 = Instant::now();
        for t in &plan.tables {
            self.ensure(&t.name, &t.columns)?;
        }
        times.load = t0.elapsed();

        let tables: Vec<&Table> = plan
            .tables
            .iter()
            .map(|t| {
                self.tables
                    .get(&t.name)
                    .ok_or_else(|| anyhow!("table {} not loaded", t.name))
            })
            .collect::<Result<_>>()?;
        let kernel = KernelPlan::new(&plan, &tables)?;

        let mut compiler = Compiler::new();
        compiler
            .threads(self.threads)
            .define("plan", kernel.root.clone())
            .define("tables", kernel.table_defs.clone())
            .define("coltypes", kernel.coltypes.clone())
            .define("dicts", kernel.dicts.clone());
        let mut sizes = kernel.initial_sizes(&tables);
        let mut staged = None;
        // The kernel for the signature it was compiled with; a run that asks for larger
        // tables changes the signature and compiles again.
        let mut compiled: Option<(String, msp::JitModule)> = None;
        let (n, out) = loop {
            let signature = kernel.signature_text(&sizes);
            if compiled.as_ref().is_none_or(|(s, _)| *s != signature) {
                let t0 = Instant::now();
                let source = format!("{GENERATOR}\n{signature}");
                let program = compiler
                    .check_source("query.py", &source)
                    .map_err(|e| anyhow!("{e}"))?;
                staged = self
                    .keep_kernel
                    .then(|| msp::core::unparse::unparse_module(&program.staged));
                let statements: usize = program
                    .checked
                    .kernels
                    .iter()
                    .map(|k| msp::core::check::hir::TStmt::count(&k.body))
                    .sum();
                // Every mode but O3 compiles for time to result; small kernels with
                // the loop vectorizer.
                let small = statements <= FAST_COMPILE_ABOVE;
                compiler.fast_compile(self.compile_mode != CompileMode::O3);
                compiler.loop_passes(match self.compile_mode {
                    CompileMode::Auto => small,
                    CompileMode::Fast => false,
                    CompileMode::O3 => true,
                });
                let module = compiler.jit_checked(program).map_err(|e| anyhow!("{e}"))?;
                times.compile += t0.elapsed();
                times.phases = module.report().times.to_string();
                compiled = Some((signature, module));
            }
            let Some((_, module)) = &compiled else {
                bail!("no kernel was compiled");
            };
            let t0 = Instant::now();
            times.runs += 1;
            let (status, out) = kernel.run(module, &tables, &sizes, &mut self.pool)?;
            times.run += t0.elapsed();
            match status {
                n if n >= 0 => break (n as usize, out),
                -1 => sizes.out_rows = (sizes.out_rows * 2).max(1024),
                -2 => sizes.agg_slots *= 2,
                code if code <= -10 && ((-code - 10) as usize) < sizes.join_entries.len() => {
                    sizes.join_entries[(-code - 10) as usize] *= 2;
                }
                code => bail!("the query kernel returned {code}, which is no status it has"),
            }
            self.pool.give_back([out]);
            if times.runs > 40 {
                bail!("the query kernel's buffers kept growing");
            }
        };

        let decoded = kernel.decode(&plan, &out, n);
        self.pool.give_back([out]);
        let mut rows = decoded?;
        sort_and_limit(&plan, &mut rows);
        Ok(QueryResult {
            columns: plan
                .outputs
                .iter()
                .map(|o| (o.name.clone(), o.ty))
                .collect(),
            rows,
            times,
            kernel: staged,
        })
    }
}

fn sort_and_limit(plan: &Plan, rows: &mut Vec<Vec<Cell>>) {
    if !plan.order_by.is_empty() {
        rows.sort_by(|a, b| {
            for &(c, desc) in &plan.order_by {
                let o = compare_cells(&a[c], &b[c]);
                let o = if desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
    }
    if let Some(n) = plan.limit {
        rows.truncate(n);
    }
}

/// What the kernel is given: the plan as defines, its parameters, its buffers.
struct KernelPlan {
    root: DefineValue,
    table_defs: DefineValue,
    coltypes: DefineValue,
    dicts: DefineValue,
    /// (name, element type) per column parameter, in parameter order.
    columns: Vec<(usize, String, &'static str)>,
    hash_agg: bool,
    nkeys: usize,
    aggs: Vec<AggFn>,
    /// Per join: the build-side tables whose row indexes its entries keep.
    join_builds: Vec<Vec<usize>>,
    /// Dictionaries of string group keys (for decoding).
    key_dicts: Vec<Option<Vec<String>>>,
    /// Per aggregate: for a sum, the largest magnitude one row can add.
    sum_bounds: Vec<i128>,
}

fn list(items: Vec<DefineValue>) -> DefineValue {
    DefineValue::List(items)
}

fn s(x: &str) -> DefineValue {
    DefineValue::Str(x.to_string())
}

fn expr_define(e: &Expr) -> DefineValue {
    match e {
        Expr::Col { table, name } => list(vec![s("col"), DefineValue::Int(*table as i64), s(name)]),
        Expr::Int(v) => list(vec![s("int"), DefineValue::Int(*v)]),
        Expr::Str(v) => list(vec![s("str"), s(v)]),
        Expr::Bool(b) => list(vec![s("bool"), DefineValue::Int(i64::from(*b))]),
        Expr::Arith(op, a, b) => list(vec![s(&op.to_string()), expr_define(a), expr_define(b)]),
        Expr::Cmp(op, a, b) => list(vec![s("cmp"), s(op), expr_define(a), expr_define(b)]),
        Expr::And(v) if v.is_empty() => list(vec![s("bool"), DefineValue::Int(1)]),
        Expr::Or(v) if v.is_empty() => list(vec![s("bool"), DefineValue::Int(0)]),
        Expr::And(v) => list(vec![s("and"), list(v.iter().map(expr_define).collect())]),
        Expr::Or(v) => list(vec![s("or"), list(v.iter().map(expr_define).collect())]),
        Expr::Not(a) => list(vec![s("not"), expr_define(a)]),
    }
}

fn pow2_at_least(n: usize) -> usize {
    n.max(16).next_power_of_two()
}

impl KernelPlan {
    fn new(plan: &Plan, tables: &[&Table]) -> Result<KernelPlan> {
        // Column parameters: each column once (the planner refused self-joins, so names
        // are unique across the query's tables).
        let mut columns = Vec::new();
        let mut coltypes = Vec::new();
        let mut dicts = Vec::new();
        for (t, (tref, table)) in plan.tables.iter().zip(tables).enumerate() {
            for c in &tref.columns {
                let data = &table.columns[c];
                if let ColData::Dict(_, dict) = data {
                    dicts.push(list(vec![s(c), list(dict.iter().map(|v| s(v)).collect())]));
                }
                let elem = data.elem();
                coltypes.push(list(vec![s(c), s(elem)]));
                columns.push((t, c.clone(), elem));
            }
        }
        let table_defs = list(
            plan.tables
                .iter()
                .map(|t| {
                    list(vec![
                        s(&t.name),
                        list(t.columns.iter().map(|c| s(c)).collect()),
                    ])
                })
                .collect(),
        );

        // Scans with their pushed filters, joined left-deep.
        let scan = |t: usize| {
            let node = list(vec![s("scan"), DefineValue::Int(t as i64)]);
            match plan.tables[t].filters.as_slice() {
                [] => node,
                fs => list(vec![
                    s("filter"),
                    node,
                    expr_define(&Expr::And(fs.to_vec())),
                ]),
            }
        };
        // A join's entries keep the row indexes of the build-side tables that are read
        // after it: by a later join's build key, a group key or an aggregate.
        let mut read_after: Vec<Vec<usize>> = vec![Vec::new(); plan.joins.len()];
        let mut above = Vec::new();
        for k in &plan.keys {
            k.tables(&mut above);
        }
        for a in &plan.aggs {
            if let Some(e) = &a.arg {
                e.tables(&mut above);
            }
        }
        for j in (0..plan.joins.len()).rev() {
            read_after[j] = above.clone();
            plan.joins[j].build.tables(&mut above);
        }
        let mut node = scan(0);
        let mut join_builds = Vec::new();
        for (j, join) in plan.joins.iter().enumerate() {
            let build_tables: Vec<usize> = (0..=j).filter(|t| read_after[j].contains(t)).collect();
            node = list(vec![
                s("join"),
                DefineValue::Int(j as i64),
                node,
                scan(j + 1),
                expr_define(&join.build),
                expr_define(&join.probe),
                list(
                    build_tables
                        .iter()
                        .map(|&t| DefineValue::Int(t as i64))
                        .collect(),
                ),
            ]);
            join_builds.push(build_tables);
        }

        // Small domains (dictionary-coded keys) aggregate into arrays.
        let mut key_dicts = Vec::new();
        let mut sizes = Vec::new();
        for k in &plan.keys {
            let Expr::Col { table, name } = k else {
                bail!("group keys are columns");
            };
            match &tables[*table].columns[name] {
                ColData::Dict(_, dict) => {
                    sizes.push(dict.len().max(1));
                    key_dicts.push(Some(dict.clone()));
                }
                _ => key_dicts.push(None),
            }
        }
        let groups = sizes.iter().try_fold(1usize, |a, &b| a.checked_mul(b));
        let hash_agg = sizes.len() < plan.keys.len() || groups.is_none_or(|g| g > MAX_ARRAY_GROUPS);
        let aggs: Vec<DefineValue> = plan
            .aggs
            .iter()
            .map(|a| match (a.f, &a.arg) {
                (AggFn::Count, _) | (_, None) => list(vec![s("count")]),
                (f, Some(e)) => {
                    let name = match f {
                        AggFn::Sum => "sum",
                        AggFn::Min => "min",
                        _ => "max",
                    };
                    list(vec![s(name), expr_define(e)])
                }
            })
            .collect();
        // Every value the kernel computes must fit 64 bits, whatever the rows: bounds
        // from the columns' ranges. A sum's bound is checked after the run, against its
        // group's row count.
        let mut sum_bounds = Vec::new();
        for a in &plan.aggs {
            let bound = match &a.arg {
                Some(e) => {
                    let (lo, hi) = interval(e, tables)?;
                    lo.abs().max(hi.abs())
                }
                None => 0,
            };
            sum_bounds.push(if a.f == AggFn::Sum { bound } else { 0 });
        }
        for j in &plan.joins {
            interval(&j.build, tables)?;
            interval(&j.probe, tables)?;
        }
        for t in &plan.tables {
            for f in &t.filters {
                interval(f, tables)?;
            }
        }
        let root = list(vec![
            s("agg"),
            s(if hash_agg { "hash" } else { "array" }),
            node,
            list(plan.keys.iter().map(expr_define).collect()),
            list(sizes.iter().map(|&n| DefineValue::Int(n as i64)).collect()),
            list(aggs),
        ]);
        Ok(KernelPlan {
            root,
            table_defs,
            coltypes: list(coltypes),
            dicts: list(dicts),
            columns,
            hash_agg,
            nkeys: plan.keys.len(),
            aggs: plan.aggs.iter().map(|a| a.f).collect(),
            join_builds,
            key_dicts,
            sum_bounds,
        })
    }

    fn width(&self) -> usize {
        self.nkeys + self.aggs.len() + 1
    }

    /// The buffers' names, in parameter order after the columns, for these sizes. The
    /// join buffers are sized for every row of their tables, and the kernel uses a
    /// prefix of each.
    fn buffers(&self, sizes: &Sizes) -> Vec<Buffer> {
        let mut b = Vec::new();
        let buf = |name: String, len: usize| Buffer {
            name,
            len,
            clean: false,
            fixed: false,
        };
        let fixed = |name: String, len: usize| Buffer {
            fixed: true,
            ..buf(name, len)
        };
        for (j, build) in self.join_builds.iter().enumerate() {
            let entries = sizes.join_entries[j].max(1);
            // Room for the kernel's table (a power of two of at least 1.5 times the
            // entries it collected, two words a slot, and a filter word per 8 slots).
            let slots = pow2_at_least(2 * entries);
            b.push(buf(format!("j{j}_ekey"), entries));
            b.push(buf(format!("j{j}_next"), entries));
            for t in build {
                b.push(buf(format!("j{j}_r{t}"), entries));
            }
            b.push(fixed(format!("j{j}_slot"), 2 * slots));
            b.push(fixed(format!("j{j}_bloom"), (slots / 8).max(1)));
        }
        if self.hash_agg {
            let slots = pow2_at_least(sizes.agg_slots);
            // The index, at most half full, and its records.
            b.push(Buffer {
                clean: true,
                ..fixed("g_slot".into(), slots)
            });
            b.push(buf("g_rec".into(), slots / 2 * self.record_width()));
        }
        // A hash aggregation stops at half its slots full, so half its slots bound the
        // rows it writes; then `out` never has to grow for it.
        let out_rows = if self.hash_agg {
            sizes.out_rows.max(pow2_at_least(sizes.agg_slots) / 2)
        } else {
            sizes.out_rows
        };
        b.push(buf("out".into(), out_rows * self.width()));
        b
    }

    /// Words of a hash aggregation record: row count, keys, aggregates but `count`.
    fn record_width(&self) -> usize {
        1 + self.nkeys + self.aggs.iter().filter(|&&f| f != AggFn::Count).count()
    }

    fn initial_sizes(&self, tables: &[&Table]) -> Sizes {
        let most = tables.iter().map(|t| t.rows).max().unwrap_or(0);
        Sizes {
            out_rows: if self.hash_agg { 0 } else { MAX_ARRAY_GROUPS },
            // A guess that fits the usual key/foreign-key join without growing: the
            // build side has at most as many rows as its largest table.
            // (Join j's build side is tables 0 to j, whichever of them its entries keep.)
            join_entries: (0..self.join_builds.len())
                .map(|j| {
                    tables[..=j]
                        .iter()
                        .map(|t| t.rows)
                        .max()
                        .unwrap_or(0)
                        .max(16)
                })
                .collect(),
            agg_slots: 2 * (most / 16).max(1024),
        }
    }

    fn signature(&self, sizes: &Sizes) -> String {
        let mut params: Vec<String> = self
            .columns
            .iter()
            .map(|(_, c, elem)| format!("{c}: {elem}[:]"))
            .collect();
        params.extend(self.buffers(sizes).iter().map(|b| {
            if b.fixed {
                format!("{}: I64[{}]", b.name, b.len)
            } else {
                format!("{}: I64[:]", b.name)
            }
        }));
        format!("def query({}) -> i64:", params.join(", "))
    }

    /// The kernel's signature for these buffer sizes (the tables' extents are fixed:
    /// a table that grows means a new compile).
    fn signature_text(&self, sizes: &Sizes) -> String {
        format!(
            "@compile\n{}\n    splice(compile_query())\n",
            self.signature(sizes)
        )
    }

    /// One run: the status the kernel returned and its `out` buffer.
    fn run(
        &self,
        module: &msp::JitModule,
        tables: &[&Table],
        sizes: &Sizes,
        pool: &mut BufferPool,
    ) -> Result<(i64, Vec<i64>)> {
        let specs = self.buffers(sizes);
        let mut buffers: Vec<Vec<i64>> = specs
            .iter()
            .map(|b| {
                if b.clean {
                    pool.take_clean(b.len)
                } else {
                    pool.take(b.len)
                }
            })
            .collect();
        let mut args: Vec<CallArg<'_>> = Vec::new();
        for (t, c, _) in &self.columns {
            args.push(match &tables[*t].columns[c] {
                ColData::Int { values, .. } => match values {
                    IntValues::I8(v) => CallArg::array_ref(v),
                    IntValues::I16(v) => CallArg::array_ref(v),
                    IntValues::I32(v) => CallArg::array_ref(v),
                    IntValues::I64(v) => CallArg::array_ref(v),
                },
                ColData::Dict(v, _) => CallArg::array_ref(v),
            });
        }
        for (b, spec) in buffers.iter_mut().zip(&specs) {
            args.push(CallArg::array(&mut b[..spec.len]));
        }
        let status = match module.call_dynamic("query", &mut args)? {
            Some(ScalarValue::I64(n)) => n,
            other => bail!("the query kernel returned {other:?}"),
        };
        drop(args);
        let out = buffers.pop().ok_or_else(|| anyhow!("no out buffer"))?;
        for (b, spec) in buffers.into_iter().zip(&specs) {
            if spec.clean {
                pool.give_back_clean(b, status >= 0);
            } else {
                pool.give_back([b]);
            }
        }
        Ok((status, out))
    }

    /// The kernel's rows (keys, aggregates, count) as the query's output cells.
    fn decode(&self, plan: &Plan, out: &[i64], n: usize) -> Result<Vec<Vec<Cell>>> {
        let w = self.width();
        let mut rows = Vec::with_capacity(n);
        for r in out.chunks(w).take(n) {
            let count = r[w - 1];
            for (i, &bound) in self.sum_bounds.iter().enumerate() {
                if i128::from(count) * bound > i128::from(i64::MAX) {
                    bail!(
                        "aggregate {} of {count} rows may have overflowed 64 bits (its values \
                         reach {bound} as scaled integers; 128-bit sums are not done yet)",
                        i + 1
                    );
                }
            }
            let agg = |i: usize| -> Cell {
                let v = r[self.nkeys + i];
                match plan.aggs[i].f {
                    AggFn::Count => Cell::Int(v),
                    // An aggregate over no rows (no GROUP BY, nothing passed) is NULL.
                    _ if count == 0 => Cell::Null,
                    _ => typed(v, plan.aggs[i].ty),
                }
            };
            let row = plan
                .outputs
                .iter()
                .map(|o| match o.src {
                    Source::Key(k) => match &self.key_dicts[k] {
                        Some(dict) => dict
                            .get(r[k] as usize)
                            .map_or(Cell::Null, |v| Cell::Str(v.clone())),
                        None => typed(r[k], plan.key_types[k]),
                    },
                    Source::Agg(i) => agg(i),
                    Source::Avg {
                        sum,
                        count: c,
                        scale,
                    } => {
                        let cnt = r[self.nkeys + c];
                        if cnt == 0 {
                            Cell::Null
                        } else {
                            let sum = r[self.nkeys + sum];
                            Cell::Float(sum as f64 / cnt as f64 / 10f64.powi(scale as i32))
                        }
                    }
                })
                .collect();
            rows.push(row);
        }
        Ok(rows)
    }
}

/// The range of values `e` takes over the tables' rows (conditions: 0 to 1), or an
/// error when some value on the way may not fit 64 bits.
fn interval(e: &Expr, tables: &[&Table]) -> Result<(i128, i128)> {
    let r = match e {
        // The range each column was loaded with: no pass over the rows.
        Expr::Col { table, name } => match &tables[*table].columns[name] {
            &ColData::Int { lo, hi, .. } => (i128::from(lo), i128::from(hi)),
            ColData::Dict(_, d) => (0, d.len() as i128),
        },
        Expr::Int(v) => (i128::from(*v), i128::from(*v)),
        Expr::Arith(op, a, b) => {
            let (al, ah) = interval(a, tables)?;
            let (bl, bh) = interval(b, tables)?;
            match op {
                '+' => (al + bl, ah + bh),
                '-' => (al - bh, ah - bl),
                _ => {
                    let p = [al * bl, al * bh, ah * bl, ah * bh];
                    (
                        p.iter().copied().min().unwrap_or(0),
                        p.iter().copied().max().unwrap_or(0),
                    )
                }
            }
        }
        Expr::Cmp(_, a, b) => {
            interval(a, tables)?;
            interval(b, tables)?;
            (0, 1)
        }
        Expr::And(v) | Expr::Or(v) => {
            for x in v {
                interval(x, tables)?;
            }
            (0, 1)
        }
        Expr::Not(a) => {
            interval(a, tables)?;
            (0, 1)
        }
        Expr::Str(_) | Expr::Bool(_) => (0, 1),
    };
    if r.0 < i128::from(i64::MIN) || r.1 > i128::from(i64::MAX) {
        bail!("a value of {e:?} may not fit 64 bits over these rows");
    }
    Ok(r)
}

fn typed(v: i64, ty: Ty) -> Cell {
    match ty {
        Ty::Decimal(s) => Cell::Decimal(v, s),
        Ty::Date => Cell::Date(v),
        _ => Cell::Int(v),
    }
}
