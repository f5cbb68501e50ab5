//! Expected payments: imported from a file, added or edited by hand, listed.

use super::events;
use super::records::{
    expected_by_id, expected_by_memo, expected_from_row, expected_select, expected_with_memo,
    ExpectedRecord,
};
use super::views::{ExpectedEdit, ExpectedImportSummary, ExpectedView, LinkView, NewExpected};
use crate::write::{Audit, Change, RenderedAudit};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::matching::{
    check_editable, check_edited_text, default_memo, expected_amount, normalize_memo,
    parse_expected, AmountRefusal, ExpectedIdentity, ExpectedRow, ExpectedStatus, LinkType,
    PaymentState, ReviewRefusal,
};
use recon_core::money::{format_minor, Currency, Money};
use rusqlite::{params, Connection, Transaction};
use serde_json::json;
use std::collections::HashMap;

/// A row of an expected payments file, checked and ready to insert.
struct Prepared<'a> {
    row: &'a ExpectedRow,
    record: ExpectedRecord,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `count` random (v4) ids, in ascending order. Why: one read of the OS's random source for
/// the whole file instead of one per row (a tenth of an import's time went to that system
/// call); and ids handed out in ascending order append to the primary-key index instead of
/// splitting pages all over it. Each id is as random as `Uuid::new_v4`'s.
fn new_ids_sorted(count: usize) -> Result<Vec<String>> {
    let mut random = vec![0u8; count * 16];
    getrandom::fill(&mut random)
        .map_err(|e| StoreError::Invalid(format!("cannot read the OS's random source: {e}")))?;
    let mut ids: Vec<String> = random
        .chunks_exact(16)
        .map(|bytes| {
            let bytes: [u8; 16] = bytes.try_into().expect("chunks of 16 bytes");
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .to_string()
        })
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

/// An expected payment about to be inserted: awaiting payment, nothing received.
pub(super) fn new_record(
    id: String,
    cycle_id: &str,
    character_name: &str,
    character_id: Option<i64>,
    memo: &str,
    expected: Money,
    currency: &Currency,
) -> ExpectedRecord {
    ExpectedRecord {
        id,
        cycle_id: cycle_id.to_owned(),
        character_name: character_name.to_owned(),
        character_id,
        memo: memo.to_owned(),
        memo_normalized: normalize_memo(memo),
        currency: Currency {
            code: currency.code.clone(),
            scale: currency.scale,
            name: String::new(),
        },
        expected,
        state: PaymentState {
            status: ExpectedStatus::AwaitingPayment,
            actual: None,
            actual_payer_id: None,
            amount_adjusted: false,
            validated_at: None,
        },
    }
}

pub(super) fn identity(e: &ExpectedRecord) -> ExpectedIdentity<'_> {
    ExpectedIdentity {
        cycle_id: &e.cycle_id,
        character_name: &e.character_name,
        character_id: e.character_id,
        amount: &e.expected,
    }
}

/// Checks every row of a file on its own and against the others (no memo twice).
fn prepare_rows<'a>(
    rows: &'a [ExpectedRow],
    currencies: &HashMap<String, Currency>,
    bad: impl Fn(String) -> StoreError,
) -> Result<Vec<Prepared<'a>>> {
    let mut seen: HashMap<String, u64> = HashMap::with_capacity(rows.len());
    let mut prepared = Vec::with_capacity(rows.len());
    let ids = new_ids_sorted(rows.len())?;
    for (row, id) in rows.iter().zip(ids) {
        let currency = currencies.get(&row.currency).ok_or_else(|| {
            bad(format!(
                "line {}, column 'currency': unknown currency '{}' (add it with `recon currency add`)",
                row.line, row.currency
            ))
        })?;
        let amount = expected_amount(&row.amount_text, currency).map_err(|e| match e {
            AmountRefusal::Money(e) => {
                bad(format!("line {}, column 'expected_amount': {e}", row.line))
            }
            AmountRefusal::NotPositive => bad(format!(
                "line {}, column 'expected_amount': '{}' must be above zero",
                row.line, row.amount_text
            )),
        })?;
        let record = new_record(
            id,
            &row.cycle_id,
            &row.character_name,
            row.character_id,
            &row.memo,
            amount,
            currency,
        );
        if let Some(first) = seen.insert(record.memo_normalized.clone(), row.line) {
            return Err(bad(format!(
                "line {}, column 'memo': '{}' is the same memo as line {first} (memos must be unique, ignoring case and spacing)",
                row.line, row.memo
            )));
        }
        prepared.push(Prepared { row, record });
    }
    Ok(prepared)
}

