//! Reading a CSV through a [`Profile`], streaming.

use crate::decode::{encoding_for_label, encoding_name, DecodingReader};
use crate::profile::{
    AmountMapping, Column, CurrencySource, DEFAULT_CREDIT_VALUES, DEFAULT_DEBIT_VALUES,
};
use crate::records::{Record, RecordReader};
use crate::{
    parse_amount, FileSummary, Format, ImportError, ParsedRow, ReadError, Reject, RowResult,
};
use chrono::NaiveDate;
use std::io::Read;

/// `" 10:00"`, `"T10:00:00Z"`, `", 08:26"`: a time after a date.
fn is_time(rest: &str) -> bool {
    let r = rest.trim_start_matches([' ', 'T', 't', ',']);
    r.len() < rest.len()
        && r.starts_with(|c: char| c.is_ascii_digit())
        && r.chars().take(6).any(|c| c == ':')
}

/// Parses a date with a chrono format; a time after the date (`… 10:00`, `…T10:00:00Z`) is
/// allowed and ignored, anything else left over is an error.
pub fn parse_date(text: &str, format: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty date".into());
    }
    match NaiveDate::parse_and_remainder(t, format) {
        Ok((d, rest)) if rest.is_empty() || is_time(rest) => Ok(d),
        Ok(_) => Err(format!("'{t}' has text after a {format} date")),
        Err(e) => Err(format!("'{t}' is not a {format} date ({e})")),
    }
}

struct Resolved {
    date: usize,
    amount: ResolvedAmount,
    description: Option<usize>,
    counterparty: Option<usize>,
    reference: Option<usize>,
    balance: Option<usize>,
    currency: Option<ResolvedCurrency>,
    names: Vec<String>,
}

enum ResolvedAmount {
    Single(usize, bool),
    DebitCredit(usize, usize),
    Indicator(usize, usize, Vec<String>, Vec<String>),
}

enum ResolvedCurrency {
    Fixed(String),
    Column(usize),
}

fn resolve(col: &Column, header: Option<&[String]>) -> Result<usize, ImportError> {
    match (col, header) {
        (Column::Index(i), _) => Ok(i - 1),
        (Column::Name(n), Some(h)) => {
            let want = n.trim().to_lowercase();
            h.iter()
                .position(|x| x.trim().to_lowercase() == want)
                .ok_or_else(|| ImportError::MissingColumn {
                    column: format!("'{n}'"),
                    available: h
                        .iter()
                        .map(|x| format!("'{x}'"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        }
        (Column::Name(n), None) => Err(ImportError::Profile {
            message: format!("column '{n}' is named but the file has no header"),
        }),
    }
}

fn upper_list(values: &[String], defaults: &[&str]) -> Vec<String> {
    if values.is_empty() {
        defaults.iter().map(|s| s.to_string()).collect()
    } else {
        values.iter().map(|s| s.trim().to_uppercase()).collect()
    }
}

impl Resolved {
    fn new(
        p: &crate::Profile,
        header: Option<&[String]>,
        width: usize,
    ) -> Result<Self, ImportError> {
        let r = |c: &Column| resolve(c, header);
        let opt = |c: &Option<Column>| c.as_ref().map(r).transpose();
        let amount = match &p.amount {
            AmountMapping::Single { column, negate } => ResolvedAmount::Single(r(column)?, *negate),
            AmountMapping::DebitCredit { debit, credit } => {
                ResolvedAmount::DebitCredit(r(debit)?, r(credit)?)
            }
            AmountMapping::Indicator {
                column,
                indicator,
                debit_values,
                credit_values,
            } => ResolvedAmount::Indicator(
                r(column)?,
                r(indicator)?,
                upper_list(debit_values, DEFAULT_DEBIT_VALUES),
                upper_list(credit_values, DEFAULT_CREDIT_VALUES),
            ),
        };
        let names = match header {
            Some(h) => h
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    if n.trim().is_empty() {
                        format!("column {}", i + 1)
                    } else {
                        n.trim().to_string()
                    }
                })
                .collect(),
            None => (1..=width).map(|i| format!("column {i}")).collect(),
        };
        Ok(Self {
            date: r(&p.date)?,
            amount,
            description: opt(&p.description)?,
            counterparty: opt(&p.counterparty)?,
            reference: opt(&p.reference)?,
            balance: opt(&p.balance)?,
            currency: match &p.currency {
                None => None,
                Some(CurrencySource::Fixed(c)) => Some(ResolvedCurrency::Fixed(c.clone())),
                Some(CurrencySource::Column(c)) => Some(ResolvedCurrency::Column(r(c)?)),
            },
            names,
        })
    }

    fn name(&self, i: usize) -> String {
        self.names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1))
    }
}

