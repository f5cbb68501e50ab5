//! Progress of the running import: bytes read (all its files) against their total. The
//! caller owns it (the app keeps one in its managed state and polls it from the UI; the
//! CLI makes its own), so two ledgers or two tests never share one.

use crate::ProgressDto;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug, Default)]
struct Counters {
    done: AtomicU64,
    total: AtomicU64,
    running: AtomicBool,
}

/// A handle on one import's progress; clones share it (one for the importing thread, one
/// for whoever polls).
#[derive(Debug, Clone, Default)]
pub struct ImportProgress(Arc<Counters>);

impl ImportProgress {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn snapshot(&self) -> ProgressDto {
        ProgressDto {
            running: self.0.running.load(Ordering::Relaxed),
            done_bytes: self.0.done.load(Ordering::Relaxed),
            total_bytes: self.0.total.load(Ordering::Relaxed),
        }
    }

    /// Starts an import of `total_bytes`; it counts as running until the guard drops.
    pub(crate) fn start(&self, total_bytes: u64) -> Running<'_> {
        self.0.done.store(0, Ordering::Relaxed);
        self.0.total.store(total_bytes, Ordering::Relaxed);
        self.0.running.store(true, Ordering::Relaxed);
        Running(&self.0)
    }
}

/// The progress of the app's one import at a time, as the UI polls it.
pub fn import_progress(progress: &ImportProgress) -> ProgressDto {
    progress.snapshot()
}

/// Marks the import finished however it ends (error or panic included).
pub(crate) struct Running<'a>(&'a Counters);

impl Running<'_> {
    /// The counter the importer adds the bytes it has read to.
    pub(crate) fn done_bytes(&self) -> &AtomicU64 {
        &self.0.done
    }

    /// Shows the bar full: every byte was read.
    pub(crate) fn finish(&self) {
        let total = self.0.total.load(Ordering::Relaxed);
        self.0.done.store(total, Ordering::Relaxed);
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_progress_and_a_dropped_run_stops_running() {
        let app = ImportProgress::new();
        let worker = app.clone();
        let run = worker.start(100);
        run.done_bytes().fetch_add(40, Ordering::Relaxed);
        let seen = app.snapshot();
        assert!(seen.running);
        assert_eq!((seen.done_bytes, seen.total_bytes), (40, 100));
        run.finish();
        drop(run);
        let seen = app.snapshot();
        assert!(!seen.running);
        assert_eq!(seen.done_bytes, 100);
        assert!(!ImportProgress::new().snapshot().running);
    }
}
