//! `recon payout …` and `recon partner summary`: payout batches (§7) through
//! `recon_api::payouts`. A refused transition exits 1 with the reason on stderr.

use crate::{api, print_json_pretty};
use anyhow::{bail, Result};
use clap::Subcommand;
use recon_api::payouts as p;
use recon_api::{NewPayoutDto, PayoutBatchDto, PayoutQueryDto, Store};
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum PayoutCmd {
    /// A draft batch from the program's pending, unreserved entries of that month.
    Create {
        #[arg(long)]
        program: String,
        #[arg(long, value_name = "YYYY-MM")]
        period: String,
        #[arg(long)]
        notes: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// draft → pending_approval.
    Submit { batch_id: String },
    /// Approve batches, each on its own (one result per batch); the creator cannot approve.
    Approve {
        #[arg(long)]
        json: bool,
        #[arg(required = true, value_name = "BATCH_ID")]
        batch_ids: Vec<String>,
    },
    /// pending_approval → rejected; the batch's entries are released.
    Reject {
        batch_id: String,
        #[arg(long)]
        reason: String,
    },
    /// approved → processing.
    Process { batch_id: String },
    /// approved/processing → paid: entries paid and the payout posted, in one transaction.
    Pay { batch_id: String },
    /// processing → failed.
    Fail {
        batch_id: String,
        #[arg(long)]
        reason: String,
    },
    /// failed → processing.
    Retry { batch_id: String },
    /// Replace the notes of a draft or pending batch.
    Notes { batch_id: String, notes: String },
    /// Remove an entity's line (REF or TYPE:REF) from a draft or pending batch.
    RemoveLine {
        batch_id: String,
        entity_ref: String,
    },
    /// Delete a draft or pending batch; its entries are released.
    Delete { batch_id: String },
    List {
        #[arg(long)]
        program: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_name = "YYYY-MM")]
        period: Option<String>,
        /// Part of an entity ref or name.
        #[arg(long)]
        partner: Option<String>,
        #[arg(long)]
        json: bool,
    },
    Show {
        batch_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Counts and totals per status and currency, and batches by period.
    Stats {
        #[arg(long)]
        program: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Batches (or, with --lines, their lines) as CSV, formula cells neutralised.
    Export {
        #[arg(long)]
        program: Option<String>,
        #[arg(long, value_name = "YYYY-MM")]
        period: Option<String>,
        #[arg(long)]
        lines: bool,
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
        /// Start the file with a UTF-8 BOM (for Excel).
        #[arg(long)]
        bom: bool,
    },
}

#[derive(Subcommand)]
pub enum PartnerCmd {
    /// Lifetime earnings, pending (reserved), paid and the last payout of one entity.
    Summary {
        #[arg(long)]
        program: String,
        entity_ref: String,
        #[arg(long)]
        json: bool,
    },
}

fn moved(out: &mut impl Write, b: &PayoutBatchDto) -> Result<()> {
    let from = b
        .transitions
        .iter()
        .rev()
        .find_map(|t| t.from.clone())
        .unwrap_or_default();
    writeln!(
        out,
        "batch {}: {from} → {} ({} {})",
        b.id, b.status, b.total, b.currency
    )?;
    Ok(())
}

fn print_batch(out: &mut impl Write, b: &PayoutBatchDto) -> Result<()> {
    writeln!(
        out,
        "batch {}\t{} {}\t{}\t{} {}\tcreated by {}",
        b.id, b.program, b.period, b.status, b.total, b.currency, b.created_by
    )?;
    if let Some(a) = &b.approved_by {
        writeln!(out, "approved by {a}")?;
    }
    if let (Some(by), Some(at)) = (&b.paid_by, &b.paid_at) {
        writeln!(out, "paid by {by} at {at}")?;
    }
    for l in &b.lines {
        writeln!(
            out,
            "  {} {}\t{}\t{} {}\t{} entr(ies)",
            l.entity_type, l.entity_ref, l.entity_name, l.amount, b.currency, l.entries
        )?;
    }
    for t in &b.transitions {
        let reason = t
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}\t{}\t{} → {}{reason}",
            t.at,
            t.actor,
            t.from.as_deref().unwrap_or("-"),
            t.to
        )?;
    }
    Ok(())
}

fn approve(
    store: &mut Store,
    actor: &str,
    json: bool,
    ids: &[String],
    out: &mut impl Write,
) -> Result<()> {
    let results = api(p::payout_approve(store, actor, ids))?;
    if json {
        writeln!(out, "{}", serde_json::to_string(&results)?)?;
    } else {
        for r in &results {
            match &r.reason {
                None => writeln!(out, "{}: {}", r.batch_id, r.result)?,
                Some(why) => writeln!(out, "{}: {}: {why}", r.batch_id, r.result)?,
            }
        }
    }
    let refused: Vec<String> = results
        .iter()
        .filter(|r| r.result != "approved")
        .map(|r| {
            format!(
                "{}: {}",
                r.batch_id,
                r.reason.as_deref().unwrap_or("refused")
            )
        })
        .collect();
    if !refused.is_empty() {
        out.flush()?;
        bail!(
            "{} of {} batch(es) refused:\n{}",
            refused.len(),
            results.len(),
            refused.join("\n")
        );
    }
    Ok(())
}

