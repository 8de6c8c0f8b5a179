//! msp: multi-stage programming in a typed Python subset, compiled through LLVM.
pub use msp_core as core;
