//! Expected payments, matching runs and the reviewer's steps (SPEC §5).
//!
//! The engine (`recon_core::matching`) decides; this module feeds it from the ledger and
//! records what it decided. Links are never deleted: unlinking stamps the action that
//! removed them. An expected payment's status, actual amount and actual payer are derived
//! from its active links every time they change ([`refresh_expected`]), with an audit
//! record of the before and after.

use crate::audit::{append, AuditEntry};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::matching::{
    self, normalize_memo, parse_expected, Expected, MatchRules, MemoSignal, Receipt, Score, Verdict,
};
use recon_core::money::{format_minor, parse_exact, to_minor, Currency};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How many suggestions a reviewer sees per row.
pub const SUGGESTIONS_PER_ROW: usize = 3;
const RULES_KEY: &str = "match_rules";

pub const STATUSES: [&str; 7] = [
    "awaiting_payment",
    "confirmed",
    "cancelled",
    "opted_in",
    "opted_out",
    "refunded",
    "paid_out",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedImportSummary {
    pub file: String,
    pub read: u64,
    pub inserted: u64,
    pub duplicates: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkView {
    pub journal_id: String,
    pub wallet: String,
    pub date: String,
    pub amount: String,
    pub payer_id: Option<i64>,
    pub match_type: String,
    pub score: Option<u32>,
}

/// An expected payment as listed (`recon expected list --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedView {
    pub id: String,
    pub memo: String,
    pub cycle_id: String,
    pub character_name: String,
    pub character_id: Option<i64>,
    pub status: String,
    pub currency: String,
    pub expected_amount: String,
    pub actual_amount: Option<String>,
    pub actual_payer_id: Option<i64>,
    pub amount_adjusted: bool,
    pub validated_at: Option<String>,
    /// ESI ids (or bank references) of the linked lines.
    pub journal_ids: Vec<String>,
    /// The type of the first link; `null` until paid.
    pub match_type: Option<String>,
    pub links: Vec<LinkView>,
}

/// A journal line that could pay an expected payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptView {
    /// The ledger's own row id: unique even where an ESI id is not.
    pub rowid: i64,
    pub journal_id: String,
    pub wallet: String,
    pub date: String,
    pub amount: String,
    pub currency: String,
    pub payer_id: Option<i64>,
    pub reason: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub memo: String,
    pub cycle_id: String,
    pub character_name: String,
    pub expected_amount: String,
    pub status: String,
    pub score: Score,
    /// The points a link would record: type `auto_exact`, … of the memo signal.
    pub match_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptSuggestions {
    #[serde(flatten)]
    pub receipt: ReceiptView,
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptSuggestionForExpected {
    #[serde(flatten)]
    pub receipt: ReceiptView,
    pub score: Score,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AwaitingSuggestions {
    #[serde(flatten)]
    pub expected: ExpectedView,
    pub suggestions: Vec<ReceiptSuggestionForExpected>,
}

/// The summary of `recon match`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchRunSummary {
    /// Expected payments that received at least one new link in this run.
    pub matched: u64,
    /// Receipts linked in this run.
    pub receipts_linked: u64,
    /// Of the matched, those whose received total differs from the expected amount.
    pub amount_adjusted: u64,
    /// Receipts whose best score ties between expected payments: left for review.
    pub ambiguous: u64,
    pub ambiguous_receipts: Vec<ReceiptSuggestions>,
    /// Receipts no expected payment qualifies for, with their best suggestions.
    pub unmatched_receipts: Vec<ReceiptSuggestions>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewQueues {
    pub unmatched_receipts: Vec<ReceiptSuggestions>,
    pub ambiguous_receipts: Vec<ReceiptSuggestions>,
    pub awaiting: Vec<AwaitingSuggestions>,
}

/// What a reviewer step did, for the status line and `recon match link|unlink|…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionSummary {
    pub action_id: i64,
    pub kind: String,
    pub links_added: u64,
    pub links_removed: u64,
    /// Expected payments whose status or amounts changed.
    pub expected_changed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleSummary {
    pub cycle_id: String,
    pub currency: String,
    pub awaiting: i64,
    pub confirmed: i64,
    pub cancelled: i64,
    pub other: i64,
    pub amount_adjusted: i64,
    pub expected_total: String,
    pub confirmed_total: String,
}

/// A new expected payment entered by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExpected {
    pub cycle_id: String,
    pub character_name: String,
    pub character_id: Option<i64>,
    pub expected_amount: String,
    pub currency: String,
    /// Empty = `ARB {cycle_id} {character_name}`.
    pub memo: String,
}

#[derive(Debug, Clone)]
struct ExpectedRecord {
    id: String,
    cycle_id: String,
    character_name: String,
    character_id: Option<i64>,
    memo: String,
    memo_normalized: String,
    expected_minor: i64,
    currency: String,
    scale: u8,
    status: String,
    actual_minor: Option<i64>,
    actual_payer_id: Option<i64>,
    amount_adjusted: bool,
    validated_at: Option<String>,
}

impl ExpectedRecord {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "memo": self.memo, "cycle_id": self.cycle_id, "status": self.status,
            "character_name": self.character_name, "character_id": self.character_id,
            "expected_amount": format_minor(self.expected_minor, self.scale),
            "currency": self.currency,
            "actual_amount": self.actual_minor.map(|m| format_minor(m, self.scale)),
            "actual_payer_id": self.actual_payer_id,
            "amount_adjusted": self.amount_adjusted,
            "validated_at": self.validated_at,
        })
    }
}

const EXPECTED_SELECT: &str = "SELECT e.id, e.cycle_id, e.character_name, e.character_id, e.memo,
        e.memo_normalized, e.expected_minor, e.currency, c.scale, e.status, e.actual_minor,
        e.actual_payer_id, e.amount_adjusted, e.validated_at
     FROM expected_payments e JOIN currencies c ON c.code = e.currency";

fn expected_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExpectedRecord> {
    Ok(ExpectedRecord {
        id: r.get(0)?,
        cycle_id: r.get(1)?,
        character_name: r.get(2)?,
        character_id: r.get(3)?,
        memo: r.get(4)?,
        memo_normalized: r.get(5)?,
        expected_minor: r.get(6)?,
        currency: r.get(7)?,
        scale: r.get(8)?,
        status: r.get(9)?,
        actual_minor: r.get(10)?,
        actual_payer_id: r.get(11)?,
        amount_adjusted: r.get(12)?,
        validated_at: r.get(13)?,
    })
}