struct RowError {
    column: Option<usize>,
    value: String,
    reason: String,
}

fn err(column: usize, value: &str, reason: String) -> RowError {
    RowError {
        column: Some(column),
        value: value.to_string(),
        reason,
    }
}

fn cell(rec: &Record, i: usize) -> &str {
    if i < rec.len() {
        rec.field(i).trim()
    } else {
        ""
    }
}

/// An empty cell or a dash stands for "nothing" in debit/credit columns.
fn is_nothing(s: &str) -> bool {
    s.is_empty() || s == "-" || s == "–"
}

fn map_row(rec: &Record, p: &crate::Profile, r: &Resolved) -> Result<ParsedRow, RowError> {
    let dec = p.decimal_separator;
    let th = p.thousands_separator;
    let date_text = cell(rec, r.date);
    let date = parse_date(date_text, &p.date_format).map_err(|e| err(r.date, date_text, e))?;
    let amount = match &r.amount {
        ResolvedAmount::Single(i, negate) => {
            let t = cell(rec, *i);
            let v = parse_amount(t, dec, th).map_err(|e| err(*i, t, e))?;
            if *negate {
                -v
            } else {
                v
            }
        }
        ResolvedAmount::DebitCredit(d, c) => {
            let dt = cell(rec, *d);
            let ct = cell(rec, *c);
            let dv = if is_nothing(dt) {
                None
            } else {
                Some(parse_amount(dt, dec, th).map_err(|e| err(*d, dt, e))?)
            };
            let cv = if is_nothing(ct) {
                None
            } else {
                Some(parse_amount(ct, dec, th).map_err(|e| err(*c, ct, e))?)
            };
            // a zero in the unused column is how some banks write "nothing"
            let dv = dv.filter(|v| !v.is_zero() || cv.is_none_or(|c| c.is_zero()));
            let cv = cv.filter(|v| !v.is_zero() || dv.is_none());
            match (dv, cv) {
                (Some(d), None) => -d.abs(),
                (None, Some(c)) => c.abs(),
                (Some(_), Some(_)) => {
                    return Err(err(
                        *d,
                        &format!("{dt} | {ct}"),
                        format!(
                            "both debit ({}) and credit ({}) hold an amount",
                            r.name(*d),
                            r.name(*c)
                        ),
                    ))
                }
                (None, None) => {
                    return Err(err(
                        *d,
                        "",
                        format!(
                            "neither debit ({}) nor credit ({}) holds an amount",
                            r.name(*d),
                            r.name(*c)
                        ),
                    ))
                }
            }
        }
        ResolvedAmount::Indicator(a, ind, debits, credits) => {
            let t = cell(rec, *a);
            let v = parse_amount(t, dec, th).map_err(|e| err(*a, t, e))?;
            let it = cell(rec, *ind);
            let key = it.to_uppercase();
            if debits.contains(&key) {
                -v.abs()
            } else if credits.contains(&key) {
                v.abs()
            } else {
                return Err(err(
                    *ind,
                    it,
                    format!(
                        "'{it}' is neither a debit ({}) nor a credit ({}) indicator",
                        debits.join("/"),
                        credits.join("/")
                    ),
                ));
            }
        }
    };
    let balance = match r.balance {
        Some(i) if !is_nothing(cell(rec, i)) => {
            let t = cell(rec, i);
            Some(parse_amount(t, dec, th).map_err(|e| err(i, t, e))?)
        }
        _ => None,
    };
    let currency = match &r.currency {
        None => None,
        Some(ResolvedCurrency::Fixed(c)) => Some(c.clone()),
        Some(ResolvedCurrency::Column(i)) => {
            let t = cell(rec, *i);
            if t.is_empty() {
                None
            } else {
                let code = t.to_uppercase();
                Some(
                    recon_core::money::validate_currency_code(&code)
                        .map_err(|e| err(*i, t, e.to_string()))?,
                )
            }
        }
    };
    let text = |i: Option<usize>| {
        i.map(|i| cell(rec, i).to_string())
            .filter(|s| !s.is_empty())
    };
    Ok(ParsedRow {
        line: rec.line,
        date,
        amount,
        currency,
        description: text(r.description).unwrap_or_default(),
        counterparty: text(r.counterparty),
        reference: text(r.reference),
        balance,
        raw: rec.raw(),
    })
}

