//! What must hold of the partner ledger and payouts after the network healed: every
//! laptop's entries, conversions and batches equal the server's; no batch approved by its
//! creator (on the server and on every laptop); every transaction balanced on the server
//! (each laptop's own ledger is verified by `Store::ledger_verify` in [`crate::check`]).
//!
//! A refusal the laptop could not undo (a conversion rejected here that a colleague
//! approved first) and a colleague's event this laptop could not apply stay different,
//! visibly (under Needs attention): the things they name are left out of the comparison,
//! and so are the entries a batch so left out paid (a paid batch is final, never undone:
//! two people who moved one batch offline, one paying it and one rejecting it, see it
//! listed, not silently changed). A change the laptop did undo but could not erase (an
//! approved conversion's entry, a settlement's commissions: entries are immutable) stays
//! as the entry and its reversal, netting to zero, where the server has neither: such a
//! pair counts as absent ([`compensated`]).

use std::collections::{BTreeMap, BTreeSet};

use recon_store::ledger::EntryQuery;
use recon_store::payouts::BatchQuery;
use rust_decimal::Decimal;

use crate::check::dec;
use crate::laptop::Laptop;
use crate::work_ledger::PROGRAM;

/// An entry as compared: status, gross, earnings, residue, the batch that paid it.
type Entry = (String, Option<Decimal>, Decimal, Decimal, Option<String>);
/// (source, source_ref) → entry. A reversal's ref names the entry it reverses
/// (`source:source_ref`), as on the server: the laptops' own refs are local row ids.
type Entries = BTreeMap<(String, String), Entry>;
/// conversion id → status.
type Conversions = BTreeMap<String, String>;
/// A batch as compared: status, creator, approver, total, and its entries (source,
/// source_ref, still reserved).
type Batch = (
    String,
    String,
    Option<String>,
    Decimal,
    BTreeSet<(String, String, bool)>,
);
type Batches = BTreeMap<String, Batch>;

#[derive(Default)]
pub struct ServerLedger {
    entries: Entries,
    conversions: Conversions,
    batches: Batches,
    /// Transactions whose lines do not sum to zero: txn, currency, sum.
    unbalanced: Vec<String>,
    /// Entries and batches no accepted event wrote.
    orphans: Vec<String>,
}

fn opt_dec(text: Option<String>) -> Option<Decimal> {
    text.map(|t| dec(&t))
}

pub async fn server_ledger(
    pg: &tokio_postgres::Client,
    org_id: i64,
) -> anyhow::Result<ServerLedger> {
    let mut state = ServerLedger::default();
    for row in pg
        .query(
            "SELECT source, source_ref, status, gross::text, earnings::text, residue::text, payout_batch
               FROM ledger_entries WHERE org_id = $1",
            &[&org_id],
        )
        .await?
    {
        let (earnings, residue): (String, String) = (row.get(4), row.get(5));
        state.entries.insert(
            (row.get(0), row.get(1)),
            (row.get(2), opt_dec(row.get(3)), dec(&earnings), dec(&residue), row.get(6)),
        );
    }
    for row in pg
        .query(
            "SELECT conversion_id, status FROM ledger_conversions WHERE org_id = $1 AND program = $2",
            &[&org_id, &PROGRAM],
        )
        .await?
    {
        state.conversions.insert(row.get(0), row.get(1));
    }
    for row in pg
        .query(
            "SELECT batch_id, status, created_by, approved_by, total::text FROM payout_batches WHERE org_id = $1",
            &[&org_id],
        )
        .await?
    {
        let total: String = row.get(4);
        state.batches.insert(
            row.get(0),
            (row.get(1), row.get(2), row.get(3), dec(&total), BTreeSet::new()),
        );
    }
    for row in pg
        .query(
            "SELECT batch_id, source, source_ref, reserved IS TRUE FROM payout_entries WHERE org_id = $1",
            &[&org_id],
        )
        .await?
    {
        if let Some(batch) = state.batches.get_mut(&row.get::<_, String>(0)) {
            batch.4.insert((row.get(1), row.get(2), row.get(3)));
        }
    }
    for row in pg
        .query(
            "SELECT txn, currency, sum(amount)::text FROM ledger_postings WHERE org_id = $1
              GROUP BY txn, currency HAVING sum(amount) <> 0",
            &[&org_id],
        )
        .await?
    {
        let (txn, currency, sum): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        state.unbalanced.push(format!("{txn} {currency} {sum}"));
    }
    for row in pg
        .query(
            "SELECT 'entry ' || source || '/' || source_ref FROM ledger_entries e WHERE org_id = $1
                AND NOT EXISTS (SELECT 1 FROM sync_events s WHERE s.org_id = e.org_id
                                AND s.event_id = e.source_event AND s.position IS NOT NULL)
             UNION ALL
             SELECT 'batch ' || batch_id FROM payout_batches b WHERE org_id = $1
                AND NOT EXISTS (SELECT 1 FROM sync_events s WHERE s.org_id = b.org_id
                                AND s.event_id = b.source_event AND s.position IS NOT NULL)",
            &[&org_id],
        )
        .await?
    {
        state.orphans.push(row.get(0));
    }
    Ok(state)
}

