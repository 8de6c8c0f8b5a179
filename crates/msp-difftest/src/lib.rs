//! Differential testing of msp against CPython.
//!
//! - [`kgen`] makes random, well-typed kernels ([`ast::Program`]); [`render`] writes each
//!   as msp kernel source and as a Python model that spells out the kernel semantics
//!   (wrap-around, f32 rounding, saturating casts); [`run`] runs both and compares
//!   canonical outputs; [`shrink`] reduces a failing program; [`regress`] writes it as a
//!   conformance case.
//! - [`stage0`] does the same for stage-0 generator programs, compared by printed output.
//!
//! The generator is a library so the fuzz targets can drive it from their input bytes.

pub mod ast;
pub mod campaign;
pub mod kgen;
pub mod regress;
pub mod render;
pub mod rng;
pub mod run;
pub mod shrink;
pub mod stage0;
pub mod types;

pub use kgen::Config;
