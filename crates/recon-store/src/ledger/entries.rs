//! Ledger entries: inserting (for conversions and settlements), listing, one entry's
//! detail (postings, audit trail) and reversal.

use super::{
    account_id, check_balanced, insert_lines, next_txn_id, refusal, EntryQuery, EntryView,
    PostingView,
};
use crate::write::{Audit, Change};
use crate::{timestamp, AuditRecord, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::ledger::postings::reversal_lines;
use recon_core::ledger::{check_reversible, EntryFacts, EntrySource, EntryStatus, Line};
use recon_core::money::from_minor;
use recon_sync::ledger::{EntryRef, LedgerEntryReversed};
use recon_sync::EventBody;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::json;
use std::str::FromStr;

/// Largest page of [`Store::ledger_entries`] when the caller sets no limit.
pub const MAX_ENTRY_PAGE: u32 = u32::MAX;

/// An entry about to be inserted.
pub(crate) struct EntryRow<'a> {
    pub program_id: i64,
    pub entity_id: i64,
    pub source: EntrySource,
    pub source_ref: &'a str,
    pub status: &'a str,
    pub gross_minor: Option<i64>,
    pub earnings_minor: i64,
    pub residue: &'a str,
    pub currency: &'a str,
    pub description: &'a str,
    pub period: &'a str,
    pub occurred_at: &'a str,
    pub created_at: &'a str,
    pub txn_id: i64,
    pub reverses: Option<i64>,
    pub reason: Option<&'a str>,
}

pub(crate) fn insert_entry(tx: &Transaction<'_>, e: &EntryRow<'_>) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO ledger_entries (program_id, entity_id, source, source_ref, status, gross_minor, earnings_minor,
            residue, currency, description, period, occurred_at, created_at, txn_id, reverses, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        e.program_id, e.entity_id, e.source.as_str(), e.source_ref, e.status, e.gross_minor, e.earnings_minor,
        e.residue, e.currency, e.description, e.period, e.occurred_at, e.created_at, e.txn_id, e.reverses, e.reason
    ])?;
    Ok(tx.last_insert_rowid())
}

/// The audit `after` of a new entry.
pub(crate) fn entry_json(e: &EntryRow<'_>, id: i64, scale: u8) -> serde_json::Value {
    json!({"id": id, "source": e.source.as_str(), "source_ref": e.source_ref, "status": e.status,
        "gross_amount": e.gross_minor.map(|g| from_minor(g, scale).to_string()),
        "earnings_amount": from_minor(e.earnings_minor, scale).to_string(), "rounding_residue": e.residue,
        "currency": e.currency, "period": e.period, "transaction": e.txn_id, "reverses": e.reverses, "reason": e.reason})
}

/// An entry as it travels in events.
pub(crate) fn entry_ref(
    e: &EntryRow<'_>,
    entity_type: recon_core::ledger::EntityType,
    entity_ref: &str,
    scale: u8,
) -> EntryRef {
    EntryRef {
        source: e.source.as_str().into(),
        source_ref: e.source_ref.into(),
        entity_type: entity_type.as_str().into(),
        entity_ref: entity_ref.into(),
        gross_amount: e.gross_minor.map(|g| from_minor(g, scale)),
        earnings_amount: from_minor(e.earnings_minor, scale),
        rounding_residue: rust_decimal::Decimal::from_str(e.residue).unwrap_or_default(),
        currency: e.currency.into(),
        occurred_at: e.occurred_at.into(),
    }
}

const ENTRY_SELECT: &str = "SELECT e.id, p.slug, n.entity_type, n.ref, e.source, e.source_ref, e.status, e.gross_minor,
    e.earnings_minor, e.residue, e.currency, c.scale, e.description, e.period, e.occurred_at, e.created_at, e.txn_id,
    e.payout_batch, e.reverses, e.reversed_by, e.reason
    FROM ledger_entries e JOIN ledger_programs p ON p.id = e.program_id JOIN ledger_entities n ON n.id = e.entity_id
    JOIN currencies c ON c.code = e.currency";

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryView> {
    Ok(EntryView {
        id: r.get(0)?,
        program: r.get(1)?,
        entity_type: r.get(2)?,
        entity_ref: r.get(3)?,
        source: r.get(4)?,
        source_ref: r.get(5)?,
        status: r.get(6)?,
        gross_minor: r.get(7)?,
        earnings_minor: r.get(8)?,
        residue: r.get(9)?,
        currency: r.get(10)?,
        scale: r.get(11)?,
        description: r.get(12)?,
        period: r.get(13)?,
        occurred_at: r.get(14)?,
        created_at: r.get(15)?,
        txn_id: r.get(16)?,
        payout_batch: r.get(17)?,
        reverses: r.get(18)?,
        reversed_by: r.get(19)?,
        reason: r.get(20)?,
    })
}

