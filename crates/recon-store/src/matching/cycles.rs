//! Cycles: opening one (which cancels what still awaits payment), and per-cycle totals.

use super::records::{expected_by_memo, expected_from_row, expected_select, ExpectedRecord};
use super::views::{CycleSummary, ExpectedView};
use super::{events, synced};
use crate::write::{Audit, Change};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::matching::{check_editable, cycle_opening, ExpectedStatus};
use recon_core::money::format_minor;
use serde_json::json;

impl Store {
    /// Opens a cycle: its expected payments still awaiting are cancelled (kept, audited).
    pub fn cycle_open(&mut self, actor: &str, now: DateTime<Utc>, cycle_id: &str) -> Result<u64> {
        self.write(actor, now, |tx| {
            let payments: Vec<ExpectedRecord> = tx
                .prepare_cached(concat!(
                    expected_select!(),
                    " WHERE e.cycle_id = ?1 ORDER BY e.memo_normalized"
                ))?
                .query_map([cycle_id], expected_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            let statuses: Vec<ExpectedStatus> = payments.iter().map(|e| e.state.status).collect();
            let cancel = cycle_opening(&statuses).map_err(|_| StoreError::NotFound {
                what: "cycle",
                name: cycle_id.to_owned(),
            })?;
            let mut audit = Vec::with_capacity(cancel.len() + 1);
            let mut cancelled = Vec::with_capacity(cancel.len());
            for i in cancel {
                let before = &payments[i];
                tx.prepare_cached("UPDATE expected_payments SET status = ?2 WHERE id = ?1")?
                    .execute([before.id.as_str(), ExpectedStatus::Cancelled.as_str()])?;
                let mut after = before.clone();
                after.state.status = ExpectedStatus::Cancelled;
                audit.push(Audit {
                    action: "expected.cancel",
                    entity: "expected_payment",
                    entity_id: before.id.clone(),
                    before: Some(before.audit_json()),
                    after: Some(after.audit_json()),
                });
                cancelled.push(before.memo.clone());
            }
            audit.push(Audit {
                action: "cycle.open",
                entity: "cycle",
                entity_id: cycle_id.to_owned(),
                before: None,
                after: Some(json!({"cancelled": cancelled.len()})),
            });
            let count = cancelled.len() as u64;
            Ok(synced(
                count,
                audit,
                events::cycle_opened(cycle_id, cancelled),
            ))
        })
    }

    /// Cancels one expected payment still awaiting payment: kept and audited, never a
    /// candidate again. One with receipts linked is refused (unlink them first).
    pub fn cancel_expected(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        memo: &str,
    ) -> Result<ExpectedView> {
        let before = expected_by_memo(&self.conn, memo)?;
        check_editable(&before.memo, before.state.status).map_err(|_| {
            StoreError::Conflict(format!(
                "'{}' is {}: only an expected payment awaiting payment can be cancelled",
                before.memo,
                before.state.status.as_str()
            ))
        })?;
        let mut after = before.clone();
        after.state.status = ExpectedStatus::Cancelled;
        self.write(actor, now, |tx| {
            tx.prepare_cached("UPDATE expected_payments SET status = ?2 WHERE id = ?1")?
                .execute([before.id.as_str(), ExpectedStatus::Cancelled.as_str()])?;
            let audit = Audit {
                action: "expected.cancel",
                entity: "expected_payment",
                entity_id: before.id.clone(),
                before: Some(before.audit_json()),
                after: Some(after.audit_json()),
            };
            // The edited payment carries its new status to the server.
            Ok(Change::synced(
                (),
                audit,
                events::expected_edited(&after, None),
            ))
        })?;
        self.expected_view_by_id(&before.id)
    }

    /// Counts and totals per cycle and currency (never summed across currencies).
    pub fn cycle_summaries(&self) -> Result<Vec<CycleSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.cycle_id, e.currency, c.scale,
                SUM(e.status = 'awaiting_payment'), SUM(e.status = 'confirmed'),
                SUM(e.status = 'cancelled'),
                SUM(e.status NOT IN ('awaiting_payment', 'confirmed', 'cancelled')),
                SUM(e.amount_adjusted),
                SUM(e.expected_minor),
                COALESCE(SUM(CASE WHEN e.status = 'confirmed' THEN e.actual_minor END), 0),
                COALESCE(SUM(CASE WHEN e.status = 'awaiting_payment' OR e.status = 'confirmed'
                    THEN MAX(e.expected_minor - COALESCE(e.actual_minor, 0), 0) END), 0)
             FROM expected_payments e JOIN currencies c ON c.code = e.currency
             GROUP BY e.cycle_id, e.currency ORDER BY e.cycle_id, e.currency",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let scale: u8 = r.get(2)?;
                Ok(CycleSummary {
                    cycle_id: r.get(0)?,
                    currency: r.get(1)?,
                    awaiting: r.get(3)?,
                    confirmed: r.get(4)?,
                    cancelled: r.get(5)?,
                    other: r.get(6)?,
                    amount_adjusted: r.get(7)?,
                    expected_total: format_minor(r.get(8)?, scale),
                    confirmed_total: format_minor(r.get(9)?, scale),
                    outstanding_total: format_minor(r.get(10)?, scale),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}
