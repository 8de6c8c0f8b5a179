//! Approximate accounting of the memory held by stage-0 values, and drop without
//! recursion.
//!
//! Containers charge the bytes they hold to a per-thread counter when they grow and
//! release them when they shrink or die, so the interpreter can compare "bytes held now"
//! against [`Limits::max_memory`](super::Limits::max_memory). The interpreter is
//! single-threaded, so a thread-local counter needs no locking.
//!
//! Dropping a deeply nested value (`x = [x]` a million times) would recurse once per
//! level in Rust's drop glue and overflow the stack; containers instead hand their
//! children to [`drop_later`], which drops them from a loop.

use std::cell::{Cell, RefCell};

use super::value::Value;

thread_local! {
    static HELD: Cell<usize> = const { Cell::new(0) };
    static DROP_QUEUE: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
    static DROPPING: Cell<bool> = const { Cell::new(false) };
}

/// Records `bytes` more held by stage-0 values.
pub fn charge(bytes: usize) {
    HELD.with(|h| h.set(h.get().saturating_add(bytes)));
}

/// Records `bytes` fewer held by stage-0 values.
pub fn release(bytes: usize) {
    HELD.with(|h| h.set(h.get().saturating_sub(bytes)));
}

/// Bytes currently charged on this thread.
pub fn held() -> usize {
    HELD.with(Cell::get)
}

/// A charge that follows a container's size: call [`Charge::set`] after each change.
#[derive(Debug, Default)]
pub struct Charge(Cell<usize>);

impl Charge {
    pub fn new(bytes: usize) -> Charge {
        charge(bytes);
        Charge(Cell::new(bytes))
    }

    pub fn set(&self, bytes: usize) {
        let old = self.0.replace(bytes);
        if bytes > old {
            charge(bytes - old);
        } else {
            release(old - bytes);
        }
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        release(self.0.get());
    }
}

/// Drops `values` without recursing: nested containers dropped meanwhile push their own
/// children onto the same queue instead of dropping them in place.
pub fn drop_later(values: Vec<Value>) {
    if values.is_empty() {
        return;
    }
    if DROPPING.with(Cell::get) {
        DROP_QUEUE.with(|q| q.borrow_mut().extend(values));
        return;
    }
    DROPPING.with(|d| d.set(true));
    let mut pending = values;
    loop {
        while let Some(v) = pending.pop() {
            drop(v);
        }
        let more = DROP_QUEUE.with(|q| std::mem::take(&mut *q.borrow_mut()));
        if more.is_empty() {
            break;
        }
        pending = more;
    }
    DROPPING.with(|d| d.set(false));
}
