//! `payout_batch_transitioned` on the server: the laptop's move is run again through
//! `recon_core::payouts::transition` against the server's state of the batch, with the
//! **token's user** as the actor — never the `actor` the event names — so a client that
//! skipped the local two-person check cannot approve its own batch. A reject or a failure
//! needs its reason; paying marks the held entries paid and posts the payout, balanced.

use recon_core::ledger::postings::payout_lines;
use recon_core::ledger::EntityType;
use recon_core::money::Money;
use recon_core::payouts::{transition, BatchAction, BatchFacts, BatchStatus, TransitionRefusal};
use recon_sync::payouts::PayoutBatchTransitioned;
use recon_sync::{EventAnswer, RefusalCode};
use rust_decimal::Decimal;

use super::ledger::{conflict, currency, invalid, key, minor, rule, text, Refused};
use super::ledger_entries::post;
use super::payouts::{batch, BatchRow};
use super::Ctx;
use crate::ServerError;

/// The action that leads `from` to `to` (process and retry both lead to processing).
fn action_of(e: &PayoutBatchTransitioned) -> Result<BatchAction, Refused> {
    let to = BatchStatus::parse(&e.to).map_err(|err| invalid(err.to_string()))?;
    let reason = || e.reason.clone().unwrap_or_default();
    Ok(match to {
        BatchStatus::PendingApproval => BatchAction::Submit,
        BatchStatus::Approved => BatchAction::Approve,
        BatchStatus::Rejected => BatchAction::Reject { reason: reason() },
        BatchStatus::Processing if e.from == BatchStatus::Failed.as_str() => BatchAction::Retry,
        BatchStatus::Processing => BatchAction::Process,
        BatchStatus::Paid => BatchAction::Pay,
        BatchStatus::Failed => BatchAction::Fail { reason: reason() },
        BatchStatus::Draft => {
            return Err(invalid(format!(
                "batch {}: no action leads back to draft",
                e.batch_id
            )))
        }
    })
}

fn refusal(e: &PayoutBatchTransitioned, err: TransitionRefusal) -> Refused {
    let code = match err {
        TransitionRefusal::CreatorCannotApprove { .. } => RefusalCode::NotAllowed,
        _ => RefusalCode::RuleBroken,
    };
    EventAnswer::refused(code, format!("batch {}: {err}", e.batch_id), vec![])
}

/// An approval or a payment someone else made first is theirs: the batch records one
/// approver and one payer, so a second person's same move is refused (a conflict naming
/// both), and their laptop undoes it and takes the first one's from the pull — else the
/// two laptops would each name a different approver for ever (found by recon-sim).
fn someone_else_first(
    e: &PayoutBatchTransitioned,
    action: &BatchAction,
    b: &BatchRow,
    user: &str,
) -> Result<(), Refused> {
    let (field, first) = match action {
        BatchAction::Approve => ("approved_by", b.approved_by.as_deref()),
        BatchAction::Pay => ("paid_by", b.paid_by.as_deref()),
        _ => return Ok(()),
    };
    match first {
        Some(first) if !recon_core::payouts::same_person(first, user) => Err(conflict(
            format!("batch {}: {first} made it {} first", e.batch_id, e.to),
            vec![recon_sync::Conflict {
                field: format!("batch {} {field}", e.batch_id),
                server: first.to_owned(),
                event: user.to_owned(),
            }],
        )),
        _ => Ok(()),
    }
}

