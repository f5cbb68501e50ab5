//! Running-balance continuity of the journal wallets (ESI journals, bank files with a
//! balance column): one pass over the journal in its order (row id = date order, ESI lines
//! of a second in ESI id order), a `recon_core::checks::ContinuityScan` per wallet; the
//! dates of the lines around each break are looked up afterwards, by id. Statements that
//! state only their opening and closing balances are checked in the same pass (see
//! `statements`).

use super::statements::{StatementBreak, Statements};
use crate::{Result, Store, StoreError};
use recon_core::checks::{BalanceLine, ContinuityScan};
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

/// What a break is a break of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakKind {
    /// A line's balance is not the previous line's plus its amount.
    RunningBalance,
    /// A statement's opening plus its lines is not its closing.
    Statement,
    /// A statement's closing plus the lines after it is not the next statement's opening.
    BetweenStatements,
}

/// The statement a break names: its batch and file, and its balances (minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRef {
    pub batch_id: String,
    pub file_name: String,
    pub scale: u8,
    pub opening_minor: i64,
    pub closing_minor: i64,
}

/// A break, with the journal row ids of the lines around it, their dates, their keys in
/// the wallet (ESI id, `ref:…`, `fp:…`) and their 0-based places in the wallet's journal,
/// oldest first (what the Journal screen pages by). A statement's own break lies between
/// its first and last line; a statement with no line of its own has ids 0 and no dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContinuityBreak {
    pub kind: BreakKind,
    /// The statement, for a statement break; the later one, between statements.
    pub statement: Option<StatementRef>,
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
    /// Lines with a running balance that were checked.
    pub lines: i64,
    /// Statements with an opening and a closing balance that were checked.
    pub statements: i64,
    pub breaks: Vec<ContinuityBreak>,
}

/// One wallet in the journal pass: lines read so far (a line's place), the amounts read so
/// far summed (for the statement rules), and the running-balance scan. A scan's "date" is
/// the line's place; the date and key are read by id for the few breaks.
#[derive(Default)]
struct WalletPass {
    place: i64,
    total: i64,
    scan: ContinuityScan<i64>,
}

impl Store {
    /// Continuity of every journal wallet whose lines carry a balance, by wallet name; or
    /// of the one named (reported even when none of its lines carries a balance).
    pub fn journal_continuity(&self, wallet: Option<&str>) -> Result<Vec<ContinuityReport>> {
        let named = wallet.map(|n| self.wallet_by_name(n)).transpose()?;
        let wallet_no = named.as_ref().map(|w| w.no);
        let mut statements = Statements::load(&self.conn, wallet_no)?;
        let mut passes = self.journal_pass(wallet_no, &mut statements)?;
        let wallets = match named {
            Some(w) => vec![w],
            None => self.wallets()?,
        };
        let mut reports = Vec::new();
        for w in wallets {
            let (lines, breaks) = passes
                .remove(&w.no)
                .map(|p| p.scan.finish())
                .unwrap_or_default();
            let statement_count = statements.count(w.no);
            if lines == 0 && statement_count == 0 && wallet.is_none() {
                continue;
            }
            let mut found: Vec<ContinuityBreak> = breaks
                .into_iter()
                .map(|b| {
                    self.placed_break(
                        BreakKind::RunningBalance,
                        None,
                        (b.after_id, b.after_date),
                        (b.before_id, b.before_date),
                        [b.expected_minor, b.found_minor, b.missing_minor],
                    )
                })
                .collect::<Result<_>>()?;
            for b in statements.breaks(w.no) {
                found.push(self.statement_break(b)?);
            }
            found.sort_by_key(|b| (b.after_position, b.before_position));
            reports.push(ContinuityReport {
                wallet: w.name,
                currency: w.currency,
                scale: w.scale,
                lines: lines as i64,
                statements: statement_count,
                breaks: found,
            });
        }
        Ok(reports)
    }

    /// One pass over the journal in its order, every wallet's scan fed as it goes.
    fn journal_pass(
        &self,
        wallet_no: Option<i64>,
        statements: &mut Statements,
    ) -> Result<BTreeMap<i64, WalletPass>> {
        let track = !statements.is_empty();
        let mut passes: BTreeMap<i64, WalletPass> = BTreeMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT rowid_pk, wallet_no, amount_minor, balance_minor, batch_no FROM journal_entries
             WHERE ?1 IS NULL OR wallet_no = ?1 ORDER BY rowid_pk",
        )?;
        let mut rows = stmt.query([wallet_no])?;
        while let Some(r) = rows.next()? {
            let pass = passes.entry(r.get(1)?).or_default();
            let position = pass.place;
            pass.place += 1;
            let amount = r.get::<_, Option<i64>>(2)?;
            if track {
                let (id, batch_no, moved) = (r.get(0)?, r.get(4)?, amount.unwrap_or(0));
                statements.see(batch_no, id, position, moved, pass.total);
                pass.total = pass.total.saturating_add(moved);
            }
            match (amount, r.get::<_, Option<i64>>(3)?) {
                (Some(amount_minor), Some(balance_minor)) => pass.scan.push(BalanceLine {
                    id: r.get(0)?,
                    date: position,
                    amount_minor,
                    balance_minor,
                }),
                _ => pass.scan.unbalanced_line(),
            }
        }
        Ok(passes)
    }

    fn statement_break(&self, b: StatementBreak) -> Result<ContinuityBreak> {
        let gap = [b.gap.expected_minor, b.gap.found_minor, b.gap.missing_minor];
        self.placed_break(b.kind, Some(b.statement), b.after, b.before, gap)
    }

    /// A break with the dates and keys of the lines around it (none for id 0).
    fn placed_break(
        &self,
        kind: BreakKind,
        statement: Option<StatementRef>,
        (after_id, after_position): (i64, i64),
        (before_id, before_position): (i64, i64),
        [expected_minor, found_minor, missing_minor]: [i64; 3],
    ) -> Result<ContinuityBreak> {
        let line = |id: i64| match id {
            0 => Ok((String::new(), String::new())),
            id => self.journal_line(id),
        };
        let (after_date, after_key) = line(after_id)?;
        let (before_date, before_key) = line(before_id)?;
        Ok(ContinuityBreak {
            kind,
            statement,
            after_id,
            after_date,
            after_key,
            after_position,
            before_id,
            before_date,
            before_key,
            before_position,
            expected_minor,
            found_minor,
            missing_minor,
        })
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
