//! The platform's exports read into typed rows: workspace wallets, activations and wallet
//! transactions, each as CSV (a header row naming the columns, any order) or as a JSON
//! array of objects with the same fields. Amounts are exact at their currency's scale
//! (JSON numbers read from their text, never through a float); a bad cell refuses the
//! file with its line (CSV) or record (JSON) and column.

use crate::money::{parse_exact, Currency};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// Where a bad cell is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}{}: {message}", .column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
pub struct FileError {
    /// `line N` (CSV, counting the header as line 1) or `record N` (JSON, from 1).
    pub place: String,
    pub column: Option<String>,
    pub message: String,
}

impl FileError {
    fn whole(message: impl Into<String>) -> Self {
        Self {
            place: "file".into(),
            column: None,
            message: message.into(),
        }
    }
}

/// One record with its cells by column name (JSON values as their text).
struct Record {
    place: String,
    cells: HashMap<String, String>,
}

impl Record {
    fn error(&self, column: &str, message: impl Into<String>) -> FileError {
        FileError {
            place: self.place.clone(),
            column: Some(column.to_string()),
            message: message.into(),
        }
    }

    fn text(&self, column: &str) -> Result<String, FileError> {
        match self.cells.get(column).map(|v| v.trim()) {
            Some(v) if !v.is_empty() => Ok(v.to_string()),
            _ => Err(self.error(column, "is missing")),
        }
    }

    fn optional(&self, column: &str) -> Option<String> {
        self.cells
            .get(column)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn amount(&self, column: &str, currency: &Currency, signed: bool) -> Result<i64, FileError> {
        let text = self.text(column)?;
        let value = parse_exact(&text, currency).map_err(|e| self.error(column, e.to_string()))?;
        if !signed && value.is_sign_negative() && !value.is_zero() {
            return Err(self.error(column, format!("'{text}' must not be negative")));
        }
        crate::money::to_minor(value, currency.scale).map_err(|e| self.error(column, e.to_string()))
    }

    fn time(&self, column: &str) -> Result<String, FileError> {
        let text = self.text(column)?;
        parse_time(&text).ok_or_else(|| {
            self.error(
                column,
                format!("'{text}' is not a date and time (RFC 3339, e.g. 2026-02-16T10:00:00Z)"),
            )
        })
    }

    fn one_of(&self, column: &str, allowed: &[&'static str]) -> Result<&'static str, FileError> {
        let text = self.text(column)?.to_ascii_lowercase();
        allowed
            .iter()
            .find(|a| **a == text)
            .copied()
            .ok_or_else(|| {
                self.error(
                    column,
                    format!("'{text}' is not one of {}", allowed.join(", ")),
                )
            })
    }
}

/// RFC 3339 (or `YYYY-MM-DD HH:MM:SS[+zz]`, or a bare date = midnight UTC) as RFC 3339 UTC
/// with milliseconds, so that text order is time order.
pub fn parse_time(text: &str) -> Option<String> {
    let utc: DateTime<Utc> = if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        t.to_utc()
    } else if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%#z") {
        t.to_utc()
    } else if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S") {
        t.and_utc()
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
    };
    Some(utc.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn records(bytes: &[u8]) -> Result<Vec<Record>, FileError> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|e| FileError::whole(format!("not UTF-8 text ({e})")))?;
    if text.trim_start().starts_with('[') {
        json_records(text)
    } else {
        csv_records(text)
    }
}

fn json_records(text: &str) -> Result<Vec<Record>, FileError> {
    let objects: Vec<HashMap<String, Option<Box<RawValue>>>> = serde_json::from_str(text)
        .map_err(|e| FileError::whole(format!("not a JSON array of objects ({e})")))?;
    objects
        .into_iter()
        .enumerate()
        .map(|(i, object)| {
            let place = format!("record {}", i + 1);
            let mut cells = HashMap::new();
            for (key, value) in object {
                let Some(raw) = value else { continue };
                let raw = raw.get();
                let cell = if raw.starts_with('"') {
                    serde_json::from_str::<String>(raw).map_err(|e| FileError {
                        place: place.clone(),
                        column: Some(key.clone()),
                        message: e.to_string(),
                    })?
                } else {
                    raw.to_string()
                };
                cells.insert(key, cell);
            }
            Ok(Record { place, cells })
        })
        .collect()
}

fn csv_records(text: &str) -> Result<Vec<Record>, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| FileError::whole(format!("unreadable header ({e})")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            FileError {
                place: format!("line {line}"),
                column: None,
                message: e.to_string(),
            }
        })?;
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        let cells = headers
            .iter()
            .cloned()
            .zip(row.iter().map(str::to_string))
            .collect();
        out.push(Record {
            place: format!("line {line}"),
            cells,
        });
    }
    Ok(out)
}

/// A workspace wallet snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletSnapshot {
    pub place: String,
    pub workspace_id: String,
    pub wallet_id: String,
    pub currency: String,
    pub balance_minor: i64,
    pub locked_minor: i64,
    pub as_of: String,
}

