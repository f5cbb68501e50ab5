use crate::write::{Audit, Change, LocalOnly};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::money::{validate_currency_code, Currency};
use recon_core::wallet::{validate_wallet, wallet_key, WalletKind};
use rusqlite::{params, OptionalExtension, Row};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWallet {
    pub name: String,
    pub kind: String,
    pub owner_id: Option<i64>,
    pub division: Option<i32>,
    pub currency: String,
    pub receiving: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    pub id: String,
    /// The ledger-local number journal rows name their wallet by.
    pub no: i64,
    pub name: String,
    pub kind: WalletKind,
    pub owner_id: Option<i64>,
    pub division: Option<i32>,
    pub currency: String,
    pub scale: u8,
    pub receiving: bool,
    pub entry_count: i64,
}

impl Wallet {
    /// The key the central server knows this wallet by.
    pub fn sync_key(&self) -> String {
        wallet_key(self.kind, self.owner_id, self.division, &self.name)
    }

    fn audit_json(&self) -> serde_json::Value {
        json!({
            "id": self.id, "name": self.name, "kind": self.kind.as_str(),
            "owner_id": self.owner_id, "division": self.division,
            "currency": self.currency, "receiving": self.receiving,
        })
    }
}

const WALLET_SELECT: &str =
    "SELECT w.id, w.name, w.kind, w.owner_id, w.division, w.currency, c.scale, w.receiving,
        (SELECT COUNT(*) FROM journal_entries j WHERE j.wallet_no = w.no), w.no
     FROM wallets w JOIN currencies c ON c.code = w.currency";

fn wallet_from_row(r: &Row<'_>) -> rusqlite::Result<Wallet> {
    let kind: String = r.get(2)?;
    Ok(Wallet {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: WalletKind::parse(&kind).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
        })?,
        owner_id: r.get(3)?,
        division: r.get(4)?,
        currency: r.get(5)?,
        scale: r.get(6)?,
        receiving: r.get(7)?,
        entry_count: r.get(8)?,
        no: r.get(9)?,
    })
}

/// Inserts a checked wallet (name unique); its `wallet.created` audit record.
pub(crate) fn insert_wallet(
    tx: &rusqlite::Transaction<'_>,
    actor: &str,
    now: DateTime<Utc>,
    name: String,
    kind: WalletKind,
    new: &NewWallet,
    currency: &Currency,
) -> Result<(Wallet, Audit)> {
    let taken: Option<String> = tx
        .query_row("SELECT name FROM wallets WHERE name = ?1", [&name], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(existing) = taken {
        return Err(StoreError::Conflict(format!(
            "a wallet named '{existing}' already exists"
        )));
    }
    let no: i64 = tx.query_row("SELECT COALESCE(MAX(no), 0) + 1 FROM wallets", [], |r| {
        r.get(0)
    })?;
    let wallet = Wallet {
        id: uuid::Uuid::new_v4().to_string(),
        no,
        name,
        kind,
        owner_id: new.owner_id,
        division: new.division,
        currency: currency.code.clone(),
        scale: currency.scale,
        receiving: new.receiving,
        entry_count: 0,
    };
    tx.execute(
        "INSERT INTO wallets (id, no, name, kind, owner_id, division, currency, receiving, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            wallet.id, wallet.no, wallet.name, kind.as_str(), wallet.owner_id, wallet.division,
            wallet.currency, wallet.receiving, timestamp(now), actor
        ],
    )?;
    let audit = Audit {
        action: "wallet.created",
        entity: "wallet",
        entity_id: wallet.id.clone(),
        before: None,
        after: Some(wallet.audit_json()),
    };
    Ok((wallet, audit))
}

