//! The app's import wizard and import history: previews read only a file's head, imports
//! report their progress through [`IMPORT_PROGRESS`], and a batch refused for bad rows comes
//! back as an [`ImportResultDto`] with `committed: false` (every bad row structured) rather
//! than as an error.

use crate::imports;
use crate::{
    AmbiguityDto, AmountDto, AmountMode, ApiError, ApiResult, BatchDto, BatchFileDto, ColumnDto,
    CurrencySourceDto, ImportResultDto, ImportedFileDto, ParsedRowDto, PreviewDto, PreviewRowDto,
    ProfileDto, ProgressDto, RejectedRowDto, SavedProfileDto, StatementDto,
};
use chrono::Utc;
use recon_import::decode::{decode_all, encoding_for_label, encoding_name, sniff_encoding};
use recon_import::records::{Record, RecordReader, StrSource};
use recon_import::{
    detect_format, propose_profile, read_csv, read_statement, AmountMapping, Column,
    CurrencySource, Format, ParsedRow, Profile, ReadError, RowResult, StatementInfo,
};
use recon_store::{BankImportOptions, BankImportSummary, RejectedRow, Store};
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 50;
/// Raw lines shown above the preview table.
pub const RAW_LINES: usize = 30;

// ------------------------------------------------------------------ profile <-> DTO

fn column_dto(c: &Column) -> ColumnDto {
    match c {
        Column::Name(n) => ColumnDto::Name(n.clone()),
        Column::Index(i) => ColumnDto::Index(*i as u32),
    }
}

fn column(c: ColumnDto, what: &str) -> ApiResult<Column> {
    match c {
        ColumnDto::Index(0) => Err(invalid(format!("{what}: column indexes start at 1"))),
        ColumnDto::Index(i) => Ok(Column::Index(i as usize)),
        ColumnDto::Name(n) if n.trim().is_empty() => {
            Err(invalid(format!("{what}: choose a column")))
        }
        ColumnDto::Name(n) => Ok(Column::Name(n)),
    }
}

fn opt_column(c: Option<ColumnDto>, what: &str) -> ApiResult<Option<Column>> {
    // an empty name is how a "(none)" dropdown choice may arrive
    match c {
        Some(ColumnDto::Name(n)) if n.trim().is_empty() => Ok(None),
        other => other.map(|c| column(c, what)).transpose(),
    }
}

fn need(c: Option<ColumnDto>, what: &str) -> ApiResult<Column> {
    opt_column(c, what)?.ok_or_else(|| invalid(format!("{what}: choose a column")))
}

fn invalid(message: String) -> ApiError {
    ApiError::new("invalid_input", message)
}

fn one_char(s: &str, what: &str) -> ApiResult<char> {
    // "\t" typed as two characters in a text field still means tab
    let s = if s == "\\t" { "\t" } else { s };
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(invalid(format!(
            "{what} must be exactly one character, not {s:?}"
        ))),
    }
}

impl From<&Profile> for ProfileDto {
    fn from(p: &Profile) -> Self {
        let mut amount = AmountDto {
            mode: AmountMode::Single,
            column: None,
            negate: false,
            debit: None,
            credit: None,
            indicator: None,
            debit_values: Vec::new(),
            credit_values: Vec::new(),
        };
        match &p.amount {
            AmountMapping::Single { column, negate } => {
                amount.column = Some(column_dto(column));
                amount.negate = *negate;
            }
            AmountMapping::DebitCredit { debit, credit } => {
                amount.mode = AmountMode::DebitCredit;
                amount.debit = Some(column_dto(debit));
                amount.credit = Some(column_dto(credit));
            }
            AmountMapping::Indicator {
                column,
                indicator,
                debit_values,
                credit_values,
            } => {
                amount.mode = AmountMode::Indicator;
                amount.column = Some(column_dto(column));
                amount.indicator = Some(column_dto(indicator));
                amount.debit_values = debit_values.clone();
                amount.credit_values = credit_values.clone();
            }
        }
        ProfileDto {
            delimiter: p.delimiter.to_string(),
            quote: p.quote.to_string(),
            encoding: p.encoding.clone(),
            skip_lines: p.skip_lines as u32,
            has_header: p.has_header,
            date: column_dto(&p.date),
            date_format: p.date_format.clone(),
            description: p.description.as_ref().map(column_dto),
            counterparty: p.counterparty.as_ref().map(column_dto),
            reference: p.reference.as_ref().map(column_dto),
            balance: p.balance.as_ref().map(column_dto),
            decimal_separator: p.decimal_separator.to_string(),
            thousands_separator: p.thousands_separator.map(|c| c.to_string()),
            currency: p.currency.as_ref().map(|c| match c {
                CurrencySource::Fixed(code) => CurrencySourceDto::Fixed { code: code.clone() },
                CurrencySource::Column(c) => CurrencySourceDto::Column {
                    column: column_dto(c),
                },
            }),
            amount,
        }
    }
}

