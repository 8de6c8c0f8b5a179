//! What the Rust wrappers that `msp!` and `msp-build` generate call: the static fault
//! table they carry, the decoding of a fault record, and the binding of array arguments
//! to a kernel's pointer and extents. Not a stable API: generated code and this module
//! change together.

use crate::{ArrayData, ArrayDataMut, CallError, Extent, Fault, FaultKind, FaultRecord};

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

/// Decodes a fault record a kernel wrote, using its module's fault table.
#[cold]
pub fn fault(sites: &[Site], map: &[u32], record: &FaultRecord) -> CallError {
    let entry = (record.site as usize)
        .checked_sub(1)
        .and_then(|i| map.get(i))
        .and_then(|&j| sites.get(j as usize));
    CallError::Fault(match entry {
        Some(site) => Fault::at_site(
            site.kernel,
            site.location,
            site.origin,
            crate::fault_message(&site.kind, record),
        ),
        None => Fault::unknown_site(record.site),
    })
}

/// The parameter an array argument is bound to: its kernel, name, type as the source
/// spells it and extents.
#[derive(Clone, Copy, Debug)]
pub struct ArrayParam {
    pub kernel: &'static str,
    pub name: &'static str,
    pub ty: &'static str,
    pub dims: &'static [Extent],
}

impl ArrayParam {
    /// Checks `arg` against this parameter and writes the extents of its `:` axes to
    /// `extents` (one per `:` axis, as the kernel takes them).
    ///
    /// # Errors
    /// [`CallError::Length`] or [`CallError::Shape`] when the argument does not fit.
    #[inline]
    pub fn bind<A: ArrayData + ?Sized>(
        &self,
        arg: &A,
        extents: &mut [u64],
    ) -> Result<(), CallError> {
        let bound = if arg.contiguous() {
            crate::bind_extents(self.dims, arg.elem_count(), arg.shape(), extents)
        } else {
            Err(crate::ShapeError::NotContiguous)
        };
        bound.map_err(|problem| match problem {
            crate::ShapeError::Len { expected, got } => CallError::Length {
                kernel: self.kernel.into(),
                param: self.name.into(),
                ty: self.ty.into(),
                expected: expected as usize,
                got,
            },
            problem => CallError::Shape {
                kernel: self.kernel.into(),
                param: self.name.into(),
                ty: self.ty.into(),
                problem: Box::new(problem),
            },
        })
    }
}

/// The address of an array's first element, for the kernel's pointer parameter.
#[inline]
pub fn array_ptr<A: ArrayData + ?Sized>(a: &A) -> *const A::Elem {
    a.data_ptr()
}

/// The address of a writable array's first element.
#[inline]
pub fn array_mut_ptr<A: ArrayDataMut + ?Sized>(a: &mut A) -> *mut A::Elem {
    a.data_mut_ptr()
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
                    unsigned: false,
                },
            },
            Site {
                kernel: "k",
                location: "k.py:9:5",
                origin: "quoted at k.py:2:12, spliced into the kernel at k.py:9:5",
                kind: FaultKind::ModuloByZero,
            },
            Site {
                kernel: "k",
                location: "k.py:4:9",
                origin: "",
                kind: FaultKind::IndexOutOfRange {
                    axis: 0,
                    extent: None,
                    unsigned: true,
                },
            },
        ];
        let record = |site, value, extent| FaultRecord {
            site,
            reserved: 0,
            value,
            extent,
            stack_low: 0,
        };
        let f = fault(&sites, &[0, 0], &record(2, 7, 4));
        assert_eq!(
            f.to_string(),
            "kernel `k` stopped at k.py:3:9: index 7 is out of range for axis 1 of extent 4"
        );
        let CallError::Fault(g) = fault(&sites, &[0, 1], &record(2, 0, 0)) else {
            panic!("a fault")
        };
        assert_eq!(
            g.origin.as_deref(),
            Some("quoted at k.py:2:12, spliced into the kernel at k.py:9:5")
        );
        assert!(g.to_string().ends_with(
            "integer modulo by zero (generated code: quoted at k.py:2:12, spliced into the kernel at k.py:9:5)"
        ));
        // A `:` axis: the extent comes from the record.
        assert!(
            fault(&sites, &[2], &record(1, 12, 10))
                .to_string()
                .ends_with("index 12 is out of range for axis 0 of extent 10")
        );
        // That site's index is unsigned: its bits read as u64, not as a negative number.
        assert!(
            fault(&sites, &[2], &record(1, i64::MIN, 10))
                .to_string()
                .ends_with("index 9223372036854775808 is out of range for axis 0 of extent 10")
        );
        assert_eq!(
            fault(&sites, &[0], &record(9, 0, 0)).to_string(),
            "kernel `?` stopped at ?: unknown fault site 9"
        );
    }

    #[test]
    fn binds_arrays() {
        let a = [[1.0f32; 3]; 2];
        assert_eq!(array_ptr(&a), a.as_ptr().cast::<f32>());
        let rows = ArrayParam {
            kernel: "k",
            name: "m",
            ty: "Float[:][3]",
            dims: &[Extent::Runtime, Extent::Fixed(3)],
        };
        let mut e = [0u64; 1];
        rows.bind(&a, &mut e).unwrap();
        assert_eq!(e, [2]);
        let flat = [0.0f32; 7];
        let err = rows.bind(&flat[..], &mut e).unwrap_err();
        assert_eq!(
            err.to_string(),
            "argument `m` of `k` (`Float[:][3]`) has 7 elements, which is not a multiple of the 3 elements per index of axis 0"
        );
        let fixed = ArrayParam {
            kernel: "k",
            name: "v",
            ty: "Float[4]",
            dims: &[Extent::Fixed(4)],
        };
        assert!(matches!(
            fixed.bind(&flat[..], &mut []),
            Err(CallError::Length {
                expected: 4,
                got: 7,
                ..
            })
        ));
        let data = vec![0i32; 6];
        let grid = ArrayParam {
            kernel: "k",
            name: "g",
            ty: "Int[:][:]",
            dims: &[Extent::Runtime, Extent::Runtime],
        };
        let mut e2 = [0u64; 2];
        assert!(matches!(
            grid.bind(&data[..], &mut e2),
            Err(CallError::Shape { .. })
        ));
        grid.bind(&crate::Shaped::new(&data, [3, 2]).unwrap(), &mut e2)
            .unwrap();
        assert_eq!(e2, [3, 2]);
    }
}
