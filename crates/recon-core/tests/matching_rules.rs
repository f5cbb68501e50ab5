//! The rules of what matching does to the ledger: what each accepts and what it refuses.

use recon_core::matching::{
    check_editable, check_linkable, check_rejectable, check_restorable, check_split_size,
    cycle_opening, expected_amount, link_effect, ActionKind, ActiveLink, AmountRefusal,
    CycleRefusal, ExpectedIdentity, ExpectedStatus, LinkType, MemoSignal, PaymentState,
    ReceiptState, ReviewRefusal, SharePlan, ShareTarget,
};
use recon_core::money::{Currency, Money, MoneyArithmeticError};

fn isk() -> Currency {
    Currency::new("ISK", 2, "ISK").unwrap()
}

fn eur() -> Currency {
    Currency::new("EUR", 2, "Euro").unwrap()
}

fn money(text: &str, currency: &Currency) -> Money {
    Money::parse(text, currency).unwrap()
}

fn awaiting() -> PaymentState {
    PaymentState {
        status: ExpectedStatus::AwaitingPayment,
        actual: None,
        actual_payer_id: None,
        amount_adjusted: false,
        validated_at: None,
    }
}

fn link(text: &str, payer: Option<i64>) -> ActiveLink {
    ActiveLink {
        amount: money(text, &isk()),
        payer_id: payer,
    }
}

const NOW: &str = "2026-11-21T12:00:00.000Z";

#[test]
fn names_round_trip_with_todays_spellings() {
    let statuses: Vec<&str> = ExpectedStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "awaiting_payment",
            "confirmed",
            "cancelled",
            "opted_in",
            "opted_out",
            "refunded",
            "paid_out"
        ]
    );
    for s in ExpectedStatus::ALL {
        assert_eq!(ExpectedStatus::parse(s.as_str()).unwrap(), *s);
        assert_eq!(
            serde_json::to_string(s).unwrap(),
            format!("\"{}\"", s.as_str())
        );
    }
    let types: Vec<&str> = LinkType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(
        types,
        ["auto_exact", "auto_contains", "auto_fuzzy", "manual"]
    );
    for k in ActionKind::ALL {
        assert_eq!(k.as_str().parse::<ActionKind>().unwrap(), *k);
    }
    assert_eq!(ActionKind::BulkAccept.as_str(), "bulk_accept");
}

#[test]
fn unknown_names_are_refused_listing_the_choices() {
    let err = ExpectedStatus::parse("Confirmed").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown status 'Confirmed' (one of: awaiting_payment, confirmed, cancelled, opted_in, opted_out, refunded, paid_out)"
    );
    assert!(LinkType::parse("auto").is_err());
    assert!(ActionKind::parse("").is_err());
}

#[test]
fn link_type_follows_the_memo_signal() {
    assert_eq!(
        LinkType::from_signal(Some(MemoSignal::Equal)),
        LinkType::AutoExact
    );
    assert_eq!(
        LinkType::from_signal(Some(MemoSignal::Contained)),
        LinkType::AutoContains
    );
    assert_eq!(
        LinkType::from_signal(Some(MemoSignal::Distance(2))),
        LinkType::AutoFuzzy
    );
    assert_eq!(LinkType::from_signal(None), LinkType::Manual);
}

#[test]
fn undo_reverses_reviewer_steps_only() {
    assert!(ActionKind::Link.is_undoable());
    assert!(ActionKind::BulkAccept.is_undoable());
    assert!(!ActionKind::Run.is_undoable());
    assert!(!ActionKind::Undo.is_undoable());
}

#[test]
fn links_confirm_an_awaiting_payment_with_their_sum() {
    let expected = money("100.00", &isk());
    let after = link_effect(
        &awaiting(),
        &expected,
        &[link("60.00", Some(7)), link("40.00", Some(8))],
        NOW,
    )
    .unwrap();
    assert_eq!(after.status, ExpectedStatus::Confirmed);
    assert_eq!(after.actual, Some(money("100.00", &isk())));
    assert!(!after.amount_adjusted);
    assert_eq!(after.actual_payer_id, Some(7));
    assert_eq!(after.validated_at.as_deref(), Some(NOW));
}

