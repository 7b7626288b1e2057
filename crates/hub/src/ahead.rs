//! The merges of a group run ahead ([`sene_sync::Premerge`]): automerge's part of each merge
//! needs no store, so a second thread runs it while the writer stores the exchanges before;
//! when the writer catches up with it, the writer runs the next one itself instead of
//! waiting. On two processors a group then takes about half the sum of both parts, not
//! their sum.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, PoisonError};

use sene_sync::{Premerge, Premerged};

/// The queue of a group's merges to run ahead, by exchange (its index in the group), and
/// those run.
#[derive(Default)]
pub(crate) struct Ahead {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// Taken out, not started, in the order of the group.
    todo: VecDeque<(usize, Premerge)>,
    /// Run, not yet handed to the writer.
    done: Vec<(usize, Premerged)>,
    /// Being run by the second thread, for this exchange.
    running: Option<usize>,
    /// No more will be pushed: the second thread stops once `todo` is empty.
    closed: bool,
}

impl Ahead {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a merge of exchange `i` (pushed in the group's order).
    pub(crate) fn push(&self, i: usize, job: Premerge) {
        self.lock().todo.push_back((i, job));
        self.changed.notify_all();
    }

    /// No more merges will be pushed.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Drops the merges not started (the group stopped): their documents load again from
    /// the store when next needed.
    pub(crate) fn stop(&self) {
        let mut s = self.lock();
        s.todo.clear();
        s.closed = true;
        drop(s);
        self.changed.notify_all();
    }

    /// The second thread: runs the queued merges in order until the queue is closed and
    /// empty.
    pub(crate) fn run(&self) {
        loop {
            let mut s = self.lock();
            while s.todo.is_empty() && !s.closed {
                s = self.changed.wait(s).unwrap_or_else(PoisonError::into_inner);
            }
            let Some((i, job)) = s.todo.pop_front() else {
                return;
            };
            s.running = Some(i);
            drop(s);
            // a merge that panics is not handed over: the writer merges it as usual
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run()));
            let mut s = self.lock();
            s.running = None;
            if let Ok(done) = done {
                s.done.push((i, done));
            }
            drop(s);
            self.changed.notify_all();
        }
    }

    /// The `count` merges of exchange `i`, run: taken from those the second thread ran,
    /// run here when none has started, waited for when one is running.
    pub(crate) fn take(&self, i: usize, count: usize) -> Vec<Premerged> {
        let mut out = Vec::with_capacity(count);
        let mut s = self.lock();
        while out.len() < count {
            let mut k = 0;
            while k < s.done.len() {
                match s.done[k].0 {
                    j if j == i => out.push(s.done.swap_remove(k).1),
                    // an earlier exchange's, left over (it stopped early): dropped
                    j if j < i => drop(s.done.swap_remove(k)),
                    _ => k += 1,
                }
            }
            if out.len() >= count {
                break;
            }
            match s.todo.front().map(|(j, _)| *j) {
                Some(j) if j < i => drop(s.todo.pop_front()),
                Some(j) if j == i => {
                    if let Some((_, job)) = s.todo.pop_front() {
                        drop(s);
                        out.push(job.run());
                        s = self.lock();
                    }
                }
                _ if s.running.is_some_and(|j| j <= i) => {
                    s = self.changed.wait(s).unwrap_or_else(PoisonError::into_inner);
                }
                // nothing of this exchange is queued, running or run (the group stopped)
                _ => break,
            }
        }
        out
    }
}
