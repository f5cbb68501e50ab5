//! The partner ledger (§6) for the app and the CLI: programs, entities, conversions,
//! settlements, entries, reversals, summaries, balances, verification and CSV export.
//! Every change goes through the store's one write path (audited, with outbox events).

use crate::csv_export::{Cell, CsvWriter};
use crate::{
    AccountBalanceDto, ApiError, ApiResult, ApproveResultDto, ConversionDto, EntityDto,
    EntryDetailDto, ExportDto, LedgerAuditDto, LedgerEntryDto, LedgerImportDto, LedgerQueryDto,
    LedgerVerifyDto, NewEntityDto, NewProgramDto, PostingDto, ProgramDto, SummaryDto,
    SummaryRowDto, VerifyFailureDto,
};
use chrono::Utc;
use recon_core::ledger::files::check_period;
use recon_core::ledger::{
    ConversionStatus, EntityType, EntryStatus, ProgramStatus, Rate, RoundingMode, SummaryBy,
};
use recon_store::ledger::{
    Approval, ConversionView, EntryQuery, LedgerImport, NewEntity, NewProgram,
};
use recon_store::Store;
use std::path::Path;

mod convert;

pub(crate) use convert::amount;
use convert::{entity_dto, entry_dto, program_dto, row_dto};

/// Default and largest page of [`ledger_list`] (the CLI's `ledger list` reads them all).
pub const DEFAULT_PAGE: u32 = 1_000;
pub const MAX_PAGE: u32 = 10_000;

fn read_file(path: &Path) -> ApiResult<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| ApiError::new(crate::ErrorCode::Io, format!("{}: {e}", path.display())))
}

fn parse<T>(r: Result<T, String>) -> ApiResult<T> {
    r.map_err(ApiError::invalid)
}

/// Adds a program (slug unique; rates exact percentages; rounding `half-even` by default).
pub fn program_add(store: &mut Store, actor: &str, input: NewProgramDto) -> ApiResult<ProgramDto> {
    let rate = |r: &Option<String>, flag: &str| -> ApiResult<Rate> {
        Rate::parse(r.as_deref().unwrap_or("0"))
            .map_err(|e| ApiError::invalid(format!("{flag}: {e}")))
    };
    let program = NewProgram {
        slug: input.slug.trim().to_owned(),
        name: input.name,
        currency: input.currency.trim().to_uppercase(),
        direct_rate: rate(&input.direct_rate, "--direct-rate")?,
        override_rate: rate(&input.override_rate, "--override-rate")?,
        rounding: parse(RoundingMode::parse(
            input.rounding.as_deref().unwrap_or("half-even"),
        ))?,
    };
    Ok(program_dto(&store.add_program(
        actor,
        Utc::now(),
        program,
    )?))
}

/// Every program, by slug.
pub fn program_list(store: &Store) -> ApiResult<Vec<ProgramDto>> {
    Ok(store.ledger_programs()?.iter().map(program_dto).collect())
}

/// Sets a program's status (`active`, `paused`, `closed`); only active programs take entries.
pub fn program_set_status(
    store: &mut Store,
    actor: &str,
    slug: &str,
    status: &str,
) -> ApiResult<ProgramDto> {
    let status = parse(ProgramStatus::parse(status))?;
    Ok(program_dto(&store.set_program_status(
        actor,
        Utc::now(),
        slug,
        status,
    )?))
}

/// Adds an entity; an affiliate's parent must be an affiliate of the same program (no cycles).
pub fn entity_add(store: &mut Store, actor: &str, input: NewEntityDto) -> ApiResult<EntityDto> {
    let entity = NewEntity {
        program: input.program,
        entity_type: parse(EntityType::parse(&input.entity_type))?,
        entity_ref: input.entity_ref.trim().to_owned(),
        name: input.name,
        parent: input
            .parent
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
        payout_per_conversion: input.payout_per_conversion,
    };
    Ok(entity_dto(&store.add_entity(actor, Utc::now(), entity)?))
}

