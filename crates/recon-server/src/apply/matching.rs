//! The matching kinds on the server (SPEC §9, issue 12): links made and removed, receipts
//! rejected and split, steps undone, cycles opened, checked against the organization's
//! matching state ([`super::matching_state`]) with `recon-core`'s review rules.
//!
//! The rule that matters most between laptops: a receipt is linked to one expected
//! payment (or to several only as the shares of one split). A receipt two laptops link to
//! different payments keeps the first link the server received; the later one is refused
//! as a conflict naming both payments, and that laptop undoes it. The same link from two
//! laptops (both matching runs found it) is one link, the second counted as a duplicate.
//! An event is all or nothing: a refusal anywhere in it leaves none of it applied.

use recon_core::matching::{
    check_linkable, check_rejectable, check_split_size, ReceiptState, ReviewRefusal,
};
use recon_core::matching::{normalize_memo, ExpectedStatus};
use recon_core::money::{builtin_currencies, Money};
use recon_sync::matching::{self as kinds, JournalRef, MatchLink};
use recon_sync::{Conflict, EventAnswer, EventBody};

use super::ledger::{already_exists, conflict, invalid, key, rule, text, Refused};
use super::matching_state as state;
use super::Ctx;
use crate::ServerError;

pub(super) fn handles(kind: &str) -> bool {
    [
        kinds::MATCH_LINKED,
        kinds::MATCH_UNLINKED,
        kinds::RECEIPT_REJECTED,
        kinds::RECEIPT_SPLIT,
        kinds::MATCH_UNDONE,
        kinds::CYCLE_OPENED,
        kinds::EXPECTED_PAYMENT_EDITED,
    ]
    .contains(&kind)
}

pub(super) async fn apply(ctx: &Ctx<'_>, body: &EventBody) -> Result<EventAnswer, ServerError> {
    let answer = match body {
        EventBody::MatchLinked(b) => link_all(ctx, &b.links, false).await?,
        EventBody::MatchUnlinked(b) => unlink_all(ctx, &b.links).await?,
        EventBody::ReceiptRejected(b) => reject(ctx, &b.journal, &b.reason).await?,
        EventBody::ReceiptSplit(b) => split(ctx, &b.journal, &b.shares).await?,
        EventBody::MatchUndone(b) => undo(ctx, b).await?,
        EventBody::CycleOpened(b) => open_cycle(ctx, &b.cycle_id, &b.cancelled).await?,
        EventBody::ExpectedPaymentEdited(b) => super::expected_edit::apply(ctx, b).await?,
        other => rule(format!("'{}' is not a matching kind", other.kind())),
    };
    Ok(answer)
}

fn journal_name(j: &JournalRef) -> String {
    format!("{}:{}", j.wallet_key, j.journal_id)
}

fn check_journal(j: &JournalRef) -> Result<(), Refused> {
    key("journal line wallet key", &j.wallet_key)?;
    key("journal line id", &j.journal_id)
}

/// The link's amount as money of its currency: exact and above zero.
fn share_money(link: &MatchLink) -> Result<Money, Refused> {
    let Some(currency) = builtin_currencies()
        .into_iter()
        .find(|c| c.code == link.currency)
    else {
        return Err(invalid(format!(
            "link of journal line {}: currency {} is not known to the server",
            link.journal.journal_id, link.currency
        )));
    };
    Money::parse(&link.amount.to_string(), &currency).map_err(|e| {
        invalid(format!(
            "link of journal line {}: {}: {e}",
            link.journal.journal_id, link.amount
        ))
    })
}

/// A `recon-core` refusal as the event's answer: a clash with what the server holds is a
/// conflict (with both values), anything else a broken rule.
fn refusal_of(why: ReviewRefusal, conflicts: Vec<Conflict>) -> Refused {
    if why.is_conflict() {
        conflict(why.to_string(), conflicts)
    } else {
        rule(why.to_string())
    }
}

