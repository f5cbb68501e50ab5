//! Money is exact: `rust_decimal` for arithmetic and parsing, `i64` minor units for storage.
//! Binary floating point never touches an amount.

use rust_decimal::Decimal;

#[path = "money_rounding.rs"]
mod rounding;

/// Highest scale a currency may have; `Decimal` and `i64` minor units stay exact below it.
pub const MAX_SCALE: u8 = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{text}' is not a decimal amount")]
    NotANumber { text: String },
    #[error("'{text}' has {found} decimals but {currency} allows {scale}")]
    TooManyDecimals {
        text: String,
        found: u32,
        currency: String,
        scale: u8,
    },
    #[error("'{text}' is too large to store exactly")]
    Overflow { text: String },
    #[error("currency code '{code}' must be 3 to 8 letters or digits, upper case")]
    BadCurrencyCode { code: String },
    #[error("currency scale {scale} is above the maximum of {MAX_SCALE}")]
    BadScale { scale: u8 },
}

/// A currency and the number of decimals of its minor unit (USD 2, JPY 0, KWD 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    pub code: String,
    pub scale: u8,
    pub name: String,
}

impl Currency {
    pub fn new(code: &str, scale: u8, name: &str) -> Result<Self, MoneyError> {
        let code = validate_currency_code(code)?;
        if scale > MAX_SCALE {
            return Err(MoneyError::BadScale { scale });
        }
        Ok(Self {
            code,
            scale,
            name: name.to_string(),
        })
    }
}

/// The currencies every new ledger starts with; users add more.
pub fn builtin_currencies() -> Vec<Currency> {
    [
        ("USD", 2, "US dollar"),
        ("EUR", 2, "Euro"),
        ("GBP", 2, "Pound sterling"),
        ("NGN", 2, "Nigerian naira"),
        ("ISK", 2, "EVE Online InterStellar Kredit"),
        ("JPY", 0, "Japanese yen"),
        ("KWD", 3, "Kuwaiti dinar"),
    ]
    .into_iter()
    .map(|(code, scale, name)| {
        Currency::new(code, scale, name).expect("builtin currencies are valid")
    })
    .collect()
}

pub fn validate_currency_code(code: &str) -> Result<String, MoneyError> {
    let ok = (3..=8).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(code.to_string())
    } else {
        Err(MoneyError::BadCurrencyCode {
            code: code.to_string(),
        })
    }
}

/// Parses a plain decimal (`-12.50`, `1e3` is refused) that must fit the currency's scale:
/// more decimals than the scale is an error, never a silent rounding.
pub fn parse_exact(text: &str, currency: &Currency) -> Result<Decimal, MoneyError> {
    let trimmed = text.trim();
    let valid_shape = !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
    if !valid_shape {
        return Err(MoneyError::NotANumber { text: text.into() });
    }
    let value = Decimal::from_str_exact(trimmed)
        .map_err(|_| MoneyError::NotANumber { text: text.into() })?;
    let value = value.normalize();
    if value.scale() > u32::from(currency.scale) {
        return Err(MoneyError::TooManyDecimals {
            text: text.into(),
            found: value.scale(),
            currency: currency.code.clone(),
            scale: currency.scale,
        });
    }
    rescale(value, currency.scale, text)
}

