//! A colleague's `expected_payment_edited`, pulled (issue 12): the payment (found by the
//! memo it had, `renamed_from`) takes the edited memo, amount and payer, through the same
//! rule as a local edit (`recon_core::matching::check_editable`: only while it awaits
//! payment here). A colleague's cancellation travels as an edit with status `cancelled`
//! and cancels it here too. Applying it twice changes nothing. While this ledger's own
//! change of the payment is unanswered the event is held (`sync_keys.rs`).

use super::records::{expected_with_memo, ExpectedRecord};
use super::remote::record_of;
use crate::write::{Audit, RenderedAudit};
use crate::{Result, StoreError};
use recon_core::matching::{check_editable, ExpectedIdentity, ExpectedStatus};
use recon_sync::matching::ExpectedPaymentEdited;
use rusqlite::{params, Transaction};
use serde_json::json;

/// What an edit decides: the values and whether it cancels.
fn wanted<'a>(theirs: &'a ExpectedRecord) -> (ExpectedIdentity<'a>, &'a str) {
    (
        ExpectedIdentity {
            cycle_id: &theirs.cycle_id,
            character_name: &theirs.character_name,
            character_id: theirs.character_id,
            amount: &theirs.expected,
        },
        &theirs.memo,
    )
}

fn held_matches(held: &ExpectedRecord, theirs: &ExpectedRecord, cancels: bool) -> bool {
    let (identity, memo) = wanted(theirs);
    let now = ExpectedIdentity {
        cycle_id: &held.cycle_id,
        character_name: &held.character_name,
        character_id: held.character_id,
        amount: &held.expected,
    };
    now == identity
        && held.memo == memo
        && (!cancels || held.state.status == ExpectedStatus::Cancelled)
}

pub(crate) fn apply_expected_edited(
    tx: &Transaction<'_>,
    by: &str,
    body: &ExpectedPaymentEdited,
) -> Result<std::result::Result<Vec<RenderedAudit>, String>> {
    let theirs = match record_of(tx, &body.payment)? {
        Ok(record) => record,
        Err(note) => return Ok(Err(note)),
    };
    let cancels = body.payment.status == ExpectedStatus::Cancelled.as_str();
    let old = body.renamed_from.as_deref().unwrap_or(&body.payment.memo);
    let held = match expected_with_memo(tx, &recon_core::matching::normalize_memo(old))? {
        Some(held) => held,
        None => match expected_with_memo(tx, &theirs.memo_normalized)? {
            // Renamed already: this edit was applied before.
            Some(held) if held_matches(&held, &theirs, cancels) => return Ok(Ok(Vec::new())),
            _ => {
                return Err(StoreError::NotFound {
                    what: "expected payment",
                    name: old.to_owned(),
                })
            }
        },
    };
    if held_matches(&held, &theirs, cancels) {
        return Ok(Ok(Vec::new()));
    }
    check_editable(&held.memo, held.state.status)
        .map_err(|e| StoreError::Conflict(format!("{e} (here); {by} edited it")))?;
    if held.currency.code != theirs.currency.code {
        return Err(StoreError::Conflict(format!(
            "'{}' is held here in {}; {by}'s edit says {}",
            held.memo, held.currency.code, theirs.currency.code
        )));
    }
    if theirs.memo_normalized != held.memo_normalized {
        if let Some(other) = expected_with_memo(tx, &theirs.memo_normalized)? {
            return Err(StoreError::Conflict(format!(
                "{by} renamed '{}' to '{}', which this ledger holds as another payment ('{}')",
                held.memo, theirs.memo, other.memo
            )));
        }
    }
    // A payment awaiting payment has no active link (a link confirms it), so cancelling
    // it leaves no link behind.
    let status = if cancels {
        ExpectedStatus::Cancelled
    } else {
        held.state.status
    };
    tx.prepare_cached(
        "UPDATE expected_payments SET expected_minor = ?2, character_id = ?3, memo = ?4,
            memo_normalized = ?5, character_name = ?6, cycle_id = ?7, status = ?8 WHERE id = ?1",
    )?
    .execute(params![
        held.id,
        theirs.expected.minor_units(),
        theirs.character_id,
        theirs.memo,
        theirs.memo_normalized,
        theirs.character_name,
        theirs.cycle_id,
        status.as_str(),
    ])?;
    let mut after = held.clone();
    after.expected = theirs.expected.clone();
    after.character_id = theirs.character_id;
    after.memo = theirs.memo.clone();
    after.memo_normalized = theirs.memo_normalized.clone();
    after.character_name = theirs.character_name.clone();
    after.cycle_id = theirs.cycle_id.clone();
    after.state.status = status;
    let mut after_json = after.audit_json();
    after_json["note"] = json!(format!("pulled from the server: {by}'s change"));
    Ok(Ok(vec![Audit {
        action: if cancels {
            "expected.cancel"
        } else {
            "expected.edit"
        },
        entity: "expected_payment",
        entity_id: held.id.clone(),
        before: Some(held.audit_json()),
        after: Some(after_json),
    }
    .into()]))
}
