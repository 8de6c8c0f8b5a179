"""The query compiler against DuckDB: TPC-H Q1, Q3, Q6 over scale factors and threads.

    python3 examples/query/bench.py [--sf 0.1,0.3,1] [--threads 1,2] [--repeat 5]
                                    [--rounds 1] [--out DIR]

For each scale factor, writes the TPC-H tables as Parquet (with the release `query`
binary; build it first with `cargo build --release -p msp-query`), then for each
query and thread count runs, each in a process of its own:

- DuckDB (its Python package): the columns the query reads loaded into memory tables
  first (not timed), `SET threads = N`, best of REPEAT executions;
- msp: `query --data DIR --repeat REPEAT --threads N`, which loads the same columns
  (not timed), then compiles and runs the query REPEAT times; its best JIT compile
  plus its best run.

Peak RSS is each process's high-water mark (`wait4`'s ru_maxrss): the loaded columns
plus what the queries needed. With --rounds N each cell runs N process pairs,
alternating, and reports each side's best (this machine's timings move by 20-50%
between runs a minute apart). Prints a Markdown table; with --out, writes
`results.csv` and `times.svg` (time against scale factor, one thread) there.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
QUERY = os.path.join(TARGET, "release", "query")
QUERIES = ["q1", "q3", "q6"]

# The columns each query reads, which both sides load (and nothing else).
COLUMNS = {
    "q1": {"lineitem": ["l_returnflag", "l_linestatus", "l_quantity", "l_extendedprice",
                        "l_discount", "l_tax", "l_shipdate"]},
    "q3": {"customer": ["c_custkey", "c_mktsegment"],
           "orders": ["o_orderkey", "o_custkey", "o_orderdate", "o_shippriority"],
           "lineitem": ["l_orderkey", "l_extendedprice", "l_discount", "l_shipdate"]},
    "q6": {"lineitem": ["l_shipdate", "l_discount", "l_quantity", "l_extendedprice"]},
}

DUCKDB_RUN = r"""
import sys, time, json, duckdb
data, threads, repeat, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
tables = json.loads(sys.argv[5])
con = duckdb.connect()
for t, cols in tables.items():
    con.execute(f"create table {t} as select {', '.join(cols)} from read_parquet('{data}/{t}.parquet')")
con.execute(f"set threads = {threads}")
sql = open(path).read()
best = float("inf")
for _ in range(repeat):
    t0 = time.perf_counter()
    con.execute(sql).fetchall()
    best = min(best, time.perf_counter() - t0)
