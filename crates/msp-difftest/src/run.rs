//! Running programs: through msp's JIT in this process, and through CPython (one
//! `python3` process per batch), with outputs in one canonical text form.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use msp_core::driver::Compiler;
use msp_core::jit::{CallArg, CallError, ScalarValue};

use crate::ast::*;
use crate::render;
use crate::types::{self, Scalar};

pub const MODEL_PRELUDE: &str = include_str!("model.py");

/// Canonical text of a scalar: the same on both sides (floats by their bits).
pub fn canon(v: &ScalarValue) -> String {
    match *v {
        ScalarValue::Bool(b) => if b { "True" } else { "False" }.into(),
        ScalarValue::I8(x) => x.to_string(),
        ScalarValue::I16(x) => x.to_string(),
        ScalarValue::I32(x) => x.to_string(),
        ScalarValue::I64(x) => x.to_string(),
        ScalarValue::U8(x) => x.to_string(),
        ScalarValue::U16(x) => x.to_string(),
        ScalarValue::U32(x) => x.to_string(),
        ScalarValue::U64(x) => x.to_string(),
        ScalarValue::F32(x) if x.is_nan() => "nan".into(),
        ScalarValue::F64(x) if x.is_nan() => "nan".into(),
        ScalarValue::F32(x) => format!("f{:08x}", x.to_bits()),
        ScalarValue::F64(x) => format!("d{:016x}", x.to_bits()),
    }
}

/// The kernel value of an input.
pub fn scalar_value(v: &Value, ty: Scalar) -> ScalarValue {
    match v {
        Value::Bool(b) => ScalarValue::Bool(*b),
        Value::Float(f) => ScalarValue::from_f64(ty, *f).expect("float type"),
        Value::Int(i) => ScalarValue::from_i128(ty, *i).expect("generated in range"),
    }
}

/// Elements of guard zone on each side of every array buffer: they hold a canary
/// value the call must leave alone (a write just outside an array shows as `CORRUPT`
/// rather than corrupting the heap, and a read just outside it reads canaries).
const GUARD: usize = 16;

/// An array buffer with [`GUARD`] canary elements before and after the array itself.
enum Buf {
    Bool(Vec<bool>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

macro_rules! bufs {
    ($($v:ident => $t:ty),*) => {
        fn make_buf(ty: Scalar, vals: &[Value]) -> Buf {
            fn guarded<T: Clone>(canary: T, inner: impl Iterator<Item = T>) -> Vec<T> {
                let mut v = vec![canary.clone(); GUARD];
                v.extend(inner);
                v.extend(std::iter::repeat_n(canary, GUARD));
                v
            }
            match ty {
                Scalar::Bool => Buf::Bool(guarded(true, vals.iter().map(|v| matches!(v, Value::Bool(true))))),
                $(Scalar::$v => Buf::$v(guarded(
                    <$t>::from_ne_bytes([0xA5; std::mem::size_of::<$t>()]),
                    vals.iter().map(|v| match scalar_value(v, ty) { ScalarValue::$v(x) => x, _ => unreachable!("typed") }),
                )),)*
            }
        }
        /// Whether the guard zones still hold their canaries.
        fn buf_intact(b: &Buf) -> bool {
            fn zones<T>(v: &[T]) -> impl Iterator<Item = &T> {
                v[..GUARD].iter().chain(&v[v.len() - GUARD..])
            }
            match b {
                Buf::Bool(v) => zones(v).all(|x| *x),
                $(Buf::$v(v) => {
                    let canary = [0xA5; std::mem::size_of::<$t>()];
                    zones(v).all(|x| x.to_ne_bytes() == canary)
                })*
            }
        }
        /// The buffer as an argument: with its extents when `shape` is given (needed for
        /// two or more `:` axes), else by its length; read-only unless `writable`.
        fn buf_arg<'b>(b: &'b mut Buf, shape: Option<&[usize]>, writable: bool) -> CallArg<'b> {
            match (b, shape, writable) {
                (Buf::Bool(v), None, true) => { let n = v.len() - GUARD; CallArg::array(&mut v[GUARD..n]) }
                (Buf::Bool(v), Some(s), true) => { let n = v.len() - GUARD; CallArg::shaped(&mut v[GUARD..n], s) }
                (Buf::Bool(v), None, false) => CallArg::array_ref(&v[GUARD..v.len() - GUARD]),
                (Buf::Bool(v), Some(s), false) => CallArg::shaped_ref(&v[GUARD..v.len() - GUARD], s),
                $((Buf::$v(v), None, true) => { let n = v.len() - GUARD; CallArg::array(&mut v[GUARD..n]) }
                (Buf::$v(v), Some(s), true) => { let n = v.len() - GUARD; CallArg::shaped(&mut v[GUARD..n], s) }
                (Buf::$v(v), None, false) => CallArg::array_ref(&v[GUARD..v.len() - GUARD]),
                (Buf::$v(v), Some(s), false) => CallArg::shaped_ref(&v[GUARD..v.len() - GUARD], s),)*
            }
        }
        fn buf_canon(b: &Buf) -> String {
            let items: Vec<String> = match b {
                Buf::Bool(v) => v[GUARD..v.len() - GUARD].iter().map(|x| canon(&ScalarValue::Bool(*x))).collect(),
                $(Buf::$v(v) => v[GUARD..v.len() - GUARD].iter().map(|x| canon(&ScalarValue::$v(*x))).collect(),)*
            };
            items.join(",")
        }
    };
}
bufs!(I8 => i8, I16 => i16, I32 => i32, I64 => i64, U8 => u8, U16 => u16, U32 => u32, U64 => u64, F32 => f32, F64 => f64);

