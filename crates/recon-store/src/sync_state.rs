//! The outbox (events the central server must receive) and what the last sync did.

use crate::write::{Audit, Change, LocalOnly};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_sync::Event;
use rusqlite::{params, OptionalExtension};
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

impl Store {
    /// Unsent events, oldest first.
    pub fn outbox_pending(&self, limit: u32) -> Result<Vec<OutboxEvent>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, event_id, body, created_at, device_id, device_seq
               FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(OutboxRow {
                seq: r.get(0)?,
                event_id: r.get(1)?,
                body: r.get(2)?,
                created_at: r.get(3)?,
                device_id: r.get(4)?,
                device_seq: r.get(5)?,
            })
        })?;
        rows.map(|row| row?.into_event()).collect()
    }

    pub fn outbox_pending_count(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// Marks events the server acknowledged (applied, replayed, or stored without being
    /// applied: each is delivered); records the successful contact.
    pub fn outbox_mark_sent(&mut self, seqs: &[i64], now: DateTime<Utc>) -> Result<()> {
        let at = timestamp(now);
        self.write_bookkeeping(|tx| {
            let mut mark = tx.prepare_cached(
                "UPDATE outbox SET sent_at = ?2, attempts = attempts + 1, last_error = NULL WHERE seq = ?1 AND sent_at IS NULL",
            )?;
            for seq in seqs {
                mark.execute(params![seq, at])?;
            }
            set(tx, LAST_SUCCESS_AT, &at)?;
            tx.execute(
                "DELETE FROM settings WHERE key IN (?1, ?2)",
                params![LAST_ERROR, LAST_ERROR_AT],
            )?;
            Ok(())
        })
    }

    /// Records a failed sync; `seq` is the event the server refused, if it was one event's fault.
    pub fn record_sync_error(
        &mut self,
        now: DateTime<Utc>,
        message: &str,
        seq: Option<i64>,
    ) -> Result<()> {
        self.write_bookkeeping(|tx| {
            if let Some(seq) = seq {
                tx.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1",
                    params![seq, message],
                )?;
            }
            set(tx, LAST_ERROR, message)?;
            set(tx, LAST_ERROR_AT, &timestamp(now))?;
            Ok(())
        })
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
        self.write(actor, now, |tx| {
            let before = get(tx, SERVER_URL)?;
            set(tx, SERVER_URL, url)?;
            Ok(Change::local(
                (),
                Audit {
                    action: "settings.changed",
                    entity: "setting",
                    entity_id: SERVER_URL.to_string(),
                    before: Some(json!({ "value": before })),
                    after: Some(json!({ "value": url })),
                },
                LocalOnly::DeviceSetting,
            ))
        })
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

/// An outbox row as stored, before it is checked back into an [`Event`].
struct OutboxRow {
    seq: i64,
    event_id: String,
    body: String,
    created_at: String,
    device_id: Option<String>,
    device_seq: Option<i64>,
}

impl OutboxRow {
    fn into_event(self) -> Result<OutboxEvent> {
        let seq = self.seq;
        let corrupt =
            |what: String| StoreError::Invalid(format!("outbox event {seq} is corrupt: {what}"));
        let uuid = |text: &str| -> Result<uuid::Uuid> {
            text.parse()
                .map_err(|e: uuid::Error| corrupt(e.to_string()))
        };
        let device_id = self
            .device_id
            .ok_or_else(|| corrupt("no device id".into()))?;
        Ok(OutboxEvent {
            seq,
            event: Event {
                id: uuid(&self.event_id)?,
                created_at: self.created_at,
                device_id: uuid(&device_id)?,
                device_seq: self
                    .device_seq
                    .ok_or_else(|| corrupt("no device sequence number".into()))?,
                body: serde_json::from_str(&self.body).map_err(|e| corrupt(e.to_string()))?,
            },
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::SourceFile;
    use recon_sync::MAX_LINES_PER_EVENT;

    fn store_with_wallet() -> (tempfile::TempDir, Store) {
        store_with_main_wallet()
    }

    fn import(store: &mut Store, ids: std::ops::RangeInclusive<i64>) {
        let entries: Vec<String> = ids
            .map(|id| {
                format!(
                    r#"{{"id":{id},"date":"2026-03-01T12:00:00Z","ref_type":"player_donation","description":"d","amount":1}}"#
                )
            })
            .collect();
        let file = SourceFile {
            name: "page.json".into(),
            bytes: format!("[{}]", entries.join(",")).into_bytes(),
        };
        store
            .import_esi_journal("alice", now(), "Main", &[file])
            .unwrap();
    }

    #[test]
    fn pending_events_carry_this_device_and_its_gapless_sequence() {
        let (_dir, mut store) = store_with_wallet();
        import(&mut store, 1..=(MAX_LINES_PER_EVENT as i64 + 1));
        import(&mut store, 9001..=9001);
        let pending = store.outbox_pending(100).unwrap();
        let device: String = store
            .conn
            .query_row("SELECT device_id FROM device", [], |r| r.get(0))
            .unwrap();
        assert!(pending
            .iter()
            .all(|e| e.event.device_id.to_string() == device));
        let seqs: Vec<i64> = pending.iter().map(|e| e.event.device_seq).collect();
        assert_eq!(seqs, vec![1, 2, 3]);

        // Sent events keep their numbers; the next change continues after them.
        let sent: Vec<i64> = pending.iter().map(|e| e.seq).collect();
        store.outbox_mark_sent(&sent, now()).unwrap();
        import(&mut store, 9002..=9002);
        let next = store.outbox_pending(100).unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].event.device_seq, 4);
    }

    #[test]
    fn setting_the_server_is_audited_and_stays_on_this_device() {
        let (_dir, mut store) = temp_store();
        let before = store.audit_verify().unwrap().records;
        store
            .set_server_url("alice", now(), "https://sync.example.test/")
            .unwrap();
        store
            .set_server_url("alice", now(), "https://other.example.test")
            .unwrap();
        assert_eq!(store.audit_verify().unwrap().records, before + 2);
        let last = store.audit_tail(1).unwrap().remove(0);
        assert_eq!(
            (
                last.actor.as_str(),
                last.action.as_str(),
                last.entity.as_str(),
                last.entity_id.as_str()
            ),
            ("alice", "settings.changed", "setting", SERVER_URL)
        );
        assert_eq!(
            last.before.as_deref(),
            Some(r#"{"value":"https://sync.example.test"}"#)
        );
        assert_eq!(
            last.after.as_deref(),
            Some(r#"{"value":"https://other.example.test"}"#)
        );
        assert_eq!(store.outbox_pending_count().unwrap(), 0);
        assert_eq!(
            store.sync_status().unwrap().server_url.as_deref(),
            Some("https://other.example.test")
        );
        let err = store.set_server_url("alice", now(), "ftp://x").unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(store.audit_verify().unwrap().records, before + 2);
    }

    #[test]
    fn sync_bookkeeping_writes_no_audit_record() {
        let (_dir, mut store) = store_with_wallet();
        import(&mut store, 1..=2);
        let before = store.audit_verify().unwrap().records;
        let seq = store.outbox_pending(10).unwrap()[0].seq;
        store
            .record_sync_error(now(), "server unreachable", Some(seq))
            .unwrap();
        let status = store.sync_status().unwrap();
        assert_eq!(status.last_error.as_deref(), Some("server unreachable"));
        assert_eq!(status.pending, 1);
        store.outbox_mark_sent(&[seq], now()).unwrap();
        let status = store.sync_status().unwrap();
        assert_eq!((status.pending, status.last_error), (0, None));
        assert!(status.last_success_at.is_some());
        assert_eq!(store.audit_verify().unwrap().records, before);
    }
}
