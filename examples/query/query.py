# A query compiler written as an msp generator: a plan in, one fused kernel out.
#
# Rust (src/engine.rs) plans the SQL, loads the columns, and defines these globals:
#   plan      the operator tree (encoding below)
#   tables    [[name, [column...]]] per table: its column parameters
#   coltypes  [[column, "I64" | "I32" | "U8"]]: each column parameter's element type
#   dicts     [[column, [values]]]: each string column's sorted dictionary
# and writes the kernel's signature (signatures cannot be spliced): one `T[:]` parameter
# per column, named as the column, the buffers below, then `out: I64[:]`, returning i64.
#
# Operators are generator functions in the produce/consume style: `produce(op, consume)`
# returns the code that runs `op` and, for every row it yields, the code that
# `consume(row, guard)` returns. A row is a list holding, per table, the name of the
# kernel local with that table's current row index (None for tables not in the row), so
# a column is `name[index]` and a join passes rows on without copying columns. The
# guard is a list of conditions (code values) the row must meet, filters not yet
# applied: a consumer tests them itself (`guarded`), so a join's probe can fold them
# into its own first test. Nothing is materialized between operators except a join's
# build side: scans, filters, probes and the aggregation's update fuse into one loop
# nest.
#
# Plan encoding (lists, as a define can give them):
#   ["scan", t]                                   every row of table t
#   ["filter", op, pred]
#   ["join", j, build, probe, build_key, probe_key, build_tables]
#       inner equi-join; the build side goes into hash table j first
#   ["agg", "array" | "hash", op, keys, sizes, aggs]   the root
#       keys: expressions; sizes: their dictionaries' sizes ("array": small domains)
#       aggs: [["sum", e] | ["count"] | ["min", e] | ["max", e]]
# Expressions: ["col", t, name] ["int", v] ["str", s] ["bool", 0|1] ["+"|"-"|"*", a, b]
#   ["cmp", "=="|"!="|"<"|"<="|">"|">=", a, b] ["and", [e...]] ["or", [e...]] ["not", e]
#   Numbers are scaled integers whose scales the planner already aligned.
#
# Buffers (I64, sized by Rust; when one is too small the kernel returns a negative
# code, Rust grows it and runs again). The hash tables (j{j}_slot, j{j}_bloom, g_slot)
# have fixed extents, compile-time constants the kernel masks its slot indexes with,
# so those need no check (Rust compiles again when one grows); the others are `:`. They hold whatever the last query
# left: the kernel writes every element before it reads it, and clears the tables it
# probes (the part of them it uses), so Rust can keep them from query to query.
#   j{j}_ekey, j{j}_next, j{j}_r{t}   join j's entries: key, next entry + 1 with the
#                          same key, row of build table t
#   j{j}_slot              join j's slots, two words each: key, first entry + 1
#   j{j}_bloom             join j's filter words
#   g_slot, g_rec          hash aggregation: its index (record + 1, 0 when empty) and
#                          its records in order of first use (row count; keys; values)
#   out                    result rows: keys, aggregates, row count
# Return codes: n >= 0 result rows; -1 out is full; -2 the aggregation table is half
# full; -(10 + j) join j's entries are full.

ELEM = {}
for entry in coltypes:
    ELEM[entry[0]] = entry[1]
DICT = {}
for entry in dicts:
    DICT[entry[0]] = entry[1]

I64_MAX = 9223372036854775807
# Fibonacci hashing's multiplier, 2^64 / golden ratio. Hashes, masks, slots and the
# offsets built from them are u64: an unsigned index cannot count from the end, so its
# bounds check is one compare (a signed one first maps negative indexes, three more
# instructions; TPC-H Q3's kernel has some 80 such checks).
GOLDEN = "11400714819323198485"  # text: stage-0 ints are i64
AGG_FULL = -2
OUT_FULL = -1


# ---- expressions ------------------------------------------------------------------

