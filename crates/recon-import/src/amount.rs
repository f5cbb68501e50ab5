//! Amounts as people and banks write them, parsed exactly (never through `f64`).

use rust_decimal::Decimal;

/// Characters that group thousands as a space: ASCII space, no-break space, narrow no-break
/// space (French), thin space.
fn is_space_like(c: char) -> bool {
    matches!(c, ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\t')
}

fn is_apostrophe_like(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

fn is_minus(c: char) -> bool {
    // ASCII hyphen-minus, Unicode minus sign, en dash (spreadsheets "typographic" minus)
    matches!(c, '-' | '\u{2212}' | '\u{2013}')
}

const CURRENCY_SYMBOLS: &[char] = &[
    '$', '€', '£', '¥', '₹', '₽', '₩', '₺', '₪', '฿', '₫', '¢', '₱', '₴', '₦', '₡', '₲', '₵', '₸',
    '₭', '₮', '₼', '₾', '៛', '₿', '¤',
];

/// Currency words written next to amounts that are not three-letter codes.
const CURRENCY_WORDS: &[&str] = &[
    "kr.", "kr", "Kr", "Fr.", "Fr", "zł", "Kč", "Ft", "lei", "Rs.", "Rs",
];

/// Length in bytes of a currency marker at the start of `s` (`$`, `US$`, `EUR`, `kr`), if any.
fn currency_prefix(s: &str) -> Option<usize> {
    let letters: usize = s
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_alphabetic())
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    let after = &s[letters..];
    if let Some(c) = after.chars().next() {
        if CURRENCY_SYMBOLS.contains(&c) && letters <= 3 {
            return Some(letters + c.len_utf8());
        }
    }
    if letters == 3 {
        return Some(3);
    }
    CURRENCY_WORDS
        .iter()
        .find(|w| {
            s.starts_with(**w)
                && !s[w.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic())
        })
        .map(|w| w.len())
}

/// Length in bytes of a currency marker at the end of `s`, if any.
fn currency_suffix(s: &str) -> Option<usize> {
    let last = s.chars().next_back()?;
    if CURRENCY_SYMBOLS.contains(&last) {
        // "12 US$" – letters glued before the symbol belong to it
        let head = &s[..s.len() - last.len_utf8()];
        let letters = head
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        return Some(last.len_utf8() + if letters <= 3 { letters } else { 0 });
    }
    let letters = s
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if letters == 3 {
        return Some(3);
    }
    CURRENCY_WORDS
        .iter()
        .find(|w| {
            s.ends_with(**w)
                && !s[..s.len() - w.len()]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphabetic())
        })
        .map(|w| w.len())
}

/// Parses an amount exactly as written, keeping its decimals (`12.50` has scale 2).
///
/// Accepted around the number: spaces (also U+00A0, U+202F), one sign — leading or trailing
/// `-`/`+`, Unicode minus `−`, parentheses `(12.50)`, or a trailing `CR`/`DR` — and currency
/// symbols or codes before or after (`$`, `US$`, `€`, `£`, `EUR`, `kr`).
/// Grouping: `thousands` if given; with `None`, the other of `.`/`,`, apostrophes and spaces
/// are accepted as grouping, and groups must be well formed (`1,234`, `12,34,567` Indian),
/// so `1,2,3` or `12.3.4` are refused rather than guessed. Exponents are refused.
pub fn parse_amount(
    text: &str,
    decimal_separator: char,
    thousands: Option<char>,
) -> Result<Decimal, String> {
    let mut s = text.trim_matches(|c: char| c.is_whitespace() || is_space_like(c));
    if s.is_empty() {
        return Err("empty amount".into());
    }
    let mut negative = false;
    let mut signs = 0;
    let mut currencies = 0;
    loop {
        s = s.trim_matches(|c: char| c.is_whitespace() || is_space_like(c));
        if s.len() >= 2 && s.starts_with('(') && s.ends_with(')') {
            negative = true;
            signs += 1;
            s = &s[1..s.len() - 1];
            continue;
        }
        if let Some(c) = s.chars().next() {
            if is_minus(c) || c == '+' {
                negative |= is_minus(c);
                signs += 1;
                s = &s[c.len_utf8()..];
                continue;
            }
        }
        if let Some(c) = s.chars().next_back() {
            if (is_minus(c) || c == '+') && s.len() > c.len_utf8() {
                negative |= is_minus(c);
                signs += 1;
                s = &s[..s.len() - c.len_utf8()];
                continue;
            }
        }
        let upper_tail = s
            .get(s.len().saturating_sub(2)..)
            .map(str::to_ascii_uppercase);
        if let Some(tail) = upper_tail.filter(|t| t == "CR" || t == "DR") {
            let head = &s[..s.len() - 2];
            if head
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_digit() || c.is_whitespace() || is_space_like(c))
            {
                negative |= tail == "DR";
                signs += 1;
                s = head;
                continue;
            }
        }
        if currencies < 2 {
            if let Some(n) = currency_prefix(s) {
                if n < s.len() {
                    s = &s[n..];
                    currencies += 1;
                    continue;
                }
            }
            if let Some(n) = currency_suffix(s) {
                if n < s.len() {
                    s = &s[..s.len() - n];
                    currencies += 1;
                    continue;
                }
            }
        }
        break;
    }
    if signs > 1 {
        return Err(format!("'{text}' has more than one sign"));
    }
    let digits = normalize_digits(s, decimal_separator, thousands)
        .map_err(|why| format!("'{text}' is not an amount: {why}"))?;
    let mut value = Decimal::from_str_exact(&digits)
        .map_err(|_| format!("'{text}' is too large to hold exactly"))?;
    if value.is_zero() {
        value.set_sign_positive(true);
    } else if negative {
        value.set_sign_negative(true);
    }
    Ok(value)
}

