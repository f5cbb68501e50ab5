//! Settlements (seed 002): each records its revenue (debit `system:settlements`, credit the
//! program's revenue) and accrues the direct commission to the referring affiliate and the
//! override to that affiliate's parent (never further up), each an entry with its own
//! balanced transaction. A file lands whole or not at all; a known settlement with the
//! same content is a duplicate.
//!
//! Bulk shape (a million settlements per file): the three insert statements are prepared
//! once per import, account ids are resolved once per account, every transaction is checked
//! by `recon_core::ledger::check_balanced_amounts` before its lines are written, and the
//! rows are hashed as they are inserted (the import's content digest, see `digest`).

use super::digest::{self, BatchDigest, BATCH_ENTITY};
use super::entries::EntryRow;
use super::{account_id, next_txn_id, program_by_slug, refusal, LedgerImport, ProgramView};
use crate::write::{Change, RenderedAudit};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::ledger::files::{period_of, read_settlements, SettlementRow};
use recon_core::ledger::postings::{
    check_balanced_amounts, expense_account, liability_account, revenue_account,
    SETTLEMENTS_ACCOUNT,
};
use recon_core::ledger::{
    check_accepts_entries, settlement_commissions, EntityType, EntrySource, PlannedCommission,
    Terms,
};
use recon_core::money::Money;
use rusqlite::{params, CachedStatement, OptionalExtension, Transaction};
use std::collections::HashMap;
use std::rc::Rc;

/// A program's affiliate as a settlement needs it.
struct Affiliate {
    id: i64,
    entity_ref: String,
    parent: Option<usize>,
    /// Its liability account, created on first use.
    liability: Option<i64>,
}

/// Account ids of the program's own accounts, created on first use.
#[derive(Default)]
struct Accounts {
    settlements: Option<i64>,
    revenue: Option<i64>,
    expense: Option<i64>,
}

fn cached(
    tx: &Transaction<'_>,
    slot: &mut Option<i64>,
    name: impl FnOnce() -> String,
) -> Result<i64> {
    if let Some(id) = *slot {
        return Ok(id);
    }
    let id = account_id(tx, &name())?;
    *slot = Some(id);
    Ok(id)
}

/// What one import keeps while it runs.
struct Import<'a> {
    tx: &'a Transaction<'a>,
    program: ProgramView,
    terms: Terms,
    by_ref: HashMap<String, usize>,
    affiliates: Vec<Affiliate>,
    accounts: Accounts,
    settlement_insert: CachedStatement<'a>,
    entry_insert: CachedStatement<'a>,
    line_insert: CachedStatement<'a>,
    file: &'a str,
    now: Rc<str>,
    currency: Rc<str>,
    next_txn: i64,
    report: LedgerImport,
    digest: BatchDigest,
    first_entry: Option<i64>,
    last_entry: i64,
    first_settlement: Option<i64>,
    last_settlement: i64,
    first_txn: i64,
}

impl<'a> Import<'a> {
    fn bad(&self, line: u64, why: String) -> StoreError {
        StoreError::Invalid(format!(
            "{}: line {line}: {why}; nothing was imported",
            self.file
        ))
    }

    /// Checks and writes one transaction of `lines` (account id, signed amount).
    fn post(&mut self, lines: [(i64, i64); 2], what: impl FnOnce() -> String) -> Result<i64> {
        let currency = &*self.currency;
        check_balanced_amounts(currency, &lines.map(|l| l.1)).map_err(|e| {
            StoreError::Invalid(format!(
                "{} does not balance: {e}; nothing was written",
                what()
            ))
        })?;
        let txn = self.next_txn;
        self.next_txn += 1;
        for (i, (account, amount)) in lines.iter().enumerate() {
            let line = i as u32 + 1;
            self.line_insert
                .execute(params![txn, line, account, currency, amount])?;
            self.digest
                .postings
                .add(&digest::posting_row(txn, line, *account, currency, *amount));
        }
        Ok(txn)
    }

