//! `recon-bench sync [--events 100000] [--batch 100] [--pg ADMIN_URL]`
//!
//! Push and pull of `--events` events over loopback against the real recon-server (its
//! router, apply logic and PostgreSQL store, in this process) on a fresh PostgreSQL
//! database, in pushes of `--batch` events and pulls of `--batch` events per page; beside
//! it, the same number of bare HTTP round trips (`GET /api/v1/whoami`, authenticated, so
//! the token lookup is in both) at the same batch size, and the ratio. Wall time; each
//! event is a one-line `journal_lines_imported` from one ledger, in its sequence order.
//!
//! PostgreSQL: `--pg` or `RECON_TEST_PG_URL` (what `scripts/postgres.sh` prints), where a
//! fresh `recon_test_*` database is made and dropped; or `--database-url` of an empty
//! database made for it (`scripts/postgres.sh` drops `recon_test_*` databases made over
//! two hours ago, so a run longer than that wants its own).

use recon_sync::pull::{PullPage, PULL_PATH};
use recon_sync::{
    Event, EventBody, JournalLine, JournalLinesImported, PushRequest, PushResponse, WalletRef,
    PUSH_PATH, WHOAMI_PATH,
};
use std::time::Instant;
use uuid::Uuid;

pub struct Args {
    pub events: usize,
    pub batch: usize,
    pub pg: String,
    /// An empty database to use instead of a fresh `recon_test_*` one.
    pub database_url: Option<String>,
}

const USAGE: &str = "usage: recon-bench sync [--events 100000] [--batch 100] [--pg ADMIN_URL] \
[--database-url EMPTY_DB_URL]";

pub fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        events: 100_000,
        batch: 100,
        pg: std::env::var("RECON_TEST_PG_URL")
            .unwrap_or_else(|_| "host=/var/run/postgresql user=root dbname=postgres".into()),
        database_url: None,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--events" => a.events = num(value()?)?.max(1),
            "--batch" => {
                a.batch = num(value()?)?.clamp(1, recon_sync::MAX_EVENTS_PER_PUSH);
            }
            "--pg" => a.pg = value()?,
            "--database-url" => a.database_url = Some(value()?),
            _ => return Err(USAGE.into()),
        }
    }
    Ok(a)
}

fn event(device: Uuid, seq: usize) -> Event {
    let id = seq as i64;
    let amount = format!("{}.{:02}", 1000 + id % 9000, id % 100);
    let line = JournalLine {
        id,
        date: format!("2026-01-{:02}T12:00:00Z", 1 + (id % 28)),
        ref_type: "player_donation".into(),
        description: format!("ARB 2026-01 P{id}"),
        amount: amount.parse().ok(),
        amount_raw: Some(amount),
        balance: None,
        balance_raw: None,
        reason: None,
        first_party_id: Some(90000001),
        second_party_id: Some(90000002),
        context_id: None,
        context_id_type: None,
        tax: None,
        tax_raw: None,
        tax_receiver_id: None,
    };
    Event {
        id: Uuid::new_v4(),
        created_at: "2026-01-02T03:04:05Z".into(),
        device_id: device,
        device_seq: seq as i64,
        body: EventBody::JournalLinesImported(JournalLinesImported {
            batch_id: Uuid::new_v4(),
            wallet: WalletRef {
                key: "character:90000001:".into(),
                name: "Bench".into(),
                kind: "character".into(),
                owner_id: Some(90000001),
                division: None,
                currency: "ISK".into(),
            },
            lines: vec![line],
        }),
    }
}

struct Timed {
    seconds: f64,
    round_trips: usize,
}

fn rate(events: usize, t: &Timed) -> f64 {
    events as f64 / t.seconds
}

