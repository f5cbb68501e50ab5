//! Colleagues' wallet-check changes pulled from the server (issue 12), applied here with
//! this ledger's own rules (`recon_core::checks`): platform imports (by the same row
//! functions a local import uses), operations (`apply_op`, once per reference), check
//! runs (kept in the history with their counts; the per-wallet report stays on the
//! colleague's laptop) and their fixes (`check_adjustment` against this ledger's wallet
//! and activations). Applying one twice changes nothing; one that disagrees with what
//! this ledger holds fails with `StoreError::Conflict` / `Invalid` and the caller keeps it
//! as not applied. Audit records say whose change it was; no outbox event (the server has
//! it already).
//!
//! Refusals ([`undo_refused`]): a refused operation or fix of this ledger is taken back
//! (its transaction removed, the balances restored with `undo_transaction`) while the
//! wallet's money allows it. Refused platform imports and check runs are *not undone*:
//! they are what the platform's file said, or a record of a check that ran, and stay
//! listed under Needs attention for a person to compare.

use super::decimal;
use super::imports::{activation_row, snapshot_row, transaction_row, SnapshotOutcome};
use super::ops::{load_wallet, set_balances};
use crate::ledger::remote::Applied;
use crate::write::{Audit, RenderedAudit};
use crate::{Result, StoreError};
use recon_core::checks::ops::TRANSACTION_TYPES;
use recon_core::checks::ops::{
    apply_op, check_adjustment, undo_transaction, WalletBalances, WalletOp,
};
use recon_core::checks::platform_file::{self as file, ACTIVATION_STATUSES};
use recon_core::money::to_minor;
use recon_sync::checks as wire;
use recon_sync::EventBody;
use rusqlite::{params, OptionalExtension, Transaction};
use rust_decimal::Decimal;
use serde_json::json;

fn pulled_note(by: &str) -> String {
    format!("pulled from the server: {by}'s change")
}

fn scale_of(tx: &Transaction<'_>, code: &str) -> Result<u8> {
    tx.prepare_cached("SELECT scale FROM currencies WHERE code = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "currency",
            name: code.to_string(),
        })
}

fn minor(amount: Decimal, scale: u8, what: &str) -> Result<i64> {
    to_minor(amount, scale)
        .map_err(|e| StoreError::Invalid(format!("{what}: {amount} at scale {scale}: {e}")))
}

