//! Importing files whose format is found from their content (CSV, OFX, CAMT, MT940, ESI
//! JSON), shared by the `recon` CLI and the app's import wizard.

use crate::import_wizard::{rejected_dto, result_dto, statement_dto};
use crate::{ApiError, ApiResult, DryRunDto, ErrorCode, ImportResultDto};
use chrono::Utc;
pub use recon_import::DayOrder;
use recon_import::{
    detect_format, propose_profile, qif_date_question, Format, Profile, Proposal, ReadError,
    RowResult,
};
use recon_store::{
    BankFile, BankFileSummary, BankImportOptions, BankImportSummary, FileReading, RejectedRow,
    SourceFile, Store, StoreError,
};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

/// Bytes looked at to detect a format and propose a profile.
pub const HEAD_BYTES: usize = 256 * 1024;

fn io_error(path: &Path, e: std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.display().to_string()
}

/// A buffered reader over a file: imports stream, they never hold a file in memory.
fn open_reader(path: &Path) -> ApiResult<BufReader<File>> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    Ok(BufReader::with_capacity(1 << 16, file))
}

fn bank_file(path: &Path, reading: FileReading) -> ApiResult<BankFile<'static>> {
    let reader = open_reader(path)?;
    let size_bytes = reader.get_ref().metadata().map_or(0, |m| m.len());
    Ok(BankFile {
        name: file_name(path),
        reader: Box::new(reader),
        reading,
        size_bytes,
    })
}

/// The first [`HEAD_BYTES`] of a file.
pub fn head(path: &Path) -> ApiResult<Vec<u8>> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut buf = Vec::with_capacity(HEAD_BYTES);
    file.take(HEAD_BYTES as u64)
        .read_to_end(&mut buf)
        .map_err(|e| io_error(path, e))?;
    Ok(buf)
}

pub fn detect(path: &Path) -> ApiResult<Format> {
    let head = head(path)?;
    if recon_core::matching::looks_like_expected(&head) {
        return Err(expected_file_refusal(path));
    }
    detect_format(&head)
        .map_err(|e| ApiError::new(ErrorCode::BadFile, format!("{}: {e}", file_name(path))))
}

/// An expected payments file given where bank or journal files go: sent to its own import.
pub fn expected_file_refusal(path: &Path) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidInput,
        format!(
            "{} is an expected payments file (cycle_id, character_name, expected_amount, currency): import it on the Expected payments screen or with `recon import expected {}`",
            file_name(path),
            path.display()
        ),
    )
}

/// A profile argument: the path of a TOML file, else the name of a saved profile.
pub fn resolve_profile(store: &Store, arg: &str) -> ApiResult<Profile> {
    let path = Path::new(arg);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
        return Profile::from_toml(&text).map_err(|e| {
            ApiError::new(ErrorCode::InvalidInput, format!("{}: {e}", path.display()))
        });
    }
    Ok(store.profile(arg)?)
}

/// Proposes a profile for a CSV; the caller decides what to do with ambiguities.
pub fn propose(path: &Path) -> ApiResult<Proposal> {
    let head = head(path)?;
    propose_profile(&head)
        .map_err(|e| ApiError::new(ErrorCode::BadFile, format!("{}: {e}", file_name(path))))
}

/// The message that refuses to guess an ambiguous column, naming it and its readings.
pub fn ambiguity_message(path: &Path, proposal: &Proposal) -> Option<String> {
    let a = proposal.ambiguities.first()?;
    Some(format!(
        "{}: column '{}' can be read two ways: {}; save a profile with the right one (recon profile detect {} > p.toml, edit, then --profile p.toml)",
        file_name(path),
        a.column,
        a.readings.join(" or "),
        file_name(path)
    ))
}

/// What the user chose about reading files: a CSV profile, a QIF's date order.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadChoices<'a> {
    pub profile: Option<&'a Profile>,
    pub day_order: Option<DayOrder>,
}

impl<'a> ReadChoices<'a> {
    pub fn profile(profile: Option<&'a Profile>) -> Self {
        Self {
            profile,
            day_order: None,
        }
    }
}

