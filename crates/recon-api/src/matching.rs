//! Payment matching operations for the app (one function per Tauri command).

use crate::dto_matching::*;
use crate::ApiResult;
use chrono::Utc;
use recon_core::matching::{MemoSignal, Score};
use recon_store::{
    ActionSummary, ExpectedEdit, ExpectedView, NewExpected, ReceiptSuggestions, ReceiptView, Store,
    Suggestion,
};
use std::path::PathBuf;

fn score_dto(s: &Score) -> ScoreDto {
    let (memo, distance) = match s.memo {
        Some(MemoSignal::Equal) => (Some("equal"), None),
        Some(MemoSignal::Contained) => (Some("contained"), None),
        Some(MemoSignal::Distance(d)) => (Some("distance"), Some(d)),
        None => (None, None),
    };
    ScoreDto {
        memo: memo.map(str::to_owned),
        distance,
        memo_points: s.memo_points,
        amount_equal: s.amount_equal,
        amount_points: s.amount_points,
        payer_equal: s.payer_equal,
        total: s.total,
    }
}

fn receipt_dto(r: ReceiptView) -> ReceiptDto {
    ReceiptDto {
        rowid: r.rowid,
        journal_id: r.journal_id,
        wallet: r.wallet,
        date: r.date,
        amount: r.amount,
        currency: r.currency,
        payer_id: r.payer_id,
        reason: r.reason,
        description: r.description,
    }
}

fn suggestion_dto(s: Suggestion) -> SuggestionDto {
    SuggestionDto {
        score: score_dto(&s.score),
        memo: s.memo,
        cycle_id: s.cycle_id,
        character_name: s.character_name,
        expected_amount: s.expected_amount,
        status: s.status.as_str().to_string(),
        actual_amount: s.actual_amount,
        match_type: s.match_type.as_str().to_string(),
    }
}

fn receipt_suggestions_dto(r: ReceiptSuggestions) -> ReceiptSuggestionsDto {
    ReceiptSuggestionsDto {
        receipt: receipt_dto(r.receipt),
        suggestions: r.suggestions.into_iter().map(suggestion_dto).collect(),
    }
}

fn expected_dto(e: ExpectedView) -> ExpectedDto {
    ExpectedDto {
        id: e.id,
        memo: e.memo,
        cycle_id: e.cycle_id,
        character_name: e.character_name,
        character_id: e.character_id,
        status: e.status.as_str().to_string(),
        currency: e.currency,
        expected_amount: e.expected_amount,
        actual_amount: e.actual_amount,
        actual_payer_id: e.actual_payer_id,
        amount_adjusted: e.amount_adjusted,
        validated_at: e.validated_at,
        journal_ids: e.journal_ids,
        match_type: e.match_type.map(|t| t.as_str().to_string()),
        links: e
            .links
            .into_iter()
            .map(|l| LinkDto {
                rowid: l.rowid,
                journal_id: l.journal_id,
                wallet: l.wallet,
                date: l.date,
                amount: l.amount,
                payer_id: l.payer_id,
                match_type: l.match_type.as_str().to_string(),
                score: l.score,
            })
            .collect(),
    }
}

fn action_dto(a: ActionSummary) -> ActionSummaryDto {
    ActionSummaryDto {
        action_id: a.action_id,
        kind: a.kind,
        links_added: a.links_added as u32,
        links_removed: a.links_removed as u32,
        expected_changed: a.expected_changed,
    }
}

pub fn expected_list(
    store: &Store,
    cycle: Option<String>,
    status: Option<String>,
) -> ApiResult<Vec<ExpectedDto>> {
    Ok(store
        .expected_list(cycle.as_deref(), status.as_deref())?
        .into_iter()
        .map(expected_dto)
        .collect())
}

pub fn expected_add(
    store: &mut Store,
    actor: &str,
    input: NewExpectedDto,
) -> ApiResult<ExpectedDto> {
    let view = store.add_expected(
        actor,
        Utc::now(),
        &NewExpected {
            cycle_id: input.cycle_id,
            character_name: input.character_name,
            character_id: input.character_id,
            expected_amount: crate::amount_input(&input.expected_amount),
            currency: input.currency,
            memo: input.memo,
        },
    )?;
    Ok(expected_dto(view))
}

pub fn expected_edit(
    store: &mut Store,
    actor: &str,
    memo: String,
    edit: ExpectedEditDto,
) -> ApiResult<ExpectedDto> {
    let payer_given = edit.character_name.is_some();
    let edit = ExpectedEdit {
        expected_amount: edit.expected_amount.map(|a| crate::amount_input(&a)),
        memo: edit.memo,
        character_name: edit.character_name,
        character_id: payer_given.then_some(edit.character_id),
    };
    Ok(expected_dto(store.edit_expected(
        actor,
        Utc::now(),
        &memo,
        &edit,
    )?))
}

