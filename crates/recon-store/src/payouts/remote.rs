//! Colleagues' payout batches pulled from the server (issue 12): a batch created and
//! submitted on another laptop appears here awaiting approval; its moves (approved,
//! rejected, paid …) are run through the same `move_batch` as a local action, with the
//! colleague the server authenticated as the actor. And the undo of a local move the
//! server refused: the batch goes back to the state before it, audited "refused by the
//! server: REASON".

use super::moves::move_batch;
use super::{batch_row, holder_of, record_transition};
use crate::ledger::program_by_slug;
use crate::ledger::remote::{entry_by_key, Applied};
use crate::write::{Audit, RenderedAudit};
use crate::{Result, StoreError};
use recon_core::ledger::EntryStatus;
use recon_core::money::to_minor;
use recon_core::payouts::{check_reservable, BatchAction, BatchStatus, Reservation};
use recon_sync::payouts::{
    PayoutBatchCreated, PayoutBatchDeleted, PayoutBatchEdited, PayoutBatchTransitioned,
    PayoutEntriesReserved,
};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

fn pulled_note(by: &str) -> String {
    format!("pulled from the server: {by}'s change")
}

fn exists(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM payout_batches WHERE id = ?1)")?
        .query_row([id], |r| r.get(0))?)
}

/// A colleague's new batch, in draft with its lines; `by` (the pusher the server
/// authenticated) is its creator, whom two-person control keeps from approving it.
pub(crate) fn created(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &PayoutBatchCreated,
) -> Applied {
    if exists(tx, &b.batch_id)? {
        return Ok(Ok(Vec::new()));
    }
    let p = program_by_slug(tx, &b.program)?;
    let minor = |d| {
        to_minor(d, p.currency.scale)
            .map_err(|e| StoreError::Invalid(format!("batch {}: {d}: {e}", b.batch_id)))
    };
    super::insert_batch_row(
        tx,
        &super::NewBatchRow {
            id: &b.batch_id,
            program_id: p.id,
            period: &b.period,
            currency: &p.currency.code,
            status: BatchStatus::Draft,
            total_minor: minor(b.total)?,
            notes: &b.notes,
            created_by: by,
            at: now,
        },
    )?;
    for l in &b.lines {
        let entity: Option<i64> = tx
            .prepare_cached("SELECT id FROM ledger_entities WHERE program_id = ?1 AND entity_type = ?2 AND ref = ?3")?
            .query_row(params![p.id, l.entity_type, l.entity_ref], |r| r.get(0))
            .optional()?;
        let entity = entity.ok_or_else(|| StoreError::NotFound {
            what: "entity",
            name: format!("{}:{}:{}", p.slug, l.entity_type, l.entity_ref),
        })?;
        super::insert_line_row(tx, &b.batch_id, entity, minor(l.amount)?, l.entries as i64)?;
    }
    record_transition(tx, &b.batch_id, now, by, None, BatchStatus::Draft, None)?;
    let audit = Audit {
        action: "payout.create",
        entity: "payout_batch",
        entity_id: b.batch_id.clone(),
        before: None,
        after: Some(
            json!({"program": p.slug, "period": b.period, "status": "draft",
            "created_by": by, "lines": b.lines.len(), "note": pulled_note(by)}),
        ),
    };
    Ok(Ok(vec![audit.into()]))
}

pub(crate) fn reserved(tx: &Transaction<'_>, by: &str, b: &PayoutEntriesReserved) -> Applied {
    let batch = batch_row(tx, &b.batch_id)?;
    let mut added = 0;
    for key in &b.entries {
        let Some(entry) = entry_by_key(tx, &key.source, &key.source_ref)? else {
            return Err(StoreError::NotFound {
                what: "ledger entry",
                name: format!("{}/{}", key.source, key.source_ref),
            });
        };
        let holder = holder_of(tx, entry)?.map(|(h, _)| h);
        let status: String = tx
            .prepare_cached("SELECT status FROM ledger_entries WHERE id = ?1")?
            .query_row([entry], |r| r.get(0))?;
        let status = EntryStatus::parse(&status).map_err(StoreError::Invalid)?;
        match check_reservable(&entry.to_string(), status, holder.as_deref(), &batch.id) {
            Ok(Reservation::AlreadyHeld) => continue,
            Ok(Reservation::New) => {}
            Err(refused) => return Err(StoreError::Conflict(format!("{refused} here"))),
        }
        let line: Option<i64> = tx
            .prepare_cached(
                "SELECT l.id FROM ledger_entries e JOIN payout_lines l
                   ON l.entity_id = e.entity_id AND l.batch_id = ?2 WHERE e.id = ?1",
            )?
            .query_row(params![entry, batch.id], |r| r.get(0))
            .optional()?;
        let Some(line) = line else {
            return Err(StoreError::Conflict(format!(
                "entry {entry} has no line in batch {}",
                batch.id
            )));
        };
        tx.prepare_cached(
            "INSERT INTO payout_entries (batch_id, entry_id, line_id, reserved) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (batch_id, entry_id) DO UPDATE SET reserved = 1",
        )?
        .execute(params![batch.id, entry, line])?;
        added += 1;
    }
    if added == 0 {
        return Ok(Ok(Vec::new()));
    }
    let audit = Audit {
        action: "payout.reserve",
        entity: "payout_batch",
        entity_id: batch.id.clone(),
        before: None,
        after: Some(json!({"reserved": added, "note": pulled_note(by)})),
    };
    Ok(Ok(vec![audit.into()]))
}

