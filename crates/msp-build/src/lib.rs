//! `build.rs` helper (issue 4).
