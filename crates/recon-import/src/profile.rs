//! CSV mapping profiles, read from and written to TOML.
//!
//! ```toml
//! delimiter = ";"
//! encoding = "windows-1252"     # or "auto", "utf-8", "utf-16le", any WHATWG label
//! skip_lines = 4                 # physical lines above the header
//! has_header = true
//! date = "Buchungstag"           # a header name, or a 1-based index: date = 2
//! date_format = "%d.%m.%Y"       # chrono strftime; a time after the date is allowed
//! description = "Verwendungszweck"
//! counterparty = "Beguenstigter/Zahlungspflichtiger"
//! reference = 8
//! balance = "Saldo"
//! decimal_separator = ","
//! thousands_separator = "."
//! currency = "EUR"               # fixed, or: currency = { column = "Waehrung" }
//! amount = "Betrag"              # one signed column, or one of the tables below
//! # [amount]                     # an amount column whose sign is given by the data
//! # column = "Betrag"
//! # negate = true                # card exports that show charges as positive
//! # [amount]                     # separate debit and credit columns
//! # debit = "Soll"
//! # credit = "Haben"
//! # [amount]                     # an amount plus a debit/credit indicator column
//! # column = "Betrag"
//! # indicator = "S/H"
//! # debit_values = ["S"]
//! # credit_values = ["H"]
//! ```

use crate::ImportError;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Where a value is in a row: a header name (matched trimmed, case-insensitively) or a
/// 1-based column index. TOML: `date = "Booking date"` or `date = 3`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Name(String),
    /// 1-based.
    Index(usize),
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Column::Name(n) => write!(f, "'{n}'"),
            Column::Index(i) => write!(f, "column {i}"),
        }
    }
}

impl Serialize for Column {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Column::Name(n) => s.serialize_str(n),
            Column::Index(i) => s.serialize_u64(*i as u64),
        }
    }
}

struct ColumnVisitor;

impl Visitor<'_> for ColumnVisitor {
    type Value = Column;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a column: a header name (string) or a 1-based index (integer)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Column, E> {
        Ok(Column::Name(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Column, E> {
        if v == 0 {
            return Err(E::custom("column indexes start at 1"));
        }
        usize::try_from(v)
            .map(Column::Index)
            .map_err(|_| E::custom("column index too large"))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Column, E> {
        if v < 1 {
            return Err(E::custom("column indexes start at 1"));
        }
        self.visit_u64(v as u64)
    }
}

impl<'de> Deserialize<'de> for Column {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ColumnVisitor)
    }
}

/// How a row's signed amount is found. Incoming money is positive.
#[derive(Clone, Debug, PartialEq)]
pub enum AmountMapping {
    /// One signed column (`-12.50` is money out); `negate` flips it for exports that show
    /// charges as positive numbers.
    Single { column: Column, negate: bool },
    /// Two columns: a value in `debit` is money out (made negative), a value in `credit` is
    /// money in (made positive); the sign written in them is ignored. Exactly one of the two
    /// must hold a non-zero amount.
    DebitCredit { debit: Column, credit: Column },
    /// An amount column plus an indicator column whose values say debit or credit (compared
    /// trimmed, case-insensitively). Empty value lists mean [`DEFAULT_DEBIT_VALUES`] and
    /// [`DEFAULT_CREDIT_VALUES`].
    Indicator {
        column: Column,
        indicator: Column,
        debit_values: Vec<String>,
        credit_values: Vec<String>,
    },
}

/// Indicator values that mean money out when a profile lists none (English, German S/H,
/// Dutch Af, ISO 20022 DBIT).
pub const DEFAULT_DEBIT_VALUES: &[&str] = &[
    "D",
    "DR",
    "DB",
    "DBIT",
    "DEBIT",
    "DEBET",
    "S",
    "SOLL",
    "AF",
    "OUT",
    "WITHDRAWAL",
    "-",
];
/// Indicator values that mean money in when a profile lists none.
pub const DEFAULT_CREDIT_VALUES: &[&str] = &[
    "C", "CR", "CRDT", "CREDIT", "H", "HABEN", "BIJ", "IN", "DEPOSIT", "+",
];

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AmountTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    column: Option<Column>,
    #[serde(default, skip_serializing_if = "is_false")]
    negate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    debit: Option<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credit: Option<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    indicator: Option<Column>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    debit_values: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    credit_values: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl AmountTable {
    fn into_mapping(self) -> Result<AmountMapping, String> {
        match (self.column, self.debit, self.credit, self.indicator) {
            (Some(column), None, None, None) => {
                if !self.debit_values.is_empty() || !self.credit_values.is_empty() {
                    return Err("amount: debit_values/credit_values need an indicator column".into());
                }
                Ok(AmountMapping::Single {
                    column,
                    negate: self.negate,
                })
            }
            (None, Some(debit), Some(credit), None) if !self.negate => {
                Ok(AmountMapping::DebitCredit { debit, credit })
            }
            (Some(column), None, None, Some(indicator)) if !self.negate => Ok(AmountMapping::Indicator {
                column,
                indicator,
                debit_values: self.debit_values,
                credit_values: self.credit_values,
            }),
            _ => Err("amount must be a column, or a table with `column` (and optional `negate`), \
                 or `debit` + `credit`, or `column` + `indicator` (+ `debit_values`/`credit_values`)"
                .into()),
        }
    }
}

impl Serialize for AmountMapping {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AmountMapping::Single {
                column,
                negate: false,
            } => column.serialize(s),
            AmountMapping::Single { column, negate } => AmountTable {
                column: Some(column.clone()),
                negate: *negate,
                ..Default::default()
            }
            .serialize(s),
            AmountMapping::DebitCredit { debit, credit } => AmountTable {
                debit: Some(debit.clone()),
                credit: Some(credit.clone()),
                ..Default::default()
            }
            .serialize(s),
            AmountMapping::Indicator {
                column,
                indicator,
                debit_values,
                credit_values,
            } => AmountTable {
                column: Some(column.clone()),
                indicator: Some(indicator.clone()),
                debit_values: debit_values.clone(),
                credit_values: credit_values.clone(),
                ..Default::default()
            }
            .serialize(s),
        }
    }
}

struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = AmountMapping;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an amount column, or a table (column/negate, debit+credit, column+indicator)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<AmountMapping, E> {
        Ok(AmountMapping::Single {
            column: ColumnVisitor.visit_str(v)?,
            negate: false,
        })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<AmountMapping, E> {
        Ok(AmountMapping::Single {
            column: ColumnVisitor.visit_i64(v)?,
            negate: false,
        })
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<AmountMapping, E> {
        Ok(AmountMapping::Single {
            column: ColumnVisitor.visit_u64(v)?,
            negate: false,
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AmountMapping, A::Error> {
        let table = AmountTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
        table.into_mapping().map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for AmountMapping {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AmountVisitor)
    }
}

/// The currency of the rows: one code for the whole file, or a column holding codes.
/// TOML: `currency = "EUR"` or `currency = { column = "Currency" }`.
#[derive(Clone, Debug, PartialEq)]
pub enum CurrencySource {
    Fixed(String),
    Column(Column),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CurrencyTable {
    column: Column,
}

impl Serialize for CurrencySource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CurrencySource::Fixed(c) => s.serialize_str(c),
            CurrencySource::Column(c) => CurrencyTable { column: c.clone() }.serialize(s),
        }
    }
}

struct CurrencyVisitor;

impl<'de> Visitor<'de> for CurrencyVisitor {
    type Value = CurrencySource;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a currency code such as \"EUR\", or { column = \"Currency\" }")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<CurrencySource, E> {
        recon_core::money::validate_currency_code(v)
            .map(CurrencySource::Fixed)
            .map_err(E::custom)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CurrencySource, A::Error> {
        let t = CurrencyTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(CurrencySource::Column(t.column))
    }
}

impl<'de> Deserialize<'de> for CurrencySource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CurrencyVisitor)
    }
}

fn default_delimiter() -> char {
    ','
}
fn default_quote() -> char {
    '"'
}
fn default_encoding() -> String {
    "auto".into()
}
fn default_true() -> bool {
    true
}
fn default_decimal() -> char {
    '.'
}

