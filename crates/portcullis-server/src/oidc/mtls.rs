//! Mutual TLS (RFC 8705). A client may authenticate with a self-signed certificate it registered
//! (`self_signed_tls_client_auth`, §2.2) or with one issued by the operator's client CA for the
//! subject it registered (`tls_client_auth`, §2.1), and a client that registered
//! `tls_client_certificate_bound_access_tokens` gets tokens bound to the certificate of its token
//! request (`cnf.x5t#S256`, §3), which this server's resources then accept only over a
//! connection presenting that certificate. A public client's refresh tokens are bound to it too
//! (§4). Certificates reach the server through native TLS with `[tls]
//! request_client_certificates`, or from a TLS-terminating proxy in `[proxy] client_cert_from`
//! (RFC 9440 headers).

use base64::Engine;
use portcullis_core::crypto::secret::ct_eq;
use portcullis_core::model::Client;
use portcullis_proto::claims::AccessTokenClaims;
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The client authentication method of a registered self-signed certificate.
pub const SELF_SIGNED: &str = "self_signed_tls_client_auth";

/// The client authentication method of a certificate from the client CA (`[tls] client_ca`).
pub const PKI: &str = "tls_client_auth";

/// The `client_settings` name of a `tls_client_auth` client's registered subject.
pub const SUBJECT_SETTING: &str = "tls_client_auth_subject";

/// The registration fields naming a `tls_client_auth` client's certificate (§2.1.2): exactly
/// one is given.
pub const SUBJECT_FIELDS: [&str; 5] = [
    "tls_client_auth_subject_dn",
    "tls_client_auth_san_dns",
    "tls_client_auth_san_uri",
    "tls_client_auth_san_ip",
    "tls_client_auth_san_email",
];

/// What a `tls_client_auth` client's certificate must name: one of [`SUBJECT_FIELDS`] and its
/// value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subject {
    /// Which field (`tls_client_auth_san_dns`, …).
    pub field: String,
    /// The name the certificate must carry there.
    pub value: String,
}

impl Subject {
    /// Whether the certificate `der` names this subject: its subject DN (RFC 4514 order, types
    /// compared without case), or one of its subject alternative names of that kind.
    pub fn named_by(&self, der: &[u8]) -> bool {
        use x509_parser::extensions::GeneralName;
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
            return false;
        };
        if self.field == "tls_client_auth_subject_dn" {
            return dn_of(cert.subject()).is_some_and(|dn| dn == parse_dn(&self.value));
        }
        let Ok(Some(san)) = cert.subject_alternative_name() else {
            return false;
        };
        san.value
            .general_names
            .iter()
            .any(|name| match (self.field.as_str(), name) {
                ("tls_client_auth_san_dns", GeneralName::DNSName(d)) => {
                    d.eq_ignore_ascii_case(&self.value)
                }
                ("tls_client_auth_san_uri", GeneralName::URI(u)) => *u == self.value,
                ("tls_client_auth_san_email", GeneralName::RFC822Name(e)) => {
                    e.eq_ignore_ascii_case(&self.value)
                }
                ("tls_client_auth_san_ip", GeneralName::IPAddress(raw)) => {
                    let ip = match raw.len() {
                        4 => <[u8; 4]>::try_from(*raw).ok().map(std::net::IpAddr::from),
                        16 => <[u8; 16]>::try_from(*raw).ok().map(std::net::IpAddr::from),
                        _ => None,
                    };
                    ip.is_some_and(|ip| Some(ip) == self.value.parse().ok())
                }
                _ => false,
            })
    }
}

/// A DN as `(TYPE, value)` pairs in RFC 4514 order (the last RDN of the encoding first).
fn dn_of(name: &x509_parser::x509::X509Name<'_>) -> Option<Vec<(String, String)>> {
    let registry = x509_parser::objects::oid_registry();
    let mut out = Vec::new();
    for rdn in name.iter_rdn().collect::<Vec<_>>().into_iter().rev() {
        for attr in rdn.iter() {
            let kind = x509_parser::objects::oid2abbrev(attr.attr_type(), registry)
                .map(str::to_string)
                .unwrap_or_else(|_| attr.attr_type().to_id_string());
            out.push((kind.to_ascii_uppercase(), attr.as_str().ok()?.to_string()));
        }
    }
    Some(out)
}

/// A DN string (RFC 4514: `CN=…,O=…`, `\,` escaping a comma) as `(TYPE, value)` pairs.
pub fn parse_dn(text: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ',' | '+' => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .filter_map(|p| {
            let (kind, value) = p.split_once('=')?;
            Some((kind.trim().to_ascii_uppercase(), value.trim().to_string()))
        })
        .collect()
}

/// The `client_settings` name of a client's authentication method, kept only when it is not
/// told by the rest of its registration (a secret, keys for assertions, or none).
pub const METHOD_SETTING: &str = "token_endpoint_auth_method";

/// The `client_settings` name, and registration field, of certificate-bound tokens.
pub const BOUND_SETTING: &str = "tls_client_certificate_bound_access_tokens";

tokio::task_local! {
    /// The certificate (thumbprint) the current token request's tokens are bound to.
    static BOUND: Option<String>;
}

/// Runs a token request's work with `x5t` as the certificate its tokens are bound to.
pub async fn bound_to<F: std::future::Future>(x5t: Option<String>, work: F) -> F::Output {
    BOUND.scope(x5t, work).await
}

/// The certificate thumbprint the current token request binds its tokens to, if any.
pub fn bound_thumbprint() -> Option<String> {
    BOUND.try_with(Clone::clone).ok().flatten()
}

