//! The `msp!` proc macro: stages, type-checks and compiles kernels while rustc runs, and
//! expands to their machine code (LLVM's assembly in `global_asm!`) plus a typed
//! `unsafe extern "C"` declaration and a safe Rust wrapper per kernel.
//!
//! Use it through the `msp` crate (`msp::msp!`); see its documentation. Everything
//! interesting happens in `msp_core::aot`; this crate parses the invocation, reads the
//! file, picks the target and the symbol prefix, and turns errors into `compile_error!`.
//!
//! Target: a proc macro cannot see the triple of the crate it expands in, so `msp!`
//! compiles for the triple this macro itself was built for (rustc's host, recorded by
//! `build.rs`), with that triple's baseline CPU unless `target_cpu = "..."` says
//! otherwise. The expansion refuses to build for another architecture or OS; use
//! `msp-build` to cross-compile.

mod args;
mod expand;

use std::panic::{AssertUnwindSafe, catch_unwind};

use proc_macro::TokenStream;

/// Compiles staged kernels into the calling crate while rustc runs.
///
/// ```ignore
/// msp::msp!(r#"
/// @compile
/// def scale(a: Float[4], k: float) -> None:
///     for i in range(4):
///         a[i] = a[i] * k
/// "#);
///
/// let mut a = [1.0f32, 2.0, 3.0, 4.0];
/// scale(&mut a, 0.5)?; // kernels return Result<T, msp::CallError>
/// ```
///
/// Each `@compile` kernel becomes a function of the same name in the calling module:
/// scalar parameters take Rust scalars, array parameters `&[T; N]`, `&[[T; M]; N]` or
/// slices (`&mut` where the kernel writes; the element count is checked). The source is
/// an inline string or `file = "path/relative/to/Cargo.toml.py"` (tracked, so edits
/// rebuild). Options after it: `define(name = value, ...)`, `unchecked`,
/// `opt_level = N`, `target_cpu = "..."`, `externs(name, ...)`, `vis = "..."`, `timings`,
/// `dump_ir`, `dump_asm`, `dump_rust`. Every error is a `compile_error!` with the rendered
/// diagnostic. The repository's `docs/aot.md` explains targets, symbols and costs.
#[proc_macro]
pub fn msp(input: TokenStream) -> TokenStream {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let args = match syn::parse::<args::Args>(input) {
            Ok(a) => a,
            Err(e) => return e.to_compile_error(),
        };
        let site = call_site(&args);
        expand::expand(&args, &site).unwrap_or_else(|e| e.to_compile_error())
    }));
    match result {
        Ok(tokens) => tokens.into(),
        Err(payload) => {
            let what = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            let msg = format!(
                "msp! failed unexpectedly: {what}\nThis is a bug in msp; please report it with the kernel source."
            );
            syn::Error::new(proc_macro2::Span::call_site(), msg)
                .to_compile_error()
                .into()
        }
    }
}

/// Where the invocation's source literal stands in the Rust file.
fn call_site(args: &args::Args) -> expand::CallSite {
    let (span, lit) = match &args.source {
        args::Source::Inline(lit) | args::Source::File(lit) => (lit.span().unwrap(), lit),
    };
    let token = lit.token().to_string();
    expand::CallSite {
        file: span.file(),
        line: span.line(),
        // Python line k is Rust line `line + k - 1` when no escape changes the line count.
        lines_match: token.starts_with('r') || !token.contains('\\'),
    }
}

#[cfg(test)]
mod tests;