/// Receipts marked "not a participation payment", newest mark first.
pub fn rejected_list(store: &Store) -> ApiResult<Vec<RejectedReceiptDto>> {
    Ok(store
        .rejected_receipts()?
        .into_iter()
        .map(|r| RejectedReceiptDto {
            receipt: receipt_dto(r.receipt),
            rejection_reason: r.rejection_reason,
            rejected_at: r.rejected_at,
            rejected_by: r.rejected_by,
        })
        .collect())
}

/// Lifts a receipt's "not a participation payment" mark (undoable with `match_undo`).
pub fn match_restore(store: &mut Store, actor: &str, rowid: i64) -> ApiResult<ActionSummaryDto> {
    Ok(action_dto(store.match_restore(actor, Utc::now(), rowid)?))
}

/// Cancels one expected payment still awaiting (kept, audited).
pub fn expected_cancel(store: &mut Store, actor: &str, memo: String) -> ApiResult<ExpectedDto> {
    Ok(expected_dto(store.cancel_expected(
        actor,
        Utc::now(),
        &memo,
    )?))
}

pub fn expected_import(
    store: &mut Store,
    actor: &str,
    path: String,
) -> ApiResult<ExpectedImportDto> {
    let path = PathBuf::from(path.trim());
    let files = crate::read_source_files(std::slice::from_ref(&path))?;
    let file = &files[0];
    let s = store.import_expected(actor, Utc::now(), &file.name, &file.bytes)?;
    Ok(ExpectedImportDto {
        file: s.file,
        read: s.read as u32,
        inserted: s.inserted as u32,
        duplicates: s.duplicates as u32,
    })
}

pub fn match_run(
    store: &mut Store,
    actor: &str,
    cycle: Option<String>,
) -> ApiResult<MatchRunSummaryDto> {
    let s = store.match_run(actor, Utc::now(), cycle.as_deref())?;
    Ok(MatchRunSummaryDto {
        matched: s.matched as u32,
        receipts_linked: s.receipts_linked as u32,
        amount_adjusted: s.amount_adjusted as u32,
        ambiguous: s.ambiguous as u32,
        unmatched: s.unmatched_receipts.len() as u32,
    })
}

pub fn review_queues(store: &Store) -> ApiResult<ReviewQueuesDto> {
    let q = store.review_queues()?;
    let threshold = store.match_rules()?.threshold;
    Ok(ReviewQueuesDto {
        threshold,
        unmatched_receipts: q
            .unmatched_receipts
            .into_iter()
            .map(receipt_suggestions_dto)
            .collect(),
        ambiguous_receipts: q
            .ambiguous_receipts
            .into_iter()
            .map(receipt_suggestions_dto)
            .collect(),
        awaiting: q
            .awaiting
            .into_iter()
            .map(|a| AwaitingDto {
                expected: expected_dto(a.expected),
                suggestions: a
                    .suggestions
                    .into_iter()
                    .map(|s| ReceiptScoreDto {
                        score: score_dto(&s.score),
                        receipt: receipt_dto(s.receipt),
                    })
                    .collect(),
            })
            .collect(),
    })
}

pub fn match_accept(
    store: &mut Store,
    actor: &str,
    memo: String,
    rowid: i64,
) -> ApiResult<ActionSummaryDto> {
    Ok(action_dto(store.match_accept(
        actor,
        Utc::now(),
        &memo,
        rowid,
    )?))
}

pub fn match_link(
    store: &mut Store,
    actor: &str,
    memo: String,
    rowid: i64,
) -> ApiResult<ActionSummaryDto> {
    Ok(action_dto(store.match_link(
        actor,
        Utc::now(),
        &memo,
        rowid,
    )?))
}

pub fn match_unlink(
    store: &mut Store,
    actor: &str,
    rowid: i64,
    memo: Option<String>,
) -> ApiResult<ActionSummaryDto> {
    Ok(action_dto(store.match_unlink(
        actor,
        Utc::now(),
        rowid,
        memo.as_deref(),
    )?))
}

pub fn match_reject(
    store: &mut Store,
    actor: &str,
    rowid: i64,
    reason: String,
) -> ApiResult<ActionSummaryDto> {
    Ok(action_dto(store.match_reject(
        actor,
        Utc::now(),
        rowid,
        &reason,
    )?))
}

pub fn match_split(
    store: &mut Store,
    actor: &str,
    rowid: i64,
    shares: Vec<SplitShareDto>,
) -> ApiResult<ActionSummaryDto> {
    // Shares typed as `250,000,000` read as the form reads them.
    let shares: Vec<(String, String)> = shares
        .into_iter()
        .map(|s| (s.memo, crate::amount_input(&s.amount)))
        .collect();
    Ok(action_dto(store.match_split(
        actor,
        Utc::now(),
        rowid,
        &shares,
    )?))
}

