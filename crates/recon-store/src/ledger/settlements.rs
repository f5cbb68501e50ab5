//! Settlements (seed 002): each records its revenue (debit `system:settlements`, credit the
//! program's revenue) and accrues the direct commission to the referring affiliate and the
//! override to that affiliate's parent (never further up), each an entry with its own
//! balanced transaction. A file lands whole or not at all; a known settlement with the
//! same content is a duplicate.

use super::entries::{insert_entry, EntryRow};
use super::{
    account_id, check_balanced, insert_lines, next_txn_id, program_by_slug, refusal, LedgerImport,
    ProgramView,
};
use crate::write::{Change, EventStream, RenderedAudit};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::ledger::files::{period_of, read_settlements, SettlementRow};
use recon_core::ledger::postings::{accrual_lines, settlement_lines};
use recon_core::ledger::{
    check_accepts_entries, settlement_commissions, EntityType, EntrySource, Line, Terms,
};
use recon_core::money::{from_minor, Money};
use recon_sync::ledger::{Commission, Settlement, SettlementsImported, MAX_ITEMS_PER_EVENT};
use recon_sync::EventBody;
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::HashMap;
use std::str::FromStr;

/// A program's affiliate as a settlement needs it.
struct Affiliate {
    id: i64,
    parent: Option<(i64, String)>,
}

/// What one import keeps while it runs: the program, its affiliates, account ids by name.
struct Import<'a> {
    program: ProgramView,
    terms: Terms,
    affiliates: HashMap<String, Affiliate>,
    accounts: HashMap<String, i64>,
    file: &'a str,
    now: String,
    next_txn: i64,
    report: LedgerImport,
    first_entry: Option<i64>,
    last_entry: i64,
    first_settlement: Option<i64>,
}

impl Import<'_> {
    fn bad(&self, line: u64, why: String) -> StoreError {
        StoreError::Invalid(format!(
            "{}: line {line}: {why}; nothing was imported",
            self.file
        ))
    }

    fn lines(&mut self, tx: &Transaction<'_>, lines: &[Line], what: &str) -> Result<i64> {
        check_balanced(lines, what)?;
        let txn = self.next_txn;
        self.next_txn += 1;
        let accounts = &mut self.accounts;
        insert_lines(
            tx,
            txn,
            1,
            lines,
            &mut |tx, name| match accounts.get(name) {
                Some(id) => Ok(*id),
                None => {
                    let id = account_id(tx, name)?;
                    accounts.insert(name.to_owned(), id);
                    Ok(id)
                }
            },
        )?;
        Ok(txn)
    }

    fn row(&mut self, tx: &Transaction<'_>, row: SettlementRow) -> Result<()> {
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
        let Some(affiliate) = self.affiliates.get(&row.affiliate_ref) else {
            return Err(self.bad(
                row.line,
                format!(
                    "no affiliate '{}' in program '{}'",
                    row.affiliate_ref, self.program.slug
                ),
            ));
        };
        let (affiliate_id, parent) = (affiliate.id, affiliate.parent.clone());
        let revenue_txn = self.next_txn;
        let inserted = tx
            .prepare_cached(
                "INSERT INTO ledger_settlements (program_id, settlement_id, user_ref, affiliate_id, gross_minor, currency, occurred_at, txn_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (settlement_id) DO NOTHING",
            )?
            .execute(params![self.program.id, row.settlement_id, row.user_ref, affiliate_id, gross.minor_units(),
                row.currency, row.occurred_at, revenue_txn])?;
        if inserted == 0 {
            return self.duplicate(tx, &row, affiliate_id, gross.minor_units());
        }
        self.first_settlement.get_or_insert(tx.last_insert_rowid());
        self.report.inserted += 1;
        let slug = self.program.slug.clone();
        self.lines(
            tx,
            &settlement_lines(&slug, &gross),
            &format!("settlement '{}'", row.settlement_id),
        )?;
        let plan = settlement_commissions(&self.terms, &gross, parent.is_some())
            .map_err(|e| self.bad(row.line, e))?;
        for c in plan {
            let (entity_id, entity_ref) = match c.level {
                0 => (affiliate_id, row.affiliate_ref.clone()),
                _ => parent
                    .clone()
                    .expect("an override is planned only under a parent"),
            };
            let source_ref = format!("{}:{}", row.settlement_id, c.kind.as_str());
            let lines = accrual_lines(
                &slug,
                EntityType::Affiliate,
                &entity_ref,
                &c.commission.amount,
            );
            let txn_id = self.lines(tx, &lines, &format!("entry {source_ref}"))?;
            let residue = c.commission.residue.to_string();
            let description = format!("{} commission, user {}", c.kind.as_str(), row.user_ref);
            let id = insert_entry(
                tx,
                &EntryRow {
                    program_id: self.program.id,
                    entity_id,
                    source: EntrySource::Settlement,
                    source_ref: &source_ref,
                    status: "pending",
                    gross_minor: Some(gross.minor_units()),
                    earnings_minor: c.commission.amount.minor_units(),
                    residue: &residue,
                    currency: &self.program.currency.code,
                    description: &description,
                    period: period_of(&row.occurred_at),
                    occurred_at: &row.occurred_at,
                    created_at: &self.now,
                    txn_id,
                    reverses: None,
                    reason: None,
                },
            )?;
            self.first_entry.get_or_insert(id);
            self.last_entry = id;
            self.report.entries_created += 1;
        }
        Ok(())
    }

    /// A settlement id already recorded: the same content is a duplicate, other content refuses the file.
    fn duplicate(
        &mut self,
        tx: &Transaction<'_>,
        row: &SettlementRow,
        affiliate_id: i64,
        gross_minor: i64,
    ) -> Result<()> {
        let known: Option<(i64, String, i64, i64, String)> = tx
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
}

