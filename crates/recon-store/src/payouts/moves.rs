//! A batch's state transitions (§7), each one write: the core's `transition` decides, this
//! records the new state, who and why, and pays a batch in one transaction (its entries
//! paid with the batch id, the payout posted and balanced).

use super::{batch_full, batch_lines, batch_row, conflict, record_transition, BatchRow, BatchView};
use crate::ledger::{account_id, check_balanced, insert_lines, next_txn_id};
use crate::write::{Audit, Change};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::ledger::postings::payout_lines;
use recon_core::ledger::{EntityType, Line};
use recon_core::money::{Currency, Money};
use recon_core::payouts::{transition, BatchAction, BatchFacts, BatchStatus};
use recon_sync::payouts::PayoutBatchTransitioned;
use recon_sync::EventBody;
use rusqlite::{params, Transaction};
use serde_json::json;

/// Posts the payout of batch `b`: debit each line's entity liability, credit
/// `system:payouts`; marks every entry the batch holds paid. Returns the transaction id.
fn post_payout(tx: &Transaction<'_>, b: &BatchRow) -> Result<i64> {
    let currency = Currency {
        code: b.currency.clone(),
        scale: b.scale,
        name: String::new(),
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut expected_entries = 0u64;
    for l in batch_lines(tx, &b.id, false)? {
        let entity_type = EntityType::parse(&l.entity_type).map_err(StoreError::Invalid)?;
        lines.extend(payout_lines(
            entity_type,
            &l.entity_ref,
            &Money::from_minor(l.amount_minor, &currency),
        ));
        expected_entries += l.entries;
    }
    check_balanced(&lines, &format!("the payout of batch {}", b.id))?;
    let paid_total: i64 = lines.iter().map(|l| l.amount_minor.max(0)).sum();
    if paid_total != b.total_minor {
        return Err(StoreError::Invalid(format!(
            "internal error: batch {} lines sum to {paid_total}, its total is {} (minor units); nothing was written",
            b.id, b.total_minor
        )));
    }
    let txn_id = next_txn_id(tx)?;
    insert_lines(tx, txn_id, 1, &lines, &mut account_id)?;
    let paid = tx
        .prepare_cached(
            "UPDATE ledger_entries SET status = 'paid', payout_batch = ?1
             WHERE id IN (SELECT entry_id FROM payout_entries WHERE batch_id = ?1 AND reserved = 1)",
        )?
        .execute([&b.id])?;
    if paid as u64 != expected_entries {
        return Err(StoreError::Invalid(format!(
            "internal error: batch {} holds {expected_entries} entries but {paid} became paid; nothing was written",
            b.id
        )));
    }
    Ok(txn_id)
}

/// Moves batch `b` by `action` as `actor` at `at` inside `tx` — the core's `transition`
/// decides — and records the move; the new state and the audit `after`. Shared by a local
/// action and a colleague's move pulled from the server, so both follow the same rules.
pub(crate) fn move_batch(
    tx: &Transaction<'_>,
    b: &BatchRow,
    action: &BatchAction,
    actor: &str,
    at: &str,
) -> Result<(BatchStatus, serde_json::Value)> {
    let facts = BatchFacts {
        status: b.status,
        created_by: &b.created_by,
    };
    let to = transition(&facts, action, actor).map_err(conflict)?;
    let reason = match action {
        BatchAction::Reject { reason } | BatchAction::Fail { reason } => Some(reason.trim()),
        _ => None,
    };
    let mut after = json!({"status": to.as_str(), "reason": reason});
    let (mut approved, mut paid) = (None, None);
    match to {
        BatchStatus::Approved => {
            approved = Some(actor);
            after["approved_by"] = json!(actor);
        }
        BatchStatus::Rejected => {
            // Why: a rejected batch keeps its lines as history but holds nothing.
            tx.execute(
                "UPDATE payout_entries SET reserved = NULL WHERE batch_id = ?1",
                [&b.id],
            )?;
            after["released_entries"] = json!(true);
        }
        BatchStatus::Paid => {
            let txn_id = post_payout(tx, b)?;
            paid = Some(txn_id);
            after["paid_by"] = json!(actor);
            after["paid_at"] = json!(at);
            after["transaction"] = json!(txn_id);
        }
        _ => {}
    }
    // One UPDATE: a paid batch is never changed again (trigger), so it is written whole.
    tx.prepare_cached(
        "UPDATE payout_batches SET status = ?1, updated_at = ?2, reason = COALESCE(?3, reason),
            approved_by = COALESCE(?4, approved_by), approved_at = CASE WHEN ?4 IS NULL THEN approved_at ELSE ?2 END,
            paid_by = CASE WHEN ?5 IS NULL THEN paid_by ELSE ?6 END,
            paid_at = CASE WHEN ?5 IS NULL THEN paid_at ELSE ?2 END, txn_id = COALESCE(?5, txn_id)
         WHERE id = ?7",
    )?
    .execute(params![to.as_str(), at, reason, approved, paid, actor, b.id])?;
    record_transition(tx, &b.id, at, actor, Some(b.status), to, reason)?;
    Ok((to, after))
}

impl Store {
    /// Moves batch `id` by `action` as `actor` (submit, approve, reject, process, pay, fail,
    /// retry), or refuses with the core's reason naming both states.
    pub fn payout_transition(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        id: &str,
        action: &BatchAction,
    ) -> Result<BatchView> {
        self.write(actor, now, |tx| {
            let b = batch_row(tx, id)?;
            let at = timestamp(now);
            let (to, after) = move_batch(tx, &b, action, actor, &at)?;
            let reason = match action {
                BatchAction::Reject { reason } | BatchAction::Fail { reason } => {
                    Some(reason.trim())
                }
                _ => None,
            };
            let audit = Audit {
                action: action_name(action),
                entity: "payout_batch",
                entity_id: b.id.clone(),
                before: Some(json!({"status": b.status.as_str()})),
                after: Some(after),
            };
            let event = EventBody::PayoutBatchTransitioned(PayoutBatchTransitioned {
                batch_id: b.id.clone(),
                from: b.status.as_str().into(),
                to: to.as_str().into(),
                actor: actor.to_owned(),
                reason: reason.map(str::to_owned),
                paid_at: (to == BatchStatus::Paid).then(|| at.clone()),
            });
            Ok(Change::synced(batch_full(tx, &b.id)?, audit, vec![event]))
        })
    }
}

pub(crate) fn action_name(action: &BatchAction) -> &'static str {
    match action {
        BatchAction::Submit => "payout.submit",
        BatchAction::Approve => "payout.approve",
        BatchAction::Reject { .. } => "payout.reject",
        BatchAction::Process => "payout.process",
        BatchAction::Pay => "payout.pay",
        BatchAction::Fail { .. } => "payout.fail",
        BatchAction::Retry => "payout.retry",
    }
}
