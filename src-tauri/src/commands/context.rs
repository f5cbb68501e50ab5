//! What a command runs against: the app's shared ledger connection, or — for the long ones —
//! a connection of its own on a blocking thread, so the window's other calls are not held up.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use recon_api::import_wizard::ImportProgress;
use recon_api::ApiError;
use recon_store::Store;

pub type Res<T> = Result<T, ApiError>;

/// The state Tauri manages for the app's lifetime. The import progress is the app's: a
/// long import reports to it from its own thread while `import_progress` polls it.
pub struct AppState {
    pub db_path: PathBuf,
    pub store: Mutex<Store>,
    pub import_progress: ImportProgress,
}

impl AppState {
    /// The shared connection, for the quick commands.
    pub fn store(&self) -> Res<MutexGuard<'_, Store>> {
        self.store.lock().map_err(|_| {
            ApiError::internal(
                "the ledger lock was poisoned by an earlier failure; restart Recon Desk",
            )
        })
    }

    /// What a long command takes onto its blocking thread.
    pub fn detached(&self) -> Detached {
        Detached {
            db_path: self.db_path.clone(),
            import_progress: self.import_progress.clone(),
        }
    }
}

/// A long command's view of the app: the ledger's path, to open its own connection.
pub struct Detached {
    pub db_path: PathBuf,
    pub import_progress: ImportProgress,
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
        .map_err(|e| ApiError::internal(format!("{command} task failed: {e}")))?
}

/// Who is acting, for the audit log.
pub fn actor() -> String {
    recon_api::current_actor()
}