impl TryFrom<ProfileDto> for Profile {
    type Error = ApiError;

    /// Checks everything `Profile::validate` checks, with `invalid_input` errors.
    fn try_from(d: ProfileDto) -> ApiResult<Profile> {
        let a = d.amount;
        let amount = match a.mode {
            AmountMode::Single => AmountMapping::Single {
                column: need(a.column, "amount")?,
                negate: a.negate,
            },
            AmountMode::DebitCredit => AmountMapping::DebitCredit {
                debit: need(a.debit, "debit")?,
                credit: need(a.credit, "credit")?,
            },
            AmountMode::Indicator => AmountMapping::Indicator {
                column: need(a.column, "amount")?,
                indicator: need(a.indicator, "indicator")?,
                debit_values: clean_values(a.debit_values),
                credit_values: clean_values(a.credit_values),
            },
        };
        let currency = match d.currency {
            None => None,
            Some(CurrencySourceDto::Fixed { code }) if code.trim().is_empty() => None,
            Some(CurrencySourceDto::Fixed { code }) => Some(CurrencySource::Fixed(
                recon_core::money::validate_currency_code(code.trim())
                    .map_err(|e| invalid(format!("currency: {e}")))?,
            )),
            Some(CurrencySourceDto::Column { column: c }) => {
                Some(CurrencySource::Column(column(c, "currency")?))
            }
        };
        let thousands = match d.thousands_separator.as_deref() {
            None | Some("") => None,
            Some(t) => Some(one_char(t, "the thousands separator")?),
        };
        let profile = Profile {
            delimiter: one_char(&d.delimiter, "the delimiter")?,
            quote: one_char(&d.quote, "the quote")?,
            encoding: if d.encoding.trim().is_empty() {
                "auto".into()
            } else {
                d.encoding.trim().to_string()
            },
            skip_lines: d.skip_lines as usize,
            has_header: d.has_header,
            date: column(d.date, "date")?,
            date_format: d.date_format,
            description: opt_column(d.description, "description")?,
            counterparty: opt_column(d.counterparty, "counterparty")?,
            reference: opt_column(d.reference, "reference")?,
            balance: opt_column(d.balance, "balance")?,
            decimal_separator: one_char(&d.decimal_separator, "the decimal separator")?,
            thousands_separator: thousands,
            currency,
            amount,
        };
        profile.validate().map_err(|e| invalid(e.to_string()))?;
        Ok(profile)
    }
}

