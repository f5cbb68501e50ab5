//! The simulated network: an HTTP proxy on loopback between the laptops' real
//! `recon-client` and the server. While faulty it drops requests, drops answers after the
//! server committed, delivers requests twice, holds requests back and delivers them
//! later (after newer ones: reordered, delayed), restarts the server and rotates its
//! epoch — each decision drawn from the seed's network stream. Laptops run one at a time,
//! so requests arrive in a deterministic order and so do the decisions.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

use crate::rng::Rng;
use crate::server::{Req, Server};

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Pass,
    DropRequest,
    /// Forwarded (the server commits), the answer lost on the way back.
    DropAnswer,
    /// Delivered twice in a row; the laptop sees the second answer.
    Duplicate,
    /// Not delivered now; delivered later, after newer requests.
    HoldBack,
    /// Delivered now, and a copy again later.
    Echo,
}

/// Percent chances of each fault while the network is faulty (the rest pass).
const FAULTS: &[(Fault, u64)] = &[
    (Fault::DropRequest, 6),
    (Fault::DropAnswer, 9),
    (Fault::Duplicate, 5),
    (Fault::HoldBack, 4),
    (Fault::Echo, 4),
];
const RESTART_PERCENT: u64 = 3;
const ROTATE_EPOCH_PERCENT: u64 = 1;
/// Chance that one held-back request is delivered before the current one.
const RELEASE_PERCENT: u64 = 30;

#[derive(Default)]
struct State {
    rng: Option<Rng>,
    faulty: bool,
    held: Vec<Req>,
    log: Vec<String>,
}

pub struct Net {
    server: Arc<Server>,
    state: Mutex<State>,
}

/// Why the proxy closed a connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dropped by the simulated network")
    }
}

impl std::error::Error for Dropped {}

/// What to do, decided under the lock before anything is awaited.
struct Plan {
    fault: Fault,
    release: Option<Req>,
    restart_before: bool,
    restart_after: bool,
    rotate_epoch: bool,
}

impl Net {
    pub fn new(server: Arc<Server>) -> Arc<Net> {
        Arc::new(Net {
            server,
            state: Mutex::new(State::default()),
        })
    }

    /// A new seed: its own network stream, faulty, nothing held.
    pub fn reset(&self, seed: u64) {
        let mut state = self.state.lock().unwrap();
        *state = State {
            rng: Some(Rng::new(seed, 2)),
            faulty: true,
            held: Vec::new(),
            log: Vec::new(),
        };
    }

    /// The network heals: no more faults. Requests still held back arrive (late) now.
    pub async fn heal(&self) {
        let held = {
            let mut state = self.state.lock().unwrap();
            state.faulty = false;
            let late = state.held.len();
            state
                .log
                .push(format!("heal: {late} late request(s) arrive"));
            std::mem::take(&mut state.held)
        };
        for req in held {
            let _ = self.server.forward(&req).await;
        }
    }

    pub fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    fn plan(&self, req: &Req) -> Plan {
        let mut state = self.state.lock().unwrap();
        let mut plan = Plan {
            fault: Fault::Pass,
            release: None,
            restart_before: false,
            restart_after: false,
            rotate_epoch: false,
        };
        if !state.faulty {
            return plan;
        }
        let State { rng, held, log, .. } = &mut *state;
        let rng = rng.as_mut().expect("reset before use");
        if !held.is_empty() && rng.chance(RELEASE_PERCENT) {
            let at = rng.below(held.len() as u64) as usize;
            plan.release = Some(held.remove(at));
        }
        let mut roll = rng.below(100);
        for (fault, percent) in FAULTS {
            if roll < *percent {
                plan.fault = *fault;
                break;
            }
            roll -= percent;
        }
        plan.restart_before = rng.chance(RESTART_PERCENT);
        plan.restart_after = plan.fault == Fault::DropAnswer && rng.chance(25);
        plan.rotate_epoch = rng.chance(ROTATE_EPOCH_PERCENT);
        if matches!(plan.fault, Fault::HoldBack | Fault::Echo) {
            held.push(req.clone());
        }
        log.push(format!(
            "{} {}: {:?}{}{}{}{}",
            req.method,
            req.path_and_query.split('?').next().unwrap_or(""),
            plan.fault,
            if plan.release.is_some() {
                " +late delivery"
            } else {
                ""
            },
            if plan.restart_before {
                " +restart before"
            } else {
                ""
            },
            if plan.restart_after {
                " +restart after"
            } else {
                ""
            },
            if plan.rotate_epoch {
                " +epoch rotated"
            } else {
                ""
            },
        ));
        plan
    }

    async fn handle(
        self: Arc<Self>,
        request: Request<hyper::body::Incoming>,
    ) -> Result<Response<Full<Bytes>>, Dropped> {
        let (parts, body) = request.into_parts();
        let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let req = Req {
            method: parts.method.clone(),
            path_and_query: parts
                .uri
                .path_and_query()
                .map_or("/".to_owned(), |p| p.to_string()),
            auth: header("authorization"),
            content_type: header("content-type"),
            body,
        };
        let plan = self.plan(&req);
        let server = &self.server;
        if let Some(late) = &plan.release {
            let _ = server.forward(late).await;
        }
        if plan.rotate_epoch {
            server.rotate_epoch().await.map_err(|_| Dropped)?;
        }
        if plan.restart_before {
            server.restart().await.map_err(|_| Dropped)?;
        }
        let answer = match plan.fault {
            Fault::DropRequest | Fault::HoldBack => return Err(Dropped),
            Fault::DropAnswer => {
                let _ = server.forward(&req).await;
                if plan.restart_after {
                    server.restart().await.map_err(|_| Dropped)?;
                }
                return Err(Dropped);
            }
            Fault::Duplicate => {
                let _ = server.forward(&req).await;
                server.forward(&req).await
            }
            Fault::Pass | Fault::Echo => server.forward(&req).await,
        };
        let answer = answer.map_err(|_| Dropped)?;
        let mut response = Response::builder().status(answer.status);
        if let Some(ct) = answer.content_type {
            response = response.header("content-type", ct);
        }
        response.body(Full::new(answer.body)).map_err(|_| Dropped)
    }
}

/// Serves the proxy on 127.0.0.1:0; its base URL.
pub async fn serve(net: Arc<Net>) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let net = Arc::clone(&net);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| Arc::clone(&net).handle(req));
                // A dropped request or answer closes the connection unanswered: the error
                // is the point, not something to report.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(url)
}
