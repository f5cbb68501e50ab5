//! `recon`: the Recon Desk ledger without a window. Every command takes `--db PATH`
//! (else `RECON_DB`, else the platform default the desktop app also uses).
//! Exit status: 0 on success, 1 when an operation is refused (message on stderr).
//!
//! Every command calls a `recon_api` operation, the same the app's Tauri commands call,
//! and `--json` prints the DTO the app receives.

use anyhow::Result;
use clap::Parser;
use cli::{Cli, Command};
use recon_api::{ApiError, Store};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod checks;
mod cli;
mod imports;
mod journal;
mod ledger;
mod matching;
mod payouts;
mod sync;
mod wallets;

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
pub(crate) fn api<T>(r: Result<T, ApiError>) -> Result<T> {
    r.map_err(|e| anyhow::anyhow!(e.message))
}

/// Writes `value` as the indented JSON the `list --json` commands print. Buffered: stdout
/// is line-buffered, and a report of 10,000 wallets is 150,000 lines, one write each.
pub(crate) fn print_json_pretty(
    out: &mut impl std::io::Write,
    value: &impl serde::Serialize,
) -> Result<()> {
    use std::io::Write;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    writeln!(buffered)?;
    buffered.flush()?;
    Ok(())
}

fn run(cli: Cli) -> Result<()> {
    let path = recon_api::resolve_db_path(cli.db.as_deref());
    let store: &mut Store = &mut api(recon_api::open_store(&path))?;
    // A write that must wait for another writer says what holds the ledger, and for how long.
    store.set_wait_notice(Box::new(|m| eprintln!("recon: {m}")));
    if let Some(warning) = store.exposure_warning() {
        eprintln!("recon: warning: {warning}");
    }
    let actor = &recon_api::current_actor();
    let out = &mut std::io::stdout().lock();
    match cli.command {
        Command::Wallet(cmd) => wallets::wallet(store, actor, cmd, out),
        Command::Currency(cmd) => wallets::currency(store, actor, cmd, out),
        Command::Import(cmd) => imports::import(store, actor, cmd, out),
        Command::Profile(cmd) => imports::profile(store, actor, cmd, out),
        Command::Expected(cmd) => matching::expected(store, actor, cmd, out),
        Command::Match(args) => matching::run_match(store, actor, args, out),
        Command::Cycle(cmd) => matching::cycle(store, actor, cmd, out),
        Command::Journal(cmd) => journal::journal(store, cmd, out),
        Command::Audit(cmd) => sync::audit(store, cmd, out),
        Command::Sync {
            server,
            allow_insecure_http,
            json,
        } => sync::sync(store, server, allow_insecure_http, json, out),
        Command::Token(cmd) => sync::token(cmd, out),
        Command::Program(cmd) => ledger::program(store, actor, cmd, out),
        Command::Entity(cmd) => ledger::entity(store, actor, cmd, out),
        Command::Conversion(cmd) => ledger::conversion(store, actor, cmd, out),
        Command::Ledger(cmd) => ledger::ledger(store, actor, cmd, out),
        Command::Payout(cmd) => payouts::payout(store, actor, cmd, out),
        Command::Partner(cmd) => payouts::partner(store, cmd, out),
        Command::Check(cmd) => checks::check(store, actor, cmd, out),
        Command::WalletOp(args) => checks::wallet_op(store, actor, args, out),
    }
}
