//! Checked copies compiled on first use. The checked copy of a versioned loop
//! (`codegen/lower/cold.rs`, `k.checkedN`) runs only when a guard fails, as a rule on
//! the way to a fault, yet its machine code was about a tenth of a small `:` kernel's
//! compile. So the JIT keeps the module it loads as bitcode, before optimizing it, and
//! each copy's body in the loaded module becomes a call of [`msp_lazy_checked`], which
//! the first time any copy runs (once per [`super::JitModule`], under a lock) prunes
//! that bitcode to the copies and the kernels they call, compiles it, and calls the
//! copy. A call that reaches a checked copy pays that compile once.

use std::collections::HashMap;
use std::sync::OnceLock;

use inkwell::AddressSpace;
use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::{Linkage, Module};

use super::native::{self, LoadedObject};
use crate::codegen::{self, CHECKED_COPY_FAULTED, CodegenError, FaultRecord, is_checked_copy};

/// The fault site a failed compile of the checked copies reports (`FaultRecord::site`).
pub(super) const COMPILE_FAILED_SITE: u32 = u32::MAX;

/// Symbols the loaded module's stubs reference: the copies' state and the entry.
const CTX_SYMBOL: &str = "msp.lazy.checked";
const ENTRY_SYMBOL: &str = "msp_lazy_checked";

/// The checked copies of one JIT module, compiled on first use.
pub(crate) struct LazyCopies {
    bitcode: Vec<u8>,
    /// The copies' symbols, by the index their stubs pass.
    names: Vec<String>,
    /// What the copies' module links against (the extern C functions).
    symbols: HashMap<String, usize>,
    level: u8,
    compiled: OnceLock<Result<Compiled, String>>,
}

struct Compiled {
    _code: LoadedObject,
    entries: Vec<usize>,
}

type CheckedCopy = unsafe extern "C" fn(*mut u64, *mut FaultRecord) -> i32;

impl LazyCopies {
    /// Takes the checked copies out of `module`, before it is optimized: the module is
    /// kept as bitcode, the copies' bodies here become stubs (which the optimizer may then
    /// rewrite as it likes: they are private to `module`, and they call the copies
    /// through [`msp_lazy_checked`], a C function). `level` is the code generation level
    /// to compile the copies at. `None` when there are none.
    pub(crate) fn split(
        module: &Module<'_>,
        level: u8,
    ) -> Result<Option<Box<LazyCopies>>, CodegenError> {
        let copies: Vec<_> = module
            .get_functions()
            .filter(|f| {
                f.count_basic_blocks() > 0 && is_checked_copy(&f.get_name().to_string_lossy())
            })
            .collect();
        if copies.is_empty() {
            return Ok(None);
        }
        // The whole module as it is, copies and all: pruning it to the copies and the
        // kernels they call waits for the compile, which most modules never need
        // (cloning and pruning here cost 0.6 of this step's 0.8 ms on the `Float[:][:]`
        // transpose, a twentieth of its compile).
        let bitcode = module.write_bitcode_to_memory().as_slice().to_vec();
        let ctx = module.get_context();
        let (i32t, ptr) = (ctx.i32_type(), ctx.ptr_type(AddressSpace::default()));
        let entry = module.add_function(
            ENTRY_SYMBOL,
            i32t.fn_type(&[ptr.into(), i32t.into(), ptr.into(), ptr.into()], false),
            Some(Linkage::External),
        );
        let state = module.add_global(ctx.i8_type(), None, CTX_SYMBOL);
        state.set_linkage(Linkage::External);
        let builder = ctx.create_builder();
        let mut names = Vec::new();
        for (n, f) in copies.into_iter().enumerate() {
            names.push(f.get_name().to_string_lossy().into_owned());
            for bb in f.get_basic_blocks() {
                // SAFETY: the block belongs to `f`, whose whole body goes; nothing
                // outside the function refers to its blocks.
                unsafe { bb.delete() }
                    .map_err(|()| CodegenError::new("cannot replace a checked copy"))?;
            }
            let bb = ctx.append_basic_block(f, "lazy");
            builder.position_at_end(bb);
            let env = f.get_nth_param(0).expect("env");
            let fault = f.get_nth_param(1).expect("fault");
            let index = i32t.const_int(n as u64, false);
            let status = builder
                .build_call(
                    entry,
                    &[
                        state.as_pointer_value().into(),
                        index.into(),
                        env.into(),
                        fault.into(),
                    ],
                    "status",
                )
                .map_err(|e| CodegenError::new(e.to_string()))?;
            let inkwell::values::ValueKind::Basic(status) = status.try_as_basic_value() else {
                return Err(CodegenError::new("the lazy entry returns a status"));
            };
            builder
                .build_return(Some(&status))
                .map_err(|e| CodegenError::new(e.to_string()))?;
        }
        Ok(Some(Box::new(LazyCopies {
            bitcode,
            names,
            symbols: HashMap::new(),
            level,
            compiled: OnceLock::new(),
        })))
    }

