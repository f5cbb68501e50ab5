//! Mapping profiles in the wizard's editable shape ([`ProfileDto`]) and back, checked
//! like `Profile::validate`; and the saved profiles (list, save, show, detect) the app and
//! the CLI share.

use crate::imports;
use crate::{
    AmountDto, AmountMode, ApiError, ApiResult, ColumnDto, CurrencySourceDto, ErrorCode,
    ProfileDto, SavedProfileDto,
};
use chrono::Utc;
use recon_import::{AmountMapping, Column, CurrencySource, Profile};
use recon_store::Store;
use std::path::Path;

fn column_dto(c: &Column) -> ColumnDto {
    match c {
        Column::Name(n) => ColumnDto::Name(n.clone()),
        Column::Index(i) => ColumnDto::Index(*i as u32),
    }
}

fn column(c: ColumnDto, what: &str) -> ApiResult<Column> {
    match c {
        ColumnDto::Index(0) => Err(invalid(format!("{what}: column indexes start at 1"))),
        ColumnDto::Index(i) => Ok(Column::Index(i as usize)),
        ColumnDto::Name(n) if n.trim().is_empty() => {
            Err(invalid(format!("{what}: choose a column")))
        }
        ColumnDto::Name(n) => Ok(Column::Name(n)),
    }
}

fn opt_column(c: Option<ColumnDto>, what: &str) -> ApiResult<Option<Column>> {
    // an empty name is how a "(none)" dropdown choice may arrive
    match c {
        Some(ColumnDto::Name(n)) if n.trim().is_empty() => Ok(None),
        other => other.map(|c| column(c, what)).transpose(),
    }
}

fn need(c: Option<ColumnDto>, what: &str) -> ApiResult<Column> {
    opt_column(c, what)?.ok_or_else(|| invalid(format!("{what}: choose a column")))
}

pub(super) fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

pub(super) fn one_char(s: &str, what: &str) -> ApiResult<char> {
    // "\t" typed as two characters in a text field still means tab
    let s = if s == "\\t" { "\t" } else { s };
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(invalid(format!(
            "{what} must be exactly one character, not {s:?}"
        ))),
    }
}

impl From<&Profile> for ProfileDto {
    fn from(p: &Profile) -> Self {
        let mut amount = AmountDto {
            mode: AmountMode::Single,
            column: None,
            negate: false,
            debit: None,
            credit: None,
            indicator: None,
            debit_values: Vec::new(),
            credit_values: Vec::new(),
        };
        match &p.amount {
            AmountMapping::Single { column, negate } => {
                amount.column = Some(column_dto(column));
                amount.negate = *negate;
            }
            AmountMapping::DebitCredit { debit, credit } => {
                amount.mode = AmountMode::DebitCredit;
                amount.debit = Some(column_dto(debit));
                amount.credit = Some(column_dto(credit));
            }
            AmountMapping::Indicator {
                column,
                indicator,
                debit_values,
                credit_values,
            } => {
                amount.mode = AmountMode::Indicator;
                amount.column = Some(column_dto(column));
                amount.indicator = Some(column_dto(indicator));
                amount.debit_values = debit_values.clone();
                amount.credit_values = credit_values.clone();
            }
        }
        ProfileDto {
            delimiter: p.delimiter.to_string(),
            quote: p.quote.to_string(),
            encoding: p.encoding.clone(),
            skip_lines: p.skip_lines as u32,
            has_header: p.has_header,
            date: column_dto(&p.date),
            date_format: p.date_format.clone(),
            description: p.description.as_ref().map(column_dto),
            counterparty: p.counterparty.as_ref().map(column_dto),
            reference: p.reference.as_ref().map(column_dto),
            balance: p.balance.as_ref().map(column_dto),
            decimal_separator: p.decimal_separator.to_string(),
            thousands_separator: p.thousands_separator.map(|c| c.to_string()),
            currency: p.currency.as_ref().map(|c| match c {
                CurrencySource::Fixed(code) => CurrencySourceDto::Fixed { code: code.clone() },
                CurrencySource::Column(c) => CurrencySourceDto::Column {
                    column: column_dto(c),
                },
            }),
            extra_text: p.extra_text,
            amount,
        }
    }
}

