//! `recon program …`, `recon entity …`, `recon conversion …`, `recon ledger …` and
//! `recon import conversions|settlements`: the partner ledger (§6) through `recon_api::ledger`.

use crate::{api, print_json_pretty};
use anyhow::{bail, Result};
use clap::Subcommand;
use recon_api::ledger as l;
use recon_api::{LedgerQueryDto, NewEntityDto, NewProgramDto, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum ProgramCmd {
    /// Add a program: its currency, commission rates (exact percentages) and rounding.
    Add {
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        currency: String,
        #[arg(long = "direct-rate", value_name = "PCT")]
        direct_rate: Option<String>,
        #[arg(long = "override-rate", value_name = "PCT")]
        override_rate: Option<String>,
        #[arg(long, value_parser = ["half-even", "half-up", "down"])]
        rounding: Option<String>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    /// Only an active program accepts new entries.
    SetStatus {
        slug: String,
        #[arg(value_parser = ["active", "paused", "closed"])]
        status: String,
    },
}

#[derive(Subcommand)]
pub enum EntityCmd {
    /// Add a sponsor, hunt, stop, affiliate or partner to a program.
    Add {
        #[arg(long)]
        program: String,
        #[arg(long = "type", value_parser = ["sponsor", "hunt", "stop", "affiliate", "partner"])]
        entity_type: String,
        #[arg(long = "ref")]
        entity_ref: String,
        #[arg(long)]
        name: String,
        /// The parent affiliate's ref (affiliates only).
        #[arg(long)]
        parent: Option<String>,
        /// A sponsor's payout per approved conversion, in the program's currency.
        #[arg(long = "payout-per-conversion", value_name = "AMOUNT")]
        payout_per_conversion: Option<String>,
    },
    /// A program's entities, affiliates as a tree.
    List {
        #[arg(long)]
        program: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum ConversionCmd {
    /// Approve conversions, each on its own: its entry is created in the same transaction.
    Approve {
        #[arg(long)]
        program: String,
        #[arg(long)]
        json: bool,
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    Reject {
        #[arg(long)]
        program: String,
        id: String,
        #[arg(long)]
        reason: String,
    },
    List {
        #[arg(long)]
        program: String,
        #[arg(long, value_parser = ["pending", "approved", "rejected"])]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum LedgerCmd {
    /// Ledger entries, newest first.
    List {
        #[arg(long)]
        program: Option<String>,
        #[arg(long, value_parser = ["pending", "paid", "reversed"])]
        status: Option<String>,
        /// An entity's ref.
        #[arg(long)]
        entity: Option<String>,
        #[arg(long, value_name = "YYYY-MM")]
        period: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Reverse a pending entry (once), with a reason.
    Reverse {
        entry_id: i64,
        #[arg(long)]
        reason: String,
    },
    /// Total, pending, paid and reversed earnings of a program.
    Summary {
        #[arg(long)]
        program: String,
        #[arg(long, value_parser = ["entity", "period", "status"])]
        by: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every account's debits, credits and balance per currency.
    Accounts {
        #[arg(long)]
        json: bool,
        /// Write them as CSV instead.
        #[arg(long, value_name = "FILE.csv")]
        out: Option<PathBuf>,
        #[arg(long)]
        bom: bool,
    },
    /// Recompute every transaction from its lines; exit 1 naming the first that does not balance.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// A program's entries (optionally of one month) as CSV.
    Export {
        #[arg(long)]
        program: String,
        #[arg(long, value_name = "YYYY-MM")]
        period: Option<String>,
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
        /// Start the file with a UTF-8 byte order mark (for Excel).
        #[arg(long)]
        bom: bool,
    },
}

pub fn program(
    store: &mut Store,
    actor: &str,
    cmd: ProgramCmd,
    out: &mut impl Write,
) -> Result<()> {
    match cmd {
        ProgramCmd::Add {
            slug,
            name,
            currency,
            direct_rate,
            override_rate,
            rounding,
        } => {
            let input = NewProgramDto {
                slug,
                name,
                currency,
                direct_rate,
                override_rate,
                rounding,
            };
            let p = api(l::program_add(store, actor, input))?;
            writeln!(
                out,
                "program '{}' added: {}, direct {}%, override {}%, rounding {}",
                p.slug, p.currency, p.direct_rate, p.override_rate, p.rounding
            )?;
        }
        ProgramCmd::List { json } => {
            let list = api(l::program_list(store))?;
            if json {
                return print_json_pretty(out, &list);
            }
            for p in list {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\tdirect {}%\toverride {}%\t{}",
                    p.slug,
                    p.name,
                    p.status,
                    p.currency,
                    p.direct_rate,
                    p.override_rate,
                    p.rounding
                )?;
            }
        }
        ProgramCmd::SetStatus { slug, status } => {
            let p = api(l::program_set_status(store, actor, &slug, &status))?;
            writeln!(out, "program '{}' is {}", p.slug, p.status)?;
        }
    }
    Ok(())
}

pub fn entity(store: &mut Store, actor: &str, cmd: EntityCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        EntityCmd::Add {
            program,
            entity_type,
            entity_ref,
            name,
            parent,
            payout_per_conversion,
        } => {
            let input = NewEntityDto {
                program,
                entity_type,
                entity_ref,
                name,
                parent,
                payout_per_conversion,
            };
            let e = api(l::entity_add(store, actor, input))?;
            let parent = e
                .parent
                .map(|p| format!(" under '{p}'"))
                .unwrap_or_default();
            writeln!(
                out,
                "{} '{}' added to '{}'{parent}",
                e.entity_type, e.entity_ref, e.program
            )?;
        }
        EntityCmd::List { program, json } => {
            let list = api(l::entity_list(store, &program))?;
            if json {
                return print_json_pretty(out, &list);
            }
            for e in list {
                let indent = "  ".repeat(e.depth as usize);
                let payout = e
                    .payout_per_conversion
                    .map(|p| format!("\t{p} {} per conversion", e.currency))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{indent}{} {}\t{}{payout}",
                    e.entity_type, e.entity_ref, e.name
                )?;
            }
        }
    }
    Ok(())
}

pub fn conversion(
    store: &mut Store,
    actor: &str,
    cmd: ConversionCmd,
    out: &mut impl Write,
) -> Result<()> {
    match cmd {
        ConversionCmd::Approve { program, json, ids } => {
            let results = api(l::conversion_approve(store, actor, &program, &ids))?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&results)?)?;
            } else {
                for r in &results {
                    match (r.result.as_str(), r.entry_id) {
                        ("approved", Some(e)) => writeln!(out, "{}: approved, entry {e}", r.id)?,
                        ("already_exists", Some(e)) => {
                            writeln!(out, "{}: already exists (entry {e})", r.id)?
                        }
                        ("already_exists", None) => writeln!(out, "{}: already exists", r.id)?,
                        _ => writeln!(
                            out,
                            "{}: refused: {}",
                            r.id,
                            r.reason.as_deref().unwrap_or("")
                        )?,
                    }
                }
            }
            let refused = results.iter().filter(|r| r.result == "refused").count();
            if refused > 0 {
                out.flush()?;
                bail!("{refused} of {} conversion(s) refused", results.len());
            }
        }
        ConversionCmd::Reject {
            program,
            id,
            reason,
        } => {
            let c = api(l::conversion_reject(store, actor, &program, &id, &reason))?;
            writeln!(
                out,
                "{}: rejected ({})",
                c.conversion_id,
                c.reason.unwrap_or_default()
            )?;
        }
        ConversionCmd::List {
            program,
            status,
            json,
        } => {
            let list = api(l::conversion_list(store, &program, status.as_deref()))?;
            if json {
                return print_json_pretty(out, &list);
            }
            for c in list {
                let entry = c
                    .entry_id
                    .map(|e| format!("\tentry {e}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}{entry}",
                    c.conversion_id, c.status, c.sponsor_ref, c.occurred_at, c.description
                )?;
            }
        }
    }
    Ok(())
}

/// `recon import conversions|settlements --program SLUG [--json] FILE`.
pub fn import(
    store: &mut Store,
    actor: &str,
    settlements: bool,
    program: &str,
    json: bool,
    file: &Path,
    out: &mut impl Write,
) -> Result<()> {
    let r = if settlements {
        api(l::settlements_import(store, actor, program, file))?
    } else {
        api(l::conversions_import(store, actor, program, file))?
    };
    if json {
        writeln!(out, "{}", serde_json::to_string(&r)?)?;
    } else {
        writeln!(
            out,
            "{} into '{}': read {}, inserted {}, duplicates {}, entries created {}",
            r.file, r.program, r.read, r.inserted, r.duplicates, r.entries_created
        )?;
    }
    Ok(())
}

pub fn ledger(store: &mut Store, actor: &str, cmd: LedgerCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        LedgerCmd::List {
            program,
            status,
            entity,
            period,
            json,
        } => {
            let q = LedgerQueryDto {
                program,
                status,
                entity,
                period,
                limit: None,
                offset: None,
            };
            let list = api(l::ledger_list_all(store, q))?;
            if json {
                return print_json_pretty(out, &list);
            }
            for e in list {
                writeln!(
                    out,
                    "{}\t{}\t{} {}\t{} {}\t{}\t{} {}\tresidue {}",
                    e.id,
                    e.program,
                    e.entity_type,
                    e.entity_ref,
                    e.source,
                    e.source_ref,
                    e.status,
                    e.earnings_amount,
                    e.currency,
                    e.rounding_residue
                )?;
            }
        }
        LedgerCmd::Reverse { entry_id, reason } => {
            let r = api(l::ledger_reverse(store, actor, entry_id, &reason))?;
            writeln!(
                out,
                "entry {entry_id} reversed by entry {} ({} {})",
                r.id, r.earnings_amount, r.currency
            )?;
        }
        LedgerCmd::Summary { program, by, json } => {
            summary(store, &program, by.as_deref(), json, out)?
        }
        LedgerCmd::Accounts {
            json,
            out: file,
            bom,
        } => {
            if let Some(file) = file {
                let r = api(l::ledger_accounts_export(store, &file, bom))?;
                writeln!(out, "{} account row(s) written to {}", r.rows, r.path)?;
                return Ok(());
            }
            let list = api(l::ledger_accounts(store))?;
            if json {
                return print_json_pretty(out, &list);
            }
            for a in list {
                writeln!(
                    out,
                    "{}\t{}\tdebits {}\tcredits {}\tbalance {}",
                    a.account, a.currency, a.debits, a.credits, a.balance
                )?;
            }
        }
        LedgerCmd::Verify { json } => {
            let v = api(l::ledger_verify(store))?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&v)?)?;
            }
            match v.first_failure {
                None if !json => writeln!(
                    out,
                    "OK: {} transaction(s), each balanced per currency",
                    v.transactions
                )?,
                None => {}
                Some(f) => {
                    out.flush()?;
                    bail!(
                        "transaction {} ({}) does not balance in {}: debits {} ≠ credits {}",
                        f.transaction,
                        f.what,
                        f.currency,
                        f.debits,
                        f.credits
                    );
                }
            }
        }
        LedgerCmd::Export {
            program,
            period,
            out: file,
            bom,
        } => {
            let r = api(l::ledger_export(
                store,
                &program,
                period.as_deref(),
                &file,
                bom,
            ))?;
            writeln!(out, "{} entr(ies) written to {}", r.rows, r.path)?;
        }
    }
    Ok(())
}

fn summary(
    store: &Store,
    program: &str,
    by: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let s = api(l::ledger_summary(store, program, by))?;
    if json {
        return print_json_pretty(out, &s);
    }
    writeln!(
        out,
        "{} ({}) by {}\ttotal\tpending\tpaid\treversed\tentries",
        s.program, s.currency, s.by
    )?;
    for r in s.rows.iter().chain(std::iter::once(&s.totals)) {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            r.key, r.total, r.pending, r.paid, r.reversed, r.entries
        )?;
    }
    Ok(())
}
