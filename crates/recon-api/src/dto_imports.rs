//! DTOs of the import wizard and the import history screen (exported to TypeScript by ts-rs).
//! Amounts and balances are decimal strings; byte and row counts are plain numbers (far
//! below 2^53).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ApiError;

/// A column: a header name, or a 1-based index (TOML `date = "Booking date"` / `date = 3`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum ColumnDto {
    Index(u32),
    Name(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AmountMode {
    /// One signed column (`negate` flips it).
    Single,
    /// Separate debit and credit columns.
    DebitCredit,
    /// An amount column plus a debit/credit indicator column.
    Indicator,
}

/// The amount mapping, flat so the wizard can switch modes without losing what was typed;
/// only the fields of `mode` are used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AmountDto {
    pub mode: AmountMode,
    pub column: Option<ColumnDto>,
    pub negate: bool,
    pub debit: Option<ColumnDto>,
    pub credit: Option<ColumnDto>,
    pub indicator: Option<ColumnDto>,
    /// Empty = the usual values (D, DR, DBIT, S, …).
    pub debit_values: Vec<String>,
    pub credit_values: Vec<String>,
}

/// Where the rows' currency comes from; absent in [`ProfileDto`] = the wallet's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "mode", rename_all = "snake_case")]
#[ts(export)]
pub enum CurrencySourceDto {
    Fixed { code: String },
    Column { column: ColumnDto },
}

/// An editable mirror of `recon_import::Profile` (see its TOML documentation). Separators
/// are one-character strings (`"\t"` for tab).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProfileDto {
    pub delimiter: String,
    pub quote: String,
    /// `auto` or a WHATWG label (`utf-8`, `windows-1252`, `utf-16le`, …).
    pub encoding: String,
    pub skip_lines: u32,
    pub has_header: bool,
    pub date: ColumnDto,
    /// chrono strftime, e.g. `%d.%m.%Y`.
    pub date_format: String,
    pub description: Option<ColumnDto>,
    pub counterparty: Option<ColumnDto>,
    pub reference: Option<ColumnDto>,
    pub balance: Option<ColumnDto>,
    /// `.` or `,`.
    pub decimal_separator: String,
    pub thousands_separator: Option<String>,
    pub currency: Option<CurrencySourceDto>,
    /// Cells past the header's width are more description text.
    #[serde(default)]
    pub extra_text: bool,
    pub amount: AmountDto,
}

/// A column whose sample fits several readings: the app asks which one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AmbiguityDto {
    pub column: String,
    /// How one sample value reads under each option: `"%d/%m/%Y → 2026-04-03"`.
    pub readings: Vec<String>,
    /// The choices (date formats or decimal separators), in the order of `readings`.
    pub options: Vec<String>,
}

/// A row as the importer understood it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ParsedRowDto {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Signed decimal text as written (scale kept); incoming money is positive.
    pub amount: String,
    /// `in`, `out` or `zero`.
    pub sign: String,
    pub currency: Option<String>,
    pub description: String,
    pub counterparty: Option<String>,
    pub reference: Option<String>,
    pub balance: Option<String>,
    /// The value date beside the booking date, where the statement gives one
    /// (`YYYY-MM-DD`, or the bank's text when it is no date).
    pub value_date: Option<String>,
}

/// A row that could not be read: where, what, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RejectedRowDto {
    pub file: String,
    #[ts(type = "number")]
    pub line: u64,
    pub column: Option<String>,
    pub raw_value: String,
    pub reason: String,
    pub raw: String,
}

/// One previewed row: its raw text next to what it parsed into, or its reject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewRowDto {
    #[ts(type = "number")]
    pub line: u64,
    pub raw: String,
    pub parsed: Option<ParsedRowDto>,
    pub reject: Option<RejectedRowDto>,
}

/// What a statement says about itself; `balances_agree` = opening + lines == closing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatementDto {
    pub account: Option<String>,
    pub currency: Option<String>,
    pub opening_balance: Option<String>,
    pub closing_balance: Option<String>,
    pub balances_agree: Option<bool>,
    /// What the statement's lines add up to; `null` when not kept (files imported before
    /// this was stored) or too large to add.
    pub lines_sum: Option<String>,
    /// closing − (opening + lines), when all three are known: `"0"`… when they agree.
    pub difference: Option<String>,
}

