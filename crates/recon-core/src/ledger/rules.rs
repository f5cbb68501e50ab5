//! The decisions of the partner ledger: which program accepts entries, which affiliate
//! trees are allowed, how entries change status, when an entry may be reversed, and what
//! a settlement pays to whom.

use super::commission::{commission, Commission, Rate};
use super::kinds::{
    ConversionStatus, EntityType, EntrySource, EntryStatus, ProgramStatus, RoundingMode,
};
use crate::money::{Currency, Money};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerRefusal {
    #[error("program '{slug}' is {status}: it accepts no new entries")]
    ProgramNotActive { slug: String, status: ProgramStatus },
    #[error("affiliate '{child}' cannot have '{parent}' as its parent: that would make a cycle ({path})")]
    Cycle {
        child: String,
        parent: String,
        path: String,
    },
    #[error("an entry moves only pending → paid or pending → reversed, not {from} → {to}")]
    Transition { from: EntryStatus, to: EntryStatus },
    #[error("entry {id} was already reversed by entry {by}")]
    AlreadyReversed { id: i64, by: i64 },
    #[error("entry {id} is {status}: only a pending entry can be reversed")]
    NotReversible { id: i64, status: EntryStatus },
    #[error("entry {id} is itself a reversal and cannot be reversed")]
    ReversalOfReversal { id: i64 },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("conversion '{id}' was {status} and cannot be {wanted}")]
    ConversionDecided {
        id: String,
        status: ConversionStatus,
        wanted: ConversionStatus,
    },
    #[error("only a sponsor has a payout per conversion, not an entity of type {entity_type}")]
    PayoutNotSponsor { entity_type: EntityType },
    #[error("a payout per conversion cannot be negative ({amount})")]
    NegativePayout { amount: String },
}

/// What a person decides about a conversion: approve it, or reject it with a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversionDecision<'a> {
    Approve,
    Reject { reason: &'a str },
}

impl ConversionDecision<'_> {
    fn target(self) -> ConversionStatus {
        match self {
            ConversionDecision::Approve => ConversionStatus::Approved,
            ConversionDecision::Reject { .. } => ConversionStatus::Rejected,
        }
    }
}

/// What a decision that passed the rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionEffect {
    /// The conversion moves from pending to the decided status.
    Apply,
    /// It already has that status: "already exists", nothing is written (the same
    /// approval from a second laptop, a second click).
    AlreadyDone,
}

/// A conversion is decided once: pending → approved, or pending → rejected with a reason.
/// Deciding it again the same way changes nothing; the other way is refused. Laptops and
/// the server run this one rule.
pub fn decide_conversion(
    id: &str,
    status: ConversionStatus,
    decision: ConversionDecision<'_>,
) -> Result<DecisionEffect, LedgerRefusal> {
    if let ConversionDecision::Reject { reason } = decision {
        if reason.trim().is_empty() {
            return Err(LedgerRefusal::ReasonRequired);
        }
    }
    let wanted = decision.target();
    match status {
        ConversionStatus::Pending => Ok(DecisionEffect::Apply),
        s if s == wanted => Ok(DecisionEffect::AlreadyDone),
        s => Err(LedgerRefusal::ConversionDecided {
            id: id.to_owned(),
            status: s,
            wanted,
        }),
    }
}

/// Only a sponsor has a payout per conversion, and it is not negative (zero is allowed:
/// a sponsor that pays nothing per conversion still has its conversions reviewed).
pub fn check_payout_per_conversion(
    entity_type: EntityType,
    payout: Option<&Money>,
) -> Result<(), LedgerRefusal> {
    let Some(amount) = payout else {
        return Ok(());
    };
    if entity_type != EntityType::Sponsor {
        return Err(LedgerRefusal::PayoutNotSponsor { entity_type });
    }
    if amount.is_negative() {
        return Err(LedgerRefusal::NegativePayout {
            amount: amount.amount_text(),
        });
    }
    Ok(())
}

/// Only an active program accepts new entries (conversions approved, settlements imported).
pub fn check_accepts_entries(slug: &str, status: ProgramStatus) -> Result<(), LedgerRefusal> {
    match status {
        ProgramStatus::Active => Ok(()),
        other => Err(LedgerRefusal::ProgramNotActive {
            slug: slug.to_owned(),
            status: other,
        }),
    }
}

