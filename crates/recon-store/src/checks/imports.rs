//! Imports of the platform's exports: workspace wallets (snapshots), activations and
//! wallet transactions. Each file is read whole first (a bad cell refuses it, naming line
//! and column), then written in one transaction, idempotent on the platform's ids.

use super::decimal;
use crate::write::{Audit, Change};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::checks::platform_file::{
    read_activations, read_transactions, read_wallets, Activation, FileError, WalletSnapshot,
    WalletTransaction,
};
use recon_core::money::Currency;
use recon_sync::checks as wire;
use recon_sync::EventBody;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// What an import did (see `recon_api::PlatformImportDto`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformImportSummary {
    pub kind: &'static str,
    pub file: String,
    pub read: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub history_only: i64,
}

fn bad_file(file: &str, e: FileError) -> StoreError {
    StoreError::Invalid(format!("{file}: {e}"))
}

fn conflict(file: &str, place: &str, why: String) -> StoreError {
    StoreError::Conflict(format!("{file}: {place}: {why}; nothing was imported"))
}

/// The change of an import: one audit record for the file, one per row it changed,
/// and the rows the server must learn of in bounded events.
fn import_change(
    summary: PlatformImportSummary,
    bytes: &[u8],
    row_audits: Vec<Audit>,
    events: Vec<EventBody>,
) -> Change<PlatformImportSummary> {
    if summary.inserted + summary.updated + summary.history_only == 0 {
        return Change::unchanged(summary);
    }
    let audit = Audit {
        action: "checks.import",
        entity: "platform_file",
        entity_id: hex::encode(Sha256::digest(bytes)),
        before: None,
        after: Some(json!({
            "kind": summary.kind, "file": summary.file, "read": summary.read,
            "inserted": summary.inserted, "updated": summary.updated,
            "unchanged": summary.unchanged, "history_only": summary.history_only,
        })),
    };
    Change::synced(summary, audit, events).and_audits(row_audits)
}

fn currency_map(store: &Store) -> Result<HashMap<String, Currency>> {
    Ok(store
        .currencies()?
        .into_iter()
        .map(|c| (c.code.clone(), c))
        .collect())
}

fn ensure_workspace(tx: &Transaction<'_>, id: &str, now: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO workspaces (id, created_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?
    .execute(params![id, now])?;
    Ok(())
}

impl Store {
    /// Imports workspace wallet snapshots: a wallet's first snapshot creates it, a newer
    /// one replaces its balances, an older one is kept in the history only.
    pub fn import_workspace_wallets(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        file: &str,
        bytes: &[u8],
    ) -> Result<PlatformImportSummary> {
        let currencies = currency_map(self)?;
        let rows =
            read_wallets(bytes, &|c| currencies.get(c).cloned()).map_err(|e| bad_file(file, e))?;
        self.write(actor, now, |tx| {
            let mut summary = PlatformImportSummary {
                kind: "workspace_wallets",
                file: file.to_string(),
                read: rows.len() as i64,
                ..Default::default()
            };
            let mut audits = Vec::new();
            let mut new_rows = Vec::new();
            for row in &rows {
                let outcome = snapshot_row(tx, row, &timestamp(now)).map_err(|e| match e {
                    StoreError::Conflict(why) => conflict(file, &row.place, why),
                    other => other,
                })?;
                match outcome {
                    SnapshotOutcome::Unchanged => {
                        summary.unchanged += 1;
                        continue;
                    }
                    SnapshotOutcome::Inserted => summary.inserted += 1,
                    SnapshotOutcome::HistoryOnly => summary.history_only += 1,
                    SnapshotOutcome::Updated(audit) => {
                        summary.updated += 1;
                        audits.push(audit);
                    }
                }
                // Every snapshot the ledger did not already hold travels to the server.
                new_rows.push(wire_snapshot(row, &currencies[&row.currency]));
            }
            let events = new_rows
                .chunks(wire::MAX_ROWS_PER_EVENT)
                .map(|c| {
                    EventBody::WorkspaceWalletsImported(wire::WorkspaceWalletsImported {
                        file: file.to_string(),
                        wallets: c.to_vec(),
                    })
                })
                .collect();
            Ok(import_change(summary, bytes, audits, events))
        })
    }