#[test]
fn a_total_unlike_the_expected_amount_is_adjusted() {
    let expected = money("100.00", &isk());
    let after = link_effect(&awaiting(), &expected, &[link("99.99", None)], NOW).unwrap();
    assert!(after.amount_adjusted);
    assert_eq!(after.actual.unwrap().amount_text(), "99.99");
}

#[test]
fn the_payer_who_paid_most_is_the_actual_payer_earliest_on_a_tie() {
    let expected = money("100.00", &isk());
    let links = [
        link("30.00", Some(1)),
        link("40.00", Some(2)),
        link("30.00", Some(1)),
    ];
    let after = link_effect(&awaiting(), &expected, &links, NOW).unwrap();
    assert_eq!(after.actual_payer_id, Some(1));
    let tie = [link("50.00", Some(2)), link("50.00", Some(1))];
    let after = link_effect(&awaiting(), &expected, &tie, NOW).unwrap();
    assert_eq!(after.actual_payer_id, Some(2));
}

#[test]
fn losing_every_link_sends_a_confirmed_payment_back_to_awaiting() {
    let expected = money("100.00", &isk());
    let confirmed = link_effect(&awaiting(), &expected, &[link("100.00", Some(3))], NOW).unwrap();
    let after = link_effect(&confirmed, &expected, &[], "later").unwrap();
    assert_eq!(after, awaiting());
}

#[test]
fn a_confirmed_payment_keeps_its_first_validation_time() {
    let expected = money("100.00", &isk());
    let confirmed = link_effect(&awaiting(), &expected, &[link("50.00", None)], NOW).unwrap();
    let more = [link("50.00", None), link("50.00", None)];
    let after = link_effect(&confirmed, &expected, &more, "later").unwrap();
    assert_eq!(after.validated_at.as_deref(), Some(NOW));
    assert_eq!(after.actual.unwrap().amount_text(), "100.00");
}

#[test]
fn links_never_change_a_cancelled_payment_status() {
    let expected = money("100.00", &isk());
    let cancelled = PaymentState {
        status: ExpectedStatus::Cancelled,
        ..awaiting()
    };
    let after = link_effect(&cancelled, &expected, &[link("100.00", None)], NOW).unwrap();
    assert_eq!(after.status, ExpectedStatus::Cancelled);
    assert_eq!(after.validated_at, None);
}

#[test]
fn a_link_in_another_currency_is_refused() {
    let expected = money("100.00", &isk());
    let euro = ActiveLink {
        amount: money("100.00", &eur()),
        payer_id: None,
    };
    let err = link_effect(&awaiting(), &expected, &[euro], NOW).unwrap_err();
    assert!(matches!(
        err,
        recon_core::matching::EffectError::Amount(MoneyArithmeticError::CurrencyMismatch { .. })
    ));
}

#[test]
fn links_that_overflow_are_refused() {
    let expected = Money::from_minor(1, &isk());
    let huge = ActiveLink {
        amount: Money::from_minor(i64::MAX, &isk()),
        payer_id: None,
    };
    assert!(link_effect(&awaiting(), &expected, &[huge.clone(), huge], NOW).is_err());
}

fn receipt<'a>(amount: &'a Money) -> ReceiptState<'a> {
    ReceiptState {
        journal_id: "9001",
        amount,
        linked_to: None,
        rejected: false,
    }
}

#[test]
fn a_free_incoming_receipt_can_be_linked_or_rejected() {
    let amount = money("10.00", &isk());
    assert_eq!(check_linkable(receipt(&amount)), Ok(()));
    assert_eq!(check_rejectable(receipt(&amount)), Ok(()));
}

