//! Payout batches (SPEC §7): preview and create from pending entries, the transitions with
//! two-person approval, bulk approve, edits while draft or pending, stats, the partner
//! summary and CSV export. The actor is `RECON_USER`, else the login name.

use std::path::PathBuf;

use recon_api::payouts as api;
use recon_api::{
    ExportDto, NewPayoutDto, PartnerSummaryDto, PayoutApproveResultDto, PayoutBatchDto,
    PayoutPreviewDto, PayoutQueryDto, PayoutStatsDto,
};

use super::context::{actor, AppState, Detached, Res};

pub fn payout_preview(state: &AppState, program: String, period: String) -> Res<PayoutPreviewDto> {
    api::payout_preview(&*state.store()?, &program, &period)
}

pub fn payout_create(state: &AppState, input: NewPayoutDto) -> Res<PayoutBatchDto> {
    api::payout_create(&mut *state.store()?, &actor(), input)
}

pub fn payout_submit(state: &AppState, id: String) -> Res<PayoutBatchDto> {
    api::payout_submit(&mut *state.store()?, &actor(), &id)
}

pub fn payout_approve(state: &AppState, ids: Vec<String>) -> Res<Vec<PayoutApproveResultDto>> {
    api::payout_approve(&mut *state.store()?, &actor(), &ids)
}

pub fn payout_reject(state: &AppState, id: String, reason: String) -> Res<PayoutBatchDto> {
    api::payout_reject(&mut *state.store()?, &actor(), &id, &reason)
}

pub fn payout_process(state: &AppState, id: String) -> Res<PayoutBatchDto> {
    api::payout_process(&mut *state.store()?, &actor(), &id)
}

pub fn payout_pay(state: &AppState, id: String) -> Res<PayoutBatchDto> {
    api::payout_pay(&mut *state.store()?, &actor(), &id)
}

pub fn payout_fail(state: &AppState, id: String, reason: String) -> Res<PayoutBatchDto> {
    api::payout_fail(&mut *state.store()?, &actor(), &id, &reason)
}

pub fn payout_retry(state: &AppState, id: String) -> Res<PayoutBatchDto> {
    api::payout_retry(&mut *state.store()?, &actor(), &id)
}

pub fn payout_set_notes(state: &AppState, id: String, notes: String) -> Res<PayoutBatchDto> {
    api::payout_set_notes(&mut *state.store()?, &actor(), &id, &notes)
}

pub fn payout_remove_line(state: &AppState, id: String, entity_ref: String) -> Res<PayoutBatchDto> {
    api::payout_remove_line(&mut *state.store()?, &actor(), &id, &entity_ref)
}

pub fn payout_delete(state: &AppState, id: String) -> Res<String> {
    api::payout_delete(&mut *state.store()?, &actor(), &id)
}

pub fn payout_list(state: &AppState, query: PayoutQueryDto) -> Res<Vec<PayoutBatchDto>> {
    api::payout_list(&*state.store()?, &actor(), query)
}

pub fn payout_show(state: &AppState, id: String) -> Res<PayoutBatchDto> {
    api::payout_show(&*state.store()?, &actor(), &id)
}

pub fn payout_stats(state: &AppState, program: Option<String>) -> Res<PayoutStatsDto> {
    api::payout_stats(&*state.store()?, &actor(), program.as_deref())
}

pub fn partner_summary(
    state: &AppState,
    program: String,
    entity_ref: String,
) -> Res<PartnerSummaryDto> {
    api::partner_summary(&*state.store()?, &program, &entity_ref)
}

pub fn payout_export(
    detached: &Detached,
    program: Option<String>,
    period: Option<String>,
    lines: bool,
    path: String,
    bom: bool,
) -> Res<ExportDto> {
    let out = PathBuf::from(path);
    api::payout_export(
        &detached.open()?,
        program.as_deref(),
        period.as_deref(),
        lines,
        &out,
        bom,
    )
}
