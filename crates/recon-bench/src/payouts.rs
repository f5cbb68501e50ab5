//! `recon-bench payouts [--entries 100000] [--repeat 3] [--seed 42] [--recon PATH] [--sqlite3 sqlite3] [--work-dir DIR]`
//!
//! A ledger with `--entries` pending entries in one month (settlements through a 20 × 10
//! affiliate tree, each paying a direct commission and an override: two entries), copied
//! twice per round. On one copy `recon payout create` then (after submit and approve by
//! another person, not timed) `recon payout pay`; on the other the same rows written by
//! `sqlite3` alone: `INSERT … SELECT` of the batch's lines and reserved entries, then the
//! payout postings `INSERT … SELECT` and the entries' `UPDATE`. Ratio of CPU seconds (user +
//! system of each child, medians of the rounds); required ≤ 1.5.

use crate::fixture::{self, sqlite, Args, Spec};
use crate::imports::{median, run_child, Child};
use std::path::Path;
use std::process::Command;

pub const SPEC: Spec = Spec {
    name: "payouts",
    count_flag: "--entries",
    rows: 100_000,
    min_rows: 2,
    usage: "usage: recon-bench payouts [--entries 100000] [--repeat 3] [--seed 42] \
[--recon $CARGO_TARGET_DIR/release/recon] [--sqlite3 sqlite3] [--work-dir $CARGO_TARGET_DIR/bench-data/payouts]",
};

const RATIO: f64 = 1.5;

fn recon(a: &Args, db: &Path, user: &str, args: &[&str]) -> Result<Child, String> {
    run_child(
        Command::new(&a.recon)
            .arg("--db")
            .arg(db)
            .args(args)
            .env("RECON_USER", user)
            .env_remove("RECON_DB"),
    )
}

/// Settlements of March 2026, each through a child affiliate (direct + override entries).
fn write_settlements(path: &Path, rows: usize, seed: u64) -> Result<(), String> {
    fixture::write_settlements(path, rows, seed, |rng, child| {
        let cents = 1_000 + rng.below(99_000);
        let user = rng.below(50_000);
        let day = 1 + rng.below(28);
        format!(
            "u{user},{child},{}.{:02},USD,2026-03-{day:02}",
            cents / 100,
            cents % 100
        )
    })
}

/// The ledger every round starts from (built once, not timed).
fn base_ledger(a: &Args, db: &Path) -> Result<(), String> {
    fixture::remove_db(db);
    fixture::program_tree(|args| recon(a, db, "setup", args).map(|_| ()))?;
    let file = a.work_dir.join("settlements.csv");
    write_settlements(&file, a.rows / 2, a.seed)?;
    let r = recon(
        a,
        db,
        "setup",
        &[
            "import",
            "settlements",
            "--program",
            "bench",
            "--json",
            file.to_str().unwrap(),
        ],
    )?;
    println!("setup: {}", r.stdout.trim());
    // One file, no WAL beside it: each round copies it.
    sqlite(a, db, "PRAGMA wal_checkpoint(TRUNCATE);").map(|_| ())
}

fn copy(base: &Path, to: &Path) -> Result<(), String> {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
    }
    std::fs::copy(base, to)
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", to.display()))
}

const FILTER: &str = "e.program_id = 1 AND e.period = '2026-03' AND e.status = 'pending'";

/// What `recon payout create` writes, by `sqlite3` alone.
fn sqlite_create() -> String {
    format!(
        "BEGIN IMMEDIATE;
        INSERT INTO payout_batches (id, program_id, period, currency, status, total_minor, notes, created_by, created_at, updated_at, approved_by, approved_at)
          SELECT 'b', 1, '2026-03', 'USD', 'approved', SUM(e.earnings_minor), '', 'maker', 't', 't', 'checker', 't' FROM ledger_entries e WHERE {FILTER};
        INSERT INTO payout_lines (batch_id, entity_id, amount_minor, entries)
          SELECT 'b', e.entity_id, SUM(e.earnings_minor), COUNT(*) FROM ledger_entries e WHERE {FILTER} GROUP BY e.entity_id;
        INSERT INTO payout_entries (batch_id, entry_id, line_id, reserved)
          SELECT 'b', e.id, l.id, 1 FROM ledger_entries e JOIN payout_lines l ON l.batch_id = 'b' AND l.entity_id = e.entity_id WHERE {FILTER};
        COMMIT;"
    )
}

