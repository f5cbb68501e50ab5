//! A colleague's settlement file pulled from the server (issue 12): each settlement the
//! ledger lacks is posted here as its own import would — the revenue, then one entry per
//! commission with its accrual — after `settlement_commissions` with this ledger's terms
//! gave the same commissions the colleague's laptop (and the server) computed.

use super::entries::{entry_json, insert_entry, EntryRow};
use super::remote::Applied;
use super::{account_id, check_balanced, insert_lines, next_txn_id, program_by_slug};
use crate::write::Audit;
use crate::{Result, StoreError};
use recon_core::ledger::files::period_of;
use recon_core::ledger::postings::{accrual_lines, settlement_lines};
use recon_core::ledger::{check_accepts_entries, settlement_commissions, EntityType, EntrySource};
use recon_core::money::{to_minor, Money};
use recon_sync::ledger::SettlementsImported;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

fn post(tx: &Transaction<'_>, lines: &[recon_core::ledger::Line], what: &str) -> Result<i64> {
    check_balanced(lines, what)?;
    let txn_id = next_txn_id(tx)?;
    insert_lines(tx, txn_id, 1, lines, &mut account_id)?;
    Ok(txn_id)
}

pub(crate) fn settlements_imported(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    b: &SettlementsImported,
) -> Applied {
    let p = program_by_slug(tx, &b.program)?;
    check_accepts_entries(&p.slug, p.status).map_err(|e| StoreError::Conflict(e.to_string()))?;
    let mut audits = Vec::new();
    for s in &b.settlements {
        settle(tx, now, by, &p, s, &mut audits)?;
    }
    Ok(Ok(audits))
}

/// One settlement the ledger lacks: checked, its revenue and commissions posted.
fn settle(
    tx: &Transaction<'_>,
    now: &str,
    by: &str,
    p: &super::ProgramView,
    s: &recon_sync::ledger::Settlement,
    audits: &mut Vec<crate::write::RenderedAudit>,
) -> Result<()> {
    let held: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM ledger_settlements WHERE settlement_id = ?1)",
        )?
        .query_row([&s.settlement_id], |r| r.get(0))?;
    if held {
        let undone: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'sync.refused'
                    AND entity = 'ledger_settlement' AND entity_id = ?1)",
            )?
            .query_row([&s.settlement_id], |r| r.get(0))?;
        if undone {
            // Its id is spent here: the undo of this laptop's refused import reversed it.
            return Err(StoreError::Conflict(format!(
                "settlement '{}' was imported here, refused by the server and posted back; {by}'s cannot take its id",
                s.settlement_id
            )));
        }
        return Ok(());
    }
    let affiliate: Option<(i64, Option<i64>)> = tx
        .prepare_cached(
            "SELECT id, parent_id FROM ledger_entities
              WHERE program_id = ?1 AND entity_type = 'affiliate' AND ref = ?2",
        )?
        .query_row(params![p.id, s.affiliate_ref], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((affiliate_id, parent_id)) = affiliate else {
        return Err(StoreError::NotFound {
            what: "affiliate",
            name: s.affiliate_ref.clone(),
        });
    };
    let gross_minor = to_minor(s.gross_amount, p.currency.scale)
        .map_err(|e| StoreError::Invalid(format!("settlement '{}': {e}", s.settlement_id)))?;
    let gross = Money::from_minor(gross_minor, &p.currency);
    let planned = settlement_commissions(&p.terms(), &gross, parent_id.is_some())
        .map_err(StoreError::Invalid)?;
    let mine: Vec<(String, i64)> = planned
        .iter()
        .map(|c| {
            (
                c.kind.as_str().to_owned(),
                c.commission.amount.minor_units(),
            )
        })
        .collect();
    let theirs: Vec<(String, i64)> = s
        .commissions
        .iter()
        .map(|c| {
            (
                c.kind.clone(),
                to_minor(c.earnings_amount, p.currency.scale).unwrap_or(i64::MIN),
            )
        })
        .collect();
    if mine != theirs {
        return Err(StoreError::Conflict(format!(
            "settlement '{}': {by}'s commissions differ from this ledger's terms of '{}'",
            s.settlement_id, p.slug
        )));
    }
    let revenue = post(
        tx,
        &settlement_lines(&p.slug, &gross),
        &format!("settlement '{}'", s.settlement_id),
    )?;
    tx.prepare_cached(
        "INSERT INTO ledger_settlements (program_id, settlement_id, user_ref, affiliate_id, gross_minor, currency, occurred_at, txn_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![p.id, s.settlement_id, s.user_ref, affiliate_id, gross_minor, p.currency.code, s.occurred_at, revenue])?;
    let who = (affiliate_id, parent_id, gross_minor);
    accrue(tx, (now, by), p, s, &planned, who, audits)
}

/// One entry per commission, each with its accrual posted and audited.
fn accrue(
    tx: &Transaction<'_>,
    (now, by): (&str, &str),
    p: &super::ProgramView,
    s: &recon_sync::ledger::Settlement,
    planned: &[recon_core::ledger::PlannedCommission],
    (affiliate_id, parent_id, gross_minor): (i64, Option<i64>, i64),
    audits: &mut Vec<crate::write::RenderedAudit>,
) -> Result<()> {
    for (c, wire) in planned.iter().zip(&s.commissions) {
        let entity_id = if c.level == 0 {
            Some(affiliate_id)
        } else {
            parent_id
        }
        .ok_or_else(|| StoreError::Invalid("an override needs a parent".into()))?;
        let source_ref = format!("{}:{}", s.settlement_id, c.kind.as_str());
        let lines = accrual_lines(
            &p.slug,
            EntityType::Affiliate,
            &wire.entity_ref,
            &c.commission.amount,
        );
        let txn_id = post(tx, &lines, &format!("entry {source_ref}"))?;
        let residue = c.commission.residue.to_string();
        let description = format!("{} commission, user {}", c.kind.as_str(), s.user_ref);
        let row = EntryRow {
            program_id: p.id,
            entity_id,
            source: EntrySource::Settlement,
            source_ref: &source_ref,
            status: "pending",
            gross_minor: Some(gross_minor),
            earnings_minor: c.commission.amount.minor_units(),
            residue: &residue,
            currency: &p.currency.code,
            description: &description,
            period: period_of(&s.occurred_at),
            occurred_at: &s.occurred_at,
            created_at: now,
            txn_id,
            reverses: None,
            reason: None,
        };
        let id = insert_entry(tx, &row)?;
        let mut after = entry_json(&row, id, p.currency.scale);
        after["note"] = json!(format!("pulled from the server: {by}'s change"));
        audits.push(
            Audit {
                action: "ledger.entry_create",
                entity: "ledger_entry",
                entity_id: id.to_string(),
                before: None,
                after: Some(after),
            }
            .into(),
        );
    }

    Ok(())
}
