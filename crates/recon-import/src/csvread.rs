//! Reading a CSV through a [`Profile`](crate::Profile), streaming: [`dates`] reads the
//! date cells, [`mapping`] resolves the profile's columns against the header, [`row`] maps
//! one record to a row or a reject.

mod dates;
mod mapping;
mod row;

pub use dates::parse_date;

use crate::decode::{encoding_for_label, encoding_name, DecodingReader};
use crate::identity::RepeatedIds;
use crate::records::{Record, RecordReader, TextSource};
use crate::{FileSummary, Format, ImportError, ParsedRow, ReadError, Reject, RowResult};
use dates::DateFormat;
use mapping::Resolved;
use row::{map_row, RowError};
use std::io::Read;

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
    on_row: impl FnMut(RowResult) -> Result<(), E>,
) -> Result<FileSummary, ReadError<E>> {
    read_csv_in(reader, profile, None, on_row)
}

/// [`read_csv`] for rows that go into a wallet of `wallet_currency` (when no currency column
/// or fixed currency says otherwise): a currency written inside an amount cell (`12,50 USD`,
/// `$5`) that is not the row's rejects the row, naming the cell.
pub fn read_csv_in<R: Read, E>(
    reader: R,
    profile: &crate::Profile,
    wallet_currency: Option<&str>,
    mut on_row: impl FnMut(RowResult) -> Result<(), E>,
) -> Result<FileSummary, ReadError<E>> {
    profile.validate()?;
    let enc = encoding_for_label(&profile.encoding)?;
    let decoder = DecodingReader::new(reader, enc)?;
    let mut rr = RecordReader::new(decoder, profile.delimiter as u8, profile.quote as u8);
    rr.skip_lines(profile.skip_lines)?;
    let mut rec = Record::default();
    let (resolved, width, first_data) = read_header(&mut rr, &mut rec, profile)?;
    // the header's cells, to pass over the header when a file repeats it further down
    let header: Option<Vec<String>> = (profile.has_header && first_data.is_none()).then(|| {
        rec.fields()
            .map(|f| f.trim().trim_start_matches('\u{FEFF}').to_string())
            .collect()
    });
    let rows = Rows {
        profile,
        resolved,
        width,
        date_format: DateFormat::new(&profile.date_format),
        wallet_currency,
    };
    let mut summary = FileSummary {
        format: Format::Csv,
        encoding: encoding_name(rr.source().encoding()),
        read: 0,
        rejected: 0,
        statement: None,
        notes: Vec::new(),
    };
    let mut ids = RepeatedIds::default();
    let mut handle = |rec: &Record, summary: &mut FileSummary| -> Result<(), ReadError<E>> {
        summary.read += 1;
        let mut out = rows.result(rec, &summary.encoding);
        match &mut out {
            RowResult::Reject(_) => summary.rejected += 1,
            RowResult::Row(row) => ids.check(row),
        }
        on_row(out).map_err(ReadError::Callback)
    };
    if let Some(first) = first_data {
        handle(&first, &mut summary)?;
    }
    while rr.next_record(&mut rec)? {
        if rec.is_blank() && !rec.malformed {
            continue;
        }
        if header.as_ref().is_some_and(|h| repeats_header(&rec, h)) {
            continue;
        }
        handle(&rec, &mut summary)?;
    }
    summary.notes.extend(ids.note());
    Ok(summary)
}

/// The profile resolved against the header (or, headerless, the first row), the width rows
/// must have, and that first row when it is data.
fn read_header<S: TextSource>(
    rr: &mut RecordReader<S>,
    rec: &mut Record,
    profile: &crate::Profile,
) -> Result<(Resolved, usize, Option<Record>), ImportError> {
    if profile.has_header {
        let mut found = false;
        while rr.next_record(rec)? {
            if !rec.is_blank() {
                found = true;
                break;
            }
        }
        if !found {
            return Err(ImportError::NoHeader);
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
        let resolved = Resolved::new(profile, Some(&header), header.len())?;
        Ok((resolved, header.len(), None))
    } else {
        // headerless: the first row sets the expected width
        let mut width = 0;
        let mut first_data = None;
        while rr.next_record(rec)? {
            if !rec.is_blank() {
                width = rec.len();
                first_data = Some(rec.clone());
                break;
            }
        }
        Ok((Resolved::new(profile, None, width)?, width, first_data))
    }
}

/// What every row is read with.
struct Rows<'p> {
    profile: &'p crate::Profile,
    resolved: Resolved,
    width: usize,
    date_format: DateFormat<'p>,
    wallet_currency: Option<&'p str>,
}

impl Rows<'_> {
    /// With the profile's `extra_text`: the filled cells past the header's width, added to
    /// the description (checked as free text like it).
    fn with_extra_text(&self, rec: &Record, mut row: ParsedRow) -> Result<ParsedRow, RowError> {
        if !self.profile.extra_text {
            return Ok(row);
        }
        for i in self.width..rec.len() {
            let t = rec.field(i).trim();
            if t.is_empty() {
                continue;
            }
            recon_core::untrusted::check_free_text(t).map_err(|reason| RowError {
                column: Some(i),
                value: t.to_string(),
                reason,
            })?;
            if !row.description.is_empty() {
                row.description.push(' ');
            }
            row.description.push_str(t);
        }
        Ok(row)
    }

    /// The row, or its reject: bytes invalid in `encoding`, an unclosed quote, a wrong
    /// number of fields, or a cell that does not read.
    fn result(&self, rec: &Record, encoding: &str) -> RowResult {
        let width = self.width;
        let result = if rec.malformed {
            Err(RowError {
                column: None,
                value: String::new(),
                reason: format!("invalid bytes for encoding {encoding}"),
            })
        } else if rec.unterminated_quote {
            Err(RowError {
                column: None,
                value: String::new(),
                reason: "a quoted field is not closed before the end of the file".into(),
            })
        } else if rec.len() < width
            || (!self.profile.extra_text
                && rec.len() > width
                && (width..rec.len()).any(|i| !rec.field(i).trim().is_empty()))
        {
            Err(RowError {
                column: None,
                value: String::new(),
                reason: format!("expected {width} fields, found {}", rec.len()),
            })
        } else {
            map_row(
                rec,
                self.profile,
                &self.resolved,
                &self.date_format,
                self.wallet_currency,
            )
            .and_then(|row| self.with_extra_text(rec, row))
        };
        match result {
            Ok(row) => RowResult::Row(row),
            Err(e) => RowResult::Reject(Reject {
                line: rec.line,
                column: e.column.map(|i| self.resolved.name(i)),
                raw_value: e.value,
                reason: e.reason,
                raw: rec.raw(),
            }),
        }
    }
}

/// A record that is the header again (exports of several pages repeat it).
fn repeats_header(rec: &Record, header: &[String]) -> bool {
    if rec.malformed || rec.len() < header.len() {
        return false;
    }
    (0..rec.len()).all(|i| match header.get(i) {
        Some(h) => rec.field(i).trim() == h,
        None => rec.field(i).trim().is_empty(),
    })
}
