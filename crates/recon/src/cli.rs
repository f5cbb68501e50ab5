//! The command line: every subcommand and its flags (clap derive).

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "recon",
    version,
    about = "Recon Desk: reconcile wallet journals and payments"
)]
pub struct Cli {
    /// Ledger file (default: $RECON_DB, else the platform data dir's recon-desk/ledger.sqlite).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Push pending changes to the central server and pull colleagues' changes.
    Sync {
        /// Server base URL (default: the one saved in the ledger).
        #[arg(long)]
        server: Option<String>,
        /// Allow plain http:// to a server that is not on this machine (the token and
        /// amounts travel unencrypted).
        #[arg(long)]
        allow_insecure_http: bool,
        /// Print the report as JSON (counts, refused changes, status).
        #[arg(long)]
        json: bool,
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
    /// Partner programs: currency, commission rates, rounding, status.
    #[command(subcommand)]
    Program(crate::ledger::ProgramCmd),
    /// Partner entities: sponsors, hunts, stops, affiliates (a tree), partners.
    #[command(subcommand)]
    Entity(crate::ledger::EntityCmd),
    /// Conversions: approve (creates the entry) or reject.
    #[command(subcommand)]
    Conversion(crate::ledger::ConversionCmd),
    /// The partner ledger: entries, reversals, summaries, accounts, verify, export.
    #[command(subcommand)]
    Ledger(crate::ledger::LedgerCmd),
    /// Payout batches: create from pending entries, submit, approve (two people), pay, stats, export.
    #[command(subcommand)]
    Payout(crate::payouts::PayoutCmd),
    /// A partner entity's lifetime earnings, pending, paid and last payout.
    #[command(subcommand)]
    Partner(crate::payouts::PartnerCmd),
    /// Wallet checks: locked balances against activations, history, continuity, levels.
    #[command(subcommand)]
    Check(crate::checks::CheckCmd),
    /// Record a wallet operation once per reference: lock, spend, release, refund.
    WalletOp(crate::checks::WalletOpArgs),
}

#[derive(Subcommand)]
pub enum ProfileCmd {
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
pub enum ExpectedCmd {
    List {
        #[arg(long)]
        cycle: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write the (filtered) list as CSV, formula cells neutralised.
    Export {
        #[arg(long)]
        cycle: Option<String>,
        #[arg(long)]
        status: Option<String>,
        file: PathBuf,
    },
    /// Cancel one expected payment still awaiting payment (kept, audited).
    Cancel { memo: String },
    /// Change the amount, memo or payer of an expected payment still awaiting payment.
    Edit {
        memo: String,
        #[arg(long)]
        amount: Option<String>,
        /// The new memo (unique ignoring case and spacing).
        #[arg(long = "memo")]
        new_memo: Option<String>,
        /// The character expected to pay (name).
        #[arg(long)]
        payer: Option<String>,
        /// The payer's character id (with --payer; without it the id is forgotten).
        #[arg(long = "payer-id", requires = "payer")]
        payer_id: Option<i64>,
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
pub struct MatchArgs {
    #[command(subcommand)]
    pub action: Option<MatchCmd>,
    /// Only link into expected payments of this cycle.
    #[arg(long)]
    pub cycle: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum MatchCmd {
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
    /// The receipts marked "not a participation payment".
    Rejected {
        #[arg(long)]
        json: bool,
    },
    /// Restore a receipt marked "not a participation payment": it is matched again.
    Restore { journal_id: String },
    /// Split one journal line across expected payments: `split ID 'MEMO=AMOUNT' …`.
    Split {
        journal_id: String,
        #[arg(num_args = 2.., required = true, value_name = "MEMO=AMOUNT")]
        shares: Vec<String>,
    },
    /// Undo the newest reviewer step (link, unlink, reject, split, accept, restore).
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
        /// Write the three queues (best suggestion each) as CSV to FILE, formulas neutralised.
        #[arg(long, value_name = "FILE", conflicts_with = "json")]
        csv: Option<std::path::PathBuf>,
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
pub enum CycleCmd {
    /// Open a cycle: its expected payments still awaiting are cancelled (kept, audited).
    Open { id: String },
    /// Counts and totals per cycle.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum WalletCmd {
    Add {
        name: String,
        #[arg(long)]
        owner_id: Option<i64>,
        #[arg(long, default_value = "character", value_parser = ["character", "corporation", "bank"])]
        kind: String,
        #[arg(long)]
        division: Option<i32>,
        /// ISK when omitted for a character or corporation wallet; a bank wallet must name its own.
        #[arg(long, required_if_eq("kind", "bank"))]
        currency: Option<String>,
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
pub enum ImportCmd {
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
        /// A QIF's date order, when its dates read both ways (the import asks otherwise).
        #[arg(long, value_enum)]
        date_order: Option<DateOrderArg>,
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
    /// Conversions (`conversion_id,sponsor_ref,occurred_at,description`), CSV or JSON.
    Conversions {
        #[arg(long)]
        program: String,
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
    /// Settlements (`settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at`), CSV or JSON.
    Settlements {
        #[arg(long)]
        program: String,
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
    /// Platform workspace wallets: `workspace_id,wallet_id,currency,balance,locked_balance,as_of` (CSV or JSON).
    WorkspaceWallets(crate::checks::PlatformFileArgs),
    /// Platform activations: `activation_id,workspace_id,status,total_budget,spent_amount,currency`.
    Activations(crate::checks::PlatformFileArgs),
    /// Platform wallet transactions: `transaction_id,wallet_id,type,amount,reference_type,reference_id,created_at`.
    WalletTransactions(crate::checks::PlatformFileArgs),
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
pub enum JournalCmd {
    List {
        #[arg(long)]
        wallet: Option<String>,
        /// Text in description, reason, ref type or counterparty; an amount (`250,000,000`,
        /// `2.90`) or a range (`100..200`) also finds those amounts.
        #[arg(long)]
        search: Option<String>,
        /// Lines whose absolute amount is at least this.
        #[arg(long = "amount-min")]
        amount_min: Option<String>,
        #[arg(long = "amount-max")]
        amount_max: Option<String>,
        /// Lines dated on or after this day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write the lines `list` would show (same filters) as CSV, formula cells neutralised.
    Export {
        #[arg(long)]
        wallet: Option<String>,
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
pub enum CurrencyCmd {
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
pub enum AuditCmd {
    /// Re-hash the chain, check it ends where this ledger left it, and recompute what each
    /// record attests from the live tables.
    Verify,
    /// Print the chain's head: the newest record's sequence number and hash.
    Head,
    /// The audit trail, oldest first: all of it, or one entity's (`expected_payment:ID`, `wallet:ID`).
    List {
        #[arg(long, value_name = "KIND:ID")]
        entity: Option<String>,
        /// Only the newest N records.
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Store the device token (read from standard input) in the OS keychain.
    Set,
}

/// `--date-order`: which number of a QIF date `03/04/2026` is the month.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DateOrderArg {
    MonthFirst,
    DayFirst,
}

impl DateOrderArg {
    pub fn order(self) -> recon_api::imports::DayOrder {
        match self {
            DateOrderArg::MonthFirst => recon_api::imports::DayOrder::MonthFirst,
            DateOrderArg::DayFirst => recon_api::imports::DayOrder::DayFirst,
        }
    }
}