fn show(store: &mut Store, actor: &str, cmd: PayoutCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        PayoutCmd::List {
            program,
            status,
            period,
            partner,
            json,
        } => {
            let list = api(p::payout_list(
                store,
                actor,
                PayoutQueryDto {
                    program,
                    status,
                    period,
                    partner,
                },
            ))?;
            if json {
                return print_json_pretty(out, &list);
            }
            for b in list {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{} {}\t{} line(s)\t{}",
                    b.id,
                    b.program,
                    b.period,
                    b.status,
                    b.total,
                    b.currency,
                    b.lines.len(),
                    b.created_by
                )?;
            }
        }
        PayoutCmd::Show { batch_id, json } => {
            let b = api(p::payout_show(store, actor, &batch_id))?;
            if json {
                return print_json_pretty(out, &b);
            }
            print_batch(out, &b)?;
        }
        PayoutCmd::Stats { program, json } => {
            let s = api(p::payout_stats(store, actor, program.as_deref()))?;
            if json {
                return print_json_pretty(out, &s);
            }
            writeln!(out, "status\tcurrency\tbatches\ttotal")?;
            for r in &s.by_status {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    r.status, r.currency, r.batches, r.total
                )?;
            }
            writeln!(out, "period\tcurrency\tbatches\ttotal")?;
            for r in &s.by_period {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    r.period, r.currency, r.batches, r.total
                )?;
            }
            writeln!(
                out,
                "{} batch(es) await your approval",
                s.awaiting_your_approval
            )?;
        }
        PayoutCmd::Export {
            program,
            period,
            lines,
            out: file,
            bom,
        } => {
            let r = api(p::payout_export(
                store,
                program.as_deref(),
                period.as_deref(),
                lines,
                &file,
                bom,
            ))?;
            let what = if lines { "line" } else { "batch" };
            writeln!(out, "{} {what} row(s) written to {}", r.rows, r.path)?;
        }
        _ => unreachable!("change commands are handled by payout()"),
    }
    Ok(())
}

pub fn payout(store: &mut Store, actor: &str, cmd: PayoutCmd, out: &mut impl Write) -> Result<()> {
    let b = match cmd {
        PayoutCmd::Create {
            program,
            period,
            notes,
            json,
        } => {
            let b = api(p::payout_create(
                store,
                actor,
                NewPayoutDto {
                    program,
                    period,
                    notes,
                },
            ))?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&b)?)?;
            } else {
                writeln!(
                    out,
                    "batch {} created (draft): {} line(s), {} entr(ies), {} {}",
                    b.id,
                    b.lines.len(),
                    b.entry_count,
                    b.total,
                    b.currency
                )?;
            }
            return Ok(());
        }
        PayoutCmd::Approve { json, batch_ids } => {
            return approve(store, actor, json, &batch_ids, out)
        }
        PayoutCmd::Submit { batch_id } => api(p::payout_submit(store, actor, &batch_id))?,
        PayoutCmd::Reject { batch_id, reason } => {
            api(p::payout_reject(store, actor, &batch_id, &reason))?
        }
        PayoutCmd::Process { batch_id } => api(p::payout_process(store, actor, &batch_id))?,
        PayoutCmd::Pay { batch_id } => api(p::payout_pay(store, actor, &batch_id))?,
        PayoutCmd::Fail { batch_id, reason } => {
            api(p::payout_fail(store, actor, &batch_id, &reason))?
        }
        PayoutCmd::Retry { batch_id } => api(p::payout_retry(store, actor, &batch_id))?,
        PayoutCmd::Notes { batch_id, notes } => {
            let b = api(p::payout_set_notes(store, actor, &batch_id, &notes))?;
            writeln!(out, "batch {}: notes saved", b.id)?;
            return Ok(());
        }
        PayoutCmd::RemoveLine {
            batch_id,
            entity_ref,
        } => {
            let b = api(p::payout_remove_line(store, actor, &batch_id, &entity_ref))?;
            writeln!(
                out,
                "batch {}: line {entity_ref} removed; {} line(s), {} {}",
                b.id,
                b.lines.len(),
                b.total,
                b.currency
            )?;
            return Ok(());
        }
        PayoutCmd::Delete { batch_id } => {
            let id = api(p::payout_delete(store, actor, &batch_id))?;
            writeln!(out, "batch {id} deleted; its entries are released")?;
            return Ok(());
        }
        other => return show(store, actor, other, out),
    };
    moved(out, &b)
}

pub fn partner(store: &mut Store, cmd: PartnerCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        PartnerCmd::Summary {
            program,
            entity_ref,
            json,
        } => {
            let s = api(p::partner_summary(store, &program, &entity_ref))?;
            if json {
                return print_json_pretty(out, &s);
            }
            writeln!(
                out,
                "{} {} ({}) in {}",
                s.entity_type, s.entity_ref, s.name, s.program
            )?;
            writeln!(
                out,
                "lifetime earnings\t{} {}",
                s.lifetime_earnings, s.currency
            )?;
            writeln!(
                out,
                "pending\t{} {} (reserved by a batch: {})",
                s.pending, s.currency, s.reserved
            )?;
            writeln!(out, "paid\t{} {}", s.paid, s.currency)?;
            match (&s.last_payout_at, &s.last_payout_amount) {
                (Some(at), Some(amount)) => {
                    writeln!(out, "last payout\t{amount} {} at {at}", s.currency)?
                }
                _ => writeln!(out, "last payout\tnone")?,
            }
        }
    }
    Ok(())
}
