//! Native TLS with rustls (`[tls]`), for deployments without a terminating proxy and for clients
//! that only speak https; with `request_client_certificates`, the client certificates of mutual
//! TLS (RFC 8705), carried to the handlers of the request that came over that connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::middleware::Next;
use axum::response::Response;
use axum::serve::IncomingStream;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::config::TlsSettings;
use crate::state::BuildError;

/// A slow or silent client gets this long to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Loads the PEM files into an acceptor (TLS 1.2 and 1.3, HTTP/1.1).
pub fn acceptor(tls: &TlsSettings) -> Result<TlsAcceptor, BuildError> {
    let certs = CertificateDer::pem_file_iter(&tls.cert)
        .map_err(|e| format!("tls.cert {}: {e}", tls.cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("tls.cert {}: {e}", tls.cert.display()))?;
    if certs.is_empty() {
        return Err(format!("tls.cert {}: no certificate", tls.cert.display()).into());
    }
    let key = PrivateKeyDer::from_pem_file(&tls.key)
        .map_err(|e| format!("tls.key {}: {e}", tls.key.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = if tls.request_client_certificates {
        builder.with_client_cert_verifier(Arc::new(AnyCertificate {
            algorithms: provider.signature_verification_algorithms,
        }))
    } else {
        builder.with_no_client_auth()
    };
    let mut config = builder.with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Accepts TCP connections and hands over those that completed a TLS handshake. Handshakes run
/// in their own tasks, so one stalled client does not hold up the others.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accepting: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `tcp`.
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> TlsListener {
        let local = tcp
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let (tx, ready) = mpsc::channel(128);
        let accepting = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        TlsListener {
            ready,
            local,
            accepting,
        }
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accepting task is gone only when the listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// Asks for a client certificate without requiring one, and accepts any: the handshake's
/// signature proves the client holds the certificate's key, and which certificate a client may
/// use is decided per client at the token endpoint (self-signed ones included, RFC 8705 §2.2).
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for AnyCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A client certificate a connection presented (and proved it holds the key of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Its `x5t#S256`: the SHA-256 of the DER, base64url (RFC 8705 §3.1).
    pub thumbprint: String,
    /// The rest of the chain the client sent (intermediates), DER, for `tls_client_auth`.
    pub intermediates: Vec<Vec<u8>>,
}

impl ClientCertificate {
    /// The certificate `der`, with its thumbprint and no intermediates.
    pub fn new(der: &[u8]) -> ClientCertificate {
        ClientCertificate {
            der: der.to_vec(),
            thumbprint: portcullis_guard::certificate_thumbprint(der),
            intermediates: Vec::new(),
        }
    }

    /// Whether the certificate chains to the configured client CA (`[tls] client_ca`): valid
    /// now, issued for client authentication.
    pub fn issued_by(&self, ca: &dyn ClientCertVerifier, now: UnixTime) -> bool {
        let intermediates: Vec<CertificateDer<'_>> = self
            .intermediates
            .iter()
            .map(|d| CertificateDer::from(d.as_slice()))
            .collect();
        ca.verify_client_cert(
            &CertificateDer::from(self.der.as_slice()),
            &intermediates,
            now,
        )
        .is_ok()
    }
}

/// The verifier of `[tls] client_ca`: clients' certificates issued by it pass (with the
/// intermediates they send); `None` without one.
pub fn client_ca(
    tls: Option<&TlsSettings>,
) -> Result<Option<Arc<dyn ClientCertVerifier>>, BuildError> {
    let Some(path) = tls.and_then(|t| t.client_ca.as_ref()) else {
        return Ok(None);
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("tls.client_ca {}: {e}", path.display()))?
    {
        let cert = cert.map_err(|e| format!("tls.client_ca {}: {e}", path.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("tls.client_ca {}: {e}", path.display()))?;
    }
    if roots.is_empty() {
        return Err(format!("tls.client_ca {}: no certificate", path.display()).into());
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| format!("tls.client_ca {}: {e}", path.display()))?;
    Ok(Some(verifier))
}

/// The other end of a connection: its address and, over mutual TLS, its certificate.
#[derive(Debug, Clone)]
pub struct Peer {
    /// The peer's address.
    pub addr: SocketAddr,
    /// The client certificate of the TLS handshake, if one was sent.
    pub certificate: Option<Arc<ClientCertificate>>,
}

impl Connected<IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Peer {
        Peer {
            addr: *stream.remote_addr(),
            certificate: None,
        }
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Peer {
        let certificate = stream
            .io()
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|chain| chain.split_first())
            .map(|(leaf, rest)| {
                let mut cert = ClientCertificate::new(leaf.as_ref());
                cert.intermediates = rest.iter().map(|c| c.to_vec()).collect();
                Arc::new(cert)
            });
        Peer {
            addr: *stream.remote_addr(),
            certificate,
        }
    }
}

tokio::task_local! {
    /// The client certificate of the connection the current request came over.
    static CERTIFICATE: Option<Arc<ClientCertificate>>;
}

/// The request header carrying a proxy's client certificate (RFC 9440 §2.2).
const CERT_HEADER: &str = "client-cert";

/// The request header carrying the rest of that certificate's chain (RFC 9440 §2.3).
const CHAIN_HEADER: &str = "client-cert-chain";

/// Middleware: the request's handlers see its connection's client certificate through
/// [`client_certificate`]: the one of our own TLS handshake, or the one a trusted proxy
/// (`[proxy] client_cert_from`) names in RFC 9440's headers. The headers are removed from every
/// request, so nothing else reads an unchecked certificate.
pub async fn with_certificate(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request.extensions().get::<ConnectInfo<Peer>>().cloned();
    let headers = request.headers_mut();
    let sent = (headers.remove(CERT_HEADER), headers.remove(CHAIN_HEADER));
    let mut certificate = peer.as_ref().and_then(|p| p.0.certificate.clone());
    if certificate.is_none()
        && let (Some(peer), (Some(cert), chain)) = (&peer, sent)
        && state
            .settings()
            .proxy
            .client_cert_from
            .contains(&peer.0.addr.ip())
    {
        certificate = from_headers(&cert, chain.as_ref()).map(Arc::new);
    }
    CERTIFICATE.scope(certificate, next.run(request)).await
}

/// A certificate from RFC 9440's headers: `Client-Cert: :<base64 DER>:` and, optionally,
/// `Client-Cert-Chain` as a list of the same. `None` when they do not parse.
fn from_headers(
    cert: &axum::http::HeaderValue,
    chain: Option<&axum::http::HeaderValue>,
) -> Option<ClientCertificate> {
    use base64::Engine;
    let binary = |item: &str| {
        let inner = item.trim().strip_prefix(':')?.strip_suffix(':')?;
        base64::engine::general_purpose::STANDARD.decode(inner).ok()
    };
    let der = binary(cert.to_str().ok()?)?;
    let mut out = ClientCertificate::new(&der);
    if let Some(chain) = chain {
        out.intermediates = chain
            .to_str()
            .ok()?
            .split(',')
            .map(binary)
            .collect::<Option<Vec<_>>>()?;
    }
    Some(out)
}

/// The client certificate of the connection the current request came over, if any.
pub fn client_certificate() -> Option<Arc<ClientCertificate>> {
    CERTIFICATE.try_with(Clone::clone).ok().flatten()
}