print(best * 1e3)
"""


def run_measured(cmd):
    """Runs cmd: its stdout, stderr and peak RSS in MiB (from a wrapper process that
    waits for it with wait4, since subprocess reaps its children itself)."""
    wrapper = [sys.executable, "-c",
               "import os, sys, subprocess\n"
               "p = subprocess.Popen(sys.argv[1:])\n"
               "_, status, ru = os.wait4(p.pid, 0)\n"
               "sys.stderr.write(f'\\nmaxrss_kib {ru.ru_maxrss}\\n')\n"
               "sys.exit(os.waitstatus_to_exitcode(status))\n"] + cmd
    r = subprocess.run(wrapper, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    rss = int(re.search(r"maxrss_kib (\d+)", r.stderr).group(1)) / 1024
    return r.stdout, r.stderr, rss


def bench(sf, threads, repeat, rounds, data):
    """Per query: the best of `rounds` process pairs (DuckDB, then msp), each side's
    best time and highest RSS."""
    rows = []
    for q in QUERIES:
        path = os.path.join(HERE, "queries", f"{q}.sql")
        duck = jit = msp_run = float("inf")
        duck_rss = msp_rss = 0.0
        for _ in range(rounds):
            out, _, rss = run_measured([sys.executable, "-c", DUCKDB_RUN, data, str(threads),
                                        str(repeat), path, json.dumps(COLUMNS[q])])
            duck, duck_rss = min(duck, float(out.strip())), max(duck_rss, rss)
            _, err, rss = run_measured([QUERY, "--data", data, "--repeat", str(repeat),
                                        "--threads", str(threads), path])
            run_ms = float(re.search(r"^run:\s+([\d.]+) ms", err, re.M).group(1))
            jit_ms = float(re.search(r"^compile:\s+([\d.]+) ms", err, re.M).group(1))
            if jit_ms + run_ms < jit + msp_run:
                jit, msp_run = jit_ms, run_ms
            msp_rss = max(msp_rss, rss)
        rows.append(dict(sf=sf, threads=threads, query=q, duckdb_ms=duck, msp_jit_ms=jit,
                         msp_run_ms=msp_run, msp_total_ms=jit + msp_run,
                         ratio=(jit + msp_run) / duck, duckdb_rss_mib=duck_rss,
                         msp_rss_mib=msp_rss))
    return rows


def svg(rows, path):
    """Time against scale factor, one thread: DuckDB and msp (compile + run), log-log."""
    one = [r for r in rows if r["threads"] == min(x["threads"] for x in rows)]
    sfs = sorted({r["sf"] for r in one})
    series = []
    colors = {"q1": "#1f77b4", "q3": "#d62728", "q6": "#2ca02c"}
    for q in QUERIES:
        for who, key, dash in (("DuckDB", "duckdb_ms", "6,4"), ("msp", "msp_total_ms", "")):
            pts = [(r["sf"], r[key]) for r in sorted(one, key=lambda r: r["sf"]) if r["query"] == q]
            series.append((f"{q.upper()} {who}", colors[q], dash, pts))
    ys = [y for _, _, _, pts in series for _, y in pts]
    lo, hi = math.log10(min(ys)) - 0.1, math.log10(max(ys)) + 0.1
    xlo, xhi = math.log10(min(sfs)), math.log10(max(sfs))
    W, H, L, B = 640, 420, 70, 50
    def X(v):
        return L + (math.log10(v) - xlo) / max(xhi - xlo, 1e-9) * (W - L - 160)
    def Y(v):
        return H - B - (math.log10(v) - lo) / (hi - lo) * (H - B - 20)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{L}" y="14">TPC-H, one thread: DuckDB (dashed) and msp (JIT compile + run)</text>']
    for e in range(math.floor(lo), math.ceil(hi) + 1):
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo <= math.log10(v) <= hi:
                out.append(f'<line x1="{L}" x2="{W - 160}" y1="{Y(v):.1f}" y2="{Y(v):.1f}" stroke="#ddd"/>')
                out.append(f'<text x="{L - 6}" y="{Y(v) + 4:.1f}" text-anchor="end">{v:g} ms</text>')
    for s in sfs:
        out.append(f'<text x="{X(s):.1f}" y="{H - B + 18}" text-anchor="middle">sf {s:g}</text>')
    for i, (name, color, dash, pts) in enumerate(series):
        d = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in pts)
        out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
        for x, y in pts:
            out.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="3" fill="{color}"/>')
        ly = 40 + 18 * i
        out.append(f'<line x1="{W - 150}" x2="{W - 120}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
        out.append(f'<text x="{W - 114}" y="{ly + 4}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sf", default="0.1,0.3,1")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=1,
                    help="process pairs per cell; the best of them is reported")
    ap.add_argument("--out")
    args = ap.parse_args()
    rows = []
    for sf in args.sf.split(","):
        data = tempfile.mkdtemp(prefix=f"tpch-sf{sf}-")
        subprocess.run([QUERY, "--sf", sf, "--write-parquet", data, "lineitem", "orders",
                        "customer"], check=True, capture_output=True)
        for t in args.threads.split(","):
            rows += bench(float(sf), int(t), args.repeat, args.rounds, data)
    print(f"best of {args.repeat} runs in each of {args.rounds} process pair(s) per cell; "
          "times in ms, peak RSS in MiB\n")
    print("| sf | threads | query | DuckDB | msp JIT | msp run | msp total | msp / DuckDB "
          "| DuckDB RSS | msp RSS |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['sf']:g} | {r['threads']} | {r['query'].upper()} | {r['duckdb_ms']:.1f} "
              f"| {r['msp_jit_ms']:.1f} | {r['msp_run_ms']:.1f} | {r['msp_total_ms']:.1f} "
              f"| {r['ratio']:.2f} | {r['duckdb_rss_mib']:.0f} | {r['msp_rss_mib']:.0f} |")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        keys = list(rows[0])
        with open(os.path.join(args.out, "results.csv"), "w") as f:
            f.write(",".join(keys) + "\n")
            for r in rows:
                f.write(",".join(str(r[k]) for k in keys) + "\n")
        svg(rows, os.path.join(args.out, "times.svg"))


if __name__ == "__main__":
    main()
