//! Rounding a JSON number once, from its exact text. Parsing into a `Decimal` first would
//! round numbers of more than 28 significant digits to 28, and rounding that to the
//! currency's scale would round twice (`0.00500000000000000000000000000001` → `0.0050…0`
//! → `0.00`, where one rounding gives `0.01`).

use rust_decimal::Decimal;

/// Digits a rounded result may have: a `Decimal` mantissa holds 28 safely.
const MAX_DIGITS: usize = 28;

/// Why a text could not be rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoundError {
    NotANumber,
    TooLarge,
}

/// A JSON number (`-12.345`, `1.5e3`) rounded half-even to `scale` decimals, from its
/// digits: one rounding, whatever the number of digits written.
pub(crate) fn round_half_even(text: &str, scale: u8) -> Result<Decimal, RoundError> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], parse_exponent(&body[i + 1..])?),
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) if !f.is_empty() => (i, f),
        Some(_) => return Err(RoundError::NotANumber),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
        return Err(RoundError::NotANumber);
    }
    // value = digits × 10^shift
    let digits: String = [int_part, frac_part].concat();
    let digits = digits.trim_start_matches('0');
    let shift = exponent - frac_part.len() as i64;
    let target = -i64::from(scale);
    let kept: String = if shift >= target {
        let zeros = (shift - target) as usize;
        if !digits.is_empty() && digits.len() + zeros > MAX_DIGITS {
            return Err(RoundError::TooLarge);
        }
        let pad = if digits.is_empty() { 0 } else { zeros };
        format!("{digits}{}", "0".repeat(pad))
    } else {
        let cut = (target - shift) as usize;
        let (kept, dropped) = if cut >= digits.len() {
            ("", digits)
        } else {
            digits.split_at(digits.len() - cut)
        };
        // A dropped part shorter than the cut has leading zeros: below one half.
        let first = if cut > digits.len() {
            0
        } else {
            dropped.bytes().next().map_or(0, |b| b - b'0')
        };
        let rest_nonzero = dropped.bytes().skip(1).any(|b| b != b'0');
        let last_odd = kept.bytes().last().is_some_and(|b| (b - b'0') % 2 == 1);
        let up = first > 5 || (first == 5 && (rest_nonzero || last_odd));
        let kept = if up {
            increment(kept)
        } else {
            kept.to_string()
        };
        if kept.len() > MAX_DIGITS {
            return Err(RoundError::TooLarge);
        }
        kept
    };
    let magnitude: i128 = if kept.is_empty() {
        0
    } else {
        kept.parse().map_err(|_| RoundError::TooLarge)?
    };
    // Zero is never negative.
    let signed = if negative { -magnitude } else { magnitude };
    Decimal::try_from_i128_with_scale(signed, u32::from(scale)).map_err(|_| RoundError::TooLarge)
}

fn parse_exponent(text: &str) -> Result<i64, RoundError> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RoundError::NotANumber);
    }
    // Beyond this no amount is meant; it would only make the digit strings huge.
    if digits.len() > 4 {
        return Err(RoundError::TooLarge);
    }
    let value: i64 = digits.parse().map_err(|_| RoundError::NotANumber)?;
    Ok(if text.starts_with('-') { -value } else { value })
}

/// `"129"` → `"130"`, `"99"` → `"100"`, `""` → `"1"`.
fn increment(digits: &str) -> String {
    let mut out: Vec<u8> = digits.bytes().collect();
    for b in out.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(out).expect("digits");
        }
    }
    out.insert(0, b'1');
    String::from_utf8(out).expect("digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str, scale: u8) -> String {
        round_half_even(text, scale).unwrap().to_string()
    }

    #[test]
    fn rounds_once_from_the_text() {
        assert_eq!(r("0.00500000000000000000000000000001", 2), "0.01");
        assert_eq!(r("0.005", 2), "0.00");
        assert_eq!(r("0.015", 2), "0.02");
        assert_eq!(r("-0.00500000000000000000000000000001", 2), "-0.01");
        assert_eq!(r("-0.001", 2), "0.00");
        assert_eq!(r("243877.49999999997", 2), "243877.50");
        assert_eq!(r("0.125", 2), "0.12");
        assert_eq!(r("0.135", 2), "0.14");
        assert_eq!(r("9.995", 2), "10.00");
        assert_eq!(r("99.999", 2), "100.00");
        assert_eq!(r("1.5e3", 2), "1500.00");
        assert_eq!(r("15E-1", 0), "2");
        assert_eq!(r("25e-1", 0), "2");
        assert_eq!(r("5e-1000", 2), "0.00");
        assert_eq!(r("0", 2), "0.00");
        assert_eq!(r("1500", 2), "1500.00");
        assert_eq!(r("000.50", 2), "0.50");
    }

    #[test]
    fn refuses_what_is_not_a_number_or_too_large() {
        for bad in [
            "", "-", ".5", "5.", "1e", "1e+", "abc", "1.2.3", "--1", "+1", "0x10",
        ] {
            assert_eq!(
                round_half_even(bad, 2),
                Err(RoundError::NotANumber),
                "{bad}"
            );
        }
        for big in ["1e30", "1e99999", "123456789012345678901234567890"] {
            assert_eq!(round_half_even(big, 2), Err(RoundError::TooLarge), "{big}");
        }
    }

    /// Against `Decimal`'s own rounding wherever the text fits a `Decimal` exactly.
    #[test]
    fn agrees_with_decimal_rounding_when_the_text_fits() {
        use rust_decimal::RoundingStrategy;
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..50_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let int = seed % 100_000;
            let frac_len = (seed >> 20) % 9;
            let frac = (seed >> 30) % 10u64.pow(frac_len as u32);
            let neg = if (seed >> 60) & 1 == 1 { "-" } else { "" };
            let text = if frac_len == 0 {
                format!("{neg}{int}")
            } else {
                format!("{neg}{int}.{frac:0width$}", width = frac_len as usize)
            };
            let scale = ((seed >> 40) % 4) as u8;
            let mut expected = Decimal::from_str_exact(&text)
                .unwrap()
                .round_dp_with_strategy(u32::from(scale), RoundingStrategy::MidpointNearestEven);
            expected.rescale(u32::from(scale));
            let got = round_half_even(&text, scale).unwrap();
            assert_eq!(got, expected, "{text} at {scale}");
            assert_eq!(got.scale(), u32::from(scale), "{text}");
        }
    }
}
