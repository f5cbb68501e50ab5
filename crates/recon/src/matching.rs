//! `recon expected …`, `recon match …`, `recon cycle …`.

use crate::cli::{CycleCmd, ExpectedCmd, MatchArgs, MatchCmd};
use crate::{api, print_json_pretty};
use anyhow::{anyhow, bail, Result};
use recon_api::matching::{self as m, MatchRulesChange};
use recon_api::{
    ActionSummaryDto, ExpectedEditDto, NewExpectedDto, ReceiptCandidatesDto, ReceiptDto,
    ReceiptSuggestionsDto, SplitShareDto, Store, SuggestionDto,
};
use std::io::Write;

pub fn expected(
    store: &mut Store,
    actor: &str,
    cmd: ExpectedCmd,
    out: &mut impl Write,
) -> Result<()> {
    match cmd {
        ExpectedCmd::List {
            cycle,
            status,
            json,
        } => {
            let filtered = cycle.is_some() || status.is_some();
            let list = api(m::expected_list(store, cycle, status))?;
            if json {
                return print_json_pretty(out, &list);
            }
            if list.is_empty() {
                let why = if filtered {
                    "No expected payment matches the filter."
                } else {
                    "No expected payments yet: import them with `recon import expected FILE`."
                };
                writeln!(out, "{why}")?;
                return Ok(());
            }
            print_expected(out, &list)?;
        }
        ExpectedCmd::Export {
            cycle,
            status,
            file,
        } => {
            let n = api(recon_api::export::expected_export(
                store, &file, cycle, status,
            ))?;
            writeln!(
                out,
                "Exported {n} expected payment(s) to {}.",
                file.display()
            )?;
        }
        ExpectedCmd::Cancel { memo } => {
            let e = api(m::expected_cancel(store, actor, memo))?;
            writeln!(out, "Cancelled '{}' (kept, with an audit record).", e.memo)?;
        }
        ExpectedCmd::Edit {
            memo,
            amount,
            new_memo,
            payer,
            payer_id,
        } => {
            let edit = ExpectedEditDto {
                expected_amount: amount,
                memo: new_memo,
                character_name: payer,
                character_id: payer_id,
            };
            edit_expected(store, actor, memo, edit, out)?;
        }
        ExpectedCmd::Add {
            cycle,
            character_name,
            character_id,
            amount,
            currency,
            memo,
        } => {
            let input = NewExpectedDto {
                cycle_id: cycle,
                character_name,
                character_id,
                expected_amount: amount,
                currency,
                memo,
            };
            let e = api(m::expected_add(store, actor, input))?;
            writeln!(
                out,
                "added expected payment '{}': {} {}",
                e.memo, e.expected_amount, e.currency
            )?;
        }
    }
    Ok(())
}

/// `expected edit`: changes what is given, then says what the payment now is.
fn edit_expected(
    store: &mut Store,
    actor: &str,
    memo: String,
    edit: ExpectedEditDto,
    out: &mut impl Write,
) -> Result<()> {
    if edit.expected_amount.is_none() && edit.memo.is_none() && edit.character_name.is_none() {
        bail!("nothing to change: give --amount, --memo or --payer");
    }
    let e = api(m::expected_edit(store, actor, memo, edit))?;
    let id = e
        .character_id
        .map_or(String::new(), |id| format!(" ({id})"));
    writeln!(
        out,
        "Changed '{}': {} {} expected from {}{id}.",
        e.memo,
        grouped(&e.expected_amount),
        e.currency,
        e.character_name
    )?;
    Ok(())
}

/// Receipts, each with the expected payments it may pay.
type Queue<'a> = Vec<(&'a ReceiptDto, &'a [SuggestionDto])>;

fn candidates(rows: &[ReceiptCandidatesDto]) -> Queue<'_> {
    rows.iter()
        .map(|r| (&r.receipt, r.suggestions.as_slice()))
        .collect()
}

