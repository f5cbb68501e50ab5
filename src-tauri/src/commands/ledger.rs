//! Partner earnings (SPEC §6): programs, entities, conversions and their decisions, ledger
//! entries with their postings and audit trail, reversals, summaries, verification, export.

use std::path::PathBuf;

use recon_api::ledger as api;
use recon_api::{
    ApproveResultDto, ConversionDto, EntityDto, EntryDetailDto, ExportDto, LedgerEntryDto,
    LedgerQueryDto, LedgerVerifyDto, ProgramDto, SummaryDto, SummaryRowDto,
};

use super::context::{actor, AppState, Detached, Res};

pub fn program_list(state: &AppState) -> Res<Vec<ProgramDto>> {
    api::program_list(&*state.store()?)
}

pub fn program_set_status(state: &AppState, slug: String, status: String) -> Res<ProgramDto> {
    api::program_set_status(&mut *state.store()?, &actor(), &slug, &status)
}

pub fn entity_list(state: &AppState, program: String) -> Res<Vec<EntityDto>> {
    api::entity_list(&*state.store()?, &program)
}

pub fn conversion_list(
    state: &AppState,
    program: String,
    status: Option<String>,
) -> Res<Vec<ConversionDto>> {
    api::conversion_list(&*state.store()?, &program, status.as_deref())
}

pub fn conversion_approve(
    state: &AppState,
    program: String,
    ids: Vec<String>,
) -> Res<Vec<ApproveResultDto>> {
    api::conversion_approve(&mut *state.store()?, &actor(), &program, &ids)
}

pub fn conversion_reject(
    state: &AppState,
    program: String,
    id: String,
    reason: String,
) -> Res<ConversionDto> {
    api::conversion_reject(&mut *state.store()?, &actor(), &program, &id, &reason)
}

pub fn ledger_list(state: &AppState, query: LedgerQueryDto) -> Res<Vec<LedgerEntryDto>> {
    api::ledger_list(&*state.store()?, query)
}

pub fn ledger_entry(state: &AppState, id: i64) -> Res<EntryDetailDto> {
    api::ledger_entry(&*state.store()?, id)
}

pub fn ledger_reverse(state: &AppState, id: i64, reason: String) -> Res<LedgerEntryDto> {
    api::ledger_reverse(&mut *state.store()?, &actor(), id, &reason)
}

pub fn ledger_summary(state: &AppState, program: String, by: Option<String>) -> Res<SummaryDto> {
    api::ledger_summary(&*state.store()?, &program, by.as_deref())
}

pub fn ledger_program_totals(state: &AppState) -> Res<Vec<SummaryRowDto>> {
    api::ledger_program_totals(&*state.store()?)
}

pub fn ledger_verify(detached: &Detached) -> Res<LedgerVerifyDto> {
    api::ledger_verify(&detached.open()?)
}

pub fn ledger_export(
    detached: &Detached,
    program: String,
    period: Option<String>,
    path: String,
    bom: bool,
) -> Res<ExportDto> {
    let out = PathBuf::from(path);
    api::ledger_export(&detached.open()?, &program, period.as_deref(), &out, bom)
}
