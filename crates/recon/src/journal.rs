//! `recon journal list`.

use crate::api;
use crate::cli::JournalCmd;
use anyhow::Result;
use recon_api::{JournalQueryDto, JournalRowDto, Store};
use std::io::Write;

pub fn journal(store: &Store, cmd: JournalCmd, out: &mut impl Write) -> Result<()> {
    if let JournalCmd::Export {
        wallet,
        search,
        from,
        to,
        file,
    } = cmd
    {
        let query = JournalQueryDto {
            wallet,
            search,
            date_from: from,
            date_to: to,
            ..Default::default()
        };
        let n = api(recon_api::journal_export::journal_export(
            store, &file, query,
        ))?;
        writeln!(out, "Exported {n} journal line(s) to {}.", file.display())?;
        return Ok(());
    }
    let JournalCmd::List {
        wallet,
        search,
        amount_min,
        amount_max,
        from,
        to,
        json,
    } = cmd
    else {
        unreachable!("export is handled above")
    };
    let query = JournalQueryDto {
        wallet,
        search,
        amount_min,
        amount_max,
        date_from: from,
        date_to: to,
        ..Default::default()
    };
    list(store, query, json, out)
}

/// Streams page by page so a million-line journal never sits in memory at once.
fn list(store: &Store, query: JournalQueryDto, json: bool, out: &mut impl Write) -> Result<()> {
    let filtered = query.search.is_some()
        || query.amount_min.is_some()
        || query.amount_max.is_some()
        || query.date_from.is_some()
        || query.date_to.is_some();
    let mut pages = recon_api::journal_pages(store, query).peekable();
    // A refused query prints nothing but its reason.
    if let Some(Err(_)) = pages.peek() {
        if let Some(Err(e)) = pages.next() {
            return api(Err(e));
        }
    }
    let empty = matches!(pages.peek(), Some(Ok(rows)) if rows.is_empty());
    if empty && !json {
        let why = if filtered {
            "No journal line matches the filter."
        } else {
            "No journal lines yet: import a journal or a statement with `recon import file`."
        };
        writeln!(out, "{why}")?;
        return Ok(());
    }
    if json {
        write!(out, "[")?;
    } else {
        writeln!(
            out,
            "{:<24} {:<20} {:<24} {:>22} {:<4} {:>22}  DESCRIPTION / REASON  [MATCHED TO]",
            "DATE", "WALLET", "REF TYPE", "AMOUNT", "CUR", "BALANCE"
        )?;
    }
    let mut first = true;
    for page in pages {
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
    let mut text = match row.reason.as_deref().filter(|r| !r.is_empty()) {
        Some(reason) => format!("{} / {}", row.description, reason),
        None => row.description.clone(),
    };
    if !row.matched_to.is_empty() {
        text.push_str(&format!("  [→ {}]", row.matched_to.join(", ")));
    }
    writeln!(
        out,
        "{:<24} {:<20} {:<24} {:>22} {:<4} {:>22}  {}",
        row.date,
        row.wallet,
        row.ref_type,
        row.amount.as_deref().unwrap_or(""),
        row.currency,
        row.running_balance.as_deref().unwrap_or(""),
        text
    )?;
    Ok(())
}