    /// Imports activations: new ones are added, known ones take the file's status, budget
    /// and spent amount (audited with before and after).
    pub fn import_activations(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        file: &str,
        bytes: &[u8],
    ) -> Result<PlatformImportSummary> {
        let currencies = currency_map(self)?;
        let rows = read_activations(bytes, &|c| currencies.get(c).cloned())
            .map_err(|e| bad_file(file, e))?;
        self.write(actor, now, |tx| {
            let mut summary = PlatformImportSummary {
                kind: "activations",
                file: file.to_string(),
                read: rows.len() as i64,
                ..Default::default()
            };
            let mut audits = Vec::new();
            let mut changed = Vec::new();
            for row in &rows {
                let scale = currencies[&row.currency].scale;
                match activation_row(tx, row, scale, &timestamp(now)).map_err(|e| match e {
                    StoreError::Conflict(why) => conflict(file, &row.place, why),
                    other => other,
                })? {
                    None => {
                        summary.unchanged += 1;
                        continue;
                    }
                    Some(None) => summary.inserted += 1,
                    Some(Some(audit)) => {
                        summary.updated += 1;
                        audits.push(audit);
                    }
                }
                changed.push(wire::Activation {
                    activation_id: row.activation_id.clone(),
                    workspace_id: row.workspace_id.clone(),
                    status: row.status.to_string(),
                    total_budget: decimal(row.total_budget_minor, scale),
                    spent_amount: decimal(row.spent_minor, scale),
                    currency: row.currency.clone(),
                });
            }
            let events = changed
                .chunks(wire::MAX_ROWS_PER_EVENT)
                .map(|c| {
                    EventBody::ActivationsImported(wire::ActivationsImported {
                        file: file.to_string(),
                        activations: c.to_vec(),
                    })
                })
                .collect();
            Ok(import_change(summary, bytes, audits, events))
        })
    }

    /// Imports wallet transactions (history; balances come from the snapshots). A known id
    /// with other values refuses the file; a (type, reference) already recorded under
    /// another id — e.g. a release recorded here first — is the same operation: unchanged.
    pub fn import_wallet_transactions(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        file: &str,
        bytes: &[u8],
    ) -> Result<PlatformImportSummary> {
        let wallets: HashMap<String, Currency> = {
            let currencies = currency_map(self)?;
            self.workspace_wallets()?
                .into_iter()
                .map(|w| (w.wallet_id, currencies[&w.currency].clone()))
                .collect()
        };
        let rows = read_transactions(bytes, &|w| wallets.get(w).cloned())
            .map_err(|e| bad_file(file, e))?;
        self.write(actor, now, |tx| {
            let mut summary = PlatformImportSummary {
                kind: "wallet_transactions",
                file: file.to_string(),
                read: rows.len() as i64,
                ..Default::default()
            };
            let mut new_rows = Vec::new();
            for row in &rows {
                let inserted = transaction_row(tx, row, "import", None).map_err(|e| match e {
                    StoreError::Conflict(why) => conflict(file, &row.place, why),
                    other => other,
                })?;
                if !inserted {
                    summary.unchanged += 1;
                    continue;
                }
                summary.inserted += 1;
                new_rows.push(wire_transaction(row, &wallets[&row.wallet_id]));
            }
            let events = new_rows
                .chunks(wire::MAX_ROWS_PER_EVENT)
                .map(|c| {
                    EventBody::WalletTransactionsImported(wire::WalletTransactionsImported {
                        file: file.to_string(),
                        transactions: c.to_vec(),
                    })
                })
                .collect();
            Ok(import_change(summary, bytes, Vec::new(), events))
        })
    }
}

/// True when the row just counted added a snapshot (anything but `unchanged`).
pub(super) enum SnapshotOutcome {
    Unchanged,
    Inserted,
    Updated(Audit),
    HistoryOnly,
}

