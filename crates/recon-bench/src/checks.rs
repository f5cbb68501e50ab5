//! `recon-bench checks [--lines 1000000] [--wallets 10000] [--activations 200000] [--repeat 3]
//! [--recon PATH] [--sqlite3 sqlite3] [--work-dir DIR]`
//!
//! Two wallet-check timings against `sqlite3` on the same ledger file, CPU seconds of each
//! child (user + system, `wait4`), interleaved rounds, medians:
//!
//! - `recon check continuity --json` over a clean journal of `--lines` ESI lines with a
//!   running balance, against a `LAG()` window query finding the same breaks (none).
//!   Required: ≤ 1.0×.
//! - `recon check wallets --json` (the run and its 10,000-line report written, audited and
//!   queued) over `--wallets` workspace wallets and `--activations` activations, against
//!   the `GROUP BY` that computes each wallet's expected locked balance. Required: ≤ 1.2×.
//!
//! The ledgers are made by `recon` (schema) and filled by `sqlite3` (bulk rows), so setup
//! is quick; what is timed is only the check against the query.

use crate::imports::{median, run_child, Child};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Args {
    pub lines: usize,
    pub wallets: usize,
    pub activations: usize,
    pub repeat: usize,
    pub recon: PathBuf,
    pub sqlite3: String,
    pub work_dir: PathBuf,
}

const USAGE: &str = "usage: recon-bench checks [--lines 1000000] [--wallets 10000] [--activations 200000] \
[--repeat 3] [--recon $CARGO_TARGET_DIR/release/recon] [--sqlite3 sqlite3] [--work-dir $CARGO_TARGET_DIR/bench-data/checks]";

const CONTINUITY_RATIO: f64 = 1.0;
const WALLET_CHECK_RATIO: f64 = 1.2;

pub fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let mut a = Args {
        lines: 1_000_000,
        wallets: 10_000,
        activations: 200_000,
        repeat: 3,
        recon: target.join("release").join("recon"),
        sqlite3: "sqlite3".into(),
        work_dir: target.join("bench-data").join("checks"),
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--lines" => a.lines = num(value()?)?,
            "--wallets" => a.wallets = num(value()?)?.max(1),
            "--activations" => a.activations = num(value()?)?,
            "--repeat" => a.repeat = num(value()?)?.max(1),
            "--recon" => a.recon = PathBuf::from(value()?),
            "--sqlite3" => a.sqlite3 = value()?,
            "--work-dir" => a.work_dir = PathBuf::from(value()?),
            _ => return Err(USAGE.into()),
        }
    }
    Ok(a)
}

fn fresh_ledger(a: &Args, path: &Path, setup: &[&[&str]]) -> Result<(), String> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    for args in setup {
        run_child(Command::new(&a.recon).arg("--db").arg(path).args(*args))?;
    }
    Ok(())
}

fn sqlite(a: &Args, db: &Path, sql: &str) -> Result<Child, String> {
    run_child(Command::new(&a.sqlite3).arg(db).arg(sql))
}

/// A clean journal: line n (from 1) at second base + n, amount in −500.00..500.02, its
/// balance the running sum — built by a recursive CTE carrying the balance.
fn journal_sql(lines: usize) -> String {
    format!(
        "INSERT INTO import_batches (id, wallet_id, format, read, inserted, duplicates, rejected, actor, at, no)
         SELECT 'bench', id, 'esi_journal', {lines}, {lines}, 0, 0, 'bench', '2026-01-01T00:00:00Z', 1 FROM wallets;
         WITH RECURSIVE l(n, amount, balance) AS (
             SELECT 1, 100, 100
             UNION ALL
             SELECT n + 1, ((n + 1) * 7919) % 100003 - 50000, balance + ((n + 1) * 7919) % 100003 - 50000
             FROM l WHERE n < {lines})
         INSERT INTO journal_entries (rowid_pk, wallet_no, natural_key, esi_id, date, ref_type, description,
             amount_minor, balance_minor, batch_no)
         SELECT (1700000000 + n) << 21, (SELECT no FROM wallets), n, n,
                strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + n, 'unixepoch'), 'player_donation', 'bench',
                amount, balance, 1
         FROM l;"
    )
}

const LAG_SQL: &str = "SELECT COUNT(*) FROM (
    SELECT balance_minor - amount_minor - LAG(balance_minor) OVER (PARTITION BY wallet_no ORDER BY rowid_pk) AS gap
    FROM journal_entries WHERE balance_minor IS NOT NULL AND amount_minor IS NOT NULL) WHERE gap <> 0;";

/// Wallet w (from 1) in workspace w; activations spread over the workspaces, two in five
/// live or draft; locked balances that make a mix of synced, fixable and review wallets.
fn wallets_sql(wallets: usize, activations: usize) -> String {
    format!(
        "WITH RECURSIVE w(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM w WHERE n < {wallets})
         INSERT INTO workspaces (id, created_at) SELECT 'ws' || n, '2026-01-01T00:00:00.000Z' FROM w;
         WITH RECURSIVE a(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < {activations})
         INSERT INTO activations (id, workspace_id, status, total_budget_minor, spent_minor, currency, updated_at)
         SELECT 'act' || n, 'ws' || (n % {wallets} + 1),
                CASE n % 5 WHEN 0 THEN 'live' WHEN 1 THEN 'draft' WHEN 2 THEN 'paused' WHEN 3 THEN 'completed' ELSE 'cancelled' END,
                100000 + n % 1000, n % 50000, 'NGN', '2026-01-01T00:00:00.000Z' FROM a;
         INSERT INTO workspace_wallets (wallet_id, workspace_id, currency, balance_minor, locked_minor, as_of)
         SELECT 'w' || substr(ws.id, 3), ws.id, 'NGN', 1000000,
                COALESCE((SELECT SUM(total_budget_minor - spent_minor) FROM activations x
                          WHERE x.workspace_id = ws.id AND (x.status = 'live' OR x.status = 'draft')), 0)
                  + (CAST(substr(ws.id, 3) AS INTEGER) % 7) * 300,
                '2026-01-01T00:00:00.000Z'
         FROM workspaces ws;"
    )
}

