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

def generate(text):
    ops = parse(text)
    lines = []
    depth = 0
    i = 0
    while i < len(ops):
        op, n = ops[i]
        pad = "    " * depth
        if op == "+":
            lines.append(f"{pad}tape[p] += {n % 256}")
        elif op == "-":
            lines.append(f"{pad}tape[p] -= {n % 256}")
        elif op == ">":
            lines.append(f"{pad}p += {n}")
        elif op == "<":
            lines.append(f"{pad}p -= {n}")
        elif op == ".":
            lines.append(f"{pad}putchar(tape[p])")
        elif op == ",":
            lines.append(f"{pad}tape[p] = u8(getchar())")
        elif op == "[" and is_clear_loop(ops, i):
            lines.append(f"{pad}tape[p] = 0")
            i += 2
        elif op == "[":
            lines.append(f"{pad}while tape[p] != 0:")
            depth += 1
            lines.append("    " * depth + "pass")
        elif op == "]":
            depth -= 1
        i += 1
    if depth != 0:
        lines.append("unbalanced_brackets_in_program()")
    return q("\n".join(lines) if lines else "pass")

@compile
def run(tape: U8[30000]) -> None:
    p = 0
    splice(generate(program))
