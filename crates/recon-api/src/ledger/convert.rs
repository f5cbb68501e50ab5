//! Store views → DTOs: amounts as decimal strings at the currency's scale.

use crate::{EntityDto, LedgerEntryDto, ProgramDto, SummaryRowDto};
use recon_core::money::format_minor;
use recon_store::ledger::{EntityView, EntryView, ProgramView, SummaryRow};
use rust_decimal::Decimal;

/// A sum of minor units as a decimal string (sums are i128: a million entries cannot overflow).
pub(crate) fn amount(minor: i128, scale: u8) -> String {
    match i64::try_from(minor) {
        Ok(m) => format_minor(m, scale),
        Err(_) => Decimal::try_from_i128_with_scale(minor, u32::from(scale))
            .map_or_else(|_| minor.to_string(), |d| d.to_string()),
    }
}

pub(super) fn program_dto(p: &ProgramView) -> ProgramDto {
    ProgramDto {
        slug: p.slug.clone(),
        name: p.name.clone(),
        status: p.status.as_str().into(),
        currency: p.currency.code.clone(),
        direct_rate: p.direct_rate.to_string(),
        override_rate: p.override_rate.to_string(),
        rounding: p.rounding.as_str().into(),
        created_at: p.created_at.clone(),
    }
}

pub(super) fn entity_dto(e: &EntityView) -> EntityDto {
    EntityDto {
        program: e.program.clone(),
        entity_type: e.entity_type.as_str().into(),
        entity_ref: e.entity_ref.clone(),
        name: e.name.clone(),
        parent: e.parent.clone(),
        depth: e.depth,
        payout_per_conversion: e
            .payout_per_conversion_minor
            .map(|m| format_minor(m, e.currency.scale)),
        currency: e.currency.code.clone(),
        created_at: e.created_at.clone(),
    }
}

pub(super) fn entry_dto(e: &EntryView) -> LedgerEntryDto {
    LedgerEntryDto {
        id: e.id,
        program: e.program.clone(),
        entity_type: e.entity_type.clone(),
        entity_ref: e.entity_ref.clone(),
        source: e.source.clone(),
        source_ref: e.source_ref.clone(),
        status: e.status.clone(),
        gross_amount: e.gross_minor.map(|g| format_minor(g, e.scale)),
        earnings_amount: format_minor(e.earnings_minor, e.scale),
        rounding_residue: e.residue.clone(),
        currency: e.currency.clone(),
        description: e.description.clone(),
        period: e.period.clone(),
        occurred_at: e.occurred_at.clone(),
        created_at: e.created_at.clone(),
        payout_batch: e.payout_batch.clone(),
        reverses: e.reverses,
        reversed_by: e.reversed_by,
        reason: e.reason.clone(),
    }
}

pub(super) fn row_dto(r: &SummaryRow, currency: &str, scale: u8) -> SummaryRowDto {
    let m = |v: i64| format_minor(v, scale);
    SummaryRowDto {
        key: r.key.clone(),
        entity_type: r.entity_type.clone(),
        currency: currency.to_owned(),
        total: m(r.total_minor),
        pending: m(r.pending_minor),
        paid: m(r.paid_minor),
        reversed: m(r.reversed_minor),
        entries: r.entries,
    }
}
