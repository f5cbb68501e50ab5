//! `expected_payment_edited` on the server: an expected payment's memo, amount or payer
//! changed on a laptop. Applied so that the links made to it afterwards (by its new memo)
//! find it; refused, as `recon_core::matching::check_editable` refuses it on the laptop,
//! once the payment is no longer awaiting payment on the server (a receipt linked to it,
//! or cancelled by a cycle opening).

use recon_core::matching::{check_editable, normalize_memo, ExpectedStatus};
use recon_sync::matching::ExpectedPaymentEdited;
use recon_sync::{Conflict, EventAnswer};

use super::expected::{invalid, known_scale};
use super::ledger::{conflict, rule};
use super::{matching_state as state, Ctx};
use crate::ServerError;

pub(super) async fn apply(
    ctx: &Ctx<'_>,
    body: &ExpectedPaymentEdited,
) -> Result<EventAnswer, ServerError> {
    let p = &body.payment;
    if known_scale(&p.currency).is_none() {
        return Ok(EventAnswer::refused(
            recon_sync::RefusalCode::InvalidValue,
            format!("currency {} is not known to the server", p.currency),
            vec![],
        ));
    }
    if let Some(why) = invalid(p) {
        return Ok(EventAnswer::refused(
            recon_sync::RefusalCode::InvalidValue,
            why,
            vec![],
        ));
    }
    let old = body.renamed_from.as_deref().unwrap_or(&p.memo);
    let Some(held) = state::payment(ctx.tx, ctx.org_id, old).await? else {
        return Ok(rule(format!(
            "expected payment '{old}' is not known to the server"
        )));
    };
    let linked = state::a_receipt_of(ctx.tx, ctx.org_id, old).await?;
    let status = match (&linked, held.cancelled) {
        (_, true) => ExpectedStatus::Cancelled,
        (Some(_), _) => ExpectedStatus::Confirmed,
        _ => ExpectedStatus::AwaitingPayment,
    };
    if let Err(why) = check_editable(&held.memo, status) {
        let server = linked.map_or("cancelled".to_owned(), |r| {
            format!("paid by journal line {r}")
        });
        let conflicts = vec![Conflict {
            field: format!("expected payment '{}'", held.memo),
            server,
            event: "edited".into(),
        }];
        return Ok(conflict(format!("{why} (on the server)"), conflicts));
    }
    let (from, to) = (normalize_memo(old), normalize_memo(&p.memo));
    if from != to && state::payment(ctx.tx, ctx.org_id, &p.memo).await?.is_some() {
        return Ok(conflict(
            format!(
                "memo '{}' already belongs to another expected payment on the server",
                p.memo
            ),
            vec![],
        ));
    }
    ctx.tx
        .execute(
            "UPDATE expected_payments SET memo_normalized = $3, memo = $4, cycle_id = $5,
                    character_name = $6, character_id = $7, expected_amount = $8, currency = $9
              WHERE org_id = $1 AND memo_normalized = $2",
            &[
                &ctx.org_id,
                &from,
                &to,
                &p.memo,
                &p.cycle_id,
                &p.character_name,
                &p.character_id,
                &p.expected_amount,
                &p.currency,
            ],
        )
        .await?;
    Ok(EventAnswer::applied(1, 0))
}
