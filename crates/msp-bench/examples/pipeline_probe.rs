//! Compares optimization pipelines on one staged file, in one process, alternating them
//! so machine noise hits every candidate alike. Prints the fastest optimize and
//! machine-code time of each (other processes only ever add time), and the size of the
//! object code.
//!
//! `cargo run --release -p msp-bench --example pipeline_probe -- FILE.py name=value... -- 'PIPELINE' ...`
//! (`default` stands for msp's own choice, `optimize_checked`; `none` for no optimization).
//! FILE may be a `.ll` file instead: LLVM IR taken as is (defines are then ignored).

use std::time::{Duration, Instant};

use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::targets::FileType;
use msp_core::codegen::{self, CodegenOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let (head, pipes) = (&args[..split], args.get(split + 1..).unwrap_or(&[]));
    let file = &head[0];
    let c = msp_bench::compiler_with_defines(&head[1..]);
    let text = std::fs::read_to_string(file).expect("file");
    // A `.ll` file is taken as LLVM IR as is (to time hand-edited IR); `none` then
    // skips optimization.
    let ir = file.ends_with(".ll");
    let program = if ir {
        c.check_source("empty.py", "")
            .unwrap_or_else(|e| panic!("{e}"))
    } else {
        c.check_source(file, &text)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let pipes: Vec<String> = if pipes.is_empty() {
        vec!["default".into()]
    } else {
        pipes.to_vec()
    };
    let reps = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(21);
    let mut opt_t = vec![Vec::new(); pipes.len()];
    let mut mc_t = vec![Vec::new(); pipes.len()];
    let mut sizes = vec![0usize; pipes.len()];
    for _ in 0..reps {
        for (i, p) in pipes.iter().enumerate() {
            codegen::with_host_target_machine(
                std::env::var("TMLEVEL")
                    .ok()
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(3),
                |tm| {
                    let ctx = Context::create();
                    let opts = CodegenOptions {
                        internal_kernels: true,
                        trampolines: std::env::var_os("PROBE_NO_TRAMPOLINES").is_none(),
                        ..CodegenOptions::default()
                    };
                    let module = if ir {
                        let buf = MemoryBuffer::create_from_memory_range_copy(
                            text.as_bytes(),
                            "probe.ll",
                        );
                        ctx.create_module_from_ir(buf).expect("IR")
                    } else {
                        codegen::emit_module(&ctx, &program.checked, tm, &opts).expect("lower")
                    };
                    if let Some(path) = std::env::var_os("PROBE_DUMP") {
                        module.print_to_file(path).expect("dump");
                    }
                    let t = Instant::now();
                    if p == "none" {
                    } else if p == "default" {
                        codegen::optimize_checked(&module, tm, 3, &program.checked, true)
                            .expect("opt");
                    } else {
                        codegen::run_pipeline(&module, tm, p).expect("pipeline");
                    }
                    opt_t[i].push(t.elapsed());
                    if let Some(path) = std::env::var_os("PROBE_DUMP_OPT") {
                        module.print_to_file(path).expect("dump");
                    }
                    let t = Instant::now();
                    let buf = tm
                        .write_to_memory_buffer(&module, FileType::Object)
                        .expect("object");
                    mc_t[i].push(t.elapsed());
                    sizes[i] = buf.get_size();
                },
            )
            .expect("target machine");
        }
    }
    let fastest = |v: &[Duration]| v.iter().min().map_or(0.0, |d| d.as_secs_f64() * 1e3);
    for (i, p) in pipes.iter().enumerate() {
        let (o, m) = (fastest(&opt_t[i]), fastest(&mc_t[i]));
        println!(
            "{o:7.3} ms opt {m:7.3} ms mc {:7.3} ms total {:6} B obj  {}",
            o + m,
            sizes[i],
            &p[..p.len().min(80)]
        );
    }
}
