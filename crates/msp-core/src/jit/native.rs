//! The JIT's code generation and loading, over `native.cpp` (LLVM's C API builds the
//! code generation pass pipeline anew for every module, which took more than half of a
//! small kernel's machine-code time): [`with_jit_backend`] runs a closure with this
//! thread's cached target machine and [`ObjectEmitter`], whose pipeline is built once
//! and reused; [`LoadedObject`] is an object file linked into executable memory.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char, c_void};
use std::ptr::NonNull;

use inkwell::llvm_sys::prelude::LLVMModuleRef;
use inkwell::llvm_sys::target_machine::LLVMTargetMachineRef;
use inkwell::module::Module;
use inkwell::targets::{CodeModel, TargetMachine};

use crate::codegen::{self, CodegenError};

#[repr(C)]
struct MspCodegen {
    _opaque: [u8; 0],
}

#[repr(C)]
struct MspObject {
    _opaque: [u8; 0],
}

type Lookup = unsafe extern "C" fn(*mut c_void, *const c_char) -> u64;

unsafe extern "C" {
    fn msp_codegen_new(tm: LLVMTargetMachineRef) -> *mut MspCodegen;
    fn msp_codegen_run(
        cg: *mut MspCodegen,
        module: LLVMModuleRef,
        data: *mut *const c_char,
        len: *mut usize,
    );
    fn msp_codegen_free(cg: *mut MspCodegen);
    fn msp_basic_regalloc_begin() -> *mut c_void;
    fn msp_basic_regalloc_end(state: *mut c_void);
    fn msp_object_load(
        data: *const c_char,
        len: usize,
        lookup: Lookup,
        ctx: *mut c_void,
        error: *mut *mut c_char,
    ) -> *mut MspObject;
    fn msp_object_symbol(obj: *mut MspObject, name: *const c_char) -> u64;
    fn msp_object_free(obj: *mut MspObject);
    fn free(p: *mut c_void);
}

/// A code generation pipeline that writes object files for one target machine.
pub struct ObjectEmitter {
    raw: NonNull<MspCodegen>,
}

impl ObjectEmitter {
    /// # Safety
    /// `tm` must outlive the emitter.
    unsafe fn new(tm: &TargetMachine) -> Result<ObjectEmitter, CodegenError> {
        // SAFETY: `tm` is a live target machine; the caller keeps it alive.
        let raw = unsafe { msp_codegen_new(tm.as_mut_ptr()) };
        NonNull::new(raw)
            .map(|raw| ObjectEmitter { raw })
            .ok_or_else(|| CodegenError::new("LLVM cannot emit object code for this host"))
    }

    /// Lowers `module` to machine code (consuming its IR: code generation rewrites it)
    /// and hands the object file to `f`.
    pub fn emit<R>(&mut self, module: &Module<'_>, f: impl FnOnce(&[u8]) -> R) -> R {
        let (mut data, mut len) = (std::ptr::null::<c_char>(), 0usize);
        // SAFETY: the module is live and belongs to no execution engine; the object
        // bytes stay valid until the next run, after `f` returns.
        unsafe {
            msp_codegen_run(self.raw.as_ptr(), module.as_mut_ptr(), &mut data, &mut len);
            f(std::slice::from_raw_parts(data.cast::<u8>(), len))
        }
    }
}

impl Drop for ObjectEmitter {
    fn drop(&mut self) {
        // SAFETY: created by `msp_codegen_new`, freed once.
        unsafe { msp_codegen_free(self.raw.as_ptr()) }
    }
}

/// A target machine configured as MCJIT configures its own (the large code model, so
/// code and data can be anywhere in the address space) and its object emitter.
pub struct JitBackend {
    // Field order is drop order: the emitter refers to the target machine.
    emitter: ObjectEmitter,
    tm: Box<TargetMachine>,
}

impl JitBackend {
    fn new(level: u8) -> Result<JitBackend, CodegenError> {
        let tm =
            codegen::host_target_machine_with(codegen::opt_level(level), CodeModel::JITDefault)?;
        let tm = Box::new(tm);
        // SAFETY: the box keeps the target machine at one address for the emitter's life,
        // and `JitBackend` drops the emitter first.
        let emitter = with_pipeline_build(level == 0, || unsafe { ObjectEmitter::new(&tm) })?;
        Ok(JitBackend { emitter, tm })
    }

    pub fn target_machine(&self) -> &TargetMachine {
        &self.tm
    }

    pub fn emitter(&mut self) -> &mut ObjectEmitter {
        &mut self.emitter
    }
}

