//! What must hold after the network healed and everyone synced. Each check returns the
//! sentences of what broke (empty: it held).

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use recon_store::{JournalQuery, Store};
use rust_decimal::Decimal;

use crate::laptop::Laptop;

/// (wallet sync key, ESI id) → (date, amount).
type Journal = BTreeMap<(String, i64), (String, Decimal)>;
/// memo → (cycle, amount, currency).
type Expected = BTreeMap<String, (String, Decimal, String)>;

/// One accepted or refused event as the server keeps it.
pub struct ServerEvent {
    pub id: String,
    pub kind: String,
    pub device_seq: i64,
    pub position: Option<i64>,
    pub answer: serde_json::Value,
}

pub struct ServerState {
    pub journal: Journal,
    pub expected: Expected,
    pub events: Vec<ServerEvent>,
    pub ledger: crate::check_ledger::ServerLedger,
}

pub(crate) fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).map_or(Decimal::MIN, |d| d.normalize())
}

pub async fn server_state(pg: &tokio_postgres::Client, org: &str) -> anyhow::Result<ServerState> {
    let org_id: i64 = match pg
        .query_opt("SELECT id FROM orgs WHERE name = $1", &[&org])
        .await?
    {
        Some(row) => row.get(0),
        None => anyhow::bail!("organization {org} unknown to the server"),
    };
    let mut journal = Journal::new();
    for row in pg
        .query(
            "SELECT wallet_key, entry_id, date, amount::text FROM journal_lines WHERE org_id = $1",
            &[&org_id],
        )
        .await?
    {
        let amount: Option<String> = row.get(3);
        journal.insert(
            (row.get(0), row.get(1)),
            (row.get(2), dec(amount.as_deref().unwrap_or(""))),
        );
    }
    let mut expected = Expected::new();
    for row in pg
        .query(
            "SELECT memo, cycle_id, expected_amount::text, currency FROM expected_payments WHERE org_id = $1",
            &[&org_id],
        )
        .await?
    {
        let amount: String = row.get(2);
        expected.insert(row.get(0), (row.get(1), dec(&amount), row.get(3)));
    }
    let events = pg
        .query(
            "SELECT event_id::text, kind, device_seq, position, answer FROM sync_events WHERE org_id = $1",
            &[&org_id],
        )
        .await?
        .into_iter()
        .map(|row| ServerEvent {
            id: row.get(0),
            kind: row.get(1),
            device_seq: row.get::<_, Option<i64>>(2).unwrap_or(0),
            position: row.get(3),
            answer: row.get::<_, Option<serde_json::Value>>(4).unwrap_or_default(),
        })
        .collect();
    Ok(ServerState {
        journal,
        expected,
        events,
        ledger: crate::check_ledger::server_ledger(pg, org_id).await?,
    })
}

fn laptop_journal(store: &Store) -> anyhow::Result<Journal> {
    let keys: BTreeMap<String, String> = store
        .wallets()?
        .into_iter()
        .map(|w| (w.name.clone(), w.sync_key()))
        .collect();
    let mut journal = Journal::new();
    let mut offset = 0;
    loop {
        let page = store.journal(&JournalQuery {
            wallet: None,
            ref_type: None,
            search: None,
            batch: None,
            amount: None,
            date_from: None,
            date_to: None,
            newest_first: false,
            offset,
            limit: 1000,
        })?;
        if page.rows.is_empty() {
            return Ok(journal);
        }
        offset += page.rows.len() as i64;
        for row in page.rows {
            let key = keys.get(&row.wallet).cloned().unwrap_or(row.wallet.clone());
            let id = row.esi_id.unwrap_or(-1);
            journal.insert(
                (key, id),
                (row.date, dec(row.amount.as_deref().unwrap_or(""))),
            );
        }
    }
}

fn laptop_expected(store: &Store) -> anyhow::Result<Expected> {
    Ok(store
        .expected_list(None, None)?
        .into_iter()
        .filter(|e| e.status.as_str() != "cancelled")
        .map(|e| (e.memo, (e.cycle_id, dec(&e.expected_amount), e.currency)))
        .collect())
}

