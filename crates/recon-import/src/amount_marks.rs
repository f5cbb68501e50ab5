//! A currency written inside an amount cell (`12,50 USD`, `$12.50`, `£ 12,50`, `100 kr`) is
//! a claim about the row's currency, checked like a currency column: never stripped and
//! ignored. A code must be a currency code and the row's currency; a symbol several
//! currencies share (`$`, `¥`, `kr`) is accepted in a row of any of them.

/// ISO 4217 codes in use, plus the few codes banks and games write that are not in it
/// (`ISK` is both the Icelandic króna and EVE's InterStellar Kredit; `BTC`, `XBT`).
const KNOWN_CODES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD \
BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP \
ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK \
JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK \
MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG \
QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS \
TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW \
ZWL BTC XBT";

/// What each symbol or word stands for; more than one code means the mark is shared.
const MARKS: &[(&str, &[&str])] = &[
    (
        "$",
        &[
            "USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD", "TWD", "ARS", "CLP", "COP", "UYU",
            "BSD", "BBD", "BMD", "BND", "BZD", "FJD", "GYD", "JMD", "KYD", "LRD", "NAD", "SBD",
            "SRD", "TTD", "XCD", "ZWL", "CUP", "DOP", "NIO",
        ],
    ),
    ("US$", &["USD"]),
    ("U$", &["USD"]),
    ("C$", &["CAD", "NIO"]),
    ("CA$", &["CAD"]),
    ("A$", &["AUD"]),
    ("AU$", &["AUD"]),
    ("NZ$", &["NZD"]),
    ("HK$", &["HKD"]),
    ("S$", &["SGD"]),
    ("R$", &["BRL"]),
    ("MX$", &["MXN"]),
    ("NT$", &["TWD"]),
    ("€", &["EUR"]),
    (
        "£",
        &["GBP", "EGP", "FKP", "GIP", "SHP", "SSP", "SYP", "LBP"],
    ),
    ("¥", &["JPY", "CNY"]),
    ("₹", &["INR"]),
    ("₽", &["RUB"]),
    ("₩", &["KRW", "KPW"]),
    ("₺", &["TRY"]),
    ("₪", &["ILS"]),
    ("฿", &["THB"]),
    ("₫", &["VND"]),
    ("₱", &["PHP"]),
    ("₴", &["UAH"]),
    ("₦", &["NGN"]),
    ("₡", &["CRC"]),
    ("₲", &["PYG"]),
    ("₵", &["GHS"]),
    ("₸", &["KZT"]),
    ("₭", &["LAK"]),
    ("₮", &["MNT"]),
    ("₼", &["AZN"]),
    ("₾", &["GEL"]),
    ("៛", &["KHR"]),
    ("₿", &["BTC", "XBT"]),
    ("kr", &["SEK", "NOK", "DKK", "ISK"]),
    ("kr.", &["SEK", "NOK", "DKK", "ISK"]),
    ("Kr", &["SEK", "NOK", "DKK", "ISK"]),
    ("Fr.", &["CHF", "XOF", "XAF", "XPF"]),
    ("Fr", &["CHF", "XOF", "XAF", "XPF"]),
    ("zł", &["PLN"]),
    ("Kč", &["CZK"]),
    ("Ft", &["HUF"]),
    ("lei", &["RON", "MDL"]),
    ("Rs.", &["INR", "PKR", "LKR", "NPR", "MUR", "SCR"]),
    ("Rs", &["INR", "PKR", "LKR", "NPR", "MUR", "SCR"]),
];

/// Whether `code` (upper case) is a currency code Recon Desk knows.
pub fn is_known_code(code: &str) -> bool {
    code.len() == 3 && KNOWN_CODES.split(' ').any(|c| c == code)
}

/// What a currency mark written in an amount stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrencyClaim {
    /// The generic currency sign `¤`: no particular currency.
    Any,
    /// One or more currencies (several for a shared symbol such as `$`).
    OneOf(Vec<String>),
}

/// The currencies `mark` (as cut from an amount: `USD`, `eur`, `$`, `US$`, `kr`) stands
/// for, or why it is not a currency.
pub fn claim_of(mark: &str) -> Result<CurrencyClaim, String> {
    if mark == "¤" {
        return Ok(CurrencyClaim::Any);
    }
    if mark == "¢" {
        return Err("'¢' counts cents; write the amount in whole units".into());
    }
    if let Some((_, codes)) = MARKS.iter().find(|(m, _)| *m == mark) {
        return Ok(CurrencyClaim::OneOf(
            codes.iter().map(|c| c.to_string()).collect(),
        ));
    }
    let upper = mark.to_ascii_uppercase();
    if upper.len() == 3 && upper.bytes().all(|b| b.is_ascii_uppercase()) {
        return if is_known_code(&upper) {
            Ok(CurrencyClaim::OneOf(vec![upper]))
        } else {
            Err(format!("'{mark}' is not a known currency code"))
        };
    }
    Err(format!("'{mark}' is not a known currency symbol"))
}

