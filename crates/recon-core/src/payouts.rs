//! Payout batches (§7): the state machine and two-person control, as one pure function the
//! laptop and the server both run. Who the actor is comes from the caller (locally
//! `RECON_USER`, on the server the token's user); this module only decides.

use std::fmt;

/// Where a payout batch stands. Spellings are the stored and exported ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchStatus {
    Draft,
    PendingApproval,
    Approved,
    Processing,
    Paid,
    Rejected,
    Failed,
}

impl BatchStatus {
    pub const ALL: [BatchStatus; 7] = [
        BatchStatus::Draft,
        BatchStatus::PendingApproval,
        BatchStatus::Approved,
        BatchStatus::Processing,
        BatchStatus::Paid,
        BatchStatus::Rejected,
        BatchStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Draft => "draft",
            BatchStatus::PendingApproval => "pending_approval",
            BatchStatus::Approved => "approved",
            BatchStatus::Processing => "processing",
            BatchStatus::Paid => "paid",
            BatchStatus::Rejected => "rejected",
            BatchStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Result<BatchStatus, UnknownBatchStatus> {
        BatchStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| UnknownBatchStatus(text.to_owned()))
    }

    /// Notes may change, lines be removed and the batch deleted only before approval.
    pub fn is_editable(self) -> bool {
        matches!(self, BatchStatus::Draft | BatchStatus::PendingApproval)
    }

    /// A batch in this state holds its entries: they can join no other batch and cannot be
    /// reversed. A rejected batch has released them (a deleted one no longer exists).
    pub fn reserves_entries(self) -> bool {
        self != BatchStatus::Rejected
    }
}

impl fmt::Display for BatchStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown batch status '{0}' (expected one of: draft, pending_approval, approved, processing, paid, rejected, failed)")]
pub struct UnknownBatchStatus(pub String);

/// What a person asks of a batch. Reject and fail carry the reason they require.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchAction {
    Submit,
    Approve,
    Reject { reason: String },
    Process,
    Pay,
    Fail { reason: String },
    Retry,
}

impl BatchAction {
    /// The state the action leads to when it is allowed.
    pub fn target(&self) -> BatchStatus {
        match self {
            BatchAction::Submit => BatchStatus::PendingApproval,
            BatchAction::Approve => BatchStatus::Approved,
            BatchAction::Reject { .. } => BatchStatus::Rejected,
            BatchAction::Process | BatchAction::Retry => BatchStatus::Processing,
            BatchAction::Pay => BatchStatus::Paid,
            BatchAction::Fail { .. } => BatchStatus::Failed,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            BatchAction::Submit => "submit",
            BatchAction::Approve => "approve",
            BatchAction::Reject { .. } => "reject",
            BatchAction::Process => "process",
            BatchAction::Pay => "pay",
            BatchAction::Fail { .. } => "fail",
            BatchAction::Retry => "retry",
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            BatchAction::Reject { reason } | BatchAction::Fail { reason } => Some(reason),
            _ => None,
        }
    }
}

/// What the state machine needs to know of a batch.
#[derive(Debug, Clone, Copy)]
pub struct BatchFacts<'a> {
    pub status: BatchStatus,
    pub created_by: &'a str,
}

