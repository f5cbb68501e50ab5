//! The partner ledger and payout batches on the server (issue 12), pushed as a client
//! that skips its own checks would: the server runs recon-core's rules again — two-person
//! control against the token's user (never the actor the event claims), the state
//! machine, a reject needs a reason, one reversal per entry, the sponsor's payout — and
//! answers each break with a typed refusal. Real server on 127.0.0.1:0, real PostgreSQL.

mod common;

use common::*;
use recon_sync::ledger::{
    Conversion, ConversionApproved, ConversionsImported, EntityAdded, EntryRef,
    LedgerEntryReversed, ProgramAdded,
};
use recon_sync::payouts::{
    EntryKey, PayoutBatchCreated, PayoutBatchTransitioned, PayoutEntriesReserved, PayoutLineRef,
};
use recon_sync::pull::{PullPage, PULL_PATH};
use recon_sync::{Event, EventAnswer, EventBody, PushRequest, RefusalCode};
use uuid::Uuid;

const BATCH: &str = "7d7c2a52-5b1e-4c35-9d0e-2d8b6c1f0a11";

fn ev(body: EventBody) -> Event {
    Event {
        id: Uuid::new_v4(),
        created_at: "2026-03-10T09:00:00Z".into(),
        device_id: DEVICE,
        device_seq: next_device_seq(),
        body,
    }
}

async fn one(h: &Harness, token: &str, body: EventBody) -> EventAnswer {
    let request = PushRequest {
        events: vec![ev(body)],
    };
    h.push(token, &request).await.results.remove(0).answer
}

fn entry(id: &str, earnings: &str) -> EntryRef {
    EntryRef {
        source: "conversion".into(),
        source_ref: id.into(),
        entity_type: "sponsor".into(),
        entity_ref: "S1".into(),
        gross_amount: None,
        earnings_amount: dec(earnings),
        rounding_residue: dec("0"),
        currency: "USD".into(),
        occurred_at: "2026-03-05".into(),
    }
}

fn approved(id: &str, earnings: &str) -> EventBody {
    EventBody::ConversionApproved(ConversionApproved {
        program: "spring".into(),
        conversion_id: id.into(),
        entry: entry(id, earnings),
    })
}

fn moved(from: &str, to: &str, actor: &str, reason: Option<&str>) -> EventBody {
    EventBody::PayoutBatchTransitioned(PayoutBatchTransitioned {
        batch_id: BATCH.into(),
        from: from.into(),
        to: to.into(),
        actor: actor.into(),
        reason: reason.map(str::to_owned),
        paid_at: None,
    })
}

/// A program, a sponsor paying 12.50 per conversion, C1..C3 approved, and a batch of C1
/// and C2 created and submitted by `token`'s user.
async fn submitted_batch(h: &Harness, token: &str) {
    let conversions = ["C1", "C2", "C3"].map(|id| Conversion {
        conversion_id: id.into(),
        sponsor_ref: "S1".into(),
        occurred_at: "2026-03-05".into(),
        description: format!("conversion {id}"),
    });
    let mut events = vec![
        ev(EventBody::ProgramAdded(ProgramAdded {
            slug: "spring".into(),
            name: "Spring".into(),
            status: "active".into(),
            currency: "USD".into(),
            direct_rate: dec("10"),
            override_rate: dec("2.5"),
            rounding: "half-even".into(),
        })),
        ev(EventBody::EntityAdded(EntityAdded {
            program: "spring".into(),
            entity_type: "sponsor".into(),
            entity_ref: "S1".into(),
            name: "Sponsor One".into(),
            parent: None,
            payout_per_conversion: Some(dec("12.50")),
        })),
        ev(EventBody::ConversionsImported(ConversionsImported {
            program: "spring".into(),
            conversions: conversions.to_vec(),
        })),
    ];
    events.extend(["C1", "C2", "C3"].map(|id| ev(approved(id, "12.50"))));
    events.push(ev(EventBody::PayoutBatchCreated(PayoutBatchCreated {
        batch_id: BATCH.into(),
        program: "spring".into(),
        period: "2026-03".into(),
        currency: "USD".into(),
        total: dec("25.00"),
        notes: "March".into(),
        // What the event claims is kept aside: the creator is the token's user.
        created_by: "someone-else".into(),
        lines: vec![PayoutLineRef {
            entity_type: "sponsor".into(),
            entity_ref: "S1".into(),
            amount: dec("25.00"),
            entries: 2,
        }],
    })));
    events.push(ev(EventBody::PayoutEntriesReserved(
        PayoutEntriesReserved {
            batch_id: BATCH.into(),
            entries: ["C1", "C2"]
                .map(|id| EntryKey {
                    source: "conversion".into(),
                    source_ref: id.into(),
                })
                .to_vec(),
        },
    )));
    events.push(ev(moved("draft", "pending_approval", "maker", None)));
    let response = h.push(token, &PushRequest { events }).await;
    for r in &response.results {
        assert!(r.answer.refused.is_none(), "{response:?}");
        assert!(r.answer.applied, "{response:?}");
    }
}

