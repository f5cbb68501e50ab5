//! The matching side of two-way sync: colleagues' expected payments applied here, and
//! this ledger's expected payments the server refused, undone (cancelled, never deleted).

use super::expected::{created, identity, insert_row, new_record};
use super::records::{expected_with_memo, ExpectedRecord};
use crate::write::{Audit, RenderedAudit};
use crate::{Result, StoreError};
use recon_core::matching::{expected_amount, normalize_memo, ExpectedStatus};
use recon_core::money::Currency;
use recon_sync::matching::{CycleOpened, ExpectedPayment, ExpectedPaymentsAdded};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

/// The audit action of a change the server refused, undone here.
pub(crate) const REFUSED_ACTION: &str = "sync.refused";

fn currency(tx: &Transaction<'_>, code: &str) -> Result<Option<Currency>> {
    Ok(tx
        .prepare_cached("SELECT code, scale, name FROM currencies WHERE code = ?1")?
        .query_row([code], |r| {
            Ok(Currency {
                code: r.get(0)?,
                scale: r.get(1)?,
                name: r.get(2)?,
            })
        })
        .optional()?)
}

pub(super) fn record_of(
    tx: &Transaction<'_>,
    p: &ExpectedPayment,
) -> Result<Result<ExpectedRecord, String>> {
    let Some(currency) = currency(tx, &p.currency)? else {
        return Ok(Err(format!(
            "currency {} is not known on this ledger (add it with `recon currency add`)",
            p.currency
        )));
    };
    let amount = expected_amount(&p.expected_amount.to_string(), &currency)
        .map_err(|e| StoreError::Invalid(format!("expected payment '{}': {e}", p.memo)))?;
    Ok(Ok(new_record(
        uuid::Uuid::new_v4().to_string(),
        &p.cycle_id,
        &p.character_name,
        p.character_id,
        &p.memo,
        amount,
        &currency,
    )))
}

/// Adds a colleague's expected payments (created by `by`). A memo already held with the
/// same payment is a no-op; one this ledger added and the server refused (cancelled
/// here, see [`undo_expected_added`]) takes the colleague's values, which the server
/// accepted; any other difference is a conflict (`Err`), and nothing of the event lands.
/// `Ok(Err(note))`: the event cannot be applied here (an unknown currency).
pub(crate) fn apply_expected_added(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    body: &ExpectedPaymentsAdded,
) -> Result<Result<Vec<RenderedAudit>, String>> {
    let mut audits = Vec::new();
    for payment in &body.payments {
        let record = match record_of(tx, payment)? {
            Ok(record) => record,
            Err(note) => return Ok(Err(note)),
        };
        match expected_with_memo(tx, &record.memo_normalized)? {
            // Refused here first: a refused payment with the very values the server
            // accepted from a colleague must come back too, not stay cancelled.
            Some(held) if refused_here(tx, &held)? => audits.push(adopt(tx, &held, &record)?),
            Some(held) if identity(&held) == identity(&record) => {}
            Some(held) => {
                return Err(StoreError::Conflict(format!(
                "memo '{}' is held here for {} ({} {}, cycle {}); {by}'s says {} ({} {}, cycle {})",
                held.memo,
                held.character_name,
                held.expected.amount_text(),
                held.currency.code,
                held.cycle_id,
                record.character_name,
                record.expected.amount_text(),
                record.currency.code,
                record.cycle_id
            )))
            }
            None => {
                insert_row(tx, by, now, &record)?;
                audits.push(created(&record, by, now));
            }
        }
    }
    Ok(Ok(audits))
}

/// Whether the newest audit record of this payment is the server's refusal of it.
fn refused_here(tx: &Transaction<'_>, held: &ExpectedRecord) -> Result<bool> {
    let newest: Option<String> = tx
        .prepare_cached(
            "SELECT action FROM audit_log WHERE entity = 'expected_payment' AND entity_id = ?1
              ORDER BY id DESC LIMIT 1",
        )?
        .query_row([&held.id], |r| r.get(0))
        .optional()?;
    Ok(held.state.status == ExpectedStatus::Cancelled && newest.as_deref() == Some(REFUSED_ACTION))
}

