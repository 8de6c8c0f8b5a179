# Local arrays live on the stack: more than 1 MiB of them in one kernel is refused where
# the array is declared (this one was truncated to one element by codegen: 2**32 + 1).
# ERROR-AT: 8
# ERROR-HAS: limit of 1048576 bytes

@compile
def f() -> u8:
    x: U8[4294967297]
    x[4294967296] = 7
    return x[0]
