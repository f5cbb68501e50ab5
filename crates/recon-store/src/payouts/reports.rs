//! Reading batches: lists (by program, status, period, partner), one batch whole, stats per
//! status and currency and per period, and a partner entity's summary.

use super::{
    batch_from_row, batch_full, batch_lines, status_of, BatchQuery, BatchView, BATCH_SELECT,
};
use crate::ledger::program_by_slug;
use crate::{Result, Store, StoreError};
use recon_core::payouts::{same_person, BatchStatus};
use rusqlite::{params, OptionalExtension};
use std::collections::BTreeMap;

/// Batches of one status in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusRow {
    pub status: BatchStatus,
    pub currency: String,
    pub scale: u8,
    pub batches: u64,
    pub total_minor: i128,
}

/// Batches of one period in one currency, with their split by status.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    pub period: String,
    pub currency: String,
    pub scale: u8,
    pub batches: u64,
    pub total_minor: i128,
    pub by_status: Vec<StatusRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PayoutStats {
    pub by_status: Vec<StatusRow>,
    pub by_period: Vec<PeriodRow>,
    pub awaiting_your_approval: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartnerSummary {
    pub program: String,
    pub entity_type: String,
    pub entity_ref: String,
    pub name: String,
    pub currency: String,
    pub scale: u8,
    pub lifetime_minor: i128,
    pub pending_minor: i128,
    pub reserved_minor: i128,
    pub paid_minor: i128,
    /// (paid at, amount, batch id) of the newest paid batch with a line for the entity.
    pub last_payout: Option<(String, i64, String)>,
}

fn status_order(s: BatchStatus) -> usize {
    BatchStatus::ALL
        .iter()
        .position(|x| *x == s)
        .unwrap_or(usize::MAX)
}

fn add_to(rows: &mut Vec<StatusRow>, status: BatchStatus, currency: &str, scale: u8, total: i64) {
    match rows
        .iter_mut()
        .find(|r| r.status == status && r.currency == currency)
    {
        Some(r) => {
            r.batches += 1;
            r.total_minor += i128::from(total);
        }
        None => rows.push(StatusRow {
            status,
            currency: currency.to_owned(),
            scale,
            batches: 1,
            total_minor: i128::from(total),
        }),
    }
}

impl Store {
    /// Batches matching every filter given, newest first, with their lines (no entry ids).
    pub fn payout_batches(&self, q: &BatchQuery) -> Result<Vec<BatchView>> {
        let partner = q
            .partner
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                format!(
                    "%{}%",
                    p.to_lowercase()
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
        let mut stmt = self.conn.prepare(&format!(
            "{BATCH_SELECT} WHERE (?1 IS NULL OR p.slug = ?1) AND (?2 IS NULL OR b.status = ?2)
             AND (?3 IS NULL OR b.period = ?3)
             AND (?4 IS NULL OR EXISTS (SELECT 1 FROM payout_lines l JOIN ledger_entities n ON n.id = l.entity_id
                  WHERE l.batch_id = b.id AND (lower(n.ref) LIKE ?4 ESCAPE '\\' OR lower(n.name) LIKE ?4 ESCAPE '\\')))
             ORDER BY b.created_at DESC, b.rowid DESC"
        ))?;
        let status = q.status.map(BatchStatus::as_str);
        let mut batches = stmt
            .query_map(
                params![q.program, status, q.period, partner],
                batch_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for b in &mut batches {
            b.lines = batch_lines(&self.conn, &b.id, false)?;
        }
        Ok(batches)
    }

    /// One batch with its lines, their entries and its transitions.
    pub fn payout_batch(&self, id: &str) -> Result<BatchView> {
        batch_full(&self.conn, id)
    }

    /// Counts and totals per status and currency, and per period; `actor` for the batches
    /// awaiting an approval the actor may give (pending, not created by them).
    pub fn payout_stats(&self, program: Option<&str>, actor: &str) -> Result<PayoutStats> {
        if let Some(p) = program {
            program_by_slug(&self.conn, p)?;
        }
        let mut stmt = self.conn.prepare(
            "SELECT b.status, b.currency, c.scale, b.period, b.total_minor, b.created_by FROM payout_batches b
             JOIN ledger_programs p ON p.id = b.program_id JOIN currencies c ON c.code = b.currency
             WHERE ?1 IS NULL OR p.slug = ?1",
        )?;
        let mut rows = stmt.query([program])?;
        let mut by_status = Vec::new();
        let mut periods: BTreeMap<(String, String), PeriodRow> = BTreeMap::new();
        let mut awaiting = 0;
        while let Some(r) = rows.next()? {
            let status = status_of(&r.get::<_, String>(0)?)?;
            let (currency, scale, period): (String, u8, String) = (r.get(1)?, r.get(2)?, r.get(3)?);
            let total: i64 = r.get(4)?;
            add_to(&mut by_status, status, &currency, scale, total);
            let p = periods
                .entry((period.clone(), currency.clone()))
                .or_insert_with(|| PeriodRow {
                    period,
                    currency: currency.clone(),
                    scale,
                    batches: 0,
                    total_minor: 0,
                    by_status: Vec::new(),
                });
            p.batches += 1;
            p.total_minor += i128::from(total);
            add_to(&mut p.by_status, status, &currency, scale, total);
            if status == BatchStatus::PendingApproval
                && !same_person(&r.get::<_, String>(5)?, actor)
            {
                awaiting += 1;
            }
        }
        let sort = |rows: &mut Vec<StatusRow>| {
            rows.sort_by(|a, b| {
                (status_order(a.status), &a.currency).cmp(&(status_order(b.status), &b.currency))
            })
        };
        sort(&mut by_status);
        let mut by_period: Vec<PeriodRow> = periods.into_values().rev().collect();
        for p in &mut by_period {
            sort(&mut p.by_status);
        }
        Ok(PayoutStats {
            by_status,
            by_period,
            awaiting_your_approval: awaiting,
        })
    }

    /// What an entity of `program` earned (pending + paid), has pending (and reserved), was
    /// paid, and its last payout. `entity` is a ref, or `type:ref` when refs are shared.
    pub fn partner_summary(&self, program: &str, entity: &str) -> Result<PartnerSummary> {
        let p = program_by_slug(&self.conn, program.trim())?;
        let entity = entity.trim();
        let mut stmt = self.conn.prepare(
            "SELECT id, entity_type, ref, name FROM ledger_entities
             WHERE program_id = ?1 AND (ref = ?2 OR entity_type || ':' || ref = ?2)",
        )?;
        let found = stmt
            .query_map(params![p.id, entity], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let (id, entity_type, entity_ref, name) = match found.len() {
            1 => found.into_iter().next().expect("one"),
            0 => {
                return Err(StoreError::NotFound {
                    what: "entity",
                    name: format!("{entity} in program {}", p.slug),
                })
            }
            _ => {
                return Err(StoreError::Invalid(format!(
                    "'{entity}' names more than one entity; write it as TYPE:REF"
                )))
            }
        };
        let mut sums = self.conn.prepare(
            "SELECT e.status, e.earnings_minor, EXISTS (SELECT 1 FROM payout_entries r WHERE r.entry_id = e.id AND r.reserved = 1)
             FROM ledger_entries e WHERE e.entity_id = ?1 AND e.status IN ('pending', 'paid')",
        )?;
        let mut rows = sums.query([id])?;
        let (mut pending, mut reserved, mut paid) = (0i128, 0i128, 0i128);
        while let Some(r) = rows.next()? {
            let amount = i128::from(r.get::<_, i64>(1)?);
            if r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)? == "paid" {
                paid += amount;
            } else {
                pending += amount;
                if r.get::<_, bool>(2)? {
                    reserved += amount;
                }
            }
        }
        let last_payout = self
            .conn
            .query_row(
                "SELECT b.paid_at, l.amount_minor, b.id FROM payout_lines l JOIN payout_batches b ON b.id = l.batch_id
                 WHERE l.entity_id = ?1 AND b.status = 'paid' ORDER BY b.paid_at DESC, b.rowid DESC LIMIT 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(PartnerSummary {
            program: p.slug.clone(),
            entity_type,
            entity_ref,
            name,
            currency: p.currency.code.clone(),
            scale: p.currency.scale,
            lifetime_minor: pending + paid,
            pending_minor: pending,
            reserved_minor: reserved,
            paid_minor: paid,
            last_payout,
        })
    }
}
