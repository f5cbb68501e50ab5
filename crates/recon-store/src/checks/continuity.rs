//! Running-balance continuity of the journal wallets (ESI journals, bank files with a
//! balance column): one pass over the journal in its order (row id = date order, ESI lines
//! of a second in ESI id order), a `recon_core::checks::ContinuityScan` per wallet; the
//! dates of the lines around each break are looked up afterwards, by id.

use crate::{Result, Store, StoreError};
use recon_core::checks::{BalanceLine, ContinuityScan};
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

/// A break, with the journal row ids of the lines around it, their dates, their keys in
/// the wallet (ESI id, `ref:…`, `fp:…`) and their 0-based places in the wallet's journal,
/// oldest first (what the Journal screen pages by).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContinuityBreak {
    pub after_id: i64,
    pub after_date: String,
    pub after_key: String,
    pub after_position: i64,
    pub before_id: i64,
    pub before_date: String,
    pub before_key: String,
    pub before_position: i64,
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
        // Per wallet: lines read so far (a line's place) and the scan; a scan's "date" is
        // the line's place, its date and key are read by id for the few breaks.
        let mut scans: BTreeMap<i64, (i64, ContinuityScan<i64>)> = BTreeMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT rowid_pk, wallet_no, amount_minor, balance_minor FROM journal_entries
             WHERE ?1 IS NULL OR wallet_no = ?1 ORDER BY rowid_pk",
        )?;
        let mut rows = stmt.query([named.as_ref().map(|w| w.no)])?;
        while let Some(r) = rows.next()? {
            let (place, scan) = scans.entry(r.get(1)?).or_default();
            let position = *place;
            *place += 1;
            match (r.get::<_, Option<i64>>(2)?, r.get::<_, Option<i64>>(3)?) {
                (Some(amount_minor), Some(balance_minor)) => scan.push(BalanceLine {
                    id: r.get(0)?,
                    date: position,
                    amount_minor,
                    balance_minor,
                }),
                _ => scan.unbalanced_line(),
            }
        }
        let wallets = match named {
            Some(w) => vec![w],
            None => self.wallets()?,
        };
        let mut reports = Vec::new();
        for w in wallets {
            let scan = scans.remove(&w.no).map(|(_, scan)| scan);
            let (lines, breaks) = scan.map(ContinuityScan::finish).unwrap_or_default();
            if lines == 0 && wallet.is_none() {
                continue;
            }
            let breaks = breaks
                .into_iter()
                .map(|b| {
                    let (after_date, after_key) = self.journal_line(b.after_id)?;
                    let (before_date, before_key) = self.journal_line(b.before_id)?;
                    Ok(ContinuityBreak {
                        after_id: b.after_id,
                        after_date,
                        after_key,
                        after_position: b.after_date,
                        before_id: b.before_id,
                        before_date,
                        before_key,
                        before_position: b.before_date,
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

    fn journal_line(&self, id: i64) -> Result<(String, String)> {
        self.conn
            .prepare_cached("SELECT date, natural_key FROM journal_entries WHERE rowid_pk = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| {
                StoreError::Invalid(format!("journal line {id} vanished during the check"))
            })
    }
}
