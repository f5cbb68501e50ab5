//! Recon Desk's importers, pure: they read from the `std::io::Read` they are given and
//! nothing else — no files, no clock, no database.
//!
//! - [`detect_format`]: CSV, OFX/QFX, CAMT.052/.053/.054, MT940, QIF or ESI JSON, from content;
//!   archives, PDFs, spreadsheets and binary garbage get an error naming what they look like.
//! - [`Profile`] (TOML, see [`profile`]) says how to read one kind of CSV;
//!   [`propose_profile`] guesses one from a file's head and lists ambiguous date columns in
//!   [`Proposal::ambiguities`] instead of guessing them.
//! - [`read_csv`] streams a CSV through a profile (memory stays flat: records are capped at
//!   [`records::MAX_RECORD_BYTES`]); [`read_statement`] reads OFX, CAMT, MT940 and QIF (bounded
//!   to [`MAX_STATEMENT_BYTES`]) and checks opening + lines = closing.
//!   Both call `on_row` with a [`RowResult`] per row, in file order: a [`ParsedRow`] or a
//!   [`Reject`] (line, column, raw value, reason). Invalid bytes in the file's encoding reject
//!   their row; there is never a silent U+FFFD in a parsed row.
//! - [`parse_amount`]: amounts as written (`1.234,56`, `(12.50)`, `12.50-`, `−12.50`,
//!   `€ 1 234,56`), exactly, into `rust_decimal::Decimal`. Money never goes through `f64`.
//! - [`fingerprint`] and [`Occurrences`]: the natural key of rows that have no id (SPEC §4).
//!
//! Signs: incoming money is positive, outgoing negative, in every format.
//! XML is read with quick-xml; any `<!DOCTYPE`/`<!ENTITY` is refused outright, so entity
//! expansion (billion laughs) and external entities cannot happen; nesting is bounded.

pub mod amount;
mod camt;
mod csvread;
pub mod decode;
mod detect;
mod identity;
mod mt940;
mod ofx;
pub mod profile;
mod propose;
mod qif;
pub mod records;
mod statement;

pub use amount::parse_amount;
pub use csvread::{parse_date, read_csv, read_csv_in};
pub use detect::detect_format;
pub use profile::{AmountMapping, Column, CurrencySource, Profile};
pub use propose::{propose_profile, Ambiguity, Proposal};
pub use qif::{qif_date_question, DayOrder};
pub use statement::{read_statement, read_statement_with, StatementOptions, MAX_STATEMENT_BYTES};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// What a file is, judged from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Csv,
    /// OFX/QFX 1.x (SGML) and 2.x (XML).
    Ofx,
    /// ISO 20022 camt.052 / camt.053 / camt.054.
    Camt,
    /// SWIFT MT940 (and MT942-like) statements.
    Mt940,
    /// EVE Online ESI wallet journal JSON (read by `recon_core::esi`, not here).
    EsiJson,
    /// Quicken Interchange Format: bank, card and cash lists.
    Qif,
}

impl Format {
    /// `csv`, `ofx`, `camt`, `mt940`, `esi-json`, `qif`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ofx => "ofx",
            Format::Camt => "camt",
            Format::Mt940 => "mt940",
            Format::EsiJson => "esi-json",
            Format::Qif => "qif",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a file (not a row) cannot be read. Row-level problems are [`Reject`]s instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("this is {what}, not a bank statement or CSV")]
    NotText { what: String },
    #[error("unrecognised format: {detail}")]
    UnknownFormat { detail: String },
    #[error("{format} is not supported: {detail}")]
    Unsupported { format: String, detail: String },
    #[error("read failed: {message}")]
    Io { message: String },
    #[error("unknown encoding '{label}'")]
    UnknownEncoding { label: String },
    #[error("profile: {message}")]
    Profile { message: String },
    #[error("column {column} is not in the header (columns: {available})")]
    MissingColumn { column: String, available: String },
    #[error("the file has no header line")]
    NoHeader,
    #[error("line {line}: a record longer than {limit} bytes{}: this is not a CSV a bank would write", if *in_quotes { " (a quote opened there never closes)" } else { " (no line break)" })]
    RecordTooLong {
        line: u64,
        limit: usize,
        in_quotes: bool,
    },
    #[error("the file is larger than {limit} bytes, the most a statement may have")]
    TooLarge { limit: u64 },
    #[error("XML refused: {reason}")]
    XmlRefused { reason: String },
    #[error("line {line}: malformed {format}: {message}")]
    Malformed {
        format: String,
        line: u64,
        message: String,
    },
    #[error("cannot propose a profile: {reason}")]
    CannotPropose { reason: String },
}

