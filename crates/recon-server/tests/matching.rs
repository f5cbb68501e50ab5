//! The organization's matching state on the server: a receipt linked on two laptops to
//! different expected payments keeps the first link, the later one refused as a conflict
//! naming both; unlinks of links the server does not hold are refused; rejects need a
//! reason and a free receipt; one organization's links never touch another's. Real server
//! on 127.0.0.1:0, real PostgreSQL.

mod common;

use common::*;
use recon_sync::matching::{
    ExpectedPayment, ExpectedPaymentsAdded, ExpectedRef, JournalRef, MatchLink, MatchLinked,
    MatchUnlinked, ReceiptRejected,
};
use recon_sync::{Event, EventBody, PushRequest, PushResponse, RefusalCode};
use uuid::Uuid;

const WALLET: &str = "character:90000001:";

/// A laptop: its own ledger id and sequence.
struct Laptop {
    device: Uuid,
    seq: i64,
}

impl Laptop {
    fn new() -> Self {
        Laptop {
            device: Uuid::new_v4(),
            seq: 0,
        }
    }

    fn event(&mut self, body: EventBody) -> Event {
        self.seq += 1;
        Event {
            id: Uuid::new_v4(),
            created_at: "2026-11-02T03:04:05Z".into(),
            device_id: self.device,
            device_seq: self.seq,
            body,
        }
    }
}

fn payment(memo: &str) -> ExpectedPayment {
    ExpectedPayment {
        memo: memo.into(),
        cycle_id: "2026-11".into(),
        character_name: memo.into(),
        character_id: None,
        expected_amount: dec("1500000.00"),
        currency: "ISK".into(),
        status: "awaiting_payment".into(),
    }
}

fn payments(memos: &[&str]) -> EventBody {
    EventBody::ExpectedPaymentsAdded(ExpectedPaymentsAdded {
        file: None,
        payments: memos.iter().map(|m| payment(m)).collect(),
    })
}

fn link(memo: &str, journal_id: &str) -> MatchLink {
    MatchLink {
        expected: ExpectedRef {
            memo: memo.into(),
            cycle_id: "2026-11".into(),
        },
        journal: JournalRef {
            wallet_key: WALLET.into(),
            journal_id: journal_id.into(),
        },
        amount: dec("1500000.00"),
        currency: "ISK".into(),
        match_type: "manual".into(),
        score: None,
    }
}

fn linked(memo: &str, journal_id: &str) -> EventBody {
    EventBody::MatchLinked(MatchLinked {
        action: "link".into(),
        links: vec![link(memo, journal_id)],
    })
}

fn unlinked(memo: &str, journal_id: &str) -> EventBody {
    EventBody::MatchUnlinked(MatchUnlinked {
        links: vec![link(memo, journal_id)],
    })
}

