# Found by msp-difftest (seed 11, program 320) and shrunk: msp disagrees with
# the Python model of the kernel semantics.
#   Python model: R:d3f9c71c71c71c71c
#   msp:          R:d3fa47ae147ae147b
# RUN: main(1.0, 8, -12, 6)
# RESULT: 0.027777777777777776

@compile
def main(x4: float, x5: i8, x6: i16, x7: u8) -> f64:
    return ((-(f64(1.5) // f64(-0.3))) ** -2)