/// The wizard's view of one file, read from its head only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewDto {
    pub path: String,
    pub file_name: String,
    /// `csv`, `ofx`, `camt`, `mt940`, `qif`, `esi-json`.
    pub format: String,
    pub encoding: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// CSV only: the profile given, else the proposed one.
    pub profile: Option<ProfileDto>,
    /// The profile was proposed from the file (not given by the caller).
    pub proposed: bool,
    /// Columns of a proposal that need the user's choice (empty when a profile was given).
    pub ambiguities: Vec<AmbiguityDto>,
    /// A proposal's reasons: why each column got its role and why look-alikes did not
    /// (empty when a profile was given).
    #[serde(default)]
    pub reasons: Vec<String>,
    /// CSV: the header's column names (or `column N` without a header), for the dropdowns.
    pub columns: Vec<String>,
    /// The first decoded lines of the file as they are, so a profile that does not fit
    /// can still be fixed by looking at the text.
    pub raw_lines: Vec<String>,
    pub rows: Vec<PreviewRowDto>,
    /// Only part of the file was looked at; the import reads it all.
    pub partial: bool,
    pub statement: Option<StatementDto>,
    pub notes: Vec<String>,
    /// Why the profile cannot read this file (a column not in the header, a bad
    /// separator…): the rest of the preview is still there to fix it.
    pub problem: Option<ApiError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportedFileDto {
    pub file_name: String,
    pub sha256: String,
    pub format: String,
    pub encoding: String,
    #[ts(type = "number")]
    pub read: u64,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub duplicates: u64,
    /// Of the duplicates: rows of removed batches, left out.
    #[ts(type = "number")]
    pub removed_earlier: u64,
    #[ts(type = "number")]
    pub rejected: u64,
    pub statement: Option<StatementDto>,
    pub notes: Vec<String>,
}

/// An import's outcome. `committed: false` means a bad row refused the whole batch (the
/// default mode): nothing was written and `rejects` lists the bad rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportResultDto {
    pub committed: bool,
    pub batch_id: String,
    pub wallet: String,
    #[ts(type = "number")]
    pub read: u64,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub duplicates: u64,
    #[ts(type = "number")]
    pub rejected: u64,
    pub files: Vec<ImportedFileDto>,
    /// Every bad row (up to 100,000; `rejected` counts them all).
    pub rejects: Vec<RejectedRowDto>,
}

/// Progress of the running import, polled by the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProgressDto {
    pub running: bool,
    #[ts(type = "number")]
    pub done_bytes: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BatchFileDto {
    pub file_name: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub size_bytes: i64,
    pub format: Option<String>,
    pub encoding: Option<String>,
    #[ts(type = "number")]
    pub read: i64,
    #[ts(type = "number")]
    pub inserted: i64,
    #[ts(type = "number")]
    pub duplicates: i64,
    #[ts(type = "number")]
    pub rejected: i64,
    pub opening_balance: Option<String>,
    pub closing_balance: Option<String>,
    pub balances_agree: Option<bool>,
    /// The statement's check as kept on the batch (opening, closing, sum, agrees or the
    /// difference); `null` for files that state no balance.
    pub statement: Option<StatementDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BatchDto {
    pub id: String,
    pub wallet: String,
    pub format: String,
    #[ts(type = "number")]
    pub read: i64,
    #[ts(type = "number")]
    pub inserted: i64,
    #[ts(type = "number")]
    pub duplicates: i64,
    #[ts(type = "number")]
    pub rejected: i64,
    pub valid_rows_only: bool,
    pub actor: String,
    pub at: String,
    pub removed_at: Option<String>,
    pub removed_by: Option<String>,
    /// Rows of the batch still in the journal.
    #[ts(type = "number")]
    pub rows_held: i64,
    pub files: Vec<BatchFileDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SavedProfileDto {
    pub name: String,
    pub toml: String,
    pub profile: ProfileDto,
    pub created_at: String,
    pub created_by: String,
}

/// What `recon import file --dry-run` reports for one file: what an import would find.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DryRunDto {
    pub file: String,
    pub format: String,
    pub encoding: String,
    /// Rows read (valid + rejected).
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub valid: u64,
    #[ts(type = "number")]
    pub rejected: u64,
    pub rejects: Vec<RejectedRowDto>,
    /// The profile used or proposed (CSV only), as TOML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub statement: Option<StatementDto>,
    pub notes: Vec<String>,
}

impl ImportResultDto {
    /// Every bad row, one per line (file, line, column, raw value, reason), and how many
    /// more there were than the report holds.
    pub fn rejects_text(&self) -> String {
        recon_store::rejects_text(
            self.rejects.iter().map(|r| recon_store::RejectLine {
                file: &r.file,
                line: r.line,
                column: r.column.as_deref(),
                raw_value: &r.raw_value,
                reason: &r.reason,
            }),
            self.rejected,
        )
    }
}