/// Why a transition is refused. The messages are the ones a user reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionRefusal {
    #[error("a batch cannot go from {from} to {to} ({action} is not allowed while it is {from})")]
    NotAllowed {
        from: BatchStatus,
        to: BatchStatus,
        action: &'static str,
    },
    #[error("the creator of a batch cannot approve it ({actor} created it; another person must approve)")]
    CreatorCannotApprove { actor: String },
    #[error("{action} needs a reason")]
    ReasonRequired { action: &'static str },
    #[error("{action} needs to know who does it (the user is empty)")]
    NoActor { action: &'static str },
}

/// The transitions of §7, as (from, action) pairs; everything else is refused.
fn allowed(from: BatchStatus, action: &BatchAction) -> bool {
    use BatchAction as A;
    use BatchStatus as S;
    matches!(
        (from, action),
        (S::Draft, A::Submit)
            | (S::PendingApproval, A::Approve)
            | (S::PendingApproval, A::Reject { .. })
            | (S::Approved, A::Process)
            | (S::Approved, A::Pay)
            | (S::Processing, A::Pay)
            | (S::Processing, A::Fail { .. })
            | (S::Failed, A::Retry)
    )
}

/// Two people are the same person when their names agree ignoring case and surrounding
/// space: `Maker` must not be able to approve what `maker` created.
pub fn same_person(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// [`transition`]'s checks but the reason: who, and from which state.
fn may(batch: &BatchFacts<'_>, action: &BatchAction, actor: &str) -> Result<(), TransitionRefusal> {
    if actor.trim().is_empty() {
        return Err(TransitionRefusal::NoActor {
            action: action.name(),
        });
    }
    if !allowed(batch.status, action) {
        return Err(TransitionRefusal::NotAllowed {
            from: batch.status,
            to: action.target(),
            action: action.name(),
        });
    }
    if *action == BatchAction::Approve && same_person(actor, batch.created_by) {
        return Err(TransitionRefusal::CreatorCannotApprove {
            actor: actor.trim().to_owned(),
        });
    }
    Ok(())
}

/// One step a batch's status offers and whether the actor may take it now (and if not,
/// the refusal [`transition`] would give).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: &'static str,
    pub refusal: Option<TransitionRefusal>,
}

/// The steps a batch's status offers, in §7's order, each checked for `actor` with the
/// rules of [`transition`] (a reason, asked when the step is taken, is not checked here).
/// An approval stays listed, refused, for the batch's creator: the rule is shown, not hidden.
pub fn steps(batch: &BatchFacts<'_>, actor: &str) -> Vec<Step> {
    let every = [
        BatchAction::Submit,
        BatchAction::Approve,
        BatchAction::Reject {
            reason: String::new(),
        },
        BatchAction::Process,
        BatchAction::Pay,
        BatchAction::Fail {
            reason: String::new(),
        },
        BatchAction::Retry,
    ];
    every
        .iter()
        .filter(|a| allowed(batch.status, a))
        .map(|a| Step {
            action: a.name(),
            refusal: may(batch, a, actor).err(),
        })
        .collect()
}

/// The one rule of a batch's life: the state `action` by `actor` leads to, or why not.
/// The order of the checks is the order a user fixes them in: a transition that does not
/// exist at all is named first, then who may do it, then the missing reason.
pub fn transition(
    batch: &BatchFacts<'_>,
    action: &BatchAction,
    actor: &str,
) -> Result<BatchStatus, TransitionRefusal> {
    may(batch, action, actor)?;
    if action.reason().is_some_and(|r| r.trim().is_empty()) {
        return Err(TransitionRefusal::ReasonRequired {
            action: action.name(),
        });
    }
    Ok(action.target())
}

/// Why an edit (notes, removing a line) or a deletion is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a batch that is {status} can no longer be {what} (only draft or pending_approval batches can)"
)]
pub struct EditRefusal {
    pub status: BatchStatus,
    pub what: &'static str,
}

/// `what` names the edit for the message: "edited", "deleted", "changed".
pub fn check_editable(status: BatchStatus, what: &'static str) -> Result<(), EditRefusal> {
    if status.is_editable() {
        Ok(())
    } else {
        Err(EditRefusal { status, what })
    }
}

/// A pending, unreserved entry a new batch may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingEntry {
    pub entry_id: i64,
    pub entity_id: i64,
    pub earnings_minor: i64,
}

/// One entity's line of a new batch: the sum of its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    pub entity_id: i64,
    pub amount_minor: i64,
    pub entry_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanRefusal {
    #[error("no pending, unreserved entries of program '{program}' in {period}: nothing to pay")]
    NothingPending { program: String, period: String },
    #[error("the payout of entity {entity_id} ({total_minor} minor units) is too large to store")]
    TooLarge { entity_id: i64, total_minor: i128 },
}

/// The lines of a batch made of `entries` (one per entity, in order of first appearance) and
/// their total. Sums are i128, so no count of entries overflows before the check that the
/// result fits the stored i64.
pub fn plan_lines(
    program: &str,
    period: &str,
    entries: &[PendingEntry],
) -> Result<(Vec<PlannedLine>, i64), PlanRefusal> {
    if entries.is_empty() {
        return Err(PlanRefusal::NothingPending {
            program: program.to_owned(),
            period: period.to_owned(),
        });
    }
    let mut index = std::collections::HashMap::<i64, usize>::new();
    let mut sums: Vec<(i64, i128, Vec<i64>)> = Vec::new();
    for e in entries {
        let i = *index.entry(e.entity_id).or_insert_with(|| {
            sums.push((e.entity_id, 0, Vec::new()));
            sums.len() - 1
        });
        sums[i].1 += i128::from(e.earnings_minor);
        sums[i].2.push(e.entry_id);
    }
    let total: i128 = sums.iter().map(|s| s.1).sum();
    let fits = |entity_id: i64, v: i128| {
        i64::try_from(v).map_err(|_| PlanRefusal::TooLarge {
            entity_id,
            total_minor: v,
        })
    };
    let total = fits(0, total)?;
    let lines = sums
        .into_iter()
        .map(|(entity_id, sum, entry_ids)| {
            Ok(PlannedLine {
                entity_id,
                amount_minor: fits(entity_id, sum)?,
                entry_ids,
            })
        })
        .collect::<Result<_, PlanRefusal>>()?;
    Ok((lines, total))
}

