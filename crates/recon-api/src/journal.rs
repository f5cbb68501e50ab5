//! Reading the journal: one page for the app, every page in turn for the CLI.

use crate::{ApiError, ApiResult, JournalPageDto, JournalQueryDto, JournalRowDto};
use recon_core::journal_search::AmountRange;
use recon_store::{JournalQuery, JournalRow, Store, MAX_PAGE_ROWS};

/// Most rows one journal page sent to the UI may hold.
pub const MAX_UI_PAGE_ROWS: i64 = 1_000;

fn row_dto(r: JournalRow) -> JournalRowDto {
    JournalRowDto {
        id: r.esi_id,
        key: r.key,
        counterparty: r.counterparty,
        value_date: r.value_date,
        wallet: r.wallet,
        date: r.date,
        ref_type: r.ref_type,
        amount: r.amount,
        balance: r.balance,
        running_balance: r.running_balance,
        currency: r.currency,
        description: r.description,
        reason: r.reason,
        first_party_id: r.first_party_id,
        second_party_id: r.second_party_id,
        context_id: r.context_id,
        context_id_type: r.context_id_type,
        tax: r.tax,
        tax_receiver_id: r.tax_receiver_id,
        amount_raw: r.amount_raw,
        batch_id: r.batch_id,
        rowid: r.rowid,
        matched_to: r.matched_to,
    }
}

fn store_query(q: JournalQueryDto, max_rows: i64) -> ApiResult<JournalQuery> {
    let blank_is_none = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let amount = AmountRange::from_fields(q.amount_min.as_deref(), q.amount_max.as_deref())
        .map_err(ApiError::invalid)?;
    let day = |field: &str, s: Option<String>| -> ApiResult<Option<String>> {
        match blank_is_none(s) {
            None => Ok(None),
            Some(d) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map(|d| Some(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| {
                    ApiError::invalid(format!("{field}: '{d}' is not a date like 2026-12-31"))
                }),
        }
    };
    Ok(JournalQuery {
        wallet: blank_is_none(q.wallet),
        ref_type: blank_is_none(q.ref_type),
        search: blank_is_none(q.search),
        batch: blank_is_none(q.batch),
        amount,
        date_from: day("date from", q.date_from)?,
        date_to: day("date to", q.date_to)?,
        newest_first: q.newest_first,
        offset: q.offset,
        limit: q.limit.min(max_rows),
    })
}

pub fn journal_query(store: &Store, q: JournalQueryDto) -> ApiResult<JournalPageDto> {
    let page = store.journal(&store_query(q, MAX_UI_PAGE_ROWS)?)?;
    Ok(JournalPageDto {
        total: page.total,
        rows: page.rows.into_iter().map(row_dto).collect(),
    })
}

/// Every row matching `q`, one page after another, so a million-line journal never sits
/// in memory at once.
pub fn journal_pages(store: &Store, q: JournalQueryDto) -> JournalPages<'_> {
    let query = JournalQueryDto {
        limit: MAX_PAGE_ROWS,
        ..q
    };
    match store_query(query, MAX_PAGE_ROWS) {
        Ok(query) => JournalPages {
            store,
            query: Some(query),
            refused: None,
        },
        Err(e) => JournalPages {
            store,
            query: None,
            refused: Some(e),
        },
    }
}

/// The pages of [`journal_pages`]; ends after the first short page or error.
pub struct JournalPages<'a> {
    store: &'a Store,
    query: Option<JournalQuery>,
    /// A query that could not be read: the one item.
    refused: Option<ApiError>,
}

impl Iterator for JournalPages<'_> {
    type Item = ApiResult<Vec<JournalRowDto>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.refused.take() {
            return Some(Err(e));
        }
        let mut query = self.query.take()?;
        let page = match self.store.journal(&query) {
            Ok(page) => page,
            Err(e) => return Some(Err(e.into())),
        };
        if page.rows.len() >= query.limit as usize {
            query.offset += query.limit;
            self.query = Some(query);
        }
        Some(Ok(page.rows.into_iter().map(row_dto).collect()))
    }
}

pub fn journal_ref_types(store: &Store) -> ApiResult<Vec<String>> {
    Ok(store.ref_types()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{import_esi_journal, ledger_with_wallet, ImportRequestDto};

    #[test]
    fn ui_pages_are_capped_and_amounts_are_strings() {
        let (dir, mut store) = ledger_with_wallet();
        let entries: Vec<String> = (1..=1200)
            .map(|i| format!(r#"{{"id":{i},"date":"2026-01-01T00:00:00Z","ref_type":"x","description":"d","amount":0.1}}"#))
            .collect();
        let path = dir.path().join("big.json");
        std::fs::write(&path, format!("[{}]", entries.join(","))).unwrap();
        import_esi_journal(
            &mut store,
            "alice",
            ImportRequestDto {
                wallet: "Main".into(),
                paths: vec![path.display().to_string()],
            },
        )
        .unwrap();
        let page = journal_query(
            &store,
            JournalQueryDto {
                limit: 5000,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(page.total, 1200);
        assert_eq!(page.rows.len() as i64, MAX_UI_PAGE_ROWS);
        let json = serde_json::to_value(&page.rows[0]).unwrap();
        assert_eq!(json["amount"], serde_json::json!("0.10"));
    }
}
