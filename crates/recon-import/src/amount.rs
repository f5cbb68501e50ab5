//! Amounts as people and banks write them, parsed exactly (never through `f64`).

use rust_decimal::Decimal;

#[path = "amount_marks.rs"]
mod marks;
pub use marks::{check_marks, claim_of, is_known_code, CurrencyClaim, RowCurrency};

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
    match parse_plain(text, decimal_separator) {
        Some(value) => Ok(value),
        None => parse_written(text, decimal_separator, thousands),
    }
}

/// Digits in an amount [`parse_plain`] takes: the mantissa fits an `i64` (and the scale
/// the 28 a `Decimal` allows).
const PLAIN_MAX_DIGITS: usize = 18;

/// The amount most exports write: an optional `-` or `+`, digits, and optionally the decimal
/// separator (`.` or `,`) followed by digits; at most [`PLAIN_MAX_DIGITS`] digits. For
/// these, [`parse_written`] strips the sign and checks nothing else applies, so the value is
/// the digits with the scale written; computed here without its allocations. `None` for
/// anything else.
fn parse_plain(text: &str, decimal_separator: char) -> Option<Decimal> {
    if decimal_separator != '.' && decimal_separator != ',' {
        return None;
    }
    let dec = decimal_separator as u8;
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    let mut mantissa: i64 = 0;
    let mut count = 0;
    // digits after the separator, once it was seen
    let mut scale: Option<u32> = None;
    for &c in digits {
        if c.is_ascii_digit() {
            count += 1;
            if count > PLAIN_MAX_DIGITS {
                return None;
            }
            mantissa = mantissa * 10 + i64::from(c - b'0');
            if let Some(s) = scale.as_mut() {
                *s += 1;
            }
        } else if c == dec && scale.is_none() && count > 0 {
            scale = Some(0);
        } else {
            return None;
        }
    }
    if count == 0 || scale == Some(0) {
        return None;
    }
    // zero is never negative, as in parse_written
    Some(Decimal::new(
        if negative { -mantissa } else { mantissa },
        scale.unwrap_or(0),
    ))
}

/// [`parse_amount`], with the currency marks written around the number checked against
/// the row's currency ([`check_marks`]): `12,50 USD` in an EUR row is refused, not read as
/// 12.50 EUR. Also returns the currency a mark names when the row's is not known.
pub fn parse_amount_in(
    text: &str,
    decimal_separator: char,
    thousands: Option<char>,
    row: Option<RowCurrency<'_>>,
) -> Result<(Decimal, Option<String>), String> {
    if let Some(value) = parse_plain(text, decimal_separator) {
        return Ok((value, None));
    }
    let (value, marks) = parse_marked(text, decimal_separator, thousands)?;
    let claimed = check_marks(text, &marks, row)?;
    Ok((value, claimed))
}

/// The full parser behind [`parse_amount`]: signs, currencies, grouping.
fn parse_written(
    text: &str,
    decimal_separator: char,
    thousands: Option<char>,
) -> Result<Decimal, String> {
    parse_marked(text, decimal_separator, thousands).map(|(value, _)| value)
}

/// [`parse_written`], and the currency marks it cut from around the number, as written.
fn parse_marked<'t>(
    text: &'t str,
    decimal_separator: char,
    thousands: Option<char>,
) -> Result<(Decimal, Vec<&'t str>), String> {
    let mut marks: Vec<&'t str> = Vec::new();
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
                    marks.push(&s[..n]);
                    s = &s[n..];
                    currencies += 1;
                    continue;
                }
            }
            if let Some(n) = currency_suffix(s) {
                if n < s.len() {
                    marks.push(&s[s.len() - n..]);
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
    Ok((value, marks))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Value, scale and sign: `Decimal`'s `==` would call 1.5 and 1.50 equal.
    fn exact(r: Result<Decimal, String>) -> Result<(i128, u32, bool), String> {
        r.map(|d| (d.mantissa(), d.scale(), d.is_sign_negative()))
    }

    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
        }
    }

    #[test]
    fn plain_amounts_parse_as_the_full_parser_does() {
        let separators = [
            ('.', None),
            (',', None),
            ('.', Some(',')),
            (',', Some('.')),
            (',', Some(' ')),
            ('.', Some('\'')),
        ];
        let fixed = [
            "0",
            "-0",
            "+0",
            "0.00",
            "-0.00",
            "00012.50",
            "-778.98",
            "997663.06",
            "1,5",
            "-1,50",
            "123456789012345678",
            "1234567890123456789",
            "12345678901234567.8",
            "-0.000000000000000001",
            "9223372036854775807",
            "-",
            "+",
            ".",
            "-.5",
            ".5",
            "5.",
            "5,",
            "1.2.3",
            "1,2,3",
            "1.234,56",
            "1,234.56",
            "--5",
            "+-5",
            "5-",
            "1e3",
            " 5",
            "5 ",
            "",
            "12CR",
            "€5",
            "5 EUR",
            "(5)",
            "١٢",
        ];
        let mut rng = Rng(0x5EED);
        let alphabet = ['0', '1', '5', '9', '.', ',', '-', '+', ' ', '\''];
        let mut inputs: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        for _ in 0..200_000 {
            let len = 1 + rng.below(24);
            let mut t = String::new();
            for i in 0..len {
                // mostly digits, so the plain shape comes up often
                let c = if i > 0 && rng.below(4) != 0 {
                    alphabet[rng.below(4)]
                } else {
                    alphabet[rng.below(alphabet.len())]
                };
                t.push(c);
            }
            inputs.push(t);
        }
        let mut plain = 0;
        for t in &inputs {
            for &(dec, th) in &separators {
                let full = exact(parse_written(t, dec, th));
                if let Some(v) = parse_plain(t, dec) {
                    plain += 1;
                    assert_eq!(
                        Ok((v.mantissa(), v.scale(), v.is_sign_negative())),
                        full,
                        "{t:?} {dec:?} {th:?}"
                    );
                }
                assert_eq!(
                    exact(parse_amount(t, dec, th)),
                    full,
                    "{t:?} {dec:?} {th:?}"
                );
            }
        }
        assert!(plain > 100_000, "only {plain} plain inputs");
        // a separator that is neither '.' nor ',' always goes through the full parser
        assert_eq!(parse_plain("12", '2'), None);
        assert_eq!(
            exact(parse_amount("123", '2', None)),
            exact(parse_written("123", '2', None))
        );
    }
}
