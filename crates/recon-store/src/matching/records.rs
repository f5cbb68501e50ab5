//! The rows matching reads: expected payments, receipts (journal lines) and links, each
//! turned into typed values (`Money`, `ExpectedStatus`, `LinkType`) as it leaves SQLite.
//! Every per-row statement is a constant, prepared once per connection (`prepare_cached`).

use super::views::{ExpectedView, LinkView, ReceiptView};
use crate::{Result, StoreError};
use recon_core::matching::{normalize_memo, ExpectedStatus, LinkType, PaymentState};
use recon_core::money::{format_minor, Currency, Money};
use recon_core::wallet::{wallet_key, WalletKind};
use recon_sync::matching::{ExpectedPayment, ExpectedRef, JournalRef, MatchLink};
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::json;

/// A column whose text names no variant: the ledger was written by something else.
fn bad_column(index: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
}

fn currency_of(code: String, scale: u8) -> Currency {
    Currency {
        code,
        scale,
        name: String::new(),
    }
}

#[derive(Debug, Clone)]
pub(super) struct ExpectedRecord {
    pub id: String,
    pub cycle_id: String,
    pub character_name: String,
    pub character_id: Option<i64>,
    pub memo: String,
    pub memo_normalized: String,
    pub currency: Currency,
    pub expected: Money,
    /// Status, actual amount and payer: what its links (and cycle openings) made of it.
    pub state: PaymentState,
}

impl ExpectedRecord {
    /// The audit log's picture of an expected payment (before and after each change).
    pub fn audit_json(&self) -> serde_json::Value {
        json!({
            "memo": self.memo, "cycle_id": self.cycle_id, "status": self.state.status.as_str(),
            "character_name": self.character_name, "character_id": self.character_id,
            "expected_amount": self.expected.amount_text(),
            "currency": self.currency.code,
            "actual_amount": self.state.actual.as_ref().map(Money::amount_text),
            "actual_payer_id": self.state.actual_payer_id,
            "amount_adjusted": self.state.amount_adjusted,
            "validated_at": self.state.validated_at,
        })
    }

    /// [`Self::audit_json`] rendered as text without building a `serde_json::Value`: the
    /// same keys, in the same (sorted) order, so the same text — `audit_text_is_audit_json`
    /// holds them to it.
    pub fn audit_text(&self) -> String {
        #[derive(serde::Serialize)]
        struct Picture<'a> {
            actual_amount: Option<String>,
            actual_payer_id: Option<i64>,
            amount_adjusted: bool,
            character_id: Option<i64>,
            character_name: &'a str,
            currency: &'a str,
            cycle_id: &'a str,
            expected_amount: String,
            memo: &'a str,
            status: &'a str,
            validated_at: Option<&'a str>,
        }
        let picture = Picture {
            actual_amount: self.state.actual.as_ref().map(Money::amount_text),
            actual_payer_id: self.state.actual_payer_id,
            amount_adjusted: self.state.amount_adjusted,
            character_id: self.character_id,
            character_name: &self.character_name,
            currency: &self.currency.code,
            cycle_id: &self.cycle_id,
            expected_amount: self.expected.amount_text(),
            memo: &self.memo,
            status: self.state.status.as_str(),
            validated_at: self.state.validated_at.as_deref(),
        };
        serde_json::to_string(&picture).expect("a struct of strings and numbers serializes")
    }

    pub fn sync_ref(&self) -> ExpectedRef {
        ExpectedRef {
            memo: self.memo.clone(),
            cycle_id: self.cycle_id.clone(),
        }
    }

    pub fn sync_payment(&self) -> ExpectedPayment {
        ExpectedPayment {
            memo: self.memo.clone(),
            cycle_id: self.cycle_id.clone(),
            character_name: self.character_name.clone(),
            character_id: self.character_id,
            expected_amount: self.expected.amount(),
            currency: self.currency.code.clone(),
            status: self.state.status.as_str().to_owned(),
        }
    }

    pub fn into_view(self, links: Vec<LinkView>) -> ExpectedView {
        ExpectedView {
            journal_ids: links.iter().map(|l| l.journal_id.clone()).collect(),
            match_type: links
                .iter()
                .find(|l| l.match_type == LinkType::Manual)
                .or(links.first())
                .map(|l| l.match_type),
            expected_amount: self.expected.amount_text(),
            actual_amount: self.state.actual.as_ref().map(Money::amount_text),
            id: self.id,
            memo: self.memo,
            cycle_id: self.cycle_id,
            character_name: self.character_name,
            character_id: self.character_id,
            status: self.state.status,
            currency: self.currency.code,
            actual_payer_id: self.state.actual_payer_id,
            amount_adjusted: self.state.amount_adjusted,
            validated_at: self.state.validated_at,
            links,
        }
    }
}

