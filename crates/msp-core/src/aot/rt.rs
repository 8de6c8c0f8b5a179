//! Run-time support for the Rust wrappers that `msp!` and `msp-build` generate: the
//! static fault table they carry and the conversion of a fault record into a [`Fault`].
//! Nothing here touches LLVM.

pub use crate::abi::FaultRecord;
pub use crate::check::hir::FaultKind;
pub use crate::jit::{ArrayData, Element, Fault};

/// One entry of a generated fault table. Record `site` `i + 1` is entry `map[i]` (the
/// table holds each distinct site once).
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub kernel: &'static str,
    /// `file:line:col` in the kernel's source.
    pub location: &'static str,
    /// For generated code, the quote and splices it came through (else empty).
    pub origin: &'static str,
    pub kind: FaultKind,
}

pub use crate::abi::fault_message;

/// Decodes a fault record a kernel wrote, using its module's fault table.
#[cold]
pub fn fault(sites: &[Site], map: &[u32], record: &FaultRecord) -> Fault {
    let entry = (record.site as usize)
        .checked_sub(1)
        .and_then(|i| map.get(i))
        .and_then(|&j| sites.get(j as usize));
    match entry {
        Some(site) => Fault::at_site(
            site.kernel,
            site.location,
            site.origin,
            fault_message(&site.kind, record),
        ),
        None => Fault::unknown_site(record.site),
    }
}

/// A fault out of an unchecked kernel (from a checked kernel it called): there is no
/// `Result` to put it in.
#[cold]
#[track_caller]
pub fn fault_panic(sites: &[Site], map: &[u32], record: &FaultRecord) -> ! {
    panic!("{}", fault(sites, map, record))
}

/// Checks that an array argument has exactly the kernel's element count.
///
/// # Panics
/// On a mismatch, naming the kernel, the parameter and both counts (as
/// `copy_from_slice` does: a wrong length is a bug in the caller).
#[inline]
#[track_caller]
pub fn check_len<A: ArrayData + ?Sized>(
    kernel: &str,
    param: &str,
    ty: &str,
    expected: usize,
    arg: &A,
) {
    let got = arg.elem_count();
    if got != expected {
        length_panic(kernel, param, ty, expected, got);
    }
}

#[cold]
#[track_caller]
fn length_panic(kernel: &str, param: &str, ty: &str, expected: usize, got: usize) -> ! {
    panic!(
        "argument `{param}` of kernel `{kernel}` has {got} elements; the kernel's array `{ty}` needs {expected}"
    )
}

/// The address of an array's first element, for the kernel's pointer parameter.
#[inline]
pub fn array_ptr<A: ArrayData + ?Sized>(a: &A) -> *const A::Elem {
    (a as *const A).cast::<A::Elem>()
}

/// The address of a writable array's first element.
#[inline]
pub fn array_mut_ptr<A: ArrayData + ?Sized>(a: &mut A) -> *mut A::Elem {
    (a as *mut A).cast::<A::Elem>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_records() {
        let sites = [
            Site {
                kernel: "k",
                location: "k.py:3:9",
                origin: "",
                kind: FaultKind::IndexOutOfRange {
                    axis: 1,
                    extent: Some(4),
                },
            },
            Site {
                kernel: "k",
                location: "k.py:9:5",
                origin: "quoted at k.py:2:12, spliced into the kernel at k.py:9:5",
                kind: FaultKind::ModuloByZero,
            },
        ];
        let f = fault(
            &sites,
            &[0, 0],
            &FaultRecord {
                site: 2,
                reserved: 0,
                value: 7,
                extent: 0,
            },
        );
        assert_eq!(
            f.to_string(),
            "kernel `k` stopped at k.py:3:9: index 7 is out of range for axis 1 of extent 4"
        );
        let g = fault(
            &sites,
            &[0, 1],
            &FaultRecord {
                site: 2,
                reserved: 0,
                value: 0,
                extent: 0,
            },
        );
        assert_eq!(
            g.origin.as_deref(),
            Some("quoted at k.py:2:12, spliced into the kernel at k.py:9:5")
        );
        assert!(g.to_string().ends_with(
            "integer modulo by zero (generated code: quoted at k.py:2:12, spliced into the kernel at k.py:9:5)"
        ));
        assert_eq!(
            fault(
                &sites,
                &[0],
                &FaultRecord {
                    site: 9,
                    reserved: 0,
                    value: 0,
                    extent: 0,
                }
            )
            .message,
            "unknown fault site 9"
        );
        let a = [[1.0f32; 3]; 2];
        assert_eq!(array_ptr(&a), a.as_ptr().cast::<f32>());
        check_len("k", "a", "Float[2][3]", 6, &a);
    }
}
