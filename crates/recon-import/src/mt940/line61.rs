//! The `:61:` statement line and the balances (`:60F:`, `:62F:`): dates, marks, amounts,
//! references.

use crate::parse_amount;
use crate::statement::{row_err, RowErr};
use chrono::NaiveDate;
use rust_decimal::Decimal;

pub(super) fn yymmdd(s: &str) -> Option<NaiveDate> {
    let (year, month, day) = yymmdd_parts(s)?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Year (1980–2079), month and day as written, even when they make no date (30 February).
fn yymmdd_parts(s: &str) -> Option<(i32, u32, u32)> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = s[..2].parse().ok()?;
    let year = if yy < 80 { 2000 + yy } else { 1900 + yy };
    Some((year, s[2..4].parse().ok()?, s[4..6].parse().ok()?))
}

/// `C230131EUR1234,56` → (signed amount, currency). Text after the amount on the same
/// line (a trailer some banks write, such as `-}`) is ignored.
pub(super) fn balance(value: &str) -> Option<(Decimal, String)> {
    let v = value.lines().next().unwrap_or("").trim();
    let mark = v.get(..1)?;
    yymmdd(v.get(1..7)?)?;
    let ccy = v.get(7..10)?.to_string();
    let rest = v.get(10..)?;
    let len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(rest.len());
    let amount = swift_amount(&rest[..len]).ok()?;
    match mark {
        "C" => Some((amount, ccy)),
        "D" => Some((-amount, ccy)),
        _ => None,
    }
}

/// SWIFT amounts: decimal comma, and a whole amount keeps its comma (`300,`).
fn swift_amount(s: &str) -> Result<Decimal, String> {
    parse_amount(s.strip_suffix(',').unwrap_or(s), ',', None)
}

pub(super) struct Line61 {
    /// The booking (entry) date when the line has one, else the value date.
    pub date: NaiveDate,
    pub amount: Decimal,
    /// The bank's own reference (after `//`): the line's identity. The customer reference
    /// before it is the account owner's (often `NONREF`, an IBAN or an invoice number).
    pub bank_ref: String,
    pub supplementary: String,
    /// `YYYY-MM-DD`, or its `YYMMDD` as written when it is no date (a bank's 30 February:
    /// the line is dated by its booking date and the reader notes it).
    pub value_date: String,
}

/// `YYMMDD` value date, optional `MMDD` entry date, `C`/`D`/`RC`/`RD`, optional funds code:
/// what comes before the amount. A line broken right after it joins the next line.
fn head_len(first: &str) -> usize {
    let mut rest = first.get(6..).unwrap_or("");
    if rest.starts_with("    ") {
        rest = &rest[4..];
    }
    if rest.len() >= 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        rest = &rest[4..];
    }
    for mark in ["RC", "RD", "C", "D"] {
        if let Some(r) = rest.strip_prefix(mark) {
            rest = r;
            break;
        }
    }
    if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        rest = &rest[1..];
    }
    first.len() - rest.len()
}

/// `:61:YYMMDD[MMDD]{C|D|RC|RD}[funds]amount{N|F|S}xxx customer-ref[//bank-ref][\nsupplementary]`
pub(super) fn line61(value: &str) -> Result<Line61, RowErr> {
    let joined;
    let value = match value.split_once('\n') {
        // "…1126CR" then "30,00N062NONREF": the amount went to the next line
        Some((a, b)) if a.trim_end().len() == head_len(a.trim_end()) && a.trim().len() >= 6 => {
            joined = format!("{}{}", a.trim_end(), b.trim_start());
            joined.as_str()
        }
        _ => value,
    };
    let (first, supplementary) = match value.split_once('\n') {
        Some((a, b)) => (a.trim(), b.trim().to_string()),
        None => (value.trim(), String::new()),
    };
    let bad = |why: &str| row_err(":61:", first, why.to_string());
    let value_text = first.get(..6).unwrap_or("");
    let (vy, vm, vd) = yymmdd_parts(value_text).ok_or_else(|| bad("no YYMMDD value date"))?;
    let value_date = NaiveDate::from_ymd_opt(vy, vm, vd);
    let mut rest = &first[6..];
    // some banks pad a missing entry date with spaces
    if rest.starts_with("    ") {
        rest = &rest[4..];
    }
    let mut booking = None;
    if rest.len() >= 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        let (mm, dd) = (
            rest[..2].parse::<u32>().unwrap_or(0),
            rest[2..4].parse::<u32>().unwrap_or(0),
        );
        // the booking date's year is the value date's, across a year end
        let mut year = vy;
        if mm == 12 && vm == 1 {
            year -= 1;
        } else if mm == 1 && vm == 12 {
            year += 1;
        }
        booking =
            Some(NaiveDate::from_ymd_opt(year, mm, dd).ok_or_else(|| bad("bad MMDD entry date"))?);
        rest = &rest[4..];
    }
    let date = match (booking, value_date) {
        (Some(b), _) => b,
        (None, Some(v)) => v,
        (None, None) => {
            return Err(bad(
                "the value date is not a date and there is no entry date",
            ))
        }
    };
    let value_date = value_date.map_or_else(|| value_text.to_string(), |v| v.to_string());
    let (negative, after) = if let Some(r) = rest.strip_prefix("RC") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("RD") {
        (false, r)
    } else if let Some(r) = rest.strip_prefix('C') {
        (false, r)
    } else if let Some(r) = rest.strip_prefix('D') {
        (true, r)
    } else {
        return Err(bad("debit/credit mark must be C, D, RC or RD"));
    };
    // optional funds code: a letter before the amount
    let after = match after.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => &after[1..],
        _ => after,
    };
    let amount_len = after
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(after.len());
    let amount_text = &after[..amount_len];
    let amount = swift_amount(amount_text).map_err(|e| row_err(":61:", amount_text, e))?;
    let amount = if negative { -amount } else { amount };
    // transaction type: N/F/S + 3 characters
    let refs = after[amount_len..].get(4..).unwrap_or("");
    let bank_ref = match refs.split_once("//") {
        Some((_, b)) => b.trim().to_string(),
        None => String::new(),
    };
    Ok(Line61 {
        date,
        amount,
        bank_ref,
        supplementary,
        value_date,
    })
}
