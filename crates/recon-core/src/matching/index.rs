//! The indexed memo finder: the same hits as [`NaiveFinder`](super::NaiveFinder), without
//! comparing every memo with every text. Stages, cheapest first:
//!
//! 1. a hash of the memos finds the one a text equals;
//! 2. one Aho-Corasick automaton over all memos finds every memo a text contains;
//! 3. a partition index (PassJoin) proposes the memos that may be within
//!    [`MAX_DISTANCE`] edits of a text, and a bit-parallel Levenshtein verifies them.
//!
//! Why stage 3 is exact: cut a memo (after the prefix all memos share) into
//! `MAX_DISTANCE + 1` disjoint pieces. Charge every edit of an optimal alignment to one
//! piece or to the prefix; with at most `MAX_DISTANCE` edits one piece has none, and it
//! appears verbatim in the text, shifted by the net insertions before it. Taking the first
//! piece `i` (0-based) whose cumulated edits drop below its count, the shift is at most `i`
//! and the rest at most `MAX_DISTANCE - i` (PassJoin's multi-match-aware windows), so
//! each piece is probed at no more than a few text positions. The shared prefix is left
//! out because a piece everyone has selects nothing.

use super::levenshtein::Pattern;
use super::{Expected, MemoFinder, MemoSignal, MAX_DISTANCE};
use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap;

const PIECES: usize = MAX_DISTANCE + 1;

/// Memos of one length (in chars). All share the prefix, so their pieces sit at the same
/// char positions.
#[derive(Default)]
struct Bucket<'a> {
    /// (start, length) in chars of each piece, in full-memo coordinates.
    layout: [(usize, usize); PIECES],
    /// Piece text → memos with that piece at that index.
    pieces: [FxHashMap<&'a str, Vec<u32>>; PIECES],
    /// Memos too short to cut into non-empty pieces: compared one by one.
    short: Vec<u32>,
}

pub struct IndexedFinder<'a> {
    memos: Vec<&'a str>,
    /// Per memo: length in chars and [`char_signature`].
    memo_chars: Vec<(u32, u64)>,
    equal: FxHashMap<&'a str, u32>,
    /// `None` when there is no non-empty memo.
    automaton: Option<AhoCorasick>,
    /// Automaton pattern id → memo index (empty memos are left out of the automaton).
    pattern_memo: Vec<u32>,
    /// Empty memos: contained in every non-empty text.
    empty: Vec<u32>,
    by_len: Vec<Bucket<'a>>,
}

