# The smallest kernel: three additions that LLVM folds into one.
@compile
def add3(n: int) -> int:
    return n + 1 + 1 + 1
