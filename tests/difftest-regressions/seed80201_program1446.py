# Found by the kernel campaign (msp-difftest --no-shrink --programs 10000 --seed 80201,
# commit b1be360), program 1446: the JIT died with SIGSEGV inside LLVM 19.1's
# SimplifyCFG while optimizing `h1`, on IR that passes the verifier. The trigger is the
# chain `(...) < (...) < (...)` of `bool`s in `h1`'s `while c17 < 0:` body, once
# SimplifyCFG has folded its operands to constants; the hand-cut case is
# llvm19_simplifycfg_bool_order.py. Compiling the module is the test: every kernel in
# it is optimized before any runs.
# RUN: h0(1.0)
# RESULT: -81.0

@compile
def h0(p2: float) -> float:
    v3: int = (int(-1115164092) and int(1073741824))
    v3 = math.trunc((float(u16(44763)) + (-p2)))
    return (-81)

@compile
def h1(p4: f64, a7: Int[:][:], p5: int, p6: int) -> float:
    v8: i64 = (-7347003209225735009)
    v9: u8 = (u8(0) ** 2)
    v10: i64 = math.ceil(p4)
    c11: i64 = 0
    i12: i64 = 0
    i13: int = 0
    r14: float = 5.625
    i15: i8 = 0
    t16: float = (-64)
    c17: u32 = 0
    w18: int = 0
    if (float(0.1) + max(float(38.75), h0(float(7.0)), 1046.25)):
        c11 = (-1)
        while a7.shape[-1] >= c11:
            p6 = (((p6 << 29) & (p5 if bool(0) else int(3))) if ((p5 <= p5) and bool(p4) and (v8 != v8)) else math.ceil(float(len(a7))))
            for i12 in prange(0, a7.shape[-1], 3):
                h0(h0(((float(-8.0) - float(-3.5)) // (float(2.875) + float(5.625)))))
                v10 = max(v10, (-12))
                a7[(a7.shape[0] - 2), i12] = (a7[(a7.shape[0] - 2), i12] + (p6 * u16(65534)))
                if (int((float(110.0) // float(-0.125))) < (p5 * (u16(16242) | bool(0))) != int(777376273)):
                    continue
            c11 += 1
        p6 = ((math.ceil(float(-1.625)) >> ((u16(2) if bool(1) else u16(13822)) & 7)) & (-13))
    elif ((int(p4) | max((-16), a7[1, ((4 & u32(164942505)) % a7.shape[-1])], p5)) - int((v8 ** 3))):
        a7[(a7.shape[-2] - 2)][(a7.shape[-1] - 1)] = (a7[((v8 and i64(-7)) % len(a7))][((u32(0) if p6 else u32(len(a7))) % a7.shape[1])] ^ (u16(1492) ^ i16(len(a7))))
        for i13 in prange(2, 384, 3):
            v10 = min(v10, 142452174898207570)
            for i15 in prange(2, 7, 1):
                t16 = (4085 ^ ((-20) % (-i16(-27895))))
                t16 = math.sqrt((t16 % (float(-185.0) * float(4.875))))
            r14 += (float(i13) * 0.3)
            r14 += float(8.0)
            h0((i16(-23230) & i16(-3066)))
        c17 = 0
        while c17 < 0:
            if (((v9 << (p6 & 127)) < 0) if ((bool(0) if bool(1) else bool(0)) < (bool(0) and bool(a7.shape[1])) < (bool(0) | bool(0))) else ((-302.5) >= (1 % u16(0)))):
                c17 += 1
            w18 = 0
            while w18 < 4 and math.isnan(p4):
                w18 += 1
                if (((i12 < f64(0.875)) | (bool(0) or bool(1))) and (not (a7[((a7[(int(u64(9223372036854775805)) % a7.shape[0]), ((w18 * 2) + 2)] - u32(0)) % len(a7))][((w18 * 2) + 2)] and (-2)))):
                    continue
            p5 *= (int(0) * 1073741825)
            v10 = ((i12 >> 6) | (bool(1) % (i64(4611686018427387903) & len(a7))))
            c17 = c17 + 1
    elif (((v9 if bool(1) else v9) | (u16(12972) * u16(0))) != ((u16(0) ** 5) | 58692)):
        pass
    return r14

@compile
def main(x19: bool, a1: Int[2][1], x20: float, x21: i64) -> int:
    v22: float = (-1.75)
    v23: u16 = u16(i8(4))
    v24: int = (a1.shape[1] % 18)
    v25: i64 = (x21 & x21)
    i26: u32 = 0
    i27: u8 = 0
    g28: int = 0
    i30: u8 = 0
    if (((x19 | x19) & math.isinf(f64(-755.0))) or ((1073741823 & len(a1)) == (~v24)) or (bool(v23) ^ (i8(-13) != 0.1))):
        return (v23 ^ (i8(-69) if (bool(0) or x19 or x19) else (127 ^ i8(-7))))
    for i26 in range(2, 7):
        for i27 in range(1, 7, 1):
            if (4.625 <= (-(x20 * 94))):
                break
            i27 = (i27 + 1)
            v24 = a1[(-1), i27]
        else:
            if ((v24 * ((-1) % v24)) != ((a1[(i26 % 2), ((u64(0) | u64(9223372036854775805)) % 1)] | v24) & (int(1073741821) >> 26))):
                i27 = ((~(-i27)) or (i27 ^ 51) or ((i27 if x19 else i27) if (i26 > 0 == i26) else (i27 if x19 else i27)))
            elif x19:
                x20 = u64(15250176922140567919)
            g28 = 0
            label("R29")
            a1[1][((i8(0) >> (v23 & 127)) % 1)] = ((int(i8(-128)) | (g28 << 33)) and (v24 if (i27 <= v23) else (x19 & i8(-4))) and (v24 * (-2065772090)))
            a1[(i26 - 2)][((i26 - g28) % 1)] = (((i16(32766) if i64(9223372036854775807) else i16(-32768)) if (x19 or bool(1) or x19) else i16(19)) and ((-i16(-10)) << (u64(0) & 127)))
            g28 += 1
            if g28 < 2:
                goto("R29")
        v23 |= v23
    else:
        if x19:
            i27 = 15
            for i30 in range(1, 2):
                pass
            else:
                pass
        elif ((max(u64(4214001415390648555), u64(0), u64(0)) & (u64(4522557320300156455) & v23)) >= u64(9223372036854775808)):
            pass
        elif x19:
            pass
        else:
            pass
    return (((i27 and i30) - (i30 << 6)) & (16 != max(i26, i26, u32(0))))