/// The refused payment takes the values the server accepted from a colleague.
fn adopt(
    tx: &Transaction<'_>,
    held: &ExpectedRecord,
    theirs: &ExpectedRecord,
) -> Result<RenderedAudit> {
    tx.prepare_cached(
        "UPDATE expected_payments SET cycle_id = ?2, character_name = ?3, character_id = ?4,
                memo = ?5, expected_minor = ?6, currency = ?7, status = 'awaiting_payment'
          WHERE id = ?1",
    )?
    .execute(params![
        held.id,
        theirs.cycle_id,
        theirs.character_name,
        theirs.character_id,
        theirs.memo,
        theirs.expected.minor_units(),
        theirs.currency.code
    ])?;
    let mut after = theirs.audit_json();
    after["id"] = json!(held.id);
    Ok(Audit {
        action: "expected.update",
        entity: "expected_payment",
        entity_id: held.id.clone(),
        before: Some(held.audit_json()),
        after: Some(json!({"payment": after, "note": "taken from the server (a colleague's, accepted there)"})),
    }
    .into())
}

/// Undoes expected payments the server refused: each one still awaiting payment with no
/// active link is cancelled (kept, as every cancelled payment is). Returns whether all
/// of them were undone, and the audit records ("refused by the server: REASON").
pub(crate) fn undo_expected_added(
    tx: &Transaction<'_>,
    body: &ExpectedPaymentsAdded,
    reason: &str,
) -> Result<(bool, Vec<RenderedAudit>)> {
    let mut all = true;
    let mut audits = Vec::new();
    for payment in &body.payments {
        let Some(held) = expected_with_memo(tx, &normalize_memo(&payment.memo))? else {
            continue;
        };
        let linked: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM match_links
                                 WHERE expected_id = ?1 AND removed_by_action IS NULL)",
            )?
            .query_row([&held.id], |r| r.get(0))?;
        if linked || held.state.status != ExpectedStatus::AwaitingPayment {
            all = false;
            continue;
        }
        tx.prepare_cached("UPDATE expected_payments SET status = 'cancelled' WHERE id = ?1")?
            .execute([&held.id])?;
        audits.push(
            Audit {
                action: REFUSED_ACTION,
                entity: "expected_payment",
                entity_id: held.id.clone(),
                before: Some(held.audit_json()),
                after: Some(json!({
                    "status": "cancelled",
                    "note": format!("refused by the server: {reason}"),
                })),
            }
            .into(),
        );
    }
    Ok((all, audits))
}

/// Undoes a cycle opening the server refused: the payments it cancelled (still cancelled,
/// still of that cycle) await payment again, as they do on the server. Returns whether all
/// of them were, and the audit records.
pub(crate) fn undo_cycle_opened(
    tx: &Transaction<'_>,
    body: &CycleOpened,
    reason: &str,
) -> Result<(bool, Vec<RenderedAudit>)> {
    let mut all = true;
    let mut audits = Vec::new();
    for memo in &body.cancelled {
        let Some(held) = expected_with_memo(tx, &normalize_memo(memo))? else {
            all = false;
            continue;
        };
        if held.state.status != ExpectedStatus::Cancelled || held.cycle_id != body.cycle_id {
            all = false;
            continue;
        }
        tx.prepare_cached("UPDATE expected_payments SET status = ?2 WHERE id = ?1")?
            .execute([held.id.as_str(), ExpectedStatus::AwaitingPayment.as_str()])?;
        audits.push(
            Audit {
                action: REFUSED_ACTION,
                entity: "expected_payment",
                entity_id: held.id.clone(),
                before: Some(held.audit_json()),
                after: Some(json!({
                    "status": ExpectedStatus::AwaitingPayment.as_str(),
                    "note": format!("refused by the server: {reason}"),
                })),
            }
            .into(),
        );
    }
    Ok((all, audits))
}
