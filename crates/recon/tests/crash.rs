//! The crash test (issue 8): the real `recon` binary is killed with SIGKILL at seeded random
//! moments during a bank CSV import (in WAL mode, and once the files reach 16 MiB in the
//! bulk rollback-journal mode), an ESI journal import, a matching run, a bulk accept and an
//! undo. After every kill the ledger must be sound (`PRAGMA integrity_check`, `recon audit
//! verify`, batches and expected payments agreeing with their rows and links), the killed
//! change must be whole or absent (the ledger equals the state before or after an
//! uninterrupted run, table by table), and running the command again must finish the work
//! exactly once (the state after an uninterrupted run).
//!
//! `RECON_CRASH_KILLS` sets the number of kills (default 100, the CI run; the soak in
//! scripts/crash-soak.sh runs 1,000) and `RECON_CRASH_SEED` repeats a run.

use rusqlite::Connection;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// splitmix64: seedable and stable, so a printed seed repeats a failing run.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// The bulk mode starts at this many bytes of files (recon_store::BULK_IMPORT_BYTES).
const BULK_IMPORT_BYTES: usize = 16 * 1024 * 1024;
/// Bank rows already in the ledger before a crash import (half of them come again).
const BANK_PREFIX_ROWS: usize = 2_000;
const BANK_WAL_ROWS: usize = 6_000;
/// Bulk rows carry a long description so that 16 MiB is few rows (a quick debug build run).
const BANK_BULK_PADDING: usize = 1_200;
const ESI_PREFIX_ENTRIES: usize = 1_000;
const ESI_ENTRIES: usize = 4_000;
/// Expected payments, and as many receipts that (mostly) pay them.
const PAYMENTS: usize = 1_500;
const MIN_SCORE: &str = "60";

const PROFILE: &str = r#"delimiter = ","
encoding = "utf-8"
date = "booking_date"
date_format = "%Y-%m-%d"
description = "description"
counterparty = "counterparty"
reference = "transaction_id"
decimal_separator = "."
amount = "amount"
"#;

