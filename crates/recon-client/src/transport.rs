//! How the device reaches the server: tokens and money travel over TLS. Plain `http://`
//! is refused unless the host is a loopback address (the server on this machine) or the
//! user said `--allow-insecure-http`. A team whose server has its own certificate
//! authority (or a self-signed certificate) names its PEM file in `RECON_SERVER_CA`.

use std::net::IpAddr;
use std::time::Duration;

use crate::{SyncError, CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS};

/// The environment variable naming a PEM file of extra root certificates to trust.
pub const SERVER_CA_ENV: &str = "RECON_SERVER_CA";

/// How to connect (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Allow plain `http://` to a host that is not a loopback address.
    pub allow_insecure_http: bool,
    /// Extra root certificates (PEM) trusted besides the usual public ones.
    pub extra_roots_pem: Vec<Vec<u8>>,
}

impl ClientOptions {
    /// The defaults plus the root certificates of `RECON_SERVER_CA`, when set.
    pub fn from_env() -> Result<ClientOptions, SyncError> {
        let mut options = ClientOptions::default();
        if let Some(path) = std::env::var_os(SERVER_CA_ENV).filter(|p| !p.is_empty()) {
            let pem = std::fs::read(&path).map_err(|e| {
                SyncError::InsecureUrl(format!(
                    "cannot read {SERVER_CA_ENV} file {}: {e}",
                    std::path::Path::new(&path).display()
                ))
            })?;
            options.extra_roots_pem.push(pem);
        }
        Ok(options)
    }

    /// With plain HTTP to any host allowed (`--allow-insecure-http`).
    pub fn allowing_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }
}

/// Refuses `base` unless it is `https://`, or `http://` to a loopback host, or insecure
/// HTTP was allowed.
pub fn check_server_url(base: &str, options: &ClientOptions) -> Result<(), SyncError> {
    let lower = base.trim().to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Ok(());
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return Err(SyncError::InsecureUrl(format!(
            "'{base}' is not an https:// URL"
        )));
    };
    if options.allow_insecure_http || is_loopback(host_of(rest)) {
        return Ok(());
    }
    Err(SyncError::InsecureUrl(format!(
        "refusing plain HTTP to {base}: the device token and amounts would travel unencrypted; \
         use https:// (or pass --allow-insecure-http on a network you trust)"
    )))
}

/// The host of `authority/path` (without `http://`): `[::1]:8787` → `::1`.
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(bracketed) = authority.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The blocking HTTP client for `base`, after [`check_server_url`].
pub(crate) fn http_client(
    base: &str,
    options: &ClientOptions,
) -> Result<reqwest::blocking::Client, SyncError> {
    check_server_url(base, options)?;
    let mut builder = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_millis(CONNECT_TIMEOUT_MS))
        .timeout(Duration::from_millis(REQUEST_TIMEOUT_MS));
    for pem in &options.extra_roots_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
            SyncError::InsecureUrl(format!("{SERVER_CA_ENV}: not PEM certificates: {e}"))
        })?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| SyncError::Protocol(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_loopback_unless_allowed() {
        let strict = ClientOptions::default();
        for ok in [
            "https://sync.example.com",
            "http://127.0.0.1:8787",
            "http://localhost:8787/",
            "http://[::1]:8787",
            "HTTP://127.0.0.2",
        ] {
            assert!(check_server_url(ok, &strict).is_ok(), "{ok}");
        }
        for refused in [
            "http://sync.example.com",
            "http://10.0.0.5:8787",
            "http://localhost.example.com",
            "http://127.0.0.1@evil.example.com",
            "ftp://x",
        ] {
            let err = check_server_url(refused, &strict).unwrap_err();
            assert_eq!(err.code(), "invalid_input", "{refused}");
        }
        let allowed = ClientOptions::default().allowing_insecure_http(true);
        assert!(check_server_url("http://sync.example.com", &allowed).is_ok());
        assert!(check_server_url("ftp://x", &allowed).is_err());
    }
}