pub fn match_undo(store: &mut Store, actor: &str) -> ApiResult<ActionSummaryDto> {
    Ok(action_dto(store.match_undo(actor, Utc::now())?))
}

/// With `dry_run`, only counts: the UI shows the count before the user confirms.
pub fn match_accept_above(
    store: &mut Store,
    actor: &str,
    min_score: u32,
    dry_run: bool,
) -> ApiResult<ActionSummaryDto> {
    Ok(action_dto(store.match_accept_above(
        actor,
        Utc::now(),
        min_score,
        dry_run,
    )?))
}

pub fn cycle_open(store: &mut Store, actor: &str, cycle_id: String) -> ApiResult<u32> {
    Ok(store.cycle_open(actor, Utc::now(), &cycle_id)? as u32)
}

pub fn cycle_summaries(store: &Store) -> ApiResult<Vec<CycleSummaryDto>> {
    Ok(store
        .cycle_summaries()?
        .into_iter()
        .map(|c| CycleSummaryDto {
            cycle_id: c.cycle_id,
            currency: c.currency,
            awaiting: c.awaiting,
            confirmed: c.confirmed,
            cancelled: c.cancelled,
            other: c.other,
            amount_adjusted: c.amount_adjusted,
            expected_total: c.expected_total,
            confirmed_total: c.confirmed_total,
            outstanding_total: c.outstanding_total,
        })
        .collect())
}

fn receipt_candidates_dto(r: ReceiptSuggestions) -> ReceiptCandidatesDto {
    let r = receipt_suggestions_dto(r);
    ReceiptCandidatesDto {
        receipt: r.receipt,
        suggestions: r.suggestions,
    }
}

/// A matching run with the receipts it left (ambiguous, unmatched) and their suggestions.
pub fn match_run_report(
    store: &mut Store,
    actor: &str,
    cycle: Option<String>,
) -> ApiResult<MatchRunReportDto> {
    let s = store.match_run(actor, Utc::now(), cycle.as_deref())?;
    Ok(MatchRunReportDto {
        summary: MatchRunSummaryDto {
            matched: s.matched as u32,
            receipts_linked: s.receipts_linked as u32,
            amount_adjusted: s.amount_adjusted as u32,
            ambiguous: s.ambiguous as u32,
            unmatched: s.unmatched_receipts.len() as u32,
        },
        ambiguous_receipts: s
            .ambiguous_receipts
            .into_iter()
            .map(receipt_candidates_dto)
            .collect(),
        unmatched_receipts: s
            .unmatched_receipts
            .into_iter()
            .map(receipt_candidates_dto)
            .collect(),
    })
}

/// The ledger row a user means by a journal id (ESI id or bank reference): what link,
/// unlink, reject and split take.
pub fn journal_rowid(store: &Store, journal_id: &str) -> ApiResult<i64> {
    Ok(store.resolve_journal_id(journal_id)?)
}

/// Imports an expected payments file, naming it in messages as the caller wrote its path.
pub fn expected_import_path(
    store: &mut Store,
    actor: &str,
    path: &std::path::Path,
) -> ApiResult<ExpectedImportDto> {
    let bytes = std::fs::read(path).map_err(|e| {
        crate::ApiError::new(
            crate::ErrorCode::Io,
            format!("reading {}: {e}", path.display()),
        )
    })?;
    let s = store.import_expected(actor, Utc::now(), &path.display().to_string(), &bytes)?;
    Ok(ExpectedImportDto {
        file: s.file,
        read: s.read as u32,
        inserted: s.inserted as u32,
        duplicates: s.duplicates as u32,
    })
}

pub fn match_rules(store: &Store) -> ApiResult<recon_core::matching::MatchRules> {
    Ok(store.match_rules()?)
}

/// Changes what is given and keeps the rest; saves (audited) only when something is given.
#[derive(Debug, Clone, Default)]
pub struct MatchRulesChange {
    /// Comma-separated ref types that count as receipts.
    pub ref_types: Option<String>,
    pub threshold: Option<u32>,
    pub amount_points: Option<u32>,
}

pub fn match_rules_update(
    store: &mut Store,
    actor: &str,
    change: MatchRulesChange,
) -> ApiResult<recon_core::matching::MatchRules> {
    let mut rules = store.match_rules()?;
    let changed =
        change.ref_types.is_some() || change.threshold.is_some() || change.amount_points.is_some();
    if let Some(r) = change.ref_types {
        rules.ref_types = r
            .split(',')
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
    }
    if let Some(t) = change.threshold {
        rules.threshold = t;
    }
    if let Some(a) = change.amount_points {
        rules.amount_equal_points = a;
    }
    if changed {
        store.set_match_rules(actor, Utc::now(), &rules)?;
    }
    Ok(rules)
}
