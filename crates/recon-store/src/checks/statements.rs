//! Continuity of statements that state only an opening and a closing balance (MT940, CAMT:
//! no balance on each line). Two rules, from `recon_core::checks::balance_gap`:
//!
//! - within a statement: its opening plus the lines of it the ledger holds (counted at
//!   import: inserted or already held) must be its closing;
//! - between statements, in journal order: a statement's closing plus the wallet's lines
//!   after its last line and before the next statement's first must be the next one's
//!   opening. Made only where the lines place both statements: each is its batch's only
//!   file, found no duplicates (a statement whose first lines were already held opens
//!   before its first own line) and they do not overlap.
//!
//! The journal pass in `continuity` feeds each line of a statement's batch to [`Statements::see`].

use super::continuity::{BreakKind, StatementRef};
use crate::{Result, StoreError};
use recon_core::checks::{balance_gap, BalanceGap};
use recon_core::money::to_minor;
use rusqlite::Connection;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// Where a statement batch's own lines lie in its wallet's journal.
#[derive(Debug, Clone, Copy)]
struct Span {
    first_id: i64,
    first_place: i64,
    last_id: i64,
    last_place: i64,
    /// The wallet's amounts summed over the lines before the first one.
    total_before_first: i64,
    /// … and up to and including the last one.
    total_after_last: i64,
    /// The batch's own lines, summed.
    own_minor: i64,
}

struct Statement {
    wallet_no: i64,
    batch_no: i64,
    reference: StatementRef,
    opening_minor: i64,
    closing_minor: i64,
    /// As counted at import (`None` for files imported before it was).
    held_minor: Option<i64>,
    /// The batch's only file, without duplicates: its lines are its batch's lines.
    alone: bool,
}

/// A break found by the statement rules, placed by journal line ids and places (`0` when
/// the statement has no line of its own in the journal).
#[derive(Debug, Clone)]
pub(super) struct StatementBreak {
    pub kind: BreakKind,
    pub statement: StatementRef,
    pub after: (i64, i64),
    pub before: (i64, i64),
    pub gap: BalanceGap,
}

/// The statements of the checked wallets and what the journal pass saw of their batches.
#[derive(Default)]
pub(super) struct Statements {
    list: Vec<Statement>,
    batches: HashSet<i64>,
    spans: HashMap<i64, Span>,
    /// The batch of the previous line fed, and whether it is a statement's.
    last_batch: Option<(i64, bool)>,
}

fn minor(text: &str, scale: u8, file: &str) -> Result<i64> {
    Decimal::from_str(text.trim())
        .ok()
        .and_then(|d| to_minor(d, scale).ok())
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "statement {file}: balance '{text}' is not an amount at the wallet's scale"
            ))
        })
}

impl Statements {
    /// The statements with both balances of every wallet, or of wallet `wallet_no`.
    pub fn load(conn: &Connection, wallet_no: Option<i64>) -> Result<Self> {
        let mut stmt = conn.prepare(
            "SELECT w.no, b.no, b.id, f.file_name, f.opening_balance, f.closing_balance, f.held_minor, c.scale,
                    f.duplicates = 0 AND (SELECT COUNT(*) FROM import_batch_files g WHERE g.batch_id = f.batch_id) = 1
             FROM import_batch_files f
             JOIN import_batches b ON b.id = f.batch_id
             JOIN wallets w ON w.id = b.wallet_id
             JOIN currencies c ON c.code = w.currency
             WHERE b.removed_at IS NULL AND f.opening_balance IS NOT NULL AND f.closing_balance IS NOT NULL
               AND (?1 IS NULL OR w.no = ?1)
             ORDER BY b.no, f.position",
        )?;
        let mut rows = stmt.query([wallet_no])?;
        let mut list = Vec::new();
        while let Some(r) = rows.next()? {
            let file_name: String = r.get(3)?;
            let scale: u8 = r.get(7)?;
            let (opening, closing): (String, String) = (r.get(4)?, r.get(5)?);
            let (opening_minor, closing_minor) = (
                minor(&opening, scale, &file_name)?,
                minor(&closing, scale, &file_name)?,
            );
            list.push(Statement {
                wallet_no: r.get(0)?,
                batch_no: r.get(1)?,
                opening_minor,
                closing_minor,
                held_minor: r.get(6)?,
                alone: r.get(8)?,
                reference: StatementRef {
                    batch_id: r.get(2)?,
                    file_name,
                    scale,
                    opening_minor,
                    closing_minor,
                },
            });
        }
        Ok(Self {
            batches: list.iter().map(|s| s.batch_no).collect(),
            list,
            ..Self::default()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Statements of wallet `wallet_no`.
    pub fn count(&self, wallet_no: i64) -> i64 {
        self.list
            .iter()
            .filter(|s| s.wallet_no == wallet_no)
            .count() as i64
    }

    /// A journal line of batch `batch_no`, at `place` in its wallet, carrying `amount`;
    /// `before` is the wallet's amounts summed over the lines before it.
    pub fn see(&mut self, batch_no: i64, id: i64, place: i64, amount: i64, before: i64) {
        let tracked = match self.last_batch {
            Some((b, tracked)) if b == batch_no => tracked,
            _ => {
                let tracked = self.batches.contains(&batch_no);
                self.last_batch = Some((batch_no, tracked));
                tracked
            }
        };
        if !tracked {
            return;
        }
        let after = before.saturating_add(amount);
        let span = self.spans.entry(batch_no).or_insert(Span {
            first_id: id,
            first_place: place,
            last_id: id,
            last_place: place,
            total_before_first: before,
            total_after_last: after,
            own_minor: 0,
        });
        span.last_id = id;
        span.last_place = place;
        span.total_after_last = after;
        span.own_minor = span.own_minor.saturating_add(amount);
    }

    /// The breaks of wallet `wallet_no`'s statements.
    pub fn breaks(&self, wallet_no: i64) -> Vec<StatementBreak> {
        let mine: Vec<&Statement> = self
            .list
            .iter()
            .filter(|s| s.wallet_no == wallet_no)
            .collect();
        let mut breaks = Vec::new();
        for s in &mine {
            let span = self.spans.get(&s.batch_no);
            let held = s
                .held_minor
                .or_else(|| s.alone.then(|| span.map_or(0, |p| p.own_minor)));
            let Some(held) = held else { continue };
            if let Some(gap) = balance_gap(s.opening_minor, held, s.closing_minor) {
                breaks.push(StatementBreak {
                    kind: BreakKind::Statement,
                    statement: s.reference.clone(),
                    after: span.map_or((0, 0), |p| (p.first_id, p.first_place)),
                    before: span.map_or((0, 0), |p| (p.last_id, p.last_place)),
                    gap,
                });
            }
        }
        let mut placed: Vec<(&Statement, &Span)> = mine
            .iter()
            .filter(|s| s.alone)
            .filter_map(|s| self.spans.get(&s.batch_no).map(|p| (*s, p)))
            .collect();
        placed.sort_by_key(|(_, p)| p.first_id);
        for pair in placed.windows(2) {
            let ((prev, p), (next, n)) = (pair[0], pair[1]);
            if p.last_id >= n.first_id {
                continue;
            }
            let moved = n.total_before_first.saturating_sub(p.total_after_last);
            if let Some(gap) = balance_gap(prev.closing_minor, moved, next.opening_minor) {
                breaks.push(StatementBreak {
                    kind: BreakKind::BetweenStatements,
                    statement: next.reference.clone(),
                    after: (p.last_id, p.last_place),
                    before: (n.first_id, n.first_place),
                    gap,
                });
            }
        }
        breaks
    }
}
