//! What each audit record attests, recomputed from the live tables (SPEC §10, issue 14).
//!
//! A record's `content_digest` is the digest of the rows its entity holds once its change
//! is written: the journal rows of an import batch ([`RowSetDigest`] of [`journal_row`]
//! hashes), or the one row of an expected payment, wallet, currency, mapping profile or
//! setting ([`single_row_digest`]). Entities with no row of their own (a file, a cycle, a
//! matching run) attest nothing beyond their record. Writers that have the rows in memory
//! (imports) hash them as they insert; every other record is digested here, inside the
//! change's transaction, by [`live_digest`] — the same function `audit verify` uses.

use crate::Result;
use recon_core::audit::{row_hash, single_row_digest, Cell, OrderedRowSet, RowSetDigest};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

use crate::ledger::digest as ledger;

/// The columns of a journal row, in the order they are hashed.
pub(crate) const JOURNAL_COLUMNS: &str =
    "rowid_pk, wallet_no, natural_key, esi_id, date, ref_type, \
    description, reason, amount_minor, amount_raw, balance_minor, balance_raw, first_party_id, \
    second_party_id, context_id, context_id_type, tax_minor, tax_raw, tax_receiver_id, batch_no, \
    counterparty, source_line";

/// A journal row as its writer inserts it (every column of [`JOURNAL_COLUMNS`]).
pub(crate) struct JournalRow<'a> {
    pub rowid: i64,
    pub wallet_no: i64,
    pub natural_key: &'a str,
    pub esi_id: Option<i64>,
    pub date: &'a str,
    pub ref_type: &'a str,
    pub description: &'a str,
    pub reason: Option<&'a str>,
    pub amount_minor: Option<i64>,
    pub amount_raw: Option<&'a str>,
    pub balance_minor: Option<i64>,
    pub balance_raw: Option<&'a str>,
    pub first_party_id: Option<i64>,
    pub second_party_id: Option<i64>,
    pub context_id: Option<i64>,
    pub context_id_type: Option<&'a str>,
    pub tax_minor: Option<i64>,
    pub tax_raw: Option<&'a str>,
    pub tax_receiver_id: Option<i64>,
    pub batch_no: i64,
    pub counterparty: Option<&'a str>,
    pub source_line: Option<i64>,
}

fn int(v: Option<i64>) -> Cell<'static> {
    v.map_or(Cell::Null, Cell::Int)
}

fn text(v: Option<&str>) -> Cell<'_> {
    v.map_or(Cell::Null, Cell::Text)
}

/// The hash of one journal row, from the values its writer has in memory.
pub(crate) fn journal_row(r: &JournalRow<'_>) -> [u8; 32] {
    row_hash(&[
        Cell::Int(r.rowid),
        Cell::Int(r.wallet_no),
        Cell::Text(r.natural_key),
        int(r.esi_id),
        Cell::Text(r.date),
        Cell::Text(r.ref_type),
        Cell::Text(r.description),
        text(r.reason),
        int(r.amount_minor),
        text(r.amount_raw),
        int(r.balance_minor),
        text(r.balance_raw),
        int(r.first_party_id),
        int(r.second_party_id),
        int(r.context_id),
        text(r.context_id_type),
        int(r.tax_minor),
        text(r.tax_raw),
        int(r.tax_receiver_id),
        Cell::Int(r.batch_no),
        text(r.counterparty),
        int(r.source_line),
    ])
}

/// The hash of a row as SQLite returns it, its columns in the selected order.
fn stored_row(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<[u8; 32]> {
    let mut cells = Vec::with_capacity(columns);
    for i in 0..columns {
        cells.push(match row.get_ref(i)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(n) => Cell::Int(n),
            ValueRef::Text(t) => Cell::Text(std::str::from_utf8(t).unwrap_or("\u{FFFD}")),
            // No attested column holds these: an altered type must not match.
            ValueRef::Real(_) => Cell::Text("\u{0}real"),
            ValueRef::Blob(_) => Cell::Text("\u{0}blob"),
        });
    }
    Ok(row_hash(&cells))
}

