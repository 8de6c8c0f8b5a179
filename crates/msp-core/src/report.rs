//! What a compilation reports besides its product: phase times and, when asked, the IR.
//! Shared by the driver, which fills it, and the JIT module, which keeps it.

use std::fmt;
use std::time::Duration;

/// Wall-clock time spent in each phase of one compilation.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PhaseTimes {
    pub parse: Duration,
    pub stage: Duration,
    pub check: Duration,
    pub codegen: Duration,
    pub optimize: Duration,
    pub machine_code: Duration,
}

impl PhaseTimes {
    pub fn total(&self) -> Duration {
        self.parse + self.stage + self.check + self.codegen + self.optimize + self.machine_code
    }
}

impl fmt::Display for PhaseTimes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        write!(
            f,
            "parse {:.2} ms, stage {:.2} ms, check {:.2} ms, codegen {:.2} ms, optimize {:.2} ms, machine code {:.2} ms (total {:.2} ms)",
            ms(self.parse),
            ms(self.stage),
            ms(self.check),
            ms(self.codegen),
            ms(self.optimize),
            ms(self.machine_code),
            ms(self.total())
        )
    }
}

/// What one compilation produced besides machine code.
#[derive(Clone, Debug, Default)]
pub struct CompileReport {
    pub times: PhaseTimes,
    /// Set when IR dumps were asked for (`dump_ir`, or a kernel's `debug=True`).
    pub ir_unoptimized: Option<String>,
    pub ir_optimized: Option<String>,
    /// A kernel asked for its compile times to be reported (the seed's `add_time=`).
    pub add_time: bool,
    /// Checked copies of versioned loops left out of the JIT's code, to be compiled
    /// when one first runs (`jit/lazy.rs`); their compile is not in `times`.
    pub deferred_checked_copies: usize,
    /// The kernels compiled for time to result (`Compiler::fast_compile`, or
    /// `@compile(fast_compile=True)`), in module order; the others are fully optimized.
    pub fast_compiled: Vec<String>,
}
