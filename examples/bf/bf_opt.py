# An optimizing Brainfuck compiler written as an msp generator (compare bf.py).
#
# `program` is a stage-0 global given from outside (Compiler::define / --define).
# Stage 0 does what an optimizing Brainfuck compiler does, so LLVM gets less to chew:
#
# - run-length folding of + - < > (as bf.py);
# - offset addressing: inside straight-line code the pointer is not moved; each access
#   is `tape[p + k]` with `k` known at stage 0, and `p` moves once, at the end of the
#   stretch or before a loop;
# - clear loops `[-]`, `[+]` become one store;
# - multiply/move loops such as `[->+>++<<]` (no I/O, no inner loop, the pointer back
#   where it started, the current cell stepped by exactly 1) become one multiply-add per
#   target cell and a clear: `tape[p + 1] += tape[p]`, `tape[p + 2] += tape[p] * 2`,
#   `tape[p] = 0`.
#
# The tape has 65536 byte cells and the pointer `p` is a `u16`, so both the cells and
# the pointer wrap (moving left of cell 0 reaches cell 65535). Every index is therefore
# in range by construction: the kernel stays checked, and its bounds checks are known
# to pass when it is compiled, so they cost nothing at run time and nothing in LLVM.

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

def matching(ops):
    # Index of the `]` for each `[` (None when unbalanced).
    close = {}
    stack = []
    for i, (op, n) in enumerate(ops):
        if op == "[":
            stack.append(i)
        elif op == "]":
            if not stack:
                return None
            close[stack.pop()] = i
    if stack:
        return None
    return close

def simple_loop(ops, start, end):
    # The cell deltas of a loop body made only of + - < > that ends where it started,
    # as a dict offset -> delta; None if the body is anything else.
    deltas = {}
    off = 0
    for i in range(start + 1, end):
        op, n = ops[i]
        if op == ">":
            off += n
        elif op == "<":
            off -= n
        elif op == "+":
            deltas[off] = deltas.get(off, 0) + n
        elif op == "-":
            deltas[off] = deltas.get(off, 0) - n
        else:
            return None
    if off != 0:
        return None
    step = deltas.get(0, 0) % 256
    if step != 1 and step != 255:
        return None
    return deltas

def cell(off):
    if off > 0:
        return f"tape[p + {off}]"
    if off < 0:
        return f"tape[p - {-off}]"
    return "tape[p]"

def generate(text):
    ops = parse(text)
    close = matching(ops)
    if close is None:
        return q("unbalanced_brackets_in_program()")
    lines = []
    pending = {}
    order = []
    state = {"off": 0}

    def emit(depth, line):
        lines.append("    " * depth + line)

    def flush(depth):
        for k in order:
            d = pending[k] % 256
            if d != 0:
                emit(depth, f"{cell(k)} += {d}")
        pending.clear()
        order.clear()

    def move(depth):
        off = state["off"]
        if off > 0:
            emit(depth, f"p += {off % 65536}")
        elif off < 0:
            emit(depth, f"p -= {(-off) % 65536}")
        state["off"] = 0

    def block(start, end, depth):
        i = start
        while i < end:
            op, n = ops[i]
            if op == ">":
                state["off"] += n
            elif op == "<":
                state["off"] -= n
            elif op == "+" or op == "-":
                k = state["off"]
                if k not in pending:
                    pending[k] = 0
                    order.append(k)
                pending[k] += n if op == "+" else -n
            elif op == ".":
                flush(depth)
                emit(depth, f"putchar({cell(state['off'])})")
            elif op == ",":
                flush(depth)
                emit(depth, f"{cell(state['off'])} = u8(getchar())")
            elif op == "[":
                flush(depth)
                j = close[i]
                deltas = simple_loop(ops, i, j)
                base = state["off"]
                if deltas is not None:
                    # Runs tape[base] times when the cell steps down by one, 256 - tape[base]
                    # times when it steps up: either way each target gains tape[base] * factor.
                    sign = 1 if deltas[0] % 256 == 255 else -1
                    for k in sorted(deltas):
                        if k != 0:
                            factor = (deltas[k] * sign) % 256
                            if factor == 1:
                                emit(depth, f"{cell(base + k)} += {cell(base)}")
                            elif factor != 0:
                                emit(depth, f"{cell(base + k)} += {cell(base)} * {factor}")
                    emit(depth, f"{cell(base)} = 0")
                else:
                    move(depth)
                    emit(depth, "while tape[p] != 0:")
                    before = len(lines)
                    block(i + 1, j, depth + 1)
                    flush(depth + 1)
                    move(depth + 1)
                    if len(lines) == before:
                        emit(depth + 1, "pass")
                i = j
            i += 1

    block(0, len(ops), 0)
    flush(0)
    return q("\n".join(lines) if lines else "pass")

@compile
def run(tape: U8[65536]) -> None:
    p: u16 = 0
    splice(generate(program))
