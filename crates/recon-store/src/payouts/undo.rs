//! The undo of a batch deletion or line removal the server refused (issue 12): the
//! server still holds the batch as it was, so this ledger puts it back from the audit
//! record of the refused change (which names every line's entries), while each of those
//! entries is still pending and free. One taken meanwhile (another batch, paid, reversed)
//! leaves the change "not undone", for a person to settle.

use super::{batch_row, holder_of, record_transition, status_of};
use crate::ledger::program_by_slug;
use crate::write::{Audit, RenderedAudit};
use crate::{Result, StoreError};
use recon_core::money::to_minor;
use recon_sync::payouts::{PayoutBatchDeleted, PayoutBatchEdited};
use rusqlite::{params, OptionalExtension, Transaction};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

type Undone = Result<(bool, Vec<RenderedAudit>)>;

fn note(reason: &str) -> String {
    format!("refused by the server: {reason}")
}

/// The `before` of the newest audit record of `action` on batch `id` (of a line removal:
/// the one that removed `entity_ref`'s line).
fn before_of(
    tx: &Transaction<'_>,
    id: &str,
    action: &str,
    entity_ref: Option<&str>,
) -> Result<Option<Value>> {
    let text: Option<Option<String>> = tx
        .prepare_cached(
            "SELECT before FROM audit_log WHERE action = ?2 AND entity = 'payout_batch'
                AND entity_id = ?1
                AND (?3 IS NULL OR json_extract(before, '$.removed_line[0].entity_ref') = ?3)
              ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![id, action, entity_ref], |r| r.get(0))
        .optional()?;
    Ok(text.flatten().and_then(|t| serde_json::from_str(&t).ok()))
}

fn minor(text: &Value, scale: u8) -> Result<i64> {
    let amount = text
        .as_str()
        .and_then(|t| Decimal::from_str(t).ok())
        .ok_or_else(|| StoreError::Invalid(format!("no amount in {text}")))?;
    to_minor(amount, scale).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// A line as its audit record names it: entity, amount, entries.
struct KeptLine {
    entity_id: i64,
    amount_minor: i64,
    entries: Vec<i64>,
}

/// The line of `json` in `program`, when every entry it held is pending and free.
fn free_line(
    tx: &Transaction<'_>,
    program: i64,
    json: &Value,
    scale: u8,
) -> Result<Option<KeptLine>> {
    let (Some(kind), Some(entity_ref)) =
        (json["entity_type"].as_str(), json["entity_ref"].as_str())
    else {
        return Ok(None);
    };
    let entity: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM ledger_entities WHERE program_id = ?1 AND entity_type = ?2 AND ref = ?3",
        )?
        .query_row(params![program, kind, entity_ref], |r| r.get(0))
        .optional()?;
    let Some(entity_id) = entity else {
        return Ok(None);
    };
    let entries: Vec<i64> = json["entry_ids"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    for &entry in &entries {
        let status: Option<String> = tx
            .prepare_cached("SELECT status FROM ledger_entries WHERE id = ?1")?
            .query_row([entry], |r| r.get(0))
            .optional()?;
        if status.as_deref() != Some("pending") || holder_of(tx, entry)?.is_some() {
            return Ok(None);
        }
    }
    Ok(Some(KeptLine {
        entity_id,
        amount_minor: minor(&json["amount"], scale)?,
        entries,
    }))
}

fn insert_line(tx: &Transaction<'_>, batch: &str, line: &KeptLine) -> Result<()> {
    let entries = line.entries.len() as i64;
    let line_id = super::insert_line_row(tx, batch, line.entity_id, line.amount_minor, entries)?;
    for entry in &line.entries {
        tx.prepare_cached(
            "INSERT INTO payout_entries (batch_id, entry_id, line_id, reserved) VALUES (?1, ?2, ?3, 1)",
        )?
        .execute(params![batch, entry, line_id])?;
    }
    Ok(())
}

/// A refused deletion: the batch back, with its lines, entries and state.
pub(crate) fn undo_deleted(
    tx: &Transaction<'_>,
    now: &str,
    b: &PayoutBatchDeleted,
    reason: &str,
) -> Undone {
    if batch_row(tx, &b.batch_id).is_ok() {
        return Ok((false, Vec::new()));
    }
    // A batch whose creation the server refused is not there to come back to.
    let creation_refused: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM sync_refusals r JOIN outbox o ON o.event_id = r.event_id
              WHERE r.kind = 'payout_batch_created'
                AND json_extract(o.body, '$.payload.batch_id') = ?1)",
        )?
        .query_row([&b.batch_id], |r| r.get(0))?;
    if creation_refused {
        return Ok((false, Vec::new()));
    }
    let Some(before) = before_of(tx, &b.batch_id, "payout.batch_delete", None)? else {
        return Ok((false, Vec::new()));
    };
    let (Some(slug), Some(period), Some(status)) = (
        before["program"].as_str(),
        before["period"].as_str(),
        before["status"].as_str(),
    ) else {
        return Ok((false, Vec::new()));
    };
    let program = program_by_slug(tx, slug)?;
    let scale = program.currency.scale;
    let mut lines = Vec::new();
    for json in before["lines"].as_array().into_iter().flatten() {
        match free_line(tx, program.id, json, scale)? {
            Some(line) => lines.push(line),
            None => return Ok((false, Vec::new())),
        }
    }
    let status = status_of(status)?;
    let created_by = before["created_by"].as_str().unwrap_or_default();
    super::insert_batch_row(
        tx,
        &super::NewBatchRow {
            id: &b.batch_id,
            program_id: program.id,
            period,
            currency: &program.currency.code,
            status,
            total_minor: minor(&before["total"], scale)?,
            notes: before["notes"].as_str().unwrap_or_default(),
            created_by,
            at: now,
        },
    )?;
    for line in &lines {
        insert_line(tx, &b.batch_id, line)?;
    }
    let note = note(reason);
    // Its history went with it; the batch starts again from the refusal, named so.
    record_transition(tx, &b.batch_id, now, "sync", None, status, Some(&note))?;
    let audit = Audit {
        action: "sync.refused",
        entity: "payout_batch",
        entity_id: b.batch_id.clone(),
        before: Some(json!({"deleted": true})),
        after: Some(json!({"status": status.as_str(), "lines": lines.len(), "note": note})),
    };
    Ok((true, vec![audit.into()]))
}

