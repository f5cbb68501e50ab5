//! One record mapped to a [`ParsedRow`] through the resolved profile, or the cell at fault.

use super::dates::DateFormat;
use super::mapping::{Resolved, ResolvedAmount, ResolvedCurrency};
use crate::records::Record;
use crate::{parse_amount, ParsedRow};
use rust_decimal::Decimal;

pub(super) struct RowError {
    pub(super) column: Option<usize>,
    pub(super) value: String,
    pub(super) reason: String,
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
        trim(rec.field(i))
    } else {
        ""
    }
}

/// `str::trim`, answering at once for the usual cell that starts and ends with a visible
/// ASCII character.
#[inline]
fn trim(s: &str) -> &str {
    let visible =
        |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !char::from(b).is_whitespace());
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// A currency column's code, upper-cased and checked by recon-core.
fn currency_code(t: &str) -> Result<String, String> {
    // Upper-cased only when it has to be: most files already write `EUR`.
    let code = if t.bytes().any(|b| b.is_ascii_lowercase()) || !t.is_ascii() {
        std::borrow::Cow::Owned(t.to_uppercase())
    } else {
        std::borrow::Cow::Borrowed(t)
    };
    recon_core::money::validate_currency_code(&code).map_err(|e| e.to_string())
}

/// An empty cell or a dash stands for "nothing" in debit/credit columns.
fn is_nothing(s: &str) -> bool {
    s.is_empty() || s == "-" || s == "–"
}

pub(super) fn map_row(
    rec: &Record,
    p: &crate::Profile,
    r: &Resolved,
    date_format: &DateFormat,
) -> Result<ParsedRow, RowError> {
    let dec = p.decimal_separator;
    let th = p.thousands_separator;
    let date_text = cell(rec, r.date);
    let date = date_format
        .parse(date_text)
        .map_err(|e| err(r.date, date_text, e))?;
    let amount = amount(rec, r, dec, th)?;
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
                Some(currency_code(t).map_err(|e| err(*i, t, e))?)
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

/// The row's signed amount under the profile's amount mapping.
#[inline]
fn amount(rec: &Record, r: &Resolved, dec: char, th: Option<char>) -> Result<Decimal, RowError> {
    Ok(match &r.amount {
        ResolvedAmount::Single(i, negate) => {
            let t = cell(rec, *i);
            let v = parse_amount(t, dec, th).map_err(|e| err(*i, t, e))?;
            if *negate {
                -v
            } else {
                v
            }
        }
        ResolvedAmount::DebitCredit(d, c) => debit_credit(rec, r, (*d, *c), dec, th)?,
        ResolvedAmount::Indicator(a, ind, debits, credits) => {
            indicator(rec, (*a, *ind), (debits, credits), dec, th)?
        }
    })
}

/// Debit and credit columns: exactly one of them holds the amount.
fn debit_credit(
    rec: &Record,
    r: &Resolved,
    (d, c): (usize, usize),
    dec: char,
    th: Option<char>,
) -> Result<Decimal, RowError> {
    let dt = cell(rec, d);
    let ct = cell(rec, c);
    let dv = if is_nothing(dt) {
        None
    } else {
        Some(parse_amount(dt, dec, th).map_err(|e| err(d, dt, e))?)
    };
    let cv = if is_nothing(ct) {
        None
    } else {
        Some(parse_amount(ct, dec, th).map_err(|e| err(c, ct, e))?)
    };
    // a zero in the unused column is how some banks write "nothing"
    let dv = dv.filter(|v| !v.is_zero() || cv.is_none_or(|c| c.is_zero()));
    let cv = cv.filter(|v| !v.is_zero() || dv.is_none());
    match (dv, cv) {
        (Some(d), None) => Ok(-d.abs()),
        (None, Some(c)) => Ok(c.abs()),
        (Some(_), Some(_)) => Err(err(
            d,
            &format!("{dt} | {ct}"),
            format!(
                "both debit ({}) and credit ({}) hold an amount",
                r.name(d),
                r.name(c)
            ),
        )),
        (None, None) => Err(err(
            d,
            "",
            format!(
                "neither debit ({}) nor credit ({}) holds an amount",
                r.name(d),
                r.name(c)
            ),
        )),
    }
}

/// An unsigned amount and an indicator column saying debit or credit.
fn indicator(
    rec: &Record,
    (a, ind): (usize, usize),
    (debits, credits): (&[String], &[String]),
    dec: char,
    th: Option<char>,
) -> Result<Decimal, RowError> {
    let t = cell(rec, a);
    let v = parse_amount(t, dec, th).map_err(|e| err(a, t, e))?;
    let it = cell(rec, ind);
    let key = it.to_uppercase();
    if debits.contains(&key) {
        Ok(-v.abs())
    } else if credits.contains(&key) {
        Ok(v.abs())
    } else {
        Err(err(
            ind,
            it,
            format!(
                "'{it}' is neither a debit ({}) nor a credit ({}) indicator",
                debits.join("/"),
                credits.join("/")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_trim_and_currencies_check_as_before() {
        let cells = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "EUR",
            "eur",
            "Eur",
            "ß",
            "ẞAB",
            "ÄÖÜ",
            "usd1",
            "USD1",
            "EU",
            "EURO1234",
            "EURO12345",
            "E R",
            "\u{a0}x\u{a0}",
            "x\u{85}",
            "\u{2003}",
            "\u{b}x\u{b}",
            "\u{1c}x\u{1f}",
            "€",
            "ﬀ€",
            "a\u{3000}",
            "💶",
            "1EUR",
        ];
        for c in cells {
            assert_eq!(trim(c), c.trim(), "{c:?}");
            let slow = recon_core::money::validate_currency_code(&c.to_uppercase())
                .map_err(|e| e.to_string());
            assert_eq!(currency_code(c), slow, "{c:?}");
        }
        for b in 0..=127u8 {
            let c = char::from(b);
            for s in [
                format!("{c}"),
                format!("{c}x"),
                format!("x{c}"),
                format!("{c}EU{c}"),
            ] {
                assert_eq!(trim(&s), s.trim(), "{s:?}");
                let slow = recon_core::money::validate_currency_code(&s.to_uppercase())
                    .map_err(|e| e.to_string());
                assert_eq!(currency_code(&s), slow, "{s:?}");
            }
        }
    }
}
