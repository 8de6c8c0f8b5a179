//! `msp-difftest --programs N --seed S [--stage0]`: compares msp with CPython on random
//! programs; the last line is `N programs, M mismatches`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use msp_difftest::campaign::{self, Options};
use msp_difftest::{Config, render, run, stage0};

const USAGE: &str = "usage: msp-difftest [--programs N] [--seed S] [--first K] [--stage0] [--avoid-known] [--fixed-extents] [--max-extent E] [--save DIR] [--no-shrink] [--batch B] [--shrink-secs T] [--verbose] [--print]";

fn main() -> ExitCode {
    let mut opts = Options::default();
    let mut stage0_mode = false;
    let mut print_only = false;
    let mut cfg = Config::everything();
    let mut save: Option<PathBuf> = Some(PathBuf::from("tests/difftest-regressions"));
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let r: Result<(), String> = (|| {
            match a.as_str() {
                "--programs" => {
                    opts.programs = value("--programs")?
                        .parse()
                        .map_err(|e| format!("--programs: {e}"))?
                }
                "--first" => {
                    opts.first = value("--first")?
                        .parse()
                        .map_err(|e| format!("--first: {e}"))?
                }
                "--seed" => {
                    opts.seed = value("--seed")?
                        .parse()
                        .map_err(|e| format!("--seed: {e}"))?
                }
                "--batch" => {
                    opts.batch = value("--batch")?
                        .parse::<usize>()
                        .map_err(|e| format!("--batch: {e}"))?
                        .max(1)
                }
                "--shrink-secs" => {
                    opts.shrink_budget = Duration::from_secs(
                        value("--shrink-secs")?
                            .parse()
                            .map_err(|e| format!("--shrink-secs: {e}"))?,
                    )
                }
                "--save" => save = Some(PathBuf::from(value("--save")?)),
                "--no-save" => save = None,
                "--no-shrink" => opts.shrink = false,
                "--stage0" => stage0_mode = true,
                "--avoid-known" => {
                    cfg = Config {
                        runtime_extents: cfg.runtime_extents,
                        max_extent: cfg.max_extent,
                        ..Config::avoid_known()
                    }
                }
                "--fixed-extents" => cfg.runtime_extents = false,
                "--max-extent" => {
                    cfg.max_extent = value("--max-extent")?
                        .parse()
                        .map_err(|e| format!("--max-extent: {e}"))?
                }
                "--verbose" | "-v" => opts.verbose = true,
                "--print" => print_only = true,
                "--help" | "-h" => return Err(USAGE.into()),
                other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
            }
            Ok(())
        })();
        if let Err(e) = r {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    opts.save_dir = save;
    if print_only {
        // The programs as both sides see them, without running either.
        for k in opts.first..opts.first + opts.programs {
            let p = msp_difftest::kgen::program(campaign::program_seed(opts.seed, k), &cfg);
            println!("# ---- program {k}: kernels\n{}", render::kernel_source(&p));
            println!(
                "# ---- program {k}: model\n{}",
                render::model_source(&p, "")
            );
        }
        return ExitCode::SUCCESS;
    }
    if !run::python_available() {
        eprintln!("msp-difftest: no python3 (set MSP_PYTHON to an interpreter)");
        return ExitCode::from(2);
    }
    let (programs, mismatches) = if stage0_mode {
        let r = stage0::run(
            opts.programs,
            opts.seed,
            opts.batch,
            opts.python_timeout,
            |m| eprintln!("{m}"),
        );
        eprintln!("{} programs python rejected (not compared)", r.skipped);
        (r.programs, r.failures.len() + r.infra_errors.len())
    } else {
        let r = campaign::run(&cfg, &opts, |m| eprintln!("{m}"));
        eprintln!(
            "input sets: {} returned, {} faulted ({} after writing an array argument), {} other; {} with an empty array; {} programs with a prange",
            r.returned,
            r.faulted,
            r.faulted_after_writes,
            r.other,
            r.empty_arrays,
            r.prange_programs
        );
        for f in &r.failures {
            eprintln!(
                "failure: program {} ({}){}",
                f.index,
                f.kind,
                f.saved
                    .as_ref()
                    .map(|p| format!(", saved as {}", p.display()))
                    .unwrap_or_default()
            );
        }
        (r.programs, r.failures.len() + r.infra_errors.len())
    };
    println!("{programs} programs, {mismatches} mismatches");
    if mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
