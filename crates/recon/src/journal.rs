//! `recon journal list`.

use crate::api;
use crate::cli::JournalCmd;
use anyhow::Result;
use recon_api::{JournalQueryDto, JournalRowDto, Store};
use std::io::Write;

pub fn journal(store: &Store, cmd: JournalCmd, out: &mut impl Write) -> Result<()> {
    let JournalCmd::List { wallet, json } = cmd;
    list(store, wallet, json, out)
}

/// Streams page by page so a million-line journal never sits in memory at once.
fn list(store: &Store, wallet: Option<String>, json: bool, out: &mut impl Write) -> Result<()> {
    let query = JournalQueryDto {
        wallet,
        ..Default::default()
    };
    if json {
        write!(out, "[")?;
    } else {
        writeln!(
            out,
            "{:<24} {:<20} {:<24} {:>22} {:<4}  DESCRIPTION / REASON",
            "DATE", "WALLET", "REF TYPE", "AMOUNT", "CUR"
        )?;
    }
    let mut first = true;
    for page in recon_api::journal_pages(store, query) {
        for row in api(page)? {
            if json {
                if !first {
                    write!(out, ",")?;
                }
                serde_json::to_writer(&mut *out, &row)?;
            } else {
                print_row(out, &row)?;
            }
            first = false;
        }
    }
    if json {
        writeln!(out, "]")?;
    }
    Ok(())
}

fn print_row(out: &mut impl Write, row: &JournalRowDto) -> Result<()> {
    let text = match row.reason.as_deref().filter(|r| !r.is_empty()) {
        Some(reason) => format!("{} / {}", row.description, reason),
        None => row.description.clone(),
    };
    writeln!(
        out,
        "{:<24} {:<20} {:<24} {:>22} {:<4}  {}",
        row.date,
        row.wallet,
        row.ref_type,
        row.amount.as_deref().unwrap_or(""),
        row.currency,
        text
    )?;
    Ok(())
}