/// A program's entities in tree order: each affiliate followed by its children (`depth` says how deep).
pub fn entity_list(store: &Store, program: &str) -> ApiResult<Vec<EntityDto>> {
    Ok(store
        .ledger_entities(program)?
        .iter()
        .map(entity_dto)
        .collect())
}

fn import_dto(r: LedgerImport) -> LedgerImportDto {
    LedgerImportDto {
        program: r.program,
        file: r.file,
        read: r.read,
        inserted: r.inserted,
        duplicates: r.duplicates,
        entries_created: r.entries_created,
    }
}

/// Imports a conversions file (CSV or JSON) as pending conversions; re-import is idempotent.
pub fn conversions_import(
    store: &mut Store,
    actor: &str,
    program: &str,
    path: &Path,
) -> ApiResult<LedgerImportDto> {
    let bytes = read_file(path)?;
    let name = path.display().to_string();
    Ok(import_dto(store.import_conversions(
        actor,
        Utc::now(),
        program,
        &name,
        &bytes,
    )?))
}

/// Approves each id on its own: creates its entry at the sponsor's payout in the same
/// transaction (`approved`), or reports `already_exists` (nothing written), or `refused`
/// with the reason. One refusal never undoes another approval.
pub fn conversion_approve(
    store: &mut Store,
    actor: &str,
    program: &str,
    ids: &[String],
) -> ApiResult<Vec<ApproveResultDto>> {
    store.ledger_program(program)?;
    Ok(ids
        .iter()
        .map(|id| {
            let (result, entry_id, reason) =
                match store.approve_conversion(actor, Utc::now(), program, id) {
                    Ok(Approval::Approved { entry_id }) => ("approved", Some(entry_id), None),
                    Ok(Approval::AlreadyExists { entry_id }) => (
                        "already_exists",
                        entry_id,
                        Some("already exists".to_owned()),
                    ),
                    Err(e) => ("refused", None, Some(e.to_string())),
                };
            ApproveResultDto {
                id: id.clone(),
                result: result.into(),
                entry_id,
                reason,
            }
        })
        .collect())
}

fn conversion_dto(c: ConversionView) -> ConversionDto {
    ConversionDto {
        program: c.program,
        conversion_id: c.conversion_id,
        sponsor_ref: c.sponsor_ref,
        occurred_at: c.occurred_at,
        description: c.description,
        status: c.status,
        reason: c.reason,
        decided_at: c.decided_at,
        decided_by: c.decided_by,
        entry_id: c.entry_id,
    }
}

/// Rejects a pending conversion with a reason (required).
pub fn conversion_reject(
    store: &mut Store,
    actor: &str,
    program: &str,
    id: &str,
    reason: &str,
) -> ApiResult<ConversionDto> {
    Ok(conversion_dto(store.reject_conversion(
        actor,
        Utc::now(),
        program,
        id,
        reason,
    )?))
}

/// A program's conversions, optionally of one status, oldest first.
pub fn conversion_list(
    store: &Store,
    program: &str,
    status: Option<&str>,
) -> ApiResult<Vec<ConversionDto>> {
    if let Some(s) = status {
        parse(ConversionStatus::parse(s))?;
    }
    Ok(store
        .ledger_conversions(program, status)?
        .into_iter()
        .map(conversion_dto)
        .collect())
}

/// Imports a settlements file (CSV or JSON): revenue postings and the direct and override
/// commissions, all in one transaction; re-import is idempotent.
pub fn settlements_import(
    store: &mut Store,
    actor: &str,
    program: &str,
    path: &Path,
) -> ApiResult<LedgerImportDto> {
    let bytes = read_file(path)?;
    let name = path.display().to_string();
    Ok(import_dto(store.import_settlements(
        actor,
        Utc::now(),
        program,
        &name,
        &bytes,
    )?))
}

fn entry_query(q: &LedgerQueryDto, limit: Option<u32>) -> ApiResult<EntryQuery> {
    if let Some(s) = &q.status {
        parse(EntryStatus::parse(s))?;
    }
    if let Some(p) = &q.period {
        parse(check_period(p))?;
    }
    Ok(EntryQuery {
        program: q.program.clone(),
        status: q.status.clone(),
        entity: q.entity.clone(),
        period: q.period.clone(),
        limit,
        offset: q.offset.unwrap_or(0),
    })
}

