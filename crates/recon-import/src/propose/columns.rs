//! Giving columns their roles: the date, the amount mapping (one amount column, an amount
//! and an indicator, or debit and credit), balance, currency, reference, description and
//! counterparty — by header words first, by content when there are none.

use super::amounts::{indicator_set, is_number};
use super::headers::{keyword_score, Role};
use super::mostly;
use super::table::{Col, Table};
use crate::profile::{AmountMapping, Column};
use crate::ImportError;

/// The columns taken so far; each column gets one role at most.
pub(super) struct Roles<'t, 'a> {
    table: &'t Table<'a>,
    used: Vec<bool>,
    /// The columns holding money (amounts, then the balance), for the separators.
    pub(super) money_cols: Vec<usize>,
    /// The debit/credit indicator column beside an unsigned amount.
    pub(super) indicator: Option<usize>,
}

impl<'t, 'a> Roles<'t, 'a> {
    pub(super) fn new(table: &'t Table<'a>) -> Self {
        Self {
            table,
            used: vec![false; table.width],
            money_cols: Vec::new(),
            indicator: None,
        }
    }

    /// How the profile names column `j`.
    pub(super) fn column(&self, j: usize) -> Column {
        let cols = &self.table.cols;
        let c = &cols[j];
        // a header name is stable across exports unless it is empty or repeated
        if self.table.has_header
            && !c.header.is_empty()
            && cols
                .iter()
                .filter(|o| o.header.eq_ignore_ascii_case(&c.header))
                .count()
                == 1
        {
            Column::Name(c.header.clone())
        } else {
            Column::Index(j + 1)
        }
    }

    /// The free column whose header best names `role`, among those `ok` accepts.
    fn pick(&self, role: Role, ok: &dyn Fn(&Col) -> bool) -> Option<usize> {
        self.pick_at(role, &|j| ok(&self.table.cols[j]))
    }

    /// `pick` with the test given the column's index.
    fn pick_at(&self, role: Role, ok: &dyn Fn(usize) -> bool) -> Option<usize> {
        let cols = &self.table.cols;
        (0..self.table.width)
            .filter(|&j| !self.used[j] && ok(j))
            .map(|j| (keyword_score(&cols[j].header, role), j))
            .filter(|(s, _)| *s > 0)
            .max_by_key(|(s, j)| (*s, std::cmp::Reverse(*j)))
            .map(|(_, j)| j)
    }

    /// Takes the column `pick` finds, if any.
    fn take(&mut self, role: Role, ok: &dyn Fn(&Col) -> bool) -> Option<usize> {
        let j = self.pick(role, ok);
        if let Some(j) = j {
            self.used[j] = true;
        }
        j
    }

    /// Date: a column whose every value parses; keywords first, value dates last.
    pub(super) fn date(&mut self) -> Result<usize, ImportError> {
        let table = self.table;
        let cols = &table.cols;
        let date_j = (0..table.width)
            .filter(|&j| {
                !cols[j].dates.is_empty()
                    || (table.no_rows && keyword_score(&cols[j].header, Role::Date) > 0)
            })
            .max_by_key(|&j| {
                let c = &cols[j];
                let kw = keyword_score(&c.header, Role::Date) as i32
                    - 3 * keyword_score(&c.header, Role::ValueDate) as i32;
                (kw, std::cmp::Reverse(j))
            })
            .ok_or_else(|| ImportError::CannotPropose {
                reason: format!(
                    "no column holds dates in a known format (columns: {})",
                    table.column_list()
                ),
            })?;
        self.used[date_j] = true;
        Ok(date_j)
    }

