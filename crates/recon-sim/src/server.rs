//! The real `recon-server` (its router, apply logic and PostgreSQL store) in this
//! process on 127.0.0.1:0, restartable: a restart stops the accept loop, drops the pool
//! and the per-organization state, and serves the same database again on a new port.

use std::net::SocketAddr;

use bytes::Bytes;
use recon_server::Db;
use tokio::sync::Mutex;

/// One request as the proxy read it, replayable.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: reqwest::Method,
    pub path_and_query: String,
    pub auth: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Bytes,
}

struct Generation {
    addr: SocketAddr,
    db: Db,
    task: tokio::task::JoinHandle<Result<(), recon_server::ServerError>>,
}

pub struct Server {
    pub db_url: String,
    generation: Mutex<Generation>,
    /// No pooled connections: a connection to a stopped generation must not outlive it.
    http: reqwest::Client,
}

async fn start(db_url: &str) -> anyhow::Result<Generation> {
    let db = recon_server::connect(db_url).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(recon_server::serve(listener, db.clone()));
    Ok(Generation { addr, db, task })
}

impl Server {
    pub async fn start(db_url: String) -> anyhow::Result<Server> {
        let generation = Mutex::new(start(&db_url).await?);
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()?;
        Ok(Server {
            db_url,
            generation,
            http,
        })
    }

    pub async fn db(&self) -> Db {
        self.generation.lock().await.db.clone()
    }

    /// Stops the server and starts it again on the same database.
    pub async fn restart(&self) -> anyhow::Result<()> {
        let mut generation = self.generation.lock().await;
        generation.task.abort();
        let _ = (&mut generation.task).await;
        *generation = start(&self.db_url).await?;
        Ok(())
    }

    /// The operator restored a backup and rotated the epoch: laptops pull from the start.
    pub async fn rotate_epoch(&self) -> anyhow::Result<()> {
        let db = self.db().await;
        recon_server::rotate_epoch(&db).await?;
        Ok(())
    }

    pub async fn forward(&self, req: &Req) -> anyhow::Result<Answer> {
        let addr = self.generation.lock().await.addr;
        let url = format!("http://{addr}{}", req.path_and_query);
        let mut builder = self
            .http
            .request(req.method.clone(), url)
            .body(req.body.clone());
        if let Some(auth) = &req.auth {
            builder = builder.header("authorization", auth);
        }
        if let Some(ct) = &req.content_type {
            builder = builder.header("content-type", ct);
        }
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await?;
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }
}
