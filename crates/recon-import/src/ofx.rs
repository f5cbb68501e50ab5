//! OFX/QFX 1.x (SGML: leaf elements are not closed) and 2.x (XML), with one tolerant tag
//! reader. Only `STMTTRN` entries become rows (bank, card and investment-cash transactions).

use crate::statement::{row_err, Emitter, RowData, RowErr};
use crate::{parse_amount, ImportError, ReadError};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Far deeper than any real OFX (SGML leaves without close tags count too); the reader is
/// iterative, so this only bounds memory.
const MAX_DEPTH: usize = 10_000;

#[derive(Default)]
struct Txn {
    start: usize,
    dtposted: Option<String>,
    dtuser: Option<String>,
    /// When the money is available: the value date.
    dtavail: Option<String>,
    trnamt: Option<String>,
    fitid: Option<String>,
    name: Option<String>,
    payee_name: Option<String>,
    memo: Option<String>,
    checknum: Option<String>,
    currency: Option<String>,
}

/// `&amp;` and friends, numeric references; anything else is kept as written.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// OFX dates: `YYYYMMDD[HHMMSS[.XXX][[-5:EST]]]`; the date part is what counts.
pub(crate) fn ofx_date(s: &str) -> Result<NaiveDate, String> {
    let digits: String = s.trim().chars().take(8).collect();
    if digits.len() < 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("'{s}' is not an OFX date (YYYYMMDD…)"));
    }
    NaiveDate::parse_from_str(&digits, "%Y%m%d").map_err(|e| format!("'{s}': {e}"))
}

/// OFX amounts use `.`, but some European exports write `,`.
fn ofx_amount(s: &str) -> Result<Decimal, String> {
    let t = s.trim();
    if t.contains(',') && !t.contains('.') {
        parse_amount(t, ',', Some('.'))
    } else {
        parse_amount(t, '.', Some(','))
    }
}

fn build(t: &Txn, stmt_currency: &Option<String>) -> Result<RowData, RowErr> {
    let (field, date_text) = match (&t.dtposted, &t.dtuser) {
        (Some(d), _) => ("DTPOSTED", d.as_str()),
        (None, Some(d)) => ("DTUSER", d.as_str()),
        (None, None) => {
            return Err(row_err(
                "DTPOSTED",
                "",
                "the transaction has no DTPOSTED date",
            ))
        }
    };
    let date = ofx_date(date_text).map_err(|e| row_err(field, date_text, e))?;
    let amt = t
        .trnamt
        .as_deref()
        .ok_or_else(|| row_err("TRNAMT", "", "the transaction has no TRNAMT amount"))?;
    let amount = ofx_amount(amt).map_err(|e| row_err("TRNAMT", amt, e))?;
    // NAME is who paid or was paid; MEMO is what for (the NAME when there is no MEMO)
    let name = t
        .payee_name
        .clone()
        .or_else(|| t.name.clone())
        .filter(|n| !n.is_empty());
    let description = t
        .memo
        .clone()
        .filter(|m| !m.is_empty())
        .or_else(|| name.clone())
        .unwrap_or_default();
    Ok(RowData {
        date,
        amount,
        currency: t.currency.clone().or_else(|| stmt_currency.clone()),
        description,
        counterparty: name,
        reference: t
            .fitid
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| t.checknum.clone()),
        balance: None,
        value_date: t
            .dtavail
            .as_deref()
            .map(|v| ofx_date(v).map_or_else(|_| v.to_string(), |d| d.to_string())),
    })
}

pub(crate) fn parse<E>(em: &mut Emitter<'_, E>) -> Result<(), ReadError<E>> {
    let text = &em.text.text;
    let upper_start = text
        .find("<OFX>")
        .or_else(|| text.to_ascii_uppercase().find("<OFX>"))
        .ok_or_else(|| ImportError::Malformed {
            format: "OFX".into(),
            line: 1,
            message: "no <OFX> element".into(),
        })?;
    let mut reading = Reading::default();
    let mut pos = upper_start;
    let bytes = text.as_bytes();
    let mut pending_leaf: Option<String> = None;
    while pos < bytes.len() {
        let Some(lt) = text[pos..].find('<').map(|i| pos + i) else {
            break;
        };
        // text between tags is the value of the leaf opened just before
        if let Some(leaf) = pending_leaf.take() {
            reading.leaf(em, &leaf, unescape(text[pos..lt].trim()));
        }
        let Some(gt) = text[lt..].find('>').map(|i| lt + i) else {
            break;
        };
        let tag = &text[lt + 1..gt];
        pos = gt + 1;
        if tag.starts_with('?') || tag.starts_with('!') {
            continue; // processing instruction or comment
        }
        if let Some(name) = tag.strip_prefix('/') {
            reading.close(em, name.trim().to_ascii_uppercase(), pos)?;
            continue;
        }
        let name = tag
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches('/')
            .to_ascii_uppercase();
        // A leaf whose value is a CDATA section: `<NAME><![CDATA[A & B]]></NAME>`
        let after = text[pos..].trim_start();
        if let Some(body) = after.strip_prefix("<![CDATA[") {
            let Some(close) = body.find("]]>") else {
                break;
            };
            reading.leaf(em, &name, body[..close].trim().to_string());
            pos = text.len() - body.len() + close + 3;
            continue;
        }
        // Leaf or aggregate? A leaf has text right after its tag.
        let next_lt = text[pos..]
            .find('<')
            .map(|i| pos + i)
            .unwrap_or(bytes.len());
        if !text[pos..next_lt].trim().is_empty() {
            pending_leaf = Some(name);
            // XML leaves close explicitly: skip the matching end tag
            continue;
        }
        reading.open(em, name, lt)?;
    }
    if let Some(t) = reading.txn.take() {
        let data = build(&t, &reading.stmt_currency);
        em.row(t.start, text.len(), data)?;
    }
    if em.read == 0 {
        em.notes.push(if em.segments.is_empty() {
            "the file holds no statement (STMTRS), only other responses (sign-on, account \
             lists, transfers, investment positions): there is nothing to import"
                .into()
        } else {
            "the statement lists no transactions (STMTTRN; investment trades are not \
             statement lines): there is nothing to import"
                .into()
        });
    }
    Ok(())
}

