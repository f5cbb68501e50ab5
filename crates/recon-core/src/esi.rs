//! EVE Online ESI wallet journal JSON (`GET /characters/{id}/wallet/journal/`,
//! `GET /corporations/{id}/wallets/{division}/journal/`).
//!
//! Each entry is read field by field from its raw JSON text, so amounts (binary doubles on
//! ESI's side) are never routed through `f64`: they are rounded half-even from their exact
//! text to the wallet currency's scale and the text itself is kept. Unknown fields and
//! unknown `ref_type` values are accepted: CCP adds new ones.

use crate::money::{parse_json_number_rounded, MoneyError};
use crate::untrusted::{Fields, ObjectProblem};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::value::RawValue;

/// Entries one file may hold; ESI pages hold 2,500, so this only stops absurd files.
pub const MAX_ENTRIES_PER_FILE: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsiEntry {
    pub id: i64,
    /// RFC 3339 in UTC, e.g. `2026-03-01T12:00:00Z`.
    pub date: String,
    pub ref_type: String,
    pub description: String,
    pub amount: Option<Decimal>,
    pub amount_raw: Option<String>,
    pub balance: Option<Decimal>,
    pub balance_raw: Option<String>,
    pub reason: Option<String>,
    pub first_party_id: Option<i64>,
    pub second_party_id: Option<i64>,
    pub context_id: Option<i64>,
    pub context_id_type: Option<String>,
    pub tax: Option<Decimal>,
    pub tax_raw: Option<String>,
    pub tax_receiver_id: Option<i64>,
}

/// Why a journal file was refused. `index` is the 0-based position of the entry in the array.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EsiError {
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("not an ESI wallet journal: the top level must be a JSON array of entries")]
    NotAnArray,
    #[error("not UTF-8 text (byte {offset})")]
    NotUtf8 { offset: usize },
    #[error("more than {MAX_ENTRIES_PER_FILE} entries")]
    TooManyEntries,
    #[error("entry {index}{}: {problem}", id.map(|i| format!(" (id {i})")).unwrap_or_default())]
    Entry {
        index: usize,
        id: Option<i64>,
        problem: FieldProblem,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    #[error("is not a JSON object")]
    NotAnObject,
    #[error("field '{key}' appears more than once")]
    DuplicateKey { key: String },
    #[error("field '{field}' is missing")]
    Missing { field: &'static str },
    #[error("field '{field}' must be {expected}, got {found}")]
    WrongType {
        field: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error("field 'date' is not an RFC 3339 date-time: {found}")]
    BadDate { found: String },
    #[error("field '{field}': {source}")]
    Amount {
        field: &'static str,
        source: MoneyError,
    },
}

/// Parses one journal file; `scale` is the wallet currency's scale (ISK: 2).
/// The whole file is refused on the first problem: nothing of a bad file is imported.
pub fn parse_journal(bytes: &[u8], scale: u8) -> Result<Vec<EsiEntry>, EsiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| EsiError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let first = text.trim_start().chars().next();
    if first.is_some() && first != Some('[') {
        // Valid JSON of another shape (an ESI error object, say) gets the clearer message.
        if serde_json::from_str::<&RawValue>(text).is_ok() {
            return Err(EsiError::NotAnArray);
        }
    }
    let raw: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        if e.classify() == serde_json::error::Category::Data {
            EsiError::NotAnArray
        } else {
            EsiError::Syntax {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            }
        }
    })?;
    if raw.len() > MAX_ENTRIES_PER_FILE {
        return Err(EsiError::TooManyEntries);
    }
    raw.iter()
        .enumerate()
        .map(|(index, value)| parse_entry(value, scale, index))
        .collect()
}

/// An RFC 3339 date-time as ledgers keep a journal line's date: in UTC with `Z`, fractional
/// seconds only when given (so text order is time order). `None` when it is not RFC 3339.
pub fn normalize_date(text: &str) -> Option<String> {
    let at = DateTime::parse_from_rfc3339(text).ok()?;
    Some(
        at.with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::AutoSi, true),
    )
}

fn require<T>(
    field: &'static str,
    value: Result<Option<T>, FieldProblem>,
) -> Result<T, FieldProblem> {
    value?.ok_or(FieldProblem::Missing { field })
}