    fn liability(&mut self, at: usize) -> Result<i64> {
        let a = &mut self.affiliates[at];
        let entity_ref = &a.entity_ref;
        cached(self.tx, &mut a.liability, || {
            liability_account(EntityType::Affiliate, entity_ref)
        })
    }

    fn row(&mut self, row: SettlementRow) -> Result<()> {
        self.report.read += 1;
        if row.currency != self.program.currency.code {
            return Err(self.bad(
                row.line,
                format!(
                    "settlement '{}' is in {} but program '{}' is in {}",
                    row.settlement_id, row.currency, self.program.slug, self.program.currency.code
                ),
            ));
        }
        let gross = Money::parse(&row.gross_text, &self.program.currency)
            .map_err(|e| self.bad(row.line, format!("column 'gross_amount': {e}")))?;
        if gross.minor_units() <= 0 {
            return Err(self.bad(
                row.line,
                format!(
                    "column 'gross_amount': '{}' must be above zero",
                    row.gross_text
                ),
            ));
        }
        let Some(&at) = self.by_ref.get(&row.affiliate_ref) else {
            return Err(self.bad(
                row.line,
                format!(
                    "no affiliate '{}' in program '{}'",
                    row.affiliate_ref, self.program.slug
                ),
            ));
        };
        let (affiliate_id, parent) = (self.affiliates[at].id, self.affiliates[at].parent);
        let revenue_txn = self.next_txn;
        let program_id = self.program.id;
        let inserted = self.settlement_insert.execute(params![
            program_id,
            row.settlement_id,
            row.user_ref,
            affiliate_id,
            gross.minor_units(),
            row.currency,
            row.occurred_at,
            revenue_txn
        ])?;
        if inserted == 0 {
            return self.duplicate(&row, affiliate_id, gross.minor_units());
        }
        let rowid = self.tx.last_insert_rowid();
        self.first_settlement.get_or_insert(rowid);
        self.last_settlement = rowid;
        self.digest.settlements.add(&digest::settlement_row(
            rowid,
            program_id,
            &row.settlement_id,
            &row.user_ref,
            affiliate_id,
            gross.minor_units(),
            &row.currency,
            &row.occurred_at,
            revenue_txn,
        ));
        self.report.inserted += 1;
        self.revenue(&row, &gross)?;
        let plan = settlement_commissions(&self.terms, &gross, parent.is_some())
            .map_err(|e| self.bad(row.line, e))?;
        for c in plan {
            let at = match c.level {
                0 => at,
                _ => parent.expect("an override is planned only under a parent"),
            };
            self.accrue(&row, gross.minor_units(), at, &c)?;
        }
        Ok(())
    }

    /// One commission: its accrual transaction (debit the program's expense, credit the
    /// entity's liability) and its entry.
    fn accrue(
        &mut self,
        row: &SettlementRow,
        gross_minor: i64,
        at: usize,
        c: &PlannedCommission,
    ) -> Result<()> {
        let source_ref = format!("{}:{}", row.settlement_id, c.kind.as_str());
        let amount = c.commission.amount.minor_units();
        let expense = cached(self.tx, &mut self.accounts.expense, || {
            expense_account(&self.program.slug)
        })?;
        let liability = self.liability(at)?;
        // An accrual: debit the program's expense, credit the entity's liability.
        let txn_id = self.post([(expense, amount), (liability, -amount)], || {
            format!("entry {source_ref}")
        })?;
        let (currency, now) = (self.currency.clone(), self.now.clone());
        let residue = c.commission.residue.to_string();
        let description = format!("{} commission, user {}", c.kind.as_str(), row.user_ref);
        self.entry(&EntryRow {
            program_id: self.program.id,
            entity_id: self.affiliates[at].id,
            source: EntrySource::Settlement,
            source_ref: &source_ref,
            status: "pending",
            gross_minor: Some(gross_minor),
            earnings_minor: amount,
            residue: &residue,
            currency: &currency,
            description: &description,
            period: period_of(&row.occurred_at),
            occurred_at: &row.occurred_at,
            created_at: &now,
            txn_id,
            reverses: None,
            reason: None,
        })?;
        Ok(())
    }

