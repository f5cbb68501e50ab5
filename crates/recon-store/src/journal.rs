//! Reading the journal: filtered, sorted, paged.

use crate::{Result, Store, StoreError};
use recon_core::journal_search::AmountRange;
use recon_core::money::format_minor;
use rusqlite::types::Value;

/// Separates the memos of `matched_to` in SQL (a memo holds no control character).
const MEMO_SEP: &str = "\u{1f}";

/// Most rows one page may hold.
pub const MAX_PAGE_ROWS: i64 = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalQuery {
    /// Wallet name (case-insensitive); `None` = every wallet.
    pub wallet: Option<String>,
    pub ref_type: Option<String>,
    /// Case-insensitive substring of description, reason or ref type.
    pub search: Option<String>,
    /// Only the rows of this import batch.
    pub batch: Option<String>,
    /// Only lines whose absolute amount falls in this range.
    pub amount: Option<AmountRange>,
    /// Only lines dated from / to these days (`YYYY-MM-DD`, inclusive).
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub newest_first: bool,
    pub offset: i64,
    /// 1 to [`MAX_PAGE_ROWS`].
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JournalRow {
    /// The ESI journal id; `null` for bank rows (see `key`).
    #[serde(rename = "id")]
    pub esi_id: Option<i64>,
    /// The row's identity in its wallet: the ESI id, `ref:{bank id}` or `fp:{fingerprint}`.
    pub key: String,
    pub counterparty: Option<String>,
    /// A bank line's value date beside its booking `date` (`YYYY-MM-DD`, or the bank's text
    /// when it is no date); `null` where the file gave none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_date: Option<String>,
    pub wallet: String,
    pub date: String,
    pub ref_type: String,
    /// Exact decimal text at the currency's scale.
    pub amount: Option<String>,
    pub balance: Option<String>,
    /// The wallet's balance after this line, counted over all its lines in the wallet's
    /// order whatever the filter (see `journal_running`); `null` where it cannot be told.
    pub running_balance: Option<String>,
    pub currency: String,
    pub description: String,
    pub reason: Option<String>,
    pub first_party_id: Option<i64>,
    pub second_party_id: Option<i64>,
    pub context_id: Option<i64>,
    pub context_id_type: Option<String>,
    pub tax: Option<String>,
    pub tax_receiver_id: Option<i64>,
    /// ESI's own text of the amount (a binary double), kept for audit.
    pub amount_raw: Option<String>,
    pub batch_id: String,
    /// The ledger's row id (what the line's detail and the review steps take).
    pub rowid: i64,
    /// Memos of the expected payments the line is actively linked to.
    pub matched_to: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalPage {
    pub total: i64,
    pub rows: Vec<JournalRow>,
}

impl Store {
    pub fn journal(&self, q: &JournalQuery) -> Result<JournalPage> {
        if !(1..=MAX_PAGE_ROWS).contains(&q.limit) || q.offset < 0 {
            return Err(StoreError::Invalid(format!(
                "a journal page holds 1 to {MAX_PAGE_ROWS} rows from offset 0 or more (asked {} from {})",
                q.limit, q.offset
            )));
        }
        let (filter, mut args) = self.journal_filter(q)?;
        // Counting may use the (wallet, key) index: no order needed.
        let total: i64 = self.conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM journal_entries j{}",
                filter.replace("+j.wallet_no", "j.wallet_no")
            ),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let order = if q.newest_first { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT j.esi_id, w.name, j.date, j.ref_type, j.amount_minor, j.balance_minor, w.currency, c.scale,
                    j.description, j.reason, j.first_party_id, j.second_party_id, j.context_id, j.context_id_type,
                    j.tax_minor, j.tax_receiver_id, j.amount_raw, b.id, j.natural_key, j.counterparty,
                    j.rowid_pk, j.value_date,
                    (SELECT group_concat(e.memo, '{MEMO_SEP}') FROM match_links l
                     JOIN expected_payments e ON e.id = l.expected_id
                     WHERE l.journal_rowid = j.rowid_pk AND l.removed_by_action IS NULL),
                    j.wallet_no
             FROM journal_entries j
             JOIN wallets w ON w.no = j.wallet_no
             JOIN import_batches b ON b.no = j.batch_no
             JOIN currencies c ON c.code = w.currency
             {filter}
             ORDER BY j.rowid_pk {order}
             LIMIT ? OFFSET ?"
        );
        args.push(Value::Integer(q.limit));
        args.push(Value::Integer(q.offset));
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            let scale: u8 = r.get(7)?;
            let money = |i: usize| -> rusqlite::Result<Option<String>> {
                Ok(r.get::<_, Option<i64>>(i)?.map(|m| format_minor(m, scale)))
            };
            let row = JournalRow {
                esi_id: r.get(0)?,
                wallet: r.get(1)?,
                date: r.get(2)?,
                ref_type: r.get(3)?,
                amount: money(4)?,
                balance: money(5)?,
                currency: r.get(6)?,
                description: r.get(8)?,
                reason: r.get(9)?,
                first_party_id: r.get(10)?,
                second_party_id: r.get(11)?,
                context_id: r.get(12)?,
                context_id_type: r.get(13)?,
                tax: money(14)?,
                tax_receiver_id: r.get(15)?,
                amount_raw: r.get(16)?,
                batch_id: r.get(17)?,
                key: r.get(18)?,
                counterparty: r.get(19)?,
                rowid: r.get(20)?,
                value_date: r.get(21)?,
                matched_to: r
                    .get::<_, Option<String>>(22)?
                    .map(|m| m.split(MEMO_SEP).map(str::to_owned).collect())
                    .unwrap_or_default(),
                running_balance: None,
            };
            Ok((row, r.get::<_, i64>(23)?, scale))
        })?;
        let mut page = Vec::new();
        let (mut wallets, mut scales) = (Vec::new(), Vec::new());
        for row in rows {
            let (row, wallet, scale) = row?;
            page.push(row);
            wallets.push(wallet);
            scales.push(scale);
        }
        self.fill_running_balances(&mut page, &wallets, &scales)?;
        Ok(JournalPage { total, rows: page })
    }

    /// The `WHERE` clause of `q` over `j` (journal_entries) and its arguments.
    fn journal_filter(&self, q: &JournalQuery) -> Result<(String, Vec<Value>)> {
        let mut filter = String::from(" WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(wallet) = &q.wallet {
            let wallet = self.wallet_by_name(wallet)?;
            // `+` keeps the page query on the table's own (date) order: through the
            // (wallet, key) index it would sort the wallet's every row for each page.
            filter.push_str(" AND +j.wallet_no = ?");
            args.push(Value::Integer(wallet.no));
        }
        if let Some(batch) = q.batch.as_deref().filter(|s| !s.is_empty()) {
            filter.push_str(" AND j.batch_no = (SELECT no FROM import_batches WHERE id = ?)");
            args.push(Value::Text(batch.to_string()));
        }
        if let Some(ref_type) = q.ref_type.as_deref().filter(|s| !s.is_empty()) {
            filter.push_str(" AND j.ref_type = ?");
            args.push(Value::Text(ref_type.to_string()));
        }
        if let Some(search) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let escaped = search
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = Value::Text(format!("%{escaped}%"));
            let mut any = String::from(
                "j.description LIKE ? ESCAPE '\\' OR j.reason LIKE ? ESCAPE '\\' OR j.ref_type LIKE ? ESCAPE '\\' OR j.counterparty LIKE ? ESCAPE '\\'",
            );
            args.extend(std::iter::repeat_n(pattern, 4));
            // A search that reads as an amount (`250,000,000`, `2.90`, `100..200`) finds those amounts too.
            if let Some(range) = AmountRange::from_search(search) {
                any.push_str(" OR ");
                any.push_str(&self.amount_condition(&range, &mut args)?);
            }
            filter.push_str(&format!(" AND ({any})"));
        }
        if let Some(range) = &q.amount {
            let cond = self.amount_condition(range, &mut args)?;
            filter.push_str(&format!(" AND ({cond})"));
        }
        if let Some(from) = q.date_from.as_deref().filter(|s| !s.is_empty()) {
            filter.push_str(" AND substr(j.date, 1, 10) >= ?");
            args.push(Value::Text(from.to_string()));
        }
        if let Some(to) = q.date_to.as_deref().filter(|s| !s.is_empty()) {
            filter.push_str(" AND substr(j.date, 1, 10) <= ?");
            args.push(Value::Text(to.to_string()));
        }
        Ok((filter, args))
    }

    /// `range` as SQL over `j`: per scale of the ledger's wallets, their lines whose absolute
    /// amount in minor units falls in the range (no float anywhere).
    fn amount_condition(&self, range: &AmountRange, args: &mut Vec<Value>) -> Result<String> {
        let scales: Vec<(u32, String)> = self
            .conn
            .prepare_cached(
                "SELECT c.scale, group_concat(w.no) FROM wallets w
                 JOIN currencies c ON c.code = w.currency GROUP BY c.scale",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut parts = Vec::new();
        for (scale, wallets) in scales {
            let Some((lo, hi)) = range.minor_bounds(scale) else {
                continue;
            };
            // `wallets` is SQLite's own list of integers.
            let mut part = format!("(j.wallet_no IN ({wallets})");
            if let Some(lo) = lo {
                part.push_str(" AND abs(j.amount_minor) >= ?");
                args.push(Value::Integer(lo));
            }
            if let Some(hi) = hi {
                part.push_str(" AND abs(j.amount_minor) <= ?");
                args.push(Value::Integer(hi));
            }
            part.push(')');
            parts.push(part);
        }
        Ok(if parts.is_empty() {
            "0".to_string()
        } else {
            parts.join(" OR ")
        })
    }

    /// Every ref type present in the journal, for the filter list.
    pub fn ref_types(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT ref_type FROM journal_entries ORDER BY ref_type")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use crate::{NewWallet, SourceFile};

    #[test]
    fn filters_search_sort_and_pages() {
        let (_dir, mut store) = temp_store();
        for (name, owner) in [("Alpha", 1), ("Beta", 2)] {
            store
                .add_wallet(
                    "alice",
                    now(),
                    NewWallet {
                        name: name.into(),
                        kind: "character".into(),
                        owner_id: Some(owner),
                        division: None,
                        currency: "ISK".into(),
                        receiving: true,
                    },
                )
                .unwrap();
        }
        let json = |base: i64| {
            let entries: Vec<String> = (0..5)
                .map(|i| {
                    let ref_type = if i % 2 == 0 { "player_donation" } else { "bounty_prizes" };
                    format!(
                        r#"{{"id":{},"date":"2026-03-0{}T00:00:00Z","ref_type":"{ref_type}","description":"desc {i}","reason":"{}","amount":{i}.5}}"#,
                        base + i,
                        i + 1,
                        if i == 3 { "ARB 7 50%_off" } else { "" }
                    )
                })
                .collect();
            format!("[{}]", entries.join(",")).into_bytes()
        };
        store
            .import_esi_journal(
                "a",
                now(),
                "Alpha",
                &[SourceFile {
                    name: "a".into(),
                    bytes: json(100),
                }],
            )
            .unwrap();
        store
            .import_esi_journal(
                "a",
                now(),
                "Beta",
                &[SourceFile {
                    name: "b".into(),
                    bytes: json(200),
                }],
            )
            .unwrap();

        let q = |f: &dyn Fn(&mut JournalQuery)| {
            let mut q = JournalQuery {
                limit: 100,
                ..Default::default()
            };
            f(&mut q);
            store.journal(&q).unwrap()
        };
        assert_eq!(q(&|_| {}).total, 10);
        let beta = q(&|q| q.wallet = Some("beta".into()));
        assert_eq!(beta.total, 5);
        assert!(beta.rows.iter().all(|r| r.wallet == "Beta"));
        assert_eq!(q(&|q| q.ref_type = Some("bounty_prizes".into())).total, 4);
        // % and _ in the search text are literal, not wildcards
        let found = q(&|q| q.search = Some("50%_OFF".into()));
        assert_eq!(found.total, 2);
        assert_eq!(q(&|q| q.search = Some("5%".into())).total, 0);
        let newest = q(&|q| q.newest_first = true);
        assert_eq!(newest.rows[0].date, "2026-03-05T00:00:00Z");
        let page = q(&|q| {
            q.limit = 3;
            q.offset = 9
        });
        assert_eq!((page.total, page.rows.len()), (10, 1));
        assert_eq!(
            newest
                .rows
                .iter()
                .find(|r| r.esi_id == Some(103))
                .unwrap()
                .amount
                .as_deref(),
            Some("3.50")
        );
        assert_eq!(
            store.ref_types().unwrap(),
            vec!["bounty_prizes", "player_donation"]
        );
        assert!(store
            .journal(&JournalQuery {
                limit: 0,
                ..Default::default()
            })
            .is_err());
    }
}