const GROUP_BY_SQL: &str = "SELECT w.workspace_id, w.wallet_id, w.currency, w.locked_minor,
    COALESCE(SUM(a.total_budget_minor - a.spent_minor), 0) AS expected,
    w.locked_minor - COALESCE(SUM(a.total_budget_minor - a.spent_minor), 0) AS discrepancy
FROM workspace_wallets w
LEFT JOIN activations a ON a.workspace_id = w.workspace_id AND a.currency = w.currency
     AND (a.status = 'live' OR a.status = 'draft')
GROUP BY w.wallet_id ORDER BY w.workspace_id, w.currency;";

/// Times `recon ARGS` against `sqlite3 SQL` on `db`, interleaved; returns the medians.
fn duel(
    a: &Args,
    db: &Path,
    recon_args: &[&str],
    sql: &str,
    check: &dyn Fn(&str, &str) -> Result<(), String>,
) -> Result<(Child, Child), String> {
    let (mut recon_runs, mut sqlite_runs) = (Vec::new(), Vec::new());
    for round in 1..=a.repeat {
        let recon = run_child(Command::new(&a.recon).arg("--db").arg(db).args(recon_args))?;
        let peer = sqlite(a, db, sql)?;
        check(&recon.stdout, &peer.stdout)?;
        println!(
            "  round {round}/{}: recon {:.3} s, sqlite3 {:.3} s",
            a.repeat, recon.cpu, peer.cpu
        );
        recon_runs.push(recon);
        sqlite_runs.push(peer);
    }
    Ok((median(recon_runs), median(sqlite_runs)))
}

fn verdict(name: &str, recon: &Child, peer: &Child, required: f64) -> bool {
    let ratio = recon.cpu / peer.cpu;
    let ok = ratio <= required;
    println!(
        "{name}: recon {:.3} s, sqlite3 {:.3} s cpu (wall {:.3} / {:.3}): ratio {ratio:.2} (required <= {required}: {})",
        recon.cpu, peer.cpu, recon.wall, peer.wall,
        if ok { "meets" } else { "DOES NOT MEET" }
    );
    ok
}

pub fn checks(a: &Args) -> Result<bool, String> {
    std::fs::create_dir_all(&a.work_dir).map_err(|e| format!("{}: {e}", a.work_dir.display()))?;
    let journal = a.work_dir.join("continuity.sqlite");
    fresh_ledger(a, &journal, &[&["wallet", "add", "Bench"]])?;
    sqlite(a, &journal, &journal_sql(a.lines))?;
    println!(
        "continuity: {} journal lines with a running balance",
        a.lines
    );
    let lines = a.lines;
    let clean = move |recon: &str, peer: &str| {
        let report: serde_json::Value = serde_json::from_str(recon).map_err(|e| e.to_string())?;
        let (n, breaks) = (
            &report[0]["lines"],
            report[0]["breaks"].as_array().map(Vec::len),
        );
        if n.as_u64() != Some(lines as u64) || breaks != Some(0) || peer.trim() != "0" {
            return Err(format!("expected {lines} clean lines; recon saw {n} with {breaks:?} breaks, sqlite3 {peer}"));
        }
        Ok(())
    };
    let (recon, peer) = duel(
        a,
        &journal,
        &["check", "continuity", "--json"],
        LAG_SQL,
        &clean,
    )?;
    let continuity_ok = verdict("continuity vs LAG()", &recon, &peer, CONTINUITY_RATIO);

    let ledger = a.work_dir.join("wallets.sqlite");
    fresh_ledger(a, &ledger, &[&["currency", "list"]])?;
    sqlite(a, &ledger, &wallets_sql(a.wallets, a.activations))?;
    println!(
        "wallet check: {} wallets, {} activations",
        a.wallets, a.activations
    );
    let wallets = a.wallets;
    let same = move |recon: &str, peer: &str| {
        let run: serde_json::Value = serde_json::from_str(recon).map_err(|e| e.to_string())?;
        let checked = run["wallets"].as_array().map_or(0, Vec::len);
        let rows = peer.lines().count();
        if checked != wallets || rows != wallets {
            return Err(format!(
                "recon checked {checked} wallets, sqlite3 returned {rows} rows, expected {wallets}"
            ));
        }
        Ok(())
    };
    let (recon, peer) = duel(
        a,
        &ledger,
        &["check", "wallets", "--json"],
        GROUP_BY_SQL,
        &same,
    )?;
    let check_ok = verdict(
        "wallet check vs GROUP BY",
        &recon,
        &peer,
        WALLET_CHECK_RATIO,
    );
    Ok(continuity_ok && check_ok)
}
