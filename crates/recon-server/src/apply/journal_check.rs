//! What the server checks in a `journal_lines_imported` event before storing any of it,
//! with the laptop's own rules from `recon-core`: text without control characters and of
//! bounded length (an index holds a few KB at most), RFC 3339 UTC dates, a currency the
//! server knows, and amounts that are exact amounts of that currency, read from the text
//! the laptop sent (never a silently rounded `Decimal`).

use std::collections::HashMap;

use recon_core::esi::normalize_date;
use recon_core::money::{builtin_currencies, parse_exact, Currency};
use recon_core::untrusted::check_free_text;
use recon_sync::{JournalLine, JournalLinesImported};
use serde::Deserialize;
use serde_json::Value;

/// Longest key, name or code (indexed, or shown in one line).
pub(super) const MAX_SHORT_TEXT: usize = 256;
/// Longest description or reason of one journal line.
pub(super) const MAX_LONG_TEXT: usize = 256 * 1024;
/// Longest date text (RFC 3339 with nanoseconds is 30).
const MAX_DATE: usize = 40;

/// Why an event's values are refused: the field it names and a sentence.
#[derive(Debug)]
pub(super) struct Invalid {
    pub field: String,
    pub why: String,
}

impl Invalid {
    fn new(field: impl Into<String>, why: impl Into<String>) -> Self {
        Invalid {
            field: field.into(),
            why: why.into(),
        }
    }

    pub fn reason(&self) -> String {
        format!("{}: {}", self.field, self.why)
    }
}

/// The amounts of one line as the laptop wrote them.
#[derive(Deserialize)]
struct AmountTexts {
    lines: Vec<LineTexts>,
}

#[derive(Deserialize)]
struct LineTexts {
    amount: Option<Value>,
    balance: Option<Value>,
    tax: Option<Value>,
}

/// Checks every value of the event; on success the wallet's currency.
pub(super) fn check(body: &JournalLinesImported, payload: &str) -> Result<Currency, Invalid> {
    let wallet = &body.wallet;
    short_text("wallet key", &wallet.key, false)?;
    short_text("wallet name", &wallet.name, true)?;
    short_text("wallet kind", &wallet.kind, true)?;
    let currency = builtin_currencies()
        .into_iter()
        .find(|c| c.code == wallet.currency)
        .ok_or_else(|| {
            let known: Vec<String> = builtin_currencies().into_iter().map(|c| c.code).collect();
            Invalid::new(
                "wallet currency",
                format!(
                    "'{}' is not a currency this server knows ({})",
                    clip(&wallet.currency),
                    known.join(", ")
                ),
            )
        })?;
    let texts: AmountTexts = serde_json::from_str(payload)
        .map_err(|e| Invalid::new("payload", format!("not a journal event: {e}")))?;
    let mut seen: HashMap<i64, &JournalLine> = HashMap::new();
    for (line, amounts) in body.lines.iter().zip(&texts.lines) {
        check_line(line, amounts, &currency)?;
        if let Some(first) = seen.insert(line.id, line) {
            if first != line {
                return Err(Invalid::new(
                    format!("journal line {}", line.id),
                    "appears twice in the event with different values",
                ));
            }
        }
    }
    Ok(currency)
}

fn check_line(line: &JournalLine, amounts: &LineTexts, currency: &Currency) -> Result<(), Invalid> {
    let name = |field: &str| format!("journal line {} {field}", line.id);
    if line.date.len() > MAX_DATE || normalize_date(&line.date).as_deref() != Some(&line.date) {
        return Err(Invalid::new(
            name("date"),
            format!(
                "'{}' is not an RFC 3339 date-time in UTC (e.g. 2026-03-01T12:00:00Z)",
                clip(&line.date)
            ),
        ));
    }
    short_text(&name("ref_type"), &line.ref_type, false)?;
    long_text(&name("description"), &line.description)?;
    if let Some(reason) = &line.reason {
        long_text(&name("reason"), reason)?;
    }
    let shorts = [
        ("context_id_type", &line.context_id_type),
        ("amount_raw", &line.amount_raw),
        ("balance_raw", &line.balance_raw),
        ("tax_raw", &line.tax_raw),
    ];
    for (field, value) in shorts {
        if let Some(value) = value {
            short_text(&name(field), value, true)?;
        }
    }
    let fields = [
        ("amount", &amounts.amount),
        ("balance", &amounts.balance),
        ("tax", &amounts.tax),
    ];
    for (field, text) in fields {
        exact_amount(&name(field), text.as_ref(), currency)?;
    }
    Ok(())
}

/// The amount exactly as written must be one of `currency`: no more decimals than its
/// scale (1.005 ISK is refused) and no digits a `Decimal` would drop.
fn exact_amount(field: &str, text: Option<&Value>, currency: &Currency) -> Result<(), Invalid> {
    let text = match text {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if text.len() > MAX_SHORT_TEXT {
        return Err(Invalid::new(field, "is longer than any amount"));
    }
    parse_exact(&text, currency)
        .map(|_| ())
        .map_err(|e| Invalid::new(field, format!("not an amount of {}: {e}", currency.code)))
}

fn short_text(field: &str, text: &str, may_be_empty: bool) -> Result<(), Invalid> {
    if !may_be_empty && text.trim().is_empty() {
        return Err(Invalid::new(field, "is empty"));
    }
    if text.len() > MAX_SHORT_TEXT {
        return Err(Invalid::new(
            field,
            format!("is {} bytes; at most {MAX_SHORT_TEXT}", text.len()),
        ));
    }
    check_free_text(text).map_err(|why| Invalid::new(field, why))
}

fn long_text(field: &str, text: &str) -> Result<(), Invalid> {
    if text.len() > MAX_LONG_TEXT {
        return Err(Invalid::new(
            field,
            format!("is {} bytes; at most {MAX_LONG_TEXT}", text.len()),
        ));
    }
    check_free_text(text).map_err(|why| Invalid::new(field, why))
}

/// A value quoted in a reason, cut so a 3 KB value does not make a 3 KB log line.
fn clip(text: &str) -> String {
    const MAX: usize = 40;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipped_values_stay_on_char_boundaries() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(100);
        assert!(clip(&long).ends_with('…'));
        assert!(clip(&long).len() < 50);
    }
}
