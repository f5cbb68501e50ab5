//! The fault simulation's way to kill a laptop mid-change (`recon-sim`, cargo feature
//! `sim`; the app and the CLI are built without it). From a chosen point every SQLite
//! statement on this connection is interrupted, as if the process had died there: the
//! open write transaction never commits, and the simulation drops the `Store` and opens
//! the file again, as a restarted app would.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::Store;

/// SQLite VM instructions between two looks at the countdown.
const STEP_OPS: i32 = 8;

impl Store {
    /// Dies after `steps` × 8 VM instructions from now; the flag says whether it did.
    pub fn sim_crash_after(&self, steps: u32) -> Arc<AtomicBool> {
        let died = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&died);
        let mut left = steps;
        let handler = move || {
            if left == 0 {
                flag.store(true, Ordering::SeqCst);
                return true;
            }
            left -= 1;
            false
        };
        // Registering a handler only fails on a connection owned elsewhere, never here.
        let _ = self.conn.progress_handler(STEP_OPS, Some(handler));
        died
    }

    /// Removes the hook of [`Store::sim_crash_after`] (the change finished first).
    pub fn sim_crash_clear(&self) {
        let _ = self.conn.progress_handler(0, None::<fn() -> bool>);
    }
}
