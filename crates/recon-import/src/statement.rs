//! Shared machinery of the statement readers (OFX, CAMT, MT940): bounded reading, decoding
//! with malformed-byte tracking, line numbers, balance checks.

use crate::decode::{decode_all, encoding_for_label, encoding_name, sniff_encoding};
use crate::identity::RepeatedIds;
use crate::{
    FileSummary, Format, ImportError, ParsedRow, ReadError, Reject, RowResult, StatementInfo,
};
use chrono::NaiveDate;
use encoding_rs::Encoding;
use rust_decimal::Decimal;
use std::io::Read;

/// Statements are read whole (XML needs it), so they are bounded: the app's import limit.
pub const MAX_STATEMENT_BYTES: u64 = 256 * 1024 * 1024;

/// A decoded statement with what is needed to point at lines and invalid bytes.
pub(crate) struct Text {
    pub text: String,
    malformed: Vec<usize>,
    line_starts: Vec<usize>,
    /// Lower-case name of the encoding used, e.g. `utf-8`, `windows-1252`, `ibm852`.
    pub encoding: String,
}

impl Text {
    pub fn new(bytes: &[u8], declared: Option<&'static Encoding>) -> Text {
        let enc = match Encoding::for_bom(bytes) {
            Some((e, _)) => e,
            None => {
                declared.unwrap_or_else(|| sniff_encoding(&bytes[..bytes.len().min(64 * 1024)]))
            }
        };
        let (text, malformed, encoding) = decode_all(bytes, enc);
        Self::index(text, malformed, encoding_name(encoding))
    }

    /// An MT940 in IBM852 (Central European DOS), which no WHATWG encoding covers.
    pub fn new_mt940(bytes: &[u8], declared: Option<&'static Encoding>) -> Text {
        if declared.is_none()
            && Encoding::for_bom(bytes).is_none()
            && crate::decode::looks_like_cp852(bytes)
        {
            return Self::index(
                crate::decode::decode_cp852(bytes),
                Vec::new(),
                "ibm852".into(),
            );
        }
        Self::new(bytes, declared)
    }

    fn index(text: String, malformed: Vec<usize>, encoding: String) -> Text {
        let b = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            }
        }
        Text {
            text,
            malformed,
            line_starts,
            encoding,
        }
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u64 {
        self.line_starts.partition_point(|&s| s <= offset) as u64
    }

    fn has_malformed(&self, start: usize, end: usize) -> bool {
        let i = self.malformed.partition_point(|&m| m < start);
        self.malformed.get(i).is_some_and(|&m| m < end)
    }
}

/// Reads at most [`MAX_STATEMENT_BYTES`].
pub(crate) fn read_bounded<R: Read>(reader: R, limit: u64) -> Result<Vec<u8>, ImportError> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::Io {
            message: e.to_string(),
        })?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::TooLarge { limit });
    }
    Ok(bytes)
}

/// A row's values before its line and raw text are known.
pub(crate) struct RowData {
    pub date: NaiveDate,
    pub amount: Decimal,
    pub currency: Option<String>,
    pub description: String,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub balance: Option<Decimal>,
    /// `YYYY-MM-DD`, or the raw text of a value date that is no date.
    pub value_date: Option<String>,
}

fn is_iso_date(v: &str) -> bool {
    NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok()
}

/// Why a statement entry is rejected: the field and its raw value.
pub(crate) struct RowErr {
    pub field: &'static str,
    pub value: String,
    pub reason: String,
}

