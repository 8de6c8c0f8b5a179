//! Prints a character matrix through libc's `putchar`; `cargo run --example putchar_matrix`.
use msp::Compiler;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let module =
        Compiler::new().jit_source("putchar_matrix.py", include_str!("putchar_matrix.py"))?;
    let show = module.kernel::<(&[[i32; 3]; 3],), ()>("show")?;
    show.call((&[[72, 105, 32], [116, 104, 101], [114, 101, 33]],))?;
    unsafe extern "C" {
        fn fflush(stream: *mut std::ffi::c_void) -> i32;
    }
    // SAFETY: flushes C's stdout so putchar's output appears before ours.
    unsafe { fflush(std::ptr::null_mut()) };
    eprintln!("compile: {}", module.report().times);
    Ok(())
}
