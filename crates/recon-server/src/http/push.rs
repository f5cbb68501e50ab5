//! `POST /api/v1/sync/push`: every event of one push is claimed and applied, in order, in
//! one transaction; each event id once per organization.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use recon_sync::{EventAnswer, EventResult, PushResponse, RawPushRequest, MAX_EVENTS_PER_PUSH};
use tokio_postgres::error::SqlState;
use tokio_postgres::Transaction;

use super::auth::Caller;
use super::errors::{ApiError, ApiJson};
use super::AppState;
use crate::apply::{self, Incoming};
use crate::prepared::Prepared;
use crate::{Db, ServerError};
use uuid::Uuid;

/// Attempts of one push when PostgreSQL reports a deadlock / serialization failure.
const PUSH_ATTEMPTS: u32 = 3;

pub(crate) async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<RawPushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if request.events.len() > MAX_EVENTS_PER_PUSH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_events",
            format!(
                "a push carries at most {MAX_EVENTS_PER_PUSH} events, this one has {}",
                request.events.len()
            ),
        ));
    }
    let events = request
        .events
        .into_iter()
        .map(|event| {
            let id = event.id;
            apply::decode(event).map_err(|why| ApiError::bad_request(why).with_event(id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // One push of an organization at a time in this process (the advisory lock below
    // covers several processes): concurrent pushes wait here, not holding a connection.
    let _turn = state.limits.push_turn(caller.org_id).await;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match push_once(&state.db, &caller, &events).await {
            Ok(outcome) => return outcome.map(Json),
            Err(failed) if attempt < PUSH_ATTEMPTS && failed.is_retryable() => {
                failed.log(&caller, "push attempt failed, retrying");
            }
            Err(failed) => {
                failed.log(&caller, "push failed");
                return Err(ApiError::internal());
            }
        }
    }
}

/// A database failure during a push, with the event being applied when it happened.
struct Failed {
    event: Option<Uuid>,
    err: ServerError,
}

impl Failed {
    fn is_retryable(&self) -> bool {
        let ServerError::Db(err) = &self.err else {
            return false;
        };
        matches!(
            err.code(),
            Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::T_R_SERIALIZATION_FAILURE
        )
    }

    /// Logs the cause: PostgreSQL's code and message, org, device and event.
    fn log(&self, caller: &Caller, what: &str) {
        let db = match &self.err {
            ServerError::Db(err) => err.as_db_error(),
            _ => None,
        };
        tracing::error!(
            org = %caller.org,
            device = caller.device_id,
            user = %caller.user,
            event = ?self.event,
            pg_code = db.map(|d| d.code().code()),
            pg_message = db.map(|d| d.message()),
            pg_detail = db.and_then(|d| d.detail()),
            error = %self.err,
            "{what}"
        );
    }
}

impl<E: Into<ServerError>> From<E> for Failed {
    fn from(err: E) -> Self {
        Failed {
            event: None,
            err: err.into(),
        }
    }
}

/// One attempt at applying a whole push in one transaction. The inner `Err` is a refusal
/// (409) after which nothing was committed; the outer `Err` a database failure.
async fn push_once(
    db: &Db,
    caller: &Caller,
    events: &[Incoming],
) -> Result<Result<PushResponse, ApiError>, Failed> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    // Serialises the organization's pushes across server processes: concurrent pushes of
    // overlapping events never deadlock on each other's rows.
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&PUSH_LOCK_CLASS, &org_lock_key(caller.org_id)],
    )
    .await?;
    let mut results = Vec::with_capacity(events.len());
    let prepared = Prepared::default();
    for incoming in events {
        let id = incoming.event.id;
        let at = |err: ServerError| Failed {
            event: Some(id),
            err,
        };
        let result = match claim(&tx, &prepared, caller, incoming).await.map_err(at)? {
            Claim::New => {
                let answer = apply::apply(&tx, &prepared, caller.org_id, &caller.user, incoming)
                    .await
                    .map_err(at)?;
                let stored = serde_json::to_value(&answer).map_err(|e| at(e.into()))?;
                let update = prepared
                    .get(
                        &tx,
                        "UPDATE sync_events SET answer = $3 WHERE org_id = $1 AND event_id = $2",
                    )
                    .await
                    .map_err(|e| at(e.into()))?;
                tx.execute(&update, &[&caller.org_id, &id, &stored])
                    .await
                    .map_err(|e| at(e.into()))?;
                if let Some(refusal) = &answer.refused {
                    log_refusal(caller, incoming, refusal);
                }
                crate::pull_log::record_accepted(
                    &tx,
                    &prepared,
                    caller.org_id,
                    &incoming.event,
                    &answer,
                )
                .await
                .map_err(at)?;
                EventResult {
                    id,
                    replayed: false,
                    answer,
                }
            }
            Claim::Replay(answer) => EventResult {
                id,
                replayed: true,
                answer,
            },
            Claim::OtherBody => {
                tx.rollback().await?;
                return Ok(Err(id_reused(id)));
            }
        };
        results.push(result);
    }
    tx.commit().await?;
    Ok(Ok(PushResponse { results }))
}

