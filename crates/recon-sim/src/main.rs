//! `recon-sim --seeds N [--start S]` runs N seeds and prints each failing one with how
//! to replay it; `recon-sim --seed N [--verbose]` replays one exactly.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use clap::Parser;

#[derive(Parser)]
#[command(
    about = "Deterministic fault simulation of Recon Desk sync (needs PostgreSQL: RECON_TEST_PG_URL)"
)]
struct Args {
    /// How many seeds to run.
    #[arg(long, default_value_t = 100)]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Replay this one seed (overrides --seeds/--start).
    #[arg(long)]
    seed: Option<u64>,
    /// Threads, each with its own server, network and database.
    #[arg(long, default_value_t = 1)]
    jobs: u64,
    /// Print every step and network decision of each seed run.
    #[arg(long)]
    verbose: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (start, count) = match args.seed {
        Some(seed) => (seed, 1),
        None => (args.start, args.seeds),
    };
    let began = Instant::now();
    let verbose = args.verbose;
    let (done, failing) = (AtomicU64::new(0), AtomicU64::new(0));
    let failed = recon_sim::run_seeds_parallel(
        &recon_sim::admin_url(),
        start,
        count,
        args.jobs,
        &|result| {
            let mut out = String::new();
            if verbose {
                for line in &result.trace {
                    out.push_str(&format!("seed {}: {line}\n", result.seed));
                }
            }
            if !result.failures.is_empty() {
                out.push_str(&format!(
                    "seed {} FAILED (replay: recon-sim --seed {} --verbose):\n",
                    result.seed, result.seed
                ));
                for failure in &result.failures {
                    out.push_str(&format!("  {failure}\n"));
                }
            }
            print!("{out}");
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            let f = failing.fetch_add(u64::from(!result.failures.is_empty()), Ordering::Relaxed)
                + u64::from(!result.failures.is_empty());
            // A long run says how far it got, in case it is stopped before the summary.
            if n % 500 == 0 {
                eprintln!(
                    "recon-sim: {n} of {count} seeds run, {f} failed, {:.0} s",
                    began.elapsed().as_secs_f64()
                );
            }
        },
    )?;
    let wall = began.elapsed();
    println!(
        "{count} seed(s) from {start}: {} failed, {} passed, wall time {:.1} s ({:.1} ms per seed)",
        failed.len(),
        count - failed.len() as u64,
        wall.as_secs_f64(),
        wall.as_secs_f64() * 1000.0 / count.max(1) as f64
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
