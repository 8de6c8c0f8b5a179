"""First speed data point: msp (JIT compile + run, one thread) against DuckDB (threads=1).

    python3 examples/query/compare_duckdb.py SF [REPEAT]

Writes the TPC-H tables at scale factor SF as Parquet (with the release `query`
binary), loads them into DuckDB's memory, and times each queries/q*.sql: DuckDB's best
of REPEAT executions, and msp's best JIT compile and best kernel run over REPEAT runs
of `query --data DIR --repeat REPEAT` (tables loaded once, not timed for either).
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SF = sys.argv[1] if len(sys.argv) > 1 else "1"
REPEAT = int(sys.argv[2]) if len(sys.argv) > 2 else 5
TABLES = ["lineitem", "orders", "customer"]
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
QUERY = os.path.join(TARGET, "release", "query")


def main():
    data = tempfile.mkdtemp(prefix=f"tpch-sf{SF}-")
    subprocess.run([QUERY, "--sf", SF, "--write-parquet", data] + TABLES, check=True)
    con = duckdb.connect()
    con.execute("set threads = 1")
    for t in TABLES:
        con.execute(f"create table {t} as select * from read_parquet('{data}/{t}.parquet')")
    print(f"sf {SF}, best of {REPEAT}; times in ms")
    print(f"{'query':6} {'duckdb':>9} {'msp run':>9} {'msp jit':>9} {'msp total':>10} {'ratio':>6}")
    for path in sorted(os.listdir(os.path.join(HERE, "queries"))):
        sql = open(os.path.join(HERE, "queries", path)).read()
        best = float("inf")
        for _ in range(REPEAT):
            t = time.perf_counter()
            con.execute(sql).fetchall()
            best = min(best, time.perf_counter() - t)
        r = subprocess.run([QUERY, "--data", data, "--repeat", str(REPEAT),
                            os.path.join(HERE, "queries", path)],
                           capture_output=True, text=True, check=True)
        run = float(re.search(r"^run:\s+([\d.]+) ms", r.stderr, re.M).group(1))
        jit = float(re.search(r"^compile:\s+([\d.]+) ms", r.stderr, re.M).group(1))
        duck = best * 1e3
        print(f"{path[:-4]:6} {duck:9.2f} {run:9.2f} {jit:9.2f} {run + jit:10.2f} {(run + jit) / duck:6.2f}")


if __name__ == "__main__":
    main()