/// What `recon payout pay` writes, by `sqlite3` alone.
const SQLITE_PAY: &str = "BEGIN IMMEDIATE;
    INSERT OR IGNORE INTO ledger_accounts (name) VALUES ('system:payouts');
    INSERT OR IGNORE INTO ledger_accounts (name) SELECT n.entity_type || ':' || n.ref || ':liability'
      FROM payout_lines l JOIN ledger_entities n ON n.id = l.entity_id WHERE l.batch_id = 'b';
    INSERT INTO ledger_postings (txn_id, line, account_id, currency, amount_minor)
      SELECT (SELECT MAX(txn_id) + 1 FROM ledger_postings), 2 * l.id + k.k, a.id, 'USD', CASE k.k WHEN 0 THEN l.amount_minor ELSE -l.amount_minor END
      FROM payout_lines l JOIN ledger_entities n ON n.id = l.entity_id
      JOIN (SELECT 0 AS k UNION ALL SELECT 1) k
      JOIN ledger_accounts a ON a.name = CASE k.k WHEN 0 THEN n.entity_type || ':' || n.ref || ':liability' ELSE 'system:payouts' END
      WHERE l.batch_id = 'b' AND l.amount_minor <> 0;
    UPDATE ledger_entries SET status = 'paid', payout_batch = 'b'
      WHERE id IN (SELECT entry_id FROM payout_entries WHERE batch_id = 'b' AND reserved = 1);
    UPDATE payout_batches SET status = 'paid', paid_by = 'payer', paid_at = 't', txn_id = (SELECT MAX(txn_id) FROM ledger_postings) WHERE id = 'b';
    COMMIT;";

struct Round {
    create: (Child, Child),
    pay: (Child, Child),
}

fn round(a: &Args, base: &Path) -> Result<Round, String> {
    let (mine, peer) = (
        a.work_dir.join("recon.sqlite"),
        a.work_dir.join("sqlite3.sqlite"),
    );
    copy(base, &mine)?;
    copy(base, &peer)?;
    let create = recon(
        a,
        &mine,
        "maker",
        &[
            "payout",
            "create",
            "--program",
            "bench",
            "--period",
            "2026-03",
            "--json",
        ],
    )?;
    let batch: serde_json::Value = serde_json::from_str(create.stdout.trim())
        .map_err(|e| format!("payout create: {e}: {}", create.stdout))?;
    let id = batch["id"]
        .as_str()
        .ok_or("payout create printed no id")?
        .to_owned();
    if batch["entry_count"].as_u64() != Some(a.rows as u64 / 2 * 2) {
        return Err(format!("the batch holds {} entries", batch["entry_count"]));
    }
    recon(a, &mine, "maker", &["payout", "submit", &id])?;
    recon(a, &mine, "checker", &["payout", "approve", &id])?;
    let pay = recon(a, &mine, "payer", &["payout", "pay", &id])?;
    let verify = recon(a, &mine, "payer", &["ledger", "verify", "--json"])?;
    if !verify.stdout.contains("\"first_failure\":null") {
        return Err(format!("ledger verify after paying: {}", verify.stdout));
    }
    let s_create = sqlite(a, &peer, &sqlite_create())?;
    let s_pay = sqlite(a, &peer, SQLITE_PAY)?;
    let check = sqlite(
        a,
        &peer,
        "SELECT COUNT(*) FROM ledger_entries WHERE status = 'paid';",
    )?;
    if check.stdout.trim() != (a.rows / 2 * 2).to_string() {
        return Err(format!("sqlite3 paid {} entries", check.stdout.trim()));
    }
    Ok(Round {
        create: (create, s_create),
        pay: (pay, s_pay),
    })
}

pub fn payouts(a: &Args) -> Result<bool, String> {
    std::fs::create_dir_all(&a.work_dir).map_err(|e| format!("{}: {e}", a.work_dir.display()))?;
    let base = a.work_dir.join("base.sqlite");
    base_ledger(a, &base)?;
    println!(
        "recon-bench payouts: a batch of {} pending entries, created then paid",
        a.rows / 2 * 2
    );
    let (mut rc, mut sc, mut rp, mut sp, mut rt, mut st) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for n in 1..=a.repeat {
        let r = round(a, &base)?;
        println!(
            "round {n}/{}: create recon {:.3} s, sqlite3 {:.3} s; pay recon {:.3} s, sqlite3 {:.3} s",
            a.repeat, r.create.0.cpu, r.create.1.cpu, r.pay.0.cpu, r.pay.1.cpu
        );
        let total = |x: &Child, y: &Child| Child {
            cpu: x.cpu + y.cpu,
            wall: x.wall + y.wall,
            peak_kb: x.peak_kb.max(y.peak_kb),
            stdout: String::new(),
        };
        rt.push(total(&r.create.0, &r.pay.0));
        st.push(total(&r.create.1, &r.pay.1));
        rc.push(r.create.0);
        sc.push(r.create.1);
        rp.push(r.pay.0);
        sp.push(r.pay.1);
    }
    let rows = [
        ("payout create", median(rc), median(sc)),
        ("payout pay", median(rp), median(sp)),
        ("create + pay", median(rt), median(st)),
    ];
    println!(
        "\n{:<16} {:>10} {:>10} {:>12}   ratio",
        "", "recon cpu s", "wall s", "sqlite3 cpu s"
    );
    for (what, r, s) in &rows {
        println!(
            "{what:<16} {:>10.3} {:>10.3} {:>12.3}   {:.2}",
            r.cpu,
            r.wall,
            s.cpu,
            r.cpu / s.cpu.max(1e-6)
        );
    }
    let ratio = rows[2].1.cpu / rows[2].2.cpu.max(1e-6);
    let ok = ratio <= RATIO;
    println!(
        "create + pay: {ratio:.2}× sqlite3 (<= {RATIO}: {}); peak memory {} MB",
        if ok { "meets" } else { "DOES NOT MEET" },
        rows[2].1.peak_kb / 1024
    );
    Ok(ok)
}
