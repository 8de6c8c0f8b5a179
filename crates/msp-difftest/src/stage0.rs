//! Stage-0 differential testing: random generator-language programs (strings, lists,
//! dicts, tuples, comprehensions, closures, recursion, f-strings) run by msp's stage-0
//! interpreter and by CPython; what they print must be the same.

use std::fmt::Write as _;
use std::time::Duration;

use msp_core::parse;
use msp_core::source::{SourceKind, SourceMap};
use msp_core::stage::{self, Limits};

use crate::rng::Rng;
use crate::run;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum T {
    Int,
    Str,
    List,
    Bool,
    Float,
    Tuple,
    Dict,
}

struct G<'r> {
    rng: &'r mut Rng,
    vars: Vec<(String, T)>,
    funcs: Vec<(String, T, T)>,
    fresh: usize,
    out: String,
}

const WORDS: [&str; 8] = ["a", "bc", "msp", "x y", "", "Hello", "q-1", "zz"];

impl G<'_> {
    fn name(&mut self, p: &str) -> String {
        self.fresh += 1;
        format!("{p}{}", self.fresh)
    }

    fn var(&mut self, t: T) -> Option<String> {
        let vs: Vec<&(String, T)> = self.vars.iter().filter(|v| v.1 == t).collect();
        if vs.is_empty() {
            None
        } else {
            Some(self.rng.pick(&vs).0.clone())
        }
    }

    fn expr(&mut self, t: T, d: u32) -> String {
        if d == 0 || self.rng.chance(1, 4) {
            if let Some(v) = self.var(t)
                && self.rng.chance(2, 3)
            {
                return v;
            }
            return self.lit(t);
        }
        let d = d - 1;
        match t {
            T::Int => match self.rng.below(14) {
                0 => format!("({} + {})", self.expr(T::Int, d), self.expr(T::Int, d)),
                1 => format!("({} - {})", self.expr(T::Int, d), self.expr(T::Int, d)),
                2 => format!(
                    "(({} * {}) % 997)",
                    self.expr(T::Int, d),
                    self.expr(T::Int, d)
                ),
                3 => format!(
                    "({} // {})",
                    self.expr(T::Int, d),
                    self.rng.range(1, 7) * if self.rng.chance(1, 3) { -1 } else { 1 }
                ),
                4 => format!(
                    "({} % {})",
                    self.expr(T::Int, d),
                    self.rng.range(1, 9) * if self.rng.chance(1, 3) { -1 } else { 1 }
                ),
                5 => {
                    let t = if self.rng.chance(1, 2) {
                        T::Str
                    } else {
                        T::List
                    };
                    format!("len({})", self.expr(t, d))
                }
                6 => format!("sum({})", self.expr(T::List, d)),
                7 => format!(
                    "max({} + [{}])",
                    self.expr(T::List, d),
                    self.expr(T::Int, d)
                ),
                8 => {
                    let l = self.expr(T::List, d);
                    format!("({l} + [7])[{} % len({l} + [7])]", self.expr(T::Int, d))
                }
                9 => format!("ord(({} + 'k')[0])", self.expr(T::Str, d)),
                10 => format!(
                    "({} if {} else {})",
                    self.expr(T::Int, d),
                    self.expr(T::Bool, d),
                    self.expr(T::Int, d)
                ),
                11 => format!("abs(-{})", self.expr(T::Int, d)),
                12 => {
                    let fs: Vec<(String, T, T)> = self
                        .funcs
                        .iter()
                        .filter(|f| f.2 == T::Int)
                        .cloned()
                        .collect();
                    if fs.is_empty() {
                        return self.lit(T::Int);
                    }
                    let f = self.rng.pick(&fs).clone();
                    format!("{}({})", f.0, self.expr(f.1, d))
                }
                _ => format!("{}[0]", self.expr(T::Tuple, d)),
            },
            T::Str => match self.rng.below(12) {
                0 => format!("({} + {})", self.expr(T::Str, d), self.expr(T::Str, d)),
                1 => format!("({} * {})", self.expr(T::Str, d), self.rng.range(0, 3)),
                2 => format!("str({})", self.expr(T::Int, d)),
                3 => format!(
                    "f\"<{{{}}}|{{{}!r}}>\"",
                    self.expr(T::Int, d),
                    self.expr(T::Str, d)
                ),
                4 => format!(
                    "\"-\".join({})",
                    self.expr(T::Str, d).replace("__", "_") + ".split(' ')"
                ),
                5 => format!(
                    "{}.replace({:?}, {:?})",
                    self.expr(T::Str, d),
                    self.rng.pick(&WORDS),
                    self.rng.pick(&WORDS)
                ),
                6 => format!("{}.upper()", self.expr(T::Str, d)),
                7 => format!(
                    "{}[{}:{}]",
                    self.expr(T::Str, d),
                    self.rng.range(-3, 3),
                    self.rng.range(-3, 6)
                ),
                8 => format!("{}[::-1]", self.expr(T::Str, d)),
                9 => format!("\",\".join([str(x) for x in {}])", self.expr(T::List, d)),
                10 => {
                    let t = *self
                        .rng
                        .pick(&[T::List, T::Tuple, T::Str, T::Dict, T::Float]);
                    format!("repr({})", self.expr(t, d))
                }
                _ => format!("chr(65 + {} % 26)", self.expr(T::Int, d)),
            },
            T::List => match self.rng.below(10) {
                0 => format!("({} + {})", self.expr(T::List, d), self.expr(T::List, d)),
                1 => format!(
                    "[x * {} for x in {} if x % 2 == {}]",
                    self.rng.range(-2, 3),
                    self.expr(T::List, d),
                    self.rng.range(0, 1)
                ),
                2 => format!("sorted({})", self.expr(T::List, d)),
                3 => format!("sorted({}, reverse=True)", self.expr(T::List, d)),
                4 => format!("list(reversed({}))", self.expr(T::List, d)),
                5 => format!(
                    "{}[{}:{}]",
                    self.expr(T::List, d),
                    self.rng.range(-3, 3),
                    self.rng.range(-2, 6)
                ),
                6 => format!(
                    "[i + j for i, j in zip({}, {})]",
                    self.expr(T::List, d),
                    self.expr(T::List, d)
                ),
                7 => format!("[i * v for i, v in enumerate({})]", self.expr(T::List, d)),
                8 => format!(
                    "list(range({}, {}))",
                    self.rng.range(-3, 3),
                    self.rng.range(-2, 8)
                ),
                _ => format!("[len(w) for w in {}.split()]", self.expr(T::Str, d)),
            },
            T::Bool => match self.rng.below(7) {
                0 => format!("({} < {})", self.expr(T::Int, d), self.expr(T::Int, d)),
                1 => format!("({} in {})", self.expr(T::Int, d), self.expr(T::List, d)),
                2 => format!("({} and {})", self.expr(T::Bool, d), self.expr(T::Bool, d)),
                3 => format!("(not {})", self.expr(T::Bool, d)),
                4 => format!(
                    "{}.startswith({:?})",
                    self.expr(T::Str, d),
                    self.rng.pick(&WORDS)
                ),
                5 => format!("({} == {})", self.expr(T::Str, d), self.expr(T::Str, d)),
                _ => format!("({} in {})", self.expr(T::Str, d), self.expr(T::Str, d)),
            },
            T::Float => match self.rng.below(5) {
                0 => format!("({} / {})", self.expr(T::Int, d), self.rng.range(1, 9)),
                1 => format!("({} * 0.1)", self.expr(T::Int, d)),
                2 => format!("({} + {})", self.expr(T::Float, d), self.expr(T::Float, d)),
                3 => format!("float({})", self.expr(T::Int, d)),
                _ => format!("({} - 2.5)", self.expr(T::Float, d)),
            },
            T::Tuple => match self.rng.below(3) {
                0 => format!("({}, {})", self.expr(T::Int, d), self.expr(T::Str, d)),
                1 => format!("tuple({})", self.expr(T::List, d)) + " + (1,)",
                _ => format!("divmod({}, {})", self.expr(T::Int, d), self.rng.range(1, 9)),
            },
            T::Dict => match self.rng.below(2) {
                0 => format!("{{w: len(w) for w in {}.split()}}", self.expr(T::Str, d)),
                _ => format!(
                    "dict(zip({}.split(), {}))",
                    self.expr(T::Str, d),
                    self.expr(T::List, d)
                ),
            },
        }
    }

    fn lit(&mut self, t: T) -> String {
        match t {
            T::Int => self.rng.range(-20, 40).to_string(),
            T::Str => format!("{:?}", self.rng.pick(&WORDS)),
            T::List => {
                let n = self.rng.below(5);
                let items: Vec<String> =
                    (0..n).map(|_| self.rng.range(-9, 20).to_string()).collect();
                format!("[{}]", items.join(", "))
            }
            T::Bool => if self.rng.chance(1, 2) {
                "True"
            } else {
                "False"
            }
            .into(),
            T::Float => format!("{:?}", self.rng.range(-40, 40) as f64 / 8.0),
            T::Tuple => format!("({}, {:?})", self.rng.range(0, 9), self.rng.pick(&WORDS)),
            T::Dict => "{'k': 1, 'j': 2}".into(),
        }
    }

    fn any_t(&mut self) -> T {
        *self.rng.pick(&[
            T::Int,
            T::Int,
            T::Str,
            T::List,
            T::Bool,
            T::Float,
            T::Tuple,
            T::Dict,
        ])
    }

    fn stmt(&mut self) {
        let d = 3;
        match self.rng.below(10) {
            0..=2 => {
                let t = self.any_t();
                let e = self.expr(t, d);
                let n = self.name("v");
                writeln!(self.out, "{n} = {e}").unwrap();
                self.vars.push((n, t));
            }
            3..=4 => {
                let t = self.any_t();
                let e = self.expr(t, d);
                writeln!(self.out, "print({e})").unwrap();
            }
            5 => {
                // A closure over a parameter and a nonlocal counter.
                let (mk, f) = (self.name("make"), self.name("f"));
                let k = self.rng.range(1, 9);
                writeln!(self.out, "def {mk}(k):\n    count = 0\n    def add(x):\n        nonlocal count\n        count += 1\n        return x * k + count\n    return add\n{f} = {mk}({k})").unwrap();
                let a = self.expr(T::Int, 2);
                writeln!(self.out, "print({f}({a}), {f}(1))").unwrap();
            }
            6 => {
                let f = self.name("rec");
                writeln!(self.out, "def {f}(n):\n    if n <= 1:\n        return 1\n    return {f}(n - 1) + {f}(n - 2) % 1000").unwrap();
                self.funcs
                    .push((format!("(lambda z: {f}(z % 12))"), T::Int, T::Int));
                writeln!(self.out, "print({f}({}))", self.rng.range(0, 14)).unwrap();
            }
            7 => {
                let (acc, i) = (self.name("acc"), self.name("i"));
                let l = self.expr(T::List, 2);
                writeln!(self.out, "{acc} = []\nfor {i} in {l}:\n    if {i} % 3 == 0:\n        continue\n    {acc}.append({i} * 2)\n    if len({acc}) > 4:\n        break\nprint({acc}, len({acc}))").unwrap();
                self.vars.push((acc, T::List));
            }
            8 => {
                let (a, b) = (self.name("a"), self.name("b"));
                let t = self.expr(T::Tuple, 2);
                writeln!(
                    self.out,
                    "{a}, {b} = {t}\nprint(f\"{{{a}}}:{{{b}}}\", {b}, sep='/')"
                )
                .unwrap();
            }
            _ => {
                let (d_, k) = (self.name("d"), self.name("k"));
                let s = self.expr(T::Str, 2);
                writeln!(self.out, "{d_} = {{}}\nfor {k} in ({s} + ' end').split():\n    {d_}[{k}] = {d_}.get({k}, 0) + 1\nprint(sorted({d_}.items()), list({d_}.keys()))").unwrap();
            }
        }
    }
}

