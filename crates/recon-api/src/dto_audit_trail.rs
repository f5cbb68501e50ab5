//! DTOs of the audit trail (SPEC §10) for the app's history views and `recon audit list --json`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditRecordDto {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub actor: String,
    /// What was done: `expected.create`, `match.link`, …
    pub action: String,
    /// The kind of thing changed: `expected_payment`, `wallet`, `journal_line`, …
    pub entity: String,
    pub entity_id: String,
    /// JSON text of the state before and after (`null` when there is none).
    pub before: Option<String>,
    pub after: Option<String>,
}
