//! The device side of sync: pushes the local outbox to `recon-server` in bounded batches,
//! marks what the server acknowledged, and records failures so the app can show them.
//! Offline is normal: an unreachable server is reported with the pending count, and the
//! events stay queued for the next try.

use chrono::{DateTime, Utc};
use recon_store::{OutboxEvent, Store, StoreError};
use recon_sync::{ErrorBody, PushRequest, PushResponse, MAX_EVENTS_PER_PUSH, PUSH_PATH};

mod audit_head;
mod transport;
mod whoami;

pub use transport::{check_server_url, ClientOptions, SERVER_CA_ENV};
mod pull;

pub use pull::{pull, pull_with, sync, sync_with, SyncReport, REFUSAL_ACTOR};

/// The keychain entry the device token lives in.
pub const KEYCHAIN_SERVICE: &str = "recon-desk";
pub const KEYCHAIN_USER: &str = "sync-token";
/// A push request stops adding events past this size (the server accepts up to 32 MiB).
pub const MAX_PUSH_BYTES: usize = 4 * 1024 * 1024;
pub const CONNECT_TIMEOUT_MS: u64 = 5_000;
pub const REQUEST_TIMEOUT_MS: u64 = 60_000;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("no sync server set: pass --server URL or set one in the app's Sync screen")]
    NoServer,
    #[error("no device token: set RECON_TOKEN or store one with `recon token set`")]
    NoToken,
    #[error("server unreachable ({url}), {pending} pending")]
    Unreachable {
        url: String,
        pending: i64,
        detail: String,
    },
    #[error("server refused the push ({status} {code}): {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    #[error("server answered something unexpected: {0}")]
    Protocol(String),
    #[error("keychain: {0}")]
    Keychain(String),
    /// A server URL the client will not send a token to (plain HTTP to another machine).
    #[error("{0}")]
    InsecureUrl(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::NoServer => "no_server",
            SyncError::NoToken => "no_token",
            SyncError::Unreachable { .. } => "server_unreachable",
            SyncError::Refused { status: 401, .. } => "unauthorized",
            SyncError::Refused { .. } => "sync_refused",
            SyncError::Protocol(_) => "sync_protocol",
            SyncError::Keychain(_) => "keychain",
            SyncError::InsecureUrl(_) => "invalid_input",
            SyncError::Store(e) => e.code(),
        }
    }
}

/// The device token: `RECON_TOKEN` if set, else the OS keychain.
pub fn resolve_token() -> Result<String, SyncError> {
    if let Ok(token) = std::env::var("RECON_TOKEN") {
        if !token.trim().is_empty() {
            return Ok(token.trim().to_string());
        }
    }
    match keychain_entry()?.get_password() {
        Ok(token) => Ok(token),
        // No Secret Service (a headless box) means no stored token, not a crash.
        Err(
            keyring::Error::NoEntry
            | keyring::Error::PlatformFailure(_)
            | keyring::Error::NoStorageAccess(_),
        ) => Err(SyncError::NoToken),
        Err(e) => Err(SyncError::Keychain(e.to_string())),
    }
}

/// Stores the device token in the OS keychain (never in the ledger).
pub fn store_token(token: &str) -> Result<(), SyncError> {
    keychain_entry()?
        .set_password(token.trim())
        .map_err(|e| SyncError::Keychain(e.to_string()))
}

