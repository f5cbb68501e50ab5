//! Edit distance with an upper bound: anything above `max` is `None`.
//!
//! Bit-parallel (Myers 1999, in Hyyrö's formulation): one column of the DP matrix is two
//! bit vectors, so a column costs a handful of word operations instead of one cell each.
//! Patterns longer than 64 chars use several words with carries between them.

/// Levenshtein distance over chars, or `None` when it exceeds `max`.
pub fn bounded_levenshtein(a: &str, b: &str, max: usize) -> Option<usize> {
    let (a, b) = strip_common_affixes(a, b);
    // Counting chars is cheap and settles most pairs before any table is built.
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.abs_diff(lb) > max {
        return None;
    }
    // The shorter string is the pattern: fewer words per column.
    let (pattern, text, n) = if la <= lb { (a, b, lb) } else { (b, a, la) };
    if pattern.is_empty() {
        return (n <= max).then_some(n);
    }
    Pattern::new(pattern).distance(text.chars(), n, max)
}

/// Drops the bytes both strings start and end with, on char boundaries: they cost
/// nothing and cutting them shortens the bit vectors.
fn strip_common_affixes<'x>(a: &'x str, b: &'x str) -> (&'x str, &'x str) {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let mut p = ab.iter().zip(bb).take_while(|(x, y)| x == y).count();
    // Equal bytes so far: a boundary in `a` is one in `b` too.
    while !a.is_char_boundary(p) {
        p -= 1;
    }
    let (a, b) = (&a[p..], &b[p..]);
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let mut s = ab
        .iter()
        .rev()
        .zip(bb.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    while !a.is_char_boundary(a.len() - s) {
        s -= 1;
    }
    (&a[..a.len() - s], &b[..b.len() - s])
}

/// A pattern's match masks, built once and compared against many texts.
pub(crate) struct Pattern {
    /// Length in chars (≥ 1).
    len: usize,
    words: usize,
    /// `words` masks per ASCII char, then per entry of `other`.
    ascii: Vec<u64>,
    /// Non-ASCII chars of the pattern, sorted, with the offset of their masks in `wide`.
    other: Vec<(char, usize)>,
    wide: Vec<u64>,
}

