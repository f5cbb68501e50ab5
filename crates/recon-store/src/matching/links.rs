//! Links: what a payment's active links make of it, and the reviewer's steps on one
//! receipt — link, accept, split, unlink, reject.

use super::records::{
    active_links_of, expected_by_id, expected_by_memo, is_rejected, receipt_by_rowid,
    ExpectedRecord, ReceiptRecord,
};
use super::views::ActionSummary;
use super::{action_audit, events, new_action, summary, synced};
use crate::write::{Change, RenderedAudit};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::matching::{
    self, check_linkable, check_rejectable, check_split_size, link_effect, normalize_memo,
    ActionKind, ActiveLink, Expected, LinkType, MatchRules, Receipt, ReceiptState, ReviewRefusal,
    Score, SharePlan, ShareTarget,
};
use recon_core::money::Money;
use recon_sync::matching::{ReceiptRejected, ReceiptSplit};
use recon_sync::EventBody;
use rusqlite::{params, Transaction};
use serde_json::json;

pub(super) fn refusal(e: ReviewRefusal) -> StoreError {
    if e.is_conflict() {
        StoreError::Conflict(e.to_string())
    } else {
        StoreError::Invalid(e.to_string())
    }
}

pub(super) fn insert_link(
    tx: &Transaction<'_>,
    expected_id: &str,
    rowid: i64,
    amount: &Money,
    match_type: LinkType,
    score: Option<&Score>,
    action: i64,
) -> Result<()> {
    assert!(amount.minor_units() > 0, "a link carries a positive amount");
    tx.prepare_cached(
        "INSERT INTO match_links (expected_id, journal_rowid, amount_minor, match_type, score, score_detail, created_by_action)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        expected_id,
        rowid,
        amount.minor_units(),
        match_type.as_str(),
        score.map(|s| s.total),
        score.map(|s| serde_json::to_string(s).expect("a score serializes")),
        action
    ])?;
    Ok(())
}

pub(super) fn remove_link(tx: &Transaction<'_>, link: i64, action: i64) -> Result<()> {
    tx.prepare_cached("UPDATE match_links SET removed_by_action = ?2 WHERE id = ?1")?
        .execute(params![link, action])?;
    Ok(())
}

/// An expected payment re-derived from its active links.
pub(super) struct Refreshed {
    pub after: ExpectedRecord,
    /// The `expected.update` record, when anything changed.
    pub audit: Option<RenderedAudit>,
}

