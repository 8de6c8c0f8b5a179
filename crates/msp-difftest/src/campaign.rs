//! A run of many programs: generate in batches, compare, shrink and save what fails.

use std::path::PathBuf;
use std::time::Duration;

use crate::ast::{Input, Program};
use crate::kgen::{self, Config};
use crate::run::{self, Outcome};
use crate::{regress, shrink};

#[derive(Clone, Debug)]
pub struct Options {
    pub programs: u64,
    /// The index of the first program (to rerun one program of a seed).
    pub first: u64,
    pub seed: u64,
    pub batch: usize,
    /// Shrink failures and write them here as conformance cases.
    pub save_dir: Option<PathBuf>,
    pub shrink: bool,
    pub shrink_budget: Duration,
    pub python_timeout: Duration,
    pub verbose: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            programs: 100,
            first: 0,
            seed: 1,
            batch: 50,
            save_dir: None,
            shrink: true,
            shrink_budget: Duration::from_secs(90),
            python_timeout: Duration::from_secs(120),
            verbose: false,
        }
    }
}

/// One failing program, shrunk if asked.
#[derive(Clone, Debug)]
pub struct Failure {
    pub index: u64,
    pub kind: String,
    pub program: Program,
    pub outcome: Outcome,
    pub saved: Option<PathBuf>,
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub programs: u64,
    pub failures: Vec<Failure>,
    /// Runs where Python itself could not be used (timeouts, crashes).
    pub infra_errors: Vec<String>,
    /// Input sets (of all programs, failing ones too) by what msp gave: a result, a
    /// fault, anything else (compile or call errors).
    pub returned: u64,
    pub faulted: u64,
    pub other: u64,
    /// Faults after the kernel had changed an array argument (so when it stopped
    /// mattered), and input sets with an empty array argument.
    pub faulted_after_writes: u64,
    pub empty_arrays: u64,
    /// Programs with a `prange` loop (run on 1, 2 and 7 threads).
    pub prange_programs: u64,
}

/// The seed of program `i` of a run.
pub fn program_seed(seed: u64, i: u64) -> u64 {
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03)
}

pub fn run(cfg: &Config, opts: &Options, mut log: impl FnMut(&str)) -> Report {
    let mut report = Report::default();
    let mut i = opts.first;
    let end = opts.first + opts.programs;
    while i < end {
        let n = (end - i).min(opts.batch as u64);
        let progs: Vec<Program> = (i..i + n)
            .map(|k| kgen::program(program_seed(opts.seed, k), cfg))
            .collect();
        match run::evaluate(&progs, opts.python_timeout) {
            Ok(outs) => {
                for (k, (p, o)) in progs.iter().zip(&outs).enumerate() {
                    let index = i + k as u64;
                    report.prange_programs += u64::from(p.has_prange());
                    for (case, m) in o.msp.iter().enumerate() {
                        if m.starts_with("R:") {
                            report.returned += 1;
                        } else if let Some(after) = m.strip_prefix("FAULT") {
                            report.faulted += 1;
                            if after != run::input_arrays(p, case) {
                                report.faulted_after_writes += 1;
                            }
                        } else {
                            report.other += 1;
                        }
                        if p.inputs[case]
                            .iter()
                            .any(|x| matches!(x, Input::Array { vals, .. } if vals.is_empty()))
                        {
                            report.empty_arrays += 1;
                        }
                    }
                    let Some(case) = o.first_mismatch() else {
                        continue;
                    };
                    let kind = o.kind(case).unwrap_or_else(|| "mismatch".into());
                    log(&format!(
                        "program {index} (seed {}, case {case}): {kind}\n  python: {}\n  msp:    {}",
                        opts.seed, o.py[case], o.msp[case]
                    ));
                    let mut failure = Failure {
                        index,
                        kind: kind.clone(),
                        program: p.clone(),
                        outcome: o.clone(),
                        saved: None,
                    };
                    if opts.shrink {
                        let small = shrink::shrink(
                            shrink::only_input(p, case),
                            &kind,
                            opts.shrink_budget,
                            opts.python_timeout,
                        );
                        if let Ok(mut out) =
                            run::evaluate(std::slice::from_ref(&small), opts.python_timeout)
                        {
                            failure.outcome = out.remove(0);
                        }
                        failure.program = small;
                        log(&format!(
                            "  shrunk to:\n{}",
                            crate::render::kernel_source(&failure.program)
                        ));
                        if let Some(dir) = &opts.save_dir
                            && let Some(text) = regress::case_text(
                                &failure.program,
                                &failure.outcome,
                                opts.seed,
                                index,
                            )
                        {
                            let path = dir.join(format!("seed{}_program{index}.py", opts.seed));
                            if std::fs::create_dir_all(dir).is_ok()
                                && std::fs::write(&path, text).is_ok()
                            {
                                log(&format!("  saved {}", path.display()));
                                failure.saved = Some(path);
                            }
                        }
                    }
                    report.failures.push(failure);
                }
            }
            Err(e) => {
                log(&format!("programs {i}..{}: {e}", i + n));
                report.infra_errors.push(e);
            }
        }
        i += n;
        report.programs = i - opts.first;
        if opts.verbose {
            log(&format!(
                "{i} programs, {} mismatches so far",
                report.failures.len()
            ));
        }
    }
    report
}
