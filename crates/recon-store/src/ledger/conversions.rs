//! Conversions (seed 000): imported pending, approved (creating their entry at the
//! sponsor's payout in the same transaction) or rejected with a reason.

use super::entries::{entry_json, entry_ref, insert_entry, EntryRow};
use super::{
    account_id, check_balanced, insert_lines, next_txn_id, program_by_slug, refusal, Approval,
    ConversionView, LedgerImport,
};
use crate::write::{Audit, Change};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::ledger::files::{parse_conversions, period_of};
use recon_core::ledger::postings::accrual_lines;
use recon_core::ledger::{
    check_accepts_entries, decide_conversion, ConversionDecision, ConversionStatus, DecisionEffect,
    EntityType, EntrySource, LedgerRefusal,
};
use recon_core::money::Money;
use recon_sync::ledger::{
    Conversion, ConversionApproved, ConversionRejected, ConversionsImported, MAX_ITEMS_PER_EVENT,
};
use recon_sync::EventBody;
use rusqlite::{params, OptionalExtension};
use serde_json::json;
use std::collections::HashMap;

const CONVERSION_SELECT: &str = "SELECT p.slug, c.conversion_id, s.ref, c.occurred_at, c.description, c.status,
    c.reason, c.decided_at, c.decided_by, c.entry_id
    FROM ledger_conversions c JOIN ledger_programs p ON p.id = c.program_id JOIN ledger_entities s ON s.id = c.sponsor_id";

fn conversion_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConversionView> {
    Ok(ConversionView {
        program: r.get(0)?,
        conversion_id: r.get(1)?,
        sponsor_ref: r.get(2)?,
        occurred_at: r.get(3)?,
        description: r.get(4)?,
        status: r.get(5)?,
        reason: r.get(6)?,
        decided_at: r.get(7)?,
        decided_by: r.get(8)?,
        entry_id: r.get(9)?,
    })
}

fn conversion(conn: &rusqlite::Connection, program: &str, id: &str) -> Result<ConversionView> {
    conn.prepare_cached(&format!(
        "{CONVERSION_SELECT} WHERE p.slug = ?1 AND c.conversion_id = ?2"
    ))?
    .query_row([program, id], conversion_from_row)
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "conversion",
        name: format!("{id} (in program '{program}')"),
    })
}

