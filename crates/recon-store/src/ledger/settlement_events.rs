//! The outbox events of a settlement import: the new settlements with the commissions each
//! created, ≤ `MAX_ITEMS_PER_EVENT` per event, read back from the import's transaction so
//! only one event is in memory at a time.

use crate::write::EventStream;
use recon_core::money::from_minor;
use recon_sync::ledger::{Commission, Settlement, SettlementsImported, MAX_ITEMS_PER_EVENT};
use recon_sync::EventBody;
use std::collections::HashMap;
use std::str::FromStr;

/// The settlements with rowid ≥ `first` and the entries with id ≥ `first_entry`, read as
/// two scans in key order side by side: the import wrote each settlement's entries right
/// after it, so a settlement's commissions are the entries that follow, named
/// `{settlement_id}:…` (no lookup per settlement).
pub(super) fn events(
    program: String,
    scale: u8,
    first: i64,
    first_entry: Option<i64>,
    refs: HashMap<i64, String>,
) -> EventStream {
    Box::new(move |tx, emit| {
        let mut settlements = tx.prepare(
            "SELECT settlement_id, user_ref, affiliate_id, gross_minor, currency, occurred_at
             FROM ledger_settlements WHERE id >= ?1 ORDER BY id",
        )?;
        let mut entries = tx.prepare(
            "SELECT source_ref, entity_id, earnings_minor, residue FROM ledger_entries
             WHERE id >= ?1 ORDER BY id",
        )?;
        let mut rows = settlements.query([first])?;
        // No entry created: the scan starts past the end.
        let mut commissions = entries.query([first_entry.unwrap_or(i64::MAX)])?;
        let mut pending = commissions.next()?.map(read_commission).transpose()?;
        let entity_ref = |id: i64| refs.get(&id).cloned().unwrap_or_default();
        let mut chunk = Vec::with_capacity(MAX_ITEMS_PER_EVENT);
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let mut list = Vec::with_capacity(2);
            while let Some(kind) = pending.as_ref().and_then(|c| kind_of(&c.0, &id)) {
                let (_, entity, earnings, residue) = pending.take().expect("just matched");
                list.push(Commission {
                    kind: kind.to_owned(),
                    entity_ref: entity_ref(entity),
                    earnings_amount: from_minor(earnings, scale),
                    rounding_residue: rust_decimal::Decimal::from_str(&residue).unwrap_or_default(),
                });
                pending = commissions.next()?.map(read_commission).transpose()?;
            }
            chunk.push(Settlement {
                settlement_id: id,
                user_ref: r.get(1)?,
                affiliate_ref: entity_ref(r.get(2)?),
                gross_amount: from_minor(r.get(3)?, scale),
                currency: r.get(4)?,
                occurred_at: r.get(5)?,
                commissions: list,
            });
            if chunk.len() == MAX_ITEMS_PER_EVENT {
                let settlements =
                    std::mem::replace(&mut chunk, Vec::with_capacity(MAX_ITEMS_PER_EVENT));
                emit(EventBody::SettlementsImported(SettlementsImported {
                    program: program.clone(),
                    settlements,
                }))?;
            }
        }
        if !chunk.is_empty() {
            emit(EventBody::SettlementsImported(SettlementsImported {
                program,
                settlements: chunk,
            }))?;
        }
        Ok(())
    })
}

/// `direct` / `override` when `source_ref` is `{settlement_id}:direct` / `…:override`.
fn kind_of(source_ref: &str, settlement_id: &str) -> Option<&'static str> {
    let rest = source_ref.strip_prefix(settlement_id)?.strip_prefix(':')?;
    ["direct", "override"].into_iter().find(|k| *k == rest)
}

type Read = (String, i64, i64, String);

fn read_commission(r: &rusqlite::Row<'_>) -> rusqlite::Result<Read> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}
