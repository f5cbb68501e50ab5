//! Commissions: `gross × rate / 100`, rounded once with the program's mode to the
//! currency's scale, and the residue (exact product − rounded amount) kept visible.
//! Integer arithmetic on minor units throughout (`i128`), so nothing is approximated
//! before the one rounding.

use super::kinds::RoundingMode;
use crate::money::{Currency, Money};
use rust_decimal::Decimal;

/// Most decimals a rate may have (`0.125` has 3).
pub const MAX_RATE_DECIMALS: u32 = 8;

/// A commission rate as an exact decimal percentage between 0 and 100 (`10`, `2.5`, `0.125`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// The percentage's digits: `2.5` is mantissa 25 at scale 1.
    mantissa: i64,
    scale: u32,
}

impl Rate {
    pub const ZERO: Rate = Rate {
        mantissa: 0,
        scale: 0,
    };

    /// Parses a plain decimal percentage; exponents, signs other than none, more than
    /// [`MAX_RATE_DECIMALS`] decimals and values above 100 are refused.
    pub fn parse(text: &str) -> Result<Rate, String> {
        let t = text.trim();
        let shape_ok = !t.is_empty()
            && t.chars().all(|c| c.is_ascii_digit() || c == '.')
            && t.chars().filter(|c| *c == '.').count() <= 1
            && t.chars().any(|c| c.is_ascii_digit());
        let value = shape_ok
            .then(|| Decimal::from_str_exact(t).ok())
            .flatten()
            .ok_or_else(|| {
                format!("rate '{text}' is not a decimal percentage such as 10, 2.5 or 0.125")
            })?
            .normalize();
        if value.scale() > MAX_RATE_DECIMALS {
            return Err(format!(
                "rate '{text}' has {} decimals; at most {MAX_RATE_DECIMALS} are allowed",
                value.scale()
            ));
        }
        if value > Decimal::from(100) {
            return Err(format!("rate '{text}' is above 100%"));
        }
        Ok(Rate {
            mantissa: i64::try_from(value.mantissa())
                .map_err(|_| format!("rate '{text}' is too large"))?,
            scale: value.scale(),
        })
    }

    pub fn as_decimal(self) -> Decimal {
        Decimal::new(self.mantissa, self.scale)
    }

    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.as_decimal())
    }
}

/// A rounded commission and what rounding left over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commission {
    pub amount: Money,
    /// Exact product − rounded amount, in currency units (`0.0025`, `-0.004`, `0`).
    pub residue: Decimal,
}

/// Rounds `num / den` (den > 0) to an integer with `mode`.
pub fn round_ratio(num: i128, den: i128, mode: RoundingMode) -> i128 {
    debug_assert!(den > 0);
    let (q, r) = (num / den, num % den); // q truncated toward zero, r has num's sign
    if r == 0 {
        return q;
    }
    let away = if num < 0 { q - 1 } else { q + 1 };
    let twice = 2 * r.abs();
    match mode {
        RoundingMode::Down => q,
        RoundingMode::HalfUp => {
            if twice >= den {
                away
            } else {
                q
            }
        }
        RoundingMode::HalfEven => match twice.cmp(&den) {
            std::cmp::Ordering::Less => q,
            std::cmp::Ordering::Greater => away,
            std::cmp::Ordering::Equal => {
                if q % 2 == 0 {
                    q
                } else {
                    away
                }
            }
        },
    }
}

/// `gross × rate / 100` in `gross`'s currency, rounded once with `mode` to the currency's
/// scale. Refused only when the result would not fit the stored integer range.
pub fn commission(
    gross: &Money,
    rate: Rate,
    mode: RoundingMode,
    currency: &Currency,
) -> Result<Commission, String> {
    // In minor units: exact = gross_minor × mantissa / (100 × 10^scale).
    let num = i128::from(gross.minor_units()) * i128::from(rate.mantissa);
    let den = 100 * 10i128.pow(rate.scale);
    let rounded = round_ratio(num, den, mode);
    let minor = i64::try_from(rounded).map_err(|_| format!("{gross} × {rate}% overflows"))?;
    let residue_num = num - rounded * den;
    // residue in minor units is residue_num / den; den = 10^(scale+2), so in currency
    // units it is residue_num at scale (currency scale + rate scale + 2) — exact.
    let residue_scale = u32::from(currency.scale) + rate.scale + 2;
    let residue = Decimal::try_from_i128_with_scale(residue_num, residue_scale)
        .map_err(|e| format!("residue of {gross} × {rate}%: {e}"))?
        .normalize();
    Ok(Commission {
        amount: Money::from_minor(minor, currency),
        residue,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::new("USD", 2, "US dollar").unwrap()
    }

    fn c(gross: &str, rate: &str, mode: RoundingMode) -> (String, String) {
        let g = Money::parse(gross, &usd()).unwrap();
        let r = commission(&g, Rate::parse(rate).unwrap(), mode, &usd()).unwrap();
        (r.amount.amount_text(), r.residue.to_string())
    }

    #[test]
    fn ten_percent_of_a_cent_amount_rounds_per_mode_and_shows_the_residue() {
        // 10% of 0.25 = 0.025: a midpoint
        assert_eq!(
            c("0.25", "10", RoundingMode::HalfEven),
            ("0.02".into(), "0.005".into())
        );
        assert_eq!(
            c("0.25", "10", RoundingMode::HalfUp),
            ("0.03".into(), "-0.005".into())
        );
        assert_eq!(
            c("0.25", "10", RoundingMode::Down),
            ("0.02".into(), "0.005".into())
        );
        // 2.5% of 123.45 = 3.08625
        assert_eq!(
            c("123.45", "2.5", RoundingMode::HalfEven),
            ("3.09".into(), "-0.00375".into())
        );
        assert_eq!(
            c("123.45", "0.125", RoundingMode::Down),
            ("0.15".into(), "0.0043125".into())
        );
        assert_eq!(
            c("100.00", "10", RoundingMode::HalfEven),
            ("10.00".into(), "0".into())
        );
    }

    #[test]
    fn negative_amounts_round_symmetrically() {
        assert_eq!(round_ratio(-25, 10, RoundingMode::HalfEven), -2);
        assert_eq!(round_ratio(-25, 10, RoundingMode::HalfUp), -3);
        assert_eq!(round_ratio(-29, 10, RoundingMode::Down), -2);
        assert_eq!(round_ratio(-35, 10, RoundingMode::HalfEven), -4);
    }

    #[test]
    fn rates_are_exact_percentages_between_0_and_100() {
        assert_eq!(Rate::parse("2.50").unwrap().to_string(), "2.5");
        for bad in [
            "",
            "-1",
            "1e2",
            "100.01",
            "abc",
            "1.2.3",
            "0.000000001",
            ".",
        ] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
        assert!(Rate::parse("100").is_ok());
        assert!(Rate::parse("0").unwrap().is_zero());
    }
}
