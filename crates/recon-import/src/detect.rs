//! Format detection from content, never from the file name.

use crate::decode::decode_sample;
use crate::{Format, ImportError};

/// Magic numbers of things people pick by mistake.
const MAGIC: &[(&[u8], &str)] = &[
    (
        b"PK\x03\x04",
        "a ZIP archive (an .xlsx/.ods spreadsheet or a zipped export): unzip it or export CSV",
    ),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip-compressed file: decompress it first"),
    (
        b"%PDF",
        "a PDF document: ask the bank for a CSV, OFX, CAMT or MT940 export",
    ),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "an old Excel/Office document (.xls): save it as CSV",
    ),
    (b"SQLite format 3\0", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"BZh", "a bzip2-compressed file: decompress it first"),
    (b"\xFD7zXZ\0", "an xz-compressed file: decompress it first"),
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7FELF", "an executable program"),
    (b"MZ", "a Windows executable"),
    (
        b"\x28\xB5\x2F\xFD",
        "a zstd-compressed file: decompress it first",
    ),
];

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Detects a file's format from its first bytes (give it at least the first few KiB).
/// Archives, PDFs, images, executables and binary garbage are refused with an error that
/// says what they look like; so are HTML and JSON that is not an ESI journal.
pub fn detect_format(head: &[u8]) -> Result<Format, ImportError> {
    let text = text_of(head)?;
    let t = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    let window: String = t.chars().take(8192).collect();
    let upper = window.to_ascii_uppercase();
    if starts_with_ci(t, "OFXHEADER") || upper.contains("<OFX>") || upper.contains("<?OFX") {
        return Ok(Format::Ofx);
    }
    if t.starts_with('<') {
        return xml_format(t, &upper);
    }
    if looks_like_qif(t) {
        return Ok(Format::Qif);
    }
    if looks_like_mt940(t, &window) {
        return Ok(Format::Mt940);
    }
    if t.starts_with('[') || t.starts_with('{') {
        return json_format(t, &window);
    }
    delimited_format(&window)
}

/// The head as text, unless it is empty or looks like an archive, a document or binary data.
fn text_of(head: &[u8]) -> Result<String, ImportError> {
    for (magic, what) in MAGIC {
        if head.starts_with(magic) {
            return Err(ImportError::NotText {
                what: what.to_string(),
            });
        }
    }
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::UnknownFormat {
            detail: "the file is empty".into(),
        });
    }
    let (text, _) = decode_sample(&head[..head.len().min(256 * 1024)]);
    // Text has few control characters; binary data has many (NUL above all).
    let total = text.chars().take(8192).count().max(1);
    let controls = text
        .chars()
        .take(8192)
        .filter(|c| {
            (c.is_control() && !matches!(c, '\t' | '\r' | '\n' | '\u{0C}' | '\u{1A}'))
                || *c == '\u{FFFD}'
        })
        .count();
    if controls * 100 > total * 2 {
        return Err(ImportError::NotText {
            what: "binary data".into(),
        });
    }
    Ok(text)
}

/// XML: CAMT, or what it is instead (OFX was recognised before).
fn xml_format(t: &str, upper: &str) -> Result<Format, ImportError> {
    if [
        "BKTOCSTMRSTMT",
        "BKTOCSTMRACCTRPT",
        "BKTOCSTMRDBTCDTNTFCTN",
        "CAMT.05",
    ]
    .iter()
    .any(|k| upper.contains(k))
    {
        return Ok(Format::Camt);
    }
    if starts_with_ci(t, "<!DOCTYPE HTML") || starts_with_ci(t, "<HTML") {
        return Err(ImportError::UnknownFormat {
            detail: "an HTML page, not a statement (saved from a browser?)".into(),
        });
    }
    Err(ImportError::UnknownFormat {
        detail: "XML that is neither OFX nor ISO 20022 CAMT.052/053/054".into(),
    })
}

/// QIF: the first line that is not a `#` comment or a lone `^` is a `!Type:`, `!Account`,
/// `!Option:` or `!Clear:` header.
fn looks_like_qif(t: &str) -> bool {
    t.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "^")
        .is_some_and(|l| {
            ["!TYPE:", "!ACCOUNT", "!OPTION:", "!CLEAR:"]
                .iter()
                .any(|p| starts_with_ci(l, p))
        })
}

/// MT940 statements, and the fragments banks send (a tag on the first line).
fn looks_like_mt940(t: &str, window: &str) -> bool {
    let has = |tag: &str| {
        window
            .lines()
            .any(|l| l.trim_start().starts_with(tag) || l.contains(&format!("{{4:{tag}")))
    };
    let first_tagged = window
        .lines()
        .map(|l| l.rsplit("{4:").next().unwrap_or(l))
        .find(|l| !l.trim().is_empty())
        .is_some_and(crate::mt940::is_tag_line);
    first_tagged
        || ((has(":20:") || t.starts_with("{1:"))
            && (has(":61:") || has(":60F:") || has(":60M:") || has(":25:")))
}

/// JSON: an ESI wallet journal is an array of entries.
fn json_format(t: &str, window: &str) -> Result<Format, ImportError> {
    if t.starts_with('[')
        && (window.contains("\"ref_type\"")
            || window.contains("\"date\"")
            || t[1..].trim_start().starts_with(']'))
    {
        return Ok(Format::EsiJson);
    }
    Err(ImportError::UnknownFormat {
        detail: "JSON that is not an ESI wallet journal (an array of entries)".into(),
    })
}

/// CSV when most of the first lines hold a delimiter; plain text otherwise.
fn delimited_format(window: &str) -> Result<Format, ImportError> {
    let lines: Vec<&str> = window
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let delimited = lines
        .iter()
        .filter(|l| l.contains([',', ';', '\t', '|']))
        .count();
    if delimited * 2 >= lines.len().max(1) {
        return Ok(Format::Csv);
    }
    Err(ImportError::UnknownFormat {
        detail: "plain text without delimiters: not CSV, OFX, CAMT or MT940".into(),
    })
}
