//! One record mapped to a [`ParsedRow`] through the resolved profile, or the cell at fault.

use super::dates::DateFormat;
use super::mapping::{Resolved, ResolvedAmount, ResolvedCurrency};
use crate::amount::{parse_amount_in, RowCurrency};
use crate::records::Record;
use crate::ParsedRow;
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

/// How a row's amount cells read: the profile's separators, and the currency a mark
/// written in them (`12,50 USD`, `$5`) must name.
struct Cells<'a> {
    dec: char,
    th: Option<char>,
    currency: Option<RowCurrency<'a>>,
    /// The one currency the marks named, when the row's was not known.
    claimed: std::cell::RefCell<Option<String>>,
}

impl Cells<'_> {
    fn amount(&self, i: usize, t: &str) -> Result<Decimal, RowError> {
        let (value, claimed) =
            parse_amount_in(t, self.dec, self.th, self.currency).map_err(|e| err(i, t, e))?;
        if claimed.is_some() {
            *self.claimed.borrow_mut() = claimed;
        }
        Ok(value)
    }
}

pub(super) fn map_row(
    rec: &Record,
    p: &crate::Profile,
    r: &Resolved,
    date_format: &DateFormat,
    wallet_currency: Option<&str>,
) -> Result<ParsedRow, RowError> {
    let date_text = cell(rec, r.date);
    let date = date_format
        .parse(date_text)
        .map_err(|e| err(r.date, date_text, e))?;
    let (currency, whose) = match &r.currency {
        None => (None, "the wallet"),
        Some(ResolvedCurrency::Fixed(c)) => (Some(c.clone()), "the profile"),
        Some(ResolvedCurrency::Column(i)) => {
            let t = cell(rec, *i);
            if t.is_empty() {
                (None, "the wallet")
            } else {
                let code = currency_code(t).map_err(|e| err(*i, t, e))?;
                (Some(code), "the currency column")
            }
        }
    };
    let cells = Cells {
        dec: p.decimal_separator,
        th: p.thousands_separator,
        currency: currency
            .as_deref()
            .or(wallet_currency)
            .map(|code| RowCurrency { code, whose }),
        claimed: Default::default(),
    };
    let amount = amount(rec, r, &cells)?;
    let balance = match r.balance {
        Some(i) if !is_nothing(cell(rec, i)) => Some(cells.amount(i, cell(rec, i))?),
        _ => None,
    };
    // Free text: a control character (a NUL, an escape) other than tab and line breaks
    // would be stored and then sent on; the row is refused naming the cell.
    let text = |i: Option<usize>| -> Result<Option<String>, RowError> {
        let Some(i) = i else { return Ok(None) };
        let t = cell(rec, i);
        recon_core::untrusted::check_free_text(t).map_err(|why| err(i, t, why))?;
        Ok(Some(t.to_string()).filter(|s| !s.is_empty()))
    };
    let description = text(r.description)?.unwrap_or_default();
    let counterparty = text(r.counterparty)?;
    let reference = text(r.reference)?;
    let claimed = cells.claimed.into_inner();
    Ok(ParsedRow {
        line: rec.line,
        date,
        amount,
        currency: currency.or(claimed),
        description,
        counterparty,
        reference,
        balance,
        value_date: None,
        raw: rec.raw(),
    })
}

/// The row's signed amount under the profile's amount mapping.
#[inline]
fn amount(rec: &Record, r: &Resolved, cells: &Cells) -> Result<Decimal, RowError> {
    Ok(match &r.amount {
        ResolvedAmount::Single(i, negate) => {
            let v = cells.amount(*i, cell(rec, *i))?;
            if *negate {
                -v
            } else {
                v
            }
        }
        ResolvedAmount::DebitCredit(d, c) => debit_credit(rec, r, (*d, *c), cells)?,
        ResolvedAmount::Indicator(a, ind, debits, credits) => {
            indicator(rec, (*a, *ind), (debits, credits), cells)?
        }
    })
}

/// Debit and credit columns: exactly one of them holds the amount.
fn debit_credit(
    rec: &Record,
    r: &Resolved,
    (d, c): (usize, usize),
    cells: &Cells,
) -> Result<Decimal, RowError> {
    let dt = cell(rec, d);
    let ct = cell(rec, c);
    let dv = if is_nothing(dt) {
        None
    } else {
        Some(cells.amount(d, dt)?)
    };
    let cv = if is_nothing(ct) {
        None
    } else {
        Some(cells.amount(c, ct)?)
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
    cells: &Cells,
) -> Result<Decimal, RowError> {
    let v = cells.amount(a, cell(rec, a))?;
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
