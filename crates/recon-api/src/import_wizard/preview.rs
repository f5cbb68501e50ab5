//! Previews of one file, read from its head only: format, encoding, the profile given or
//! proposed (with the columns that need a choice), the header's columns, and the first rows
//! as parsed next to their raw text.

use super::profiles::{blank_profile, invalid, one_char};
use crate::imports;
use crate::row_check::RowCheck;
use crate::{
    AmbiguityDto, ApiError, ApiResult, ErrorCode, ParsedRowDto, PreviewDto, PreviewRowDto,
    ProfileDto, RejectedRowDto, StatementDto,
};
use recon_import::decode::{decode_all, encoding_for_label, encoding_name, sniff_encoding};
use recon_import::records::{Record, RecordReader, StrSource};
use recon_import::{
    detect_format, propose_profile, qif_date_question, read_csv_in, read_statement_with, Ambiguity,
    DayOrder, Format, ParsedRow, Profile, ReadError, RowResult, StatementInfo, StatementOptions,
};
use recon_store::Store;
use rust_decimal::Decimal;
use std::io::Cursor;
use std::path::PathBuf;

/// The preview's `format` of an expected payments file (which only the Expected payments
/// import reads).
pub const EXPECTED_FORMAT: &str = "expected-payments";

/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 50;
/// Raw lines shown above the preview table.
pub const RAW_LINES: usize = 30;

pub(crate) fn statement_dto(s: &StatementInfo) -> StatementDto {
    StatementDto {
        account: s.account.clone(),
        currency: s.currency.clone(),
        opening_balance: s.opening_balance.map(|d| d.to_string()),
        closing_balance: s.closing_balance.map(|d| d.to_string()),
        balances_agree: s.balances_agree,
        lines_sum: s.lines_sum.map(|d| d.to_string()),
        difference: statement_difference(s.opening_balance, s.closing_balance, s.lines_sum)
            .map(|d| d.to_string()),
    }
}

/// closing − (opening + lines) of a statement, exactly; `None` when one is unknown or the
/// amounts are too large to subtract.
pub(crate) fn statement_difference(
    opening: Option<Decimal>,
    closing: Option<Decimal>,
    lines: Option<Decimal>,
) -> Option<Decimal> {
    closing?.checked_sub(opening?.checked_add(lines?)?)
}

fn parsed_dto(p: &ParsedRow) -> ParsedRowDto {
    let sign = if p.amount.is_zero() {
        "zero"
    } else if p.amount.is_sign_negative() {
        "out"
    } else {
        "in"
    };
    ParsedRowDto {
        date: p.date.format("%Y-%m-%d").to_string(),
        amount: p.amount.to_string(),
        sign: sign.into(),
        currency: p.currency.clone(),
        description: p.description.clone(),
        counterparty: p.counterparty.clone(),
        reference: p.reference.clone(),
        balance: p.balance.map(|b| b.to_string()),
        value_date: p.value_date.clone(),
    }
}

fn preview_row(file: &str, r: RowResult) -> PreviewRowDto {
    match r {
        RowResult::Row(p) => PreviewRowDto {
            line: p.line,
            parsed: Some(parsed_dto(&p)),
            raw: p.raw,
            reject: None,
        },
        RowResult::Reject(r) => PreviewRowDto {
            line: r.line,
            raw: r.raw.clone(),
            parsed: None,
            reject: Some(RejectedRowDto {
                file: file.to_string(),
                line: r.line,
                column: r.column,
                raw_value: r.raw_value,
                reason: r.reason,
                raw: r.raw,
            }),
        },
    }
}

fn ambiguity_dto(a: &Ambiguity) -> AmbiguityDto {
    AmbiguityDto {
        column: a.column.clone(),
        readings: a.readings.clone(),
        options: a.options.clone(),
    }
}

fn checked(check: Option<&RowCheck>, r: RowResult) -> RowResult {
    match check {
        Some(check) => check.apply(r),
        None => r,
    }
}