/// How to read a file: a statement by its format, a CSV by the given profile or, failing
/// that, an unambiguous proposal; a QIF whose dates read both ways by the date order
/// chosen, never a guess.
pub fn reading_for(
    path: &Path,
    format: Format,
    choices: ReadChoices<'_>,
) -> ApiResult<(FileReading, Option<Proposal>)> {
    match format {
        Format::Csv => match choices.profile {
            Some(p) => Ok((FileReading::Csv(p.clone()), None)),
            None => {
                let proposal = propose(path)?;
                if let Some(message) = ambiguity_message(path, &proposal) {
                    return Err(ApiError::new(ErrorCode::AmbiguousColumn, message));
                }
                Ok((FileReading::Csv(proposal.profile.clone()), Some(proposal)))
            }
        },
        Format::EsiJson => Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!(
                "{}: an ESI journal is not read through a profile",
                file_name(path)
            ),
        )),
        Format::Qif => Ok((qif_reading(path, choices.day_order)?, None)),
        other => Ok((FileReading::Statement(other), None)),
    }
}

/// A QIF's reading: in the order chosen, else as the file's dates show; refused with the
/// question when they show nothing.
fn qif_reading(path: &Path, day_order: Option<DayOrder>) -> ApiResult<FileReading> {
    if let Some(order) = day_order {
        return Ok(FileReading::Qif(order));
    }
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut bytes = Vec::new();
    file.take(recon_import::MAX_STATEMENT_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    match qif_date_question(&bytes) {
        Some(q) => Err(ApiError::new(
            ErrorCode::AmbiguousColumn,
            format!(
                "{}: its dates can be read two ways: {}; say which with --date-order {}",
                file_name(path),
                q.readings.join(" or "),
                q.options.join(" or --date-order ")
            ),
        )),
        None => Ok(FileReading::Statement(Format::Qif)),
    }
}

/// Reads a file without a database write: what an import would find. Rows are checked as
/// the import will check them: against `wallet` when one is chosen, and against the scale
/// of their currency whenever it is known (from the file, the profile or the wallet).
pub fn dry_run(
    store: &Store,
    path: &Path,
    choices: ReadChoices<'_>,
    wallet: Option<&str>,
) -> ApiResult<DryRunDto> {
    let target = crate::row_check::RowCheck::new(store, wallet)?;
    let format = detect(path)?;
    let name = file_name(path);
    if format == Format::EsiJson {
        let bytes = crate::esi_import::read_source_files(&[path.to_path_buf()])?
            .remove(0)
            .bytes;
        let scale = target.wallet.as_ref().map_or(2, |w| w.scale);
        let entries = recon_core::esi::parse_journal(&bytes, scale)
            .map_err(|e| ApiError::new(ErrorCode::BadFile, format!("{name}: {e}")))?;
        let n = entries.len() as u64;
        return Ok(DryRunDto {
            file: name,
            format: format.as_str().into(),
            encoding: "utf-8".into(),
            rows: n,
            valid: n,
            rejected: 0,
            rejects: Vec::new(),
            profile: None,
            statement: None,
            notes: Vec::new(),
        });
    }
    let (reading, _) = reading_for(path, format, choices)?;
    let reader = open_reader(path)?;
    let mut rejects = Vec::new();
    let mut valid = 0u64;
    let mut rejected = 0u64;
    let mut on_row = |r: RowResult| -> Result<(), std::convert::Infallible> {
        let reject = match target.apply(r) {
            RowResult::Row(_) => {
                valid += 1;
                return Ok(());
            }
            RowResult::Reject(r) => r,
        };
        rejected += 1;
        if rejects.len() < recon_store::MAX_REPORTED_REJECTS {
            rejects.push(rejected_dto(RejectedRow::from_reject(&name, reject)));
        }
        Ok(())
    };
    let wallet_currency = target.wallet_currency();
    let summary = reading
        .read(reader, wallet_currency, &mut on_row)
        .map_err(|e| match e {
            ReadError::Import(e) => ApiError::new(ErrorCode::BadFile, format!("{name}: {e}")),
            ReadError::Callback(never) => match never {},
        })?;
    Ok(DryRunDto {
        file: name,
        format: summary.format.as_str().into(),
        encoding: summary.encoding,
        rows: summary.read,
        valid,
        rejected,
        rejects,
        profile: match reading {
            FileReading::Csv(p) => Some(p.to_toml()),
            FileReading::Statement(_) | FileReading::Qif(_) => None,
        },
        statement: summary.statement.as_ref().map(statement_dto),
        notes: summary.notes,
    })
}

/// Imports files into a wallet as one batch, each read by its detected format. ESI
/// journals go through the ESI importer (all files of the batch must then be ESI).
pub fn import_files(
    store: &mut Store,
    actor: &str,
    wallet: &str,
    paths: &[PathBuf],
    choices: ReadChoices<'_>,
    options: BankImportOptions,
    progress: Option<&AtomicU64>,
) -> ApiResult<ImportResultDto> {
    let summary = import_files_outcome(store, actor, wallet, paths, choices, options, progress)?
        .map_err(StoreError::RowsRejected)?;
    Ok(result_dto(summary, true))
}

/// [`import_files`], but a batch refused for its bad rows is `Ok(Err(summary))` so the
/// caller (the app) can show every bad row structured instead of as one long message.
pub fn import_files_outcome(
    store: &mut Store,
    actor: &str,
    wallet: &str,
    paths: &[PathBuf],
    choices: ReadChoices<'_>,
    options: BankImportOptions,
    progress: Option<&AtomicU64>,
) -> ApiResult<Result<BankImportSummary, Box<BankImportSummary>>> {
    if paths.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidInput, "no files to import"));
    }
    let formats: Vec<Format> = paths.iter().map(|p| detect(p)).collect::<ApiResult<_>>()?;
    let esi = formats.iter().filter(|f| **f == Format::EsiJson).count();
    if esi > 0 {
        if esi != formats.len() {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                "ESI journals and bank files cannot share one batch; import them separately",
            ));
        }
        let files: Vec<SourceFile> = crate::esi_import::read_source_files(paths)?;
        let s = store.import_esi_journal(actor, Utc::now(), wallet, &files)?;
        return Ok(Ok(BankImportSummary {
            batch_id: s.batch_id,
            wallet: s.wallet,
            read: s.read as u64,
            inserted: s.inserted as u64,
            duplicates: s.duplicates as u64,
            rejected: s.rejected as u64,
            files: s
                .files
                .into_iter()
                .map(|f| BankFileSummary {
                    file_name: f.file_name,
                    sha256: f.sha256,
                    format: "esi-json".into(),
                    encoding: "utf-8".into(),
                    read: f.read as u64,
                    inserted: f.inserted as u64,
                    duplicates: f.duplicates as u64,
                    removed_earlier: 0,
                    rejected: 0,
                    statement: None,
                    notes: Vec::new(),
                })
                .collect(),
            rejects: Vec::new(),
        }));
    }
    let mut files = Vec::with_capacity(paths.len());
    for (path, format) in paths.iter().zip(formats) {
        let (reading, _) = reading_for(path, format, choices)?;
        files.push(bank_file(path, reading)?);
    }
    match store.import_bank_files(actor, Utc::now(), wallet, files, options, progress) {
        Ok(summary) => Ok(Ok(summary)),
        Err(StoreError::RowsRejected(refused)) => Ok(Err(refused)),
        Err(e) => Err(e.into()),
    }
}

/// `import csv`: every file through the given profile, never guessed.
pub fn import_csv(
    store: &mut Store,
    actor: &str,
    wallet: &str,
    paths: &[PathBuf],
    profile: &Profile,
    options: BankImportOptions,
    progress: Option<&AtomicU64>,
) -> ApiResult<ImportResultDto> {
    let files = paths
        .iter()
        .map(|path| bank_file(path, FileReading::Csv(profile.clone())))
        .collect::<ApiResult<Vec<_>>>()?;
    let summary = store.import_bank_files(actor, Utc::now(), wallet, files, options, progress)?;
    Ok(result_dto(summary, true))
}
