//! The desktop app's operations, one function per Tauri command, so the shell in
//! `src-tauri/` stays a few lines per command and everything here is testable without a window.
//! The `recon` CLI calls the same functions and prints the same DTOs with `--json`.
//!
//! Inputs and outputs are the DTOs of the `dto_*` modules, each beside its domain;
//! `cargo test -p recon-api` regenerates `ui/src/bindings/*.ts` from them. Amounts are
//! decimal strings, never JS numbers; ids are plain numbers in TS (EVE ids stay far below
//! 2^53). Every error is an [`ApiError`] `{code, message}`.

pub mod dto_esi;
pub mod dto_imports;
pub mod dto_journal;
pub mod dto_matching;
pub mod dto_sync;
pub mod dto_wallets;
pub mod error;
pub mod esi_import;
pub mod import_wizard;
pub mod imports;
pub mod journal;
pub mod matching;
pub mod sync;
pub mod wallets;

pub use dto_esi::*;
pub use dto_imports::*;
pub use dto_journal::*;
pub use dto_matching::*;
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

pub fn open_store(path: &Path) -> ApiResult<Store> {
    Ok(Store::open(path)?)
}

/// Who is acting: `RECON_USER`, else the OS login name.
pub fn current_actor() -> String {
    ["RECON_USER", "USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger_with_wallet() -> (tempfile::TempDir, Store) {
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

    #[test]
    fn background_sync_backs_off_and_stays_idle_without_work() {
        let minutes: Vec<u64> = (0..7).map(|f| auto_sync_delay_ms(f) / 60_000).collect();
        assert_eq!(minutes, vec![1, 2, 4, 8, 15, 15, 15]);
        assert_eq!(auto_sync_delay_ms(u32::MAX), AUTO_SYNC_MAX_BACKOFF_MS);

        let (dir, mut store) = ledger_with_wallet();
        let path = store.path().to_path_buf();
        let journal = dir.path().join("j.json");
        std::fs::write(
            &journal,
            r#"[{"id":1,"date":"2026-01-01T00:00:00Z","ref_type":"x","description":"d","amount":1}]"#,
        )
        .unwrap();
        // Pending work but no server: nothing to do, nothing recorded as an error.
        import_esi_journal(
            &mut store,
            "alice",
            ImportRequestDto {
                wallet: "Main".into(),
                paths: vec![journal.display().to_string()],
            },
        )
        .unwrap();
        assert_eq!(auto_sync_once(&path, "alice"), AutoSync::Idle);
        assert_eq!(sync_status(&store).unwrap().last_error, None);

        // A server that is not there: the attempt fails, is recorded, and the event waits.
        sync_set_server(&mut store, "alice", "http://127.0.0.1:9".into()).unwrap();
        match auto_sync_once(&path, "alice") {
            AutoSync::Failed(e) => assert!(
                ["server_unreachable", "no_token"].contains(&e.code.as_str()),
                "{e:?}"
            ),
            other => panic!("expected a failure, got {other:?}"),
        }
        let status = sync_status(&store).unwrap();
        assert_eq!(status.pending, 1);
        assert!(status.last_error.is_some());
    }

    #[test]
    fn import_errors_reach_the_ui_as_code_and_message_naming_the_file() {
        let (dir, mut store) = ledger_with_wallet();
        let bad = dir.path().join("page1.json");
        std::fs::write(
            &bad,
            r#"[{"id": 5, "date": "2026-01-01T00:00:00Z", "ref_type": "x"}]"#,
        )
        .unwrap();
        let err = import_esi_journal(
            &mut store,
            "alice",
            ImportRequestDto {
                wallet: "Main".into(),
                paths: vec![bad.display().to_string()],
            },
        )
        .unwrap_err();
        assert_eq!(err.code, "bad_file");
        assert_eq!(
            err.message,
            "page1.json: entry 0 (id 5): field 'description' is missing"
        );
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "bad_file", "message": err.message})
        );

        let missing = import_esi_journal(
            &mut store,
            "alice",
            ImportRequestDto {
                wallet: "Main".into(),
                paths: vec!["/nonexistent/x.json".into()],
            },
        )
        .unwrap_err();
        assert_eq!(missing.code, "io");
        assert!(missing.message.contains("/nonexistent/x.json"));
    }

    #[test]
    fn ui_pages_are_capped_and_amounts_are_strings() {
        let (dir, mut store) = ledger_with_wallet();
        let entries: Vec<String> = (1..=1200)
            .map(|i| format!(r#"{{"id":{i},"date":"2026-01-01T00:00:00Z","ref_type":"x","description":"d","amount":0.1}}"#))
            .collect();
        let path = dir.path().join("big.json");
        std::fs::write(&path, format!("[{}]", entries.join(","))).unwrap();
        import_esi_journal(
            &mut store,
            "alice",
            ImportRequestDto {
                wallet: "Main".into(),
                paths: vec![path.display().to_string()],
            },
        )
        .unwrap();
        let page = journal_query(
            &store,
            JournalQueryDto {
                limit: 5000,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(page.total, 1200);
        assert_eq!(page.rows.len() as i64, MAX_UI_PAGE_ROWS);
        let json = serde_json::to_value(&page.rows[0]).unwrap();
        assert_eq!(json["amount"], serde_json::json!("0.10"));
    }
}