    /// The settlement's revenue: debit `system:settlements`, credit the program's revenue.
    fn revenue(&mut self, row: &SettlementRow, gross: &Money) -> Result<()> {
        let debit = cached(self.tx, &mut self.accounts.settlements, || {
            SETTLEMENTS_ACCOUNT.to_owned()
        })?;
        let credit = cached(self.tx, &mut self.accounts.revenue, || {
            revenue_account(&self.program.slug)
        })?;
        let g = gross.minor_units();
        self.post([(debit, g), (credit, -g)], || {
            format!("settlement '{}'", row.settlement_id)
        })?;
        Ok(())
    }

    fn entry(&mut self, e: &EntryRow<'_>) -> Result<()> {
        self.entry_insert.execute(params![
            e.program_id,
            e.entity_id,
            e.source.as_str(),
            e.source_ref,
            e.status,
            e.gross_minor,
            e.earnings_minor,
            e.residue,
            e.currency,
            e.description,
            e.period,
            e.occurred_at,
            e.created_at,
            e.txn_id
        ])?;
        let id = self.tx.last_insert_rowid();
        self.digest
            .entries
            .add(&recon_core::audit::row_hash(&digest::entry_cells(id, e)));
        self.first_entry.get_or_insert(id);
        self.last_entry = id;
        self.report.entries_created += 1;
        Ok(())
    }

