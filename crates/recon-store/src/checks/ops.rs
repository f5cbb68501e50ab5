//! Wallet operations (lock, spend, release, refund), each applied once per reference.

use super::imports::{transaction_row, wire_transaction};
use super::{decimal, WorkspaceWallet};
use crate::write::{Audit, Change};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::checks::ops::{apply_op, WalletBalances, WalletOp};
use recon_core::checks::platform_file::WalletTransaction;
use recon_core::money::{parse_exact, Currency};
use recon_sync::checks as wire;
use recon_sync::EventBody;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

/// An operation to record: `amount` is decimal text at the wallet's currency scale.
#[derive(Debug, Clone, Copy)]
pub struct WalletOpRequest<'a> {
    pub op: WalletOp,
    pub wallet_id: &'a str,
    pub amount: &'a str,
    pub reference_type: &'a str,
    pub reference_id: &'a str,
}

/// What recording an operation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpOutcome {
    /// False when the same operation was recorded for this reference before.
    pub applied: bool,
    /// The transaction that records it (the earlier one when not applied now).
    pub transaction_id: String,
}

pub(super) fn load_wallet(tx: &Transaction<'_>, wallet_id: &str) -> Result<(WorkspaceWallet, i64)> {
    tx.prepare_cached(
        "SELECT w.workspace_id, w.wallet_id, w.currency, c.scale, w.balance_minor, w.locked_minor, w.as_of, w.version
         FROM workspace_wallets w JOIN currencies c ON c.code = w.currency WHERE w.wallet_id = ?1",
    )?
    .query_row([wallet_id], |r| {
        Ok((
            WorkspaceWallet {
                workspace_id: r.get(0)?,
                wallet_id: r.get(1)?,
                currency: r.get(2)?,
                scale: r.get(3)?,
                balance_minor: r.get(4)?,
                locked_minor: r.get(5)?,
                as_of: r.get(6)?,
            },
            r.get(7)?,
        ))
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "workspace wallet",
        name: wallet_id.to_string(),
    })
}

pub(super) fn set_balances(tx: &Transaction<'_>, wallet_id: &str, b: WalletBalances) -> Result<()> {
    tx.prepare_cached("UPDATE workspace_wallets SET balance_minor = ?2, locked_minor = ?3, version = version + 1 WHERE wallet_id = ?1")?
        .execute(params![wallet_id, b.balance_minor, b.locked_minor])?;
    Ok(())
}

impl Store {
    /// Records `op` of `amount` on a workspace wallet for (reference type, reference id).
    /// A second call for the same reference changes nothing (`applied: false`), also from
    /// another process at the same moment; one with another wallet or amount is refused.
    pub fn record_wallet_op(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        request: &WalletOpRequest<'_>,
    ) -> Result<OpOutcome> {
        let WalletOpRequest {
            op,
            wallet_id,
            amount,
            ..
        } = *request;
        let (reference_type, reference_id) =
            (request.reference_type.trim(), request.reference_id.trim());
        if reference_type.is_empty() || reference_id.is_empty() {
            return Err(StoreError::Invalid(
                "an operation needs a reference type and a reference id".into(),
            ));
        }
        self.write(actor, now, |tx| {
            let (wallet, _) = load_wallet(tx, wallet_id)?;
            let currency = Currency::new(&wallet.currency, wallet.scale, "")
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            let value = parse_exact(amount, &currency)
                .map_err(|e| StoreError::Invalid(format!("--amount: {e}")))?;
            let amount_minor = recon_core::money::to_minor(value, wallet.scale)
                .map_err(|e| StoreError::Invalid(format!("--amount: {e}")))?;
            let tx_type = op.transaction_type();
            let held: Option<(String, String, i64)> = tx
                .prepare_cached("SELECT id, wallet_id, amount_minor FROM wallet_transactions WHERE type = ?1 AND reference_type = ?2 AND reference_id = ?3")?
                .query_row(params![tx_type, reference_type, reference_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            if let Some((id, held_wallet, held_amount)) = held {
                if held_wallet != wallet.wallet_id || held_amount != amount_minor {
                    return Err(StoreError::Conflict(format!(
                        "{} {reference_type} {reference_id} was already applied to wallet {held_wallet} for {} (transaction {id}); nothing was changed",
                        op.as_str(), decimal(held_amount, wallet.scale)
                    )));
                }
                return Ok(Change::unchanged(OpOutcome { applied: false, transaction_id: id }));
            }
            let before = wallet.balances();
            let after = apply_op(before, op, amount_minor)
                .map_err(|e| StoreError::Invalid(format!("wallet {wallet_id}: {e}")))?;
            let row = WalletTransaction {
                place: String::new(),
                transaction_id: uuid::Uuid::new_v4().to_string(),
                wallet_id: wallet.wallet_id.clone(),
                tx_type,
                amount_minor,
                reference_type: Some(reference_type.to_string()),
                reference_id: Some(reference_id.to_string()),
                created_at: timestamp(now),
            };
            transaction_row(tx, &row, "operation", None)?;
            if after != before {
                set_balances(tx, &wallet.wallet_id, after)?;
            }
            let show = |b: WalletBalances| json!({
                "balance": decimal(b.balance_minor, wallet.scale).to_string(),
                "locked_balance": decimal(b.locked_minor, wallet.scale).to_string(),
            });
            let audit = Audit {
                action: "wallet.operation",
                entity: "workspace_wallet",
                entity_id: wallet.wallet_id.clone(),
                before: Some(show(before)),
                after: Some(json!({
                    "operation": op.as_str(), "transaction_id": row.transaction_id,
                    "amount": decimal(amount_minor, wallet.scale).to_string(),
                    "reference_type": reference_type, "reference_id": reference_id,
                    "balances": show(after),
                })),
            };
            let event = EventBody::WalletOperationRecorded(wire::WalletOperationRecorded {
                operation: op.as_str().to_string(),
                transaction: wire_transaction(&row, &currency),
                balance_after: decimal(after.balance_minor, wallet.scale),
                locked_after: decimal(after.locked_minor, wallet.scale),
            });
            let outcome = OpOutcome { applied: true, transaction_id: row.transaction_id };
            Ok(Change::synced(outcome, audit, vec![event]))
        })
    }

    /// The workspace wallets, by workspace then wallet id.
    pub fn workspace_wallets(&self) -> Result<Vec<WorkspaceWallet>> {
        let mut stmt = self.conn.prepare(
            "SELECT w.workspace_id, w.wallet_id, w.currency, c.scale, w.balance_minor, w.locked_minor, w.as_of
             FROM workspace_wallets w JOIN currencies c ON c.code = w.currency
             ORDER BY w.workspace_id, w.wallet_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(WorkspaceWallet {
                workspace_id: r.get(0)?,
                wallet_id: r.get(1)?,
                currency: r.get(2)?,
                scale: r.get(3)?,
                balance_minor: r.get(4)?,
                locked_minor: r.get(5)?,
                as_of: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
