//! A seeded generator of expected payments and the receipts that (mostly) pay them, shaped
//! like the seed's participation payments: memo `ARB {cycleId} {characterName}`.

use recon_core::matching::{normalize_memo, Expected, Receipt};
use std::collections::HashSet;

pub const CURRENCY: &str = "ISK";
/// ISK has two decimals: amounts are integer hundredths, never floats.
pub const MINOR_PER_ISK: i64 = 100;
/// Character id of the receiving wallet's owner.
pub const RECEIVER_ID: i64 = 1;

/// splitmix64: tiny, seedable, and stable across platforms and crate versions.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
    pub fn pick<'x, T>(&mut self, xs: &'x [T]) -> &'x T {
        &xs[self.below(xs.len())]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Exact,
    Typos(u8),
    Unrelated,
}

pub struct Payment {
    pub cycle: String,
    pub name: String,
    pub character_id: i64,
    pub amount_minor: i64,
    /// As the participant was told to type it.
    pub memo: String,
}

pub struct Incoming {
    pub journal_id: i64,
    pub reason: String,
    pub description: String,
    pub amount_minor: i64,
    pub payer_id: i64,
    pub kind: Kind,
}

pub struct Data {
    pub expected: Vec<Payment>,
    /// Receipt `k` was generated from expected payment `k`.
    pub receipts: Vec<Incoming>,
}

impl Data {
    pub fn engine_expected(&self, n: usize) -> Vec<Expected> {
        self.expected[..n]
            .iter()
            .map(|p| Expected {
                memo: normalize_memo(&p.memo),
                amount_minor: p.amount_minor,
                currency: CURRENCY.to_owned(),
                payer_id: Some(p.character_id),
            })
            .collect()
    }

    pub fn engine_receipts(&self, n: usize) -> Vec<Receipt> {
        self.receipts[..n]
            .iter()
            .map(|r| {
                Receipt::new(
                    [r.reason.as_str(), r.description.as_str()],
                    r.amount_minor,
                    CURRENCY,
                    Some(r.payer_id),
                )
            })
            .collect()
    }
}

const CYCLES: [&str; 6] = ["cycle1", "cycle2", "cycle3", "cycle4", "cycle5", "cycle12"];

const ONSETS: [&str; 30] = [
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "x", "z",
    "br", "ch", "dr", "gr", "kh", "sh", "st", "th", "tr", "v'", "qu",
];
const VOWELS: [&str; 12] = [
    "a", "e", "i", "o", "u", "y", "ae", "ai", "ei", "ia", "ou", "oo",
];
const CODAS: [&str; 12] = ["", "", "", "n", "r", "s", "th", "x", "l", "k", "nd", "rr"];

/// A pronounceable word of 1–4 syllables.
fn word(rng: &mut Rng) -> String {
    let mut w = String::new();
    for _ in 0..1 + rng.below(4) {
        w.push_str(rng.pick::<&str>(&ONSETS));
        w.push_str(rng.pick::<&str>(&VOWELS));
        w.push_str(rng.pick::<&str>(&CODAS));
    }
    w
}

/// EVE-like character names: 1–3 words of letters, digits, `'` and `-`, 3–37 chars.
fn character_name(rng: &mut Rng) -> String {
    loop {
        // Most characters have a first and a last name.
        let words = match rng.below(10) {
            0 => 1,
            1 | 2 => 3,
            _ => 2,
        };
        let mut name = String::new();
        for w in 0..words {
            if w > 0 {
                name.push(' ');
            }
            let mut part = word(rng);
            if rng.percent(5) {
                part.push('-');
                part.push_str(&word(rng));
            }
            if rng.percent(5) {
                part.push_str(&rng.below(1000).to_string());
            }
            let mut chars = part.chars();
            if let Some(first) = chars.next() {
                name.extend(first.to_uppercase());
                name.extend(chars);
            }
        }
        if (3..=37).contains(&name.chars().count()) {
            return name;
        }
    }
}

const TYPO_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789 '-";

fn typos(rng: &mut Rng, s: &str, edits: usize) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for _ in 0..edits {
        let c = char::from(*rng.pick(TYPO_CHARS));
        let at = rng.below(chars.len());
        match rng.below(3) {
            0 => chars.insert(at, c),
            1 => {
                chars.remove(at);
            }
            _ => chars[at] = c,
        }
    }
    chars.into_iter().collect()
}

/// Case and spacing noise a human (or a paste) adds; normalization removes it.
fn noise(rng: &mut Rng, s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    match rng.below(10) {
        0 => return format!(" {} ", s.to_uppercase()),
        1 => return s.to_lowercase(),
        _ => {}
    }
    for c in s.chars() {
        if c == ' ' && rng.percent(10) {
            out.push_str("  ");
        } else if rng.percent(3) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    if rng.percent(5) {
        out.push(' ');
    }
    out
}

const UNRELATED: [&str; 10] = [
    "thanks for the ships",
    "loan repayment",
    "for the fuel blocks",
    "gift",
    "srp",
    "buyback contract",
    "rent for the citadel",
    "plex money",
    "fitting costs",
    "see you in jita",
];

pub fn generate(n: usize, seed: u64) -> Data {
    let mut rng = Rng::new(seed);
    let mut seen: HashSet<String> = HashSet::with_capacity(n);
    let mut expected = Vec::with_capacity(n);
    while expected.len() < n {
        let cycle = rng.pick(&CYCLES).to_string();
        let name = character_name(&mut rng);
        let memo = format!("ARB {cycle} {name}");
        // Memos are unique (normalized), as the app enforces.
        if !seen.insert(normalize_memo(&memo)) {
            continue;
        }
        // 100 million to 10 billion ISK in whole millions.
        let isk = (100 + rng.below(9_901) as i64) * 1_000_000;
        expected.push(Payment {
            cycle,
            name,
            character_id: 90_000_000 + expected.len() as i64,
            amount_minor: isk * MINOR_PER_ISK,
            memo,
        });
    }
    let receipts = expected
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let roll = rng.below(100);
            let (kind, reason) = if roll < 55 {
                (Kind::Exact, noise(&mut rng, &p.memo))
            } else if roll < 80 {
                let edits = 1 + rng.below(3);
                let text = typos(&mut rng, &p.memo, edits);
                (Kind::Typos(edits as u8), noise(&mut rng, &text))
            } else {
                let text = format!("{} {}", rng.pick(&UNRELATED), rng.below(100_000));
                (Kind::Unrelated, text)
            };
            let amount_minor = if rng.percent(70) {
                p.amount_minor
            } else {
                // Partial or overpayment by 1 to 50 million ISK.
                let delta = (1 + rng.below(50) as i64) * 1_000_000 * MINOR_PER_ISK;
                if rng.percent(50) {
                    p.amount_minor - delta
                } else {
                    p.amount_minor + delta
                }
            };
            let (payer_id, payer_name) = if rng.percent(90) {
                (p.character_id, p.name.clone())
            } else {
                let other = rng.below(n);
                (expected[other].character_id, expected[other].name.clone())
            };
            Incoming {
                journal_id: 20_000_000_000 + k as i64,
                reason,
                description: format!("{payer_name} deposited cash into Recv's account"),
                amount_minor,
                payer_id,
                kind,
            }
        })
        .collect();
    Data { expected, receipts }
}

/// `12345` minor units → `"123.45"`: amounts leave the program as exact decimal text.
pub fn isk_text(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    let unit = MINOR_PER_ISK as u64;
    format!("{sign}{}.{:02}", m / unit, m % unit)
}
