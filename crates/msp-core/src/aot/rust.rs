//! Rust source for the kernels of an AOT compilation: a hidden module with the typed
//! `unsafe extern "C"` declarations and the fault table, and one safe wrapper per kernel.
//!
//! For a kernel `def transpose(src: Float[4][4], dst: Float[4][4]) -> None` the wrapper is
//!
//! ```text
//! pub fn transpose(src: &(impl ArrayData<Elem = f32> + ?Sized),
//!                  dst: &mut (impl ArrayData<Elem = f32> + ?Sized)) -> Result<(), msp::Fault>
//! ```
//!
//! so `&[f32; 16]`, `&[[f32; 4]; 4]`, `&[f32]` and `&Vec<f32>` all work (the element
//! count is checked; a mismatch panics, as `copy_from_slice` does). Checked kernels return
//! `Result<T, msp::Fault>`; unchecked kernels return `T`. The generated code names the
//! runtime through `runtime` (normally `::msp::__private`).

use std::fmt::Write;

use super::binding::{KernelBinding, ParamBinding, SiteBinding};
use crate::check::hir::FaultKind;

/// How the generated code reaches the symbols.
#[derive(Clone, Debug)]
pub enum Linkage {
    /// The code is in the same expansion, as `global_asm!` text (already prepared by
    /// [`super::asm::for_global_asm`]); `att_syntax` for x86 targets.
    GlobalAsm { asm: String, att_syntax: bool },
    /// The symbols come from a static library that the build script links.
    External,
}

/// Options of the generated Rust.
#[derive(Clone, Debug)]
pub struct RustOptions {
    /// The path of the runtime module, e.g. `::msp::__private`.
    pub runtime: String,
    /// The hidden module holding the declarations; unique per compilation.
    pub ffi_module: String,
    /// Visibility of the wrappers, e.g. `pub`, `pub(crate)` or empty.
    pub vis: String,
    pub linkage: Linkage,
    /// A comment to put on top (where the code came from).
    pub header: Option<String>,
}

/// The Rust items for `kernels`.
pub fn bindings(kernels: &[KernelBinding], sites: &[SiteBinding], opts: &RustOptions) -> String {
    let rt = &opts.runtime;
    let m = &opts.ffi_module;
    let mut s = String::new();
    if let Some(h) = &opts.header {
        for line in h.lines() {
            let _ = writeln!(s, "// {line}");
        }
    }
    // The declarations and the fault table.
    let _ = writeln!(
        s,
        "#[doc(hidden)]\n#[allow(dead_code, non_snake_case, non_upper_case_globals, clippy::all, clippy::pedantic)]\npub mod {m} {{"
    );
    if let Linkage::GlobalAsm { asm, att_syntax } = &opts.linkage {
        let options = if *att_syntax {
            ", options(att_syntax)"
        } else {
            ""
        };
        let _ = writeln!(s, "    ::core::arch::global_asm!({asm:?}{options});");
    }
    let _ = writeln!(s, "    unsafe extern \"C\" {{");
    for k in kernels {
        let mut params: Vec<String> = k
            .params
            .iter()
            .map(|p| match p {
                ParamBinding::Scalar { name, ty } => format!("{}: {}", ident(name), ty.rust_name()),
                ParamBinding::Array {
                    name,
                    ty,
                    writes: true,
                    ..
                } => format!("{}: *mut {}", ident(name), ty.elem.rust_name()),
                ParamBinding::Array {
                    name,
                    ty,
                    writes: false,
                    ..
                } => format!("{}: *const {}", ident(name), ty.elem.rust_name()),
            })
            .collect();
        params.push(format!("fault: *mut {rt}::FaultRecord"));
        let ret = k
            .ret
            .map(|r| format!(" -> {}", r.rust_name()))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "        /// `{}{}` at {}",
            k.name,
            k.describe.trim_start_matches("fn"),
            k.location
        );
        let _ = writeln!(s, "        #[link_name = {:?}]", k.symbol);
        let _ = writeln!(
            s,
            "        pub fn {}({}){ret};",
            ident(&k.name),
            params.join(", ")
        );
    }
    let _ = writeln!(s, "    }}");
    let (distinct, map) = super::binding::dedup_sites(sites);
    let map: Vec<String> = map.iter().map(u32::to_string).collect();
    let _ = writeln!(s, "    pub static SITE_MAP: &[u32] = &[{}];", map.join(","));
    let _ = writeln!(s, "    pub static SITES: &[{rt}::Site] = &[");
    for site in &distinct {
        let _ = writeln!(
            s,
            "        {rt}::Site {{ kernel: {:?}, location: {:?}, origin: {:?}, kind: {} }},",
            site.kernel,
            site.location,
            site.origin,
            fault_kind(rt, &site.kind)
        );
    }
    let _ = writeln!(s, "    ];\n}}");
    for k in kernels {
        wrapper(&mut s, k, opts);
    }
    s
}