/// The platform's name for a type or status, as the row functions keep it.
fn known(list: &[&'static str], text: &str, what: &str) -> Result<&'static str> {
    list.iter()
        .find(|s| **s == text)
        .copied()
        .ok_or_else(|| StoreError::Invalid(format!("{what} '{text}' is not known here")))
}

fn import_audit(kind: &str, file: &str, rows: usize, changed: i64, by: &str) -> RenderedAudit {
    Audit {
        action: "checks.import",
        entity: "platform_file",
        entity_id: file.to_string(),
        before: None,
        after: Some(
            json!({"kind": kind, "file": file, "read": rows, "changed": changed,
            "note": pulled_note(by)}),
        ),
    }
    .into()
}

pub(crate) fn wallets_imported(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &wire::WorkspaceWalletsImported,
) -> Applied {
    let mut audits = Vec::new();
    let mut changed = 0;
    for w in &b.wallets {
        let scale = scale_of(tx, &w.currency)?;
        let row = file::WalletSnapshot {
            place: format!("wallet {}", w.wallet_id),
            workspace_id: w.workspace_id.clone(),
            wallet_id: w.wallet_id.clone(),
            currency: w.currency.clone(),
            balance_minor: minor(w.balance, scale, "balance")?,
            locked_minor: minor(w.locked_balance, scale, "locked balance")?,
            as_of: w.as_of.clone(),
        };
        match snapshot_row(tx, &row, now)? {
            SnapshotOutcome::Unchanged => continue,
            SnapshotOutcome::Updated(audit) => audits.push(audit.into()),
            SnapshotOutcome::Inserted | SnapshotOutcome::HistoryOnly => {}
        }
        changed += 1;
    }
    if changed > 0 {
        audits.insert(
            0,
            import_audit("workspace_wallets", &b.file, b.wallets.len(), changed, by),
        );
    }
    Ok(Ok(audits))
}

pub(crate) fn activations_imported(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &wire::ActivationsImported,
) -> Applied {
    let mut audits = Vec::new();
    let mut changed = 0;
    for a in &b.activations {
        let scale = scale_of(tx, &a.currency)?;
        let row = file::Activation {
            place: format!("activation {}", a.activation_id),
            activation_id: a.activation_id.clone(),
            workspace_id: a.workspace_id.clone(),
            status: known(&ACTIVATION_STATUSES, &a.status, "activation status")?,
            total_budget_minor: minor(a.total_budget, scale, "total budget")?,
            spent_minor: minor(a.spent_amount, scale, "spent amount")?,
            currency: a.currency.clone(),
        };
        match activation_row(tx, &row, scale, now)? {
            None => continue,
            Some(Some(audit)) => audits.push(audit.into()),
            Some(None) => {}
        }
        changed += 1;
    }
    if changed > 0 {
        audits.insert(
            0,
            import_audit("activations", &b.file, b.activations.len(), changed, by),
        );
    }
    Ok(Ok(audits))
}

/// The wire transaction as a row of this ledger, in minor units of its wallet.
fn row_of(
    tx: &Transaction<'_>,
    t: &wire::WalletTransaction,
) -> Result<(file::WalletTransaction, u8)> {
    let (wallet, _) = load_wallet(tx, &t.wallet_id)?;
    if wallet.currency != t.currency {
        return Err(StoreError::Conflict(format!(
            "transaction {} is in {}, but wallet {} holds {} here",
            t.transaction_id, t.currency, t.wallet_id, wallet.currency
        )));
    }
    let row = file::WalletTransaction {
        place: format!("transaction {}", t.transaction_id),
        transaction_id: t.transaction_id.clone(),
        wallet_id: t.wallet_id.clone(),
        tx_type: known(&TRANSACTION_TYPES, &t.tx_type, "transaction type")?,
        amount_minor: minor(t.amount, wallet.scale, "amount")?,
        reference_type: t.reference_type.clone(),
        reference_id: t.reference_id.clone(),
        created_at: t.created_at.clone(),
    };
    Ok((row, wallet.scale))
}

pub(crate) fn transactions_imported(
    tx: &Transaction<'_>,
    by: &str,
    b: &wire::WalletTransactionsImported,
) -> Applied {
    let mut changed = 0;
    for t in &b.transactions {
        let (row, _) = row_of(tx, t)?;
        if transaction_row(tx, &row, "import", None)? {
            changed += 1;
        }
    }
    let audits = if changed > 0 {
        vec![import_audit(
            "wallet_transactions",
            &b.file,
            b.transactions.len(),
            changed,
            by,
        )]
    } else {
        Vec::new()
    };
    Ok(Ok(audits))
}

/// Whether this ledger holds the (type, reference) of `row` already: `true` with the same
/// wallet and amount (nothing to do), a conflict with others, `false` when it does not.
fn held_once(tx: &Transaction<'_>, row: &file::WalletTransaction) -> Result<bool> {
    let (Some(rt), Some(ri)) = (&row.reference_type, &row.reference_id) else {
        return Ok(false);
    };
    let held: Option<(String, String, i64)> = tx
        .prepare_cached("SELECT id, wallet_id, amount_minor FROM wallet_transactions WHERE type = ?1 AND reference_type = ?2 AND reference_id = ?3")?
        .query_row(params![row.tx_type, rt, ri], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    match held {
        None => Ok(false),
        Some((_, wallet, amount)) if wallet == row.wallet_id && amount == row.amount_minor => {
            Ok(true)
        }
        Some((id, wallet, amount)) => Err(StoreError::Conflict(format!(
            "{} {rt} {ri} is recorded here on wallet {wallet} for {amount} minor units \
             (transaction {id})",
            row.tx_type
        ))),
    }
}

fn balances_json(b: WalletBalances, scale: u8) -> serde_json::Value {
    json!({"balance": decimal(b.balance_minor, scale).to_string(),
        "locked_balance": decimal(b.locked_minor, scale).to_string()})
}

pub(crate) fn operation_recorded(
    tx: &Transaction<'_>,
    by: &str,
    b: &wire::WalletOperationRecorded,
) -> Applied {
    let op = WalletOp::parse(&b.operation)
        .ok_or_else(|| StoreError::Invalid(format!("operation '{}'", b.operation)))?;
    let (row, scale) = row_of(tx, &b.transaction)?;
    if held_once(tx, &row)? || !transaction_row(tx, &row, "operation", None)? {
        return Ok(Ok(Vec::new()));
    }
    let (wallet, _) = load_wallet(tx, &row.wallet_id)?;
    let before = wallet.balances();
    let after = apply_op(before, op, row.amount_minor)
        .map_err(|e| StoreError::Invalid(format!("wallet {}: {e}", row.wallet_id)))?;
    if after != before {
        set_balances(tx, &row.wallet_id, after)?;
    }
    let audit = Audit {
        action: "wallet.operation",
        entity: "workspace_wallet",
        entity_id: row.wallet_id.clone(),
        before: Some(balances_json(before, scale)),
        after: Some(json!({
            "operation": op.as_str(), "transaction_id": row.transaction_id,
            "amount": decimal(row.amount_minor, scale).to_string(),
            "reference_type": row.reference_type, "reference_id": row.reference_id,
            "balances": balances_json(after, scale), "note": pulled_note(by),
        })),
    };
    Ok(Ok(vec![audit.into()]))
}

pub(crate) fn check_run(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &wire::WalletCheckRun,
) -> Applied {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    // The colleague's report stays on their laptop: this ledger keeps the run's counts.
    let added = tx
        .prepare_cached(
            "INSERT INTO check_runs (id, at, actor, workspace, fix, threshold, wallets, synced, discrepancies, warnings, to_review, fixable, fixed)
             VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8, 0, ?9, 0, ?10) ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![b.run_id, now, by, b.workspace, b.fixed > 0, n(b.wallets), n(b.synced),
            n(b.discrepancies), n(b.to_review), n(b.fixed)])?;
    if added == 0 {
        return Ok(Ok(Vec::new()));
    }
    let audit = Audit {
        action: "check.run",
        entity: "check_run",
        entity_id: b.run_id.clone(),
        before: None,
        after: Some(json!({
            "workspace": b.workspace, "wallets": b.wallets, "synced": b.synced,
            "discrepancies": b.discrepancies, "to_review": b.to_review, "fixed": b.fixed,
            "note": pulled_note(by),
        })),
    };
    Ok(Ok(vec![audit.into()]))
}

/// Σ (total budget − spent) of the live and draft activations of the wallet's workspace.
fn expected_locked(tx: &Transaction<'_>, workspace: &str, currency: &str) -> Result<i64> {
    Ok(tx
        .prepare_cached(
            "SELECT COALESCE(SUM(total_budget_minor - spent_minor), 0) FROM activations
             WHERE workspace_id = ?1 AND currency = ?2 AND (status = 'live' OR status = 'draft')",
        )?
        .query_row([workspace, currency], |r| r.get(0))?)
}

pub(crate) fn adjusted(tx: &Transaction<'_>, by: &str, b: &wire::WalletAdjusted) -> Applied {
    let (row, scale) = row_of(tx, &b.transaction)?;
    if held_once(tx, &row)? {
        return Ok(Ok(Vec::new()));
    }
    let run_known: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM check_runs WHERE id = ?1)")?
        .query_row([&b.run_id], |r| r.get(0))?;
    if !run_known {
        return Err(StoreError::NotFound {
            what: "check run",
            name: b.run_id.clone(),
        });
    }
    let (wallet, _) = load_wallet(tx, &row.wallet_id)?;
    let before = wallet.balances();
    let expected = expected_locked(tx, &wallet.workspace_id, &wallet.currency)?;
    let after = check_adjustment(before, expected, row.amount_minor)
        .map_err(|e| StoreError::Conflict(format!("fix of wallet {}: {e}", row.wallet_id)))?;
    if !transaction_row(tx, &row, "check_fix", Some(&b.run_id))? {
        return Ok(Ok(Vec::new()));
    }
    set_balances(tx, &row.wallet_id, after)?;
    let audit = Audit {
        action: "check.fix",
        entity: "workspace_wallet",
        entity_id: row.wallet_id.clone(),
        before: Some(balances_json(before, scale)),
        after: Some(json!({
            "balances": balances_json(after, scale),
            "adjustment": decimal(row.amount_minor, scale).to_string(),
            "transaction_id": row.transaction_id, "run_id": b.run_id,
            "expected_locked": decimal(expected, scale).to_string(), "note": pulled_note(by),
        })),
    };
    Ok(Ok(vec![audit.into()]))
}

/// Undoes this ledger's operation or fix the server refused: its transaction removed and
/// the wallet's balances put back, audited "refused by the server: REASON". `false` (not
/// undone) for the other wallet-check kinds, for a transaction no longer held, and when
/// the money has moved on so that taking it back would drive a balance below zero.
pub(crate) fn undo_refused(
    tx: &Transaction<'_>,
    body: &EventBody,
    reason: &str,
) -> Result<(bool, Vec<RenderedAudit>)> {
    let t = match body {
        EventBody::WalletOperationRecorded(b) => &b.transaction,
        EventBody::WalletAdjusted(b) => &b.transaction,
        _ => return Ok((false, Vec::new())),
    };
    let held: Option<(String, i64)> = tx
        .prepare_cached("SELECT type, amount_minor FROM wallet_transactions WHERE id = ?1")?
        .query_row([&t.transaction_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((tx_type, amount_minor)) = held else {
        return Ok((false, Vec::new()));
    };
    let (wallet, _) = load_wallet(tx, &t.wallet_id)?;
    let now = wallet.balances();
    let Some(back) = undo_transaction(now, &tx_type, amount_minor) else {
        return Ok((false, Vec::new()));
    };
    tx.prepare_cached("DELETE FROM wallet_transactions WHERE id = ?1")?
        .execute([&t.transaction_id])?;
    if back != now {
        set_balances(tx, &t.wallet_id, back)?;
    }
    let audit = Audit {
        action: "sync.refused",
        entity: "workspace_wallet",
        entity_id: t.wallet_id.clone(),
        before: Some(json!({"balances": balances_json(now, wallet.scale),
            "transaction_id": t.transaction_id, "type": tx_type})),
        after: Some(json!({"balances": balances_json(back, wallet.scale),
            "note": format!("refused by the server: {reason}")})),
    };
    Ok((true, vec![audit.into()]))
}

#[cfg(test)]
#[path = "remote_tests.rs"]
mod tests;