/// Every wallet, read inside a transaction.
pub(crate) fn all_wallets(conn: &rusqlite::Connection) -> Result<Vec<Wallet>> {
    let mut stmt = conn.prepare_cached(&format!("{WALLET_SELECT} ORDER BY w.name"))?;
    let rows = stmt.query_map([], wallet_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    pub fn currencies(&self) -> Result<Vec<Currency>> {
        let mut stmt = self
            .conn
            .prepare("SELECT code, scale, name FROM currencies ORDER BY code")?;
        let rows = stmt.query_map([], |r| {
            Ok(Currency {
                code: r.get(0)?,
                scale: r.get(1)?,
                name: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn currency(&self, code: &str) -> Result<Currency> {
        self.currencies()?
            .into_iter()
            .find(|c| c.code == code)
            .ok_or_else(|| StoreError::NotFound {
                what: "currency",
                name: code.to_string(),
            })
    }

    /// Adds a currency; an existing code is refused (a scale never changes under stored amounts).
    pub fn add_currency(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        currency: Currency,
    ) -> Result<()> {
        self.write(actor, now, |tx| {
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT scale FROM currencies WHERE code = ?1",
                    [&currency.code],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(scale) = exists {
                return Err(StoreError::Conflict(format!(
                    "currency {} already exists with scale {scale}",
                    currency.code
                )));
            }
            tx.execute(
                "INSERT INTO currencies (code, scale, name) VALUES (?1, ?2, ?3)",
                params![currency.code, currency.scale, currency.name],
            )?;
            let audit = Audit {
                action: "currency.added",
                entity: "currency",
                entity_id: currency.code.clone(),
                before: None,
                after: Some(
                    json!({"code": currency.code, "scale": currency.scale, "name": currency.name}),
                ),
            };
            Ok(Change::local((), audit, LocalOnly::CurrencyDefinition))
        })
    }

    pub fn add_wallet(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        new: NewWallet,
    ) -> Result<Wallet> {
        let kind = WalletKind::parse(&new.kind).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let name = validate_wallet(&new.name, kind, new.division)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let code = validate_currency_code(&new.currency)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let currency = self.currency(&code)?;
        self.write(actor, now, |tx| {
            let (wallet, audit) = insert_wallet(tx, actor, now, name, kind, &new, &currency)?;
            Ok(Change::local(wallet, audit, LocalOnly::WalletDefinition))
        })
    }

    pub fn wallets(&self) -> Result<Vec<Wallet>> {
        let mut stmt = self
            .conn
            .prepare(&format!("{WALLET_SELECT} ORDER BY w.name"))?;
        let rows = stmt.query_map([], wallet_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Looks a wallet up by name, case-insensitively.
    pub fn wallet_by_name(&self, name: &str) -> Result<Wallet> {
        self.conn
            .query_row(
                &format!("{WALLET_SELECT} WHERE w.name = ?1"),
                [name.trim()],
                wallet_from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "wallet",
                name: name.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    fn new(name: &str, currency: &str) -> NewWallet {
        NewWallet {
            name: name.into(),
            kind: "corporation".into(),
            owner_id: Some(98000001),
            division: Some(1),
            currency: currency.into(),
            receiving: true,
        }
    }

    #[test]
    fn wallets_are_added_listed_and_names_are_unique() {
        let (_dir, mut store) = temp_store();
        let w = store
            .add_wallet("alice", now(), new("Corp Master", "ISK"))
            .unwrap();
        assert_eq!(w.sync_key(), "corporation:98000001:1");
        assert_eq!(store.wallets().unwrap(), vec![w.clone()]);
        assert_eq!(store.wallet_by_name("corp master").unwrap().id, w.id);
        let err = store
            .add_wallet("bob", now(), new("CORP MASTER", "ISK"))
            .unwrap_err();
        assert_eq!(err.code(), "conflict");
        let err = store
            .add_wallet("bob", now(), new("Other", "XXX"))
            .unwrap_err();
        assert_eq!(err.code(), "not_found");
        assert_eq!(
            store.wallets().unwrap().len(),
            1,
            "refused wallets leave nothing behind"
        );
    }

    #[test]
    fn users_can_add_currencies_but_not_change_a_scale() {
        let (_dir, mut store) = temp_store();
        store
            .add_currency("alice", now(), Currency::new("PLEX", 0, "PLEX").unwrap())
            .unwrap();
        assert_eq!(store.currency("PLEX").unwrap().scale, 0);
        let err = store
            .add_currency("alice", now(), Currency::new("USD", 3, "x").unwrap())
            .unwrap_err();
        assert_eq!(err.code(), "conflict");
        assert_eq!(store.currency("USD").unwrap().scale, 2);
    }
}
