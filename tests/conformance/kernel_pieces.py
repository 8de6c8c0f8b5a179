# A generator that stages one kernel per piece of code: `@compile(name=...)` names
# each kernel (the def's own name is bound to it at stage 0), `inline=False` keeps it
# out of line (LLVM's noinline). The pieces call each other, and a fault in a piece
# stops the caller too.
# RUN: run(zeros, 1)
# RESULT: 7
# ARGS-AFTER: [1, 2, 4, 0]
# RUN: run(zeros, 0)
# ERROR-AT: 18
# ERROR-HAS: zero
# RUN: twice(5)
# RESULT: 10

def piece(i):
    @compile(name=f"piece_{i}", inline=False)
    def part(a: Int[4], x: int) -> int:
        a[splice(i)] += x
        return 2 * x + 0 // x

    return q("x = part(a, x)")

@compile
def run(a: Int[4], x: int) -> int:
    splice([piece(i) for i in range(3)])
    return x - 1

# A kernel named by `name=` is called by that name from other kernels.
@compile(name="double", inline=True)
def anything(x: int) -> int:
    return x * 2

@compile
def twice(x: int) -> int:
    return double(x)
