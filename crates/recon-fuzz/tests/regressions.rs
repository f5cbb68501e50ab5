//! Replays every corpus entry and every saved finding (`crashes/<target>/`) through its
//! reader: none may panic, hang or break a property. A finding saved by `recon-fuzz` stays
//! here as a regression test once its reader is fixed. Then a few seconds of fresh fuzzing
//! per target, from a fixed seed.

use recon_fuzz::runner::{check, fuzz, read_dir_files, Limits, Verdict};
use recon_fuzz::targets::ALL;
use std::sync::mpsc;
use std::time::Duration;

/// Longer than the fuzzer's own bound: this runs unoptimised.
const PER_INPUT: Duration = Duration::from_secs(20);

#[test]
fn every_corpus_entry_and_saved_finding_reads_without_panic_hang_or_nameless_error() {
    let dir = recon_fuzz::crate_dir();
    let mut replayed = 0;
    for target in ALL {
        let files = read_dir_files(&dir.join("corpus").join(target.name()))
            .into_iter()
            .chain(read_dir_files(&dir.join("crashes").join(target.name())));
        for (path, bytes) in files {
            let (send, receive) = mpsc::channel();
            std::thread::spawn(move || {
                let _ = send.send(check(target, &bytes));
            });
            match receive.recv_timeout(PER_INPUT) {
                Ok(Verdict::Fine(_)) => replayed += 1,
                Ok(finding) => panic!("{}: {finding:?}", path.display()),
                Err(_) => panic!("{}: still running after {PER_INPUT:?}", path.display()),
            }
        }
    }
    assert!(
        replayed >= 20,
        "the corpus is seeded: {replayed} files replayed"
    );
}

#[test]
fn a_few_seconds_of_fuzzing_per_reader_finds_nothing() {
    let dir = recon_fuzz::crate_dir();
    let scratch = std::env::temp_dir().join(format!("recon-fuzz-test-{}", std::process::id()));
    let limits = Limits {
        per_input: PER_INPUT,
        max_len: 16 * 1024,
        min_mutations: 30,
        ..Limits::default()
    };
    for (i, target) in ALL.into_iter().enumerate() {
        let stats = fuzz(
            target,
            Duration::from_secs(2),
            42 + i as u64,
            limits,
            &dir.join("corpus"),
            &scratch,
        );
        assert!(
            stats.executions > 20,
            "{}: {} executions",
            target.name(),
            stats.executions
        );
        assert!(
            stats.findings.is_empty(),
            "{}: {:?} (saved under {})",
            target.name(),
            stats.findings,
            scratch.display()
        );
    }
}
