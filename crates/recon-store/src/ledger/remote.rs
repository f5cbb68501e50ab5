//! Colleagues' partner-ledger changes pulled from the server (issue 12), applied here with
//! this ledger's own rules: programs, entities, conversions and their decisions, entries
//! and reversals. Applying one twice changes nothing (a row this ledger holds with the
//! same values is left alone); one that disagrees with what this ledger holds is refused
//! (`StoreError::Conflict`) and kept as not applied by the caller. Settlement files:
//! `remote_settlements.rs`.

use super::entries::{entry_json, insert_entry, EntryRow};
use super::{account_id, check_balanced, insert_lines, next_txn_id, program_by_slug, ProgramView};
use crate::write::{Audit, RenderedAudit};
use crate::{Result, StoreError};
use recon_core::ledger::files::period_of;
use recon_core::ledger::postings::accrual_lines;
use recon_core::ledger::{
    check_accepts_entries, check_reversible, decide_conversion, ConversionDecision,
    ConversionStatus, DecisionEffect, EntityType, EntryFacts, EntrySource, EntryStatus,
    ProgramStatus, Rate, RoundingMode,
};
use recon_core::money::{to_minor, Money};
use recon_sync::ledger::{
    ConversionApproved, ConversionRejected, ConversionsImported, EntityAdded, LedgerEntryReversed,
    ProgramAdded, ProgramStatusSet,
};
use rusqlite::{params, OptionalExtension, Transaction};
use rust_decimal::Decimal;
use serde_json::json;

/// What pulled changes answer: their audit records, or a note why this ledger keeps the
/// event as not applied.
pub(crate) type Applied = Result<std::result::Result<Vec<RenderedAudit>, String>>;

fn pulled_note(by: &str) -> String {
    format!("pulled from the server: {by}'s change")
}

fn minor(amount: Decimal, p: &ProgramView, what: &str) -> Result<i64> {
    to_minor(amount, p.currency.scale).map_err(|e| {
        StoreError::Invalid(format!(
            "{what}: {amount} is not an amount of {}: {e}",
            p.currency.code
        ))
    })
}

pub(crate) fn program_added(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &ProgramAdded,
) -> Applied {
    let currency_known: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM currencies WHERE code = ?1)")?
        .query_row([&b.currency], |r| r.get(0))?;
    if !currency_known {
        return Ok(Err(format!(
            "this ledger has no currency {} (program '{}')",
            b.currency, b.slug
        )));
    }
    let status = ProgramStatus::parse(&b.status).map_err(StoreError::Invalid)?;
    let rounding = RoundingMode::parse(&b.rounding).map_err(StoreError::Invalid)?;
    let direct = Rate::parse(&b.direct_rate.to_string()).map_err(StoreError::Invalid)?;
    let over = Rate::parse(&b.override_rate.to_string()).map_err(StoreError::Invalid)?;
    if let Ok(held) = program_by_slug(tx, &b.slug) {
        let same = held.currency.code == b.currency
            && held.direct_rate == direct
            && held.override_rate == over
            && held.rounding == rounding;
        if same {
            return Ok(Ok(Vec::new()));
        }
        return Err(StoreError::Conflict(format!(
            "program '{}' is held here with other terms than {by}'s",
            b.slug
        )));
    }
    tx.execute(
        "INSERT INTO ledger_programs (slug, name, status, currency, direct_rate, override_rate, rounding, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![b.slug, b.name.trim(), status.as_str(), b.currency, direct.to_string(), over.to_string(),
            rounding.as_str(), now, by],
    )?;
    let audit = Audit {
        action: "ledger.program_add",
        entity: "ledger_program",
        entity_id: b.slug.clone(),
        before: None,
        after: Some(
            json!({"slug": b.slug, "name": b.name.trim(), "currency": b.currency,
            "status": status.as_str(), "note": pulled_note(by)}),
        ),
    };
    Ok(Ok(vec![audit.into()]))
}

pub(crate) fn program_status_set(tx: &Transaction<'_>, by: &str, b: &ProgramStatusSet) -> Applied {
    let held = program_by_slug(tx, &b.slug)?;
    let status = ProgramStatus::parse(&b.status).map_err(StoreError::Invalid)?;
    if held.status == status {
        return Ok(Ok(Vec::new()));
    }
    tx.execute(
        "UPDATE ledger_programs SET status = ?1 WHERE id = ?2",
        params![status.as_str(), held.id],
    )?;
    let audit = Audit {
        action: "ledger.program_status",
        entity: "ledger_program",
        entity_id: b.slug.clone(),
        before: Some(json!({"status": held.status.as_str()})),
        after: Some(json!({"status": status.as_str(), "note": pulled_note(by)})),
    };
    Ok(Ok(vec![audit.into()]))
}

/// The id of (type, ref) in `program`, if this ledger holds it.
fn entity_id(
    tx: &Transaction<'_>,
    program: i64,
    entity_type: &str,
    entity_ref: &str,
) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT id FROM ledger_entities WHERE program_id = ?1 AND entity_type = ?2 AND ref = ?3")?
        .query_row(params![program, entity_type, entity_ref], |r| r.get(0))
        .optional()?)
}

