//! TPC-H Q1, Q3 and Q6 at scale factor 0.01 against DuckDB's results, checked in as
//! expected/q*.csv (made by expected/make_expected.py): sums and counts exactly, averages
//! within 1e-12 relative. And what the compiler must refuse, by name.

use std::path::Path;

use msp_query::plan::Ty;
use msp_query::{Catalog, Database, QueryResult};

const SF: f64 = 0.01;

fn dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn check(name: &str, got: &QueryResult) {
    let want = read(&format!("expected/{name}.csv"));
    let got_csv = got.to_csv();
    let want_lines: Vec<&str> = want.lines().collect();
    let got_lines: Vec<&str> = got_csv.lines().collect();
    assert_eq!(got_lines.first(), want_lines.first(), "{name}: header");
    assert_eq!(got_lines.len(), want_lines.len(), "{name}: rows\n{got_csv}");
    for (r, (g, w)) in got_lines.iter().zip(&want_lines).enumerate().skip(1) {
        let (gs, ws): (Vec<&str>, Vec<&str>) = (g.split(',').collect(), w.split(',').collect());
        assert_eq!(gs.len(), ws.len(), "{name} row {r}");
        for (c, (gv, wv)) in gs.iter().zip(&ws).enumerate() {
            if got.columns[c].1 == Ty::Float {
                let (x, y): (f64, f64) = (
                    gv.parse().unwrap_or(f64::NAN),
                    wv.parse().unwrap_or(f64::NAN),
                );
                assert!(
                    (x - y).abs() <= 1e-12 * y.abs(),
                    "{name} row {r} column {}: {gv} vs DuckDB's {wv}",
                    got.columns[c].0
                );
            } else {
                assert_eq!(gv, wv, "{name} row {r} column {}", got.columns[c].0);
            }
        }
    }
}

#[test]
fn tpch_queries_match_duckdb() {
    let mut db = Database::new(Catalog::generated(SF).expect("catalog"));
    for name in ["q1", "q3", "q6"] {
        let sql = read(&format!("queries/{name}.sql"));
        let result = db.run_sql(&sql).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        check(name, &result);
        // The buffers' first sizes fit these queries: no run again with larger ones.
        assert_eq!(result.times.runs, 1, "{name}");
    }
    // Again, on the buffers the first runs left: the aggregation table must come back
    // clean (debug builds check it) and the answers stay the same.
    for name in ["q3", "q1"] {
        let sql = read(&format!("queries/{name}.sql"));
        let result = db.run_sql(&sql).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        check(name, &result);
    }
}

#[test]
fn parquet_files_give_the_same_results() {
    let tmp = std::env::temp_dir().join(format!("msp-query-test-{}", std::process::id()));
    msp_query::data::write_parquet(&tmp, SF, &["lineitem"]).expect("write parquet");
    let mut db = Database::new(Catalog::parquet_dir(&tmp).expect("catalog"));
    let result = db.run_sql(&read("queries/q6.sql"));
    let _ = std::fs::remove_dir_all(&tmp);
    check("q6", &result.expect("q6 over parquet"));
}

#[test]
fn unsupported_sql_is_a_diagnostic_naming_it() {
    let mut db = Database::new(Catalog::generated(0.001).expect("catalog"));
    for (sql, says) in [
        ("select l_orderkey from lineitem", "without aggregates"),
        (
            "select count(*) from lineitem where l_comment like '%a%'",
            "LIKE",
        ),
        (
            "select sum(l_quantity) from lineitem group by l_comment",
            "distinct values",
        ),
        ("select count(*) from lineitem, orders", "cross join"),
        ("select sum(l_quantity) / 2 from lineitem", "/"),
        (
            "select count(distinct l_orderkey) from lineitem",
            "DISTINCT",
        ),
        ("select count(*) from nowhere", "no table `nowhere`"),
        (
            "select count(*) from lineitem where l_tax > 'x'",
            "comparing",
        ),
        ("select count(*) from lineitem where", "SQL syntax"),
        ("select", "SELECT without FROM"),
    ] {
        match db.run_sql(sql) {
            Ok(r) => panic!("{sql}: ran, giving\n{}", r.to_csv()),
            Err(e) => {
                let msg = format!("{e:#}");
                assert!(msg.contains(says), "{sql}: {msg}");
            }
        }
    }
}