/// Runs `f`, which builds LLVM code generation pipelines, under the lock every such
/// build in this process takes; with `basic_regalloc`, the level-0 pipelines it builds
/// allocate registers with LLVM's basic allocator (`msp_basic_regalloc_begin` in
/// `native.cpp`), the fast tier's. LLVM reads that choice from process-wide options
/// when a pipeline is built, so no other build may run meanwhile.
pub(crate) fn with_pipeline_build<R>(basic_regalloc: bool, f: impl FnOnce() -> R) -> R {
    static PIPELINE_BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A panic under the lock leaves the options as they were before (the guard below
    // puts them back), so a poisoned lock is still good.
    let _lock = PIPELINE_BUILD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    struct Restore(*mut c_void);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: the state `msp_basic_regalloc_begin` returned (or null), ended once.
            unsafe { msp_basic_regalloc_end(self.0) }
        }
    }
    let _restore = basic_regalloc.then(|| {
        // SAFETY: under the lock, so no pipeline is being built while the options change.
        Restore(unsafe { msp_basic_regalloc_begin() })
    });
    f()
}

/// Runs `f` with this thread's JIT backend for `level` (0..=3), built on first use.
/// Reentrant: a nested call builds a fresh one.
pub fn with_jit_backend<R>(
    level: u8,
    f: impl FnOnce(&mut JitBackend) -> R,
) -> Result<R, CodegenError> {
    thread_local! {
        static BACKENDS: RefCell<[Option<JitBackend>; 4]> = const { RefCell::new([None, None, None, None]) };
    }
    let level = usize::from(level.min(3));
    let mut backend = match BACKENDS.with(|c| c.borrow_mut()[level].take()) {
        Some(b) => b,
        None => JitBackend::new(level as u8)?,
    };
    let result = f(&mut backend);
    BACKENDS.with(|c| c.borrow_mut()[level] = Some(backend));
    Ok(result)
}

/// An object file linked into executable memory; dropping it frees the code.
pub struct LoadedObject {
    raw: NonNull<MspObject>,
}

// SAFETY: after loading, the object is only read (symbol lookups) and freed; the memory
// manager and linker it owns hold no thread-affine state.
unsafe impl Send for LoadedObject {}
unsafe impl Sync for LoadedObject {}

impl LoadedObject {
    /// Links `object`, resolving undefined symbols in `symbols` first and then in the
    /// process (libc, libm, anything loaded).
    pub fn load(
        object: &[u8],
        symbols: &HashMap<String, usize>,
    ) -> Result<LoadedObject, CodegenError> {
        unsafe extern "C" fn lookup(ctx: *mut c_void, name: *const c_char) -> u64 {
            // SAFETY: `ctx` is the `symbols` map borrowed for the call to
            // `msp_object_load`; `name` is a NUL-terminated symbol name.
            let (symbols, name) = unsafe {
                (
                    &*(ctx as *const HashMap<String, usize>),
                    CStr::from_ptr(name),
                )
            };
            name.to_str()
                .ok()
                .and_then(|n| symbols.get(n))
                .map_or(0, |&a| a as u64)
        }
        // Calls LLVM emits on its own (`memset`, `fmod`, ...) resolve in the process.
        super::load_process_symbols();
        let mut error: *mut c_char = std::ptr::null_mut();
        // SAFETY: `object` and `symbols` outlive the call; LLVM copies the object.
        let raw = unsafe {
            msp_object_load(
                object.as_ptr().cast(),
                object.len(),
                lookup,
                symbols as *const HashMap<String, usize> as *mut c_void,
                &mut error,
            )
        };
        match NonNull::new(raw) {
            Some(raw) => {
                let loaded = LoadedObject { raw };
                if std::env::var_os("MSP_PERF_MAP").is_some() {
                    loaded.append_perf_map(object);
                }
                Ok(loaded)
            }
            None => {
                let message = if error.is_null() {
                    "cannot load the machine code".to_string()
                } else {
                    // SAFETY: a malloc'ed NUL-terminated message, ours to free.
                    unsafe {
                        let m = CStr::from_ptr(error).to_string_lossy().into_owned();
                        free(error.cast());
                        m
                    }
                };
                Err(CodegenError::new(message))
            }
        }
    }

    /// `perf`'s map lines (`start size name`, hexadecimal) for the functions the
    /// object defines, at the addresses they were loaded at.
    pub fn perf_map_lines(&self, object: &[u8]) -> Vec<String> {
        use object::{Object, ObjectSymbol, SymbolKind};
        let Ok(file) = object::File::parse(object) else {
            return Vec::new();
        };
        file.symbols()
            .filter(|s| s.kind() == SymbolKind::Text && s.is_definition() && s.size() > 0)
            .filter_map(|s| {
                let name = s.name().ok()?;
                let addr = self.symbol(name)?;
                Some(format!("{addr:x} {:x} {name}", s.size()))
            })
            .collect()
    }

