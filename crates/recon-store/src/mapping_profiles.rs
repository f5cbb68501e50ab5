//! CSV mapping profiles: saved by name, validated before they are kept.

use crate::write::{Audit, Change, LocalOnly};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_import::Profile;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileView {
    pub name: String,
    pub toml: String,
    pub created_at: String,
    pub created_by: String,
}

impl Store {
    /// Saves (or replaces) a CSV mapping profile under `name`; the TOML is validated first.
    pub fn save_profile(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        name: &str,
        toml: &str,
    ) -> Result<()> {
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(StoreError::Invalid(
                "a profile name is 1 to 100 characters".into(),
            ));
        }
        let profile = Profile::from_toml(toml).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let canonical = profile.to_toml();
        self.write(actor, now, |tx| {
            // Read in the change's transaction, so `before` is what this save replaced.
            let before: Option<String> = tx
                .query_row(
                    "SELECT toml FROM mapping_profiles WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute(
                "INSERT INTO mapping_profiles (name, toml, created_at, created_by) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (name) DO UPDATE SET toml = excluded.toml",
                params![name, canonical, timestamp(now), actor],
            )?;
            let audit = Audit {
                action: "profile.save",
                entity: "mapping_profile",
                entity_id: name.to_owned(),
                before: before.map(serde_json::Value::String),
                after: Some(serde_json::Value::String(canonical)),
            };
            Ok(Change::local((), audit, LocalOnly::DeviceSetting))
        })
    }

    pub fn profiles(&self) -> Result<Vec<ProfileView>> {
        let mut stmt = self.conn.prepare(
            "SELECT name, toml, created_at, created_by FROM mapping_profiles ORDER BY name",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ProfileView {
                    name: r.get(0)?,
                    toml: r.get(1)?,
                    created_at: r.get(2)?,
                    created_by: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn profile(&self, name: &str) -> Result<Profile> {
        let toml: String = self
            .conn
            .query_row(
                "SELECT toml FROM mapping_profiles WHERE name = ?1",
                [name.trim()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "profile",
                name: name.to_owned(),
            })?;
        Profile::from_toml(&toml)
            .map_err(|e| StoreError::Invalid(format!("saved profile '{name}': {e}")))
    }
}