pub(crate) fn row_err(field: &'static str, value: &str, reason: impl Into<String>) -> RowErr {
    RowErr {
        field,
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// One statement inside a file (MT940 `:20:` block, CAMT `Stmt`, OFX `STMTRS`).
#[derive(Default)]
pub(crate) struct Segment {
    pub account: Option<String>,
    pub currency: Option<String>,
    pub opening: Option<Decimal>,
    pub closing: Option<Decimal>,
    sum: Decimal,
    /// The lines' amounts went past what a decimal holds (only absurd files do this): the
    /// balances are then not checked, never checked against a wrapped or saturated sum.
    sum_overflowed: bool,
}

pub(crate) struct Emitter<'a, E> {
    pub text: &'a Text,
    on_row: &'a mut dyn FnMut(RowResult) -> Result<(), E>,
    pub read: u64,
    pub rejected: u64,
    pub segments: Vec<Segment>,
    pub notes: Vec<String>,
    ids: RepeatedIds,
}

impl<E> Emitter<'_, E> {
    pub fn begin_segment(&mut self) {
        self.segments.push(Segment::default());
    }

    pub fn segment(&mut self) -> &mut Segment {
        if self.segments.is_empty() {
            self.begin_segment();
        }
        let last = self.segments.len() - 1;
        &mut self.segments[last]
    }

    /// Emits the entry whose text is `text[start..end]`.
    pub fn row(
        &mut self,
        start: usize,
        end: usize,
        data: Result<RowData, RowErr>,
    ) -> Result<(), ReadError<E>> {
        let end = end.min(self.text.text.len()).max(start);
        let raw = self
            .text
            .text
            .get(start..end)
            .unwrap_or("")
            .trim()
            .to_string();
        let line = self.text.line_of(start);
        self.read += 1;
        let data = if self.text.has_malformed(start, end) {
            Err(row_err(
                "",
                "",
                format!("invalid bytes for encoding {}", self.text.encoding),
            ))
        } else {
            data
        };
        let result = match data {
            Ok(d) => {
                if let Some(v) = d.value_date.as_deref().filter(|v| !is_iso_date(v)) {
                    self.notes.push(format!(
                        "line {line}: the value date '{v}' is not a date; it is kept as written and the line is dated by its booking date {}",
                        d.date
                    ));
                }
                let seg = self.segment();
                match seg.sum.checked_add(d.amount) {
                    Some(sum) => seg.sum = sum,
                    None => seg.sum_overflowed = true,
                }
                let mut row = ParsedRow {
                    line,
                    date: d.date,
                    amount: d.amount,
                    currency: d.currency,
                    description: d.description,
                    counterparty: d.counterparty,
                    reference: d.reference,
                    balance: d.balance,
                    value_date: d.value_date,
                    raw,
                };
                self.ids.check(&mut row);
                RowResult::Row(row)
            }
            Err(e) => {
                self.rejected += 1;
                RowResult::Reject(Reject {
                    line,
                    column: (!e.field.is_empty()).then(|| e.field.to_string()),
                    raw_value: e.value,
                    reason: e.reason,
                    raw,
                })
            }
        };
        (self.on_row)(result).map_err(ReadError::Callback)
    }

    fn finish(self, format: Format) -> FileSummary {
        let mut notes = self.notes;
        notes.extend(self.ids.note());
        let segs = self.segments;
        let info = if segs.is_empty() {
            StatementInfo::default()
        } else {
            let mut accounts: Vec<&str> =
                segs.iter().filter_map(|s| s.account.as_deref()).collect();
            accounts.dedup();
            let mut distinct = accounts.clone();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() > 1 {
                notes.push(format!(
                    "the file holds statements of {} accounts: {}",
                    distinct.len(),
                    distinct.join(", ")
                ));
            }
            let mut agree = Some(true);
            for (i, s) in segs.iter().enumerate() {
                match (s.opening, s.closing) {
                    (Some(o), Some(c)) => {
                        match o.checked_add(s.sum).filter(|_| !s.sum_overflowed) {
                            None => {
                                agree = None;
                                notes.push(format!(
                                "statement {}: its amounts are too large to add up, so its balances were not checked",
                                i + 1
                            ));
                            }
                            Some(total) if total != c => {
                                agree = agree.map(|_| false);
                                notes.push(format!(
                                "statement {}: opening {o} + lines {} = {total} but the closing balance is {c}",
                                i + 1,
                                s.sum,
                            ));
                            }
                            Some(_) => {}
                        }
                    }
                    _ => agree = None,
                }
                if agree.is_none() {
                    break;
                }
            }
            let currencies: Vec<&str> = segs.iter().filter_map(|s| s.currency.as_deref()).collect();
            StatementInfo {
                account: if distinct.len() == 1 {
                    Some(distinct[0].to_string())
                } else {
                    None
                },
                currency: currencies
                    .first()
                    .filter(|c| currencies.iter().all(|x| x == *c))
                    .map(|c| c.to_string()),
                opening_balance: segs.first().and_then(|s| s.opening),
                closing_balance: segs.last().and_then(|s| s.closing),
                balances_agree: agree,
                lines_sum: segs.iter().try_fold(Decimal::ZERO, |total, s| {
                    total.checked_add(s.sum).filter(|_| !s.sum_overflowed)
                }),
            }
        };
        FileSummary {
            format,
            encoding: self.text.encoding.clone(),
            read: self.read,
            rejected: self.rejected,
            statement: Some(info),
            notes,
        }
    }
}

