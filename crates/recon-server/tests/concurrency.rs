//! Concurrent pushes never answer 500: 20 clients push the same 100 events (overlapping
//! lines), each in its own shuffled order, at once. Real server, real PostgreSQL.

mod common;

use std::collections::HashMap;

use common::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use recon_sync::{Event, PushRequest, PushResponse};
use uuid::Uuid;

const CLIENTS: usize = 20;
const EVENTS: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_clients_pushing_the_same_events_shuffled_get_no_500() {
    let h = Harness::start().await;
    let token = h.token("Acme", "ana@acme.test").await;
    // Event i holds lines 5i .. 5i+30: each line is in up to six events, so pushes in
    // different orders touch the same rows in different orders.
    let events: Vec<Event> = (0..EVENTS as i64)
        .map(|i| {
            let mut e = event(
                "character:90000001:",
                (5 * i..5 * i + 30).map(|id| line(id, "1.00")).collect(),
            );
            // One ledger per event, each at its first sequence number: any order is in order.
            e.device_id = Uuid::from_u128(0xd0_0000 + i as u128);
            e.device_seq = 1;
            e
        })
        .collect();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let mut mine = events.clone();
        mine.shuffle(&mut StdRng::seed_from_u64(client as u64));
        let http = reqwest::Client::new();
        let url = format!("{}{}", h.base, recon_sync::PUSH_PATH);
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .json(&PushRequest { events: mine })
                .send()
                .await
                .expect("send");
            (response.status().as_u16(), response.text().await.unwrap())
        }));
    }
    let mut first_answers: HashMap<Uuid, usize> = HashMap::new();
    for task in tasks {
        let (status, text) = task.await.unwrap();
        assert_eq!(status, 200, "a concurrent push failed: {text}");
        let response: PushResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(response.results.len(), EVENTS);
        for result in response.results.iter().filter(|r| !r.replayed) {
            *first_answers.entry(result.id).or_default() += 1;
        }
    }
    assert_eq!(first_answers.len(), EVENTS, "every event applied once");
    assert!(first_answers.values().all(|&n| n == 1), "{first_answers:?}");
    let lines = 5 * (EVENTS as u64 - 1) + 30;
    assert_eq!(h.journal(&token, None).await.total, lines);
    h.finish().await;
}
