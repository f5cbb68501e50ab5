//! One seed: laptops doing random work and syncing through the faulty network, laptops
//! dying mid-change, then the network heals, everyone syncs until nothing moves, and the
//! checks of [`crate::check`] run.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::check;
use crate::laptop::Laptop;
use crate::net::{self, Net};
use crate::rng::Rng;
use crate::server::Server;
use crate::work::{self, Ctx};

/// Scratch databases are `recon_sim_<uuid>`, not `recon_test_…`: a cleanup of test
/// databases by another run must not pull this one from under a running simulation.
const DB_PREFIX: &str = "recon_sim_";

async fn admin_client(admin_url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .map_err(|e| anyhow::anyhow!("PostgreSQL at {admin_url:?} is needed: {e}"))?;
    tokio::spawn(connection);
    Ok(client)
}

/// `admin_url` (key=value or postgresql:// form) naming database `name` instead.
fn with_dbname(admin_url: &str, name: &str) -> String {
    if let Some(rest) = admin_url.strip_prefix("postgres") {
        let (base, query) = rest.split_once('?').map_or((rest, ""), |(b, q)| (b, q));
        let authority = base.trim_start_matches("ql").trim_start_matches("://");
        let host = authority.split('/').next().unwrap_or("");
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        return format!("postgresql://{host}/{name}{query}");
    }
    format!("{admin_url} dbname={name}")
}

/// A new database, its commits not waiting for the disk: the simulation restarts the
/// server process, never the machine.
async fn scratch_database(admin_url: &str) -> anyhow::Result<String> {
    let name = format!("{DB_PREFIX}{}", uuid::Uuid::new_v4().simple());
    let admin = admin_client(admin_url).await?;
    // Two statements: CREATE DATABASE cannot share a transaction with the ALTER.
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{name}\" SET synchronous_commit = off"
        ))
        .await?;
    Ok(with_dbname(admin_url, &name))
}

async fn drop_scratch_database(admin_url: &str, db_url: &str) -> anyhow::Result<()> {
    let Some(name) = db_url
        .rsplit([' ', '/', '='])
        .next()
        .map(|n| n.split('?').next().unwrap_or(n))
    else {
        return Ok(());
    };
    if name.starts_with(DB_PREFIX) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        admin_client(admin_url)
            .await?
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
    }
    Ok(())
}

const USERS: &[&str] = &["maker", "checker", "payer"];
/// Scheduled steps per seed: a few, so 300 seeds fit CI on two cores.
const MIN_STEPS: u64 = 5;
const MORE_STEPS: u64 = 7;
const SYNC_PERCENT: u64 = 40;
/// How often a good sync is followed by a look at Payouts ([`work::REVIEW`]).
const REVIEW_PERCENT: u64 = 80;
/// A work step does 1 to this many things.
const WORK_BURST: u64 = 3;
/// A sync step tries this often, as background sync retries while the server is away.
const SYNC_TRIES: usize = 3;
const CRASH_PERCENT: u64 = 12;
/// A crash point is drawn from 0..this many steps of SQLite work (8 VM ops each).
const CRASH_RANGE: u64 = 3_000;
const FINAL_ROUNDS: usize = 6;

/// The server, the network and a database for a whole run of seeds.
pub struct World {
    runtime: tokio::runtime::Runtime,
    admin_url: String,
    server: Arc<Server>,
    net: Arc<Net>,
    proxy_url: String,
    pg: tokio_postgres::Client,
    scratch: std::path::PathBuf,
    /// Seeds run so far: each run gets its own organization, also a seed run twice.
    runs: std::cell::Cell<u64>,
}

pub struct SeedResult {
    pub seed: u64,
    pub failures: Vec<String>,
    /// The schedule and the network's decisions, for `--seed N --verbose`.
    pub trace: Vec<String>,
}

