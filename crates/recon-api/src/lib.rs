//! The desktop app's operations, one function per Tauri command, so the shell in
//! `src-tauri/` stays a few lines per command and everything here is testable without a window.
//! The `recon` CLI calls the same functions and prints the same DTOs with `--json`.
//!
//! Inputs and outputs are the DTOs of the `dto_*` modules, each beside its domain;
//! `cargo test -p recon-api` regenerates `ui/src/bindings/*.ts` from them. Amounts are
//! decimal strings, never JS numbers; ids are plain numbers in TS (EVE ids stay far below
//! 2^53). Every error is an [`ApiError`] `{code, message}`.

pub mod audit_trail;
pub mod checks;
mod checks_export;
pub mod csv_export;
pub mod dto_audit_trail;
pub mod dto_checks;
pub mod dto_esi;
pub mod dto_imports;
pub mod dto_journal;
pub mod dto_ledger;
pub mod dto_matching;
pub mod dto_payouts;
pub mod dto_sync;
pub mod dto_wallets;
pub mod error;
pub mod esi_import;
pub mod export;
pub mod import_wizard;
pub mod imports;
pub mod journal;
pub mod journal_export;
pub mod ledger;
pub mod matching;
pub mod payouts;
pub mod review_export;
mod row_check;
pub mod sync;
pub mod wallets;

pub use audit_trail::*;
pub use checks::*;
pub use dto_audit_trail::*;
pub use dto_checks::*;
pub use dto_esi::*;
pub use dto_imports::*;
pub use dto_journal::*;
pub use dto_ledger::*;
pub use dto_matching::*;
pub use dto_payouts::*;
pub use dto_sync::*;
pub use dto_wallets::*;
pub use error::{ApiError, ApiResult, ErrorCode};
pub use esi_import::*;
pub use journal::*;
pub use sync::*;
pub use wallets::*;

/// How a bank import treats bad rows and rows of removed batches.
pub use recon_store::BankImportOptions;
/// The ledger handle every operation takes; callers open it with [`open_store`] and never
/// call it directly.
pub use recon_store::Store;

use std::path::{Path, PathBuf};

/// `RECON_DB` if set, else the platform default (`recon-desk/ledger.sqlite` in the data dir).
pub fn default_db_path() -> PathBuf {
    recon_store::resolve_db_path(None)
}

/// The ledger the user meant: `--db PATH`, else `RECON_DB`, else the platform default.
pub fn resolve_db_path(flag: Option<&Path>) -> PathBuf {
    recon_store::resolve_db_path(flag)
}

/// An amount typed in a form or on the command line: `250,000,000` reads as `250000000`.
pub(crate) fn amount_input(text: &str) -> String {
    recon_core::money::ungroup_typed_amount(text)
}

pub fn open_store(path: &Path) -> ApiResult<Store> {
    let store = Store::open(path)?;
    remember_token_user(&store);
    Ok(store)
}

/// The device token's user of the ledger this process opened, once a sync learned it
/// (issue 12): it is who acts, whatever `RECON_USER` says, so the laptop records actions
/// under the name the server authenticates.
static TOKEN_USER: std::sync::RwLock<Option<String>> = std::sync::RwLock::new(None);

/// Reads `store`'s token user into [`current_actor`] (called on open and after a sync).
pub fn remember_token_user(store: &Store) {
    if let Ok(Some(user)) = store.token_user() {
        if let Ok(mut held) = TOKEN_USER.write() {
            *held = Some(user);
        }
    }
}

/// Who is acting: the device token's user once a sync learned it, else `RECON_USER`,
/// else the OS login name.
pub fn current_actor() -> String {
    if let Some(user) = TOKEN_USER.read().ok().and_then(|u| u.clone()) {
        return user;
    }
    ["RECON_USER", "USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// A fresh ledger with one receiving ISK wallet, `Main`, for the modules' tests.
#[cfg(test)]
pub(crate) fn ledger_with_wallet() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_store(&dir.path().join("l.sqlite")).unwrap();
    let wallet = NewWalletDto {
        name: "Main".into(),
        kind: "character".into(),
        owner_id: Some(1),
        division: None,
        currency: "ISK".into(),
        receiving: true,
    };
    wallet_add(&mut store, "alice", wallet).unwrap();
    (dir, store)
}
