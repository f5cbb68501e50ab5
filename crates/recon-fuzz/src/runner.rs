//! Runs a target over its corpus and mutations for a bounded time, catching panics, timing
//! every input and saving whatever breaks a property to `crashes/<target>/`.

use crate::mutate::{mutate, Rng};
use crate::targets::Target;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most CPU time an input may take before it counts as a hang.
    pub per_input: Duration,
    /// Longest input the mutator makes.
    pub max_len: usize,
    /// Most inputs kept in the in-memory corpus of a target.
    pub max_corpus: usize,
    /// Mutations run even when the time is up (a test's floor on a loaded machine).
    pub min_mutations: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_input: Duration::from_secs(5),
            max_len: 64 * 1024,
            max_corpus: 4_000,
            min_mutations: 0,
        }
    }
}

/// What one input did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It ran; the signature of its outcome.
    Fine(String),
    Panicked(String),
    /// A property other than "no panic" failed.
    Broke(String),
}

impl Verdict {
    fn kind(&self) -> &'static str {
        match self {
            Verdict::Fine(_) => "fine",
            Verdict::Panicked(_) => "panic",
            Verdict::Broke(_) => "property",
        }
    }
}

static PANIC_MESSAGE: Mutex<String> = Mutex::new(String::new());
static QUIET_HOOK: Once = Once::new();

thread_local! {
    /// Set while a reader runs on this thread: its panics are findings, kept quiet.
    static IN_TARGET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Panics of fuzzed readers are expected findings: keep their message, print nothing.
/// Any other panic (a failing test's) goes to the usual hook.
fn quiet_panics() {
    QUIET_HOOK.call_once(|| {
        let usual = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_TARGET.with(|t| t.get()) {
                return usual(info);
            }
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            *PANIC_MESSAGE.lock().unwrap_or_else(|e| e.into_inner()) = format!("{payload}{at}");
        }));
    });
}

/// Runs one input, catching a panic.
pub fn check(target: Target, input: &[u8]) -> Verdict {
    quiet_panics();
    IN_TARGET.with(|t| t.set(true));
    let outcome = catch_unwind(AssertUnwindSafe(|| target.run(input)));
    IN_TARGET.with(|t| t.set(false));
    match outcome {
        Ok(Ok(signature)) => Verdict::Fine(signature),
        Ok(Err(broke)) => Verdict::Broke(broke),
        Err(_) => Verdict::Panicked(
            PANIC_MESSAGE
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        ),
    }
}

/// Every file of a folder, sorted by name (none if it does not exist).
pub fn read_dir_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|bytes| (p, bytes)))
        .collect()
}

/// Saves a finding as `<dir>/<kind>-<sha256 prefix>` and returns its path.
pub fn save(dir: &Path, kind: &str, input: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let name = format!("{kind}-{}", &hex::encode(Sha256::digest(input))[..16]);
    let path = dir.join(name);
    std::fs::write(&path, input)?;
    Ok(path)
}

/// The figures of one target's run.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub executions: u64,
    pub corpus: usize,
    pub findings: Vec<(PathBuf, String)>,
    pub slowest: Duration,
}

/// The input being run, for the watchdog: set before each run, cleared after.
struct Current {
    started_ms: AtomicU64,
    input: Mutex<(Target, Vec<u8>)>,
}

/// Milliseconds of CPU this process has used (Linux: `/proc/self/stat`, in 10 ms ticks),
/// else of wall time. CPU time, because a run at `nice 19` on a busy machine may wait
/// seconds for a core: that is not the reader hanging.
fn clock_ms(epoch: Instant) -> u64 {
    process_cpu_ms().unwrap_or_else(|| epoch.elapsed().as_millis() as u64) + 1
}

fn process_cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name in parentheses: state is field 3, utime 14 and stime 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) * 10) // USER_HZ is 100 on Linux
}

/// A thread that, when one input uses more than `per_input` of CPU, saves it as a hang and
/// ends the process (a stuck thread cannot be stopped any other way).
fn watchdog(current: Arc<Current>, epoch: Instant, per_input: Duration, crashes: PathBuf) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(50));
        let started = current.started_ms.load(Ordering::Acquire);
        if started != 0 && clock_ms(epoch).saturating_sub(started) > per_input.as_millis() as u64 {
            let (target, input) = current
                .input
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let dir = crashes.join(target.name());
            match save(&dir, "hang", &input) {
                Ok(path) => eprintln!(
                    "{}: an input ran longer than {per_input:?}: saved as {}",
                    target.name(),
                    path.display()
                ),
                Err(e) => eprintln!(
                    "{}: an input hung and could not be saved: {e}",
                    target.name()
                ),
            }
            std::process::exit(3);
        }
    });
}

/// Fuzzes `target` for `budget`: first every corpus and crash file as it is, then mutations.
pub fn fuzz(
    target: Target,
    budget: Duration,
    seed: u64,
    limits: Limits,
    corpus_dir: &Path,
    crashes_dir: &Path,
) -> Stats {
    let epoch = Instant::now();
    let current = Arc::new(Current {
        started_ms: AtomicU64::new(0),
        input: Mutex::new((target, Vec::new())),
    });
    watchdog(
        current.clone(),
        epoch,
        limits.per_input,
        crashes_dir.to_path_buf(),
    );
    let mut corpus: Vec<Vec<u8>> = read_dir_files(&corpus_dir.join(target.name()))
        .into_iter()
        .chain(read_dir_files(&crashes_dir.join(target.name())))
        .map(|(_, bytes)| bytes)
        .collect();
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut stats = Stats::default();
    let mut rng = Rng::new(seed);
    let mut run = |input: Vec<u8>, corpus: &mut Vec<Vec<u8>>, stats: &mut Stats| {
        *current.input.lock().unwrap_or_else(|e| e.into_inner()) = (target, input.clone());
        let started = Instant::now();
        current.started_ms.store(clock_ms(epoch), Ordering::Release);
        let verdict = check(target, &input);
        current.started_ms.store(0, Ordering::Release);
        stats.slowest = stats.slowest.max(started.elapsed());
        stats.executions += 1;
        match verdict {
            Verdict::Fine(signature) => {
                if seen.insert(signature) && corpus.len() < limits.max_corpus {
                    corpus.push(input);
                }
            }
            finding => {
                let (kind, message) = match &finding {
                    Verdict::Panicked(m) | Verdict::Broke(m) => (finding.kind(), m.clone()),
                    Verdict::Fine(_) => unreachable!(),
                };
                let dir = crashes_dir.join(target.name());
                let path = save(&dir, kind, &input).unwrap_or_else(|_| dir.clone());
                if !stats.findings.iter().any(|(p, _)| *p == path) {
                    stats.findings.push((path, message));
                }
            }
        }
    };
    for input in corpus.clone() {
        run(input, &mut corpus, &mut stats);
    }
    let mut mutations = 0;
    while epoch.elapsed() < budget || mutations < limits.min_mutations {
        mutations += 1;
        let a = rng.below(corpus.len());
        let b = rng.below(corpus.len());
        let input = mutate(
            &mut rng,
            &corpus[a],
            &corpus[b],
            target.dictionary(),
            limits.max_len,
        );
        run(input, &mut corpus, &mut stats);
    }
    stats.corpus = corpus.len();
    stats
}
