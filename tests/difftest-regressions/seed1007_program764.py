# Found by msp-difftest (seed 1007, program 764) and shrunk: f32 `//` rounded twice (see
# f32_floordiv_double_rounding.py). msp disagreed with
# the Python model of the kernel semantics.
#   Python model: R:f7126a7e1|0,0,0,0|-13,9223372036854775807,20,-9223372036854775807
#   msp:          R:f7126a7e5|0,0,0,0|-13,9223372036854775807,20,-9223372036854775807
# RUN: main([0, 0, 0, 0], 1, [-13, 9223372036854775807, 20, -9223372036854775807])
# RESULT: 8.252394363948411e+29
# ARGS-AFTER: [0, 0, 0, 0]
# ARGS-AFTER: [-13, 9223372036854775807, 20, -9223372036854775807]

@compile
def main(a2: I64[4], x19: int, a1: I64[4]) -> float:
    v21: float = (-71.25)
    return ((-(u32(2147483644) // v21)) ** 4)
