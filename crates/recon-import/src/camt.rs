//! ISO 20022 camt.053 (statement), camt.052 (report) and camt.054 (notification), read with
//! quick-xml. DTDs and entity declarations are refused before parsing; only the five XML
//! entities and character references are resolved; nesting is bounded.

use crate::ofx::ofx_date;
use crate::statement::{row_err, Emitter, RowData, RowErr};
use crate::{parse_amount, ImportError, ReadError};
use chrono::NaiveDate;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// CAMT documents nest about 12 deep; 64 leaves room and stops pathological input.
pub const MAX_XML_DEPTH: usize = 64;

/// Refuses any document type declaration or entity declaration anywhere in the text:
/// nothing a bank statement needs, and the door to entity bombs and external entities.
pub(crate) fn refuse_dtd(text: &str) -> Result<(), ImportError> {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find("<!").map(|i| from + i) {
        let rest = &b[i + 2..b.len().min(i + 9)];
        if rest.eq_ignore_ascii_case(b"DOCTYPE")
            || rest.len() >= 6 && rest[..6].eq_ignore_ascii_case(b"ENTITY")
        {
            return Err(ImportError::XmlRefused {
                reason: "the file declares a DTD or entities (<!DOCTYPE/<!ENTITY); statements never need \
                         them and they allow entity bombs and external entities"
                    .into(),
            });
        }
        from = i + 2;
    }
    Ok(())
}

#[derive(Default)]
struct Bal {
    code: String,
    amount: Option<String>,
    ind: Option<String>,
}

#[derive(Default)]
struct Ntry {
    start: usize,
    amt: Option<String>,
    ccy: Option<String>,
    ind: Option<String>,
    status: Option<String>,
    booking: Option<String>,
    value: Option<String>,
    acct_svcr_ref: Option<String>,
    tx_acct_svcr_ref: Option<String>,
    ntry_ref: Option<String>,
    ustrd: Vec<String>,
    /// Structured remittance: the creditor's reference (`Strd/CdtrRefInf/Ref`) and texts.
    strd: Vec<String>,
    addtl_ntry: Option<String>,
    addtl_tx: Option<String>,
    dbtr: Option<String>,
    cdtr: Option<String>,
}

fn ends(path: &[String], suffix: &[&str]) -> bool {
    path.len() >= suffix.len()
        && path[path.len() - suffix.len()..]
            .iter()
            .zip(suffix)
            .all(|(a, b)| a == b)
}

fn camt_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").or_else(|_| ofx_date(t))
}

fn signed(
    amount: &str,
    ind: Option<&str>,
    field: &'static str,
) -> Result<rust_decimal::Decimal, RowErr> {
    let v = parse_amount(amount, '.', None).map_err(|e| row_err(field, amount, e))?;
    match ind.map(str::trim) {
        Some("DBIT") => Ok(-v.abs()),
        Some("CRDT") => Ok(v.abs()),
        other => Err(row_err(
            "CdtDbtInd",
            other.unwrap_or(""),
            "CdtDbtInd must be CRDT or DBIT",
        )),
    }
}