fn clean_values(v: Vec<String>) -> Vec<String> {
    v.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A profile to start from when none can be proposed: the user maps the columns by hand.
fn blank_profile() -> Profile {
    Profile {
        delimiter: ',',
        quote: '"',
        encoding: "auto".into(),
        skip_lines: 0,
        has_header: true,
        date: Column::Index(1),
        date_format: "%Y-%m-%d".into(),
        description: None,
        counterparty: None,
        reference: None,
        balance: None,
        decimal_separator: '.',
        thousands_separator: None,
        currency: None,
        amount: AmountMapping::Single {
            column: Column::Index(2),
            negate: false,
        },
    }
}

// ------------------------------------------------------------------ preview

fn statement_dto(s: &StatementInfo) -> StatementDto {
    StatementDto {
        account: s.account.clone(),
        currency: s.currency.clone(),
        opening_balance: s.opening_balance.map(|d| d.to_string()),
        closing_balance: s.closing_balance.map(|d| d.to_string()),
        balances_agree: s.balances_agree,
    }
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

fn bad_file(name: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new("bad_file", format!("{name}: {e}"))
}

/// Previews one file from its first [`imports::HEAD_BYTES`]: its format, encoding, the profile given
/// (or proposed, with the columns that need a choice), the header's columns, and the first
/// [`PREVIEW_ROWS`] rows as parsed next to their raw text.
pub fn import_preview(path: &str, profile: Option<ProfileDto>) -> ApiResult<PreviewDto> {
    let path_buf = PathBuf::from(path.trim());
    let p = path_buf.as_path();
    let meta =
        std::fs::metadata(p).map_err(|e| ApiError::new("io", format!("{}: {e}", p.display())))?;
    if !meta.is_file() {
        return Err(ApiError::new("io", format!("{}: not a file", p.display())));
    }
    let head = imports::head(p)?;
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string());
    let format = detect_format(&head).map_err(|e| bad_file(&name, e))?;
    let mut dto = PreviewDto {
        path: p.display().to_string(),
        file_name: name,
        format: format.as_str().into(),
        encoding: String::new(),
        size_bytes: meta.len(),
        profile: None,
        proposed: false,
        ambiguities: Vec::new(),
        columns: Vec::new(),
        raw_lines: Vec::new(),
        rows: Vec::new(),
        partial: meta.len() > head.len() as u64,
        statement: None,
        notes: Vec::new(),
        problem: None,
    };
    match format {
        Format::Csv => preview_csv(&mut dto, &head, profile),
        Format::EsiJson => preview_esi(&mut dto, &head),
        other => preview_statement(&mut dto, &head, other),
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

fn preview_csv(dto: &mut PreviewDto, head: &[u8], given: Option<ProfileDto>) {
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
                dto.ambiguities = proposal
                    .ambiguities
                    .iter()
                    .map(|a| AmbiguityDto {
                        column: a.column.clone(),
                        readings: a.readings.clone(),
                        options: a.options.clone(),
                    })
                    .collect();
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
    let outcome = read_csv(Cursor::new(head), &profile, |r| {
        rows.push(preview_row(&file, r));
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

fn preview_statement(dto: &mut PreviewDto, head: &[u8], format: Format) {
    let (text, enc) = recon_import::decode::decode_sample(head);
    dto.encoding = encoding_name(enc);
    dto.raw_lines = raw_lines(&text);
    let mut rows = Vec::new();
    let file = dto.file_name.clone();
    // the whole head is read (bounded): a statement's balances need every line
    let outcome = read_statement(Cursor::new(head), format, |r| {
        if rows.len() < PREVIEW_ROWS {
            rows.push(preview_row(&file, r));
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

// ------------------------------------------------------------------ import + progress

/// Bytes read by the running import (all its files) and their total, for the progress bar.
pub struct ImportProgress {
    pub done: AtomicU64,
    pub total: AtomicU64,
    pub running: AtomicBool,
}

/// One import runs at a time in the app; the UI polls this while it does.
pub static IMPORT_PROGRESS: ImportProgress = ImportProgress {
    done: AtomicU64::new(0),
    total: AtomicU64::new(0),
    running: AtomicBool::new(false),
};

pub fn import_progress() -> ProgressDto {
    ProgressDto {
        running: IMPORT_PROGRESS.running.load(Ordering::Relaxed),
        done_bytes: IMPORT_PROGRESS.done.load(Ordering::Relaxed),
        total_bytes: IMPORT_PROGRESS.total.load(Ordering::Relaxed),
    }
}

/// Marks the import finished however it ends (error or panic included).
struct Running;

impl Drop for Running {
    fn drop(&mut self) {
        IMPORT_PROGRESS.running.store(false, Ordering::Relaxed);
    }
}

fn rejected_dto(r: RejectedRow) -> RejectedRowDto {
    RejectedRowDto {
        file: r.file,
        line: r.line,
        column: r.column,
        raw_value: r.raw_value,
        reason: r.reason,
        raw: r.raw,
    }
}

fn result_dto(s: BankImportSummary, committed: bool) -> ImportResultDto {
    ImportResultDto {
        committed,
        batch_id: s.batch_id,
        wallet: s.wallet,
        read: s.read,
        inserted: if committed { s.inserted } else { 0 },
        duplicates: s.duplicates,
        rejected: s.rejected,
        files: s
            .files
            .into_iter()
            .map(|f| ImportedFileDto {
                file_name: f.file_name,
                sha256: f.sha256,
                format: f.format,
                encoding: f.encoding,
                read: f.read,
                inserted: if committed { f.inserted } else { 0 },
                duplicates: f.duplicates,
                removed_earlier: f.removed_earlier,
                rejected: f.rejected,
                statement: f.statement.as_ref().map(statement_dto),
                notes: f.notes,
            })
            .collect(),
        rejects: s.rejects.into_iter().map(rejected_dto).collect(),
    }
}

/// Imports files into `wallet` as one batch (format detected per file; CSVs through
/// `profile`, else an unambiguous proposal). A batch refused for bad rows is returned with
/// `committed: false` and its rejects, not as an error.
pub fn import_run(
    store: &mut Store,
    actor: &str,
    wallet: &str,
    paths: Vec<String>,
    profile: Option<ProfileDto>,
    valid_rows_only: bool,
    restore_removed: bool,
) -> ApiResult<ImportResultDto> {
    let paths: Vec<PathBuf> = paths
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .collect();
    if wallet.trim().is_empty() {
        return Err(invalid("choose a wallet to import into".into()));
    }
    let profile = profile.map(Profile::try_from).transpose()?;
    let total = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    IMPORT_PROGRESS.done.store(0, Ordering::Relaxed);
    IMPORT_PROGRESS.total.store(total, Ordering::Relaxed);
    IMPORT_PROGRESS.running.store(true, Ordering::Relaxed);
    let _running = Running;
    let outcome = imports::import_files_outcome(
        store,
        actor,
        wallet,
        &paths,
        profile.as_ref(),
        BankImportOptions {
            valid_rows_only,
            restore_removed,
        },
        Some(&IMPORT_PROGRESS.done),
    )?;
    // ESI journals are read whole, without byte progress: show the bar full at the end
    IMPORT_PROGRESS.done.store(total, Ordering::Relaxed);
    Ok(match outcome {
        Ok(summary) => result_dto(summary, true),
        Err(refused) => result_dto(*refused, false),
    })
}

// ------------------------------------------------------------------ history + profiles

pub fn import_batches(store: &Store) -> ApiResult<Vec<BatchDto>> {
    Ok(store
        .import_batches()?
        .into_iter()
        .map(|b| BatchDto {
            id: b.id,
            wallet: b.wallet,
            format: b.format,
            read: b.read,
            inserted: b.inserted,
            duplicates: b.duplicates,
            rejected: b.rejected,
            valid_rows_only: b.valid_rows_only,
            actor: b.actor,
            at: b.at,
            removed_at: b.removed_at,
            removed_by: b.removed_by,
            rows_held: b.rows_held,
            files: b
                .files
                .into_iter()
                .map(|f| BatchFileDto {
                    file_name: f.file_name,
                    sha256: f.sha256,
                    size_bytes: f.size_bytes,
                    format: f.format,
                    encoding: f.encoding,
                    read: f.read,
                    inserted: f.inserted,
                    duplicates: f.duplicates,
                    rejected: f.rejected,
                    opening_balance: f.opening_balance,
                    closing_balance: f.closing_balance,
                    balances_agree: f.balances_agree,
                })
                .collect(),
        })
        .collect())
}

pub fn batch_rejects(store: &Store, id: &str) -> ApiResult<Vec<RejectedRowDto>> {
    Ok(store
        .batch_rejects(id)?
        .into_iter()
        .map(rejected_dto)
        .collect())
}

/// Removes a batch's rows (tombstoned); refused with `conflict` once any is matched.
pub fn batch_remove(store: &mut Store, actor: &str, id: &str) -> ApiResult<u64> {
    Ok(store.remove_batch(actor, Utc::now(), id)?)
}

pub fn profile_list(store: &Store) -> ApiResult<Vec<SavedProfileDto>> {
    store
        .profiles()?
        .into_iter()
        .map(|v| {
            let profile = Profile::from_toml(&v.toml)
                .map_err(|e| invalid(format!("saved profile '{}': {e}", v.name)))?;
            Ok(SavedProfileDto {
                name: v.name,
                profile: ProfileDto::from(&profile),
                toml: v.toml,
                created_at: v.created_at,
                created_by: v.created_by,
            })
        })
        .collect()
}

pub fn profile_save(
    store: &mut Store,
    actor: &str,
    name: &str,
    profile: ProfileDto,
) -> ApiResult<SavedProfileDto> {
    let profile = Profile::try_from(profile)?;
    store.save_profile(actor, Utc::now(), name, &profile.to_toml())?;
    profile_list(store)?
        .into_iter()
        .find(|p| p.name == name.trim())
        .ok_or_else(|| ApiError::new("internal", format!("profile '{name}' was not saved")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(dir: &std::path::Path, name: &str, text: &str) -> String {
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

    const GERMAN: &str = "Buchungstag;Betrag;Verwendungszweck;Saldo\n\
        03.04.2026;1.234,56;Gehalt;2.000,00\n\
        14.04.2026;-12,50;Kaffee;1.987,50\n";

    #[test]
    fn profile_round_trips_through_the_dto() {
        let mut profiles = vec![blank_profile()];
        for text in [
            "delimiter = \";\"\nencoding = \"windows-1252\"\nskip_lines = 4\ndate = \"Buchungstag\"\ndate_format = \"%d.%m.%Y\"\ndescription = \"Text\"\ncounterparty = 3\nreference = \"Ref\"\nbalance = \"Saldo\"\ndecimal_separator = \",\"\nthousands_separator = \".\"\ncurrency = \"EUR\"\namount = \"Betrag\"\n",
            "has_header = false\ndate = 1\ndate_format = \"%Y-%m-%d\"\ncurrency = { column = 4 }\n[amount]\ncolumn = 2\nnegate = true\n",
            "delimiter = \"\\t\"\ndate = \"D\"\ndate_format = \"%m/%d/%Y\"\n[amount]\ndebit = \"Soll\"\ncredit = \"Haben\"\n",
            "date = \"D\"\ndate_format = \"%d/%m/%y\"\n[amount]\ncolumn = \"Amt\"\nindicator = \"S/H\"\ndebit_values = [\"S\"]\ncredit_values = [\"H\"]\n",
        ] {
            profiles.push(Profile::from_toml(text).unwrap());
        }
        for p in profiles {
            let dto = ProfileDto::from(&p);
            // through JSON too, as the UI sends it back
            let json = serde_json::to_string(&dto).unwrap();
            let back: ProfileDto = serde_json::from_str(&json).unwrap();
            assert_eq!(back, dto);
            assert_eq!(Profile::try_from(back).unwrap(), p, "{json}");
        }
        let dto = ProfileDto::from(&Profile::from_toml("date = 2\ndate_format = \"%Y\"\namount = \"Amt\"\ncurrency = { column = \"Cur\" }\n").unwrap());
        let json = serde_json::to_value(&dto).unwrap();
        assert_eq!(json["date"], serde_json::json!(2));
        assert_eq!(json["amount"]["column"], serde_json::json!("Amt"));
        assert_eq!(json["amount"]["mode"], serde_json::json!("single"));
        assert_eq!(
            json["currency"],
            serde_json::json!({"mode": "column", "column": "Cur"})
        );

        let mut bad = dto.clone();
        bad.date = ColumnDto::Index(0);
        assert_eq!(Profile::try_from(bad).unwrap_err().code, "invalid_input");
        let mut bad = dto;
        bad.delimiter = ";;".into();
        assert!(Profile::try_from(bad)
            .unwrap_err()
            .message
            .contains("delimiter"));
    }

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

    #[test]
    fn import_run_reports_bad_rows_structured_and_history_can_remove_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::open_store(&dir.path().join("l.sqlite")).unwrap();
        crate::wallet_add(
            &mut store,
            "alice",
            crate::NewWalletDto {
                name: "Bank".into(),
                kind: "bank".into(),
                owner_id: None,
                division: None,
                currency: "EUR".into(),
                receiving: false,
            },
        )
        .unwrap();
        let path = csv(
            dir.path(),
            "k.csv",
            &format!("{GERMAN}15.04.2026;zwölf;Kaputt;1.987,50\n"),
        );
        let profile = import_preview(&path, None).unwrap().profile;

        let refused = import_run(
            &mut store,
            "alice",
            "Bank",
            vec![path.clone()],
            profile.clone(),
            false,
            false,
        )
        .unwrap();
        assert!(!refused.committed);
        assert_eq!(
            (refused.read, refused.inserted, refused.rejected),
            (3, 0, 1)
        );
        assert_eq!(refused.rejects[0].line, 4);
        assert_eq!(refused.rejects[0].column.as_deref(), Some("Betrag"));
        assert!(import_batches(&store).unwrap().is_empty());
        assert!(!import_progress().running);

        let done = import_run(
            &mut store,
            "alice",
            "Bank",
            vec![path],
            profile.clone(),
            true,
            false,
        )
        .unwrap();
        assert!(done.committed);
        assert_eq!((done.read, done.inserted, done.rejected), (3, 2, 1));
        let progress = import_progress();
        assert_eq!(progress.done_bytes, progress.total_bytes);
        let batches = import_batches(&store).unwrap();
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].files[0].sha256.len(), 64);
        assert_eq!(batch_rejects(&store, &done.batch_id).unwrap().len(), 1);
        assert_eq!(
            batch_remove(&mut store, "alice", &done.batch_id).unwrap(),
            2
        );
        assert!(import_batches(&store).unwrap()[0].removed_at.is_some());
        assert_eq!(
            batch_remove(&mut store, "alice", &done.batch_id)
                .unwrap_err()
                .code,
            "conflict"
        );

        let saved =
            profile_save(&mut store, "alice", " Sparkasse ", profile.clone().unwrap()).unwrap();
        assert_eq!(saved.name, "Sparkasse");
        assert_eq!(Some(saved.profile), profile);
        assert_eq!(profile_list(&store).unwrap().len(), 1);
    }
}