fn bad_file(name: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::BadFile, format!("{name}: {e}"))
}

/// Previews one file from its first [`imports::HEAD_BYTES`]: its format, encoding, the profile given
/// (or proposed, with the columns that need a choice), the header's columns, and the first
/// [`PREVIEW_ROWS`] rows as parsed next to their raw text.
pub fn import_preview(path: &str, profile: Option<ProfileDto>) -> ApiResult<PreviewDto> {
    preview_checked(path, profile, None, None)
}

/// [`import_preview`] for an import into `wallet` (when one is chosen): rows are checked as
/// the import will check them (the wallet's currency, the scale of the row's currency), so
/// the preview never shows as parsed a row the import refuses. `date_order` answers a QIF's
/// date question (`month-first` / `day-first`).
pub fn import_preview_for(
    store: &Store,
    path: &str,
    profile: Option<ProfileDto>,
    wallet: Option<&str>,
    date_order: Option<&str>,
) -> ApiResult<PreviewDto> {
    let check = RowCheck::new(store, wallet.filter(|w| !w.trim().is_empty()))?;
    let day_order = date_order.map(super::day_order).transpose()?;
    preview_checked(path, profile, Some(&check), day_order)
}

fn preview_checked(
    path: &str,
    profile: Option<ProfileDto>,
    check: Option<&RowCheck>,
    day_order: Option<DayOrder>,
) -> ApiResult<PreviewDto> {
    let path_buf = PathBuf::from(path.trim());
    let p = path_buf.as_path();
    let meta = std::fs::metadata(p)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("{}: {e}", p.display())))?;
    if !meta.is_file() {
        return Err(ApiError::new(
            ErrorCode::Io,
            format!("{}: not a file", p.display()),
        ));
    }
    let head = imports::head(p)?;
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string());
    // An expected payments file is no bank file: the preview says so and sends it on.
    let expected = recon_core::matching::looks_like_expected(&head);
    let format = if expected {
        None
    } else {
        Some(detect_format(&head).map_err(|e| bad_file(&name, e))?)
    };
    let mut dto = PreviewDto {
        path: p.display().to_string(),
        file_name: name,
        format: format.map_or(EXPECTED_FORMAT, |f| f.as_str()).into(),
        encoding: String::new(),
        size_bytes: meta.len(),
        profile: None,
        proposed: false,
        ambiguities: Vec::new(),
        reasons: Vec::new(),
        columns: Vec::new(),
        raw_lines: Vec::new(),
        rows: Vec::new(),
        partial: meta.len() > head.len() as u64,
        statement: None,
        notes: Vec::new(),
        problem: None,
    };
    let Some(format) = format else {
        dto.problem = Some(imports::expected_file_refusal(p));
        return Ok(dto);
    };
    match format {
        Format::Csv => preview_csv(&mut dto, &head, profile, check),
        Format::EsiJson => preview_esi(&mut dto, &head),
        other => preview_statement(&mut dto, &head, (other, day_order), check),
    }
    Ok(dto)
}

fn raw_lines(text: &str) -> Vec<String> {
    text.trim_start_matches('\u{FEFF}')
        .lines()
        .take(RAW_LINES)
        .map(|l| l.chars().take(500).collect())
        .collect()
}

