//! `recon-sim`: a deterministic fault simulation of sync (issue 12, item 7). Laptops are
//! real `recon-store` ledgers on temp SQLite files syncing with the real `recon-client`;
//! the server is the real `recon-server` (router, apply logic, PostgreSQL) in this
//! process; between them a loopback proxy ([`net`]) drops, duplicates, reorders and delays
//! requests and restarts the server. A seeded PRNG ([`rng`]) makes every decision, so a
//! failing seed replays with `recon-sim --seed N`. [`check`] says what must hold after
//! the network heals.

pub mod check;
pub mod check_ledger;
pub mod laptop;
pub mod net;
pub mod rng;
pub mod server;
pub mod sim;
pub mod work;
pub mod work_ledger;

pub use sim::{SeedResult, World};

/// Where the server's test databases are made: `RECON_TEST_PG_URL`, else the local
/// socket as root (as the server's tests do).
pub fn admin_url() -> String {
    std::env::var("RECON_TEST_PG_URL")
        .unwrap_or_else(|_| "host=/var/run/postgresql user=root dbname=postgres".to_owned())
}

/// Runs seeds `start..start + count` on `jobs` threads, each with its own world (server,
/// network, database), seed `s` on thread `s % jobs`; `each` sees every result (in no
/// fixed order across threads). The failed ones, by seed.
pub fn run_seeds_parallel(
    admin_url: &str,
    start: u64,
    count: u64,
    jobs: u64,
    each: &(dyn Fn(&SeedResult) + Sync),
) -> anyhow::Result<Vec<SeedResult>> {
    let jobs = jobs.clamp(1, count.max(1));
    let mut failed = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..jobs)
            .map(|job| {
                scope.spawn(move || -> anyhow::Result<Vec<SeedResult>> {
                    let world = World::start(admin_url)?;
                    let mut failed = Vec::new();
                    for seed in (start..start + count).filter(|s| s % jobs == job % jobs) {
                        let result = world.run_seed(seed);
                        each(&result);
                        if !result.failures.is_empty() {
                            failed.push(result);
                        }
                    }
                    Ok(failed)
                })
            })
            .collect();
        let mut failed = Vec::new();
        for thread in threads {
            failed.extend(thread.join().expect("a simulation thread panicked")?);
        }
        anyhow::Ok(failed)
    })?;
    failed.sort_by_key(|r| r.seed);
    Ok(failed)
}

/// Runs `count` seeds from `start` in `world`; the failed ones.
pub fn run_seeds(
    world: &World,
    start: u64,
    count: u64,
    mut each: impl FnMut(&SeedResult),
) -> Vec<SeedResult> {
    let mut failed = Vec::new();
    for seed in start..start + count {
        let result = world.run_seed(seed);
        each(&result);
        if !result.failures.is_empty() {
            failed.push(result);
        }
    }
    failed
}
