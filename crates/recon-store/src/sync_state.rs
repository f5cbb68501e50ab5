//! The outbox (events the central server must receive) and what the last sync did.

use crate::audit::{append, AuditEntry};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_sync::{Event, EventBody};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub seq: i64,
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub server_url: Option<String>,
    pub pending: i64,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

const SERVER_URL: &str = "sync.server_url";
const LAST_SUCCESS_AT: &str = "sync.last_success_at";
const LAST_ERROR: &str = "sync.last_error";
const LAST_ERROR_AT: &str = "sync.last_error_at";

/// Queues an event inside the caller's transaction, so it exists exactly when the change does.
pub(crate) fn enqueue(tx: &Transaction<'_>, now: DateTime<Utc>, body: &EventBody) -> Result<()> {
    let body_json = serde_json::to_string(body).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO outbox (event_id, kind, body, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        uuid::Uuid::new_v4().to_string(),
        body.kind(),
        body_json,
        timestamp(now)
    ])?;
    Ok(())
}

impl Store {
    /// Unsent events, oldest first.
    pub fn outbox_pending(&self, limit: u32) -> Result<Vec<OutboxEvent>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, event_id, body, created_at FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (seq, id, body, created_at) = row?;
            let corrupt = |what: String| {
                StoreError::Invalid(format!("outbox event {seq} is corrupt: {what}"))
            };
            events.push(OutboxEvent {
                seq,
                event: Event {
                    id: id
                        .parse()
                        .map_err(|e: uuid::Error| corrupt(e.to_string()))?,
                    created_at,
                    body: serde_json::from_str(&body).map_err(|e| corrupt(e.to_string()))?,
                },
            });
        }
        Ok(events)
    }

    pub fn outbox_pending_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// Marks events the server acknowledged; records the successful contact.
    pub fn outbox_mark_sent(&mut self, seqs: &[i64], now: DateTime<Utc>) -> Result<()> {
        let tx = self.write_tx()?;
        let at = timestamp(now);
        for seq in seqs {
            tx.execute(
                "UPDATE outbox SET sent_at = ?2, attempts = attempts + 1, last_error = NULL WHERE seq = ?1 AND sent_at IS NULL",
                params![seq, at],
            )?;
        }
        set(&tx, LAST_SUCCESS_AT, &at)?;
        tx.execute(
            "DELETE FROM settings WHERE key IN (?1, ?2)",
            params![LAST_ERROR, LAST_ERROR_AT],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records a failed sync; `seq` is the event the server refused, if it was one event's fault.
    pub fn record_sync_error(
        &mut self,
        now: DateTime<Utc>,
        message: &str,
        seq: Option<i64>,
    ) -> Result<()> {
        let tx = self.write_tx()?;
        if let Some(seq) = seq {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1",
                params![seq, message],
            )?;
        }
        set(&tx, LAST_ERROR, message)?;
        set(&tx, LAST_ERROR_AT, &timestamp(now))?;
        tx.commit()?;
        Ok(())
    }

    /// A sync that had nothing to send still proves the server answered.
    pub fn record_sync_success(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.outbox_mark_sent(&[], now)
    }

    pub fn set_server_url(&mut self, actor: &str, now: DateTime<Utc>, url: &str) -> Result<()> {
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(StoreError::Invalid(format!(
                "server URL must start with http:// or https:// (got '{url}')"
            )));
        }
        let tx = self.write_tx()?;
        let before = get(&tx, SERVER_URL)?;
        set(&tx, SERVER_URL, url)?;
        append(
            &tx,
            now,
            AuditEntry {
                actor,
                action: "settings.changed",
                entity: "setting",
                entity_id: SERVER_URL,
                before: Some(json!({ "value": before })),
                after: Some(json!({ "value": url })),
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let tx = self.conn.unchecked_transaction()?;
        let status = SyncStatus {
            server_url: get(&tx, SERVER_URL)?,
            pending: self.outbox_pending_count()?,
            last_success_at: get(&tx, LAST_SUCCESS_AT)?,
            last_error: get(&tx, LAST_ERROR)?,
            last_error_at: get(&tx, LAST_ERROR_AT)?,
        };
        tx.finish()?;
        Ok(status)
    }
}

fn get(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn set(conn: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