/// Whether this server can see client certificates at all (native TLS asking for them, or a
/// trusted proxy passing them on): what discovery may then advertise.
pub fn available(state: &AppState) -> bool {
    let settings = state.settings();
    settings
        .tls
        .as_ref()
        .is_some_and(|t| t.request_client_certificates)
        || !settings.proxy.client_cert_from.is_empty()
}

/// The certificate `client`'s tokens are bound to in this request: the connection's, when the
/// client registered certificate-bound tokens; refused without one, since the client asked for
/// every token to be bound.
pub fn binding(state: &AppState, client: &Client) -> AppResult<Option<String>> {
    if !state.snapshot().certificate_bound.contains(&client.id) {
        return Ok(None);
    }
    match crate::tls::client_certificate() {
        Some(c) => Ok(Some(c.thumbprint.clone())),
        None => Err(AppError::invalid_request(
            "This client's tokens are bound to its TLS client certificate: connect with it.",
        )),
    }
}

/// `self_signed_tls_client_auth`: the connection's certificate is one the client registered;
/// `tls_client_auth`: it was issued by the client CA and names the subject the client
/// registered.
pub fn authenticate(state: &AppState, client: &Client) -> AppResult<()> {
    let refused = |why: &str| {
        tracing::info!(reason = why, "client certificate refused");
        AppError::invalid_client(false)
    };
    let presented = crate::tls::client_certificate().ok_or_else(|| refused("no certificate"))?;
    let snapshot = state.snapshot();
    if let Some(subject) = snapshot.client_subjects.get(&client.id) {
        let ca = state
            .client_ca()
            .ok_or_else(|| refused("no client CA configured"))?;
        let now = rustls::pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(state.now()).unwrap_or_default(),
        ));
        if !presented.issued_by(ca.as_ref(), now) {
            return Err(refused("not issued by the client CA"));
        }
        if !subject.named_by(&presented.der) {
            return Err(refused("not the registered subject"));
        }
        return Ok(());
    }
    let registered = snapshot
        .client_certificates
        .get(&client.id)
        .ok_or_else(|| refused("no certificate registered"))?;
    // Every registered one is compared, so the time taken does not say which matched.
    let matched = registered.iter().fold(false, |found, t| {
        ct_eq(t.as_bytes(), presented.thumbprint.as_bytes()) | found
    });
    if !matched {
        return Err(refused("not a registered certificate"));
    }
    Ok(())
}

/// Whether `client` authenticates with a certificate.
pub fn uses_certificate(state: &AppState, client: &Client) -> bool {
    let snapshot = state.snapshot();
    snapshot.client_certificates.contains_key(&client.id)
        || snapshot.client_subjects.contains_key(&client.id)
}

/// Checks that a verified access token bound to a certificate came over a connection
/// presenting it (§3); unbound tokens pass.
pub fn check_presented(claims: &AccessTokenClaims) -> AppResult<()> {
    let Some(bound) = claims.cnf.as_ref().and_then(|c| c.x5t_s256.as_deref()) else {
        return Ok(());
    };
    match crate::tls::client_certificate() {
        Some(c) if ct_eq(c.thumbprint.as_bytes(), bound.as_bytes()) => Ok(()),
        _ => Err(AppError::invalid_token(
            "The access token is bound to a TLS client certificate this connection did not present.",
        )),
    }
}

/// The thumbprints of the certificates a JWKS carries (each key's `x5c`, the first of its
/// chain), checked to be X.509 certificates holding the key they sit beside; why not,
/// otherwise. Every key must carry one.
pub fn registered_certificates(jwks: &Value) -> Result<Vec<String>, String> {
    let keys = jwks["keys"].as_array().cloned().unwrap_or_default();
    if keys.is_empty() {
        return Err("must be a JWKS with keys".into());
    }
    keys.iter()
        .map(|key| {
            let first = key["x5c"]
                .as_array()
                .and_then(|chain| chain.first())
                .and_then(Value::as_str)
                .ok_or("needs x5c (the certificate) on every key")?;
            let der = base64::engine::general_purpose::STANDARD
                .decode(first)
                .map_err(|_| "has an x5c that is not base64")?;
            let (rest, cert) = x509_parser::parse_x509_certificate(&der)
                .map_err(|_| "has an x5c that is not an X.509 certificate")?;
            if !rest.is_empty() {
                return Err("has an x5c with bytes after the certificate".into());
            }
            if !same_key(key, cert.public_key()) {
                return Err("has an x5c certificate that does not hold the key beside it".into());
            }
            Ok(portcullis_guard::certificate_thumbprint(&der))
        })
        .collect()
}

/// Whether the JWK's public key is the certificate's.
fn same_key(jwk: &Value, spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> bool {
    use x509_parser::public_key::PublicKey;
    let b64 = |member: &str| {
        jwk[member]
            .as_str()
            .and_then(|v| portcullis_core::crypto::b64url_decode(v).ok())
    };
    let trim = |bytes: &[u8]| -> Vec<u8> {
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        bytes[start..].to_vec()
    };
    match (jwk["kty"].as_str(), spki.parsed()) {
        (Some("RSA"), Ok(PublicKey::RSA(rsa))) => {
            b64("n").is_some_and(|n| trim(&n) == trim(rsa.modulus))
                && b64("e").is_some_and(|e| trim(&e) == trim(rsa.exponent))
        }
        (Some("EC"), Ok(PublicKey::EC(point))) => match (b64("x"), b64("y")) {
            (Some(x), Some(y)) => {
                let mut uncompressed = vec![4u8];
                uncompressed.extend_from_slice(&x);
                uncompressed.extend_from_slice(&y);
                point.data() == uncompressed.as_slice()
            }
            _ => false,
        },
        (Some("OKP"), _) => b64("x").is_some_and(|x| spki.subject_public_key.data.as_ref() == x),
        _ => false,
    }
}
