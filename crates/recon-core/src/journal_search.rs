//! What a journal search for an amount means: `250000000`, `250,000,000` and `2.90` find the
//! lines of that amount (in or out: the sign is not typed), `100..200` a range. Amounts are
//! compared in each currency's minor units, never as floats.

use crate::money::ungroup_typed_amount;
use rust_decimal::Decimal;
use std::str::FromStr;

/// An inclusive range of absolute amounts; `None` ends are open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountRange {
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
}

/// One typed amount (separators allowed), unsigned.
fn amount(text: &str) -> Option<Decimal> {
    let plain = ungroup_typed_amount(text);
    let ok = !plain.is_empty() && plain.chars().all(|c| c.is_ascii_digit() || c == '.');
    if !ok {
        return None;
    }
    Decimal::from_str(&plain).ok()
}

impl AmountRange {
    /// A search text that is an amount (`2.90`) or a range (`100..200`, `100 - 200`).
    pub fn from_search(text: &str) -> Option<Self> {
        let t = text.trim();
        let bounds = t
            .split_once("..")
            .or_else(|| t.split_once(" - "))
            .or_else(|| t.split_once('–'));
        match bounds {
            Some((lo, hi)) => Some(Self {
                min: amount(lo)?.into(),
                max: amount(hi)?.into(),
            }),
            None => amount(t).map(|a| Self {
                min: Some(a),
                max: Some(a),
            }),
        }
    }

    /// From two optional fields; `Err` names a field that holds no amount.
    pub fn from_fields(min: Option<&str>, max: Option<&str>) -> Result<Option<Self>, String> {
        let read = |field: &str, t: Option<&str>| match t.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => amount(t)
                .map(Some)
                .ok_or_else(|| format!("{field}: '{t}' is not an amount")),
        };
        let (min, max) = (read("amount from", min)?, read("amount to", max)?);
        Ok((min.is_some() || max.is_some()).then_some(Self { min, max }))
    }

    /// The range in minor units of a currency of `scale` decimals: the low end rounded up, the
    /// high end down (an amount with more decimals than the currency has matches nothing).
    /// `None` when no amount of that scale falls in it.
    pub fn minor_bounds(&self, scale: u32) -> Option<(Option<i64>, Option<i64>)> {
        let factor = Decimal::from(10i64.checked_pow(scale)?);
        let lo = match self.min {
            Some(m) => Some(i64::try_from((m * factor).ceil()).ok()?),
            None => None,
        };
        let hi = match self.max {
            Some(m) => Some(i64::try_from((m * factor).floor()).ok()?),
            None => None,
        };
        match (lo, hi) {
            (Some(l), Some(h)) if l > h => None,
            _ => Some((lo, hi)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_found_with_or_without_separators_and_as_ranges() {
        let r = AmountRange::from_search("250,000,000").unwrap();
        assert_eq!(r, AmountRange::from_search("250000000").unwrap());
        assert_eq!(
            r.minor_bounds(2),
            Some((Some(25_000_000_000), Some(25_000_000_000)))
        );
        let r = AmountRange::from_search("2.90").unwrap();
        assert_eq!(r.minor_bounds(2), Some((Some(290), Some(290))));
        assert_eq!(r.minor_bounds(0), None, "2.90 is no JPY amount");
        let r = AmountRange::from_search("100..200.5").unwrap();
        assert_eq!(r.minor_bounds(2), Some((Some(10_000), Some(20_050))));
        assert_eq!(r.minor_bounds(0), Some((Some(100), Some(200))));
        assert!(AmountRange::from_search("ARB c1").is_none());
        assert!(
            AmountRange::from_search("2,90").is_none(),
            "not an amount the search can read"
        );
        let f = AmountRange::from_fields(Some("1,000"), None)
            .unwrap()
            .unwrap();
        assert_eq!(f.minor_bounds(2), Some((Some(100_000), None)));
        assert!(AmountRange::from_fields(Some("x"), None).is_err());
        assert_eq!(AmountRange::from_fields(Some(" "), None), Ok(None));
    }
}
