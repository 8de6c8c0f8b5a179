# Found by msp-difftest (seed 99, program 123) and shrunk: msp disagrees with
# the Python model of the kernel semantics.
#   Python model: R:f7f800000|0,0,0,0,0
#   msp:          R:nan|0,0,0,0,0
# RUN: main([0, 0, 0, 0, 0], 0, 1352749414, 757254293)
# RESULT: inf
# ARGS-AFTER: [0, 0, 0, 0, 0]

@compile
def main(a1: U64[5], x17: int, x18: int, x19: int) -> float:
    return (((i16(-2) or i16(-13700)) / int(f64(-1.625))) // ((i16(8) >> (u64(4) & 511)) and (i16(16381) - i16(3))))
