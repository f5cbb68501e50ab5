//! Property tests of the partner ledger's rules: commissions agree with an exact rational
//! reference, and any sequence of approvals, settlements and reversals posts only
//! transactions that balance per currency.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use proptest::prelude::*;
use recon_core::ledger::postings::{accrual_lines, reversal_lines, settlement_lines};
use recon_core::ledger::{
    check_balanced, commission, settlement_commissions, EntityType, Line, Rate, RoundingMode, Terms,
};
use recon_core::money::{Currency, Money};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

fn mode_of(i: u8) -> RoundingMode {
    RoundingMode::ALL[usize::from(i) % RoundingMode::ALL.len()]
}

/// The reference: exact = gross × rate / 100 as a rational of minor units, rounded by the
/// textbook definition of each mode.
fn reference(gross_minor: i64, rate: &BigRational, mode: RoundingMode) -> (BigInt, BigRational) {
    let exact = BigRational::from_integer(BigInt::from(gross_minor)) * rate
        / BigRational::from_integer(BigInt::from(100));
    let trunc = exact.trunc();
    let frac = &exact - &trunc;
    let half = BigRational::new(BigInt::from(1), BigInt::from(2));
    let away = if exact.is_negative() {
        trunc.clone() - BigRational::from_integer(BigInt::from(1))
    } else {
        trunc.clone() + BigRational::from_integer(BigInt::from(1))
    };
    let rounded = if frac.is_zero() {
        trunc
    } else {
        match mode {
            RoundingMode::Down => trunc,
            RoundingMode::HalfUp => {
                if frac.abs() >= half {
                    away
                } else {
                    trunc
                }
            }
            RoundingMode::HalfEven => match frac.abs().cmp(&half) {
                std::cmp::Ordering::Less => trunc,
                std::cmp::Ordering::Greater => away,
                std::cmp::Ordering::Equal => {
                    if (trunc.to_integer() % BigInt::from(2)).is_zero() {
                        trunc
                    } else {
                        away
                    }
                }
            },
        }
    };
    let residue = &exact - &rounded;
    (rounded.to_integer(), residue)
}

fn decimal_to_rational(d: Decimal) -> BigRational {
    BigRational::new(
        BigInt::from(d.mantissa()),
        BigInt::from(10u8).pow(d.scale()),
    )
}

/// A seeded xorshift generator: 100,000 cases in a plain loop cost a fraction of what
/// proptest's per-case machinery does, and a failure prints its case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn commissions_agree_with_the_exact_rational_reference_in_100_000_random_cases() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for case in 0..100_000 {
        // Amounts of every size, small ones often (where midpoints are common).
        let magnitude = 10i64.pow(rng.below(16) as u32);
        let gross_minor =
            (rng.below(magnitude as u64 * 10) as i64) * if rng.below(4) == 0 { -1 } else { 1 };
        let rate_scale = rng.below(9) as u32;
        let mantissa = rng.below(100 * 10u64.pow(rate_scale) + 1);
        let scale = rng.below(9) as u8;
        let mode = mode_of(rng.below(3) as u8);
        let rate = Rate::parse(&Decimal::new(mantissa as i64, rate_scale).to_string()).unwrap();
        let currency = Currency::new("TST", scale, "test").unwrap();
        let got = commission(
            &Money::from_minor(gross_minor, &currency),
            rate,
            mode,
            &currency,
        )
        .unwrap();
        let exact_rate =
            BigRational::new(BigInt::from(mantissa), BigInt::from(10u8).pow(rate_scale));
        let (amount, residue_minor) = reference(gross_minor, &exact_rate, mode);
        let residue =
            residue_minor / BigRational::from_integer(BigInt::from(10u8).pow(u32::from(scale)));
        let what = format!("case {case}: {gross_minor} minor at scale {scale} × {rate}% {mode}");
        assert_eq!(BigInt::from(got.amount.minor_units()), amount, "{what}");
        assert_eq!(
            decimal_to_rational(got.residue),
            residue,
            "{what}: residue {}",
            got.residue
        );
    }
}