/// The columns of the single-row entities, in hashed order, and their key column.
fn single_row_table(entity: &str) -> Option<(&'static str, &'static str, &'static str, usize)> {
    Some(match entity {
        "expected_payment" => (
            "expected_payments",
            "id, cycle_id, character_name, character_id, memo, memo_normalized, expected_minor, \
             currency, status, actual_minor, actual_payer_id, amount_adjusted, validated_at, \
             created_at, created_by",
            "id",
            15,
        ),
        "wallet" => (
            "wallets",
            "id, name, kind, owner_id, division, currency, receiving, created_at, created_by, no",
            "id",
            10,
        ),
        "currency" => ("currencies", "code, scale, name", "code", 3),
        "mapping_profile" => (
            "mapping_profiles",
            "name, toml, created_at, created_by",
            "name",
            4,
        ),
        "setting" | "settings" => ("settings", "key, value", "key", 2),
        _ => return None,
    })
}

/// The entities whose records attest live rows.
pub(crate) fn is_attested(entity: &str) -> bool {
    entity == "import_batch"
        || entity == ledger::ENTRY_ENTITY
        || entity == ledger::BATCH_ENTITY
        || single_row_table(entity).is_some()
}

/// The expected payment as just inserted by an import (awaiting, nothing received), from
/// the values in memory: the same digest [`live_digest`] reads back.
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_expected_row(
    id: &str,
    cycle_id: &str,
    character_name: &str,
    character_id: Option<i64>,
    memo: &str,
    memo_normalized: &str,
    expected_minor: i64,
    currency: &str,
    status: &str,
    created_at: &str,
    created_by: &str,
) -> String {
    single_row_digest(Some(&[
        Cell::Text(id),
        Cell::Text(cycle_id),
        Cell::Text(character_name),
        int(character_id),
        Cell::Text(memo),
        Cell::Text(memo_normalized),
        Cell::Int(expected_minor),
        Cell::Text(currency),
        Cell::Text(status),
        Cell::Null,
        Cell::Null,
        Cell::Int(0),
        Cell::Null,
        Cell::Text(created_at),
        Cell::Text(created_by),
    ]))
}

/// What the tables now hold for a record's entity, digested; `None` when the entity has no
/// rows to attest.
pub(crate) fn live_digest(
    conn: &Connection,
    entity: &str,
    entity_id: &str,
) -> Result<Option<String>> {
    if entity == "import_batch" {
        return batch_rows(conn, entity_id).map(Some);
    }
    if entity == ledger::ENTRY_ENTITY {
        return ledger::entry_digest(conn, entity_id).map(Some);
    }
    let Some((table, columns, key, width)) = single_row_table(entity) else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {columns} FROM {table} WHERE {key} = ?1"))?;
    let row = stmt
        .query_row([entity_id], |r| stored_row(r, width))
        .optional()?;
    Ok(Some(match row {
        Some(hash) => format!("row:{}", recon_core::audit::hex_lower(&hash)),
        None => single_row_digest(None),
    }))
}

/// The digest of the journal rows of one batch (none if the batch is gone or removed).
fn batch_rows(conn: &Connection, batch_id: &str) -> Result<String> {
    let no: Option<i64> = conn
        .prepare_cached("SELECT no FROM import_batches WHERE id = ?1")?
        .query_row([batch_id], |r| r.get(0))
        .optional()?;
    let mut digest = RowSetDigest::default();
    if let Some(no) = no {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {JOURNAL_COLUMNS} FROM journal_entries WHERE batch_no = ?1 ORDER BY rowid_pk"
        ))?;
        let mut rows = stmt.query([no])?;
        while let Some(r) = rows.next()? {
            digest.add(r.get(0)?, stored_row(r, 22)?);
        }
    }
    Ok(digest.finish())
}

