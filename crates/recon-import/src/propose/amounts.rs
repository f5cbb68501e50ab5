//! Amount-style inference: what a number looks like, the decimal and thousands separators
//! of the money columns, debit/credit indicator values and a currency written beside amounts.

use super::Ambiguity;
use crate::parse_amount;

pub(super) fn is_number(v: &str) -> bool {
    // letters only as a currency code set apart: "EUR 12.50", not "VWZ1"
    let letters_ok = !v.chars().any(|c| c.is_ascii_alphabetic())
        || v.chars().any(|c| c.is_whitespace() || "$€£¥".contains(c));
    letters_ok
        && v.chars().any(|c| c.is_ascii_digit())
        && (parse_amount(v, '.', None).is_ok() || parse_amount(v, ',', None).is_ok())
}

/// Known debit/credit indicator pairs (upper case).
const INDICATOR_SETS: &[(&[&str], &[&str])] = &[
    (&["D", "DR"], &["C", "CR"]),
    (&["DEBIT", "DEBET"], &["CREDIT"]),
    (&["S"], &["H"]),
    (&["SOLL"], &["HABEN"]),
    (&["AF"], &["BIJ"]),
    (&["DBIT"], &["CRDT"]),
];

pub(super) fn indicator_set(values: &[&str]) -> Option<(Vec<String>, Vec<String>)> {
    if values.is_empty() {
        return None;
    }
    INDICATOR_SETS.iter().find_map(|(d, c)| {
        let all = values.iter().all(|v| {
            d.contains(&v.to_uppercase().as_str()) || c.contains(&v.to_uppercase().as_str())
        });
        all.then(|| {
            let present = |set: &[&str]| -> Vec<String> {
                let mut out: Vec<String> = set.iter().map(|s| s.to_string()).collect();
                out.sort();
                out
            };
            (present(d), present(c))
        })
    })
}

/// Which of `.`/`,` is the decimal separator in these amounts, and is it certain.
fn infer_decimal(values: &[&str]) -> (char, bool, Option<String>) {
    let (mut dot, mut comma) = (0, 0);
    let mut unsure: Option<String> = None;
    for v in values {
        let core: String = v
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect();
        let Some(last) = core.rfind(['.', ',']) else {
            continue;
        };
        let sep = core.as_bytes()[last] as char;
        let after = core.len() - last - 1;
        let both = core.contains('.') && core.contains(',');
        let repeated = core.matches(sep).count() > 1;
        let vote = if both || (after != 3 && !repeated) {
            Some(sep)
        } else if repeated {
            Some(if sep == '.' { ',' } else { '.' })
        } else {
            unsure.get_or_insert_with(|| v.to_string());
            None
        };
        match vote {
            Some('.') => dot += 1,
            Some(',') => comma += 1,
            _ => {}
        }
    }
    if comma > dot {
        (',', true, None)
    } else if dot > 0 {
        ('.', true, None)
    } else {
        ('.', unsure.is_none(), unsure)
    }
}

/// The decimal separator of these money values, and the question to ask (under `column`'s
/// name) when no value settles it.
pub(super) fn decimal_separator(money_values: &[&str], column: &str) -> (char, Option<Ambiguity>) {
    let (decimal_separator, sure, unsure) = infer_decimal(money_values);
    if sure {
        return (decimal_separator, None);
    }
    let ambiguity = unsure.map(|v| Ambiguity {
        column: column.to_string(),
        readings: ['.', ',']
            .iter()
            .map(|d| {
                format!(
                    "decimal '{d}' → {}",
                    parse_amount(&v, *d, None)
                        .map(|x| x.to_string())
                        .unwrap_or_else(|e| e)
                )
            })
            .collect(),
        options: vec![".".into(), ",".into()],
    });
    (decimal_separator, ambiguity)
}

/// The separator other than the decimal one found in the money values (or `'`), if any.
pub(super) fn thousands_separator(money_values: &[&str], decimal_separator: char) -> Option<char> {
    let other = if decimal_separator == ',' { '.' } else { ',' };
    if money_values.iter().any(|v| v.contains(other)) {
        Some(other)
    } else if money_values.iter().any(|v| v.contains('\'')) {
        Some('\'')
    } else {
        None
    }
}

pub(super) fn currency_of_symbols(values: &[&str], header: &str) -> Option<String> {
    let h = header.to_uppercase();
    for code in [
        "EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CAD", "AUD",
    ] {
        if h.contains(&format!("({code})")) || h.ends_with(&format!(" {code}")) {
            return Some(code.into());
        }
    }
    let first = values.first()?;
    let code = if first.contains('€') {
        "EUR"
    } else if first.contains('£') {
        "GBP"
    } else {
        let letters: String = first.chars().filter(|c| c.is_ascii_uppercase()).collect();
        if letters.len() == 3 {
            return values
                .iter()
                .all(|v| v.contains(letters.as_str()))
                .then_some(letters);
        }
        return None;
    };
    values
        .iter()
        .all(|v| v.contains(if code == "EUR" { '€' } else { '£' }))
        .then(|| code.to_string())
}
