//! Text decoding: encoding labels, BOM / UTF-16 / chardetng sniffing, and a streaming decoder
//! that records where malformed bytes were instead of hiding them behind U+FFFD.

use crate::ImportError;
use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};
use std::io::Read;

/// Bytes looked at to guess an encoding when the profile says `auto`.
pub const SNIFF_BYTES: usize = 64 * 1024;
const CHUNK: usize = 64 * 1024;

/// `None` means "auto". Accepts every WHATWG label (`utf-8`, `utf-16le`, `windows-1252`,
/// `iso-8859-1`, `shift_jis`, `gb18030`, …) plus `latin-1`/`latin1`/`utf-16`.
pub fn encoding_for_label(label: &str) -> Result<Option<&'static Encoding>, ImportError> {
    let l = label.trim().to_ascii_lowercase();
    match l.as_str() {
        "" | "auto" => Ok(None),
        "latin-1" | "latin1" => Ok(Some(encoding_rs::WINDOWS_1252)),
        "utf-16" => Ok(Some(UTF_16LE)),
        _ => Encoding::for_label(l.as_bytes()).map(Some).ok_or_else(|| {
            ImportError::UnknownEncoding {
                label: label.to_string(),
            }
        }),
    }
}

/// The lower-case name we report and write into profiles.
pub fn encoding_name(enc: &'static Encoding) -> String {
    enc.name().to_ascii_lowercase()
}

/// True when `bytes` is UTF-8, tolerating a sequence cut at the end of a sample.
fn is_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4,
    }
}

/// BOM-less UTF-16 shows as zero bytes in every other position for Latin text.
fn utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    let sample = &head[..head.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    if odd_zero * 10 > pairs * 4 && even_zero * 10 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 > pairs * 4 && odd_zero * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Guesses the encoding of a file from its first bytes: BOM, BOM-less UTF-16, valid UTF-8,
/// and otherwise chardetng's guess among legacy encodings.
pub fn sniff_encoding(head: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return enc;
    }
    if let Some(enc) = utf16_without_bom(head) {
        return enc;
    }
    if is_utf8_prefix(head) {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(head, true);
    det.guess(None, true)
}

/// Decodes a whole byte slice, noting byte offsets (in the output) of each U+FFFD it had to
/// insert for malformed input.
pub fn decode_all(bytes: &[u8], enc: &'static Encoding) -> (String, Vec<usize>, &'static Encoding) {
    let mut dec = enc.new_decoder();
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2 + 16);
    let mut malformed = Vec::new();
    let mut pos = 0;
    loop {
        let need = dec
            .max_utf8_buffer_length_without_replacement(bytes.len() - pos)
            .unwrap_or(CHUNK);
        out.reserve(need.max(16));
        let (res, read) = dec.decode_to_string_without_replacement(&bytes[pos..], &mut out, true);
        pos += read;
        match res {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => out.reserve(CHUNK),
            DecoderResult::Malformed(_, _) => {
                malformed.push(out.len());
                out.push('\u{FFFD}');
            }
        }
    }
    let actual = dec.encoding();
    (out, malformed, actual)
}

/// Streams a reader as UTF-8 text in chunks. `auto` reads a head first to sniff the encoding.
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    finished: bool,
}

impl<R: Read> DecodingReader<R> {
    pub fn new(mut inner: R, enc: Option<&'static Encoding>) -> Result<Self, ImportError> {
        let mut buf = vec![0u8; SNIFF_BYTES.max(CHUNK)];
        let mut len = 0;
        let mut eof = false;
        if enc.is_none() {
            // fill the sniffing head completely (short reads are allowed by Read)
            while len < SNIFF_BYTES {
                let n = read_retry(&mut inner, &mut buf[len..SNIFF_BYTES])?;
                if n == 0 {
                    eof = true;
                    break;
                }
                len += n;
            }
        }
        let enc = enc.unwrap_or_else(|| sniff_encoding(&buf[..len]));
        Ok(Self {
            inner,
            // BOM sniffing on: a BOM is stronger evidence than a declared label
            decoder: enc.new_decoder(),
            buf,
            pos: 0,
            len,
            eof,
            finished: false,
        })
    }