/// Ledger entries matching the filters, newest first, one page (default 1,000, at most 10,000).
pub fn ledger_list(store: &Store, query: LedgerQueryDto) -> ApiResult<Vec<LedgerEntryDto>> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE);
    let q = entry_query(&query, Some(limit))?;
    Ok(store.ledger_entries(&q)?.iter().map(entry_dto).collect())
}

/// Every entry matching the filters, newest first (the CLI's `ledger list`).
pub fn ledger_list_all(store: &Store, query: LedgerQueryDto) -> ApiResult<Vec<LedgerEntryDto>> {
    let q = entry_query(&query, None)?;
    Ok(store.ledger_entries(&q)?.iter().map(entry_dto).collect())
}

/// One entry with its transaction's posting lines and its audit trail.
pub fn ledger_entry(store: &Store, id: i64) -> ApiResult<EntryDetailDto> {
    let (entry, lines, audit) = store.ledger_entry(id)?;
    Ok(EntryDetailDto {
        entry: entry_dto(&entry),
        postings: lines
            .into_iter()
            .map(|l| PostingDto {
                transaction: l.txn_id,
                line: l.line,
                debit: amount(i128::from(l.amount_minor.max(0)), l.scale),
                credit: amount(-i128::from(l.amount_minor.min(0)), l.scale),
                account: l.account,
                currency: l.currency,
            })
            .collect(),
        audit: audit
            .into_iter()
            .map(|a| LedgerAuditDto {
                id: a.id,
                at: a.at,
                actor: a.actor,
                action: a.action,
                before: a.before,
                after: a.after,
            })
            .collect(),
    })
}

/// Reverses a pending entry once, with a reason; returns the reversal entry.
pub fn ledger_reverse(
    store: &mut Store,
    actor: &str,
    id: i64,
    reason: &str,
) -> ApiResult<LedgerEntryDto> {
    Ok(entry_dto(&store.reverse_entry(
        actor,
        Utc::now(),
        id,
        reason,
    )?))
}

/// A program's earnings grouped by `entity`, `period` or `status` (default `status`).
pub fn ledger_summary(store: &Store, program: &str, by: Option<&str>) -> ApiResult<SummaryDto> {
    let by = parse(SummaryBy::parse(by.unwrap_or("status")))?;
    let (program, rows, total) = store.ledger_summary(program, by)?;
    let scale = program.currency.scale;
    let code = &program.currency.code;
    Ok(SummaryDto {
        program: program.slug.clone(),
        currency: code.clone(),
        by: by.as_str().into(),
        rows: rows.iter().map(|r| row_dto(r, code, scale)).collect(),
        totals: row_dto(&total, code, scale),
    })
}

/// Every program's totals (the Dashboard cards), one row per program, `key` = slug.
pub fn ledger_program_totals(store: &Store) -> ApiResult<Vec<SummaryRowDto>> {
    let mut out = Vec::new();
    for p in store.ledger_programs()? {
        let (_, _, total) = store.ledger_summary(&p.slug, SummaryBy::Status)?;
        out.push(row_dto(&total, &p.currency.code, p.currency.scale));
    }
    Ok(out)
}

/// Every account's debits, credits and balance, per currency.
pub fn ledger_accounts(store: &Store) -> ApiResult<Vec<AccountBalanceDto>> {
    Ok(store
        .ledger_accounts()?
        .into_iter()
        .map(|a| AccountBalanceDto {
            debits: amount(a.debits_minor, a.scale),
            credits: amount(a.credits_minor, a.scale),
            balance: amount(a.debits_minor - a.credits_minor, a.scale),
            account: a.account,
            currency: a.currency,
        })
        .collect())
}

/// Recomputes every transaction from its lines: OK, or the first that does not balance.
pub fn ledger_verify(store: &Store) -> ApiResult<LedgerVerifyDto> {
    let report = store.ledger_verify()?;
    Ok(LedgerVerifyDto {
        ok: report.first_failure.is_none(),
        transactions: report.transactions,
        first_failure: report.first_failure.map(|f| VerifyFailureDto {
            transaction: f.txn_id,
            debits: amount(f.debits_minor, f.scale),
            credits: amount(f.credits_minor, f.scale),
            currency: f.currency,
            what: f.what,
        }),
    })
}