def column(e, row):
    # A column of the current row, as i64: every value in the kernel is 64-bit, so
    # arithmetic cannot wrap at a narrower width and literals are never too wide.
    name = e[2]
    at = row[e[1]]
    if ELEM[name] == "I64":
        return q(f"{name}[{at}]")
    return q(f"i64({name}[{at}])")


def value(e, row):
    kind = e[0]
    if kind == "col":
        return column(e, row)
    if kind == "int":
        v = e[1]
        return q("splice(v)")
    if kind in ("+", "-", "*"):
        a = value(e[1], row)
        b = value(e[2], row)
        return q(f"splice(a) {kind} splice(b)")
    return cond(e, row)


def dict_compare(op, col, s, row):
    # `col op 's'` on dictionary codes: the dictionary is sorted, so the codes below
    # `lt` are the strings < s, and those below `le` the strings <= s. Folded at stage 0;
    # a string absent from the dictionary folds `=` to False.
    values = DICT[col[2]]
    lt = len([v for v in values if v < s])
    le = len([v for v in values if v <= s])
    code = column(col, row)
    if op == "==":
        return q("splice(code) == splice(lt)") if le > lt else q("False")
    if op == "!=":
        return q("splice(code) != splice(lt)") if le > lt else q("True")
    if op == "<":
        return q("splice(code) < splice(lt)")
    if op == "<=":
        return q("splice(code) < splice(le)")
    if op == ">":
        return q("splice(code) >= splice(le)")
    return q("splice(code) >= splice(lt)")


FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def cond(e, row):
    kind = e[0]
    if kind == "bool":
        return q("True") if e[1] else q("False")
    if kind == "cmp":
        op = e[1]
        a = e[2]
        b = e[3]
        if a[0] == "str":
            return dict_compare(FLIP[op], b, a[1], row)
        if b[0] == "str":
            return dict_compare(op, a, b[1], row)
        x = value(a, row)
        y = value(b, row)
        return q(f"splice(x) {op} splice(y)")
    if kind in ("and", "or"):
        parts = [cond(p, row) for p in e[1]]
        c = parts[0]
        for p in parts[1:]:
            c = q(f"splice(c) {kind} splice(p)")
        return c
    if kind == "not":
        c = cond(e[1], row)
        return q("not splice(c)")
    return value(e, row)


def hashed(keys):
    # Statements setting a fresh local to a hash of the key locals, and its name. The
    # multiply spreads each key over the high bits; folding them into the low half
    # makes every bit depend on every key bit (slots take the low bits, the join
    # filter the high ones: TPC-H order keys use only 8 of every 32 values).
    h = gensym("h")
    lines = [f"{h} = u64({keys[0]}) * {GOLDEN}"]
    for k in keys[1:]:
        lines.append(f"{h} = ({h} ^ u64({k})) * {GOLDEN}")
    lines.append(f"{h} = {h} ^ ({h} >> 32)")
    return h, lines


def all_of(conds):
    # Code values (conditions) as one condition: the first false one ends the test.
    c = conds[0]
    for d in conds[1:]:
        c = q("splice(c) and splice(d)")
    return c


def guarded(guard, body):
    # body, run only for rows that meet every condition of guard.
    if len(guard) == 0:
        return body
    c = all_of(guard)
    return q("if splice(c):\n    splice(body)")


def block(parts):
    # A list of code values (statements) as one statement-list code value.
    return q("\n".join(f"splice(parts[{i}])" for i in range(len(parts))))


# ---- operators ----------------------------------------------------------------------

def produce(op, consume, parallel=False):
    # parallel: a scan (under filters) runs as a `prange`, for a consumer whose every
    # update is a reduction.
    kind = op[0]
    if kind == "scan":
        return scan(op, consume, parallel)
    if kind == "filter":
        return select(op, consume, parallel)
    if kind == "join":
        return hash_join(op, consume)
    return q(f"unknown_operator_{kind}()")


