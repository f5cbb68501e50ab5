//! Events this server stores without applying: kinds it does not know yet (a newer
//! client's), kept with their payload as received so a later server can apply them.

use recon_sync::{untyped_digest_hex, EventAnswer, RawEvent};
use tokio_postgres::types::Json;
use tokio_postgres::Transaction;

use super::Plan;
use crate::ServerError;

/// The digest of a kind this server does not type is over the payload's canonical JSON;
/// a server that learns to apply the kind must keep it, or replays of events stored
/// today would be refused as another body.
pub(super) fn decode(event: &RawEvent) -> Result<(String, Plan), String> {
    let digest = untyped_digest_hex(&event.kind, &event.payload)
        .map_err(|e| format!("event {}: payload is not JSON: {e}", event.id))?;
    let note = format!("stored; this server does not apply '{}' yet", event.kind);
    Ok((digest, Plan::Store { note }))
}

pub(super) async fn store(
    tx: &Transaction<'_>,
    org_id: i64,
    event: &RawEvent,
    note: &str,
) -> Result<EventAnswer, ServerError> {
    tx.execute(
        "INSERT INTO unapplied_events (org_id, event_id, payload) VALUES ($1, $2, $3)",
        &[&org_id, &event.id, &Json(&*event.payload)],
    )
    .await?;
    Ok(EventAnswer::stored_not_applied(note))
}
