//! Arbitrary bytes through parse → stage 0 → check → codegen and optimization (nothing is
//! run). Errors are fine; a panic, a crash, a hang or an LLVM verifier failure is not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msp_core::driver::Compiler;
use msp_core::stage::Limits;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut c = Compiler::new();
    // Small stage-0 limits keep each input fast; hitting one is an ordinary diagnostic.
    c.limits(Limits {
        max_depth: 200,
        max_steps: 200_000,
        max_code_nodes: 200_000,
        max_memory: 64 << 20,
    });
    if let Err(e) = c.ir_source("fuzz.py", text, true) {
        // Internal errors (LLVM verifier, codegen) are bugs; user errors are not. The
        // driver gives internal errors no source position (`CompileError::internal`), and
        // every user error points into the source. (Looking for words in the rendered
        // text also matched the user's own source lines: `znverif n < 2:` in the corpus.)
        assert!(
            e.diagnostics.iter().all(|d| d.span.is_some()),
            "internal error on a checked program:\n{}",
            e.rendered
        );
    }
});
