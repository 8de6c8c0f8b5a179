# Found by msp-difftest (seed 11, program 1338) and shrunk: msp disagrees with
# the Python model of the kernel semantics.
#   Python model: R:0
#   msp:          FAULT
#   (msp ran its `prange` loops on 2 threads)
# RUN: main(1.0, 0, 0, 0)
# RESULT: 0

@compile
def h1(p10: i16) -> i64:
    return i64(0)

@compile
def main(x13: float, x14: u16, x15: int, x16: int) -> int:
    v17: f64 = 0.0
    v18: i16 = 0
    v19: u64 = 0
    for i20 in prange(1):
        if bool(0):
            x13 = float(0.0)
    h1((0 // i16(x13)))
    return int(0)
