//! Wallets and currencies.

use crate::{ApiError, ApiResult, CurrencyDto, NewWalletDto, WalletDto, WalletStatementDto};
use chrono::Utc;
use recon_store::{NewWallet, Store};

pub fn currency_list(store: &Store) -> ApiResult<Vec<CurrencyDto>> {
    Ok(store
        .currencies()?
        .into_iter()
        .map(|c| CurrencyDto {
            code: c.code,
            scale: c.scale,
            name: c.name,
        })
        .collect())
}

pub fn currency_add(store: &mut Store, actor: &str, input: CurrencyDto) -> ApiResult<CurrencyDto> {
    let currency = recon_core::money::Currency::new(&input.code, input.scale, &input.name)
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    store.add_currency(actor, Utc::now(), currency)?;
    Ok(input)
}

fn wallet_dto(w: recon_store::Wallet) -> WalletDto {
    WalletDto {
        id: w.id,
        name: w.name,
        kind: w.kind.as_str().to_string(),
        owner_id: w.owner_id,
        division: w.division,
        currency: w.currency,
        receiving: w.receiving,
        entry_count: w.entry_count,
        last_statement: None,
    }
}

pub fn wallet_list(store: &Store) -> ApiResult<Vec<WalletDto>> {
    let mut wallets: Vec<WalletDto> = store.wallets()?.into_iter().map(wallet_dto).collect();
    // Batches come newest first: the first stating balances is the wallet's newest statement.
    for batch in crate::import_wizard::import_batches(store)? {
        if batch.removed_at.is_some() {
            continue;
        }
        let Some(w) = wallets
            .iter_mut()
            .find(|w| w.name == batch.wallet && w.last_statement.is_none())
        else {
            continue;
        };
        let newest = batch
            .files
            .iter()
            .rev()
            .find_map(|f| f.statement.clone().map(|s| (f.file_name.clone(), s)));
        if let Some((file_name, statement)) = newest {
            w.last_statement = Some(WalletStatementDto {
                batch_id: batch.id.clone(),
                file_name,
                at: batch.at.clone(),
                statement,
            });
        }
    }
    Ok(wallets)
}

pub fn wallet_add(store: &mut Store, actor: &str, input: NewWalletDto) -> ApiResult<WalletDto> {
    // A bank wallet's currency is never guessed: a default would let dollars land as ISK.
    if input.kind == "bank" && input.currency.trim().is_empty() {
        return Err(ApiError::invalid(format!(
            "choose the currency of bank wallet '{}'",
            input.name.trim()
        )));
    }
    let wallet = store.add_wallet(
        actor,
        Utc::now(),
        NewWallet {
            name: input.name,
            kind: input.kind,
            owner_id: input.owner_id,
            division: input.division,
            currency: input.currency,
            receiving: input.receiving,
        },
    )?;
    Ok(wallet_dto(wallet))
}
