# A Brainfuck compiler built by staging. `source` (the program) is defined by build.rs;
# the generator walks it at stage 0 and emits one kernel statement per command, with
# label/goto for the loops. The kernel `run` is the compiled program.

@extern
def putchar(c: int) -> int: ...

@extern
def getchar() -> int: ...

def translate(text):
    lines = []
    loops = []
    count = 0
    for op in text:
        if op == "+":
            lines.append("tape[p] = tape[p] + 1")
        elif op == "-":
            lines.append("tape[p] = tape[p] - 1")
        elif op == ">":
            lines.append("p = p + 1")
        elif op == "<":
            lines.append("p = p - 1")
        elif op == ".":
            lines.append("putchar(tape[p])")
        elif op == ",":
            lines.append("tape[p] = getchar()")
        elif op == "[":
            start, end = f"loop_{count}", f"end_{count}"
            count += 1
            loops.append((start, end))
            lines.append(f"label('{start}')")
            lines.append(f"if tape[p] == 0: goto('{end}')")
        elif op == "]":
            start, end = loops.pop()
            lines.append(f"goto('{start}')")
            lines.append(f"label('{end}')")
    if not lines:
        lines.append("pass")
    return q("\n".join(lines))

@compile
def run(tape: Int[30000]) -> None:
    p = 0
    splice(translate(source))
    return

# A second kernel, to show faults: the cell a program leaves the head on.
@compile
def cell(tape: Int[30000], i: int) -> int:
    return tape[i]

# A kernel over an array of any length (`:`), for C callers that learn it at run time:
# the weighted sum of the first `n` cells.
@compile
def weighted(cells: I32[:], n: i64) -> i64:
    s: i64 = 0
    for i in range(n):
        s += cells[i] * (i + 1)
    return s