fn preview_csv(
    dto: &mut PreviewDto,
    head: &[u8],
    given: Option<ProfileDto>,
    check: Option<&RowCheck>,
) {
    let profile = match given {
        Some(given) => match Profile::try_from(given.clone()) {
            Ok(p) => p,
            Err(e) => {
                // keep what the user typed so they can fix it; show the file as text and
                // its columns (as far as the delimiter can be read) for the dropdowns
                let (text, enc) = recon_import::decode::decode_sample(head);
                dto.encoding = encoding_name(enc);
                dto.raw_lines = raw_lines(&text);
                if let (Ok(d), Ok(q)) = (one_char(&given.delimiter, ""), one_char(&given.quote, ""))
                {
                    let layout = (d, q, given.skip_lines as usize, given.has_header);
                    dto.columns = header_columns(&text, layout);
                }
                dto.profile = Some(given);
                dto.problem = Some(e);
                return;
            }
        },
        None => match propose_profile(head) {
            Ok(proposal) => {
                dto.proposed = true;
                dto.ambiguities = proposal.ambiguities.iter().map(ambiguity_dto).collect();
                dto.reasons = proposal.reasons;
                proposal.profile
            }
            Err(e) => {
                dto.proposed = true;
                dto.problem = Some(bad_file(&dto.file_name, e));
                blank_profile()
            }
        },
    };
    dto.profile = Some(ProfileDto::from(&profile));

    // The text as the profile's encoding reads it (a BOM wins, like the importer).
    let enc = match encoding_for_label(&profile.encoding) {
        Ok(Some(enc)) => enc,
        Ok(None) => sniff_encoding(head),
        Err(e) => {
            dto.problem = Some(invalid(e.to_string()));
            return;
        }
    };
    let (text, _, actual) = decode_all(head, enc);
    dto.encoding = encoding_name(actual);
    dto.raw_lines = raw_lines(&text);
    let layout = (
        profile.delimiter,
        profile.quote,
        profile.skip_lines,
        profile.has_header,
    );
    dto.columns = header_columns(&text, layout);

    let mut rows = Vec::new();
    let file = dto.file_name.clone();
    let wallet_currency = check.and_then(RowCheck::wallet_currency);
    let outcome = read_csv_in(Cursor::new(head), &profile, wallet_currency, |r| {
        rows.push(preview_row(&file, checked(check, r)));
        if rows.len() > PREVIEW_ROWS {
            Err(())
        } else {
            Ok(())
        }
    });
    match outcome {
        Ok(summary) => {
            dto.encoding = summary.encoding;
            dto.notes = summary.notes;
            // the head may end mid-row: that row is only cut, not bad
            if dto.partial {
                rows.pop();
            }
        }
        Err(ReadError::Callback(())) => {
            rows.truncate(PREVIEW_ROWS);
            dto.partial = true;
        }
        Err(ReadError::Import(e)) => dto.problem = Some(bad_file(&dto.file_name, e)),
    }
    dto.rows = rows;
}

/// The header's names (trimmed, `column N` for blanks), or `column 1..N` without a header.
/// `layout` is (delimiter, quote, lines to skip, has a header).
fn header_columns(text: &str, layout: (char, char, usize, bool)) -> Vec<String> {
    let (delimiter, quote, skip, has_header) = layout;
    if !delimiter.is_ascii() || !quote.is_ascii() {
        return Vec::new();
    }
    let text = text.trim_start_matches('\u{FEFF}');
    let mut rr = RecordReader::new(StrSource(Some(text)), delimiter as u8, quote as u8);
    if rr.skip_lines(skip).is_err() {
        return Vec::new();
    }
    let mut rec = Record::default();
    while let Ok(true) = rr.next_record(&mut rec) {
        if rec.is_blank() {
            continue;
        }
        return rec
            .fields()
            .enumerate()
            .map(|(i, f)| {
                let f = f.trim().trim_start_matches('\u{FEFF}');
                if !has_header || f.is_empty() {
                    format!("column {}", i + 1)
                } else {
                    f.to_string()
                }
            })
            .collect();
    }
    Vec::new()
}

