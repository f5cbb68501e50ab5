//! `recon-bench matching [--n 100000] [--seed 42] [--skip-rapidfuzz] [--recon PATH]`
//!
//! Times the matching engine on N expected payments × N receipts, checks on a slice that
//! the indexed finder equals the naive one and that its distance ≤ 3 pairs are exactly the
//! brute-force set (and rapidfuzz's), times rapidfuzz `cdist` on the same strings, and
//! optionally `recon match` end to end.
//!
//! `recon-bench payouts` (payouts.rs) times a batch of 100,000 entries created and paid against
//! the same writes by `sqlite3`. `recon-bench imports …` (imports.rs) and `recon-bench expected …` (expected.rs) time
//! `recon`'s imports against `sqlite3 .import`; `recon-bench checks` (checks.rs) times the
//! wallet check and journal continuity against `sqlite3` queries. `recon-bench sync` (sync.rs)
//! times push and pull of 100,000 events against the real server on PostgreSQL beside bare
//! HTTP round trips.

mod checks;
mod cpu;
mod e2e;
mod expected;
mod fixture;
mod gen;
mod imports;
mod ledger;
mod ledger_peer;
mod payouts;
mod rapidfuzz;
mod sync;

use cpu::measure;
use recon_core::matching::{
    bounded_levenshtein, normalize_memo, run, Expected, IndexedFinder, MatchRules, MemoFinder,
    MemoSignal, NaiveFinder, Receipt, Verdict, MAX_DISTANCE,
};
use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    n: usize,
    seed: u64,
    slice: usize,
    chunk: usize,
    skip_rapidfuzz: bool,
    recon: Option<PathBuf>,
    venv: PathBuf,
    work_dir: PathBuf,
}