/// A refused line removal: the line back with its entries, the total with it.
pub(crate) fn undo_line_removed(
    tx: &Transaction<'_>,
    now: &str,
    b: &PayoutBatchEdited,
    reason: &str,
) -> Undone {
    let Some((kind, entity_ref)) = &b.removed_entity else {
        return Ok((false, Vec::new()));
    };
    let Ok(batch) = batch_row(tx, &b.batch_id) else {
        return Ok((false, Vec::new()));
    };
    if !batch.status.is_editable() {
        return Ok((false, Vec::new()));
    }
    let Some(before) = before_of(tx, &batch.id, "payout.batch_edit", Some(entity_ref))? else {
        return Ok((false, Vec::new()));
    };
    let removed = &before["removed_line"][0];
    if removed["entity_type"].as_str() != Some(kind)
        || removed["entity_ref"].as_str() != Some(entity_ref)
    {
        return Ok((false, Vec::new()));
    }
    let program: i64 = tx.query_row(
        "SELECT program_id FROM payout_batches WHERE id = ?1",
        [&batch.id],
        |r| r.get(0),
    )?;
    let Some(line) = free_line(tx, program, removed, batch.scale)? else {
        return Ok((false, Vec::new()));
    };
    insert_line(tx, &batch.id, &line)?;
    let total = batch.total_minor + line.amount_minor;
    tx.execute(
        "UPDATE payout_batches SET total_minor = ?1, updated_at = ?2 WHERE id = ?3",
        params![total, now, batch.id],
    )?;
    let audit = Audit {
        action: "sync.refused",
        entity: "payout_batch",
        entity_id: batch.id.clone(),
        before: Some(json!({"total_minor": batch.total_minor})),
        after: Some(
            json!({"total_minor": total, "line_back": [kind, entity_ref], "note": note(reason)}),
        ),
    };
    Ok((true, vec![audit.into()]))
}

#[cfg(test)]
#[path = "undo_tests.rs"]
mod tests;