fn build(n: &Ntry) -> Result<RowData, RowErr> {
    let amt = n
        .amt
        .as_deref()
        .ok_or_else(|| row_err("Amt", "", "the entry has no Amt"))?;
    let amount = signed(amt, n.ind.as_deref(), "Amt")?;
    let (field, d) = match (&n.booking, &n.value) {
        (Some(d), _) => ("BookgDt", d),
        (None, Some(d)) => ("ValDt", d),
        _ => {
            return Err(row_err(
                "BookgDt",
                "",
                "the entry has neither BookgDt nor ValDt",
            ))
        }
    };
    let date = camt_date(d).map_err(|e| row_err(field, d, e))?;
    // the value date as written when it is none (the line keeps its booking date)
    let value_date = n
        .value
        .as_deref()
        .map(|v| camt_date(v).map_or_else(|_| v.to_string(), |d| d.to_string()));
    let description = if !n.ustrd.is_empty() {
        n.ustrd.join(" ")
    } else if !n.strd.is_empty() {
        n.strd.join(" ")
    } else {
        n.addtl_tx
            .clone()
            .or_else(|| n.addtl_ntry.clone())
            .unwrap_or_default()
    };
    let counterparty = if amount.is_sign_negative() {
        n.cdtr.clone()
    } else {
        n.dbtr.clone()
    };
    // only the bank's own ids identify a line; the end-to-end id is the payer's and repeats
    let reference = [&n.acct_svcr_ref, &n.tx_acct_svcr_ref, &n.ntry_ref]
        .into_iter()
        .flatten()
        .find(|r| {
            !r.is_empty()
                && !r.eq_ignore_ascii_case("NOTPROVIDED")
                && !r.eq_ignore_ascii_case("NONREF")
        })
        .cloned();
    Ok(RowData {
        date,
        amount,
        currency: n.ccy.clone(),
        description,
        counterparty,
        reference,
        balance: None,
        value_date,
    })
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.trim().to_string())
}

pub(crate) fn parse<E>(em: &mut Emitter<'_, E>) -> Result<(), ReadError<E>> {
    let text = &em.text.text;
    let mut reader = Reader::from_str(text);
    let mut r = Reading::default();
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            malformed(
                em.text.line_of(reader.error_position() as usize),
                e.to_string(),
            )
        })?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            r.start(em, &e, before)?;
            if !empty {
                continue;
            }
        }
        match event {
            Event::Text(t) => r.buf.push_str(&t.xml10_content()),
            Event::CData(c) => r.buf.push_str(&c.xml10_content()),
            Event::GeneralRef(g) => r.buf.push(general_ref(&g, || em.text.line_of(before))?),
            Event::DocType(_) => {
                return Err(ImportError::XmlRefused {
                    reason: "the file has a DOCTYPE".into(),
                }
                .into())
            }
            Event::Eof => break,
            Event::End(_) | Event::Empty(_) => r.end(em, reader.buffer_position() as usize)?,
            _ => {}
        }
    }
    if !r.saw_doc {
        return Err(malformed(1, "no XML elements".into()).into());
    }
    if r.pending > 0 {
        em.notes.push(format!(
            "{} pending (not booked) entries were left out",
            r.pending
        ));
    }
    if em.read == 0 && r.pending == 0 {
        em.notes.push(no_rows_note(&r));
    }
    Ok(())
}

/// Why a document gave no rows: an unknown message or version, no statement, or a statement
/// of balances only.
fn no_rows_note(r: &Reading) -> String {
    let ns = r.namespace.as_deref().unwrap_or("");
    let version = ns.rsplit(':').next().unwrap_or("");
    let known = ["camt.052.", "camt.053.", "camt.054."]
        .iter()
        .any(|m| version.starts_with(m));
    if !known {
        let said = if ns.is_empty() {
            "no namespace".to_string()
        } else {
            format!("the namespace '{ns}'")
        };
        format!(
            "the document has {said}, not an ISO 20022 camt.052/053/054 version this reader              knows, and no entry (Ntry) was found in it: there is nothing to import"
        )
    } else if r.statements == 0 {
        format!(
            "the {version} document holds no statement or report (Stmt/Rpt/Ntfctn), only a              group header: there is nothing to import"
        )
    } else {
        format!(
            "the {version} statement has no entries (Ntry), only balances: there is nothing to              import"
        )
    }
}

fn malformed(line: u64, message: String) -> ImportError {
    ImportError::Malformed {
        format: "CAMT".into(),
        line,
        message,
    }
}

