//! Why each column got its role, in words the preview shows beside the proposal, and why
//! columns that look like a role were passed over.

use super::columns::{running_balance, unique};
use super::headers::{keyword_score, Role};
use super::table::{Col, Table};

/// The columns a proposal chose (0-based indices).
pub(super) struct Chosen {
    pub date: usize,
    pub date_format: String,
    /// The amount column, or debit then credit.
    pub money: Vec<usize>,
    pub indicator: Option<usize>,
    pub balance: Option<usize>,
    pub currency: Option<usize>,
    pub reference: Option<usize>,
    pub description: Option<usize>,
    pub counterparty: Option<usize>,
}

fn named(c: &Col, role: Role) -> bool {
    keyword_score(&c.header, role) > 0
}

pub(super) fn explain(table: &Table<'_>, chosen: &Chosen) -> Vec<String> {
    let cols = &table.cols;
    let name = |j: usize| format!("'{}'", cols[j].name);
    let how = |j: usize, role: Role, otherwise: &str| {
        if named(&cols[j], role) {
            "its header names it".to_string()
        } else {
            otherwise.to_string()
        }
    };
    let mut out = vec![format!(
        "date: {} — {}; every value reads as {}",
        name(chosen.date),
        how(chosen.date, Role::Date, "no header names a date"),
        chosen.date_format
    )];
    match (chosen.money.as_slice(), chosen.indicator) {
        ([d, c], _) => out.push(format!(
            "amount: {} (debit) and {} (credit) — their headers name them",
            name(*d),
            name(*c)
        )),
        ([a], ind) => {
            out.push(format!(
                "amount: {} — {}",
                name(*a),
                how(
                    *a,
                    Role::Amount,
                    "the first column of numbers that is no running balance"
                )
            ));
            if let Some(i) = ind {
                out.push(format!(
                    "sign: {} holds debit/credit marks, so debits are made negative",
                    name(i)
                ));
            }
        }
        _ => {}
    }
    if let Some(b) = chosen.balance {
        let why = if named(&cols[b], Role::Balance) {
            "its header names a balance".to_string()
        } else {
            "from row to row it changes by the row's amount (a running balance)".to_string()
        };
        out.push(format!("balance: {} — {why}", name(b)));
    }
    if let Some(c) = chosen.currency {
        out.push(format!("currency: {} — three-letter codes", name(c)));
    }
    if let Some(r) = chosen.reference {
        out.push(format!(
            "reference: {} — its header names a reference and no value repeats",
            name(r)
        ));
    }
    if let Some(d) = chosen.description {
        out.push(format!(
            "description: {} — {}",
            name(d),
            how(d, Role::Description, "the longest text column")
        ));
    }
    if let Some(p) = chosen.counterparty {
        out.push(format!("counterparty: {} — its header names one", name(p)));
    }
    passed_over(table, chosen, &mut out);
    out
}

/// Columns that look like a role but were not given it, and why.
fn passed_over(table: &Table<'_>, chosen: &Chosen, out: &mut Vec<String>) {
    let cols = &table.cols;
    let name = |j: usize| format!("'{}'", cols[j].name);
    for (j, c) in cols.iter().enumerate() {
        if Some(j) != chosen.reference
            && named(c, Role::Reference)
            && !c.values.is_empty()
            && !unique(&c.values)
        {
            out.push(format!(
                "not a reference: {} — its values repeat, so they do not identify a line",
                name(j)
            ));
        }
    }
    for (j, c) in cols.iter().enumerate() {
        if Some(j) != chosen.description
            && named(c, Role::Description)
            && c.values.len() * 4 < c.rows * 3
        {
            out.push(format!(
                "not the description: {} — empty on {} of {} rows",
                name(j),
                c.rows - c.values.len(),
                c.rows
            ));
        }
    }
    if let Some(&a) = chosen.money.first() {
        for (j, c) in cols.iter().enumerate() {
            if Some(j) != chosen.balance && j != a && c.numeric && running_balance(c, &cols[a]) {
                out.push(format!(
                    "not an amount: {} — a running balance of {}",
                    name(j),
                    name(a)
                ));
            }
        }
    }
}
