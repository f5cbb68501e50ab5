//! A colleague's wallet-check events pulled into this ledger (the server's page built
//! from the colleague's outbox).

use crate::test_support::*;
use crate::{Store, WalletOpRequest};
use recon_core::checks::WalletOp;
use recon_sync::pull::{PullPage, PulledEvent};

const WALLETS: &str = r#"[{"workspace_id":"ws1","wallet_id":"w1","currency":"NGN","balance":"1000","locked_balance":"100","as_of":"2026-02-16T09:00:00Z"}]"#;

fn page_of(store: &Store, user: &str) -> PullPage {
    let events: Vec<PulledEvent> = store
        .outbox_pending(1000)
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, e)| PulledEvent {
            position: 1 + i as i64,
            user: user.into(),
            event: serde_json::from_str(&serde_json::to_string(&e.event).unwrap()).unwrap(),
        })
        .collect();
    PullPage {
        next_cursor: format!("{}:{}", uuid::Uuid::nil(), events.len()),
        events,
        more: false,
        reset: false,
    }
}

fn answered(store: &mut Store) {
    let seqs: Vec<i64> = store
        .outbox_pending(1000)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    store.outbox_mark_sent(&seqs, now()).unwrap();
}

fn lock(store: &mut Store, amount: &str, reference: &str) {
    let request = WalletOpRequest {
        op: WalletOp::Lock,
        wallet_id: "w1",
        amount,
        reference_type: "activation",
        reference_id: reference,
    };
    store.record_wallet_op("me", now(), &request).unwrap();
}

fn balances(store: &Store) -> (i64, i64) {
    let w = &store.workspace_wallets().unwrap()[0];
    (w.balance_minor, w.locked_minor)
}

#[test]
fn a_colleagues_operation_waits_for_this_ledgers_unanswered_change_of_the_wallet() {
    let (_a, mut maker) = temp_store();
    let (_b, mut checker) = temp_store();
    for store in [&mut maker, &mut checker] {
        store
            .import_workspace_wallets("me", now(), "wallets.json", WALLETS.as_bytes())
            .unwrap();
        answered(store);
    }
    lock(&mut maker, "5", "a9");
    lock(&mut checker, "2", "a8");
    let page = page_of(&maker, "maker");
    let outcome = checker
        .apply_pulled_page("checker", now(), Some(&page))
        .unwrap();
    assert_eq!((outcome.applied, outcome.held), (0, 1));
    assert_eq!(balances(&checker), (99_800, 10_200), "unchanged while held");

    answered(&mut checker);
    let outcome = checker.apply_pulled_page("checker", now(), None).unwrap();
    assert_eq!((outcome.applied, outcome.held), (1, 0));
    assert_eq!(balances(&checker), (99_300, 10_700));
    // The page again changes nothing; the colleague's change left no outbox event here.
    let again = checker
        .apply_pulled_page("checker", now(), Some(&page))
        .unwrap();
    assert_eq!((again.applied, again.already_had), (0, 1));
    assert_eq!(balances(&checker), (99_300, 10_700));
    assert_eq!(checker.outbox_pending_count().unwrap(), 0);
    let trail = checker.audit_tail(5).unwrap();
    assert!(
        trail.iter().any(|r| r.action == "wallet.operation"
            && r.after
                .as_deref()
                .unwrap_or("")
                .contains("pulled from the server: maker")),
        "{trail:?}"
    );
    assert!(checker.audit_verify().unwrap().ok());
}

#[test]
fn a_colleagues_fix_that_does_not_bring_this_wallet_to_expected_is_kept_not_applied() {
    let (_a, mut maker) = temp_store();
    let (_b, mut checker) = temp_store();
    for store in [&mut maker, &mut checker] {
        store
            .import_workspace_wallets("me", now(), "wallets.json", WALLETS.as_bytes())
            .unwrap();
        answered(store);
    }
    // No activations: expected locked is 0, so the maker's fix unlocks all 100.
    let options = crate::CheckRunOptions {
        fix: crate::FixScope::All,
        threshold: Some(rust_decimal::Decimal::from(1000)),
        ..Default::default()
    };
    maker.run_wallet_check("maker", now(), &options).unwrap();
    lock(&mut checker, "3", "a1");
    answered(&mut checker);
    let page = page_of(&maker, "maker");
    let outcome = checker
        .apply_pulled_page("checker", now(), Some(&page))
        .unwrap();
    assert_eq!(
        (outcome.applied, outcome.not_applied),
        (1, 1),
        "{outcome:?}"
    );
    assert_eq!(balances(&checker), (99_700, 10_300), "the fix left nothing");
    let waiting = checker.remote_events_waiting().unwrap();
    assert_eq!(waiting[0].kind, "wallet_adjusted");
    assert!(
        waiting[0]
            .note
            .as_deref()
            .unwrap()
            .contains("not to the expected 0"),
        "{waiting:?}"
    );
}
