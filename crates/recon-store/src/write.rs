//! The one write path. Every change to the ledger runs through [`Store::write`]: one
//! `BEGIN IMMEDIATE` transaction in which the change's own SQL runs, then its audit
//! record(s) and its outbox event(s) are written, then it commits — all or nothing.
//!
//! This is the only module that inserts into `audit_log` or `outbox`. A change cannot
//! forget either: its closure must return a [`Change`], which is only built with at least
//! one [`Audit`] record and with its events stated — [`Change::synced`] with the events the
//! server must receive, or [`Change::local`] naming why the server need not hear of it.
//! A closure that wrote rows but returns [`Change::unchanged`] is refused at run time
//! (the transaction rolls back), so an unaudited write cannot slip through either.

use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::audit::{chain_hash, AuditFields, GENESIS_HASH};
use recon_sync::EventBody;
use rusqlite::{params, OptionalExtension, Transaction};

/// One audit record of a change: what changed, its state before and after (JSON).
/// Who and when are the write's, so every record of one change has the same.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Audit {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// An audit record with its JSON already rendered as text — what is hashed and stored.
/// Bulk changes build these straight from a `Serialize` struct (see
/// [`Change::and_rendered_audits`]): rendering 30,000 records through `serde_json::Value`
/// maps cost more than inserting them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RenderedAudit {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The digest of the rows the record attests, when its writer hashed them in memory;
    /// `None`: the write path reads them (see `audit_digest`).
    pub content: Option<String>,
}

impl From<Audit> for RenderedAudit {
    fn from(a: Audit) -> Self {
        Self {
            action: a.action,
            entity: a.entity,
            entity_id: a.entity_id,
            before: a.before.as_ref().map(serde_json::Value::to_string),
            after: a.after.as_ref().map(serde_json::Value::to_string),
            content: None,
        }
    }
}

/// Why a change is kept on this device only. Each is a decision, written down here so
/// that "no event" is never an accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LocalOnly {
    /// Device settings (server URL, matching rules, profiles): each laptop has its own.
    DeviceSetting,
    /// Wallets reach the server inside the events that use them (a `WalletRef`).
    WalletDefinition,
    /// Currencies reach the server as the code inside the events that use them.
    CurrencyDefinition,
    /// Bank and payment file lines: the sync protocol carries ESI journal lines only, so
    /// a bank batch stays on this device until there is an event for it.
    BankStatementLines,
    /// Import bookkeeping whose rows the server never received (rejects, removals of
    /// batches whose lines were never pushed, tombstones). Removing an ESI batch whose
    /// lines were pushed is kept local too, for now: there is no event for it yet.
    ImportBookkeeping,
    /// A colleague's change pulled from the server: the server has it already.
    PulledFromServer,
    /// A compensating change undoing what the server refused: the server never had it.
    RefusedByServer,
}

/// Produces a change's events after its SQL ran, in its transaction, handing each to the
/// emitter as it is built: a bulk import's events are never all in memory at once.
pub(crate) type EventStream =
    Box<dyn FnOnce(&Transaction<'_>, &mut dyn FnMut(EventBody) -> Result<()>) -> Result<()>>;

enum Events {
    Synced(Vec<EventBody>),
    /// Synced, with the events produced one by one (see [`Change::synced_streamed`]).
    Streamed(EventStream),
    Local(LocalOnly),
    None,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Events::Synced(b) => f.debug_tuple("Synced").field(b).finish(),
            Events::Streamed(_) => f.write_str("Streamed(..)"),
            Events::Local(why) => f.debug_tuple("Local").field(why).finish(),
            Events::None => f.write_str("None"),
        }
    }
}

/// What a change hands back to the write path: its result, its audit record(s) and its
/// outbox events.
#[must_use = "a Change is written only when returned to Store::write"]
#[derive(Debug)]
pub(crate) struct Change<T> {
    value: T,
    audit: Vec<RenderedAudit>,
    events: Events,
}

impl<T> Change<T> {
    /// A change the server must learn of: `events` go to the outbox, in order, each with
    /// the next per-device sequence number. `events` may be empty only when the change
    /// had nothing to send this time (e.g. an import whose lines were all duplicates).
    pub fn synced(value: T, first: Audit, events: Vec<EventBody>) -> Self {
        Self {
            value,
            audit: vec![first.into()],
            events: Events::Synced(events),
        }
    }

