//! Payout batches (§7) in SQLite: batches, their lines and reserved entries, transitions.
//! SQL only: the state machine, two-person control and line planning are
//! `recon_core::payouts`'; every change goes through `Store::write` (audited, with events).
//!
//! - `create`: preview, create, notes, removing a line, deleting.
//! - `moves`: the state transitions, and paying (entries paid + postings, one transaction).
//! - `reports`: list, show, stats, partner summary, export rows.

mod create;
pub(crate) mod moves;
pub(crate) mod remote;
mod reports;
pub(crate) mod undo;

pub use reports::{PartnerSummary, PayoutStats, PeriodRow, StatusRow};

use crate::{Result, StoreError};
use recon_core::payouts::BatchStatus;
use rusqlite::{Connection, OptionalExtension, Transaction};

/// One line of a batch as stored (or planned).
#[derive(Debug, Clone, PartialEq)]
pub struct LineView {
    pub entity_type: String,
    pub entity_ref: String,
    pub entity_name: String,
    pub amount_minor: i64,
    pub entries: u64,
    /// Filled by [`crate::Store::payout_batch`], create and preview; empty in lists.
    pub entry_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransitionView {
    pub at: String,
    pub actor: String,
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BatchView {
    pub id: String,
    pub program: String,
    pub period: String,
    pub currency: String,
    pub scale: u8,
    pub status: BatchStatus,
    pub total_minor: i64,
    pub notes: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub paid_by: Option<String>,
    pub paid_at: Option<String>,
    pub reason: Option<String>,
    pub entry_count: u64,
    pub lines: Vec<LineView>,
    pub transitions: Vec<TransitionView>,
}

/// What a new batch of a program's period would hold.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewView {
    pub program: String,
    pub period: String,
    pub currency: String,
    pub scale: u8,
    pub total_minor: i64,
    pub entry_count: u64,
    pub lines: Vec<LineView>,
}

/// Filters of [`crate::Store::payout_batches`].
#[derive(Debug, Clone, Default)]
pub struct BatchQuery {
    pub program: Option<String>,
    pub status: Option<BatchStatus>,
    pub period: Option<String>,
    /// Part of an entity ref or name, case-insensitive.
    pub partner: Option<String>,
}

/// A batch's row (no lines, no transitions).
pub(crate) struct BatchRow {
    pub id: String,
    pub status: BatchStatus,
    pub created_by: String,
    pub total_minor: i64,
    pub notes: String,
    pub currency: String,
    pub scale: u8,
}

pub(crate) const BATCH_SELECT: &str =
    "SELECT b.id, p.slug, b.period, b.currency, c.scale, b.status,
    b.total_minor, b.notes, b.created_by, b.created_at, b.updated_at, b.approved_by, b.approved_at,
    b.paid_by, b.paid_at, b.reason,
    (SELECT COALESCE(SUM(l.entries), 0) FROM payout_lines l WHERE l.batch_id = b.id)
    FROM payout_batches b JOIN ledger_programs p ON p.id = b.program_id
    JOIN currencies c ON c.code = b.currency";

pub(crate) fn status_of(text: &str) -> rusqlite::Result<BatchStatus> {
    BatchStatus::parse(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
    })
}

pub(crate) fn batch_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchView> {
    Ok(BatchView {
        id: r.get(0)?,
        program: r.get(1)?,
        period: r.get(2)?,
        currency: r.get(3)?,
        scale: r.get(4)?,
        status: status_of(&r.get::<_, String>(5)?)?,
        total_minor: r.get(6)?,
        notes: r.get(7)?,
        created_by: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        approved_by: r.get(11)?,
        approved_at: r.get(12)?,
        paid_by: r.get(13)?,
        paid_at: r.get(14)?,
        reason: r.get(15)?,
        entry_count: r.get::<_, i64>(16)? as u64,
        lines: Vec::new(),
        transitions: Vec::new(),
    })
}

pub(crate) fn batch_row(conn: &Connection, id: &str) -> Result<BatchRow> {
    conn.prepare_cached(
        "SELECT b.id, b.status, b.created_by, b.total_minor, b.notes, b.currency, c.scale
         FROM payout_batches b JOIN currencies c ON c.code = b.currency WHERE b.id = ?1",
    )?
    .query_row([id.trim()], |r| {
        Ok(BatchRow {
            id: r.get(0)?,
            status: status_of(&r.get::<_, String>(1)?)?,
            created_by: r.get(2)?,
            total_minor: r.get(3)?,
            notes: r.get(4)?,
            currency: r.get(5)?,
            scale: r.get(6)?,
        })
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "payout batch",
        name: id.trim().to_owned(),
    })
}

