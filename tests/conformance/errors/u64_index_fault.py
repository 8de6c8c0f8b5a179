# A u64 index of 2**63 or more is out of range, and the message gives it as the u64 it
# is (it used to print the record's bits as a negative i64).
# RUN: f([1, 2, 3, 4], 3)
# RESULT: 4
# RUN: f([1, 2, 3, 4], 9223372036854775809)
# ERROR-AT: 11
# ERROR-HAS: index 9223372036854775809 is out of range for axis 0 of extent 4

@compile
def f(a: Int[4], i: u64) -> int:
    return a[i]