fn recon(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recon"));
    c.arg("--db")
        .arg(db)
        .env_remove("RECON_DB")
        .env_remove("RECON_TOKEN")
        .env("RECON_USER", "crash-test");
    c
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = recon(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "recon {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Integer cents as decimal text, never through floating point.
fn cents(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

/// Bank rows `from..to`: row `i` has the same reference in every file, so an overlapping
/// file has duplicates; every 1,000th row has a bad amount (a reject, with --valid-rows-only).
fn bank_csv(from: usize, to: usize, padding: usize) -> String {
    let mut s = String::from("booking_date,transaction_id,counterparty,description,amount\n");
    let pad: String = "lorem ipsum dolor sit amet "
        .chars()
        .cycle()
        .take(padding)
        .collect();
    for i in from..to {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
            + chrono::Days::new((i / 400) as u64);
        let mut rng = Rng(i as u64);
        let amount = if i % 1_000 == 999 {
            "n/a".to_owned()
        } else {
            cents((rng.below(2_000_000) as i64 - 999_999) | 1)
        };
        writeln!(
            s,
            "{},TX{i:08},Counterparty {},Payment {i} {pad},{amount}",
            day.format("%Y-%m-%d"),
            i % 97
        )
        .unwrap();
    }
    s
}

/// One ESI journal entry, its amount written as JSON number text.
fn esi_entry(
    id: usize,
    minute: usize,
    ref_type: &str,
    amount: &str,
    reason: &str,
    payer: i64,
) -> String {
    let at = chrono::DateTime::from_timestamp(1_767_225_600 + 60 * minute as i64, 0).unwrap();
    format!(
        r#"{{"id":{id},"date":"{}","ref_type":"{ref_type}","description":"{payer} deposited cash","first_party_id":{payer},"second_party_id":90000001,"amount":{amount},"reason":"{reason}"}}"#,
        at.format("%Y-%m-%dT%H:%M:%SZ")
    )
}

fn esi_page(from: usize, to: usize) -> String {
    let entries: Vec<String> = (from..to)
        .map(|i| {
            let mut rng = Rng(0xE51 ^ i as u64);
            let kind = if i % 5 == 0 {
                "market_transaction"
            } else {
                "player_donation"
            };
            let amount = cents(rng.below(50_000_000) as i64 + 1);
            esi_entry(
                1_000_000 + i,
                i,
                kind,
                &amount,
                &format!("note {i}"),
                2_000 + i as i64 % 50,
            )
        })
        .collect();
    format!("[{}]", entries.join(","))
}

/// Distinct random names far apart from each other, so a memo matches one payment only.
fn names() -> Vec<String> {
    let mut rng = Rng(42);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    while out.len() < PAYMENTS {
        let name: String = (0..8)
            .map(|k| {
                let c = (b'a' + rng.below(26) as u8) as char;
                if k == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        if seen.insert(name.clone()) {
            out.push(name);
        }
    }
    out
}

fn expected_amount_minor(i: usize) -> i64 {
    (100 + (i as i64 % 40) * 25) * 1_000_000
}

/// Expected payments of cycle c1 (memo `ARB c1 {name}`) and the receipts for them: exact
/// memos, exact memos with another amount, a typo, odd spacing and case, and no memo.
fn matching_files(names: &[String]) -> (String, String) {
    let mut expected =
        String::from("cycle_id,character_name,character_id,expected_amount,currency,memo\n");
    let mut receipts = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let amount = expected_amount_minor(i);
        writeln!(expected, "c1,{name},{},{},ISK,", 10_000 + i, cents(amount)).unwrap();
        let memo = format!("ARB c1 {name}");
        let (reason, paid) = match i % 10 {
            0..=5 => (memo, amount),
            6 => (memo, amount + amount / 10),
            7 => (memo.replacen(&name[3..4], "q", 1), amount),
            8 => (format!("  arb  C1 {}", name.to_uppercase()), amount),
            _ => ("thanks".to_owned(), 12_345),
        };
        receipts.push(esi_entry(
            5_000_000 + i,
            i,
            "player_donation",
            &cents(paid),
            &reason,
            10_000 + i as i64,
        ));
    }
    (expected, format!("[{}]", receipts.join(",")))
}

/// A snapshot of a ledger: the rows of every table a crashed command writes, by count, and
/// what a user sees of them (the journal, the expected payments, the active links).
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    /// Rows per table, audit log and outbox included: equal only if the change is whole or absent.
    table_rows: Vec<(&'static str, i64)>,
    seen: Seen,
}

/// An expected payment as listed: (memo, status, actual amount, actual payer, amount adjusted).
type ExpectedRow = (String, String, Option<i64>, Option<i64>, bool);

#[derive(Debug, Clone, PartialEq)]
struct Seen {
    /// (wallet, rows, sum of amounts, a checksum of the row ids).
    journal: Vec<(String, i64, i64, i64)>,
    expected: Vec<ExpectedRow>,
    /// (memo, ESI id of the receipt, amount, match type), sorted.
    links: Vec<(String, i64, i64, String)>,
}

const TABLES: [&str; 11] = [
    "journal_entries",
    "import_batches",
    "import_batch_files",
    "import_rejects",
    "import_tombstones",
    "audit_log",
    "outbox",
    "match_actions",
    "match_links",
    "receipt_rejections",
    "expected_payments",
];

fn rows<T>(
    conn: &Connection,
    sql: &str,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Vec<T> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], f)
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn snapshot(conn: &Connection) -> Snapshot {
    let table_rows = TABLES
        .iter()
        .map(|t| {
            (
                *t,
                conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                    .unwrap(),
            )
        })
        .collect();
    let journal = rows(
        conn,
        "SELECT w.name, COUNT(j.rowid_pk), COALESCE(SUM(j.amount_minor), 0),
                COALESCE(SUM(j.rowid_pk % 1000000007), 0)
         FROM wallets w LEFT JOIN journal_entries j ON j.wallet_no = w.no
         GROUP BY w.name ORDER BY w.name",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    );
    let expected = rows(
        conn,
        "SELECT memo, status, actual_minor, actual_payer_id, amount_adjusted
         FROM expected_payments ORDER BY memo",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    );
    let links = rows(
        conn,
        "SELECT e.memo, j.esi_id, l.amount_minor, l.match_type FROM match_links l
         JOIN expected_payments e ON e.id = l.expected_id
         JOIN journal_entries j ON j.rowid_pk = l.journal_rowid
         WHERE l.removed_by_action IS NULL ORDER BY e.memo, j.esi_id",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    );
    Snapshot {
        table_rows,
        seen: Seen {
            journal,
            expected,
            links,
        },
    }
}

/// The rules a ledger must keep whatever moment it was killed at. Returns its snapshot.
fn check_ledger(db: &Path, context: &str) -> Snapshot {
    let conn = Connection::open(db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "{context}: integrity_check");
    let dangling = rows(&conn, "PRAGMA foreign_key_check", |r| r.get::<_, String>(0));
    assert!(
        dangling.is_empty(),
        "{context}: rows point at missing rows in {dangling:?}"
    );
    check_batches(&conn, context);
    check_expected(&conn, context);
    let snap = snapshot(&conn);
    drop(conn);
    let verify = recon(db).args(["audit", "verify"]).output().unwrap();
    assert!(
        verify.status.success(),
        "{context}: recon audit verify: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
    snap
}

/// A batch is whole: its counts add up, and equal its files' counts, its journal rows and its rejects.
fn check_batches(conn: &Connection, context: &str) {
    let batches = rows(
        conn,
        "SELECT b.id, b.read, b.inserted, b.duplicates, b.rejected,
            (SELECT COUNT(*) FROM journal_entries j WHERE j.batch_no = b.no),
            (SELECT COUNT(*) FROM import_rejects r WHERE r.batch_id = b.id),
            (SELECT COUNT(*) FROM import_batch_files f WHERE f.batch_id = b.id),
            (SELECT COALESCE(SUM(f.read), 0) FROM import_batch_files f WHERE f.batch_id = b.id),
            (SELECT COALESCE(SUM(f.inserted), 0) FROM import_batch_files f WHERE f.batch_id = b.id),
            b.valid_rows_only
         FROM import_batches b WHERE b.removed_at IS NULL",
        |r| {
            let v: Vec<i64> = (1..=10)
                .map(|k| r.get(k))
                .collect::<rusqlite::Result<_>>()?;
            Ok((r.get::<_, String>(0)?, v))
        },
    );
    for (id, v) in batches {
        let [read, inserted, duplicates, rejected, journal_rows, rejects, files, files_read, files_inserted, valid_rows_only] =
            v[..]
        else {
            unreachable!()
        };
        let what = format!("{context}: batch {id}");
        assert_eq!(
            read,
            inserted + duplicates + rejected,
            "{what}: read = inserted + duplicates + rejected"
        );
        assert_eq!(
            inserted, journal_rows,
            "{what}: inserted = its journal rows"
        );
        assert!(files > 0, "{what}: has no files");
        assert_eq!(
            (files_read, files_inserted),
            (read, inserted),
            "{what}: its files' counts"
        );
        if valid_rows_only == 1 {
            assert_eq!(rejected, rejects, "{what}: rejected = its kept rejects");
        }
    }
}

/// An expected payment is confirmed iff it has active links; its actual amount is their sum.
fn check_expected(conn: &Connection, context: &str) {
    let list = rows(
        conn,
        "SELECT e.memo, e.status, e.expected_minor, e.actual_minor, e.amount_adjusted,
                COUNT(l.id), SUM(l.amount_minor)
         FROM expected_payments e
         LEFT JOIN match_links l ON l.expected_id = e.id AND l.removed_by_action IS NULL
         GROUP BY e.id",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ))
        },
    );
    for (memo, status, expected, actual, adjusted, links, linked_sum) in list {
        let what = format!("{context}: expected payment '{memo}'");
        assert_eq!(
            status == "confirmed",
            links > 0,
            "{what}: status {status} with {links} active link(s)"
        );
        assert_eq!(
            actual, linked_sum,
            "{what}: actual amount = the sum of its active links"
        );
        assert_eq!(
            adjusted,
            linked_sum.is_some_and(|s| s != expected),
            "{what}: amount_adjusted"
        );
    }
}

/// A ledger file and its side files, copied so every kill starts from the same state.
fn copy_ledger(from: &Path, to: &Path) {
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(with_suffix(to, suffix));
    }
    std::fs::copy(from, to).unwrap();
    for suffix in ["-wal", "-shm"] {
        let side = with_suffix(from, suffix);
        if side.exists() {
            std::fs::copy(&side, with_suffix(to, suffix)).unwrap();
        }
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    BankWal,
    BankBulk,
    Esi,
    Match,
    Accept,
    Undo,
}

/// One command to kill, the ledger it starts from and what an uninterrupted run leaves.
struct Scenario {
    kind: Kind,
    args: Vec<String>,
    base: PathBuf,
    before: Snapshot,
    after: Snapshot,
    /// Wall time of an uninterrupted run: kills land anywhere in it (and a little after).
    run_time: Duration,
    /// Whether an uninterrupted run was seen with a rollback journal (the bulk mode).
    saw_rollback_journal: bool,
}

/// Runs `args` to the end, watching for a rollback journal beside the ledger.
fn run_watching(db: &Path, args: &[String]) -> (Duration, bool) {
    let journal = with_suffix(db, "-journal");
    let start = Instant::now();
    let mut child = recon(db)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut saw = false;
    let status = loop {
        saw |= journal.exists();
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "recon {args:?}: {err}");
    (start.elapsed(), saw)
}

fn scenario(kind: Kind, base: &Path, work: &Path, args: Vec<String>) -> Scenario {
    let db = work.join(format!("reference-{kind:?}.sqlite"));
    copy_ledger(base, &db);
    let before = check_ledger(&db, &format!("{kind:?} before"));
    let (run_time, saw_rollback_journal) = run_watching(&db, &args);
    let after = check_ledger(&db, &format!("{kind:?} after"));
    assert_ne!(
        before.seen, after.seen,
        "{kind:?}: the command must change something"
    );
    println!(
        "  {kind:?}: an uninterrupted run takes {:.2} s",
        run_time.as_secs_f64()
    );
    Scenario {
        kind,
        args,
        base: base.to_path_buf(),
        before,
        after,
        run_time,
        saw_rollback_journal,
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The starting ledger (wallets, a profile, some rows already imported, expected payments)
/// and the ledger after a bulk accept (where undo starts).
fn build_scenarios(work: &Path) -> Vec<Scenario> {
    let base = work.join("base.sqlite");
    ok(
        &base,
        &[
            "wallet",
            "add",
            "Bank",
            "--kind",
            "bank",
            "--currency",
            "EUR",
        ],
    );
    ok(&base, &["wallet", "add", "Main", "--owner-id", "90000001"]);
    ok(
        &base,
        &[
            "wallet",
            "add",
            "Logistics",
            "--owner-id",
            "90000001",
            "--receiving",
        ],
    );
    let file = |name: &str, text: &str| {
        let path = work.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    ok(
        &base,
        &["profile", "save", "bank", &file("bank.toml", PROFILE)],
    );
    let csv = [
        "import",
        "csv",
        "--wallet",
        "Bank",
        "--profile",
        "bank",
        "--valid-rows-only",
    ];
    let prefix = file("bank-prefix.csv", &bank_csv(0, BANK_PREFIX_ROWS, 0));
    ok(&base, &[&csv[..], &[prefix.as_str()]].concat());
    let esi_prefix = file("esi-prefix.json", &esi_page(0, ESI_PREFIX_ENTRIES));
    ok(
        &base,
        &["import", "esi-journal", "--wallet", "Main", &esi_prefix],
    );
    let (expected, receipts) = matching_files(&names());
    ok(
        &base,
        &["import", "expected", &file("expected.csv", &expected)],
    );
    ok(
        &base,
        &[
            "import",
            "esi-journal",
            "--wallet",
            "Logistics",
            &file("receipts.json", &receipts),
        ],
    );

    let from = BANK_PREFIX_ROWS / 2;
    let wal = file("bank-wal.csv", &bank_csv(from, from + BANK_WAL_ROWS, 0));
    let bulk_rows = BULK_IMPORT_BYTES / (BANK_BULK_PADDING + 40) + 1;
    let bulk_text = bank_csv(from, from + bulk_rows, BANK_BULK_PADDING);
    assert!(
        bulk_text.len() >= BULK_IMPORT_BYTES,
        "the bulk file must reach 16 MiB"
    );
    let bulk = file("bank-bulk.csv", &bulk_text);
    let half = ESI_ENTRIES / 2;
    let page1 = file("esi-1.json", &esi_page(0, half));
    let page2 = file("esi-2.json", &esi_page(half, ESI_ENTRIES));

    let accept = strings(&["match", "accept", "--min-score", MIN_SCORE]);
    let accepted = work.join("accepted.sqlite");
    copy_ledger(&base, &accepted);
    ok(&accepted, &["match", "accept", "--min-score", MIN_SCORE]);
    println!("crash test fixtures ready; uninterrupted runs:");
    vec![
        scenario(
            Kind::BankWal,
            &base,
            work,
            strings(&[&csv[..], &[wal.as_str()]].concat()),
        ),
        scenario(
            Kind::BankBulk,
            &base,
            work,
            strings(&[&csv[..], &[bulk.as_str()]].concat()),
        ),
        scenario(
            Kind::Esi,
            &base,
            work,
            strings(&["import", "esi-journal", "--wallet", "Main", &page1, &page2]),
        ),
        scenario(Kind::Match, &base, work, strings(&["match"])),
        scenario(Kind::Accept, &base, work, accept),
        scenario(Kind::Undo, &accepted, work, strings(&["match", "undo"])),
    ]
}

/// What a kill left behind: nothing of the change, all of it, or the run had ended already.
#[derive(Default)]
struct Tally {
    absent: u32,
    whole: u32,
    finished_first: u32,
    rollback_journals: u32,
}

/// Kills one run of `s` after `delay`, checks the ledger, runs the command again and
/// checks that the work was done exactly once.
fn kill_once(s: &Scenario, db: &Path, delay: Duration, context: &str, tally: &mut Tally) {
    copy_ledger(&s.base, db);
    let mut child = recon(db)
        .args(&s.args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    if child.try_wait().unwrap().is_some() {
        tally.finished_first += 1;
    } else {
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
    }
    if with_suffix(db, "-journal").exists() {
        tally.rollback_journals += 1;
    }
    let killed = check_ledger(db, &format!("{context}, after the kill"));
    let done = if killed == s.before {
        tally.absent += 1;
        false
    } else if killed == s.after {
        tally.whole += 1;
        true
    } else {
        panic!(
            "{context}: the killed change is neither whole nor absent: rows {:?}, before {:?}, after {:?}",
            killed.table_rows, s.before.table_rows, s.after.table_rows
        );
    };
    let again = recon(db).args(&s.args).output().unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    if s.kind == Kind::Undo && done {
        // The one reviewer step is undone already: a second undo has nothing left to undo.
        assert_eq!(
            again.status.code(),
            Some(1),
            "{context}: a second undo must be refused"
        );
        assert!(stderr.contains("to undo"), "{context}: {stderr}");
    } else {
        assert!(
            again.status.success(),
            "{context}: the re-run failed: {stderr}"
        );
    }
    let rerun = check_ledger(db, &format!("{context}, after the re-run"));
    assert_eq!(
        rerun.seen, s.after.seen,
        "{context}: the re-run must finish the work exactly once"
    );
}

/// Which command the kill number `i` interrupts: the 16 MiB import is slow, so one kill in 16.
fn kind_of(i: u64) -> usize {
    const OTHERS: [usize; 5] = [0, 2, 3, 4, 5];
    if i % 16 == 7 {
        1
    } else {
        OTHERS[(i - i / 16 - u64::from(i % 16 > 7)) as usize % OTHERS.len()]
    }
}

#[test]
fn a_killed_recon_leaves_a_sound_ledger_and_a_rerun_finishes_the_work_once() {
    let kills: u64 = std::env::var("RECON_CRASH_KILLS")
        .map_or(100, |v| v.parse().expect("RECON_CRASH_KILLS: a number"));
    let seed: u64 = std::env::var("RECON_CRASH_SEED").map_or_else(
        |_| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        },
        |v| v.parse().expect("RECON_CRASH_SEED: a number"),
    );
    println!("crash test: {kills} kills, seed {seed} (RECON_CRASH_SEED={seed} repeats this run)");
    let started = Instant::now();
    let work = tempfile::tempdir().unwrap();
    let scenarios = build_scenarios(work.path());
    assert!(
        scenarios[Kind::BankBulk as usize].saw_rollback_journal,
        "the 16 MiB import must run in the rollback-journal mode"
    );
    assert!(
        !scenarios[Kind::BankWal as usize].saw_rollback_journal,
        "the small import must stay in WAL mode"
    );
    let mut rng = Rng(seed);
    let mut tallies: Vec<Tally> = scenarios.iter().map(|_| Tally::default()).collect();
    let db = work.path().join("killed.sqlite");
    for i in 0..kills {
        let k = kind_of(i);
        let s = &scenarios[k];
        // Anywhere from the start to a little past the end of an uninterrupted run.
        let window_us = s.run_time.as_micros() as u64 * 11 / 10 + 1;
        let delay = Duration::from_micros(rng.below(window_us));
        let context = format!(
            "kill {i} of {kills} (seed {seed}): {:?} after {:.3} s",
            s.kind,
            delay.as_secs_f64()
        );
        kill_once(s, &db, delay, &context, &mut tallies[k]);
    }
    println!(
        "after the kill, the change was absent or whole; of the whole, `finished` ran to its end \
         before the kill; `rollback-jnl`: kills that left a hot rollback journal (bulk mode)"
    );
    println!(
        "{:<10} {:>6} {:>7} {:>6} {:>9} {:>12}",
        "command", "kills", "absent", "whole", "finished", "rollback-jnl"
    );
    for (s, t) in scenarios.iter().zip(&tallies) {
        println!(
            "{:<10} {:>6} {:>7} {:>6} {:>9} {:>12}",
            format!("{:?}", s.kind),
            t.absent + t.whole,
            t.absent,
            t.whole,
            t.finished_first,
            t.rollback_journals
        );
    }
    println!(
        "crash test: {kills} kills, all checks passed in {:.0} s (seed {seed})",
        started.elapsed().as_secs_f64()
    );
}
