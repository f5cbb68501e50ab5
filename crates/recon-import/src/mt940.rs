//! SWIFT MT940: `:20:` statements, `:25:` account, `:60F:`/`:60M:` opening, `:61:` lines with
//! `:86:` details, `:62F:`/`:62M:` closing. The SWIFT envelope (`{1:…}{4:`) is tolerated.
//! Structured `:86:` details are understood in the German `?20`/`?32` form and the Dutch
//! `/NAME/…/REMI/…` form.

use crate::statement::{row_err, Emitter, RowData, RowErr};
use crate::{parse_amount, ImportError, ReadError};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

struct Field {
    tag: String,
    value: String,
    start: usize,
    end: usize,
}

/// Splits the text into tagged fields; continuation lines join their field.
fn fields(text: &str) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    let mut offset = 0;
    for raw_line in text.split_inclusive(['\n']) {
        let line_start = offset;
        offset += raw_line.len();
        let mut line = raw_line.trim_end_matches(['\r', '\n']);
        // SWIFT envelope: "{1:F01...}{2:...}{4:" prefixes and "-}" trailers
        if let Some(i) = line.find("{4:") {
            line = &line[i + 3..];
        }
        let trimmed = line.trim();
        let terminator = trimmed == "-" || trimmed.starts_with("-}");
        if trimmed.is_empty()
            || terminator
            || trimmed.starts_with("{1:")
            || trimmed.starts_with("{5:")
        {
            if let Some(f) = out.last_mut() {
                if terminator {
                    f.end = line_start;
                }
            }
            continue;
        }
        let tag = tag_of(line);
        match tag {
            Some(tag) => out.push(Field {
                value: line[tag.len() + 2..].to_string(),
                tag: tag.to_string(),
                start: line_start,
                end: offset,
            }),
            None => {
                if let Some(f) = out.last_mut() {
                    f.value.push('\n');
                    f.value.push_str(line);
                    f.end = offset;
                }
            }
        }
    }
    out
}

/// A line starting with a field tag such as `:20:`, `:61:` or `:60F:`.
pub(crate) fn is_tag_line(line: &str) -> bool {
    tag_of(line.trim_start()).is_some()
}

/// `:61:` → `61`; only tags of 2 digits and an optional letter count.
fn tag_of(line: &str) -> Option<&str> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = &rest[..end];
    let b = tag.as_bytes();
    let ok = (2..=3).contains(&b.len())
        && b[0].is_ascii_digit()
        && b[1].is_ascii_digit()
        && (b.len() == 2 || b[2].is_ascii_alphabetic());
    ok.then_some(tag)
}

fn yymmdd(s: &str) -> Option<NaiveDate> {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = s[..2].parse().ok()?;
    let year = if yy < 80 { 2000 + yy } else { 1900 + yy };
    NaiveDate::from_ymd_opt(year, s[2..4].parse().ok()?, s[4..6].parse().ok()?)
}

/// `C230131EUR1234,56` → (signed amount, currency).
fn balance(value: &str) -> Option<(Decimal, String)> {
    let v = value.trim();
    let mark = v.get(..1)?;
    yymmdd(v.get(1..7)?)?;
    let ccy = v.get(7..10)?.to_string();
    let amount = swift_amount(v.get(10..)?).ok()?;
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

struct Line61 {
    date: NaiveDate,
    amount: Decimal,
    customer_ref: String,
    bank_ref: String,
    supplementary: String,
}

/// `:61:YYMMDD[MMDD]{C|D|RC|RD}[funds]amount{N|F|S}xxx customer-ref[//bank-ref][\nsupplementary]`
fn line61(value: &str) -> Result<Line61, RowErr> {
    let (first, supplementary) = match value.split_once('\n') {
        Some((a, b)) => (a.trim(), b.trim().to_string()),
        None => (value.trim(), String::new()),
    };
    let bad = |why: &str| row_err(":61:", first, why.to_string());
    let value_date = first
        .get(..6)
        .and_then(yymmdd)
        .ok_or_else(|| bad("no YYMMDD value date"))?;
    let mut rest = &first[6..];
    let mut date = value_date;
    // some banks pad a missing entry date with spaces
    if rest.starts_with("    ") {
        rest = &rest[4..];
    }
    if rest.len() >= 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        let (mm, dd) = (
            rest[..2].parse::<u32>().unwrap_or(0),
            rest[2..4].parse::<u32>().unwrap_or(0),
        );
        // the booking date's year is the value date's, across a year end
        let mut year = value_date.year();
        if mm == 12 && value_date.month() == 1 {
            year -= 1;
        } else if mm == 1 && value_date.month() == 12 {
            year += 1;
        }
        date = NaiveDate::from_ymd_opt(year, mm, dd).ok_or_else(|| bad("bad MMDD entry date"))?;
        rest = &rest[4..];
    }
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
    let (customer_ref, bank_ref) = match refs.split_once("//") {
        Some((c, b)) => (c.trim().to_string(), b.trim().to_string()),
        None => (refs.trim().to_string(), String::new()),
    };
    Ok(Line61 {
        date,
        amount,
        customer_ref,
        bank_ref,
        supplementary,
    })
}

