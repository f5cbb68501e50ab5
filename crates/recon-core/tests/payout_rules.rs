//! §7's state machine, exhaustively: every (state, action, actor is the creator or not).

use recon_core::payouts::{
    check_editable, transition, BatchAction, BatchFacts, BatchStatus, TransitionRefusal,
};
use BatchStatus as S;

fn actions() -> Vec<BatchAction> {
    vec![
        BatchAction::Submit,
        BatchAction::Approve,
        BatchAction::Reject {
            reason: "wrong period".into(),
        },
        BatchAction::Process,
        BatchAction::Pay,
        BatchAction::Fail {
            reason: "bank refused".into(),
        },
        BatchAction::Retry,
    ]
}

/// §7 written out as a table, independently of the implementation's `allowed`.
const SPEC: [(BatchStatus, &str, BatchStatus); 8] = [
    (S::Draft, "submit", S::PendingApproval),
    (S::PendingApproval, "approve", S::Approved),
    (S::PendingApproval, "reject", S::Rejected),
    (S::Approved, "process", S::Processing),
    (S::Processing, "pay", S::Paid),
    (S::Processing, "fail", S::Failed),
    (S::Failed, "retry", S::Processing),
    (S::Approved, "pay", S::Paid),
];

#[test]
fn exactly_the_transitions_of_section_7_are_accepted() {
    let mut accepted = 0;
    for from in BatchStatus::ALL {
        for action in actions() {
            for actor_is_creator in [false, true] {
                let batch = BatchFacts {
                    status: from,
                    created_by: "maker",
                };
                let actor = if actor_is_creator { "maker" } else { "checker" };
                let got = transition(&batch, &action, actor);
                let spec = SPEC
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action.name());
                match (spec, got) {
                    (
                        Some((_, "approve", _)),
                        Err(TransitionRefusal::CreatorCannotApprove { .. }),
                    ) if actor_is_creator => {}
                    (Some((_, _, to)), Ok(got)) => {
                        assert_eq!(got, *to, "{from} --{}--> ", action.name());
                        accepted += 1;
                    }
                    (None, Err(refusal @ TransitionRefusal::NotAllowed { .. })) => {
                        let text = refusal.to_string();
                        assert!(
                            text.contains(from.as_str()) && text.contains(action.target().as_str()),
                            "the refusal names both states: {text}"
                        );
                    }
                    (spec, got) => panic!(
                        "{from} --{}--> by {actor}: spec {spec:?}, got {got:?}",
                        action.name()
                    ),
                }
            }
        }
    }
    // 8 transitions by a non-creator, 7 by the creator (all but approve).
    assert_eq!(accepted, 15);
}

#[test]
fn the_creator_cannot_approve_whatever_the_spelling() {
    let batch = BatchFacts {
        status: S::PendingApproval,
        created_by: "maker",
    };
    for actor in ["maker", "Maker", " MAKER "] {
        let refusal = transition(&batch, &BatchAction::Approve, actor).unwrap_err();
        assert!(
            refusal
                .to_string()
                .starts_with("the creator of a batch cannot approve it"),
            "{refusal}"
        );
    }
    assert_eq!(
        transition(&batch, &BatchAction::Approve, "checker"),
        Ok(S::Approved)
    );
}

#[test]
fn reject_and_fail_need_a_reason_and_everything_needs_an_actor() {
    let pending = BatchFacts {
        status: S::PendingApproval,
        created_by: "maker",
    };
    let blank = BatchAction::Reject {
        reason: "  ".into(),
    };
    assert_eq!(
        transition(&pending, &blank, "checker"),
        Err(TransitionRefusal::ReasonRequired { action: "reject" })
    );
    let processing = BatchFacts {
        status: S::Processing,
        created_by: "maker",
    };
    let blank = BatchAction::Fail {
        reason: String::new(),
    };
    assert_eq!(
        transition(&processing, &blank, "checker"),
        Err(TransitionRefusal::ReasonRequired { action: "fail" })
    );
    assert_eq!(
        transition(&processing, &BatchAction::Pay, " "),
        Err(TransitionRefusal::NoActor { action: "pay" })
    );
}

#[test]
fn only_draft_and_pending_batches_can_be_edited_and_rejected_ones_release_entries() {
    for status in BatchStatus::ALL {
        let editable = matches!(status, S::Draft | S::PendingApproval);
        assert_eq!(
            check_editable(status, "deleted").is_ok(),
            editable,
            "{status}"
        );
        assert_eq!(status.reserves_entries(), status != S::Rejected, "{status}");
        assert_eq!(BatchStatus::parse(status.as_str()), Ok(status));
    }
    let refusal = check_editable(S::Approved, "deleted").unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "a batch that is approved can no longer be deleted (only draft or pending_approval batches can)"
    );
    assert!(BatchStatus::parse("done").is_err());
}

#[test]
fn steps_list_what_a_status_offers_and_refuse_the_creators_approval_with_the_reason() {
    use recon_core::payouts::steps;
    let facts = |status| BatchFacts {
        status,
        created_by: "maker",
    };
    let names = |status, actor| -> Vec<&'static str> {
        steps(&facts(status), actor)
            .iter()
            .map(|s| s.action)
            .collect()
    };
    assert_eq!(names(BatchStatus::Draft, "maker"), ["submit"]);
    assert_eq!(
        names(BatchStatus::PendingApproval, "checker"),
        ["approve", "reject"]
    );
    assert_eq!(names(BatchStatus::Approved, "checker"), ["process", "pay"]);
    assert_eq!(names(BatchStatus::Processing, "checker"), ["pay", "fail"]);
    assert_eq!(names(BatchStatus::Failed, "checker"), ["retry"]);
    assert!(names(BatchStatus::Paid, "checker").is_empty());
    assert!(names(BatchStatus::Rejected, "checker").is_empty());
    // Everything the checker may take; the creator's approval is listed, refused, with why.
    assert!(steps(&facts(BatchStatus::PendingApproval), "checker")
        .iter()
        .all(|s| s.refusal.is_none()));
    let own = steps(&facts(BatchStatus::PendingApproval), " Maker ");
    let why = own[0].refusal.as_ref().unwrap().to_string();
    assert!(
        why.starts_with("the creator of a batch cannot approve it"),
        "{why}"
    );
    assert_eq!(own[1].refusal, None, "the creator may reject");
    // Nobody named: every step refused, as transition refuses it.
    let nobody = steps(&facts(BatchStatus::Draft), "  ");
    assert_eq!(
        nobody[0].refusal.as_ref().unwrap().to_string(),
        "submit needs to know who does it (the user is empty)"
    );
}