pub(crate) fn entry_by_id(conn: &Connection, id: i64) -> Result<EntryView> {
    conn.prepare_cached(&format!("{ENTRY_SELECT} WHERE e.id = ?1"))?
        .query_row([id], entry_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "ledger entry",
            name: id.to_string(),
        })
}

pub(crate) fn txn_lines(conn: &Connection, txn_id: i64) -> Result<Vec<PostingView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.txn_id, l.line, a.name, l.currency, c.scale, l.amount_minor FROM ledger_postings l
         JOIN ledger_accounts a ON a.id = l.account_id JOIN currencies c ON c.code = l.currency
         WHERE l.txn_id = ?1 ORDER BY l.line",
    )?;
    let rows = stmt.query_map([txn_id], |r| {
        Ok(PostingView {
            txn_id: r.get(0)?,
            line: r.get(1)?,
            account: r.get(2)?,
            currency: r.get(3)?,
            scale: r.get(4)?,
            amount_minor: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Entries matching every filter given, newest first.
    pub fn ledger_entries(&self, q: &EntryQuery) -> Result<Vec<EntryView>> {
        let mut stmt = self.conn.prepare(&format!(
            "{ENTRY_SELECT} WHERE (?1 IS NULL OR p.slug = ?1) AND (?2 IS NULL OR e.status = ?2)
             AND (?3 IS NULL OR n.ref = ?3) AND (?4 IS NULL OR e.period = ?4)
             ORDER BY e.id DESC LIMIT ?5 OFFSET ?6"
        ))?;
        let limit = i64::from(q.limit.unwrap_or(MAX_ENTRY_PAGE));
        let rows = stmt.query_map(
            params![q.program, q.status, q.entity, q.period, limit, q.offset],
            entry_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One entry, the lines of its transaction, and the audit records that name it.
    pub fn ledger_entry(&self, id: i64) -> Result<(EntryView, Vec<PostingView>, Vec<AuditRecord>)> {
        let entry = entry_by_id(&self.conn, id)?;
        let lines = txn_lines(&self.conn, entry.txn_id)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, at, actor, action, entity, entity_id, before, after FROM audit_log
             WHERE (entity = 'ledger_entry' AND entity_id = ?1)
                OR (action = 'ledger.settlements_import' AND json_extract(after, '$.first_entry_id') <= ?2
                    AND json_extract(after, '$.last_entry_id') >= ?2)
             ORDER BY id",
        )?;
        let audit = stmt
            .query_map(params![id.to_string(), id], |r| {
                Ok(AuditRecord {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    entity: r.get(4)?,
                    entity_id: r.get(5)?,
                    before: r.get(6)?,
                    after: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok((entry, lines, audit))
    }

    /// Reverses a pending entry once: a new entry of the opposite amounts posting the
    /// exact opposite lines; the original becomes `reversed` with `reversed_by` set.
    pub fn reverse_entry(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        id: i64,
        reason: &str,
    ) -> Result<EntryView> {
        self.write(actor, now, |tx| {
            let original = entry_by_id(tx, id)?;
            let facts = EntryFacts {
                id,
                source: EntrySource::parse(&original.source).map_err(StoreError::Invalid)?,
                status: EntryStatus::parse(&original.status).map_err(StoreError::Invalid)?,
                reversed_by: original.reversed_by,
            };
            check_reversible(&facts, reason).map_err(refusal)?;
            let holder = crate::payouts::holder_of(tx, id)?;
            recon_core::payouts::check_not_reserved(
                &id.to_string(),
                holder.as_ref().map(|(b, s)| (b.as_str(), *s)),
            )
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
            let residue = negate_text(&original.residue);
            let posted = post_reversal(tx, &original, reason, &residue, &timestamp(now), None)?;
            let event = EventBody::LedgerEntryReversed(LedgerEntryReversed {
                program: original.program.clone(),
                source: original.source.clone(),
                source_ref: original.source_ref.clone(),
                reason: reason.trim().to_owned(),
                reversal: posted.entry,
            });
            let view = entry_by_id(tx, posted.id)?;
            Ok(Change::synced(view, posted.reversed, vec![event]).and_audit(posted.created))
        })
    }
}

/// What [`post_reversal`] wrote.
pub(crate) struct PostedReversal {
    /// The new (reversal) entry.
    pub id: i64,
    /// The original's move to `reversed`.
    pub reversed: Audit,
    /// The reversal entry's creation.
    pub created: Audit,
    /// The reversal as it travels in events.
    pub entry: EntryRef,
}

/// The exact opposite of transaction `txn_id`'s lines, checked balanced (`what` names it
/// in the refusal): what a reversal, or a settlement's revenue posted back, posts.
pub(crate) fn opposite_lines(conn: &Connection, txn_id: i64, what: &str) -> Result<Vec<Line>> {
    let lines: Vec<Line> = txn_lines(conn, txn_id)?
        .into_iter()
        .map(|p| Line {
            account: p.account,
            currency: p.currency,
            amount_minor: p.amount_minor,
        })
        .collect();
    let opposite = reversal_lines(&lines);
    check_balanced(&opposite, what)?;
    Ok(opposite)
}

/// Writes the reversal of `original`, which the caller has checked reversible with
/// recon-core's rule: a new entry of the opposite amounts posting the exact opposite lines,
/// and the original `reversed` with `reversed_by` set. The one writer of reversals: a
/// local reversal, a colleague's pulled one and the undo of a refused change (`note` says
/// which, in the audit records).
pub(crate) fn post_reversal(
    tx: &Transaction<'_>,
    original: &EntryView,
    reason: &str,
    residue: &str,
    created_at: &str,
    note: Option<&str>,
) -> Result<PostedReversal> {
    let id = original.id;
    let (program_id, entity_id): (i64, i64) = tx.query_row(
        "SELECT program_id, entity_id FROM ledger_entries WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let opposite = opposite_lines(tx, original.txn_id, &format!("the reversal of entry {id}"))?;
    let txn_id = next_txn_id(tx)?;
    let source_ref = id.to_string();
    let row = EntryRow {
        program_id,
        entity_id,
        source: EntrySource::Reversal,
        source_ref: &source_ref,
        status: "reversed",
        gross_minor: original.gross_minor.map(|g| -g),
        earnings_minor: -original.earnings_minor,
        residue,
        currency: &original.currency,
        description: &original.description,
        period: &original.period,
        occurred_at: &original.occurred_at,
        created_at,
        txn_id,
        reverses: Some(id),
        reason: Some(reason.trim()),
    };
    let reversal_id = insert_entry(tx, &row)?;
    insert_lines(tx, txn_id, 1, &opposite, &mut account_id)?;
    tx.execute(
        "UPDATE ledger_entries SET status = 'reversed', reversed_by = ?1 WHERE id = ?2",
        params![reversal_id, id],
    )?;
    let mut after =
        json!({"status": "reversed", "reversed_by": reversal_id, "reason": reason.trim()});
    if let Some(note) = note {
        after["note"] = json!(note);
    }
    let reversed = Audit {
        action: "ledger.entry_reverse",
        entity: "ledger_entry",
        entity_id: id.to_string(),
        before: Some(json!({"status": original.status, "reversed_by": null})),
        after: Some(after),
    };
    let created = Audit {
        action: "ledger.entry_create",
        entity: "ledger_entry",
        entity_id: reversal_id.to_string(),
        before: None,
        after: Some(entry_json(&row, reversal_id, original.scale)),
    };
    let entity_type = recon_core::ledger::EntityType::parse(&original.entity_type)
        .map_err(StoreError::Invalid)?;
    let entry = entry_ref(&row, entity_type, &original.entity_ref, original.scale);
    Ok(PostedReversal {
        id: reversal_id,
        reversed,
        created,
        entry,
    })
}

/// `-x` of a decimal text (`0` stays `0`).
pub(crate) fn negate_text(text: &str) -> String {
    match rust_decimal::Decimal::from_str(text) {
        Ok(d) => (-d).normalize().to_string(),
        Err(_) => text.to_owned(),
    }
}
