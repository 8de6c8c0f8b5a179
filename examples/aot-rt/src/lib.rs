//! A FIR filter staged at build time: the generator unrolls the taps into the kernel
//! (each tap a constant multiply), while the signal's length is known only when the
//! program runs (`F64[:]`). The crate depends on `msp` without its `jit` feature, so
//! the program links `msp-rt` and no LLVM.

msp::msp!(
    r#"
TAPS = [0.25, 0.5, 0.25]
NTAPS = len(TAPS)

def taps_sum(array, index):
    # array[index] * t0 + array[index + 1] * t1 + ...: one product per tap, the taps
    # written into the code as constants.
    terms = [q(f"{array}[{index} + {k}] * {t}") for k, t in enumerate(TAPS)]
    out = terms[0]
    for t in terms[1:]:
        out = q("splice(out) + splice(t)")
    return out

@compile
def fir(signal: F64[:], out: F64[:]) -> i64:
    n = len(signal) - NTAPS + 1
    if n < 0:
        n = 0
    for i in range(n):
        out[i] = splice(taps_sum("signal", "i"))
    return n
"#
);

/// Filters `signal`, returning one output per full window of taps.
///
/// # Errors
/// A fault of the kernel (none is expected: every index is in range).
pub fn filter(signal: &[f64]) -> Result<Vec<f64>, msp::CallError> {
    let mut out = vec![0.0; signal.len()];
    let n = fir(signal, &mut out)?;
    out.truncate(usize::try_from(n).unwrap_or(0));
    Ok(out)
}
