//! The running balance of journal lines: the wallet's balance after each line, in the
//! wallet's own order (the rows' date-ordered ids), whatever filter chose the lines.
//!
//! The start is taken from the wallet's first line that states a balance (ESI journals,
//! bank files with a balance column): opening = that balance − the lines up to it. Else from
//! the opening balance of the statement that brought the wallet's first line (MT940, CAMT
//! state balances only per statement); else from 0. All in integer minor units (i128 while
//! adding).

use crate::journal::JournalRow;
use crate::{Result, Store};
use recon_core::money::format_minor;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// What the running balance of one wallet needs besides the page's own rows.
struct WalletSpan {
    scale: u8,
    first: i64,
    last: i64,
}

impl Store {
    /// Fills `running_balance` of `rows` (`wallet_nos[i]` and `scales[i]` belong to `rows[i]`).
    pub(crate) fn fill_running_balances(
        &self,
        rows: &mut [JournalRow],
        wallet_nos: &[i64],
        scales: &[u8],
    ) -> Result<()> {
        let mut spans: HashMap<i64, WalletSpan> = HashMap::new();
        for ((row, &wallet), &scale) in rows.iter().zip(wallet_nos).zip(scales) {
            let span = spans.entry(wallet).or_insert(WalletSpan {
                scale,
                first: row.rowid,
                last: row.rowid,
            });
            span.first = span.first.min(row.rowid);
            span.last = span.last.max(row.rowid);
        }
        let mut after: HashMap<i64, String> = HashMap::new();
        for (wallet, span) in spans {
            let Some(mut balance) = self.balance_before(wallet, span.first, span.scale)? else {
                continue;
            };
            let mut stmt = self.conn.prepare_cached(
                "SELECT rowid_pk, amount_minor FROM journal_entries
                 WHERE rowid_pk BETWEEN ?2 AND ?3 AND wallet_no = ?1 ORDER BY rowid_pk",
            )?;
            let lines = stmt.query_map([wallet, span.first, span.last], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
            })?;
            for line in lines {
                let (rowid, amount) = line?;
                balance += i128::from(amount.unwrap_or(0));
                if let Ok(minor) = i64::try_from(balance) {
                    after.insert(rowid, format_minor(minor, span.scale));
                }
            }
        }
        for row in rows {
            row.running_balance = after.remove(&row.rowid);
        }
        Ok(())
    }

    /// The wallet's balance before its line `rowid`; `None` when it does not fit 64 bits.
    fn balance_before(&self, wallet: i64, rowid: i64, scale: u8) -> Result<Option<i128>> {
        let opening = self.opening_balance(wallet, scale)?;
        let sum = self.sum_amounts(wallet, "rowid_pk < ?2", rowid)?;
        Ok(opening.zip(sum).map(|(o, s)| o + s))
    }

    /// The balance before the wallet's first line, from its first line stating a balance.
    fn opening_balance(&self, wallet: i64, scale: u8) -> Result<Option<i128>> {
        let stated: Option<(i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT rowid_pk, balance_minor FROM journal_entries
                 WHERE wallet_no = ?1 AND balance_minor IS NOT NULL ORDER BY rowid_pk LIMIT 1",
            )?
            .query_map([wallet], |r| Ok((r.get(0)?, r.get(1)?)))?
            .next()
            .transpose()?;
        let Some((rowid, balance)) = stated else {
            return Ok(Some(self.statement_opening(wallet, scale)?.unwrap_or(0)));
        };
        let through = self.sum_amounts(wallet, "rowid_pk <= ?2", rowid)?;
        Ok(through.map(|s| i128::from(balance) - s))
    }

    /// The opening balance (minor units) of the first statement file of the batch that holds
    /// the wallet's first line, when it states one at the wallet's scale.
    fn statement_opening(&self, wallet: i64, scale: u8) -> Result<Option<i128>> {
        let text: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT f.opening_balance FROM import_batch_files f
                 JOIN import_batches b ON b.id = f.batch_id
                 WHERE b.no = (SELECT batch_no FROM journal_entries WHERE wallet_no = ?1
                               ORDER BY rowid_pk LIMIT 1)
                   AND f.opening_balance IS NOT NULL
                 ORDER BY f.position LIMIT 1",
            )?
            .query_map([wallet], |r| r.get(0))?
            .next()
            .transpose()?;
        let minor = text.and_then(|t| t.parse::<Decimal>().ok()).and_then(|d| {
            let m = d.checked_mul(Decimal::from(10i64.checked_pow(u32::from(scale))?))?;
            m.fract().is_zero().then(|| m.to_i128()).flatten()
        });
        Ok(minor)
    }

    /// The sum of the wallet's amounts where `cond` holds; `None` past 64 bits (SQLite
    /// refuses to add past them rather than wrap).
    fn sum_amounts(&self, wallet: i64, cond: &str, rowid: i64) -> Result<Option<i128>> {
        let sql = format!(
            "SELECT coalesce(SUM(amount_minor), 0) FROM journal_entries WHERE {cond} AND wallet_no = ?1"
        );
        match self
            .conn
            .prepare_cached(&sql)?
            .query_row([wallet, rowid], |r| r.get::<_, i64>(0))
        {
            Ok(sum) => Ok(Some(i128::from(sum))),
            Err(rusqlite::Error::SqliteFailure(_, Some(msg)))
                if msg.contains("integer overflow") =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }
}
