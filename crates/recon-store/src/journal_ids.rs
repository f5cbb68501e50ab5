//! Journal row ids that carry the journal's order.
//!
//! A row's id is `(Unix seconds of its date) << 21 | n`, where `n` counts the rows of that
//! second in the order they arrived. Reading `journal_entries` by id therefore reads it by
//! date, then by arrival — the order every journal screen shows — without a secondary
//! date index that every import would have to keep up to date (one index costs about as much
//! as the whole rest of a bulk import). A bank file in date order appends at the end of the
//! table. Dates are limited to 1900..2099 so ids stay within ±2^53 and survive the UI's
//! JavaScript numbers.

use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate};
use rusqlite::Connection;
use std::collections::HashMap;

/// Bits of the id that count rows within one second: 2,097,152 rows per second (per day for
/// bank rows, which carry no time).
pub const SEQUENCE_BITS: u32 = 21;
const PER_SECOND: i64 = 1 << SEQUENCE_BITS;

/// The first day a journal row may carry.
pub const FIRST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");
/// The last day a journal row may carry.
pub const LAST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2099, 12, 31).expect("valid date");

/// Why `date` cannot be in the journal, if it cannot.
pub fn out_of_range(date: NaiveDate) -> Option<String> {
    (!(FIRST_DATE..=LAST_DATE).contains(&date)).then(|| {
        format!("{date} is outside the dates the ledger holds ({FIRST_DATE} to {LAST_DATE})")
    })
}

/// Unix seconds of midnight UTC of `date`.
pub fn seconds_of_day(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp()
}

/// Unix seconds of an RFC 3339 timestamp (ESI dates), checked against [`FIRST_DATE`]..[`LAST_DATE`].
pub fn seconds_of_timestamp(text: &str) -> std::result::Result<i64, String> {
    let at = DateTime::parse_from_rfc3339(text)
        .map_err(|e| format!("'{text}' is not an RFC 3339 date ({e})"))?;
    if let Some(why) = out_of_range(at.naive_utc().date()) {
        return Err(why);
    }
    Ok(at.timestamp())
}

/// Most seconds remembered at once; past it the cache starts over (each second then costs
/// one more lookup), so memory stays bounded whatever the file.
const MAX_CACHED_SECONDS: usize = 65_536;

/// Hands out ids for new rows inside one write transaction.
#[derive(Default)]
pub struct RowIds {
    next: HashMap<i64, i64>,
}

impl RowIds {
    pub fn new() -> Self {
        Self::default()
    }

    /// The id for a new row at Unix second `seconds`, after every row of that second already
    /// in the journal (this transaction's included). Each call hands out the next one; an id
    /// handed out but not used leaves a harmless gap.
    pub fn allocate(&mut self, conn: &Connection, seconds: i64) -> Result<i64> {
        let base = seconds << SEQUENCE_BITS;
        let n = match self.next.get_mut(&seconds) {
            Some(n) => n,
            None => {
                if self.next.len() >= MAX_CACHED_SECONDS {
                    self.next.clear();
                }
                let max: Option<i64> = conn
                    .prepare_cached(
                        "SELECT MAX(rowid_pk) FROM journal_entries WHERE rowid_pk BETWEEN ?1 AND ?2",
                    )?
                    .query_row([base, base + PER_SECOND - 1], |r| r.get(0))?;
                self.next
                    .entry(seconds)
                    .or_insert(max.map_or(0, |m| m - base + 1))
            }
        };
        if *n >= PER_SECOND {
            let at = DateTime::from_timestamp(seconds, 0)
                .map(|d| d.to_rfc3339())
                .unwrap_or_else(|| seconds.to_string());
            return Err(StoreError::Invalid(format!(
                "the ledger holds at most {PER_SECOND} journal lines with the same date and time ({at})"
            )));
        }
        let id = base + *n;
        *n += 1;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_the_date_range_are_safe_javascript_integers() {
        let (first, last) = (FIRST_DATE, LAST_DATE);
        let js_max = (1i64 << 53) - 1;
        let lowest = seconds_of_day(first) << SEQUENCE_BITS;
        let highest = ((seconds_of_day(last) + 86_399) << SEQUENCE_BITS) + PER_SECOND - 1;
        assert!(lowest > -js_max && highest < js_max, "{lowest} {highest}");
    }

    #[test]
    fn id_order_is_date_order_then_arrival() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE journal_entries (rowid_pk INTEGER PRIMARY KEY)")
            .unwrap();
        let mut ids = RowIds::new();
        let day = |d: u32| seconds_of_day(NaiveDate::from_ymd_opt(2026, 3, d).unwrap());
        let a = ids.allocate(&conn, day(2)).unwrap();
        let b = ids.allocate(&conn, day(1)).unwrap();
        let c = ids.allocate(&conn, day(2)).unwrap();
        let noon = seconds_of_timestamp("2026-03-01T12:00:00Z").unwrap();
        let d = ids.allocate(&conn, noon).unwrap();
        assert!(b < d && d < a && a < c, "{a} {b} {c} {d}");
        // A later transaction continues after what is stored.
        conn.execute("INSERT INTO journal_entries VALUES (?1)", [c])
            .unwrap();
        let e = RowIds::new().allocate(&conn, day(2)).unwrap();
        assert_eq!(e, c + 1);
    }

    #[test]
    fn dates_outside_the_range_are_named() {
        let why = out_of_range(NaiveDate::from_ymd_opt(2100, 1, 1).unwrap()).unwrap();
        assert!(
            why.contains("2100-01-01") && why.contains("2099-12-31"),
            "{why}"
        );
        assert!(out_of_range(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()).is_none());
        let err = seconds_of_timestamp("1899-12-31T23:59:59Z").unwrap_err();
        assert!(err.contains("1899-12-31"), "{err}");
    }
}