pub(super) fn insert_row(
    tx: &Transaction<'_>,
    actor: &str,
    now: &str,
    e: &ExpectedRecord,
) -> Result<()> {
    // Why one row per statement: a multi-row INSERT measured slower (SQLite then keeps a
    // statement journal of every page it touches).
    tx.prepare_cached(
        "INSERT INTO expected_payments (id, cycle_id, character_name, character_id, memo, memo_normalized,
            expected_minor, currency, status, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        e.id,
        e.cycle_id,
        e.character_name,
        e.character_id,
        e.memo,
        e.memo_normalized,
        e.expected.minor_units(),
        e.currency.code,
        e.state.status.as_str(),
        now,
        actor
    ])?;
    Ok(())
}

/// The audit record of a new expected payment, rendered, attesting the row [`insert_row`]
/// wrote (hashed from memory: an import of 30,000 rows reads none of them back).
pub(super) fn created(e: &ExpectedRecord, actor: &str, now: &str) -> RenderedAudit {
    let content = crate::audit_digest::new_expected_row(
        &e.id,
        &e.cycle_id,
        &e.character_name,
        e.character_id,
        &e.memo,
        &e.memo_normalized,
        e.expected.minor_units(),
        &e.currency.code,
        e.state.status.as_str(),
        now,
        actor,
    );
    RenderedAudit {
        action: "expected.create",
        entity: "expected_payment",
        entity_id: e.id.clone(),
        before: None,
        after: Some(e.audit_text()),
        content: Some(content),
    }
}

fn insert_expected(
    tx: &Transaction<'_>,
    actor: &str,
    now: &str,
    e: &ExpectedRecord,
) -> Result<Audit> {
    insert_row(tx, actor, now, e)?;
    Ok(Audit {
        action: "expected.create",
        entity: "expected_payment",
        entity_id: e.id.clone(),
        before: None,
        after: Some(e.audit_json()),
    })
}

impl Store {
    /// Imports an expected payments file (CSV or JSON). The whole file lands or nothing:
    /// a bad row, or a memo that collides (normalized) with another row or with a different
    /// expected payment already in the ledger, refuses it naming the line. A row identical
    /// to one already held is a duplicate, so re-importing a file adds nothing.
    pub fn import_expected(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ExpectedImportSummary> {
        let bad = |detail: String| StoreError::Invalid(format!("{file_name}: {detail}"));
        let rows = parse_expected(bytes).map_err(|e| bad(e.to_string()))?;
        let currencies: HashMap<String, Currency> = self
            .currencies()?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect();
        let prepared = prepare_rows(&rows, &currencies, bad)?;
        let at = timestamp(now);
        self.write(actor, now, |tx| {
            let mut summary = ExpectedImportSummary {
                file: file_name.to_owned(),
                read: rows.len() as u64,
                inserted: 0,
                duplicates: 0,
            };
            let mut audit = Vec::with_capacity(prepared.len() + 1);
            let mut added = Vec::with_capacity(prepared.len());
            // Why: a ledger without expected payments holds no memo a row could collide
            // with (the file's own memos were checked against each other), so the first
            // import skips one lookup per row.
            let ledger_has_expected: bool = tx
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM expected_payments)")?
                .query_row([], |r| r.get(0))?;
            for Prepared { row, record } in &prepared {
                let held = if ledger_has_expected {
                    expected_with_memo(tx, &record.memo_normalized)?
                } else {
                    None
                };
                if let Some(held) = held {
                    if identity(&held) != identity(record) {
                        return Err(StoreError::Conflict(format!(
                            "{file_name}: line {}, column 'memo': '{}' already belongs to an expected payment of cycle {} for {} ({} {}); memos must be unique",
                            row.line, row.memo, held.cycle_id, held.character_name,
                            held.expected.amount_text(), held.currency.code
                        )));
                    }
                    summary.duplicates += 1;
                    continue;
                }
                insert_row(tx, actor, &at, record)?;
                audit.push(created(record, actor, &at));
                added.push(record.sync_payment());
                summary.inserted += 1;
            }
            audit.push(RenderedAudit::from(Audit {
                action: "expected.import",
                entity: "file",
                entity_id: file_name.to_owned(),
                before: None,
                after: Some(json!({
                    "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes)),
                    "read": summary.read, "inserted": summary.inserted, "duplicates": summary.duplicates,
                })),
            }));
            let events = events::expected_added(Some(file_name), added);
            Ok(Change::synced_rendered(summary, audit, events))
        })
    }

