//! Expected payments files: CSV with the columns
//! `cycle_id,character_name,character_id,expected_amount,currency,memo`, or a JSON array of
//! objects with the same keys. Amounts stay text here; the caller parses them exactly
//! against the currency's scale (it knows the currency table).

use crate::untrusted::{check_free_text, Fields, ObjectProblem};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// One expected payment as written in the file. `memo` is already defaulted to
/// `ARB {cycle_id} {character_name}` when the file left it empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedRow {
    /// CSV: the physical line (header is line 1). JSON: the entry index + 1.
    pub line: u64,
    pub cycle_id: String,
    pub character_name: String,
    pub character_id: Option<i64>,
    pub amount_text: String,
    pub currency: String,
    pub memo: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpectedFileError {
    #[error("line {line}, column '{column}': {reason}")]
    Field {
        line: u64,
        column: String,
        reason: String,
    },
    #[error("line {line}: {reason}")]
    Row { line: u64, reason: String },
    #[error("{0}")]
    File(String),
}

pub const COLUMNS: [&str; 6] = [
    "cycle_id",
    "character_name",
    "character_id",
    "expected_amount",
    "currency",
    "memo",
];
const REQUIRED: [&str; 4] = ["cycle_id", "character_name", "expected_amount", "currency"];

/// The memo a participant is told to type when the file gives none.
pub fn default_memo(cycle_id: &str, character_name: &str) -> String {
    format!("ARB {cycle_id} {character_name}")
}

/// Whether the start of a file reads as an expected payments file (its header, or its first
/// JSON object, names every required column), so an import of bank or journal files can send
/// it to its own screen instead of reading it as a bank CSV.
pub fn looks_like_expected(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start();
    if text.starts_with('[') {
        // The first object's keys; a head cut short may end inside the object.
        let first = text.split('}').next().unwrap_or_default();
        return REQUIRED.iter().all(|c| first.contains(&format!("\"{c}\"")));
    }
    let Some(header) = text.lines().next() else {
        return false;
    };
    let names: Vec<String> = header
        .split([',', ';', '\t', '|'])
        .map(|n| n.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    REQUIRED.iter().all(|c| names.iter().any(|n| n == c))
}

/// Reads a CSV or JSON expected payments file (JSON when the first non-blank byte is `[`).
pub fn parse_expected(bytes: &[u8]) -> Result<Vec<ExpectedRow>, ExpectedFileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ExpectedFileError::File(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    if text.trim_start().starts_with('[') {
        parse_json(text)
    } else {
        parse_csv(text)
    }
}

fn field(line: u64, column: &str, reason: impl Into<String>) -> ExpectedFileError {
    ExpectedFileError::Field {
        line,
        column: column.to_owned(),
        reason: reason.into(),
    }
}

fn build_row(
    line: u64,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<ExpectedRow, ExpectedFileError> {
    let required = |column: &str| -> Result<String, ExpectedFileError> {
        match get(column) {
            Some(v) if !v.trim().is_empty() => Ok(v.trim().to_owned()),
            _ => Err(field(line, column, "is empty")),
        }
    };
    let text = |column: &str, value: String| -> Result<String, ExpectedFileError> {
        check_free_text(&value).map_err(|why| field(line, column, why))?;
        Ok(value)
    };
    let cycle_id = text("cycle_id", required("cycle_id")?)?;
    let character_name = text("character_name", required("character_name")?)?;
    let amount_text = required("expected_amount")?;
    let currency = required("currency")?.to_uppercase();
    let character_id = match get("character_id").map(|v| v.trim().to_owned()) {
        Some(v) if !v.is_empty() => Some(
            v.parse::<i64>()
                .map_err(|_| field(line, "character_id", format!("'{v}' is not a whole number")))?,
        ),
        _ => None,
    };
    let memo = match get("memo").map(|v| v.trim().to_owned()) {
        Some(v) if !v.is_empty() => text("memo", v)?,
        _ => default_memo(&cycle_id, &character_name),
    };
    Ok(ExpectedRow {
        line,
        cycle_id,
        character_name,
        character_id,
        amount_text,
        currency,
        memo,
    })
}

fn parse_csv(text: &str) -> Result<Vec<ExpectedRow>, ExpectedFileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ExpectedFileError::File(format!("cannot read the header: {e}")))?
        .clone();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == h) {
            Some(c) => {
                if index.insert(c, i).is_some() {
                    return Err(field(1, c, "appears twice in the header"));
                }
            }
            None => {
                return Err(ExpectedFileError::Row {
                    line: 1,
                    reason: format!(
                        "unknown column '{h}' (expected columns: {})",
                        COLUMNS.join(",")
                    ),
                })
            }
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !index.contains_key(*c)) {
        return Err(ExpectedFileError::Row {
            line: 1,
            reason: format!("the header has no '{missing}' column"),
        });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(p) => ExpectedFileError::Row {
                line: p.line(),
                reason: e.to_string(),
            },
            None => ExpectedFileError::File(e.to_string()),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let get = |column: &str| {
            index
                .get(column)
                .and_then(|i| record.get(*i))
                .map(str::to_owned)
        };
        rows.push(build_row(line, &get)?);
    }
    Ok(rows)
}