fn queued(rows: &[ReceiptSuggestionsDto]) -> Queue<'_> {
    rows.iter()
        .map(|r| (&r.receipt, r.suggestions.as_slice()))
        .collect()
}

fn print_receipts(out: &mut impl Write, title: &str, rows: Queue<'_>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "{title}:")?;
    for (receipt, suggestions) in rows {
        print_receipt(out, receipt)?;
        for s in suggestions {
            writeln!(
                out,
                "      → '{}' score {} ({})",
                s.memo, s.score.total, s.match_type
            )?;
        }
    }
    Ok(())
}

fn print_receipt(out: &mut impl Write, r: &ReceiptDto) -> Result<()> {
    let text = r
        .reason
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or(&r.description);
    writeln!(
        out,
        "  {} {} {:>20} {} payer {} '{}'",
        r.journal_id,
        &r.date,
        r.amount,
        r.currency,
        r.payer_id
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into()),
        text
    )?;
    Ok(())
}

fn print_action(out: &mut impl Write, json: bool, s: &ActionSummaryDto) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(s)?)?;
    } else {
        writeln!(
            out,
            "{}: {} link(s) added, {} removed{}",
            s.kind,
            s.links_added,
            s.links_removed,
            if s.expected_changed.is_empty() {
                String::new()
            } else {
                format!("; changed: {}", s.expected_changed.join(", "))
            }
        )?;
    }
    Ok(())
}

/// `recon match` without a subcommand: one matching run.
fn run_once(
    store: &mut Store,
    actor: &str,
    cycle: Option<String>,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let s = api(m::match_run_report(store, actor, cycle))?;
    if json {
        serde_json::to_writer(&mut *out, &s)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "matched {} expected payment(s) with {} receipt(s); {} amount-adjusted, {} ambiguous, {} unmatched receipt(s)",
        s.summary.matched,
        s.summary.receipts_linked,
        s.summary.amount_adjusted,
        s.summary.ambiguous,
        s.unmatched_receipts.len()
    )?;
    print_receipts(
        out,
        "ambiguous (left for review)",
        candidates(&s.ambiguous_receipts),
    )?;
    print_receipts(out, "unmatched", candidates(&s.unmatched_receipts))
}

pub fn run_match(
    store: &mut Store,
    actor: &str,
    args: MatchArgs,
    out: &mut impl Write,
) -> Result<()> {
    let json = args.json;
    let Some(action) = args.action else {
        return run_once(store, actor, args.cycle, json, out);
    };
    let summary = match action {
        MatchCmd::Review {
            csv: Some(file), ..
        } => {
            let n = api(recon_api::review_export::review_export(store, &file))?;
            writeln!(out, "Exported {n} review row(s) to {}.", file.display())?;
            return Ok(());
        }
        MatchCmd::Review { json, csv: None } => return review(store, json, out),
        MatchCmd::Rules {
            ref_types,
            threshold,
            amount_points,
        } => {
            let change = MatchRulesChange {
                ref_types,
                threshold,
                amount_points,
            };
            let rules = api(m::match_rules_update(store, actor, change))?;
            writeln!(out, "{}", serde_json::to_string_pretty(&rules)?)?;
            return Ok(());
        }
        MatchCmd::Accept { min_score, dry_run } => {
            let s = api(m::match_accept_above(store, actor, min_score, dry_run))?;
            if dry_run && !json {
                writeln!(
                    out,
                    "{} suggestion(s) score {min_score} or more and would be accepted",
                    s.links_added
                )?;
                return Ok(());
            }
            s
        }
        MatchCmd::Link {
            expected_memo,
            journal_id,
        } => {
            let rowid = api(m::journal_rowid(store, &journal_id))?;
            api(m::match_link(store, actor, expected_memo, rowid))?
        }
        MatchCmd::Unlink { args } => unlink(store, actor, &args)?,
        MatchCmd::Reject { journal_id, reason } => {
            let rowid = api(m::journal_rowid(store, &journal_id))?;
            api(m::match_reject(store, actor, rowid, reason))?
        }
        MatchCmd::Rejected { json } => return rejected(store, json, out),
        MatchCmd::Restore { journal_id } => {
            let rowid = api(m::journal_rowid(store, &journal_id))?;
            let s = api(m::match_restore(store, actor, rowid))?;
            if json {
                return print_action(out, json, &s);
            }
            writeln!(
                out,
                "Restored journal line {journal_id}: it is no longer marked not a participation payment and is matched again (undo with `recon match undo`)."
            )?;
            return Ok(());
        }
        MatchCmd::Split { journal_id, shares } => split(store, actor, &journal_id, &shares)?,
        MatchCmd::Undo => api(m::match_undo(store, actor))?,
    };
    print_action(out, json, &summary)
}