def row_count(t):
    # Table t's rows, as the least length of its columns (all equal): a counter below
    # that indexes every one of them without a check.
    lens = [f"len({c})" for c in tables[t][1]]
    return lens[0] if len(lens) == 1 else f"min({', '.join(lens)})"


def scan(op, consume, parallel):
    t = op[1]
    i = gensym("i")
    row = [None for _ in tables]
    row[t] = i
    body = consume(row, [])
    loop = "prange" if parallel else "range"
    return q(f"for {i} in {loop}({row_count(t)}):\n    splice(body)")


def select(op, consume, parallel):
    pred = op[2]

    def on_row(row, guard):
        return consume(row, guard + [cond(pred, row)])

    return produce(op[1], on_row, parallel)


def hash_join(op, consume):
    # Three phases. Collect: the build side's rows append their key and row indexes to
    # the entry arrays (sequential writes, sized by Rust from the tables; only the part
    # used is ever touched). Table: with the entry count known, a power-of-two slot
    # table of at least 1.5 times that many slots (a prefix of `slot`, cleared first;
    # key and first entry + 1 side by side, four slots a cache line) and a filter of two
    # bits per key in a word of `bloom`, eight bits per slot (TPC-H Q3 at sf 1: 147,126
    # keys in 262,144 slots, 4 MiB, where at least twice as many were 8 MiB and Q3's
    # run 62.7 ms, best of ten processes, against 58.5; the filter 14 bits per key,
    # 256 KiB, within L2). Probe: a row whose key misses the filter (most rows, in a
    # selective join) never touches the table.
    j = op[1]
    build = op[2]
    probe = op[3]
    build_tables = op[6]
    J = f"j{j}"
    n = gensym("n")
    mask = gensym("mask")
    bmask = gensym("bmask")
    full = -(10 + j)

    # The tables' run-time masks (from the entry count) are at most these, which Rust
    # makes compile-time constants (fixed extents): masked by them as well, the indexes
    # are in range as the checker sees it, with no check in the loops. The tables are
    # at least as large as the masks say (the kernel returns `full` otherwise).
    slot_cap = f"u64(len({J}_slot) // 2 - 1)"
    bloom_cap = f"u64(len({J}_bloom) - 1)"

    def slot(s, word):
        return f"{J}_slot[2 * ({s} & {slot_cap}) + {word}]"

    def filter_word(h):
        return f"{J}_bloom[({h} >> 32) & {bmask} & {bloom_cap}]"

    def filter_bit_positions(h):
        # The key's two bits in its filter word; setting and testing both use these.
        return [f"(({h} >> 20) & 63)", f"(({h} >> 26) & 63)"]

    def filter_bits(h):
        return " | ".join(f"(i64(1) << {b})" for b in filter_bit_positions(h))

    def find(k, h, s):
        # Lines leaving in s the slot holding key k, or the empty slot where it goes.
        return [
            f"{s} = {h} & {mask}",
            f"while {slot(s, 1)} != 0 and {slot(s, 0)} != {k}:",
            f"    {s} = ({s} + 1) & {mask}",
        ]

    def collect(row, guard):
        key = value(op[4], row)
        e = gensym("e")
        lines = [f"{e} = {n}", f"if {e} >= len({J}_ekey):", f"    return {full}"]
        for t in build_tables:
            lines.append(f"{J}_r{t}[{e}] = {row[t]}")
        lines.append(f"{n} = {e} + 1")
        store = q("\n".join(lines))
        return guarded(guard, q(f"splice(store)\n{J}_ekey[{e}] = splice(key)"))

    e = gensym("e")
    k = gensym("k")
    s = gensym("s")
    h, hash_lines = hashed([k])
    table = [
        f"{mask} = 1",
        f"while {mask} < u64({n} + {n} // 2):",
        f"    {mask} = {mask} * 2",
        f"if i64(2 * {mask}) > len({J}_slot) or i64({mask} // 8) > len({J}_bloom):",
        f"    return {full}",
        f"{bmask} = max({mask} // 8, 1) - 1",
        # The clears count below the tables' lengths too (the test above holds them
        # larger), so they run without checks.
        f"for {e} in range(min(i64(2 * {mask}), len({J}_slot))):",
        f"    {J}_slot[{e}] = 0",
        f"for {e} in range(min(i64({bmask}) + 1, len({J}_bloom))):",
        f"    {J}_bloom[{e}] = 0",
        f"{mask} = {mask} - 1",
        # Below each array the loop indexes by `e` as well (n is at most their length):
        # those accesses need no check.
        f"for {e} in range(min({n}, len({J}_ekey), len({J}_next))):",
        f"    {k} = {J}_ekey[{e}]",
    ]
    table += ["    " + line for line in hash_lines]
    table.append(f"    {filter_word(h)} |= {filter_bits(h)}")
    table += ["    " + line for line in find(k, h, s)]
    table += [
        f"    {J}_next[{e}] = {slot(s, 1)}",
        f"    {slot(s, 1)} = {e} + 1",
        f"    {slot(s, 0)} = {k}",
    ]
    table = q("\n".join(table))

    def lookup(row, guard):
        # The row's filters and the join filter's test are one branch, `&` of the two:
        # the key, its hash and its filter word are computed for every row, so that
        # rows which fail either one take the same well-predicted way. TPC-H Q3 at
        # sf 1: lineitem's ship-date filter passes 54% of rows, in an order unrelated
        # to it, and with the join filter's test 1.7% (101,096 of 6 million).
        key = value(op[5], row)
        k = gensym("k")
        s = gensym("s")
        w = gensym("w")
        e = gensym("e")
        h, lines = hashed([k])
        lines.append(f"{w} = {filter_word(h)}")
        hash_it = q("\n".join(lines))
        hit = " & ".join(f"({w} >> {b})" for b in filter_bit_positions(h)) + " & 1 != 0"
        inner = q("\n".join(find(k, h, s) + [f"{e} = {slot(s, 1)}"]))
        joined = row[:]
        fetch = []
        for t in build_tables:
            r = gensym("r")
            fetch.append(f"{r} = {J}_r{t}[u64({e}) - 1]")
            joined[t] = r
        fetch = q("\n".join(fetch))
        body = consume(joined, [])
        chain = q(f"while {e} != 0:\n    splice(fetch)\n    splice(body)\n    {e} = {J}_next[u64({e}) - 1]")
        test = q(hit)
        if len(guard) > 0:
            g = all_of(guard)
            test = q("splice(g) & splice(test)")
        return q(f"{k} = splice(key)\nsplice(hash_it)\nif splice(test):\n    splice(inner)\n    splice(chain)")

    start = q(f"{n}: i64 = 0\n{mask}: u64 = 0\n{bmask}: u64 = 0")
    return block([start, produce(build, collect), table, produce(probe, lookup)])


