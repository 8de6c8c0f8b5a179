//! # msp: multi-stage programming in a typed Python subset, compiled through LLVM
//!
//! Write *kernels* in a statically typed Python subset and *generators* in plain
//! Python-subset code that builds kernels with quotes `q("...")` and `splice(...)`.
//! msp runs the generators (stage 0), type-checks the result, and compiles it with
//! LLVM to native code you call from Rust.
//!
//! ## Just in time
//!
//! ```
//! use msp::Compiler;
//!
//! let source = r#"
//! def power(n, x):
//!     if n == 0:
//!         return q("1")
//!     return q("splice(power(n - 1, x)) * splice(x)")
//!
//! @compile
//! def power10(x: int) -> int:
//!     return splice(power(10, q("x")))
//!
//! @compile
//! def scale(a: Float[4], k: float) -> None:
//!     for i in range(4):
//!         a[i] = a[i] * k
//! "#;
//! let module = Compiler::new().jit_source("power.py", source)?;
//!
//! let power10 = module.kernel::<(i32,), i32>("power10")?;
//! assert_eq!(power10.call((2,))?, 1024);
//!
//! let scale = module.kernel::<(&mut [f32; 4], f32), ()>("scale")?;
//! let mut a = [1.0, 2.0, 3.0, 4.0];
//! scale.call((&mut a, 0.5))?;
//! assert_eq!(a, [0.5, 1.0, 1.5, 2.0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Checked kernels (the default) report an index out of range or a division by zero as
//! an [`Err`] naming the kernel, the line and the fault, never undefined behaviour:
//!
//! ```
//! let module = msp::Compiler::new()
//!     .jit_source("peek.py", "@compile\ndef peek(a: Int[4], i: int) -> int:\n    return a[i]\n")?;
//! let peek = module.kernel::<(&[i32; 4], i32), i32>("peek")?;
//! assert_eq!(peek.call((&[10, 20, 30, 40], -1))?, 40);
//! let err = peek.call((&[10, 20, 30, 40], 4)).unwrap_err();
//! assert!(err.to_string().contains("peek.py:3"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use msp_core as core;
pub use msp_core::check::{ArrayType, KernelSig, Scalar, Type};
pub use msp_core::driver::{CheckedProgram, CompileError, CompileReport, Compiler, PhaseTimes};
pub use msp_core::jit::{CallArg, CallError, Fault, JitModule, Kernel, ScalarValue, SignatureError};
pub use msp_core::stage::Limits;
pub use msp_core::staged::DefineValue;