/// The currency the row must be in, and whose that is (for the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowCurrency<'a> {
    pub code: &'a str,
    /// "the wallet", "the currency column", "the profile".
    pub whose: &'a str,
}

/// Checks the marks cut from amount `text` against the row's currency. With no currency
/// known, a mark naming exactly one currency is returned: it becomes the row's currency.
pub fn check_marks(
    text: &str,
    marks: &[&str],
    row: Option<RowCurrency<'_>>,
) -> Result<Option<String>, String> {
    let mut claimed: Option<String> = None;
    for mark in marks {
        let codes = match claim_of(mark).map_err(|why| format!("'{text}': {why}"))? {
            CurrencyClaim::Any => continue,
            CurrencyClaim::OneOf(codes) => codes,
        };
        match row {
            Some(r) if !codes.iter().any(|c| c.eq_ignore_ascii_case(r.code)) => {
                let says = if codes.len() == 1 {
                    codes[0].clone()
                } else {
                    format!("'{mark}' ({})", codes.join(", "))
                };
                return Err(format!(
                    "'{text}' is in {says} but {} holds {}",
                    r.whose,
                    r.code.to_ascii_uppercase()
                ));
            }
            Some(_) => {}
            None if codes.len() == 1 => {
                if claimed.as_ref().is_some_and(|c| *c != codes[0]) {
                    return Err(format!("'{text}' names two currencies"));
                }
                claimed = Some(codes[0].clone());
            }
            None => {}
        }
    }
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EUR_WALLET: Option<RowCurrency<'static>> = Some(RowCurrency {
        code: "EUR",
        whose: "the wallet",
    });

    #[test]
    fn marks_of_another_currency_or_unknown_codes_are_refused() {
        for (text, marks, why) in [
            (
                "12,50 USD",
                &["USD"][..],
                "is in USD but the wallet holds EUR",
            ),
            ("$12,50", &["$"], "is in '$' (USD, CAD"),
            ("£ 12,50", &["£"], "is in '£' (GBP"),
            ("¥1234", &["¥"], "'¥' (JPY, CNY) but the wallet holds EUR"),
            ("7,00 XYZ", &["XYZ"], "'XYZ' is not a known currency code"),
            ("50¢", &["¢"], "counts cents"),
            ("XX$ 5", &["XX$"], "not a known currency symbol"),
        ] {
            let err = check_marks(text, marks, EUR_WALLET).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
            assert!(err.starts_with(&format!("'{text}'")), "{err}");
        }
    }

    #[test]
    fn marks_of_the_row_currency_are_accepted() {
        let usd = Some(RowCurrency {
            code: "USD",
            whose: "the wallet",
        });
        assert_eq!(check_marks("$5", &["$"], usd), Ok(None));
        assert_eq!(check_marks("US$5", &["US$"], usd), Ok(None));
        assert_eq!(check_marks("5 usd", &["usd"], usd), Ok(None));
        assert_eq!(check_marks("€5", &["€"], EUR_WALLET), Ok(None));
        assert_eq!(check_marks("EUR 5 €", &["EUR", "€"], EUR_WALLET), Ok(None));
        assert_eq!(check_marks("¤5", &["¤"], EUR_WALLET), Ok(None));
        let isk = Some(RowCurrency {
            code: "ISK",
            whose: "the wallet",
        });
        assert_eq!(check_marks("100 kr", &["kr"], isk), Ok(None));
        let jpy = Some(RowCurrency {
            code: "JPY",
            whose: "the wallet",
        });
        assert_eq!(check_marks("¥1234", &["¥"], jpy), Ok(None));
    }

    #[test]
    fn with_no_currency_known_a_definite_mark_becomes_the_rows() {
        assert_eq!(check_marks("5 USD", &["USD"], None), Ok(Some("USD".into())));
        assert_eq!(check_marks("€5", &["€"], None), Ok(Some("EUR".into())));
        assert_eq!(check_marks("$5", &["$"], None), Ok(None));
        assert!(check_marks("€5 USD", &["€", "USD"], None).is_err());
        assert!(check_marks("5 XYZ", &["XYZ"], None).is_err());
    }
}
