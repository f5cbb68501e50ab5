//! Kinds this server cannot apply yet are stored, not refused; every event's device id and
//! sequence number are kept; journal lines are checked with recon-core's money rules.

mod common;

use common::*;
use recon_sync::{PushRequest, PushResponse, PUSH_PATH};
use serde_json::{json, Value};
use uuid::Uuid;

const WALLET: &str = "character:90000001:";

async fn push_json(h: &Harness, token: &str, body: &Value) -> reqwest::Response {
    h.http
        .post(format!("{}{PUSH_PATH}", h.base))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("send push")
}

async fn push_json_ok(h: &Harness, token: &str, body: &Value) -> PushResponse {
    let response = push_json(h, token, body).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status.as_u16(), 200, "push failed: {text}");
    serde_json::from_str(&text).expect("PushResponse JSON")
}

fn raw_event(id: Uuid, seq: i64, kind: &str, payload: Value) -> Value {
    json!({
        "id": id,
        "created_at": "2026-01-02T03:04:05.000Z",
        "device_id": DEVICE,
        "device_seq": seq,
        "kind": kind,
        "payload": payload,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kind_is_stored_not_applied_and_its_replay_answers_the_same() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    // `match_linked` is applied now (issue 12): a kind no server knows stands in.
    let (link, future) = (Uuid::new_v4(), Uuid::new_v4());
    let journal = event(WALLET, vec![line(1, "100.00")]);
    let link_payload = json!({"expected_id": "c1:anna", "line_key": "esi:1", "amount": "100.00"});
    let request = json!({"events": [
        serde_json::to_value(&journal).unwrap(),
        raw_event(link, 41, "match_kind_from_2030", link_payload.clone()),
        raw_event(future, 42, "some_kind_from_2031", json!({"anything": [1, 2, {"x": null}]})),
    ]});
    let first = push_json_ok(&h, &token, &request).await;
    assert_eq!(first.results.len(), 3);
    assert_eq!(
        first.results.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![journal.id, link, future]
    );
    assert!(first.results.iter().all(|r| !r.replayed));
    let applied = &first.results[0].answer;
    assert!(applied.applied && applied.note.is_none(), "{applied:?}");
    assert_eq!(applied.inserted, 1);
    for (result, kind) in first.results[1..]
        .iter()
        .zip(["match_kind_from_2030", "some_kind_from_2031"])
    {
        assert!(!result.answer.applied, "{result:?}");
        assert_eq!(
            result.answer.note.as_deref(),
            Some(format!("stored; this server does not apply '{kind}' yet").as_str())
        );
        assert_eq!((result.answer.inserted, result.answer.duplicates), (0, 0));
    }
    // The wire says so in plain JSON too.
    let raw: Value = push_json(&h, &token, &request).await.json().await.unwrap();
    assert_eq!(raw["results"][1]["answer"]["applied"], false);
    assert_eq!(raw["results"][0]["answer"]["applied"], true);

    // The same events again, keys of a payload in another order: replays, first answers.
    let reordered = json!({"events": [
        raw_event(link, 41, "match_kind_from_2030",
                  json!({"amount": "100.00", "line_key": "esi:1", "expected_id": "c1:anna"})),
    ]});
    let again = push_json_ok(&h, &token, &reordered).await;
    assert!(again.results[0].replayed);
    assert_eq!(again.results[0].answer, first.results[1].answer);
    assert_eq!(
        h.journal(&token, None).await.total,
        1,
        "nothing else applied"
    );

    // Stored: envelope, device, sequence, kind, digest and payload as received.
    let db = raw_client(&h.db_url).await;
    let row = db
        .query_one(
            "SELECT e.kind, e.client_device_id, e.device_seq, length(e.body_sha256),
                    e.created_at, u.payload
               FROM sync_events e JOIN unapplied_events u USING (org_id, event_id)
              WHERE e.event_id = $1",
            &[&link],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "match_kind_from_2030");
    assert_eq!(row.get::<_, Uuid>(1), DEVICE);
    assert_eq!(row.get::<_, i64>(2), 41);
    assert_eq!(row.get::<_, i32>(3), 64);
    assert_eq!(row.get::<_, String>(4), "2026-01-02T03:04:05.000Z");
    assert_eq!(row.get::<_, Value>(5), link_payload);
    let unapplied: i64 = db
        .query_one("SELECT count(*) FROM unapplied_events", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        unapplied, 2,
        "the journal event was applied, not stored aside"
    );
    drop(db);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_kind_reused_with_another_payload_is_refused() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let id = Uuid::new_v4();
    let original = json!({"events": [raw_event(id, 1, "match_linked", json!({"a": "1.00"}))]});
    push_json_ok(&h, &token, &original).await;
    let fresh = event(WALLET, vec![line(7, "7.00")]);
    let tampered = json!({"events": [
        serde_json::to_value(&fresh).unwrap(),
        raw_event(id, 1, "match_linked", json!({"a": "1.01"})),
    ]});
    let (status, body) = error_of(push_json(&h, &token, &tampered).await).await;
    assert_eq!((status, body.code.as_str()), (409, "event_id_reused"));
    assert_eq!(body.event_id, Some(id));
    assert_eq!(
        h.journal(&token, None).await.total,
        0,
        "the push was rolled back"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_keeps_its_device_and_sequence_number() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let a = event(WALLET, vec![line(1, "1.00")]);
    let b = event(WALLET, vec![line(2, "2.00")]);
    h.push(
        &token,
        &PushRequest {
            events: vec![a.clone(), b.clone()],
        },
    )
    .await;
    let db = raw_client(&h.db_url).await;
    for sent in [&a, &b] {
        let row = db
            .query_one(
                "SELECT client_device_id, device_seq, kind FROM sync_events WHERE event_id = $1",
                &[&sent.id],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, Uuid>(0), sent.device_id);
        assert_eq!(row.get::<_, i64>(1), sent.device_seq);
        assert_eq!(row.get::<_, String>(2), "journal_lines_imported");
    }
    assert!(b.device_seq > a.device_seq);

    // An event without its place in the device's order is refused, naming the event.
    let mut raw = serde_json::to_value(event(WALLET, vec![line(3, "3.00")])).unwrap();
    raw["device_seq"] = json!(0);
    let (status, body) =
        error_of(push_json(&h, &token, &json!({ "events": [raw.clone()] })).await).await;
    assert_eq!((status, body.code.as_str()), (400, "bad_request"));
    assert_eq!(
        body.event_id.map(|id| id.to_string()),
        raw["id"].as_str().map(String::from)
    );
    raw.as_object_mut().unwrap().remove("device_seq");
    let (status, body) = error_of(push_json(&h, &token, &json!({ "events": [raw] })).await).await;
    assert_eq!((status, body.code.as_str()), (400, "bad_request"));
    assert_eq!(h.journal(&token, None).await.total, 2);
    drop(db);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_amounts_must_fit_the_wallet_currency() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    // ISK has 2 decimals: a third is refused, whichever of amount, balance or tax has it.
    let fine = event(WALLET, vec![line(1, "1.00")]);
    let mut three_decimals = line(2, "1.005");
    three_decimals.amount_raw = Some("1.005".into());
    let mut bad_tax = line(3, "1.00");
    bad_tax.tax = Some(dec("0.001"));
    for bad in [three_decimals, bad_tax] {
        let bad_id = bad.id;
        let refused = event(WALLET, vec![line(10, "1.00"), bad]);
        let response = h
            .push(
                &token,
                &PushRequest {
                    events: vec![fine.clone(), refused.clone()],
                },
            )
            .await;
        // The bad event is refused for good (delivered, answered); the one before it applied.
        assert!(response.results[0].answer.applied);
        let refusal = response.results[1]
            .answer
            .refused
            .as_ref()
            .expect("a refusal");
        assert_eq!(refusal.code, recon_sync::RefusalCode::InvalidValue);
        assert!(
            refusal.reason.contains(&format!("journal line {bad_id}"))
                && refusal.reason.contains("ISK"),
            "{}",
            refusal.reason
        );
    }
    let held: Vec<i64> = h
        .journal(&token, None)
        .await
        .lines
        .iter()
        .map(|l| l.line.id)
        .collect();
    assert_eq!(
        held,
        vec![1],
        "only the fine event's line; nothing of a refused event"
    );

    // A currency this server does not know is refused for good, naming the field.
    let mut plex = event("name:PLEX wallet", vec![line(4, "12")]);
    journal_body_mut(&mut plex).wallet.currency = "PLEX".into();
    let response = h
        .push(
            &token,
            &PushRequest {
                events: vec![plex.clone()],
            },
        )
        .await;
    let answer = &response.results[0].answer;
    assert!(!answer.applied);
    let refusal = answer.refused.as_ref().expect("refused");
    assert_eq!(refusal.code, recon_sync::RefusalCode::InvalidValue);
    assert!(
        refusal.reason.starts_with("wallet currency: 'PLEX'"),
        "{}",
        refusal.reason
    );
    assert_eq!(h.journal(&token, None).await.total, 1);
    let replay = h.push(&token, &PushRequest { events: vec![plex] }).await;
    assert!(replay.results[0].replayed);
    assert_eq!(&replay.results[0].answer, answer);
    h.finish().await;
}