fn need_entity(
    tx: &Transaction<'_>,
    p: &ProgramView,
    entity_type: &str,
    entity_ref: &str,
) -> Result<i64> {
    entity_id(tx, p.id, entity_type, entity_ref)?.ok_or_else(|| StoreError::NotFound {
        what: "entity",
        name: format!("{}:{entity_type}:{entity_ref}", p.slug),
    })
}

pub(crate) fn entity_added(tx: &Transaction<'_>, now: &str, by: &str, b: &EntityAdded) -> Applied {
    let p = program_by_slug(tx, &b.program)?;
    let entity_type = EntityType::parse(&b.entity_type).map_err(StoreError::Invalid)?;
    let payout = b
        .payout_per_conversion
        .map(|d| minor(d, &p, "payout per conversion"))
        .transpose()?;
    let parent = match &b.parent {
        Some(r) => Some(need_entity(tx, &p, "affiliate", r)?),
        None => None,
    };
    if let Some(id) = entity_id(tx, p.id, entity_type.as_str(), &b.entity_ref)? {
        let held: (Option<i64>, Option<i64>) = tx.query_row(
            "SELECT parent_id, payout_per_conversion_minor FROM ledger_entities WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if held == (parent, payout) {
            return Ok(Ok(Vec::new()));
        }
        return Err(StoreError::Conflict(format!(
            "{} '{}' is held here with another parent or payout than {by}'s",
            b.entity_type, b.entity_ref
        )));
    }
    tx.execute(
        "INSERT INTO ledger_entities (program_id, entity_type, ref, name, parent_id, payout_per_conversion_minor, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![p.id, entity_type.as_str(), b.entity_ref, b.name.trim(), parent, payout, now],
    )?;
    let audit = Audit {
        action: "ledger.entity_add",
        entity: "ledger_entity",
        entity_id: format!("{}:{}:{}", p.slug, entity_type, b.entity_ref),
        before: None,
        after: Some(
            json!({"program": p.slug, "entity_type": entity_type.as_str(), "ref": b.entity_ref,
            "name": b.name.trim(), "parent": b.parent, "note": pulled_note(by)}),
        ),
    };
    Ok(Ok(vec![audit.into()]))
}

pub(crate) fn conversions_imported(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &ConversionsImported,
) -> Applied {
    let p = program_by_slug(tx, &b.program)?;
    let mut inserted = 0;
    for c in &b.conversions {
        let sponsor = need_entity(tx, &p, "sponsor", &c.sponsor_ref)?;
        inserted += tx
            .prepare_cached(
                "INSERT INTO ledger_conversions (program_id, conversion_id, sponsor_id, occurred_at, description, status, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6) ON CONFLICT (conversion_id) DO NOTHING",
            )?
            .execute(params![p.id, c.conversion_id, sponsor, c.occurred_at, c.description, now])?;
    }
    if inserted == 0 {
        return Ok(Ok(Vec::new()));
    }
    let audit = Audit {
        action: "ledger.conversions_import",
        entity: "ledger_program",
        entity_id: p.slug.clone(),
        before: None,
        after: Some(json!({"inserted": inserted, "note": pulled_note(by)})),
    };
    Ok(Ok(vec![audit.into()]))
}

/// The local id of entry (source, source_ref), if held.
pub(crate) fn entry_by_key(
    tx: &Transaction<'_>,
    source: &str,
    source_ref: &str,
) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT id FROM ledger_entries WHERE source = ?1 AND source_ref = ?2")?
        .query_row([source, source_ref], |r| r.get(0))
        .optional()?)
}

