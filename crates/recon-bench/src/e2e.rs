//! `recon` end to end: the generated data through the CLI, as a user would feed it.

use crate::cpu::children_cpu;
use crate::gen::{isk_text, Data, CURRENCY, RECEIVER_ID};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub struct Step {
    pub name: &'static str,
    pub cpu: f64,
    pub wall: f64,
}

pub struct E2e {
    pub steps: Vec<Step>,
    /// `recon match --json` output, for the counts.
    pub match_output: String,
}

impl E2e {
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }
    pub fn total_cpu(&self) -> f64 {
        self.steps.iter().map(|s| s.cpu).sum()
    }
}

/// ESI wallet journal JSON. Amounts are JSON numbers written from integer minor units,
/// never through a float.
fn write_journal(path: &Path, data: &Data) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(fs::File::create(path)?);
    f.write_all(b"[\n")?;
    for (k, r) in data.receipts.iter().enumerate() {
        let sep = if k + 1 == data.receipts.len() {
            ""
        } else {
            ","
        };
        writeln!(
            f,
            r#"{{"id":{},"date":"2026-01-01T00:00:00Z","ref_type":"player_donation","description":{},"reason":{},"amount":{},"first_party_id":{},"second_party_id":{}}}{sep}"#,
            r.journal_id,
            serde_json::Value::from(r.description.as_str()),
            serde_json::Value::from(r.reason.as_str()),
            isk_text(r.amount_minor),
            r.payer_id,
            RECEIVER_ID,
        )?;
    }
    f.write_all(b"]\n")?;
    f.flush()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub fn write_expected_csv(path: &Path, data: &Data) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(fs::File::create(path)?);
    writeln!(
        f,
        "cycle_id,character_name,character_id,expected_amount,currency,memo"
    )?;
    for p in &data.expected {
        writeln!(
            f,
            "{},{},{},{},{},{}",
            csv_field(&p.cycle),
            csv_field(&p.name),
            p.character_id,
            isk_text(p.amount_minor),
            CURRENCY,
            csv_field(&p.memo),
        )?;
    }
    f.flush()
}

// ======================================================================================
// time_recon_end_to_end: runs the `recon` CLI (wallet add, import esi-journal, import
// expected, match --json) over the generated data and measures each step's CPU
// (getrusage(RUSAGE_CHILDREN) delta) and wall time. An error names the failing step.
// ======================================================================================
pub fn time_recon_end_to_end(recon: &Path, data: &Data, dir: &Path) -> Result<E2e, String> {
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let db = dir.join("recon-bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let journal = dir.join("journal.json");
    let expected = dir.join("expected.csv");
    write_journal(&journal, data).map_err(|e| e.to_string())?;
    write_expected_csv(&expected, data).map_err(|e| e.to_string())?;

    let db_arg = db.to_string_lossy().into_owned();
    let journal_arg = journal.to_string_lossy().into_owned();
    let expected_arg = expected.to_string_lossy().into_owned();
    let owner = RECEIVER_ID.to_string();
    let steps: [(&'static str, Vec<&str>); 4] = [
        (
            "wallet add",
            vec![
                "wallet",
                "add",
                "Recv",
                "--kind",
                "character",
                "--owner-id",
                &owner,
                "--receiving",
            ],
        ),
        (
            "import esi-journal",
            vec!["import", "esi-journal", "--wallet", "Recv", &journal_arg],
        ),
        ("import expected", vec!["import", "expected", &expected_arg]),
        ("match", vec!["match", "--json"]),
    ];
    let mut out = E2e {
        steps: Vec::new(),
        match_output: String::new(),
    };
    for (name, args) in steps {
        let (c0, w0) = (children_cpu(), Instant::now());
        let result = Command::new(recon)
            .arg("--db")
            .arg(&db_arg)
            .args(&args)
            .output()
            .map_err(|e| format!("{name}: cannot run {}: {e}", recon.display()))?;
        let (cpu, wall) = (children_cpu().since(c0), w0.elapsed().as_secs_f64());
        if !result.status.success() {
            let err = String::from_utf8_lossy(&result.stderr);
            let tail: String = err.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
            return Err(format!("`recon {}` failed: {tail}", args.join(" ")));
        }
        if name == "match" {
            out.match_output = String::from_utf8_lossy(&result.stdout).into_owned();
        }
        out.steps.push(Step { name, cpu, wall });
    }
    Ok(out)
}