/// `match rejected`: the receipts marked "not a participation payment".
fn rejected(store: &Store, json: bool, out: &mut impl Write) -> Result<()> {
    let list = api(m::rejected_list(store))?;
    if json {
        return print_json_pretty(out, &list);
    }
    if list.is_empty() {
        writeln!(out, "No receipt is marked not a participation payment.")?;
        return Ok(());
    }
    for r in &list {
        print_receipt(out, &r.receipt)?;
        writeln!(
            out,
            "      marked by {} at {}: {}",
            r.rejected_by, r.rejected_at, r.rejection_reason
        )?;
    }
    Ok(())
}

/// `unlink [EXPECTED_MEMO] JOURNAL_ID`: the memo first, as `link` takes it.
fn unlink(store: &mut Store, actor: &str, args: &[String]) -> Result<ActionSummaryDto> {
    let (memo, journal_id) = match args {
        [id] => (None, id),
        [memo, id] => (Some(memo.clone()), id),
        _ => bail!("unlink takes [EXPECTED_MEMO] JOURNAL_ID"),
    };
    let rowid = api(m::journal_rowid(store, journal_id))?;
    api(m::match_unlink(store, actor, rowid, memo))
}

/// `split ID 'MEMO=AMOUNT' …`.
fn split(
    store: &mut Store,
    actor: &str,
    journal_id: &str,
    shares: &[String],
) -> Result<ActionSummaryDto> {
    let shares = shares
        .iter()
        .map(|s| {
            s.rsplit_once('=')
                .map(|(memo, amount)| SplitShareDto {
                    memo: memo.to_owned(),
                    amount: amount.to_owned(),
                })
                .ok_or_else(|| anyhow!("'{s}': a share is MEMO=AMOUNT"))
        })
        .collect::<Result<Vec<_>>>()?;
    let rowid = api(m::journal_rowid(store, journal_id))?;
    api(m::match_split(store, actor, rowid, shares))
}

/// Digits grouped in threes for reading ("-1234567.50" → "-1,234,567.50"); text only.
pub(crate) fn grouped(amount: &str) -> String {
    let (sign, rest) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return amount.to_string();
    }
    let mut out = String::with_capacity(amount.len() + int.len() / 3);
    out.push_str(sign);
    for (i, digit) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// The table of `expected list`: columns as wide as their widest cell, amounts right-aligned.
fn print_expected(out: &mut impl Write, list: &[recon_api::ExpectedDto]) -> Result<()> {
    let status = |e: &recon_api::ExpectedDto| {
        if e.amount_adjusted {
            format!("{} (adjusted)", e.status)
        } else {
            e.status.clone()
        }
    };
    let rows: Vec<[String; 8]> = list
        .iter()
        .map(|e| {
            [
                e.memo.clone(),
                e.cycle_id.clone(),
                status(e),
                grouped(&e.expected_amount),
                e.actual_amount.as_deref().map_or("-".into(), grouped),
                e.currency.clone(),
                e.match_type.clone().unwrap_or_else(|| "-".into()),
                e.journal_ids.join(","),
            ]
        })
        .collect();
    let head = [
        "MEMO",
        "CYCLE",
        "STATUS",
        "EXPECTED",
        "ACTUAL",
        "CUR",
        "MATCH",
        "JOURNAL IDS",
    ];
    let mut widths = head.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 8]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(w - cell.chars().count());
            match i {
                3 | 4 => text.push_str(&format!("{pad}{cell}  ")),
                7 => text.push_str(cell),
                _ => text.push_str(&format!("{cell}{pad}  ")),
            }
        }
        text.trim_end().to_string()
    };
    writeln!(out, "{}", line(head))?;
    for row in &rows {
        writeln!(out, "{}", line(row.each_ref().map(String::as_str)))?;
    }
    Ok(())
}

