//! The kept history of wallet check runs and their reports.

use super::{CheckLine, CheckRunReport, CheckRunSummary};
use crate::{Result, Store, StoreError};
use rusqlite::{OptionalExtension, Row};
use std::collections::HashMap;

const SUMMARY_COLUMNS: &str = "id, at, actor, workspace, fix, threshold, wallets, synced, discrepancies, warnings, to_review, fixable, fixed";

fn summary(r: &Row<'_>) -> rusqlite::Result<CheckRunSummary> {
    Ok(CheckRunSummary {
        run_id: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        workspace: r.get(3)?,
        fix: r.get(4)?,
        threshold: r.get(5)?,
        wallets: r.get(6)?,
        synced: r.get(7)?,
        discrepancies: r.get(8)?,
        warnings: r.get(9)?,
        to_review: r.get(10)?,
        fixable: r.get(11)?,
        fixed: r.get(12)?,
    })
}

impl Store {
    /// Every run, newest first.
    pub fn check_runs(&self) -> Result<Vec<CheckRunSummary>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM check_runs ORDER BY at DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map([], summary)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest run, if any.
    pub fn latest_check_run(&self) -> Result<Option<CheckRunSummary>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {SUMMARY_COLUMNS} FROM check_runs ORDER BY at DESC, rowid DESC LIMIT 1"
                ),
                [],
                summary,
            )
            .optional()?)
    }

    /// One run and its report, wallets in the order they were checked.
    pub fn check_run(&self, run_id: &str) -> Result<CheckRunReport> {
        let summary = self
            .conn
            .query_row(
                &format!("SELECT {SUMMARY_COLUMNS} FROM check_runs WHERE id = ?1"),
                [run_id],
                summary,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "check run",
                name: run_id.to_string(),
            })?;
        let lines = self.check_run_lines(run_id)?;
        Ok(CheckRunReport { summary, lines })
    }

    pub(super) fn check_run_lines(&self, run_id: &str) -> Result<Vec<CheckLine>> {
        let packed: Option<String> = self
            .conn
            .prepare_cached("SELECT report FROM check_runs WHERE id = ?1")?
            .query_row([run_id], |r| r.get(0))
            .optional()?
            .flatten();
        if let Some(text) = packed {
            let mut scales = HashMap::new();
            let mut stmt = self
                .conn
                .prepare_cached("SELECT code, scale FROM currencies")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                scales.insert(r.get(0)?, r.get(1)?);
            }
            return super::report::unpack(&text, &scales);
        }
        // Runs kept before reports were packed: one row per wallet.
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.workspace_id, l.wallet_id, l.currency, COALESCE(c.scale, 0), l.expected_minor, l.actual_minor,
                    l.discrepancy_minor, l.status, l.warning, l.action, l.fixed, l.adjustment_minor, l.reason
             FROM check_run_wallets l LEFT JOIN currencies c ON c.code = l.currency
             WHERE l.run_id = ?1 ORDER BY l.position",
        )?;
        let rows = stmt.query_map([run_id], |r| {
            Ok(CheckLine {
                workspace_id: r.get(0)?,
                wallet_id: r.get(1)?,
                currency: r.get(2)?,
                scale: r.get(3)?,
                expected_minor: r.get(4)?,
                actual_minor: r.get(5)?,
                discrepancy_minor: r.get(6)?,
                status: r.get(7)?,
                warning: r.get(8)?,
                action: r.get(9)?,
                fixed: r.get(10)?,
                adjustment_minor: r.get(11)?,
                reason: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every run's report, oldest first (for the history export), visited one run at a time.
    pub fn each_check_report(
        &self,
        mut visit: impl FnMut(&CheckRunReport) -> Result<()>,
    ) -> Result<()> {
        let mut runs = self.check_runs()?;
        runs.reverse();
        for summary in runs {
            let lines = self.check_run_lines(&summary.run_id)?;
            visit(&CheckRunReport { summary, lines })?;
        }
        Ok(())
    }

    /// Adjustments posted for a wallet so far (tests and the app's wallet view).
    pub fn wallet_adjustment_count(&self, wallet_id: &str) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM wallet_transactions WHERE wallet_id = ?1 AND type = 'adjustment'",
            [wallet_id],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn a_run_kept_before_reports_were_packed_reads_back_from_its_rows() {
        let (_dir, store) = temp_store();
        store
            .conn
            .execute_batch(
                "INSERT INTO check_runs (id, at, actor, workspace, fix, threshold, wallets, synced, discrepancies,
                    warnings, to_review, fixable, fixed)
                 VALUES ('old', '2026-01-01T00:00:00.000Z', 'alice', NULL, 0, NULL, 1, 0, 1, 1, 1, 0, 0);
                 INSERT INTO check_run_wallets VALUES
                    ('old', 0, 'ws1', 'w1', 'NGN', 100, 250, 150, 'discrepancy', 1, 'review', 0, NULL, 'too big');",
            )
            .unwrap();
        let report = store.check_run("old").unwrap();
        assert_eq!(report.lines.len(), 1);
        let line = &report.lines[0];
        assert_eq!((line.wallet_id.as_str(), line.scale), ("w1", 2));
        assert_eq!(
            (line.discrepancy_minor, line.reason.as_deref()),
            (150, Some("too big"))
        );
    }
}
