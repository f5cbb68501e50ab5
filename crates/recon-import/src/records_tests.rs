//! The fast reader against the byte-at-a-time reader it replaced (`records_reference.rs`,
//! verbatim): same records, fields, raw text, line numbers, flags and errors, over random
//! text cut into random chunks, with malformed positions and records at the length limit.

use super::reference::{RefReader, RefRecord};
use super::*;

/// Chunks handed out one by one, each with its malformed positions.
#[derive(Clone)]
struct Chunks(Vec<(String, Vec<usize>)>, usize);

impl TextSource for Chunks {
    fn next_chunk(
        &mut self,
        out: &mut String,
        malformed: &mut Vec<usize>,
    ) -> Result<bool, ImportError> {
        out.clear();
        malformed.clear();
        let Some((text, mal)) = self.0.get(self.1) else {
            return Ok(false);
        };
        self.1 += 1;
        out.push_str(text);
        malformed.extend_from_slice(mal);
        Ok(true)
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Debug, PartialEq)]
struct Seen {
    result: Result<bool, ImportError>,
    line: u64,
    raw: String,
    fields: Vec<String>,
    blank: bool,
    malformed: bool,
    unterminated_quote: bool,
    /// The reader's line, pending CR, position, malformed index and end flag afterwards.
    reader: (u64, bool, usize, usize, bool),
}

fn seen_new(rec: &Record, result: Result<bool, ImportError>, r: &RecordReader<Chunks>) -> Seen {
    Seen {
        result,
        line: rec.line,
        raw: rec.raw(),
        fields: rec.fields().map(str::to_string).collect(),
        blank: rec.is_blank(),
        malformed: rec.malformed,
        unterminated_quote: rec.unterminated_quote,
        reader: (r.line, r.after_cr, r.pos, r.mal_idx, r.eof),
    }
}

fn seen_ref(rec: &RefRecord, result: Result<bool, ImportError>, r: &RefReader<Chunks>) -> Seen {
    Seen {
        result,
        line: rec.line,
        raw: rec.raw(),
        fields: rec.fields().map(str::to_string).collect(),
        blank: rec.is_blank(),
        malformed: rec.malformed,
        unterminated_quote: rec.unterminated_quote,
        reader: r.state(),
    }
}

/// Reads `src` to the end (or the first error) with both readers and compares every step.
fn compare(src: &Chunks, delim: u8, quote: u8, skip: usize) {
    let mut new = RecordReader::new(src.clone(), delim, quote);
    let mut old = RefReader::new(src.clone(), delim, quote);
    let a = new.skip_lines(skip);
    let b = old.skip_lines(skip);
    assert_eq!(a, b, "skip_lines");
    if a.is_err() {
        return;
    }
    let mut rec = Record::default();
    let mut ref_rec = RefRecord::default();
    for n in 0.. {
        let a = new.next_record(&mut rec);
        let b = old.next_record(&mut ref_rec);
        let stop = !matches!(b, Ok(true));
        let got = seen_new(&rec, a, &new);
        let want = seen_ref(&ref_rec, b, &old);
        if got != want {
            let text: String = src.0.iter().map(|c| c.0.as_str()).collect();
            panic!(
                "record {n}, delim {delim:?} quote {quote:?} skip {skip}\n\
                 text {:?}\nchunks {:?}\n got {got:?}\nwant {want:?}",
                text.chars().take(300).collect::<String>(),
                src.0.iter().map(|c| (c.0.len(), &c.1)).collect::<Vec<_>>()
            );
        }
        if stop {
            break;
        }
    }
}

