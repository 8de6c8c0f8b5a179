@compile
def f(a: U8[4294967296][4294967296][16]) -> int:
    return 0