/// Streams a CSV through `profile`, calling `on_row` for every row in order (an `on_row`
/// error stops the read and is returned as [`ReadError::Callback`]). Memory stays flat:
/// one record at a time, each at most [`crate::records::MAX_RECORD_BYTES`].
///
/// Rejects (the read goes on): a row with fewer fields than the header (more is accepted when
/// the extra fields are empty), invalid bytes in the encoding, an unparseable date, amount,
/// balance or currency, debit and credit both or neither filled, an unknown indicator.
/// Errors (the read stops): unknown encoding, a mapped column missing from the header, a
/// record longer than the cap, an I/O error.
pub fn read_csv<R: Read, E>(
    reader: R,
    profile: &crate::Profile,
    mut on_row: impl FnMut(RowResult) -> Result<(), E>,
) -> Result<FileSummary, ReadError<E>> {
    profile.validate()?;
    let enc = encoding_for_label(&profile.encoding)?;
    let decoder = DecodingReader::new(reader, enc)?;
    let mut rr = RecordReader::new(decoder, profile.delimiter as u8, profile.quote as u8);
    rr.skip_lines(profile.skip_lines)?;
    let mut rec = Record::default();
    let mut summary = FileSummary {
        format: Format::Csv,
        encoding: String::new(),
        read: 0,
        rejected: 0,
        statement: None,
        notes: Vec::new(),
    };
    let mut first_data: Option<Record> = None;
    let (resolved, width) = if profile.has_header {
        let mut found = false;
        while rr.next_record(&mut rec)? {
            if !rec.is_blank() {
                found = true;
                break;
            }
        }
        if !found {
            summary.encoding = encoding_name(rr.source().encoding());
            return Err(ImportError::NoHeader.into());
        }
        let header: Vec<String> = rec
            .fields()
            .enumerate()
            .map(|(i, f)| {
                let f = f.trim();
                if i == 0 {
                    f.trim_start_matches('\u{FEFF}').to_string()
                } else {
                    f.to_string()
                }
            })
            .collect();
        (
            Resolved::new(profile, Some(&header), header.len())?,
            header.len(),
        )
    } else {
        // headerless: the first row sets the expected width
        let mut width = 0;
        while rr.next_record(&mut rec)? {
            if !rec.is_blank() {
                width = rec.len();
                first_data = Some(rec.clone());
                break;
            }
        }
        (Resolved::new(profile, None, width)?, width)
    };
    let mut handle = |rec: &Record, summary: &mut FileSummary| -> Result<(), ReadError<E>> {
        summary.read += 1;
        let result = if rec.malformed {
            Err(RowError {
                column: None,
                value: String::new(),
                reason: format!("invalid bytes for encoding {}", summary.encoding),
            })
        } else if rec.unterminated_quote {
            Err(RowError {
                column: None,
                value: String::new(),
                reason: "a quoted field is not closed before the end of the file".into(),
            })
        } else if rec.len() < width
            || (rec.len() > width && (width..rec.len()).any(|i| !rec.field(i).trim().is_empty()))
        {
            Err(RowError {
                column: None,
                value: String::new(),
                reason: format!("expected {width} fields, found {}", rec.len()),
            })
        } else {
            map_row(rec, profile, &resolved)
        };
        let out = match result {
            Ok(row) => RowResult::Row(row),
            Err(e) => {
                summary.rejected += 1;
                RowResult::Reject(Reject {
                    line: rec.line,
                    column: e.column.map(|i| resolved.name(i)),
                    raw_value: e.value,
                    reason: e.reason,
                    raw: rec.raw(),
                })
            }
        };
        on_row(out).map_err(ReadError::Callback)
    };
    summary.encoding = encoding_name(rr.source().encoding());
    if let Some(first) = first_data {
        handle(&first, &mut summary)?;
    }
    while rr.next_record(&mut rec)? {
        if rec.is_blank() && !rec.malformed {
            continue;
        }
        handle(&rec, &mut summary)?;
    }
    Ok(summary)
}