/// A statement's preview; `how` is its format and, for a QIF, the date order chosen (while
/// none is, a QIF whose dates read both ways is asked about, like a CSV's date column).
fn preview_statement(
    dto: &mut PreviewDto,
    head: &[u8],
    how: (Format, Option<DayOrder>),
    check: Option<&RowCheck>,
) {
    let (format, day_order) = how;
    let (text, enc) = recon_import::decode::decode_sample(head);
    dto.encoding = encoding_name(enc);
    dto.raw_lines = raw_lines(&text);
    if format == Format::Qif && day_order.is_none() {
        dto.ambiguities = qif_date_question(head).iter().map(ambiguity_dto).collect();
    }
    let mut rows = Vec::new();
    let file = dto.file_name.clone();
    // the whole head is read (bounded): a statement's balances need every line
    let options = StatementOptions { day_order };
    let outcome = read_statement_with(Cursor::new(head), format, options, |r| {
        if rows.len() < PREVIEW_ROWS {
            rows.push(preview_row(&file, checked(check, r)));
        }
        Ok::<(), std::convert::Infallible>(())
    });
    match outcome {
        Ok(summary) => {
            dto.encoding = summary.encoding;
            dto.statement = summary.statement.as_ref().map(statement_dto);
            dto.notes = summary.notes;
        }
        Err(ReadError::Import(_)) if dto.partial && !rows.is_empty() => dto.notes.push(
            "a large statement: the preview shows its first entries; the import reads and checks it whole"
                .into(),
        ),
        Err(ReadError::Import(e)) => dto.problem = Some(bad_file(&dto.file_name, e)),
        Err(ReadError::Callback(never)) => match never {},
    }
    dto.rows = rows;
}