pub(super) async fn transitioned(
    ctx: &Ctx<'_>,
    e: &PayoutBatchTransitioned,
) -> Result<EventAnswer, ServerError> {
    check!(key("batch id", &e.batch_id));
    if let Some(reason) = &e.reason {
        check!(text("reason", reason));
    }
    let action = check!(action_of(e));
    let b = check!(batch(ctx.tx, ctx.org_id, &e.batch_id).await?);
    if e.from != b.status.as_str() && e.to == b.status.as_str() {
        // Another laptop made the same move first (both saw the same state): the same
        // answer only if this user could have made it from there (never an own approval).
        let seen = check!(BatchStatus::parse(&e.from).map_err(|err| invalid(err.to_string())));
        let facts = BatchFacts {
            status: seen,
            created_by: &b.created_by,
        };
        check!(transition(&facts, &action, ctx.user).map_err(|err| refusal(e, err)));
        check!(someone_else_first(e, &action, &b, ctx.user));
        return Ok(super::ledger::already_exists(format!(
            "batch {} is already {}",
            e.batch_id, e.to
        )));
    }
    let facts = BatchFacts {
        status: b.status,
        created_by: &b.created_by,
    };
    let to = check!(transition(&facts, &action, ctx.user).map_err(|err| refusal(e, err)));
    let reason = e.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let (mut approved_by, mut paid_by, mut paid_at) = (None, None, None);
    match to {
        BatchStatus::Approved => approved_by = Some(ctx.user),
        BatchStatus::Rejected => {
            ctx.tx
                .execute(
                    "UPDATE payout_entries SET reserved = NULL WHERE org_id = $1 AND batch_id = $2",
                    &[&ctx.org_id, &e.batch_id],
                )
                .await?;
        }
        BatchStatus::Paid => {
            check!(pay(ctx, &e.batch_id, &b).await?);
            paid_by = Some(ctx.user);
            paid_at = Some(e.paid_at.clone().unwrap_or_default());
        }
        _ => {}
    }
    ctx.tx
        .execute(
            "UPDATE payout_batches SET status = $3, reason = COALESCE($4, reason),
                    approved_by = COALESCE($5, approved_by), paid_by = COALESCE($6, paid_by),
                    paid_at = COALESCE($7, paid_at)
              WHERE org_id = $1 AND batch_id = $2",
            &[
                &ctx.org_id,
                &e.batch_id,
                &to.as_str(),
                &reason,
                &approved_by,
                &paid_by,
                &paid_at,
            ],
        )
        .await?;
    ctx.tx
        .execute(
            "INSERT INTO payout_transitions (org_id, batch_id, from_status, to_status, actor,
                 claimed, reason, source_event)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &ctx.org_id,
                &e.batch_id,
                &b.status.as_str(),
                &to.as_str(),
                &ctx.user,
                &e.actor,
                &reason,
                &ctx.event_id,
            ],
        )
        .await?;
    Ok(EventAnswer::applied(1, 0))
}

/// Pays the batch: every entry it holds becomes paid (with the batch), and the payout is
/// posted — each line's entity liability debited, `system:payouts` credited — balanced.
async fn pay(ctx: &Ctx<'_>, id: &str, b: &BatchRow) -> Result<Result<(), Refused>, ServerError> {
    let Some(currency) = currency(&b.currency) else {
        return Ok(Err(invalid(format!(
            "batch {id}: unknown currency {}",
            b.currency
        ))));
    };
    let rows = ctx
        .tx
        .query(
            "SELECT entity_type, entity_ref, amount FROM payout_lines
              WHERE org_id = $1 AND batch_id = $2 ORDER BY entity_ref, entity_type",
            &[&ctx.org_id, &id],
        )
        .await?;
    let mut lines = Vec::new();
    let mut sum = 0i64;
    for r in &rows {
        let entity_type = match EntityType::parse(r.get(0)) {
            Ok(t) => t,
            Err(why) => return Ok(Err(invalid(why))),
        };
        let entity_ref: String = r.get(1);
        let amount: Decimal = r.get(2);
        let amount = match minor("line amount", amount, &currency) {
            Ok(m) => m,
            Err(refused) => return Ok(Err(refused)),
        };
        sum += amount;
        lines.extend(payout_lines(
            entity_type,
            &entity_ref,
            &Money::from_minor(amount, &currency),
        ));
    }
    if minor("batch total", b.total, &currency).ok() != Some(sum) {
        return Ok(Err(conflict(
            format!("batch {id}: its lines do not sum to its total on the server"),
            vec![],
        )));
    }
    if let Err(refused) = post(
        ctx.tx,
        ctx.org_id,
        &format!("payout:{id}"),
        &lines,
        &currency,
    )
    .await?
    {
        return Ok(Err(refused));
    }
    let not_pending: i64 = ctx
        .tx
        .query_one(
            "SELECT COUNT(*) FROM payout_entries p JOIN ledger_entries e
                ON e.org_id = p.org_id AND e.source = p.source AND e.source_ref = p.source_ref
              WHERE p.org_id = $1 AND p.batch_id = $2 AND p.reserved AND e.status <> 'pending'",
            &[&ctx.org_id, &id],
        )
        .await?
        .get(0);
    if not_pending > 0 {
        return Ok(Err(rule(format!(
            "batch {id}: {not_pending} of its entries are no longer pending on the server"
        ))));
    }
    ctx.tx
        .execute(
            "UPDATE ledger_entries e SET status = 'paid', payout_batch = $2
               FROM payout_entries p
              WHERE p.org_id = $1 AND p.batch_id = $2 AND p.reserved
                AND e.org_id = p.org_id AND e.source = p.source AND e.source_ref = p.source_ref",
            &[&ctx.org_id, &id],
        )
        .await?;
    Ok(Ok(()))
}
