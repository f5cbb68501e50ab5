//! `recon-bench ledger [--rows 1000000] [--repeat 3] [--seed 42] [--recon PATH] [--sqlite3 sqlite3] [--work-dir DIR]`
//!
//! N settlements into a program with a two-level affiliate tree (20 parents × 10
//! children; every settlement goes through a child, so it pays a direct commission and an
//! override), timed beside `sqlite3` on the same data, as ratios of CPU seconds (user +
//! system of each child, `wait4`; medians of interleaved rounds):
//!
//! - `recon import settlements` into a fresh ledger ÷ `sqlite3 .import --csv` of the same
//!   file into a table of its columns with a UNIQUE settlement id (required ≤ 1.5);
//! - the same import ÷ `sqlite3` writing the same rows into a copy of the same fresh
//!   ledger (settlements, entries, posting lines; `ledger_peer.rs` says what each side
//!   does) — not a required figure: it shows what recon costs beyond the inserts themselves;
//! - `recon ledger summary --by status` ÷ the same aggregate in `sqlite3` over the covering
//!   index `ledger_entries_summary` of the same ledger (required ≤ 1.2);
//! - `recon ledger verify` ÷ `SELECT … GROUP BY txn_id, currency HAVING SUM(amount_minor) <> 0`
//!   over the same posting lines (required ≤ 2);
//! - peak memory of the import (required < 300 MB).

use crate::fixture::{self, sqlite, Args, Spec, CHILDREN, PARENTS};
use crate::imports::{median, run_child, Child};
use std::path::Path;
use std::process::Command;

pub const SPEC: Spec = Spec {
    name: "ledger",
    count_flag: "--rows",
    rows: 1_000_000,
    min_rows: 0,
    usage: "usage: recon-bench ledger [--rows 1000000] [--repeat 3] [--seed 42] \
[--recon $CARGO_TARGET_DIR/release/recon] [--sqlite3 sqlite3] [--work-dir $CARGO_TARGET_DIR/bench-data/ledger]",
};

const IMPORT_RATIO: f64 = 1.5;
const SUMMARY_RATIO: f64 = 1.2;
const VERIFY_RATIO: f64 = 2.0;
const PEAK_MB: f64 = 300.0;

/// Settlements spread over 2026, each through a child affiliate.
fn write_settlements(path: &Path, rows: usize, seed: u64) -> Result<(), String> {
    fixture::write_settlements(path, rows, seed, |rng, child| {
        let cents = 100 + rng.below(99_900);
        let (month, day) = (1 + rng.below(12), 1 + rng.below(28));
        format!(
            "u{},{child},{}.{:02},USD,2026-{month:02}-{day:02}",
            rng.below(50_000),
            cents / 100,
            cents % 100
        )
    })
}

fn recon(a: &Args, db: &Path, args: &[&str]) -> Result<Child, String> {
    run_child(Command::new(&a.recon).arg("--db").arg(db).args(args))
}

/// A fresh ledger with the program and its tree: not part of the timed import.
fn fresh_ledger(a: &Args, db: &Path) -> Result<(), String> {
    fixture::remove_db(db);
    fixture::program_tree(|args| recon(a, db, args).map(|_| ()))
}

/// `sqlite3` writing the rows recon writes, into `fresh` copied (before recon imported).
fn sqlite3_same_rows(a: &Args, fresh: &Path, file: &Path) -> Result<Child, String> {
    let db = a.work_dir.join("sqlite-rows.db");
    let _ = std::fs::remove_file(&db);
    std::fs::copy(fresh, &db).map_err(|e| format!("{}: {e}", fresh.display()))?;
    let script = a.work_dir.join("sqlite-rows.sql");
    let text = crate::ledger_peer::PEER_SCRIPT.replace("{file}", &file.display().to_string());
    std::fs::write(&script, text).map_err(|e| format!("{}: {e}", script.display()))?;
    sqlite(a, &db, &format!(".read {}", script.display()))
}

fn sqlite3_import(a: &Args, file: &Path) -> Result<Child, String> {
    let db = a.work_dir.join("sqlite-import.db");
    let _ = std::fs::remove_file(&db);
    sqlite(a, &db, "CREATE TABLE t (settlement_id TEXT UNIQUE, user_ref TEXT, affiliate_ref TEXT, gross_amount TEXT, \
        currency TEXT, occurred_at TEXT);")?;
    sqlite(
        a,
        &db,
        &format!(".import --csv --skip 1 {} t", file.display()),
    )
}

const SUMMARY_SQL: &str =
    "SELECT status, source, SUM(earnings_minor), COUNT(*) FROM ledger_entries \
    INDEXED BY ledger_entries_summary WHERE program_id = 1 GROUP BY status, source;";
const VERIFY_SQL: &str = "SELECT txn_id, currency FROM ledger_postings GROUP BY txn_id, currency HAVING SUM(amount_minor) <> 0;";

struct Pair {
    what: &'static str,
    peer: &'static str,
    recon: Child,
    sqlite: Child,
    required: f64,
}

impl Pair {
    fn ratio(&self) -> f64 {
        self.recon.cpu / self.sqlite.cpu.max(1e-6)
    }
}