    /// Amount: debit + credit columns, or one amount column (+ an indicator column).
    pub(super) fn amount(&mut self) -> Result<AmountMapping, ImportError> {
        let no_rows = self.table.no_rows;
        let money_ok = |c: &Col| {
            no_rows || mostly(&c.values, |v| is_number(v) || v == "-") && c.dates.is_empty()
        };
        let debit = self.pick(Role::Debit, &money_ok);
        let credit = self.pick(Role::Credit, &money_ok);
        match (debit, credit) {
            (Some(d), Some(c)) if d != c => {
                self.used[d] = true;
                self.used[c] = true;
                self.money_cols.extend([d, c]);
                Ok(AmountMapping::DebitCredit {
                    debit: self.column(d),
                    credit: self.column(c),
                })
            }
            _ => self.single_amount(),
        }
    }

    /// One amount column, with an indicator column beside it when its values are unsigned.
    fn single_amount(&mut self) -> Result<AmountMapping, ImportError> {
        let table = self.table;
        let cols = &table.cols;
        let no_rows = table.no_rows;
        let numeric_ok = |c: &Col| (no_rows || c.numeric) && c.dates.is_empty();
        // a column named as a balance ("Boeksaldo") or holding a running sum of another
        // column is no amount; asked once per column (each asks every other column), and
        // only of the columns that could hold amounts, the only ones it is asked of
        let balance_like: Vec<bool> = (0..table.width)
            .map(|j| {
                numeric_ok(&cols[j])
                    && (keyword_score(&cols[j].header, Role::Balance)
                        > keyword_score(&cols[j].header, Role::Amount)
                        || (0..table.width).any(|k| {
                            k != j && cols[k].numeric && running_balance(&cols[j], &cols[k])
                        }))
            })
            .collect();
        let amount_ok = |j: usize| numeric_ok(&cols[j]) && !balance_like[j];
        let a = self
            .pick_at(Role::Amount, &amount_ok)
            .or_else(|| {
                // no header word: the first numeric column with decimals or a sign,
                // else the first short number column (long integers are ids)
                let candidates = |strict: bool| {
                    (0..table.width).find(|&j| {
                        !self.used[j]
                            && amount_ok(j)
                            && if strict {
                                cols[j].values.iter().any(|v| v.contains(['.', ',', '-']))
                            } else {
                                cols[j].values.iter().all(|v| v.len() < 12)
                            }
                    })
                };
                candidates(true).or_else(|| candidates(false))
            })
            .ok_or_else(|| {
                let balances: Vec<String> = (0..table.width)
                    .filter(|&j| balance_like[j])
                    .map(|j| format!("'{}'", cols[j].name))
                    .collect();
                ImportError::CannotPropose {
                    reason: if balances.is_empty() {
                        format!("no column holds amounts (columns: {})", table.column_list())
                    } else {
                        format!(
                            "the file holds balances ({}), not transactions: no column holds amounts",
                            balances.join(", ")
                        )
                    },
                }
            })?;
        self.used[a] = true;
        self.money_cols.push(a);
        let unsigned = cols[a].values.iter().all(|v| !v.contains(['-', '(', '−']));
        let ind =
            (0..table.width).find(|&j| !self.used[j] && indicator_set(&cols[j].values).is_some());
        Ok(match ind {
            Some(i) if unsigned => {
                self.used[i] = true;
                self.indicator = Some(i);
                let (d, c) = indicator_set(&cols[i].values).unwrap_or_default();
                AmountMapping::Indicator {
                    column: self.column(a),
                    indicator: self.column(i),
                    debit_values: d,
                    credit_values: c,
                }
            }
            _ => AmountMapping::Single {
                column: self.column(a),
                negate: false,
            },
        })
    }

    /// Named as a balance, else (no header word) a running sum of the amount column.
    pub(super) fn balance(&mut self) -> Option<usize> {
        let cols = &self.table.cols;
        let amount = self.money_cols.first().copied();
        let b = self.take(Role::Balance, &|c: &Col| c.numeric).or_else(|| {
            let a = amount?;
            let j = (0..self.table.width).find(|&j| {
                !self.used[j] && cols[j].numeric && running_balance(&cols[j], &cols[a])
            })?;
            self.used[j] = true;
            Some(j)
        });
        self.money_cols.extend(b);
        b
    }