/// The server on its own: balanced, everything written by an accepted event, and no
/// batch approved by its creator.
pub fn server_ledger_holds(server: &ServerLedger) -> Vec<String> {
    let mut broken: Vec<String> = server
        .unbalanced
        .iter()
        .map(|t| format!("server: transaction not balanced: {t}"))
        .chain(
            server
                .orphans
                .iter()
                .map(|o| format!("server: {o} was written by no accepted event")),
        )
        .collect();
    for (id, (_, creator, approver, ..)) in &server.batches {
        if approver
            .as_deref()
            .is_some_and(|a| recon_core::payouts::same_person(a, creator))
        {
            broken.push(format!(
                "server: batch {id} approved by its creator {creator}"
            ));
        }
    }
    broken
}

fn minor(amount: i64, scale: u8) -> Decimal {
    Decimal::new(amount, u32::from(scale)).normalize()
}

/// The laptop's entries, and the keys it holds more than one entry of (an event applied
/// twice: the same approval or settlement written again, a second reversal).
fn laptop_entries(laptop: &mut Laptop) -> anyhow::Result<(Entries, Vec<(String, String)>)> {
    let rows = laptop.store().ledger_entries(&EntryQuery::default())?;
    let keys: BTreeMap<i64, (String, String)> = rows
        .iter()
        .map(|e| (e.id, (e.source.clone(), e.source_ref.clone())))
        .collect();
    let (mut entries, mut twice) = (Entries::new(), Vec::new());
    for e in rows {
        let key = match e.reverses.and_then(|id| keys.get(&id)) {
            Some((source, source_ref)) => (e.source.clone(), format!("{source}:{source_ref}")),
            None => (e.source.clone(), e.source_ref.clone()),
        };
        let entry = (
            e.status.clone(),
            e.gross_minor.map(|g| minor(g, e.scale)),
            minor(e.earnings_minor, e.scale),
            dec(&e.residue),
            e.payout_batch.clone(),
        );
        if entries.insert(key.clone(), entry).is_some() {
            twice.push(key);
        }
    }
    Ok((entries, twice))
}

fn laptop_batches(laptop: &mut Laptop) -> anyhow::Result<Batches> {
    let mut batches = Batches::new();
    for b in laptop.store().payout_batches(&BatchQuery::default())? {
        batches.insert(
            b.id.clone(),
            (
                b.status.as_str().to_owned(),
                b.created_by.clone(),
                b.approved_by.clone(),
                minor(b.total_minor, b.scale),
                BTreeSet::new(),
            ),
        );
    }
    let conn = rusqlite::Connection::open_with_flags(
        laptop.store().path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut stmt = conn.prepare(
        "SELECT pe.batch_id, e.source, e.source_ref, pe.reserved IS NOT NULL
           FROM payout_entries pe JOIN ledger_entries e ON e.id = pe.entry_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    for row in rows {
        let (batch, source, source_ref, reserved) = row?;
        if let Some(b) = batches.get_mut(&batch) {
            b.4.insert((source, source_ref, reserved));
        }
    }
    Ok(batches)
}

/// Every string under one of `fields` anywhere in a JSON value.
fn strings_under(value: &serde_json::Value, fields: &[&str], out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) if fields.contains(&k.as_str()) => {
                        out.insert(s.clone());
                    }
                    _ => strings_under(v, fields, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings_under(v, fields, out)),
        _ => {}
    }
}

const KEYS: &[&str] = &["source_ref", "conversion_id", "settlement_id", "batch_id"];

