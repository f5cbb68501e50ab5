//! The outbox events of matching changes, cut to at most `MAX_LINKS_PER_EVENT` items.

use super::records::{ExpectedRecord, ReceiptRecord};
use recon_core::matching::{LinkType, Score};
use recon_core::money::Money;
use recon_sync::matching::JournalRef;
use recon_sync::matching::{
    CycleOpened, ExpectedPaymentEdited, ExpectedPaymentsAdded, MatchLink, MatchLinked, MatchUndone,
    MatchUnlinked, MAX_LINKS_PER_EVENT,
};
use recon_sync::{matching::ExpectedPayment, EventBody};

/// `items` in events of at most `MAX_LINKS_PER_EVENT`, none when there are none.
fn chunked<T>(items: Vec<T>, mut make: impl FnMut(Vec<T>) -> EventBody) -> Vec<EventBody> {
    let mut events = Vec::with_capacity(items.len().div_ceil(MAX_LINKS_PER_EVENT));
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        events.push(make(items.by_ref().take(MAX_LINKS_PER_EVENT).collect()));
    }
    events
}

/// A new link as an event names it.
pub(super) fn new_link(
    expected: &ExpectedRecord,
    receipt: &ReceiptRecord,
    amount: &Money,
    match_type: LinkType,
    score: Option<&Score>,
) -> MatchLink {
    MatchLink {
        expected: expected.sync_ref(),
        journal: receipt.journal_ref(),
        amount: amount.amount(),
        currency: amount.currency().to_owned(),
        match_type: match_type.as_str().to_owned(),
        score: score.map(|s| s.total),
    }
}

pub(super) fn expected_added(file: Option<&str>, payments: Vec<ExpectedPayment>) -> Vec<EventBody> {
    chunked(payments, |payments| {
        EventBody::ExpectedPaymentsAdded(ExpectedPaymentsAdded {
            file: file.map(str::to_owned),
            payments,
        })
    })
}

/// `renamed_from`: the memo it had, when the edit changed it (the memo names it elsewhere).
pub(super) fn expected_edited(
    after: &ExpectedRecord,
    renamed_from: Option<&str>,
) -> Vec<EventBody> {
    vec![EventBody::ExpectedPaymentEdited(ExpectedPaymentEdited {
        payment: after.sync_payment(),
        renamed_from: renamed_from.map(str::to_owned),
    })]
}

pub(super) fn linked(action: &str, links: Vec<MatchLink>) -> Vec<EventBody> {
    chunked(links, |links| {
        EventBody::MatchLinked(MatchLinked {
            action: action.to_owned(),
            links,
        })
    })
}

pub(super) fn unlinked(links: Vec<MatchLink>) -> Vec<EventBody> {
    chunked(links, |links| {
        EventBody::MatchUnlinked(MatchUnlinked { links })
    })
}

/// An undo as one event, or, when it moved more links than one event carries, as one
/// event per chunk of removed links, then of restored links (lifted rejections ride with
/// the first).
pub(super) fn undone(
    undone: &str,
    removed: Vec<MatchLink>,
    restored: Vec<MatchLink>,
    lifted: Vec<JournalRef>,
) -> Vec<EventBody> {
    let event = |links_removed, links_restored, rejections_lifted| {
        EventBody::MatchUndone(MatchUndone {
            undone: undone.to_owned(),
            links_removed,
            links_restored,
            rejections_lifted,
        })
    };
    if removed.len() + restored.len() + lifted.len() <= MAX_LINKS_PER_EVENT {
        return vec![event(removed, restored, lifted)];
    }
    let mut lifted = Some(lifted);
    let mut events = chunked(removed, |chunk| {
        event(chunk, Vec::new(), lifted.take().unwrap_or_default())
    });
    events.extend(chunked(restored, |chunk| {
        event(Vec::new(), chunk, lifted.take().unwrap_or_default())
    }));
    events
}

/// A cycle opening: one event even when it cancelled nothing (it is still a change).
pub(super) fn cycle_opened(cycle_id: &str, cancelled: Vec<String>) -> Vec<EventBody> {
    let event = |cancelled| {
        EventBody::CycleOpened(CycleOpened {
            cycle_id: cycle_id.to_owned(),
            cancelled,
        })
    };
    if cancelled.is_empty() {
        return vec![event(Vec::new())];
    }
    chunked(cancelled, event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_cut_into_bounded_events() {
        let items: Vec<String> = (0..MAX_LINKS_PER_EVENT * 2 + 1)
            .map(|i| i.to_string())
            .collect();
        let events = cycle_opened("c", items);
        let sizes: Vec<usize> = events
            .iter()
            .map(|e| match e {
                EventBody::CycleOpened(c) => c.cancelled.len(),
                other => panic!("unexpected {}", other.kind()),
            })
            .collect();
        assert_eq!(sizes, [MAX_LINKS_PER_EVENT, MAX_LINKS_PER_EVENT, 1]);
        assert_eq!(cycle_opened("c", Vec::new()).len(), 1);
        assert!(unlinked(Vec::new()).is_empty());
    }
}
