//! Per-currency check levels (tolerance, warning, auto-fix threshold), exact decimal text.

use crate::write::{Audit, Change, LocalOnly};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::checks::verdict::parse_level;
use recon_core::checks::CheckLevels;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;
use std::collections::HashMap;

/// A currency's levels and whether they were set (else the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelsView {
    pub currency: String,
    pub levels: CheckLevels,
    pub configured: bool,
}

fn parse_row(currency: &str, t: &str, w: &str, a: &str) -> Result<CheckLevels> {
    let bad = |e: recon_core::checks::LevelsError| {
        StoreError::Invalid(format!("check levels of {currency}: {e}"))
    };
    Ok(CheckLevels {
        tolerance: parse_level("tolerance", t).map_err(bad)?,
        warning: parse_level("warning", w).map_err(bad)?,
        auto_fix: parse_level("auto_fix", a).map_err(bad)?,
    })
}

/// The configured levels by currency (currencies without a row use the defaults).
pub(super) fn configured_levels(conn: &Connection) -> Result<HashMap<String, CheckLevels>> {
    let mut stmt =
        conn.prepare_cached("SELECT currency, tolerance, warning, auto_fix FROM check_levels")?;
    let rows: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(c, t, w, a)| Ok((c.clone(), parse_row(&c, &t, &w, &a)?)))
        .collect()
}

fn levels_json(l: &CheckLevels) -> serde_json::Value {
    json!({"tolerance": l.tolerance.to_string(), "warning": l.warning.to_string(), "auto_fix": l.auto_fix.to_string()})
}

impl Store {
    /// Every currency's levels, by currency code.
    pub fn check_levels(&self) -> Result<Vec<LevelsView>> {
        let configured = configured_levels(&self.conn)?;
        Ok(self
            .currencies()?
            .into_iter()
            .map(|c| LevelsView {
                configured: configured.contains_key(&c.code),
                levels: configured.get(&c.code).cloned().unwrap_or_default(),
                currency: c.code,
            })
            .collect())
    }

    /// Sets a currency's levels; `None` keeps a value. Audited, kept on this device.
    pub fn set_check_levels(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        currency: &str,
        changes: [Option<&str>; 3],
    ) -> Result<LevelsView> {
        let code = self.currency(&currency.trim().to_ascii_uppercase())?.code;
        self.write(actor, now, |tx| {
            let held: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT tolerance, warning, auto_fix FROM check_levels WHERE currency = ?1",
                    [&code],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let before = match &held {
                Some((t, w, a)) => parse_row(&code, t, w, a)?,
                None => CheckLevels::default(),
            };
            let pick = |field: &'static str, new: Option<&str>, old| match new {
                Some(text) => parse_level(field, text)
                    .map_err(|e| StoreError::Invalid(format!("--{}: {e}", field.replace('_', "-")))),
                None => Ok(old),
            };
            let after = CheckLevels {
                tolerance: pick("tolerance", changes[0], before.tolerance)?,
                warning: pick("warning", changes[1], before.warning)?,
                auto_fix: pick("auto_fix", changes[2], before.auto_fix)?,
            };
            let view = LevelsView { currency: code.clone(), levels: after.clone(), configured: true };
            if held.is_some() && after == before {
                return Ok(Change::unchanged(view));
            }
            tx.execute(
                "INSERT INTO check_levels (currency, tolerance, warning, auto_fix) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (currency) DO UPDATE SET tolerance = ?2, warning = ?3, auto_fix = ?4",
                params![code, after.tolerance.to_string(), after.warning.to_string(), after.auto_fix.to_string()],
            )?;
            let audit = Audit {
                action: "check.levels",
                entity: "currency",
                entity_id: code.clone(),
                before: Some(levels_json(&before)),
                after: Some(levels_json(&after)),
            };
            Ok(Change::local(view, audit, LocalOnly::DeviceSetting))
        })
    }
}