/// What differs visibly on this laptop: the keys named by its refusals it could not
/// undo and by colleagues' events it could not apply.
fn kept_keys(laptop: &mut Laptop, refused_bodies: &[String]) -> anyhow::Result<BTreeSet<String>> {
    let mut kept = BTreeSet::new();
    let conn = rusqlite::Connection::open_with_flags(
        laptop.store().path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let mut stmt =
        conn.prepare("SELECT payload FROM sync_remote_events WHERE state = 'not_applied'")?;
    let payloads: Vec<Option<String>> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for text in payloads.iter().flatten().chain(refused_bodies) {
        strings_under(
            &serde_json::from_str(text).unwrap_or_default(),
            KEYS,
            &mut kept,
        );
    }
    Ok(kept)
}

/// An entry named by a kept key: its own ref, its settlement's, or the entry it reverses.
fn entry_kept(kept: &BTreeSet<String>, (_, source_ref): &(String, String)) -> bool {
    source_ref
        .split(':')
        .scan(String::new(), |prefix, part| {
            if !prefix.is_empty() {
                prefix.push(':');
            }
            prefix.push_str(part);
            Some(prefix.clone())
        })
        .chain(source_ref.split_once(':').map(|(_, r)| r.to_owned()))
        .any(|k| kept.contains(&k))
}

fn differences<K: Ord + std::fmt::Debug + Clone, V: PartialEq + std::fmt::Debug>(
    here: &BTreeMap<K, V>,
    there: &BTreeMap<K, V>,
    skip: impl Fn(&K) -> bool,
) -> Vec<String> {
    let keys: BTreeSet<&K> = here.keys().chain(there.keys()).collect();
    keys.into_iter()
        .filter(|k| !skip(k))
        .filter(|k| here.get(*k) != there.get(*k))
        .take(4)
        .map(|k| format!("{k:?}: here {:?}, there {:?}", here.get(k), there.get(k)))
        .collect()
}

/// An entry the undo of a refused change compensated: ledger entries are immutable, so a
/// refused approval or settlement stays here as the entry and its reversal, netting to
/// zero, where the server holds neither. Such a pair, named by an undone refusal, counts
/// as absent; an unmatched or uneven pair does not.
fn compensated(
    entries: &Entries,
    server: &ServerLedger,
    undone: &BTreeSet<String>,
    key: &(String, String),
) -> bool {
    if server.entries.contains_key(key) || !entry_kept(undone, key) {
        return false;
    }
    let (original, reversal) = match key.0.as_str() {
        "reversal" => match key.1.split_once(':') {
            Some((source, source_ref)) => ((source.to_owned(), source_ref.to_owned()), key.clone()),
            None => return false,
        },
        source => (
            key.clone(),
            ("reversal".to_owned(), format!("{source}:{}", key.1)),
        ),
    };
    match (entries.get(&original), entries.get(&reversal)) {
        (Some(o), Some(r)) => {
            o.0 == "reversed"
                && o.2 + r.2 == Decimal::ZERO
                && !server.entries.contains_key(&original)
                && !server.entries.contains_key(&reversal)
        }
        _ => false,
    }
}

/// One laptop's ledger and batches against the server's. `refused_bodies`: the outbox
/// bodies of its refusals not undone; `undone_bodies`: of those it undid.
pub fn laptop_ledger_matches(
    laptop: &mut Laptop,
    server: &ServerLedger,
    refused_bodies: &[String],
    undone_bodies: &[String],
) -> anyhow::Result<Vec<String>> {
    let name = laptop.name.clone();
    let kept = kept_keys(laptop, refused_bodies)?;
    let mut undone = BTreeSet::new();
    for text in undone_bodies {
        strings_under(
            &serde_json::from_str(text).unwrap_or_default(),
            KEYS,
            &mut undone,
        );
    }
    let mut broken = Vec::new();
    let (entries, twice) = laptop_entries(laptop)?;
    for key in twice.iter().take(4) {
        broken.push(format!("{name}: more than one ledger entry {key:?}"));
    }
    // An entry paid here by a batch the server refused a move of (a paid batch is
    // final: not undone) differs with it.
    let paid_by_kept = |k: &(String, String)| {
        [entries.get(k), server.entries.get(k)]
            .into_iter()
            .flatten()
            .any(|e| e.4.as_ref().is_some_and(|b| kept.contains(b)))
    };
    for d in differences(&entries, &server.entries, |k| {
        entry_kept(&kept, k) || paid_by_kept(k) || compensated(&entries, server, &undone, k)
    }) {
        broken.push(format!(
            "{name}: ledger entry differs from the server's: {d}"
        ));
    }
    let has_program = laptop
        .store()
        .ledger_programs()?
        .iter()
        .any(|p| p.slug == PROGRAM);
    let conversions: Conversions = if has_program {
        laptop
            .store()
            .ledger_conversions(PROGRAM, None)?
            .into_iter()
            .map(|c| (c.conversion_id, c.status))
            .collect()
    } else {
        Conversions::new()
    };
    for d in differences(&conversions, &server.conversions, |k| kept.contains(k)) {
        broken.push(format!("{name}: conversion differs from the server's: {d}"));
    }
    let batches = laptop_batches(laptop)?;
    for d in differences(&batches, &server.batches, |k| kept.contains(k)) {
        broken.push(format!(
            "{name}: payout batch differs from the server's: {d}"
        ));
    }
    for (id, (_, creator, approver, ..)) in &batches {
        if approver
            .as_deref()
            .is_some_and(|a| recon_core::payouts::same_person(a, creator))
        {
            broken.push(format!(
                "{name}: batch {id} approved by its creator {creator}"
            ));
        }
    }
    Ok(broken)
}
