//! `recon`: the Recon Desk ledger without a window. Every command takes `--db PATH`
//! (else `RECON_DB`, else the platform default the desktop app also uses).
//! Exit status: 0 on success, 1 when an operation is refused (message on stderr).

use anyhow::{bail, Context, Result};
use chrono::Utc;
use clap::{Parser, Subcommand};
use recon_api::ApiError;
use recon_store::{BankImportOptions, JournalQuery, Store, MAX_PAGE_ROWS};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod imports_cli;
mod matching_cli;

#[derive(Parser)]
#[command(
    name = "recon",
    version,
    about = "Recon Desk: reconcile wallet journals and payments"
)]
struct Cli {
    /// Ledger file (default: $RECON_DB, else the platform data dir's recon-desk/ledger.sqlite).
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Wallets: where journal lines come from.
    #[command(subcommand)]
    Wallet(WalletCmd),
    /// Import files into a wallet.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Read the journal.
    #[command(subcommand)]
    Journal(JournalCmd),
    /// Currencies and their scales.
    #[command(subcommand)]
    Currency(CurrencyCmd),
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Push pending changes to the central server.
    Sync {
        /// Server base URL (default: the one saved in the ledger).
        #[arg(long)]
        server: Option<String>,
    },
    /// The device token used to sync.
    #[command(subcommand)]
    Token(TokenCmd),
    /// CSV mapping profiles.
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Expected payments (participations): list, add.
    #[command(subcommand)]
    Expected(ExpectedCmd),
    /// Match received payments to expected payments; with a subcommand, review by hand.
    Match(MatchArgs),
    /// Cycles of expected payments.
    #[command(subcommand)]
    Cycle(CycleCmd),
}

