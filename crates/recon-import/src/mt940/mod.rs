//! SWIFT MT940: `:20:` statements, `:25:` account, `:60F:`/`:60M:` opening, `:61:` lines with
//! `:86:` details, `:62F:`/`:62M:` closing. The SWIFT envelope (`{1:…}{4:`) is tolerated.
//! [`line61`] reads statement lines and balances, [`fields86`] the `:86:` details.
//!
//! Identity: a line's natural key is the bank's reference after `//` in `:61:`, never the
//! customer reference before it (an IBAN, an invoice number, `EREF`) nor an account.

mod fields86;
mod line61;

use crate::statement::{row_err, Emitter, RowData, RowErr};
use crate::{ImportError, ReadError};
use fields86::details;
use line61::{balance, line61, Line61};

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
    // a tag broken after its first colon (":" then "86:…") is one tag
    let mut lone_colon = false;
    for raw_line in text.split_inclusive(['\n']) {
        let line_start = offset;
        offset += raw_line.len();
        let rejoined;
        let mut line = raw_line.trim_end_matches(['\r', '\n']);
        if std::mem::take(&mut lone_colon) && tag_of(&format!(":{line}")).is_some() {
            rejoined = format!(":{line}");
            line = &rejoined;
        } else if line.trim() == ":" {
            lone_colon = true;
            continue;
        }
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
        Some(i) => {
            let d = details(i);
            (d.description, d.counterparty)
        }
        None => (l.supplementary.clone(), None),
    };
    let reference =
        Some(l.bank_ref.clone()).filter(|r| !r.is_empty() && !r.eq_ignore_ascii_case("NONREF"));
    Ok(RowData {
        date: l.date,
        amount: l.amount,
        currency: currency.clone(),
        description,
        counterparty,
        reference,
        balance: None,
        value_date: Some(l.value_date.clone()),
    })
}

pub(crate) fn parse<E>(em: &mut Emitter<'_, E>) -> Result<(), ReadError<E>> {
    let fields = fields(&em.text.text);
    // a fragment of balances only (":25:" and ":62F:") is read, and its note says so
    if fields.is_empty() {
        return Err(ImportError::Malformed {
            format: "MT940".into(),
            line: 1,
            message: "no MT940 field (:20:, :25:, :60F:, :61:, …)".into(),
        }
        .into());
    }
    let mut pending: Option<Pending> = None;
    let mut currency: Option<String> = None;
    let mut started = false;
    for f in &fields {
        if f.tag == "86" {
            // some banks (Rabobank) write one `:86:` per line of text
            if let Some(p) = pending.as_mut() {
                match p.info.as_mut() {
                    None => p.info = Some(f.value.clone()),
                    Some(info) => {
                        info.push('\n');
                        info.push_str(&f.value);
                    }
                }
                p.end = f.end;
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
                let line = line61(&f.value);
                pending = Some(Pending {
                    start: f.start,
                    end: f.end,
                    line,
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
    if em.read == 0 {
        em.notes.push(
            "the file has no :61: statement lines (only balances): there is nothing to import"
                .into(),
        );
    }
    Ok(())
}