pub(super) fn snapshot_row(
    tx: &Transaction<'_>,
    row: &WalletSnapshot,
    now: &str,
) -> Result<SnapshotOutcome> {
    let held: Option<(i64, i64)> = tx
        .prepare_cached("SELECT balance_minor, locked_minor FROM workspace_wallet_snapshots WHERE wallet_id = ?1 AND as_of = ?2")?
        .query_row(params![row.wallet_id, row.as_of], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((balance, locked)) = held {
        if (balance, locked) == (row.balance_minor, row.locked_minor) {
            return Ok(SnapshotOutcome::Unchanged);
        }
        return Err(StoreError::Conflict(format!(
            "wallet {}'s snapshot as of {} was imported with other balances (balance {balance}, locked {locked} minor units)",
            row.wallet_id, row.as_of
        )));
    }
    let current: Option<(String, String, String, i64, i64)> = tx
        .prepare_cached("SELECT workspace_id, currency, as_of, balance_minor, locked_minor FROM workspace_wallets WHERE wallet_id = ?1")?
        .query_row([&row.wallet_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?;
    let outcome = match current {
        None => {
            ensure_workspace(tx, &row.workspace_id, now)?;
            let taken: Option<String> = tx
                .prepare_cached("SELECT wallet_id FROM workspace_wallets WHERE workspace_id = ?1 AND currency = ?2")?
                .query_row(params![row.workspace_id, row.currency], |r| r.get(0))
                .optional()?;
            if let Some(other) = taken {
                return Err(StoreError::Conflict(format!(
                    "workspace {} already has the {} wallet {other}; a workspace holds one wallet per currency",
                    row.workspace_id, row.currency
                )));
            }
            tx.prepare_cached("INSERT INTO workspace_wallets (wallet_id, workspace_id, currency, balance_minor, locked_minor, as_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                .execute(params![row.wallet_id, row.workspace_id, row.currency, row.balance_minor, row.locked_minor, row.as_of])?;
            SnapshotOutcome::Inserted
        }
        Some((workspace, currency, ..)) if workspace != row.workspace_id || currency != row.currency => {
            return Err(StoreError::Conflict(format!(
                "wallet {} is the {currency} wallet of workspace {workspace}, but this file says {} of {}",
                row.wallet_id, row.currency, row.workspace_id
            )))
        }
        Some((_, _, as_of, balance, locked)) if row.as_of > as_of => {
            tx.prepare_cached("UPDATE workspace_wallets SET balance_minor = ?2, locked_minor = ?3, as_of = ?4, version = version + 1 WHERE wallet_id = ?1")?
                .execute(params![row.wallet_id, row.balance_minor, row.locked_minor, row.as_of])?;
            SnapshotOutcome::Updated(Audit {
                action: "workspace_wallet.snapshot",
                entity: "workspace_wallet",
                entity_id: row.wallet_id.clone(),
                before: Some(json!({"balance_minor": balance, "locked_minor": locked, "as_of": as_of})),
                after: Some(json!({"balance_minor": row.balance_minor, "locked_minor": row.locked_minor, "as_of": row.as_of})),
            })
        }
        Some(_) => SnapshotOutcome::HistoryOnly,
    };
    tx.prepare_cached("INSERT INTO workspace_wallet_snapshots (wallet_id, as_of, balance_minor, locked_minor, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![row.wallet_id, row.as_of, row.balance_minor, row.locked_minor, now])?;
    Ok(outcome)
}

/// `None` = unchanged; `Some(None)` = inserted; `Some(Some(audit))` = updated.
pub(super) fn activation_row(
    tx: &Transaction<'_>,
    row: &Activation,
    scale: u8,
    now: &str,
) -> Result<Option<Option<Audit>>> {
    let held: Option<(String, String, String, i64, i64)> = tx
        .prepare_cached("SELECT workspace_id, currency, status, total_budget_minor, spent_minor FROM activations WHERE id = ?1")?
        .query_row([&row.activation_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?;
    let Some((workspace, currency, status, total, spent)) = held else {
        ensure_workspace(tx, &row.workspace_id, now)?;
        tx.prepare_cached("INSERT INTO activations (id, workspace_id, status, total_budget_minor, spent_minor, currency, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(params![row.activation_id, row.workspace_id, row.status, row.total_budget_minor, row.spent_minor, row.currency, now])?;
        return Ok(Some(None));
    };
    if workspace != row.workspace_id || currency != row.currency {
        return Err(StoreError::Conflict(format!(
            "activation {} belongs to workspace {workspace} in {currency}, but this file says {} in {}",
            row.activation_id, row.workspace_id, row.currency
        )));
    }
    if (status.as_str(), total, spent) == (row.status, row.total_budget_minor, row.spent_minor) {
        return Ok(None);
    }
    tx.prepare_cached("UPDATE activations SET status = ?2, total_budget_minor = ?3, spent_minor = ?4, updated_at = ?5 WHERE id = ?1")?
        .execute(params![row.activation_id, row.status, row.total_budget_minor, row.spent_minor, now])?;
    let show = |m: i64| decimal(m, scale).to_string();
    Ok(Some(Some(Audit {
        action: "activation.updated",
        entity: "activation",
        entity_id: row.activation_id.clone(),
        before: Some(
            json!({"status": status, "total_budget": show(total), "spent_amount": show(spent)}),
        ),
        after: Some(
            json!({"status": row.status, "total_budget": show(row.total_budget_minor), "spent_amount": show(row.spent_minor)}),
        ),
    })))
}

/// (wallet, type, amount, reference type, reference id) of a stored transaction.
type StoredTransaction = (String, String, i64, Option<String>, Option<String>);

/// Inserts a wallet transaction; false when its id, or its (type, reference), is already
/// recorded with the same meaning. A known id with other values is a conflict.
pub(super) fn transaction_row(
    tx: &Transaction<'_>,
    row: &WalletTransaction,
    origin: &str,
    run_id: Option<&str>,
) -> Result<bool> {
    let held: Option<StoredTransaction> = tx
        .prepare_cached("SELECT wallet_id, type, amount_minor, reference_type, reference_id FROM wallet_transactions WHERE id = ?1")?
        .query_row([&row.transaction_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?;
    if let Some(held) = held {
        let incoming = (
            row.wallet_id.clone(),
            row.tx_type.to_string(),
            row.amount_minor,
            row.reference_type.clone(),
            row.reference_id.clone(),
        );
        if held == incoming {
            return Ok(false);
        }
        return Err(StoreError::Conflict(format!(
            "transaction {} was imported with other values (wallet {}, type {}, amount {} minor units)",
            row.transaction_id, held.0, held.1, held.2
        )));
    }
    let changed = tx
        .prepare_cached(
            "INSERT INTO wallet_transactions (id, wallet_id, type, amount_minor, reference_type, reference_id, created_at, origin, run_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            row.transaction_id, row.wallet_id, row.tx_type, row.amount_minor,
            row.reference_type, row.reference_id, row.created_at, origin, run_id
        ])?;
    Ok(changed == 1)
}

fn wire_snapshot(row: &WalletSnapshot, currency: &Currency) -> wire::WalletSnapshot {
    wire::WalletSnapshot {
        workspace_id: row.workspace_id.clone(),
        wallet_id: row.wallet_id.clone(),
        currency: row.currency.clone(),
        balance: decimal(row.balance_minor, currency.scale),
        locked_balance: decimal(row.locked_minor, currency.scale),
        as_of: row.as_of.clone(),
    }
}

pub(super) fn wire_transaction(
    row: &WalletTransaction,
    currency: &Currency,
) -> wire::WalletTransaction {
    wire::WalletTransaction {
        transaction_id: row.transaction_id.clone(),
        wallet_id: row.wallet_id.clone(),
        tx_type: row.tx_type.to_string(),
        amount: decimal(row.amount_minor, currency.scale),
        currency: currency.code.clone(),
        reference_type: row.reference_type.clone(),
        reference_id: row.reference_id.clone(),
        created_at: row.created_at.clone(),
    }
}