/// Every string under a `memo` key of a JSON value.
fn memos_in(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) if k == "memo" => {
                        out.insert(s.clone());
                    }
                    _ => memos_in(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| memos_in(v, out)),
        _ => {}
    }
}

/// A laptop's outbox as written: event id → (kind, device_seq, sent, body).
fn outbox(laptop: &mut Laptop) -> anyhow::Result<BTreeMap<String, (String, i64, bool, String)>> {
    let conn = rusqlite::Connection::open_with_flags(
        laptop.store().path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut stmt = conn.prepare(
        "SELECT event_id, kind, COALESCE(device_seq, 0), sent_at IS NOT NULL, body FROM outbox",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Payloads of colleagues' expected-payment events kept as not applied here.
fn not_applied_payloads(laptop: &mut Laptop) -> anyhow::Result<Vec<String>> {
    let conn = rusqlite::Connection::open_with_flags(
        laptop.store().path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut stmt = conn.prepare(
        "SELECT payload FROM sync_remote_events WHERE state = 'not_applied' AND kind = ?1",
    )?;
    let rows = stmt
        .query_map([recon_sync::matching::EXPECTED_PAYMENTS_ADDED], |r| {
            r.get::<_, Option<String>>(0)
        })?
        .filter_map(|r| r.transpose())
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn answer_u64(answer: &serde_json::Value, field: &str) -> u64 {
    answer
        .get(field)
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
}

/// The server applied each event once: every line and payment it holds was inserted by
/// exactly one event's first answer, and every accepted event has one pull position.
pub fn server_exactly_once(server: &ServerState) -> Vec<String> {
    let mut broken = Vec::new();
    let inserted = |kind: &str| -> u64 {
        server
            .events
            .iter()
            .filter(|e| e.kind == kind && e.answer.get("refused").is_none())
            .map(|e| answer_u64(&e.answer, "inserted"))
            .sum()
    };
    let lines = inserted(recon_sync::journal::KIND);
    if lines != server.journal.len() as u64 {
        broken.push(format!(
            "server: first answers inserted {lines} journal lines, it holds {}",
            server.journal.len()
        ));
    }
    let payments = inserted(recon_sync::matching::EXPECTED_PAYMENTS_ADDED);
    if payments != server.expected.len() as u64 {
        broken.push(format!(
            "server: first answers inserted {payments} expected payments, it holds {}",
            server.expected.len()
        ));
    }
    broken.extend(crate::check_ledger::server_ledger_holds(&server.ledger));
    let mut positions = BTreeSet::new();
    for e in &server.events {
        let refused = e.answer.get("refused").is_some();
        match (refused, e.position) {
            (false, None) => broken.push(format!(
                "server: accepted event {} was never given a pull position",
                e.id
            )),
            (false, Some(p)) if !positions.insert(p) => {
                broken.push(format!("server: pull position {p} given twice"))
            }
            (true, Some(_)) => broken.push(format!("server: refused event {} can be pulled", e.id)),
            _ => {}
        }
    }
    broken
}

/// The laptop's journal lines against the server's.
fn journal_matches(name: &str, store: &Store, server: &ServerState) -> anyhow::Result<Vec<String>> {
    let mut broken = Vec::new();
    let journal = laptop_journal(store)?;
    if journal != server.journal {
        let only_here: Vec<_> = journal
            .keys()
            .filter(|k| !server.journal.contains_key(*k))
            .collect();
        let only_there: Vec<_> = server
            .journal
            .keys()
            .filter(|k| !journal.contains_key(*k))
            .collect();
        broken.push(format!(
            "{name}: journal differs from the server's ({} lines here, {} there; only here {:?}; only there {:?})",
            journal.len(),
            server.journal.len(),
            only_here.iter().take(5).collect::<Vec<_>>(),
            only_there.iter().take(5).collect::<Vec<_>>()
        ));
    }
    Ok(broken)
}

/// One laptop against the server, after the final syncs.
pub fn laptop_matches(laptop: &mut Laptop, server: &ServerState) -> anyhow::Result<Vec<String>> {
    let name = laptop.name.clone();
    let mut broken = Vec::new();
    broken.extend(journal_matches(&name, laptop.store(), server)?);
    let refusals = laptop.store().sync_refusals()?;
    let outbox = outbox(laptop)?;
    // A refused payment the ledger could not undone (already linked) stays, visibly.
    let mut kept_memos = BTreeSet::new();
    for refusal in &refusals {
        if refusal.kind == recon_sync::journal::KIND {
            broken.push(format!(
                "{name}: the server refused a journal event with consistent lines: {}",
                refusal.reason
            ));
        }
        if !refusal.undone {
            if let Some((_, _, _, body)) = outbox.get(&refusal.event_id) {
                memos_in(
                    &serde_json::from_str(body).unwrap_or_default(),
                    &mut kept_memos,
                );
            }
        }
    }
    // A colleague's event this ledger could not apply (it conflicts with one kept
    // above) is listed under Needs attention as not applied: its memos differ visibly.
    for payload in not_applied_payloads(laptop)? {
        memos_in(
            &serde_json::from_str(&payload).unwrap_or_default(),
            &mut kept_memos,
        );
    }
    let strip = |e: &Expected| -> Expected {
        e.iter()
            .filter(|(m, _)| !kept_memos.contains(*m))
            .map(|(m, v)| (m.clone(), v.clone()))
            .collect()
    };
    let (here, there) = (
        strip(&laptop_expected(laptop.store())?),
        strip(&server.expected),
    );
    if here != there {
        broken.push(format!(
            "{name}: expected payments differ from the server's: here {here:?}, there {there:?}"
        ));
    }
    let by_id: BTreeMap<&str, &crate::check::ServerEvent> =
        server.events.iter().map(|e| (e.id.as_str(), e)).collect();
    for (id, (kind, seq, sent, _)) in &outbox {
        if !sent {
            broken.push(format!(
                "{name}: event {id} ({kind}) still pending after the final sync"
            ));
            continue;
        }
        match by_id.get(id.as_str()) {
            None => broken.push(format!(
                "{name}: acknowledged event {id} ({kind}) is not on the server"
            )),
            Some(e) if e.kind != *kind || e.device_seq != *seq => broken.push(format!(
                "{name}: event {id} is {kind} #{seq} here, {} #{} on the server",
                e.kind, e.device_seq
            )),
            Some(_) => {}
        }
    }
    let audit = laptop.store().audit_verify()?;
    if !audit.ok() {
        broken.push(format!(
            "{name}: audit chain broken: {:?}",
            audit.first_break
        ));
    }
    let ledger = laptop.store().ledger_verify()?;
    if let Some(failure) = ledger.first_failure {
        broken.push(format!("{name}: ledger not balanced: {failure:?}"));
    }
    let bodies = |undone: bool| -> Vec<String> {
        refusals
            .iter()
            .filter(|r| r.undone == undone)
            .filter_map(|r| outbox.get(&r.event_id).map(|(_, _, _, body)| body.clone()))
            .collect()
    };
    broken.extend(crate::check_ledger::laptop_ledger_matches(
        laptop,
        &server.ledger,
        &bodies(false),
        &bodies(true),
    )?);
    Ok(broken)
}

/// Every event on the server came from some laptop's outbox (none invented or doubled).
pub fn no_phantoms(laptops: &mut [Laptop], server: &ServerState) -> anyhow::Result<Vec<String>> {
    let mut known = BTreeSet::new();
    for laptop in laptops.iter_mut() {
        known.extend(outbox(laptop)?.into_keys());
    }
    Ok(server
        .events
        .iter()
        .filter(|e| !known.contains(&e.id))
        .map(|e| {
            format!(
                "server: event {} ({}) is in no laptop's outbox",
                e.id, e.kind
            )
        })
        .collect())
}