/// A random stage-0 program.
pub fn program(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut g = G {
        rng: &mut rng,
        vars: Vec::new(),
        funcs: Vec::new(),
        fresh: 0,
        out: String::new(),
    };
    let n = g.rng.below(8) + 3;
    for _ in 0..n {
        g.stmt();
    }
    g.out
}

/// What msp's stage 0 prints for `src`, or `ERROR: message`.
pub fn run_msp(src: &str) -> String {
    let mut map = SourceMap::new();
    let file = map.add("stage0.py", src, SourceKind::File);
    let module = match parse::parse_module(&map, file) {
        Ok(m) => m,
        Err(e) => return format!("ERROR: {}", e.0.message),
    };
    let mut out: Vec<u8> = Vec::new();
    match stage::run_module(&mut map, file, &module, &[], &Limits::default(), &mut out) {
        Ok(_) => String::from_utf8_lossy(&out).into_owned(),
        Err(e) => format!(
            "{}ERROR: {}",
            String::from_utf8_lossy(&out),
            e.diagnostic.message
        ),
    }
}

const RUNNER: &str = r#"
import io, contextlib, sys
sys.setrecursionlimit(5000)
def _run0(pid, src):
    buf = io.StringIO()
    err = ''
    try:
        with contextlib.redirect_stdout(buf):
            exec(src, {'__name__': 'stage0'})
    except Exception as e:
        err = 'PYERROR: ' + type(e).__name__
    print(pid, (buf.getvalue() + err).encode().hex())
