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
use crate::{Db, ServerError};

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
    let mut attempt = 0;
    loop {
        attempt += 1;
        match push_once(&state.db, &caller, &events).await {
            Ok(outcome) => return outcome.map(Json),
            Err(ServerError::Db(err)) if attempt < PUSH_ATTEMPTS && is_retryable(&err) => {
                eprintln!("recon-server: push attempt {attempt} failed, retrying: {err}");
            }
            Err(err) => return Err(err.into()),
        }
    }
}

fn is_retryable(err: &tokio_postgres::Error) -> bool {
    matches!(
        err.code(),
        Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
    )
}

/// One attempt at applying a whole push in one transaction. The inner `Err` is a refusal
/// (409) after which nothing was committed; the outer `Err` a database failure.
async fn push_once(
    db: &Db,
    caller: &Caller,
    events: &[Incoming],
) -> Result<Result<PushResponse, ApiError>, ServerError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    let mut results = Vec::with_capacity(events.len());
    for incoming in events {
        let id = incoming.event.id;
        let result = match claim(&tx, caller, incoming).await? {
            Claim::New => {
                let answer = apply::apply(&tx, caller.org_id, incoming).await?;
                tx.execute(
                    "UPDATE sync_events SET answer = $3 WHERE org_id = $1 AND event_id = $2",
                    &[&caller.org_id, &id, &serde_json::to_value(&answer)?],
                )
                .await?;
                crate::pull_log::record_accepted(&tx, caller.org_id, &incoming.event, &answer)
                    .await?;
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
    caller: &Caller,
    incoming: &Incoming,
) -> Result<Claim, ServerError> {
    let event = &incoming.event;
    let claimed = tx
        .execute(
            "INSERT INTO sync_events (org_id, event_id, kind, body_sha256, created_at, device_id,
                                      client_device_id, device_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (org_id, event_id) DO NOTHING",
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

fn id_reused(id: uuid::Uuid) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "event_id_reused",
        format!(
            "event {id} was already received with a different body; nothing of this push was applied"
        ),
    )
    .with_event(id)
}