/// Refuses giving `child` the parent `parent` when walking up from `parent` reaches
/// `child` (or `parent` is `child`). `parent_of` answers the current tree; the walk is
/// bounded by `max_depth` so a tree already broken cannot loop forever.
pub fn check_parent(
    child: &str,
    parent: &str,
    parent_of: impl Fn(&str) -> Option<String>,
    max_depth: usize,
) -> Result<(), LedgerRefusal> {
    let mut path = vec![child.to_owned(), parent.to_owned()];
    let mut at = parent.to_owned();
    for _ in 0..=max_depth {
        if at == child {
            return Err(LedgerRefusal::Cycle {
                child: child.to_owned(),
                parent: parent.to_owned(),
                path: path.join(" → "),
            });
        }
        match parent_of(&at) {
            Some(up) => {
                path.push(up.clone());
                at = up;
            }
            None => return Ok(()),
        }
    }
    Err(LedgerRefusal::Cycle {
        child: child.to_owned(),
        parent: parent.to_owned(),
        path: format!("{} …", path.join(" → ")),
    })
}

/// The only status moves: pending → paid (a payout), pending → reversed (a reversal).
pub fn check_transition(from: EntryStatus, to: EntryStatus) -> Result<(), LedgerRefusal> {
    match (from, to) {
        (EntryStatus::Pending, EntryStatus::Paid)
        | (EntryStatus::Pending, EntryStatus::Reversed) => Ok(()),
        _ => Err(LedgerRefusal::Transition { from, to }),
    }
}

/// What the reversal rule needs to know of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFacts {
    pub id: i64,
    pub source: EntrySource,
    pub status: EntryStatus,
    pub reversed_by: Option<i64>,
}

/// An entry may be reversed once, while pending, with a reason; a reversal never.
pub fn check_reversible(entry: &EntryFacts, reason: &str) -> Result<(), LedgerRefusal> {
    if entry.source == EntrySource::Reversal {
        return Err(LedgerRefusal::ReversalOfReversal { id: entry.id });
    }
    if let Some(by) = entry.reversed_by {
        return Err(LedgerRefusal::AlreadyReversed { id: entry.id, by });
    }
    if entry.status != EntryStatus::Pending {
        return Err(LedgerRefusal::NotReversible {
            id: entry.id,
            status: entry.status,
        });
    }
    if reason.trim().is_empty() {
        return Err(LedgerRefusal::ReasonRequired);
    }
    check_transition(entry.status, EntryStatus::Reversed)
}

/// A program's commission terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub direct_rate: Rate,
    pub override_rate: Rate,
    pub rounding: RoundingMode,
    pub currency: Currency,
}

/// Which commission an entry of a settlement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommissionKind {
    Direct,
    Override,
}

impl CommissionKind {
    /// The suffix of the entry's source_ref: `{settlement_id}:direct`.
    pub fn as_str(self) -> &'static str {
        match self {
            CommissionKind::Direct => "direct",
            CommissionKind::Override => "override",
        }
    }
}

/// One commission a settlement pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCommission {
    pub kind: CommissionKind,
    /// Index into the chain given to [`settlement_commissions`]: 0 the referrer, 1 its parent.
    pub level: usize,
    pub commission: Commission,
}