    /// How many checked copies there are.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Takes `symbols` (the extern C functions) for the copies' module, and adds the
    /// stubs' symbols, for this state, to what the loaded module links against.
    pub(crate) fn link(&mut self, symbols: &mut HashMap<String, usize>) {
        self.symbols = symbols.clone();
        symbols.insert(CTX_SYMBOL.into(), self as *const LazyCopies as usize);
        symbols.insert(ENTRY_SYMBOL.into(), msp_lazy_checked as *const () as usize);
    }

    /// Why compiling the copies failed, if it did.
    pub(super) fn error(&self) -> Option<&str> {
        match self.compiled.get() {
            Some(Err(e)) => Some(e),
            _ => None,
        }
    }

    fn compile(&self) -> Result<Compiled, String> {
        let context = Context::create();
        let buffer = MemoryBuffer::create_from_memory_range(&self.bitcode, "checked copies");
        let module =
            Module::parse_bitcode_from_buffer(&buffer, &context).map_err(|e| e.to_string())?;
        for f in module
            .get_functions()
            .filter(|f| f.count_basic_blocks() > 0)
        {
            // The copies stay, exported; the kernels they call stay as private copies;
            // everything else (trampolines, kernels they do not call) goes.
            let linkage = if is_checked_copy(&f.get_name().to_string_lossy()) {
                Linkage::External
            } else {
                Linkage::Internal
            };
            f.set_linkage(linkage);
        }
        let code = native::with_jit_backend(self.level, |backend| {
            // Unoptimized, like the copies (`optnone`); the kernels they call run
            // unoptimized on the way to a fault too.
            codegen::run_pipeline(&module, backend.target_machine(), "globaldce")
                .map_err(|e| e.to_string())?;
            backend
                .emitter()
                .emit(&module, |object| LoadedObject::load(object, &self.symbols))
                .map_err(|e| e.to_string())
        })
        .map_err(|e| e.to_string())
        .and_then(|r| r)?;
        let entries = self
            .names
            .iter()
            .map(|n| {
                code.symbol(n)
                    .ok_or_else(|| format!("no symbol `{n}` in the checked copies"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Compiled {
            _code: code,
            entries,
        })
    }
}

/// The stubs' entry: runs checked copy `n` of `state`, compiling the copies first if
/// no copy has run yet. A failed compile is reported as a fault at
/// [`COMPILE_FAILED_SITE`] (with the status of a copy that faulted).
///
/// # Safety
/// `state` is the [`LazyCopies`] the stub was linked with (alive while its code is),
/// `n` one of its copies, and `env` and `fault` what the kernel passes that copy.
unsafe extern "C" fn msp_lazy_checked(
    state: *const LazyCopies,
    n: u32,
    env: *mut u64,
    fault: *mut FaultRecord,
) -> i32 {
    // SAFETY: see the function's contract.
    let state = unsafe { &*state };
    // The kernel may run on a thread with a small stack; LLVM's code generation wants
    // the room the JIT's own compiles have.
    let compiled = state
        .compiled
        .get_or_init(|| stacker::maybe_grow(1 << 20, crate::check::PASS_STACK, || state.compile()));
    match compiled
        .as_ref()
        .ok()
        .and_then(|c| c.entries.get(n as usize))
    {
        Some(&address) => {
            // SAFETY: the address is the copy's, compiled with this exact signature
            // (`codegen/lower/cold.rs`), and its code lives as long as `state`.
            let copy: CheckedCopy = unsafe { std::mem::transmute(address) };
            unsafe { copy(env, fault) }
        }
        None => {
            // SAFETY: `fault` is the kernel's fault record.
            unsafe { (*fault).site = COMPILE_FAILED_SITE };
            CHECKED_COPY_FAULTED as i32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compile_that_fails_is_a_fault_at_its_own_site_with_the_reason() {
        // Bitcode LLVM cannot read stands for any failure of the copies' compile: the
        // stub's call reports it as a fault (no panic across the C boundary, no call
        // of a missing copy), every time, and the state keeps the reason for the
        // error message (`JitModule::fault`).
        let state = LazyCopies {
            bitcode: b"not bitcode".to_vec(),
            names: vec!["k.checked0".into()],
            symbols: HashMap::new(),
            level: 0,
            compiled: OnceLock::new(),
        };
        for _ in 0..2 {
            let mut fault = FaultRecord::for_this_thread();
            // SAFETY: `state` is alive for the call and copy 0 is one of its copies;
            // the copy is never reached (its compile fails), so `env` is not read.
            let status = unsafe { msp_lazy_checked(&state, 0, std::ptr::null_mut(), &mut fault) };
            assert_eq!(status, CHECKED_COPY_FAULTED as i32);
            assert_eq!(fault.site, COMPILE_FAILED_SITE);
        }
        assert!(
            state.error().is_some_and(|e| !e.is_empty()),
            "{:?}",
            state.error()
        );
    }
}