#[test]
fn linking_refuses_outgoing_linked_and_rejected_receipts() {
    let out = money("-10.00", &isk());
    assert_eq!(
        check_linkable(receipt(&out)).unwrap_err().to_string(),
        "journal line 9001 is not incoming money (-10.00 ISK)"
    );
    let amount = money("10.00", &isk());
    let linked = ReceiptState {
        linked_to: Some("ARB 1 A"),
        ..receipt(&amount)
    };
    let err = check_linkable(linked).unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        "journal line 9001 is already linked to 'ARB 1 A'; unlink it first"
    );
    let rejected = ReceiptState {
        rejected: true,
        ..receipt(&amount)
    };
    assert!(matches!(
        check_linkable(rejected),
        Err(ReviewRefusal::Rejected { .. })
    ));
    assert!(matches!(
        check_rejectable(linked),
        Err(ReviewRefusal::RejectLinked { .. })
    ));
    assert!(matches!(
        check_rejectable(rejected),
        Err(ReviewRefusal::AlreadyRejected { .. })
    ));
}

#[test]
fn undo_restores_only_onto_a_free_receipt() {
    assert_eq!(check_restorable(None, false), Ok(()));
    assert_eq!(
        check_restorable(Some("ARB 2 B"), false),
        Err(ReviewRefusal::UndoRelinked {
            memo: "ARB 2 B".into()
        })
    );
    assert_eq!(
        check_restorable(None, true),
        Err(ReviewRefusal::UndoRejected)
    );
}

#[test]
fn only_awaiting_payments_are_editable() {
    assert_eq!(check_editable("m", ExpectedStatus::AwaitingPayment), Ok(()));
    let err = check_editable("m", ExpectedStatus::Confirmed).unwrap_err();
    assert_eq!(
        err.to_string(),
        "'m' is confirmed; only an expected payment still awaiting payment can be edited"
    );
}

fn target<'a>(id: &'a str, status: ExpectedStatus, currency: &'a str) -> ShareTarget<'a> {
    ShareTarget {
        id,
        memo: id,
        status,
        currency,
    }
}

#[test]
fn shares_that_add_up_to_the_receipt_are_accepted() {
    let c = isk();
    let total = money("100.00", &c);
    let mut plan = SharePlan::new("9001", &total, &c);
    plan.add(
        target("a", ExpectedStatus::AwaitingPayment, "ISK"),
        Some(" 60 "),
    )
    .unwrap();
    plan.add(target("b", ExpectedStatus::Confirmed, "ISK"), Some("40.00"))
        .unwrap();
    let shares = plan.finish().unwrap();
    let texts: Vec<String> = shares.iter().map(Money::amount_text).collect();
    assert_eq!(texts, ["60.00", "40.00"]);
}

#[test]
fn a_plain_link_takes_the_whole_receipt() {
    let c = isk();
    let total = money("12.34", &c);
    let mut plan = SharePlan::new("9001", &total, &c);
    plan.add(target("a", ExpectedStatus::AwaitingPayment, "ISK"), None)
        .unwrap();
    assert_eq!(plan.finish().unwrap(), vec![total.clone()]);
}

#[test]
fn shares_that_do_not_add_up_are_refused() {
    let c = isk();
    let total = money("100.00", &c);
    let mut plan = SharePlan::new("9001", &total, &c);
    plan.add(
        target("a", ExpectedStatus::AwaitingPayment, "ISK"),
        Some("60"),
    )
    .unwrap();
    plan.add(
        target("b", ExpectedStatus::AwaitingPayment, "ISK"),
        Some("39.99"),
    )
    .unwrap();
    assert_eq!(
        plan.finish().unwrap_err().to_string(),
        "the shares add up to 99.99 but journal line 9001 is 100.00 ISK"
    );
}