fn wrapper(s: &mut String, k: &KernelBinding, opts: &RustOptions) {
    let rt = &opts.runtime;
    let m = &opts.ffi_module;
    let vis = if opts.vis.is_empty() {
        String::new()
    } else {
        format!("{} ", opts.vis)
    };
    let ret = k.ret.map_or("()", |r| r.rust_name());
    let sig_ret = if k.checked {
        format!("::core::result::Result<{ret}, {rt}::Fault>")
    } else {
        ret.to_string()
    };
    let params: Vec<String> = k
        .params
        .iter()
        .map(|p| match p {
            ParamBinding::Scalar { name, ty } => format!("{}: {}", ident(name), ty.rust_name()),
            ParamBinding::Array {
                name, ty, writes, ..
            } => format!(
                "{}: &{}(impl {rt}::ArrayData<Elem = {}> + ?Sized)",
                ident(name),
                if *writes { "mut " } else { "" },
                ty.elem.rust_name()
            ),
        })
        .collect();
    let _ = writeln!(
        s,
        "\n/// Kernel `{}{}`, defined at {}.",
        k.name,
        k.describe.trim_start_matches("fn"),
        k.location
    );
    for p in &k.params {
        if let ParamBinding::Array {
            name,
            ty,
            len,
            writes,
        } = p
        {
            let how = if *writes { "written" } else { "read" };
            let _ = writeln!(
                s,
                "///\n/// `{name}`: `{ty}`, {len} elements in row-major order ({how})."
            );
        }
    }
    if k.params
        .iter()
        .any(|p| matches!(p, ParamBinding::Array { .. }))
    {
        let _ = writeln!(
            s,
            "///\n/// # Panics\n/// If an array argument does not have exactly the kernel's element count."
        );
    }
    if k.checked {
        let _ = writeln!(
            s,
            "///\n/// # Errors\n/// A `Fault` naming the kernel, the line and the fault when a run-time check fails."
        );
    }
    let _ = writeln!(
        s,
        "#[allow(dead_code, non_snake_case, clippy::all, clippy::pedantic)]\n#[inline]\n{vis}fn {}({}) -> {sig_ret} {{",
        ident(&k.name),
        params.join(", ")
    );
    let mut args = Vec::new();
    for p in &k.params {
        match p {
            ParamBinding::Scalar { name, .. } => args.push(ident(name)),
            ParamBinding::Array {
                name,
                ty,
                len,
                writes,
            } => {
                let _ = writeln!(
                    s,
                    "    {rt}::check_len({:?}, {:?}, {:?}, {len}usize, {});",
                    k.name,
                    name,
                    ty.to_string(),
                    ident(name)
                );
                args.push(if *writes {
                    format!("{rt}::array_mut_ptr({})", ident(name))
                } else {
                    format!("{rt}::array_ptr({})", ident(name))
                });
            }
        }
    }
    args.push("&mut __msp_fault".to_string());
    let _ = writeln!(s, "    let mut __msp_fault = {rt}::FaultRecord::default();");
    let _ = writeln!(
        s,
        "    // SAFETY: the declaration matches the kernel's ABI; every array holds exactly the\n    // kernel's element count and is writable where the kernel writes.\n    {}unsafe {{ {m}::{}({}) }};",
        if k.ret.is_some() {
            "let __msp_ret = "
        } else {
            ""
        },
        ident(&k.name),
        args.join(", ")
    );
    if k.checked {
        let _ = writeln!(
            s,
            "    if __msp_fault.site != 0 {{\n        return ::core::result::Result::Err({rt}::fault({m}::SITES, {m}::SITE_MAP, &__msp_fault));\n    }}"
        );
        let _ = writeln!(
            s,
            "    ::core::result::Result::Ok({})\n}}",
            if k.ret.is_some() { "__msp_ret" } else { "()" }
        );
    } else {
        let _ = writeln!(
            s,
            "    if __msp_fault.site != 0 {{\n        {rt}::fault_panic({m}::SITES, {m}::SITE_MAP, &__msp_fault);\n    }}"
        );
        if k.ret.is_some() {
            let _ = writeln!(s, "    __msp_ret");
        }
        let _ = writeln!(s, "}}");
    }
}

