//! Payment matching (SPEC §5): expected payments, matching runs, the review queues and the
//! reviewer's steps, cycles.

use recon_api::matching as api;
use recon_api::{
    ActionSummaryDto, CycleSummaryDto, ExpectedDto, ExpectedImportDto, MatchRunSummaryDto,
    NewExpectedDto, ReviewQueuesDto, SplitShareDto,
};

use super::context::{actor, AppState, Detached, Res};

pub fn expected_list(
    state: &AppState,
    cycle: Option<String>,
    status: Option<String>,
) -> Res<Vec<ExpectedDto>> {
    api::expected_list(&*state.store()?, cycle, status)
}

pub fn expected_add(state: &AppState, input: NewExpectedDto) -> Res<ExpectedDto> {
    api::expected_add(&mut *state.store()?, &actor(), input)
}

pub fn expected_edit(
    state: &AppState,
    memo: String,
    edit: recon_api::ExpectedEditDto,
) -> Res<ExpectedDto> {
    api::expected_edit(&mut *state.store()?, &actor(), memo, edit)
}

pub fn rejected_list(state: &AppState) -> Res<Vec<recon_api::RejectedReceiptDto>> {
    api::rejected_list(&*state.store()?)
}

pub fn match_restore(state: &AppState, rowid: i64) -> Res<ActionSummaryDto> {
    api::match_restore(&mut *state.store()?, &actor(), rowid)
}

pub fn expected_export(
    state: &AppState,
    path: String,
    cycle: Option<String>,
    status: Option<String>,
) -> Res<u32> {
    let path = std::path::PathBuf::from(path.trim());
    recon_api::export::expected_export(&*state.store()?, &path, cycle, status)
}

pub fn review_export(detached: &Detached, path: String) -> Res<u32> {
    let path = std::path::PathBuf::from(path.trim());
    recon_api::review_export::review_export(&detached.open()?, &path)
}

pub fn expected_cancel(state: &AppState, memo: String) -> Res<ExpectedDto> {
    api::expected_cancel(&mut *state.store()?, &actor(), memo)
}

pub fn expected_import(state: &AppState, path: String) -> Res<ExpectedImportDto> {
    api::expected_import(&mut *state.store()?, &actor(), path)
}

pub fn match_run(detached: &Detached, cycle: Option<String>) -> Res<MatchRunSummaryDto> {
    api::match_run(&mut detached.open()?, &actor(), cycle)
}

pub fn review_queues(detached: &Detached) -> Res<ReviewQueuesDto> {
    api::review_queues(&detached.open()?)
}

pub fn match_accept(state: &AppState, memo: String, rowid: i64) -> Res<ActionSummaryDto> {
    api::match_accept(&mut *state.store()?, &actor(), memo, rowid)
}

pub fn match_link(state: &AppState, memo: String, rowid: i64) -> Res<ActionSummaryDto> {
    api::match_link(&mut *state.store()?, &actor(), memo, rowid)
}

pub fn match_unlink(state: &AppState, rowid: i64, memo: Option<String>) -> Res<ActionSummaryDto> {
    api::match_unlink(&mut *state.store()?, &actor(), rowid, memo)
}

pub fn match_reject(state: &AppState, rowid: i64, reason: String) -> Res<ActionSummaryDto> {
    api::match_reject(&mut *state.store()?, &actor(), rowid, reason)
}

pub fn match_split(
    state: &AppState,
    rowid: i64,
    shares: Vec<SplitShareDto>,
) -> Res<ActionSummaryDto> {
    api::match_split(&mut *state.store()?, &actor(), rowid, shares)
}

pub fn match_undo(state: &AppState) -> Res<ActionSummaryDto> {
    api::match_undo(&mut *state.store()?, &actor())
}

pub fn match_accept_above(
    state: &AppState,
    min_score: u32,
    dry_run: bool,
) -> Res<ActionSummaryDto> {
    api::match_accept_above(&mut *state.store()?, &actor(), min_score, dry_run)
}

pub fn cycle_open(state: &AppState, cycle_id: String) -> Res<u32> {
    api::cycle_open(&mut *state.store()?, &actor(), cycle_id)
}

pub fn cycle_summaries(state: &AppState) -> Res<Vec<CycleSummaryDto>> {
    api::cycle_summaries(&*state.store()?)
}
