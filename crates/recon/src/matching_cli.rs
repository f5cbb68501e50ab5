//! `recon expected …`, `recon match …`, `recon cycle …`.

use crate::{CycleCmd, ExpectedCmd, MatchArgs, MatchCmd};
use anyhow::{anyhow, bail, Result};
use chrono::Utc;
use recon_store::{ActionSummary, NewExpected, ReceiptSuggestions, Store};
use std::io::Write;

fn store_err(e: recon_store::StoreError) -> anyhow::Error {
    anyhow!(e)
}

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
            let list = store
                .expected_list(cycle.as_deref(), status.as_deref())
                .map_err(store_err)?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &list)?;
                writeln!(out)?;
                return Ok(());
            }
            writeln!(
                out,
                "{:<40} {:<10} {:<17} {:>20} {:>20} {:<4} {:<14} JOURNAL IDS",
                "MEMO", "CYCLE", "STATUS", "EXPECTED", "ACTUAL", "CUR", "MATCH"
            )?;
            for e in list {
                writeln!(
                    out,
                    "{:<40} {:<10} {:<17} {:>20} {:>20} {:<4} {:<14} {}",
                    e.memo,
                    e.cycle_id,
                    if e.amount_adjusted {
                        format!("{} (adjusted)", e.status)
                    } else {
                        e.status.clone()
                    },
                    e.expected_amount,
                    e.actual_amount.as_deref().unwrap_or("-"),
                    e.currency,
                    e.match_type.as_deref().unwrap_or("-"),
                    e.journal_ids.join(",")
                )?;
            }
        }
        ExpectedCmd::Add {
            cycle,
            character_name,
            character_id,
            amount,
            currency,
            memo,
        } => {
            let e = store
                .add_expected(
                    actor,
                    Utc::now(),
                    &NewExpected {
                        cycle_id: cycle,
                        character_name,
                        character_id,
                        expected_amount: amount,
                        currency,
                        memo,
                    },
                )
                .map_err(store_err)?;
            writeln!(
                out,
                "added expected payment '{}': {} {}",
                e.memo, e.expected_amount, e.currency
            )?;
        }
    }
    Ok(())
}

fn print_receipts(out: &mut impl Write, title: &str, rows: &[ReceiptSuggestions]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "{title}:")?;
    for r in rows {
        let text = r
            .receipt
            .reason
            .as_deref()
            .filter(|t| !t.is_empty())
            .unwrap_or(&r.receipt.description);
        writeln!(
            out,
            "  {} {} {:>20} {} payer {} '{}'",
            r.receipt.journal_id,
            &r.receipt.date,
            r.receipt.amount,
            r.receipt.currency,
            r.receipt
                .payer_id
                .map(|p| p.to_string())
                .unwrap_or_else(|| "-".into()),
            text
        )?;
        for s in &r.suggestions {
            writeln!(
                out,
                "      → '{}' score {} ({})",
                s.memo, s.score.total, s.match_type
            )?;
        }
    }
    Ok(())
}

