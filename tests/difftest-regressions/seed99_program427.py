# Found by msp-difftest (seed 99, program 427): LLVM aborted the process ("Instruction
# Combining did not reach a fixpoint after 1 iterations"). The short pipeline for
# loop-free modules ran instcombine with LLVM's fixpoint verification on, which O3
# itself turns off; once the trampoline's call was inlined first, this kernel needed a
# second instcombine round to settle.
# RUN: main(zeros, True, zeros)
# RESULT: 4143937022482652781

@compile
def main(a1: Int[6], x3: bool, a2: Int[3][2]) -> u64:
    v4: bool = bool(0)
    v5: bool = bool(i16(-10))
    v6: bool = (x3 if bool(1) else v5)
    v4 = (math.isnan((float(3.25) * 401.25)) and v5 and bool(1))
    v5 = ((-(a2[((u16(65535) ^ 17) % 3)][((u8(0) if v5 else u8(254)) % 2)] % (int(765480247) | 1))) >= ((v4 * i16(6)) | (int(-1570357370) + 1429537809)) <= ((-8) // (u16(35000) - i16(15365))))
    return (((u64(0) + 4143937022482652781) if (int(4) != int(7)) else (u64(1) if v6 else u64(0))) or ((u64(0) if u8(10) else u64(15374276526446815062)) << (min(int(1073741821), int(1073741820), int(1073741821)) & 63)) or 13)
