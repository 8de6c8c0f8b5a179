//! Rust source for the kernels of an AOT compilation: a hidden module with the typed
//! `unsafe extern "C"` declarations and the fault table, and one wrapper per kernel.
//!
//! For a kernel `def scale(a: Float[:][4], k: float) -> None` the wrapper is
//!
//! ```text
//! pub fn scale(a: &mut (impl ArrayDataMut<Elem = f32> + ?Sized), k: f32)
//!     -> Result<(), msp::CallError>
//! ```
//!
//! so `&mut [f32]`, `&mut [[f32; 4]]`, `&mut Vec<f32>` and `&mut ShapedMut<f32>` all
//! work: the wrapper binds each array to its parameter's extents (a length or shape that
//! does not fit is `CallError::Length`/`Shape`, never a panic) and passes the pointer
//! and the extents of the `:` axes ([`crate::abi`]). A fault is `CallError::Fault`. The
//! wrapper of an unchecked kernel is an `unsafe fn`: nothing stops its indexes. The
//! generated code names the runtime through `runtime` (normally `::msp::__private`, the
//! `msp-rt` crate).

use std::fmt::Write;

use super::binding::{KernelBinding, ParamBinding, SiteBinding};
use crate::abi::AbiParam;
use crate::check::Extent;
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
        let names = super::binding::abi_names(k, ident, &["fault"]);
        let mut params: Vec<String> = k
            .abi
            .iter()
            .zip(&names)
            .map(|(p, name)| match *p {
                AbiParam::Scalar { ty, .. } => format!("{name}: {}", ty.rust_name()),
                AbiParam::Data { elem, writes, .. } => format!(
                    "{name}: *{} {}",
                    if writes { "mut" } else { "const" },
                    elem.rust_name()
                ),
                AbiParam::Extent { .. } => format!("{name}: i64"),
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
    let _ = writeln!(s, "    pub static SITES: &[{rt}::wrapper::Site] = &[");
    for site in &distinct {
        let _ = writeln!(
            s,
            "        {rt}::wrapper::Site {{ kernel: {:?}, location: {:?}, origin: {:?}, kind: {} }},",
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
    // The wrapper's own locals are reserved: a parameter spelled like one gets another name.
    let mut reserved = vec!["__msp_fault".to_string(), "__msp_ret".to_string()];
    reserved.extend(k.params.iter().map(|p| extents_var(p.name())));
    let reserved: Vec<&str> = reserved.iter().map(String::as_str).collect();
    let names = super::binding::distinct_names(k.params.iter().map(|p| ident(p.name())), &reserved);
    let params: Vec<String> = k
        .params
        .iter()
        .zip(&names)
        .map(|(p, pname)| match p {
            ParamBinding::Scalar { ty, .. } => format!("{pname}: {}", ty.rust_name()),
            ParamBinding::Array { ty, writes, .. } => format!(
                "{pname}: &{}(impl {rt}::{}<Elem = {}> + ?Sized)",
                if *writes { "mut " } else { "" },
                if *writes { "ArrayDataMut" } else { "ArrayData" },
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
            name, ty, writes, ..
        } = p
        {
            let how = if *writes { "written" } else { "read" };
            let size = match ty.len() {
                Some(n) => format!("{n} elements"),
                None => "any extent on its `:` axes".to_string(),
            };
            let _ = writeln!(s, "///\n/// `{name}`: `{ty}`, {size}, row-major ({how}).");
        }
    }
    let _ = writeln!(
        s,
        "///\n/// # Errors\n/// `CallError::Length` or `CallError::Shape` when an array argument does not fit its\n/// parameter; `CallError::Fault`, naming the kernel, the line and the fault, when a run-time\n/// check fails."
    );
    if !k.checked {
        let _ = writeln!(
            s,
            "///\n/// # Safety\n/// The kernel is compiled without run-time checks (`unchecked`): the caller must make\n/// sure that every index it computes is in range for its array and that no integer\n/// division or modulo divides by zero. An index out of range reads or writes memory\n/// outside the arrays passed in."
        );
    }
    let _ = writeln!(
        s,
        "#[allow(dead_code, non_snake_case, clippy::all, clippy::pedantic)]\n#[inline]\n{vis}{}fn {}({}) -> ::core::result::Result<{ret}, {rt}::CallError> {{",
        if k.checked { "" } else { "unsafe " },
        ident(&k.name),
        params.join(", ")
    );
    for (p, pname) in k.params.iter().zip(&names) {
        if let ParamBinding::Array { name, ty, .. } = p {
            let dims: Vec<String> = ty
                .dims
                .iter()
                .map(|d| match d {
                    Extent::Fixed(n) => format!("{rt}::Extent::Fixed({n})"),
                    Extent::Runtime => format!("{rt}::Extent::Runtime"),
                })
                .collect();
            let _ = writeln!(
                s,
                "    let mut {} = [0u64; {}];\n    {rt}::wrapper::ArrayParam {{ kernel: {:?}, name: {:?}, ty: {:?}, dims: &[{}] }}.bind(&*{}, &mut {})?;",
                extents_var(name),
                ty.runtime_axes().count(),
                k.name,
                name,
                ty.to_string(),
                dims.join(", "),
                pname,
                extents_var(name),
            );
        }
    }
    let mut args = Vec::new();
    let mut axis_slot = std::collections::HashMap::new();
    for p in &k.abi {
        match *p {
            AbiParam::Scalar { param, .. } => args.push(names[param].clone()),
            AbiParam::Data { param, writes, .. } => {
                let name = &names[param];
                args.push(if writes {
                    format!("{rt}::wrapper::array_mut_ptr({name})")
                } else {
                    format!("{rt}::wrapper::array_ptr({name})")
                });
            }
            AbiParam::Extent { param, .. } => {
                let slot = axis_slot.entry(param).or_insert(0usize);
                args.push(format!(
                    "{}[{}] as i64",
                    extents_var(k.params[param].name()),
                    *slot
                ));
                *slot += 1;
            }
        }
    }
    args.push("&mut __msp_fault".to_string());
    let _ = writeln!(
        s,
        "    let mut __msp_fault = {rt}::FaultRecord::for_this_thread();"
    );
    let _ = writeln!(
        s,
        "    // SAFETY: the declaration matches the kernel's calling convention; every array\n    // argument was bound to its parameter's extents above and is writable where the\n    // kernel writes{}.\n    let __msp_ret = unsafe {{ {m}::{}({}) }};",
        if k.checked {
            ""
        } else {
            "; the caller keeps the unchecked kernel's indexes in range (see # Safety)"
        },
        ident(&k.name),
        args.join(", ")
    );
    let _ = writeln!(
        s,
        "    if __msp_fault.site != 0 {{\n        return ::core::result::Result::Err({rt}::wrapper::fault({m}::SITES, {m}::SITE_MAP, &__msp_fault));\n    }}\n    ::core::result::Result::Ok(__msp_ret)\n}}"
    );
}

/// The local holding the extents of array parameter `name`'s `:` axes.
fn extents_var(name: &str) -> String {
    format!("__msp_extents_{name}")
}

fn fault_kind(rt: &str, kind: &FaultKind) -> String {
    match kind {
        FaultKind::IndexOutOfRange {
            axis,
            extent,
            unsigned,
        } => {
            format!(
                "{rt}::FaultKind::IndexOutOfRange {{ axis: {axis}, extent: ::core::option::Option::{extent:?}, unsigned: {unsigned} }}"
            )
        }
        FaultKind::DivisionByZero => format!("{rt}::FaultKind::DivisionByZero"),
        FaultKind::ModuloByZero => format!("{rt}::FaultKind::ModuloByZero"),
        FaultKind::RangeStepZero => format!("{rt}::FaultKind::RangeStepZero"),
        FaultKind::StackExhausted => format!("{rt}::FaultKind::StackExhausted"),
    }
}

/// The error for two kernels that would be one function in Rust: `crate` and `crate_`
/// are both `crate_` ([`ident`]), which rustc would report as a name defined twice
/// somewhere inside the expansion. `None` when every kernel has a name of its own.
///
/// ```
/// # use msp_core::aot::rust::name_clash;
/// # use msp_core::aot::binding::KernelBinding;
/// let kernel = |name: &str, location: &str| KernelBinding {
///     name: name.into(), symbol: name.into(), params: vec![], ret: None, checked: true,
///     location: location.into(), describe: "fn() -> None".into(), abi: vec![],
/// };
/// let err = name_clash(&[kernel("crate", "k.py:2:1"), kernel("crate_", "k.py:6:1")]);
/// assert!(err.unwrap().contains("both `crate_` in Rust"));
/// assert_eq!(name_clash(&[kernel("crate", "k.py:2:1"), kernel("f", "k.py:6:1")]), None);
/// ```
pub fn name_clash<'a>(kernels: impl IntoIterator<Item = &'a KernelBinding>) -> Option<String> {
    let mut seen: std::collections::HashMap<String, &KernelBinding> = Default::default();
    for k in kernels {
        let rust = ident(&k.name);
        if let Some(prev) = seen.insert(rust.clone(), k) {
            return Some(format!(
                "kernels `{}` (at {}) and `{}` (at {}) are both `{rust}` in Rust; rename one of them",
                prev.name, prev.location, k.name, k.location
            ));
        }
    }
    None
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
            abi: vec![
                AbiParam::Data {
                    param: 0,
                    elem: Scalar::F32,
                    writes: true,
                },
                AbiParam::Scalar {
                    param: 1,
                    ty: Scalar::I32,
                },
            ],
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
            text.contains("pub fn scale(a: &mut (impl ::msp::__private::ArrayDataMut<Elem = f32> + ?Sized), r#type: i32) -> ::core::result::Result<bool, ::msp::__private::CallError> {"),
            "{text}"
        );
    }
}
