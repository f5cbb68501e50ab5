//! The organization's stream of accepted events, as colleagues pull it: payloads kept at
//! push, positions handed out after commit, the database's epoch.

use recon_sync::pull::Cursor;
use recon_sync::pull::PulledEvent;
use recon_sync::{EventAnswer, RawEvent};
use serde_json::value::RawValue;
use tokio_postgres::types::Json;
use tokio_postgres::Transaction;
use uuid::Uuid;

use crate::prepared::Prepared;
use crate::{Db, ServerError};

/// Keeps an accepted event's payload for colleagues to pull, inside the push's
/// transaction. A refused event keeps none: it is never pulled.
pub(crate) async fn record_accepted(
    tx: &Transaction<'_>,
    prepared: &Prepared,
    org_id: i64,
    event: &RawEvent,
    answer: &EventAnswer,
) -> Result<(), ServerError> {
    if answer.refused.is_some() {
        return Ok(());
    }
    let update = prepared
        .get(
            tx,
            "UPDATE sync_events SET payload = $3 WHERE org_id = $1 AND event_id = $2",
        )
        .await?;
    tx.execute(&update, &[&org_id, &event.id, &Json(&*event.payload)])
        .await?;
    Ok(())
}

/// Gives every committed, not yet positioned event of the organization the next
/// positions, in arrival order. Why after commit and under a per-organization lock: a
/// position handed out inside a push could commit after a higher one that a client had
/// already pulled past, and that event would never be pulled.
pub(crate) async fn assign_positions(db: &Db, org_id: i64) -> Result<(), ServerError> {
    let mut client = db.client().await?;
    let tx = client.transaction().await?;
    // The organization's own lock key ("pull" in the high bytes, away from migrate's).
    let key = 0x7075_6c6c_0000_0000_i64 ^ org_id;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&key])
        .await?;
    tx.execute(
        "WITH base AS (SELECT COALESCE(MAX(position), 0) AS top FROM sync_events WHERE org_id = $1),
              todo AS (SELECT event_id, row_number() OVER (ORDER BY arrival) AS n
                         FROM sync_events
                        WHERE org_id = $1 AND position IS NULL AND payload IS NOT NULL)
         UPDATE sync_events s SET position = base.top + todo.n
           FROM base, todo
          WHERE s.org_id = $1 AND s.event_id = todo.event_id",
        &[&org_id],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// This database's epoch and the organization's last position.
pub(crate) async fn head(
    client: &tokio_postgres::Client,
    org_id: i64,
) -> Result<Cursor, ServerError> {
    let epoch: Uuid = client
        .query_one("SELECT epoch FROM sync_epoch", &[])
        .await?
        .get(0);
    let position: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(position), 0) FROM sync_events WHERE org_id = $1",
            &[&org_id],
        )
        .await?
        .get(0);
    Ok(Cursor { epoch, position })
}

/// Up to `limit` events after `position`, in order.
pub(crate) async fn events_after(
    client: &tokio_postgres::Client,
    org_id: i64,
    position: i64,
    limit: i64,
) -> Result<Vec<PulledEvent>, ServerError> {
    let rows = client
        .query(
            "SELECT s.position, d.user_email, s.event_id, s.created_at,
                    COALESCE(s.client_device_id, '00000000-0000-0000-0000-000000000000'::uuid),
                    COALESCE(s.device_seq, 0), s.kind, s.payload::text
               FROM sync_events s JOIN devices d ON d.id = s.device_id
              WHERE s.org_id = $1 AND s.position > $2
              ORDER BY s.position
              LIMIT $3",
            &[&org_id, &position, &limit],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let payload: String = row.get(7);
            let payload = RawValue::from_string(payload).map_err(ServerError::from)?;
            Ok(PulledEvent {
                position: row.get(0),
                user: row.get(1),
                event: RawEvent {
                    id: row.get(2),
                    created_at: row.get(3),
                    device_id: row.get(4),
                    device_seq: row.get(5),
                    kind: row.get(6),
                    payload,
                },
            })
        })
        .collect()
}

/// A new epoch for this database: every client pulls again from the start (skipping
/// what it holds). Run after restoring a backup (`recon-server epoch rotate`).
pub async fn rotate_epoch(db: &Db) -> Result<Uuid, ServerError> {
    let client = db.client().await?;
    Ok(client
        .query_one(
            "UPDATE sync_epoch SET epoch = gen_random_uuid(), rotated_at = now() RETURNING epoch",
            &[],
        )
        .await?
        .get(0))
}