"#;

#[derive(Debug, Default)]
pub struct Report {
    pub programs: u64,
    pub failures: Vec<String>,
    /// Programs Python itself rejected (the generator's fault; not counted as mismatches).
    pub skipped: u64,
    pub infra_errors: Vec<String>,
}

fn unhex(s: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    bytes.map(|b| String::from_utf8_lossy(&b).into_owned())
}

pub fn run(
    programs: u64,
    seed: u64,
    batch: usize,
    timeout: Duration,
    mut log: impl FnMut(&str),
) -> Report {
    let mut report = Report::default();
    let mut i = 0;
    while i < programs {
        let n = (programs - i).min(batch.max(1) as u64);
        let srcs: Vec<String> = (i..i + n)
            .map(|k| program(crate::campaign::program_seed(seed, k)))
            .collect();
        let mut script = String::from(RUNNER);
        for (pid, s) in srcs.iter().enumerate() {
            writeln!(script, "_run0({pid}, {s:?})").unwrap();
        }
        let py = std::thread::spawn(move || run::run_python_script(&script, timeout));
        let msp: Vec<String> = srcs.iter().map(|s| run_msp(s)).collect();
        match py
            .join()
            .unwrap_or_else(|_| Err("python runner panicked".into()))
        {
            Ok(out) => {
                let mut py_out = vec![None; srcs.len()];
                for line in out.lines() {
                    let mut it = line.splitn(2, ' ');
                    if let (Some(pid), Some(hex)) =
                        (it.next().and_then(|p| p.parse::<usize>().ok()), it.next())
                        && pid < py_out.len()
                    {
                        py_out[pid] = unhex(hex.trim());
                    }
                }
                for (k, (src, (m, p))) in srcs.iter().zip(msp.iter().zip(py_out)).enumerate() {
                    let index = i + k as u64;
                    let Some(p) = p else {
                        report
                            .failures
                            .push(format!("program {index}: no output from python"));
                        continue;
                    };
                    if p.contains("PYERROR") {
                        report.skipped += 1;
                        continue;
                    }
                    if *m != p {
                        log(&format!(
                            "stage-0 program {index} (seed {seed}):\n{src}--- python:\n{p}--- msp:\n{m}"
                        ));
                        report.failures.push(format!("program {index}"));
                    }
                }
            }
            Err(e) => report.infra_errors.push(e),
        }
        i += n;
        report.programs = i;
    }
    report
}