/// How to read one kind of CSV. Fields are documented one by one; see the module doc for a
/// complete TOML example. Unknown keys are refused so a typo never silently does nothing.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Field separator, one ASCII character: `,` `;` `\t` `|`. Default `,`.
    #[serde(default = "default_delimiter")]
    pub delimiter: char,
    /// Quote character, one ASCII character; doubled inside a quoted field. Default `"`.
    #[serde(default = "default_quote")]
    pub quote: char,
    /// Text encoding: `auto` (BOM, UTF-8, else chardetng's guess), or any WHATWG label
    /// (`utf-8`, `utf-16le`, `utf-16be`, `windows-1252`, `iso-8859-1`, `shift_jis`, …).
    /// A BOM in the file wins over the label. Default `auto`.
    #[serde(default = "default_encoding")]
    pub encoding: String,
    /// Physical lines to skip before the header (or the first row): bank metadata.
    #[serde(default)]
    pub skip_lines: usize,
    /// Whether the first record after `skip_lines` names the columns. Default true.
    #[serde(default = "default_true")]
    pub has_header: bool,
    /// The booking date column.
    pub date: Column,
    /// chrono strftime format of the date, e.g. `%d/%m/%Y`, `%Y-%m-%d`, `%d.%m.%y`.
    /// A time written after the date (`2026-04-03 10:00`, `…T10:00:00Z`) is ignored.
    pub date_format: String,
    /// The description or memo column; rows without one get an empty description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Column>,
    /// The other party's name (payee, payer, merchant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<Column>,
    /// A bank transaction id: when set and non-empty, it is the row's natural key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Column>,
    /// The running balance after the row, if the export has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Column>,
    /// Decimal separator of amounts: `.` or `,`. Default `.`.
    #[serde(default = "default_decimal")]
    pub decimal_separator: char,
    /// Thousands separator of amounts (`,` `.` `'` ` `), or absent: then the usual ones are
    /// accepted where the grouping is well formed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thousands_separator: Option<char>,
    /// The rows' currency: a fixed code or a column (see [`CurrencySource`]). Absent: the
    /// importer uses the wallet's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<CurrencySource>,
    /// Cells past the header's width are more of the line's text (some banks split a
    /// long text over extra cells): they are added to the description. Default false:
    /// a row with filled cells past the header is refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub extra_text: bool,
    /// The signed amount (see [`AmountMapping`]); last in TOML as it may be a table.
    pub amount: AmountMapping,
}

impl Profile {
    /// Parses and checks a TOML profile; errors name the key at fault.
    pub fn from_toml(text: &str) -> Result<Profile, ImportError> {
        let p: Profile = toml::from_str(text).map_err(|e| ImportError::Profile {
            message: e.to_string().trim().to_string(),
        })?;
        p.validate()?;
        Ok(p)
    }

    /// The profile as TOML text that [`Profile::from_toml`] reads back identically.
    pub fn to_toml(&self) -> String {
        // A profile only holds strings, integers, booleans and tables: serializing cannot fail.
        toml::to_string(self).unwrap_or_default()
    }

    /// Checks what serde cannot: separators, encoding label, indexes vs header.
    pub fn validate(&self) -> Result<(), ImportError> {
        let bad = |message: String| Err(ImportError::Profile { message });
        if !self.delimiter.is_ascii() || matches!(self.delimiter, '\r' | '\n') {
            return bad(format!(
                "delimiter {:?} must be one ASCII character",
                self.delimiter
            ));
        }
        if !self.quote.is_ascii() || self.quote == self.delimiter {
            return bad(format!(
                "quote {:?} must be one ASCII character other than the delimiter",
                self.quote
            ));
        }
        if !matches!(self.decimal_separator, '.' | ',') {
            return bad(format!(
                "decimal_separator {:?} must be '.' or ','",
                self.decimal_separator
            ));
        }
        if self.thousands_separator == Some(self.decimal_separator) {
            return bad("thousands_separator equals decimal_separator".into());
        }
        if self.date_format.trim().is_empty() {
            return bad("date_format is empty".into());
        }
        crate::decode::encoding_for_label(&self.encoding)?;
        if !self.has_header {
            for col in self.columns() {
                if let Column::Name(n) = col {
                    return bad(format!(
                        "column '{n}' is named but has_header = false: use a 1-based index"
                    ));
                }
            }
        }
        if let AmountMapping::DebitCredit { debit, credit } = &self.amount {
            if debit == credit {
                return bad("amount: debit and credit are the same column".into());
            }
        }
        Ok(())
    }

    fn columns(&self) -> Vec<&Column> {
        let mut v = vec![&self.date];
        match &self.amount {
            AmountMapping::Single { column, .. } => v.push(column),
            AmountMapping::DebitCredit { debit, credit } => {
                v.push(debit);
                v.push(credit)
            }
            AmountMapping::Indicator {
                column, indicator, ..
            } => {
                v.push(column);
                v.push(indicator)
            }
        }
        for c in [
            &self.description,
            &self.counterparty,
            &self.reference,
            &self.balance,
        ]
        .into_iter()
        .flatten()
        {
            v.push(c);
        }
        if let Some(CurrencySource::Column(c)) = &self.currency {
            v.push(c);
        }
        v
    }
}
