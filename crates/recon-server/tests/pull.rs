//! Pull: the organization's accepted events in commit order from a cursor; the epoch;
//! organizations never see each other's events.

mod common;

use common::*;
use recon_sync::pull::{Cursor, PullPage, PULL_PATH};
use recon_sync::PushRequest;

const WALLET: &str = "character:90000001:";

async fn pull(h: &Harness, token: &str, after: Option<&str>, limit: u32) -> PullPage {
    let response = pull_raw(h, token, after, limit).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status.as_u16(), 200, "pull failed: {text}");
    serde_json::from_str(&text).expect("PullPage JSON")
}

async fn pull_raw(h: &Harness, token: &str, after: Option<&str>, limit: u32) -> reqwest::Response {
    let mut query = vec![("limit", limit.to_string())];
    if let Some(after) = after {
        query.push(("after", after.to_owned()));
    }
    h.http
        .get(format!("{}{PULL_PATH}", h.base))
        .bearer_auth(token)
        .query(&query)
        .send()
        .await
        .expect("send pull")
}

/// Every event id after `after`, following `more` page by page.
async fn pull_all(h: &Harness, token: &str, after: Option<String>) -> (Vec<uuid::Uuid>, String) {
    let mut cursor = after;
    let mut ids = Vec::new();
    loop {
        let page = pull(h, token, cursor.as_deref(), 2).await;
        ids.extend(page.events.iter().map(|e| e.event.id));
        cursor = Some(page.next_cursor.clone());
        if !page.more {
            return (ids, page.next_cursor);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_come_back_in_commit_order_page_by_page_and_only_to_their_organization() {
    let h = Harness::start().await;
    let maker = h.token("Acme", "maker@acme.test").await;
    let checker = h.token("Acme", "checker@acme.test").await;
    let other = h.token("Globex", "eve@globex.test").await;
    let first = event(WALLET, vec![line(1, "100.00")]);
    let second = event(WALLET, vec![line(2, "200.00"), line(3, "300.00")]);
    let third = event(WALLET, vec![line(4, "400.00")]);
    h.push(
        &maker,
        &PushRequest {
            events: vec![first.clone(), second.clone()],
        },
    )
    .await;
    h.push(
        &checker,
        &PushRequest {
            events: vec![third.clone()],
        },
    )
    .await;
    let theirs = event(WALLET, vec![line(1, "999.00")]);
    h.push(
        &other,
        &PushRequest {
            events: vec![theirs.clone()],
        },
    )
    .await;

    let page = pull(&h, &checker, None, 2).await;
    assert!(page.more && !page.reset);
    let got: Vec<_> = page
        .events
        .iter()
        .map(|e| (e.position, e.event.id, e.user.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, first.id, "maker@acme.test"),
            (2, second.id, "maker@acme.test")
        ]
    );
    assert_eq!(page.events[1].event.device_id, second.device_id);
    assert_eq!(page.events[1].event.device_seq, second.device_seq);
    // The payload is the event as pushed: it reads back as the same typed event.
    let back: recon_sync::Event =
        serde_json::from_str(&serde_json::to_string(&page.events[1].event).unwrap()).unwrap();
    assert_eq!(back, second);

    let next = pull(&h, &checker, Some(&page.next_cursor), 2).await;
    assert_eq!(
        next.events.iter().map(|e| e.event.id).collect::<Vec<_>>(),
        vec![third.id]
    );
    assert!(!next.more);
    // Nothing new: the same cursor comes back with no events.
    let idle = pull(&h, &checker, Some(&next.next_cursor), 2).await;
    assert!(idle.events.is_empty() && !idle.more);
    assert_eq!(idle.next_cursor, next.next_cursor);

    // Another organization pulls its own event only, never Acme's.
    let (globex, _) = pull_all(&h, &other, None).await;
    assert_eq!(globex, vec![theirs.id]);
    // And Acme's cursor means nothing to Globex's stream but its own positions.
    let (acme, _) = pull_all(&h, &maker, None).await;
    assert_eq!(acme, vec![first.id, second.id, third.id]);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_of_another_epoch_or_past_the_end_starts_over_and_says_so() {
    let h = Harness::start().await;
    let token = h.token("Acme", "maker@acme.test").await;
    let a = event(WALLET, vec![line(1, "100.00")]);
    let b = event(WALLET, vec![line(2, "100.00")]);
    h.push(
        &token,
        &PushRequest {
            events: vec![a.clone(), b.clone()],
        },
    )
    .await;
    let (ids, cursor) = pull_all(&h, &token, None).await;
    assert_eq!(ids, vec![a.id, b.id]);

    // A restore brings the database back; the operator rotates the epoch.
    let old: Cursor = cursor.parse().unwrap();
    let new_epoch = recon_server::rotate_epoch(&h.db).await.unwrap();
    assert_ne!(new_epoch, old.epoch);
    let page = pull(&h, &token, Some(&cursor), 10).await;
    assert!(page.reset, "{page:?}");
    assert_eq!(
        page.events.iter().map(|e| e.event.id).collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    let fresh: Cursor = page.next_cursor.parse().unwrap();
    assert_eq!((fresh.epoch, fresh.position), (new_epoch, 2));

    // A restore nobody rotated after: the cursor is past the last position.
    let ahead = Cursor {
        epoch: new_epoch,
        position: 99,
    }
    .to_string();
    let page = pull(&h, &token, Some(&ahead), 10).await;
    assert!(page.reset);
    assert_eq!(page.events.len(), 2);

    let (status, body) = error_of(pull_raw(&h, &token, Some("not-a-cursor"), 10).await).await;
    assert_eq!((status, body.code.as_str()), (400, "bad_request"));
    let response = h
        .http
        .get(format!("{}{PULL_PATH}", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    h.finish().await;
}