/// One step of a random ledger history.
#[derive(Debug, Clone)]
enum Op {
    Approve {
        program: usize,
        payout_minor: i64,
    },
    Settle {
        program: usize,
        gross_minor: i64,
        affiliate: usize,
    },
    Reverse {
        pick: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3, 0i64..100_000).prop_map(|(program, payout_minor)| Op::Approve {
            program,
            payout_minor
        }),
        (0usize..3, 1i64..10_000_000_000, 0usize..4).prop_map(
            |(program, gross_minor, affiliate)| Op::Settle {
                program,
                gross_minor,
                affiliate
            }
        ),
        (0usize..1000).prop_map(|pick| Op::Reverse { pick }),
    ]
}

fn programs() -> Vec<(String, Terms)> {
    let terms = |code: &str, scale: u8, direct: &str, over: &str, rounding| Terms {
        direct_rate: Rate::parse(direct).unwrap(),
        override_rate: Rate::parse(over).unwrap(),
        rounding,
        currency: Currency::new(code, scale, code).unwrap(),
    };
    vec![
        (
            "usd".into(),
            terms("USD", 2, "10", "2.5", RoundingMode::HalfEven),
        ),
        (
            "jpy".into(),
            terms("JPY", 0, "7.125", "0.5", RoundingMode::HalfUp),
        ),
        (
            "kwd".into(),
            terms("KWD", 3, "33.33333333", "0.125", RoundingMode::Down),
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_history_of_approvals_settlements_and_reversals_balances(ops in proptest::collection::vec(op(), 1..60)) {
        let programs = programs();
        // Affiliates a0 ← a1 ← a2 ← a3: a settlement through a3 pays a3 and a2 only.
        let parent = |a: usize| if a == 0 { None } else { Some(a - 1) };
        let mut transactions: Vec<Vec<Line>> = Vec::new();
        // Reversible entries: their transaction's index, and whether reversed already.
        let mut entries: Vec<(usize, bool)> = Vec::new();
        for op in ops {
            match op {
                Op::Approve { program, payout_minor } => {
                    let (slug, t) = &programs[program];
                    let m = Money::from_minor(payout_minor, &t.currency);
                    transactions.push(accrual_lines(slug, EntityType::Sponsor, "S", &m));
                    entries.push((transactions.len() - 1, false));
                }
                Op::Settle { program, gross_minor, affiliate } => {
                    let (slug, t) = &programs[program];
                    let gross = Money::from_minor(gross_minor, &t.currency);
                    transactions.push(settlement_lines(slug, &gross));
                    let plan = settlement_commissions(t, &gross, parent(affiliate).is_some()).unwrap();
                    prop_assert!(plan.len() <= 2, "never further up than the parent");
                    for c in plan {
                        let who = if c.level == 0 { affiliate } else { parent(affiliate).unwrap() };
                        transactions.push(accrual_lines(slug, EntityType::Affiliate, &format!("a{who}"), &c.commission.amount));
                        entries.push((transactions.len() - 1, false));
                    }
                }
                Op::Reverse { pick } => {
                    if entries.is_empty() { continue; }
                    let i = pick % entries.len();
                    if entries[i].1 { continue; } // reversed once only
                    entries[i].1 = true;
                    let opposite = reversal_lines(&transactions[entries[i].0]);
                    transactions.push(opposite);
                }
            }
        }
        let mut per_currency: BTreeMap<String, i128> = BTreeMap::new();
        for (n, t) in transactions.iter().enumerate() {
            prop_assert!(check_balanced(t).is_ok(), "transaction {} does not balance: {:?}", n, t);
            for l in t {
                *per_currency.entry(l.currency.clone()).or_default() += i128::from(l.amount_minor);
            }
        }
        for (currency, sum) in per_currency {
            prop_assert_eq!(sum, 0, "the whole ledger balances in {}", currency);
        }
    }
}
