//! `recon-server` command line: `serve` (default), `token create`, `migrate`, `epoch rotate`.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

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
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let database_url = cli
        .database_url
        .context("no database: pass --database-url or set DATABASE_URL")?;
    match cli.command {
        Some(Command::Serve { bind }) => serve(&database_url, &bind).await,
        None => {
            let bind =
                std::env::var("RECON_SERVER_BIND").unwrap_or_else(|_| DEFAULT_BIND.to_owned());
            serve(&database_url, &bind).await
        }
        Some(Command::Migrate) => {
            connect(&database_url).await?;
            eprintln!(
                "database schema is at version {}",
                recon_server::LATEST_VERSION
            );
            Ok(())
        }
        Some(Command::Epoch(EpochCommand::Rotate)) => {
            let db = connect(&database_url).await?;
            let epoch = recon_server::rotate_epoch(&db)
                .await
                .context("rotating the epoch")?;
            println!("{epoch}");
            Ok(())
        }
        Some(Command::Token(TokenCommand::Create { org, user })) => {
            let db = connect(&database_url).await?;
            let token = recon_server::create_token(&db, &org, &user)
                .await
                .with_context(|| format!("creating a token for {user} in organization {org}"))?;
            println!("{token}");
            Ok(())
        }
    }
}

async fn connect(database_url: &str) -> Result<recon_server::Db> {
    recon_server::connect(database_url)
        .await
        .context("connecting to PostgreSQL and applying migrations")
}

async fn serve(database_url: &str, bind: &str) -> Result<()> {
    let db = connect(database_url).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    println!("listening on http://{addr}");
    tokio::select! {
        result = recon_server::serve(listener, db) => result.context("serving HTTP"),
        _ = tokio::signal::ctrl_c() => {
            eprintln!("recon-server: interrupted, shutting down");
            Ok(())
        }
    }
}
