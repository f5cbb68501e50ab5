//! What ledger audit records attest (SPEC §10, issue 14), in the scheme of `audit_digest`.
//!
//! - A settlement import (`ledger_settlement_batch`) attests the settlements, entries and
//!   posting lines it created: three row sets over the id ranges its record names
//!   (`after`: `first_settlement`…`last_settlement`, `first_entry_id`…`last_entry_id`,
//!   `first_txn`…`last_txn`), each the row hashes in key order. The import hashes rows as
//!   it inserts them (in key order, so in constant memory); `audit verify` reads them back.
//! - An entry's record (`ledger_entry`: approval, reversal, later moves) attests that
//!   entry's fixed columns and the lines of its transaction.
//!
//! Only what never changes is hashed: an entry's status, `payout_batch`, `reversed_by` and
//! `reason` move legitimately (pending → paid / reversed, by their own audited changes),
//! so a later move does not need to re-attest every entry a batch created. The columns the
//! `ledger_entries_fixed` trigger guards are hashed, and the description.

use crate::Result;
use recon_core::audit::{row_hash, Cell, OrderedRowSet};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

pub(crate) const SETTLEMENT_COLUMNS: &str =
    "id, program_id, settlement_id, user_ref, affiliate_id, gross_minor, currency, occurred_at, txn_id";
pub(crate) const ENTRY_COLUMNS: &str = "id, program_id, entity_id, source, source_ref, gross_minor, \
    earnings_minor, residue, currency, description, period, occurred_at, created_at, txn_id, reverses";
pub(crate) const POSTING_COLUMNS: &str = "txn_id, line, account_id, currency, amount_minor";

pub(crate) const BATCH_ENTITY: &str = "ledger_settlement_batch";
pub(crate) const ENTRY_ENTITY: &str = "ledger_entry";

fn opt(v: Option<i64>) -> Cell<'static> {
    v.map_or(Cell::Null, Cell::Int)
}

/// A settlement row as inserted, in [`SETTLEMENT_COLUMNS`] order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn settlement_row(
    id: i64,
    program_id: i64,
    settlement_id: &str,
    user_ref: &str,
    affiliate_id: i64,
    gross_minor: i64,
    currency: &str,
    occurred_at: &str,
    txn_id: i64,
) -> [u8; 32] {
    row_hash(&[
        Cell::Int(id),
        Cell::Int(program_id),
        Cell::Text(settlement_id),
        Cell::Text(user_ref),
        Cell::Int(affiliate_id),
        Cell::Int(gross_minor),
        Cell::Text(currency),
        Cell::Text(occurred_at),
        Cell::Int(txn_id),
    ])
}

/// An entry's fixed columns as inserted, in [`ENTRY_COLUMNS`] order.
pub(crate) fn entry_cells<'a>(id: i64, e: &'a super::entries::EntryRow<'a>) -> [Cell<'a>; 15] {
    [
        Cell::Int(id),
        Cell::Int(e.program_id),
        Cell::Int(e.entity_id),
        Cell::Text(e.source.as_str()),
        Cell::Text(e.source_ref),
        opt(e.gross_minor),
        Cell::Int(e.earnings_minor),
        Cell::Text(e.residue),
        Cell::Text(e.currency),
        Cell::Text(e.description),
        Cell::Text(e.period),
        Cell::Text(e.occurred_at),
        Cell::Text(e.created_at),
        Cell::Int(e.txn_id),
        opt(e.reverses),
    ]
}

/// A posting line as inserted, in [`POSTING_COLUMNS`] order.
pub(crate) fn posting_row(
    txn_id: i64,
    line: u32,
    account_id: i64,
    currency: &str,
    amount: i64,
) -> [u8; 32] {
    row_hash(&[
        Cell::Int(txn_id),
        Cell::Int(i64::from(line)),
        Cell::Int(account_id),
        Cell::Text(currency),
        Cell::Int(amount),
    ])
}

/// The three row sets of a settlement import, fed in key order.
#[derive(Default)]
pub(crate) struct BatchDigest {
    pub settlements: OrderedRowSet,
    pub entries: OrderedRowSet,
    pub postings: OrderedRowSet,
}

impl BatchDigest {
    pub fn finish(self) -> String {
        format!(
            "ledger:{};{};{}",
            self.settlements.finish(),
            self.entries.finish(),
            self.postings.finish()
        )
    }
}

/// The id ranges a settlement import's record names (its `after`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BatchRanges {
    pub settlements: (i64, i64),
    pub entries: (i64, i64),
    pub txns: (i64, i64),
}