impl Store {
    /// Imports a conversions file: every row or none. A known id with the same content is a
    /// duplicate; with other content the file is refused naming the line.
    pub fn import_conversions(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        program: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<LedgerImport> {
        let rows = parse_conversions(bytes)
            .map_err(|e| StoreError::Invalid(format!("{file_name}: {e}")))?;
        self.write(actor, now, |tx| {
            let program = program_by_slug(tx, program)?;
            let sponsors: HashMap<String, i64> = tx
                .prepare("SELECT ref, id FROM ledger_entities WHERE program_id = ?1 AND entity_type = 'sponsor'")?
                .query_map([program.id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut report = LedgerImport {
                program: program.slug.clone(),
                file: file_name.to_owned(),
                read: rows.len() as u64,
                inserted: 0,
                duplicates: 0,
                entries_created: 0,
            };
            let mut new = Vec::new();
            for row in &rows {
                let bad = |why: String| StoreError::Invalid(format!("{file_name}: line {}: {why}; nothing was imported", row.line));
                let Some(sponsor_id) = sponsors.get(&row.sponsor_ref) else {
                    return Err(bad(format!("no sponsor '{}' in program '{}'", row.sponsor_ref, program.slug)));
                };
                let known: Option<(i64, i64, String, String)> = tx
                    .prepare_cached("SELECT program_id, sponsor_id, occurred_at, description FROM ledger_conversions WHERE conversion_id = ?1")?
                    .query_row([&row.conversion_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()?;
                match known {
                    Some(k) if k == (program.id, *sponsor_id, row.occurred_at.clone(), row.description.clone()) => {
                        report.duplicates += 1;
                    }
                    Some(_) => {
                        return Err(bad(format!(
                            "conversion '{}' is already recorded with other details",
                            row.conversion_id
                        )))
                    }
                    None => {
                        tx.prepare_cached(
                            "INSERT INTO ledger_conversions (program_id, conversion_id, sponsor_id, occurred_at, description, status, imported_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
                        )?
                        .execute(params![program.id, row.conversion_id, sponsor_id, row.occurred_at, row.description, timestamp(now)])?;
                        report.inserted += 1;
                        new.push(Conversion {
                            conversion_id: row.conversion_id.clone(),
                            sponsor_ref: row.sponsor_ref.clone(),
                            occurred_at: row.occurred_at.clone(),
                            description: row.description.clone(),
                        });
                    }
                }
            }
            if report.inserted == 0 {
                return Ok(Change::unchanged(report));
            }
            let audit = Audit {
                action: "ledger.conversions_import",
                entity: "ledger_program",
                entity_id: program.slug.clone(),
                before: None,
                after: Some(json!({"file": file_name, "read": report.read, "inserted": report.inserted,
                    "duplicates": report.duplicates})),
            };
            let events = new
                .chunks(MAX_ITEMS_PER_EVENT)
                .map(|c| EventBody::ConversionsImported(ConversionsImported { program: program.slug.clone(), conversions: c.to_vec() }))
                .collect();
            Ok(Change::synced(report, audit, events))
        })
    }

    /// Approves one conversion and writes its entry in the same transaction. An entry that
    /// exists already answers [`Approval::AlreadyExists`] and writes nothing.
    pub fn approve_conversion(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        program: &str,
        id: &str,
    ) -> Result<Approval> {
        self.write(actor, now, |tx| {
            let program = program_by_slug(tx, program)?;
            let before = conversion(tx, &program.slug, id)?;
            let existing: Option<i64> = tx
                .prepare_cached("SELECT id FROM ledger_entries WHERE source = 'conversion' AND source_ref = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            if let (Some(entry), "pending") = (existing, before.status.as_str()) {
                // Only the undo of a refused approval leaves a pending conversion with an
                // entry: its (reversed) entry holds the key a new one would need.
                return Err(StoreError::Conflict(format!(
                    "conversion '{id}' cannot be approved again on this laptop: the server refused its approval and its entry {entry} was reversed (see Needs attention)"
                )));
            }
            let status = ConversionStatus::parse(&before.status).map_err(StoreError::Invalid)?;
            let effect = decide_conversion(id, status, ConversionDecision::Approve).map_err(decision_refusal)?;
            if existing.is_some() || effect == DecisionEffect::AlreadyDone {
                return Ok(Change::unchanged(Approval::AlreadyExists { entry_id: existing.or(before.entry_id) }));
            }
            check_accepts_entries(&program.slug, program.status).map_err(refusal)?;
            let (sponsor_id, payout): (i64, Option<i64>) = tx.query_row(
                "SELECT e.id, e.payout_per_conversion_minor FROM ledger_conversions c JOIN ledger_entities e ON e.id = c.sponsor_id
                 WHERE c.program_id = ?1 AND c.conversion_id = ?2",
                params![program.id, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let payout = payout.ok_or_else(|| {
                StoreError::Invalid(format!("sponsor '{}' has no payout per conversion", before.sponsor_ref))
            })?;
            let earnings = Money::from_minor(payout, &program.currency);
            let lines = accrual_lines(&program.slug, EntityType::Sponsor, &before.sponsor_ref, &earnings);
            check_balanced(&lines, &format!("the entry of conversion '{id}'"))?;
            let txn_id = next_txn_id(tx)?;
            let row = EntryRow {
                program_id: program.id,
                entity_id: sponsor_id,
                source: EntrySource::Conversion,
                source_ref: id,
                status: "pending",
                gross_minor: None,
                earnings_minor: payout,
                residue: "0",
                currency: &program.currency.code,
                description: &before.description,
                period: period_of(&before.occurred_at),
                occurred_at: &before.occurred_at,
                created_at: &timestamp(now),
                txn_id,
                reverses: None,
                reason: None,
            };
            let entry_id = insert_entry(tx, &row)?;
            insert_lines(tx, txn_id, 1, &lines, &mut account_id)?;
            tx.execute(
                "UPDATE ledger_conversions SET status = 'approved', entry_id = ?1, decided_at = ?2, decided_by = ?3
                 WHERE program_id = ?4 AND conversion_id = ?5",
                params![entry_id, timestamp(now), actor, program.id, id],
            )?;
            let audit = Audit {
                action: "ledger.conversion_approve",
                entity: "ledger_conversion",
                entity_id: id.to_owned(),
                before: Some(json!({"status": before.status})),
                after: Some(json!({"status": "approved", "entry_id": entry_id})),
            };
            let created = Audit {
                action: "ledger.entry_create",
                entity: "ledger_entry",
                entity_id: entry_id.to_string(),
                before: None,
                after: Some(entry_json(&row, entry_id, program.currency.scale)),
            };
            let event = EventBody::ConversionApproved(ConversionApproved {
                program: program.slug.clone(),
                conversion_id: id.to_owned(),
                entry: entry_ref(&row, EntityType::Sponsor, &before.sponsor_ref, program.currency.scale),
            });
            Ok(Change::synced(Approval::Approved { entry_id }, audit, vec![event]).and_audit(created))
        })
    }

    /// Rejects a pending conversion; the reason is required.
    pub fn reject_conversion(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        program: &str,
        id: &str,
        reason: &str,
    ) -> Result<ConversionView> {
        self.write(actor, now, |tx| {
            let before = conversion(tx, program, id)?;
            let status = ConversionStatus::parse(&before.status).map_err(StoreError::Invalid)?;
            let decision = ConversionDecision::Reject { reason };
            // Rejected already: the same decision again changes nothing.
            if decide_conversion(id, status, decision).map_err(decision_refusal)?
                == DecisionEffect::AlreadyDone
            {
                return Ok(Change::unchanged(before));
            }
            tx.execute(
                "UPDATE ledger_conversions SET status = 'rejected', reason = ?1, decided_at = ?2, decided_by = ?3
                 WHERE conversion_id = ?4",
                params![reason.trim(), timestamp(now), actor, id],
            )?;
            let after = conversion(tx, program, id)?;
            let audit = Audit {
                action: "ledger.conversion_reject",
                entity: "ledger_conversion",
                entity_id: id.to_owned(),
                before: Some(json!({"status": before.status})),
                after: Some(json!({"status": "rejected", "reason": reason.trim()})),
            };
            let event = EventBody::ConversionRejected(ConversionRejected {
                program: program.to_owned(),
                conversion_id: id.to_owned(),
                reason: reason.trim().to_owned(),
            });
            Ok(Change::synced(after, audit, vec![event]))
        })
    }

    /// A program's conversions, optionally of one status, in import order.
    pub fn ledger_conversions(
        &self,
        program: &str,
        status: Option<&str>,
    ) -> Result<Vec<ConversionView>> {
        program_by_slug(&self.conn, program)?;
        let mut stmt = self.conn.prepare(&format!(
            "{CONVERSION_SELECT} WHERE p.slug = ?1 AND (?2 IS NULL OR c.status = ?2) ORDER BY c.id"
        ))?;
        let rows = stmt.query_map(params![program, status], conversion_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A decision the rule refused: a missing reason is bad input, the rest a conflict with
/// the conversion's status.
pub(super) fn decision_refusal(e: LedgerRefusal) -> StoreError {
    match e {
        LedgerRefusal::ReasonRequired => {
            StoreError::Invalid("a rejection needs a reason (--reason)".into())
        }
        other => refusal(other),
    }
}