/// `"1.234,56"` → `"1234.56"` after checking every character and every group.
fn normalize_digits(s: &str, dec: char, thousands: Option<char>) -> Result<String, String> {
    if s.is_empty() {
        return Err("no digits".into());
    }
    let grouping = |c: char| -> bool {
        if c == dec {
            return false;
        }
        match thousands {
            Some(t) if is_space_like(t) => is_space_like(c),
            Some(t) if is_apostrophe_like(t) => is_apostrophe_like(c),
            Some(t) => c == t || is_space_like(c),
            None => {
                is_space_like(c)
                    || is_apostrophe_like(c)
                    || (dec == ',' && c == '.')
                    || (dec == '.' && c == ',')
            }
        }
    };
    let (int_part, frac_part) = match s.find(dec) {
        Some(i) => (&s[..i], Some(&s[i + dec.len_utf8()..])),
        None => (s, None),
    };
    if let Some(frac) = frac_part {
        if frac.contains(dec) {
            return Err(format!("more than one decimal separator '{dec}'"));
        }
        if frac.is_empty() || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("digits must follow the decimal separator '{dec}'"));
        }
    }
    let mut groups: Vec<&str> = Vec::new();
    let mut sep_kind: Option<char> = None;
    let mut start = 0;
    for (i, c) in int_part.char_indices() {
        if c.is_ascii_digit() {
            continue;
        }
        if grouping(c) {
            let kind = if is_space_like(c) { ' ' } else { c };
            if sep_kind.is_some_and(|k| k != kind) {
                return Err("mixed thousands separators".into());
            }
            sep_kind = Some(kind);
            groups.push(&int_part[start..i]);
            start = i + c.len_utf8();
        } else {
            return Err(format!("unexpected character '{c}'"));
        }
    }
    groups.push(&int_part[start..]);
    if groups.len() > 1 {
        let last = groups.len() - 1;
        let well_formed = groups.iter().enumerate().all(|(i, g)| {
            if i == 0 {
                (1..=3).contains(&g.len())
            } else if i == last {
                g.len() == 3
            } else {
                // 3-digit groups, or Indian lakh/crore 2-digit groups before the last three
                g.len() == 3 || g.len() == 2
            }
        });
        let uniform = groups[1..last].iter().all(|g| g.len() == 3)
            || (groups[0].len() <= 2 && groups[1..last].iter().all(|g| g.len() == 2));
        if !well_formed || !uniform {
            return Err("badly placed thousands separator".into());
        }
    }
    let int_digits: String = groups.concat();
    if int_digits.is_empty() && frac_part.is_none() {
        return Err("no digits".into());
    }
    let mut out = if int_digits.is_empty() {
        "0".to_string()
    } else {
        int_digits
    };
    if let Some(frac) = frac_part {
        out.push('.');
        out.push_str(frac);
    }
    Ok(out)
}
