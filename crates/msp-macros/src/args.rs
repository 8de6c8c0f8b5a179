//! The macro's input: the source (inline or `file = "..."`) and options.
//!
//! ```text
//! msp!(r#"...staged source..."#, define(n = 4, name = "x", xs = [1, 2]), unchecked)
//! msp!(file = "kernels/power.py", opt_level = 2, target_cpu = "native", externs(my_fn))
//! ```

use msp_core::staged::DefineValue;
use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token, bracketed, parenthesized};

/// Where the staged source comes from.
pub enum Source {
    Inline(LitStr),
    /// A path relative to the calling crate's manifest directory.
    File(LitStr),
}

/// Everything the invocation says.
pub struct Args {
    pub source: Source,
    pub defines: Vec<(String, DefineValue)>,
    pub unchecked: bool,
    pub opt_level: u8,
    /// Threads of `prange` loops (0: decided at run time).
    pub threads: u32,
    pub target_cpu: Option<String>,
    /// `@extern` names the user promises are linked in although the compiler cannot see them.
    pub externs: Vec<String>,
    /// Visibility of the wrappers (`pub` unless `vis = "..."` says otherwise).
    pub vis: String,
    pub dump_ir: bool,
    pub dump_asm: bool,
    pub dump_rust: bool,
    pub timings: bool,
}

impl Args {
    /// A description of the options, for the symbol hash.
    pub fn fingerprint(&self) -> String {
        format!(
            "{:?}|{}|{}|{:?}|{:?}|{}|{}",
            self.defines,
            self.unchecked,
            self.opt_level,
            self.target_cpu,
            self.externs,
            self.vis,
            self.threads
        )
    }
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut source = None;
        let mut args = Args {
            source: Source::Inline(LitStr::new("", Span::call_site())),
            defines: Vec::new(),
            unchecked: false,
            opt_level: 3,
            threads: 0,
            target_cpu: None,
            externs: Vec::new(),
            vis: "pub".to_string(),
            dump_ir: false,
            dump_asm: false,
            dump_rust: false,
            timings: false,
        };
        while !input.is_empty() {
            if input.peek(LitStr) {
                let lit: LitStr = input.parse()?;
                set_source(&mut source, Source::Inline(lit.clone()), lit.span())?;
            } else {
                let key: Ident = input.parse()?;
                match key.to_string().as_str() {
                    "file" | "source" => {
                        input.parse::<Token![=]>()?;
                        let lit: LitStr = input.parse()?;
                        let s = if key == "file" {
                            Source::File(lit.clone())
                        } else {
                            Source::Inline(lit.clone())
                        };
                        set_source(&mut source, s, lit.span())?;
                    }
                    "define" => {
                        let content;
                        parenthesized!(content in input);
                        while !content.is_empty() {
                            let name: Ident = content.parse()?;
                            content.parse::<Token![=]>()?;
                            let value = parse_value(&content)?;
                            let name = name.to_string();
                            args.defines.retain(|(n, _)| *n != name);
                            args.defines.push((name, value));
                            if !content.is_empty() {
                                content.parse::<Token![,]>()?;
                            }
                        }
                    }
                    "externs" => {
                        let content;
                        parenthesized!(content in input);
                        let names = content.parse_terminated(Ident::parse, Token![,])?;
                        args.externs.extend(names.iter().map(|n| n.to_string()));
                    }
                    "unchecked" => args.unchecked = true,
                    "dump_ir" => args.dump_ir = true,
                    "dump_asm" => args.dump_asm = true,
                    "dump_rust" => args.dump_rust = true,
                    "timings" => args.timings = true,
                    "opt_level" => {
                        input.parse::<Token![=]>()?;
                        let lit: syn::LitInt = input.parse()?;
                        let level: u8 = lit.base10_parse()?;
                        if level > 3 {
                            return Err(syn::Error::new(lit.span(), "opt_level is 0, 1, 2 or 3"));
                        }
                        args.opt_level = level;
                    }
                    "threads" => {
                        input.parse::<Token![=]>()?;
                        let lit: syn::LitInt = input.parse()?;
                        args.threads = lit.base10_parse()?;
                    }
                    "target_cpu" => {
                        input.parse::<Token![=]>()?;
                        args.target_cpu = Some(input.parse::<LitStr>()?.value());
                    }
                    "vis" => {
                        input.parse::<Token![=]>()?;
                        let lit: LitStr = input.parse()?;
                        let vis = lit.value();
                        if syn::parse_str::<syn::Visibility>(&vis).is_err() {
                            return Err(syn::Error::new(
                                lit.span(),
                                "not a Rust visibility (`pub`, `pub(crate)`, or empty)",
                            ));
                        }
                        args.vis = vis;
                    }
                    other => {
                        return Err(syn::Error::new(
                            key.span(),
                            format!(
                                "unknown option `{other}`; expected a source string, `file = \"...\"`, `define(...)`, `unchecked`, \
                                 `opt_level = N`, `threads = N`, `target_cpu = \"...\"`, `externs(...)`, `vis = \"...\"`, `dump_ir`, `dump_asm`, \
                                 `dump_rust` or `timings`"
                            ),
                        ));
                    }
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        match source {
            Some(s) => args.source = s,
            None => {
                return Err(syn::Error::new(
                    Span::call_site(),
                    "msp! needs the staged source: `msp!(r#\"...\"#)` or `msp!(file = \"kernels/k.py\")`",
                ));
            }
        }
        Ok(args)
    }
}

fn set_source(slot: &mut Option<Source>, s: Source, span: Span) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(
            span,
            "msp! takes one source: an inline string or `file = \"...\"`",
        ));
    }
    *slot = Some(s);
    Ok(())
}

/// A define's value: an integer, float, string or bool literal (`True`/`False` too),
/// possibly negated, or a list of those in brackets.
fn parse_value(input: ParseStream) -> syn::Result<DefineValue> {
    if input.peek(syn::token::Bracket) {
        let content;
        bracketed!(content in input);
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(parse_value(&content)?);
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        return Ok(DefineValue::List(items));
    }
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    if input.peek(Ident) {
        let id: Ident = input.parse()?;
        return match (id.to_string().as_str(), negative) {
            ("True", false) => Ok(DefineValue::Bool(true)),
            ("False", false) => Ok(DefineValue::Bool(false)),
            _ => Err(syn::Error::new(
                id.span(),
                "a define's value is a literal: integer, float, string, bool, or a [list]",
            )),
        };
    }
    let lit: syn::Lit = input.parse()?;
    match lit {
        syn::Lit::Int(i) => {
            let v: i64 = if negative {
                format!("-{}", i.base10_digits()).parse()
            } else {
                i.base10_digits().parse()
            }
            .map_err(|_| syn::Error::new(i.span(), "integer out of the 64-bit range"))?;
            Ok(DefineValue::Int(v))
        }
        syn::Lit::Float(f) => {
            let v: f64 = f.base10_parse()?;
            Ok(DefineValue::Float(if negative { -v } else { v }))
        }
        syn::Lit::Str(s) if !negative => Ok(DefineValue::Str(s.value())),
        syn::Lit::Bool(b) if !negative => Ok(DefineValue::Bool(b.value)),
        other => Err(syn::Error::new(
            other.span(),
            "a define's value is a literal: integer, float, string, bool, or a [list]",
        )),
    }
}