fn review(store: &Store, json: bool, out: &mut impl Write) -> Result<()> {
    let q = api(m::review_queues(store))?;
    if json {
        return print_json_pretty(out, &q);
    }
    print_receipts(out, "unmatched receipts", queued(&q.unmatched_receipts))?;
    print_receipts(out, "ambiguous receipts", queued(&q.ambiguous_receipts))?;
    if q.awaiting.is_empty() {
        return Ok(());
    }
    writeln!(out, "awaiting payment:")?;
    for a in &q.awaiting {
        writeln!(
            out,
            "  '{}' {} {}",
            a.expected.memo, a.expected.expected_amount, a.expected.currency
        )?;
        for s in &a.suggestions {
            writeln!(
                out,
                "      ← {} {} score {}",
                s.receipt.journal_id, s.receipt.amount, s.score.total
            )?;
        }
    }
    Ok(())
}

pub fn cycle(store: &mut Store, actor: &str, cmd: CycleCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        CycleCmd::Open { id } => {
            let n = api(m::cycle_open(store, actor, id.clone()))?;
            writeln!(
                out,
                "opened cycle {id}: {n} expected payment(s) still awaiting were cancelled"
            )?;
        }
        CycleCmd::List { json } => {
            let list = api(m::cycle_summaries(store))?;
            if json {
                return print_json_pretty(out, &list);
            }
            if list.is_empty() {
                writeln!(out, "No cycles yet: import expected payments first.")?;
                return Ok(());
            }
            writeln!(
                out,
                "{:<12} {:<4} {:>8} {:>9} {:>9} {:>8} {:>26} {:>26} {:>26}",
                "CYCLE",
                "CUR",
                "AWAITING",
                "CONFIRMED",
                "CANCELLED",
                "ADJUSTED",
                "EXPECTED",
                "CONFIRMED TOTAL",
                "OUTSTANDING"
            )?;
            for c in list {
                writeln!(
                    out,
                    "{:<12} {:<4} {:>8} {:>9} {:>9} {:>8} {:>26} {:>26} {:>26}",
                    c.cycle_id,
                    c.currency,
                    c.awaiting,
                    c.confirmed,
                    c.cancelled,
                    c.amount_adjusted,
                    grouped(&c.expected_total),
                    grouped(&c.confirmed_total),
                    grouped(&c.outstanding_total)
                )?;
            }
        }
    }
    Ok(())
}

/// `recon audit list`: one line per record, its before and after on the lines below.
pub fn audit_list(
    store: &Store,
    entity: Option<String>,
    limit: u32,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let records = api(recon_api::audit_list(store, entity.clone(), limit))?;
    if json {
        return print_json_pretty(out, &records);
    }
    if records.is_empty() {
        match entity {
            Some(e) => writeln!(out, "No audit records for {e}.")?,
            None => writeln!(out, "No audit records yet.")?,
        }
        return Ok(());
    }
    for r in records {
        writeln!(
            out,
            "#{} {} {} {} {}:{}",
            r.id, r.at, r.actor, r.action, r.entity, r.entity_id
        )?;
        if let Some(before) = r.before {
            writeln!(out, "    before {before}")?;
        }
        if let Some(after) = r.after {
            writeln!(out, "    after  {after}")?;
        }
    }
    Ok(())
}