fn parse_json(text: &str) -> Result<Vec<ExpectedRow>, ExpectedFileError> {
    let entries: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        ExpectedFileError::File(format!(
            "not an array of expected payment objects: {e} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let mut rows = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let line = i as u64 + 1;
        let entry = Fields::parse(entry.get()).map_err(|problem| match problem {
            ObjectProblem::NotAnObject => ExpectedFileError::Row {
                line,
                reason: format!("(entry {i}) is not a JSON object"),
            },
            ObjectProblem::DuplicateKey(key) => {
                field(line, &key, format!("(entry {i}) appears more than once"))
            }
        })?;
        if let Some((unknown, _)) = entry.iter().find(|(k, _)| !COLUMNS.contains(k)) {
            return Err(field(line, unknown, "is not a known field"));
        }
        // Numbers are taken from their JSON text, never through f64.
        let mut values: HashMap<&str, Option<String>> = HashMap::new();
        for (key, raw) in entry.iter() {
            let text = raw.get().trim();
            let value = if text == "null" {
                None
            } else if text.starts_with('"') {
                Some(
                    serde_json::from_str::<String>(text)
                        .map_err(|e| field(line, key, e.to_string()))?,
                )
            } else if text.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
                Some(text.to_owned())
            } else {
                return Err(field(
                    line,
                    key,
                    format!("must be a string or a number, not {text}"),
                ));
            };
            values.insert(key, value);
        }
        let get = |column: &str| values.get(column).cloned().flatten();
        rows.push(build_row(line, &get).map_err(|e| match e {
            ExpectedFileError::Field { column, reason, .. } => ExpectedFileError::Field {
                line,
                column,
                reason: format!("(entry {i}) {reason}"),
            },
            other => other,
        })?);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_files_are_told_from_bank_files() {
        assert!(looks_like_expected(
            b"\xEF\xBB\xBFcycle_id;Character_Name;expected_amount;currency\nc1;A;1;ISK\n"
        ));
        assert!(looks_like_expected(
            br#" [{"cycle_id":"c1","character_name":"A","expected_amount":"1","currency":"ISK"}"#
        ));
        assert!(!looks_like_expected(b"date,amount,currency,description\n"));
        assert!(!looks_like_expected(
            br#"[{"id":1,"amount":2.5,"ref_type":"x"}]"#
        ));
        assert!(!looks_like_expected(b""));
    }

    #[test]
    fn csv_with_an_empty_memo_gets_the_default_memo() {
        let rows = parse_expected(
            b"cycle_id,character_name,character_id,expected_amount,currency,memo\n\
              c1,Player One,9001,5000000000.00,ISK,\n\
              c1,Two,,10,isk,ARB c1 Two custom\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].memo, "ARB c1 Player One");
        assert_eq!(rows[0].character_id, Some(9001));
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].memo, "ARB c1 Two custom");
        assert_eq!(rows[1].currency, "ISK");
        assert_eq!(rows[1].character_id, None);
    }

    #[test]
    fn json_numbers_keep_their_text() {
        let rows = parse_expected(
            br#"[{"cycle_id":"c1","character_name":"A","character_id":7,"expected_amount":5000000000.10,"currency":"ISK"}]"#,
        )
        .unwrap();
        assert_eq!(rows[0].amount_text, "5000000000.10");
        assert_eq!(rows[0].memo, "ARB c1 A");
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let err = parse_expected(
            b"cycle_id,character_name,character_id,expected_amount,currency,memo\nc1,A,x7,1,ISK,\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2, column 'character_id': 'x7' is not a whole number"
        );
        let err = parse_expected(b"cycle_id,character_name,expected_amount\nc1,A,1\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1: the header has no 'currency' column"
        );
        let err = parse_expected(
            b"cycle_id,character_name,expected_amount,currency\nc1,A,1,ISK\nc1,B,2\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("line 3:"), "{err}");
    }

    #[test]
    fn a_json_key_written_twice_is_refused_naming_entry_and_key() {
        let err = parse_expected(
            br#"[{"cycle_id":"c1","character_name":"A","expected_amount":100,"expected_amount":999,"currency":"ISK"}]"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1, column 'expected_amount': (entry 0) appears more than once"
        );
    }

    #[test]
    fn control_characters_in_names_are_refused_naming_line_and_column() {
        let err =
            parse_expected(b"cycle_id,character_name,expected_amount,currency\nc1,A\x00B,1,ISK\n")
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2, column 'character_name': holds a control character (U+0000 at character 2); only tabs and line breaks may appear in text"
        );
        let err = parse_expected(
            br#"[{"cycle_id":"c1","character_name":"A","expected_amount":1,"currency":"ISK","memo":"x\u001by"}]"#,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 1, column 'memo': (entry 0) holds a control character (U+001B"),
            "{err}"
        );
    }
}