/// What msp gives for each input set: `R:<ret>|<array>|...`, `FAULT|<array>|...` (the
/// arrays as the fault left them; the model says `FAULT` for a division by zero,
/// `FAULT:index` for an index out of range), or `COMPILE_ERROR:<message>` (the same for
/// every input), or `CORRUPT:...` when the call wrote just outside an array argument (each
/// buffer has guard zones, [`GUARD`]), or `TIERS_DIFFER:...` when the fast tier's result
/// is not O3's. Arrays with two or more `:` axes are passed with their extents
/// ([`CallArg::shaped`]); the others by length, or with extents in every other input set.
/// An array the kernel never writes is passed read-only ([`CallArg::array_ref`]) in
/// every third input set.
pub fn run_msp(p: &Program) -> Vec<String> {
    let src = render::kernel_source(p);
    // A crash inside LLVM takes the process down before any comparison or shrinking;
    // MSP_DIFFTEST_ECHO=1 shows the program that did it.
    if std::env::var_os("MSP_DIFFTEST_ECHO").is_some() {
        eprintln!("{src}");
    }
    // One module for every input set: `prange` loops compiled without a thread count
    // run on the count of the `with_threads` around each call.
    let first_message = |e: msp_core::driver::CompileError| {
        e.diagnostics
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_default()
    };
    let module = match Compiler::new().jit_source("difftest.py", &src) {
        Ok(m) => m,
        Err(e) => return vec![format!("COMPILE_ERROR:{}", first_message(e)); p.inputs.len()],
    };
    // The fast tier (`fast_compile`: another pipeline and LLVM's level-0 code generator),
    // without and with its loop vectorizer (`loop_passes`), must agree with O3 on every
    // input set; a difference is reported as msp's result, which matches no model.
    let tiers: Vec<(&str, Result<_, String>)> =
        [("fast tier", false), ("vectorizing fast tier", true)]
            .into_iter()
            .map(|(name, vectorize)| {
                let module = Compiler::new()
                    .fast_compile(true)
                    .loop_passes(vectorize)
                    .jit_source("difftest.py", &src)
                    .map_err(first_message);
                (name, module)
            })
            .collect();
    let prange = p.has_prange();
    (0..p.inputs.len())
        .map(|case| {
            let threads = if prange { p.threads_of(case) } else { 1 };
            let o3 = run_case(p, &module, case, threads);
            // After a fault in a `prange` on several threads, which later chunks ran
            // (and wrote) is not promised ([`same`]): the tiers need only both fault.
            let racy_fault = threads > 1;
            let both_fault = |a: &str, b: &str| {
                a.split('|').next() == Some("FAULT") && b.split('|').next() == Some("FAULT")
            };
            for (name, tier) in &tiers {
                match tier {
                    Ok(f) => {
                        let quick = run_case(p, f, case, threads);
                        if quick != o3 && !(racy_fault && both_fault(&o3, &quick)) {
                            return format!("TIERS_DIFFER: O3 {o3}; {name} {quick}");
                        }
                    }
                    Err(e) => return format!("TIERS_DIFFER: the {name} does not compile: {e}"),
                }
            }
            o3
        })
        .collect()
}

