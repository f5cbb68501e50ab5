//! What a command runs against: the app's shared ledger connection, or — for the long ones —
//! a connection of its own on a blocking thread, so the window's other calls are not held up.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use recon_api::ApiError;
use recon_store::Store;

pub type Res<T> = Result<T, ApiError>;

/// The state Tauri manages for the app's lifetime.
// When the import progress becomes app-owned (instead of `recon_api`'s process-global), it
// lives here and is handed on in `Detached`; `imports::import_progress`/`import_run` read it.
pub struct AppState {
    pub db_path: PathBuf,
    pub store: Mutex<Store>,
}

impl AppState {
    /// The shared connection, for the quick commands.
    pub fn store(&self) -> Res<MutexGuard<'_, Store>> {
        self.store.lock().map_err(|_| {
            ApiError::new(
                "internal",
                "the ledger lock was poisoned by an earlier failure; restart Recon Desk",
            )
        })
    }

    /// What a long command takes onto its blocking thread.
    pub fn detached(&self) -> Detached {
        Detached {
            db_path: self.db_path.clone(),
        }
    }
}

/// A long command's view of the app: the ledger's path, to open its own connection.
pub struct Detached {
    pub db_path: PathBuf,
}

impl Detached {
    /// A connection of this command's own (the shared one stays free meanwhile).
    pub fn open(&self) -> Res<Store> {
        recon_api::open_store(&self.db_path)
    }
}

/// Runs a long command on a blocking thread; a panic there reaches the UI as an `internal`
/// error naming the command instead of tearing down the IPC call.
pub async fn blocking<T: Send + 'static>(
    command: &'static str,
    run: impl FnOnce() -> Res<T> + Send + 'static,
) -> Res<T> {
    tauri::async_runtime::spawn_blocking(run)
        .await
        .map_err(|e| ApiError::new("internal", format!("{command} task failed: {e}")))?
}

/// Who is acting, for the audit log.
pub fn actor() -> String {
    recon_api::current_actor()
}
