//! Proposing a profile from a file's head: delimiter, encoding, metadata lines, header,
//! column roles (header names in English, German, French, Dutch, Spanish, plus content),
//! date format and decimal separator inferred from whole columns of the sample.
//!
//! The steps, one module each: [`table`] finds the table in the head, [`headers`] scores
//! header names, [`dates`] and [`amounts`] infer formats from values, [`columns`] gives the
//! columns their roles; [`propose_profile`] assembles the profile.

mod amounts;
mod columns;
mod dates;
mod headers;
mod reasons;
mod table;

use crate::decode::{decode_all, encoding_name, sniff_encoding};
use crate::profile::{CurrencySource, Profile};
use crate::ImportError;
use columns::Roles;
use serde::{Deserialize, Serialize};
use table::{Sample, Table};

/// A proposed profile; when `ambiguities` is not empty, ask the user before importing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub profile: Profile,
    pub encoding: String,
    pub ambiguities: Vec<Ambiguity>,
    /// Why each column got its role, and why look-alike columns did not (a reference
    /// whose values repeat, a description empty on most rows, a running balance).
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// A column whose sample fits several readings, e.g. every date fits both d/m and m/d.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ambiguity {
    /// Header name, or `column N`.
    pub column: String,
    /// How one sample value reads under each option: `"%d/%m/%Y → 2026-04-03"`.
    pub readings: Vec<String>,
    /// The choices (date formats, or decimal separators), in the order of `readings`;
    /// the profile holds the first.
    pub options: Vec<String>,
}

/// Three quarters of the values, or all but two: trailer rows ("Total", "Pending") must not hide a column.
fn mostly(values: &[&str], ok: impl Fn(&str) -> bool) -> bool {
    let good = values.iter().filter(|v| ok(v)).count();
    let n = values.len();
    good > 0 && (good * 4 >= n * 3 || (n - good <= 2 && good * 2 > n))
}

/// Widest table a profile is proposed for (see [`propose_profile`]).
pub const MAX_PROPOSED_COLUMNS: usize = 512;

/// Proposes a profile from the first bytes of a CSV (64 KiB is plenty; more rows make the
/// date and decimal inference surer). Date columns whose values all fit both day-first and
/// month-first are listed in [`Proposal::ambiguities`], never guessed silently.
pub fn propose_profile(head: &[u8]) -> Result<Proposal, ImportError> {
    require_csv(head)?;
    let (text, encoding) = decode_head(head);
    let sample = Sample::choose(text.trim_start_matches('\u{FEFF}'))?;
    let table = Table::new(&sample);
    // Why: choosing roles compares columns with each other, so its cost grows with the
    // square of the width; a bank or payment export has tens of columns, never thousands.
    if table.width > MAX_PROPOSED_COLUMNS {
        return Err(ImportError::Profile {
            message: format!(
                "the file's table has {} columns; a profile is proposed for at most {MAX_PROPOSED_COLUMNS} (write one by hand to read a wider file)",
                table.width
            ),
        });
    }
    let mut ambiguities = Vec::new();
    let mut roles = Roles::new(&table);
    let date_j = roles.date()?;
    let (date_format, date_ambiguity) = dates::date_format(&table.cols[date_j]);
    ambiguities.extend(date_ambiguity);
    let amount = roles.amount()?;
    let balance = roles.balance();
    let currency_col = roles.currency();
    let reference = roles.reference();
    let description = roles.description();
    let counterparty = roles.counterparty();

    let money_values = roles.money_values();
    let first_money = &table.cols[roles.money_cols[0]];
    let (decimal_separator, decimal_ambiguity) =
        amounts::decimal_separator(&money_values, &first_money.name);
    ambiguities.extend(decimal_ambiguity);
    let thousands_separator = amounts::thousands_separator(&money_values, decimal_separator);
    let currency = match currency_col {
        Some(c) => Some(CurrencySource::Column(roles.column(c))),
        None => amounts::currency_of_symbols(&first_money.values, &first_money.header)
            .map(CurrencySource::Fixed),
    };
    let money: Vec<usize> = roles
        .money_cols
        .iter()
        .copied()
        .filter(|j| Some(*j) != balance)
        .collect();
    let reasons = reasons::explain(
        &table,
        &reasons::Chosen {
            date: date_j,
            date_format: date_format.clone(),
            money,
            indicator: roles.indicator,
            balance,
            currency: currency_col,
            reference,
            description,
            counterparty,
        },
    );
    let mut reasons = reasons;
    if table.ragged {
        reasons.push(format!(
            "rows run past the header's {} columns: their extra cells are more text, added to the description",
            table.width
        ));
    }
    let profile = Profile {
        delimiter: sample.delimiter,
        quote: '"',
        encoding: encoding.clone(),
        skip_lines: table.skip_lines,
        has_header: table.has_header,
        date: roles.column(date_j),
        date_format,
        description: description.map(|j| roles.column(j)),
        counterparty: counterparty.map(|j| roles.column(j)),
        reference: reference.map(|j| roles.column(j)),
        balance: balance.map(|j| roles.column(j)),
        decimal_separator,
        thousands_separator,
        currency,
        extra_text: table.ragged,
        amount,
    };
    profile.validate()?;
    Ok(Proposal {
        profile,
        encoding,
        ambiguities,
        reasons,
    })
}

/// Only CSV gets a proposal; other formats and unreadable files say why not.
fn require_csv(head: &[u8]) -> Result<(), ImportError> {
    match crate::detect_format(head) {
        Ok(crate::Format::Csv) => Ok(()),
        Ok(other) => Err(ImportError::CannotPropose {
            reason: format!("the file is {other}, not CSV"),
        }),
        Err(e) => Err(e),
    }
}

/// The head as text in its sniffed encoding, and that encoding's name.
fn decode_head(head: &[u8]) -> (String, String) {
    let enc = sniff_encoding(head);
    let (mut text, _, actual) = decode_all(head, enc);
    // a long head was probably cut mid-line: drop the partial last line
    if head.len() >= 16 * 1024 && !text.ends_with(['\n', '\r']) {
        if let Some(i) = text.rfind(['\n', '\r']) {
            text.truncate(i + 1);
        }
    }
    (text, encoding_name(actual))
}
