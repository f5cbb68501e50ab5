//! rapidfuzz's `process.cdist` over the same normalized strings, in a venv of its own.

use crate::cpu::{children_cpu, Cpu};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPT: &str = r#"
import json, sys, time
import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cdist

memos_path, texts_path, chunk, pairs_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]

memos, texts = read(memos_path), read(texts_path)
out = open(pairs_path, "w") if pairs_path != "-" else None
cdist_cpu, pairs = 0.0, 0
t0, w0 = time.process_time(), time.perf_counter()
# A full matrix of 10^10 cells does not fit in memory: rows in chunks, keep cells <= 3.
for start in range(0, len(texts), chunk):
    c0 = time.process_time()
    m = cdist(texts[start:start + chunk], memos, scorer=Levenshtein.distance,
              score_cutoff=3, workers=1, dtype=np.int32)
    cdist_cpu += time.process_time() - c0
    rows, cols = np.nonzero(m <= 3)
    pairs += len(rows)
    if out is not None:
        for r, c in zip(rows.tolist(), cols.tolist()):
            out.write(f"{start + r} {c} {m[r, c]}\n")
if out is not None:
    out.close()
print(json.dumps({"cdist_cpu": cdist_cpu, "cpu": time.process_time() - t0,
                  "wall": time.perf_counter() - w0, "pairs": pairs}))
"#;

pub struct RfRun {
    /// CPU seconds inside `cdist` calls only (`time.process_time()`).
    pub cdist_cpu: f64,
    /// CPU seconds of the whole python process (interpreter start and file reading
    /// included), from `getrusage(RUSAGE_CHILDREN)`.
    pub process_cpu: f64,
    pub wall: f64,
    pub pairs: u64,
    /// (text row, memo column, distance) when asked for.
    pub pair_list: Option<Vec<(u32, u32, u8)>>,
}

/// The venv's python with rapidfuzz and numpy importable, creating it when needed.
pub fn ensure_venv(venv: &Path) -> Result<PathBuf, String> {
    let python = venv.join("bin").join("python");
    let ready = |py: &Path| {
        Command::new(py)
            .args(["-c", "import rapidfuzz, numpy"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && ready(&python) {
        return Ok(python);
    }
    let make_venv = || {
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(venv)
            .status()
            .is_ok_and(|s| s.success())
    };
    if !make_venv() {
        eprintln!("python3 -m venv failed; installing python3-venv with apt-get");
        let apt = |args: &[&str]| {
            Command::new("apt-get")
                .args(args)
                .status()
                .is_ok_and(|s| s.success())
        };
        if !(apt(&["update"]) && apt(&["install", "-y", "python3-venv"]) && make_venv()) {
            return Err("could not create a python venv".into());
        }
    }
    let pip = venv.join("bin").join("pip");
    let ok = Command::new(&pip)
        .args(["install", "--quiet", "rapidfuzz", "numpy"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok || !ready(&python) {
        return Err("pip install rapidfuzz numpy failed".into());
    }
    Ok(python)
}

fn write_lines(path: &Path, lines: &[String]) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(fs::File::create(path)?);
    for l in lines {
        // Normalized strings hold no newline: whitespace runs became one space.
        debug_assert!(!l.contains('\n'));
        writeln!(f, "{l}")?;
    }
    f.flush()
}

/// Runs cdist of `texts` (rows) against `memos` (columns).
pub fn run_cdist(
    python: &Path,
    dir: &Path,
    tag: &str,
    memos: &[String],
    texts: &[String],
    chunk: usize,
    keep_pairs: bool,
) -> Result<RfRun, String> {
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let script = dir.join("cdist.py");
    let memos_path = dir.join(format!("{tag}-memos.txt"));
    let texts_path = dir.join(format!("{tag}-texts.txt"));
    let pairs_path = dir.join(format!("{tag}-pairs.txt"));
    fs::write(&script, SCRIPT).map_err(|e| e.to_string())?;
    write_lines(&memos_path, memos).map_err(|e| e.to_string())?;
    write_lines(&texts_path, texts).map_err(|e| e.to_string())?;
    let before: Cpu = children_cpu();
    let out = Command::new(python)
        .arg(&script)
        .arg(&memos_path)
        .arg(&texts_path)
        .arg(chunk.to_string())
        .arg(if keep_pairs {
            pairs_path.to_string_lossy().into_owned()
        } else {
            "-".to_owned()
        })
        .output()
        .map_err(|e| e.to_string())?;
    let process_cpu = children_cpu().since(before);
    if !out.status.success() {
        return Err(format!(
            "rapidfuzz script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.trim())
        .map_err(|e| format!("bad rapidfuzz output {stdout:?}: {e}"))?;
    let pair_list = if keep_pairs {
        let text = fs::read_to_string(&pairs_path).map_err(|e| e.to_string())?;
        let mut v = Vec::new();
        for line in text.lines() {
            let mut it = line.split(' ').map(|x| x.parse::<u32>());
            match (it.next(), it.next(), it.next()) {
                (Some(Ok(r)), Some(Ok(c)), Some(Ok(d))) => v.push((r, c, d as u8)),
                _ => return Err(format!("bad pair line {line:?}")),
            }
        }
        v.sort_unstable();
        Some(v)
    } else {
        None
    };
    Ok(RfRun {
        cdist_cpu: report["cdist_cpu"].as_f64().unwrap_or(f64::NAN),
        process_cpu,
        wall: report["wall"].as_f64().unwrap_or(f64::NAN),
        pairs: report["pairs"].as_u64().unwrap_or(0),
        pair_list,
    })
}