/// Where the tag reader is: the open aggregates, the transaction being read, the
/// statement's currency and whether the ledger balance is open.
#[derive(Default)]
struct Reading {
    stack: Vec<String>,
    txn: Option<Txn>,
    stmt_currency: Option<String>,
    in_ledgerbal: bool,
}

impl Reading {
    /// A leaf's value: a field of the open transaction, or of the statement around it.
    fn leaf<E>(&mut self, em: &mut Emitter<'_, E>, leaf: &str, value: String) {
        let in_payee = self.stack.last().is_some_and(|s| s == "PAYEE");
        if let Some(t) = self.txn.as_mut() {
            match leaf {
                "DTPOSTED" => t.dtposted = Some(value),
                "DTUSER" => t.dtuser = Some(value),
                "DTAVAIL" => t.dtavail = Some(value),
                "TRNAMT" => t.trnamt = Some(value),
                "FITID" => t.fitid = Some(value),
                "NAME" if in_payee => t.payee_name = Some(value),
                "NAME" => t.name = Some(value),
                "MEMO" => t.memo = Some(value),
                "CHECKNUM" => t.checknum = Some(value),
                "CURSYM" => t.currency = Some(value.to_ascii_uppercase()),
                _ => {}
            }
        } else {
            match leaf {
                "CURDEF" => {
                    self.stmt_currency = Some(value.to_ascii_uppercase());
                    em.segment().currency = self.stmt_currency.clone();
                }
                "ACCTID" if em.segment().account.is_none() => em.segment().account = Some(value),
                "BALAMT" if self.in_ledgerbal => {
                    if let Ok(v) = ofx_amount(&value) {
                        em.segment().closing = Some(v);
                    }
                }
                _ => {}
            }
        }
    }

    /// `</name>`, ending at `pos`: closes a transaction, the ledger balance, the aggregates
    /// opened since `name`.
    fn close<E>(
        &mut self,
        em: &mut Emitter<'_, E>,
        name: String,
        pos: usize,
    ) -> Result<(), ReadError<E>> {
        if name == "STMTTRN" {
            if let Some(t) = self.txn.take() {
                let data = build(&t, &self.stmt_currency);
                em.row(t.start, pos, data)?;
            }
        }
        if name == "LEDGERBAL" {
            self.in_ledgerbal = false;
        }
        if let Some(i) = self.stack.iter().rposition(|s| *s == name) {
            self.stack.truncate(i);
        }
        Ok(())
    }

    /// An aggregate's start tag at `lt`.
    fn open<E>(
        &mut self,
        em: &mut Emitter<'_, E>,
        name: String,
        lt: usize,
    ) -> Result<(), ReadError<E>> {
        match name.as_str() {
            "STMTTRN" => {
                if let Some(t) = self.txn.take() {
                    // SGML without </STMTTRN>: the previous one ends here
                    let data = build(&t, &self.stmt_currency);
                    em.row(t.start, lt, data)?;
                }
                self.txn = Some(Txn {
                    start: lt,
                    ..Default::default()
                });
            }
            "STMTRS" | "CCSTMTRS" | "INVSTMTRS" => {
                em.begin_segment();
                self.stmt_currency = None;
            }
            "LEDGERBAL" => self.in_ledgerbal = true,
            _ => {}
        }
        self.stack.push(name);
        if self.stack.len() > MAX_DEPTH {
            return Err(ImportError::Malformed {
                format: "OFX".into(),
                line: em.text.line_of(lt),
                message: format!("nesting deeper than {MAX_DEPTH} elements"),
            }
            .into());
        }
        Ok(())
    }
}
