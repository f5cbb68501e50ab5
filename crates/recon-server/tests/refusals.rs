//! Found when the server was probed as an attacker would: one bad event never blocks the
//! ones behind it, conflicts are answered with both values, and what the server stores is
//! validated with recon-core's rules. Real server on 127.0.0.1:0, real PostgreSQL.

mod common;

use common::*;
use recon_sync::{Event, PushRequest, PushResponse, Refusal, RefusalCode, MAX_EVENT_BYTES};
use serde_json::Value;

const WALLET: &str = "character:90000001:";

fn refusal(response: &PushResponse, index: usize) -> &Refusal {
    response.results[index]
        .answer
        .refused
        .as_ref()
        .unwrap_or_else(|| panic!("event {index} was not refused: {response:?}"))
}

async fn push_events(h: &Harness, token: &str, events: &[Event]) -> PushResponse {
    h.push(
        token,
        &PushRequest {
            events: events.to_vec(),
        },
    )
    .await
}

/// Pushes JSON as written (values a typed `Event` cannot hold); 200 expected.
async fn push_json(h: &Harness, token: &str, body: &Value) -> PushResponse {
    let response = h
        .http
        .post(format!("{}{}", h.base, recon_sync::PUSH_PATH))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_in_a_description_is_refused_and_the_events_behind_it_are_applied() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let before = event(WALLET, vec![line(1, "1.00")]);
    let mut bad_line = line(2, "2.00");
    bad_line.description = "pay\u{0}ment".into();
    let bad = event(WALLET, vec![bad_line]);
    let after = event(WALLET, vec![line(3, "3.00")]);
    let response = push_events(&h, &token, &[before, bad.clone(), after]).await;
    let refused = refusal(&response, 1);
    assert_eq!(refused.code, RefusalCode::InvalidValue);
    assert!(
        refused.reason.starts_with("journal line 2 description:")
            && refused.reason.contains("U+0000"),
        "{}",
        refused.reason
    );
    assert!(response.results[0].answer.applied && response.results[2].answer.applied);
    let held: Vec<i64> = h
        .journal(&token, None)
        .await
        .lines
        .iter()
        .map(|l| l.line.id)
        .collect();
    assert_eq!(held, vec![1, 3]);

    // The refusal is the event's first answer: a replay gets it again, and the device's
    // next event goes through.
    let next = event(WALLET, vec![line(4, "4.00")]);
    let response = push_events(&h, &token, &[bad, next]).await;
    assert!(response.results[0].replayed);
    assert_eq!(refusal(&response, 0), refused);
    assert!(response.results[1].answer.applied);

    // A kind this server only stores (JSONB cannot hold U+0000 either): refused, not 500.
    let raw = serde_json::json!({"events": [{
        "id": uuid::Uuid::new_v4(), "created_at": "2026-01-02T03:04:05Z",
        "device_id": DEVICE, "device_seq": next_device_seq(),
        "kind": "match_linked", "payload": {"note": "a\u{0}b"}}]});
    let response = push_json(&h, &token, &raw).await;
    let refused = refusal(&response, 0);
    assert_eq!(refused.code, RefusalCode::InvalidValue);
    assert!(
        refused.reason.starts_with("payload.note"),
        "{}",
        refused.reason
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_past_the_size_limit_is_refused_as_too_large_not_413_forever() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let mut huge_line = line(1, "1.00");
    huge_line.description = "x".repeat(MAX_EVENT_BYTES + 1);
    let huge = event(WALLET, vec![huge_line]);
    let after = event(WALLET, vec![line(2, "2.00")]);
    let response = push_events(&h, &token, &[huge, after]).await;
    assert_eq!(refusal(&response, 0).code, RefusalCode::TooLarge);
    assert!(response.results[1].answer.applied);
    assert_eq!(h.journal(&token, None).await.total, 1);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_esi_id_at_another_amount_is_a_conflict_with_both_values() {
    let h = Harness::start().await;
    let first = h.token("Acme", "ana@acme.test").await;
    let second = h.token("Acme", "ben@acme.test").await;
    push_events(&h, &first, &[event(WALLET, vec![line(7, "100")])]).await;

    // The same values from another laptop: one line, "already there".
    let response = push_events(&h, &second, &[event(WALLET, vec![line(7, "100.00")])]).await;
    assert_eq!(
        (
            response.results[0].answer.inserted,
            response.results[0].answer.duplicates
        ),
        (0, 1)
    );

    let mut other = line(7, "999");
    other.date = "2026-02-03T04:05:06Z".into();
    let conflicting = event(WALLET, vec![line(8, "8.00"), other]);
    let response = push_events(&h, &second, &[conflicting]).await;
    let refused = refusal(&response, 0);
    assert_eq!(refused.code, RefusalCode::Conflict);
    let find = |field: &str| {
        refused
            .conflicts
            .iter()
            .find(|c| c.field == field)
            .unwrap_or_else(|| panic!("no {field} in {:?}", refused.conflicts))
    };
    let amount = find("journal line 7 amount");
    assert_eq!(
        (dec(&amount.server), dec(&amount.event)),
        (dec("100"), dec("999"))
    );
    let date = find("journal line 7 date");
    assert_eq!(date.event, "2026-02-03T04:05:06Z");
    assert_eq!(date.server, line(7, "1").date);
    // Nothing of the refused event: line 8 is not there, line 7 keeps its amount.
    let page = h.journal(&first, None).await;
    assert_eq!(ids(&page), vec![(WALLET.to_owned(), 7)]);
    assert_eq!(page.lines[0].line.amount, Some(dec("100")));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wallets_currency_never_changes_once_set() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    push_events(&h, &token, &[event(WALLET, vec![line(1, "1.00")])]).await;
    let mut euro = event(WALLET, vec![line(2, "2.00")]);
    journal_body_mut(&mut euro).wallet.currency = "EUR".into();
    let mut zzz = event(WALLET, vec![line(3, "3.00")]);
    journal_body_mut(&mut zzz).wallet.currency = "ZZZ".into();
    let response = push_events(&h, &token, &[euro, zzz]).await;
    let refused = refusal(&response, 0);
    assert_eq!(refused.code, RefusalCode::Conflict);
    assert_eq!(refused.conflicts.len(), 1);
    let conflict = &refused.conflicts[0];
    assert_eq!(
        (
            conflict.field.as_str(),
            conflict.server.as_str(),
            conflict.event.as_str()
        ),
        ("wallet character:90000001: currency", "ISK", "EUR")
    );
    // A code the server does not know is not stored at all.
    assert_eq!(refusal(&response, 1).code, RefusalCode::InvalidValue);
    let page = h.journal(&token, None).await;
    assert_eq!(page.total, 1);
    assert!(page.lines.iter().all(|l| l.currency == "ISK"));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_and_amounts_are_validated_and_oversize_values_named() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let with = |f: &dyn Fn(&mut recon_sync::JournalLine)| {
        let mut l = line(1, "1.00");
        f(&mut l);
        event(WALLET, vec![l])
    };
    let mut long_key = event(&"k".repeat(3000), vec![line(1, "1.00")]);
    journal_body_mut(&mut long_key).wallet.name = "long".into();
    let cases: Vec<(Event, &str)> = vec![
        (
            with(&|l| l.date = "yesterday".into()),
            "journal line 1 date:",
        ),
        (
            with(&|l| l.date = "2026-01-01T12:00:00+02:00".into()),
            "journal line 1 date:",
        ),
        (with(&|l| l.date = "2".repeat(3000)), "journal line 1 date:"),
        (long_key, "wallet key: is 3000 bytes"),
        (
            with(&|l| l.amount = Some(dec("1.005"))),
            "journal line 1 amount:",
        ),
        (
            with(&|l| l.ref_type = "r".repeat(3000)),
            "journal line 1 ref_type:",
        ),
    ];
    let events: Vec<Event> = cases.iter().map(|(e, _)| e.clone()).collect();
    let response = push_events(&h, &token, &events).await;
    for (i, (_, expected)) in cases.iter().enumerate() {
        let refused = refusal(&response, i);
        assert_eq!(
            refused.code,
            RefusalCode::InvalidValue,
            "{}",
            refused.reason
        );
        assert!(
            refused.reason.starts_with(expected),
            "{expected}: {}",
            refused.reason
        );
        assert!(
            refused.reason.len() < 300,
            "a reason quotes values clipped: {}",
            refused.reason
        );
    }

    // Amounts are read as the laptop wrote them: a long decimal string is never rounded
    // into something storable, and a number too large for minor units is refused.
    for amount in [
        "1.0000000000000000000000000001",
        "123456789012345678901234.00",
    ] {
        let mut body = serde_json::to_value(PushRequest {
            events: vec![event(WALLET, vec![line(1, "1.00")])],
        })
        .unwrap();
        body["events"][0]["payload"]["lines"][0]["amount"] = Value::String(amount.into());
        let response = push_json(&h, &token, &body).await;
        let refused = refusal(&response, 0);
        assert_eq!(refused.code, RefusalCode::InvalidValue, "{amount}");
        assert!(
            refused.reason.contains("amount"),
            "{amount}: {}",
            refused.reason
        );
    }
    assert_eq!(h.journal(&token, None).await.total, 0);
    h.finish().await;
}