/// Re-derives an expected payment from its active links (`link_effect`) and writes any
/// change. `now` is the write's timestamp text.
pub(super) fn refresh_expected(
    tx: &Transaction<'_>,
    now: &str,
    expected_id: &str,
) -> Result<Refreshed> {
    let before = expected_by_id(tx, expected_id)?;
    let links: Vec<ActiveLink> = tx
        .prepare_cached(
            "SELECT l.amount_minor, j.first_party_id FROM match_links l
             JOIN journal_entries j ON j.rowid_pk = l.journal_rowid
             WHERE l.expected_id = ?1 AND l.removed_by_action IS NULL
             ORDER BY l.journal_rowid",
        )?
        .query_map([expected_id], |r| {
            Ok(ActiveLink {
                amount: Money::from_minor(r.get(0)?, &before.currency),
                payer_id: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let state = link_effect(&before.state, &before.expected, &links, now)
        .map_err(|_| StoreError::Invalid(format!("the payments of '{}' overflow", before.memo)))?;
    if state == before.state {
        return Ok(Refreshed {
            after: before,
            audit: None,
        });
    }
    tx.prepare_cached(
        "UPDATE expected_payments SET status = ?2, actual_minor = ?3, actual_payer_id = ?4,
            amount_adjusted = ?5, validated_at = ?6 WHERE id = ?1",
    )?
    .execute(params![
        expected_id,
        state.status.as_str(),
        state.actual.as_ref().map(Money::minor_units),
        state.actual_payer_id,
        state.amount_adjusted,
        state.validated_at
    ])?;
    let after = ExpectedRecord {
        state,
        ..before.clone()
    };
    let audit = RenderedAudit {
        action: "expected.update",
        entity: "expected_payment",
        entity_id: expected_id.to_owned(),
        before: Some(before.audit_text()),
        after: Some(after.audit_text()),
        content: None,
    };
    Ok(Refreshed {
        after,
        audit: Some(audit),
    })
}

/// Refreshes each of `expected_ids` once, in order: their audit records, and the memos
/// of those that changed.
pub(super) fn refresh_all<'a>(
    tx: &Transaction<'_>,
    now: &str,
    expected_ids: impl IntoIterator<Item = &'a str>,
    audit: &mut Vec<RenderedAudit>,
    changed: &mut Vec<String>,
) -> Result<Vec<ExpectedRecord>> {
    let mut afters = Vec::new();
    for id in expected_ids {
        let refreshed = refresh_expected(tx, now, id)?;
        if let Some(record) = refreshed.audit {
            audit.push(record);
            changed.push(refreshed.after.memo.clone());
        }
        afters.push(refreshed.after);
    }
    Ok(afters)
}

/// The engine's view of one receipt.
pub(super) fn engine_receipt(r: &ReceiptRecord) -> Receipt {
    Receipt::new(
        r.view
            .reason
            .as_deref()
            .into_iter()
            .chain([r.view.description.as_str()]),
        r.amount.minor_units(),
        &r.view.currency,
        r.view.payer_id,
    )
}

pub(super) fn engine_expected(e: &ExpectedRecord) -> Expected {
    Expected {
        memo: e.memo_normalized.clone(),
        amount_minor: e.expected.minor_units(),
        currency: e.currency.code.clone(),
        payer_id: e.character_id,
    }
}

/// The receipt as the review checks see it.
fn receipt_state<'a>(
    tx: &Transaction<'_>,
    receipt: &'a ReceiptRecord,
    linked_to: &'a mut Option<String>,
) -> Result<ReceiptState<'a>> {
    *linked_to = active_links_of(tx, receipt.view.rowid)?
        .into_iter()
        .next()
        .map(|l| l.memo);
    Ok(ReceiptState {
        journal_id: &receipt.view.journal_id,
        amount: &receipt.amount,
        linked_to: linked_to.as_deref(),
        rejected: is_rejected(tx, receipt.view.rowid)?,
    })
}

/// One share of a manual link, checked: the payment, its amount, the score it records.
struct PlannedShare {
    expected: ExpectedRecord,
    score: Option<Score>,
}

/// Checks every share (`SharePlan`) and scores it as the engine would.
fn plan_shares(
    tx: &Transaction<'_>,
    rules: &MatchRules,
    receipt: &ReceiptRecord,
    shares: &[(String, Option<String>)],
) -> Result<(Vec<PlannedShare>, Vec<Money>)> {
    let engine = engine_receipt(receipt);
    let mut plan = SharePlan::new(&receipt.view.journal_id, &receipt.amount, &receipt.currency);
    let mut planned = Vec::with_capacity(shares.len());
    for (memo, amount) in shares {
        let e = expected_by_memo(tx, memo)?;
        let target = ShareTarget {
            id: &e.id,
            memo: &e.memo,
            status: e.state.status,
            currency: &e.currency.code,
        };
        plan.add(target, amount.as_deref()).map_err(refusal)?;
        let signal = engine
            .texts
            .iter()
            .filter_map(|t| matching::memo_signal(&e.memo_normalized, t))
            .max_by_key(|s| s.strength());
        let score = matching::score(rules, &engine_expected(&e), &engine, signal);
        planned.push(PlannedShare { expected: e, score });
    }
    let amounts = plan.finish().map_err(refusal)?;
    Ok((planned, amounts))
}

impl Store {
    /// Links a receipt to an expected payment by hand (its whole amount).
    pub fn match_link(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        memo: &str,
        rowid: i64,
    ) -> Result<ActionSummary> {
        self.link_shares(
            actor,
            now,
            ActionKind::Link,
            rowid,
            &[(memo.to_owned(), None)],
        )
    }

    /// Accepts a suggestion: a manual link recorded as the reviewer's acceptance.
    pub fn match_accept(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        memo: &str,
        rowid: i64,
    ) -> Result<ActionSummary> {
        self.link_shares(
            actor,
            now,
            ActionKind::Accept,
            rowid,
            &[(memo.to_owned(), None)],
        )
    }

    /// Splits one receipt across expected payments; the shares must add up to the receipt.
    pub fn match_split(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        rowid: i64,
        shares: &[(String, String)],
    ) -> Result<ActionSummary> {
        check_split_size(shares.len()).map_err(refusal)?;
        let shares: Vec<(String, Option<String>)> = shares
            .iter()
            .map(|(m, a)| (m.clone(), Some(a.clone())))
            .collect();
        self.link_shares(actor, now, ActionKind::Split, rowid, &shares)
    }

    fn link_shares(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        kind: ActionKind,
        rowid: i64,
        shares: &[(String, Option<String>)],
    ) -> Result<ActionSummary> {
        let rules = self.match_rules()?;
        let at = timestamp(now);
        self.write(actor, now, |tx| {
            let receipt = receipt_by_rowid(tx, rowid)?;
            let mut linked_to = None;
            check_linkable(receipt_state(tx, &receipt, &mut linked_to)?).map_err(refusal)?;
            let (planned, amounts) = plan_shares(tx, &rules, &receipt, shares)?;
            let action = new_action(tx, kind, actor, now)?;
            let mut summary = summary(action, kind.as_str());
            let mut links = Vec::with_capacity(planned.len());
            for (share, amount) in planned.iter().zip(&amounts) {
                let e = &share.expected;
                insert_link(tx, &e.id, rowid, amount, LinkType::Manual, share.score.as_ref(), action)?;
                links.push(events::new_link(e, &receipt, amount, LinkType::Manual, share.score.as_ref()));
                summary.links_added += 1;
            }
            let mut audit = Vec::new();
            let ids = planned.iter().map(|s| s.expected.id.as_str());
            refresh_all(tx, &at, ids, &mut audit, &mut summary.expected_changed)?;
            let detail = json!({
                "journal_id": receipt.view.journal_id,
                "shares": planned.iter().zip(&amounts).map(|(s, a)| json!({"memo": s.expected.memo, "amount": a.amount_text()})).collect::<Vec<_>>(),
            });
            audit.push(action_audit(&summary, kind, None, detail).into());
            let events = match kind {
                ActionKind::Split => vec![EventBody::ReceiptSplit(ReceiptSplit {
                    journal: receipt.journal_ref(),
                    shares: links,
                })],
                _ => events::linked(kind.as_str(), links),
            };
            Ok(Change::synced_rendered(summary, audit, events))
        })
    }

    /// Removes the active links of a receipt (only the one to `memo`, when given).
    pub fn match_unlink(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        rowid: i64,
        memo: Option<&str>,
    ) -> Result<ActionSummary> {
        let at = timestamp(now);
        self.write(actor, now, |tx| {
            let receipt = receipt_by_rowid(tx, rowid)?;
            let wanted = memo.map(normalize_memo);
            let links: Vec<_> = active_links_of(tx, rowid)?
                .into_iter()
                .filter(|l| {
                    wanted
                        .as_ref()
                        .is_none_or(|w| *w == normalize_memo(&l.memo))
                })
                .collect();
            if links.is_empty() {
                return Err(StoreError::NotFound {
                    what: "link of journal line",
                    name: match memo {
                        Some(m) => format!("{} to '{m}'", receipt.view.journal_id),
                        None => receipt.view.journal_id.clone(),
                    },
                });
            }
            let action = new_action(tx, ActionKind::Unlink, actor, now)?;
            let mut summary = summary(action, ActionKind::Unlink.as_str());
            for link in &links {
                remove_link(tx, link.id, action)?;
                summary.links_removed += 1;
            }
            let mut audit = Vec::new();
            let ids = links.iter().map(|l| l.expected_id.as_str());
            refresh_all(tx, &at, ids, &mut audit, &mut summary.expected_changed)?;
            let detail = json!({"journal_id": receipt.view.journal_id});
            audit.push(action_audit(&summary, ActionKind::Unlink, None, detail).into());
            let events = events::unlinked(links.into_iter().map(|l| l.event).collect());
            Ok(Change::synced_rendered(summary, audit, events))
        })
    }

    /// Marks a receipt "not a participation payment": it leaves the matching input.
    pub fn match_reject(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        rowid: i64,
        reason: &str,
    ) -> Result<ActionSummary> {
        self.write(actor, now, |tx| {
            let receipt = receipt_by_rowid(tx, rowid)?;
            let mut linked_to = None;
            check_rejectable(receipt_state(tx, &receipt, &mut linked_to)?).map_err(refusal)?;
            let action = new_action(tx, ActionKind::Reject, actor, now)?;
            let reason = if reason.trim().is_empty() {
                "not a participation payment"
            } else {
                reason.trim()
            };
            tx.prepare_cached(
                "INSERT INTO receipt_rejections (journal_rowid, reason, created_by_action) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![rowid, reason, action])?;
            let summary = summary(action, ActionKind::Reject.as_str());
            let detail = json!({"journal_id": receipt.view.journal_id, "reason": reason});
            let audit = action_audit(&summary, ActionKind::Reject, None, detail);
            let event = EventBody::ReceiptRejected(ReceiptRejected {
                journal: receipt.journal_ref(),
                reason: reason.to_owned(),
            });
            Ok(synced(summary, vec![audit], vec![event]))
        })
    }
}
