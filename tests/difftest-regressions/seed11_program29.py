# Found by msp-difftest (seed 11, program 29) and shrunk: msp disagrees with
# the Python model of the kernel semantics.
#   Python model: R:64
#   msp:          COMPILE_ERROR:cannot assign a `int` value to `v17`, which is `bool`
# RUN: main(0.0, 18, -11743.42857142857)
# RESULT: 64

@compile
def main(x13: float, x14: i8, x15: f64) -> u8:
    v17: bool = (False | False)
    return (u8(8) ** 2)