    /// Adds one expected payment by hand.
    pub fn add_expected(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        new: &NewExpected,
    ) -> Result<ExpectedView> {
        let currency = self.currency(&new.currency.to_uppercase())?;
        let field = |f: &str, why: String| StoreError::Invalid(format!("{f}: {why}"));
        if new.cycle_id.trim().is_empty() {
            return Err(field("cycle_id", "is empty".into()));
        }
        if new.character_name.trim().is_empty() {
            return Err(field("character_name", "is empty".into()));
        }
        let amount = expected_amount(new.expected_amount.trim(), &currency)
            .map_err(|e| field("expected_amount", e.to_string()))?;
        let memo = if new.memo.trim().is_empty() {
            default_memo(new.cycle_id.trim(), new.character_name.trim())
        } else {
            new.memo.trim().to_owned()
        };
        let record = new_record(
            new_id(),
            new.cycle_id.trim(),
            new.character_name.trim(),
            new.character_id,
            &memo,
            amount,
            &currency,
        );
        let at = timestamp(now);
        let id = self.write(actor, now, |tx| {
            if let Some(other) = expected_with_memo(tx, &record.memo_normalized)? {
                return Err(StoreError::Conflict(format!(
                    "memo: '{memo}' is already used by the expected payment '{}'",
                    other.memo
                )));
            }
            let audit = insert_expected(tx, actor, &at, &record)?;
            let events = events::expected_added(None, vec![record.sync_payment()]);
            Ok(Change::synced(record.id.clone(), audit, events))
        })?;
        self.expected_view_by_id(&id)
    }

    /// Changes the amount, memo or payer of an expected payment that is still awaiting
    /// (`recon_core::matching::check_editable`); a memo stays unique ignoring case and spacing.
    pub fn edit_expected(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        memo: &str,
        edit: &ExpectedEdit,
    ) -> Result<ExpectedView> {
        let before = expected_by_memo(&self.conn, memo)?;
        check_editable(&before.memo, before.state.status)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let after = edited(&self.currency(&before.currency.code)?, &before, edit)?;
        self.write(actor, now, |tx| {
            if after.memo_normalized != before.memo_normalized {
                if let Some(other) = expected_with_memo(tx, &after.memo_normalized)? {
                    return Err(StoreError::Conflict(format!(
                        "memo: '{}' is already used by the expected payment '{}'",
                        after.memo, other.memo
                    )));
                }
            }
            tx.prepare_cached(
                "UPDATE expected_payments SET expected_minor = ?2, character_id = ?3,
                    memo = ?4, memo_normalized = ?5, character_name = ?6 WHERE id = ?1",
            )?
            .execute(params![
                before.id,
                after.expected.minor_units(),
                after.character_id,
                after.memo,
                after.memo_normalized,
                after.character_name,
            ])?;
            let audit = Audit {
                action: "expected.edit",
                entity: "expected_payment",
                entity_id: before.id.clone(),
                before: Some(before.audit_json()),
                after: Some(after.audit_json()),
            };
            let renamed = (after.memo != before.memo).then_some(before.memo.as_str());
            let events = events::expected_edited(&after, renamed);
            Ok(Change::synced((), audit, events))
        })?;
        self.expected_view_by_id(&before.id)
    }