/// Input set `case` through `module`'s entry, its `prange` loops on `threads` threads,
/// in [`run_msp`]'s form.
fn run_case(p: &Program, module: &msp_core::jit::JitModule, case: usize, threads: u32) -> String {
    let entry = p.entry();
    let inputs = &p.inputs[case];
    let mut bufs: Vec<Option<ArrayArg>> = Vec::new();
    let mut scalars: Vec<Option<ScalarValue>> = Vec::new();
    for (param, input) in entry.params.iter().zip(inputs) {
        match (param, input) {
            (Param::Scalar(_, t), Input::Scalar(v)) => {
                scalars.push(Some(scalar_value(v, *t)));
                bufs.push(None);
            }
            (Param::Array(a), Input::Array { dims, vals }) => {
                let runtime = a.dims.iter().filter(|d| d.is_none()).count();
                let shape = (runtime >= 2 || case % 2 == 1).then(|| dims.clone());
                let writable = case % 3 != 2 || p.writes(entry, &a.name);
                scalars.push(None);
                bufs.push(Some((make_buf(a.elem, vals), shape, writable)));
            }
            _ => return "BADINPUT".to_string(),
        }
    }
    let result = {
        let mut args: Vec<CallArg<'_>> = Vec::new();
        for (s, b) in scalars.iter().zip(bufs.iter_mut()) {
            match (s, b) {
                (Some(v), _) => args.push(CallArg::Scalar(*v)),
                (None, Some((b, shape, writable))) => {
                    args.push(buf_arg(b, shape.as_deref(), *writable))
                }
                _ => unreachable!("one of the two"),
            }
        }
        msp_rt::parallel::with_threads(threads as usize, || {
            module.call_dynamic(&entry.name, &mut args)
        })
    };
    // A write outside an array (found in its guard zones) is never right.
    if bufs.iter().flatten().any(|(b, ..)| !buf_intact(b)) {
        return "CORRUPT:a write outside an array argument".to_string();
    }
    let arrays = || {
        bufs.iter()
            .flatten()
            .map(|(b, ..)| format!("|{}", buf_canon(b)))
            .collect::<String>()
    };
    match result {
        Ok(Some(v)) => format!("R:{}{}", canon(&v), arrays()),
        Ok(None) => "R:None".into(),
        Err(CallError::Fault(_)) => format!("FAULT{}", arrays()),
        Err(e) => format!("CALL_ERROR:{e}"),
    }
}

/// The entry's array arguments of input set `case` before the call, in the form
/// [`run_msp`] gives them after it (`|<array>|...`).
pub fn input_arrays(p: &Program, case: usize) -> String {
    p.entry()
        .params
        .iter()
        .zip(&p.inputs[case])
        .filter_map(|(param, input)| match (param, input) {
            (Param::Array(a), Input::Array { vals, .. }) => {
                let items: Vec<String> = vals
                    .iter()
                    .map(|v| canon(&scalar_value(v, a.elem)))
                    .collect();
                Some(format!("|{}", items.join(",")))
            }
            _ => None,
        })
        .collect()
}

/// An entry array argument: its buffer, the extents to pass with it (if any), and
/// whether it is passed writable.
type ArrayArg = (Buf, Option<Vec<usize>>, bool);

