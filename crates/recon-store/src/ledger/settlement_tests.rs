//! A settlement import's outbox events, its content digest, and a file re-imported.

use super::*;
use crate::ledger::{NewEntity, NewProgram};
use crate::test_support::{now, temp_store};
use recon_core::ledger::{EntityType, Rate, RoundingMode};
use recon_sync::ledger::SettlementsImported;
use recon_sync::EventBody;

/// Program `p` (USD, 10 % / 2.5 %), affiliates A1 ← A2, and A0 without a parent.
fn program() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = temp_store();
    store
        .add_program(
            "t",
            now(),
            NewProgram {
                slug: "p".into(),
                name: "P".into(),
                currency: "USD".into(),
                direct_rate: Rate::parse("10").unwrap(),
                override_rate: Rate::parse("2.5").unwrap(),
                rounding: RoundingMode::HalfEven,
            },
        )
        .unwrap();
    for (r, parent) in [("A1", None), ("A2", Some("A1")), ("A0", None)] {
        store
            .add_entity(
                "t",
                now(),
                NewEntity {
                    program: "p".into(),
                    entity_type: EntityType::Affiliate,
                    entity_ref: r.into(),
                    name: r.into(),
                    parent: parent.map(str::to_owned),
                    payout_per_conversion: None,
                },
            )
            .unwrap();
    }
    (dir, store)
}

const FILE: &str = "settlement_id,user_ref,affiliate_ref,gross_amount,currency,occurred_at\n\
    S1,u1,A2,123.45,USD,2026-01-02\nS1:direct,u2,A0,10.05,USD,2026-02-03\nS3,u3,A1,0.50,USD,2026-02-03\n";

fn settlement_events(store: &Store) -> Vec<SettlementsImported> {
    store
        .outbox_pending(100)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event.body {
            EventBody::SettlementsImported(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// A commission as compared: kind, entity, earnings, residue.
type Row = (String, String, String, String);

#[test]
fn events_carry_each_settlement_with_its_own_commissions_in_order() {
    let (_dir, mut store) = program();
    let r = store
        .import_settlements("t", now(), "p", "s.csv", FILE.as_bytes())
        .unwrap();
    assert_eq!((r.inserted, r.entries_created), (3, 4));
    let events = settlement_events(&store);
    assert_eq!(events.len(), 1);
    let got: Vec<(String, String, Vec<Row>)> = events[0]
        .settlements
        .iter()
        .map(|s| {
            let c = s.commissions.iter().map(|c| {
                (
                    c.kind.clone(),
                    c.entity_ref.clone(),
                    c.earnings_amount.to_string(),
                    c.rounding_residue.to_string(),
                )
            });
            (
                s.settlement_id.clone(),
                s.affiliate_ref.clone(),
                c.collect(),
            )
        })
        .collect();
    let c = |k: &str, e: &str, a: &str, r: &str| (k.into(), e.into(), a.into(), r.into());
    assert_eq!(
        got,
        vec![
            (
                "S1".into(),
                "A2".into(),
                vec![
                    c("direct", "A2", "12.34", "0.005"),
                    c("override", "A1", "3.09", "-0.00375")
                ]
            ),
            // An id that looks like another's entry ref gets only its own commission.
            (
                "S1:direct".into(),
                "A0".into(),
                vec![c("direct", "A0", "1.00", "0.005")]
            ),
            (
                "S3".into(),
                "A1".into(),
                vec![c("direct", "A1", "0.05", "0")]
            ),
        ]
    );
    // Re-importing the file changes nothing and sends nothing.
    let again = store
        .import_settlements("t", now(), "p", "s.csv", FILE.as_bytes())
        .unwrap();
    assert_eq!(
        (again.inserted, again.duplicates, again.entries_created),
        (0, 3, 0)
    );
    assert_eq!(settlement_events(&store).len(), 1);
}

#[test]
fn the_import_attests_its_settlements_entries_and_lines() {
    let (_dir, mut store) = program();
    store
        .import_settlements("t", now(), "p", "s.csv", FILE.as_bytes())
        .unwrap();
    let report = store.audit_verify().unwrap();
    assert!(report.first_break.is_none(), "{:?}", report.first_break);
    let checked = report.content_checked;
    let import: i64 = store
        .conn
        .query_row(
            "SELECT id FROM audit_log WHERE action = 'ledger.settlements_import'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for tamper in [
        "DROP TRIGGER ledger_entries_fixed; UPDATE ledger_entries SET earnings_minor = earnings_minor * 100 WHERE source_ref = 'S3:direct';",
        "DROP TRIGGER ledger_postings_fixed; UPDATE ledger_postings SET account_id = account_id + 1 WHERE txn_id = 2;",
        "DROP TRIGGER ledger_settlements_fixed; UPDATE ledger_settlements SET user_ref = 'x' WHERE settlement_id = 'S1';",
    ] {
        let (_dir, mut store) = program();
        store
            .import_settlements("t", now(), "p", "s.csv", FILE.as_bytes())
            .unwrap();
        store.conn.execute_batch(tamper).unwrap();
        let b = store.audit_verify().unwrap().first_break.expect(tamper);
        assert_eq!(b.record, Some(import), "{tamper}: {}", b.reason);
    }
    assert!(checked >= 1);
}
