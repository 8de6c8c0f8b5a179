//! Stage 0: the generator language.
//!
//! [`run_module`] runs a module's top-level statements in order in a tree-walking
//! interpreter for a subset of Python. Each `@compile` function is *staged* where its
//! definition stands: every `splice(e)` in its body is evaluated and replaced by the code
//! it produced, and the scalar globals it names are frozen into
//! [`KernelDef::consts`](crate::staged::KernelDef::consts). Quotes `q("...")` parse their
//! text as code values, evaluating their own splices and lifting stage-0 locals at the
//! moment `q` runs.
//!
//! Module map:
//! - `value`: stage-0 values; `alloc`: memory accounting;
//! - `interp`: statements, expressions, calls, scopes and limits;
//! - `ops`, `format`, `builtins`, `methods`: Python semantics of operators, formatting,
//!   builtin functions and methods;
//! - `walk`: generic walkers over the AST (spans, node counts, names);
//! - `quote`: `q`, splicing, cross-stage lifting, span re-stamping;
//! - `kernel`: decorators, turning a `@compile` def into a [`KernelDef`](crate::staged::KernelDef).

mod alloc;
mod builtins;
mod format;
mod interp;
mod kernel;
mod methods;
mod ops;
mod quote;
mod value;
mod walk;

#[cfg(test)]
mod tests;

pub use value::MAX_CODE_DEPTH;

use crate::ast;
use crate::diag::Diagnostic;
use crate::source::{SourceId, SourceMap};
use crate::staged::{DefineValue, StagedModule};

/// Resource limits of one stage-0 run. Each one, when exceeded, is a clear error with a
/// stage-0 traceback, never a crash of the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Nested stage-0 function calls (default 1000, as Python's).
    pub max_depth: usize,
    /// Interpreter steps (roughly, expressions evaluated); default 20 million, a few
    /// seconds of work.
    pub max_steps: u64,
    /// AST nodes in one kernel (or one code value) after staging; default 2 million.
    pub max_code_nodes: usize,
    /// Bytes held by stage-0 values (strings, lists, dicts, code), approximately;
    /// default 512 MiB.
    pub max_memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 1000,
            max_steps: 20_000_000,
            max_code_nodes: 2_000_000,
            max_memory: 512 << 20,
        }
    }
}

/// A stage-0 failure: a Python-level error in a generator, a bad splice or quote, or an
/// exceeded limit. The diagnostic's primary span is where it happened; secondary labels
/// hold a short stage-0 traceback.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", .diagnostic.message)]
pub struct StageError {
    pub diagnostic: Diagnostic,
}

/// Runs the module at stage 0 and returns its staged kernels and extern declarations.
///
/// `defines` become stage-0 globals before the first statement runs. `out` receives
/// what the module's `print(...)` calls write. Quote texts are added to `map` as
/// [`SourceKind::Quote`](crate::source::SourceKind::Quote) sources, and splices add
/// expansions, so diagnostics about generated code can show where it came from.
pub fn run_module(
    map: &mut SourceMap,
    file: SourceId,
    module: &ast::Module,
    defines: &[(String, DefineValue)],
    limits: &Limits,
    out: &mut dyn std::io::Write,
) -> Result<StagedModule, StageError> {
    // Every span already names its source; `file` is part of the signature so callers
    // state which source `module` was parsed from.
    let _ = file;
    let mut interp = interp::Interp::new(map, limits.clone(), out);
    for (name, value) in defines {
        interp.define(name, value);
    }
    let result = interp.run_module_body(&module.body);
    let staged = interp.finish();
    match result {
        Ok(()) => Ok(staged),
        Err(fault) => Err(StageError {
            diagnostic: fault.into_diagnostic(),
        }),
    }
}
