//! Date-format inference: which formats read a whole column of the sample, and the
//! ambiguity to ask about when several do (d/m against m/d).

use super::table::Col;
use super::{mostly, Ambiguity};
use crate::parse_date;
use chrono::{Datelike, NaiveDate};

/// Date formats tried, most common first. Day-first before month-first (most of the world).
pub(super) const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d.%m.%y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d-%m-%y",
    "%m-%d-%y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%y",
    "%d %b %y",
    "%d/%b/%Y",
];

fn plausible(d: NaiveDate) -> bool {
    (1970..=2100).contains(&d.year())
}

/// The formats reading the most values (and most of them): a format that fails where
/// another succeeds is out, so `11/17/2025` rules day-first out of an ambiguity.
pub(super) fn date_formats_for(values: &[&str]) -> Vec<&'static str> {
    let scored: Vec<(&'static str, usize)> = DATE_FORMATS
        .iter()
        .map(|f| {
            (
                *f,
                values
                    .iter()
                    .filter(|v| parse_date(v, f).is_ok_and(plausible))
                    .count(),
            )
        })
        .filter(|(f, _)| mostly(values, |v| parse_date(v, f).is_ok_and(plausible)))
        .collect();
    let best = scored.iter().map(|(_, n)| *n).max().unwrap_or(0);
    scored
        .into_iter()
        .filter(|(_, n)| *n == best)
        .map(|(f, _)| f)
        .collect()
}

pub(super) fn looks_like_date(v: &str) -> bool {
    v.chars().any(|c| c.is_ascii_digit()) && !date_formats_for(&[v]).is_empty()
}

/// The date column's format (the first that fits), and the question to ask when the sample
/// does not settle it: no rows at all, or several formats reading every value.
pub(super) fn date_format(col: &Col) -> (String, Option<Ambiguity>) {
    let formats = &col.dates;
    let date_format = formats
        .first()
        .copied()
        .unwrap_or(DATE_FORMATS[0])
        .to_string();
    if formats.is_empty() {
        // a header without rows: nothing to infer the format from
        let ambiguity = Ambiguity {
            column: col.name.clone(),
            readings: vec!["the file has no rows to read a date from".into()],
            options: DATE_FORMATS.iter().map(|s| s.to_string()).collect(),
        };
        return (date_format, Some(ambiguity));
    }
    if formats.len() == 1 {
        return (date_format, None);
    }
    let values = &col.values;
    let reading = |v: &str| -> Vec<String> {
        formats
            .iter()
            .map(|f| {
                format!(
                    "{f} → {}",
                    parse_date(v, f).map(|d| d.to_string()).unwrap_or_default()
                )
            })
            .collect()
    };
    let differing = values.iter().find(|v| {
        let ds: Vec<_> = formats.iter().map(|f| parse_date(v, f).ok()).collect();
        ds.windows(2).any(|w| w[0] != w[1])
    });
    let ambiguity = Ambiguity {
        column: col.name.clone(),
        readings: reading(differing.or(values.first()).copied().unwrap_or("")),
        options: formats.iter().map(|s| s.to_string()).collect(),
    };
    (date_format, Some(ambiguity))
}
