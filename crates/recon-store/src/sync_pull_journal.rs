//! A colleague's ESI journal lines pulled from the server: into the wallet of the same
//! sync key (made here when this ledger has none), as an import of one file would.

use crate::esi_import::import_pulled;
use crate::wallets::{all_wallets, insert_wallet};
use crate::write::RenderedAudit;
use crate::{NewWallet, Result, SourceFile, StoreError, Wallet};
use chrono::{DateTime, Utc};
use recon_core::esi::EsiEntry;
use recon_core::wallet::WalletKind;
use recon_sync::{JournalLine, JournalLinesImported, WalletRef};
use rusqlite::{OptionalExtension, Transaction};
use serde_json::json;

pub(crate) fn apply(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    by: &str,
    payload: &str,
    body: &JournalLinesImported,
) -> Result<Result<Vec<RenderedAudit>, String>> {
    let mut audits = Vec::new();
    let wallet = match wallet_for(tx, now, by, &body.wallet, &mut audits)? {
        Ok(wallet) => wallet,
        Err(note) => return Ok(Err(note)),
    };
    let eve = matches!(wallet.kind, WalletKind::Character | WalletKind::Corporation);
    if !eve || wallet.currency != "ISK" {
        return Ok(Err(format!(
            "wallet '{}' here is a {} wallet in {}; ESI journal lines go only to a character or corporation wallet in ISK",
            wallet.name, wallet.kind.as_str(), wallet.currency
        )));
    }
    let file = SourceFile {
        name: format!("pulled from the server ({by})"),
        bytes: payload.as_bytes().to_vec(),
    };
    let entries = body.lines.iter().map(entry).collect();
    let (_summary, mut record) = import_pulled(tx, &wallet, by, now, &file, entries)?;
    if let Some(after) = record.after.take() {
        let mut after: serde_json::Value =
            serde_json::from_str(&after).map_err(|e| StoreError::Invalid(e.to_string()))?;
        after["pulled_from"] = json!(by);
        record.after = Some(after.to_string());
    }
    audits.push(record);
    Ok(Ok(audits))
}

/// The local wallet with the event's sync key; a new one when there is none (named as the
/// colleague named it, or `name (key)` when that name is taken here).
fn wallet_for(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    by: &str,
    wanted: &WalletRef,
    audits: &mut Vec<RenderedAudit>,
) -> Result<Result<Wallet, String>> {
    let wallets = all_wallets(tx)?;
    if let Some(wallet) = wallets.iter().find(|w| w.sync_key() == wanted.key) {
        return Ok(Ok(wallet.clone()));
    }
    let Ok(kind) = WalletKind::parse(&wanted.kind) else {
        return Ok(Err(format!(
            "wallet kind '{}' is not known here",
            wanted.kind
        )));
    };
    let Some(currency) = tx
        .prepare_cached("SELECT code, scale, name FROM currencies WHERE code = ?1")?
        .query_row([&wanted.currency], |r| {
            Ok(recon_core::money::Currency {
                code: r.get(0)?,
                scale: r.get(1)?,
                name: r.get(2)?,
            })
        })
        .optional()?
    else {
        return Ok(Err(format!(
            "currency '{}' is not known here",
            wanted.currency
        )));
    };
    let name = if wallets
        .iter()
        .any(|w| w.name.eq_ignore_ascii_case(&wanted.name))
    {
        format!("{} ({})", wanted.name, wanted.key)
    } else {
        wanted.name.clone()
    };
    let new = NewWallet {
        name: name.clone(),
        kind: wanted.kind.clone(),
        owner_id: wanted.owner_id,
        division: wanted.division,
        currency: currency.code.clone(),
        receiving: true,
    };
    let (wallet, audit) = insert_wallet(tx, by, now, name, kind, &new, &currency)?;
    if wallet.sync_key() != wanted.key {
        return Ok(Err(format!(
            "a wallet made from '{}' would be known as '{}', not '{}'",
            wanted.name,
            wallet.sync_key(),
            wanted.key
        )));
    }
    audits.push(audit.into());
    Ok(Ok(wallet))
}

fn entry(line: &JournalLine) -> EsiEntry {
    EsiEntry {
        id: line.id,
        date: line.date.clone(),
        ref_type: line.ref_type.clone(),
        description: line.description.clone(),
        amount: line.amount,
        amount_raw: line.amount_raw.clone(),
        balance: line.balance,
        balance_raw: line.balance_raw.clone(),
        reason: line.reason.clone(),
        first_party_id: line.first_party_id,
        second_party_id: line.second_party_id,
        context_id: line.context_id,
        context_id_type: line.context_id_type.clone(),
        tax: line.tax,
        tax_raw: line.tax_raw.clone(),
        tax_receiver_id: line.tax_receiver_id,
    }
}