fn rounds(
    a: &Args,
    mut f: impl FnMut(usize) -> Result<(Child, Child), String>,
) -> Result<(Child, Child), String> {
    let (mut r, mut s) = (Vec::new(), Vec::new());
    for round in 1..=a.repeat {
        let (x, y) = f(round)?;
        r.push(x);
        s.push(y);
    }
    Ok((median(r), median(s)))
}

/// The import rounds: recon, `sqlite3 .import`, `sqlite3` writing the same rows (medians).
fn imports(a: &Args, db: &Path, file: &Path) -> Result<(Child, Child, Child), String> {
    let fresh = a.work_dir.join("fresh.sqlite");
    let mut same_rows = Vec::new();
    let (import_recon, import_sqlite) = rounds(a, |round| {
        fresh_ledger(a, db)?;
        std::fs::copy(db, &fresh).map_err(|e| format!("{}: {e}", db.display()))?;
        let r = recon(
            a,
            db,
            &[
                "import",
                "settlements",
                "--program",
                "bench",
                "--json",
                file.to_str().unwrap(),
            ],
        )?;
        let s = sqlite3_import(a, file)?;
        let rows = sqlite3_same_rows(a, &fresh, file)?;
        println!(
            "import round {round}/{}: recon {:.3} s ({} MB peak), sqlite3 .import {:.3} s, sqlite3 same rows {:.3} s  {}",
            a.repeat,
            r.cpu,
            r.peak_kb / 1024,
            s.cpu,
            rows.cpu,
            r.stdout.trim()
        );
        same_rows.push(rows);
        Ok((r, s))
    })?;
    Ok((import_recon, import_sqlite, median(same_rows)))
}

pub fn ledger(a: &Args) -> Result<bool, String> {
    std::fs::create_dir_all(&a.work_dir).map_err(|e| format!("{}: {e}", a.work_dir.display()))?;
    let file = a.work_dir.join("settlements.csv");
    write_settlements(&file, a.rows, a.seed)?;
    let db = a.work_dir.join("ledger.sqlite");
    println!(
        "recon-bench ledger: {} settlements through {PARENTS}×{CHILDREN} affiliates, {}",
        a.rows,
        file.display()
    );
    let (import_recon, import_sqlite, same_rows) = imports(a, &db, &file)?;
    let peak_mb = import_recon.peak_kb as f64 / 1024.0;
    let (summary_recon, summary_sqlite) = rounds(a, |_| {
        Ok((
            recon(
                a,
                &db,
                &[
                    "ledger",
                    "summary",
                    "--program",
                    "bench",
                    "--by",
                    "status",
                    "--json",
                ],
            )?,
            sqlite(a, &db, SUMMARY_SQL)?,
        ))
    })?;
    let (verify_recon, verify_sqlite) = rounds(a, |_| {
        let r = recon(a, &db, &["ledger", "verify", "--json"])?;
        let s = sqlite(a, &db, VERIFY_SQL)?;
        if !s.stdout.trim().is_empty() {
            return Err(format!(
                "sqlite3 found unbalanced transactions: {}",
                s.stdout.trim()
            ));
        }
        Ok((r, s))
    })?;
    println!("recon ledger verify: {}", verify_recon.stdout.trim());
    let import_copy = Child {
        stdout: String::new(),
        ..import_recon
    };
    let pairs = [
        Pair {
            what: "recon import settlements",
            peer: "sqlite3 .import --csv (UNIQUE id)",
            recon: import_recon,
            sqlite: import_sqlite,
            required: IMPORT_RATIO,
        },
        Pair {
            what: "recon import settlements",
            peer: "sqlite3 inserting the same rows",
            recon: import_copy,
            sqlite: same_rows,
            required: f64::INFINITY,
        },
        Pair {
            what: "recon ledger summary --by status",
            peer: "sqlite3 GROUP BY over covering index",
            recon: summary_recon,
            sqlite: summary_sqlite,
            required: SUMMARY_RATIO,
        },
        Pair {
            what: "recon ledger verify",
            peer: "sqlite3 GROUP BY txn, currency HAVING",
            recon: verify_recon,
            sqlite: verify_sqlite,
            required: VERIFY_RATIO,
        },
    ];
    Ok(report(&pairs, peak_mb))
}

/// Prints the table of ratios; true when every required figure is met.
fn report(pairs: &[Pair], peak_mb: f64) -> bool {
    println!();
    println!(
        "{:<36} {:>8} {:>8}   {:<40} {:>8}   ratio (required)",
        "recon", "cpu s", "wall s", "peer", "cpu s"
    );
    let mut all_ok = true;
    for p in pairs {
        let ok = p.ratio() <= p.required;
        all_ok &= ok;
        let verdict = if p.required.is_infinite() {
            "(shown, not required)".to_owned()
        } else {
            format!(
                "(<= {}: {})",
                p.required,
                if ok { "meets" } else { "DOES NOT MEET" }
            )
        };
        println!(
            "{:<36} {:>8.3} {:>8.3}   {:<40} {:>8.3}   {:.2} {verdict}",
            p.what,
            p.recon.cpu,
            p.recon.wall,
            p.peer,
            p.sqlite.cpu,
            p.ratio(),
        );
    }
    let mem_ok = peak_mb < PEAK_MB;
    println!(
        "peak memory of the import: {peak_mb:.0} MB (< {PEAK_MB}: {})",
        if mem_ok { "meets" } else { "DOES NOT MEET" }
    );
    all_ok && mem_ok
}