fn expected_by_id(conn: &rusqlite::Connection, id: &str) -> Result<ExpectedRecord> {
    Ok(conn.query_row(
        &format!("{EXPECTED_SELECT} WHERE e.id = ?1"),
        [id],
        expected_from_row,
    )?)
}

fn expected_by_memo(conn: &rusqlite::Connection, memo: &str) -> Result<ExpectedRecord> {
    conn.query_row(
        &format!("{EXPECTED_SELECT} WHERE e.memo_normalized = ?1"),
        [normalize_memo(memo)],
        expected_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "expected payment with memo",
        name: memo.to_owned(),
    })
}

const RECEIPT_SELECT: &str = "SELECT j.rowid_pk, j.natural_key, w.name, j.date, j.amount_minor,
        w.currency, c.scale, j.first_party_id, j.reason, j.description
     FROM journal_entries j JOIN wallets w ON w.no = j.wallet_no
     JOIN currencies c ON c.code = w.currency";

#[derive(Debug, Clone)]
struct ReceiptRecord {
    view: ReceiptView,
    amount_minor: i64,
}

fn receipt_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReceiptRecord> {
    let amount_minor: i64 = r.get::<_, Option<i64>>(4)?.unwrap_or(0);
    let scale: u8 = r.get(6)?;
    Ok(ReceiptRecord {
        amount_minor,
        view: ReceiptView {
            rowid: r.get(0)?,
            journal_id: r.get(1)?,
            wallet: r.get(2)?,
            date: r.get(3)?,
            amount: format_minor(amount_minor, scale),
            currency: r.get(5)?,
            payer_id: r.get(7)?,
            reason: r.get(8)?,
            description: r.get(9)?,
        },
    })
}

fn receipt_by_rowid(conn: &rusqlite::Connection, rowid: i64) -> Result<ReceiptRecord> {
    conn.query_row(
        &format!("{RECEIPT_SELECT} WHERE j.rowid_pk = ?1"),
        [rowid],
        receipt_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "journal line",
        name: rowid.to_string(),
    })
}

fn link_type(signal: Option<MemoSignal>) -> &'static str {
    match signal {
        Some(MemoSignal::Equal) => "auto_exact",
        Some(MemoSignal::Contained) => "auto_contains",
        Some(MemoSignal::Distance(_)) => "auto_fuzzy",
        None => "manual",
    }
}

fn new_action(tx: &Transaction<'_>, kind: &str, actor: &str, now: DateTime<Utc>) -> Result<i64> {
    tx.execute(
        "INSERT INTO match_actions (kind, actor, at) VALUES (?1, ?2, ?3)",
        params![kind, actor, timestamp(now)],
    )?;
    Ok(tx.last_insert_rowid())
}

fn insert_link(
    tx: &Transaction<'_>,
    expected_id: &str,
    rowid: i64,
    amount_minor: i64,
    match_type: &str,
    score: Option<&Score>,
    action: i64,
) -> Result<()> {
    assert!(amount_minor > 0, "a link carries a positive amount");
    tx.execute(
        "INSERT INTO match_links (expected_id, journal_rowid, amount_minor, match_type, score, score_detail, created_by_action)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            expected_id,
            rowid,
            amount_minor,
            match_type,
            score.map(|s| s.total),
            score.map(|s| serde_json::to_string(s).expect("a score serializes")),
            action
        ],
    )?;
    Ok(())
}