/// `SELECT` of an expected payment; a macro so each `WHERE` makes one constant statement.
macro_rules! expected_select {
    () => {
        "SELECT e.id, e.cycle_id, e.character_name, e.character_id, e.memo,
            e.memo_normalized, e.expected_minor, e.currency, c.scale, e.status, e.actual_minor,
            e.actual_payer_id, e.amount_adjusted, e.validated_at
         FROM expected_payments e JOIN currencies c ON c.code = e.currency"
    };
}
pub(super) use expected_select;

pub(super) fn expected_from_row(r: &Row<'_>) -> rusqlite::Result<ExpectedRecord> {
    let currency = currency_of(r.get(7)?, r.get(8)?);
    let status: String = r.get(9)?;
    let status = ExpectedStatus::parse(&status).map_err(|e| bad_column(9, e))?;
    let actual: Option<i64> = r.get(10)?;
    Ok(ExpectedRecord {
        id: r.get(0)?,
        cycle_id: r.get(1)?,
        character_name: r.get(2)?,
        character_id: r.get(3)?,
        memo: r.get(4)?,
        memo_normalized: r.get(5)?,
        expected: Money::from_minor(r.get(6)?, &currency),
        state: PaymentState {
            status,
            actual: actual.map(|m| Money::from_minor(m, &currency)),
            actual_payer_id: r.get(11)?,
            amount_adjusted: r.get(12)?,
            validated_at: r.get(13)?,
        },
        currency,
    })
}

pub(super) fn expected_by_id(conn: &Connection, id: &str) -> Result<ExpectedRecord> {
    Ok(conn
        .prepare_cached(concat!(expected_select!(), " WHERE e.id = ?1"))?
        .query_row([id], expected_from_row)?)
}

/// The expected payment holding `memo` (normalized), if any.
pub(super) fn expected_with_memo(
    conn: &Connection,
    normalized: &str,
) -> Result<Option<ExpectedRecord>> {
    Ok(conn
        .prepare_cached(concat!(expected_select!(), " WHERE e.memo_normalized = ?1"))?
        .query_row([normalized], expected_from_row)
        .optional()?)
}

pub(super) fn expected_by_memo(conn: &Connection, memo: &str) -> Result<ExpectedRecord> {
    expected_with_memo(conn, &normalize_memo(memo))?.ok_or_else(|| StoreError::NotFound {
        what: "expected payment with memo",
        name: memo.to_owned(),
    })
}

/// How the server knows a wallet: the parts of its sync key.
#[derive(Debug, Clone)]
pub(super) struct WalletKeyParts {
    kind: WalletKind,
    owner_id: Option<i64>,
    division: Option<i32>,
}

impl WalletKeyParts {
    fn from_row(r: &Row<'_>, first: usize) -> rusqlite::Result<Self> {
        let kind: String = r.get(first)?;
        Ok(Self {
            kind: WalletKind::parse(&kind).map_err(|e| bad_column(first, e))?,
            owner_id: r.get(first + 1)?,
            division: r.get(first + 2)?,
        })
    }

    fn journal_ref(&self, wallet_name: &str, journal_id: &str) -> JournalRef {
        JournalRef {
            wallet_key: wallet_key(self.kind, self.owner_id, self.division, wallet_name),
            journal_id: journal_id.to_owned(),
        }
    }
}

macro_rules! receipt_select {
    () => {
        "SELECT j.rowid_pk, j.natural_key, w.name, j.date, j.amount_minor,
            w.currency, c.scale, j.first_party_id, j.reason, j.description,
            w.kind, w.owner_id, w.division
         FROM journal_entries j JOIN wallets w ON w.no = j.wallet_no
         JOIN currencies c ON c.code = w.currency"
    };
}
pub(super) use receipt_select;

#[derive(Debug, Clone)]
pub(super) struct ReceiptRecord {
    pub view: ReceiptView,
    pub currency: Currency,
    pub amount: Money,
    wallet: WalletKeyParts,
}

impl ReceiptRecord {
    pub fn journal_ref(&self) -> JournalRef {
        self.wallet
            .journal_ref(&self.view.wallet, &self.view.journal_id)
    }
}

pub(super) fn receipt_from_row(r: &Row<'_>) -> rusqlite::Result<ReceiptRecord> {
    let amount_minor: i64 = r.get::<_, Option<i64>>(4)?.unwrap_or(0);
    let currency = currency_of(r.get(5)?, r.get(6)?);
    Ok(ReceiptRecord {
        amount: Money::from_minor(amount_minor, &currency),
        view: ReceiptView {
            rowid: r.get(0)?,
            journal_id: r.get(1)?,
            wallet: r.get(2)?,
            date: r.get(3)?,
            amount: format_minor(amount_minor, currency.scale),
            currency: currency.code.clone(),
            payer_id: r.get(7)?,
            reason: r.get(8)?,
            description: r.get(9)?,
        },
        wallet: WalletKeyParts::from_row(r, 10)?,
        currency,
    })
}

