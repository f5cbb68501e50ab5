//! Payment matching (SPEC §5): scores receipts (incoming journal lines) against expected
//! payments by memo and amount, and decides for each receipt alone whether it is matched,
//! ambiguous or unmatched. Deciding per receipt, from data only, is what makes a run
//! independent of input order and idempotent: linked receipts leave the input.
//!
//! Finding memo candidates is the costly part; [`MemoFinder`] separates it from scoring.
//! [`NaiveFinder`] compares every pair and is the oracle; [`IndexedFinder`] (in `index`)
//! must return exactly the same hits, cheaply.
//!
//! Beside the engine live the rules of what matching does to the ledger, over typed values
//! (`Money`, the enums of `kinds`): the effect of a payment's links ([`link_effect`]),
//! the checks of a reviewer's steps (`review`) and of expected payments and cycles.

mod effect;
mod expected;
mod expected_file;
mod index;
mod kinds;
mod levenshtein;
mod review;

pub use effect::{link_effect, ActiveLink, EffectError, PaymentState};
pub use expected::{cycle_opening, expected_amount, AmountRefusal, CycleRefusal, ExpectedIdentity};
pub use expected_file::{
    default_memo, looks_like_expected, parse_expected, ExpectedFileError, ExpectedRow,
};
pub use index::IndexedFinder;
pub use kinds::{ActionKind, ExpectedStatus, LinkType, UnknownName};
pub use levenshtein::bounded_levenshtein;
pub use review::{
    check_editable, check_edited_text, check_linkable, check_rejectable, check_restorable,
    check_restore, check_split_size, ReceiptState, ReviewRefusal, SharePlan, ShareTarget,
};

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The largest edit distance that still earns memo points.
pub const MAX_DISTANCE: usize = 3;

/// Weights, threshold and which journal lines count as receipts. Defaults are §5's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchRules {
    pub memo_equal_points: u32,
    pub memo_contained_points: u32,
    /// Points for edit distance 1, 2 and 3.
    pub memo_distance_points: [u32; MAX_DISTANCE],
    /// Added only to a memo score above 0: an amount alone never links.
    pub amount_equal_points: u32,
    pub threshold: u32,
    pub ref_types: Vec<String>,
}

impl Default for MatchRules {
    fn default() -> Self {
        Self {
            memo_equal_points: 1000,
            memo_contained_points: 500,
            memo_distance_points: [100, 85, 70],
            amount_equal_points: 50,
            threshold: 100,
            ref_types: vec!["player_donation".to_owned()],
        }
    }
}

/// Trim, collapse inner whitespace to one space, case fold (§5).
pub fn normalize_memo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// An expected payment as the engine sees it. `memo` is normalized and unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub memo: String,
    pub amount_minor: i64,
    pub currency: String,
    pub payer_id: Option<i64>,
}

/// A receipt: an incoming line not yet linked. `texts` are its normalized non-empty
/// `reason` and `description` (either may be absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub texts: Vec<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub payer_id: Option<i64>,
}

impl Receipt {
    /// Builds a receipt from raw texts, normalizing them and dropping empty ones.
    pub fn new<'a>(
        texts: impl IntoIterator<Item = &'a str>,
        amount_minor: i64,
        currency: &str,
        payer_id: Option<i64>,
    ) -> Self {
        let mut normalized: Vec<String> = Vec::new();
        for text in texts {
            let n = normalize_memo(text);
            if !n.is_empty() && !normalized.contains(&n) {
                normalized.push(n);
            }
        }
        Self {
            texts: normalized,
            amount_minor,
            currency: currency.to_owned(),
            payer_id,
        }
    }
}

/// How a memo met a receipt's text; ordered from weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "distance")]
pub enum MemoSignal {
    /// Edit distance 1 to 3 (a smaller distance is stronger: see [`MemoSignal::strength`]).
    Distance(u8),
    Contained,
    Equal,
}

impl MemoSignal {
    /// A total order where stronger signals are greater.
    pub fn strength(self) -> u32 {
        match self {
            MemoSignal::Distance(d) => 10 - u32::from(d),
            MemoSignal::Contained => 20,
            MemoSignal::Equal => 30,
        }
    }

