//! A streaming CSV record splitter over decoded text: quotes, doubled quotes, quoted
//! delimiters and line breaks, CR / LF / CRLF, physical line numbers, bounded record length.
//!
//! Speed: a line without quotes (the common record) is split eight bytes at a time and copied
//! once; other records go through the state machine, which copies runs of ordinary text as
//! slices and looks at delimiters, quotes and line breaks one at a time.

use crate::decode::DecodingReader;
use crate::ImportError;
use std::io::Read;

/// Longest record (raw text) accepted; a longer one is a file that is not a CSV (or a quote
/// that never closes), and stops the read instead of growing memory.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// One record: its raw text, its fields, and where it starts.
#[derive(Debug, Default, Clone)]
pub struct Record {
    /// 1-based physical line of the record's first character.
    pub line: u64,
    raw: String,
    /// Field text; field `i` is `text[spans[i].0..spans[i].1]`, where `text` is `raw` for a
    /// line without quotes (`fields_in_raw`), `buf` otherwise. Bytes outside every span are
    /// delimiters, or, after an error, the field being read.
    buf: String,
    spans: Vec<(usize, usize)>,
    fields_in_raw: bool,
    /// Some byte in the record was malformed in the file's encoding.
    pub malformed: bool,
    /// The file ended inside a quoted field.
    pub unterminated_quote: bool,
}

impl Record {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Field `i` (0-based) as written, without its quotes.
    pub fn field(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        self.text().get(start..end).unwrap_or("")
    }

    fn text(&self) -> &str {
        if self.fields_in_raw {
            &self.raw
        } else {
            &self.buf
        }
    }

    pub fn fields(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.field(i))
    }

    pub fn raw(&self) -> String {
        self.raw.clone()
    }

    /// Blank lines (nothing but spaces and delimiters) carry no row.
    pub fn is_blank(&self) -> bool {
        let ws = |s: &[u8]| s.iter().all(|b| b.is_ascii_whitespace());
        let buf = self.text().as_bytes();
        let tail = self.spans.last().map_or(0, |s| s.1);
        self.spans.iter().all(|&(a, b)| ws(&buf[a..b])) && ws(&buf[tail..])
    }

    fn clear(&mut self) {
        self.raw.clear();
        self.buf.clear();
        self.spans.clear();
        self.fields_in_raw = false;
        self.malformed = false;
        self.unterminated_quote = false;
    }
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote seen inside a quoted field: either the first of `""` or the closing quote.
    QuoteInQuoted,
}

/// Source of decoded text: the streaming decoder or an in-memory string (for sniffing).
pub trait TextSource {
    fn next_chunk(
        &mut self,
        out: &mut String,
        malformed: &mut Vec<usize>,
    ) -> Result<bool, ImportError>;
}

impl<R: Read> TextSource for DecodingReader<R> {
    fn next_chunk(
        &mut self,
        out: &mut String,
        malformed: &mut Vec<usize>,
    ) -> Result<bool, ImportError> {
        DecodingReader::next_chunk(self, out, malformed)
    }
}

/// A whole text at once.
pub struct StrSource<'a>(pub Option<&'a str>);