    /// With `MSP_PERF_MAP` set, `perf record` can name JIT-compiled kernels: their
    /// ranges go to `/tmp/perf-<pid>.map`, the file perf reads for code it cannot
    /// find in a binary. The object goes beside it, `/tmp/perf-<pid>-<address>.o`
    /// (the address its first symbol was loaded at), for `objdump -d` to show the
    /// instructions behind the samples' addresses. Best effort: a failure to write is
    /// ignored.
    fn append_perf_map(&self, object: &[u8]) {
        use std::io::Write;
        let lines = self.perf_map_lines(object);
        let path = format!("/tmp/perf-{}.map", std::process::id());
        if let Some(first) = lines.first() {
            // The object too, named by where its first symbol was loaded, so that
            // `objdump -d` of it lines up with the addresses perf samples.
            let at = first.split(' ').next().unwrap_or("0");
            let _ = std::fs::write(format!("/tmp/perf-{}-{at}.o", std::process::id()), object);
        }
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            for line in lines {
                let _ = writeln!(f, "{line}");
            }
        }
    }

    /// The address of a symbol the object defines.
    pub fn symbol(&self, name: &str) -> Option<usize> {
        let name = CString::new(name).ok()?;
        // SAFETY: the object is live; the name is NUL-terminated.
        let addr = unsafe { msp_object_symbol(self.raw.as_ptr(), name.as_ptr()) };
        (addr != 0).then_some(addr as usize)
    }
}

impl Drop for LoadedObject {
    fn drop(&mut self) {
        // SAFETY: created by `msp_object_load`, freed once.
        unsafe { msp_object_free(self.raw.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use inkwell::context::Context;

    use super::{LoadedObject, with_jit_backend};

    /// A module whose `f` returns `g()` for an undefined `g`, as object code.
    fn object_calling(g: &str) -> Vec<u8> {
        with_jit_backend(3, |backend| {
            let ctx = Context::create();
            let module = ctx.create_module("t");
            let tm = backend.target_machine();
            module.set_triple(&tm.get_triple());
            module.set_data_layout(&tm.get_target_data().get_data_layout());
            let i32t = ctx.i32_type();
            let g = module.add_function(g, i32t.fn_type(&[], false), None);
            let f = module.add_function("f", i32t.fn_type(&[], false), None);
            let b = ctx.create_builder();
            b.position_at_end(ctx.append_basic_block(f, "entry"));
            let r = b.build_call(g, &[], "r").expect("call");
            let inkwell::values::ValueKind::Basic(r) = r.try_as_basic_value() else {
                panic!("g returns a value")
            };
            b.build_return(Some(&r)).expect("ret");
            backend.emitter().emit(&module, |obj| obj.to_vec())
        })
        .expect("backend")
    }

    #[test]
    fn symbols_resolve_in_the_table_then_the_process() {
        extern "C" fn seven() -> i32 {
            7
        }
        let obj = object_calling("msp_test_seven");
        let table = HashMap::from([(
            "msp_test_seven".to_string(),
            seven as extern "C" fn() -> i32 as usize,
        )]);
        let code = LoadedObject::load(&obj, &table).expect("links");
        let f = code.symbol("f").expect("f is defined");
        // SAFETY: `f` was compiled as `i32 f()` for this host.
        let f: extern "C" fn() -> i32 = unsafe { std::mem::transmute(f) };
        assert_eq!(f(), 7);
        assert!(code.symbol("no_such_symbol").is_none());
        // perf's map names `f` at the address it was loaded at, with its size.
        let map = code.perf_map_lines(&obj);
        let line = map
            .iter()
            .find(|l| l.ends_with(" f"))
            .expect("f in the perf map");
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(usize::from_str_radix(fields[0], 16).ok(), code.symbol("f"));
        assert!(
            usize::from_str_radix(fields[1], 16).is_ok_and(|n| n > 0),
            "{line}"
        );
        assert!(
            !map.iter().any(|l| l.ends_with("msp_test_seven")),
            "{map:?}"
        );
        // `getpid` comes from the process (libc).
        let obj = object_calling("getpid");
        let code = LoadedObject::load(&obj, &HashMap::new()).expect("links");
        let f = code.symbol("f").expect("f is defined");
        // SAFETY: as above.
        let f: extern "C" fn() -> i32 = unsafe { std::mem::transmute(f) };
        assert_eq!(f(), std::process::id() as i32);
    }

    #[test]
    fn bad_objects_and_missing_symbols_are_errors_not_aborts() {
        let err = LoadedObject::load(b"not an object file", &HashMap::new())
            .err()
            .expect("garbage is refused");
        assert!(
            err.to_string().contains("cannot read the object file"),
            "{err}"
        );
        let obj = object_calling("msp_test_no_such_function");
        let err = LoadedObject::load(&obj, &HashMap::new())
            .err()
            .expect("an unresolved symbol is refused");
        assert!(
            err.to_string().contains("msp_test_no_such_function"),
            "{err}"
        );
    }
}
