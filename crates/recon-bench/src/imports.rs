//! `recon-bench imports [--rows 1000000] [--seed 42] [--recon PATH] [--sqlite3 sqlite3]`
//!
//! Generates a seeded 10-column bank CSV and times, in one run: `recon import csv` into an
//! empty ledger, the re-import of the same file, a file with 10% new rows, and
//! `sqlite3 .import --csv` of the same file into a table of the same columns with a UNIQUE
//! key. Prints CPU seconds (user + system, from `wait4` of each child), peak memory and the
//! ratios against the required figures.
//!
//! The file reads like a bank statement: rows in date order, 1,000 a day. For information
//! it also times a file whose dates jump about from row to row (no bank writes that, but a
//! hand-made merge might), into its own empty ledger.

use crate::gen::Rng;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub use crate::fixture::Args;
use crate::fixture::Spec;

pub const SPEC: Spec = Spec {
    name: "imports",
    count_flag: "--rows",
    rows: 1_000_000,
    min_rows: 1,
    usage: "usage: recon-bench imports [--rows 1000000] [--repeat 3] [--seed 42] [--recon target/release/recon] \
[--sqlite3 sqlite3] [--work-dir $CARGO_TARGET_DIR/bench-data/imports]",
};

const HEADER: &str = "booking_date,value_date,transaction_id,counterparty,iban,description,category,amount,currency,balance";

const PROFILE: &str = r#"delimiter = ","
encoding = "utf-8"
date = "booking_date"
date_format = "%Y-%m-%d"
description = "description"
counterparty = "counterparty"
reference = "transaction_id"
balance = "balance"
currency = { column = "currency" }
decimal_separator = "."
amount = "amount"
"#;

/// Integer cents as exact decimal text (`-1234` → `-12.34`); no floating point.
fn cents(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

/// Rows of one day in the statement.
const ROWS_PER_DAY: usize = 1_000;

#[derive(Clone, Copy, PartialEq)]
enum Dates {
    /// A statement: day after day.
    InOrder,
    /// Every row a different day of 2026 than the one before.
    Scattered,
}

/// Rows `from..to` of the seeded statement; row `i` is the same in every file.
fn write_rows(
    out: &mut impl Write,
    from: usize,
    to: usize,
    seed: u64,
    dates: Dates,
) -> std::io::Result<()> {
    let first_day = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date");
    for i in from..to {
        let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let amount = rng.below(1_000_001) as i64 - 500_000;
        let balance = 100_000_000 + amount * 3;
        let date = match dates {
            Dates::InOrder => (first_day + chrono::Days::new((i / ROWS_PER_DAY) as u64))
                .format("%Y-%m-%d")
                .to_string(),
            Dates::Scattered => format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
        };
        writeln!(
            out,
            "{date},{date},TX{i:010},Counterparty {},DE{:020},Payment reference {},cat{},{},EUR,{}",
            i % 997,
            i % 100_000,
            rng.next_u64() % 1_000_000_000,
            i % 17,
            cents(amount),
            cents(balance)
        )?;
    }
    Ok(())
}

fn write_file(
    path: &Path,
    ranges: &[(usize, usize)],
    seed: u64,
    dates: Dates,
) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "{HEADER}")?;
    for (from, to) in ranges {
        write_rows(&mut out, *from, *to, seed, dates)?;
    }
    out.flush()
}

pub struct Child {
    pub cpu: f64,
    pub peak_kb: i64,
    pub wall: f64,
    pub stdout: String,
}

/// Runs a command to completion; CPU and peak memory of that child alone (`wait4`).
pub fn run_child(cmd: &mut Command) -> Result<Child, String> {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let output = std::thread::spawn(move || {
        let mut child = child;
        let mut out = String::new();
        let mut err = String::new();
        use std::io::Read;
        child.stdout.take().unwrap().read_to_string(&mut out).ok();
        child.stderr.take().unwrap().read_to_string(&mut err).ok();
        (out, err)
    });
    let mut status = 0;
    // SAFETY: wait4 writes into the zeroed rusage we own; pid is our child.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let (stdout, stderr) = output
        .join()
        .map_err(|_| "reader thread panicked".to_string())?;
    if rc != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{cmd:?} failed: {stderr}"));
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Child {
        cpu: secs(ru.ru_utime) + secs(ru.ru_stime),
        peak_kb: ru.ru_maxrss,
        wall: start.elapsed().as_secs_f64(),
        stdout,
    })
}

/// The run with the median CPU time (the peak memory is the highest of all runs).
pub fn median(mut runs: Vec<Child>) -> Child {
    let peak_kb = runs.iter().map(|c| c.peak_kb).max().unwrap_or(0);
    runs.sort_by(|x, y| x.cpu.total_cmp(&y.cpu));
    let mut m = runs.swap_remove(runs.len() / 2);
    m.peak_kb = peak_kb;
    m
}

fn counts(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json.trim()) {
        Ok(v) => format!(
            "read {} inserted {} duplicates {} rejected {}",
            v["read"], v["inserted"], v["duplicates"], v["rejected"]
        ),
        Err(_) => json.trim().chars().take(200).collect(),
    }
}

/// The files of the benchmark in the work directory.
struct Files {
    first: PathBuf,
    grown: PathBuf,
    scattered: PathBuf,
    profile: PathBuf,
}