#[test]
fn string_constants_fold_through_the_dictionary() {
    let mut db = Database::new(Catalog::generated(0.001).expect("catalog"));
    let count = |db: &mut Database, cond: &str| -> String {
        let sql = format!("select count(*) as n from customer where {cond}");
        db.run_sql(&sql)
            .unwrap_or_else(|e| panic!("{cond}: {e:#}"))
            .to_csv()
    };
    let all = count(&mut db, "c_custkey > 0");
    assert_eq!(count(&mut db, "c_mktsegment = 'NO SUCH'"), "n\n0\n");
    assert_eq!(count(&mut db, "c_mktsegment <> 'NO SUCH'"), all);
    // Ranges over sorted dictionaries: every segment is >= 'A' and < 'Z'.
    assert_eq!(
        count(&mut db, "c_mktsegment >= 'A' and c_mktsegment < 'Z'"),
        all
    );
    let b = count(&mut db, "c_mktsegment = 'BUILDING'");
    let le = count(&mut db, "c_mktsegment <= 'BUILDING'");
    let lt = count(&mut db, "c_mktsegment < 'BUILDING'");
    let n = |s: &str| {
        s.lines()
            .nth(1)
            .and_then(|l| l.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    assert_eq!(n(&le) - n(&lt), n(&b));
}

#[test]
fn joins_chain_duplicate_keys_and_buffers_grow() {
    let mut db = Database::new(Catalog::generated(0.001).expect("catalog"));
    let mut csv = |sql: &str| {
        db.run_sql(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e:#}"))
            .to_csv()
    };
    // Building on lineitem chains several entries per order key; building on orders
    // does not; both are lineitem's rows.
    let plain = csv("select count(*) as n, sum(l_quantity) as q from lineitem");
    let chained = csv(
        "select count(*) as n, sum(l_quantity) as q from lineitem, orders where l_orderkey = o_orderkey",
    );
    let unique = csv(
        "select count(*) as n, sum(l_quantity) as q from orders, lineitem where l_orderkey = o_orderkey",
    );
    assert_eq!(chained, plain);
    assert_eq!(unique, plain);

    // One group per lineitem row: more groups than the hash table and `out` start with.
    let sql = "select l_orderkey, l_linenumber, count(*) as n, max(l_quantity) as m \
               from lineitem group by l_orderkey, l_linenumber";
    let r = db.run_sql(sql).expect("many groups");
    assert!(r.times.runs > 1, "the buffers did not have to grow");
    let rows: usize = plain
        .lines()
        .nth(1)
        .and_then(|l| l.split(',').next()?.parse().ok())
        .unwrap_or(0);
    assert_eq!(r.rows.len(), rows);
    assert!(r.rows.iter().all(|row| row[2] == msp_query::Cell::Int(1)));
    // The index doubled in the kernel (from 1,024 slots) and the table grew in Rust:
    // every group kept its keys and values, each group's max being its one quantity.
    let scaled = |c: &msp_query::Cell| match c {
        msp_query::Cell::Int(v) | msp_query::Cell::Decimal(v, _) => *v,
        other => panic!("not a number: {other:?}"),
    };
    let total = db
        .run_sql("select sum(l_quantity) as q from lineitem")
        .expect("sum");
    let maxima: i64 = r.rows.iter().map(|row| scaled(&row[3])).sum();
    assert_eq!(maxima, scaled(&total.rows[0][0]));
    let mut keys: Vec<(String, String)> = r
        .rows
        .iter()
        .map(|row| (row[0].to_string(), row[1].to_string()))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), rows, "a group appears twice");

    // A hash aggregation's min and max start where they must (set as each group is
    // made): each group of l_linenumber against the same aggregates without GROUP BY.
    let grouped = db
        .run_sql(
            "select l_linenumber, min(l_quantity) as lo, max(l_quantity) as hi, \
             min(l_discount - 5) as d from lineitem group by l_linenumber order by l_linenumber",
        )
        .expect("grouped");
    assert_eq!(grouped.rows.len(), 7);
    for row in &grouped.rows {
        let msp_query::Cell::Int(k) = row[0] else {
            panic!("l_linenumber is {:?}", row[0])
        };
        let alone = db
            .run_sql(&format!(
                "select min(l_quantity) as lo, max(l_quantity) as hi, min(l_discount - 5) as d \
                 from lineitem where l_linenumber = {k}"
            ))
            .expect("one line number")
            .to_csv();
        let cells: Vec<String> = row[1..].iter().map(ToString::to_string).collect();
        assert_eq!(
            alone.lines().nth(1),
            Some(cells.join(",").as_str()),
            "line {k}"
        );
    }
}