impl TextSource for StrSource<'_> {
    fn next_chunk(
        &mut self,
        out: &mut String,
        malformed: &mut Vec<usize>,
    ) -> Result<bool, ImportError> {
        out.clear();
        malformed.clear();
        match self.0.take() {
            Some(s) => {
                out.push_str(s);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Byte classes: text copied as is, the delimiter, and the bytes the state machine must see
/// one at a time (quote, CR, LF).
const ORDINARY: u8 = 0;
const DELIM: u8 = 1;
const SPECIAL: u8 = 2;

/// The high bit of each byte of `w` equal to `c`, and no other bit (no false positives,
/// unlike the classic `(x - 0x01..) & !x & 0x80..`: nothing carries between bytes).
#[inline(always)]
fn bytes_equal(w: u64, c: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (0x0101_0101_0101_0101 * u64::from(c));
    !(((x & LOW7) + LOW7) | x | LOW7)
}

pub struct RecordReader<S> {
    src: S,
    chunk: String,
    malformed: Vec<usize>,
    pos: usize,
    mal_idx: usize,
    /// Physical line of the next byte.
    line: u64,
    /// The previous byte was a CR: an LF now is the same line break.
    after_cr: bool,
    delim: u8,
    quote: u8,
    eof: bool,
    /// `ORDINARY`, `DELIM` or `SPECIAL`, per byte value.
    class: [u8; 256],
}

impl<S: TextSource> RecordReader<S> {
    /// `delim` and `quote` must be ASCII (a profile checks it): fields are cut between
    /// characters, never inside one.
    pub fn new(src: S, delim: u8, quote: u8) -> Self {
        assert!(
            delim.is_ascii() && quote.is_ascii(),
            "delimiter and quote must be ASCII"
        );
        let mut class = [ORDINARY; 256];
        class[delim as usize] = DELIM;
        // a line break or quote wins over a delimiter equal to it, as in the state machine
        for b in [quote, b'\r', b'\n'] {
            class[b as usize] = SPECIAL;
        }
        Self {
            src,
            chunk: String::new(),
            malformed: Vec::new(),
            pos: 0,
            mal_idx: 0,
            line: 1,
            after_cr: false,
            delim,
            quote,
            eof: false,
            class,
        }
    }

    pub fn into_source(self) -> S {
        self.src
    }

    pub fn source(&self) -> &S {
        &self.src
    }

    /// Makes sure a byte is at `pos`, refilling the chunk; false at the end (or on an empty
    /// chunk, which ends the current record).
    #[inline]
    fn fill(&mut self) -> Result<bool, ImportError> {
        if self.pos < self.chunk.len() {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.pos = 0;
        self.mal_idx = 0;
        if !self.src.next_chunk(&mut self.chunk, &mut self.malformed)? {
            self.eof = true;
            return Ok(false);
        }
        Ok(!self.chunk.is_empty())
    }

    /// Next byte, refilling the chunk; `None` at the end. Also reports malformed positions.
    #[inline]
    fn next_byte(&mut self, malformed: &mut bool) -> Result<Option<u8>, ImportError> {
        if !self.fill()? {
            return Ok(None);
        }
        if self.mal_idx < self.malformed.len() && self.malformed[self.mal_idx] == self.pos {
            *malformed = true;
            self.mal_idx += 1;
        }
        let b = self.chunk.as_bytes()[self.pos];
        self.pos += 1;
        Ok(Some(b))
    }

    /// Consumes the malformed positions in `from..to`, as reading those bytes one by one
    /// would (a position behind the reader is never matched again); true if there was one.
    #[inline]
    fn take_malformed(&mut self, from: usize, to: usize) -> bool {
        let mut found = false;
        let mut next = from;
        while let Some(&m) = self.malformed.get(self.mal_idx) {
            if m < next || m >= to {
                break;
            }
            found = true;
            self.mal_idx += 1;
            next = m + 1;
        }
        found
    }

    /// End of the run of ordinary bytes starting at `from` in the chunk.
    #[inline]
    fn ordinary_end(&self, from: usize) -> usize {
        let bytes = self.chunk.as_bytes();
        let mut i = from;
        while i < bytes.len() && self.class[bytes[i] as usize] == ORDINARY {
            i += 1;
        }
        i
    }

    #[inline]
    fn count_line(&mut self, b: u8) {
        match b {
            b'\r' => {
                self.line += 1;
                self.after_cr = true;
            }
            b'\n' => {
                if !self.after_cr {
                    self.line += 1;
                }
                self.after_cr = false;
            }
            _ => self.after_cr = false,
        }
    }

    /// Skips `n` physical lines (metadata above the header), whatever they contain.
    pub fn skip_lines(&mut self, n: usize) -> Result<(), ImportError> {
        let target = self.line + n as u64;
        let mut len = 0usize;
        let mut dummy = false;
        while self.line < target {
            let Some(b) = self.peek_byte()? else {
                return Ok(());
            };
            if b == b'\n' && self.after_cr {
                self.pos += 1;
                self.after_cr = false;
                continue;
            }
            let _ = self.next_byte(&mut dummy)?;
            self.count_line(b);
            len += 1;
            if b == b'\r' || b == b'\n' {
                len = 0;
            } else if len > MAX_RECORD_BYTES {
                return Err(ImportError::RecordTooLong {
                    line: self.line,
                    limit: MAX_RECORD_BYTES,
                    in_quotes: false,
                });
            }
        }
        // a CRLF split by the count above: swallow its LF
        if self.peek_byte()? == Some(b'\n') && self.after_cr {
            self.pos += 1;
            self.after_cr = false;
        }
        Ok(())
    }

    fn peek_byte(&mut self) -> Result<Option<u8>, ImportError> {
        if !self.fill()? {
            return Ok(None);
        }
        Ok(Some(self.chunk.as_bytes()[self.pos]))
    }

    /// Reads the next non-empty record into `rec`; false at the end of the file.
    pub fn next_record(&mut self, rec: &mut Record) -> Result<bool, ImportError> {
        loop {
            rec.clear();
            // an LF completing the CRLF that ended the previous record
            if self.after_cr && self.peek_byte()? == Some(b'\n') {
                self.pos += 1;
                self.after_cr = false;
            }
            rec.line = self.line;
            match self.simple_line(rec) {
                Some(true) => return Ok(true),
                Some(false) => continue, // blank line
                None => {}
            }
            let mut state = State::FieldStart;
            let mut malformed = false;
            let mut any = false;
            let mut field_start = 0;
            loop {
                if !self.fill()? {
                    if state == State::Quoted {
                        rec.unterminated_quote = true;
                    }
                    break;
                }
                let start = self.pos;
                let end = self.ordinary_end(start);
                if end > start {
                    // a run of text that every state copies as is (and leaves Unquoted, or
                    // Quoted)
                    any = true;
                    malformed |= self.copy_run(rec, start, end, state == State::Quoted)?;
                    if state != State::Quoted {
                        state = State::Unquoted;
                    }
                    continue;
                }
                // a delimiter, quote or line break, through the state machine
                let b = self.chunk.as_bytes()[start];
                if self.mal_idx < self.malformed.len() && self.malformed[self.mal_idx] == start {
                    malformed = true;
                    self.mal_idx += 1;
                }
                self.pos += 1;
                any = true;
                if b != b'\r' && b != b'\n' {
                    self.after_cr = false;
                }
                let Some(next) = self.step(rec, b, state, &mut field_start) else {
                    break;
                };
                state = next;
                if rec.raw.len() > MAX_RECORD_BYTES {
                    return Err(ImportError::RecordTooLong {
                        line: rec.line,
                        limit: MAX_RECORD_BYTES,
                        in_quotes: matches!(state, State::Quoted),
                    });
                }
            }
            rec.malformed = malformed;
            if !any {
                return Ok(false);
            }
            if rec.raw.is_empty() {
                continue; // blank line
            }
            rec.spans.push((field_start, rec.buf.len()));
            return Ok(true);
        }
    }

    /// Copies the run `start..end` of text that no state treats specially into `rec`; true
    /// when it held invalid bytes. A run reaching past the record limit is an error.
    #[inline(always)]
    fn copy_run(
        &mut self,
        rec: &mut Record,
        start: usize,
        end: usize,
        in_quotes: bool,
    ) -> Result<bool, ImportError> {
        self.after_cr = false;
        let room = MAX_RECORD_BYTES + 1 - rec.raw.len();
        if end - start >= room {
            // the byte over the limit is inside the run: stop right after it, as
            // the byte-at-a-time reader did
            let stop = start + room;
            self.take_malformed(start, stop);
            let piece = String::from_utf8_lossy(&self.chunk.as_bytes()[start..stop]);
            rec.raw.push_str(&piece);
            rec.buf.push_str(&piece);
            self.pos = stop;
            return Err(ImportError::RecordTooLong {
                line: rec.line,
                limit: MAX_RECORD_BYTES,
                in_quotes,
            });
        }
        let malformed = self.take_malformed(start, end);
        // the run starts and ends next to ASCII bytes or the chunk's ends: whole
        // characters
        let run = &self.chunk[start..end];
        rec.raw.push_str(run);
        rec.buf.push_str(run);
        self.pos = end;
        Ok(malformed)
    }

    /// One delimiter, quote or line break `b` read in `state`: the next state, or `None`
    /// when `b` ends the record.
    #[inline(always)]
    fn step(
        &mut self,
        rec: &mut Record,
        b: u8,
        mut state: State,
        field_start: &mut usize,
    ) -> Option<State> {
        // delimiter and quote are ASCII, as are CR and LF
        let c = char::from(b);
        match state {
            State::Quoted => {
                if b == self.quote {
                    state = State::QuoteInQuoted;
                } else {
                    if b == b'\r' || b == b'\n' {
                        self.count_line(b);
                    }
                    rec.buf.push(c);
                }
                rec.raw.push(c);
            }
            State::QuoteInQuoted if b == self.quote => {
                rec.buf.push(c);
                rec.raw.push(c);
                state = State::Quoted;
            }
            _ => {
                if b == b'\r' || b == b'\n' {
                    self.count_line(b);
                    return None;
                }
                rec.raw.push(c);
                if b == self.delim {
                    rec.spans.push((*field_start, rec.buf.len()));
                    *field_start = rec.buf.len();
                    state = State::FieldStart;
                } else if b == self.quote && state == State::FieldStart {
                    state = State::Quoted;
                } else {
                    // text after a closing quote, or a stray quote mid-field: kept
                    rec.buf.push(c);
                    state = State::Unquoted;
                }
            }
        }
        Some(state)
    }

    /// The common record: a line inside the current chunk without a quote, no longer than
    /// the limit. Read in one pass and copied once, as raw text that the fields point into;
    /// `Some(false)` for an empty line.
    /// `None` (nothing consumed, `rec` untouched) leaves it to the state machine.
    #[inline]
    fn simple_line(&mut self, rec: &mut Record) -> Option<bool> {
        let bytes = self.chunk.as_bytes();
        let start = self.pos;
        let mut i = start;
        let mut field_start = 0;
        let end = loop {
            if let Some(word) = bytes.get(i..i + 8) {
                // eight bytes at a time: where the delimiters are, and the first quote or
                // line break (a delimiter equal to one of those is one of those)
                let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
                let stops =
                    bytes_equal(w, self.quote) | bytes_equal(w, b'\r') | bytes_equal(w, b'\n');
                let mut delims = bytes_equal(w, self.delim);
                if stops != 0 {
                    // only those before the first stop
                    delims &= (stops & stops.wrapping_neg()) - 1;
                }
                while delims != 0 {
                    let at = i + (delims.trailing_zeros() / 8) as usize - start;
                    rec.spans.push((field_start, at));
                    field_start = at + 1;
                    delims &= delims - 1;
                }
                if stops != 0 {
                    break i + (stops.trailing_zeros() / 8) as usize;
                }
                i += 8;
                continue;
            }
            let Some(&b) = bytes.get(i) else {
                rec.spans.clear();
                return None;
            };
            match self.class[b as usize] {
                ORDINARY => {}
                DELIM => {
                    rec.spans.push((field_start, i - start));
                    field_start = i - start + 1;
                }
                _ => break i,
            }
            i += 1;
        };
        let b = bytes[end];
        if b == self.quote || end - start > MAX_RECORD_BYTES {
            rec.spans.clear();
            return None;
        }
        // b is CR or LF
        let malformed = self.take_malformed(start, end + 1);
        rec.raw.push_str(&self.chunk[start..end]);
        rec.fields_in_raw = true;
        self.pos = end + 1;
        if end > start {
            self.after_cr = false;
        }
        self.count_line(b);
        rec.malformed = malformed;
        if end == start {
            return Some(false);
        }
        rec.spans.push((field_start, end - start));
        Some(true)
    }
}

#[cfg(test)]
#[path = "records_reference.rs"]
mod reference;

#[cfg(test)]
#[path = "records_tests.rs"]
mod tests;
