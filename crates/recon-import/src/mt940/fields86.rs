//! The `:86:` information to the account owner, read the way a user reads the line: the
//! purpose as description, the other party's name and account as counterparty.
//!
//! Understood: the German structured form (`166?00GUTSCHRIFT?20…?29` purpose, `?30` bank
//! code, `?31` account, `?32`/`?33` name, `?60`–`?63` more purpose) with SEPA keys inside
//! the purpose (`EREF+`, `KREF+`, `MREF+`, `CRED+`, `SVWZ+`, `ABWA+`, …), and the Dutch
//! `/NAME/…/IBAN/…/REMI/…/EREF/…` form. Anything else is kept as one line of text.

/// What `:86:` says about a line.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Details {
    pub description: String,
    pub counterparty: Option<String>,
}

/// Length of a German purpose subfield when the text goes on in the next one.
const SUBFIELD_LEN: usize = 27;

/// SEPA keys inside a purpose text, and whether their value is the purpose itself.
const SEPA_KEYS: &[&str] = &[
    "EREF", "KREF", "MREF", "CRED", "DEBT", "SVWZ", "ABWA", "ABWE", "IBAN", "BIC", "COAM", "OAMT",
    "PURP",
];

pub(crate) fn details(info: &str) -> Details {
    let flat: String = info.split('\n').collect::<Vec<_>>().join("");
    let b = flat.as_bytes();
    if b.len() > 4 && b[..3].iter().all(u8::is_ascii_digit) && !b[3].is_ascii_alphanumeric() {
        return german(&flat[3..], b[3] as char);
    }
    if flat.contains("/NAME/") || flat.contains("/REMI/") {
        return dutch(&flat, info);
    }
    Details {
        description: one_line(info),
        counterparty: None,
    }
}

