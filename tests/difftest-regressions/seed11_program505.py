# Found by msp-difftest (seed 11, program 505) and shrunk: msp disagrees with
# the Python model of the kernel semantics.
#   Python model: R:1
#   msp:          R:0
#   (msp ran its `prange` loops on 2 threads)
# RUN: main(0.0, 1.0)
# RESULT: 1

@compile
def main(x1: f64, x2: float) -> i64:
    for i5 in prange(2, 4):
        continue
        x2 = float(0.0)
    return (i64(1) if (x2 > 0.0) else i64(0))
