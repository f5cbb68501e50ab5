//! A laptop: a real `recon-store` ledger on a temp SQLite file, its user and device
//! token. It can die in the middle of any change (`Store::sim_crash_after`) and is then
//! opened again from its file, as a restarted app would be.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use recon_client::{ClientOptions, SyncReport};
use recon_store::{NewWallet, Store};

/// The wallets every laptop tracks (same owner ids, so the same sync keys everywhere).
pub const WALLETS: &[(&str, i64)] = &[("Main", 90_000_001), ("Corp", 90_000_002)];

pub struct Laptop {
    pub name: String,
    pub user: String,
    pub token: String,
    path: PathBuf,
    store: Option<Store>,
    pub crashes: u32,
}

impl Laptop {
    pub fn new(
        dir: &std::path::Path,
        name: &str,
        user: &str,
        token: String,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Laptop> {
        let path = dir.join(format!("{name}.sqlite"));
        let mut store = Store::open(&path)?;
        for (wallet, owner) in WALLETS {
            store.add_wallet(
                user,
                now,
                NewWallet {
                    name: (*wallet).into(),
                    kind: "character".into(),
                    owner_id: Some(*owner),
                    division: None,
                    currency: "ISK".into(),
                    receiving: true,
                },
            )?;
        }
        Ok(Laptop {
            name: name.into(),
            user: user.into(),
            token,
            path,
            store: Some(store),
            crashes: 0,
        })
    }

    pub fn store(&mut self) -> &mut Store {
        self.store.as_mut().expect("the laptop's ledger is open")
    }

    /// Runs `f`; when `crash_after` is given the laptop dies after that many steps of
    /// SQLite work (if `f` takes longer) and is reopened. True if it died.
    pub fn run<T>(
        &mut self,
        crash_after: Option<u32>,
        f: impl FnOnce(&mut Store) -> T,
    ) -> anyhow::Result<(T, bool)> {
        let died = crash_after.map(|steps| self.store().sim_crash_after(steps));
        let out = f(self.store());
        let died = died.is_some_and(|d| d.load(Ordering::SeqCst));
        if died {
            self.crashes += 1;
            // The process is gone: nothing of the open transaction commits.
            self.store = None;
            self.store = Some(Store::open(&self.path)?);
        } else {
            self.store().sim_crash_clear();
        }
        Ok((out, died))
    }

    /// Who acts here: the device token's user once a sync learned it (as the app's
    /// `current_actor`), before that the name the laptop was set up with.
    pub fn actor(&mut self) -> String {
        match self.store().token_user() {
            Ok(Some(user)) => user,
            _ => self.user.clone(),
        }
    }

    /// Push then pull through `url`, as `recon sync` does.
    pub fn sync(
        &mut self,
        url: &str,
        now: DateTime<Utc>,
        crash_after: Option<u32>,
    ) -> anyhow::Result<(Result<SyncReport, recon_client::SyncError>, bool)> {
        let (token, user) = (self.token.clone(), self.actor());
        let url = url.to_owned();
        self.run(crash_after, move |store| {
            recon_client::sync_with(
                store,
                &url,
                &token,
                &user,
                &|| now,
                &ClientOptions::default(),
            )
        })
    }
}
