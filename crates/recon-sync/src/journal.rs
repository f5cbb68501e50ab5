//! The journal family of events: ESI wallet journal lines imported on a device.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The `kind` of [`JournalLinesImported`] events on the wire.
pub const KIND: &str = "journal_lines_imported";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalLinesImported {
    /// The local import batch these lines came from.
    pub batch_id: Uuid,
    pub wallet: WalletRef,
    pub lines: Vec<JournalLine>,
}

/// How the server recognises one wallet across laptops: `key` is
/// `{kind}:{owner_id}:{division}` when the owner id is known, else `name:{name}`,
/// so two colleagues importing the same character's journal land on one wallet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalletRef {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub owner_id: Option<i64>,
    pub division: Option<i32>,
    pub currency: String,
}

/// One ESI wallet journal line as the ledger keeps it. `amount`/`balance`/`tax` are
/// rounded half-even to the wallet currency's scale; `*_raw` keep ESI's JSON text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalLine {
    pub id: i64,
    pub date: String,
    pub ref_type: String,
    pub description: String,
    pub amount: Option<Decimal>,
    pub amount_raw: Option<String>,
    pub balance: Option<Decimal>,
    pub balance_raw: Option<String>,
    pub reason: Option<String>,
    pub first_party_id: Option<i64>,
    pub second_party_id: Option<i64>,
    pub context_id: Option<i64>,
    pub context_id_type: Option<String>,
    pub tax: Option<Decimal>,
    pub tax_raw: Option<String>,
    pub tax_receiver_id: Option<i64>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::str::FromStr;

    pub(crate) fn line(amount: &str) -> JournalLine {
        JournalLine {
            id: 1,
            date: "2026-01-01T00:00:00Z".into(),
            ref_type: "player_donation".into(),
            description: "d".into(),
            amount: Some(Decimal::from_str(amount).unwrap()),
            amount_raw: Some(amount.into()),
            balance: None,
            balance_raw: None,
            reason: None,
            first_party_id: None,
            second_party_id: None,
            context_id: None,
            context_id_type: None,
            tax: None,
            tax_raw: None,
            tax_receiver_id: None,
        }
    }

    #[test]
    fn the_kind_constant_is_the_wire_kind() {
        let body = crate::EventBody::JournalLinesImported(JournalLinesImported {
            batch_id: Uuid::nil(),
            wallet: WalletRef {
                key: "name:w".into(),
                name: "w".into(),
                kind: "bank".into(),
                owner_id: None,
                division: None,
                currency: "EUR".into(),
            },
            lines: Vec::new(),
        });
        assert_eq!(body.kind(), KIND);
        assert_eq!(serde_json::to_value(&body).unwrap()["kind"], KIND);
    }

    #[test]
    fn amounts_travel_as_strings_and_come_back_exact() {
        let json = serde_json::to_string(&line("243877.50")).unwrap();
        assert!(json.contains("\"amount\":\"243877.50\""), "{json}");
        let back: JournalLine = serde_json::from_str(&json).unwrap();
        assert_eq!(back.amount.unwrap().to_string(), "243877.50");
    }
}
