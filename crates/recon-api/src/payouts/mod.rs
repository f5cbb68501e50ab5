//! Payout batches (§7) for the app and the CLI: preview and create from a program's pending
//! entries of a month, the state transitions (two-person approval, bulk approve with a result
//! per batch), paying (entries paid + payout posted in one transaction), editing and deleting
//! while draft or pending, lists, stats, the partner summary and CSV export.

use crate::{
    ApiError, ApiResult, NewPayoutDto, PartnerSummaryDto, PayoutApproveResultDto, PayoutBatchDto,
    PayoutPreviewDto, PayoutQueryDto, PayoutStatsDto,
};
use chrono::Utc;
use recon_core::payouts::{BatchAction, BatchStatus};
use recon_store::payouts::BatchQuery;
use recon_store::Store;

mod convert;
mod export;

pub use export::{payout_export, BATCH_COLUMNS, LINE_COLUMNS};

use convert::{batch_dto, partner_dto, preview_dto, stats_dto};

fn status(text: Option<&str>) -> ApiResult<Option<BatchStatus>> {
    text.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| BatchStatus::parse(s).map_err(|e| ApiError::invalid(e.to_string())))
        .transpose()
}

/// What a batch of `program`'s pending, unreserved entries of `period` would hold (nothing written).
pub fn payout_preview(store: &Store, program: &str, period: &str) -> ApiResult<PayoutPreviewDto> {
    Ok(preview_dto(&store.payout_preview(program, period)?))
}

/// A draft batch of the program's pending, unreserved entries of the period (one line per entity).
pub fn payout_create(
    store: &mut Store,
    actor: &str,
    input: NewPayoutDto,
) -> ApiResult<PayoutBatchDto> {
    let notes = input.notes.unwrap_or_default();
    let batch = store.create_payout(actor, Utc::now(), &input.program, &input.period, &notes)?;
    Ok(batch_dto(&batch, actor))
}

fn move_batch(
    store: &mut Store,
    actor: &str,
    id: &str,
    action: BatchAction,
) -> ApiResult<PayoutBatchDto> {
    let batch = store.payout_transition(actor, Utc::now(), id, &action)?;
    Ok(batch_dto(&batch, actor))
}

/// draft → pending_approval.
pub fn payout_submit(store: &mut Store, actor: &str, id: &str) -> ApiResult<PayoutBatchDto> {
    move_batch(store, actor, id, BatchAction::Submit)
}

/// Approves each batch on its own (its own transaction): `approved`, or `refused` with the
/// reason (the creator of a batch cannot approve it). One refusal never undoes another approval.
pub fn payout_approve(
    store: &mut Store,
    actor: &str,
    ids: &[String],
) -> ApiResult<Vec<PayoutApproveResultDto>> {
    Ok(ids
        .iter()
        .map(|id| {
            let (result, reason) =
                match store.payout_transition(actor, Utc::now(), id, &BatchAction::Approve) {
                    Ok(_) => ("approved", None),
                    Err(e) => ("refused", Some(e.to_string())),
                };
            PayoutApproveResultDto {
                batch_id: id.clone(),
                result: result.into(),
                reason,
            }
        })
        .collect())
}

/// pending_approval → rejected (reason required); the batch's entries are released.
pub fn payout_reject(
    store: &mut Store,
    actor: &str,
    id: &str,
    reason: &str,
) -> ApiResult<PayoutBatchDto> {
    move_batch(
        store,
        actor,
        id,
        BatchAction::Reject {
            reason: reason.to_owned(),
        },
    )
}

/// approved → processing.
pub fn payout_process(store: &mut Store, actor: &str, id: &str) -> ApiResult<PayoutBatchDto> {
    move_batch(store, actor, id, BatchAction::Process)
}

/// approved or processing → paid, in one transaction: the entries become paid with the batch
/// id and the payout is posted (debit each entity's liability, credit `system:payouts`).
pub fn payout_pay(store: &mut Store, actor: &str, id: &str) -> ApiResult<PayoutBatchDto> {
    move_batch(store, actor, id, BatchAction::Pay)
}

/// processing → failed (reason required).
pub fn payout_fail(
    store: &mut Store,
    actor: &str,
    id: &str,
    reason: &str,
) -> ApiResult<PayoutBatchDto> {
    move_batch(
        store,
        actor,
        id,
        BatchAction::Fail {
            reason: reason.to_owned(),
        },
    )
}

/// failed → processing.
pub fn payout_retry(store: &mut Store, actor: &str, id: &str) -> ApiResult<PayoutBatchDto> {
    move_batch(store, actor, id, BatchAction::Retry)
}

/// Replaces the notes of a draft or pending batch.
pub fn payout_set_notes(
    store: &mut Store,
    actor: &str,
    id: &str,
    notes: &str,
) -> ApiResult<PayoutBatchDto> {
    let batch = store.set_payout_notes(actor, Utc::now(), id, notes)?;
    Ok(batch_dto(&batch, actor))
}

/// Removes one entity's line (`REF` or `TYPE:REF`) from a draft or pending batch, releasing its entries.
pub fn payout_remove_line(
    store: &mut Store,
    actor: &str,
    id: &str,
    entity_ref: &str,
) -> ApiResult<PayoutBatchDto> {
    let batch = store.remove_payout_line(actor, Utc::now(), id, entity_ref)?;
    Ok(batch_dto(&batch, actor))
}

/// Deletes a draft or pending batch, releasing its entries; returns its id.
pub fn payout_delete(store: &mut Store, actor: &str, id: &str) -> ApiResult<String> {
    Ok(store.delete_payout(actor, Utc::now(), id)?)
}

/// Batches matching every filter, newest first, with their lines (without entry ids) and
/// the steps `actor` may take.
pub fn payout_list(
    store: &Store,
    actor: &str,
    query: PayoutQueryDto,
) -> ApiResult<Vec<PayoutBatchDto>> {
    let q = BatchQuery {
        program: query
            .program
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
        status: status(query.status.as_deref())?,
        period: query
            .period
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
        partner: query.partner,
    };
    if let Some(p) = &q.program {
        store.ledger_program(p)?;
    }
    let batches = store.payout_batches(&q)?;
    Ok(batches.iter().map(|b| batch_dto(b, actor)).collect())
}

/// One batch with its lines, their entry ids, every transition (who, when, why) and the
/// steps `actor` may take.
pub fn payout_show(store: &Store, actor: &str, id: &str) -> ApiResult<PayoutBatchDto> {
    Ok(batch_dto(&store.payout_batch(id)?, actor))
}

/// Counts and totals per status and currency, batches by period, and how many batches
/// await an approval `actor` may give.
pub fn payout_stats(
    store: &Store,
    actor: &str,
    program: Option<&str>,
) -> ApiResult<PayoutStatsDto> {
    let program = program.map(str::trim).filter(|p| !p.is_empty());
    Ok(stats_dto(program, &store.payout_stats(program, actor)?))
}

/// An entity's lifetime earnings, pending (and reserved), paid and last payout.
pub fn partner_summary(
    store: &Store,
    program: &str,
    entity_ref: &str,
) -> ApiResult<PartnerSummaryDto> {
    Ok(partner_dto(&store.partner_summary(program, entity_ref)?))
}

#[cfg(test)]
mod tests;
