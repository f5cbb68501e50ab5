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

use crate::gen::Rng;
use crate::imports::{median, run_child, Child};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Args {
    pub rows: usize,
    pub repeat: usize,
    pub seed: u64,
    pub recon: PathBuf,
    pub sqlite3: String,
    pub work_dir: PathBuf,
}

const USAGE: &str = "usage: recon-bench ledger [--rows 1000000] [--repeat 3] [--seed 42] \
[--recon $CARGO_TARGET_DIR/release/recon] [--sqlite3 sqlite3] [--work-dir $CARGO_TARGET_DIR/bench-data/ledger]";

const IMPORT_RATIO: f64 = 1.5;
const SUMMARY_RATIO: f64 = 1.2;
const VERIFY_RATIO: f64 = 2.0;
const PEAK_MB: f64 = 300.0;
const PARENTS: usize = 20;
const CHILDREN: usize = 10;

pub fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let mut a = Args {
        rows: 1_000_000,
        repeat: 3,
        seed: 42,
        recon: target.join("release").join("recon"),
        sqlite3: "sqlite3".into(),
        work_dir: target.join("bench-data").join("ledger"),
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--rows" => a.rows = num(value()?)?,
            "--repeat" => a.repeat = num(value()?)?.max(1),
            "--seed" => a.seed = num(value()?)? as u64,
            "--recon" => a.recon = PathBuf::from(value()?),
            "--sqlite3" => a.sqlite3 = value()?,
            "--work-dir" => a.work_dir = PathBuf::from(value()?),
            _ => return Err(USAGE.into()),
        }
    }
    Ok(a)
}

fn write_settlements(path: &Path, rows: usize, seed: u64) -> Result<(), String> {
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let mut rng = Rng::new(seed);
    let io = |e: std::io::Error| e.to_string();
    writeln!(
        out,
        "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at"
    )
    .map_err(io)?;
    for i in 0..rows {
        let child = format!("c{}-{}", rng.below(PARENTS), rng.below(CHILDREN));
        let cents = 100 + rng.below(99_900);
        let (month, day) = (1 + rng.below(12), 1 + rng.below(28));
        writeln!(
            out,
            "S{i:08},u{},{child},{}.{:02},USD,2026-{month:02}-{day:02}",
            rng.below(50_000),
            cents / 100,
            cents % 100
        )
        .map_err(io)?;
    }
    out.flush().map_err(io)
}

fn recon(a: &Args, db: &Path, args: &[&str]) -> Result<Child, String> {
    run_child(Command::new(&a.recon).arg("--db").arg(db).args(args))
}

/// A fresh ledger with the program and its tree: not part of the timed import.
fn fresh_ledger(a: &Args, db: &Path) -> Result<(), String> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    recon(
        a,
        db,
        &[
            "program",
            "add",
            "bench",
            "--name",
            "Bench",
            "--currency",
            "USD",
            "--direct-rate",
            "10",
            "--override-rate",
            "2.5",
        ],
    )?;
    for p in 0..PARENTS {
        let parent = format!("p{p}");
        recon(
            a,
            db,
            &[
                "entity",
                "add",
                "--program",
                "bench",
                "--type",
                "affiliate",
                "--ref",
                &parent,
                "--name",
                &parent,
            ],
        )?;
        for c in 0..CHILDREN {
            let child = format!("c{p}-{c}");
            recon(
                a,
                db,
                &[
                    "entity",
                    "add",
                    "--program",
                    "bench",
                    "--type",
                    "affiliate",
                    "--ref",
                    &child,
                    "--name",
                    &child,
                    "--parent",
                    &parent,
                ],
            )?;
        }
    }
    Ok(())
}

fn sqlite(a: &Args, db: &Path, sql: &str) -> Result<Child, String> {
    run_child(Command::new(&a.sqlite3).arg(db).arg(sql))
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