fn fault_kind(rt: &str, kind: &FaultKind) -> String {
    match kind {
        FaultKind::IndexOutOfRange { axis, extent } => {
            format!(
                "{rt}::FaultKind::IndexOutOfRange {{ axis: {axis}, extent: ::core::option::Option::{extent:?} }}"
            )
        }
        FaultKind::DivisionByZero => format!("{rt}::FaultKind::DivisionByZero"),
        FaultKind::ModuloByZero => format!("{rt}::FaultKind::ModuloByZero"),
        FaultKind::RangeStepZero => format!("{rt}::FaultKind::RangeStepZero"),
    }
}

/// A Python name as a Rust identifier: keywords become raw identifiers (`r#type`); the
/// few that cannot be raw get a trailing underscore.
pub fn ident(name: &str) -> String {
    const RAW: &[&str] = &[
        "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
        "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
        "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async",
        "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
        "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    match name {
        "self" | "Self" | "super" | "crate" | "_" => format!("{name}_"),
        n if RAW.contains(&n) => format!("r#{n}"),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{ArrayType, Scalar};

    #[test]
    fn wrapper_text() {
        let k = KernelBinding {
            name: "scale".into(),
            symbol: "p_scale".into(),
            params: vec![
                ParamBinding::Array {
                    name: "a".into(),
                    ty: ArrayType::fixed(Scalar::F32, &[2, 2]),
                    len: 4,
                    writes: true,
                },
                ParamBinding::Scalar {
                    name: "type".into(),
                    ty: Scalar::I32,
                },
            ],
            ret: Some(Scalar::Bool),
            checked: true,
            location: "k.py:1:1".into(),
            describe: "fn(Float[2][2], int) -> bool".into(),
        };
        let opts = RustOptions {
            runtime: "::msp::__private".into(),
            ffi_module: "__msp_ffi".into(),
            vis: "pub".into(),
            linkage: Linkage::External,
            header: None,
        };
        let text = bindings(&[k], &[], &opts);
        assert!(text.contains("#[link_name = \"p_scale\"]"), "{text}");
        assert!(text.contains("pub fn scale(a: *mut f32, r#type: i32, fault: *mut ::msp::__private::FaultRecord) -> bool;"), "{text}");
        assert!(
            text.contains("pub fn scale(a: &mut (impl ::msp::__private::ArrayData<Elem = f32> + ?Sized), r#type: i32) -> ::core::result::Result<bool, ::msp::__private::Fault> {"),
            "{text}"
        );
    }
}