impl TryFrom<ProfileDto> for Profile {
    type Error = ApiError;

    /// Checks everything `Profile::validate` checks, with `invalid_input` errors.
    fn try_from(d: ProfileDto) -> ApiResult<Profile> {
        let a = d.amount;
        let amount = match a.mode {
            AmountMode::Single => AmountMapping::Single {
                column: need(a.column, "amount")?,
                negate: a.negate,
            },
            AmountMode::DebitCredit => AmountMapping::DebitCredit {
                debit: need(a.debit, "debit")?,
                credit: need(a.credit, "credit")?,
            },
            AmountMode::Indicator => AmountMapping::Indicator {
                column: need(a.column, "amount")?,
                indicator: need(a.indicator, "indicator")?,
                debit_values: clean_values(a.debit_values),
                credit_values: clean_values(a.credit_values),
            },
        };
        let currency = match d.currency {
            None => None,
            Some(CurrencySourceDto::Fixed { code }) if code.trim().is_empty() => None,
            Some(CurrencySourceDto::Fixed { code }) => Some(CurrencySource::Fixed(
                recon_core::money::validate_currency_code(code.trim())
                    .map_err(|e| invalid(format!("currency: {e}")))?,
            )),
            Some(CurrencySourceDto::Column { column: c }) => {
                Some(CurrencySource::Column(column(c, "currency")?))
            }
        };
        let thousands = match d.thousands_separator.as_deref() {
            None | Some("") => None,
            Some(t) => Some(one_char(t, "the thousands separator")?),
        };
        let profile = Profile {
            delimiter: one_char(&d.delimiter, "the delimiter")?,
            quote: one_char(&d.quote, "the quote")?,
            encoding: if d.encoding.trim().is_empty() {
                "auto".into()
            } else {
                d.encoding.trim().to_string()
            },
            skip_lines: d.skip_lines as usize,
            has_header: d.has_header,
            date: column(d.date, "date")?,
            date_format: d.date_format,
            description: opt_column(d.description, "description")?,
            counterparty: opt_column(d.counterparty, "counterparty")?,
            reference: opt_column(d.reference, "reference")?,
            balance: opt_column(d.balance, "balance")?,
            decimal_separator: one_char(&d.decimal_separator, "the decimal separator")?,
            thousands_separator: thousands,
            currency,
            extra_text: d.extra_text,
            amount,
        };
        profile.validate().map_err(|e| invalid(e.to_string()))?;
        Ok(profile)
    }
}

fn clean_values(v: Vec<String>) -> Vec<String> {
    v.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A profile to start from when none can be proposed: the user maps the columns by hand.
pub(super) fn blank_profile() -> Profile {
    Profile {
        delimiter: ',',
        quote: '"',
        encoding: "auto".into(),
        skip_lines: 0,
        has_header: true,
        date: Column::Index(1),
        date_format: "%Y-%m-%d".into(),
        description: None,
        counterparty: None,
        reference: None,
        balance: None,
        decimal_separator: '.',
        thousands_separator: None,
        currency: None,
        extra_text: false,
        amount: AmountMapping::Single {
            column: Column::Index(2),
            negate: false,
        },
    }
}

pub fn profile_list(store: &Store) -> ApiResult<Vec<SavedProfileDto>> {
    store
        .profiles()?
        .into_iter()
        .map(|v| {
            let profile = Profile::from_toml(&v.toml)
                .map_err(|e| invalid(format!("saved profile '{}': {e}", v.name)))?;
            Ok(SavedProfileDto {
                name: v.name,
                profile: ProfileDto::from(&profile),
                toml: v.toml,
                created_at: v.created_at,
                created_by: v.created_by,
            })
        })
        .collect()
}

pub fn profile_save(
    store: &mut Store,
    actor: &str,
    name: &str,
    profile: ProfileDto,
) -> ApiResult<SavedProfileDto> {
    let profile = Profile::try_from(profile)?;
    store.save_profile(actor, Utc::now(), name, &profile.to_toml())?;
    profile_list(store)?
        .into_iter()
        .find(|p| p.name == name.trim())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                format!("profile '{name}' was not saved"),
            )
        })
}

