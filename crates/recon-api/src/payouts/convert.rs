//! Store views → DTOs: amounts as decimal strings at the currency's scale.

use crate::ledger::amount;
use crate::{
    PartnerSummaryDto, PayoutBatchDto, PayoutLineDto, PayoutPeriodDto, PayoutPreviewDto,
    PayoutStatsDto, PayoutStatusTotalDto, PayoutStepDto, PayoutTransitionDto,
};
use recon_core::money::format_minor;
use recon_core::payouts::{steps, BatchFacts};
use recon_store::payouts::{
    BatchView, LineView, PartnerSummary, PayoutStats, PreviewView, StatusRow,
};

fn line_dto(l: &LineView, scale: u8) -> PayoutLineDto {
    PayoutLineDto {
        entity_type: l.entity_type.clone(),
        entity_ref: l.entity_ref.clone(),
        entity_name: l.entity_name.clone(),
        amount: format_minor(l.amount_minor, scale),
        entries: l.entries,
        entry_ids: l.entry_ids.clone(),
    }
}

/// `b` as `actor` sees it: with the steps `actor` may take.
pub(super) fn batch_dto(b: &BatchView, actor: &str) -> PayoutBatchDto {
    let facts = BatchFacts {
        status: b.status,
        created_by: &b.created_by,
    };
    let allowed_actions = steps(&facts, actor)
        .into_iter()
        .map(|s| PayoutStepDto {
            action: s.action.into(),
            allowed: s.refusal.is_none(),
            reason: s.refusal.map(|r| r.to_string()),
        })
        .collect();
    PayoutBatchDto {
        id: b.id.clone(),
        program: b.program.clone(),
        period: b.period.clone(),
        currency: b.currency.clone(),
        status: b.status.as_str().into(),
        total: format_minor(b.total_minor, b.scale),
        notes: b.notes.clone(),
        created_by: b.created_by.clone(),
        created_at: b.created_at.clone(),
        updated_at: b.updated_at.clone(),
        approved_by: b.approved_by.clone(),
        approved_at: b.approved_at.clone(),
        paid_by: b.paid_by.clone(),
        paid_at: b.paid_at.clone(),
        reason: b.reason.clone(),
        entry_count: b.entry_count,
        lines: b.lines.iter().map(|l| line_dto(l, b.scale)).collect(),
        transitions: b
            .transitions
            .iter()
            .map(|t| PayoutTransitionDto {
                at: t.at.clone(),
                actor: t.actor.clone(),
                from: t.from.clone(),
                to: t.to.clone(),
                reason: t.reason.clone(),
            })
            .collect(),
        allowed_actions,
    }
}

pub(super) fn preview_dto(p: &PreviewView) -> PayoutPreviewDto {
    PayoutPreviewDto {
        program: p.program.clone(),
        period: p.period.clone(),
        currency: p.currency.clone(),
        total: format_minor(p.total_minor, p.scale),
        entry_count: p.entry_count,
        lines: p.lines.iter().map(|l| line_dto(l, p.scale)).collect(),
    }
}

fn status_dto(r: &StatusRow) -> PayoutStatusTotalDto {
    PayoutStatusTotalDto {
        status: r.status.as_str().into(),
        currency: r.currency.clone(),
        batches: r.batches,
        total: amount(r.total_minor, r.scale),
    }
}

pub(super) fn stats_dto(program: Option<&str>, s: &PayoutStats) -> PayoutStatsDto {
    PayoutStatsDto {
        program: program.map(str::to_owned),
        by_status: s.by_status.iter().map(status_dto).collect(),
        by_period: s
            .by_period
            .iter()
            .map(|p| PayoutPeriodDto {
                period: p.period.clone(),
                currency: p.currency.clone(),
                batches: p.batches,
                total: amount(p.total_minor, p.scale),
                by_status: p.by_status.iter().map(status_dto).collect(),
            })
            .collect(),
        awaiting_your_approval: s.awaiting_your_approval,
    }
}

pub(super) fn partner_dto(s: &PartnerSummary) -> PartnerSummaryDto {
    let m = |v: i128| amount(v, s.scale);
    PartnerSummaryDto {
        program: s.program.clone(),
        entity_type: s.entity_type.clone(),
        entity_ref: s.entity_ref.clone(),
        name: s.name.clone(),
        currency: s.currency.clone(),
        lifetime_earnings: m(s.lifetime_minor),
        pending: m(s.pending_minor),
        reserved: m(s.reserved_minor),
        paid: m(s.paid_minor),
        last_payout_at: s.last_payout.as_ref().map(|l| l.0.clone()),
        last_payout_amount: s.last_payout.as_ref().map(|l| format_minor(l.1, s.scale)),
        last_payout_batch: s.last_payout.as_ref().map(|l| l.2.clone()),
    }
}