fn keychain_entry() -> Result<keyring::Entry, SyncError> {
    keyring::Entry::new(KEYCHAIN_SERVICE, KEYCHAIN_USER)
        .map_err(|e| SyncError::Keychain(e.to_string()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// Events the server acknowledged in this run.
    pub pushed: i64,
    /// Of those, events the server had already applied (an earlier push whose answer was lost).
    pub replayed: i64,
    /// Of those, events the server stored without applying (a kind or currency it does
    /// not know yet). They are delivered all the same: marked sent, never pushed again.
    pub stored_not_applied: i64,
    pub pending: i64,
    /// Ids of the events the server refused for good in this run (recorded, undone where
    /// the ledger can, listed under Needs attention).
    pub refused: Vec<String>,
}

/// Pushes every pending outbox event, oldest first, until none is left or the server stops
/// us; connects with [`ClientOptions::from_env`] (plain HTTP only to a loopback address).
pub fn push(
    store: &mut Store,
    server_url: &str,
    token: &str,
    clock: &dyn Fn() -> DateTime<Utc>,
) -> Result<PushReport, SyncError> {
    push_with(store, server_url, token, clock, &ClientOptions::from_env()?)
}

/// [`push`] with explicit connection options.
pub fn push_with(
    store: &mut Store,
    server_url: &str,
    token: &str,
    clock: &dyn Fn() -> DateTime<Utc>,
    options: &ClientOptions,
) -> Result<PushReport, SyncError> {
    let base = server_url.trim().trim_end_matches('/');
    if base.is_empty() {
        return Err(SyncError::NoServer);
    }
    let http = transport::http_client(base, options)?;
    let mut report = PushReport {
        pushed: 0,
        replayed: 0,
        stored_not_applied: 0,
        pending: store.outbox_pending_count()?,
        refused: Vec::new(),
    };
    // Who the token is: from now on this ledger's user (issue 12).
    if let Some(user) = whoami::learn_token_user(store, &http, base, token, clock)? {
        // The server answered for this token: the next sync (and the app's background
        // sync) goes to it, as after the Sync screen's Save; a typo that never answered is
        // not kept. Saved here, before the audit head is sent, so the head the server
        // keeps covers it.
        if store.sync_status()?.server_url.as_deref() != Some(base) {
            store.set_server_url(&user, clock(), base)?;
        }
    }
    // First the chain's head: a ledger whose audit chain was cut or rewritten since the
    // last sync pushes nothing until someone looks.
    audit_head::send_audit_head(store, &http, base, token, clock)?;
    loop {
        let batch = next_batch(store)?;
        if batch.is_empty() {
            store.record_sync_success(clock())?;
            return Ok(report);
        }
        let answer = send_batch(store, &http, base, token, &batch, clock)?;
        let acknowledged = acknowledged_in_order(store, &batch, &answer, clock)?;
        let refused = pull::record_refusals(store, &batch, &answer, clock)?;
        report.refused.extend(refused);
        store.outbox_mark_sent(&acknowledged, clock())?;
        report.pushed += acknowledged.len() as i64;
        report.replayed += answer.results.iter().filter(|r| r.replayed).count() as i64;
        report.stored_not_applied += answer
            .results
            .iter()
            .filter(|r| !r.answer.applied && r.answer.refused.is_none())
            .count() as i64;
        report.pending = store.outbox_pending_count()?;
    }
}

/// Posts one batch; an unreachable server or a refusal is recorded on the ledger (the
/// refused event's own row too, when the server names it) and returned.
fn send_batch(
    store: &mut Store,
    http: &reqwest::blocking::Client,
    base: &str,
    token: &str,
    batch: &[OutboxEvent],
    clock: &dyn Fn() -> DateTime<Utc>,
) -> Result<PushResponse, SyncError> {
    let request = PushRequest {
        events: batch.iter().map(|e| e.event.clone()).collect(),
    };
    let url = format!("{base}{PUSH_PATH}");
    let response = match http.post(&url).bearer_auth(token).json(&request).send() {
        Ok(r) => r,
        Err(e) => {
            let pending = store.outbox_pending_count()?;
            let err = SyncError::Unreachable {
                url: base.to_string(),
                pending,
                detail: e.to_string(),
            };
            store.record_sync_error(clock(), &err.to_string(), None)?;
            return Err(err);
        }
    };
    let status = response.status();
    if !status.is_success() {
        let body: Option<ErrorBody> = response.json().ok();
        let (code, message, event_id) = match body {
            Some(b) => (b.code, b.message, b.event_id),
            None => ("http_error".into(), status.to_string(), None),
        };
        let seq = event_id.and_then(|id| batch.iter().find(|e| e.event.id == id).map(|e| e.seq));
        let err = SyncError::Refused {
            status: status.as_u16(),
            code,
            message,
        };
        store.record_sync_error(clock(), &err.to_string(), seq)?;
        return Err(err);
    }
    response
        .json()
        .map_err(|e| SyncError::Protocol(format!("push answer is not valid: {e}")))
}

/// The outbox rows the server answered, one result per event in request order. Every
/// answer counts, applied or only stored: the event is delivered either way.
fn acknowledged_in_order(
    store: &mut Store,
    batch: &[OutboxEvent],
    answer: &PushResponse,
    clock: &dyn Fn() -> DateTime<Utc>,
) -> Result<Vec<i64>, SyncError> {
    let acknowledged: Vec<i64> = batch
        .iter()
        .zip(&answer.results)
        .filter(|(sent, result)| sent.event.id == result.id)
        .map(|(sent, _)| sent.seq)
        .collect();
    if acknowledged.len() != batch.len() || answer.results.len() != batch.len() {
        let err = SyncError::Protocol(format!(
            "sent {} events, the server acknowledged {} in order",
            batch.len(),
            acknowledged.len()
        ));
        store.record_sync_error(clock(), &err.to_string(), None)?;
        return Err(err);
    }
    Ok(acknowledged)
}

/// The oldest pending events that fit one request's count and size limits (at least one).
fn next_batch(store: &Store) -> Result<Vec<OutboxEvent>, SyncError> {
    let mut events = store.outbox_pending(MAX_EVENTS_PER_PUSH as u32)?;
    let mut bytes = 0;
    let mut keep = 0;
    for event in &events {
        let size = serde_json::to_vec(&event.event)
            .map(|v| v.len())
            .unwrap_or(0);
        if keep > 0 && bytes + size > MAX_PUSH_BYTES {
            break;
        }
        bytes += size;
        keep += 1;
    }
    events.truncate(keep);
    Ok(events)
}