/// A saved profile as TOML text (what `recon profile show` prints).
pub fn profile_toml(store: &Store, name: &str) -> ApiResult<String> {
    Ok(store.profile(name)?.to_toml())
}

/// Saves (or replaces) a profile written as TOML; the store checks it reads.
pub fn profile_save_toml(store: &mut Store, actor: &str, name: &str, toml: &str) -> ApiResult<()> {
    Ok(store.save_profile(actor, Utc::now(), name, toml)?)
}

/// A profile proposed for a CSV, as TOML, with the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedProfile {
    pub encoding: String,
    pub toml: String,
}

/// Proposes a profile for a CSV; refused (`ambiguous_column`) when a column reads two
/// ways, naming the column and its readings.
pub fn profile_detect(path: &Path) -> ApiResult<ProposedProfile> {
    let proposal = imports::propose(path)?;
    if let Some(message) = imports::ambiguity_message(path, &proposal) {
        return Err(ApiError::new(ErrorCode::AmbiguousColumn, message));
    }
    Ok(ProposedProfile {
        encoding: proposal.encoding,
        toml: proposal.profile.to_toml(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_round_trips_through_the_dto() {
        let mut profiles = vec![blank_profile()];
        for text in [
            "delimiter = \";\"\nencoding = \"windows-1252\"\nskip_lines = 4\ndate = \"Buchungstag\"\ndate_format = \"%d.%m.%Y\"\ndescription = \"Text\"\ncounterparty = 3\nreference = \"Ref\"\nbalance = \"Saldo\"\ndecimal_separator = \",\"\nthousands_separator = \".\"\ncurrency = \"EUR\"\namount = \"Betrag\"\n",
            "has_header = false\ndate = 1\ndate_format = \"%Y-%m-%d\"\ncurrency = { column = 4 }\n[amount]\ncolumn = 2\nnegate = true\n",
            "delimiter = \"\\t\"\ndate = \"D\"\ndate_format = \"%m/%d/%Y\"\n[amount]\ndebit = \"Soll\"\ncredit = \"Haben\"\n",
            "date = \"D\"\ndate_format = \"%d/%m/%y\"\n[amount]\ncolumn = \"Amt\"\nindicator = \"S/H\"\ndebit_values = [\"S\"]\ncredit_values = [\"H\"]\n",
        ] {
            profiles.push(Profile::from_toml(text).unwrap());
        }
        for p in profiles {
            let dto = ProfileDto::from(&p);
            // through JSON too, as the UI sends it back
            let json = serde_json::to_string(&dto).unwrap();
            let back: ProfileDto = serde_json::from_str(&json).unwrap();
            assert_eq!(back, dto);
            assert_eq!(Profile::try_from(back).unwrap(), p, "{json}");
        }
        let dto = ProfileDto::from(&Profile::from_toml("date = 2\ndate_format = \"%Y\"\namount = \"Amt\"\ncurrency = { column = \"Cur\" }\n").unwrap());
        let json = serde_json::to_value(&dto).unwrap();
        assert_eq!(json["date"], serde_json::json!(2));
        assert_eq!(json["amount"]["column"], serde_json::json!("Amt"));
        assert_eq!(json["amount"]["mode"], serde_json::json!("single"));
        assert_eq!(
            json["currency"],
            serde_json::json!({"mode": "column", "column": "Cur"})
        );

        let mut bad = dto.clone();
        bad.date = ColumnDto::Index(0);
        assert_eq!(Profile::try_from(bad).unwrap_err().code, "invalid_input");
        let mut bad = dto;
        bad.delimiter = ";;".into();
        assert!(Profile::try_from(bad)
            .unwrap_err()
            .message
            .contains("delimiter"));
    }
}