/// Python source of one input value.
pub fn py_value(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Float(f) => render::py_float(*f),
    }
}

fn py_input(input: &Input) -> String {
    match input {
        Input::Scalar(v) => py_value(v),
        Input::Array { dims, vals } => {
            let items: Vec<String> = vals.iter().map(py_value).collect();
            let shape: String = dims.iter().map(|d| format!("{d}, ")).collect();
            format!("_arr(({shape}), {})", nest(&items, dims))
        }
    }
}

/// Nests a row-major list of item texts by `dims` (an axis of extent 0 included:
/// `[[], [], []]` for 3 by 0).
pub fn nest(items: &[String], dims: &[usize]) -> String {
    match dims.split_first() {
        None => items.first().cloned().unwrap_or_default(),
        Some((_, [])) => format!("[{}]", items.join(", ")),
        Some((&n, rest)) => {
            let chunk: usize = rest.iter().product();
            let parts: Vec<String> = (0..n)
                .map(|i| {
                    let from = (i * chunk).min(items.len());
                    let to = ((i + 1) * chunk).min(items.len());
                    nest(&items[from..to], rest)
                })
                .collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

/// The Python script that runs every program of a batch and prints `pid case output`.
pub fn python_script(progs: &[&Program]) -> String {
    let mut s = String::from(MODEL_PRELUDE);
    s.push('\n');
    for (pid, p) in progs.iter().enumerate() {
        let prefix = format!("p{pid}_");
        let src = render::model_source(p, &prefix);
        let entry = p.entry();
        let cases: Vec<String> = p
            .inputs
            .iter()
            .enumerate()
            .map(|(i, inputs)| {
                let args: Vec<String> = inputs.iter().map(py_input).collect();
                format!("({i}, [{}])", args.join(", "))
            })
            .collect();
        let arrays: Vec<String> = entry
            .params
            .iter()
            .enumerate()
            .filter_map(|(k, param)| match param {
                Param::Array(a) => Some(format!("({k}, '{}')", render::type_code(a.elem))),
                Param::Scalar(..) => None,
            })
            .collect();
        s.push_str(&format!(
            "_run({pid}, {src:?}, '{prefix}{}', [{}], '{}', [{}])\n",
            entry.name,
            cases.join(", "),
            render::type_code(entry.ret),
            arrays.join(", ")
        ));
    }
    s
}

/// Runs `script` with `python3`, killing it after `timeout`.
pub fn run_python_script(script: &str, timeout: Duration) -> Result<String, String> {
    let mut child = Command::new(python_cmd())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start python3: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let script = script.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(script.as_bytes());
    });
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = String::new();
        let mut err = String::new();
        let _ = stdout.read_to_string(&mut out);
        let _ = stderr.read_to_string(&mut err);
        let _ = tx.send((out, err));
    });
    let got = rx.recv_timeout(timeout);
    if got.is_err() {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let _ = writer.join();
    match got {
        Ok((out, err)) => {
            if !status.success() && out.is_empty() {
                return Err(format!("python3 failed: {err}"));
            }
            Ok(out)
        }
        Err(_) => Err(format!("python3 did not finish within {timeout:?}")),
    }
}