/// The lines of a batch, by entity ref; with their entry ids when `with_entries`.
pub(crate) fn batch_lines(
    conn: &Connection,
    id: &str,
    with_entries: bool,
) -> Result<Vec<LineView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, n.entity_type, n.ref, n.name, l.amount_minor, l.entries FROM payout_lines l
         JOIN ledger_entities n ON n.id = l.entity_id WHERE l.batch_id = ?1 ORDER BY n.ref, n.entity_type",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            LineView {
                entity_type: r.get(1)?,
                entity_ref: r.get(2)?,
                entity_name: r.get(3)?,
                amount_minor: r.get(4)?,
                entries: r.get::<_, i64>(5)? as u64,
                entry_ids: Vec::new(),
            },
        ))
    })?;
    let mut lines = Vec::new();
    let mut entries = conn.prepare_cached(
        "SELECT entry_id FROM payout_entries WHERE line_id = ?1 ORDER BY entry_id",
    )?;
    for row in rows {
        let (line_id, mut line) = row?;
        if with_entries {
            line.entry_ids = entries
                .query_map([line_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
        }
        lines.push(line);
    }
    Ok(lines)
}

pub(crate) fn batch_transitions(conn: &Connection, id: &str) -> Result<Vec<TransitionView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, from_status, to_status, reason FROM payout_transitions
         WHERE batch_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(TransitionView {
            at: r.get(0)?,
            actor: r.get(1)?,
            from: r.get(2)?,
            to: r.get(3)?,
            reason: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A batch with its lines (and entry ids) and transitions.
pub(crate) fn batch_full(conn: &Connection, id: &str) -> Result<BatchView> {
    let mut b = conn
        .prepare_cached(&format!("{BATCH_SELECT} WHERE b.id = ?1"))?
        .query_row([id.trim()], batch_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "payout batch",
            name: id.trim().to_owned(),
        })?;
    b.lines = batch_lines(conn, &b.id, true)?;
    b.transitions = batch_transitions(conn, &b.id)?;
    Ok(b)
}

pub(crate) fn record_transition(
    conn: &Connection,
    id: &str,
    at: &str,
    actor: &str,
    from: Option<BatchStatus>,
    to: BatchStatus,
    reason: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO payout_transitions (batch_id, at, actor, from_status, to_status, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(rusqlite::params![
        id,
        at,
        actor,
        from.map(|s| s.as_str()),
        to.as_str(),
        reason
    ])?;
    Ok(())
}

/// The batch holding `entry_id` now (not rejected), if any.
/// A batch's own row, as every writer of one makes it: a new batch (`draft`), a
/// colleague's pulled one, one put back after the server refused its deletion.
pub(crate) struct NewBatchRow<'a> {
    pub id: &'a str,
    pub program_id: i64,
    pub period: &'a str,
    pub currency: &'a str,
    pub status: BatchStatus,
    pub total_minor: i64,
    pub notes: &'a str,
    pub created_by: &'a str,
    /// Its `created_at` and `updated_at`.
    pub at: &'a str,
}

pub(crate) fn insert_batch_row(tx: &Transaction<'_>, b: &NewBatchRow<'_>) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO payout_batches (id, program_id, period, currency, status, total_minor, notes, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(rusqlite::params![
        b.id,
        b.program_id,
        b.period,
        b.currency,
        b.status.as_str(),
        b.total_minor,
        b.notes,
        b.created_by,
        b.at
    ])?;
    Ok(())
}

/// One line of a batch; returns its row id (its entries name it).
pub(crate) fn insert_line_row(
    tx: &Transaction<'_>,
    batch_id: &str,
    entity_id: i64,
    amount_minor: i64,
    entries: i64,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO payout_lines (batch_id, entity_id, amount_minor, entries) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(rusqlite::params![batch_id, entity_id, amount_minor, entries])?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn holder_of(conn: &Connection, entry_id: i64) -> Result<Option<(String, BatchStatus)>> {
    let row: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT r.batch_id, b.status FROM payout_entries r JOIN payout_batches b ON b.id = r.batch_id
             WHERE r.entry_id = ?1 AND r.reserved = 1",
        )?
        .query_row([entry_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        None => Ok(None),
        Some((id, s)) => Ok(Some((id, status_of(&s)?))),
    }
}

fn conflict(e: impl std::fmt::Display) -> StoreError {
    StoreError::Conflict(e.to_string())
}
