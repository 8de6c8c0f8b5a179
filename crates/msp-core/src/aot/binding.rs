//! What a host language needs to know to call the kernels of an AOT compilation: each
//! kernel's symbol and signature, and the fault table.

use crate::abi::AbiParam;
use crate::check::hir::FaultKind;
use crate::check::{ArrayType, Scalar, Type};
use crate::driver::CheckedProgram;

/// One kernel as a host sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelBinding {
    /// The kernel's name in the Python source.
    pub name: String,
    /// The symbol in the object code (`prefix + name`).
    pub symbol: String,
    pub params: Vec<ParamBinding>,
    /// `None` for `-> None`.
    pub ret: Option<Scalar>,
    /// Whether the kernel checks indexes and divisions (and so returns faults).
    pub checked: bool,
    /// `file:line:col` of the `def`.
    pub location: String,
    /// The signature as the source spells it: `fn(int, Float[4][4]) -> float`.
    pub describe: String,
    /// The kernel's arguments in the calling convention's order ([`crate::abi`]).
    pub abi: Vec<AbiParam>,
}

/// One parameter of a kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamBinding {
    Scalar {
        name: String,
        ty: Scalar,
    },
    /// A row-major array passed as a pointer to the first element and the extents of
    /// its `:` axes; `len` is its element count when every extent is fixed (else 0);
    /// `writes` says whether the kernel (or one it calls) may store into it.
    Array {
        name: String,
        ty: ArrayType,
        len: u64,
        writes: bool,
    },
}

impl ParamBinding {
    pub fn name(&self) -> &str {
        match self {
            ParamBinding::Scalar { name, .. } | ParamBinding::Array { name, .. } => name,
        }
    }
}

/// One place a checked kernel can fault, resolved to the user's file.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteBinding {
    pub kernel: String,
    /// `file:line:col` (generated code: where it was spliced into the kernel).
    pub location: String,
    /// For generated code, the quote and splices it came through (else empty).
    pub origin: String,
    pub kind: FaultKind,
}

pub(super) fn kernels(program: &CheckedProgram, prefix: &str) -> Vec<KernelBinding> {
    program
        .checked
        .kernels
        .iter()
        .map(|k| {
            let params = k
                .sig
                .params
                .iter()
                .enumerate()
                .map(|(i, (name, ty))| match ty {
                    Type::Array(a) => ParamBinding::Array {
                        name: name.clone(),
                        ty: a.clone(),
                        len: a.len().unwrap_or(0),
                        writes: k.sig.writes.get(i).copied().unwrap_or(true),
                    },
                    Type::Scalar(s) => ParamBinding::Scalar {
                        name: name.clone(),
                        ty: *s,
                    },
                    // The checker refuses `None` parameters; treat one as a byte to stay total.
                    Type::None => ParamBinding::Scalar {
                        name: name.clone(),
                        ty: Scalar::U8,
                    },
                })
                .collect();
            KernelBinding {
                name: k.sig.name.clone(),
                symbol: format!("{prefix}{}", k.sig.name),
                params,
                ret: k.sig.ret.scalar(),
                checked: !k.unchecked,
                location: program.map.file_location(k.span).to_string(),
                describe: crate::jit::describe_sig(&k.sig),
                abi: crate::abi::kernel_params(&k.sig),
            }
        })
        .collect()
}

pub(super) fn sites(program: &CheckedProgram) -> Vec<SiteBinding> {
    program
        .checked
        .fault_sites
        .iter()
        .map(|s| SiteBinding {
            kernel: s.kernel.clone(),
            location: program.map.file_location(s.span).to_string(),
            origin: program.map.origin_line(s.span).unwrap_or_default(),
            kind: s.kind.clone(),
        })
        .collect()
}

/// Names for one scope of generated code (a function's parameters): each wanted name,
/// with `_` appended until it differs from `reserved` and from the names before it.
/// Host-language spellings map Python names many-to-one (`self` and `self_` are both
/// `self_` in Rust; `fault` and `fault_` both `fault_` in C), and a parameter `a_dim0`
/// meets the extent of `a`'s axis 0: without this the declaration would not compile.
///
/// ```
/// use msp_core::aot::binding::distinct_names;
/// let names = distinct_names(["self_", "self_", "x"].map(String::from), &["x"]);
/// assert_eq!(names, ["self_", "self__", "x_"]);
/// ```
pub fn distinct_names(wanted: impl IntoIterator<Item = String>, reserved: &[&str]) -> Vec<String> {
    let mut taken: std::collections::HashSet<String> =
        reserved.iter().map(|r| r.to_string()).collect();
    wanted
        .into_iter()
        .map(|mut name| {
            while taken.contains(&name) {
                name.push('_');
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// The name of each of `k`'s arguments in the calling convention's order
/// ([`KernelBinding::abi`]), spelled by `spell` and distinct from each other and from
/// `reserved`: a parameter by its own name, a `:` extent as
/// [`crate::abi::extent_name`] (`a_dim0`).
pub fn abi_names(
    k: &KernelBinding,
    spell: impl Fn(&str) -> String,
    reserved: &[&str],
) -> Vec<String> {
    let wanted = k.abi.iter().map(|p| match *p {
        AbiParam::Scalar { param, .. } | AbiParam::Data { param, .. } => {
            spell(k.params[param].name())
        }
        AbiParam::Extent { param, axis } => {
            spell(&crate::abi::extent_name(k.params[param].name(), axis))
        }
    });
    distinct_names(wanted, reserved)
}

/// The distinct sites of a fault table, and for each site its index among them: generated
/// code (a Brainfuck program's thousands of accesses spliced at one line) repeats the same
/// site many times, and the tables in generated sources stay small this way.
pub fn dedup_sites(sites: &[SiteBinding]) -> (Vec<SiteBinding>, Vec<u32>) {
    let mut distinct: Vec<SiteBinding> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut map = Vec::with_capacity(sites.len());
    for s in sites {
        let key = (
            s.kernel.clone(),
            s.location.clone(),
            s.origin.clone(),
            format!("{:?}", s.kind),
        );
        let i = *index.entry(key).or_insert_with(|| {
            distinct.push(s.clone());
            distinct.len() as u32 - 1
        });
        map.push(i);
    }
    (distinct, map)
}
