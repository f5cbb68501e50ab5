//! DTOs of ESI journal imports (`recon import esi-journal`, the app's ESI import).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportRequestDto {
    pub wallet: String,
    /// Absolute paths of ESI journal JSON files (several pages at once).
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportFileDto {
    pub file_name: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub read: i64,
    #[ts(type = "number")]
    pub inserted: i64,
    #[ts(type = "number")]
    pub duplicates: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportSummaryDto {
    pub batch_id: String,
    pub wallet: String,
    #[ts(type = "number")]
    pub read: i64,
    #[ts(type = "number")]
    pub inserted: i64,
    #[ts(type = "number")]
    pub duplicates: i64,
    #[ts(type = "number")]
    pub rejected: i64,
    pub files: Vec<ImportFileDto>,
}
