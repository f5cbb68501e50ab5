//! What the ledger, payouts and expected benches share: their command line, a clean
//! ledger file, the bench program with its 20 × 10 affiliate tree, and the settlements
//! CSV they import (each bench still decides what one row holds, so its seeded data is
//! its own).

use crate::gen::Rng;
use crate::imports::{run_child, Child};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Parents of the bench tree; each has `CHILDREN` affiliates under it.
pub const PARENTS: usize = 20;
pub const CHILDREN: usize = 10;

pub struct Args {
    /// Rows (or entries) the bench generates: `Spec::count_flag`.
    pub rows: usize,
    pub repeat: usize,
    pub seed: u64,
    pub recon: PathBuf,
    pub sqlite3: String,
    pub work_dir: PathBuf,
}

/// One bench's command line: its name (the work dir under bench-data), its count flag
/// with default and floor, and the usage printed for an unknown flag.
pub struct Spec {
    pub name: &'static str,
    pub count_flag: &'static str,
    pub rows: usize,
    pub min_rows: usize,
    pub usage: &'static str,
}

pub fn parse_args(spec: &Spec, mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let mut a = Args {
        rows: spec.rows,
        repeat: 3,
        seed: 42,
        recon: target.join("release").join("recon"),
        sqlite3: "sqlite3".into(),
        work_dir: target.join("bench-data").join(spec.name),
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            f if f == spec.count_flag => a.rows = num(value()?)?.max(spec.min_rows),
            "--repeat" => a.repeat = num(value()?)?.max(1),
            "--seed" => a.seed = num(value()?)? as u64,
            "--recon" => a.recon = PathBuf::from(value()?),
            "--sqlite3" => a.sqlite3 = value()?,
            "--work-dir" => a.work_dir = PathBuf::from(value()?),
            _ => return Err(spec.usage.into()),
        }
    }
    Ok(a)
}

/// Removes a ledger file and its WAL companions, so the next open starts empty.
pub fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

pub fn sqlite(a: &Args, db: &Path, sql: &str) -> Result<Child, String> {
    run_child(Command::new(&a.sqlite3).arg(db).arg(sql))
}

/// Program `bench` (USD, 10 % direct, 2.5 % override) and its affiliates `p0..p19`, each
/// with children `cP-0..cP-9`, written through `recon` (one call per argument list).
pub fn program_tree(mut recon: impl FnMut(&[&str]) -> Result<(), String>) -> Result<(), String> {
    recon(&[
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
    ])?;
    let affiliate = ["entity", "add", "--program", "bench", "--type", "affiliate"];
    for p in 0..PARENTS {
        let parent = format!("p{p}");
        let args = [&affiliate[..], &["--ref", &parent, "--name", &parent]].concat();
        recon(&args)?;
        for c in 0..CHILDREN {
            let child = format!("c{p}-{c}");
            let tail = ["--ref", &child, "--name", &child, "--parent", &parent];
            recon(&[&affiliate[..], &tail].concat())?;
        }
    }
    Ok(())
}

/// A settlements CSV of `rows` rows, each through a random child of the tree; `row` writes
/// the rest of row `i` (after `S{i},`) from the seeded generator, child ref given.
pub fn write_settlements(
    path: &Path,
    rows: usize,
    seed: u64,
    mut row: impl FnMut(&mut Rng, &str) -> String,
) -> Result<(), String> {
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
        let rest = row(&mut rng, &child);
        writeln!(out, "S{i:08},{rest}").map_err(io)?;
    }
    out.flush().map_err(io)
}
