//! The desktop app's operations, one function per Tauri command, so the shell in
//! `src-tauri/` stays a few lines per command and everything here is testable without a window.
//! Inputs and outputs are the DTOs of [`dto`]; every error is an [`ApiError`] `{code, message}`.

pub mod dto;
pub mod dto_imports;
pub mod dto_matching;
pub mod import_wizard;
pub mod imports;
pub mod matching;

pub use dto::*;
pub use dto_imports::*;
pub use dto_matching::*;

use chrono::Utc;
use recon_store::{JournalQuery, NewWallet, SourceFile, Store, StoreError};
use std::path::{Path, PathBuf};

/// Largest journal file read into memory (ESI pages are a few hundred kilobytes).
pub const MAX_IMPORT_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// Most rows one journal page sent to the UI may hold.
pub const MAX_UI_PAGE_ROWS: i64 = 1_000;

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<recon_client::SyncError> for ApiError {
    fn from(e: recon_client::SyncError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// `RECON_DB` if set, else the platform default (`recon-desk/ledger.sqlite` in the data dir).
pub fn default_db_path() -> PathBuf {
    recon_store::resolve_db_path(None)
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

pub fn currency_list(store: &Store) -> ApiResult<Vec<CurrencyDto>> {
    Ok(store
        .currencies()?
        .into_iter()
        .map(|c| CurrencyDto {
            code: c.code,
            scale: c.scale,
            name: c.name,
        })
        .collect())
}

fn wallet_dto(w: recon_store::Wallet) -> WalletDto {
    WalletDto {
        id: w.id,
        name: w.name,
        kind: w.kind.as_str().to_string(),
        owner_id: w.owner_id,
        division: w.division,
        currency: w.currency,
        receiving: w.receiving,
        entry_count: w.entry_count,
    }
}

pub fn wallet_list(store: &Store) -> ApiResult<Vec<WalletDto>> {
    Ok(store.wallets()?.into_iter().map(wallet_dto).collect())
}

pub fn wallet_add(store: &mut Store, actor: &str, input: NewWalletDto) -> ApiResult<WalletDto> {
    let wallet = store.add_wallet(
        actor,
        Utc::now(),
        NewWallet {
            name: input.name,
            kind: input.kind,
            owner_id: input.owner_id,
            division: input.division,
            currency: input.currency,
            receiving: input.receiving,
        },
    )?;
    Ok(wallet_dto(wallet))
}

pub fn journal_query(store: &Store, q: JournalQueryDto) -> ApiResult<JournalPageDto> {
    let blank_is_none = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let page = store.journal(&JournalQuery {
        wallet: blank_is_none(q.wallet),
        ref_type: blank_is_none(q.ref_type),
        search: blank_is_none(q.search),
        batch: blank_is_none(q.batch),
        newest_first: q.newest_first,
        offset: q.offset,
        limit: q.limit.min(MAX_UI_PAGE_ROWS),
    })?;
    Ok(JournalPageDto {
        total: page.total,
        rows: page
            .rows
            .into_iter()
            .map(|r| JournalRowDto {
                id: r.esi_id,
                key: r.key,
                counterparty: r.counterparty,
                wallet: r.wallet,
                date: r.date,
                ref_type: r.ref_type,
                amount: r.amount,
                balance: r.balance,
                currency: r.currency,
                description: r.description,
                reason: r.reason,
                first_party_id: r.first_party_id,
                second_party_id: r.second_party_id,
            })
            .collect(),
    })
}

pub fn journal_ref_types(store: &Store) -> ApiResult<Vec<String>> {
    Ok(store.ref_types()?)
}

/// Reads source files with their size bounded, naming the file in every error.
pub fn read_source_files(paths: &[PathBuf]) -> ApiResult<Vec<SourceFile>> {
    if paths.is_empty() {
        return Err(ApiError::new(
            "invalid_input",
            "choose at least one file to import",
        ));
    }
    paths
        .iter()
        .map(|path| {
            let fail = |e: std::io::Error| ApiError::new("io", format!("{}: {e}", path.display()));
            let meta = std::fs::metadata(path).map_err(fail)?;
            if !meta.is_file() {
                return Err(ApiError::new(
                    "io",
                    format!("{}: not a file", path.display()),
                ));
            }
            if meta.len() > MAX_IMPORT_FILE_BYTES {
                return Err(ApiError::new(
                    "bad_file",
                    format!(
                        "{}: {} bytes is larger than the {} bytes a journal file may have",
                        path.display(),
                        meta.len(),
                        MAX_IMPORT_FILE_BYTES
                    ),
                ));
            }
            Ok(SourceFile {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string()),
                bytes: std::fs::read(path).map_err(fail)?,
            })
        })
        .collect()
}

pub fn import_esi_journal(
    store: &mut Store,
    actor: &str,
    req: ImportRequestDto,
) -> ApiResult<ImportSummaryDto> {
    let paths: Vec<PathBuf> = req.paths.iter().map(|p| PathBuf::from(p.trim())).collect();
    let files = read_source_files(&paths)?;
    let s = store.import_esi_journal(actor, Utc::now(), &req.wallet, &files)?;
    Ok(ImportSummaryDto {
        batch_id: s.batch_id,
        wallet: s.wallet,
        read: s.read,
        inserted: s.inserted,
        duplicates: s.duplicates,
        rejected: s.rejected,
        files: s
            .files
            .into_iter()
            .map(|f| ImportFileDto {
                file_name: f.file_name,
                sha256: f.sha256,
                read: f.read,
                inserted: f.inserted,
                duplicates: f.duplicates,
            })
            .collect(),
    })
}

pub fn sync_status(store: &Store) -> ApiResult<SyncStatusDto> {
    let s = store.sync_status()?;
    Ok(SyncStatusDto {
        server_url: s.server_url,
        pending: s.pending,
        last_success_at: s.last_success_at,
        last_error: s.last_error,
        last_error_at: s.last_error_at,
    })
}

pub fn sync_set_server(store: &mut Store, actor: &str, url: String) -> ApiResult<SyncStatusDto> {
    store.set_server_url(actor, Utc::now(), &url)?;
    sync_status(store)
}

/// Pushes the outbox to the saved server. Opens its own connection so the caller need not
/// hold the app's store while the network is slow.
pub fn sync_now(db_path: &Path, _actor: &str) -> ApiResult<SyncReportDto> {
    let mut store = Store::open(db_path)?;
    let server = store
        .sync_status()?
        .server_url
        .ok_or(recon_client::SyncError::NoServer)?;
    let outcome = recon_client::resolve_token()
        .and_then(|token| recon_client::push(&mut store, &server, &token, &Utc::now));
    match outcome {
        Ok(report) => Ok(SyncReportDto {
            pushed: report.pushed,
            status: sync_status(&store)?,
        }),
        Err(e) => {
            if matches!(e, recon_client::SyncError::NoToken) {
                store.record_sync_error(Utc::now(), &e.to_string(), None)?;
            }
            Err(e.into())
        }
    }
}

/// Background sync: the wait before the first attempt and between successful ones.
pub const AUTO_SYNC_INTERVAL_MS: u64 = 60_000;
/// Longest wait between attempts while the server stays unreachable.
pub const AUTO_SYNC_MAX_BACKOFF_MS: u64 = 15 * 60_000;

/// Exponential backoff: 1, 2, 4, 8 minutes, then 15 minutes while failures continue.
pub fn auto_sync_delay_ms(consecutive_failures: u32) -> u64 {
    AUTO_SYNC_INTERVAL_MS
        .saturating_mul(1u64 << consecutive_failures.min(16))
        .min(AUTO_SYNC_MAX_BACKOFF_MS)
}

#[derive(Debug, Clone, PartialEq)]
pub enum AutoSync {
    /// No server set, or nothing pending: the network was not touched.
    Idle,
    Pushed(i64),
    Failed(ApiError),
}

/// One background attempt: pushes only when a server is set and events are pending.
pub fn auto_sync_once(db_path: &Path, actor: &str) -> AutoSync {
    let status = match Store::open(db_path)
        .map_err(ApiError::from)
        .and_then(|s| sync_status(&s))
    {
        Ok(status) => status,
        Err(e) => return AutoSync::Failed(e),
    };
    if status.server_url.is_none() || status.pending == 0 {
        return AutoSync::Idle;
    }
    match sync_now(db_path, actor) {
        Ok(report) => AutoSync::Pushed(report.pushed),
        Err(e) => AutoSync::Failed(e),
    }
}

/// Syncs in the background for as long as the process lives, backing off while offline.
/// Failures are recorded in the ledger's sync status, which the app shows; they never
/// interrupt the user.
pub fn run_auto_sync(db_path: PathBuf, actor: String) {
    let mut failures = 0;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(auto_sync_delay_ms(
            failures,
        )));
        failures = match auto_sync_once(&db_path, &actor) {
            AutoSync::Failed(_) => failures.saturating_add(1),
            AutoSync::Idle | AutoSync::Pushed(_) => 0,
        };
    }
}

/// Keeps the device token in the OS keychain (never in the ledger).
pub fn sync_set_token(token: String) -> ApiResult<()> {
    if token.trim().is_empty() {
        return Err(ApiError::new("invalid_input", "the device token is empty"));
    }
    Ok(recon_client::store_token(&token)?)
}

pub fn audit_verify(store: &Store) -> ApiResult<AuditVerifyDto> {
    let report = store.audit_verify()?;
    let message = match &report.first_break {
        None => format!("audit chain OK: {} records", report.records),
        Some((id, why)) => format!("audit chain BROKEN at record {id}: {why}"),
    };
    Ok(AuditVerifyDto {
        ok: report.ok(),
        records: report.records as i64,
        first_broken_id: report.first_break.map(|b| b.0),
        message,
    })
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
