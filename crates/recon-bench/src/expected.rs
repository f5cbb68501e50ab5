//! `recon-bench expected [--rows 30000] [--repeat 3] [--seed 42] [--recon PATH] [--sqlite3 sqlite3]`
//!
//! Generates a seeded expected-payments CSV (the matching bench's payments) and times
//! `recon import expected` into an empty ledger against `sqlite3 .import --csv` of the same
//! file into a table of the same columns with a UNIQUE memo: CPU seconds of each child
//! (user + system, from `wait4`), interleaved rounds, medians. Required: recon ≤ 4× sqlite3
//! (with its audit records written); goal: 2×.

use crate::e2e::write_expected_csv;
use crate::fixture::{self, Args, Spec};
use crate::imports::{median, run_child, Child};
use std::path::Path;
use std::process::Command;

pub const SPEC: Spec = Spec {
    name: "expected",
    count_flag: "--rows",
    rows: 30_000,
    min_rows: 0,
    usage: "usage: recon-bench expected [--rows 30000] [--repeat 3] [--seed 42] \
[--recon $CARGO_TARGET_DIR/release/recon] [--sqlite3 sqlite3] [--work-dir $CARGO_TARGET_DIR/bench-data/expected]",
};

const REQUIRED_RATIO: f64 = 4.0;
const GOAL_RATIO: f64 = 2.0;

/// An empty, migrated ledger: opening it is not part of the timed import.
fn fresh_ledger(a: &Args, path: &Path) -> Result<(), String> {
    fixture::remove_db(path);
    run_child(
        Command::new(&a.recon)
            .arg("--db")
            .arg(path)
            .args(["currency", "list"]),
    )?;
    Ok(())
}

fn sqlite3_import(a: &Args, file: &Path) -> Result<Child, String> {
    let db = a.work_dir.join("sqlite-import.db");
    let _ = std::fs::remove_file(&db);
    run_child(Command::new(&a.sqlite3).arg(&db).arg(
        "CREATE TABLE t (cycle_id TEXT, character_name TEXT, character_id TEXT, \
         expected_amount TEXT, currency TEXT, memo TEXT UNIQUE);",
    ))?;
    run_child(
        Command::new(&a.sqlite3)
            .arg(&db)
            .arg(format!(".import --csv --skip 1 {} t", file.display())),
    )
}

pub fn expected(a: &Args) -> Result<bool, String> {
    std::fs::create_dir_all(&a.work_dir).map_err(|e| format!("{}: {e}", a.work_dir.display()))?;
    let file = a.work_dir.join("expected.csv");
    let data = crate::gen::generate(a.rows, a.seed);
    write_expected_csv(&file, &data).map_err(|e| e.to_string())?;
    let ledger = a.work_dir.join("ledger.sqlite");
    println!(
        "recon-bench expected: {} expected payments, {}",
        a.rows,
        file.display()
    );
    let (mut recon_runs, mut sqlite_runs) = (Vec::new(), Vec::new());
    // Interleaved, so a slow moment of the machine hits both sides.
    for round in 1..=a.repeat {
        fresh_ledger(a, &ledger)?;
        let recon = run_child(
            Command::new(&a.recon)
                .arg("--db")
                .arg(&ledger)
                .args(["import", "expected", "--json"])
                .arg(&file),
        )?;
        let sqlite = sqlite3_import(a, &file)?;
        if round == 1 {
            println!("recon import expected: {}", recon.stdout.trim());
        }
        println!(
            "round {round}/{}: recon {:.3} s, sqlite3 {:.3} s",
            a.repeat, recon.cpu, sqlite.cpu
        );
        recon_runs.push(recon);
        sqlite_runs.push(sqlite);
    }
    let (recon, sqlite) = (median(recon_runs), median(sqlite_runs));
    println!();
    println!(
        "{:<40} {:>8} {:>8}   (medians of {} rounds)",
        "what", "cpu s", "wall s", a.repeat
    );
    println!(
        "{:<40} {:>8.3} {:>8.3}",
        "recon import expected (empty ledger)", recon.cpu, recon.wall
    );
    println!(
        "{:<40} {:>8.3} {:>8.3}",
        "sqlite3 .import --csv (UNIQUE memo)", sqlite.cpu, sqlite.wall
    );
    let ratio = recon.cpu / sqlite.cpu;
    let verdict = |ok: bool| if ok { "meets" } else { "DOES NOT MEET" };
    println!();
    println!(
        "recon import expected / sqlite3 .import: {ratio:.2}  (required <= {REQUIRED_RATIO}: {}; goal <= {GOAL_RATIO}: {})",
        verdict(ratio <= REQUIRED_RATIO),
        verdict(ratio <= GOAL_RATIO)
    );
    Ok(ratio <= REQUIRED_RATIO)
}
