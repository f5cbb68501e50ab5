//! The matching rules saved on this device (weights, threshold, ref types).

use crate::write::{Audit, Change, LocalOnly};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::matching::MatchRules;
use rusqlite::{params, OptionalExtension};

const RULES_KEY: &str = "match_rules";

impl Store {
    pub fn match_rules(&self) -> Result<MatchRules> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [RULES_KEY],
                |r| r.get(0),
            )
            .optional()?;
        match text {
            None => Ok(MatchRules::default()),
            Some(t) => serde_json::from_str(&t).map_err(|e| {
                StoreError::Invalid(format!("the saved matching rules are unreadable: {e}"))
            }),
        }
    }

    /// Rules are each laptop's own: the change is audited but never synced.
    pub fn set_match_rules(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        rules: &MatchRules,
    ) -> Result<()> {
        if rules.ref_types.is_empty() {
            return Err(StoreError::Invalid(
                "matching needs at least one ref type".into(),
            ));
        }
        if rules.threshold == 0 {
            return Err(StoreError::Invalid(
                "a threshold of 0 would link every receipt; use 1 or more".into(),
            ));
        }
        let before = self.match_rules()?;
        self.write(actor, now, |tx| {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![
                    RULES_KEY,
                    serde_json::to_string(rules).expect("rules serialize")
                ],
            )?;
            let audit = Audit {
                action: "match.rules",
                entity: "settings",
                entity_id: RULES_KEY.to_owned(),
                before: Some(serde_json::to_value(&before).expect("rules serialize")),
                after: Some(serde_json::to_value(rules).expect("rules serialize")),
            };
            Ok(Change::local((), audit, LocalOnly::DeviceSetting))
        })
    }
}