    pub fn expected_list(
        &self,
        cycle: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<ExpectedView>> {
        let status = status
            .map(ExpectedStatus::parse)
            .transpose()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut stmt = self.conn.prepare_cached(concat!(
            expected_select!(),
            " WHERE (?1 IS NULL OR e.cycle_id = ?1) AND (?2 IS NULL OR e.status = ?2)
             ORDER BY e.cycle_id, e.memo_normalized"
        ))?;
        let records: Vec<ExpectedRecord> = stmt
            .query_map(
                params![cycle, status.map(ExpectedStatus::as_str)],
                expected_from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        let mut links = links_by_expected(&self.conn, cycle)?;
        Ok(records
            .into_iter()
            .map(|e| {
                let l = links.remove(&e.id).unwrap_or_default();
                e.into_view(l)
            })
            .collect())
    }

    pub(super) fn expected_view_by_id(&self, id: &str) -> Result<ExpectedView> {
        let e = expected_by_id(&self.conn, id)?;
        let mut links = links_by_expected(&self.conn, Some(&e.cycle_id))?;
        let l = links.remove(id).unwrap_or_default();
        Ok(e.into_view(l))
    }
}

/// Active links by expected payment id (of one cycle, or all), oldest first.
pub(super) fn links_by_expected(
    conn: &Connection,
    cycle: Option<&str>,
) -> Result<HashMap<String, Vec<LinkView>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.expected_id, j.natural_key, w.name, j.date, l.amount_minor, c.scale,
                j.first_party_id, l.match_type, l.score, l.journal_rowid
         FROM match_links l
         JOIN expected_payments e ON e.id = l.expected_id
         JOIN journal_entries j ON j.rowid_pk = l.journal_rowid
         JOIN wallets w ON w.no = j.wallet_no
         JOIN currencies c ON c.code = w.currency
         WHERE l.removed_by_action IS NULL AND (?1 IS NULL OR e.cycle_id = ?1)
         ORDER BY l.id",
    )?;
    let mut out: HashMap<String, Vec<LinkView>> = HashMap::new();
    let rows = stmt.query_map([cycle], |r| {
        let scale: u8 = r.get(5)?;
        let match_type: String = r.get(7)?;
        let match_type = LinkType::parse(&match_type).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e))
        })?;
        Ok((
            r.get::<_, String>(0)?,
            LinkView {
                rowid: r.get(9)?,
                journal_id: r.get(1)?,
                wallet: r.get(2)?,
                date: r.get(3)?,
                amount: format_minor(r.get(4)?, scale),
                payer_id: r.get(6)?,
                match_type,
                score: r.get(8)?,
            },
        ))
    })?;
    for row in rows {
        let (id, link) = row?;
        out.entry(id).or_default().push(link);
    }
    Ok(out)
}

/// `before` with `edit` applied, each field checked as the reviewer typed it.
fn edited(
    currency: &Currency,
    before: &ExpectedRecord,
    edit: &ExpectedEdit,
) -> Result<ExpectedRecord> {
    let invalid = |e: ReviewRefusal| StoreError::Invalid(e.to_string());
    let mut after = before.clone();
    if let Some(text) = &edit.expected_amount {
        after.expected = expected_amount(text.trim(), currency)
            .map_err(|e| StoreError::Invalid(format!("expected_amount: {e}")))?;
    }
    if let Some(text) = &edit.memo {
        after.memo = check_edited_text("memo", text).map_err(invalid)?;
        after.memo_normalized = normalize_memo(&after.memo);
    }
    if let Some(text) = &edit.character_name {
        after.character_name = check_edited_text("character_name", text).map_err(invalid)?;
    }
    if let Some(id) = edit.character_id {
        after.character_id = id;
    }
    Ok(after)
}
