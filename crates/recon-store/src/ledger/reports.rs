//! Reading the ledger as a whole: earnings summaries, account balances, and `verify`,
//! which recomputes every transaction from its lines in one streaming scan.

use super::{program_by_slug, ProgramView};
use crate::{Result, Store};
use recon_core::ledger::{Balance, SummaryBy};
use rusqlite::params;
use std::collections::BTreeMap;

/// Earnings of one group, in the program's minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SummaryRow {
    pub key: String,
    pub entity_type: Option<String>,
    /// Net: pending + paid (a reversed entry and its reversal cancel out).
    pub total_minor: i64,
    pub pending_minor: i64,
    pub paid_minor: i64,
    /// What was reversed (the originals' earnings).
    pub reversed_minor: i64,
    pub entries: u64,
}

impl SummaryRow {
    fn add(&mut self, status: &str, source: &str, sum: i64, count: u64) {
        self.total_minor += sum;
        self.entries += count;
        match (source, status) {
            ("reversal", _) => {}
            (_, "pending") => self.pending_minor += sum,
            (_, "paid") => self.paid_minor += sum,
            (_, _) => self.reversed_minor += sum,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub account: String,
    pub currency: String,
    pub scale: u8,
    pub debits_minor: i128,
    pub credits_minor: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    pub txn_id: i64,
    pub currency: String,
    pub scale: u8,
    pub debits_minor: i128,
    pub credits_minor: i128,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub transactions: u64,
    pub first_failure: Option<VerifyFailure>,
}

impl Store {
    /// A program's earnings grouped `by` entity, period or status, and the program's total.
    pub fn ledger_summary(
        &self,
        program: &str,
        by: SummaryBy,
    ) -> Result<(ProgramView, Vec<SummaryRow>, SummaryRow)> {
        let program = program_by_slug(&self.conn, program)?;
        let (key, join) = match by {
            SummaryBy::Entity => (
                "n.ref, n.entity_type",
                "JOIN ledger_entities n ON n.id = e.entity_id",
            ),
            SummaryBy::Period => ("e.period, NULL", ""),
            SummaryBy::Status => ("e.status, NULL", ""),
        };
        let group = match by {
            SummaryBy::Entity => "e.entity_id",
            SummaryBy::Period => "e.period",
            SummaryBy::Status => "e.status",
        };
        let sql = format!(
            "SELECT {key}, e.status, e.source, SUM(e.earnings_minor), COUNT(*) FROM ledger_entries e {join}
             WHERE e.program_id = ?1 GROUP BY {group}, e.status, e.source"
        );
        let mut rows: BTreeMap<(String, Option<String>), SummaryRow> = BTreeMap::new();
        let mut total = SummaryRow {
            key: program.slug.clone(),
            ..Default::default()
        };
        let mut stmt = self.conn.prepare(&sql)?;
        let mut q = stmt.query([program.id])?;
        while let Some(r) = q.next()? {
            let (k, t): (String, Option<String>) = (r.get(0)?, r.get(1)?);
            let (status, source): (String, String) = (r.get(2)?, r.get(3)?);
            let (sum, count): (i64, i64) = (r.get(4)?, r.get(5)?);
            let row = rows
                .entry((k.clone(), t.clone()))
                .or_insert_with(|| SummaryRow {
                    key: k,
                    entity_type: t,
                    ..Default::default()
                });
            row.add(&status, &source, sum, count as u64);
            total.add(&status, &source, sum, count as u64);
        }
        Ok((program, rows.into_values().collect(), total))
    }

    /// Every account's debits and credits per currency, by account name.
    pub fn ledger_accounts(&self) -> Result<Vec<AccountRow>> {
        let mut per: BTreeMap<(i64, String), (i128, i128)> = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT account_id, currency, amount_minor FROM ledger_postings")?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let (account, currency, amount): (i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let e = per.entry((account, currency)).or_default();
            if amount > 0 {
                e.0 += i128::from(amount);
            } else {
                e.1 -= i128::from(amount);
            }
        }
        let names: BTreeMap<i64, String> = self
            .conn
            .prepare("SELECT id, name FROM ledger_accounts")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let scales: BTreeMap<String, u8> = self
            .conn
            .prepare("SELECT code, scale FROM currencies")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out: Vec<AccountRow> = per
            .into_iter()
            .map(|((account, currency), (d, c))| AccountRow {
                account: names
                    .get(&account)
                    .cloned()
                    .unwrap_or_else(|| format!("#{account}")),
                scale: scales.get(&currency).copied().unwrap_or(0),
                currency,
                debits_minor: d,
                credits_minor: c,
            })
            .collect();
        out.sort_by(|a, b| (&a.account, &a.currency).cmp(&(&b.account, &b.currency)));
        Ok(out)
    }

    /// Recomputes every transaction from its lines (in key order, constant memory) and
    /// reports how many there are and the first whose debits and credits differ in a currency.
    pub fn ledger_verify(&self) -> Result<VerifyReport> {
        let mut stmt = self.conn.prepare(
            "SELECT txn_id, currency, amount_minor FROM ledger_postings ORDER BY txn_id, line",
        )?;
        let mut q = stmt.query([])?;
        let mut balance = Balance::default();
        let (mut current, mut transactions) = (None::<i64>, 0u64);
        let mut failure = None;
        while let Some(r) = q.next()? {
            let txn: i64 = r.get(0)?;
            if current != Some(txn) {
                if let Some(done) = current {
                    if let Err(u) = balance.check() {
                        failure = Some((done, u));
                        break;
                    }
                }
                balance.clear();
                current = Some(txn);
                transactions += 1;
            }
            let currency = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            balance.add(currency, r.get(2)?);
        }
        if failure.is_none() {
            if let (Some(done), Err(u)) = (current, balance.check()) {
                failure = Some((done, u));
            }
        }
        let first_failure = match failure {
            None => None,
            Some((txn_id, u)) => Some(VerifyFailure {
                txn_id,
                scale: self.currency(&u.currency).map(|c| c.scale).unwrap_or(0),
                what: self.describe_txn(txn_id)?,
                currency: u.currency,
                debits_minor: u.debits_minor,
                credits_minor: u.credits_minor,
            }),
        };
        Ok(VerifyReport {
            transactions,
            first_failure,
        })
    }

    /// What a transaction is for: `entry 12 (settlement S1:direct)` or `settlement S1 revenue`.
    fn describe_txn(&self, txn_id: i64) -> Result<String> {
        let entry: Option<(i64, String, String)> = self
            .conn
            .query_row(
                "SELECT id, source, source_ref FROM ledger_entries WHERE txn_id = ?1",
                params![txn_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok();
        if let Some((id, source, source_ref)) = entry {
            return Ok(format!("entry {id} ({source} {source_ref})"));
        }
        let payout: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM payout_batches WHERE txn_id = ?1",
                params![txn_id],
                |r| r.get(0),
            )
            .ok();
        if let Some(batch) = payout {
            return Ok(format!("payout batch {batch}"));
        }
        let settlement: Option<String> = self
            .conn
            .query_row(
                "SELECT settlement_id FROM ledger_settlements WHERE txn_id = ?1",
                params![txn_id],
                |r| r.get(0),
            )
            .ok();
        Ok(settlement.map_or_else(
            || format!("transaction {txn_id}"),
            |s| format!("settlement {s} revenue"),
        ))
    }
}