    /// A settlement id already recorded: the same content is a duplicate, other content refuses the file.
    fn duplicate(
        &mut self,
        row: &SettlementRow,
        affiliate_id: i64,
        gross_minor: i64,
    ) -> Result<()> {
        let known: Option<(i64, String, i64, i64, String)> = self
            .tx
            .prepare_cached("SELECT program_id, user_ref, affiliate_id, gross_minor, occurred_at FROM ledger_settlements WHERE settlement_id = ?1")?
            .query_row([&row.settlement_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .optional()?;
        let same = (
            self.program.id,
            row.user_ref.clone(),
            affiliate_id,
            gross_minor,
            row.occurred_at.clone(),
        );
        if known.as_ref() == Some(&same) {
            self.report.duplicates += 1;
            return Ok(());
        }
        Err(self.bad(
            row.line,
            format!(
                "settlement '{}' is already recorded with other details",
                row.settlement_id
            ),
        ))
    }

    /// The import's one audit record: what it read and the id ranges of what it created,
    /// attesting those rows.
    fn audit(self, first_settlement: i64) -> (RenderedAudit, LedgerImport) {
        let r = &self.report;
        let after = serde_json::json!({"file": self.file, "read": r.read, "inserted": r.inserted,
            "duplicates": r.duplicates, "entries_created": r.entries_created,
            "first_entry_id": self.first_entry, "last_entry_id": self.first_entry.map(|_| self.last_entry),
            "first_settlement": first_settlement, "last_settlement": self.last_settlement,
            "first_txn": self.first_txn, "last_txn": self.next_txn - 1});
        let audit = RenderedAudit {
            action: "ledger.settlements_import",
            entity: BATCH_ENTITY,
            entity_id: format!("{}:{first_settlement}", self.program.slug),
            before: None,
            after: Some(after.to_string()),
            content: Some(self.digest.finish()),
        };
        (audit, self.report)
    }
}

/// The program's affiliates (index by ref) with their parents as indexes.
fn affiliates(
    tx: &Transaction<'_>,
    program_id: i64,
) -> Result<(Vec<Affiliate>, HashMap<String, usize>)> {
    let mut stmt = tx.prepare(
        "SELECT id, ref, parent_id FROM ledger_entities WHERE program_id = ?1 AND entity_type = 'affiliate'",
    )?;
    let rows: Vec<(i64, String, Option<i64>)> = stmt
        .query_map([program_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let at: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
    let by_ref = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.1.clone(), i))
        .collect();
    let list = rows
        .into_iter()
        .map(|(id, entity_ref, parent)| Affiliate {
            id,
            entity_ref,
            parent: parent.and_then(|p| at.get(&p).copied()),
            liability: None,
        })
        .collect();
    Ok((list, by_ref))
}

const SETTLEMENT_INSERT: &str = "INSERT INTO ledger_settlements (program_id, settlement_id, user_ref, affiliate_id, gross_minor, currency, occurred_at, txn_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (settlement_id) DO NOTHING";
const ENTRY_INSERT: &str = "INSERT INTO ledger_entries (program_id, entity_id, source, source_ref, status, gross_minor, earnings_minor,
        residue, currency, description, period, occurred_at, created_at, txn_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
const LINE_INSERT: &str = "INSERT INTO ledger_postings (txn_id, line, account_id, currency, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5)";

impl Store {
    /// Imports a settlements file: revenue and commissions for every new settlement, in one
    /// transaction, with one audit record and the settlements as outbox events. A big file
    /// (≥ `BULK_IMPORT_BYTES`) with no other connection open runs in rollback-journal
    /// mode, like a big bank import.
    pub fn import_settlements(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        program: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<LedgerImport> {
        let bulk = bytes.len() as u64 >= crate::bank_import::BULK_IMPORT_BYTES
            && self.enter_bulk_mode()?;
        let imported = self.import_settlements_tx(actor, now, program, file_name, bytes);
        if bulk {
            self.leave_bulk_mode();
        }
        imported
    }

    fn import_settlements_tx(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        program: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<LedgerImport> {
        self.write(actor, now, |tx| {
            let program = program_by_slug(tx, program)?;
            check_accepts_entries(&program.slug, program.status).map_err(refusal)?;
            let (list, by_ref) = affiliates(tx, program.id)?;
            let next_txn = next_txn_id(tx)?;
            let mut import = Import {
                tx,
                terms: program.terms(),
                by_ref,
                affiliates: list,
                accounts: Accounts::default(),
                settlement_insert: tx.prepare_cached(SETTLEMENT_INSERT)?,
                entry_insert: tx.prepare_cached(ENTRY_INSERT)?,
                line_insert: tx.prepare_cached(LINE_INSERT)?,
                file: file_name,
                now: timestamp(now).into(),
                currency: program.currency.code.as_str().into(),
                next_txn,
                report: LedgerImport {
                    program: program.slug.clone(),
                    file: file_name.to_owned(),
                    read: 0,
                    inserted: 0,
                    duplicates: 0,
                    entries_created: 0,
                },
                digest: BatchDigest::default(),
                first_entry: None,
                last_entry: 0,
                first_settlement: None,
                last_settlement: 0,
                first_txn: next_txn,
                program,
            };
            read_settlements(bytes, |row| import.row(row)).map_err(|e| match e {
                StoreError::Invalid(m) if !m.starts_with(file_name) => {
                    StoreError::Invalid(format!("{file_name}: {m}"))
                }
                other => other,
            })?;
            let Some(first_settlement) = import.first_settlement else {
                return Ok(Change::unchanged(import.report));
            };
            let (slug, scale) = (import.program.slug.clone(), import.program.currency.scale);
            let refs = import
                .affiliates
                .iter()
                .map(|a| (a.id, a.entity_ref.clone()))
                .collect();
            let first_entry = import.first_entry;
            let (audit, report) = import.audit(first_settlement);
            let stream =
                super::settlement_events::events(slug, scale, first_settlement, first_entry, refs);
            Ok(Change::synced_streamed(report, vec![audit], stream))
        })
    }
}

#[cfg(test)]
#[path = "settlement_tests.rs"]
mod tests;