impl<'a> IndexedFinder<'a> {
    pub fn new(expected: &'a [Expected]) -> Self {
        let memos: Vec<&'a str> = expected.iter().map(|e| e.memo.as_str()).collect();
        let memo_chars = memos
            .iter()
            .map(|m| (m.chars().count() as u32, char_signature(m)))
            .collect();
        let equal = memos
            .iter()
            .enumerate()
            .map(|(i, m)| (*m, i as u32))
            .collect();

        let mut pattern_memo = Vec::new();
        let mut empty = Vec::new();
        let mut patterns = Vec::new();
        for (i, m) in memos.iter().enumerate() {
            if m.is_empty() {
                empty.push(i as u32);
            } else {
                pattern_memo.push(i as u32);
                patterns.push(*m);
            }
        }
        let automaton = (!patterns.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&patterns)
                .expect("memo automaton")
        });

        let prefix = shared_prefix_chars(&memos);
        let mut by_len: Vec<Bucket<'a>> = Vec::new();
        for (i, memo) in memos.iter().enumerate() {
            let bounds = char_bounds(memo);
            let len = bounds.len() - 1;
            if by_len.len() <= len {
                by_len.resize_with(len + 1, Bucket::default);
            }
            let bucket = &mut by_len[len];
            match piece_layout(prefix, len) {
                None => bucket.short.push(i as u32),
                Some(layout) => {
                    bucket.layout = layout;
                    for (k, (start, plen)) in layout.into_iter().enumerate() {
                        let piece = &memo[bounds[start]..bounds[start + plen]];
                        bucket.pieces[k].entry(piece).or_default().push(i as u32);
                    }
                }
            }
        }
        Self {
            memos,
            memo_chars,
            equal,
            automaton,
            pattern_memo,
            empty,
            by_len,
        }
    }

    /// Every memo within [`MAX_DISTANCE`] edits of `text` (equal included), with its
    /// distance, sorted by memo index. What stage 3 sees; public so benchmarks and tests
    /// can hold it against brute force.
    pub fn within_distance(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        self.distance_stage(text, |_| true, |i, d| out.push((i as usize, d)));
        out.sort_unstable();
        out
    }

    /// Proposes candidates for `text` through the partition index, keeps those `wanted`
    /// accepts, and reports the ones within [`MAX_DISTANCE`].
    fn distance_stage(
        &self,
        text: &str,
        mut wanted: impl FnMut(u32) -> bool,
        mut report: impl FnMut(u32, usize),
    ) {
        let bounds = char_bounds(text);
        let n = bounds.len() - 1;
        let mut candidates: Vec<u32> = Vec::new();
        let lo_len = n.saturating_sub(MAX_DISTANCE);
        let hi_len = (n + MAX_DISTANCE).min(self.by_len.len().saturating_sub(1));
        for len in lo_len..=hi_len {
            let Some(bucket) = self.by_len.get(len) else {
                continue;
            };
            candidates.extend_from_slice(&bucket.short);
            if bucket.pieces[0].is_empty() {
                continue;
            }
            // Δ = text length − memo length: the net insertions over the whole memo.
            let delta = n as isize - len as isize;
            let tau = MAX_DISTANCE as isize;
            for (k, &(start, plen)) in bucket.layout.iter().enumerate() {
                let (p, k_i) = (start as isize, k as isize);
                let lo = (p - k_i).max(p + delta - (tau - k_i)).max(0);
                let hi = (p + k_i)
                    .min(p + delta + (tau - k_i))
                    .min(n as isize - plen as isize);
                for s in lo..=hi {
                    let s = s as usize;
                    let piece = &text[bounds[s]..bounds[s + plen]];
                    if let Some(ids) = bucket.pieces[k].get(piece) {
                        candidates.extend_from_slice(ids);
                    }
                }
            }
        }
        if candidates.is_empty() {
            return;
        }
        candidates.sort_unstable();
        candidates.dedup();
        if n == 0 {
            // Only the empty-text case: the distance is the memo's length.
            for i in candidates.into_iter().filter(|i| wanted(*i)) {
                let m = self.memo_chars[i as usize].0 as usize;
                if m <= MAX_DISTANCE {
                    report(i, m);
                }
            }
            return;
        }
        let pattern = Pattern::new(text);
        debug_assert_eq!(pattern.len(), n);
        let text_sig = char_signature(text);
        for i in candidates.into_iter().filter(|i| wanted(*i)) {
            let (m, memo_sig) = self.memo_chars[i as usize];
            // Each char class one side has and the other lacks costs an edit of its own.
            let lower_bound = (memo_sig & !text_sig)
                .count_ones()
                .max((text_sig & !memo_sig).count_ones());
            if lower_bound as usize > MAX_DISTANCE {
                continue;
            }
            let memo = self.memos[i as usize];
            if let Some(d) = pattern.distance(memo.chars(), m as usize, MAX_DISTANCE) {
                report(i, d);
            }
        }
    }
}

