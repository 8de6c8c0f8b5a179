//! `query [--sf X | --data DIR] (FILE.sql | -e 'SELECT ...')`: the result as CSV on
//! stdout, load, compile and run times on stderr.
//! `query --sf X --write-parquet DIR`: the generated TPC-H tables as Parquet files.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use msp_query::{Catalog, CompileMode, Database, data};

const USAGE: &str =
    "usage: query [--sf X | --data DIR] [--show-kernel] [--repeat N] [--threads N] [--o3 | --fast]
             (FILE.sql | -e 'SELECT ...')
       query --sf X --write-parquet DIR [TABLE...]
  --threads N  threads of the kernel's parallel loops (default: every core)
  --o3, --fast compile with LLVM -O3, or for time to result (default: for time
               to result, with the loop vectorizer for small kernels)";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut sf = None;
    let mut dir = None;
    let mut sql = None;
    let mut write = None;
    let mut show_kernel = false;
    let mut mode = CompileMode::Auto;
    let mut threads = 0u32;
    let mut repeat = 1u32;
    let mut rest = Vec::new();
    while let Some(a) = args.next() {
        let mut value = |what: &str| {
            args.next()
                .with_context(|| format!("{a} needs {what}\n{USAGE}"))
        };
        match a.as_str() {
            "--sf" => {
                let v = value("a scale factor")?;
                sf = Some(
                    v.parse::<f64>()
                        .with_context(|| format!("--sf {v}: not a number"))?,
                );
            }
            "--data" => dir = Some(PathBuf::from(value("a directory")?)),
            "-e" => sql = Some(value("SQL text")?),
            "--write-parquet" => write = Some(PathBuf::from(value("a directory")?)),
            "--show-kernel" => show_kernel = true,
            "--o3" => mode = CompileMode::O3,
            "--fast" => mode = CompileMode::Fast,
            "--threads" => {
                let v = value("a thread count")?;
                threads = v
                    .parse()
                    .with_context(|| format!("--threads {v}: not a count"))?;
            }
            "--repeat" => {
                let v = value("a count")?;
                repeat = v
                    .parse()
                    .ok()
                    .filter(|&n| n >= 1)
                    .with_context(|| format!("--repeat {v}: not a count"))?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            flag if flag.starts_with('-') => bail!("unknown option {flag}\n{USAGE}"),
            _ => rest.push(a),
        }
    }
    if let Some(out) = write {
        let sf = sf.context("--write-parquet needs --sf")?;
        let tables: Vec<&str> = if rest.is_empty() {
            data::TPCH_TABLES.to_vec()
        } else {
            rest.iter().map(String::as_str).collect()
        };
        data::write_parquet(&out, sf, &tables)?;
        eprintln!(
            "wrote {} tables at sf {sf} to {}",
            tables.len(),
            out.display()
        );
        return Ok(());
    }
    let sql = match (sql, rest.as_slice()) {
        (Some(s), []) => s,
        (None, [file]) => {
            std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?
        }
        _ => bail!("give one SQL file or -e 'SQL'\n{USAGE}"),
    };
    let catalog = match (sf, dir) {
        (Some(_), Some(_)) => bail!("give --sf or --data, not both"),
        (None, Some(d)) => Catalog::parquet_dir(&d)?,
        (sf, None) => Catalog::generated(sf.unwrap_or(0.01))?,
    };
    let mut db = Database::new(catalog);
    db.keep_kernel = show_kernel;
    db.compile_mode = mode;
    db.threads = threads;
    let result = db.run_sql(&sql)?;
    print!("{}", result.to_csv());
    // --repeat: compile and run again over the loaded tables; report the fastest.
    let mut t = result.times.clone();
    for _ in 1..repeat {
        let again = db.run_sql(&sql)?.times;
        if again.compile < t.compile {
            (t.compile, t.phases) = (again.compile, again.phases);
        }
        t.run = t.run.min(again.run);
    }
    let t = &t;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    if show_kernel {
        eprintln!("{}", result.kernel.as_deref().unwrap_or(""));
    }
    eprintln!("plan:    {:.2} ms", ms(t.plan));
    eprintln!("load:    {:.2} ms", ms(t.load));
    eprintln!("compile: {:.2} ms ({})", ms(t.compile), t.phases);
    eprintln!(
        "run:     {:.2} ms ({} run{})",
        ms(t.run),
        t.runs,
        if t.runs == 1 { "" } else { "s" }
    );
    Ok(())
}
