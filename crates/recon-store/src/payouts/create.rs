//! Making a batch from a program's pending, unreserved entries of a period; editing it
//! (notes, removing a line) and deleting it while it is draft or pending approval.

use super::{
    batch_full, batch_lines, batch_row, conflict, record_transition, BatchView, LineView,
    PreviewView,
};
use crate::ledger::{program_by_slug, ProgramView};
use crate::write::{Audit, Change, EventStream};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::ledger::files::check_period;
use recon_core::money::from_minor;
use recon_core::payouts::{check_editable, plan_lines, BatchStatus, PendingEntry, PlannedLine};
use recon_sync::ledger::MAX_ITEMS_PER_EVENT;
use recon_sync::payouts::{
    EntryKey, PayoutBatchCreated, PayoutBatchDeleted, PayoutBatchEdited, PayoutEntriesReserved,
    PayoutLineRef,
};
use recon_sync::EventBody;
use rusqlite::{params, Connection, Transaction};
use serde_json::json;
use std::collections::HashMap;

const PENDING_FILTER: &str = "e.program_id = ?1 AND e.period = ?2 AND e.status = 'pending'
    AND NOT EXISTS (SELECT 1 FROM payout_entries r WHERE r.entry_id = e.id AND r.reserved = 1)";

/// The (type, ref, name) of each entity of a program.
fn entity_names(
    conn: &Connection,
    program_id: i64,
) -> Result<HashMap<i64, (String, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, entity_type, ref, name FROM ledger_entities WHERE program_id = ?1",
    )?;
    let rows = stmt.query_map([program_id], |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The planned lines of a program's period, as views, with their total.
fn plan(
    conn: &Connection,
    program: &ProgramView,
    period: &str,
) -> Result<(Vec<PlannedLine>, Vec<LineView>, i64)> {
    check_period(period).map_err(StoreError::Invalid)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id, e.entity_id, e.earnings_minor FROM ledger_entries e WHERE {PENDING_FILTER}
         ORDER BY e.entity_id, e.id"
    ))?;
    let entries = stmt
        .query_map(params![program.id, period], |r| {
            Ok(PendingEntry {
                entry_id: r.get(0)?,
                entity_id: r.get(1)?,
                earnings_minor: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (planned, total) = plan_lines(&program.slug, period, &entries).map_err(conflict)?;
    let names = entity_names(conn, program.id)?;
    let mut views: Vec<LineView> = planned
        .iter()
        .map(|p| {
            let (t, r, n) = names.get(&p.entity_id).cloned().unwrap_or_default();
            LineView {
                entity_type: t,
                entity_ref: r,
                entity_name: n,
                amount_minor: p.amount_minor,
                entries: p.entry_ids.len() as u64,
                entry_ids: p.entry_ids.clone(),
            }
        })
        .collect();
    views.sort_by(|a, b| (&a.entity_ref, &a.entity_type).cmp(&(&b.entity_ref, &b.entity_type)));
    Ok((planned, views, total))
}

fn lines_json(lines: &[LineView], scale: u8) -> serde_json::Value {
    lines
        .iter()
        .map(|l| {
            json!({"entity_type": l.entity_type, "entity_ref": l.entity_ref,
                "amount": from_minor(l.amount_minor, scale).to_string(), "entry_ids": l.entry_ids})
        })
        .collect()
}

/// The audit state of a batch: what a reader needs to see what it held.
fn batch_json(b: &BatchView) -> serde_json::Value {
    json!({"id": b.id, "program": b.program, "period": b.period, "currency": b.currency,
        "status": b.status.as_str(), "total": from_minor(b.total_minor, b.scale).to_string(),
        "notes": b.notes, "created_by": b.created_by, "lines": lines_json(&b.lines, b.scale)})
}

/// The entries a batch holds, as events of at most [`MAX_ITEMS_PER_EVENT`] keys each.
fn reserved_events(batch_id: String) -> EventStream {
    Box::new(move |tx, emit| {
        let mut stmt = tx.prepare_cached(
            "SELECT e.source, e.source_ref FROM payout_entries r JOIN ledger_entries e ON e.id = r.entry_id
             WHERE r.batch_id = ?1 ORDER BY r.entry_id",
        )?;
        let mut rows = stmt.query([&batch_id])?;
        let mut chunk = Vec::with_capacity(MAX_ITEMS_PER_EVENT);
        while let Some(r) = rows.next()? {
            chunk.push(EntryKey {
                source: r.get(0)?,
                source_ref: r.get(1)?,
            });
            if chunk.len() == MAX_ITEMS_PER_EVENT {
                let entries = std::mem::take(&mut chunk);
                emit(EventBody::PayoutEntriesReserved(PayoutEntriesReserved {
                    batch_id: batch_id.clone(),
                    entries,
                }))?;
            }
        }
        if !chunk.is_empty() {
            emit(EventBody::PayoutEntriesReserved(PayoutEntriesReserved {
                batch_id: batch_id.clone(),
                entries: chunk,
            }))?;
        }
        Ok(())
    })
}

fn insert_batch(
    tx: &Transaction<'_>,
    id: &str,
    program: &ProgramView,
    period: &str,
    total: i64,
    notes: &str,
    (actor, at): (&str, &str),
) -> Result<()> {
    super::insert_batch_row(
        tx,
        &super::NewBatchRow {
            id,
            program_id: program.id,
            period,
            currency: &program.currency.code,
            status: BatchStatus::Draft,
            total_minor: total,
            notes,
            created_by: actor,
            at,
        },
    )
}

/// One line and its entries (the same filter as the plan, read in the same transaction).
fn insert_line(
    tx: &Transaction<'_>,
    id: &str,
    program_id: i64,
    period: &str,
    line: &PlannedLine,
) -> Result<()> {
    let entries = line.entry_ids.len() as i64;
    let line_id = super::insert_line_row(tx, id, line.entity_id, line.amount_minor, entries)?;
    let inserted = tx
        .prepare_cached(&format!(
            "INSERT INTO payout_entries (batch_id, entry_id, line_id, reserved)
             SELECT ?3, e.id, ?4, 1 FROM ledger_entries e WHERE {PENDING_FILTER} AND e.entity_id = ?5"
        ))?
        .execute(params![program_id, period, id, line_id, line.entity_id])?;
    if inserted != line.entry_ids.len() {
        return Err(StoreError::Invalid(format!(
            "internal error: entity {} has {inserted} pending entries, planned {}; nothing was written",
            line.entity_id,
            line.entry_ids.len()
        )));
    }
    Ok(())
}

impl Store {
    /// What a batch of `program`'s pending, unreserved entries of `period` would hold.
    pub fn payout_preview(&self, program: &str, period: &str) -> Result<PreviewView> {
        let p = program_by_slug(&self.conn, program.trim())?;
        let (_, lines, total) = plan(&self.conn, &p, period.trim())?;
        Ok(PreviewView {
            program: p.slug.clone(),
            period: period.trim().to_owned(),
            currency: p.currency.code.clone(),
            scale: p.currency.scale,
            total_minor: total,
            entry_count: lines.iter().map(|l| l.entries).sum(),
            lines,
        })
    }

    /// A draft batch of `program`'s pending, unreserved entries of `period`, one line per
    /// entity; its entries are reserved by it from now on.
    pub fn create_payout(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        program: &str,
        period: &str,
        notes: &str,
    ) -> Result<BatchView> {
        let (program, period, notes) = (
            program.trim().to_owned(),
            period.trim().to_owned(),
            notes.trim().to_owned(),
        );
        self.write(actor, now, move |tx| {
            let p = program_by_slug(tx, &program)?;
            let (planned, _, total) = plan(tx, &p, &period)?;
            let id = uuid::Uuid::new_v4().to_string();
            let at = timestamp(now);
            insert_batch(tx, &id, &p, &period, total, &notes, (actor, &at))?;
            for line in &planned {
                insert_line(tx, &id, p.id, &period, line)?;
            }
            record_transition(tx, &id, &at, actor, None, BatchStatus::Draft, None)?;
            let view = batch_full(tx, &id)?;
            let audit = Audit {
                action: "payout.batch_create",
                entity: "payout_batch",
                entity_id: id.clone(),
                before: None,
                after: Some(batch_json(&view)),
            };
            let created = EventBody::PayoutBatchCreated(PayoutBatchCreated {
                batch_id: id.clone(),
                program: p.slug.clone(),
                period: period.clone(),
                currency: p.currency.code.clone(),
                total: from_minor(total, p.currency.scale),
                notes: notes.clone(),
                created_by: actor.to_owned(),
                lines: view
                    .lines
                    .iter()
                    .map(|l| PayoutLineRef {
                        entity_type: l.entity_type.clone(),
                        entity_ref: l.entity_ref.clone(),
                        amount: from_minor(l.amount_minor, p.currency.scale),
                        entries: l.entries,
                    })
                    .collect(),
            });
            let reserved = reserved_events(id.clone());
            let stream: EventStream = Box::new(move |tx, emit| {
                emit(created)?;
                reserved(tx, emit)
            });
            Ok(Change::synced_streamed(view, vec![audit.into()], stream))
        })
    }

    /// Replaces a draft or pending batch's notes.
    pub fn set_payout_notes(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        id: &str,
        notes: &str,
    ) -> Result<BatchView> {
        self.write(actor, now, |tx| {
            let b = batch_row(tx, id)?;
            check_editable(b.status, "edited").map_err(conflict)?;
            tx.execute(
                "UPDATE payout_batches SET notes = ?1, updated_at = ?2 WHERE id = ?3",
                params![notes.trim(), timestamp(now), b.id],
            )?;
            let audit = Audit {
                action: "payout.batch_edit",
                entity: "payout_batch",
                entity_id: b.id.clone(),
                before: Some(json!({"notes": b.notes})),
                after: Some(json!({"notes": notes.trim()})),
            };
            let event = EventBody::PayoutBatchEdited(PayoutBatchEdited {
                batch_id: b.id.clone(),
                notes: notes.trim().to_owned(),
                removed_entity: None,
                total: from_minor(b.total_minor, b.scale),
            });
            Ok(Change::synced(batch_full(tx, &b.id)?, audit, vec![event]))
        })
    }

    /// Removes one entity's line from a draft or pending batch, releasing its entries.
    /// `entity` is a ref, or `type:ref` when two entities of the program share the ref.
    pub fn remove_payout_line(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        id: &str,
        entity: &str,
    ) -> Result<BatchView> {
        self.write(actor, now, |tx| {
            let b = batch_row(tx, id)?;
            check_editable(b.status, "edited").map_err(conflict)?;
            let lines = batch_lines(tx, &b.id, true)?;
            let entity = entity.trim();
            let matches: Vec<&LineView> = lines
                .iter()
                .filter(|l| l.entity_ref == entity || format!("{}:{}", l.entity_type, l.entity_ref) == entity)
                .collect();
            let line = match matches.as_slice() {
                [one] => *one,
                [] => return Err(StoreError::NotFound { what: "line of this batch for entity", name: entity.to_owned() }),
                _ => return Err(StoreError::Invalid(format!("'{entity}' names more than one line; write it as TYPE:REF (e.g. affiliate:{entity})"))),
            };
            if lines.len() == 1 {
                return Err(StoreError::Conflict("this is the batch's only line: delete the batch instead".into()));
            }
            let line_id: i64 = tx.query_row(
                "SELECT l.id FROM payout_lines l JOIN ledger_entities n ON n.id = l.entity_id
                 WHERE l.batch_id = ?1 AND n.entity_type = ?2 AND n.ref = ?3",
                params![b.id, line.entity_type, line.entity_ref],
                |r| r.get(0),
            )?;
            tx.execute("DELETE FROM payout_entries WHERE line_id = ?1", [line_id])?;
            tx.execute("DELETE FROM payout_lines WHERE id = ?1", [line_id])?;
            let total = b.total_minor - line.amount_minor;
            tx.execute("UPDATE payout_batches SET total_minor = ?1, updated_at = ?2 WHERE id = ?3", params![total, timestamp(now), b.id])?;
            let audit = Audit {
                action: "payout.batch_edit",
                entity: "payout_batch",
                entity_id: b.id.clone(),
                before: Some(json!({"total": from_minor(b.total_minor, b.scale).to_string(),
                    "removed_line": lines_json(std::slice::from_ref(line), b.scale)})),
                after: Some(json!({"total": from_minor(total, b.scale).to_string()})),
            };
            let event = EventBody::PayoutBatchEdited(PayoutBatchEdited {
                batch_id: b.id.clone(),
                notes: b.notes.clone(),
                removed_entity: Some((line.entity_type.clone(), line.entity_ref.clone())),
                total: from_minor(total, b.scale),
            });
            Ok(Change::synced(batch_full(tx, &b.id)?, audit, vec![event]))
        })
    }

    /// Deletes a draft or pending batch; its entries are free to join another.
    pub fn delete_payout(&mut self, actor: &str, now: DateTime<Utc>, id: &str) -> Result<String> {
        self.write(actor, now, |tx| {
            let b = batch_row(tx, id)?;
            check_editable(b.status, "deleted").map_err(conflict)?;
            let before = batch_json(&batch_full(tx, &b.id)?);
            tx.execute("DELETE FROM payout_batches WHERE id = ?1", [&b.id])?;
            let audit = Audit {
                action: "payout.batch_delete",
                entity: "payout_batch",
                entity_id: b.id.clone(),
                before: Some(before),
                after: None,
            };
            let event = EventBody::PayoutBatchDeleted(PayoutBatchDeleted {
                batch_id: b.id.clone(),
            });
            Ok(Change::synced(b.id, audit, vec![event]))
        })
    }
}
