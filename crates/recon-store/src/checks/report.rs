//! A run's report packed into one value (`check_runs.report`): a JSON array holding one
//! array per wallet, in the order checked. One value per run instead of one row per
//! wallet: a 10,000-wallet run writes one row (a few hundred KiB), not 10,000 rows and
//! their index entries, and reading a run back is one lookup. Runs from before the column
//! keep their report in `check_run_wallets` (see `history`).

use super::CheckLine;
use crate::{Result, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One wallet's line: workspace, wallet, currency, expected, actual, discrepancy (minor
/// units), status, warning, action, fixed, adjustment (minor units), reason.
#[derive(Serialize)]
struct PackedRef<'a>(
    &'a str,
    &'a str,
    &'a str,
    i64,
    i64,
    i64,
    &'a str,
    bool,
    &'a str,
    bool,
    Option<i64>,
    Option<&'a str>,
);

#[derive(Deserialize)]
struct Packed(
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    bool,
    String,
    bool,
    Option<i64>,
    Option<String>,
);

/// The lines, serialized one by one (no intermediate list).
struct PackedLines<'a>(&'a [CheckLine]);

impl Serialize for PackedLines<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|l| {
            PackedRef(
                &l.workspace_id,
                &l.wallet_id,
                &l.currency,
                l.expected_minor,
                l.actual_minor,
                l.discrepancy_minor,
                &l.status,
                l.warning,
                &l.action,
                l.fixed,
                l.adjustment_minor,
                l.reason.as_deref(),
            )
        }))
    }
}

/// The report's text, written into a buffer sized for it up front (growing a 1 MiB string
/// by doubling copies it over and over).
pub(super) fn pack(lines: &[CheckLine]) -> Result<String> {
    let mut text = Vec::with_capacity(lines.len() * 96 + 2);
    serde_json::to_writer(&mut text, &PackedLines(lines))
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    String::from_utf8(text).map_err(|e| StoreError::Invalid(e.to_string()))
}

/// The lines of a packed report; `scales` gives each currency's scale (0 if unknown).
pub(super) fn unpack(text: &str, scales: &HashMap<String, u8>) -> Result<Vec<CheckLine>> {
    let packed: Vec<Packed> = serde_json::from_str(text)
        .map_err(|e| StoreError::Invalid(format!("a check run's report is unreadable: {e}")))?;
    Ok(packed
        .into_iter()
        .map(|p| CheckLine {
            scale: scales.get(&p.2).copied().unwrap_or(0),
            workspace_id: p.0,
            wallet_id: p.1,
            currency: p.2,
            expected_minor: p.3,
            actual_minor: p.4,
            discrepancy_minor: p.5,
            status: p.6,
            warning: p.7,
            action: p.8,
            fixed: p.9,
            adjustment_minor: p.10,
            reason: p.11,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_report_reads_back_as_written_odd_ids_included() {
        let line = |wallet: &str, reason: Option<&str>| CheckLine {
            workspace_id: "ws\t\"1\"\n".into(),
            wallet_id: wallet.into(),
            currency: "NGN".into(),
            scale: 2,
            expected_minor: -5,
            actual_minor: i64::MAX,
            discrepancy_minor: 0,
            status: "discrepancy".into(),
            warning: true,
            action: "review".into(),
            fixed: false,
            adjustment_minor: Some(-999),
            reason: reason.map(Into::into),
        };
        let lines = vec![
            line("w,1", Some("insufficient balance")),
            line("=cmd", None),
        ];
        let scales = HashMap::from([("NGN".to_string(), 2)]);
        assert_eq!(unpack(&pack(&lines).unwrap(), &scales).unwrap(), lines);
        assert!(unpack("[]", &scales).unwrap().is_empty());
    }
}