/// Every batch's rows digested in one pass over the journal in id order (constant memory
/// per batch): batch number → digest.
pub(crate) fn all_batch_rows(conn: &Connection) -> Result<std::collections::HashMap<i64, String>> {
    let mut sets: std::collections::HashMap<i64, OrderedRowSet> = Default::default();
    let mut stmt = conn.prepare(&format!(
        "SELECT {JOURNAL_COLUMNS} FROM journal_entries ORDER BY rowid_pk"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let batch_no: i64 = r.get(19)?;
        sets.entry(batch_no).or_default().add(&stored_row(r, 22)?);
    }
    Ok(sets
        .into_iter()
        .map(|(no, set)| (no, set.finish()))
        .collect())
}

/// What the content pass of `audit verify` found.
pub(crate) struct ContentReport {
    pub checked: u64,
    pub not_attested: u64,
    pub first_break: Option<crate::audit::AuditBreak>,
}

/// For each entity's newest record (the one that left its rows as they should be now), its
/// digest against the live tables, in record order; then rows no record attests.
pub(crate) fn verify_content(conn: &Connection) -> Result<ContentReport> {
    use recon_core::audit::{check_content, digest_row_count, ContentCheck};
    use std::collections::{HashMap, HashSet};
    let batch_nos: HashMap<String, i64> = conn
        .prepare("SELECT id, no FROM import_batches")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut live_batches = all_batch_rows(conn)?;
    let empty = RowSetDigest::default().finish();
    let mut report = ContentReport {
        checked: 0,
        not_attested: 0,
        first_break: None,
    };
    let mut expected_seen: HashSet<String> = HashSet::new();
    let mut stmt = conn.prepare(
        "SELECT id, entity, entity_id, content_digest, after FROM audit_log
         WHERE id IN (SELECT MAX(id) FROM audit_log GROUP BY entity, entity_id) ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, entity, entity_id): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let recorded: Option<String> = r.get(3)?;
        if !is_attested(&entity) {
            continue;
        }
        let live = if entity == ledger::BATCH_ENTITY {
            // Its ranges are in its own (chained) record.
            ledger::batch_digest(conn, r.get::<_, Option<String>>(4)?.as_deref())?
        } else if entity == "import_batch" {
            batch_nos
                .get(&entity_id)
                .and_then(|no| live_batches.remove(no))
                .unwrap_or_else(|| empty.clone())
        } else {
            if entity == "expected_payment" {
                expected_seen.insert(entity_id.clone());
            }
            live_digest(conn, &entity, &entity_id)?.unwrap_or_default()
        };
        match check_content(recorded.as_deref(), &live) {
            ContentCheck::Matches => report.checked += 1,
            ContentCheck::NotAttested => report.not_attested += 1,
            ContentCheck::Differs { recorded, live } => {
                let reason = if entity == "import_batch" {
                    let count = |d: &str| digest_row_count(d).map_or("?".into(), |n| n.to_string());
                    format!(
                        "the journal rows of import batch {entity_id} no longer match what it attests ({} rows recorded, {} in the journal now): rows were altered, added or deleted",
                        count(&recorded),
                        count(&live)
                    )
                } else {
                    format!("{entity} '{entity_id}' no longer matches what it attests: its row was altered or deleted")
                };
                report.first_break = Some(crate::audit::AuditBreak {
                    record: Some(id),
                    reason,
                });
                return Ok(report);
            }
        }
    }
    report.first_break = unattested_rows(conn, &batch_nos, &live_batches, &expected_seen)?;
    Ok(report)
}

/// Journal rows or expected payments that no audit record attests (their record was cut).
fn unattested_rows(
    conn: &Connection,
    batch_nos: &std::collections::HashMap<String, i64>,
    unclaimed: &std::collections::HashMap<i64, String>,
    expected_seen: &std::collections::HashSet<String>,
) -> Result<Option<crate::audit::AuditBreak>> {
    if let Some((no, digest)) = unclaimed.iter().min_by_key(|(no, _)| **no) {
        let batch = batch_nos
            .iter()
            .find(|(_, n)| *n == no)
            .map_or(format!("number {no}"), |(id, _)| id.clone());
        let rows = recon_core::audit::digest_row_count(digest).unwrap_or(0);
        return Ok(Some(crate::audit::AuditBreak {
            record: None,
            reason: format!(
                "the journal holds {rows} rows of import batch {batch} that no audit record attests: the record of their import was removed"
            ),
        }));
    }
    let mut stmt = conn.prepare("SELECT id FROM expected_payments")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if !expected_seen.contains(&id) {
            return Ok(Some(crate::audit::AuditBreak {
                record: None,
                reason: format!(
                    "expected payment '{id}' is attested by no audit record: the record that created it was removed"
                ),
            }));
        }
    }
    Ok(None)
}
