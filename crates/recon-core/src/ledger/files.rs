//! Conversion and settlement files: CSV with a header, or a JSON array of objects with the
//! same keys (JSON when the first non-blank byte is `[`). Values stay text here except
//! dates; amounts are parsed by the caller against the currency's scale. Numbers in JSON
//! are taken from their text, never through f64.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::value::RawValue;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerFileError {
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

/// One conversion (seed 000): `conversion_id,sponsor_ref,occurred_at,description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionRow {
    pub line: u64,
    pub conversion_id: String,
    pub sponsor_ref: String,
    /// RFC 3339 UTC with milliseconds.
    pub occurred_at: String,
    pub description: String,
}

/// One settlement (seed 002): `settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRow {
    pub line: u64,
    pub settlement_id: String,
    pub user_ref: String,
    pub affiliate_ref: String,
    pub gross_text: String,
    pub currency: String,
    pub occurred_at: String,
}

pub const CONVERSION_COLUMNS: [&str; 4] =
    ["conversion_id", "sponsor_ref", "occurred_at", "description"];
pub const SETTLEMENT_COLUMNS: [&str; 6] = [
    "settlement_id",
    "user_ref",
    "affiliate_ref",
    "gross_amount",
    "currency",
    "occurred_at",
];

/// `2026-03-05T10:00:00Z`, any RFC 3339 offset, or a plain `2026-03-05` (midnight UTC),
/// as RFC 3339 UTC with milliseconds. Years 1900–2099.
pub fn parse_occurred_at(text: &str) -> Result<String, String> {
    let t = text.trim();
    let at: DateTime<Utc> = if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        d.with_timezone(&Utc)
    } else if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
    } else {
        return Err(format!("'{text}' is not a date (YYYY-MM-DD or RFC 3339)"));
    };
    let year = chrono::Datelike::year(&at);
    if !(1900..=2099).contains(&year) {
        return Err(format!("'{text}' is outside the years 1900–2099"));
    }
    Ok(at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// `YYYY-MM` of an RFC 3339 timestamp written by [`parse_occurred_at`].
pub fn period_of(occurred_at: &str) -> &str {
    &occurred_at[..7.min(occurred_at.len())]
}

/// Checks a `YYYY-MM` period given by a user.
pub fn check_period(text: &str) -> Result<(), String> {
    let ok = text.len() == 7
        && text.as_bytes()[4] == b'-'
        && NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").is_ok();
    if ok {
        Ok(())
    } else {
        Err(format!("period '{text}' is not YYYY-MM"))
    }
}

pub fn parse_conversions(bytes: &[u8]) -> Result<Vec<ConversionRow>, LedgerFileError> {
    let mut rows = Vec::new();
    read_table(
        bytes,
        &CONVERSION_COLUMNS,
        &CONVERSION_COLUMNS[..3],
        |line, v| {
            let when = v[2].as_deref().unwrap_or_default();
            rows.push(ConversionRow {
                line,
                conversion_id: required(line, "conversion_id", &v[0])?,
                sponsor_ref: required(line, "sponsor_ref", &v[1])?,
                occurred_at: parse_occurred_at(when).map_err(|r| field(line, "occurred_at", r))?,
                description: v[3].as_deref().unwrap_or_default().trim().to_owned(),
            });
            Ok(())
        },
    )?;
    Ok(rows)
}

pub fn parse_settlements(bytes: &[u8]) -> Result<Vec<SettlementRow>, LedgerFileError> {
    let mut rows = Vec::new();
    read_settlements(bytes, |row| {
        rows.push(row);
        Ok::<(), LedgerFileError>(())
    })?;
    Ok(rows)
}

/// Hands each settlement to `each` as it is read (a million rows are never all in memory).
pub fn read_settlements<E: From<LedgerFileError>>(
    bytes: &[u8],
    mut each: impl FnMut(SettlementRow) -> Result<(), E>,
) -> Result<(), E> {
    read_table(
        bytes,
        &SETTLEMENT_COLUMNS,
        &SETTLEMENT_COLUMNS,
        |line, v| {
            let when = v[5].as_deref().unwrap_or_default();
            each(SettlementRow {
                line,
                settlement_id: required(line, "settlement_id", &v[0])?,
                user_ref: required(line, "user_ref", &v[1])?,
                affiliate_ref: required(line, "affiliate_ref", &v[2])?,
                gross_text: required(line, "gross_amount", &v[3])?,
                currency: required(line, "currency", &v[4])?.to_uppercase(),
                occurred_at: parse_occurred_at(when).map_err(|r| field(line, "occurred_at", r))?,
            })
        },
    )
}

fn field(line: u64, column: &str, reason: impl Into<String>) -> LedgerFileError {
    LedgerFileError::Field {
        line,
        column: column.to_owned(),
        reason: reason.into(),
    }
}

fn required(line: u64, column: &str, v: &Option<String>) -> Result<String, LedgerFileError> {
    match v.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => Ok(t.to_owned()),
        _ => Err(field(line, column, "is empty")),
    }
}

type Values = [Option<String>];

