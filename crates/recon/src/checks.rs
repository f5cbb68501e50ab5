//! `recon check …`, `recon wallet-op …` and `recon import workspace-wallets|activations|
//! wallet-transactions`: wallet checks (§8) through `recon_api`. `--json` prints the
//! app's DTOs; their field names are the contract scripts rely on.

use crate::{api, print_json_pretty};
use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use recon_api::{
    CheckActionDto, CheckRunInputDto, CheckStatusDto, ContinuityBreakKindDto, Store,
    ThresholdsInputDto, WalletCheckLineDto, WalletOpInputDto, WalletOpKindDto, WalletOpResult,
};
use std::io::Write;
use std::path::PathBuf;

/// `recon import workspace-wallets|activations|wallet-transactions [--json] FILE`.
#[derive(Args)]
pub struct PlatformFileArgs {
    #[arg(long)]
    pub json: bool,
    /// CSV with a header row, or a JSON array of objects.
    pub file: PathBuf,
}

#[derive(Subcommand)]
pub enum CheckCmd {
    /// Check every workspace wallet's locked balance against its activations.
    Wallets {
        #[arg(long)]
        workspace: Option<String>,
        /// Post the adjustments of the wallets whose action is auto_fix.
        #[arg(long)]
        fix: bool,
        /// Auto-fix threshold for this run (default: each currency's, 10 unless set).
        #[arg(long, allow_hyphen_values = true)]
        threshold: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every run, newest first.
    History {
        #[arg(long)]
        json: bool,
    },
    /// One run and its report.
    Show {
        run_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Running-balance continuity of the journal wallets.
    Continuity {
        #[arg(long)]
        wallet: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show the check levels; with --currency and a level, set them.
    Thresholds {
        #[arg(long)]
        currency: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        tolerance: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        warning: Option<String>,
        #[arg(long = "auto-fix", allow_hyphen_values = true)]
        auto_fix: Option<String>,
    },
    /// Write every run's report as CSV (one row per wallet per run).
    Export { file: PathBuf },
}

/// `recon wallet-op lock|spend|release|refund --wallet … --amount … --reference-type … --reference-id …`.
#[derive(Args)]
pub struct WalletOpArgs {
    #[arg(value_parser = ["lock", "spend", "release", "refund"])]
    pub op: String,
    #[arg(long)]
    pub wallet: String,
    #[arg(long, allow_hyphen_values = true)]
    pub amount: String,
    #[arg(long = "reference-type")]
    pub reference_type: String,
    #[arg(long = "reference-id")]
    pub reference_id: String,
    #[arg(long)]
    pub json: bool,
}

/// Which platform export `recon import` reads.
#[derive(Clone, Copy)]
pub enum PlatformFile {
    WorkspaceWallets,
    Activations,
    WalletTransactions,
}

pub fn import(
    store: &mut Store,
    actor: &str,
    kind: PlatformFile,
    args: PlatformFileArgs,
    out: &mut impl Write,
) -> Result<()> {
    let done = api(match kind {
        PlatformFile::WorkspaceWallets => {
            recon_api::import_workspace_wallets(store, actor, &args.file)
        }
        PlatformFile::Activations => recon_api::import_activations(store, actor, &args.file),
        PlatformFile::WalletTransactions => {
            recon_api::import_wallet_transactions(store, actor, &args.file)
        }
    })?;
    if args.json {
        return print_json_pretty(out, &done);
    }
    writeln!(
        out,
        "{}: {} read, {} new, {} updated, {} unchanged, {} older snapshot(s) kept as history",
        done.file, done.read, done.inserted, done.updated, done.unchanged, done.history_only
    )?;
    Ok(())
}

pub fn wallet_op(
    store: &mut Store,
    actor: &str,
    args: WalletOpArgs,
    out: &mut impl Write,
) -> Result<()> {
    let op = match args.op.as_str() {
        "lock" => WalletOpKindDto::Lock,
        "spend" => WalletOpKindDto::Spend,
        "release" => WalletOpKindDto::Release,
        _ => WalletOpKindDto::Refund,
    };
    let input = WalletOpInputDto {
        op,
        wallet_id: args.wallet,
        amount: args.amount,
        reference_type: args.reference_type,
        reference_id: args.reference_id,
    };
    let done = api(recon_api::wallet_op(store, actor, input))?;
    if args.json {
        serde_json::to_writer(&mut *out, &done)?;
        writeln!(out)?;
        return Ok(());
    }
    match done.result {
        WalletOpResult::Applied => writeln!(out, "applied (transaction {})", done.transaction_id)?,
        WalletOpResult::AlreadyApplied => writeln!(
            out,
            "already applied (transaction {}); nothing changed",
            done.transaction_id
        )?,
    }
    Ok(())
}

pub fn check(store: &mut Store, actor: &str, cmd: CheckCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        CheckCmd::Wallets {
            workspace,
            fix,
            threshold,
            json,
        } => {
            let input = CheckRunInputDto {
                workspace,
                fix,
                fix_wallets: None,
                threshold,
            };
            let run = api(recon_api::check_wallets(store, actor, input))?;
            if json {
                return print_json_pretty(out, &run);
            }
            writeln!(out, "run {}", run.run_id)?;
            print_lines(out, &run.wallets)
        }
        CheckCmd::History { json } => {
            let runs = api(recon_api::check_history(store))?;
            if json {
                return print_json_pretty(out, &runs);
            }
            writeln!(
                out,
                "{:<36} {:<24} {:>7} {:>6} {:>12} {:>9} {:>5}",
                "RUN", "AT", "WALLETS", "SYNCED", "DISCREPANCY", "TO REVIEW", "FIXED"
            )?;
            for r in runs {
                writeln!(
                    out,
                    "{:<36} {:<24} {:>7} {:>6} {:>12} {:>9} {:>5}",
                    r.run_id, r.at, r.wallet_count, r.synced, r.discrepancies, r.to_review, r.fixed
                )?;
            }
            Ok(())
        }
        CheckCmd::Show { run_id, json } => {
            let report = api(recon_api::check_show(store, &run_id))?;
            if json {
                return print_json_pretty(out, &report);
            }
            let s = &report.summary;
            writeln!(
                out,
                "run {} at {} by {} (fix: {})",
                s.run_id, s.at, s.actor, s.fix
            )?;
            print_lines(out, &report.wallets)
        }
        CheckCmd::Continuity { wallet, json } => continuity(store, wallet, json, out),
        CheckCmd::Thresholds {
            currency,
            tolerance,
            warning,
            auto_fix,
        } => thresholds(store, actor, currency, [tolerance, warning, auto_fix], out),
        CheckCmd::Export { file } => {
            let done = api(recon_api::check_history_export_csv(store, &file))?;
            writeln!(out, "wrote {} row(s) to {}", done.rows, done.path)?;
            Ok(())
        }
    }
}

/// One line per wallet, buffered (stdout flushes every line).
fn print_lines(out: &mut impl Write, lines: &[WalletCheckLineDto]) -> Result<()> {
    let out = &mut std::io::BufWriter::with_capacity(1 << 16, out);
    writeln!(
        out,
        "{:<16} {:<16} {:<4} {:>16} {:>16} {:>14} {:<11} {:<8} {:<8} {:>12}  REASON",
        "WORKSPACE",
        "WALLET",
        "CUR",
        "EXPECTED",
        "ACTUAL",
        "DISCREPANCY",
        "STATUS",
        "ACTION",
        "WARNING",
        "ADJUSTMENT"
    )?;
    for l in lines {
        let status = match l.status {
            CheckStatusDto::Synced => "synced",
            CheckStatusDto::Discrepancy => "discrepancy",
        };
        let action = match l.action {
            CheckActionDto::None => "none",
            CheckActionDto::AutoFix => "auto_fix",
            CheckActionDto::Review => "review",
        };
        let adjustment = l
            .adjustment
            .clone()
            .map(|a| format!("{a} fixed"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:<16} {:<16} {:<4} {:>16} {:>16} {:>14} {:<11} {:<8} {:<8} {:>12}  {}",
            l.workspace_id,
            l.wallet_id,
            l.currency,
            l.expected_locked,
            l.actual_locked,
            l.discrepancy,
            status,
            action,
            if l.warning { "warning" } else { "" },
            adjustment,
            l.reason.clone().unwrap_or_default()
        )?;
    }
    out.flush()?;
    Ok(())
}

fn continuity(
    store: &Store,
    wallet: Option<String>,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let reports = api(recon_api::check_continuity(store, wallet.as_deref()))?;
    if json {
        return print_json_pretty(out, &reports);
    }
    for r in reports {
        let statements = match r.statements {
            0 => String::new(),
            n => format!(", {n} statement(s)"),
        };
        writeln!(
            out,
            "{}: {} line(s) with a balance{statements}, {} break(s)",
            r.wallet,
            r.lines,
            r.breaks.len()
        )?;
        for b in r.breaks {
            let lines = format!(
                "line {} ({}) and line {} ({})",
                b.after_id, b.after_date, b.before_id, b.before_date
            );
            let place = match (&b.kind, &b.statement) {
                (ContinuityBreakKindDto::Statement, Some(s)) => format!(
                    "statement {} (batch {}), opening {} closing {}, lines from {lines}",
                    s.file_name, s.batch_id, s.opening_balance, s.closing_balance
                ),
                (ContinuityBreakKindDto::BetweenStatements, Some(s)) => format!(
                    "before statement {} (batch {}, opening {}), between {lines}",
                    s.file_name, s.batch_id, s.opening_balance
                ),
                _ => format!("between {lines}"),
            };
            writeln!(
                out,
                "  {place}: expected balance {}, found {}, missing {}",
                b.expected_balance, b.found_balance, b.missing_amount
            )?;
        }
    }
    Ok(())
}

fn thresholds(
    store: &mut Store,
    actor: &str,
    currency: Option<String>,
    levels: [Option<String>; 3],
    out: &mut impl Write,
) -> Result<()> {
    let setting = levels.iter().any(Option::is_some);
    let shown = match (currency, setting) {
        (None, true) => bail!("--currency names the currency whose levels to set"),
        (Some(currency), true) => {
            let [tolerance, warning, auto_fix] = levels;
            let input = ThresholdsInputDto {
                currency,
                tolerance,
                warning,
                auto_fix,
            };
            vec![api(recon_api::check_thresholds_set(store, actor, input))?]
        }
        (Some(currency), false) => {
            let code = currency.to_ascii_uppercase();
            let all = api(recon_api::check_thresholds(store))?;
            let one: Vec<_> = all.into_iter().filter(|t| t.currency == code).collect();
            if one.is_empty() {
                bail!("no currency named '{currency}'");
            }
            one
        }
        (None, false) => api(recon_api::check_thresholds(store))?,
    };
    writeln!(
        out,
        "{:<8} {:>12} {:>12} {:>12}",
        "CURRENCY", "TOLERANCE", "WARNING", "AUTO-FIX"
    )?;
    for t in shown {
        let note = if t.configured { "" } else { "  (default)" };
        writeln!(
            out,
            "{:<8} {:>12} {:>12} {:>12}{note}",
            t.currency, t.tolerance, t.warning, t.auto_fix
        )?;
    }
    Ok(())
}
