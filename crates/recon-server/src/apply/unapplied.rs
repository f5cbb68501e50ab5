//! Events this server stores without applying: kinds it does not know yet (a newer
//! client's), kept with their payload as received so a later server can apply them.

use recon_sync::{untyped_digest_hex, EventAnswer, RawEvent, RefusalCode};
use serde_json::Value;
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
    let value: serde_json::Value = serde_json::from_str(event.payload.get())
        .map_err(|e| format!("event {}: payload is not JSON: {e}", event.id))?;
    if let Some(path) = nul_in(&value, "payload") {
        // PostgreSQL's JSONB cannot hold U+0000: refused for good rather than a 500 forever.
        let answer = EventAnswer::refused(
            RefusalCode::InvalidValue,
            format!("{path}: holds a control character (U+0000) that cannot be stored"),
            vec![],
        );
        return Ok((digest, Plan::Refuse(answer)));
    }
    let note = format!("stored; this server does not apply '{}' yet", event.kind);
    Ok((digest, Plan::Store { note }))
}

/// Where in `value` a string (or key) holds U+0000, as a path like `payload.lines[2].text`.
pub(super) fn nul_in(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_in(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(format!("{path} key"))
            } else {
                nul_in(v, &format!("{path}.{k}"))
            }
        }),
        _ => None,
    }
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
