//! Push / replay / conflict / isolation / auth / amounts, over HTTP against PostgreSQL.

mod common;

use common::*;
use recon_sync::{
    PushRequest, WhoAmI, HEALTH_PATH, JOURNAL_PATH, MAX_EVENTS_PER_PUSH, MAX_LINES_PER_EVENT,
    WHOAMI_PATH,
};

const WALLET: &str = "character:90000001:";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_inserts_lines_and_an_identical_retry_is_a_replay() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let request = PushRequest {
        events: vec![
            event(WALLET, vec![line(1, "100.00"), line(2, "-25.50")]),
            event("corporation:98000001:1", vec![line(3, "7.00")]),
        ],
    };
    let first = h.push(&token, &request).await;
    assert_eq!(first.results.len(), 2);
    assert!(first.results.iter().all(|r| !r.replayed));
    assert_eq!(first.results[0].id, request.events[0].id);
    assert_eq!(
        (
            first.results[0].answer.inserted,
            first.results[0].answer.duplicates
        ),
        (2, 0)
    );
    assert_eq!(first.results[1].answer.inserted, 1);

    let second = h.push(&token, &request).await;
    assert!(second.results.iter().all(|r| r.replayed), "{second:?}");
    for (a, b) in first.results.iter().zip(&second.results) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.answer, b.answer, "a replay answers the first answer");
    }

    let page = h.journal(&token, None).await;
    assert_eq!(page.total, 3);
    assert_eq!(
        ids(&page),
        vec![
            ("character:90000001:".to_owned(), 1),
            ("character:90000001:".to_owned(), 2),
            ("corporation:98000001:1".to_owned(), 3),
        ]
    );
    let only = h.journal(&token, Some(WALLET)).await;
    assert_eq!(only.total, 2);
    assert_eq!(only.lines[0].currency, "ISK");
    assert_eq!(only.lines[0].line, line(1, "100.00"));

    // whoami and healthz while we are here
    let who: WhoAmI = h
        .http
        .get(format!("{}{WHOAMI_PATH}", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        who,
        WhoAmI {
            org: "Acme".into(),
            user: "ana@acme.test".into()
        }
    );
    let health = h
        .http
        .get(format!("{}{HEALTH_PATH}", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reused_event_id_with_another_body_is_refused_and_nothing_is_applied() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let original = event(WALLET, vec![line(1, "100.00")]);
    h.push(
        &token,
        &PushRequest {
            events: vec![original.clone()],
        },
    )
    .await;

    let fresh = event(WALLET, vec![line(50, "1.00")]);
    let mut tampered = original.clone();
    journal_body_mut(&mut tampered).lines.push(line(2, "5.00"));
    let (status, error) = h
        .push_err(
            &token,
            &PushRequest {
                events: vec![fresh.clone(), tampered],
            },
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(error.code, "event_id_reused");
    assert_eq!(error.event_id, Some(original.id));

    let page = h.journal(&token, None).await;
    assert_eq!(
        ids(&page),
        vec![(WALLET.to_owned(), 1)],
        "nothing of the refused push"
    );

    // the new event was rolled back too, so it applies normally later
    let later = h
        .push(
            &token,
            &PushRequest {
                events: vec![fresh],
            },
        )
        .await;
    assert!(!later.results[0].replayed);
    assert_eq!(later.results[0].answer.inserted, 1);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_line_in_two_events_is_kept_once() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let a = event(WALLET, vec![line(10, "1.00"), line(11, "2.00")]);
    let b = event(WALLET, vec![line(11, "2.00"), line(12, "3.00")]);
    let response = h.push(&token, &PushRequest { events: vec![a, b] }).await;
    assert_eq!(
        (
            response.results[0].answer.inserted,
            response.results[0].answer.duplicates
        ),
        (2, 0)
    );
    assert_eq!(
        (
            response.results[1].answer.inserted,
            response.results[1].answer.duplicates
        ),
        (1, 1)
    );
    // and across pushes
    let c = event(WALLET, vec![line(12, "3.00")]);
    let again = h.push(&token, &PushRequest { events: vec![c] }).await;
    assert_eq!(again.results[0].answer.duplicates, 1);
    assert_eq!(again.results[0].answer.inserted, 0);
    let page = h.journal(&token, None).await;
    assert_eq!(page.total, 3);
    assert_eq!(
        ids(&page).into_iter().map(|(_, id)| id).collect::<Vec<_>>(),
        vec![10, 11, 12]
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organizations_are_isolated() {
    let h = Harness::start().await;
    let token_a = h.token("Org A", "a@a.test").await;
    let token_b = h.token("Org B", "b@b.test").await;
    let event_a = event(WALLET, vec![line(1, "100.00"), line(2, "200.00")]);
    h.push(
        &token_a,
        &PushRequest {
            events: vec![event_a.clone()],
        },
    )
    .await;
    let before_a = h.journal(&token_a, None).await;

    let page_b = h.journal(&token_b, None).await;
    assert_eq!(page_b.total, 0);
    assert!(page_b.lines.is_empty());
    assert_eq!(h.journal(&token_b, Some(WALLET)).await.total, 0);

    // B reuses A's event id (and A's wallet key and line id) with another body
    let mut event_b = event(WALLET, vec![line(1, "999.99")]);
    event_b.id = event_a.id;
    let response = h
        .push(
            &token_b,
            &PushRequest {
                events: vec![event_b],
            },
        )
        .await;
    assert!(!response.results[0].replayed);
    assert_eq!(response.results[0].answer.inserted, 1);
    assert_eq!(response.results[0].answer.duplicates, 0);

    let after_a = h.journal(&token_a, None).await;
    assert_eq!(after_a, before_a, "A's journal is unchanged");
    let page_b = h.journal(&token_b, None).await;
    assert_eq!(page_b.total, 1);
    assert_eq!(page_b.lines[0].line.amount, Some(dec("999.99")));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_wrong_token_is_unauthorized() {
    let h = Harness::start().await;
    let _token = h.token("Acme", "ana@acme.test").await;
    let request = PushRequest {
        events: vec![event(WALLET, vec![line(1, "1.00")])],
    };
    for path in [JOURNAL_PATH, WHOAMI_PATH] {
        // No token, then a token nobody issued.
        for token in [None, Some("rdt_0000")] {
            let mut request = h.http.get(format!("{}{path}", h.base));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let (status, body) = error_of(request.send().await.unwrap()).await;
            assert_eq!(
                (status, body.code.as_str()),
                (401, "unauthorized"),
                "{path} with token {token:?}"
            );
        }
    }
    let unauthenticated = h
        .http
        .post(format!("{}{}", h.base, recon_sync::PUSH_PATH))
        .json(&request)
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(unauthenticated).await;
    assert_eq!((status, body.code.as_str()), (401, "unauthorized"));
    let (status, body) = h.push_err("rdt_not_a_token", &request).await;
    assert_eq!((status, body.code.as_str()), (401, "unauthorized"));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amounts_come_back_exactly() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let mut big = line(2, "12345678901234.56");
    big.tax = Some(dec("0.10"));
    big.tax_raw = Some("0.1".into());
    big.balance = Some(dec("-98765432109876.00"));
    let request = PushRequest {
        events: vec![event(WALLET, vec![line(1, "243877.50"), big.clone()])],
    };
    h.push(&token, &request).await;
    let raw: serde_json::Value = h
        .http
        .get(format!("{}{JOURNAL_PATH}", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lines = raw["lines"].as_array().unwrap();
    assert_eq!(lines[0]["amount"], "243877.50");
    assert_eq!(lines[1]["amount"], "12345678901234.56");
    assert_eq!(lines[1]["balance"], "-98765432109876.00");
    assert_eq!(lines[1]["tax"], "0.10");
    assert_eq!(lines[1]["tax_raw"], "0.1");
    let page = h.journal(&token, None).await;
    assert_eq!(page.lines[1].line, big);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_error_bodies() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let malformed = h
        .http
        .post(format!("{}{}", h.base, recon_sync::PUSH_PATH))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"events\": [")
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(malformed).await;
    assert_eq!((status, body.code.as_str()), (400, "bad_request"));

    let many = PushRequest {
        events: (0..=MAX_EVENTS_PER_PUSH)
            .map(|i| event(WALLET, vec![line(i as i64, "1.00")]))
            .collect(),
    };
    let (status, body) = h.push_err(&token, &many).await;
    assert_eq!((status, body.code.as_str()), (413, "too_many_events"));

    let lines = (0..=MAX_LINES_PER_EVENT as i64)
        .map(|i| line(i, "1.00"))
        .collect();
    // Too many lines is the event's own problem: refused for good, not a failed push.
    let response = h
        .push(
            &token,
            &PushRequest {
                events: vec![event(WALLET, lines)],
            },
        )
        .await;
    let refused = response.results[0]
        .answer
        .refused
        .as_ref()
        .expect("refused");
    assert_eq!(refused.code, recon_sync::RefusalCode::TooLarge);
    assert_eq!(h.journal(&token, None).await.total, 0);

    let bad_query = h
        .http
        .get(format!("{}{JOURNAL_PATH}?limit=abc", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, body) = error_of(bad_query).await;
    assert_eq!((status, body.code.as_str()), (400, "bad_request"));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_pages_with_limit_and_offset() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let request = PushRequest {
        events: vec![event(WALLET, (1..=5).map(|i| line(i, "1.00")).collect())],
    };
    h.push(&token, &request).await;
    let page: recon_sync::JournalPage = h
        .http
        .get(format!("{}{JOURNAL_PATH}?limit=2&offset=1", h.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page.total, 5);
    assert_eq!(
        page.lines.iter().map(|l| l.line.id).collect::<Vec<_>>(),
        vec![2, 3]
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_of_one_event_apply_it_once() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    let request = PushRequest {
        events: vec![event(WALLET, (1..=50).map(|i| line(i, "1.00")).collect())],
    };
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (http, base, token, request) = (
            h.http.clone(),
            h.base.clone(),
            token.clone(),
            request.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(format!("{base}{}", recon_sync::PUSH_PATH))
                .bearer_auth(token)
                .json(&request)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
            response.json::<recon_sync::PushResponse>().await.unwrap()
        }));
    }
    let mut applied = 0;
    for task in tasks {
        let response = task.await.unwrap();
        let result = &response.results[0];
        assert_eq!(
            result.answer.inserted, 50,
            "every answer is the first answer"
        );
        if !result.replayed {
            applied += 1;
        }
    }
    assert_eq!(applied, 1, "exactly one push applied the event");
    assert_eq!(h.journal(&token, None).await.total, 50);
    h.finish().await;
}