async fn batch_status(h: &Harness) -> (String, String, Option<String>) {
    let row = raw_client(&h.db_url)
        .await
        .query_one(
            "SELECT status, created_by, approved_by FROM payout_batches WHERE batch_id = $1",
            &[&BATCH],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

#[tokio::test]
async fn two_person_control_is_checked_against_the_token_user_not_the_claimed_actor() {
    let h = Harness::start().await;
    let maker = h.token("acme", "maker").await;
    let checker = h.token("acme", "checker").await;
    submitted_batch(&h, &maker).await;
    assert_eq!(
        batch_status(&h).await.1,
        "maker",
        "the token's user created it"
    );

    // maker's token, claiming to be checker: refused, nothing changes.
    let forged = one(
        &h,
        &maker,
        moved("pending_approval", "approved", "checker", None),
    )
    .await;
    let refusal = forged.refused.expect("refused");
    assert_eq!(refusal.code, RefusalCode::NotAllowed);
    assert!(refusal.reason.contains("creator"), "{}", refusal.reason);
    assert_eq!(batch_status(&h).await.0, "pending_approval");

    // A reject needs a reason; paying skips approval: both broken rules.
    let bare = one(
        &h,
        &checker,
        moved("pending_approval", "rejected", "checker", Some(" ")),
    )
    .await;
    assert_eq!(bare.refused.unwrap().code, RefusalCode::RuleBroken);
    let early = one(
        &h,
        &checker,
        moved("pending_approval", "paid", "checker", None),
    )
    .await;
    let early = early.refused.unwrap();
    assert_eq!(early.code, RefusalCode::RuleBroken);
    assert!(
        early.reason.contains("pending_approval"),
        "{}",
        early.reason
    );

    // checker's token approves, whatever name the event carries.
    let ok = one(
        &h,
        &checker,
        moved("pending_approval", "approved", "maker", None),
    )
    .await;
    assert!(ok.applied && ok.refused.is_none(), "{ok:?}");
    assert_eq!(
        batch_status(&h).await,
        ("approved".into(), "maker".into(), Some("checker".into()))
    );

    // maker's own approval after checker's is still refused, not "already" done.
    let late = one(
        &h,
        &maker,
        moved("pending_approval", "approved", "checker", None),
    )
    .await;
    assert_eq!(late.refused.unwrap().code, RefusalCode::NotAllowed);
    let twice = one(
        &h,
        &checker,
        moved("pending_approval", "approved", "checker", None),
    )
    .await;
    assert!(twice.note.unwrap().starts_with("already exists"));

    // Paid: the held entries become paid and the payout posts balanced lines.
    let paid = one(&h, &maker, moved("approved", "paid", "maker", None)).await;
    assert!(paid.applied && paid.refused.is_none(), "{paid:?}");
    let db = raw_client(&h.db_url).await;
    let paid_entries: i64 = db
        .query_one(
            "SELECT COUNT(*) FROM ledger_entries WHERE status = 'paid'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(paid_entries, 2);
    let unbalanced: i64 = db
        .query_one(
            "SELECT COUNT(*) FROM (SELECT txn FROM ledger_postings GROUP BY txn, currency
                                   HAVING SUM(amount) <> 0) t",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(unbalanced, 0, "every transaction balances");
    h.finish().await;
}

#[tokio::test]
async fn a_second_colleagues_approval_or_payment_of_one_batch_is_refused_naming_the_first() {
    let h = Harness::start().await;
    let maker = h.token("acme", "maker").await;
    let checker = h.token("acme", "checker").await;
    let payer = h.token("acme", "payer").await;
    submitted_batch(&h, &maker).await;
    let first = one(
        &h,
        &checker,
        moved("pending_approval", "approved", "checker", None),
    )
    .await;
    assert!(first.applied && first.refused.is_none(), "{first:?}");
    // payer approved the same pending batch offline: the batch has one approver.
    let second = one(
        &h,
        &payer,
        moved("pending_approval", "approved", "payer", None),
    )
    .await;
    let refusal = second.refused.expect("a second approver is refused");
    assert_eq!(refusal.code, RefusalCode::Conflict);
    assert!(refusal.reason.contains("checker"), "{}", refusal.reason);
    assert_eq!(refusal.conflicts[0].server, "checker");
    assert_eq!(refusal.conflicts[0].event, "payer");
    assert_eq!(
        batch_status(&h).await,
        ("approved".into(), "maker".into(), Some("checker".into()))
    );
    // The same person's move again (another of their laptops) is still "already".
    let again = one(
        &h,
        &checker,
        moved("pending_approval", "approved", "checker", None),
    )
    .await;
    assert!(again.note.unwrap().starts_with("already exists"));
    // Paid by maker; payer's payment of it from approved is refused the same way.
    let paid = one(&h, &maker, moved("approved", "paid", "maker", None)).await;
    assert!(paid.applied && paid.refused.is_none(), "{paid:?}");
    let paid_twice = one(&h, &payer, moved("approved", "paid", "payer", None)).await;
    let refusal = paid_twice.refused.expect("a second payer is refused");
    assert_eq!(refusal.code, RefusalCode::Conflict);
    assert_eq!(refusal.conflicts[0].server, "maker");
    h.finish().await;
}

#[tokio::test]
async fn a_second_reversal_a_held_entry_and_a_wrong_payout_are_refused() {
    let h = Harness::start().await;
    let maker = h.token("acme", "maker").await;
    submitted_batch(&h, &maker).await;
    let reverse = |source_ref: &str, reason: &str| {
        EventBody::LedgerEntryReversed(LedgerEntryReversed {
            program: "spring".into(),
            source: "conversion".into(),
            source_ref: source_ref.into(),
            reason: reason.into(),
            reversal: EntryRef {
                source: "reversal".into(),
                source_ref: "17".into(),
                earnings_amount: dec("-12.50"),
                ..entry(source_ref, "12.50")
            },
        })
    };
    let held = one(&h, &maker, reverse("C1", "duplicate")).await;
    let held = held.refused.unwrap();
    assert!(
        held.reason
            .contains("entry conversion/C1 is reserved by payout batch"),
        "{}",
        held.reason
    );
    let no_reason = one(&h, &maker, reverse("C3", "")).await;
    assert_eq!(no_reason.refused.unwrap().code, RefusalCode::RuleBroken);
    let first = one(&h, &maker, reverse("C3", "duplicate")).await;
    assert!(first.applied && first.refused.is_none(), "{first:?}");
    let second = one(&h, &maker, reverse("C3", "again")).await;
    let second = second.refused.unwrap();
    assert_eq!(second.code, RefusalCode::RuleBroken);
    assert!(
        second.reason.contains("already reversed"),
        "{}",
        second.reason
    );

    // The same approval again is one entry ("already exists"); other money is a conflict.
    let again = one(&h, &maker, approved("C2", "12.50")).await;
    assert_eq!((again.inserted, again.duplicates), (0, 1));
    assert!(again.note.unwrap().starts_with("already exists"));
    let other = one(&h, &maker, approved("C2", "99.00")).await;
    let other = other.refused.unwrap();
    assert_eq!(other.code, RefusalCode::Conflict);
    assert!(other
        .conflicts
        .iter()
        .any(|c| c.server == "12.5" && c.event == "99"));
    h.finish().await;
}

#[tokio::test]
async fn another_organization_neither_sees_nor_moves_the_batch() {
    let h = Harness::start().await;
    let maker = h.token("acme", "maker").await;
    let eve = h.token("globex", "eve").await;
    submitted_batch(&h, &maker).await;
    let theirs = one(&h, &eve, moved("pending_approval", "approved", "eve", None)).await;
    let refusal = theirs.refused.unwrap();
    assert!(
        refusal.reason.contains("not on the server"),
        "{}",
        refusal.reason
    );
    assert_eq!(batch_status(&h).await.0, "pending_approval");
    let page: PullPage = h
        .http
        .get(format!("{}{PULL_PATH}", h.base))
        .bearer_auth(&eve)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(page.events.is_empty(), "{:?}", page.events.len());
    h.finish().await;
}

#[tokio::test]
async fn an_entry_joins_one_batch_and_only_while_pending() {
    let h = Harness::start().await;
    let maker = h.token("acme", "maker").await;
    submitted_batch(&h, &maker).await;
    const OTHER: &str = "0b5e3c1d-2f4a-4e6b-8c7d-9e0f1a2b3c4d";
    let created = one(
        &h,
        &maker,
        EventBody::PayoutBatchCreated(PayoutBatchCreated {
            batch_id: OTHER.into(),
            program: "spring".into(),
            period: "2026-03".into(),
            currency: "USD".into(),
            total: dec("12.50"),
            notes: "second".into(),
            created_by: "maker".into(),
            lines: vec![PayoutLineRef {
                entity_type: "sponsor".into(),
                entity_ref: "S1".into(),
                amount: dec("12.50"),
                entries: 1,
            }],
        }),
    )
    .await;
    assert!(created.applied && created.refused.is_none(), "{created:?}");
    let reserve = |batch: &str, id: &str| {
        EventBody::PayoutEntriesReserved(PayoutEntriesReserved {
            batch_id: batch.into(),
            entries: vec![EntryKey {
                source: "conversion".into(),
                source_ref: id.into(),
            }],
        })
    };
    // C1 is held by the first batch: a conflict naming both batches.
    let taken = one(&h, &maker, reserve(OTHER, "C1")).await;
    let taken = taken.refused.expect("refused");
    assert_eq!(taken.code, RefusalCode::Conflict);
    assert_eq!(
        taken.reason,
        format!("entry conversion/C1 is already held by payout batch {BATCH}")
    );
    assert_eq!(
        (
            taken.conflicts[0].server.as_str(),
            taken.conflicts[0].event.as_str()
        ),
        (BATCH, OTHER)
    );
    // The batch holding it already: a duplicate, nothing written.
    let again = one(&h, &maker, reserve(BATCH, "C1")).await;
    assert_eq!((again.inserted, again.duplicates), (0, 1), "{again:?}");
    // A reversed entry joins no batch.
    let reversed = one(
        &h,
        &maker,
        EventBody::LedgerEntryReversed(LedgerEntryReversed {
            program: "spring".into(),
            source: "conversion".into(),
            source_ref: "C3".into(),
            reason: "duplicate".into(),
            reversal: EntryRef {
                source: "reversal".into(),
                source_ref: "9".into(),
                earnings_amount: dec("-12.50"),
                ..entry("C3", "12.50")
            },
        }),
    )
    .await;
    assert!(reversed.applied, "{reversed:?}");
    let late = one(&h, &maker, reserve(OTHER, "C3")).await;
    let late = late.refused.expect("refused");
    assert_eq!(late.code, RefusalCode::RuleBroken);
    assert_eq!(
        late.reason,
        "entry conversion/C3 is reversed: only a pending entry can join a payout batch"
    );
    h.finish().await;
}