/// Links one receipt (share) to its payment. `Ok(Ok(true))`: added; `Ok(Ok(false))`: the
/// server held this very link already.
async fn link_one(
    ctx: &Ctx<'_>,
    link: &MatchLink,
    split: bool,
) -> Result<Result<bool, Refused>, ServerError> {
    let checked = check_journal(&link.journal)
        .and_then(|()| key("expected payment memo", &link.expected.memo))
        .and_then(|()| key("match type", &link.match_type))
        .and_then(|()| share_money(link));
    let amount = match checked {
        Ok(amount) => amount,
        Err(refused) => return Ok(Err(refused)),
    };
    let memo = &link.expected.memo;
    let Some(payment) = state::payment(ctx.tx, ctx.org_id, memo).await? else {
        return Ok(Err(rule(format!(
            "expected payment '{memo}' is not known to the server"
        ))));
    };
    if payment.cancelled {
        let why = ReviewRefusal::NotTakingPayments {
            memo: payment.memo,
            status: ExpectedStatus::Cancelled,
        };
        return Ok(Err(refusal_of(why, vec![])));
    }
    if payment.currency != link.currency {
        let why = ReviewRefusal::CurrencyMismatch {
            memo: payment.memo,
            expected: payment.currency,
            journal_id: link.journal.journal_id.clone(),
            received: link.currency.clone(),
        };
        return Ok(Err(refusal_of(why, vec![])));
    }
    let held = state::links_of(ctx.tx, ctx.org_id, &link.journal).await?;
    let wanted = normalize_memo(memo);
    if held.iter().any(|h| h.memo_normalized == wanted) {
        return Ok(Ok(false));
    }
    // Shares of this same split are not "another" link of the receipt.
    let other = held
        .iter()
        .find(|h| !(split && h.source_event == ctx.event_id));
    let rejected = state::is_rejected(ctx.tx, ctx.org_id, &link.journal).await?;
    let receipt = ReceiptState {
        journal_id: &link.journal.journal_id,
        amount: &amount,
        linked_to: other.map(|h| h.memo.as_str()),
        rejected,
    };
    if let Err(why) = check_linkable(receipt) {
        let conflicts = other
            .map(|h| Conflict {
                field: format!("journal line {} linked to", journal_name(&link.journal)),
                server: h.memo.clone(),
                event: memo.clone(),
            })
            .into_iter()
            .collect();
        let refused = refusal_of(why, conflicts);
        let reason = refused.refused.as_ref().map(|r| r.reason.clone());
        let named = format!(
            "{} on the server; this change links it to '{memo}'",
            reason
                .unwrap_or_default()
                .trim_end_matches("; unlink it first")
        );
        return Ok(Err(EventAnswer {
            refused: refused
                .refused
                .map(|r| recon_sync::Refusal { reason: named, ..r }),
            ..refused
        }));
    }
    state::insert_link(ctx.tx, ctx.org_id, link, split, ctx.event_id).await?;
    Ok(Ok(true))
}

async fn link_all(
    ctx: &Ctx<'_>,
    links: &[MatchLink],
    split: bool,
) -> Result<EventAnswer, ServerError> {
    let (mut inserted, mut duplicates) = (0, 0);
    for link in links {
        match link_one(ctx, link, split).await? {
            Ok(true) => inserted += 1,
            Ok(false) => duplicates += 1,
            Err(refused) => return Ok(refused),
        }
    }
    Ok(EventAnswer::applied(inserted, duplicates))
}

async fn unlink_all(ctx: &Ctx<'_>, links: &[MatchLink]) -> Result<EventAnswer, ServerError> {
    for link in links {
        if !state::delete_link(ctx.tx, ctx.org_id, link).await? {
            return Ok(rule(format!(
                "journal line {} is not linked to '{}' on the server; there is no such link \
                 to remove",
                journal_name(&link.journal),
                link.expected.memo
            )));
        }
    }
    Ok(EventAnswer::applied(links.len() as u64, 0))
}

