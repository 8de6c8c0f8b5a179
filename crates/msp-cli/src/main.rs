//! `msp`: compile and run staged Python-subset modules from the command line.

mod args;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use msp_core::driver::{CompileError, Compiler};

#[derive(Parser)]
#[command(
    name = "msp",
    version,
    about = "Multi-stage programming in a typed Python subset, compiled through LLVM"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Common {
    /// The staged module (a .py file).
    file: PathBuf,
    /// A stage-0 global: `name=value`, value a Python literal (int, float, bool, str, list).
    #[arg(long = "define", short = 'D', value_name = "NAME=VALUE")]
    defines: Vec<String>,
    /// Leave out run-time index and division checks.
    #[arg(long)]
    unchecked: bool,
    /// Compile for time to result (`Compiler::fast_compile`): the quick pipeline and
    /// LLVM's level-0 code generator; `ir --opt` and `asm` show that code.
    #[arg(long)]
    fast: bool,
    /// Whether LLVM's loop passes run (`Compiler::loop_passes`): at O3 by default; with
    /// `--fast` `yes` adds the loop vectorizer.
    #[arg(long, value_name = "yes|no", value_parser = parse_yes_no)]
    loop_passes: Option<bool>,
    /// Threads for `prange` loops (default: MSP_NUM_THREADS, else every core).
    #[arg(long, value_name = "N")]
    threads: Option<u32>,
    /// Stage-0 limit: nested generator calls (default 1000).
    #[arg(long, value_name = "N")]
    max_depth: Option<usize>,
    /// Stage-0 limit: interpreter steps (default 20 million).
    #[arg(long, value_name = "N")]
    max_steps: Option<u64>,
    /// Stage-0 limit: AST nodes in one generated kernel (default 2 million).
    #[arg(long, value_name = "N")]
    max_code_nodes: Option<usize>,
    /// Stage-0 limit: bytes held by stage-0 values (default 512 MiB).
    #[arg(long, value_name = "BYTES")]
    max_memory: Option<usize>,
}

#[derive(Subcommand)]
enum Command {
    /// Stage, compile and call one kernel: `msp run f.py --call 'f(1, [1, 2])'`.
    Run {
        #[command(flatten)]
        common: Common,
        /// The call: `name(args)`; arrays as nested lists, `zeros` or `iota`.
        #[arg(long)]
        call: String,
        /// After the call, print each array argument as a nested list.
        #[arg(long)]
        print_args: bool,
        /// Print the time of each compile phase to stderr.
        #[arg(long)]
        times: bool,
        /// Also compile and call `--repeat` more times; print median `compile_ms:` and `call_ms:` to stderr.
        #[arg(long)]
        bench: bool,
        #[arg(long, default_value_t = 10)]
        repeat: usize,
    },
    /// Stage and type-check every kernel; run nothing.
    Check {
        #[command(flatten)]
        common: Common,
    },
    /// Print each kernel after staging, as Python (valid Python that re-parses to it).
    Expand {
        #[command(flatten)]
        common: Common,
    },
    /// Print the LLVM IR (unoptimized unless --opt).
    Ir {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        opt: bool,
    },
    /// Print the optimized assembly for this machine.
    Asm {
        #[command(flatten)]
        common: Common,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            flush_c_stdio();
            let _ = std::io::stdout().flush();
            eprintln!("{}", message.trim_end());
            ExitCode::FAILURE
        }
    }
}

fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(format!("`{s}`: expected `yes` or `no`")),
    }
}

fn compiler(common: &Common) -> Result<Compiler, String> {
    let mut c = Compiler::new();
    c.unchecked(common.unchecked).fast_compile(common.fast);
    c.threads(common.threads.unwrap_or(0));
    if let Some(yes) = common.loop_passes {
        c.loop_passes(yes);
    }
    let mut limits = msp_core::stage::Limits::default();
    limits.max_depth = common.max_depth.unwrap_or(limits.max_depth);
    limits.max_steps = common.max_steps.unwrap_or(limits.max_steps);
    limits.max_code_nodes = common.max_code_nodes.unwrap_or(limits.max_code_nodes);
    limits.max_memory = common.max_memory.unwrap_or(limits.max_memory);
    c.limits(limits);
    for d in &common.defines {
        let (name, value) = args::parse_define(d)?;
        c.define(name, value);
    }
    Ok(c)
}

fn read(path: &PathBuf) -> Result<(String, String), String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "error: {}: not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((path.display().to_string(), text))
}