fn print_action(out: &mut impl Write, json: bool, s: &ActionSummary) -> Result<()> {
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

pub fn run_match(
    store: &mut Store,
    actor: &str,
    args: MatchArgs,
    out: &mut impl Write,
) -> Result<()> {
    let now = Utc::now();
    let json = args.json;
    let Some(action) = args.action else {
        let s = store
            .match_run(actor, now, args.cycle.as_deref())
            .map_err(store_err)?;
        if json {
            serde_json::to_writer(&mut *out, &s)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "matched {} expected payment(s) with {} receipt(s); {} amount-adjusted, {} ambiguous, {} unmatched receipt(s)",
                s.matched,
                s.receipts_linked,
                s.amount_adjusted,
                s.ambiguous,
                s.unmatched_receipts.len()
            )?;
            print_receipts(out, "ambiguous (left for review)", &s.ambiguous_receipts)?;
            print_receipts(out, "unmatched", &s.unmatched_receipts)?;
        }
        return Ok(());
    };
    let summary = match action {
        MatchCmd::Link {
            expected_memo,
            journal_id,
        } => {
            let rowid = store.resolve_journal_id(&journal_id).map_err(store_err)?;
            store
                .match_link(actor, now, &expected_memo, rowid)
                .map_err(store_err)?
        }
        MatchCmd::Unlink { args } => {
            let (memo, journal_id) = match args.as_slice() {
                [id] => (None, id),
                [memo, id] => (Some(memo.as_str()), id),
                _ => bail!("unlink takes [EXPECTED_MEMO] JOURNAL_ID"),
            };
            let rowid = store.resolve_journal_id(journal_id).map_err(store_err)?;
            store
                .match_unlink(actor, now, rowid, memo)
                .map_err(store_err)?
        }
        MatchCmd::Reject { journal_id, reason } => {
            let rowid = store.resolve_journal_id(&journal_id).map_err(store_err)?;
            store
                .match_reject(actor, now, rowid, &reason)
                .map_err(store_err)?
        }
        MatchCmd::Split { journal_id, shares } => {
            let shares = shares
                .iter()
                .map(|s| {
                    s.rsplit_once('=')
                        .map(|(m, a)| (m.to_owned(), a.to_owned()))
                        .ok_or_else(|| anyhow!("'{s}': a share is MEMO=AMOUNT"))
                })
                .collect::<Result<Vec<_>>>()?;
            let rowid = store.resolve_journal_id(&journal_id).map_err(store_err)?;
            store
                .match_split(actor, now, rowid, &shares)
                .map_err(store_err)?
        }
        MatchCmd::Undo => store.match_undo(actor, now).map_err(store_err)?,
        MatchCmd::Accept { min_score, dry_run } => {
            let s = store
                .match_accept_above(actor, now, min_score, dry_run)
                .map_err(store_err)?;
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
        MatchCmd::Review { json } => {
            let q = store.review_queues().map_err(store_err)?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &q)?;
                writeln!(out)?;
            } else {
                print_receipts(out, "unmatched receipts", &q.unmatched_receipts)?;
                print_receipts(out, "ambiguous receipts", &q.ambiguous_receipts)?;
                if !q.awaiting.is_empty() {
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
                }
            }
            return Ok(());
        }
        MatchCmd::Rules {
            ref_types,
            threshold,
            amount_points,
        } => {
            let mut rules = store.match_rules().map_err(store_err)?;
            let changed = ref_types.is_some() || threshold.is_some() || amount_points.is_some();
            if let Some(r) = ref_types {
                rules.ref_types = r
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect();
            }
            if let Some(t) = threshold {
                rules.threshold = t;
            }
            if let Some(a) = amount_points {
                rules.amount_equal_points = a;
            }
            if changed {
                store
                    .set_match_rules(actor, now, &rules)
                    .map_err(store_err)?;
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&rules)?)?;
            return Ok(());
        }
    };
    print_action(out, json, &summary)
}

pub fn cycle(store: &mut Store, actor: &str, cmd: CycleCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        CycleCmd::Open { id } => {
            let n = store
                .cycle_open(actor, Utc::now(), &id)
                .map_err(store_err)?;
            writeln!(
                out,
                "opened cycle {id}: {n} expected payment(s) still awaiting were cancelled"
            )?;
        }
        CycleCmd::List { json } => {
            let list = store.cycle_summaries().map_err(store_err)?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &list)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{:<12} {:<4} {:>8} {:>9} {:>9} {:>8} {:>22} {:>22}",
                    "CYCLE",
                    "CUR",
                    "AWAITING",
                    "CONFIRMED",
                    "CANCELLED",
                    "ADJUSTED",
                    "EXPECTED",
                    "CONFIRMED TOTAL"
                )?;
                for c in list {
                    writeln!(
                        out,
                        "{:<12} {:<4} {:>8} {:>9} {:>9} {:>8} {:>22} {:>22}",
                        c.cycle_id,
                        c.currency,
                        c.awaiting,
                        c.confirmed,
                        c.cancelled,
                        c.amount_adjusted,
                        c.expected_total,
                        c.confirmed_total
                    )?;
                }
            }
        }
    }
    Ok(())
}
