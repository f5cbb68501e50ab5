//! The record reader as it was before the fast paths, byte at a time, kept verbatim as the
//! oracle the tests compare the fast reader with.
#![allow(dead_code)]

use super::{TextSource, MAX_RECORD_BYTES};
use crate::ImportError;

/// One record: its raw text, its fields, and where it starts.
#[derive(Debug, Default, Clone)]
pub struct RefRecord {
    /// 1-based physical line of the record's first character.
    pub line: u64,
    raw: Vec<u8>,
    buf: Vec<u8>,
    ends: Vec<usize>,
    /// Some byte in the record was malformed in the file's encoding.
    pub malformed: bool,
    /// The file ended inside a quoted field.
    pub unterminated_quote: bool,
}

impl RefRecord {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i` (0-based) as written, without its quotes.
    pub fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        std::str::from_utf8(&self.buf[start..self.ends[i]]).unwrap_or("")
    }

    pub fn fields(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.field(i))
    }

    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }

    /// Blank lines (nothing but spaces and delimiters) carry no row.
    pub fn is_blank(&self) -> bool {
        self.buf.iter().all(|b| b.is_ascii_whitespace())
    }

    fn clear(&mut self) {
        self.raw.clear();
        self.buf.clear();
        self.ends.clear();
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

pub struct RefReader<S> {
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
}

impl<S: TextSource> RefReader<S> {
    pub fn new(src: S, delim: u8, quote: u8) -> Self {
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
        }
    }

    /// Line, CR pending, position, malformed index, end seen: to compare readers.
    pub fn state(&self) -> (u64, bool, usize, usize, bool) {
        (self.line, self.after_cr, self.pos, self.mal_idx, self.eof)
    }

    pub fn into_source(self) -> S {
        self.src
    }

    pub fn source(&self) -> &S {
        &self.src
    }

    /// Next byte, refilling the chunk; `None` at the end. Also reports malformed positions.
    #[inline]
    fn next_byte(&mut self, malformed: &mut bool) -> Result<Option<u8>, ImportError> {
        if self.pos >= self.chunk.len() {
            if self.eof {
                return Ok(None);
            }
            self.pos = 0;
            self.mal_idx = 0;
            if !self.src.next_chunk(&mut self.chunk, &mut self.malformed)? {
                self.eof = true;
                return Ok(None);
            }
            if self.chunk.is_empty() {
                return Ok(None);
            }
        }
        if self.mal_idx < self.malformed.len() && self.malformed[self.mal_idx] == self.pos {
            *malformed = true;
            self.mal_idx += 1;
        }
        let b = self.chunk.as_bytes()[self.pos];
        self.pos += 1;
        Ok(Some(b))
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
        if self.pos >= self.chunk.len() {
            if self.eof {
                return Ok(None);
            }
            self.pos = 0;
            self.mal_idx = 0;
            if !self.src.next_chunk(&mut self.chunk, &mut self.malformed)? {
                self.eof = true;
                return Ok(None);
            }
            if self.chunk.is_empty() {
                return Ok(None);
            }
        }
        Ok(Some(self.chunk.as_bytes()[self.pos]))
    }

    /// Reads the next non-empty record into `rec`; false at the end of the file.
    pub fn next_record(&mut self, rec: &mut RefRecord) -> Result<bool, ImportError> {
        loop {
            rec.clear();
            // an LF completing the CRLF that ended the previous record
            if self.after_cr && self.peek_byte()? == Some(b'\n') {
                self.pos += 1;
                self.after_cr = false;
            }
            rec.line = self.line;
            let mut state = State::FieldStart;
            let mut malformed = false;
            let mut any = false;
            loop {
                let Some(b) = self.next_byte(&mut malformed)? else {
                    if state == State::Quoted {
                        rec.unterminated_quote = true;
                    }
                    break;
                };
                any = true;
                if b != b'\r' && b != b'\n' {
                    self.after_cr = false;
                }
                match state {
                    State::Quoted => {
                        if b == self.quote {
                            state = State::QuoteInQuoted;
                        } else {
                            if b == b'\r' || b == b'\n' {
                                self.count_line(b);
                            }
                            rec.buf.push(b);
                        }
                        rec.raw.push(b);
                    }
                    State::QuoteInQuoted if b == self.quote => {
                        rec.buf.push(b);
                        rec.raw.push(b);
                        state = State::Quoted;
                    }
                    _ => {
                        if b == b'\r' || b == b'\n' {
                            self.count_line(b);
                            break;
                        }
                        rec.raw.push(b);
                        if b == self.delim {
                            rec.ends.push(rec.buf.len());
                            state = State::FieldStart;
                        } else if b == self.quote && state == State::FieldStart {
                            state = State::Quoted;
                        } else {
                            // text after a closing quote, or a stray quote mid-field: kept
                            rec.buf.push(b);
                            state = State::Unquoted;
                        }
                    }
                }
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
            rec.ends.push(rec.buf.len());
            return Ok(true);
        }
    }
}
