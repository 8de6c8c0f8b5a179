"""Computes the expected results in this directory with DuckDB (run once; CI needs no DuckDB).

    python3 examples/query/expected/make_expected.py [SF]

1. `query --sf SF --write-parquet DIR` writes the TPC-H tables exactly as the example
   generates them in memory for `--sf SF` (the same tpchgen generator, the same Arrow
   batches), so DuckDB reads the data the test runs on.
2. When `tpchgen-cli` (pip install tpchgen-cli==4.0.0) is on PATH, its Parquet output at
   the same scale factor is queried too, and the results must be identical: the data
   is then also what `tpchgen-cli parquet` writes, for `--data DIR`.
3. DuckDB runs each queries/q*.sql and writes q*.csv: a header line, then one line per
   row; decimals with their scale (DuckDB's exact DECIMAL sums), dates as YYYY-MM-DD,
   doubles (avg) in Python's shortest repr.
"""
import csv
import datetime
import decimal
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SF = sys.argv[1] if len(sys.argv) > 1 else "0.01"
TABLES = ["lineitem", "orders", "customer"]


def cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (datetime.date, decimal.Decimal)):
        return str(v)
    return str(v)


def run_all(data_dir):
    con = duckdb.connect()
    for t in TABLES:
        con.execute(f"create view {t} as select * from read_parquet('{data_dir}/{t}.parquet')")
    results = {}
    for path in sorted(glob.glob(os.path.join(HERE, "..", "queries", "q*.sql"))):
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path) as f:
            cur = con.execute(f.read())
        header = [d[0] for d in cur.description]
        rows = [[cell(v) for v in row] for row in cur.fetchall()]
        results[name] = (header, rows)
    return results


def main():
    tmp = tempfile.mkdtemp()
    try:
        ours = os.path.join(tmp, "ours")
        # QUERY_BIN: an already built `query` binary instead of `cargo run --release`.
        query = os.environ.get("QUERY_BIN")
        cmd = [query] if query else ["cargo", "run", "--release", "-q", "-p", "msp-query", "--"]
        subprocess.run(cmd + ["--sf", SF, "--write-parquet", ours] + TABLES, cwd=ROOT, check=True)
        results = run_all(ours)
        if shutil.which("tpchgen-cli"):
            cli = os.path.join(tmp, "cli")
            subprocess.run(["tpchgen-cli", "parquet", "-s", SF, "-o", cli,
                            "--tables", ",".join(TABLES)], check=True)
            assert run_all(cli) == results, "tpchgen-cli's data gives other results"
            print("tpchgen-cli's Parquet files give the same results")
        for name, (header, rows) in results.items():
            with open(os.path.join(HERE, f"{name}.csv"), "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(header)
                w.writerows(rows)
            print(f"{name}.csv: {len(rows)} rows")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