    /// A column of three-letter codes named as a currency column.
    pub(super) fn currency(&mut self) -> Option<usize> {
        self.take(Role::Currency, &|c: &Col| {
            !c.values.is_empty()
                && c.values
                    .iter()
                    .all(|v| v.len() == 3 && v.chars().all(|ch| ch.is_ascii_alphabetic()))
        })
    }

    /// A reference identifies one line: a column whose values repeat (an invoice number,
    /// a batch id) is not one.
    pub(super) fn reference(&mut self) -> Option<usize> {
        self.take(Role::Reference, &|c: &Col| {
            c.dates.is_empty()
                && (self.table.no_rows || (!c.values.is_empty() && unique(&c.values)))
        })
    }

    /// Named as a description, else the longest text column.
    pub(super) fn description(&mut self) -> Option<usize> {
        let cols = &self.table.cols;
        let no_rows = self.table.no_rows;
        // a column empty on most rows (notes, or a text only debits have) is not the
        // description when a filled one is named as one
        let d = self
            .pick(Role::Description, &|c: &Col| {
                c.dates.is_empty() && (no_rows || mostly_filled(c))
            })
            .or_else(|| {
                self.pick(Role::Description, &|c: &Col| {
                    c.dates.is_empty() && !c.values.is_empty()
                })
            })
            .or_else(|| {
                // no header word: the longest text column
                (0..self.table.width)
                    .filter(|&j| {
                        !self.used[j]
                            && !cols[j].numeric
                            && cols[j].dates.is_empty()
                            && cols[j].avg_len > 0
                    })
                    .max_by_key(|&j| (cols[j].avg_len, std::cmp::Reverse(j)))
            });
        if let Some(d) = d {
            self.used[d] = true;
        }
        d
    }

    pub(super) fn counterparty(&mut self) -> Option<usize> {
        self.take(Role::Counterparty, &|c: &Col| {
            c.dates.is_empty() && !c.numeric
        })
    }

    /// Every value of the money columns.
    pub(super) fn money_values(&self) -> Vec<&'a str> {
        self.money_cols
            .iter()
            .flat_map(|&j| self.table.cols[j].values.iter().copied())
            .collect()
    }
}

/// Every value differs from the others.
pub(super) fn unique(values: &[&str]) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    values.iter().all(|v| seen.insert(*v))
}

/// Filled on at least three rows in four.
fn mostly_filled(c: &Col) -> bool {
    c.values.len() * 4 >= c.rows * 3
}

/// `b` is a running balance of `a`: from row to row it changes by an amount of `a` (the
/// row's or its neighbour's, for files newest first or with the balance before the line),
/// on all rows but one and at least on two.
pub(super) fn running_balance(b: &Col, a: &Col) -> bool {
    let num = |v: &str| {
        crate::parse_amount(v, '.', Some(','))
            .or_else(|_| crate::parse_amount(v, ',', Some('.')))
            .ok()
    };
    let bs: Vec<_> = b.cells.iter().map(|v| num(v)).collect();
    let as_: Vec<_> = a.cells.iter().map(|v| num(v)).collect();
    if bs.len() < 3 || bs.len() != as_.len() {
        return false;
    }
    let (mut pairs, mut hits) = (0, 0);
    for i in 1..bs.len() {
        let (Some(b0), Some(b1)) = (bs[i - 1], bs[i]) else {
            continue;
        };
        pairs += 1;
        let d = b1 - b0;
        let fits = |x: Option<rust_decimal::Decimal>| {
            x.is_some_and(|x| !x.is_zero() && (x == d || x == -d))
        };
        if fits(as_[i]) || fits(as_[i - 1]) {
            hits += 1;
        }
    }
    pairs >= 2 && hits + 1 >= pairs && hits >= 2
}