pub(crate) fn conversion_approved(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &ConversionApproved,
) -> Applied {
    if let Some(entry) = entry_by_key(tx, "conversion", &b.conversion_id)? {
        let status: Option<String> = tx
            .prepare_cached("SELECT status FROM ledger_conversions WHERE conversion_id = ?1")?
            .query_row([&b.conversion_id], |r| r.get(0))
            .optional()?;
        if status.as_deref() == Some("approved") {
            return Ok(Ok(Vec::new()));
        }
        // The undo of this laptop's refused approval reversed the entry under this key.
        return Ok(Err(format!(
            "{by} approved conversion '{}', but its entry {entry} was reversed here after the server refused this laptop's approval",
            b.conversion_id
        )));
    }
    let p = program_by_slug(tx, &b.program)?;
    check_accepts_entries(&p.slug, p.status).map_err(|e| StoreError::Conflict(e.to_string()))?;
    let row: Option<(String, i64, String, String)> = tx
        .query_row(
            "SELECT c.status, c.sponsor_id, c.occurred_at, c.description FROM ledger_conversions c
             WHERE c.program_id = ?1 AND c.conversion_id = ?2",
            params![p.id, b.conversion_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((status, sponsor_id, occurred_at, description)) = row else {
        return Err(StoreError::NotFound {
            what: "conversion",
            name: b.conversion_id.clone(),
        });
    };
    let held = ConversionStatus::parse(&status).map_err(StoreError::Invalid)?;
    if decide_conversion(&b.conversion_id, held, ConversionDecision::Approve)
        .map_err(|e| StoreError::Conflict(format!("{e} here; {by} approved it")))?
        == DecisionEffect::AlreadyDone
    {
        return Ok(Ok(Vec::new()));
    }
    let earnings = minor(b.entry.earnings_amount, &p, "entry earnings")?;
    let lines = accrual_lines(
        &p.slug,
        EntityType::Sponsor,
        &b.entry.entity_ref,
        &Money::from_minor(earnings, &p.currency),
    );
    check_balanced(
        &lines,
        &format!("the entry of conversion '{}'", b.conversion_id),
    )?;
    let txn_id = next_txn_id(tx)?;
    let entry = EntryRow {
        program_id: p.id,
        entity_id: sponsor_id,
        source: EntrySource::Conversion,
        source_ref: &b.conversion_id,
        status: "pending",
        gross_minor: None,
        earnings_minor: earnings,
        residue: "0",
        currency: &p.currency.code,
        description: &description,
        period: period_of(&occurred_at),
        occurred_at: &occurred_at,
        created_at: now,
        txn_id,
        reverses: None,
        reason: None,
    };
    let entry_id = insert_entry(tx, &entry)?;
    insert_lines(tx, txn_id, 1, &lines, &mut account_id)?;
    tx.execute(
        "UPDATE ledger_conversions SET status = 'approved', entry_id = ?1, decided_at = ?2, decided_by = ?3
         WHERE program_id = ?4 AND conversion_id = ?5",
        params![entry_id, now, by, p.id, b.conversion_id],
    )?;
    let approved = Audit {
        action: "ledger.conversion_approve",
        entity: "ledger_conversion",
        entity_id: b.conversion_id.clone(),
        before: Some(json!({"status": status})),
        after: Some(json!({"status": "approved", "entry_id": entry_id, "note": pulled_note(by)})),
    };
    let created = Audit {
        action: "ledger.entry_create",
        entity: "ledger_entry",
        entity_id: entry_id.to_string(),
        before: None,
        after: Some(entry_json(&entry, entry_id, p.currency.scale)),
    };
    Ok(Ok(vec![approved.into(), created.into()]))
}

pub(crate) fn conversion_rejected(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &ConversionRejected,
) -> Applied {
    let p = program_by_slug(tx, &b.program)?;
    let status: Option<String> = tx
        .query_row(
            "SELECT status FROM ledger_conversions WHERE program_id = ?1 AND conversion_id = ?2",
            params![p.id, b.conversion_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(before) = status else {
        return Err(StoreError::NotFound {
            what: "conversion",
            name: b.conversion_id.clone(),
        });
    };
    let held = ConversionStatus::parse(&before).map_err(StoreError::Invalid)?;
    let decision = ConversionDecision::Reject { reason: &b.reason };
    match decide_conversion(&b.conversion_id, held, decision)
        .map_err(|e| StoreError::Conflict(format!("{e} here; {by} rejected it")))?
    {
        DecisionEffect::AlreadyDone => Ok(Ok(Vec::new())),
        DecisionEffect::Apply => {
            tx.execute(
                "UPDATE ledger_conversions SET status = 'rejected', reason = ?1, decided_at = ?2, decided_by = ?3
                 WHERE program_id = ?4 AND conversion_id = ?5",
                params![b.reason.trim(), now, by, p.id, b.conversion_id],
            )?;
            let audit = Audit {
                action: "ledger.conversion_reject",
                entity: "ledger_conversion",
                entity_id: b.conversion_id.clone(),
                before: Some(json!({"status": before})),
                after: Some(
                    json!({"status": "rejected", "reason": b.reason.trim(), "note": pulled_note(by)}),
                ),
            };
            Ok(Ok(vec![audit.into()]))
        }
    }
}

pub(crate) fn entry_reversed(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &LedgerEntryReversed,
) -> Applied {
    let Some(id) = entry_by_key(tx, &b.source, &b.source_ref)? else {
        return Err(StoreError::NotFound {
            what: "ledger entry",
            name: format!("{}/{}", b.source, b.source_ref),
        });
    };
    let original = super::entries::entry_by_id(tx, id)?;
    if original.reversed_by.is_some() {
        return Ok(Ok(Vec::new()));
    }
    let facts = EntryFacts {
        id,
        source: EntrySource::parse(&original.source).map_err(StoreError::Invalid)?,
        status: EntryStatus::parse(&original.status).map_err(StoreError::Invalid)?,
        reversed_by: original.reversed_by,
    };
    check_reversible(&facts, &b.reason).map_err(|e| StoreError::Conflict(e.to_string()))?;
    if let Some((batch, _)) = crate::payouts::holder_of(tx, id)? {
        return Err(StoreError::Conflict(format!(
            "entry {id} is held here by payout batch {batch}"
        )));
    }
    let residue = b.reversal.rounding_residue.to_string();
    let note = pulled_note(by);
    let posted =
        super::entries::post_reversal(tx, &original, &b.reason, &residue, now, Some(&note))?;
    Ok(Ok(vec![posted.reversed.into(), posted.created.into()]))
}