    /// The encoding in force (after a BOM, if any, was seen).
    pub fn encoding(&self) -> &'static Encoding {
        self.decoder.encoding()
    }

    /// Replaces `out` with the next decoded chunk and `malformed` with the offsets of U+FFFD
    /// standing for invalid bytes. Returns false at the end.
    pub fn next_chunk(
        &mut self,
        out: &mut String,
        malformed: &mut Vec<usize>,
    ) -> Result<bool, ImportError> {
        out.clear();
        malformed.clear();
        if self.finished {
            return Ok(false);
        }
        loop {
            if self.pos == self.len && !self.eof {
                self.pos = 0;
                self.len = read_retry(&mut self.inner, &mut self.buf[..CHUNK])?;
                if self.len == 0 {
                    self.eof = true;
                }
            }
            let src = &self.buf[self.pos..self.len];
            let need = self
                .decoder
                .max_utf8_buffer_length_without_replacement(src.len())
                .unwrap_or(CHUNK * 3);
            out.reserve(need.max(16));
            let (res, read) = self
                .decoder
                .decode_to_string_without_replacement(src, out, self.eof);
            self.pos += read;
            match res {
                DecoderResult::InputEmpty => {
                    if self.eof {
                        self.finished = true;
                        return Ok(!out.is_empty());
                    }
                    if out.len() >= CHUNK / 2 {
                        return Ok(true);
                    }
                }
                DecoderResult::OutputFull => {
                    if !out.is_empty() {
                        return Ok(true);
                    }
                    out.reserve(CHUNK);
                }
                DecoderResult::Malformed(_, _) => {
                    malformed.push(out.len());
                    out.push('\u{FFFD}');
                }
            }
        }
    }
}

fn read_retry<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize, ImportError> {
    loop {
        match r.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(ImportError::Io {
                    message: e.to_string(),
                })
            }
        }
    }
}

/// Decodes a sample for sniffing (lossy is fine here: nothing is imported from it).
pub fn decode_sample(head: &[u8]) -> (String, &'static Encoding) {
    let enc = sniff_encoding(head);
    let (text, _, actual) = decode_all(head, enc);
    (text, actual)
}
/// IBM code page 852 (DOS Central European), bytes 0x80–0xFF: not a WHATWG encoding, but
/// what Central European banks' MT940 exports are written in.
const CP852_HIGH: &str = "\u{c7}\u{fc}\u{e9}\u{e2}\u{e4}\u{16f}\u{107}\u{e7}\u{142}\u{eb}\u{150}\u{151}\u{ee}\u{179}\u{c4}\u{106}\u{c9}\u{139}\u{13a}\u{f4}\u{f6}\u{13d}\u{13e}\u{15a}\u{15b}\u{d6}\u{dc}\u{164}\u{165}\u{141}\u{d7}\u{10d}\u{e1}\u{ed}\u{f3}\u{fa}\u{104}\u{105}\u{17d}\u{17e}\u{118}\u{119}\u{ac}\u{17a}\u{10c}\u{15f}\u{ab}\u{bb}\u{2591}\u{2592}\u{2593}\u{2502}\u{2524}\u{c1}\u{c2}\u{11a}\u{15e}\u{2563}\u{2551}\u{2557}\u{255d}\u{17b}\u{17c}\u{2510}\u{2514}\u{2534}\u{252c}\u{251c}\u{2500}\u{253c}\u{102}\u{103}\u{255a}\u{2554}\u{2569}\u{2566}\u{2560}\u{2550}\u{256c}\u{a4}\u{111}\u{110}\u{10e}\u{cb}\u{10f}\u{147}\u{cd}\u{ce}\u{11b}\u{2518}\u{250c}\u{2588}\u{2584}\u{162}\u{16e}\u{2580}\u{d3}\u{df}\u{d4}\u{143}\u{144}\u{148}\u{160}\u{161}\u{154}\u{da}\u{155}\u{170}\u{fd}\u{dd}\u{163}\u{b4}\u{ad}\u{2dd}\u{2db}\u{2c7}\u{2d8}\u{a7}\u{f7}\u{b8}\u{b0}\u{a8}\u{2d9}\u{171}\u{158}\u{159}\u{25a0}\u{a0}";

/// Decodes IBM852 text (every byte is a character: nothing is malformed).
pub(crate) fn decode_cp852(bytes: &[u8]) -> String {
    let high: Vec<char> = CP852_HIGH.chars().collect();
    bytes
        .iter()
        .map(|&b| {
            if b < 0x80 {
                b as char
            } else {
                high[(b - 0x80) as usize]
            }
        })
        .collect()
}

/// Not UTF-8, and its accented letters are where DOS code pages keep them (0x80–0xAF, with
/// some in 0x80–0x9F between letters, where Windows-1252 has only punctuation): IBM852.
pub(crate) fn looks_like_cp852(bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_ok() {
        return false;
    }
    let mut high = 0;
    let mut in_word = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x80 {
            continue;
        }
        if b > 0xAF {
            return false;
        }
        high += 1;
        let letter = |j: Option<usize>| {
            j.and_then(|j| bytes.get(j))
                .is_some_and(|c| c.is_ascii_alphabetic() || *c >= 0x80)
        };
        if b <= 0x9F && letter(i.checked_sub(1)) && letter(Some(i + 1)) {
            in_word += 1;
        }
    }
    high >= 3 && in_word >= 1
}