    pub fn points(self, rules: &MatchRules) -> u32 {
        match self {
            MemoSignal::Equal => rules.memo_equal_points,
            MemoSignal::Contained => rules.memo_contained_points,
            MemoSignal::Distance(d) => {
                let d = usize::from(d);
                assert!((1..=MAX_DISTANCE).contains(&d), "distance {d} out of range");
                rules.memo_distance_points[d - 1]
            }
        }
    }
}

/// The memo signal of one normalized memo against one normalized text, if any.
pub fn memo_signal(memo: &str, text: &str) -> Option<MemoSignal> {
    if memo == text {
        Some(MemoSignal::Equal)
    } else if text.contains(memo) {
        Some(MemoSignal::Contained)
    } else {
        bounded_levenshtein(memo, text, MAX_DISTANCE)
            .filter(|d| *d >= 1)
            .map(|d| MemoSignal::Distance(d as u8))
    }
}

/// Finds, for one receipt, every expected payment whose memo has a signal against one of
/// the receipt's texts, with the strongest signal over the texts. Order does not matter.
pub trait MemoFinder {
    fn memo_hits(&self, texts: &[String]) -> Vec<(usize, MemoSignal)>;
}

/// Compares every memo with every text: the reference the indexed finder must equal.
pub struct NaiveFinder<'a> {
    memos: Vec<&'a str>,
}

impl<'a> NaiveFinder<'a> {
    pub fn new(expected: &'a [Expected]) -> Self {
        Self {
            memos: expected.iter().map(|e| e.memo.as_str()).collect(),
        }
    }
}

impl MemoFinder for NaiveFinder<'_> {
    fn memo_hits(&self, texts: &[String]) -> Vec<(usize, MemoSignal)> {
        let mut hits = Vec::new();
        for (i, memo) in self.memos.iter().enumerate() {
            let best = texts
                .iter()
                .filter_map(|t| memo_signal(memo, t))
                .max_by_key(|s| s.strength());
            if let Some(signal) = best {
                hits.push((i, signal));
            }
        }
        hits
    }
}

/// Why a receipt scores what it scores against one expected payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub memo: Option<MemoSignal>,
    pub memo_points: u32,
    pub amount_equal: bool,
    pub amount_points: u32,
    /// Shown to reviewers; worth no points in §5.
    pub payer_equal: bool,
    pub total: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index into the expected payments given to the run.
    pub expected: usize,
    pub score: Score,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// One expected payment has the single best qualifying score.
    Matched(Candidate),
    /// Two or more share the best qualifying score: never auto-linked.
    Ambiguous(Vec<Candidate>),
    /// Nothing qualifies.
    Unmatched,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptResult {
    pub verdict: Verdict,
    /// The best candidates for a reviewer, qualifying or not, best first.
    pub suggestions: Vec<Candidate>,
}

/// Scores one pair. `None` when the currencies differ (amounts in two currencies are never
/// compared or summed).
pub fn score(
    rules: &MatchRules,
    expected: &Expected,
    receipt: &Receipt,
    memo: Option<MemoSignal>,
) -> Option<Score> {
    if expected.currency != receipt.currency {
        return None;
    }
    let memo_points = memo.map_or(0, |m| m.points(rules));
    let amount_equal = expected.amount_minor == receipt.amount_minor;
    let amount_points = if amount_equal && memo_points > 0 {
        rules.amount_equal_points
    } else {
        0
    };
    let payer_equal = expected.payer_id.is_some() && expected.payer_id == receipt.payer_id;
    Some(Score {
        memo,
        memo_points,
        amount_equal,
        amount_points,
        payer_equal,
        total: memo_points + amount_points,
    })
}

/// Best first; ties broken by memo so the order never depends on the input's.
fn sort_candidates(candidates: &mut [Candidate], expected: &[Expected]) {
    candidates.sort_by(|a, b| {
        b.score
            .total
            .cmp(&a.score.total)
            .then(b.score.payer_equal.cmp(&a.score.payer_equal))
            .then_with(|| expected[a.expected].memo.cmp(&expected[b.expected].memo))
    });
}