const USAGE: &str = "usage: recon-bench matching [--n 100000] [--seed 42] [--skip-rapidfuzz] \
[--recon PATH] [--slice 10000] [--chunk 2000] [--venv $CARGO_TARGET_DIR/bench-venv] [--work-dir $CARGO_TARGET_DIR/bench-data]";

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    if it.next().as_deref() != Some("matching") {
        return Err(USAGE.into());
    }
    // Next to the build output, so `cargo clean` removes it and git never sees it.
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let mut a = Args {
        n: 100_000,
        seed: 42,
        slice: 10_000,
        chunk: 2_000,
        skip_rapidfuzz: false,
        recon: None,
        venv: target.join("bench-venv"),
        work_dir: target.join("bench-data"),
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |v: String| v.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--n" => a.n = num(value()?)? as usize,
            "--seed" => a.seed = num(value()?)?,
            "--slice" => a.slice = num(value()?)? as usize,
            "--chunk" => a.chunk = (num(value()?)? as usize).max(1),
            "--skip-rapidfuzz" => a.skip_rapidfuzz = true,
            "--recon" => a.recon = Some(PathBuf::from(value()?)),
            "--venv" => a.venv = PathBuf::from(value()?),
            "--work-dir" => a.work_dir = PathBuf::from(value()?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    a.slice = a.slice.min(a.n);
    Ok(a)
}

/// A bench's verdict as the exit code: 0 met, 1 not met, 2 could not run.
fn exit(verdict: Result<bool, String>) -> ExitCode {
    match verdict {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let rest = || std::env::args().skip(2);
    let parse = |spec| fixture::parse_args(spec, rest());
    match std::env::args().nth(1).as_deref() {
        Some("ledger") => return exit(parse(&ledger::SPEC).and_then(|a| ledger::ledger(&a))),
        Some("sync") => return exit(sync::parse_args(rest()).and_then(|a| sync::sync(&a))),
        Some("payouts") => return exit(parse(&payouts::SPEC).and_then(|a| payouts::payouts(&a))),
        Some("checks") => {
            return exit(checks::parse_args(rest()).and_then(|a| checks::checks(&a)));
        }
        Some("expected") => {
            return exit(parse(&expected::SPEC).and_then(|a| expected::expected(&a)));
        }
        Some("imports") => {
            return exit(parse(&imports::SPEC).and_then(|a| imports::imports(&a)));
        }
        _ => {}
    }
    match parse_args() {
        Ok(args) => exit(matching(&args)),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// Runs `f` over `0..n` split across the available cores, concatenating the parts.
fn par_ranges<T: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> Vec<T> + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(8);
    let step = n.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .step_by(step)
            .map(|lo| {
                let f = &f;
                s.spawn(move || f(lo..(lo + step).min(n)))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker panicked"))
            .collect()
    })
}

fn sorted_hits(f: &impl MemoFinder, texts: &[String]) -> Vec<(usize, MemoSignal)> {
    let mut h = f.memo_hits(texts);
    h.sort_unstable();
    h
}

fn matching(args: &Args) -> Result<bool, String> {
    let n = args.n;
    println!(
        "recon-bench matching: n={n} seed={} slice={}",
        args.seed, args.slice
    );
    let (data, _, gen_wall) = measure(|| gen::generate(n, args.seed));
    print_generated(&data, gen_wall);
    let expected: Vec<Expected> = data.engine_expected(n);
    let receipts: Vec<Receipt> = data.engine_receipts(n);
    let (engine_cpu, engine_wall) = time_engine(&expected, &receipts);
    let memos: Vec<String> = expected.iter().map(|e| e.memo.clone()).collect();
    let reasons: Vec<String> = data
        .receipts
        .iter()
        .map(|r| normalize_memo(&r.reason))
        .collect();
    let s = args.slice;
    let indexed = IndexedFinder::new(&expected[..s]);
    let mut all_ok = finders_agree(&indexed, &expected[..s], &receipts[..s]);
    let brute = brute_force_pairs(&memos[..s], &reasons[..s]);
    all_ok &= index_pairs_agree(&indexed, &reasons[..s], &brute);
    let rf_full = if args.skip_rapidfuzz {
        println!("rapidfuzz: skipped");
        None
    } else {
        let (ok, full) = rapidfuzz_agrees(args, &expected, &memos, &reasons, &brute)?;
        all_ok &= ok;
        Some(full)
    };
    let e2e_result = recon_end_to_end(args, &data);
    print_table(
        n,
        (engine_cpu, engine_wall),
        e2e_result.as_ref(),
        rf_full.as_ref(),
    );
    println!("checks: {}", if all_ok { "all passed" } else { "FAILED" });
    Ok(all_ok)
}

fn print_generated(data: &gen::Data, gen_wall: f64) {
    let kinds = |k: fn(gen::Kind) -> bool| data.receipts.iter().filter(|r| k(r.kind)).count();
    println!(
        "generated in {gen_wall:.2} s: receipts exact {} / typos {} / unrelated {}; amount equal {}",
        kinds(|k| k == gen::Kind::Exact),
        kinds(|k| matches!(k, gen::Kind::Typos(_))),
        kinds(|k| k == gen::Kind::Unrelated),
        data.receipts
            .iter()
            .zip(&data.expected)
            .filter(|(r, e)| r.amount_minor == e.amount_minor)
            .count(),
    );
}

/// The engine, in process: index build + every receipt decided. Returns (cpu, wall) seconds.
fn time_engine(expected: &[Expected], receipts: &[Receipt]) -> (f64, f64) {
    let rules = MatchRules::default();
    let (results, engine_cpu, engine_wall) = measure(|| run(&rules, expected, receipts, 3));
    let (mut matched, mut ambiguous, mut unmatched, mut right) = (0, 0, 0, 0);
    for (k, r) in results.iter().enumerate() {
        match &r.verdict {
            Verdict::Matched(c) => {
                matched += 1;
                right += usize::from(c.expected == k);
            }
            Verdict::Ambiguous(_) => ambiguous += 1,
            Verdict::Unmatched => unmatched += 1,
        }
    }
    println!(
        "engine run: cpu {engine_cpu:.2} s, wall {engine_wall:.2} s: matched {matched} \
         (to the generating payment {right}), ambiguous {ambiguous}, unmatched {unmatched}"
    );
    (engine_cpu, engine_wall)
}

/// On the slice: the indexed finder's memo hits equal the naive finder's, receipt by receipt.
fn finders_agree(indexed: &IndexedFinder, expected: &[Expected], receipts: &[Receipt]) -> bool {
    let s = receipts.len();
    let naive = NaiveFinder::new(expected);
    let (diffs, check_cpu, check_wall) = measure(|| {
        par_ranges(s, |range| {
            range
                .filter_map(|k| {
                    let texts = &receipts[k].texts;
                    let (a, b) = (sorted_hits(indexed, texts), sorted_hits(&naive, texts));
                    (a != b).then_some((k, a, b))
                })
                .collect::<Vec<_>>()
        })
    });
    let mut hit_counts = [0usize; 3];
    for r in receipts {
        for (_, sig) in indexed.memo_hits(&r.texts) {
            hit_counts[match sig {
                MemoSignal::Equal => 0,
                MemoSignal::Contained => 1,
                MemoSignal::Distance(_) => 2,
            }] += 1;
        }
    }
    println!(
        "slice {s}x{s}: IndexedFinder vs NaiveFinder hits: equal {} contained {} distance {}; \
         receipts differing: {} (check cpu {check_cpu:.1} s, wall {check_wall:.1} s)",
        hit_counts[0],
        hit_counts[1],
        hit_counts[2],
        diffs.len()
    );
    for (k, a, b) in diffs.iter().take(5) {
        println!("  receipt {k}: indexed {a:?} naive {b:?}");
    }
    diffs.is_empty()
}

/// Every (reason, memo, distance) pair within MAX_DISTANCE, by brute force, sorted.
fn brute_force_pairs(memos: &[String], reasons: &[String]) -> Vec<(u32, u32, u8)> {
    par_ranges(reasons.len(), |range| {
        let mut v = Vec::new();
        for k in range {
            for (j, m) in memos.iter().enumerate() {
                if let Some(d) = bounded_levenshtein(m, &reasons[k], MAX_DISTANCE) {
                    v.push((k as u32, j as u32, d as u8));
                }
            }
        }
        v
    })
}

/// The partition index finds exactly the brute-force pairs.
fn index_pairs_agree(
    indexed: &IndexedFinder,
    reasons: &[String],
    brute: &[(u32, u32, u8)],
) -> bool {
    let s = reasons.len();
    let mut pairs = Vec::new();
    for (k, t) in reasons.iter().enumerate() {
        for (j, d) in indexed.within_distance(t) {
            pairs.push((k as u32, j as u32, d as u8));
        }
    }
    println!(
        "slice {s}x{s}: Levenshtein <= {MAX_DISTANCE} pairs (reason text x memo): brute force {}, \
         partition index {}: {}",
        brute.len(),
        pairs.len(),
        if brute == pairs {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    brute == pairs
}

/// rapidfuzz finds the brute-force pairs on the slice and the index's count on the full
/// set; returns whether both agree, and the timed full cdist.
fn rapidfuzz_agrees(
    args: &Args,
    expected: &[Expected],
    memos: &[String],
    reasons: &[String],
    brute: &[(u32, u32, u8)],
) -> Result<(bool, rapidfuzz::RfRun), String> {
    let (n, s) = (memos.len(), args.slice);
    let python = rapidfuzz::ensure_venv(&args.venv)?;
    let dir = &args.work_dir;
    let rf_slice = rapidfuzz::run_cdist(
        &python,
        dir,
        "slice",
        &memos[..s],
        &reasons[..s],
        args.chunk,
        true,
    )?;
    let rf_pairs = rf_slice.pair_list.unwrap_or_default();
    let missing = brute
        .iter()
        .filter(|p| rf_pairs.binary_search(p).is_err())
        .count();
    let extra = rf_pairs
        .iter()
        .filter(|p| brute.binary_search(p).is_err())
        .count();
    println!(
        "slice {s}x{s}: rapidfuzz pairs {}; vs brute force: missing {missing}, extra {extra}",
        rf_pairs.len()
    );
    println!(
        "rapidfuzz cdist {n}x{n} (workers=1, chunks of {})...",
        args.chunk
    );
    let full = rapidfuzz::run_cdist(&python, dir, "full", memos, reasons, args.chunk, false)?;
    // The same count from the engine's partition index over the same strings.
    let full_finder = IndexedFinder::new(expected);
    let (engine_full, dist_cpu, _) = measure(|| {
        reasons
            .iter()
            .map(|t| full_finder.within_distance(t).len() as u64)
            .sum::<u64>()
    });
    println!(
        "full {n}x{n}: Levenshtein <= {MAX_DISTANCE} pairs: rapidfuzz {}, partition index {} \
         ({dist_cpu:.2} cpu-s): {}",
        full.pairs,
        engine_full,
        if full.pairs == engine_full {
            "same count"
        } else {
            "DIFFERENT"
        }
    );
    let ok = missing == 0 && extra == 0 && full.pairs == engine_full;
    Ok((ok, full))
}

/// `recon` over the same data, when --recon is given; a failure is reported, not fatal.
fn recon_end_to_end(args: &Args, data: &gen::Data) -> Option<e2e::E2e> {
    let recon = args.recon.as_ref()?;
    match e2e::time_recon_end_to_end(recon, data, &args.work_dir.join("e2e")) {
        Ok(r) => {
            println!(
                "recon match --json: {}",
                summarize_match_json(&r.match_output)
            );
            Some(r)
        }
        Err(e) => {
            println!("recon end to end: not run: {e}");
            None
        }
    }
}

/// `recon match` may cost at most this fraction of rapidfuzz `cdist` (issue 8).
const MATCH_VS_CDIST_REQUIRED: f64 = 0.05;

fn print_table(
    n: usize,
    (engine_cpu, engine_wall): (f64, f64),
    e2e_result: Option<&e2e::E2e>,
    rf_full: Option<&rapidfuzz::RfRun>,
) {
    println!();
    println!("{:<44} {:>10} {:>10}", "what", "cpu s", "wall s");
    println!(
        "{:<44} {engine_cpu:>10.2} {engine_wall:>10.2}",
        format!("engine matching::run {n}x{n}")
    );
    if let Some(r) = e2e_result {
        for st in &r.steps {
            println!(
                "{:<44} {:>10.2} {:>10.2}",
                format!("recon {}", st.name),
                st.cpu,
                st.wall
            );
        }
        println!(
            "{:<44} {:>10.2}",
            "recon end to end (all steps)",
            r.total_cpu()
        );
    }
    let Some(rf) = rf_full else {
        return;
    };
    println!(
        "{:<44} {:>10.2} {:>10.2}",
        format!("rapidfuzz cdist {n}x{n} (cdist calls)"),
        rf.cdist_cpu,
        rf.wall
    );
    println!(
        "{:<44} {:>10.2}",
        "rapidfuzz python process (getrusage)", rf.process_cpu
    );
    println!();
    println!(
        "engine {n}x{n}: cpu {engine_cpu:.2} s  rapidfuzz cdist: cpu {:.1} s  ratio {:.4}",
        rf.cdist_cpu,
        engine_cpu / rf.cdist_cpu
    );
    if let Some(m) = e2e_result.and_then(|r| r.step("match")) {
        let ratio = m.cpu / rf.cdist_cpu;
        println!(
            "recon match {n}x{n}: cpu {:.2} s  rapidfuzz cdist: cpu {:.1} s  ratio {ratio:.4} ({})",
            m.cpu,
            rf.cdist_cpu,
            if ratio <= MATCH_VS_CDIST_REQUIRED {
                format!("meets <= {MATCH_VS_CDIST_REQUIRED}")
            } else {
                format!("ABOVE {MATCH_VS_CDIST_REQUIRED}")
            }
        );
    }
}

fn summarize_match_json(out: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(out.trim()) {
        Ok(v) => format!(
            "matched {} amount_adjusted {} ambiguous {} unmatched_receipts {}",
            v["matched"],
            v["amount_adjusted"],
            v["ambiguous"],
            v["unmatched_receipts"].as_array().map_or(0, Vec::len)
        ),
        Err(_) => format!("{} bytes of output", out.len()),
    }
}
