//! `recon-fuzz --seconds N [--target T] [--seed S]`: fuzzes every reader (or one) for N
//! seconds in all, split evenly, and prints executions and findings per target. Exits 1 when
//! an input panicked or broke a property (each saved under `crates/recon-fuzz/crashes/`),
//! 3 when one hung.

use anyhow::{bail, Context, Result};
use recon_fuzz::runner::{fuzz, Limits};
use recon_fuzz::targets::{Target, ALL};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() -> Result<()> {
    let mut seconds: u64 = 60;
    let mut targets: Vec<Target> = ALL.to_vec();
    let mut seed: u64 = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let mut per_input_ms: u64 = 5_000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => seconds = value()?.parse().context("--seconds")?,
            "--seed" => seed = value()?.parse().context("--seed")?,
            "--per-input-ms" => per_input_ms = value()?.parse().context("--per-input-ms")?,
            "--target" => {
                let name = value()?;
                let t = Target::from_name(&name).with_context(|| {
                    let names: Vec<_> = ALL.iter().map(|t| t.name()).collect();
                    format!("unknown target '{name}' (targets: {})", names.join(", "))
                })?;
                targets = vec![t];
            }
            "-h" | "--help" => {
                println!("recon-fuzz --seconds N [--target csv|ofx|camt|mt940|esi|expected|profile] [--seed S] [--per-input-ms MS]");
                return Ok(());
            }
            other => bail!("unknown argument '{other}' (try --help)"),
        }
    }
    let dir = recon_fuzz::crate_dir();
    let (corpus, crashes) = (dir.join("corpus"), dir.join("crashes"));
    let limits = Limits {
        per_input: Duration::from_millis(per_input_ms),
        ..Limits::default()
    };
    let share = Duration::from_secs(seconds) / targets.len() as u32;
    println!(
        "recon-fuzz: {seconds} s over {} target(s), seed {seed}",
        targets.len()
    );
    let started = Instant::now();
    let (mut executions, mut findings) = (0u64, 0usize);
    for (i, target) in targets.iter().enumerate() {
        let stats = fuzz(
            *target,
            share,
            seed.wrapping_add(i as u64),
            limits,
            &corpus,
            &crashes,
        );
        println!(
            "{:>9}: {:>10} executions, corpus {:>5}, slowest input {:>6} ms, {} finding(s)",
            target.name(),
            stats.executions,
            stats.corpus,
            stats.slowest.as_millis(),
            stats.findings.len()
        );
        for (path, message) in &stats.findings {
            println!("           {}: {message}", path.display());
        }
        executions += stats.executions;
        findings += stats.findings.len();
    }
    println!(
        "recon-fuzz: {executions} executions in {:.1} h, {findings} finding(s)",
        started.elapsed().as_secs_f64() / 3600.0
    );
    if findings > 0 {
        std::process::exit(1);
    }
    Ok(())
}
