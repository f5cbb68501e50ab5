//! `GET /api/v1/whoami` at each sync: the device token's user becomes this ledger's user
//! (`Store::set_token_user`), so what the laptop records and what the server checks name
//! the same person. A server from before whoami (404) leaves the local user as it was.

use crate::SyncError;
use chrono::{DateTime, Utc};
use recon_store::Store;
use recon_sync::{WhoAmI, WHOAMI_PATH};

/// Asks the server who the token is and keeps the answer; returns the user.
pub(crate) fn learn_token_user(
    store: &mut Store,
    http: &reqwest::blocking::Client,
    base: &str,
    token: &str,
    clock: &dyn Fn() -> DateTime<Utc>,
) -> Result<Option<String>, SyncError> {
    let outcome = ask(store, http, base, token);
    match outcome {
        Ok(Some(who)) => {
            store.set_token_user(clock(), &who.user)?;
            Ok(Some(who.user))
        }
        Ok(None) => Ok(None),
        Err(err) => {
            store.record_sync_error(clock(), &err.to_string(), None)?;
            Err(err)
        }
    }
}

fn ask(
    store: &Store,
    http: &reqwest::blocking::Client,
    base: &str,
    token: &str,
) -> Result<Option<WhoAmI>, SyncError> {
    let response = http
        .get(format!("{base}{WHOAMI_PATH}"))
        .bearer_auth(token)
        .send()
        .map_err(|e| SyncError::Unreachable {
            url: base.to_string(),
            pending: store.outbox_pending_count().unwrap_or(0),
            detail: e.to_string(),
        })?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !response.status().is_success() {
        return Err(crate::audit_head::refused(response));
    }
    response
        .json()
        .map(Some)
        .map_err(|e| SyncError::Protocol(format!("whoami answer is not valid: {e}")))
}