# ---- aggregation: the root --------------------------------------------------------------

def update(agg, acc, v):
    # The statement folding value v into accumulator acc (a kernel place); count(*)
    # is the group's row count, kept by the aggregation itself.
    f = agg[0]
    if f == "min":
        return q(f"{acc} = min({acc}, splice(v))")
    if f == "max":
        return q(f"{acc} = max({acc}, splice(v))")
    return q(f"{acc} += splice(v)")


def start_value(agg):
    if agg[0] == "min":
        return I64_MAX
    if agg[0] == "max":
        return -I64_MAX - 1
    return 0


def emit_row(n, cells):
    # Appends one result row (a list of kernel expressions, as text) to `out`.
    width = len(cells)
    lines = [f"if ({n} + 1) * {width} > len(out):", f"    return {OUT_FULL}"]
    for c, cell in enumerate(cells):
        lines.append(f"out[{n} * {width} + {c}] = {cell}")
    lines.append(f"{n} += 1")
    return lines


def over_scan(op):
    # Whether op is a scan under filters (no join).
    while op[0] == "filter":
        op = op[1]
    return op[0] == "scan"


def aggregate_array(op):
    # Group keys with small domains (dictionary codes): group g's accumulators live at
    # index g of local arrays, g the keys' codes in mixed radix. One group (no GROUP BY)
    # uses scalar locals, which LLVM keeps in registers.
    #
    # One group over a scan (no join) runs as a `prange` over the rows, its scalar
    # accumulators the loop's reductions. (More groups stay serial: their accumulators
    # are arrays, which a `prange` body may write only at the loop variable.)
    keys = op[3]
    sizes = op[4]
    aggs = op[5]
    groups = 1
    for s in sizes:
        groups *= s
    g = gensym("g")
    each = gensym("g")  # the setup's and the finish's loop counter
    cnt = gensym("cnt")
    # count(*) is the group's row count, which every group keeps anyway.
    accs = [cnt if a[0] == "count" else gensym("acc") for a in aggs]

    def at(name, index):
        return name if groups == 1 else f"{name}[{index}]"

    setup = []
    for a, acc in zip(aggs, accs):
        if acc == cnt:
            continue
        if groups == 1:
            setup.append(f"{acc}: i64 = {start_value(a)}")
        else:
            setup.append(f"{acc}: I64[{groups}]")
    setup.append(f"{cnt}: i64 = 0" if groups == 1 else f"{cnt}: I64[{groups}]")
    inits = [f"    {acc}[{each}] = {start_value(a)}" for a, acc in zip(aggs, accs) if start_value(a) != 0]
    if groups > 1 and inits:
        setup.append(f"for {each} in range({groups}):")
        setup.extend(inits)
    setup = q("\n".join(setup))

    def on_row(row, guard):
        index = q("0")
        for key, size in zip(keys, sizes):
            code = value(key, row)
            index = q(f"splice(index) * {size} + splice(code)")
        stmts = [q(f"{g} = splice(index)")] if groups > 1 else []
        for a, acc in zip(aggs, accs):
            if acc != cnt:
                v = value(a[1], row)
                stmts.append(update(a, at(acc, g), v))
        stmts.append(q(f"{at(cnt, g)} += 1"))
        return guarded(guard, block(stmts))

    loop = produce(op[2], on_row, over_scan(op[2]) and groups == 1)

    n = gensym("n")
    cells = []
    stride = groups
    for size in sizes:
        stride //= size
        cells.append(f"i64({each}) // {stride} % {size}")
    cells += [at(acc, each) for acc in accs]
    cells.append(at(cnt, each))
    write = emit_row(n, cells)
    if groups == 1:
        finish = [f"{n}: i64 = 0"] + write
    else:
        finish = [f"{n}: i64 = 0", f"for {each} in range({groups}):", f"    if {cnt}[{each}] > 0:"]
        finish += ["        " + line for line in write]
    finish.append(f"return {n}")
    finish = q("\n".join(finish))
    return block([setup, loop, finish])


