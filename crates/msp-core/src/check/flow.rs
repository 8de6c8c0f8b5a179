//! Reachability over the typed IR: can a kernel reach the end of its body?
//!
//! A kernel with a return type must return on every path; falling off the end would
//! return a zero nobody wrote. The analysis is conservative in the one safe direction:
//! a path counts as reachable unless the statements prove it is not (`return`, `goto`,
//! `break`/`continue`, an `if` whose branches all end, a `while` with a constant true
//! condition and no `break` of its own). A condition is not evaluated otherwise, so
//! `while x < 3:` and `for` loops may always fall through, as Python's own checkers
//! assume.
//!
//! `label`/`goto` make the flow a graph: a label is reachable when a reachable `goto`
//! names it (or the code before it falls into it). A walk marks labels as it meets
//! reachable `goto`s and is repeated until no label changes (a backward `goto` can make
//! a label reachable after the walk has passed it); each repetition marks at least one
//! more label, so there are at most as many walks as labels, plus one.

use super::hir::{TExpr, TExprKind, TStmt};

/// Whether control can reach the end of `body`, a kernel's whole body with `labels`
/// labels.
pub fn end_reachable(body: &[TStmt], labels: usize) -> bool {
    let mut walk = Walk {
        labels: vec![false; labels],
        changed: false,
        loops: Vec::new(),
    };
    loop {
        walk.changed = false;
        let end = walk.block(body, true);
        if !walk.changed {
            return end;
        }
    }
}

struct Walk {
    /// Per label: a reachable `goto` names it.
    labels: Vec<bool>,
    /// A label was marked during this walk.
    changed: bool,
    /// The enclosing loops, innermost last.
    loops: Vec<LoopExits>,
}

#[derive(Default)]
struct LoopExits {
    /// A reachable `break` leaves this loop.
    broken: bool,
    /// A reachable `continue` goes back to its condition.
    continued: bool,
}

impl Walk {
    /// Whether the end of `stmts` is reachable, when its start is (`reachable`).
    fn block(&mut self, stmts: &[TStmt], reachable: bool) -> bool {
        // Blocks nest as deep as the source, which the parser bounds, but generated
        // kernels can still nest deeply: grow the stack rather than overflow it.
        stacker::maybe_grow(super::RED_ZONE, super::STACK_GROWTH, || {
            stmts.iter().fold(reachable, |r, s| self.stmt(s, r))
        })
    }

    /// Whether control leaves `s` at its end, when it reaches its start (`r`).
    /// Every statement kind is listed: a new one must say how control leaves it.
    fn stmt(&mut self, s: &TStmt, r: bool) -> bool {
        match s {
            TStmt::Assign { .. }
            | TStmt::Store { .. }
            | TStmt::StoreUpdate { .. }
            | TStmt::Expr(_) => r,
            TStmt::Return(_) => false,
            TStmt::Goto(id) => {
                if r && !self.labels[id.0 as usize] {
                    self.labels[id.0 as usize] = true;
                    self.changed = true;
                }
                false
            }
            TStmt::Label(id) => r || self.labels[id.0 as usize],
            TStmt::Break => {
                if r && let Some(l) = self.loops.last_mut() {
                    l.broken = true;
                }
                false
            }
            TStmt::Continue => {
                if r && let Some(l) = self.loops.last_mut() {
                    l.continued = true;
                }
                false
            }
            TStmt::If { then, orelse, .. } => {
                let then = self.block(then, r);
                let orelse = self.block(orelse, r);
                then || orelse
            }
            TStmt::While {
                cond, body, orelse, ..
            } => {
                let (end, exits) = self.loop_body(body, r);
                // The condition is tested on entry, after the body and after `continue`;
                // a constant true one never lets control into `else` or past the loop.
                let tested = r || end || exits.continued;
                let falls = tested && !always_true(cond);
                self.block(orelse, falls) || exits.broken
            }
            TStmt::ForRange { body, orelse, .. } => {
                let (end, exits) = self.loop_body(body, r);
                let tested = r || end || exits.continued;
                self.block(orelse, tested) || exits.broken
            }
            // May run no iteration; its body cannot leave the loop (`check::races`).
            TStmt::ParFor(p) => {
                self.loop_body(&p.body, r);
                r
            }
        }
    }

    fn loop_body(&mut self, body: &[TStmt], r: bool) -> (bool, LoopExits) {
        self.loops.push(LoopExits::default());
        let end = self.block(body, r);
        let exits = self.loops.pop().unwrap_or_default();
        (end, exits)
    }
}

/// A condition that is a nonzero constant (`while True:`, `while 1:`, a stage-0 flag).
fn always_true(cond: &TExpr) -> bool {
    match &cond.kind {
        TExprKind::Bool(b) => *b,
        TExprKind::Truthy(x) => match x.kind {
            TExprKind::Int(v) => v != 0,
            TExprKind::Float(f) => f != 0.0,
            TExprKind::Bool(b) => b,
            _ => false,
        },
        _ => false,
    }
}
