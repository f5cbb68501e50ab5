//! The mutator: byte-level edits, dictionary tokens, splices with another corpus entry and
//! repeated chunks (the shapes that find quadratic loops), from a seeded PRNG so a run is
//! reproducible from its seed.

/// SplitMix64: small, fast, and good enough to choose mutations.
#[derive(Debug, Clone)]
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

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Bytes worth writing over a number or a separator.
const INTERESTING: &[u8] = &[
    0, 0x7f, 0x80, 0xff, b'0', b'9', b'-', b'+', b'.', b',', b' ',
];

/// One mutated copy of `input`, at most `max_len` bytes. `other` is another corpus entry to
/// splice from; `dictionary` the target's tokens.
pub fn mutate(
    rng: &mut Rng,
    input: &[u8],
    other: &[u8],
    dictionary: &[&[u8]],
    max_len: usize,
) -> Vec<u8> {
    let mut out = input.to_vec();
    let most = if rng.chance(4) { 16 } else { 4 };
    let edits = 1 + rng.below(most);
    for _ in 0..edits {
        edit(rng, &mut out, other, dictionary);
    }
    out.truncate(max_len);
    out
}

fn edit(rng: &mut Rng, out: &mut Vec<u8>, other: &[u8], dictionary: &[&[u8]]) {
    let len = out.len();
    let at = if len == 0 { 0 } else { rng.below(len + 1) };
    match rng.below(11) {
        0 if len > 0 => {
            let i = rng.below(len);
            out[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            out[i] = INTERESTING[rng.below(INTERESTING.len())];
        }
        2 => out.insert(at, rng.next_u64() as u8),
        3 if len > 0 => {
            let from = rng.below(len);
            let n = 1 + rng.below((len - from).min(64));
            out.drain(from..from + n);
        }
        4 | 5 if !dictionary.is_empty() => {
            let token = dictionary[rng.below(dictionary.len())];
            out.splice(at..at, token.iter().copied());
        }
        6 if len > 0 => {
            // A chunk repeated many times: long lines, deep nesting, many entries.
            let from = rng.below(len);
            let n = 1 + rng.below((len - from).min(256));
            let chunk = out[from..from + n].to_vec();
            let most = if rng.chance(8) { 2_000 } else { 16 };
            let times = 1 + rng.below(most);
            let mut grown = Vec::with_capacity(len + chunk.len() * times);
            grown.extend_from_slice(&out[..from + n]);
            for _ in 0..times {
                grown.extend_from_slice(&chunk);
            }
            grown.extend_from_slice(&out[from + n..]);
            *out = grown;
        }
        7 if !other.is_empty() => {
            // Splice: our head, the other entry's tail.
            let cut = rng.below(other.len());
            out.truncate(at);
            out.extend_from_slice(&other[cut..]);
        }
        8 if len > 0 => {
            let i = rng.below(len);
            out[i] = out[i].wrapping_add(1 + rng.below(3) as u8);
        }
        9 if len > 1 => {
            // Swap two lines' worth of bytes: rows out of order, a header moved down.
            let a = rng.below(len);
            let b = rng.below(len);
            out.swap(a, b);
        }
        10 => out.truncate(at),
        _ => out.push(rng.next_u64() as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_replays_the_same_mutations_and_lengths_stay_bounded() {
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..200)
                .map(|_| {
                    mutate(
                        &mut rng,
                        b"Date,Amount\n2026-04-03,1\n",
                        b"x,y",
                        &[b";"],
                        4096,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert!(run(9).iter().all(|m| m.len() <= 4096));
    }
}
