# An index `x & c` with a literal c >= 0 is in 0..=c whatever x is (negative x
# included, as in Python's two's complement `&`), so over an array of more than c
# elements it needs no check; `x & 256` over 256 elements keeps one, and faults.
# RUN: lut(iota(256), [0, 255, 256, -1, -256, 1000, -7])
# RESULT: 1913
# RUN: lut(iota(256), [])
# RESULT: 0
# RUN: wide(iota(256), [3, 255])
# RESULT: 0
# RUN: wide(iota(256), [3, 256])
# ERROR-AT: 27
# ERROR-HAS: index 256 is out of range for axis 0 of extent 256
# RUN: slots(iota(4096), 12345, 7)
# RESULT: 243

@compile
def lut(t: U8[256], x: I64[:]) -> i64:
    s: i64 = 0
    for i in range(len(x)):
        s += i64(t[x[i] & 255]) + i64(t[255 & (x[i] >> 3)])
    return s

@compile
def wide(t: U8[256], x: I64[:]) -> i64:
    s: i64 = 0
    for i in range(len(x)):
        s += i64(t[x[i] & 256])
    return s

@compile
def slots(t: I32[4096], h: u64, k: u64) -> i64:
    # A probe of an open-addressing table of 2048 slots, two words each.
    s = h & 2047
    for step in range(k):
        s = (s + 1) & 2047
    return i64(t[2 * (s & 2047) + 1]) + i64(t[2 * (h & 2047)])
