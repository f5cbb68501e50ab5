//! Sync with the central server (status, server URL, device token, push and pull, refusals,
//! background sync)
//! and the audit chain check.

use crate::{
    ApiError, ApiResult, AuditHeadDto, AuditVerifyDto, ConflictDto, ErrorCode, NeedsAttentionDto,
    RefusedChangeDto, RemoteEventDto, SyncCountsDto, SyncReportDto, SyncStatusDto,
};
use chrono::Utc;
use recon_client::{SyncError, SyncReport};
use recon_store::{RefusedChange, Store};
use std::path::{Path, PathBuf};

pub fn sync_status(store: &Store) -> ApiResult<SyncStatusDto> {
    let s = store.sync_status()?;
    let waiting = store.remote_events_waiting()?;
    let held = waiting.iter().filter(|w| w.state == "held").count() as i64;
    Ok(SyncStatusDto {
        server_url: s.server_url,
        pending: s.pending,
        last_success_at: s.last_success_at,
        last_error: s.last_error,
        last_error_at: s.last_error_at,
        ledger_warning: store.exposure_warning().map(str::to_owned),
        needs_attention: store.sync_refusals()?.len() as i64,
        held,
        not_applied: waiting.len() as i64 - held,
        last_counts: store.last_sync_counts()?.map(|c| SyncCountsDto {
            pushed: c.pushed,
            pulled: c.pulled,
            refused: c.refused,
            at: c.at,
        }),
    })
}

pub fn sync_set_server(store: &mut Store, actor: &str, url: String) -> ApiResult<SyncStatusDto> {
    store.set_server_url(actor, Utc::now(), &url)?;
    sync_status(store)
}

/// Pushes the outbox to `server` (else the saved one) with the device token, then pulls
/// colleagues' events; refusals in the answers are recorded and undone where possible.
pub fn sync_push(store: &mut Store, server: Option<String>) -> ApiResult<SyncReportDto> {
    sync_push_with(store, server, false)
}

/// [`sync_push`]; `allow_insecure_http` lets plain `http://` reach a host that is not a
/// loopback address (`recon sync --allow-insecure-http`).
pub fn sync_push_with(
    store: &mut Store,
    server: Option<String>,
    allow_insecure_http: bool,
) -> ApiResult<SyncReportDto> {
    sync_as_with(store, &crate::current_actor(), server, allow_insecure_http)
}

/// [`sync_push`] with the acting user named (the app's).
pub fn sync_as(store: &mut Store, actor: &str, server: Option<String>) -> ApiResult<SyncReportDto> {
    sync_as_with(store, actor, server, false)
}

fn sync_as_with(
    store: &mut Store,
    actor: &str,
    server: Option<String>,
    allow_insecure_http: bool,
) -> ApiResult<SyncReportDto> {
    let report = run_sync(store, actor, server, allow_insecure_http);
    // The sync learned who the token is, even when it failed later on.
    crate::remember_token_user(store);
    let report = report?;
    Ok(SyncReportDto {
        pushed: report.push.pushed,
        replayed: report.push.replayed,
        pulled: report.pull.applied as i64,
        held: report.pull.held as i64,
        not_applied: report.pull.not_applied as i64,
        refused: report.refused.into_iter().map(refused_dto).collect(),
        status: sync_status(store)?,
    })
}

fn run_sync(
    store: &mut Store,
    actor: &str,
    server: Option<String>,
    allow_insecure_http: bool,
) -> Result<SyncReport, SyncError> {
    let server = match server {
        Some(s) => s,
        None => store.sync_status()?.server_url.ok_or(SyncError::NoServer)?,
    };
    let options =
        recon_client::ClientOptions::from_env()?.allowing_insecure_http(allow_insecure_http);
    // Checked before the token is looked up: a refused URL never sees it.
    recon_client::check_server_url(&server, &options)?;
    let token = recon_client::resolve_token()?;
    recon_client::sync_with(store, &server, &token, actor, &Utc::now, &options)
}

fn refused_dto(r: RefusedChange) -> RefusedChangeDto {
    RefusedChangeDto {
        event_id: r.event_id,
        kind: r.kind,
        code: r.code,
        reason: r.reason,
        conflicts: r
            .conflicts
            .into_iter()
            .map(|c| ConflictDto {
                field: c.field,
                server: c.server,
                event: c.event,
            })
            .collect(),
        undone: r.undone,
        refused_at: r.refused_at,
    }
}