#[test]
fn bad_shares_are_refused_one_by_one() {
    let c = isk();
    let total = money("100.00", &c);
    let mut plan = SharePlan::new("9001", &total, &c);
    let ok = target("a", ExpectedStatus::AwaitingPayment, "ISK");
    assert_eq!(
        plan.add(ok, Some("0")).unwrap_err(),
        ReviewRefusal::ShareNotPositive { memo: "a".into() }
    );
    assert_eq!(
        plan.add(ok, Some("-5")).unwrap_err(),
        ReviewRefusal::ShareNotPositive { memo: "a".into() }
    );
    assert!(matches!(
        plan.add(ok, Some("1.001")),
        Err(ReviewRefusal::BadShare { .. })
    ));
    assert!(matches!(
        plan.add(ok, Some("ten")),
        Err(ReviewRefusal::BadShare { .. })
    ));
    let err = plan
        .add(target("c", ExpectedStatus::Cancelled, "ISK"), Some("1"))
        .unwrap_err();
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        "'c' is cancelled; only expected payments awaiting payment or confirmed take payments"
    );
    assert_eq!(
        plan.add(
            target("e", ExpectedStatus::AwaitingPayment, "EUR"),
            Some("1")
        )
        .unwrap_err()
        .to_string(),
        "'e' expects EUR but journal line 9001 is in ISK"
    );
    plan.add(ok, Some("50")).unwrap();
    assert_eq!(
        plan.add(ok, Some("50")).unwrap_err(),
        ReviewRefusal::TwiceInSplit { memo: "a".into() }
    );
}

#[test]
fn a_split_needs_two_shares() {
    assert_eq!(check_split_size(1), Err(ReviewRefusal::TooFewShares));
    assert_eq!(check_split_size(2), Ok(()));
}

#[test]
fn expected_amounts_must_be_exact_and_above_zero() {
    let c = isk();
    assert_eq!(
        expected_amount("1500", &c).unwrap().amount_text(),
        "1500.00"
    );
    assert_eq!(expected_amount("0", &c), Err(AmountRefusal::NotPositive));
    assert_eq!(expected_amount("-1", &c), Err(AmountRefusal::NotPositive));
    assert!(matches!(
        expected_amount("1.005", &c),
        Err(AmountRefusal::Money(_))
    ));
}

#[test]
fn the_same_memo_is_a_duplicate_only_when_everything_else_agrees() {
    let amount = money("10.00", &isk());
    let held = ExpectedIdentity {
        cycle_id: "2026-11",
        character_name: "A",
        character_id: Some(1),
        amount: &amount,
    };
    assert_eq!(held, held);
    let other_amount = money("10.01", &isk());
    assert_ne!(
        held,
        ExpectedIdentity {
            amount: &other_amount,
            ..held
        }
    );
    let euros = money("10.00", &eur());
    assert_ne!(
        held,
        ExpectedIdentity {
            amount: &euros,
            ..held
        }
    );
    assert_ne!(
        held,
        ExpectedIdentity {
            character_id: None,
            ..held
        }
    );
}

#[test]
fn opening_a_cycle_cancels_only_what_still_awaits() {
    use ExpectedStatus::*;
    assert_eq!(
        cycle_opening(&[
            AwaitingPayment,
            Confirmed,
            AwaitingPayment,
            Refunded,
            Cancelled
        ]),
        Ok(vec![0, 2])
    );
    assert_eq!(cycle_opening(&[Confirmed]), Ok(vec![]));
    assert_eq!(cycle_opening(&[]), Err(CycleRefusal::Unknown));
}

#[test]
fn only_awaiting_and_confirmed_payments_take_payments() {
    let taking: Vec<ExpectedStatus> = ExpectedStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.takes_payments())
        .collect();
    assert_eq!(
        taking,
        [ExpectedStatus::AwaitingPayment, ExpectedStatus::Confirmed]
    );
}

#[test]
fn malformed_steps_are_not_conflicts() {
    assert!(!ReviewRefusal::TooFewShares.is_conflict());
    assert!(!ReviewRefusal::SharesOverflow.is_conflict());
    assert!(ReviewRefusal::UndoRejected.is_conflict());
}