/// Reads CSV or JSON rows into values in `columns` order and hands each to `row`.
fn read_table<E: From<LedgerFileError>>(
    bytes: &[u8],
    columns: &[&str],
    needed: &[&str],
    row: impl FnMut(u64, &Values) -> Result<(), E>,
) -> Result<(), E> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        LedgerFileError::File(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    if text.trim_start().starts_with('[') {
        read_json(text, columns, row)
    } else {
        read_csv(text, columns, needed, row)
    }
}

fn read_csv<E: From<LedgerFileError>>(
    text: &str,
    columns: &[&str],
    needed: &[&str],
    mut row: impl FnMut(u64, &Values) -> Result<(), E>,
) -> Result<(), E> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| LedgerFileError::File(format!("cannot read the header: {e}")))?
        .clone();
    let mut index: Vec<Option<usize>> = vec![None; columns.len()];
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_ascii_lowercase();
        let Some(c) = columns.iter().position(|c| *c == h) else {
            return Err(LedgerFileError::Row {
                line: 1,
                reason: format!(
                    "unknown column '{h}' (expected columns: {})",
                    columns.join(",")
                ),
            }
            .into());
        };
        if index[c].replace(i).is_some() {
            return Err(field(1, columns[c], "appears twice in the header").into());
        }
    }
    if let Some(missing) = needed
        .iter()
        .find(|n| index[columns.iter().position(|c| c == *n).unwrap()].is_none())
    {
        return Err(LedgerFileError::Row {
            line: 1,
            reason: format!("the header has no '{missing}' column"),
        }
        .into());
    }
    let mut record = csv::StringRecord::new();
    let mut values: Vec<Option<String>> = vec![None; columns.len()];
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| match e.position() {
                Some(p) => LedgerFileError::Row {
                    line: p.line(),
                    reason: e.to_string(),
                },
                None => LedgerFileError::File(e.to_string()),
            })?;
        if !more {
            return Ok(());
        }
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        for (slot, i) in values.iter_mut().zip(&index) {
            *slot = i.and_then(|i| record.get(i)).map(str::to_owned);
        }
        row(line, &values)?;
    }
}

fn read_json<E: From<LedgerFileError>>(
    text: &str,
    columns: &[&str],
    mut row: impl FnMut(u64, &Values) -> Result<(), E>,
) -> Result<(), E> {
    let entries: Vec<HashMap<String, Box<RawValue>>> = serde_json::from_str(text).map_err(|e| {
        LedgerFileError::File(format!(
            "not an array of objects: {e} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    for (i, entry) in entries.iter().enumerate() {
        let line = i as u64 + 1;
        let mut values: Vec<Option<String>> = vec![None; columns.len()];
        for (key, raw) in entry {
            let Some(c) = columns.iter().position(|c| c == key) else {
                return Err(field(line, key, "is not a known field").into());
            };
            let t = raw.get().trim();
            values[c] = if t == "null" {
                None
            } else if t.starts_with('"') {
                Some(
                    serde_json::from_str::<String>(t)
                        .map_err(|e| field(line, key, e.to_string()))?,
                )
            } else if t.starts_with(|ch: char| ch == '-' || ch.is_ascii_digit()) {
                Some(t.to_owned())
            } else {
                return Err(field(line, key, "must be a string or a number").into());
            };
        }
        row(line, &values)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json_read_the_same_rows() {
        let csv = "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\n\
                   S1,u1,A3,100.10,usd,2026-03-05\n";
        let json = r#"[{"settlement_id":"S1","user_ref":"u1","affiliate_ref":"A3","gross_amount":100.10,"currency":"usd","occurred_at":"2026-03-05T00:00:00Z"}]"#;
        let a = parse_settlements(csv.as_bytes()).unwrap();
        let b = parse_settlements(json.as_bytes()).unwrap();
        assert_eq!(a[0].gross_text, "100.10");
        assert_eq!(b[0].gross_text, "100.10", "JSON numbers keep their text");
        assert_eq!(a[0].occurred_at, "2026-03-05T00:00:00.000Z");
        assert_eq!((a[0].line, b[0].line), (2, 1));
        assert_eq!(a[0].currency, "USD");
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let csv = "conversion_id,sponsor_ref,occurred_at\nC1,S,2026-01-01\nC2,,2026-01-01\n";
        let err = parse_conversions(csv.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "line 3, column 'sponsor_ref': is empty");
        let err = parse_conversions(b"conversion_id,sponsor_ref,occurred_at\nC1,S,yesterday\n")
            .unwrap_err();
        assert!(
            err.to_string().starts_with("line 2, column 'occurred_at'"),
            "{err}"
        );
        let err = parse_conversions(b"conversion_id,sponsor\n").unwrap_err();
        assert!(
            err.to_string().contains("unknown column 'sponsor'"),
            "{err}"
        );
    }

    #[test]
    fn periods_are_checked() {
        check_period("2026-03").unwrap();
        assert!(check_period("2026-13").is_err());
        assert!(check_period("2026-3").is_err());
        assert_eq!(period_of("2026-03-05T00:00:00.000Z"), "2026-03");
    }
}