impl World {
    pub fn start(admin_url: &str) -> anyhow::Result<World> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (server, net, proxy_url, pg) = runtime.block_on(async {
            let db_url = scratch_database(admin_url).await?;
            let server = Arc::new(Server::start(db_url.clone()).await?);
            let net = Net::new(Arc::clone(&server));
            let proxy_url = net::serve(Arc::clone(&net)).await?;
            let (pg, connection) = tokio_postgres::connect(&db_url, tokio_postgres::NoTls).await?;
            tokio::spawn(connection);
            anyhow::Ok((server, net, proxy_url, pg))
        })?;
        // Ledgers on tmpfs when there is one: the simulation is about order, not disks.
        let shm = std::path::Path::new("/dev/shm");
        let scratch = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        Ok(World {
            runtime,
            admin_url: admin_url.to_owned(),
            server,
            net,
            proxy_url,
            pg,
            scratch,
            runs: std::cell::Cell::new(0),
        })
    }

    pub fn run_seed(&self, seed: u64) -> SeedResult {
        let mut trace = Vec::new();
        let failures = match self.seed_inner(seed, &mut trace) {
            Ok(failures) => failures,
            Err(e) => vec![format!("the simulation itself failed: {e:#}")],
        };
        trace.extend(self.net.log().into_iter().map(|l| format!("net: {l}")));
        SeedResult {
            seed,
            failures,
            trace,
        }
    }

    fn seed_inner(&self, seed: u64, trace: &mut Vec<String>) -> anyhow::Result<Vec<String>> {
        self.net.reset(seed);
        let mut rng = Rng::new(seed, 1);
        self.runs.set(self.runs.get() + 1);
        let org = format!("sim-{seed}-run{}", self.runs.get());
        let dir = tempfile::Builder::new()
            .prefix("recon-sim-")
            .tempdir_in(&self.scratch)?;
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap();
        let count = 2 + rng.below(2) as usize;
        let mut laptops = Vec::with_capacity(count);
        for (i, user) in USERS.iter().take(count).enumerate() {
            let token = self.runtime.block_on(async {
                let db = self.server.db().await;
                // The same names in every organization: the trace quotes them (in a
                // refusal) and must replay exactly whichever run the seed is.
                recon_server::create_token(&db, &org, &format!("{user}@sim.test")).await
            })?;
            laptops.push(Laptop::new(
                dir.path(),
                &format!("laptop{i}"),
                user,
                token,
                start,
            )?);
        }
        let steps = MIN_STEPS + rng.below(MORE_STEPS);
        for step in 0..steps {
            let now = start + Duration::minutes(step as i64 + 1);
            let who = rng.below(count as u64) as usize;
            let crash = rng
                .chance(CRASH_PERCENT)
                .then(|| rng.below(CRASH_RANGE) as u32);
            let laptop = &mut laptops[who];
            let (what, died) = if rng.chance(SYNC_PERCENT) {
                let mut tries = Vec::new();
                let mut died = false;
                let mut synced = false;
                for _ in 0..SYNC_TRIES {
                    let (result, killed) = laptop.sync(&self.proxy_url, now, crash)?;
                    tries.push(describe(&result));
                    died |= killed;
                    synced = result.is_ok() && !killed;
                    if result.is_ok() || killed {
                        break;
                    }
                }
                let mut what = format!("sync: {}", tries.join(" / retry: "));
                // After a sync the person looks at Payouts: a colleague's batch pulled just
                // now awaits their approval.
                if synced && rng.chance(REVIEW_PERCENT) {
                    let (done, killed) = do_work(laptop, &mut rng, crash, now, &work::REVIEW)?;
                    what.push_str(&format!("; then {done}"));
                    died |= killed;
                }
                (what, died)
            } else {
                // A few things in a row: syncs then have something to push.
                let mut done = Vec::new();
                let mut died = false;
                for _ in 0..1 + rng.below(WORK_BURST) {
                    let work = work::pick(&mut rng);
                    let (did, killed) = do_work(laptop, &mut rng, crash, now, work)?;
                    done.push(did);
                    if killed {
                        died = true;
                        break;
                    }
                }
                (done.join("; "), died)
            };
            let died = if died {
                " — killed mid-change, reopened"
            } else {
                ""
            };
            trace.push(without_ids(&format!(
                "step {step}: {} {what}{died}",
                laptop.name
            )));
        }
        self.runtime.block_on(self.net.heal());
        let mut failures =
            self.final_syncs(&mut laptops, &mut rng, start + Duration::hours(1), trace)?;
        if failures.is_empty() {
            failures = self.checks(&org, &mut laptops)?;
        }
        if !failures.is_empty() && std::env::var_os("RECON_SIM_KEEP").is_some() {
            trace.push(format!("ledgers kept in {}", dir.keep().display()));
        }
        Ok(failures)
    }

    /// Everyone syncs, round after round, until a round moves nothing. In the first
    /// round each person then looks at Payouts (as after any sync): a colleague's batch
    /// that only now arrived is approved, rejected or paid, and the next rounds carry it
    /// to everyone.
    fn final_syncs(
        &self,
        laptops: &mut [Laptop],
        rng: &mut Rng,
        now: DateTime<Utc>,
        trace: &mut Vec<String>,
    ) -> anyhow::Result<Vec<String>> {
        for round in 0..FINAL_ROUNDS {
            let mut moved = false;
            for laptop in laptops.iter_mut() {
                let (result, _) = laptop.sync(&self.proxy_url, now, None)?;
                trace.push(without_ids(&format!(
                    "final round {round}: {} sync: {}",
                    laptop.name,
                    describe(&result)
                )));
                match result {
                    Ok(r) => {
                        moved |= r.push.pushed > 0
                            || r.pull.applied > 0
                            || r.pull.not_applied > 0
                            || r.pull.held > 0;
                        if round == 0 && rng.chance(REVIEW_PERCENT) {
                            let (done, _) = do_work(laptop, rng, None, now, &work::REVIEW)?;
                            trace.push(without_ids(&format!(
                                "final round 0: {} then {done}",
                                laptop.name
                            )));
                            moved = true;
                        }
                    }
                    Err(e) => {
                        return Ok(vec![format!(
                            "{}: sync on a healed network failed: {e}",
                            laptop.name
                        )])
                    }
                }
            }
            if !moved {
                return Ok(Vec::new());
            }
        }
        Ok(vec![format!(
            "still not settled after {FINAL_ROUNDS} rounds of syncs on a healed network"
        )])
    }

    fn checks(&self, org: &str, laptops: &mut [Laptop]) -> anyhow::Result<Vec<String>> {
        let server = self.runtime.block_on(check::server_state(&self.pg, org))?;
        let mut failures = check::server_exactly_once(&server);
        for laptop in laptops.iter_mut() {
            failures.extend(check::laptop_matches(laptop, &server)?);
        }
        failures.extend(check::no_phantoms(laptops, &server)?);
        Ok(failures)
    }
}

