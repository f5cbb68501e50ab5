//! The partner ledger (§6) in SQLite: programs, entities, conversions, settlements,
//! entries and their posting lines. SQL only: the rules (commissions, balance, status
//! moves, reversals) are `recon_core::ledger`'s; every change goes through `Store::write`.
//!
//! - `programs`: programs and entities (the affiliate tree).
//! - `conversions`: conversion imports, approvals (with their entry), rejections.
//! - `settlements`: settlement imports (revenue + direct and override commissions).
//! - `entries`: listing, one entry's detail, reversal.
//! - `reports`: summaries, account balances, verification, export rows.

mod conversions;
pub(crate) mod digest;
mod entries;
mod programs;
pub(crate) mod remote;
pub(crate) mod remote_settlements;
mod reports;
mod settlement_events;
mod settlements;
pub(crate) mod undo;

pub use reports::{AccountRow, SummaryRow, VerifyFailure, VerifyReport};

use crate::{Result, StoreError};
use recon_core::ledger::{EntityType, Line, ProgramStatus, Rate, RoundingMode, Terms};
use recon_core::money::Currency;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// A program as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramView {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub status: ProgramStatus,
    pub currency: Currency,
    pub direct_rate: Rate,
    pub override_rate: Rate,
    pub rounding: RoundingMode,
    pub created_at: String,
}

impl ProgramView {
    pub fn terms(&self) -> Terms {
        Terms {
            direct_rate: self.direct_rate,
            override_rate: self.override_rate,
            rounding: self.rounding,
            currency: self.currency.clone(),
        }
    }
}

/// A new program as asked for (already parsed by the caller).
#[derive(Debug, Clone)]
pub struct NewProgram {
    pub slug: String,
    pub name: String,
    pub currency: String,
    pub direct_rate: Rate,
    pub override_rate: Rate,
    pub rounding: RoundingMode,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntityView {
    pub id: i64,
    pub program: String,
    pub entity_type: EntityType,
    pub entity_ref: String,
    pub name: String,
    pub parent: Option<String>,
    pub depth: u32,
    pub payout_per_conversion_minor: Option<i64>,
    pub currency: Currency,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct NewEntity {
    pub program: String,
    pub entity_type: EntityType,
    pub entity_ref: String,
    pub name: String,
    pub parent: Option<String>,
    /// Decimal text in the program's currency.
    pub payout_per_conversion: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConversionView {
    pub program: String,
    pub conversion_id: String,
    pub sponsor_ref: String,
    pub occurred_at: String,
    pub description: String,
    pub status: String,
    pub reason: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub entry_id: Option<i64>,
}

/// An approval's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Approval {
    Approved { entry_id: i64 },
    AlreadyExists { entry_id: Option<i64> },
}

/// What a conversion or settlement import did.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerImport {
    pub program: String,
    pub file: String,
    pub read: u64,
    pub inserted: u64,
    pub duplicates: u64,
    pub entries_created: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntryView {
    pub id: i64,
    pub program: String,
    pub entity_type: String,
    pub entity_ref: String,
    pub source: String,
    pub source_ref: String,
    pub status: String,
    pub gross_minor: Option<i64>,
    pub earnings_minor: i64,
    pub residue: String,
    pub currency: String,
    pub scale: u8,
    pub description: String,
    pub period: String,
    pub occurred_at: String,
    pub created_at: String,
    pub txn_id: i64,
    pub payout_batch: Option<String>,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub reason: Option<String>,
}

/// Filters of [`crate::Store::ledger_entries`].
#[derive(Debug, Clone, Default)]
pub struct EntryQuery {
    pub program: Option<String>,
    pub status: Option<String>,
    pub entity: Option<String>,
    pub period: Option<String>,
    pub limit: Option<u32>,
    pub offset: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostingView {
    pub txn_id: i64,
    pub line: u32,
    pub account: String,
    pub currency: String,
    pub scale: u8,
    pub amount_minor: i64,
}

fn parse_enum<T>(r: std::result::Result<T, String>) -> rusqlite::Result<T> {
    r.map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
    })
}

const PROGRAM_SELECT: &str = "SELECT p.id, p.slug, p.name, p.status, p.currency, c.scale, c.name,
    p.direct_rate, p.override_rate, p.rounding, p.created_at
    FROM ledger_programs p JOIN currencies c ON c.code = p.currency";

fn program_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProgramView> {
    Ok(ProgramView {
        id: r.get(0)?,
        slug: r.get(1)?,
        name: r.get(2)?,
        status: parse_enum(ProgramStatus::parse(&r.get::<_, String>(3)?))?,
        currency: Currency {
            code: r.get(4)?,
            scale: r.get(5)?,
            name: r.get(6)?,
        },
        direct_rate: parse_enum(Rate::parse(&r.get::<_, String>(7)?))?,
        override_rate: parse_enum(Rate::parse(&r.get::<_, String>(8)?))?,
        rounding: parse_enum(RoundingMode::parse(&r.get::<_, String>(9)?))?,
        created_at: r.get(10)?,
    })
}

/// The program named `slug`, or "no program named …".
pub(crate) fn program_by_slug(conn: &Connection, slug: &str) -> Result<ProgramView> {
    conn.prepare_cached(&format!("{PROGRAM_SELECT} WHERE p.slug = ?1"))?
        .query_row([slug], program_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "program",
            name: slug.to_owned(),
        })
}

/// The id of account `name`, created on first use.
pub(crate) fn account_id(tx: &Transaction<'_>, name: &str) -> Result<i64> {
    if let Some(id) = tx
        .prepare_cached("SELECT id FROM ledger_accounts WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?
    {
        return Ok(id);
    }
    tx.prepare_cached("INSERT INTO ledger_accounts (name) VALUES (?1)")?
        .execute([name])?;
    Ok(tx.last_insert_rowid())
}

/// The next unused transaction number.
pub(crate) fn next_txn_id(tx: &Transaction<'_>) -> Result<i64> {
    Ok(tx
        .prepare_cached("SELECT COALESCE(MAX(txn_id), 0) + 1 FROM ledger_postings")?
        .query_row([], |r| r.get(0))?)
}

/// Writes `lines` as transaction `txn_id`, numbered from `first_line`, after checking the
/// balance rule (the caller passes every line of the transaction it is writing).
pub(crate) fn insert_lines(
    tx: &Transaction<'_>,
    txn_id: i64,
    first_line: u32,
    lines: &[Line],
    account: &mut impl FnMut(&Transaction<'_>, &str) -> Result<i64>,
) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO ledger_postings (txn_id, line, account_id, currency, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, l) in lines.iter().enumerate() {
        let account_id = account(tx, &l.account)?;
        insert.execute(params![
            txn_id,
            first_line + i as u32,
            account_id,
            l.currency,
            l.amount_minor
        ])?;
    }
    Ok(())
}

/// The balance rule as a store error (checked before any line is written).
pub(crate) fn check_balanced(lines: &[Line], what: &str) -> Result<()> {
    recon_core::ledger::check_balanced(lines).map_err(|e| {
        StoreError::Invalid(format!("{what} does not balance: {e}; nothing was written"))
    })
}

fn refusal(e: recon_core::ledger::LedgerRefusal) -> StoreError {
    StoreError::Conflict(e.to_string())
}

impl From<recon_core::ledger::files::LedgerFileError> for StoreError {
    fn from(e: recon_core::ledger::files::LedgerFileError) -> Self {
        StoreError::Invalid(e.to_string())
    }
}
