//! Faults: what a checked kernel writes when it stops, and the message a user reads.

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// The index into `axis` (0-based) of an array with that extent was out of range;
    /// the faulting index travels in the fault record.
    IndexOutOfRange {
        axis: u32,
        /// `None` for a `:` axis: the record carries the extent of that call.
        extent: Option<u64>,
        /// The index has an unsigned type: the record's `value` holds its bits, to be
        /// read as `u64` (a `u64` index of 2**63 or more is no negative number).
        unsigned: bool,
    },
    DivisionByZero,
    ModuloByZero,
    RangeStepZero,
    /// A recursive kernel, or one with large local arrays, found too little room left
    /// on the call stack ([`FaultRecord::stack_low`]) to run.
    StackExhausted,
}

/// What a kernel writes when it stops with a fault. `site` is the fault site's index
/// plus one (0 means no fault); `value` is the offending index where there is one, and
/// `extent` the extent of the axis it was out of range for.
///
/// `stack_low` is the one field the caller sets: the lowest address the kernels of the
/// call may take the stack to ([`crate::stack::stack_low`] for this thread), or 0 for
/// no test. Kernels that recurse, or have large local arrays, fault with
/// [`FaultKind::StackExhausted`] below it instead of overflowing the stack.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultRecord {
    pub site: u32,
    pub reserved: u32,
    pub value: i64,
    pub extent: i64,
    pub stack_low: u64,
}

impl FaultRecord {
    /// An empty record with this thread's stack bound: what a call from this thread
    /// passes.
    #[inline]
    pub fn for_this_thread() -> FaultRecord {
        FaultRecord {
            stack_low: crate::stack::stack_low(),
            ..FaultRecord::default()
        }
    }
}

/// What went wrong, in words, for a fault of `kind` with `record`'s values.
pub fn fault_message(kind: &FaultKind, record: &FaultRecord) -> String {
    match kind {
        FaultKind::IndexOutOfRange {
            axis,
            extent,
            unsigned,
        } => {
            let extent = extent.map_or(record.extent, |e| e as i64);
            let index = if *unsigned {
                (record.value as u64).to_string()
            } else {
                record.value.to_string()
            };
            format!("index {index} is out of range for axis {axis} of extent {extent}")
        }
        FaultKind::DivisionByZero => "integer division by zero".into(),
        FaultKind::ModuloByZero => "integer modulo by zero".into(),
        FaultKind::RangeStepZero => "range() step is zero".into(),
        FaultKind::StackExhausted => {
            "the call stack is exhausted (recursion too deep, or local arrays too large for this thread's stack)".into()
        }
    }
}

/// A fault a checked kernel stopped with, resolved to a message a user can act on.
///
/// ```
/// let fault = msp_rt::Fault {
///     kernel: "f".into(),
///     location: "g.py:9:12".into(),
///     message: "integer division by zero".into(),
///     origin: Some("quoted at g.py:2:12, spliced into the kernel at g.py:9:12".into()),
/// };
/// assert_eq!(
///     fault.to_string(),
///     "kernel `f` stopped at g.py:9:12: integer division by zero \
///      (generated code: quoted at g.py:2:12, spliced into the kernel at g.py:9:12)"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("kernel `{kernel}` stopped at {location}: {message}{}", origin_suffix(origin.as_deref()))]
pub struct Fault {
    pub kernel: String,
    /// `file:line:col` in the user's file (for generated code: where it was spliced).
    pub location: String,
    pub message: String,
    /// For generated code, where the faulting code was quoted and each splice that
    /// carried it into the kernel (see `SourceMap::origin_line` in msp-core).
    pub origin: Option<String>,
}

fn origin_suffix(origin: Option<&str>) -> String {
    origin.map_or(String::new(), |o| format!(" (generated code: {o})"))
}

impl Fault {
    /// A fault from a table entry: `origin` empty means code written in the kernel.
    pub fn at_site(kernel: &str, location: &str, origin: &str, message: String) -> Fault {
        Fault {
            kernel: kernel.to_string(),
            location: location.to_string(),
            message,
            origin: (!origin.is_empty()).then(|| origin.to_string()),
        }
    }

    /// A record whose site is not in the table (a corrupted record).
    pub fn unknown_site(site: u32) -> Fault {
        Fault {
            kernel: "?".into(),
            location: "?".into(),
            message: format!("unknown fault site {site}"),
            origin: None,
        }
    }
}
