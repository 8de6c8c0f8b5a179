//! msp's compiler core. The pipeline, one module per phase:
//!
//! `parse` (Python text → [`ast::Module`]) → `stage` (run generators, splice quotes →
//! [`staged::StagedModule`]) → `check` (types → typed kernels) → `codegen` (LLVM IR,
//! optimization) → `jit` / `aot` (machine code in memory, or object/assembly text).
//!
//! See `ARCHITECTURE.md` at the repository root for the map.

pub mod abi;
pub mod aot;
pub mod ast;
pub mod check;
pub mod codegen;
pub mod diag;
pub mod driver;
pub mod jit;
pub mod parse;
pub mod report;
pub mod source;
pub mod stage;
pub mod staged;
pub mod unparse;

pub use diag::Diagnostic;
pub use source::{SourceMap, Span};
