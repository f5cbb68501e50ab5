//! Sends the ledger's audit-chain head at each sync (see `recon_sync::audit`): asks the
//! server which head it kept, then posts the newest head with the hash the ledger now has
//! at the kept sequence. A refusal (the chain was cut or rewritten) stops the sync and is
//! recorded as its error.

use crate::SyncError;
use chrono::{DateTime, Utc};
use recon_store::Store;
use recon_sync::audit::{AuditHead, AuditHeadAt, AuditHeadPush, KnownAuditHead};
use recon_sync::{ErrorBody, AUDIT_HEAD_PATH};

/// What a non-success answer says, as a [`SyncError::Refused`].
pub(crate) fn refused(response: reqwest::blocking::Response) -> SyncError {
    let status = response.status();
    let body: Option<ErrorBody> = response.json().ok();
    let (code, message) = match body {
        Some(b) => (b.code, b.message),
        None => ("http_error".into(), status.to_string()),
    };
    SyncError::Refused {
        status: status.as_u16(),
        code,
        message,
    }
}

pub(crate) fn send_audit_head(
    store: &mut Store,
    http: &reqwest::blocking::Client,
    base: &str,
    token: &str,
    clock: &dyn Fn() -> DateTime<Utc>,
) -> Result<(), SyncError> {
    let outcome = exchange(store, http, base, token);
    if let Err(err) = &outcome {
        store.record_sync_error(clock(), &err.to_string(), None)?;
    }
    outcome
}

fn exchange(
    store: &Store,
    http: &reqwest::blocking::Client,
    base: &str,
    token: &str,
) -> Result<(), SyncError> {
    let device_id = store.device_id()?;
    let url = format!("{base}{AUDIT_HEAD_PATH}");
    let unreachable = |e: reqwest::Error| SyncError::Unreachable {
        url: base.to_string(),
        pending: store.outbox_pending_count().unwrap_or(0),
        detail: e.to_string(),
    };
    let response = http
        .get(format!("{url}?device_id={device_id}"))
        .bearer_auth(token)
        .send()
        .map_err(unreachable)?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(()); // a server from before audit heads: nothing to compare with
    }
    if !response.status().is_success() {
        return Err(refused(response));
    }
    let known: KnownAuditHead = response
        .json()
        .map_err(|e| SyncError::Protocol(format!("audit head answer is not valid: {e}")))?;
    let head = store.audit_head()?;
    let at_known = match known.known {
        Some(k) => Some(AuditHeadAt {
            seq: k.seq,
            hash: store.audit_hash_at(k.seq)?,
        }),
        None => None,
    };
    let push = AuditHeadPush {
        device_id: device_id.parse().map_err(|_| {
            SyncError::Protocol(format!(
                "this ledger's device id '{device_id}' is not a UUID"
            ))
        })?,
        head: AuditHead {
            seq: head.seq,
            hash: head.hash,
        },
        at_known,
    };
    let response = http
        .post(&url)
        .bearer_auth(token)
        .json(&push)
        .send()
        .map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(refused(response));
    }
    Ok(())
}
