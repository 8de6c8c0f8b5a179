//! From parsed arguments to the expansion: compile with `msp_core`, then wrap the
//! assembly and the generated Rust.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use msp_core::aot::{self, AotOptions, AotTarget, Emit};
use msp_core::driver::Compiler;
use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::args::{Args, Source};

/// The triple this proc macro was compiled for, which is rustc's host.
const HOST_TRIPLE: &str = env!("MSP_MACROS_TARGET");

/// Counts invocations within one rustc process (one crate), so identical invocations
/// still get distinct symbols.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Where the source literal stands in the Rust file.
pub struct CallSite {
    pub file: String,
    pub line: usize,
    /// Whether the literal's lines are the Rust file's lines (no escapes like `\n`).
    pub lines_match: bool,
}

pub fn expand(args: &Args, site: &CallSite) -> syn::Result<TokenStream> {
    let (lit, name, text, tracked) = match &args.source {
        Source::Inline(lit) => {
            let value = lit.value();
            if site.lines_match {
                // Blank lines in front make the Python line numbers those of the Rust
                // file, so diagnostics point into the user's `.rs` file.
                (
                    lit,
                    site.file.clone(),
                    "\n".repeat(site.line.saturating_sub(1)) + &value,
                    None,
                )
            } else {
                (
                    lit,
                    format!("{} (msp! at line {})", site.file, site.line),
                    value,
                    None,
                )
            }
        }
        Source::File(lit) => {
            let rel = lit.value();
            let dir = std::env::var_os("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .unwrap_or_default();
            let path = dir.join(&rel);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                syn::Error::new(
                    lit.span(),
                    format!("cannot read `{rel}` (relative to the crate's directory): {e}"),
                )
            })?;
            (lit, rel, text, Some(path))
        }
    };
    let span = lit.span();

    let mut compiler = Compiler::new();
    for (n, v) in &args.defines {
        compiler.define(n.clone(), v.clone());
    }
    compiler.unchecked(args.unchecked).opt_level(args.opt_level);
    let program = compiler
        .check_source(&name, &text)
        .map_err(|e| error(span, &e.rendered))?;

    let crate_name = std::env::var("CARGO_CRATE_NAME")
        .or_else(|_| std::env::var("CARGO_PKG_NAME"))
        .unwrap_or_default();
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let hash = aot::stable_hash(&[
        crate_name.as_bytes(),
        version.as_bytes(),
        site.file.as_bytes(),
        name.as_bytes(),
        text.as_bytes(),
        args.fingerprint().as_bytes(),
        site.line.to_string().as_bytes(),
    ]);
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    let prefix = aot::symbol_prefix(&crate_name, hash, counter);

    let target = match &args.target_cpu {
        Some(cpu) => AotTarget::with_cpu(HOST_TRIPLE, cpu),
        None => AotTarget::baseline(HOST_TRIPLE),
    };
    let mut opts = AotOptions::new(target.clone(), prefix.clone());
    opts.opt_level = args.opt_level;
    opts.threads = args.threads;
    opts.emit = Emit::Assembly;
    opts.dump_ir = args.dump_ir;
    opts.externs.provided = args.externs.clone();
    let out = aot::compile(&program, &opts).map_err(|e| error(span, &e.rendered))?;
    if let Some(clash) = aot::rust::name_clash(&out.kernels) {
        return Err(error(span, &clash));
    }

    let asm_text = out.text();
    let asm = aot::asm::for_global_asm(&asm_text, prefix.trim_start_matches('_'), target.is_elf());
    let rust_opts = aot::rust::RustOptions {
        runtime: "::msp::__private".to_string(),
        ffi_module: prefix.trim_end_matches('_').to_string(),
        vis: args.vis.clone(),
        linkage: aot::rust::Linkage::GlobalAsm {
            asm,
            att_syntax: target.is_x86(),
        },
        header: None,
    };
    let rust = aot::rust::bindings(&out.kernels, &out.sites, &rust_opts);
    dump(args, &name, &out, &asm_text, &rust);
    let items: TokenStream = rust.parse().map_err(|e| {
        error(
            span,
            &format!("msp! generated Rust that does not parse ({e}); this is a bug in msp"),
        )
    })?;

    let track = tracked.map(|p| {
        let p = p.to_string_lossy().into_owned();
        quote! { const _: &[u8] = ::core::include_bytes!(#p); }
    });
    let guard = host_guard(span);
    Ok(quote! {
        #guard
        #track
        #items
    })
}

/// A `compile_error!` for crates built for another machine than rustc's: the code in the
/// expansion is for the host.
fn host_guard(span: Span) -> TokenStream {
    let arch = std::env::consts::ARCH;
    let os = std::env::consts::OS;
    let msg = format!(
        "msp! compiled these kernels for {HOST_TRIPLE} (the machine rustc runs on) but this crate is built for another target; \
         use msp-build from a build script to cross-compile"
    );
    quote::quote_spanned! {span=>
        #[cfg(not(all(target_arch = #arch, target_os = #os)))]
        ::core::compile_error!(#msg);
    }
}

fn error(span: Span, rendered: &str) -> syn::Error {
    // rustc says "error: " itself.
    let text = rendered.trim_end();
    syn::Error::new(span, text.strip_prefix("error: ").unwrap_or(text))
}

/// The dumps asked for, on rustc's standard error (cargo shows it).
fn dump(args: &Args, name: &str, out: &aot::AotOutput, asm: &str, rust: &str) {
    if args.timings {
        eprintln!("msp! {name}: {}", out.report.times);
    }
    if args.dump_ir {
        if let Some(ir) = &out.report.ir_unoptimized {
            eprintln!("msp! {name}: unoptimized IR\n{ir}");
        }
        if let Some(ir) = &out.report.ir_optimized {
            eprintln!("msp! {name}: optimized IR\n{ir}");
        }
    }
    if args.dump_asm {
        eprintln!("msp! {name}: assembly for {}\n{asm}", out.triple);
    }
    if args.dump_rust {
        eprintln!("msp! {name}: generated Rust\n{rust}");
    }
}
