//! Import batches: the batch row every import opens and closes, the batch history, the
//! rejects a "valid rows only" import kept, and removing a batch (leaving tombstones so a
//! re-import does not bring its rows back).

use crate::bank_import::RejectedRow;
use crate::write::{Audit, Change, LocalOnly};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::json;

/// Writes a batch's row before its lines (they name it by number); the counts come with
/// [`close_batch`]. Returns the batch's number.
pub(crate) fn open_batch(
    tx: &Transaction<'_>,
    batch_id: &str,
    wallet_id: &str,
    format: &str,
    actor: &str,
    now: DateTime<Utc>,
    valid_rows_only: bool,
) -> Result<i64> {
    Ok(tx.query_row(
        "INSERT INTO import_batches (id, no, wallet_id, format, read, inserted, duplicates, rejected, actor, at, valid_rows_only)
         VALUES (?1, (SELECT COALESCE(MAX(no), 0) + 1 FROM import_batches), ?2, ?3, 0, 0, 0, 0, ?4, ?5, ?6)
         RETURNING no",
        params![batch_id, wallet_id, format, actor, timestamp(now), valid_rows_only],
        |r| r.get(0),
    )?)
}

/// A batch's final counts: read, inserted, duplicates, rejected.
pub(crate) fn close_batch(tx: &Transaction<'_>, batch_id: &str, counts: [u64; 4]) -> Result<()> {
    let [read, inserted, duplicates, rejected] = counts.map(|n| n as i64);
    tx.execute(
        "UPDATE import_batches SET read = ?2, inserted = ?3, duplicates = ?4, rejected = ?5 WHERE id = ?1",
        params![batch_id, read, inserted, duplicates, rejected],
    )?;
    Ok(())
}