fn one_line(info: &str) -> String {
    info.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Name (account)", either alone, or none.
fn party(name: &str, account: &str) -> Option<String> {
    let (name, account) = (name.trim(), account.trim());
    match (name.is_empty(), account.is_empty()) {
        (true, true) => None,
        (false, true) => Some(name.to_string()),
        (true, false) => Some(account.to_string()),
        (false, false) => Some(format!("{name} ({account})")),
    }
}

/// `?00posting?20purpose…?32name` after the 3-digit transaction code.
fn german(rest: &str, sep: char) -> Details {
    let mut purpose = String::new();
    let mut last_len = SUBFIELD_LEN;
    let (mut posting, mut name, mut account, mut bank) =
        (String::new(), String::new(), String::new(), String::new());
    for part in rest.split(sep).skip(1) {
        let (code, text) = (part.get(..2).unwrap_or(""), part.get(2..).unwrap_or(""));
        match code {
            "00" => posting.push_str(text),
            "20" | "21" | "22" | "23" | "24" | "25" | "26" | "27" | "28" | "29" | "60" | "61"
            | "62" | "63" => {
                // a full subfield runs on into the next; a shorter one ended a word
                if !purpose.is_empty()
                    && last_len < SUBFIELD_LEN
                    && !purpose.ends_with(' ')
                    && !text.starts_with(' ')
                {
                    purpose.push(' ');
                }
                purpose.push_str(text);
                last_len = text.chars().count();
            }
            "30" => bank.push_str(text),
            "31" => account.push_str(text),
            "32" | "33" => name.push_str(text),
            _ => {}
        }
    }
    let account = if account.trim().is_empty() {
        bank
    } else {
        account
    };
    let (sepa_purpose, end_to_end) = sepa(&purpose);
    let mut description = sepa_purpose.unwrap_or_else(|| purpose.trim().to_string());
    if description.is_empty() {
        description = posting.trim().to_string();
    }
    if let Some(e) = end_to_end {
        description = join_ref(description, &e);
    }
    Details {
        description,
        counterparty: party(&name, &account),
    }
}

/// The end-to-end reference kept after the purpose: `purpose · EREF 123`.
fn join_ref(description: String, end_to_end: &str) -> String {
    if description.is_empty() {
        format!("EREF {end_to_end}")
    } else {
        format!("{description} · EREF {end_to_end}")
    }
}

/// A purpose with SEPA keys: the text of `SVWZ+` (or, without it, what no key claims) and
/// the `EREF+` end-to-end reference; `(None, None)` when the text has no key.
fn sepa(purpose: &str) -> (Option<String>, Option<String>) {
    let mut marks: Vec<(usize, &str)> = Vec::new();
    for key in SEPA_KEYS {
        let pat = format!("{key}+");
        for (i, _) in purpose.match_indices(&pat) {
            // a key starts the text or follows a space or the end of a subfield
            let at_start = i == 0 || !purpose.as_bytes()[i - 1].is_ascii_alphabetic();
            if at_start {
                marks.push((i, key));
            }
        }
    }
    if marks.is_empty() {
        return (None, None);
    }
    marks.sort_unstable();
    let value = |n: usize| {
        let (i, key) = marks[n];
        let end = marks.get(n + 1).map(|m| m.0).unwrap_or(purpose.len());
        purpose[i + key.len() + 1..end].trim().to_string()
    };
    let mut svwz = None;
    let mut eref = None;
    for (n, (_, key)) in marks.iter().enumerate() {
        match *key {
            "SVWZ" => svwz = Some(value(n)),
            "EREF" => eref = Some(value(n)).filter(|v| !v.eq_ignore_ascii_case("NOTPROVIDED")),
            _ => {}
        }
    }
    let free = purpose[..marks[0].0].trim();
    let description = svwz.or_else(|| (!free.is_empty()).then(|| free.to_string()));
    (
        Some(description.unwrap_or_default()),
        eref.filter(|e| !e.is_empty()),
    )
}

/// "/TRTP/SEPA OVERBOEKING/IBAN/…/BIC/…/NAME/Jan/REMI/text/EREF/…"
fn dutch(flat: &str, info: &str) -> Details {
    let get = |key: &str| -> Option<String> {
        let i = flat.find(key)? + key.len();
        let rest = &flat[i..];
        // a value ends at the next "/XXXX/" key
        let end = rest
            .match_indices('/')
            .map(|(j, _)| j)
            .find(|&j| {
                let k = &rest[j + 1..];
                let len = k.find('/').unwrap_or(usize::MAX);
                (2..=5).contains(&len) && k[..len].bytes().all(|b| b.is_ascii_uppercase())
            })
            .unwrap_or(rest.len());
        Some(rest[..end].trim().to_string()).filter(|s| !s.is_empty())
    };
    let name = get("/NAME/").unwrap_or_default();
    let iban = get("/IBAN/").unwrap_or_default();
    let remi = get("/REMI/").map(|r| r.trim_start_matches("USTD//").to_string());
    let mut description = remi.unwrap_or_else(|| one_line(info));
    if let Some(e) = get("/EREF/").filter(|e| !e.eq_ignore_ascii_case("NOTPROVIDED")) {
        description = join_ref(description, &e);
    }
    Details {
        description,
        counterparty: party(&name, &iban),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sepa_keys_give_the_purpose_the_party_and_the_end_to_end_reference() {
        let d = details(
            "166?00SEPA-GUTSCHRIFT?109310?20EREF+E2E-4711?21SVWZ+Rechnung 2023-171 Dank\n?22e?30GENODEF1S04?31DE89370400440532013000?32Max Mustermann",
        );
        assert_eq!(d.description, "Rechnung 2023-171 Danke · EREF E2E-4711");
        assert_eq!(
            d.counterparty.as_deref(),
            Some("Max Mustermann (DE89370400440532013000)")
        );
    }

    #[test]
    fn short_purpose_subfields_are_separate_words() {
        let d = details("020?00UEBERWEISUNG?20Miete?21Januar?32Vermieter GmbH");
        assert_eq!(d.description, "Miete Januar");
        assert_eq!(d.counterparty.as_deref(), Some("Vermieter GmbH"));
    }

    #[test]
    fn dutch_fields_name_the_party_with_its_iban() {
        let d = details("/TRTP/SEPA OVERBOEKING/IBAN/NL12RABO0123456789/BIC/RABONL2U/NAME/J Jansen/REMI/Huur mei/EREF/NOTPROVIDED");
        assert_eq!(d.description, "Huur mei");
        assert_eq!(
            d.counterparty.as_deref(),
            Some("J Jansen (NL12RABO0123456789)")
        );
    }
}
