//! A staged SQL query compiler over msp: SQL is planned here (`plan`), the plan is
//! handed to a stage-0 generator (`query.py`) that emits one fused kernel per query,
//! and the kernel runs JIT-compiled over columns loaded from Parquet or generated
//! TPC-H data (`data`); `engine` ties them together. See README.md.

pub mod data;
pub mod engine;
pub mod plan;

pub use data::Catalog;
pub use engine::{Cell, CompileMode, Database, QueryResult, Times};