fn affiliates(tx: &Transaction<'_>, program_id: i64) -> Result<HashMap<String, Affiliate>> {
    let mut stmt = tx.prepare(
        "SELECT a.ref, a.id, p.id, p.ref FROM ledger_entities a LEFT JOIN ledger_entities p ON p.id = a.parent_id
         WHERE a.program_id = ?1 AND a.entity_type = 'affiliate'",
    )?;
    let rows = stmt.query_map([program_id], |r| {
        let parent_id: Option<i64> = r.get(2)?;
        let parent_ref: Option<String> = r.get(3)?;
        Ok((
            r.get::<_, String>(0)?,
            Affiliate {
                id: r.get(1)?,
                parent: parent_id.zip(parent_ref),
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Imports a settlements file: revenue and commissions for every new settlement, in one
    /// transaction, with one audit record and the settlements as outbox events.
    pub fn import_settlements(
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
            let mut import = Import {
                terms: program.terms(),
                affiliates: affiliates(tx, program.id)?,
                accounts: HashMap::new(),
                file: file_name,
                now: timestamp(now),
                next_txn: next_txn_id(tx)?,
                report: LedgerImport {
                    program: program.slug.clone(),
                    file: file_name.to_owned(),
                    read: 0,
                    inserted: 0,
                    duplicates: 0,
                    entries_created: 0,
                },
                first_entry: None,
                last_entry: 0,
                first_settlement: None,
                program,
            };
            read_settlements(bytes, |row| import.row(tx, row)).map_err(|e| match e {
                StoreError::Invalid(m) if !m.starts_with(file_name) => StoreError::Invalid(format!("{file_name}: {m}")),
                other => other,
            })?;
            let report = import.report.clone();
            let Some(first_settlement) = import.first_settlement else {
                return Ok(Change::unchanged(report));
            };
            let audit = RenderedAudit {
                action: "ledger.settlements_import",
                entity: "ledger_program",
                entity_id: import.program.slug.clone(),
                before: None,
                after: Some(serde_json::json!({"file": file_name, "read": report.read, "inserted": report.inserted,
                    "duplicates": report.duplicates, "entries_created": report.entries_created,
                    "first_entry_id": import.first_entry, "last_entry_id": import.first_entry.map(|_| import.last_entry)}).to_string()),
                // Ledger rows are guarded by their triggers and `ledger verify`; no content
                // digest attests them yet.
                content: None,
            };
            let stream = events(import.program.slug.clone(), import.program.currency.scale, first_settlement);
            Ok(Change::synced_streamed(report, vec![audit], stream))
        })
    }
}

/// The new settlements (rowid ≥ `first`) with their commissions, 500 per event, read back
/// from the transaction so only one event is in memory at a time.
fn events(program: String, scale: u8, first: i64) -> EventStream {
    Box::new(move |tx, emit| {
        let mut settlements = tx.prepare(
            "SELECT s.settlement_id, s.user_ref, a.ref, s.gross_minor, s.currency, s.occurred_at
             FROM ledger_settlements s JOIN ledger_entities a ON a.id = s.affiliate_id WHERE s.id >= ?1 ORDER BY s.id",
        )?;
        let mut commissions = tx.prepare_cached(
            "SELECT e.source_ref, n.ref, e.earnings_minor, e.residue FROM ledger_entries e JOIN ledger_entities n ON n.id = e.entity_id
             WHERE e.source = 'settlement' AND e.source_ref IN (?1 || ':direct', ?1 || ':override') ORDER BY e.id",
        )?;
        let mut rows = settlements.query([first])?;
        let mut chunk = Vec::with_capacity(MAX_ITEMS_PER_EVENT);
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let list = commissions
                .query_map([&id], |c| {
                    let source_ref: String = c.get(0)?;
                    let residue: String = c.get(3)?;
                    Ok(Commission {
                        kind: source_ref.rsplit(':').next().unwrap_or_default().to_owned(),
                        entity_ref: c.get(1)?,
                        earnings_amount: from_minor(c.get(2)?, scale),
                        rounding_residue: rust_decimal::Decimal::from_str(&residue)
                            .unwrap_or_default(),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            chunk.push(Settlement {
                settlement_id: id,
                user_ref: r.get(1)?,
                affiliate_ref: r.get(2)?,
                gross_amount: from_minor(r.get(3)?, scale),
                currency: r.get(4)?,
                occurred_at: r.get(5)?,
                commissions: list,
            });
            if chunk.len() == MAX_ITEMS_PER_EVENT {
                let settlements =
                    std::mem::replace(&mut chunk, Vec::with_capacity(MAX_ITEMS_PER_EVENT));
                emit(EventBody::SettlementsImported(SettlementsImported {
                    program: program.clone(),
                    settlements,
                }))?;
            }
        }
        if !chunk.is_empty() {
            emit(EventBody::SettlementsImported(SettlementsImported {
                program,
                settlements: chunk,
            }))?;
        }
        Ok(())
    })
}
