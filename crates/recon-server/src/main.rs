//! `recon-server` command line: `serve` (default), `token create|revoke`, `devices`,
//! `migrate`, `epoch rotate`. Logs (`tracing`) go to stderr; `RUST_LOG` sets the level (default `info`).

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use recon_server::RevokeTarget;

const DEFAULT_BIND: &str = "127.0.0.1:8787";

#[derive(Debug, Parser)]
#[command(name = "recon-server", version, about = "Recon Desk sync server")]
struct Cli {
    /// PostgreSQL connection string (URL or key=value form).
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply migrations, then serve the HTTP API (the default).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "RECON_SERVER_BIND", default_value = DEFAULT_BIND)]
        bind: String,
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// List an organization's device tokens (id, user, created, revoked, last push).
    Devices {
        /// Organization name.
        #[arg(long)]
        org: String,
    },
    /// Manage device tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Apply pending migrations and exit.
    Migrate,
    /// The database's sync epoch.
    #[command(subcommand)]
    Epoch(EpochCommand),
}

#[derive(Debug, Subcommand)]
enum EpochCommand {
    /// Give the database a new epoch: run it after restoring a backup, so every laptop
    /// pulls again from the start (idempotently) instead of trusting positions the
    /// restore took back. Prints the new epoch.
    Rotate,
}

/// HTTPS: both or neither. Without them the server speaks plain HTTP (for a loopback
/// address or behind a TLS-terminating proxy).
#[derive(Debug, clap::Args)]
struct TlsArgs {
    /// PEM file with the server's certificate chain (leaf first).
    #[arg(long, env = "RECON_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// PEM file with the certificate's private key.
    #[arg(long, env = "RECON_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create the organization if missing and a device token for a user; prints the token.
    Create {
        /// Organization name.
        #[arg(long)]
        org: String,
        /// User e-mail.
        #[arg(long)]
        user: String,
    },
    /// Revoke a device token: by the token itself, or by `--org` and `--device` (the id
    /// `recon-server devices` lists). Its next request is refused (401).
    Revoke {
        /// The token text (`rdt_…`).
        #[arg(long, conflicts_with_all = ["org", "device"], required_unless_present = "device")]
        token: Option<String>,
        /// Organization name (with `--device`).
        #[arg(long, requires = "device")]
        org: Option<String>,
        /// Device id as listed by `recon-server devices`.
        #[arg(long, requires = "org")]
        device: Option<i64>,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let database_url = cli
        .database_url
        .context("no database: pass --database-url or set DATABASE_URL")?;
    match cli.command {
        Some(Command::Serve { bind, tls }) => serve(&database_url, &bind, tls).await,
        None => {
            let bind =
                std::env::var("RECON_SERVER_BIND").unwrap_or_else(|_| DEFAULT_BIND.to_owned());
            let tls = TlsArgs {
                tls_cert: std::env::var_os("RECON_TLS_CERT").map(Into::into),
                tls_key: std::env::var_os("RECON_TLS_KEY").map(Into::into),
            };
            serve(&database_url, &bind, tls).await
        }
        Some(Command::Migrate) => {
            connect(&database_url).await?;
            eprintln!(
                "database schema is at version {}",
                recon_server::LATEST_VERSION
            );
            Ok(())
        }
        Some(Command::Devices { org }) => devices(&database_url, &org).await,
        Some(Command::Token(command)) => token(&database_url, command).await,
        Some(Command::Epoch(EpochCommand::Rotate)) => {
            let db = connect(&database_url).await?;
            let epoch = recon_server::rotate_epoch(&db)
                .await
                .context("rotating the epoch")?;
            println!("{epoch}");
            Ok(())
        }
    }
}

async fn token(database_url: &str, command: TokenCommand) -> Result<()> {
    let db = connect(database_url).await?;
    match command {
        TokenCommand::Create { org, user } => {
            let token = recon_server::create_token(&db, &org, &user)
                .await
                .with_context(|| format!("creating a token for {user} in organization {org}"))?;
            println!("{token}");
        }
        TokenCommand::Revoke { token, org, device } => {
            let target = match (token, org, device) {
                (Some(token), _, _) => RevokeTarget::Token(token),
                (None, Some(org), Some(id)) => RevokeTarget::Device { org, id },
                _ => anyhow::bail!("pass --token TOKEN, or --org ORG and --device ID"),
            };
            let (id, user) = recon_server::revoke_token(&db, &target)
                .await
                .context("revoking the token")?;
            println!("revoked device {id} ({user})");
        }
    }
    Ok(())
}

async fn devices(database_url: &str, org: &str) -> Result<()> {
    let db = connect(database_url).await?;
    let devices = recon_server::list_devices(&db, org).await?;
    println!("id\tuser\tcreated\trevoked\tlast push\tevents");
    for d in devices {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            d.id,
            d.user,
            d.created_at,
            d.revoked_at.as_deref().unwrap_or("-"),
            d.last_push_at.as_deref().unwrap_or("-"),
            d.events
        );
    }
    Ok(())
}

async fn connect(database_url: &str) -> Result<recon_server::Db> {
    recon_server::connect(database_url)
        .await
        .context("connecting to PostgreSQL and applying migrations")
}

async fn serve(database_url: &str, bind: &str, tls: TlsArgs) -> Result<()> {
    let tls = match (&tls.tls_cert, &tls.tls_key) {
        (Some(cert), Some(key)) => Some(
            recon_server::Tls::from_pem_files(cert, key)
                .with_context(|| format!("reading {} and {}", cert.display(), key.display()))?,
        ),
        (None, None) => None,
        _ => anyhow::bail!("pass both --tls-cert and --tls-key, or neither"),
    };
    let db = connect(database_url).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{addr}");
    let config = recon_server::ServeConfig::default();
    tokio::select! {
        result = recon_server::serve_with(listener, db, tls, config) => result.context("serving"),
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("interrupted, shutting down");
            Ok(())
        }
    }
}
