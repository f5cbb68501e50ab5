//! Matching through the server (issue 12): two laptops of one organization link the same
//! receipt to different expected payments. The later link is refused by the server, undone
//! on that laptop (the payment back to awaiting payment, audited "refused by the server"),
//! listed under Needs attention, and the other laptop's link pulled in its place; an
//! unlink travels back. Real recon-server on real PostgreSQL.

mod common;

use chrono::Utc;
use common::{import_journal, payment, Server};
use recon_store::Store;

/// Memo, status and linked journal ids of every payment.
fn payments(store: &Store) -> Vec<(String, String, Vec<String>)> {
    store
        .expected_list(None, None)
        .unwrap()
        .into_iter()
        .map(|e| (e.memo, e.status.as_str().to_owned(), e.journal_ids))
        .collect()
}

fn status_of(store: &Store, memo: &str) -> String {
    payments(store)
        .into_iter()
        .find(|p| p.0 == memo)
        .map(|p| p.1)
        .unwrap()
}

#[test]
fn a_receipt_linked_on_two_laptops_keeps_the_first_link_and_the_later_is_undone_and_listed() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let mut maker = server.laptop(&dir, "maker", "acme", "maker@acme.test");
    let mut checker = server.laptop(&dir, "checker", "acme", "checker@acme.test");
    import_journal(&mut maker, 7001..=7001);
    for memo in ["ARB Alice", "ARB Bob"] {
        maker
            .add_expected("maker", Utc::now(), &payment(memo, "1500000.25"))
            .unwrap();
    }
    maker.sync();
    checker.sync();
    assert_eq!(payments(&checker), payments(&maker));

    // Both offline: the maker links the receipt to Alice, the checker to Bob.
    let on_maker = maker.resolve_journal_id("7001").unwrap();
    maker
        .match_link("maker", Utc::now(), "ARB Alice", on_maker)
        .unwrap();
    let on_checker = checker.resolve_journal_id("7001").unwrap();
    checker
        .match_link("checker", Utc::now(), "ARB Bob", on_checker)
        .unwrap();
    assert_ne!(status_of(&checker, "ARB Bob"), "awaiting_payment");
    maker.sync();

    let report = checker.sync();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    let refused = &report.refused[0];
    assert_eq!(
        (refused.kind.as_str(), refused.code.as_str()),
        ("match_linked", "conflict")
    );
    assert!(
        refused.reason.contains("'ARB Alice'") && refused.reason.contains("'ARB Bob'"),
        "{}",
        refused.reason
    );
    assert!(refused.undone, "{refused:?}");
    // Undone here and replaced by the maker's link, pulled: both laptops agree.
    assert_eq!(status_of(&checker, "ARB Bob"), "awaiting_payment");
    assert_eq!(payments(&checker), payments(&maker));
    let alice = payments(&checker)
        .into_iter()
        .find(|p| p.0 == "ARB Alice")
        .unwrap();
    assert_eq!(alice.2, vec!["7001".to_owned()]);
    assert_eq!(checker.sync_refusals().unwrap().len(), 1, "Needs attention");
    let trail = checker.audit_tail(20).unwrap();
    assert!(
        trail.iter().any(|r| r.action == "sync.refused"
            && r.entity == "match_action"
            && r.after
                .as_deref()
                .unwrap_or("")
                .contains("refused by the server: journal line 7001")),
        "{trail:?}"
    );
    assert!(checker.audit_verify().unwrap().ok());

    // A pulled page applied again changes nothing; the maker's unlink travels back.
    let before = payments(&checker);
    checker.sync();
    assert_eq!(payments(&checker), before);
    maker
        .match_unlink("maker", Utc::now(), on_maker, Some("ARB Alice"))
        .unwrap();
    maker.sync();
    let report = checker.sync();
    assert_eq!(report.pull.applied, 1, "{report:?}");
    assert_eq!(status_of(&checker, "ARB Alice"), "awaiting_payment");
    assert_eq!(payments(&checker), payments(&maker));
}