/// `pg_advisory_xact_lock(int, int)` class of the per-organization push lock ("rp").
const PUSH_LOCK_CLASS: i32 = 0x7270;

fn org_lock_key(org_id: i64) -> i32 {
    // Two organizations sharing a key only wait for each other; nothing else changes.
    (org_id % i64::from(i32::MAX)) as i32
}

/// Every refusal is logged with who pushed it and why (the laptop shows it too).
fn log_refusal(caller: &Caller, incoming: &Incoming, refusal: &recon_sync::Refusal) {
    tracing::warn!(
        org = %caller.org,
        device = caller.device_id,
        user = %caller.user,
        ledger = %incoming.event.device_id,
        device_seq = incoming.event.device_seq,
        event = %incoming.event.id,
        kind = %incoming.event.kind,
        code = ?refusal.code,
        reason = %refusal.reason,
        conflicts = refusal.conflicts.len(),
        "event refused"
    );
}

enum Claim {
    /// First time this organization sees the id: apply it.
    New,
    /// Seen before with the same body: its first answer.
    Replay(EventAnswer),
    /// Seen before with another body.
    OtherBody,
}

/// Claims the event id first: the primary key makes a concurrent push of the same id wait
/// for this transaction and then see the committed row (exactly-once).
async fn claim(
    tx: &Transaction<'_>,
    prepared: &Prepared,
    caller: &Caller,
    incoming: &Incoming,
) -> Result<Claim, ServerError> {
    let event = &incoming.event;
    let insert = prepared
        .get(
            tx,
            "INSERT INTO sync_events (org_id, event_id, kind, body_sha256, created_at, device_id,
                                      client_device_id, device_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (org_id, event_id) DO NOTHING",
        )
        .await?;
    let claimed = tx
        .execute(
            &insert,
            &[
                &caller.org_id,
                &event.id,
                &event.kind,
                &incoming.digest,
                &event.created_at,
                &caller.device_id,
                &event.device_id,
                &event.device_seq,
            ],
        )
        .await?;
    if claimed == 1 {
        return Ok(Claim::New);
    }
    let row = tx
        .query_one(
            "SELECT body_sha256, answer FROM sync_events WHERE org_id = $1 AND event_id = $2",
            &[&caller.org_id, &event.id],
        )
        .await?;
    let stored_digest: String = row.get(0);
    if stored_digest != incoming.digest {
        return Ok(Claim::OtherBody);
    }
    let answer: Option<serde_json::Value> = row.get(1);
    let answer = answer
        .ok_or_else(|| ServerError::Invalid(format!("stored event {} has no answer", event.id)))?;
    Ok(Claim::Replay(serde_json::from_value(answer)?))
}

fn id_reused(id: Uuid) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "event_id_reused",
        format!(
            "event {id} was already received with a different body; nothing of this push was applied"
        ),
    )
    .with_event(id)
}