impl Pattern {
    /// `pattern` must not be empty.
    pub(crate) fn new(pattern: &str) -> Self {
        let len = pattern.chars().count();
        debug_assert!(len > 0, "empty pattern");
        let words = len.div_ceil(64);
        let mut ascii = vec![0u64; 128 * words];
        let mut other: Vec<(char, usize)> = Vec::new();
        let mut wide: Vec<u64> = Vec::new();
        for (i, c) in pattern.chars().enumerate() {
            let (w, bit) = (i / 64, 1u64 << (i % 64));
            if c.is_ascii() {
                ascii[c as usize * words + w] |= bit;
            } else {
                let offset = match other.iter().find(|(o, _)| *o == c) {
                    Some(&(_, offset)) => offset,
                    None => {
                        let offset = wide.len();
                        wide.resize(offset + words, 0);
                        other.push((c, offset));
                        offset
                    }
                };
                wide[offset + w] |= bit;
            }
        }
        other.sort_unstable();
        Self {
            len,
            words,
            ascii,
            other,
            wide,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Masks of `c` (all zero when the pattern lacks it).
    #[inline]
    fn masks(&self, c: char) -> Option<&[u64]> {
        if c.is_ascii() {
            let at = c as usize * self.words;
            Some(&self.ascii[at..at + self.words])
        } else {
            let k = self.other.binary_search_by(|(o, _)| o.cmp(&c)).ok()?;
            let at = self.other[k].1;
            Some(&self.wide[at..at + self.words])
        }
    }

    #[inline]
    fn mask1(&self, c: char) -> u64 {
        if c.is_ascii() {
            self.ascii[c as usize]
        } else {
            match self.other.binary_search_by(|(o, _)| o.cmp(&c)) {
                Ok(k) => self.wide[self.other[k].1],
                Err(_) => 0,
            }
        }
    }

    /// Distance to a text of `n` chars, or `None` above `max`.
    pub(crate) fn distance(
        &self,
        text: impl Iterator<Item = char>,
        n: usize,
        max: usize,
    ) -> Option<usize> {
        if self.len.abs_diff(n) > max {
            return None;
        }
        let d = if self.words == 1 {
            self.distance1(text, n, max)?
        } else {
            self.distance_blocks(text, n, max)?
        };
        (d <= max).then_some(d)
    }

    /// One word: the pattern has at most 64 chars.
    fn distance1(&self, text: impl Iterator<Item = char>, n: usize, max: usize) -> Option<usize> {
        let last = 1u64 << (self.len - 1);
        let (mut pv, mut mv) = (!0u64, 0u64);
        let mut score = self.len;
        for (j, c) in text.enumerate() {
            let eq = self.mask1(c);
            let xv = eq | mv;
            let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
            let mut ph = mv | !(xh | pv);
            let mut mh = pv & xh;
            if ph & last != 0 {
                score += 1;
            } else if mh & last != 0 {
                score -= 1;
            }
            // Row 0 grows by one per column (global, not substring, distance).
            ph = (ph << 1) | 1;
            mh <<= 1;
            pv = mh | !(xv | ph);
            mv = ph & xv;
            // Each remaining column lowers the last row by at most one.
            let remaining = n - j - 1;
            if score > max + remaining {
                return None;
            }
        }
        Some(score)
    }

    /// Several words, top to bottom, carrying the horizontal delta between them.
    fn distance_blocks(
        &self,
        text: impl Iterator<Item = char>,
        n: usize,
        max: usize,
    ) -> Option<usize> {
        let words = self.words;
        let last_bit = 1u64 << ((self.len - 1) % 64);
        let mut pv = vec![!0u64; words];
        let mut mv = vec![0u64; words];
        let zeros = vec![0u64; words];
        let mut score = self.len;
        for (j, c) in text.enumerate() {
            let eqs = self.masks(c).unwrap_or(&zeros);
            // Row 0 delta: +1 per column.
            let mut hin: i8 = 1;
            for w in 0..words {
                let (p, m) = (pv[w], mv[w]);
                let mut eq = eqs[w];
                let xv = eq | m;
                if hin < 0 {
                    eq |= 1;
                }
                let xh = ((eq & p).wrapping_add(p) ^ p) | eq;
                let mut ph = m | !(xh | p);
                let mut mh = p & xh;
                let high = if w + 1 == words { last_bit } else { 1u64 << 63 };
                let hout: i8 = if ph & high != 0 {
                    1
                } else if mh & high != 0 {
                    -1
                } else {
                    0
                };
                ph <<= 1;
                mh <<= 1;
                if hin < 0 {
                    mh |= 1;
                } else if hin > 0 {
                    ph |= 1;
                }
                pv[w] = mh | !(xv | ph);
                mv[w] = ph & xv;
                hin = hout;
            }
            score = score.wrapping_add_signed(isize::from(hin));
            let remaining = n - j - 1;
            if score > max + remaining {
                return None;
            }
        }
        Some(score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dp(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    #[test]
    fn small_cases() {
        assert_eq!(bounded_levenshtein("", "", 3), Some(0));
        assert_eq!(bounded_levenshtein("abc", "", 3), Some(3));
        assert_eq!(bounded_levenshtein("abcd", "", 3), None);
        assert_eq!(bounded_levenshtein("kitten", "sitting", 3), Some(3));
        assert_eq!(bounded_levenshtein("kitten", "sitting", 2), None);
        assert_eq!(bounded_levenshtein("arb c1 zoë", "arb c1 zoe", 3), Some(1));
        assert_eq!(bounded_levenshtein("ééé", "éé", 0), None);
        assert_eq!(bounded_levenshtein("aé", "éa", 2), Some(2));
    }

    #[test]
    fn long_patterns_use_blocks() {
        let a: String = "abcdefghij".repeat(15);
        let mut b = a.clone();
        b.insert(70, 'x');
        b.remove(130);
        b.replace_range(5..6, "é");
        assert_eq!(bounded_levenshtein(&a, &b, 3), Some(dp(&a, &b)));
        assert_eq!(bounded_levenshtein(&a, &b, 2), None);
    }
}