async fn push_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    a: &Args,
) -> Result<Timed, String> {
    let device = Uuid::new_v4();
    let started = Instant::now();
    let mut trips = 0;
    for first in (1..=a.events).step_by(a.batch) {
        let last = (first + a.batch - 1).min(a.events);
        let events = (first..=last).map(|s| event(device, s)).collect();
        let response = http
            .post(format!("{base}{PUSH_PATH}"))
            .bearer_auth(token)
            .json(&PushRequest { events })
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            return Err(format!(
                "push of events {first}..={last} answered {status}: {body}"
            ));
        }
        let answer: PushResponse = response.json().await.map_err(|e| e.to_string())?;
        if let Some(r) = answer.results.iter().find(|r| !r.answer.applied) {
            return Err(format!("event not applied: {r:?}"));
        }
        trips += 1;
    }
    Ok(Timed {
        seconds: started.elapsed().as_secs_f64(),
        round_trips: trips,
    })
}

async fn pull_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    a: &Args,
) -> Result<Timed, String> {
    let started = Instant::now();
    let (mut trips, mut seen, mut cursor) = (0, 0, None::<String>);
    loop {
        let mut url = format!("{base}{PULL_PATH}?limit={}", a.batch);
        if let Some(c) = &cursor {
            url.push_str(&format!("&after={c}"));
        }
        let response = http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("pull answered {}", response.status()));
        }
        let page: PullPage = response.json().await.map_err(|e| e.to_string())?;
        trips += 1;
        seen += page.events.len();
        cursor = Some(page.next_cursor);
        if !page.more {
            break;
        }
    }
    if seen != a.events {
        return Err(format!("pulled {seen} events, pushed {}", a.events));
    }
    Ok(Timed {
        seconds: started.elapsed().as_secs_f64(),
        round_trips: trips,
    })
}

async fn bare(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    trips: usize,
) -> Result<Timed, String> {
    let started = Instant::now();
    for _ in 0..trips {
        let response = http
            .get(format!("{base}{WHOAMI_PATH}"))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("whoami answered {}", response.status()));
        }
        response.bytes().await.map_err(|e| e.to_string())?;
    }
    Ok(Timed {
        seconds: started.elapsed().as_secs_f64(),
        round_trips: trips,
    })
}

fn report(what: &str, events: usize, t: &Timed, bare: &Timed) {
    let (r, b) = (rate(events, t), rate(events, bare));
    println!(
        "{what:<5} {events} events in {:>4} round trips: {:>8.2} s, {:>9.0} events/s | \
         {} bare round trips: {:>6.2} s, {:>9.0} events/s at the same batch | ratio {:.4} \
         ({:.0}x the bare round trips' time)",
        t.round_trips,
        t.seconds,
        r,
        bare.round_trips,
        bare.seconds,
        b,
        r / b,
        t.seconds / bare.seconds
    );
}

pub fn sync(a: &Args) -> Result<bool, String> {
    // The server's warnings and errors (a refusal, a 500's cause) on stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        if let Some(url) = &a.database_url {
            return run(a, url).await;
        }
        let db_url = recon_server::fresh_test_database(&a.pg)
            .await
            .map_err(|e| format!("PostgreSQL at {}: {e}", a.pg))?;
        let result = run(a, &db_url).await;
        let _ = recon_server::drop_test_database(&a.pg, &db_url).await;
        result
    })
}

async fn run(a: &Args, db_url: &str) -> Result<bool, String> {
    let db = recon_server::connect(db_url)
        .await
        .map_err(|e| e.to_string())?;
    let token = recon_server::create_token(&db, "bench", "bench@bench.test")
        .await
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let base = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::spawn(recon_server::serve(listener, db));
    let http = reqwest::Client::new();
    let pushed = push_all(&http, &base, &token, a).await?;
    let bare_push = bare(&http, &base, &token, pushed.round_trips).await?;
    report("push", a.events, &pushed, &bare_push);
    let pulled = pull_all(&http, &base, &token, a).await?;
    let bare_pull = bare(&http, &base, &token, pulled.round_trips).await?;
    report("pull", a.events, &pulled, &bare_pull);
    Ok(true)
}