/// Runs one piece of work on `laptop` (dying after `crash` steps of SQLite work, if
/// given): what the trace says of it, and whether the laptop died.
fn do_work(
    laptop: &mut Laptop,
    rng: &mut Rng,
    crash: Option<u32>,
    now: DateTime<Utc>,
    work: &work::Work,
) -> anyhow::Result<(String, bool)> {
    let user = laptop.actor();
    let ((result, what), killed) = laptop.run(crash, |store| {
        let mut ctx = Ctx {
            store,
            rng,
            user: &user,
            now,
            what: None,
        };
        ((work.run)(&mut ctx), ctx.what)
    })?;
    let outcome = result.map_or_else(|e| format!("refused here: {e}"), |()| "ok".into());
    let what = what.map_or_else(String::new, |w| format!(" ({w})"));
    Ok((format!("{}{what}: {outcome}", work.name), killed))
}

/// `text` with every UUID (a batch's, an event's: drawn at random by the ledger) as
/// `<id>`, so that a seed's trace replays exactly.
pub fn without_ids(text: &str) -> String {
    let is_uuid = |w: &[u8]| {
        w.len() == 36
            && w.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
    };
    let bytes = text.as_bytes();
    let (mut out, mut i) = (String::with_capacity(text.len()), 0);
    while i < bytes.len() {
        if bytes.len() - i >= 36 && is_uuid(&bytes[i..i + 36]) {
            out.push_str("<id>");
            i += 36;
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8().max(1);
        }
    }
    out
}

fn describe(result: &Result<recon_client::SyncReport, recon_client::SyncError>) -> String {
    match result {
        Ok(r) => {
            // Which kinds were refused, and whether undone: what the seed explored.
            let refused: Vec<String> = r
                .refused
                .iter()
                .map(|c| format!("{}{}", c.kind, if c.undone { " undone" } else { "" }))
                .collect();
            let refused = if refused.is_empty() {
                String::new()
            } else {
                format!(" ({})", refused.join(", "))
            };
            format!(
                "pushed {} (replayed {}), refused {}{refused}, pulled {} applied, {} held, {} not applied",
                r.push.pushed,
                r.push.replayed,
                r.refused.len(),
                r.pull.applied,
                r.pull.held,
                r.pull.not_applied
            )
        }
        Err(e) => format!("failed: {e}"),
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let db_url = self.server.db_url.clone();
        let admin = self.admin_url.clone();
        let _ = self
            .runtime
            .block_on(drop_scratch_database(&admin, &db_url));
    }
}

#[cfg(test)]
mod tests {
    use super::without_ids;

    #[test]
    fn a_trace_line_shows_uuids_as_id_and_keeps_the_rest() {
        let line = "entry 4 is reserved by payout batch a3f1cef2-c313-40ff-a765-0570be6c4152 (approved) — ok";
        assert_eq!(
            without_ids(line),
            "entry 4 is reserved by payout batch <id> (approved) — ok"
        );
        // Not a UUID: too short, or a hyphen out of place.
        let near = "a3f1cef2-c313-40ff-a765-0570be6c415 a3f1cef2c-313-40ff-a765-0570be6c4152";
        assert_eq!(without_ids(near), near);
    }
}
