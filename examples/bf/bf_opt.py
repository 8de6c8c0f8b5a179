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
#   `tape[p] = 0`;
# - long programs become several kernels, so the compile time per op stays flat as
#   programs grow (see PIECE below).
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

# Long programs are split into several kernels. LLVM's optimizer takes more than linear
# time in the size of one function (SCEV invalidation and GVN's memory queries walk the
# rest of the function for each loop and load), so a program staged as one kernel
# compiles slower per op the longer it is, and needs more memory. A block (the program,
# or a loop's body) of more than PIECE lines is therefore cut between statements into
# pieces of at most PIECE lines, each a kernel that takes the tape and the pointer and
# returns the pointer. Blocks are cut from the innermost loops out: no kernel grows past
# about PIECE lines, and small loops (the hot ones) stay whole, so the calls between
# pieces stay out of the innermost loops. On mandelbrot.b, 200 compiles fastest (100
# and 400 are slower) and runs as fast as one kernel.
PIECE = 200

def outline(piece):
    # A piece as a kernel of its own; returns the item that calls it. inline=False:
    # otherwise LLVM's inliner would put a kernel with a single caller straight back
    # into it, undoing the split.
    body = q("\n".join(line for item in piece for line in item))
    name = gensym("piece")

    @compile(name=name, inline=False)
    def piece_kernel(tape: U8[65536], p: u16) -> u16:
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
    close = matching(ops)
    if close is None:
        return q("unbalanced_brackets_in_program()")
    pending = {}
    order = []
    state = {"off": 0}

    # A block is built as a list of items, each the lines of one statement (a loop with
    # its body indented below it), so cutting it never splits a loop.
    def emit(items, line):
        items.append([line])

    def flush(items):
        for k in order:
            d = pending[k] % 256
            if d != 0:
                emit(items, f"{cell(k)} += {d}")
        pending.clear()
        order.clear()

    def move(items):
        off = state["off"]
        if off > 0:
            emit(items, f"p += {off % 65536}")
        elif off < 0:
            emit(items, f"p -= {(-off) % 65536}")
        state["off"] = 0

    def block(start, end):
        items = []
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
                flush(items)
                emit(items, f"putchar({cell(state['off'])})")
            elif op == ",":
                flush(items)
                emit(items, f"{cell(state['off'])} = u8(getchar())")
            elif op == "[":
                flush(items)
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
                                emit(items, f"{cell(base + k)} += {cell(base)}")
                            elif factor != 0:
                                emit(items, f"{cell(base + k)} += {cell(base)} * {factor}")
                    emit(items, f"{cell(base)} = 0")
                else:
                    move(items)
                    body = block(i + 1, j)
                    flush(body)
                    move(body)
                    lines = ["    " + line for line in fit(body)] or ["    pass"]
                    items.append(["while tape[p] != 0:"] + lines)
                i = j
            i += 1
        return items

    items = block(0, len(ops))
    flush(items)
    lines = fit(items)
    return q("\n".join(lines) if lines else "pass")

@compile
def run(tape: U8[65536]) -> None:
    p: u16 = 0
    splice(generate(program))
