//! `recon wallet …`, `recon currency …`.

use crate::cli::{CurrencyCmd, WalletCmd};
use crate::{api, print_json_pretty};
use anyhow::Result;
use recon_api::{CurrencyDto, NewWalletDto, Store};
use std::io::Write;

pub fn wallet(store: &mut Store, actor: &str, cmd: WalletCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        WalletCmd::Add {
            name,
            owner_id,
            kind,
            division,
            currency,
            receiving,
        } => {
            let input = NewWalletDto {
                name,
                kind,
                owner_id,
                division,
                // EVE wallets are ISK; clap already refused a bank wallet without a currency.
                currency: currency.unwrap_or_else(|| "ISK".to_string()),
                receiving,
            };
            let w = api(recon_api::wallet_add(store, actor, input))?;
            writeln!(
                out,
                "added wallet '{}' ({}, {})",
                w.name, w.kind, w.currency
            )?;
        }
        WalletCmd::List { json } => {
            let wallets = api(recon_api::wallet_list(store))?;
            if json {
                return print_json_pretty(out, &wallets);
            }
            if wallets.is_empty() {
                writeln!(out, "No wallets yet: add one with `recon wallet add NAME`.")?;
                return Ok(());
            }
            writeln!(
                out,
                "{:<30} {:<12} {:>12} {:>4} {:<5} {:>9} {:>8}  LAST STATEMENT",
                "NAME", "KIND", "OWNER", "DIV", "CUR", "RECEIVING", "ENTRIES"
            )?;
            for w in wallets {
                writeln!(
                    out,
                    "{:<30} {:<12} {:>12} {:>4} {:<5} {:>9} {:>8}  {}",
                    w.name,
                    w.kind,
                    w.owner_id.map(|o| o.to_string()).unwrap_or_default(),
                    w.division.map(|d| d.to_string()).unwrap_or_default(),
                    w.currency,
                    if w.receiving { "yes" } else { "no" },
                    w.entry_count,
                    w.last_statement
                        .as_ref()
                        .map(|s| format!(
                            "{}: {}",
                            s.file_name,
                            crate::imports::statement_words(&s.statement)
                        ))
                        .unwrap_or_default()
                )?;
            }
        }
    }
    Ok(())
}

pub fn currency(
    store: &mut Store,
    actor: &str,
    cmd: CurrencyCmd,
    out: &mut impl Write,
) -> Result<()> {
    match cmd {
        CurrencyCmd::List => {
            for c in api(recon_api::currency_list(store))? {
                writeln!(out, "{:<8} scale {}  {}", c.code, c.scale, c.name)?;
            }
        }
        CurrencyCmd::Add { code, scale, name } => {
            let input = CurrencyDto {
                code: code.clone(),
                scale,
                name,
            };
            api(recon_api::currency_add(store, actor, input))?;
            writeln!(out, "added currency {code} (scale {scale})")?;
        }
    }
    Ok(())
}