/// Encoding named inside the file: XML declaration, or OFX 1.x `CHARSET:`/`ENCODING:`.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    if let Some(i) = head.find("encoding=") {
        let rest = &head[i + 9..];
        let q = rest.chars().next()?;
        if q == '"' || q == '\'' {
            let label = rest[1..].split(q).next()?;
            return encoding_for_label(label).ok().flatten();
        }
    }
    if head.contains("ofxheader") {
        let field = |name: &str| {
            head.lines()
                .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()))
        };
        let charset = field("charset:");
        let encoding = field("encoding:");
        if encoding.as_deref() == Some("utf-8") {
            return Some(encoding_rs::UTF_8);
        }
        match charset.as_deref() {
            Some("1252") => return Some(encoding_rs::WINDOWS_1252),
            Some("iso-8859-1") | Some("8859-1") | Some("latin1") => {
                return Some(encoding_rs::WINDOWS_1252)
            }
            Some(other) if other != "none" => {
                if let Ok(Some(e)) = encoding_for_label(other) {
                    return Some(e);
                }
                if let Ok(Some(e)) = encoding_for_label(&format!("windows-{other}")) {
                    return Some(e);
                }
            }
            _ => {}
        }
    }
    None
}

/// Reads an OFX, CAMT or MT940 statement whole (at most [`MAX_STATEMENT_BYTES`]), calling
/// `on_row` for every entry in order. The statement's own balances are kept in
/// [`FileSummary::statement`] and checked against the sum of the parsed lines.
/// Choices the user made about how to read a statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatementOptions {
    /// A QIF's date order when its dates read both ways ([`crate::qif_date_question`]).
    pub day_order: Option<crate::DayOrder>,
}

pub fn read_statement<R: Read, E>(
    reader: R,
    format: Format,
    on_row: impl FnMut(RowResult) -> Result<(), E>,
) -> Result<FileSummary, ReadError<E>> {
    read_statement_with(reader, format, StatementOptions::default(), on_row)
}

/// [`read_statement`] with the user's choices.
pub fn read_statement_with<R: Read, E>(
    reader: R,
    format: Format,
    options: StatementOptions,
    mut on_row: impl FnMut(RowResult) -> Result<(), E>,
) -> Result<FileSummary, ReadError<E>> {
    if matches!(format, Format::Csv | Format::EsiJson) {
        return Err(ImportError::Unsupported {
            format: format.to_string(),
            detail: if format == Format::Csv {
                "CSV is read with read_csv and a profile".into()
            } else {
                "ESI journals are read by recon_core::esi".into()
            },
        }
        .into());
    }
    let bytes = read_bounded(reader, MAX_STATEMENT_BYTES)?;
    let text = if format == Format::Mt940 {
        Text::new_mt940(&bytes, declared_encoding(&bytes))
    } else {
        Text::new(&bytes, declared_encoding(&bytes))
    };
    drop(bytes);
    if format == Format::Camt || format == Format::Ofx {
        crate::camt::refuse_dtd(&text.text)?;
    }
    let mut em = Emitter {
        text: &text,
        on_row: &mut on_row,
        read: 0,
        rejected: 0,
        segments: Vec::new(),
        notes: Vec::new(),
        ids: RepeatedIds::default(),
    };
    match format {
        Format::Ofx => crate::ofx::parse(&mut em)?,
        Format::Camt => crate::camt::parse(&mut em)?,
        Format::Mt940 => crate::mt940::parse(&mut em)?,
        Format::Qif => crate::qif::parse(&mut em, options.day_order)?,
        Format::Csv | Format::EsiJson => {}
    }
    Ok(em.finish(format))
}