    /// [`Change::synced`] with every audit record already rendered, in order.
    pub fn synced_rendered(value: T, audit: Vec<RenderedAudit>, events: Vec<EventBody>) -> Self {
        assert!(!audit.is_empty(), "a change has at least one audit record");
        Self {
            value,
            audit,
            events: Events::Synced(events),
        }
    }

    /// [`Change::synced`] whose events `produce` builds after the change's SQL, in the same
    /// transaction, emitting each as it is ready (bounded memory for bulk imports).
    pub fn synced_streamed(value: T, audit: Vec<RenderedAudit>, produce: EventStream) -> Self {
        assert!(!audit.is_empty(), "a change has at least one audit record");
        Self {
            value,
            audit,
            events: Events::Streamed(produce),
        }
    }

    /// A change the server never needs, and why.
    pub fn local(value: T, first: Audit, why: LocalOnly) -> Self {
        Self {
            value,
            audit: vec![first.into()],
            events: Events::Local(why),
        }
    }

    /// Nothing was written (a no-op, e.g. approving what is already approved). The write
    /// path checks that no row changed and rolls back with an error if one did.
    pub fn unchanged(value: T) -> Self {
        Self {
            value,
            audit: Vec::new(),
            events: Events::None,
        }
    }

    /// The first record attests these rows, hashed by the writer as it inserted them (an
    /// import's lines), so the write path need not read them back.
    pub fn attesting(mut self, content_digest: String) -> Self {
        if let Some(first) = self.audit.first_mut() {
            first.content = Some(content_digest);
        }
        self
    }

    /// A further audit record of the same change (e.g. one per expected payment it moved).
    pub fn and_audit(self, record: Audit) -> Self {
        self.and_rendered_audits([record.into()])
    }

    /// Further audit records of the same change, their JSON already rendered.
    pub fn and_rendered_audits(mut self, records: impl IntoIterator<Item = RenderedAudit>) -> Self {
        assert!(
            !matches!(self.events, Events::None),
            "an unchanged write has no audit records"
        );
        self.audit.extend(records);
        self
    }

    /// Further audit records of the same change.
    pub fn and_audits(mut self, records: impl IntoIterator<Item = Audit>) -> Self {
        for record in records {
            self = self.and_audit(record);
        }
        self
    }
}

/// The ledger's identity as a sync client, and the last sequence number it handed out.
/// Sequence numbers are assigned in the change's own transaction, so they are gapless and
/// in commit order.
pub(crate) fn device_id(conn: &rusqlite::Connection) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT device_id FROM device WHERE singleton = 1")?
        .query_row([], |r| r.get(0))?)
}