/// Whether `natural_key` belongs to a row of a removed batch of this wallet.
pub(crate) fn is_tombstoned(
    tx: &Transaction<'_>,
    wallet_id: &str,
    natural_key: &str,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM import_tombstones WHERE wallet_id = ?1 AND natural_key = ?2",
        )?
        .query_row(params![wallet_id, natural_key], |_| Ok(()))
        .optional()?
        .is_some())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchFileView {
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub format: Option<String>,
    pub encoding: Option<String>,
    pub read: i64,
    pub inserted: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub opening_balance: Option<String>,
    pub closing_balance: Option<String>,
    pub balances_agree: Option<bool>,
    /// What the statement's lines add up to (decimal text); `None` before migration 0015.
    pub lines_sum: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchView {
    pub id: String,
    pub wallet: String,
    pub format: String,
    pub read: i64,
    pub inserted: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub valid_rows_only: bool,
    pub actor: String,
    pub at: String,
    pub removed_at: Option<String>,
    pub removed_by: Option<String>,
    /// Rows of the batch still in the journal.
    pub rows_held: i64,
    pub files: Vec<BatchFileView>,
}

impl Store {
    /// Every import batch, newest first, with its files.
    pub fn import_batches(&self) -> Result<Vec<BatchView>> {
        let mut stmt = self.conn.prepare(
            "SELECT b.id, w.name, b.format, b.read, b.inserted, b.duplicates, b.rejected, b.valid_rows_only,
                    b.actor, b.at, b.removed_at, b.removed_by,
                    COALESCE(held.n, 0)
             FROM import_batches b JOIN wallets w ON w.id = b.wallet_id
             LEFT JOIN (SELECT batch_no, COUNT(*) AS n FROM journal_entries GROUP BY batch_no) held
                ON held.batch_no = b.no
             ORDER BY b.at DESC, b.rowid DESC",
        )?;
        let mut batches: Vec<BatchView> = stmt
            .query_map([], |r| {
                Ok(BatchView {
                    id: r.get(0)?,
                    wallet: r.get(1)?,
                    format: r.get(2)?,
                    read: r.get(3)?,
                    inserted: r.get(4)?,
                    duplicates: r.get(5)?,
                    rejected: r.get(6)?,
                    valid_rows_only: r.get(7)?,
                    actor: r.get(8)?,
                    at: r.get(9)?,
                    removed_at: r.get(10)?,
                    removed_by: r.get(11)?,
                    rows_held: r.get(12)?,
                    files: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut files = self.conn.prepare(
            "SELECT file_name, sha256, size_bytes, format, encoding, read, inserted, duplicates, rejected,
                    opening_balance, closing_balance, balances_agree, lines_sum
             FROM import_batch_files WHERE batch_id = ?1 ORDER BY position",
        )?;
        for b in &mut batches {
            b.files = files
                .query_map([&b.id], |r| {
                    Ok(BatchFileView {
                        file_name: r.get(0)?,
                        sha256: r.get(1)?,
                        size_bytes: r.get(2)?,
                        format: r.get(3)?,
                        encoding: r.get(4)?,
                        read: r.get(5)?,
                        inserted: r.get(6)?,
                        duplicates: r.get(7)?,
                        rejected: r.get(8)?,
                        opening_balance: r.get(9)?,
                        closing_balance: r.get(10)?,
                        balances_agree: r.get(11)?,
                        lines_sum: r.get(12)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(batches)
    }

    /// The rows a "valid rows only" import left out, with their raw text.
    pub fn batch_rejects(&self, batch_id: &str) -> Result<Vec<RejectedRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT f.file_name, r.line, r.column_name, r.raw_value, r.reason, r.raw
             FROM import_rejects r
             JOIN import_batch_files f ON f.batch_id = r.batch_id AND f.position = r.position
             WHERE r.batch_id = ?1 ORDER BY r.position, r.line",
        )?;
        let rows = stmt
            .query_map([batch_id], |r| {
                Ok(RejectedRow {
                    file: r.get(0)?,
                    line: r.get::<_, i64>(1)? as u64,
                    column: r.get(2)?,
                    raw_value: r.get(3)?,
                    reason: r.get(4)?,
                    raw: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Removes a batch's rows from the journal, keeping tombstones so a re-import does not
    /// bring them back. Refused once any of its rows has been matched or reviewed.
    pub fn remove_batch(&mut self, actor: &str, now: DateTime<Utc>, batch_id: &str) -> Result<u64> {
        self.write(actor, now, |tx| {
            let (wallet_id, inserted, batch_no) = removable_batch(tx, batch_id)?;
            let tombstoned = tx.execute(
                "INSERT OR REPLACE INTO import_tombstones (wallet_id, natural_key, batch_id, date, amount_minor, description)
                 SELECT w.id, j.natural_key, ?2, j.date, j.amount_minor, j.description
                 FROM journal_entries j JOIN wallets w ON w.no = j.wallet_no WHERE j.batch_no = ?1",
                params![batch_no, batch_id],
            )?;
            let deleted = tx.execute(
                "DELETE FROM journal_entries WHERE batch_no = ?1",
                [batch_no],
            )?;
            if tombstoned != deleted {
                return Err(StoreError::Invalid(format!(
                    "internal error: removing batch {batch_id} would leave {deleted} row(s) with {tombstoned} tombstone(s); nothing was changed"
                )));
            }
            tx.execute(
                "UPDATE import_batches SET removed_at = ?2, removed_by = ?3 WHERE id = ?1",
                params![batch_id, timestamp(now), actor],
            )?;
            let audit = Audit {
                action: "import.remove",
                entity: "import_batch",
                entity_id: batch_id.to_owned(),
                before: Some(json!({"wallet_id": wallet_id, "rows": deleted, "inserted": inserted})),
                after: Some(json!({"rows": 0, "tombstones": tombstoned})),
            };
            Ok(Change::local(deleted as u64, audit, LocalOnly::ImportBookkeeping))
        })
    }
}

/// The batch's wallet, inserted count and number, if it exists, is not removed yet and
/// none of its rows has been matched or reviewed.
fn removable_batch(tx: &Transaction<'_>, batch_id: &str) -> Result<(String, i64, i64)> {
    let batch: Option<(String, Option<String>, i64, i64)> = tx
        .query_row(
            "SELECT wallet_id, removed_at, inserted, no FROM import_batches WHERE id = ?1",
            [batch_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((wallet_id, removed_at, inserted, batch_no)) = batch else {
        return Err(StoreError::NotFound {
            what: "import batch",
            name: batch_id.to_owned(),
        });
    };
    if let Some(at) = removed_at {
        return Err(StoreError::Conflict(format!(
            "batch {batch_id} was already removed at {at}"
        )));
    }
    let matched: i64 = tx.query_row(
        "SELECT COUNT(*) FROM journal_entries j WHERE j.batch_no = ?1 AND (
            EXISTS (SELECT 1 FROM match_links l WHERE l.journal_rowid = j.rowid_pk)
            OR EXISTS (SELECT 1 FROM receipt_rejections r WHERE r.journal_rowid = j.rowid_pk))",
        [batch_no],
        |r| r.get(0),
    )?;
    if matched > 0 {
        return Err(StoreError::Conflict(format!(
            "batch {batch_id} cannot be removed: {matched} of its rows have been matched or reviewed; unlink them first"
        )));
    }
    Ok((wallet_id, inserted, batch_no))
}