/// Random text over the bytes that matter, cut at random character boundaries; U+FFFD marked
/// malformed (mostly).
fn random_source(rng: &mut Rng, delim: char, quote: char, len: usize) -> Chunks {
    let alphabet = [
        delim, delim, delim, quote, quote, '\r', '\n', '\n', 'a', 'b', '1', ' ', '\t', 'é', '€',
        '😀', '\u{FFFD}', ',', ';', '"', '\'',
    ];
    let mut text = String::new();
    for _ in 0..len {
        text.push(alphabet[rng.below(alphabet.len())]);
    }
    let mut cuts: Vec<usize> = (0..rng.below(6))
        .map(|_| rng.below(text.len() + 1))
        .filter(|&c| text.is_char_boundary(c))
        .collect();
    cuts.push(0);
    cuts.push(text.len());
    cuts.sort_unstable();
    let mut chunks = Vec::new();
    for w in cuts.windows(2) {
        let piece = &text[w[0]..w[1]];
        if piece.is_empty() && rng.below(4) != 0 {
            continue;
        }
        let mut mal: Vec<usize> = piece
            .match_indices('\u{FFFD}')
            .map(|(i, _)| i)
            .filter(|_| rng.below(5) != 0)
            .collect();
        if rng.below(10) == 0 && !piece.is_empty() {
            // a source that reports odd positions: unsorted, repeated, on any byte
            mal.push(rng.below(piece.len()));
            if rng.below(2) == 0 {
                mal.insert(0, rng.below(piece.len()));
            }
        }
        chunks.push((piece.to_string(), mal));
    }
    Chunks(chunks, 0)
}

const LAYOUTS: &[(char, char)] = &[
    (',', '"'),
    (';', '\''),
    ('\t', '"'),
    ('|', '"'),
    (',', '\n'),
    ('\r', '"'),
    (',', ','),
    (' ', '"'),
];

#[test]
fn random_text_reads_as_before() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..20_000 {
        let (delim, quote) = LAYOUTS[round % LAYOUTS.len()];
        let len = 1 + rng.below(if round % 10 == 0 { 400 } else { 40 });
        let src = random_source(&mut rng, delim, quote, len);
        let skip = if rng.below(4) == 0 { rng.below(3) } else { 0 };
        compare(&src, delim as u8, quote as u8, skip);
    }
}

#[test]
#[should_panic(expected = "delimiter and quote must be ASCII")]
fn a_non_ascii_delimiter_is_refused() {
    let _ = RecordReader::new(StrSource(Some("a\u{a7}b")), 0xA7, b'"');
}

#[test]
fn records_at_the_length_limit_read_as_before() {
    let mut rng = Rng(7);
    for round in 0..80 {
        let fill = ['a', 'é', '€', '😀', '\u{FFFD}'][rng.below(5)];
        let head = ["", "x,", "\"", "\"q\"\"", "a,\"b", "\r\n\n"][rng.below(6)];
        let mut text = head.to_string();
        // end the filler within a few bytes either side of the limit
        let target = MAX_RECORD_BYTES - 8 + rng.below(16);
        while text.len() < target {
            text.push(fill);
        }
        text.push_str([",\"z\"\n", "\n", "\"", "", "\r1,2\n"][rng.below(5)]);
        text.push_str("next,row\n");
        let mut chunks = Vec::new();
        let mut at = 0;
        // small chunks, or the whole text in one
        while at < text.len() {
            let mut to = if round % 3 == 0 {
                text.len()
            } else {
                (at + 1 + rng.below(70_000)).min(text.len())
            };
            while !text.is_char_boundary(to) {
                to += 1;
            }
            let piece = &text[at..to];
            let mal = piece.match_indices('\u{FFFD}').map(|(i, _)| i).collect();
            chunks.push((piece.to_string(), mal));
            at = to;
        }
        let src = Chunks(chunks, 0);
        compare(&src, b',', b'"', 0);
        compare(&src, b',', b'"', 1);
    }
}

#[test]
fn the_common_line_is_split_in_one_pass() {
    let text = "a,b,,c\r\n\nd\n\"e\",f\n  , \n";
    let mut rr = RecordReader::new(StrSource(Some(text)), b',', b'"');
    let mut rec = Record::default();
    let mut got = Vec::new();
    while rr.next_record(&mut rec).unwrap() {
        got.push((
            rec.line,
            rec.raw(),
            rec.fields().collect::<Vec<_>>().join("|"),
            rec.is_blank(),
        ));
    }
    let want = [
        (1, "a,b,,c", "a|b||c", false),
        (3, "d", "d", false),
        (4, "\"e\",f", "e|f", false),
        (5, "  , ", "  | ", true),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(l, r, f, b)| (*l, r.to_string(), f.to_string(), *b))
        .collect();
    assert_eq!(got, want);
}