async fn reject(
    ctx: &Ctx<'_>,
    journal: &JournalRef,
    reason: &str,
) -> Result<EventAnswer, ServerError> {
    if let Err(refused) = check_journal(journal).and_then(|()| text("reason", reason)) {
        return Ok(refused);
    }
    if reason.trim().is_empty() {
        return Ok(rule(
            "marking a receipt not a participation payment needs a reason",
        ));
    }
    let held = state::links_of(ctx.tx, ctx.org_id, journal).await?;
    let rejected = state::is_rejected(ctx.tx, ctx.org_id, journal).await?;
    // The amount plays no part in this check.
    let zero = Money::zero(&builtin_currencies()[0]);
    let receipt = ReceiptState {
        journal_id: &journal.journal_id,
        amount: &zero,
        linked_to: held.first().map(|h| h.memo.as_str()),
        rejected,
    };
    match check_rejectable(receipt) {
        Ok(()) => {}
        // Two laptops rejecting one receipt agree: one rejection.
        Err(ReviewRefusal::AlreadyRejected { .. }) => {
            return Ok(already_exists(format!(
                "journal line {} is marked not a participation payment",
                journal_name(journal)
            )))
        }
        Err(why) => {
            let conflicts = held
                .first()
                .map(|h| Conflict {
                    field: format!("journal line {}", journal_name(journal)),
                    server: format!("linked to '{}'", h.memo),
                    event: "not a participation payment".into(),
                })
                .into_iter()
                .collect();
            return Ok(refusal_of(why, conflicts));
        }
    }
    state::insert_rejection(ctx.tx, ctx.org_id, journal, reason, ctx.event_id).await?;
    Ok(EventAnswer::applied(1, 0))
}

async fn split(
    ctx: &Ctx<'_>,
    journal: &JournalRef,
    shares: &[MatchLink],
) -> Result<EventAnswer, ServerError> {
    if let Err(why) = check_split_size(shares.len()) {
        return Ok(refusal_of(why, vec![]));
    }
    if let Some(stray) = shares.iter().find(|s| &s.journal != journal) {
        return Ok(invalid(format!(
            "a share of the split of journal line {} names journal line {}",
            journal_name(journal),
            journal_name(&stray.journal)
        )));
    }
    link_all(ctx, shares, true).await
}

async fn undo(ctx: &Ctx<'_>, b: &kinds::MatchUndone) -> Result<EventAnswer, ServerError> {
    // What the step had made may already be gone on the server (a colleague unlinked
    // it): undoing it there changes nothing.
    for link in &b.links_removed {
        state::delete_link(ctx.tx, ctx.org_id, link).await?;
    }
    for journal in &b.rejections_lifted {
        state::delete_rejection(ctx.tx, ctx.org_id, journal).await?;
    }
    let split = b.links_restored.len() > 1;
    let mut answer = link_all(ctx, &b.links_restored, split).await?;
    if answer.refused.is_none() {
        answer.inserted += (b.links_removed.len() + b.rejections_lifted.len()) as u64;
    }
    Ok(answer)
}

async fn open_cycle(
    ctx: &Ctx<'_>,
    cycle_id: &str,
    cancelled: &[String],
) -> Result<EventAnswer, ServerError> {
    if let Err(refused) = key("cycle id", cycle_id) {
        return Ok(refused);
    }
    for memo in cancelled {
        if let Some(receipt) = state::a_receipt_of(ctx.tx, ctx.org_id, memo).await? {
            // A colleague's receipt reached it first: it is no longer awaiting payment.
            return Ok(conflict(
                format!(
                    "'{memo}' has journal line {receipt} linked on the server; opening cycle \
                     {cycle_id} cancels only payments still awaiting payment"
                ),
                vec![Conflict {
                    field: format!("expected payment '{memo}'"),
                    server: format!("linked to journal line {receipt}"),
                    event: "cancelled".into(),
                }],
            ));
        }
    }
    let n = state::open_cycle(ctx.tx, ctx.org_id, cycle_id, cancelled, ctx.event_id).await?;
    Ok(EventAnswer::applied(n, cancelled.len() as u64 - n))
}