/// Why a ledger entry held by a batch cannot be reversed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {entry} is reserved by payout batch {batch_id} ({status}): it cannot be reversed; reject or delete the batch, or remove its line, first")]
pub struct ReservedEntry {
    /// The entry as its reader knows it: a laptop's row id, or `source/source_ref` on the
    /// server (whose ids mean nothing to a laptop).
    pub entry: String,
    pub batch_id: String,
    pub status: BatchStatus,
}

/// Ok unless a batch that reserves entries holds this one.
pub fn check_not_reserved(
    entry: &str,
    holder: Option<(&str, BatchStatus)>,
) -> Result<(), ReservedEntry> {
    match holder {
        Some((batch_id, status)) if status.reserves_entries() => Err(ReservedEntry {
            entry: entry.to_owned(),
            batch_id: batch_id.to_owned(),
            status,
        }),
        _ => Ok(()),
    }
}

/// What reserving an entry for a batch does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The entry joins the batch.
    New,
    /// This batch holds it already (a replayed or pulled reservation): nothing to write.
    AlreadyHeld,
}

/// Why an entry cannot join a batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReserveRefusal {
    #[error("entry {entry} is already held by payout batch {holder}")]
    HeldElsewhere { entry: String, holder: String },
    #[error("entry {entry} is {status}: only a pending entry can join a payout batch")]
    NotPending {
        entry: String,
        status: crate::ledger::EntryStatus,
    },
}

/// An entry joins one live batch at a time, and only while pending. `holder` is the live
/// batch holding it now, if any; `entry` names it for the reader (see [`ReservedEntry`]).
pub fn check_reservable(
    entry: &str,
    status: crate::ledger::EntryStatus,
    holder: Option<&str>,
    batch_id: &str,
) -> Result<Reservation, ReserveRefusal> {
    match holder {
        Some(h) if h == batch_id => return Ok(Reservation::AlreadyHeld),
        Some(h) => {
            return Err(ReserveRefusal::HeldElsewhere {
                entry: entry.to_owned(),
                holder: h.to_owned(),
            })
        }
        None => {}
    }
    if status != crate::ledger::EntryStatus::Pending {
        return Err(ReserveRefusal::NotPending {
            entry: entry.to_owned(),
            status,
        });
    }
    Ok(Reservation::New)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(entry_id: i64, entity_id: i64, earnings_minor: i64) -> PendingEntry {
        PendingEntry {
            entry_id,
            entity_id,
            earnings_minor,
        }
    }

    #[test]
    fn one_line_per_entity_summed_and_nothing_pending_is_refused() {
        let (lines, total) =
            plan_lines("p", "2026-03", &[e(1, 7, 100), e(2, 8, 5), e(3, 7, 1)]).unwrap();
        assert_eq!(total, 106);
        assert_eq!(
            lines[0],
            PlannedLine {
                entity_id: 7,
                amount_minor: 101,
                entry_ids: vec![1, 3]
            }
        );
        assert_eq!(lines[1].amount_minor, 5);
        assert!(matches!(
            plan_lines("p", "2026-03", &[]),
            Err(PlanRefusal::NothingPending { .. })
        ));
        let big = [e(1, 7, i64::MAX), e(2, 7, 1)];
        assert!(matches!(
            plan_lines("p", "2026-03", &big),
            Err(PlanRefusal::TooLarge { .. })
        ));
    }

    #[test]
    fn an_entry_joins_one_batch_and_only_while_pending() {
        use crate::ledger::EntryStatus::*;
        assert_eq!(
            check_reservable("e1", Pending, None, "b1"),
            Ok(Reservation::New)
        );
        assert_eq!(
            check_reservable("e1", Pending, Some("b1"), "b1"),
            Ok(Reservation::AlreadyHeld)
        );
        assert_eq!(
            check_reservable("e1", Pending, Some("b0"), "b1")
                .unwrap_err()
                .to_string(),
            "entry e1 is already held by payout batch b0"
        );
        for status in [Paid, Reversed] {
            assert_eq!(
                check_reservable("e1", status, None, "b1")
                    .unwrap_err()
                    .to_string(),
                format!("entry e1 is {status}: only a pending entry can join a payout batch")
            );
        }
    }

    #[test]
    fn a_reserved_entry_is_refused_unless_its_batch_was_rejected() {
        assert!(check_not_reserved("1", None).is_ok());
        assert!(check_not_reserved("1", Some(("b", BatchStatus::Rejected))).is_ok());
        let err = check_not_reserved("1", Some(("b", BatchStatus::Approved))).unwrap_err();
        assert!(
            err.to_string()
                .contains("reserved by payout batch b (approved)"),
            "{err}"
        );
    }
}
