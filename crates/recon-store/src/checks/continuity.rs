//! Running-balance continuity of the journal wallets (ESI journals, bank files with a
//! balance column): one pass over the journal in its order (row id = date order, ESI lines
//! of a second in ESI id order), a `recon_core::checks::ContinuityScan` per wallet; the
//! dates of the lines around each break are looked up afterwards, by id.

use crate::{Result, Store, StoreError};
use recon_core::checks::{BalanceLine, ContinuityScan};
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContinuityBreak {
    pub after_id: i64,
    pub after_date: String,
    pub before_id: i64,
    pub before_date: String,
    pub expected_minor: i64,
    pub found_minor: i64,
    pub missing_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContinuityReport {
    pub wallet: String,
    pub currency: String,
    pub scale: u8,
    pub lines: i64,
    pub breaks: Vec<ContinuityBreak>,
}

impl Store {
    /// Continuity of every journal wallet whose lines carry a balance, by wallet name; or
    /// of the one named (reported even when none of its lines carries a balance).
    pub fn journal_continuity(&self, wallet: Option<&str>) -> Result<Vec<ContinuityReport>> {
        let named = wallet.map(|n| self.wallet_by_name(n)).transpose()?;
        let mut scans: BTreeMap<i64, ContinuityScan> = BTreeMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT rowid_pk, wallet_no, amount_minor, balance_minor FROM journal_entries
             WHERE balance_minor IS NOT NULL AND amount_minor IS NOT NULL AND (?1 IS NULL OR wallet_no = ?1)
             ORDER BY rowid_pk",
        )?;
        let mut rows = stmt.query([named.as_ref().map(|w| w.no)])?;
        while let Some(r) = rows.next()? {
            let line = BalanceLine {
                id: r.get(0)?,
                date: (),
                amount_minor: r.get(2)?,
                balance_minor: r.get(3)?,
            };
            scans.entry(r.get(1)?).or_default().push(line);
        }
        let wallets = match named {
            Some(w) => vec![w],
            None => self.wallets()?,
        };
        let mut reports = Vec::new();
        for w in wallets {
            let scan = scans.remove(&w.no);
            if scan.is_none() && wallet.is_none() {
                continue;
            }
            let (lines, breaks) = scan.map(ContinuityScan::finish).unwrap_or_default();
            let breaks = breaks
                .into_iter()
                .map(|b| {
                    Ok(ContinuityBreak {
                        after_date: self.journal_date(b.after_id)?,
                        before_date: self.journal_date(b.before_id)?,
                        after_id: b.after_id,
                        before_id: b.before_id,
                        expected_minor: b.expected_minor,
                        found_minor: b.found_minor,
                        missing_minor: b.missing_minor,
                    })
                })
                .collect::<Result<_>>()?;
            reports.push(ContinuityReport {
                wallet: w.name,
                currency: w.currency,
                scale: w.scale,
                lines: lines as i64,
                breaks,
            });
        }
        Ok(reports)
    }

    fn journal_date(&self, id: i64) -> Result<String> {
        self.conn
            .prepare_cached("SELECT date FROM journal_entries WHERE rowid_pk = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| {
                StoreError::Invalid(format!("journal line {id} vanished during the check"))
            })
    }
}