pub(crate) fn edited(tx: &Transaction<'_>, now: &str, by: &str, b: &PayoutBatchEdited) -> Applied {
    let batch = batch_row(tx, &b.batch_id)?;
    recon_core::payouts::check_editable(batch.status, "edited")
        .map_err(|e| StoreError::Conflict(e.to_string()))?;
    if let Some((entity_type, entity_ref)) = &b.removed_entity {
        tx.execute(
            "DELETE FROM payout_lines WHERE batch_id = ?1 AND entity_id IN
                (SELECT id FROM ledger_entities WHERE entity_type = ?2 AND ref = ?3)",
            params![batch.id, entity_type, entity_ref],
        )?;
    }
    let total = to_minor(b.total, batch.scale).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.execute(
        "UPDATE payout_batches SET notes = ?1, total_minor = ?2, updated_at = ?3 WHERE id = ?4",
        params![b.notes, total, now, batch.id],
    )?;
    let audit = Audit {
        action: "payout.edit",
        entity: "payout_batch",
        entity_id: batch.id.clone(),
        before: Some(json!({"notes": batch.notes, "total_minor": batch.total_minor})),
        after: Some(
            json!({"notes": b.notes, "total_minor": total, "removed": b.removed_entity, "note": pulled_note(by)}),
        ),
    };
    Ok(Ok(vec![audit.into()]))
}

pub(crate) fn deleted(tx: &Transaction<'_>, by: &str, b: &PayoutBatchDeleted) -> Applied {
    if !exists(tx, &b.batch_id)? {
        return Ok(Ok(Vec::new()));
    }
    let batch = batch_row(tx, &b.batch_id)?;
    recon_core::payouts::check_editable(batch.status, "deleted")
        .map_err(|e| StoreError::Conflict(e.to_string()))?;
    tx.execute("DELETE FROM payout_batches WHERE id = ?1", [&batch.id])?;
    let audit = Audit {
        action: "payout.delete",
        entity: "payout_batch",
        entity_id: batch.id.clone(),
        before: Some(json!({"status": batch.status.as_str()})),
        after: Some(json!({"deleted": true, "note": pulled_note(by)})),
    };
    Ok(Ok(vec![audit.into()]))
}

/// The action a transition event names (process and retry both lead to processing).
fn action_of(e: &PayoutBatchTransitioned) -> Result<BatchAction> {
    let to = BatchStatus::parse(&e.to).map_err(|err| StoreError::Invalid(err.to_string()))?;
    let reason = || e.reason.clone().unwrap_or_default();
    Ok(match to {
        BatchStatus::PendingApproval => BatchAction::Submit,
        BatchStatus::Approved => BatchAction::Approve,
        BatchStatus::Rejected => BatchAction::Reject { reason: reason() },
        BatchStatus::Processing if e.from == "failed" => BatchAction::Retry,
        BatchStatus::Processing => BatchAction::Process,
        BatchStatus::Paid => BatchAction::Pay,
        BatchStatus::Failed => BatchAction::Fail { reason: reason() },
        BatchStatus::Draft => {
            return Err(StoreError::Invalid("no move leads back to draft".into()))
        }
    })
}

/// A colleague's move, by the colleague the server authenticated (`by`), through the
/// same rules as a local one. A batch already in the move's target state is left alone.
pub(crate) fn transitioned(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    e: &PayoutBatchTransitioned,
) -> Applied {
    let batch = batch_row(tx, &e.batch_id)?;
    if batch.status.as_str() == e.to {
        return Ok(Ok(Vec::new()));
    }
    let action = action_of(e)?;
    let (_, mut after) = move_batch(tx, &batch, &action, by, now)?;
    after["note"] = json!(pulled_note(by));
    let audit = Audit {
        action: super::moves::action_name(&action),
        entity: "payout_batch",
        entity_id: batch.id.clone(),
        before: Some(json!({"status": batch.status.as_str()})),
        after: Some(after),
    };
    Ok(Ok(vec![audit.into()]))
}