/// An amount as a person types it in a form: thousands separators (`250,000,000.00`,
/// `1 234.50`, `1'234.50`, `1_000`) are dropped when every group after the first has exactly
/// three digits and the decimal point is `.`; anything else is returned as typed, for
/// [`parse_exact`] to judge (so `2,90` stays a refusal, never 290).
pub fn ungroup_typed_amount(text: &str) -> String {
    let t = text.trim();
    let (sign, body) = match t.strip_prefix(['-', '+']) {
        Some(rest) => (&t[..1], rest),
        None => ("", t),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let Some(sep) = int
        .chars()
        .find(|c| matches!(c, ',' | ' ' | '\'' | '_' | '\u{a0}' | '\u{202f}'))
    else {
        return t.to_owned();
    };
    let groups: Vec<&str> = int.split(sep).collect();
    let digits = |g: &str| g.chars().all(|c| c.is_ascii_digit());
    let grouped = (1..=3).contains(&groups[0].len())
        && groups.iter().all(|g| digits(g))
        && groups[1..].iter().all(|g| g.len() == 3);
    if !grouped {
        return t.to_owned();
    }
    let mut out = format!("{sign}{}", groups.concat());
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Reads a JSON number's text exactly (ESI sends binary doubles such as
/// `243877.49999999997`) and rounds it half-even to `scale` — once, from the digits as
/// written, however many there are.
pub fn parse_json_number_rounded(text: &str, scale: u8) -> Result<Decimal, MoneyError> {
    let rounded = rounding::round_half_even(text, scale).map_err(|e| match e {
        rounding::RoundError::NotANumber => MoneyError::NotANumber { text: text.into() },
        rounding::RoundError::TooLarge => MoneyError::Overflow { text: text.into() },
    })?;
    rescale(rounded, scale, text)
}

fn rescale(mut value: Decimal, scale: u8, text: &str) -> Result<Decimal, MoneyError> {
    value.rescale(u32::from(scale));
    // Decimal::rescale silently loses digits when the mantissa would overflow.
    if value.scale() != u32::from(scale) {
        return Err(MoneyError::Overflow { text: text.into() });
    }
    to_minor(value, scale).map_err(|_| MoneyError::Overflow { text: text.into() })?;
    Ok(value)
}

/// An exact amount of one currency, held as integer minor units (`12.50 EUR` = 1250 at scale 2).
/// Arithmetic refuses to mix currencies: totals are per currency, never across.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Money {
    minor_units: i64,
    currency: String,
    scale: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyArithmeticError {
    #[error("cannot combine {left} and {right}: totals are kept per currency")]
    CurrencyMismatch { left: String, right: String },
    #[error("{0} overflows the largest amount that can be stored exactly")]
    Overflow(String),
}

impl Money {
    pub fn from_minor(minor_units: i64, currency: &Currency) -> Self {
        Self {
            minor_units,
            currency: currency.code.clone(),
            scale: currency.scale,
        }
    }

    pub fn zero(currency: &Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// Exact user input: more decimals than the currency allows is an error (see [`parse_exact`]).
    pub fn parse(text: &str, currency: &Currency) -> Result<Self, MoneyError> {
        let value = parse_exact(text, currency)?;
        Ok(Self::from_minor(to_minor(value, currency.scale)?, currency))
    }

    pub fn minor_units(&self) -> i64 {
        self.minor_units
    }

    pub fn currency(&self) -> &str {
        &self.currency
    }

    pub fn amount(&self) -> Decimal {
        from_minor(self.minor_units, self.scale)
    }

    /// The amount alone, at the currency's scale: `-1500.00`.
    pub fn amount_text(&self) -> String {
        format_minor(self.minor_units, self.scale)
    }

    pub fn is_negative(&self) -> bool {
        self.minor_units < 0
    }

    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyArithmeticError> {
        if self.currency != other.currency || self.scale != other.scale {
            return Err(MoneyArithmeticError::CurrencyMismatch {
                left: self.to_string(),
                right: other.to_string(),
            });
        }
        let minor_units = self
            .minor_units
            .checked_add(other.minor_units)
            .ok_or_else(|| MoneyArithmeticError::Overflow(format!("{self} + {other}")))?;
        Ok(Money {
            minor_units,
            ..self.clone()
        })
    }

    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyArithmeticError> {
        let negated = other
            .minor_units
            .checked_neg()
            .ok_or_else(|| MoneyArithmeticError::Overflow(format!("-{other}")))?;
        self.checked_add(&Money {
            minor_units: negated,
            ..other.clone()
        })
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount_text(), self.currency)
    }
}

/// Integer minor units of an amount with at most `scale` decimals (`12.50` at 2 → 1250).
pub fn to_minor(value: Decimal, scale: u8) -> Result<i64, MoneyError> {
    let overflow = || MoneyError::Overflow {
        text: value.to_string(),
    };
    // The common case (no more decimals than the currency has): widen the mantissa.
    if let Some(widen) = u32::from(scale).checked_sub(value.scale()) {
        let exact = 10i128
            .checked_pow(widen)
            .and_then(|f| value.mantissa().checked_mul(f))
            .and_then(|m| i64::try_from(m).ok());
        return exact.ok_or_else(overflow);
    }
    if value.normalize().scale() > u32::from(scale) {
        return Err(overflow());
    }
    let mut v = value;
    v.rescale(u32::from(scale));
    if v.scale() != u32::from(scale) {
        return Err(overflow());
    }
    i64::try_from(v.mantissa()).map_err(|_| overflow())
}

/// The exact decimal of `minor` units at `scale` (1250 at 2 → `12.50`).
pub fn from_minor(minor: i64, scale: u8) -> Decimal {
    Decimal::new(minor, u32::from(scale))
}

/// Text of `minor` units at `scale`, always with exactly `scale` decimals: `-0.05`, `1500`.
pub fn format_minor(minor: i64, scale: u8) -> String {
    from_minor(minor, scale).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn typed_amounts_lose_their_thousands_separators_only_when_grouped() {
        use super::ungroup_typed_amount as u;
        assert_eq!(u("250,000,000"), "250000000");
        assert_eq!(u(" 250,000,000.00 "), "250000000.00");
        assert_eq!(u("1 234.50"), "1234.50");
        assert_eq!(u("1'234"), "1234");
        assert_eq!(u("-1,000"), "-1000");
        assert_eq!(u("2,90"), "2,90", "a decimal comma is not a grouping");
        assert_eq!(u("1,2345"), "1,2345");
        assert_eq!(u("12.5"), "12.5");
    }

    use super::*;

    /// `to_minor` before its fast path: the reference it must agree with.
    fn to_minor_by_rescale(value: Decimal, scale: u8) -> Option<i64> {
        if value.normalize().scale() > u32::from(scale) {
            return None;
        }
        let mut v = value;
        v.rescale(u32::from(scale));
        (v.scale() == u32::from(scale))
            .then(|| i64::try_from(v.mantissa()).ok())
            .flatten()
    }

    #[test]
    fn to_minor_agrees_with_rescaling_everywhere() {
        let mantissas: [i128; 12] = [
            0,
            1,
            -1,
            5,
            1250,
            -123_456_789,
            i64::MAX as i128,
            i64::MIN as i128,
            i64::MAX as i128 + 1,
            922_337_203_685_477_580,
            -79_228_162_514_264_337_593_543_950_335,
            10_000_000_000_000_000_000,
        ];
        for m in mantissas {
            for value_scale in 0..=12 {
                let Ok(value) = Decimal::try_from_i128_with_scale(m, value_scale) else {
                    continue;
                };
                for scale in 0..=8u8 {
                    assert_eq!(
                        to_minor(value, scale).ok(),
                        to_minor_by_rescale(value, scale),
                        "{value} at scale {scale}"
                    );
                }
            }
        }
    }

    fn cur(code: &str) -> Currency {
        builtin_currencies()
            .into_iter()
            .find(|c| c.code == code)
            .unwrap()
    }

    #[test]
    fn esi_double_rounds_half_even_to_scale() {
        let d = parse_json_number_rounded("243877.49999999997", 2).unwrap();
        assert_eq!(d.to_string(), "243877.50");
        // exact midpoints go to the even neighbour
        assert_eq!(
            parse_json_number_rounded("0.125", 2).unwrap().to_string(),
            "0.12"
        );
        assert_eq!(
            parse_json_number_rounded("0.135", 2).unwrap().to_string(),
            "0.14"
        );
        assert_eq!(
            parse_json_number_rounded("-0.125", 2).unwrap().to_string(),
            "-0.12"
        );
        assert_eq!(
            parse_json_number_rounded("1500", 2).unwrap().to_string(),
            "1500.00"
        );
        assert_eq!(
            parse_json_number_rounded("1.5e3", 2).unwrap().to_string(),
            "1500.00"
        );
        assert_eq!(
            parse_json_number_rounded("2.5", 0).unwrap().to_string(),
            "2"
        );
    }

    #[test]
    fn input_with_more_decimals_than_scale_is_refused_not_rounded() {
        let err = parse_exact("12.345", &cur("USD")).unwrap_err();
        assert!(
            matches!(
                err,
                MoneyError::TooManyDecimals {
                    found: 3,
                    scale: 2,
                    ..
                }
            ),
            "{err}"
        );
        assert!(parse_exact("12.5", &cur("JPY")).is_err());
        assert_eq!(
            parse_exact("12.345", &cur("KWD")).unwrap().to_string(),
            "12.345"
        );
        // trailing zeros are not extra precision
        assert_eq!(
            parse_exact("12.500", &cur("USD")).unwrap().to_string(),
            "12.50"
        );
    }

    #[test]
    fn garbage_and_overflow_are_errors() {
        assert!(matches!(
            parse_exact("12,50", &cur("USD")),
            Err(MoneyError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_exact("", &cur("USD")),
            Err(MoneyError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_exact("1e3", &cur("USD")),
            Err(MoneyError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_json_number_rounded("1e30", 2),
            Err(MoneyError::NotANumber { .. } | MoneyError::Overflow { .. })
        ));
        assert!(matches!(
            parse_exact("99999999999999999999", &cur("USD")),
            Err(MoneyError::Overflow { .. })
        ));
    }

    #[test]
    fn minor_units_round_trip() {
        let d = parse_exact("-1234567.89", &cur("EUR")).unwrap();
        let minor = to_minor(d, 2).unwrap();
        assert_eq!(minor, -123456789);
        assert_eq!(format_minor(minor, 2), "-1234567.89");
        assert_eq!(format_minor(5, 3), "0.005");
        assert_eq!(format_minor(1500, 0), "1500");
    }

    #[test]
    fn money_keeps_totals_per_currency() {
        let isk = cur("ISK");
        let a = Money::parse("243877.50", &isk).unwrap();
        let b = Money::parse("-0.50", &isk).unwrap();
        let total = a.checked_add(&b).unwrap();
        assert_eq!(total.to_string(), "243877.00 ISK");
        assert_eq!(total.checked_sub(&a).unwrap().amount_text(), "-0.50");
        let usd = Money::parse("1", &cur("USD")).unwrap();
        assert!(matches!(
            a.checked_add(&usd),
            Err(MoneyArithmeticError::CurrencyMismatch { .. })
        ));
        let max = Money::from_minor(i64::MAX, &isk);
        assert!(matches!(
            max.checked_add(&Money::from_minor(1, &isk)),
            Err(MoneyArithmeticError::Overflow(_))
        ));
        assert_eq!(Money::zero(&cur("JPY")).to_string(), "0 JPY");
        assert!(
            Money::parse("1.005", &cur("USD")).is_err(),
            "never rounded silently"
        );
    }

    #[test]
    fn currency_codes_are_checked() {
        assert!(Currency::new("usd", 2, "x").is_err());
        assert!(Currency::new("US", 2, "x").is_err());
        assert!(Currency::new("PLEX", 0, "x").is_ok());
        assert!(Currency::new("ABC", 9, "x").is_err());
    }
}