/// Re-derives an expected payment from its active links; writes and audits any change.
/// Returns whether anything changed, and the record as it now stands.
fn refresh_expected(
    tx: &Transaction<'_>,
    actor: &str,
    now: DateTime<Utc>,
    expected_id: &str,
) -> Result<(bool, ExpectedRecord)> {
    let before = expected_by_id(tx, expected_id)?;
    let mut stmt = tx.prepare_cached(
        "SELECT l.amount_minor, j.first_party_id FROM match_links l
         JOIN journal_entries j ON j.rowid_pk = l.journal_rowid
         WHERE l.expected_id = ?1 AND l.removed_by_action IS NULL
         ORDER BY l.journal_rowid",
    )?;
    let links: Vec<(i64, Option<i64>)> = stmt
        .query_map([expected_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut after = before.clone();
    if links.is_empty() {
        after.actual_minor = None;
        after.actual_payer_id = None;
        after.amount_adjusted = false;
        if after.status == "confirmed" {
            after.status = "awaiting_payment".into();
            after.validated_at = None;
        }
    } else {
        let total = links
            .iter()
            .try_fold(0i64, |acc, (m, _)| acc.checked_add(*m))
            .ok_or_else(|| {
                StoreError::Invalid(format!("the payments of '{}' overflow", before.memo))
            })?;
        // The payer who paid most (earliest first on a tie) is the one payouts go to.
        let mut by_payer: Vec<(Option<i64>, i64)> = Vec::new();
        for (amount, payer) in &links {
            match by_payer.iter_mut().find(|(p, _)| p == payer) {
                Some(entry) => entry.1 += amount,
                None => by_payer.push((*payer, *amount)),
            }
        }
        let best = by_payer.iter().map(|(_, a)| *a).max().unwrap_or(0);
        after.actual_payer_id = by_payer
            .iter()
            .find(|(_, a)| *a == best)
            .and_then(|(p, _)| *p);
        after.actual_minor = Some(total);
        after.amount_adjusted = total != before.expected_minor;
        if after.status == "awaiting_payment" {
            after.status = "confirmed".into();
            after.validated_at = Some(timestamp(now));
        }
    }
    let changed = after.status != before.status
        || after.actual_minor != before.actual_minor
        || after.actual_payer_id != before.actual_payer_id
        || after.amount_adjusted != before.amount_adjusted
        || after.validated_at != before.validated_at;
    if changed {
        tx.prepare_cached(
            "UPDATE expected_payments SET status = ?2, actual_minor = ?3, actual_payer_id = ?4,
                amount_adjusted = ?5, validated_at = ?6 WHERE id = ?1",
        )?
        .execute(params![
            expected_id,
            after.status,
            after.actual_minor,
            after.actual_payer_id,
            after.amount_adjusted,
            after.validated_at
        ])?;
        append(
            tx,
            now,
            AuditEntry {
                actor,
                action: "expected.update",
                entity: "expected_payment",
                entity_id: expected_id,
                before: Some(before.audit_json()),
                after: Some(after.audit_json()),
            },
        )?;
    }
    Ok((changed, after))
}

/// Active links of one receipt: (link id, expected id, memo).
fn active_links_of(tx: &rusqlite::Connection, rowid: i64) -> Result<Vec<(i64, String, String)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT l.id, l.expected_id, e.memo FROM match_links l
         JOIN expected_payments e ON e.id = l.expected_id
         WHERE l.journal_rowid = ?1 AND l.removed_by_action IS NULL ORDER BY l.id",
    )?;
    let rows = stmt
        .query_map([rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn is_rejected(conn: &rusqlite::Connection, rowid: i64) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM receipt_rejections WHERE journal_rowid = ?1 AND removed_by_action IS NULL",
            [rowid],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The engine's view of the ledger: candidate expected payments and open receipts.
struct MatchInput {
    expected: Vec<ExpectedRecord>,
    engine_expected: Vec<Expected>,
    receipts: Vec<ReceiptRecord>,
    engine_receipts: Vec<Receipt>,
}

fn load_input(conn: &rusqlite::Connection, rules: &MatchRules) -> Result<MatchInput> {
    // Only awaiting and confirmed payments are candidates (§5); a later payment adds to a
    // confirmed one. Sorted by memo so the engine's indices are stable across runs.
    let mut stmt = conn.prepare(&format!(
        "{EXPECTED_SELECT} WHERE e.status IN ('awaiting_payment', 'confirmed') ORDER BY e.memo_normalized"
    ))?;
    let expected: Vec<ExpectedRecord> = stmt
        .query_map([], expected_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let engine_expected = expected
        .iter()
        .map(|e| Expected {
            memo: e.memo_normalized.clone(),
            amount_minor: e.expected_minor,
            currency: e.currency.clone(),
            payer_id: e.character_id,
        })
        .collect();

    let placeholders = vec!["?"; rules.ref_types.len().max(1)].join(", ");
    let mut stmt = conn.prepare(&format!(
        "{RECEIPT_SELECT}
         WHERE w.receiving = 1 AND j.amount_minor > 0 AND j.ref_type IN ({placeholders})
           AND NOT EXISTS (SELECT 1 FROM match_links l WHERE l.journal_rowid = j.rowid_pk AND l.removed_by_action IS NULL)
           AND NOT EXISTS (SELECT 1 FROM receipt_rejections r WHERE r.journal_rowid = j.rowid_pk AND r.removed_by_action IS NULL)
         ORDER BY j.rowid_pk"
    ))?;
    let ref_types: Vec<&str> = if rules.ref_types.is_empty() {
        vec![""]
    } else {
        rules.ref_types.iter().map(String::as_str).collect()
    };
    let receipts: Vec<ReceiptRecord> = stmt
        .query_map(rusqlite::params_from_iter(ref_types), receipt_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let engine_receipts = receipts
        .iter()
        .map(|r| {
            Receipt::new(
                r.view
                    .reason
                    .as_deref()
                    .into_iter()
                    .chain([r.view.description.as_str()]),
                r.amount_minor,
                &r.view.currency,
                r.view.payer_id,
            )
        })
        .collect();
    Ok(MatchInput {
        expected,
        engine_expected,
        receipts,
        engine_receipts,
    })
}

fn suggestion(e: &ExpectedRecord, score: Score) -> Suggestion {
    Suggestion {
        memo: e.memo.clone(),
        cycle_id: e.cycle_id.clone(),
        character_name: e.character_name.clone(),
        expected_amount: format_minor(e.expected_minor, e.scale),
        status: e.status.clone(),
        score,
        match_type: link_type(score.memo).to_owned(),
    }
}

fn with_suggestions(
    input: &MatchInput,
    i: usize,
    candidates: &[matching::Candidate],
) -> ReceiptSuggestions {
    ReceiptSuggestions {
        receipt: input.receipts[i].view.clone(),
        suggestions: candidates
            .iter()
            .map(|c| suggestion(&input.expected[c.expected], c.score))
            .collect(),
    }
}

impl Store {
    pub fn match_rules(&self) -> Result<MatchRules> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [RULES_KEY],
                |r| r.get(0),
            )
            .optional()?;
        match text {
            None => Ok(MatchRules::default()),
            Some(t) => serde_json::from_str(&t).map_err(|e| {
                StoreError::Invalid(format!("the saved matching rules are unreadable: {e}"))
            }),
        }
    }

    pub fn set_match_rules(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        rules: &MatchRules,
    ) -> Result<()> {
        if rules.ref_types.is_empty() {
            return Err(StoreError::Invalid(
                "matching needs at least one ref type".into(),
            ));
        }
        if rules.threshold == 0 {
            return Err(StoreError::Invalid(
                "a threshold of 0 would link every receipt; use 1 or more".into(),
            ));
        }
        let before = self.match_rules()?;
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![
                RULES_KEY,
                serde_json::to_string(rules).expect("rules serialize")
            ],
        )?;
        append(
            &tx,
            now,
            AuditEntry {
                actor,
                action: "match.rules",
                entity: "settings",
                entity_id: RULES_KEY,
                before: Some(serde_json::to_value(&before).expect("rules serialize")),
                after: Some(serde_json::to_value(rules).expect("rules serialize")),
            },
        )?;
        tx.commit()?;
        Ok(())
    }

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
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut prepared = Vec::with_capacity(rows.len());
        for row in &rows {
            let currency = currencies.get(&row.currency).ok_or_else(|| {
                bad(format!(
                    "line {}, column 'currency': unknown currency '{}' (add it with `recon currency add`)",
                    row.line, row.currency
                ))
            })?;
            let amount = parse_exact(&row.amount_text, currency)
                .map_err(|e| bad(format!("line {}, column 'expected_amount': {e}", row.line)))?;
            let minor = to_minor(amount, currency.scale)
                .map_err(|e| bad(format!("line {}, column 'expected_amount': {e}", row.line)))?;
            if minor <= 0 {
                return Err(bad(format!(
                    "line {}, column 'expected_amount': '{}' must be above zero",
                    row.line, row.amount_text
                )));
            }
            let normalized = normalize_memo(&row.memo);
            if let Some(first) = seen.insert(normalized.clone(), row.line) {
                return Err(bad(format!(
                    "line {}, column 'memo': '{}' is the same memo as line {first} (memos must be unique, ignoring case and spacing)",
                    row.line, row.memo
                )));
            }
            prepared.push((row, normalized, minor));
        }

        let tx = self.write_tx()?;
        let mut summary = ExpectedImportSummary {
            file: file_name.to_owned(),
            read: rows.len() as u64,
            inserted: 0,
            duplicates: 0,
        };
        for (row, normalized, minor) in prepared {
            let existing: Option<ExpectedRecord> = tx
                .query_row(
                    &format!("{EXPECTED_SELECT} WHERE e.memo_normalized = ?1"),
                    [&normalized],
                    expected_from_row,
                )
                .optional()?;
            if let Some(e) = existing {
                let same = e.cycle_id == row.cycle_id
                    && e.character_name == row.character_name
                    && e.character_id == row.character_id
                    && e.expected_minor == minor
                    && e.currency == row.currency;
                if !same {
                    return Err(StoreError::Conflict(format!(
                        "{file_name}: line {}, column 'memo': '{}' already belongs to an expected payment of cycle {} for {} ({} {}); memos must be unique",
                        row.line, row.memo, e.cycle_id, e.character_name,
                        format_minor(e.expected_minor, e.scale), e.currency
                    )));
                }
                summary.duplicates += 1;
                continue;
            }
            let id = uuid::Uuid::new_v4().to_string();
            insert_expected(
                &tx,
                actor,
                now,
                &id,
                row.cycle_id.as_str(),
                &row.character_name,
                row.character_id,
                &row.memo,
                &normalized,
                minor,
                &row.currency,
            )?;
            summary.inserted += 1;
        }
        append(
            &tx,
            now,
            AuditEntry {
                actor,
                action: "expected.import",
                entity: "file",
                entity_id: file_name,
                before: None,
                after: Some(json!({
                    "sha256": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes)),
                    "read": summary.read, "inserted": summary.inserted, "duplicates": summary.duplicates,
                })),
            },
        )?;
        tx.commit()?;
        Ok(summary)
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
        let amount = parse_exact(new.expected_amount.trim(), &currency)
            .map_err(|e| field("expected_amount", e.to_string()))?;
        let minor = to_minor(amount, currency.scale)
            .map_err(|e| field("expected_amount", e.to_string()))?;
        if minor <= 0 {
            return Err(field("expected_amount", "must be above zero".into()));
        }
        let memo = if new.memo.trim().is_empty() {
            matching::default_memo(new.cycle_id.trim(), new.character_name.trim())
        } else {
            new.memo.trim().to_owned()
        };
        let normalized = normalize_memo(&memo);
        let tx = self.write_tx()?;
        if let Some(other) = tx
            .query_row(
                "SELECT memo FROM expected_payments WHERE memo_normalized = ?1",
                [&normalized],
                |r| r.get::<_, String>(0),
            )
            .optional()?
        {
            return Err(StoreError::Conflict(format!(
                "memo: '{memo}' is already used by the expected payment '{other}'"
            )));
        }
        let id = uuid::Uuid::new_v4().to_string();
        insert_expected(
            &tx,
            actor,
            now,
            &id,
            new.cycle_id.trim(),
            new.character_name.trim(),
            new.character_id,
            &memo,
            &normalized,
            minor,
            &currency.code,
        )?;
        tx.commit()?;
        self.expected_view_by_id(&id)
    }

    /// Changes the expected amount (or payer) of an expected payment that is still awaiting.
    pub fn edit_expected(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        memo: &str,
        expected_amount: Option<&str>,
        character_id: Option<Option<i64>>,
    ) -> Result<ExpectedView> {
        let before = expected_by_memo(&self.conn, memo)?;
        if before.status != "awaiting_payment" {
            return Err(StoreError::Conflict(format!(
                "'{}' is {}; only an expected payment still awaiting payment can be edited",
                before.memo, before.status
            )));
        }
        let mut after = before.clone();
        if let Some(text) = expected_amount {
            let currency = self.currency(&before.currency)?;
            let amount = parse_exact(text.trim(), &currency)
                .map_err(|e| StoreError::Invalid(format!("expected_amount: {e}")))?;
            after.expected_minor = to_minor(amount, currency.scale)
                .map_err(|e| StoreError::Invalid(format!("expected_amount: {e}")))?;
            if after.expected_minor <= 0 {
                return Err(StoreError::Invalid(
                    "expected_amount: must be above zero".into(),
                ));
            }
        }
        if let Some(id) = character_id {
            after.character_id = id;
        }
        let tx = self.write_tx()?;
        tx.execute(
            "UPDATE expected_payments SET expected_minor = ?2, character_id = ?3 WHERE id = ?1",
            params![before.id, after.expected_minor, after.character_id],
        )?;
        append(
            &tx,
            now,
            AuditEntry {
                actor,
                action: "expected.edit",
                entity: "expected_payment",
                entity_id: &before.id,
                before: Some(before.audit_json()),
                after: Some(after.audit_json()),
            },
        )?;
        tx.commit()?;
        self.expected_view_by_id(&before.id)
    }

    pub fn expected_list(
        &self,
        cycle: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<ExpectedView>> {
        if let Some(s) = status {
            if !STATUSES.contains(&s) {
                return Err(StoreError::Invalid(format!(
                    "unknown status '{s}' (one of: {})",
                    STATUSES.join(", ")
                )));
            }
        }
        let mut stmt = self.conn.prepare(&format!(
            "{EXPECTED_SELECT} WHERE (?1 IS NULL OR e.cycle_id = ?1) AND (?2 IS NULL OR e.status = ?2)
             ORDER BY e.cycle_id, e.memo_normalized"
        ))?;
        let records: Vec<ExpectedRecord> = stmt
            .query_map(params![cycle, status], expected_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let mut links = self.links_by_expected(cycle)?;
        Ok(records
            .into_iter()
            .map(|e| {
                let l = links.remove(&e.id).unwrap_or_default();
                view_of(e, l)
            })
            .collect())
    }

    fn expected_view_by_id(&self, id: &str) -> Result<ExpectedView> {
        let e = expected_by_id(&self.conn, id)?;
        let mut links = self.links_by_expected(Some(&e.cycle_id))?;
        let l = links.remove(id).unwrap_or_default();
        Ok(view_of(e, l))
    }

    fn links_by_expected(&self, cycle: Option<&str>) -> Result<HashMap<String, Vec<LinkView>>> {
        let mut stmt = self.conn.prepare(
            "SELECT l.expected_id, j.natural_key, w.name, j.date, l.amount_minor, c.scale,
                    j.first_party_id, l.match_type, l.score
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
            Ok((
                r.get::<_, String>(0)?,
                LinkView {
                    journal_id: r.get(1)?,
                    wallet: r.get(2)?,
                    date: r.get(3)?,
                    amount: format_minor(r.get(4)?, scale),
                    payer_id: r.get(6)?,
                    match_type: r.get(7)?,
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

    /// Runs the engine over every open receipt and links each matched one. With `cycle`,
    /// receipts are still judged against every candidate (so a receipt whose best match is
    /// in another cycle never lands on a weaker one here), but only links into `cycle` are
    /// made. A second run changes nothing: linked receipts leave the input.
    pub fn match_run(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        cycle: Option<&str>,
    ) -> Result<MatchRunSummary> {
        let rules = self.match_rules()?;
        let tx = self.write_tx()?;
        let input = load_input(&tx, &rules)?;
        let results = matching::run(
            &rules,
            &input.engine_expected,
            &input.engine_receipts,
            SUGGESTIONS_PER_ROW,
        );
        let in_scope =
            |expected: usize| cycle.is_none_or(|c| input.expected[expected].cycle_id == c);
        let mut summary = MatchRunSummary {
            matched: 0,
            receipts_linked: 0,
            amount_adjusted: 0,
            ambiguous: 0,
            ambiguous_receipts: Vec::new(),
            unmatched_receipts: Vec::new(),
        };
        let mut touched: BTreeSet<usize> = BTreeSet::new();
        let mut action: Option<i64> = None;
        for (i, result) in results.iter().enumerate() {
            match &result.verdict {
                Verdict::Matched(c) if in_scope(c.expected) => {
                    let action = match action {
                        Some(a) => a,
                        None => *action.insert(new_action(&tx, "run", "auto", now)?),
                    };
                    let e = &input.expected[c.expected];
                    insert_link(
                        &tx,
                        &e.id,
                        input.receipts[i].view.rowid,
                        input.receipts[i].amount_minor,
                        link_type(c.score.memo),
                        Some(&c.score),
                        action,
                    )?;
                    summary.receipts_linked += 1;
                    touched.insert(c.expected);
                }
                Verdict::Matched(_) => {}
                Verdict::Ambiguous(tied) => {
                    if tied.iter().any(|c| in_scope(c.expected)) {
                        summary.ambiguous += 1;
                        summary.ambiguous_receipts.push(with_suggestions(
                            &input,
                            i,
                            &result.suggestions,
                        ));
                    }
                }
                Verdict::Unmatched => summary.unmatched_receipts.push(with_suggestions(
                    &input,
                    i,
                    &result.suggestions,
                )),
            }
        }
        for &e in &touched {
            let (_, after) = refresh_expected(&tx, actor, now, &input.expected[e].id)?;
            if after.amount_adjusted {
                summary.amount_adjusted += 1;
            }
        }
        summary.matched = touched.len() as u64;
        if let Some(action) = action {
            append(
                &tx,
                now,
                AuditEntry {
                    actor,
                    action: "match.run",
                    entity: "match_action",
                    entity_id: &action.to_string(),
                    before: None,
                    after: Some(json!({
                        "cycle": cycle, "matched": summary.matched,
                        "receipts_linked": summary.receipts_linked,
                        "amount_adjusted": summary.amount_adjusted,
                        "ambiguous": summary.ambiguous,
                        "unmatched": summary.unmatched_receipts.len(),
                    })),
                },
            )?;
        }
        tx.commit()?;
        Ok(summary)
    }

    /// The three review queues, each row with its best suggestions.
    pub fn review_queues(&self) -> Result<ReviewQueues> {
        let rules = self.match_rules()?;
        let input = load_input(&self.conn, &rules)?;
        let results = matching::run(
            &rules,
            &input.engine_expected,
            &input.engine_receipts,
            SUGGESTIONS_PER_ROW,
        );
        let mut queues = ReviewQueues {
            unmatched_receipts: Vec::new(),
            ambiguous_receipts: Vec::new(),
            awaiting: Vec::new(),
        };
        let mut per_expected: BTreeMap<usize, Vec<(usize, Score)>> = BTreeMap::new();
        for (i, result) in results.iter().enumerate() {
            for c in &result.suggestions {
                per_expected
                    .entry(c.expected)
                    .or_default()
                    .push((i, c.score));
            }
            match &result.verdict {
                // Matched receipts are linked by the next run or by "accept".
                Verdict::Matched(_) | Verdict::Unmatched => queues
                    .unmatched_receipts
                    .push(with_suggestions(&input, i, &result.suggestions)),
                Verdict::Ambiguous(_) => {
                    queues
                        .ambiguous_receipts
                        .push(with_suggestions(&input, i, &result.suggestions))
                }
            }
        }
        let mut links = self.links_by_expected(None)?;
        for (index, e) in input.expected.iter().enumerate() {
            if e.status != "awaiting_payment" {
                continue;
            }
            let mut suggestions = per_expected.remove(&index).unwrap_or_default();
            suggestions.sort_by(|a, b| {
                b.1.total
                    .cmp(&a.1.total)
                    .then(
                        input.receipts[a.0]
                            .view
                            .date
                            .cmp(&input.receipts[b.0].view.date),
                    )
                    .then(a.0.cmp(&b.0))
            });
            suggestions.truncate(SUGGESTIONS_PER_ROW);
            queues.awaiting.push(AwaitingSuggestions {
                expected: view_of(e.clone(), links.remove(&e.id).unwrap_or_default()),
                suggestions: suggestions
                    .into_iter()
                    .map(|(i, score)| ReceiptSuggestionForExpected {
                        receipt: input.receipts[i].view.clone(),
                        score,
                    })
                    .collect(),
            });
        }
        Ok(queues)
    }

    /// Finds the journal line a user means by an ESI id (or bank reference). Where the id is
    /// in several wallets, the incoming line of a receiving wallet is meant; still several is
    /// refused rather than guessed.
    pub fn resolve_journal_id(&self, journal_id: &str) -> Result<i64> {
        let mut stmt = self.conn.prepare(
            // CROSS JOIN: wallet by wallet through the (wallet, key) index, not a table scan.
            "SELECT j.rowid_pk, w.receiving, COALESCE(j.amount_minor, 0) > 0 FROM wallets w
             CROSS JOIN journal_entries j ON j.wallet_no = w.no AND j.natural_key = ?1
             ORDER BY j.rowid_pk",
        )?;
        let found: Vec<(i64, bool, bool)> = stmt
            .query_map([journal_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let preferred: Vec<i64> = found
            .iter()
            .filter(|(_, rec, inc)| *rec && *inc)
            .map(|f| f.0)
            .collect();
        match (found.len(), preferred.len()) {
            (0, _) => Err(StoreError::NotFound {
                what: "journal line with id",
                name: journal_id.to_owned(),
            }),
            (1, _) => Ok(found[0].0),
            (_, 1) => Ok(preferred[0]),
            _ => Err(StoreError::Conflict(format!(
                "journal id {journal_id} is in {} wallets; link it from the Review screen",
                found.len()
            ))),
        }
    }

    /// Links a receipt to an expected payment by hand (its whole amount).
    pub fn match_link(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        memo: &str,
        rowid: i64,
    ) -> Result<ActionSummary> {
        self.link_shares(actor, now, "link", rowid, &[(memo.to_owned(), None)])
    }

    /// Accepts a suggestion: a manual link recorded as the reviewer's acceptance.
    pub fn match_accept(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        memo: &str,
        rowid: i64,
    ) -> Result<ActionSummary> {
        self.link_shares(actor, now, "accept", rowid, &[(memo.to_owned(), None)])
    }

    /// Splits one receipt across expected payments; the shares must add up to the receipt.
    pub fn match_split(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        rowid: i64,
        shares: &[(String, String)],
    ) -> Result<ActionSummary> {
        if shares.len() < 2 {
            return Err(StoreError::Invalid(
                "a split needs at least two expected payments".into(),
            ));
        }
        let shares: Vec<(String, Option<String>)> = shares
            .iter()
            .map(|(m, a)| (m.clone(), Some(a.clone())))
            .collect();
        self.link_shares(actor, now, "split", rowid, &shares)
    }

    fn link_shares(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        kind: &str,
        rowid: i64,
        shares: &[(String, Option<String>)],
    ) -> Result<ActionSummary> {
        let rules = self.match_rules()?;
        let tx = self.write_tx()?;
        let receipt = receipt_by_rowid(&tx, rowid)?;
        let id = &receipt.view.journal_id;
        if receipt.amount_minor <= 0 {
            return Err(StoreError::Invalid(format!(
                "journal line {id} is not incoming money ({} {})",
                receipt.view.amount, receipt.view.currency
            )));
        }
        if let Some((_, _, memo)) = active_links_of(&tx, rowid)?.first() {
            return Err(StoreError::Conflict(format!(
                "journal line {id} is already linked to '{memo}'; unlink it first"
            )));
        }
        if is_rejected(&tx, rowid)? {
            return Err(StoreError::Conflict(format!(
                "journal line {id} was marked not a participation payment; undo that first"
            )));
        }
        let currency = currency_in(&tx, &receipt.view.currency)?;
        let engine_receipt = Receipt::new(
            receipt
                .view
                .reason
                .as_deref()
                .into_iter()
                .chain([receipt.view.description.as_str()]),
            receipt.amount_minor,
            &receipt.view.currency,
            receipt.view.payer_id,
        );
        let mut planned = Vec::new();
        let mut total = 0i64;
        for (memo, amount) in shares {
            let e = expected_by_memo(&tx, memo)?;
            if !matches!(e.status.as_str(), "awaiting_payment" | "confirmed") {
                return Err(StoreError::Conflict(format!(
                    "'{}' is {}; only expected payments awaiting payment or confirmed take payments",
                    e.memo, e.status
                )));
            }
            if e.currency != receipt.view.currency {
                return Err(StoreError::Invalid(format!(
                    "'{}' expects {} but journal line {id} is in {}",
                    e.memo, e.currency, receipt.view.currency
                )));
            }
            let share = match amount {
                None => receipt.amount_minor,
                Some(text) => {
                    let value = parse_exact(text.trim(), &currency).map_err(|err| {
                        StoreError::Invalid(format!("share for '{}': {err}", e.memo))
                    })?;
                    let minor = to_minor(value, currency.scale).map_err(|err| {
                        StoreError::Invalid(format!("share for '{}': {err}", e.memo))
                    })?;
                    if minor <= 0 {
                        return Err(StoreError::Invalid(format!(
                            "share for '{}': must be above zero",
                            e.memo
                        )));
                    }
                    minor
                }
            };
            if planned
                .iter()
                .any(|(p, _, _): &(ExpectedRecord, i64, Option<Score>)| p.id == e.id)
            {
                return Err(StoreError::Invalid(format!(
                    "'{}' appears twice in the split",
                    e.memo
                )));
            }
            total = total
                .checked_add(share)
                .ok_or_else(|| StoreError::Invalid("the shares overflow".into()))?;
            let signal = engine_receipt
                .texts
                .iter()
                .filter_map(|t| matching::memo_signal(&e.memo_normalized, t))
                .max_by_key(|s| s.strength());
            let expected = Expected {
                memo: e.memo_normalized.clone(),
                amount_minor: e.expected_minor,
                currency: e.currency.clone(),
                payer_id: e.character_id,
            };
            let score = matching::score(&rules, &expected, &engine_receipt, signal);
            planned.push((e, share, score));
        }
        if total != receipt.amount_minor {
            return Err(StoreError::Invalid(format!(
                "the shares add up to {} but journal line {id} is {} {}",
                format_minor(total, currency.scale),
                receipt.view.amount,
                receipt.view.currency
            )));
        }
        let action = new_action(&tx, kind, actor, now)?;
        let mut summary = ActionSummary {
            action_id: action,
            kind: kind.to_owned(),
            links_added: 0,
            links_removed: 0,
            expected_changed: Vec::new(),
        };
        for (e, share, score) in &planned {
            insert_link(&tx, &e.id, rowid, *share, "manual", score.as_ref(), action)?;
            summary.links_added += 1;
        }
        for (e, _, _) in &planned {
            if refresh_expected(&tx, actor, now, &e.id)?.0 {
                summary.expected_changed.push(e.memo.clone());
            }
        }
        audit_action(
            &tx,
            actor,
            now,
            &summary,
            json!({
                "journal_id": id,
                "shares": planned.iter().map(|(e, s, _)| json!({"memo": e.memo, "amount": format_minor(*s, currency.scale)})).collect::<Vec<_>>(),
            }),
        )?;
        tx.commit()?;
        Ok(summary)
    }

    /// Removes the active links of a receipt (only the one to `memo`, when given).
    pub fn match_unlink(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        rowid: i64,
        memo: Option<&str>,
    ) -> Result<ActionSummary> {
        let tx = self.write_tx()?;
        let receipt = receipt_by_rowid(&tx, rowid)?;
        let wanted = memo.map(normalize_memo);
        let links: Vec<(i64, String, String)> = active_links_of(&tx, rowid)?
            .into_iter()
            .filter(|(_, _, m)| wanted.as_ref().is_none_or(|w| *w == normalize_memo(m)))
            .collect();
        if links.is_empty() {
            return Err(StoreError::NotFound {
                what: "link of journal line",
                name: match memo {
                    Some(m) => format!("{} to '{m}'", receipt.view.journal_id),
                    None => receipt.view.journal_id.clone(),
                },
            });
        }
        let action = new_action(&tx, "unlink", actor, now)?;
        let mut summary = ActionSummary {
            action_id: action,
            kind: "unlink".into(),
            links_added: 0,
            links_removed: 0,
            expected_changed: Vec::new(),
        };
        for (link, _, _) in &links {
            tx.execute(
                "UPDATE match_links SET removed_by_action = ?2 WHERE id = ?1",
                params![link, action],
            )?;
            summary.links_removed += 1;
        }
        for (_, expected_id, memo) in &links {
            if refresh_expected(&tx, actor, now, expected_id)?.0 {
                summary.expected_changed.push(memo.clone());
            }
        }
        audit_action(
            &tx,
            actor,
            now,
            &summary,
            json!({"journal_id": receipt.view.journal_id}),
        )?;
        tx.commit()?;
        Ok(summary)
    }

    /// Marks a receipt "not a participation payment": it leaves the matching input.
    pub fn match_reject(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        rowid: i64,
        reason: &str,
    ) -> Result<ActionSummary> {
        let tx = self.write_tx()?;
        let receipt = receipt_by_rowid(&tx, rowid)?;
        if let Some((_, _, memo)) = active_links_of(&tx, rowid)?.first() {
            return Err(StoreError::Conflict(format!(
                "journal line {} is linked to '{memo}'; unlink it before rejecting it",
                receipt.view.journal_id
            )));
        }
        if is_rejected(&tx, rowid)? {
            return Err(StoreError::Conflict(format!(
                "journal line {} is already marked not a participation payment",
                receipt.view.journal_id
            )));
        }
        let action = new_action(&tx, "reject", actor, now)?;
        let reason = if reason.trim().is_empty() {
            "not a participation payment"
        } else {
            reason.trim()
        };
        tx.execute(
            "INSERT INTO receipt_rejections (journal_rowid, reason, created_by_action) VALUES (?1, ?2, ?3)",
            params![rowid, reason, action],
        )?;
        let summary = ActionSummary {
            action_id: action,
            kind: "reject".into(),
            links_added: 0,
            links_removed: 0,
            expected_changed: Vec::new(),
        };
        audit_action(
            &tx,
            actor,
            now,
            &summary,
            json!({"journal_id": receipt.view.journal_id, "reason": reason}),
        )?;
        tx.commit()?;
        Ok(summary)
    }

    /// Accepts the top suggestion of every open receipt whose best score is at least
    /// `min_score` and not tied. `dry_run` only counts.
    pub fn match_accept_above(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        min_score: u32,
        dry_run: bool,
    ) -> Result<ActionSummary> {
        let rules = self.match_rules()?;
        let tx = self.write_tx()?;
        let input = load_input(&tx, &rules)?;
        let results = matching::run(&rules, &input.engine_expected, &input.engine_receipts, 2);
        let picks: Vec<(usize, matching::Candidate)> = results
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let best = *r.suggestions.first()?;
                let tied = r
                    .suggestions
                    .get(1)
                    .is_some_and(|s| s.score.total == best.score.total);
                (best.score.memo.is_some() && best.score.total >= min_score && !tied)
                    .then_some((i, best))
            })
            .collect();
        let mut summary = ActionSummary {
            action_id: 0,
            kind: "bulk_accept".into(),
            links_added: picks.len() as u64,
            links_removed: 0,
            expected_changed: Vec::new(),
        };
        if dry_run || picks.is_empty() {
            return Ok(summary);
        }
        let action = new_action(&tx, "bulk_accept", actor, now)?;
        summary.action_id = action;
        let mut touched = BTreeSet::new();
        for (i, c) in &picks {
            let r = &input.receipts[*i];
            insert_link(
                &tx,
                &input.expected[c.expected].id,
                r.view.rowid,
                r.amount_minor,
                "manual",
                Some(&c.score),
                action,
            )?;
            touched.insert(c.expected);
        }
        for e in touched {
            if refresh_expected(&tx, actor, now, &input.expected[e].id)?.0 {
                summary
                    .expected_changed
                    .push(input.expected[e].memo.clone());
            }
        }
        audit_action(&tx, actor, now, &summary, json!({"min_score": min_score}))?;
        tx.commit()?;
        Ok(summary)
    }

    /// Reverses the newest reviewer step not yet undone (runs are not undone: unlink what
    /// a run linked instead). Refused when a link it would restore conflicts with one made since.
    pub fn match_undo(&mut self, actor: &str, now: DateTime<Utc>) -> Result<ActionSummary> {
        let tx = self.write_tx()?;
        let target: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, kind FROM match_actions
                 WHERE kind IN ('link', 'unlink', 'reject', 'split', 'accept', 'bulk_accept')
                   AND undone_by_action IS NULL ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((target, target_kind)) = target else {
            return Err(StoreError::NotFound {
                what: "reviewer step",
                name: "to undo".into(),
            });
        };
        let undo = new_action(&tx, "undo", actor, now)?;
        let mut summary = ActionSummary {
            action_id: undo,
            kind: format!("undo {target_kind}"),
            links_added: 0,
            links_removed: 0,
            expected_changed: Vec::new(),
        };
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let created: Vec<(i64, String)> = tx
            .prepare("SELECT id, expected_id FROM match_links WHERE created_by_action = ?1 AND removed_by_action IS NULL")?
            .query_map([target], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (link, expected_id) in created {
            tx.execute(
                "UPDATE match_links SET removed_by_action = ?2 WHERE id = ?1",
                params![link, undo],
            )?;
            summary.links_removed += 1;
            touched.insert(expected_id);
        }
        let removed: Vec<(i64, String, i64)> = tx
            .prepare("SELECT id, expected_id, journal_rowid FROM match_links WHERE removed_by_action = ?1")?
            .query_map([target], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (link, expected_id, rowid) in removed {
            if let Some((_, _, memo)) = active_links_of(&tx, rowid)?.first() {
                return Err(StoreError::Conflict(format!(
                    "cannot undo: the receipt has since been linked to '{memo}'; unlink it first"
                )));
            }
            if is_rejected(&tx, rowid)? {
                return Err(StoreError::Conflict(
                    "cannot undo: the receipt has since been marked not a participation payment"
                        .into(),
                ));
            }
            tx.execute(
                "UPDATE match_links SET removed_by_action = NULL WHERE id = ?1",
                [link],
            )?;
            summary.links_added += 1;
            touched.insert(expected_id);
        }
        tx.execute(
            "UPDATE receipt_rejections SET removed_by_action = ?2 WHERE created_by_action = ?1 AND removed_by_action IS NULL",
            params![target, undo],
        )?;
        tx.execute(
            "UPDATE match_actions SET undone_by_action = ?2 WHERE id = ?1",
            params![target, undo],
        )?;
        for expected_id in touched {
            let (changed, after) = refresh_expected(&tx, actor, now, &expected_id)?;
            if changed {
                summary.expected_changed.push(after.memo);
            }
        }
        audit_action(&tx, actor, now, &summary, json!({"undone_action": target}))?;
        tx.commit()?;
        Ok(summary)
    }

    /// Opens a cycle: its expected payments still awaiting are cancelled (kept, audited).
    pub fn cycle_open(&mut self, actor: &str, now: DateTime<Utc>, cycle_id: &str) -> Result<u64> {
        let tx = self.write_tx()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM expected_payments WHERE cycle_id = ?1)",
            [cycle_id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(StoreError::NotFound {
                what: "cycle",
                name: cycle_id.to_owned(),
            });
        }
        let awaiting: Vec<ExpectedRecord> = tx
            .prepare(&format!(
                "{EXPECTED_SELECT} WHERE e.cycle_id = ?1 AND e.status = 'awaiting_payment' ORDER BY e.memo_normalized"
            ))?
            .query_map([cycle_id], expected_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        for e in &awaiting {
            tx.execute(
                "UPDATE expected_payments SET status = 'cancelled' WHERE id = ?1",
                [&e.id],
            )?;
            let mut after = e.clone();
            after.status = "cancelled".into();
            append(
                &tx,
                now,
                AuditEntry {
                    actor,
                    action: "expected.cancel",
                    entity: "expected_payment",
                    entity_id: &e.id,
                    before: Some(e.audit_json()),
                    after: Some(after.audit_json()),
                },
            )?;
        }
        append(
            &tx,
            now,
            AuditEntry {
                actor,
                action: "cycle.open",
                entity: "cycle",
                entity_id: cycle_id,
                before: None,
                after: Some(json!({"cancelled": awaiting.len()})),
            },
        )?;
        tx.commit()?;
        Ok(awaiting.len() as u64)
    }

    /// Counts and totals per cycle and currency (never summed across currencies).
    pub fn cycle_summaries(&self) -> Result<Vec<CycleSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT e.cycle_id, e.currency, c.scale,
                SUM(e.status = 'awaiting_payment'), SUM(e.status = 'confirmed'),
                SUM(e.status = 'cancelled'),
                SUM(e.status NOT IN ('awaiting_payment', 'confirmed', 'cancelled')),
                SUM(e.amount_adjusted),
                SUM(e.expected_minor),
                COALESCE(SUM(CASE WHEN e.status = 'confirmed' THEN e.actual_minor END), 0)
             FROM expected_payments e JOIN currencies c ON c.code = e.currency
             GROUP BY e.cycle_id, e.currency ORDER BY e.cycle_id, e.currency",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let scale: u8 = r.get(2)?;
                Ok(CycleSummary {
                    cycle_id: r.get(0)?,
                    currency: r.get(1)?,
                    awaiting: r.get(3)?,
                    confirmed: r.get(4)?,
                    cancelled: r.get(5)?,
                    other: r.get(6)?,
                    amount_adjusted: r.get(7)?,
                    expected_total: format_minor(r.get(8)?, scale),
                    confirmed_total: format_minor(r.get(9)?, scale),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_expected(
    tx: &Transaction<'_>,
    actor: &str,
    now: DateTime<Utc>,
    id: &str,
    cycle_id: &str,
    character_name: &str,
    character_id: Option<i64>,
    memo: &str,
    normalized: &str,
    minor: i64,
    currency: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO expected_payments (id, cycle_id, character_name, character_id, memo, memo_normalized,
            expected_minor, currency, status, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'awaiting_payment', ?9, ?10)",
    )?
    .execute(params![id, cycle_id, character_name, character_id, memo, normalized, minor, currency, timestamp(now), actor])?;
    let record = expected_by_id(tx, id)?;
    append(
        tx,
        now,
        AuditEntry {
            actor,
            action: "expected.create",
            entity: "expected_payment",
            entity_id: id,
            before: None,
            after: Some(record.audit_json()),
        },
    )
}

fn audit_action(
    tx: &Transaction<'_>,
    actor: &str,
    now: DateTime<Utc>,
    summary: &ActionSummary,
    detail: serde_json::Value,
) -> Result<()> {
    append(
        tx,
        now,
        AuditEntry {
            actor,
            action: &format!("match.{}", summary.kind.replace(' ', "_")),
            entity: "match_action",
            entity_id: &summary.action_id.to_string(),
            before: None,
            after: Some(json!({
                "links_added": summary.links_added, "links_removed": summary.links_removed,
                "expected_changed": summary.expected_changed, "detail": detail,
            })),
        },
    )
}

fn currency_in(conn: &rusqlite::Connection, code: &str) -> Result<Currency> {
    let (scale, name): (u8, String) = conn.query_row(
        "SELECT scale, name FROM currencies WHERE code = ?1",
        [code],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Currency {
        code: code.to_owned(),
        scale,
        name,
    })
}

fn view_of(e: ExpectedRecord, links: Vec<LinkView>) -> ExpectedView {
    ExpectedView {
        journal_ids: links.iter().map(|l| l.journal_id.clone()).collect(),
        match_type: links.first().map(|l| l.match_type.clone()),
        id: e.id,
        memo: e.memo,
        cycle_id: e.cycle_id,
        character_name: e.character_name,
        character_id: e.character_id,
        status: e.status,
        currency: e.currency,
        expected_amount: format_minor(e.expected_minor, e.scale),
        actual_amount: e.actual_minor.map(|m| format_minor(m, e.scale)),
        actual_payer_id: e.actual_payer_id,
        amount_adjusted: e.amount_adjusted,
        validated_at: e.validated_at,
        links,
    }
}