/// A row read and understood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedRow {
    /// 1-based physical line of the row's start in the file.
    pub line: u64,
    pub date: NaiveDate,
    /// Exact, as written (scale kept), signed: incoming positive.
    pub amount: Decimal,
    /// ISO code when the file says it (statement, currency column or fixed in the profile).
    pub currency: Option<String>,
    pub description: String,
    pub counterparty: Option<String>,
    /// The natural id: FITID, AcctSvcrRef/NtryRef, MT940 bank reference (after `//`), or
    /// the profile's reference column; an id already used earlier in the same file is
    /// dropped (with a note). `None` means: dedupe on [`fingerprint`].
    pub reference: Option<String>,
    pub balance: Option<Decimal>,
    /// The value date beside the booking date, where the statement gives one (CAMT
    /// `ValDt`, MT940 `:61:`, OFX `DTAVAIL`): `YYYY-MM-DD`, or the text as written when it
    /// is no date (a bank's 30 February; a note says so).
    pub value_date: Option<String>,
    /// The row's original text (the CSV record; the statement's entry).
    pub raw: String,
}

/// A row that could not be read; the file goes on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    pub line: u64,
    /// The column (header name or `column N`) or statement field at fault, if one is.
    pub column: Option<String>,
    pub raw_value: String,
    pub reason: String,
    /// The row's original text.
    pub raw: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowResult {
    Row(ParsedRow),
    Reject(Reject),
}

/// What a statement says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementInfo {
    pub account: Option<String>,
    pub currency: Option<String>,
    pub opening_balance: Option<Decimal>,
    pub closing_balance: Option<Decimal>,
    /// opening + sum(parsed lines) == closing, per statement in the file; `None` when the
    /// file lacks one of the balances (OFX has no opening balance).
    pub balances_agree: Option<bool>,
    /// What the file's parsed lines add up to, over all its statements; `None` when they
    /// are too large to add (then the balances were not checked either).
    #[serde(default)]
    pub lines_sum: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSummary {
    pub format: Format,
    /// The encoding actually used (lower-case WHATWG name, e.g. `utf-8`, `windows-1252`).
    pub encoding: String,
    /// Rows seen (parsed + rejected); header, skipped and blank lines are not rows.
    pub read: u64,
    pub rejected: u64,
    pub statement: Option<StatementInfo>,
    /// Things worth telling the user that are not rejects (pending entries left out,
    /// several accounts in one file, balances that do not add up).
    pub notes: Vec<String>,
}

/// A read that stopped: the file's fault, or the caller's `on_row` error.
#[derive(Debug, thiserror::Error)]
pub enum ReadError<E> {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("stopped by the caller: {0}")]
    Callback(E),
}

/// Description as compared for dedupe: trimmed, whitespace runs collapsed, lower case.
pub fn normalize_description(description: &str) -> String {
    let mut out = String::with_capacity(description.len());
    for word in description.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn tuple_digest(date: NaiveDate, amount: &Decimal, description: &str) -> Sha256 {
    let mut h = Sha256::new();
    h.update(b"recon-fingerprint-v1\x1f");
    h.update(date.format("%Y-%m-%d").to_string().as_bytes());
    h.update(b"\x1f");
    // 12.5 and 12.50 are the same amount
    h.update(amount.normalize().to_string().as_bytes());
    h.update(b"\x1f");
    h.update(normalize_description(description).as_bytes());
    h.update(b"\x1f");
    h
}

/// SPEC §4: the stable key of a row without a natural id — hex SHA-256 of (date, amount
/// normalized, description normalized, occurrence of that tuple inside the file, 1-based).
/// The account is part of the caller's key, not of the digest.
pub fn fingerprint(
    date: NaiveDate,
    amount: &Decimal,
    description: &str,
    occurrence: u32,
) -> String {
    let mut h = tuple_digest(date, amount, description);
    h.update(occurrence.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// Counts occurrences of (date, amount, description) inside one file, so two genuine
/// identical coffees on one day get occurrences 1 and 2. Memory: 20 bytes per distinct tuple.
#[derive(Default, Debug)]
pub struct Occurrences {
    seen: HashMap<[u8; 16], u32>,
}

impl Occurrences {
    pub fn new() -> Self {
        Self::default()
    }

    /// The 1-based occurrence number of this tuple, counting this call.
    pub fn next(&mut self, date: NaiveDate, amount: &Decimal, description: &str) -> u32 {
        let digest = tuple_digest(date, amount, description).finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        let n = self.seen.entry(key).or_insert(0);
        *n += 1;
        *n
    }
}