fn write_files(a: &Args) -> Result<Files, String> {
    let dir = &a.work_dir;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let n = a.rows;
    let f = Files {
        first: dir.join("bank.csv"),
        grown: dir.join("bank-plus-10pct.csv"),
        scattered: dir.join("bank-scattered-dates.csv"),
        profile: dir.join("bank.toml"),
    };
    let t = Instant::now();
    // The 10% file: the last 90% of the rows plus 10% new ones, as an overlapping export.
    write_file(&f.first, &[(0, n)], a.seed, Dates::InOrder).map_err(|e| e.to_string())?;
    write_file(&f.grown, &[(n / 10, n + n / 10)], a.seed, Dates::InOrder)
        .map_err(|e| e.to_string())?;
    write_file(&f.scattered, &[(0, n)], a.seed, Dates::Scattered).map_err(|e| e.to_string())?;
    std::fs::write(&f.profile, PROFILE).map_err(|e| e.to_string())?;
    let size = std::fs::metadata(&f.first)
        .map_err(|e| e.to_string())?
        .len();
    println!(
        "recon-bench imports: {n} rows x 10 columns, {:.1} MB, generated in {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    Ok(f)
}

pub fn imports(a: &Args) -> Result<bool, String> {
    let dir = &a.work_dir;
    let Files {
        first,
        grown,
        scattered,
        profile,
    } = write_files(a)?;

    let recon = |ledger: &Path, args: &[&str]| {
        let mut c = Command::new(&a.recon);
        c.arg("--db").arg(ledger).args(args);
        run_child(&mut c)
    };
    // An empty ledger with one EUR bank wallet.
    let fresh_ledger = |name: &str| -> Result<PathBuf, String> {
        let ledger = dir.join(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", ledger.display()));
        }
        recon(
            &ledger,
            &[
                "wallet",
                "add",
                "Bank",
                "--kind",
                "bank",
                "--currency",
                "EUR",
            ],
        )?;
        Ok(ledger)
    };
    let import = |ledger: &Path, file: &Path| {
        recon(
            ledger,
            &[
                "import",
                "csv",
                "--wallet",
                "Bank",
                "--profile",
                &profile.display().to_string(),
                "--json",
                &file.display().to_string(),
            ],
        )
    };
    let sqlite3_import = || -> Result<Child, String> {
        let sdb = dir.join("sqlite-import.db");
        let _ = std::fs::remove_file(&sdb);
        let mut create = Command::new(&a.sqlite3);
        create.arg(&sdb).arg(
            "CREATE TABLE t (booking_date TEXT, value_date TEXT, transaction_id TEXT UNIQUE, \
             counterparty TEXT, iban TEXT, description TEXT, category TEXT, amount TEXT, currency TEXT, balance TEXT);",
        );
        run_child(&mut create)?;
        let mut sq = Command::new(&a.sqlite3);
        sq.arg(&sdb)
            .arg(format!(".import --csv --skip 1 {} t", first.display()));
        run_child(&mut sq)
    };

    // Each round runs everything once, interleaved, so a slow moment of the machine hits
    // both sides; the figures are the medians of the rounds.
    let mut runs: [Vec<Child>; 5] = Default::default();
    for round in 1..=a.repeat {
        let ledger = fresh_ledger("ledger.sqlite")?;
        let first_run = import(&ledger, &first)?;
        let again = import(&ledger, &first)?;
        let grown_run = import(&ledger, &grown)?;
        let scattered_run = import(&fresh_ledger("ledger-scattered.sqlite")?, &scattered)?;
        let sqlite = sqlite3_import()?;
        if round == 1 {
            println!("first import:    {}", counts(&first_run.stdout));
            println!("re-import:       {}", counts(&again.stdout));
            println!("10% new rows:    {}", counts(&grown_run.stdout));
            println!("scattered dates: {}", counts(&scattered_run.stdout));
        }
        println!(
            "round {round}/{}: recon {:.2} s, sqlite3 {:.2} s",
            a.repeat, first_run.cpu, sqlite.cpu
        );
        for (list, run) in runs
            .iter_mut()
            .zip([first_run, again, grown_run, sqlite, scattered_run])
        {
            list.push(run);
        }
    }
    Ok(report(a.repeat, runs.map(median)))
}

/// The table of medians and the verdicts; true if every required figure is met.
fn report(repeat: usize, [first_run, again, grown_run, sqlite, scattered_run]: [Child; 5]) -> bool {
    println!();
    println!(
        "{:<34} {:>8} {:>8} {:>10}   (medians of {} rounds)",
        "what", "cpu s", "wall s", "peak MB", repeat
    );
    let row = |name: &str, c: &Child| {
        println!(
            "{name:<34} {:>8.2} {:>8.2} {:>10.1}",
            c.cpu,
            c.wall,
            c.peak_kb as f64 / 1024.0
        )
    };
    row("recon import csv (empty ledger)", &first_run);
    row("recon import csv (same file again)", &again);
    row("recon import csv (10% new rows)", &grown_run);
    row("sqlite3 .import --csv (UNIQUE key)", &sqlite);
    row("recon, dates out of order (info)", &scattered_run);
    let r_first = first_run.cpu / sqlite.cpu;
    let r_again = again.cpu / first_run.cpu;
    let peak_mb = [&first_run, &again, &grown_run]
        .iter()
        .map(|c| c.peak_kb)
        .max()
        .unwrap_or(0) as f64
        / 1024.0;
    let verdict = |ok: bool| if ok { "meets" } else { "DOES NOT MEET" };
    println!();
    println!(
        "first import / sqlite3 .import: {r_first:.2}  (required <= 1.0: {}; goal <= 0.85: {})",
        verdict(r_first <= 1.0),
        verdict(r_first <= 0.85)
    );
    println!(
        "re-import / first import:       {r_again:.2}  (required <= 0.65: {})",
        verdict(r_again <= 0.65)
    );
    println!(
        "peak memory:                    {peak_mb:.0} MB (required < 200 MB: {})",
        verdict(peak_mb < 200.0)
    );
    r_first <= 1.0 && r_again <= 0.65 && peak_mb < 200.0
}
