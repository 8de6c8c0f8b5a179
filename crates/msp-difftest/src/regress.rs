//! Writes a shrunk failing program as a conformance case (`# RUN:` / `# RESULT:` lines,
//! see `../shared/conformance/README.md`) whose expectations are the Python model's.

use std::fmt::Write;

use msp_core::jit::ScalarValue;

use crate::ast::*;
use crate::render;
use crate::run::{self, Outcome};
use crate::types::{self, Scalar};

/// A `--call` argument for a value of type `ty` (None for NaN, which has no literal).
fn arg_literal(v: &Value, ty: Scalar) -> Option<String> {
    Some(match v {
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Float(f) if f.is_nan() => return None,
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { "1e999" } else { "-1e999" }.into(),
        Value::Float(f) => {
            let _ = ty;
            ScalarValue::F64(*f).py_repr()
        }
    })
}

fn repr(text: &str, ty: Scalar) -> String {
    run::parse_canon(text, ty)
        .map(|v| v.py_repr())
        .unwrap_or_else(|| text.to_string())
}

/// The case file's text, or `None` when the failure is not one msp should fix (a model
/// error is the generator's own bug).
pub fn case_text(p: &Program, out: &Outcome, seed: u64, index: u64) -> Option<String> {
    let kind = out.kind(0)?;
    if kind == "model" {
        return None;
    }
    let entry = p.entry();
    let inputs = &p.inputs[0];
    let mut text = String::new();
    writeln!(
        text,
        "# Found by msp-difftest (seed {seed}, program {index}) and shrunk: msp disagrees with"
    )
    .unwrap();
    writeln!(text, "# the Python model of the kernel semantics.").unwrap();
    writeln!(text, "#   Python model: {}", out.py[0]).unwrap();
    writeln!(text, "#   msp:          {}", out.msp[0]).unwrap();
    if p.has_prange() {
        // The harness runs on the default thread count; the model is the same for all.
        writeln!(
            text,
            "#   (msp ran its `prange` loops on {} threads)",
            p.threads_of(0)
        )
        .unwrap();
    }
    // Arguments; NaN scalars and array elements are made inside a wrapper kernel.
    let mut nan_params = Vec::new();
    let mut nan_elems = Vec::new();
    let mut args = Vec::new();
    for (k, (param, input)) in entry.params.iter().zip(inputs).enumerate() {
        match (param, input) {
            (Param::Scalar(_, t), Input::Scalar(v)) => match arg_literal(v, *t) {
                Some(a) => args.push(a),
                None => nan_params.push(k),
            },
            (Param::Array(a), Input::Array { dims, vals }) => {
                let items: Vec<String> = vals
                    .iter()
                    .enumerate()
                    .map(|(j, v)| {
                        arg_literal(v, a.elem).unwrap_or_else(|| {
                            nan_elems.push((k, j, dims.clone()));
                            "0.0".into()
                        })
                    })
                    .collect();
                if items.is_empty() {
                    // A nested list cannot say the extents after an empty axis.
                    let d: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
                    args.push(format!("zeros({})", d.join(", ")));
                } else {
                    args.push(run::nest(&items, dims));
                }
            }
            _ => return None,
        }
    }
    let mut src = render::kernel_source(p);
    let callee = if nan_params.is_empty() && nan_elems.is_empty() {
        "main".to_string()
    } else {
        let params: Vec<String> = entry
            .params
            .iter()
            .enumerate()
            .filter(|(k, _)| !nan_params.contains(k))
            .map(|(_, p)| match p {
                Param::Scalar(n, t) => format!("{n}: {}", types::name(*t)),
                Param::Array(a) => format!("{}: {}", a.name, render::arr_type(a)),
            })
            .collect();
        writeln!(
            src,
            "\n@compile\ndef entry({}) -> {}:",
            params.join(", "),
            types::name(entry.ret)
        )
        .unwrap();
        writeln!(src, "    zero: f64 = 0.0\n    nan: f64 = zero / zero").unwrap();
        for (k, j, dims) in &nan_elems {
            if let Param::Array(a) = &entry.params[*k] {
                let mut idx = Vec::new();
                let mut rest = *j;
                for d in dims.iter().rev() {
                    idx.push(rest % d);
                    rest /= d;
                }
                idx.reverse();
                let idx: Vec<String> = idx.iter().map(|i| i.to_string()).collect();
                writeln!(
                    src,
                    "    {}[{}] = {}(nan)",
                    a.name,
                    idx.join(", "),
                    types::name(a.elem)
                )
                .unwrap();
            }
        }
        let call_args: Vec<String> = entry
            .params
            .iter()
            .enumerate()
            .map(|(k, p)| match p {
                Param::Scalar(n, t) if nan_params.contains(&k) => {
                    format!("{}(nan)", types::name(*t)).replace(n, n)
                }
                Param::Scalar(n, _) => n.clone(),
                Param::Array(a) => a.name.clone(),
            })
            .collect();
        writeln!(src, "    return main({})", call_args.join(", ")).unwrap();
        "entry".to_string()
    };
    writeln!(text, "# RUN: {callee}({})", args.join(", ")).unwrap();
    let expected = &out.py[0];
    let kind = expected.split('|').next().unwrap_or_default();
    if kind.starts_with("FAULT") {
        writeln!(
            text,
            "# ERROR-HAS: {}",
            if kind.starts_with("FAULT:index") {
                "out of range"
            } else {
                "by zero"
            }
        )
        .unwrap();
        // The harness checks no arrays after an error; say what the model left in them.
        let mut parts = expected.split('|').skip(1);
        for (param, input) in entry.params.iter().zip(inputs) {
            if let (Param::Array(a), Input::Array { dims, .. }) = (param, input)
                && let Some(p) = parts.next()
            {
                let items: Vec<String> = p
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(|t| repr(t, a.elem))
                    .collect();
                writeln!(
                    text,
                    "#   `{}` after the fault (not checked): {}",
                    a.name,
                    run::nest(&items, dims)
                )
                .unwrap();
            }
        }
    } else {
        let mut parts = expected.strip_prefix("R:")?.split('|');
        writeln!(text, "# RESULT: {}", repr(parts.next()?, entry.ret)).unwrap();
        for (param, input) in entry.params.iter().zip(inputs) {
            if let (Param::Array(a), Input::Array { dims, .. }) = (param, input) {
                let items: Vec<String> = parts
                    .next()?
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .map(|t| repr(t, a.elem))
                    .collect();
                writeln!(text, "# ARGS-AFTER: {}", run::nest(&items, dims)).unwrap();
            }
        }
    }
    text.push('\n');
    text.push_str(&src);
    Some(text)
}
