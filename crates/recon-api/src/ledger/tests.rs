use super::*;
use crate::open_store;

/// A store in a temp dir with USD program `spring` (`direct_rate` its direct rate).
pub(crate) fn spring(direct_rate: Option<&str>) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open_store(&dir.path().join("l.sqlite")).unwrap();
    let program = NewProgramDto {
        slug: "spring".into(),
        name: "Spring".into(),
        currency: "usd".into(),
        direct_rate: direct_rate.map(Into::into),
        override_rate: None,
        rounding: None,
    };
    program_add(&mut store, "alice", program).unwrap();
    (dir, store)
}

/// Sponsor `r` of `spring`, called `name`, paying `pay` a conversion.
pub(crate) fn sponsor(store: &mut Store, r: &str, name: &str, pay: &str) {
    let sponsor = NewEntityDto {
        program: "spring".into(),
        entity_type: "sponsor".into(),
        entity_ref: r.into(),
        name: name.into(),
        parent: None,
        payout_per_conversion: Some(pay.into()),
    };
    entity_add(store, "alice", sponsor).unwrap();
}

fn ledger() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = spring(Some("10"));
    sponsor(&mut store, "S1", "Acme", "12.5");
    let file = dir.path().join("c.json");
    std::fs::write(&file, r#"[{"conversion_id":"C1","sponsor_ref":"S1","occurred_at":"2026-03-05","description":"first"}]"#).unwrap();
    conversions_import(&mut store, "alice", "spring", &file).unwrap();
    (dir, store)
}

#[test]
fn an_entrys_detail_shows_its_postings_and_audit_trail_and_the_dashboard_totals_move() {
    let (dir, mut store) = ledger();
    let r = conversion_approve(&mut store, "bob", "spring", &["C1".into()]).unwrap();
    let id = r[0].entry_id.unwrap();
    let detail = ledger_entry(&store, id).unwrap();
    assert_eq!(detail.entry.earnings_amount, "12.50");
    let accounts: Vec<(&str, &str, &str)> = detail
        .postings
        .iter()
        .map(|p| (p.account.as_str(), p.debit.as_str(), p.credit.as_str()))
        .collect();
    assert_eq!(
        accounts,
        [
            ("program:spring:expense", "12.50", "0.00"),
            ("sponsor:S1:liability", "0.00", "12.50")
        ]
    );
    assert!(
        detail
            .audit
            .iter()
            .any(|a| a.action == "ledger.entry_create" && a.actor == "bob"),
        "{:?}",
        detail.audit
    );
    let totals = ledger_program_totals(&store).unwrap();
    assert_eq!(
        (totals[0].key.as_str(), totals[0].pending.as_str()),
        ("spring", "12.50")
    );
    ledger_reverse(&mut store, "bob", id, "wrong").unwrap();
    let detail = ledger_entry(&store, id).unwrap();
    assert_eq!(detail.entry.status, "reversed");
    assert!(detail
        .audit
        .iter()
        .any(|a| a.action == "ledger.entry_reverse"));
    assert_eq!(ledger_program_totals(&store).unwrap()[0].reversed, "12.50");
    let page = ledger_list(
        &store,
        LedgerQueryDto {
            status: Some("reversed".into()),
            limit: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(page.len(), 1);
    assert!(ledger_list(
        &store,
        LedgerQueryDto {
            status: Some("gone".into()),
            ..Default::default()
        }
    )
    .is_err());
    let out = dir.path().join("accounts.csv");
    let written = ledger_accounts_export(&store, &out, false).unwrap();
    assert_eq!(written.rows, 2);
    assert!(ledger_verify(&store).unwrap().ok);
}

#[test]
fn bad_input_is_refused_with_a_message_naming_the_field() {
    let (_dir, mut store) = ledger();
    let bad = NewProgramDto {
        slug: "x".into(),
        name: "X".into(),
        currency: "USD".into(),
        direct_rate: Some("2,5".into()),
        override_rate: None,
        rounding: None,
    };
    let err = program_add(&mut store, "alice", bad).unwrap_err();
    assert!(err.message.starts_with("--direct-rate"), "{}", err.message);
    let err = program_set_status(&mut store, "alice", "spring", "asleep").unwrap_err();
    assert_eq!(err.code, crate::ErrorCode::InvalidInput);
    let err = entity_list(&store, "nope").unwrap_err();
    assert_eq!(err.code, crate::ErrorCode::NotFound);
}