async fn push_one(h: &Harness, token: &str, laptop: &mut Laptop, body: EventBody) -> PushResponse {
    let events = vec![laptop.event(body)];
    h.push(token, &PushRequest { events }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_linked_on_two_laptops_to_different_payments_refuses_the_later_link_naming_both()
{
    let h = Harness::start().await;
    let maker = h.token("Acme", "maker@acme.test").await;
    let checker = h.token("Acme", "checker@acme.test").await;
    let (mut one, mut two) = (Laptop::new(), Laptop::new());
    let added = push_one(&h, &maker, &mut one, payments(&["ARB Alice", "ARB Bob"])).await;
    assert!(added.results[0].answer.applied, "{added:?}");

    let first = push_one(&h, &maker, &mut one, linked("ARB Alice", "7001")).await;
    assert_eq!(
        (
            first.results[0].answer.applied,
            first.results[0].answer.inserted
        ),
        (true, 1),
        "{first:?}"
    );
    let later = push_one(&h, &checker, &mut two, linked("ARB Bob", "7001")).await;
    let refused = later.results[0].answer.refused.clone().expect("refused");
    assert_eq!(refused.code, RefusalCode::Conflict);
    assert!(
        refused.reason.contains("'ARB Alice'") && refused.reason.contains("'ARB Bob'"),
        "{}",
        refused.reason
    );
    assert_eq!(
        (
            refused.conflicts[0].server.as_str(),
            refused.conflicts[0].event.as_str()
        ),
        ("ARB Alice", "ARB Bob")
    );

    // The same link found on the second laptop too is one link, counted as a duplicate.
    let same = push_one(&h, &checker, &mut two, linked("arb  alice", "7001")).await;
    let answer = &same.results[0].answer;
    assert!(answer.refused.is_none(), "{answer:?}");
    assert_eq!((answer.inserted, answer.duplicates), (0, 1));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlink_of_a_link_the_server_does_not_hold_is_refused_and_a_real_unlink_frees_the_receipt(
) {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let mut laptop = Laptop::new();
    push_one(&h, &token, &mut laptop, payments(&["ARB Alice", "ARB Bob"])).await;
    let unknown = push_one(&h, &token, &mut laptop, unlinked("ARB Alice", "7001")).await;
    let refused = unknown.results[0].answer.refused.clone().expect("refused");
    assert_eq!(refused.code, RefusalCode::RuleBroken);
    assert!(refused.reason.contains("not linked"), "{}", refused.reason);

    push_one(&h, &token, &mut laptop, linked("ARB Alice", "7001")).await;
    let done = push_one(&h, &token, &mut laptop, unlinked("ARB Alice", "7001")).await;
    assert!(done.results[0].answer.applied, "{done:?}");
    let relinked = push_one(&h, &token, &mut laptop, linked("ARB Bob", "7001")).await;
    assert!(relinked.results[0].answer.applied, "{relinked:?}");

    // A linked receipt cannot be rejected; one without a reason neither.
    let reject = |reason: &str| {
        EventBody::ReceiptRejected(ReceiptRejected {
            journal: link("ARB Bob", "7001").journal,
            reason: reason.into(),
        })
    };
    let answer = push_one(&h, &token, &mut laptop, reject("not a fee")).await;
    let refused = answer.results[0].answer.refused.clone().expect("refused");
    assert_eq!(refused.code, RefusalCode::Conflict, "{refused:?}");
    assert!(refused.reason.contains("'ARB Bob'"), "{}", refused.reason);
    let answer = push_one(&h, &token, &mut laptop, reject("  ")).await;
    assert_eq!(
        answer.results[0].answer.refused.as_ref().map(|r| r.code),
        Some(RefusalCode::RuleBroken)
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organizations_links_neither_conflict_with_nor_reach_acmes_payments() {
    let h = Harness::start().await;
    let acme = h.token("Acme", "ana@acme.test").await;
    let other = h.token("Other", "olga@other.test").await;
    let (mut a, mut o) = (Laptop::new(), Laptop::new());
    push_one(&h, &acme, &mut a, payments(&["ARB Alice"])).await;
    push_one(&h, &acme, &mut a, linked("ARB Alice", "7001")).await;

    // Other's laptop names Acme's memo: the server knows no such payment of Other's.
    let answer = push_one(&h, &other, &mut o, linked("ARB Alice", "7001")).await;
    let refused = answer.results[0].answer.refused.clone().expect("refused");
    assert!(refused.reason.contains("not known"), "{}", refused.reason);

    // Its own payment takes the same wallet and id: no conflict with Acme's link.
    push_one(&h, &other, &mut o, payments(&["ARB Zed"])).await;
    let own = push_one(&h, &other, &mut o, linked("ARB Zed", "7001")).await;
    assert!(own.results[0].answer.applied, "{own:?}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_renamed_on_a_laptop_takes_links_by_its_new_memo_and_a_paid_one_cannot_be_edited()
{
    use recon_sync::matching::ExpectedPaymentEdited;
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let mut laptop = Laptop::new();
    push_one(&h, &token, &mut laptop, payments(&["ARB Alice"])).await;
    let rename = |memo: &str, from: &str| {
        EventBody::ExpectedPaymentEdited(ExpectedPaymentEdited {
            payment: payment(memo),
            renamed_from: Some(from.into()),
        })
    };
    let edited = push_one(&h, &token, &mut laptop, rename("ARB Alicia", "ARB Alice")).await;
    assert!(edited.results[0].answer.applied, "{edited:?}");
    let answer = push_one(&h, &token, &mut laptop, linked("ARB Alicia", "7001")).await;
    assert!(answer.results[0].answer.applied, "{answer:?}");

    let again = push_one(&h, &token, &mut laptop, rename("ARB Ally", "ARB Alicia")).await;
    let refused = again.results[0].answer.refused.clone().expect("refused");
    assert_eq!(refused.code, RefusalCode::Conflict, "{refused:?}");
    assert!(refused.conflicts[0].server.contains("7001"), "{refused:?}");
    h.finish().await;
}