fn parse_entry(value: &RawValue, scale: u8, index: usize) -> Result<EsiEntry, EsiError> {
    let fields = Fields::parse(value.get()).map_err(|problem| EsiError::Entry {
        index,
        id: None,
        problem: match problem {
            ObjectProblem::NotAnObject => FieldProblem::NotAnObject,
            ObjectProblem::DuplicateKey(key) => FieldProblem::DuplicateKey { key },
        },
    })?;
    let reader = EntryReader { fields: &fields };
    let id = require("id", reader.integer("id")).map_err(|problem| EsiError::Entry {
        index,
        id: None,
        problem,
    })?;
    let with_id = |problem| EsiError::Entry {
        index,
        id: Some(id),
        problem,
    };
    let date_text = require("date", reader.string("date")).map_err(with_id)?;
    let date = normalize_date(&date_text).ok_or_else(|| {
        with_id(FieldProblem::BadDate {
            found: date_text.clone(),
        })
    })?;
    let (amount, amount_raw) = reader.amount("amount", scale).map_err(with_id)?.unzip();
    let (balance, balance_raw) = reader.amount("balance", scale).map_err(with_id)?.unzip();
    let (tax, tax_raw) = reader.amount("tax", scale).map_err(with_id)?.unzip();
    Ok(EsiEntry {
        id,
        date,
        ref_type: require("ref_type", reader.string("ref_type")).map_err(with_id)?,
        description: require("description", reader.string("description")).map_err(with_id)?,
        amount,
        amount_raw,
        balance,
        balance_raw,
        reason: reader.string("reason").map_err(with_id)?,
        first_party_id: reader.integer("first_party_id").map_err(with_id)?,
        second_party_id: reader.integer("second_party_id").map_err(with_id)?,
        context_id: reader.integer("context_id").map_err(with_id)?,
        context_id_type: reader.string("context_id_type").map_err(with_id)?,
        tax,
        tax_raw,
        tax_receiver_id: reader.integer("tax_receiver_id").map_err(with_id)?,
    })
}

struct EntryReader<'a> {
    fields: &'a Fields<'a>,
}