pub(super) fn receipt_by_rowid(conn: &Connection, rowid: i64) -> Result<ReceiptRecord> {
    conn.prepare_cached(concat!(receipt_select!(), " WHERE j.rowid_pk = ?1"))?
        .query_row([rowid], receipt_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "journal line",
            name: rowid.to_string(),
        })
}

/// One link with what an event needs to name both its ends.
#[derive(Debug, Clone)]
pub(super) struct LinkRecord {
    pub id: i64,
    pub expected_id: String,
    pub memo: String,
    pub journal_rowid: i64,
    pub event: MatchLink,
}

macro_rules! link_select {
    () => {
        "SELECT l.id, l.expected_id, e.memo, e.cycle_id, l.journal_rowid, l.amount_minor,
            c.scale, w.currency, l.match_type, l.score, j.natural_key, w.name,
            w.kind, w.owner_id, w.division
         FROM match_links l
         JOIN expected_payments e ON e.id = l.expected_id
         JOIN journal_entries j ON j.rowid_pk = l.journal_rowid
         JOIN wallets w ON w.no = j.wallet_no
         JOIN currencies c ON c.code = w.currency"
    };
}

fn link_from_row(r: &Row<'_>) -> rusqlite::Result<LinkRecord> {
    let memo: String = r.get(2)?;
    let currency = currency_of(r.get(7)?, r.get(6)?);
    let match_type: String = r.get(8)?;
    let match_type = LinkType::parse(&match_type).map_err(|e| bad_column(8, e))?;
    let journal_id: String = r.get(10)?;
    let wallet_name: String = r.get(11)?;
    let wallet = WalletKeyParts::from_row(r, 12)?;
    Ok(LinkRecord {
        id: r.get(0)?,
        expected_id: r.get(1)?,
        journal_rowid: r.get(4)?,
        event: MatchLink {
            expected: ExpectedRef {
                memo: memo.clone(),
                cycle_id: r.get(3)?,
            },
            journal: wallet.journal_ref(&wallet_name, &journal_id),
            amount: Money::from_minor(r.get(5)?, &currency).amount(),
            currency: currency.code,
            match_type: match_type.as_str().to_owned(),
            score: r.get(9)?,
        },
        memo,
    })
}

fn links_where(conn: &Connection, sql: &'static str, key: i64) -> Result<Vec<LinkRecord>> {
    let rows = conn
        .prepare_cached(sql)?
        .query_map([key], link_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Active links of one receipt, oldest first.
pub(super) fn active_links_of(conn: &Connection, rowid: i64) -> Result<Vec<LinkRecord>> {
    links_where(
        conn,
        concat!(
            link_select!(),
            " WHERE l.journal_rowid = ?1 AND l.removed_by_action IS NULL ORDER BY l.id"
        ),
        rowid,
    )
}

/// Links an action made that are still active.
pub(super) fn links_created_by(conn: &Connection, action: i64) -> Result<Vec<LinkRecord>> {
    links_where(
        conn,
        concat!(
            link_select!(),
            " WHERE l.created_by_action = ?1 AND l.removed_by_action IS NULL ORDER BY l.id"
        ),
        action,
    )
}

/// Links an action removed.
pub(super) fn links_removed_by(conn: &Connection, action: i64) -> Result<Vec<LinkRecord>> {
    links_where(
        conn,
        concat!(
            link_select!(),
            " WHERE l.removed_by_action = ?1 ORDER BY l.id"
        ),
        action,
    )
}

pub(super) fn is_rejected(conn: &Connection, rowid: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM receipt_rejections WHERE journal_rowid = ?1 AND removed_by_action IS NULL",
        )?
        .query_row([rowid], |_| Ok(()))
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: PaymentState) -> ExpectedRecord {
        let currency = currency_of("ISK".into(), 2);
        ExpectedRecord {
            id: "id-1".into(),
            cycle_id: "C \"7\"".into(),
            character_name: "Ädam \\ Smith".into(),
            character_id: Some(90_000_001),
            memo: "ARB 7 Ädam".into(),
            memo_normalized: "arb 7 ädam".into(),
            expected: Money::from_minor(1_250_000, &currency),
            currency,
            state,
        }
    }

    #[test]
    fn audit_text_is_audit_json() {
        let awaiting = PaymentState {
            status: ExpectedStatus::AwaitingPayment,
            actual: None,
            actual_payer_id: None,
            amount_adjusted: false,
            validated_at: None,
        };
        let currency = currency_of("ISK".into(), 2);
        let confirmed = PaymentState {
            status: ExpectedStatus::Confirmed,
            actual: Some(Money::from_minor(1_300_001, &currency)),
            actual_payer_id: Some(42),
            amount_adjusted: true,
            validated_at: Some("2026-12-01T10:00:00Z".into()),
        };
        for state in [awaiting, confirmed] {
            let mut r = record(state);
            assert_eq!(r.audit_text(), r.audit_json().to_string());
            r.character_id = None;
            assert_eq!(r.audit_text(), r.audit_json().to_string());
        }
    }
}