/// The Python interpreter to use (`MSP_PYTHON`, else `python3`).
pub fn python_cmd() -> String {
    std::env::var("MSP_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether a Python 3 interpreter can be started.
pub fn python_available() -> bool {
    Command::new(python_cmd())
        .arg("-c")
        .arg("import struct, math")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether msp's output `m`, run on `threads` threads, agrees with the model's `p`:
/// equal, or both a fault that left the arrays alike (the model says which kind,
/// `FAULT:index`; msp's `FAULT` is any: which of two faulting operands is evaluated first
/// is not compared). After a fault that left a `prange` loop (the model's `~par`) on
/// several threads, the arrays are not compared: chunks after the faulting one may have
/// run and written their elements (msp promises the lowest iteration's fault, and every
/// write of the iterations before it, but not which later ones ran). On one thread the
/// chunks run in order and stop at the fault, so the arrays are the serial loop's.
fn same(m: &str, p: &str, threads: u32) -> bool {
    if m == p {
        return true;
    }
    let (mk, mrest) = m.split_once('|').unwrap_or((m, ""));
    let (pk, prest) = p.split_once('|').unwrap_or((p, ""));
    let (pk, par) = match pk.strip_suffix("~par") {
        Some(k) => (k, true),
        None => (pk, false),
    };
    mk == "FAULT"
        && (pk == "FAULT" || pk.starts_with("FAULT:"))
        && (mrest == prest || (par && threads > 1))
}

/// Both sides' outputs for one program, one entry per input set.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub msp: Vec<String>,
    pub py: Vec<String>,
    /// The threads msp ran `prange` loops on, per input set.
    pub threads: Vec<u32>,
}

impl Outcome {
    fn agree(&self, i: usize) -> bool {
        same(
            &self.msp[i],
            &self.py[i],
            self.threads.get(i).copied().unwrap_or(1),
        )
    }

    /// The first input set on which the two sides disagree, if any.
    pub fn first_mismatch(&self) -> Option<usize> {
        (0..self.msp.len()).find(|&i| !self.agree(i) || self.py[i].starts_with("MODELERR"))
    }

    /// What kind of failure input `i` shows: `model`, `compile`, `mismatch`.
    pub fn kind(&self, i: usize) -> Option<String> {
        let (m, p) = (&self.msp[i], &self.py[i]);
        if p.starts_with("MODELERR") || p == "MISSING" {
            Some("model".into())
        } else if let Some(msg) = m.strip_prefix("COMPILE_ERROR:") {
            Some(format!("compile:{msg}"))
        } else if !self.agree(i) {
            Some("mismatch".into())
        } else {
            None
        }
    }
}

/// Runs a batch on both sides; Python runs while msp compiles.
pub fn evaluate(progs: &[Program], timeout: Duration) -> Result<Vec<Outcome>, String> {
    let refs: Vec<&Program> = progs.iter().collect();
    let script = python_script(&refs);
    let py = std::thread::spawn(move || run_python_script(&script, timeout));
    let msp: Vec<Vec<String>> = progs.iter().map(run_msp).collect();
    let out = py
        .join()
        .map_err(|_| "python runner panicked".to_string())??;
    let mut py_lines: Vec<Vec<String>> = progs
        .iter()
        .map(|p| vec!["MISSING".to_string(); p.inputs.len()])
        .collect();
    for line in out.lines() {
        let mut it = line.splitn(3, ' ');
        let (Some(pid), Some(case), Some(text)) = (it.next(), it.next(), it.next()) else {
            continue;
        };
        if let (Ok(pid), Ok(case)) = (pid.parse::<usize>(), case.parse::<usize>())
            && let Some(slot) = py_lines.get_mut(pid).and_then(|v| v.get_mut(case))
        {
            *slot = text.to_string();
        }
    }
    Ok(msp
        .into_iter()
        .zip(py_lines)
        .zip(progs)
        .map(|((msp, py), p)| Outcome {
            msp,
            py,
            threads: (0..p.inputs.len()).map(|c| p.threads_of(c)).collect(),
        })
        .collect())
}

/// A value's canonical text back as a `ScalarValue` of type `ty`.
pub fn parse_canon(text: &str, ty: Scalar) -> Option<ScalarValue> {
    if text == "nan" {
        return ScalarValue::from_f64(ty, f64::NAN);
    }
    match ty {
        Scalar::Bool => Some(ScalarValue::Bool(text == "True")),
        Scalar::F32 => u32::from_str_radix(text.strip_prefix('f')?, 16)
            .ok()
            .map(|b| ScalarValue::F32(f32::from_bits(b))),
        Scalar::F64 => u64::from_str_radix(text.strip_prefix('d')?, 16)
            .ok()
            .map(|b| ScalarValue::F64(f64::from_bits(b))),
        t if types::is_int(t) => ScalarValue::from_i128(t, text.parse().ok()?),
        _ => None,
    }
}
