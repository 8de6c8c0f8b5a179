//! The `msp!` proc macro (issue 4).
