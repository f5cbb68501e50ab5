//! The other half of sync: colleagues' events pulled page by page from the cursor and
//! applied to the ledger (each page and its cursor one transaction, see
//! `Store::apply_pulled_page`), and the server's refusals of this ledger's events
//! recorded and undone (`Store::record_refusal`).

use crate::{push_with, ClientOptions, SyncError};
use chrono::{DateTime, Utc};
use recon_store::{OutboxEvent, PullOutcome, RefusedChange, Store, SyncCounts};
use recon_sync::pull::{PullPage, DEFAULT_PULL_LIMIT, PULL_PATH};
use recon_sync::{ErrorBody, PushResponse};

/// The audit actor of a compensating change made because the server refused an event.
pub const REFUSAL_ACTOR: &str = "sync";

/// What one sync did: the push, the pull, and the refusals it brought.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncReport {
    pub push: crate::PushReport,
    pub pull: PullOutcome,
    /// The local changes the server refused in this sync.
    pub refused: Vec<RefusedChange>,
}

/// Pushes the outbox, then pulls colleagues' events; keeps the counts for the app.
pub fn sync(
    store: &mut Store,
    server_url: &str,
    token: &str,
    actor: &str,
    clock: &dyn Fn() -> DateTime<Utc>,
) -> Result<SyncReport, SyncError> {
    sync_with(
        store,
        server_url,
        token,
        actor,
        clock,
        &ClientOptions::from_env()?,
    )
}

/// [`sync`] with explicit connection options (plain HTTP only to loopback unless allowed).
pub fn sync_with(
    store: &mut Store,
    server_url: &str,
    token: &str,
    actor: &str,
    clock: &dyn Fn() -> DateTime<Utc>,
    options: &ClientOptions,
) -> Result<SyncReport, SyncError> {
    let pushed = push_with(store, server_url, token, clock, options)?;
    let pulled = pull_with(store, server_url, token, actor, clock, options)?;
    let refused: Vec<RefusedChange> = store
        .sync_refusals()?
        .into_iter()
        .filter(|r| pushed.refused.contains(&r.event_id))
        .collect();
    let counts = SyncCounts {
        pushed: pushed.pushed,
        pulled: pulled.applied as i64,
        refused: refused.len() as i64,
        at: None,
    };
    store.record_sync_counts(clock(), &counts)?;
    Ok(SyncReport {
        push: pushed,
        pull: pulled,
        refused,
    })
}

/// Records every refusal in a push's answer (and undoes it where the ledger can); the
/// refused events' ids. The events are delivered all the same and marked sent.
pub(crate) fn record_refusals(
    store: &mut Store,
    batch: &[OutboxEvent],
    answer: &PushResponse,
    clock: &dyn Fn() -> DateTime<Utc>,
) -> Result<Vec<String>, SyncError> {
    let mut refused = Vec::new();
    for (sent, result) in batch.iter().zip(&answer.results) {
        if let Some(refusal) = &result.answer.refused {
            store.record_refusal(REFUSAL_ACTOR, clock(), &sent.event, refusal)?;
            refused.push(sent.event.id.to_string());
        }
    }
    Ok(refused)
}

/// Pulls and applies every page after the ledger's cursor (held events retried first),
/// recorded under the device token's user (`actor` only while the server has not named it).
pub fn pull(
    store: &mut Store,
    server_url: &str,
    token: &str,
    actor: &str,
    clock: &dyn Fn() -> DateTime<Utc>,
) -> Result<PullOutcome, SyncError> {
    pull_with(
        store,
        server_url,
        token,
        actor,
        clock,
        &ClientOptions::from_env()?,
    )
}

/// [`pull`] with explicit connection options.
pub fn pull_with(
    store: &mut Store,
    server_url: &str,
    token: &str,
    actor: &str,
    clock: &dyn Fn() -> DateTime<Utc>,
    options: &ClientOptions,
) -> Result<PullOutcome, SyncError> {
    let base = server_url.trim().trim_end_matches('/');
    if base.is_empty() {
        return Err(SyncError::NoServer);
    }
    let http = crate::transport::http_client(base, options)?;
    // Once the laptop has a device token its user is the token's user (issue 12): the
    // pulled work is recorded under that name, not the login the caller started as. A
    // pull without a push before it asks the server first.
    if store.token_user()?.is_none() {
        crate::whoami::learn_token_user(store, &http, base, token, clock)?;
    }
    let actor = store.token_user()?.unwrap_or_else(|| actor.to_owned());
    let actor = actor.as_str();
    let mut total = store.apply_pulled_page(actor, clock(), None)?;
    loop {
        let cursor = store.sync_cursor()?;
        let page = fetch_page(store, &http, base, token, cursor.as_deref(), clock)?;
        let outcome = store.apply_pulled_page(actor, clock(), Some(&page))?;
        add(&mut total, &outcome);
        // A page that says "more" but does not move the cursor would loop forever.
        if !page.more || cursor.as_deref() == Some(page.next_cursor.as_str()) {
            return Ok(total);
        }
    }
}

fn add(total: &mut PullOutcome, page: &PullOutcome) {
    total.applied += page.applied;
    total.held = page.held;
    total.not_applied += page.not_applied;
    total.already_had += page.already_had;
    total.own += page.own;
}

fn fetch_page(
    store: &mut Store,
    http: &reqwest::blocking::Client,
    base: &str,
    token: &str,
    cursor: Option<&str>,
    clock: &dyn Fn() -> DateTime<Utc>,
) -> Result<PullPage, SyncError> {
    let mut query = vec![("limit", DEFAULT_PULL_LIMIT.to_string())];
    if let Some(cursor) = cursor {
        query.push(("after", cursor.to_owned()));
    }
    let url = format!("{base}{PULL_PATH}");
    let response = match http.get(&url).bearer_auth(token).query(&query).send() {
        Ok(r) => r,
        Err(e) => {
            let err = SyncError::Unreachable {
                url: base.to_string(),
                pending: store.outbox_pending_count()?,
                detail: e.to_string(),
            };
            store.record_sync_error(clock(), &err.to_string(), None)?;
            return Err(err);
        }
    };
    let status = response.status();
    if !status.is_success() {
        let body: Option<ErrorBody> = response.json().ok();
        let (code, message) = match body {
            Some(b) => (b.code, b.message),
            None => ("http_error".into(), status.to_string()),
        };
        let err = SyncError::Refused {
            status: status.as_u16(),
            code,
            message,
        };
        store.record_sync_error(clock(), &err.to_string(), None)?;
        return Err(err);
    }
    response
        .json()
        .map_err(|e| SyncError::Protocol(format!("pull answer is not valid: {e}")))
}