/// The Needs attention list: refused local changes (newest first) and colleagues'
/// events not applied here.
pub fn sync_needs_attention(store: &Store) -> ApiResult<NeedsAttentionDto> {
    Ok(NeedsAttentionDto {
        refused: store
            .sync_refusals()?
            .into_iter()
            .map(refused_dto)
            .collect(),
        waiting: store
            .remote_events_waiting()?
            .into_iter()
            .map(|w| RemoteEventDto {
                event_id: w.event_id,
                kind: w.kind,
                pushed_by: w.pushed_by,
                state: w.state,
                note: w.note,
            })
            .collect(),
    })
}

/// Pushes the outbox to the saved server. Opens its own connection so the caller need not
/// hold the app's store while the network is slow. A missing token or a refused server URL
/// is recorded as the last sync error too, so the app's Sync screen says why nothing is sent.
pub fn sync_now(db_path: &Path, actor: &str) -> ApiResult<SyncReportDto> {
    let mut store = Store::open(db_path)?;
    match sync_as(&mut store, actor, None) {
        // A refused plain-HTTP URL too: background sync shows why nothing is sent.
        Err(e) if matches!(e.code, ErrorCode::NoToken | ErrorCode::InvalidInput) => {
            store.record_sync_error(Utc::now(), &e.message, None)?;
            Err(e)
        }
        outcome => outcome,
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
    /// No server set: the network was not touched.
    Idle,
    /// Events pushed and colleagues' events pulled.
    Synced {
        pushed: i64,
        pulled: i64,
    },
    Failed(ApiError),
}

/// One background attempt, when a server is set: pushes what is pending and pulls what
/// colleagues did (so it runs with nothing pending too).
pub fn auto_sync_once(db_path: &Path, actor: &str) -> AutoSync {
    let status = match Store::open(db_path)
        .map_err(ApiError::from)
        .and_then(|s| sync_status(&s))
    {
        Ok(status) => status,
        Err(e) => return AutoSync::Failed(e),
    };
    if status.server_url.is_none() {
        return AutoSync::Idle;
    }
    match sync_now(db_path, actor) {
        Ok(report) => AutoSync::Synced {
            pushed: report.pushed,
            pulled: report.pulled,
        },
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
            AutoSync::Idle | AutoSync::Synced { .. } => 0,
        };
    }
}

/// Keeps the device token in the OS keychain (never in the ledger).
pub fn sync_set_token(token: String) -> ApiResult<()> {
    if token.trim().is_empty() {
        return Err(ApiError::invalid("the device token is empty"));
    }
    Ok(recon_client::store_token(&token)?)
}

pub fn audit_verify(store: &Store) -> ApiResult<AuditVerifyDto> {
    let report = store.audit_verify()?;
    let message = match &report.first_break {
        None if report.not_attested > 0 => format!(
            "audit chain OK: {} records, content of {} checked against the ledger; {} written before content digests are not checked",
            report.records, report.content_checked, report.not_attested
        ),
        None => format!(
            "audit chain OK: {} records, content of {} checked against the ledger",
            report.records, report.content_checked
        ),
        Some(b) => match b.record {
            Some(id) => format!("audit chain BROKEN at record {id}: {}", b.reason),
            None => format!("audit chain BROKEN: {}", b.reason),
        },
    };
    Ok(AuditVerifyDto {
        ok: report.ok(),
        records: report.records as i64,
        first_broken_id: report.first_break.and_then(|b| b.record),
        message,
    })
}

/// The audit chain's head: the newest record's id and hash.
pub fn audit_head(store: &Store) -> ApiResult<AuditHeadDto> {
    let head = store.audit_head()?;
    Ok(AuditHeadDto {
        seq: head.seq,
        hash: head.hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{import_esi_journal, ledger_with_wallet, ImportRequestDto};

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

        // Plain HTTP to another machine: refused before the token is looked up, and shown.
        sync_set_server(&mut store, "alice", "http://sync.example.invalid".into()).unwrap();
        let err = sync_now(&path, "alice").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput, "{err:?}");
        let status = sync_status(&store).unwrap();
        assert!(
            status
                .last_error
                .unwrap_or_default()
                .contains("refusing plain HTTP"),
            "recorded for the Sync screen"
        );
        assert_eq!(status.pending, 1);
    }
}