def aggregate_hash(op):
    # Any group keys: the groups' records lie in `g_rec` in order of first use, side by
    # side (row count; the keys; the values but count(*)'s), and `g_slot` is an open-
    # addressing index into them (record + 1, 0 when empty). The index starts small and
    # doubles, rehashing the records, whenever it is half full, so its slots stay in
    # cache: a table sized for the input instead (TPC-H Q3 at sf 1: a million slots of
    # 40 bytes for 11,620 groups) cost a cache miss per row and per group read back.
    # The finish reads the records in order.
    keys = op[3]
    aggs = op[5]
    used = gensym("used")
    gmask = gensym("gmask")
    width = 1 + len(keys) + len([a for a in aggs if a[0] != "count"])
    # Each aggregate's place in the record, relative to its start.
    place = []
    at = 1 + len(keys)
    for a in aggs:
        if a[0] == "count":
            place.append(0)
        else:
            place.append(at)
            at += 1

    # The index's capacity, a compile-time constant (g_slot has a fixed extent): slot
    # numbers masked by it are in range as the checker sees it.
    gcap = "u64(len(g_slot) - 1)"

    def index(s):
        return f"g_slot[{s} & {gcap}]"

    def probe_empty(h, s):
        # Lines leaving in s the first empty slot from h's (rehashing: keys are distinct).
        return [f"{s} = {h} & {gmask}", f"while {index(s)} != 0:", f"    {s} = ({s} + 1) & {gmask}"]

    def grow():
        # Doubles the index and puts every record back into it; -2 when it is as large
        # as g_slot already (Rust compiles again with a larger one).
        r = gensym("r")
        e = gensym("e")
        s = gensym("s")
        ks = [f"g_rec[{r} * {width} + {1 + i}]" for i in range(len(keys))]
        h, hash_lines = hashed(ks)
        lines = [
            f"if {gmask} >= {gcap}:",
            f"    return {AGG_FULL}",
            f"for {e} in range(min(i64({gmask}) + 1, len(g_slot))):",
            f"    g_slot[{e}] = 0",
            f"{gmask} = {gmask} * 2 + 1",
            f"for {r} in range({used}):",
        ]
        lines += ["    " + line for line in hash_lines + probe_empty(h, s)]
        lines.append(f"    {index(s)} = {r} + 1")
        return lines

    def on_row(row, guard):
        ks = [gensym("k") for _ in keys]
        s = gensym("s")
        b = gensym("b")
        stmts = []
        for k, key in zip(ks, keys):
            c = value(key, row)
            stmts.append(q(f"{k} = splice(c)"))
        h, lines = hashed(ks)

        def field(i):
            return f"g_rec[u64({index(s)} - 1) * {width} + {i}]"

        same = " and ".join(f"{field(1 + i)} == {k}" for i, k in enumerate(ks))
        lines += [
            f"{s} = {h} & {gmask}",
            f"while {index(s)} != 0 and not ({same}):",
            f"    {s} = ({s} + 1) & {gmask}",
            f"if {index(s)} == 0:",
            f"    if ({used} + 1) * {width} > len(g_rec):",
            f"        return {AGG_FULL}",
            f"    {b} = {used} * {width}",
            f"    {index(s)} = {used} + 1",
            f"    {used} += 1",
            f"    g_rec[{b}] = 0",
        ]
        for i, k in enumerate(ks):
            lines.append(f"    g_rec[{b} + {1 + i}] = {k}")
        for a, p in zip(aggs, place):
            if a[0] != "count":
                lines.append(f"    g_rec[{b} + {p}] = {start_value(a)}")
        lines.append(f"    if u64({used}) * 2 > {gmask}:")
        lines += ["        " + line for line in grow()]
        lines += ["else:", f"    {b} = i64(u64({index(s)} - 1) * {width})", f"g_rec[{b}] += 1"]
        stmts.append(q("\n".join(lines)))
        for a, p in zip(aggs, place):
            if a[0] != "count":
                v = value(a[1], row)
                stmts.append(update(a, f"g_rec[{b} + {p}]", v))
        return guarded(guard, block(stmts))

    # g_slot comes all zero, and goes back so: the finish clears the part in use.
    start = q(f"{used}: i64 = 0\n{gmask}: u64 = min(u64(1023), {gcap})")
    loop = produce(op[2], on_row)
    n = gensym("n")
    u = gensym("u")
    e = gensym("e")
    cells = [f"g_rec[{u} * {width} + {1 + i}]" for i in range(len(keys))]
    cells += [f"g_rec[{u} * {width} + {p}]" for p in place]
    cells.append(f"g_rec[{u} * {width}]")
    finish = [f"{n}: i64 = 0", f"for {u} in range({used}):"]
    finish += ["    " + line for line in emit_row(n, cells)]
    finish += [f"for {e} in range(min(i64({gmask}) + 1, len(g_slot))):", f"    g_slot[{e}] = 0"]
    finish.append(f"return {n}")
    return block([start, loop, q("\n".join(finish))])


def compile_query():
    if plan[1] == "array":
        return aggregate_array(plan)
    return aggregate_hash(plan)
