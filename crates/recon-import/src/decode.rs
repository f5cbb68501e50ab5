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
