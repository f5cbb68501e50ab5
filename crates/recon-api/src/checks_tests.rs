//! The app's own entries into wallet checks: latest run, review list, fix one wallet.

use super::*;
use crate::{CheckActionDto, CheckRunInputDto};

fn ledger() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::open_store(&dir.path().join("l.sqlite")).unwrap();
    let wallets = dir.path().join("w.csv");
    std::fs::write(
        &wallets,
        "workspace_id,wallet_id,currency,balance,locked_balance,as_of\n\
         a,wa,NGN,100,55,2026-01-01\nb,wb,NGN,100,56,2026-01-01\nc,wc,NGN,100,90,2026-01-01\n",
    )
    .unwrap();
    let activations = dir.path().join("a.csv");
    std::fs::write(
        &activations,
        "activation_id,workspace_id,status,total_budget,spent_amount,currency\n\
         1,a,live,50,0,NGN\n2,b,draft,50,0,NGN\n3,c,live,50,0,NGN\n",
    )
    .unwrap();
    import_workspace_wallets(&mut store, "t", &wallets).unwrap();
    import_activations(&mut store, "t", &activations).unwrap();
    (dir, store)
}

#[test]
fn the_dashboard_and_review_list_follow_the_latest_run_and_fix_one_fixes_only_it() {
    let (_dir, mut store) = ledger();
    assert_eq!(check_latest(&store).unwrap(), None);
    assert!(check_review_list(&store).unwrap().is_empty());
    let input = CheckRunInputDto {
        fix: true,
        fix_wallets: Some(vec!["wa".into()]),
        ..Default::default()
    };
    let run = check_wallets(&mut store, "t", input).unwrap();
    let fixed: Vec<&str> = run
        .wallets
        .iter()
        .filter(|w| w.fixed)
        .map(|w| w.wallet_id.as_str())
        .collect();
    assert_eq!(fixed, ["wa"]);
    let latest = check_latest(&store).unwrap().unwrap();
    assert_eq!(
        (
            latest.run_id.as_str(),
            latest.fixed,
            latest.fixable,
            latest.to_review
        ),
        (run.run_id.as_str(), 1, 1, 1)
    );
    let review = check_review_list(&store).unwrap();
    assert_eq!(review.len(), 1);
    assert_eq!(
        (review[0].wallet_id.as_str(), review[0].action),
        ("wc", CheckActionDto::Review)
    );
    let wallets = workspace_wallet_list(&store).unwrap();
    assert_eq!(wallets[0].locked_balance, "50.00");
    assert_eq!(wallets[0].balance, "105.00");
}