fn create(out: &Path) -> ApiResult<std::io::BufWriter<std::fs::File>> {
    let file = std::fs::File::create(out)
        .map_err(|e| ApiError::new(crate::ErrorCode::Io, format!("{}: {e}", out.display())))?;
    Ok(std::io::BufWriter::new(file))
}

fn io(out: &Path) -> impl Fn(std::io::Error) -> ApiError + '_ {
    move |e| ApiError::new(crate::ErrorCode::Io, format!("{}: {e}", out.display()))
}

/// Columns of the entries export.
pub const ENTRY_COLUMNS: [&str; 18] = [
    "id",
    "program",
    "entity_type",
    "entity_ref",
    "source",
    "source_ref",
    "status",
    "period",
    "occurred_at",
    "gross_amount",
    "earnings_amount",
    "rounding_residue",
    "currency",
    "description",
    "payout_batch",
    "reverses",
    "reversed_by",
    "created_at",
];

/// Writes a program's entries (optionally of one `YYYY-MM`) as CSV to `out`; `bom` for Excel.
pub fn ledger_export(
    store: &Store,
    program: &str,
    period: Option<&str>,
    out: &Path,
    bom: bool,
) -> ApiResult<ExportDto> {
    store.ledger_program(program)?;
    let q = entry_query(
        &LedgerQueryDto {
            program: Some(program.into()),
            period: period.map(str::to_owned),
            ..Default::default()
        },
        None,
    )?;
    let mut entries = store.ledger_entries(&q)?;
    entries.reverse(); // oldest first in a file
    let mut w = CsvWriter::new(create(out)?, &ENTRY_COLUMNS, bom).map_err(io(out))?;
    for e in entries.iter().map(entry_dto) {
        let (id, rev, by) = (
            e.id.to_string(),
            e.reverses.map(|v| v.to_string()),
            e.reversed_by.map(|v| v.to_string()),
        );
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let (gross, batch, rev, by) = (
            opt(&e.gross_amount),
            opt(&e.payout_batch),
            opt(&rev),
            opt(&by),
        );
        w.row(&[
            Cell::Amount(&id),
            Cell::Text(&e.program),
            Cell::Text(&e.entity_type),
            Cell::Text(&e.entity_ref),
            Cell::Text(&e.source),
            Cell::Text(&e.source_ref),
            Cell::Text(&e.status),
            Cell::Text(&e.period),
            Cell::Text(&e.occurred_at),
            Cell::Amount(&gross),
            Cell::Amount(&e.earnings_amount),
            Cell::Amount(&e.rounding_residue),
            Cell::Text(&e.currency),
            Cell::Text(&e.description),
            Cell::Text(&batch),
            Cell::Amount(&rev),
            Cell::Amount(&by),
            Cell::Text(&e.created_at),
        ])
        .map_err(io(out))?;
    }
    let rows = w.finish().map_err(io(out))?;
    Ok(ExportDto {
        path: out.display().to_string(),
        rows,
    })
}

/// Writes the account balances as CSV to `out`.
pub fn ledger_accounts_export(store: &Store, out: &Path, bom: bool) -> ApiResult<ExportDto> {
    let accounts = ledger_accounts(store)?;
    let mut w = CsvWriter::new(
        create(out)?,
        &["account", "currency", "debits", "credits", "balance"],
        bom,
    )
    .map_err(io(out))?;
    for a in &accounts {
        w.row(&[
            Cell::Text(&a.account),
            Cell::Text(&a.currency),
            Cell::Amount(&a.debits),
            Cell::Amount(&a.credits),
            Cell::Amount(&a.balance),
        ])
        .map_err(io(out))?;
    }
    let rows = w.finish().map_err(io(out))?;
    Ok(ExportDto {
        path: out.display().to_string(),
        rows,
    })
}

#[cfg(test)]
pub(crate) mod tests;