/// The activation statuses; `live` and `draft` hold money locked.
pub const ACTIVATION_STATUSES: [&str; 5] = ["draft", "live", "paused", "completed", "cancelled"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    pub place: String,
    pub activation_id: String,
    pub workspace_id: String,
    pub status: &'static str,
    pub total_budget_minor: i64,
    pub spent_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletTransaction {
    pub place: String,
    pub transaction_id: String,
    pub wallet_id: String,
    pub tx_type: &'static str,
    pub amount_minor: i64,
    pub reference_type: Option<String>,
    pub reference_id: Option<String>,
    pub created_at: String,
}

fn currency_of<'c>(
    record: &Record,
    column: &str,
    currencies: &'c dyn Fn(&str) -> Option<Currency>,
) -> Result<Currency, FileError> {
    let code = record.text(column)?.to_ascii_uppercase();
    currencies(&code).ok_or_else(|| record.error(column, format!("unknown currency '{code}'")))
}

/// Reads a workspace wallet export. `currencies` finds a currency (and its scale) by code.
pub fn read_wallets(
    bytes: &[u8],
    currencies: &dyn Fn(&str) -> Option<Currency>,
) -> Result<Vec<WalletSnapshot>, FileError> {
    records(bytes)?
        .into_iter()
        .map(|r| {
            let currency = currency_of(&r, "currency", currencies)?;
            Ok(WalletSnapshot {
                workspace_id: r.text("workspace_id")?,
                wallet_id: r.text("wallet_id")?,
                balance_minor: r.amount("balance", &currency, false)?,
                locked_minor: r.amount("locked_balance", &currency, false)?,
                as_of: r.time("as_of")?,
                currency: currency.code,
                place: r.place,
            })
        })
        .collect()
}

/// Reads an activation export.
pub fn read_activations(
    bytes: &[u8],
    currencies: &dyn Fn(&str) -> Option<Currency>,
) -> Result<Vec<Activation>, FileError> {
    records(bytes)?
        .into_iter()
        .map(|r| {
            let currency = currency_of(&r, "currency", currencies)?;
            Ok(Activation {
                activation_id: r.text("activation_id")?,
                workspace_id: r.text("workspace_id")?,
                status: r.one_of("status", &ACTIVATION_STATUSES)?,
                total_budget_minor: r.amount("total_budget", &currency, false)?,
                spent_minor: r.amount("spent_amount", &currency, false)?,
                currency: currency.code,
                place: r.place,
            })
        })
        .collect()
}

/// Reads a wallet transaction export. `wallet_currency` finds a known workspace wallet's
/// currency; a transaction of an unknown wallet is refused.
pub fn read_transactions(
    bytes: &[u8],
    wallet_currency: &dyn Fn(&str) -> Option<Currency>,
) -> Result<Vec<WalletTransaction>, FileError> {
    records(bytes)?
        .into_iter()
        .map(|r| {
            let wallet_id = r.text("wallet_id")?;
            let currency = wallet_currency(&wallet_id).ok_or_else(|| {
                r.error(
                    "wallet_id",
                    format!("unknown wallet '{wallet_id}' (import the wallets first)"),
                )
            })?;
            let reference_type = r.optional("reference_type");
            let reference_id = r.optional("reference_id");
            if reference_type.is_some() != reference_id.is_some() {
                return Err(r.error(
                    "reference_id",
                    "reference_type and reference_id go together",
                ));
            }
            Ok(WalletTransaction {
                transaction_id: r.text("transaction_id")?,
                tx_type: r.one_of("type", &super::ops::TRANSACTION_TYPES)?,
                amount_minor: r.amount("amount", &currency, true)?,
                created_at: r.time("created_at")?,
                wallet_id,
                reference_type,
                reference_id,
                place: r.place,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ngn(code: &str) -> Option<Currency> {
        (code == "NGN").then(|| Currency::new("NGN", 2, "Naira").unwrap())
    }

    #[test]
    fn csv_and_json_read_the_same_wallet() {
        let csv = b"workspace_id,wallet_id,currency,balance,locked_balance,as_of\nws1,w1,NGN,100.50,20,2026-02-16T10:00:00+01:00\n";
        let json = br#"[{"workspace_id":"ws1","wallet_id":"w1","currency":"NGN","balance":100.50,"locked_balance":"20","as_of":"2026-02-16T09:00:00Z"}]"#;
        let a = read_wallets(csv, &ngn).unwrap();
        let b = read_wallets(json, &ngn).unwrap();
        assert_eq!((a[0].balance_minor, a[0].locked_minor), (10_050, 2_000));
        assert_eq!(a[0].as_of, "2026-02-16T09:00:00.000Z");
        assert_eq!((b[0].balance_minor, &b[0].as_of), (10_050, &a[0].as_of));
    }

    #[test]
    fn a_bad_cell_is_named_by_line_and_column() {
        let csv = b"workspace_id,wallet_id,currency,balance,locked_balance,as_of\nws1,w1,NGN,1,2,2026-01-01\nws1,w2,NGN,1.005,2,2026-01-01\n";
        let err = read_wallets(csv, &ngn).unwrap_err();
        assert_eq!(err.place, "line 3");
        assert_eq!(err.column.as_deref(), Some("balance"));
        assert!(
            err.to_string()
                .starts_with("line 3, column balance: '1.005' has 3 decimals"),
            "{err}"
        );
        let json = br#"[{"activation_id":"a","workspace_id":"w","status":"gone","total_budget":1,"spent_amount":0,"currency":"NGN"}]"#;
        let err = read_activations(json, &ngn).unwrap_err();
        assert_eq!(err.to_string(), "record 1, column status: 'gone' is not one of draft, live, paused, completed, cancelled");
    }
}
