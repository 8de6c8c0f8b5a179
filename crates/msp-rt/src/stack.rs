//! The stack bound that recursive kernels test before they run (see
//! [`crate::FaultRecord::stack_low`]).

use std::cell::Cell;

/// Room kept free below the bound a kernel tests: for the fault path, the frames of
/// C functions a kernel calls (`@extern`), and the parts of a kernel's frame that are
/// not its local arrays.
pub const STACK_MARGIN: u64 = 64 * 1024;

thread_local! {
    static LOW: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The lowest address this thread's stack may reach with [`STACK_MARGIN`] to spare, or
/// 0 where the platform does not say (kernels then test nothing).
///
/// ```
/// let low = msp_rt::stack::stack_low();
/// let here = &low as *const u64 as u64;
/// assert!(low == 0 || low < here);
/// ```
#[inline]
pub fn stack_low() -> u64 {
    LOW.with(|c| match c.get() {
        Some(v) => v,
        None => init_stack_low(c),
    })
}

#[cold]
fn init_stack_low(c: &Cell<Option<u64>>) -> u64 {
    let v = thread_stack_bottom().map_or(0, |b| b.saturating_add(STACK_MARGIN));
    c.set(Some(v));
    v
}

#[cfg(target_os = "linux")]
fn thread_stack_bottom() -> Option<u64> {
    // SAFETY: `attr` is initialized by `pthread_getattr_np` before it is read and
    // destroyed once; the out-pointers point to locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let got = libc::pthread_attr_getstack(&attr, &mut addr, &mut size);
        let mut guard: libc::size_t = 0;
        let guarded = libc::pthread_attr_getguardsize(&attr, &mut guard);
        libc::pthread_attr_destroy(&mut attr);
        if got != 0 || addr.is_null() {
            return None;
        }
        // The guard page(s) sit at the low end of the reported range on Linux.
        let guard = if guarded == 0 { guard as u64 } else { 4096 };
        Some(addr as u64 + guard)
    }
}

#[cfg(not(target_os = "linux"))]
fn thread_stack_bottom() -> Option<u64> {
    None
}
