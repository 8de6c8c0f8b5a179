//! Structured inputs: the input bytes drive msp-difftest's kernel generator; the
//! well-typed program it builds must compile and run (checked, so faults are errors;
//! `run_msp` gives `FAULT|<arrays as the fault left them>`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use msp_difftest::kgen::Gen;
use msp_difftest::rng::Rng;
use msp_difftest::{Config, run};

fuzz_target!(|data: &[u8]| {
    let mut rng = Rng::from_bytes(data);
    let program = Gen::new(&mut rng, Config::everything()).program();
    for out in run::run_msp(&program) {
        assert!(
            out.starts_with("R:") || out.starts_with("FAULT"),
            "{out}\n{}",
            msp_difftest::render::kernel_source(&program)
        );
    }
});
