//! The fault simulation in CI: 300 seeds against the real server on PostgreSQL
//! (`RECON_TEST_PG_URL`, else the local socket as root; never skipped).

use std::collections::BTreeSet;
use std::sync::Mutex;

const SEEDS: u64 = 300;
/// What the trace shows when each fault happened, a refusal undone, and the ledger work.
const FAULTS: &[&str] = &[
    "DropRequest",
    "DropAnswer",
    "Duplicate",
    "HoldBack",
    "Echo",
    "late delivery",
    "restart",
    "epoch rotated",
    "killed mid-change",
    "refused 1",
    // The partner ledger and payouts (work_ledger.rs): the steps that make a batch's
    // life, approved by a colleague, and its creator's own approval refused here.
    "conversion_decide (decided): ok",
    "settlements_import: ok",
    "entry_reverse (reverse): ok",
    "(create, submit): ok",
    "(approve",
    "reject",
    "pay): ok",
    "self-approve: the creator of a batch cannot approve it",
];

#[test]
fn three_hundred_seeds_converge_through_drops_duplicates_reorders_restarts_and_kills() {
    let seen = Mutex::new(BTreeSet::new());
    // Two worlds (server, network, database each) side by side: the seeds wait on
    // PostgreSQL and loopback more than on the CPU.
    let failed = recon_sim::run_seeds_parallel(&recon_sim::admin_url(), 0, SEEDS, 2, &|result| {
        let mut seen = seen.lock().unwrap();
        for line in &result.trace {
            for what in FAULTS {
                if line.contains(what) {
                    seen.insert(*what);
                }
            }
        }
    })
    .expect("PostgreSQL is needed (scripts/postgres.sh, RECON_TEST_PG_URL)");
    let seen = seen.into_inner().unwrap();
    let report: Vec<String> = failed
        .iter()
        .map(|r| format!("seed {}: {}", r.seed, r.failures.join("; ")))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {SEEDS} seeds failed (replay one with `recon-sim --seed N --verbose`):\n{}",
        failed.len(),
        report.join("\n")
    );
    // The run proves something only if the faults and refusals really happened.
    assert_eq!(
        seen.len(),
        FAULTS.len(),
        "faults seen in {SEEDS} seeds: {seen:?}"
    );
}

#[test]
fn a_seed_replays_exactly() {
    let world = recon_sim::World::start(&recon_sim::admin_url())
        .expect("PostgreSQL is needed (scripts/postgres.sh, RECON_TEST_PG_URL)");
    let first = world.run_seed(9);
    let again = world.run_seed(9);
    assert!(first.trace.len() > 10, "{:?}", first.trace);
    assert_eq!(first.trace, again.trace);
    assert_eq!(first.failures, again.failures);
}