fn render(e: CompileError) -> String {
    e.rendered
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Check { common } => {
            let (name, text) = read(&common.file)?;
            let program = compiler(&common)?
                .check_source(&name, &text)
                .map_err(render)?;
            let n = program.checked.kernels.len();
            eprintln!("{name}: {n} kernel(s) ok");
            Ok(())
        }
        Command::Expand { common } => {
            let (name, text) = read(&common.file)?;
            let program = compiler(&common)?
                .stage_source(&name, &text)
                .map_err(render)?;
            print!("{}", msp_core::unparse::unparse_module(&program.staged));
            Ok(())
        }
        Command::Ir { common, opt } => {
            let (name, text) = read(&common.file)?;
            let ir = compiler(&common)?
                .ir_source(&name, &text, opt)
                .map_err(render)?;
            print!("{ir}");
            Ok(())
        }
        Command::Asm { common } => {
            let (name, text) = read(&common.file)?;
            let asm = compiler(&common)?
                .asm_source(&name, &text)
                .map_err(render)?;
            print!("{asm}");
            Ok(())
        }
        Command::Run {
            common,
            call,
            print_args,
            times,
            bench,
            repeat,
        } => {
            let (name, text) = read(&common.file)?;
            let c = compiler(&common)?;
            let module = c.jit_source(&name, &text).map_err(render)?;
            let report = module.report();
            if let Some(ir) = &report.ir_unoptimized {
                eprintln!("; ---- unoptimized IR ----\n{ir}");
            }
            if let Some(ir) = &report.ir_optimized {
                eprintln!("; ---- optimized IR ----\n{ir}");
            }
            if times || report.add_time {
                eprintln!("compile: {}", report.times);
            }
            let parsed = args::parse_call(&call)?;
            let sig = module.signature(&parsed.name).ok_or_else(|| {
                let names: Vec<&str> = module.kernels().map(|k| k.name.as_str()).collect();
                format!(
                    "error: no kernel `{}` in {name} (kernels: {})",
                    parsed.name,
                    names.join(", ")
                )
            })?;
            let mut buffers = args::materialize(&parsed, sig)?;
            let result = {
                let mut call_args = args::call_args(&mut buffers);
                call_kernel(&module, &parsed.name, &mut call_args)
            };
            flush_c_stdio();
            let result = result.map_err(|e| format!("error: {e}"))?;
            let mut out = std::io::stdout().lock();
            if let Some(v) = result {
                let _ = writeln!(out, "{}", v.py_repr());
            }
            if print_args {
                for b in &buffers {
                    if let Some(line) = b.render_array() {
                        let _ = writeln!(out, "{line}");
                    }
                }
            }
            let _ = out.flush();
            drop(out);
            if bench {
                run_bench(&c, &name, &text, &parsed, sig.clone(), repeat.max(1))?;
            }
            Ok(())
        }
    }
}

/// Calls a kernel with the arguments from the command line, checked or not.
fn call_kernel(
    module: &msp_core::jit::JitModule,
    name: &str,
    args: &mut [msp_core::jit::CallArg<'_>],
) -> Result<Option<msp_core::jit::ScalarValue>, msp_core::jit::CallError> {
    // SAFETY: a kernel without checks runs only when the user asked for it, with
    // `--unchecked` or `unchecked=True` in the source: the command line is the `unsafe`
    // block. Arguments were bound to the parameters' extents by `call_dynamic_unchecked`.
    unsafe { module.call_dynamic_unchecked(name, args) }
}

/// Re-compiles and re-calls `repeat` times in this process and reports medians.
fn run_bench(
    c: &Compiler,
    name: &str,
    text: &str,
    parsed: &args::ParsedCall,
    sig: msp_core::check::KernelSig,
    repeat: usize,
) -> Result<(), String> {
    let mut compiles = Vec::new();
    let mut module = None;
    for _ in 0..repeat {
        let t = Instant::now();
        let m = c.jit_source(name, text).map_err(render)?;
        compiles.push(t.elapsed());
        module = Some(m);
    }
    let module = module.expect("repeat >= 1");
    let mut calls = Vec::new();
    for _ in 0..repeat {
        let mut buffers = args::materialize(parsed, &sig)?;
        let mut call_args = args::call_args(&mut buffers);
        let t = Instant::now();
        let r = call_kernel(&module, &parsed.name, &mut call_args);
        calls.push(t.elapsed());
        r.map_err(|e| format!("error: {e}"))?;
    }
    flush_c_stdio();
    eprintln!("compile_ms: {:.3}", median_ms(&mut compiles));
    eprintln!("call_ms: {:.3}", median_ms(&mut calls));
    Ok(())
}

fn median_ms(v: &mut [Duration]) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e3
}

/// Kernels print through C's stdio (`putchar`); flush it so their output comes before
/// anything Rust prints next.
fn flush_c_stdio() {
    unsafe extern "C" {
        fn fflush(stream: *mut std::ffi::c_void) -> i32;
    }
    // SAFETY: fflush(NULL) flushes every C output stream; it takes no Rust state.
    unsafe {
        fflush(std::ptr::null_mut());
    }
}