impl BatchRanges {
    /// From a record's `after`; `None` when it names no ranges (a broken record).
    pub fn from_after(after: Option<&str>) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(after?).ok()?;
        let pair = |a: &str, b: &str| Some((v.get(a)?.as_i64()?, v.get(b)?.as_i64()?));
        Some(Self {
            settlements: pair("first_settlement", "last_settlement")?,
            // An import whose settlements all paid nothing creates no entry.
            entries: pair("first_entry_id", "last_entry_id").unwrap_or((1, 0)),
            txns: pair("first_txn", "last_txn")?,
        })
    }
}

/// The hash of a row as SQLite returns it.
fn stored(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<[u8; 32]> {
    let mut cells = Vec::with_capacity(columns);
    for i in 0..columns {
        cells.push(stored_cell(row.get_ref(i)?));
    }
    Ok(row_hash(&cells))
}

fn stored_cell(v: ValueRef<'_>) -> Cell<'_> {
    match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(n) => Cell::Int(n),
        ValueRef::Text(t) => Cell::Text(std::str::from_utf8(t).unwrap_or("\u{FFFD}")),
        // No attested column holds these: an altered type must not match.
        ValueRef::Real(_) => Cell::Text("\u{0}real"),
        ValueRef::Blob(_) => Cell::Text("\u{0}blob"),
    }
}

fn range_set(
    conn: &Connection,
    sql: &str,
    (first, last): (i64, i64),
    columns: usize,
) -> Result<OrderedRowSet> {
    let mut set = OrderedRowSet::default();
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([first, last])?;
    while let Some(r) = rows.next()? {
        set.add(&stored(r, columns)?);
    }
    Ok(set)
}

/// What the tables now hold in a settlement import's ranges, digested.
pub(crate) fn batch_digest(conn: &Connection, after: Option<&str>) -> Result<String> {
    let Some(r) = BatchRanges::from_after(after) else {
        return Ok("ledger:unreadable".into());
    };
    let d = BatchDigest {
        settlements: range_set(
            conn,
            &format!("SELECT {SETTLEMENT_COLUMNS} FROM ledger_settlements WHERE id BETWEEN ?1 AND ?2 ORDER BY id"),
            r.settlements,
            9,
        )?,
        entries: range_set(
            conn,
            &format!("SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE id BETWEEN ?1 AND ?2 ORDER BY id"),
            r.entries,
            15,
        )?,
        postings: range_set(
            conn,
            &format!("SELECT {POSTING_COLUMNS} FROM ledger_postings WHERE txn_id BETWEEN ?1 AND ?2 ORDER BY txn_id, line"),
            r.txns,
            5,
        )?,
    };
    Ok(d.finish())
}

/// One entry's fixed columns and its transaction's lines, digested (`row:absent` once gone).
pub(crate) fn entry_digest(conn: &Connection, entry_id: &str) -> Result<String> {
    let Ok(entry_id) = entry_id.parse::<i64>() else {
        return Ok(recon_core::audit::single_row_digest(None));
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE id = ?1"
    ))?;
    let cells: Option<(i64, Vec<OwnedCell>)> = stmt
        .query_row([entry_id], |r| {
            let cells = (0..15)
                .map(|i| r.get_ref(i).map(OwnedCell::from))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((r.get(13)?, cells))
        })
        .optional()?;
    let Some((txn_id, cells)) = cells else {
        return Ok(recon_core::audit::single_row_digest(None));
    };
    let mut lines = conn.prepare_cached(&format!(
        "SELECT {POSTING_COLUMNS} FROM ledger_postings WHERE txn_id = ?1 ORDER BY line"
    ))?;
    let lines = lines
        .query_map([txn_id], |r| stored(r, 5))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(entry_with_lines(
        &cells.iter().map(OwnedCell::cell).collect::<Vec<_>>(),
        &lines,
    ))
}

/// An entry's digest from its cells and its lines' row hashes: what [`entry_digest`] reads.
pub(crate) fn entry_with_lines(cells: &[Cell<'_>], lines: &[[u8; 32]]) -> String {
    let mut set = OrderedRowSet::default();
    set.add(&row_hash(cells));
    for l in lines {
        set.add(l);
    }
    format!("entry:{}", set.finish())
}

/// A cell read from SQLite, kept past its row.
enum OwnedCell {
    Null,
    Int(i64),
    Text(String),
}

impl From<ValueRef<'_>> for OwnedCell {
    fn from(v: ValueRef<'_>) -> Self {
        match stored_cell(v) {
            Cell::Null => OwnedCell::Null,
            Cell::Int(n) => OwnedCell::Int(n),
            Cell::Text(t) => OwnedCell::Text(t.to_owned()),
        }
    }
}

impl OwnedCell {
    fn cell(&self) -> Cell<'_> {
        match self {
            OwnedCell::Null => Cell::Null,
            OwnedCell::Int(n) => Cell::Int(*n),
            OwnedCell::Text(t) => Cell::Text(t),
        }
    }
}