/// A character or entity reference: character references and the five XML entities; any
/// other entity is refused (none is declared: DTDs are refused).
fn general_ref(r: &BytesRef<'_>, line: impl Fn() -> u64) -> Result<char, ImportError> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err(malformed(line(), "bad character reference".into())),
        };
    }
    let name = r.xml10_content();
    match name.as_ref() {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        other => Err(ImportError::XmlRefused {
            reason: format!("undeclared entity &{other}; (line {})", line()),
        }),
    }
}

/// Where the reader is in the document: the element path, the text of the element being
/// read, the entry or balance open, and what the document has said so far.
#[derive(Default)]
struct Reading {
    path: Vec<String>,
    buf: String,
    ntry: Option<Ntry>,
    bal: Option<Bal>,
    /// Entries left out because they are not booked.
    pending: u64,
    bal_ccy: Option<String>,
    saw_doc: bool,
    /// The root element's namespace: which message and version the document says it is.
    namespace: Option<String>,
    statements: u64,
}

impl Reading {
    /// A start (or empty) element at `before`.
    fn start<E>(
        &mut self,
        em: &mut Emitter<'_, E>,
        e: &BytesStart<'_>,
        before: usize,
    ) -> Result<(), ReadError<E>> {
        if !self.saw_doc {
            self.namespace = attr(e, "xmlns");
        }
        self.saw_doc = true;
        let name = e.local_name().as_ref().to_string();
        self.path.push(name);
        if self.path.len() > MAX_XML_DEPTH {
            return Err(ImportError::XmlRefused {
                reason: format!(
                    "elements nested deeper than {MAX_XML_DEPTH} (line {})",
                    em.text.line_of(before)
                ),
            }
            .into());
        }
        self.buf.clear();
        let path = &self.path;
        let last = path.last().map(String::as_str).unwrap_or("");
        match last {
            "Stmt" | "Rpt" | "Ntfctn" if path.len() <= 4 => {
                self.statements += 1;
                em.begin_segment()
            }
            "Ntry" => {
                self.ntry = Some(Ntry {
                    start: before,
                    ..Default::default()
                })
            }
            "Bal" if self.ntry.is_none() => self.bal = Some(Bal::default()),
            "Amt" => {
                let ccy = attr(e, "Ccy");
                if ends(path, &["Ntry", "Amt"]) {
                    if let Some(n) = self.ntry.as_mut() {
                        n.ccy = ccy;
                    }
                } else if ends(path, &["Bal", "Amt"]) {
                    self.bal_ccy = ccy;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// An element's end, at `end`: its text goes to the entry, the balance or the statement.
    fn end<E>(&mut self, em: &mut Emitter<'_, E>, end: usize) -> Result<(), ReadError<E>> {
        let value = self.buf.trim().to_string();
        let path = &self.path;
        if let Some(n) = self.ntry.as_mut() {
            if !entry_field(n, path, &value) && path.last().is_some_and(|l| l == "Ntry") {
                let n = self.ntry.take().unwrap_or_default();
                let status = n.status.as_deref().unwrap_or("BOOK").to_ascii_uppercase();
                if status == "BOOK" {
                    let data = build(&n);
                    em.row(n.start, end, data)?;
                } else {
                    self.pending += 1;
                }
            }
        } else if let Some(b) = self.bal.as_mut() {
            if !balance_field(b, path, &value) && path.last().is_some_and(|l| l == "Bal") {
                let b = self.bal.take().unwrap_or_default();
                close_balance(em, &b, &self.bal_ccy);
            }
        } else if ends(path, &["Acct", "Id", "IBAN"]) || ends(path, &["Acct", "Id", "Othr", "Id"]) {
            let seg = em.segment();
            if seg.account.is_none() && path.len() <= 7 {
                seg.account = Some(value.clone());
            }
        } else if ends(path, &["Acct", "Ccy"]) && path.len() <= 6 {
            em.segment().currency = Some(value.clone());
        }
        self.path.pop();
        self.buf.clear();
        Ok(())
    }
}

/// Sets the entry's field that the element at `p` holds (the first value wins); false when
/// `p` is none of them.
fn entry_field(n: &mut Ntry, p: &[String], value: &str) -> bool {
    let set = |slot: &mut Option<String>| {
        if slot.is_none() && !value.is_empty() {
            *slot = Some(value.to_string());
        }
    };
    if ends(p, &["Ntry", "Amt"]) {
        set(&mut n.amt);
    } else if ends(p, &["Ntry", "CdtDbtInd"]) {
        set(&mut n.ind);
    } else if ends(p, &["Ntry", "Sts"]) || ends(p, &["Ntry", "Sts", "Cd"]) {
        set(&mut n.status);
    } else if ends(p, &["Ntry", "BookgDt", "Dt"]) || ends(p, &["Ntry", "BookgDt", "DtTm"]) {
        set(&mut n.booking);
    } else if ends(p, &["Ntry", "ValDt", "Dt"]) || ends(p, &["Ntry", "ValDt", "DtTm"]) {
        set(&mut n.value);
    } else if ends(p, &["Ntry", "AcctSvcrRef"]) {
        set(&mut n.acct_svcr_ref);
    } else if ends(p, &["TxDtls", "Refs", "AcctSvcrRef"]) {
        set(&mut n.tx_acct_svcr_ref);
    } else if ends(p, &["Ntry", "NtryRef"]) {
        set(&mut n.ntry_ref);
    } else if ends(p, &["Refs", "EndToEndId"]) {
        // the payer's id, not the bank's: neither the line's key nor its text
    } else if ends(p, &["RmtInf", "Ustrd"]) {
        if !value.is_empty() {
            n.ustrd.push(value.to_string());
        }
    } else if ends(p, &["Strd", "CdtrRefInf", "Ref"]) || ends(p, &["Strd", "AddtlRmtInf"]) {
        if !value.is_empty() {
            n.strd.push(value.to_string());
        }
    } else if ends(p, &["Ntry", "AddtlNtryInf"]) {
        set(&mut n.addtl_ntry);
    } else if ends(p, &["TxDtls", "AddtlTxInf"]) {
        set(&mut n.addtl_tx);
    } else if ends(p, &["RltdPties", "Dbtr", "Nm"]) || ends(p, &["RltdPties", "Dbtr", "Pty", "Nm"])
    {
        set(&mut n.dbtr);
    } else if ends(p, &["RltdPties", "Cdtr", "Nm"]) || ends(p, &["RltdPties", "Cdtr", "Pty", "Nm"])
    {
        set(&mut n.cdtr);
    } else {
        return false;
    }
    true
}

/// Sets the balance's field that the element at `path` holds; false when it is none of them.
fn balance_field(b: &mut Bal, path: &[String], value: &str) -> bool {
    if ends(path, &["Bal", "Tp", "CdOrPrtry", "Cd"])
        || ends(path, &["Bal", "Tp", "CdOrPrtry", "Prtry"])
    {
        b.code = value.to_ascii_uppercase();
    } else if ends(path, &["Bal", "Amt"]) {
        b.amount = Some(value.to_string());
    } else if ends(path, &["Bal", "CdtDbtInd"]) {
        b.ind = Some(value.to_string());
    } else {
        return false;
    }
    true
}

/// A whole balance: the statement's opening (OPBD, else PRCD) or closing (CLBD) balance.
fn close_balance<E>(em: &mut Emitter<'_, E>, b: &Bal, bal_ccy: &Option<String>) {
    if let Some(a) = &b.amount {
        if let Ok(v) = signed(a, b.ind.as_deref(), "Bal") {
            let seg = em.segment();
            match b.code.as_str() {
                "OPBD" => seg.opening = Some(v),
                "PRCD" if seg.opening.is_none() => seg.opening = Some(v),
                "CLBD" => seg.closing = Some(v),
                _ => {}
            }
            if seg.currency.is_none() {
                seg.currency = bal_ccy.clone();
            }
        }
    }
}