/// Expected payments by amount and by payer, for receipts no memo points at (the seed's
/// "no memo" case: a reviewer matches by amount and character).
struct FallbackIndex {
    by_amount: HashMap<(i64, String), Vec<usize>>,
    by_payer: HashMap<i64, Vec<usize>>,
}

impl FallbackIndex {
    fn new(expected: &[Expected]) -> Self {
        let mut by_amount: HashMap<(i64, String), Vec<usize>> = HashMap::new();
        let mut by_payer: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, e) in expected.iter().enumerate() {
            by_amount
                .entry((e.amount_minor, e.currency.clone()))
                .or_default()
                .push(i);
            if let Some(p) = e.payer_id {
                by_payer.entry(p).or_default().push(i);
            }
        }
        Self {
            by_amount,
            by_payer,
        }
    }

    fn suggest(
        &self,
        rules: &MatchRules,
        expected: &[Expected],
        receipt: &Receipt,
        limit: usize,
    ) -> Vec<Candidate> {
        let mut seen: Vec<usize> = Vec::new();
        if let Some(p) = receipt.payer_id {
            seen.extend(self.by_payer.get(&p).into_iter().flatten());
        }
        seen.extend(
            self.by_amount
                .get(&(receipt.amount_minor, receipt.currency.clone()))
                .into_iter()
                .flatten(),
        );
        seen.sort_unstable();
        seen.dedup();
        let mut out: Vec<Candidate> = seen
            .into_iter()
            .filter_map(|i| {
                score(rules, &expected[i], receipt, None)
                    .map(|score| Candidate { expected: i, score })
            })
            .collect();
        out.sort_by(|a, b| {
            let rank = |c: &Candidate| {
                (
                    c.score.payer_equal && c.score.amount_equal,
                    c.score.amount_equal,
                    c.score.payer_equal,
                )
            };
            rank(b)
                .cmp(&rank(a))
                .then_with(|| expected[a.expected].memo.cmp(&expected[b.expected].memo))
        });
        out.truncate(limit);
        out
    }
}

/// Decides every receipt with the given finder. `expected` must hold only candidates
/// (awaiting payment or confirmed) with unique memos. One result per receipt, in order.
pub fn run_with<F: MemoFinder>(
    rules: &MatchRules,
    expected: &[Expected],
    receipts: &[Receipt],
    finder: &F,
    suggestions_limit: usize,
) -> Vec<ReceiptResult> {
    debug_assert!(
        {
            let mut memos: Vec<&str> = expected.iter().map(|e| e.memo.as_str()).collect();
            memos.sort_unstable();
            memos.windows(2).all(|w| w[0] != w[1])
        },
        "expected memos must be unique"
    );
    let fallback = FallbackIndex::new(expected);
    receipts
        .iter()
        .map(|receipt| {
            let mut candidates: Vec<Candidate> = finder
                .memo_hits(&receipt.texts)
                .into_iter()
                .filter_map(|(i, signal)| {
                    score(rules, &expected[i], receipt, Some(signal))
                        .map(|score| Candidate { expected: i, score })
                })
                .collect();
            sort_candidates(&mut candidates, expected);
            let verdict = match candidates.first() {
                Some(best) if best.score.total >= rules.threshold => {
                    let tied: Vec<Candidate> = candidates
                        .iter()
                        .take_while(|c| c.score.total == best.score.total)
                        .copied()
                        .collect();
                    if tied.len() == 1 {
                        Verdict::Matched(tied[0])
                    } else {
                        Verdict::Ambiguous(tied)
                    }
                }
                _ => Verdict::Unmatched,
            };
            let suggestions = if candidates.is_empty() {
                fallback.suggest(rules, expected, receipt, suggestions_limit)
            } else {
                candidates.truncate(suggestions_limit);
                candidates
            };
            ReceiptResult {
                verdict,
                suggestions,
            }
        })
        .collect()
}

/// Decides every receipt using the indexed finder.
pub fn run(
    rules: &MatchRules,
    expected: &[Expected],
    receipts: &[Receipt],
    suggestions_limit: usize,
) -> Vec<ReceiptResult> {
    let finder = IndexedFinder::new(expected);
    run_with(rules, expected, receipts, &finder, suggestions_limit)
}