impl Store {
    /// Runs `change` as one `BEGIN IMMEDIATE` transaction and writes its audit record(s)
    /// and outbox event(s) with it. `actor` and `now` are recorded on every audit record
    /// and event of the change.
    pub(crate) fn write<T>(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        change: impl FnOnce(&Transaction<'_>) -> Result<Change<T>>,
    ) -> Result<T> {
        let (tx, _note) = self.write_tx()?;
        let changes_before = total_changes(&tx)?;
        let Change {
            value,
            audit,
            events,
        } = change(&tx)?;
        match events {
            Events::None => {
                // Why: "every change is audited" must hold even for a closure that claims
                // to have done nothing; rows it wrote would otherwise commit unrecorded.
                if total_changes(&tx)? != changes_before {
                    return Err(StoreError::Invalid(
                        "internal error: a change wrote rows but recorded no audit record; nothing was saved".into(),
                    ));
                }
                tx.finish()?;
                return Ok(value);
            }
            Events::Synced(bodies) => {
                append_audit(&tx, actor, now, &audit)?;
                enqueue(&tx, now, &bodies)?;
            }
            Events::Streamed(produce) => {
                append_audit(&tx, actor, now, &audit)?;
                let mut queue = Queue::open(&tx, now)?;
                produce(&tx, &mut |body| queue.push(&tx, &body))?;
                queue.close(&tx)?;
            }
            Events::Local(_) => append_audit(&tx, actor, now, &audit)?,
        }
        tx.commit()?;
        Ok(value)
    }

    /// Writes that are not changes of the ledger's content (sync bookkeeping: which events
    /// were sent, the last error). They write no audit record and no event, and may not
    /// touch `audit_log` or `outbox` beyond the delivery columns.
    pub(crate) fn write_bookkeeping<T>(
        &mut self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let (tx, _note) = self.write_tx()?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

fn total_changes(tx: &Transaction<'_>) -> Result<i64> {
    Ok(tx.query_row("SELECT total_changes()", [], |r| r.get(0))?)
}

/// Appends inside the change's (IMMEDIATE) transaction, so the chain head cannot move.
fn append_audit(
    tx: &Transaction<'_>,
    actor: &str,
    now: DateTime<Utc>,
    records: &[RenderedAudit],
) -> Result<()> {
    assert!(
        !records.is_empty(),
        "a change has at least one audit record"
    );
    let head: Option<(i64, String)> = tx
        .prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (mut id, mut prev_hash) = match head {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let at = timestamp(now);
    let mut insert = tx.prepare_cached(
        "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, before, after, prev_hash, hash, content_digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for record in records {
        let (before, after) = (&record.before, &record.after);
        // Inside the change's transaction: the digest is of what this change left.
        let content = match &record.content {
            Some(digest) => Some(digest.clone()),
            None => crate::audit_digest::live_digest(tx, record.entity, &record.entity_id)?,
        };
        let fields = AuditFields {
            id,
            at: &at,
            actor,
            action: record.action,
            entity: record.entity,
            entity_id: &record.entity_id,
            before: before.as_deref(),
            after: after.as_deref(),
            content_digest: content.as_deref(),
        };
        let hash = chain_hash(&prev_hash, &fields);
        insert.execute(params![
            id,
            at,
            actor,
            record.action,
            record.entity,
            record.entity_id,
            before,
            after,
            prev_hash,
            hash,
            content
        ])?;
        prev_hash = hash;
        id += 1;
    }
    // The head, kept outside the log: a cut at the log's end shows on the next verify.
    tx.prepare_cached(
        "UPDATE device SET audit_head_seq = ?1, audit_head_hash = ?2 WHERE singleton = 1",
    )?
    .execute(params![id - 1, prev_hash])?;
    Ok(())
}

/// Queues events in order, each with the next per-device sequence number.
fn enqueue(tx: &Transaction<'_>, now: DateTime<Utc>, bodies: &[EventBody]) -> Result<()> {
    if bodies.is_empty() {
        return Ok(());
    }
    let device = device_id(tx)?;
    let last_seq: i64 = tx
        .prepare_cached("SELECT last_seq FROM device WHERE singleton = 1")?
        .query_row([], |r| r.get(0))?;
    let created_at = timestamp(now);
    let mut insert = tx.prepare_cached(
        "INSERT INTO outbox (event_id, kind, body, created_at, device_id, device_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut seq = last_seq;
    for body in bodies {
        seq += 1;
        let body_json =
            serde_json::to_string(body).map_err(|e| StoreError::Invalid(e.to_string()))?;
        insert.execute(params![
            uuid::Uuid::new_v4().to_string(),
            body.kind(),
            body_json,
            created_at,
            device,
            seq
        ])?;
    }
    tx.prepare_cached("UPDATE device SET last_seq = ?1 WHERE singleton = 1")?
        .execute([seq])?;
    Ok(())
}

/// The outbox as a streamed change fills it: the next sequence number, kept until closed.
struct Queue {
    device: String,
    seq: i64,
    created_at: String,
}

impl Queue {
    fn open(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<Self> {
        let seq = tx
            .prepare_cached("SELECT last_seq FROM device WHERE singleton = 1")?
            .query_row([], |r| r.get(0))?;
        Ok(Queue {
            device: device_id(tx)?,
            seq,
            created_at: timestamp(now),
        })
    }

    fn push(&mut self, tx: &Transaction<'_>, body: &EventBody) -> Result<()> {
        self.seq += 1;
        let body_json =
            serde_json::to_string(body).map_err(|e| StoreError::Invalid(e.to_string()))?;
        tx.prepare_cached(
            "INSERT INTO outbox (event_id, kind, body, created_at, device_id, device_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            uuid::Uuid::new_v4().to_string(),
            body.kind(),
            body_json,
            self.created_at,
            self.device,
            self.seq
        ])?;
        Ok(())
    }

    fn close(self, tx: &Transaction<'_>) -> Result<()> {
        tx.prepare_cached("UPDATE device SET last_seq = ?1 WHERE singleton = 1")?
            .execute([self.seq])?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