impl EntryReader<'_> {
    /// Absent and `null` both mean "not given".
    fn raw(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .map(|v| v.get().trim())
            .filter(|t| *t != "null")
    }

    fn wrong(field: &'static str, expected: &'static str, raw: &str) -> FieldProblem {
        let mut found: String = raw.chars().take(40).collect();
        if found.len() < raw.len() {
            found.push('…');
        }
        FieldProblem::WrongType {
            field,
            expected,
            found,
        }
    }

    fn integer(&self, field: &'static str) -> Result<Option<i64>, FieldProblem> {
        match self.raw(field) {
            None => Ok(None),
            Some(raw) => raw
                .parse::<i64>()
                .map(Some)
                .map_err(|_| Self::wrong(field, "an integer", raw)),
        }
    }

    fn string(&self, field: &'static str) -> Result<Option<String>, FieldProblem> {
        match self.raw(field) {
            None => Ok(None),
            Some(raw) if raw.starts_with('"') => serde_json::from_str::<String>(raw)
                .map(Some)
                .map_err(|_| Self::wrong(field, "a string", raw)),
            Some(raw) => Err(Self::wrong(field, "a string", raw)),
        }
    }

    fn amount(
        &self,
        field: &'static str,
        scale: u8,
    ) -> Result<Option<(Decimal, String)>, FieldProblem> {
        match self.raw(field) {
            None => Ok(None),
            Some(raw) if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
                parse_json_number_rounded(raw, scale)
                    .map(|d| Some((d, raw.to_string())))
                    .map_err(|source| FieldProblem::Amount { field, source })
            }
            Some(raw) => Err(Self::wrong(field, "a number", raw)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"[
      {"id": 20000000001, "date": "2026-03-01T12:00:00Z", "ref_type": "player_donation",
       "description": "A deposited cash into B's account", "amount": 243877.49999999997,
       "balance": 1000243877.5, "reason": "ARB 42 Some Pilot",
       "first_party_id": 90000002, "second_party_id": 90000001, "context_id": null},
      {"id": 20000000002, "date": "2026-03-02T08:30:00+02:00", "ref_type": "brand_new_ref_type_ccp_added",
       "description": "something new", "amount": -1500, "extra_field_from_ccp": {"x": [1,2]}}
    ]"#;

    #[test]
    fn reads_entries_exactly_and_keeps_raw_text() {
        let entries = parse_journal(GOOD.as_bytes(), 2).unwrap();
        assert_eq!(entries.len(), 2);
        let a = &entries[0];
        assert_eq!(a.amount.unwrap().to_string(), "243877.50");
        assert_eq!(a.amount_raw.as_deref(), Some("243877.49999999997"));
        assert_eq!(a.balance.unwrap().to_string(), "1000243877.50");
        assert_eq!(a.reason.as_deref(), Some("ARB 42 Some Pilot"));
        assert_eq!(a.context_id, None);
        let b = &entries[1];
        assert_eq!(b.ref_type, "brand_new_ref_type_ccp_added");
        assert_eq!(b.date, "2026-03-02T06:30:00Z", "normalized to UTC");
        assert_eq!(b.amount.unwrap().to_string(), "-1500.00");
        assert_eq!(b.balance, None);
    }

    #[test]
    fn missing_date_names_entry_and_field() {
        let text = r#"[{"id":1,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d"},
                       {"id":2,"ref_type":"x","description":"d","amount":5}]"#;
        let err = parse_journal(text.as_bytes(), 2).unwrap_err();
        assert_eq!(
            err,
            EsiError::Entry {
                index: 1,
                id: Some(2),
                problem: FieldProblem::Missing { field: "date" }
            }
        );
        assert_eq!(err.to_string(), "entry 1 (id 2): field 'date' is missing");
    }

    #[test]
    fn a_key_written_twice_refuses_the_file_naming_entry_and_key() {
        let text = r#"[{"id":1,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d"},
            {"id":2,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d","amount":100,"amount":999}]"#;
        let err = parse_journal(text.as_bytes(), 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "entry 1: field 'amount' appears more than once"
        );
        let text =
            r#"[{"id":22,"id":23,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d"}]"#;
        let err = parse_journal(text.as_bytes(), 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "entry 0: field 'id' appears more than once"
        );
    }

    #[test]
    fn an_amount_of_many_digits_is_rounded_once() {
        let text = r#"[{"id":1,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d",
            "amount":0.00500000000000000000000000000001}]"#;
        let entries = parse_journal(text.as_bytes(), 2).unwrap();
        assert_eq!(entries[0].amount.unwrap().to_string(), "0.01");
    }

    #[test]
    fn wrong_types_are_named() {
        let cases = [
            (
                r#"[{"id":"7","date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d"}]"#,
                "id",
            ),
            (
                r#"[{"id":1.5,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d"}]"#,
                "id",
            ),
            (
                r#"[{"id":1,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d","amount":"12"}]"#,
                "amount",
            ),
            (
                r#"[{"id":1,"date":"2026-03-01T00:00:00Z","ref_type":3,"description":"d"}]"#,
                "ref_type",
            ),
            (
                r#"[{"id":1,"date":"2026-03-01T00:00:00Z","ref_type":"x","description":"d","first_party_id":true}]"#,
                "first_party_id",
            ),
        ];
        for (text, field) in cases {
            let err = parse_journal(text.as_bytes(), 2).unwrap_err();
            assert!(
                err.to_string().contains(&format!("'{field}'")),
                "{field}: {err}"
            );
        }
        let err = parse_journal(
            br#"[{"id":1,"date":"yesterday","ref_type":"x","description":"d"}]"#,
            2,
        )
        .unwrap_err();
        assert!(matches!(
            err,
            EsiError::Entry {
                problem: FieldProblem::BadDate { .. },
                ..
            }
        ));
    }

    #[test]
    fn bad_json_and_wrong_shapes_are_refused_with_position() {
        let err = parse_journal(b"[{\"id\": 1,\n  \"date\": }]", 2).unwrap_err();
        assert!(matches!(err, EsiError::Syntax { line: 2, .. }), "{err}");
        assert_eq!(
            parse_journal(br#"{"error":"not found"}"#, 2).unwrap_err(),
            EsiError::NotAnArray
        );
        assert!(matches!(
            parse_journal(&[0xff, 0xfe, 0x00], 2),
            Err(EsiError::NotUtf8 { .. })
        ));
        assert!(matches!(
            parse_journal(b"[1]", 2),
            Err(EsiError::Entry {
                index: 0,
                problem: FieldProblem::NotAnObject,
                ..
            })
        ));
        assert_eq!(parse_journal(b"[]", 2).unwrap(), vec![]);
        assert_eq!(parse_journal(b"\xEF\xBB\xBF[]", 2).unwrap(), vec![]);
    }
}
