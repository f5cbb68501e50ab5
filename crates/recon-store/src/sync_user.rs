//! Who this laptop's user is once it has a device token (issue 12): the token's user, as
//! the server's `whoami` names it. Kept in `settings` so every later action is recorded
//! under the name the server authenticates, and laptop and server name the same person
//! (two-person control is checked against that name on both sides).

use crate::write::{Audit, Change, LocalOnly, RenderedAudit};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde_json::json;

const TOKEN_USER: &str = "sync.token_user";

impl Store {
    /// The device token's user, once a sync learned it (None: never learned).
    pub fn token_user(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [TOKEN_USER],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .filter(|u| !u.trim().is_empty()))
    }

    /// Records the token's user `user` (audited when it changes; the same name again
    /// writes nothing).
    pub fn set_token_user(&mut self, now: DateTime<Utc>, user: &str) -> Result<()> {
        let user = user.trim();
        if self.token_user()?.as_deref() == Some(user) || user.is_empty() {
            return Ok(());
        }
        self.write(user, now, |tx| {
            let before: Option<String> = tx
                .query_row(
                    "SELECT value FROM settings WHERE key = ?1",
                    [TOKEN_USER],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![TOKEN_USER, user],
            )?;
            // Only when first learned: batches made under an earlier token's user are
            // that user's on the server too.
            let records = match before {
                None => own_batches_to(tx, user)?,
                Some(_) => Vec::new(),
            };
            Ok(Change::local(
                (),
                Audit {
                    action: "settings.changed",
                    entity: "setting",
                    entity_id: TOKEN_USER.to_string(),
                    before: Some(json!({ "value": before })),
                    after: Some(json!({ "value": user, "note": "the device token's user, from the server's whoami" })),
                },
                LocalOnly::DeviceSetting,
            )
            .and_rendered_audits(records))
        })
    }
}

/// The batches this ledger created itself (its own `payout_batch_created` events) before
/// it knew its token's user are that user's: the server records that user as their creator, so the two-person
/// check here must see the same name (else a creator whose `RECON_USER` differed could
/// approve locally what the server will refuse). A paid batch is final and stays.
fn own_batches_to(tx: &rusqlite::Transaction<'_>, user: &str) -> Result<Vec<RenderedAudit>> {
    let mut stmt = tx.prepare(
        "SELECT b.id, b.created_by FROM payout_batches b
          WHERE b.status <> 'paid' AND b.created_by <> ?1
            AND b.id IN (SELECT json_extract(body, '$.payload.batch_id') FROM outbox
                          WHERE kind = 'payout_batch_created')",
    )?;
    let own: Vec<(String, String)> = stmt
        .query_map([user], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut records = Vec::with_capacity(own.len());
    for (id, before) in own {
        tx.execute(
            "UPDATE payout_batches SET created_by = ?1 WHERE id = ?2",
            params![user, id],
        )?;
        records.push(
            Audit {
                action: "payout.creator",
                entity: "payout_batch",
                entity_id: id,
                before: Some(json!({ "created_by": before })),
                after: Some(json!({ "created_by": user,
                    "note": "created on this device: its creator is the device token's user" })),
            }
            .into(),
        );
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use chrono::Utc;

    #[test]
    fn the_token_user_is_kept_and_audited_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("l.sqlite")).unwrap();
        assert_eq!(store.token_user().unwrap(), None);
        store.set_token_user(Utc::now(), " checker ").unwrap();
        store.set_token_user(Utc::now(), "checker").unwrap();
        assert_eq!(store.token_user().unwrap().as_deref(), Some("checker"));
        let records = store.audit_list(None, 50).unwrap();
        let learned: Vec<_> = records
            .iter()
            .filter(|r| r.entity_id == "sync.token_user")
            .collect();
        assert_eq!(learned.len(), 1, "{records:?}");
        assert_eq!(learned[0].actor, "checker");
    }
}