/// A settlement of `gross` pays its referring affiliate the direct rate and, when it has a
/// parent, that parent the override rate — never further up. A zero rate pays nothing
/// (no entry); a rate whose product rounds to zero still makes an entry, with its residue.
pub fn settlement_commissions(
    terms: &Terms,
    gross: &Money,
    has_parent: bool,
) -> Result<Vec<PlannedCommission>, String> {
    let mut out = Vec::with_capacity(2);
    let levels = [
        (CommissionKind::Direct, terms.direct_rate, true),
        (CommissionKind::Override, terms.override_rate, has_parent),
    ];
    for (level, (kind, rate, applies)) in levels.into_iter().enumerate() {
        if applies && !rate.is_zero() {
            out.push(PlannedCommission {
                kind,
                level,
                commission: commission(gross, rate, terms.rounding, &terms.currency)?,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn only_active_programs_take_entries_and_the_message_names_them() {
        check_accepts_entries("p", ProgramStatus::Active).unwrap();
        let err = check_accepts_entries("spring", ProgramStatus::Paused).unwrap_err();
        assert_eq!(
            err.to_string(),
            "program 'spring' is paused: it accepts no new entries"
        );
    }

    #[test]
    fn cycles_are_refused_naming_the_path() {
        let tree: HashMap<&str, &str> = [("B", "A"), ("C", "B")].into_iter().collect();
        let up = |r: &str| tree.get(r).map(|p| p.to_string());
        check_parent("D", "C", up, 100).unwrap();
        let err = check_parent("A", "C", up, 100).unwrap_err();
        assert!(err.to_string().contains("A → C → B → A"), "{err}");
        assert!(check_parent("A", "A", up, 100).is_err());
    }

    #[test]
    fn entries_move_only_from_pending() {
        use EntryStatus::*;
        for from in EntryStatus::ALL {
            for to in EntryStatus::ALL {
                let ok = check_transition(*from, *to).is_ok();
                assert_eq!(ok, *from == Pending && *to != Pending, "{from} → {to}");
            }
        }
    }

    #[test]
    fn reversal_is_once_while_pending_with_a_reason() {
        let e = EntryFacts {
            id: 7,
            source: EntrySource::Settlement,
            status: EntryStatus::Pending,
            reversed_by: None,
        };
        check_reversible(&e, "wrong sponsor").unwrap();
        assert_eq!(
            check_reversible(&e, " "),
            Err(LedgerRefusal::ReasonRequired)
        );
        let done = EntryFacts {
            status: EntryStatus::Reversed,
            reversed_by: Some(9),
            ..e.clone()
        };
        assert_eq!(
            check_reversible(&done, "again").unwrap_err().to_string(),
            "entry 7 was already reversed by entry 9"
        );
        let paid = EntryFacts {
            status: EntryStatus::Paid,
            ..e.clone()
        };
        assert!(check_reversible(&paid, "x").is_err());
        let rev = EntryFacts {
            source: EntrySource::Reversal,
            ..e
        };
        assert!(check_reversible(&rev, "x").is_err());
    }

    #[test]
    fn a_conversion_is_decided_once() {
        use ConversionStatus::*;
        let approve = ConversionDecision::Approve;
        let reject = ConversionDecision::Reject { reason: "dup" };
        assert_eq!(
            decide_conversion("c1", Pending, approve),
            Ok(DecisionEffect::Apply)
        );
        assert_eq!(
            decide_conversion("c1", Pending, reject),
            Ok(DecisionEffect::Apply)
        );
        assert_eq!(
            decide_conversion("c1", Approved, approve),
            Ok(DecisionEffect::AlreadyDone)
        );
        assert_eq!(
            decide_conversion("c1", Rejected, reject),
            Ok(DecisionEffect::AlreadyDone)
        );
        assert_eq!(
            decide_conversion("c1", Rejected, approve)
                .unwrap_err()
                .to_string(),
            "conversion 'c1' was rejected and cannot be approved"
        );
        assert_eq!(
            decide_conversion("c1", Approved, reject)
                .unwrap_err()
                .to_string(),
            "conversion 'c1' was approved and cannot be rejected"
        );
        let blank = ConversionDecision::Reject { reason: " \t" };
        for status in [Pending, Approved, Rejected] {
            assert_eq!(
                decide_conversion("c1", status, blank),
                Err(LedgerRefusal::ReasonRequired)
            );
        }
    }

    #[test]
    fn only_a_sponsor_has_a_payout_and_never_a_negative_one() {
        let usd = Currency::new("USD", 2, "").unwrap();
        let five = Money::parse("5.00", &usd).unwrap();
        let zero = Money::parse("0", &usd).unwrap();
        let minus = Money::parse("-0.01", &usd).unwrap();
        check_payout_per_conversion(EntityType::Sponsor, Some(&five)).unwrap();
        check_payout_per_conversion(EntityType::Sponsor, Some(&zero)).unwrap();
        check_payout_per_conversion(EntityType::Affiliate, None).unwrap();
        assert_eq!(
            check_payout_per_conversion(EntityType::Sponsor, Some(&minus))
                .unwrap_err()
                .to_string(),
            "a payout per conversion cannot be negative (-0.01)"
        );
        assert_eq!(
            check_payout_per_conversion(EntityType::Affiliate, Some(&five))
                .unwrap_err()
                .to_string(),
            "only a sponsor has a payout per conversion, not an entity of type affiliate"
        );
    }

    #[test]
    fn a_settlement_pays_the_referrer_and_its_parent_only() {
        let usd = Currency::new("USD", 2, "").unwrap();
        let terms = Terms {
            direct_rate: Rate::parse("10").unwrap(),
            override_rate: Rate::parse("2.5").unwrap(),
            rounding: RoundingMode::HalfEven,
            currency: usd.clone(),
        };
        let gross = Money::parse("100.10", &usd).unwrap();
        let plan = settlement_commissions(&terms, &gross, true).unwrap();
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0].commission.amount.amount_text(), "10.01");
        assert_eq!(plan[1].commission.amount.amount_text(), "2.50");
        assert_eq!(plan[1].commission.residue.to_string(), "0.0025");
        assert_eq!(
            settlement_commissions(&terms, &gross, false).unwrap().len(),
            1
        );
    }
}
