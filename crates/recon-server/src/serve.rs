//! The accept loop: HTTP/1.1 over plain TCP or TLS (rustls), with every wait bounded so a
//! half-sent request is not held: the TLS handshake, the request head
//! ([`ServeConfig::header_read_timeout`]) and the body ([`ServeConfig::body_read_timeout`],
//! after which the request is answered `408` and the connection closed).

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::{Db, ServerError};

/// Limits of the accept loop (the defaults suit a real deployment; tests shorten them).
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Longest wait for a request's head (request line and headers), also between
    /// requests of a kept-alive connection.
    pub header_read_timeout: Duration,
    /// Longest time to receive a whole request body.
    pub body_read_timeout: Duration,
    /// Longest TLS handshake.
    pub tls_handshake_timeout: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(60),
            tls_handshake_timeout: Duration::from_secs(10),
        }
    }
}

/// A server certificate chain and key for HTTPS.
#[derive(Clone)]
pub struct Tls(Arc<tokio_rustls::rustls::ServerConfig>);

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls(..)")
    }
}

impl Tls {
    /// From PEM text: the certificate chain (leaf first) and its private key.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Tls, ServerError> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            ServerError::Invalid(format!("TLS {what}: {e}"))
        };
        let certs = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad("certificate", &e))?;
        if certs.is_empty() {
            return Err(ServerError::Invalid(
                "TLS certificate: no certificate in the PEM file".into(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| bad("key", &e))?;
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad("protocols", &e))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| bad("certificate and key", &e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls(Arc::new(config)))
    }

    /// From PEM files (`--tls-cert`, `--tls-key`).
    pub fn from_pem_files(
        cert: &std::path::Path,
        key: &std::path::Path,
    ) -> Result<Tls, ServerError> {
        Tls::from_pem(&std::fs::read(cert)?, &std::fs::read(key)?)
    }
}

/// Serves the API on `listener` until the returned future is dropped or the listener
/// fails: plain HTTP when `tls` is `None`, else HTTPS.
pub async fn serve_with(
    listener: TcpListener,
    db: Db,
    tls: Option<Tls>,
    config: ServeConfig,
) -> Result<(), ServerError> {
    let app = crate::http::router_with(db, config.body_read_timeout);
    let acceptor = tls.map(|t| TlsAcceptor::from(t.0));
    loop {
        let (tcp, _peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                // Out of file descriptors, an aborted connection: wait instead of spinning.
                tracing::warn!(error = %e, "accept failed; retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        let acceptor = acceptor.clone();
        let config = config.clone();
        tokio::spawn(async move {
            let _ = tcp.set_nodelay(true);
            match acceptor {
                None => serve_connection(TokioIo::new(tcp), service, &config).await,
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(config.tls_handshake_timeout, acceptor.accept(tcp));
                    match handshake.await {
                        Ok(Ok(stream)) => {
                            serve_connection(TokioIo::new(stream), service, &config).await
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                }
            }
        });
    }
}

async fn serve_connection<I, S>(io: I, service: S, config: &ServeConfig)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::Service<
            hyper::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
        > + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: std::error::Error + Send + Sync + 'static,
{
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .serve_connection(io, service);
    if let Err(e) = connection.await {
        tracing::debug!(error = %e, "connection closed with an error");
    }
}