/// (description, counterparty) from `:86:`.
fn details(info: &str) -> (String, Option<String>) {
    let flat: String = info.split('\n').collect::<Vec<_>>().join("");
    // German structured: "166?00GUTSCHRIFT?20text?21text?32Name"
    if flat.len() > 4
        && flat.as_bytes()[..3].iter().all(u8::is_ascii_digit)
        && flat[3..].starts_with('?')
    {
        let sep = '?';
        let mut purpose = String::new();
        let mut posting = String::new();
        let mut name = String::new();
        for part in flat[3..].split(sep).skip(1) {
            let (code, text) = (part.get(..2).unwrap_or(""), part.get(2..).unwrap_or(""));
            match code {
                "00" => posting.push_str(text),
                "20" | "21" | "22" | "23" | "24" | "25" | "26" | "27" | "28" | "29" | "60"
                | "61" | "62" | "63" => purpose.push_str(text),
                "32" | "33" => name.push_str(text),
                _ => {}
            }
        }
        let description = if purpose.trim().is_empty() {
            posting
        } else {
            purpose
        };
        let name = name.trim().to_string();
        return (
            description.trim().to_string(),
            (!name.is_empty()).then_some(name),
        );
    }
    // Dutch/SEPA structured: "/TRTP/SEPA OVERBOEKING/IBAN/.../NAME/Jan/REMI/text/EREF/..."
    if flat.contains("/NAME/") || flat.contains("/REMI/") {
        let get = |key: &str| -> Option<String> {
            let i = flat.find(key)? + key.len();
            let rest = &flat[i..];
            // a value ends at the next "/XXXX/" key
            let end = rest
                .match_indices('/')
                .map(|(j, _)| j)
                .find(|&j| {
                    let k = &rest[j + 1..];
                    let len = k.find('/').unwrap_or(usize::MAX);
                    (2..=5).contains(&len) && k[..len].bytes().all(|b| b.is_ascii_uppercase())
                })
                .unwrap_or(rest.len());
            Some(rest[..end].trim().to_string()).filter(|s| !s.is_empty())
        };
        let name = get("/NAME/");
        let remi = get("/REMI/").map(|r| r.trim_start_matches("USTD//").to_string());
        return (
            remi.unwrap_or_else(|| info.replace('\n', " ").trim().to_string()),
            name,
        );
    }
    (
        info.split('\n')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
            .trim()
            .to_string(),
        None,
    )
}

struct Pending {
    start: usize,
    end: usize,
    line: Result<Line61, RowErr>,
    info: Option<String>,
}

fn build(p: &Pending, currency: &Option<String>) -> Result<RowData, RowErr> {
    let l = p
        .line
        .as_ref()
        .map_err(|e| row_err(e.field, &e.value, e.reason.clone()))?;
    let (description, counterparty) = match &p.info {
        Some(i) => details(i),
        None => (l.supplementary.clone(), None),
    };
    let reference = [&l.bank_ref, &l.customer_ref]
        .into_iter()
        .find(|r| !r.is_empty() && !r.eq_ignore_ascii_case("NONREF"))
        .cloned();
    Ok(RowData {
        date: l.date,
        amount: l.amount,
        currency: currency.clone(),
        description,
        counterparty,
        reference,
        balance: None,
    })
}

pub(crate) fn parse<E>(em: &mut Emitter<'_, E>) -> Result<(), ReadError<E>> {
    let fields = fields(&em.text.text);
    if !fields
        .iter()
        .any(|f| f.tag == "20" || f.tag == "61" || f.tag.starts_with("60"))
    {
        return Err(ImportError::Malformed {
            format: "MT940".into(),
            line: 1,
            message: "no :20:, :60F: or :61: field".into(),
        }
        .into());
    }
    let mut pending: Option<Pending> = None;
    let mut currency: Option<String> = None;
    let mut started = false;
    for f in &fields {
        if f.tag == "86" {
            if let Some(p) = pending.as_mut() {
                if p.info.is_none() {
                    p.info = Some(f.value.clone());
                    p.end = f.end;
                    continue;
                }
            }
            continue;
        }
        if let Some(p) = pending.take() {
            let data = build(&p, &currency);
            em.row(p.start, p.end, data)?;
        }
        match f.tag.as_str() {
            "20" => {
                em.begin_segment();
                started = true;
            }
            "25" => {
                if !started {
                    em.begin_segment();
                    started = true;
                }
                em.segment().account = Some(f.value.trim().to_string());
            }
            "60F" | "60M" => match balance(&f.value) {
                Some((v, ccy)) => {
                    let seg = em.segment();
                    seg.opening = Some(v);
                    seg.currency = Some(ccy.clone());
                    currency = Some(ccy);
                }
                None => em.notes.push(format!(
                    "line {}: unreadable opening balance ':{}:{}'",
                    em.text.line_of(f.start),
                    f.tag,
                    f.value.trim()
                )),
            },
            "62F" | "62M" => match balance(&f.value) {
                Some((v, _)) => em.segment().closing = Some(v),
                None => em.notes.push(format!(
                    "line {}: unreadable closing balance ':{}:{}'",
                    em.text.line_of(f.start),
                    f.tag,
                    f.value.trim()
                )),
            },
            "61" => {
                pending = Some(Pending {
                    start: f.start,
                    end: f.end,
                    line: line61(&f.value),
                    info: None,
                })
            }
            _ => {}
        }
    }
    if let Some(p) = pending.take() {
        let data = build(&p, &currency);
        em.row(p.start, p.end, data)?;
    }
    Ok(())
}