fn preview_esi(dto: &mut PreviewDto, head: &[u8]) {
    dto.encoding = "utf-8".into();
    let (text, _) = recon_import::decode::decode_sample(head);
    dto.raw_lines = raw_lines(&text);
    if dto.partial {
        // JSON cannot be read from a cut head; the import reads the file whole
        dto.notes
            .push("a large ESI journal: no row preview; the import reads it whole".into());
        return;
    }
    match recon_core::esi::parse_journal(head, 2) {
        Ok(entries) => {
            dto.rows = entries
                .iter()
                .take(PREVIEW_ROWS)
                .enumerate()
                .map(|(i, e)| {
                    let amount = e.amount.map(|a| a.to_string()).unwrap_or_default();
                    PreviewRowDto {
                        line: i as u64 + 1,
                        raw: format!(
                            "id {} · {} · amount {}",
                            e.id,
                            e.ref_type,
                            e.amount_raw.as_deref().unwrap_or("—")
                        ),
                        parsed: Some(ParsedRowDto {
                            date: e.date.chars().take(10).collect(),
                            sign: match e.amount {
                                Some(a) if a.is_zero() => "zero",
                                Some(a) if a.is_sign_negative() => "out",
                                Some(_) => "in",
                                None => "zero",
                            }
                            .into(),
                            amount,
                            currency: None,
                            description: e.description.clone(),
                            counterparty: None,
                            reference: Some(e.id.to_string()),
                            balance: e.balance.map(|b| b.to_string()),
                            value_date: None,
                        }),
                        reject: None,
                    }
                })
                .collect();
            if entries.len() > PREVIEW_ROWS {
                dto.partial = true;
            }
        }
        Err(e) => dto.problem = Some(bad_file(&dto.file_name, e)),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::ColumnDto;

    pub(in crate::import_wizard) fn csv(dir: &std::path::Path, name: &str, text: &str) -> String {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn amounts(p: &PreviewDto) -> Vec<String> {
        p.rows
            .iter()
            .map(|r| match (&r.parsed, &r.reject) {
                (Some(row), _) => row.amount.clone(),
                (None, Some(rej)) => format!("reject {}", rej.raw_value),
                _ => unreachable!(),
            })
            .collect()
    }

    pub(in crate::import_wizard) const GERMAN: &str = "Buchungstag;Betrag;Verwendungszweck;Saldo\n\
        03.04.2026;1.234,56;Gehalt;2.000,00\n\
        14.04.2026;-12,50;Kaffee;1.987,50\n";

    #[test]
    fn preview_parses_a_decimal_comma_and_follows_profile_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = csv(dir.path(), "konto.csv", GERMAN);
        let p = import_preview(&path, None).unwrap();
        assert_eq!(p.format, "csv");
        assert_eq!(p.encoding, "utf-8");
        assert!(p.proposed && p.problem.is_none() && !p.partial);
        assert_eq!(
            p.columns,
            ["Buchungstag", "Betrag", "Verwendungszweck", "Saldo"]
        );
        assert_eq!(p.raw_lines.len(), 3);
        let profile = p.profile.clone().unwrap();
        assert_eq!(profile.decimal_separator, ",");
        assert_eq!(profile.date_format, "%d.%m.%Y");
        assert_eq!(amounts(&p), ["1234.56", "-12.50"]);
        let first = p.rows[0].parsed.as_ref().unwrap();
        assert_eq!(
            (first.date.as_str(), first.sign.as_str()),
            ("2026-04-03", "in")
        );
        assert_eq!(first.balance.as_deref(), Some("2000.00"));
        assert_eq!(p.rows[1].parsed.as_ref().unwrap().sign, "out");
        assert_eq!(p.rows[0].raw, "03.04.2026;1.234,56;Gehalt;2.000,00");

        // A decimal point instead: the amounts read differently (or are refused, with why).
        let mut changed = profile.clone();
        changed.decimal_separator = ".".into();
        changed.thousands_separator = None;
        let q = import_preview(&path, Some(changed)).unwrap();
        assert!(!q.proposed);
        assert_ne!(amounts(&q), amounts(&p));
        assert!(
            q.rows.iter().any(|r| r
                .reject
                .as_ref()
                .is_some_and(|r| r.column.as_deref() == Some("Betrag"))),
            "{:?}",
            q.rows
        );

        // A profile that cannot be (same decimal and thousands separator): the problem, and
        // still the columns to fix it with.
        let mut clash = profile.clone();
        clash.decimal_separator = ".".into();
        let c = import_preview(&path, Some(clash)).unwrap();
        assert_eq!(c.problem.unwrap().code, "invalid_input");
        assert_eq!(c.columns.len(), 4);

        // A column that is not in the header: the preview still shows the file, with the problem.
        let mut missing = profile;
        missing.description = Some(ColumnDto::Name("Memo".into()));
        let r = import_preview(&path, Some(missing)).unwrap();
        assert_eq!(r.problem.unwrap().code, "bad_file");
        assert!(r.rows.is_empty());
        assert_eq!(r.raw_lines.len(), 3);
    }

    #[test]
    fn preview_lists_an_ambiguous_date_and_the_choice_changes_the_dates() {
        let dir = tempfile::tempdir().unwrap();
        let path = csv(
            dir.path(),
            "a.csv",
            "Date,Amount,Memo\n03/04/2026,10.00,a\n05/06/2026,-2.50,b\n",
        );
        let p = import_preview(&path, None).unwrap();
        let amb = &p.ambiguities[0];
        assert_eq!(amb.column, "Date");
        assert_eq!(amb.options.len(), 2);
        let mut profile = p.profile.clone().unwrap();
        let before = p.rows[0].parsed.as_ref().unwrap().date.clone();
        profile.date_format = amb.options[1].clone();
        let q = import_preview(&path, Some(profile)).unwrap();
        assert_ne!(q.rows[0].parsed.as_ref().unwrap().date, before);
        assert!(q.ambiguities.is_empty());
    }

    #[test]
    fn preview_reads_only_the_head_of_a_large_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("Date,Amount,Memo\n");
        for i in 0..20_000 {
            text.push_str(&format!("2026-01-{:02},{}.25,row {i}\n", i % 28 + 1, i));
        }
        let path = csv(dir.path(), "big.csv", &text);
        let p = import_preview(&path, None).unwrap();
        assert!(p.partial);
        assert_eq!(p.rows.len(), PREVIEW_ROWS);
        assert_eq!(p.raw_lines.len(), RAW_LINES);
    }
}
