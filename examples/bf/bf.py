# A Brainfuck compiler written as an msp generator.
#
# `program` is a stage-0 global given from outside (Compiler::define / --define).
# Stage 0 folds runs of + - < >, turns clear loops [-] and [+] into one store, and
# emits structured `while` loops, so LLVM sees natural loops it can optimize.
# The tape holds bytes (U8), so cells wrap at 256 as Brainfuck expects.

@extern
def putchar(c: int) -> int: ...

@extern
def getchar() -> int: ...

def parse(text):
    ops = []
    for ch in text:
        if ch in "+-<>":
            if ops and ops[-1][0] == ch:
                ops[-1] = (ch, ops[-1][1] + 1)
            else:
                ops.append((ch, 1))
        elif ch in ".,[]":
            ops.append((ch, 1))
    return ops

def is_clear_loop(ops, i):
    return i + 2 < len(ops) and ops[i + 1][0] in "+-" and ops[i + 1][1] == 1 and ops[i + 2][0] == "]"

# Long programs are split into several kernels: LLVM's optimizer takes more than linear
# time in the size of one function, so one kernel for the whole program would compile
# slower per op the longer the program is (and need more memory). A block (the program,
# or a loop's body) of more than PIECE lines is cut between statements into pieces of
# at most PIECE lines, each a kernel that takes the tape and the pointer and returns the
# pointer. Blocks are cut from the innermost loops out, so no kernel grows past about
# PIECE lines and small (hot) loops stay whole inside one kernel.
PIECE = 200

def outline(piece):
    # A piece as a kernel of its own; returns the item that calls it. inline=False:
    # otherwise LLVM's inliner would put a kernel with a single caller straight back
    # into it, undoing the split.
    body = q("\n".join(line for item in piece for line in item))
    name = gensym("piece")

    @compile(name=name, inline=False)
    def piece_kernel(tape: U8[30000], p: int) -> int:
        splice(body)
        return p

    return [f"p = {name}(tape, p)"]

def fit(items):
    # The lines of a block given as items (the lines of one statement each: a loop with
    # its body stays together), cut into pieces while it is longer than PIECE lines.
    while sum(len(item) for item in items) > PIECE:
        pieces = [[]]
        size = 0
        for item in items:
            if size + len(item) > PIECE and pieces[-1]:
                pieces.append([])
                size = 0
            pieces[-1].append(item)
            size += len(item)
        items = [outline(piece) for piece in pieces]
    return [line for item in items for line in item]

def generate(text):
    ops = parse(text)
    blocks = [[]]  # the items of the program and of each open loop's body
    i = 0
    while i < len(ops):
        op, n = ops[i]
        items = blocks[-1]
        if op == "+":
            items.append([f"tape[p] += {n % 256}"])
        elif op == "-":
            items.append([f"tape[p] -= {n % 256}"])
        elif op == ">":
            items.append([f"p += {n}"])
        elif op == "<":
            items.append([f"p -= {n}"])
        elif op == ".":
            items.append(["putchar(tape[p])"])
        elif op == ",":
            items.append(["tape[p] = u8(getchar())"])
        elif op == "[" and is_clear_loop(ops, i):
            items.append(["tape[p] = 0"])
            i += 2
        elif op == "[":
            blocks.append([])
        elif op == "]":
            if len(blocks) == 1:
                return q("unbalanced_brackets_in_program()")
            body = ["    " + line for line in fit(blocks.pop())] or ["    pass"]
            blocks[-1].append(["while tape[p] != 0:"] + body)
        i += 1
    if len(blocks) != 1:
        return q("unbalanced_brackets_in_program()")
    lines = fit(blocks[0])
    return q("\n".join(lines) if lines else "pass")

@compile
def run(tape: U8[30000]) -> None:
    p = 0
    splice(generate(program))