#[derive(Subcommand)]
enum ProfileCmd {
    /// Save (or replace) a profile from a TOML file.
    Save {
        name: String,
        file: PathBuf,
    },
    List,
    /// Print a saved profile as TOML.
    Show {
        name: String,
    },
    /// Propose a profile for a CSV (printed as TOML); refuses when a column is ambiguous.
    Detect {
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum ExpectedCmd {
    List {
        #[arg(long)]
        cycle: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Add one expected payment by hand.
    Add {
        #[arg(long)]
        cycle: String,
        #[arg(long = "character-name")]
        character_name: String,
        #[arg(long = "character-id")]
        character_id: Option<i64>,
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "ISK")]
        currency: String,
        /// Default: `ARB {cycle} {character name}`.
        #[arg(long, default_value = "")]
        memo: String,
    },
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
struct MatchArgs {
    #[command(subcommand)]
    action: Option<MatchCmd>,
    /// Only link into expected payments of this cycle.
    #[arg(long)]
    cycle: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum MatchCmd {
    /// Link a received journal line to an expected payment by hand.
    Link {
        expected_memo: String,
        journal_id: String,
    },
    /// Remove the links of a journal line: `unlink [EXPECTED_MEMO] JOURNAL_ID`.
    Unlink {
        #[arg(num_args = 1..=2, required = true, value_name = "[EXPECTED_MEMO] JOURNAL_ID")]
        args: Vec<String>,
    },
    /// Mark a journal line "not a participation payment".
    Reject {
        journal_id: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Split one journal line across expected payments: `split ID 'MEMO=AMOUNT' …`.
    Split {
        journal_id: String,
        #[arg(num_args = 2.., required = true, value_name = "MEMO=AMOUNT")]
        shares: Vec<String>,
    },
    /// Undo the newest reviewer step (link, unlink, reject, split, accept).
    Undo,
    /// Accept every untied top suggestion scoring at least --min-score.
    Accept {
        #[arg(long)]
        min_score: u32,
        /// Only count what would be accepted.
        #[arg(long)]
        dry_run: bool,
    },
    /// The review queues with their suggestions.
    Review {
        #[arg(long)]
        json: bool,
    },
    /// Show or change the matching rules (weights, threshold, ref types).
    Rules {
        /// Comma-separated ref types that count as receipts.
        #[arg(long)]
        ref_types: Option<String>,
        #[arg(long)]
        threshold: Option<u32>,
        #[arg(long)]
        amount_points: Option<u32>,
    },
}

#[derive(Subcommand)]
enum CycleCmd {
    /// Open a cycle: its expected payments still awaiting are cancelled (kept, audited).
    Open { id: String },
    /// Counts and totals per cycle.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum WalletCmd {
    Add {
        name: String,
        #[arg(long)]
        owner_id: Option<i64>,
        #[arg(long, default_value = "character", value_parser = ["character", "corporation", "bank"])]
        kind: String,
        #[arg(long)]
        division: Option<i32>,
        #[arg(long, default_value = "ISK")]
        currency: String,
        /// Payments are received into this wallet (matching looks here).
        #[arg(long)]
        receiving: bool,
    },
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// A bank or payment CSV through a mapping profile (a saved name or a TOML file).
    Csv {
        #[arg(long)]
        wallet: String,
        #[arg(long)]
        profile: String,
        /// Import the valid rows and keep the rejects on the batch (default: a bad row refuses all).
        #[arg(long)]
        valid_rows_only: bool,
        /// Bring back rows of removed batches.
        #[arg(long)]
        restore_removed: bool,
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Any supported file, its format found from its content (CSV, OFX/QFX, CAMT, MT940, ESI JSON).
    File {
        #[arg(long)]
        wallet: Option<String>,
        #[arg(long)]
        profile: Option<String>,
        /// Read and report only; needs no wallet, writes nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        valid_rows_only: bool,
        #[arg(long)]
        restore_removed: bool,
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Every import batch with its files and counts.
    Batches {
        #[arg(long)]
        json: bool,
    },
    /// Remove a batch's rows (only while none is matched); re-imports skip them afterwards.
    Remove { batch_id: String },
    /// Expected payments: CSV (`cycle_id,character_name,character_id,expected_amount,currency,memo`) or JSON.
    Expected {
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
    /// EVE Online ESI wallet journal JSON (several page files make one batch).
    EsiJournal {
        #[arg(long)]
        wallet: String,
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum JournalCmd {
    List {
        #[arg(long)]
        wallet: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CurrencyCmd {
    List,
    Add {
        code: String,
        #[arg(long)]
        scale: u8,
        #[arg(long, default_value = "")]
        name: String,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    Verify,
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Store the device token (read from standard input) in the OS keychain.
    Set,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // ApiError already reads as a sentence; anyhow context chains name the file or flag.
            eprintln!("recon: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Shows only the message of an `{code, message}` error.
fn api<T>(r: Result<T, ApiError>) -> Result<T> {
    r.map_err(|e| anyhow::anyhow!(e.message))
}

fn run(cli: Cli) -> Result<()> {
    let path = recon_store::resolve_db_path(cli.db.as_deref());
    let mut store = Store::open(&path).map_err(|e| anyhow::anyhow!(e))?;
    let actor = recon_api::current_actor();
    let out = &mut std::io::stdout().lock();
    match cli.command {
        Command::Wallet(WalletCmd::Add {
            name,
            owner_id,
            kind,
            division,
            currency,
            receiving,
        }) => {
            let w = api(recon_api::wallet_add(
                &mut store,
                &actor,
                recon_api::NewWalletDto {
                    name,
                    kind,
                    owner_id,
                    division,
                    currency,
                    receiving,
                },
            ))?;
            writeln!(
                out,
                "added wallet '{}' ({}, {})",
                w.name, w.kind, w.currency
            )?;
        }
        Command::Wallet(WalletCmd::List { json }) => {
            let wallets = api(recon_api::wallet_list(&store))?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &wallets)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{:<30} {:<12} {:>12} {:>4} {:<5} {:>9} {:>8}",
                    "NAME", "KIND", "OWNER", "DIV", "CUR", "RECEIVING", "ENTRIES"
                )?;
                for w in wallets {
                    writeln!(
                        out,
                        "{:<30} {:<12} {:>12} {:>4} {:<5} {:>9} {:>8}",
                        w.name,
                        w.kind,
                        w.owner_id.map(|o| o.to_string()).unwrap_or_default(),
                        w.division.map(|d| d.to_string()).unwrap_or_default(),
                        w.currency,
                        if w.receiving { "yes" } else { "no" },
                        w.entry_count
                    )?;
                }
            }
        }
        Command::Import(ImportCmd::EsiJournal {
            wallet,
            json,
            files,
        }) => {
            let s = api(recon_api::import_esi_journal(
                &mut store,
                &actor,
                recon_api::ImportRequestDto {
                    wallet,
                    paths: files.iter().map(|p| p.display().to_string()).collect(),
                },
            ))?;
            if json {
                let summary = serde_json::json!({
                    "batch_id": s.batch_id, "read": s.read, "inserted": s.inserted,
                    "duplicates": s.duplicates, "rejected": s.rejected, "wallet": s.wallet,
                    "files": s.files,
                });
                writeln!(out, "{summary}")?;
            } else {
                writeln!(
                    out,
                    "batch {} into '{}': read {}, inserted {}, duplicates {}, rejected {}",
                    s.batch_id, s.wallet, s.read, s.inserted, s.duplicates, s.rejected
                )?;
            }
        }
        Command::Import(ImportCmd::Csv {
            wallet,
            profile,
            valid_rows_only,
            restore_removed,
            json,
            files,
        }) => imports_cli::import_csv(
            &mut store,
            &actor,
            &wallet,
            &profile,
            BankImportOptions {
                valid_rows_only,
                restore_removed,
            },
            json,
            &files,
            out,
        )?,
        Command::Import(ImportCmd::File {
            wallet,
            profile,
            dry_run,
            valid_rows_only,
            restore_removed,
            json,
            files,
        }) => imports_cli::import_file(
            &mut store,
            &actor,
            wallet.as_deref(),
            profile.as_deref(),
            dry_run,
            BankImportOptions {
                valid_rows_only,
                restore_removed,
            },
            json,
            &files,
            out,
        )?,
        Command::Import(ImportCmd::Batches { json }) => imports_cli::batches(&store, json, out)?,
        Command::Import(ImportCmd::Remove { batch_id }) => {
            let n = store
                .remove_batch(&actor, Utc::now(), &batch_id)
                .map_err(|e| anyhow::anyhow!(e))?;
            writeln!(
                out,
                "removed batch {batch_id}: {n} row(s) left the journal; re-imports will skip them"
            )?;
        }
        Command::Profile(cmd) => imports_cli::profile(&mut store, &actor, cmd, out)?,
        Command::Import(ImportCmd::Expected { json, file }) => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file.display().to_string();
            let s = store
                .import_expected(&actor, Utc::now(), &name, &bytes)
                .map_err(|e| anyhow::anyhow!(e))?;
            if json {
                writeln!(out, "{}", serde_json::to_string(&s)?)?;
            } else {
                writeln!(
                    out,
                    "{}: read {}, inserted {}, duplicates {}",
                    s.file, s.read, s.inserted, s.duplicates
                )?;
            }
        }
        Command::Expected(cmd) => matching_cli::expected(&mut store, &actor, cmd, out)?,
        Command::Match(args) => matching_cli::run_match(&mut store, &actor, args, out)?,
        Command::Cycle(cmd) => matching_cli::cycle(&mut store, &actor, cmd, out)?,
        Command::Journal(JournalCmd::List { wallet, json }) => {
            list_journal(&store, wallet, json, out)?
        }
        Command::Currency(CurrencyCmd::List) => {
            for c in store.currencies().map_err(|e| anyhow::anyhow!(e))? {
                writeln!(out, "{:<8} scale {}  {}", c.code, c.scale, c.name)?;
            }
        }
        Command::Currency(CurrencyCmd::Add { code, scale, name }) => {
            let currency = recon_core::money::Currency::new(&code, scale, &name)?;
            store
                .add_currency(&actor, Utc::now(), currency)
                .map_err(|e| anyhow::anyhow!(e))?;
            writeln!(out, "added currency {code} (scale {scale})")?;
        }
        Command::Audit(AuditCmd::Verify) => {
            let report = api(recon_api::audit_verify(&store))?;
            if !report.ok {
                bail!(report.message);
            }
            writeln!(out, "{}", report.message)?;
        }
        Command::Sync { server } => {
            let server = match server {
                Some(s) => s,
                None => store
                    .sync_status()
                    .map_err(|e| anyhow::anyhow!(e))?
                    .server_url
                    .ok_or(recon_client::SyncError::NoServer)?,
            };
            let token = recon_client::resolve_token()?;
            let report = recon_client::push(&mut store, &server, &token, &Utc::now)?;
            writeln!(
                out,
                "pushed {} events ({} already on the server), {} pending",
                report.pushed, report.replayed, report.pending
            )?;
        }
        Command::Token(TokenCmd::Set) => {
            let mut token = String::new();
            std::io::stdin()
                .read_line(&mut token)
                .context("reading the token from standard input")?;
            if token.trim().is_empty() {
                bail!("no token given on standard input");
            }
            recon_client::store_token(&token)?;
            writeln!(out, "token stored in the OS keychain")?;
        }
    }
    Ok(())
}

/// Streams page by page so a million-line journal never sits in memory at once.
fn list_journal(
    store: &Store,
    wallet: Option<String>,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let mut query = JournalQuery {
        wallet,
        limit: MAX_PAGE_ROWS,
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
    loop {
        let page = store.journal(&query).map_err(|e| anyhow::anyhow!(e))?;
        for row in &page.rows {
            if json {
                if !first {
                    write!(out, ",")?;
                }
                serde_json::to_writer(&mut *out, row)?;
            } else {
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
            }
            first = false;
        }
        if page.rows.len() < query.limit as usize {
            break;
        }
        query.offset += query.limit;
    }
    if json {
        writeln!(out, "]")?;
    }
    Ok(())
}