impl MemoFinder for IndexedFinder<'_> {
    fn memo_hits(&self, texts: &[String]) -> Vec<(usize, MemoSignal)> {
        // Few hits per receipt: a small vector beats a map.
        let mut hits: Vec<(u32, MemoSignal)> = Vec::new();
        for text in texts {
            if let Some(&i) = self.equal.get(text.as_str()) {
                raise(&mut hits, i, MemoSignal::Equal);
            }
        }
        for text in texts {
            if text.is_empty() {
                continue;
            }
            for &i in &self.empty {
                raise(&mut hits, i, MemoSignal::Contained);
            }
            if let Some(ac) = &self.automaton {
                for m in ac.find_overlapping_iter(text.as_str()) {
                    // Spanning the whole text is equality, found above.
                    if m.start() == 0 && m.end() == text.len() {
                        continue;
                    }
                    let i = self.pattern_memo[m.pattern().as_usize()];
                    raise(&mut hits, i, MemoSignal::Contained);
                }
            }
        }
        let resolved: Vec<u32> = hits.iter().map(|(i, _)| *i).collect();
        for text in texts {
            let mut found: Vec<(u32, usize)> = Vec::new();
            self.distance_stage(text, |i| !resolved.contains(&i), |i, d| found.push((i, d)));
            for (i, d) in found {
                if d >= 1 {
                    raise(&mut hits, i, MemoSignal::Distance(d as u8));
                }
            }
        }
        hits.into_iter().map(|(i, s)| (i as usize, s)).collect()
    }
}

/// Keeps the strongest signal per memo.
fn raise(hits: &mut Vec<(u32, MemoSignal)>, i: u32, s: MemoSignal) {
    match hits.iter_mut().find(|(h, _)| *h == i) {
        Some((_, old)) if old.strength() >= s.strength() => {}
        Some((_, old)) => *old = s,
        None => hits.push((i, s)),
    }
}

/// One bit per class of chars present in `s`. Classes: `a`–`z` and `0`–`9` one each,
/// the rest hashed into the remaining bits.
fn char_signature(s: &str) -> u64 {
    s.chars().fold(0u64, |sig, c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + c as u32 - '0' as u32,
            _ => 36 + (c as u32).wrapping_mul(0x9E37_79B1) % 28,
        };
        sig | (1u64 << bit)
    })
}

/// Byte offsets of every char start, plus the end: `bounds[k]..bounds[k + len]` is the
/// slice of chars `k..k + len`.
fn char_bounds(s: &str) -> Vec<usize> {
    let mut b: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
    b.push(s.len());
    b
}

/// Length in chars of the prefix every memo starts with.
fn shared_prefix_chars(memos: &[&str]) -> usize {
    let Some((first, rest)) = memos.split_first() else {
        return 0;
    };
    let mut bytes = first.len();
    for m in rest {
        bytes = bytes.min(
            first
                .as_bytes()
                .iter()
                .zip(m.as_bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    while !first.is_char_boundary(bytes) {
        bytes -= 1;
    }
    first[..bytes].chars().count()
}

/// Where the pieces of a memo of `len` chars sit, or `None` when what follows the prefix
/// is too short to give every piece a char. Later pieces take the remainder.
fn piece_layout(prefix: usize, len: usize) -> Option<[(usize, usize); PIECES]> {
    let rest = len.checked_sub(prefix)?;
    if rest < PIECES {
        return None;
    }
    let (base, extra) = (rest / PIECES, rest % PIECES);
    let mut layout = [(0, 0); PIECES];
    let mut start = prefix;
    for (k, slot) in layout.iter_mut().enumerate() {
        let plen = base + usize::from(k >= PIECES - extra);
        *slot = (start, plen);
        start += plen;
    }
    Some(layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_covers_the_rest() {
        assert_eq!(piece_layout(4, 7), None);
        let l = piece_layout(4, 14).unwrap();
        assert_eq!(l, [(4, 2), (6, 2), (8, 3), (11, 3)]);
    }

    #[test]
    fn prefix_is_char_aligned() {
        assert_eq!(shared_prefix_chars(&["arb é1", "arb é2"]), 5);
        assert_eq!(shared_prefix_chars(&["aé", "aè"]), 1);
        assert_eq!(shared_prefix_chars(&[]), 0);
    }
}