/// Undoes a local move the server refused: the batch goes back to the state the move
/// left, when it is still where the move put it and the move can be taken back (a paid
/// batch's money is final: that one stays, listed, "not undone").
pub(crate) fn undo_transition(
    tx: &Transaction<'_>,
    now: &str,
    e: &PayoutBatchTransitioned,
    reason: &str,
) -> Result<(bool, Vec<RenderedAudit>)> {
    let Ok(batch) = batch_row(tx, &e.batch_id) else {
        return Ok((false, Vec::new()));
    };
    let (Ok(from), true) = (BatchStatus::parse(&e.from), batch.status.as_str() == e.to) else {
        return Ok((false, Vec::new()));
    };
    if batch.status == BatchStatus::Paid {
        return Ok((false, Vec::new()));
    }
    if batch.status == BatchStatus::Rejected {
        // Take the entries back only if no other batch took them meanwhile.
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM payout_entries mine JOIN payout_entries other
                ON other.entry_id = mine.entry_id AND other.reserved = 1 AND other.batch_id <> mine.batch_id
              WHERE mine.batch_id = ?1)",
            [&batch.id],
            |r| r.get(0),
        )?;
        if taken {
            return Ok((false, Vec::new()));
        }
        tx.execute(
            "UPDATE payout_entries SET reserved = 1 WHERE batch_id = ?1",
            [&batch.id],
        )?;
    }
    let note = format!("refused by the server: {reason}");
    let clears_approval = batch.status == BatchStatus::Approved;
    tx.execute(
        "UPDATE payout_batches SET status = ?1, updated_at = ?2,
            approved_by = CASE WHEN ?3 THEN NULL ELSE approved_by END,
            approved_at = CASE WHEN ?3 THEN NULL ELSE approved_at END
         WHERE id = ?4",
        params![from.as_str(), now, clears_approval, batch.id],
    )?;
    record_transition(
        tx,
        &batch.id,
        now,
        crate_actor(),
        Some(batch.status),
        from,
        Some(&note),
    )?;
    let audit = Audit {
        action: "sync.refused",
        entity: "payout_batch",
        entity_id: batch.id.clone(),
        before: Some(json!({"status": batch.status.as_str()})),
        after: Some(json!({"status": from.as_str(), "note": note})),
    };
    Ok((true, vec![audit.into()]))
}

/// Who undoes a refused move in the batch's history: the sync itself.
fn crate_actor() -> &'static str {
    "sync"
}

/// Undoes a local batch the server refused to create: deleted here while it is still a
/// draft or pending approval (its entries released with it), else left and listed.
pub(crate) fn undo_created(
    tx: &Transaction<'_>,
    b: &PayoutBatchCreated,
    reason: &str,
) -> Result<(bool, Vec<RenderedAudit>)> {
    let Ok(batch) = batch_row(tx, &b.batch_id) else {
        return Ok((false, Vec::new()));
    };
    if !batch.status.is_editable() {
        return Ok((false, Vec::new()));
    }
    tx.execute("DELETE FROM payout_batches WHERE id = ?1", [&batch.id])?;
    let audit = Audit {
        action: "sync.refused",
        entity: "payout_batch",
        entity_id: batch.id.clone(),
        before: Some(json!({"status": batch.status.as_str()})),
        after: Some(json!({"deleted": true, "note": format!("refused by the server: {reason}")})),
    };
    Ok((true, vec![audit.into()]))
}

/// Undoes a notes edit the server refused: the notes go back to what the edit replaced
/// (its audit record's `before`), while the batch still carries the refused notes. An
/// edit that removed a line stays "not undone": the line's entries were released and
/// may be in another batch now, so putting them back is a person's call.
pub(crate) fn undo_edited(
    tx: &Transaction<'_>,
    now: &str,
    b: &PayoutBatchEdited,
    reason: &str,
) -> Result<(bool, Vec<RenderedAudit>)> {
    let Ok(batch) = batch_row(tx, &b.batch_id) else {
        return Ok((false, Vec::new()));
    };
    if b.removed_entity.is_some() || batch.notes != b.notes || !batch.status.is_editable() {
        return Ok((false, Vec::new()));
    }
    let before: Option<String> = tx
        .prepare_cached(
            "SELECT json_extract(before, '$.notes') FROM audit_log
              WHERE action = 'payout.batch_edit' AND entity = 'payout_batch' AND entity_id = ?1
                AND json_extract(after, '$.notes') = ?2 AND json_type(before, '$.notes') = 'text'
              ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![batch.id, b.notes], |r| r.get(0))
        .optional()?;
    let Some(before) = before else {
        return Ok((false, Vec::new()));
    };
    tx.execute(
        "UPDATE payout_batches SET notes = ?1, updated_at = ?2 WHERE id = ?3",
        params![before, now, batch.id],
    )?;
    let audit = Audit {
        action: "sync.refused",
        entity: "payout_batch",
        entity_id: batch.id.clone(),
        before: Some(json!({"notes": batch.notes})),
        after: Some(json!({"notes": before, "note": format!("refused by the server: {reason}")})),
    };
    Ok((true, vec![audit.into()]))
}
