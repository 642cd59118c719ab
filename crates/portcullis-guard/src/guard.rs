//! The guard: one provider, one audience, its keys, and the checks every request goes through.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, Method, Uri, header};

use crate::claims::Claims;
use crate::dpop::{self, ReplayCache};
use crate::error::{GuardError, Rejection};
use crate::jwk::Alg;
use crate::jwt;
use crate::keys::KeySet;
use crate::rules::Rule;

/// Seconds since the epoch; replaceable so tests and simulations can move time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system's clock.
pub fn system_clock() -> Clock {
    // The guard's one reading of the wall clock; everything else goes through `Clock`.
    #[allow(clippy::disallowed_methods)]
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    })
}

/// Verifies access tokens for one API. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Guard(Arc<Inner>);

struct Inner {
    issuer: String,
    audience: String,
    algs: Vec<Alg>,
    leeway: i64,
    dpop_window: i64,
    origin: Option<String>,
    realm: String,
    clock: Clock,
    keys: KeySet,
    replay: ReplayCache,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("issuer", &self.0.issuer)
            .field("audience", &self.0.audience)
            .finish_non_exhaustive()
    }
}

/// Settings for a [`Guard`]; see [`Guard::builder`].
pub struct GuardBuilder {
    issuer: String,
    audience: String,
    jwks_uri: Option<String>,
    algs: Vec<Alg>,
    leeway: i64,
    dpop_window: i64,
    refetch_every: Duration,
    origin: Option<String>,
    realm: String,
    clock: Clock,
    http: Option<reqwest::Client>,
}

impl GuardBuilder {
    /// The JWKS address, skipping discovery.
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// Accepted algorithms (default: EdDSA, ES256, RS256, PS256; never `none` or HMAC).
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = Alg>) -> Self {
        self.algs = algs.into_iter().collect();
        self
    }

    /// Clock skew tolerated on `exp`, `nbf` and `iat` (default 30 s).
    pub fn leeway(mut self, seconds: i64) -> Self {
        self.leeway = seconds;
        self
    }

    /// How far a DPoP proof's `iat` may be from now (default 60 s).
    pub fn dpop_window(mut self, seconds: i64) -> Self {
        self.dpop_window = seconds;
        self
    }

    /// Minimum time between JWKS refetches for unknown `kid`s (default 30 s, whole seconds by
    /// the guard's clock).
    pub fn refetch_every(mut self, every: Duration) -> Self {
        self.refetch_every = every;
        self
    }

    /// The API's public origin (`https://api.example.com`), for DPoP's `htu`; without it the
    /// `Host` header is used with `http`.
    pub fn public_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into().trim_end_matches('/').to_string());
        self
    }

    /// The realm named in `WWW-Authenticate` (default `api`).
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// A clock other than the system's.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The HTTP client for discovery and JWKS.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Reads discovery (unless a JWKS address was given) and the keys.
    pub async fn build(self) -> Result<Guard, GuardError> {
        let http = match self.http {
            Some(h) => h,
            None => reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| GuardError::Fetch(e.to_string()))?,
        };
        let jwks_uri = match self.jwks_uri {
            Some(uri) => uri,
            None => discover(&http, &self.issuer).await?,
        };
        let keys = KeySet::new(http, jwks_uri, self.refetch_every, self.clock.clone());
        keys.fetch().await?;
        Ok(Guard(Arc::new(Inner {
            issuer: self.issuer,
            audience: self.audience,
            algs: self.algs,
            leeway: self.leeway,
            dpop_window: self.dpop_window,
            origin: self.origin,
            realm: self.realm,
            clock: self.clock,
            keys,
            replay: ReplayCache::default(),
        })))
    }
}

/// The JWKS address from OIDC discovery (or RFC 8414 metadata), whose `issuer` must match.
async fn discover(http: &reqwest::Client, issuer: &str) -> Result<String, GuardError> {
    let base = issuer.trim_end_matches('/');
    let mut last = String::new();
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let url = format!("{base}{path}");
        let fetched = match http.get(&url).send().await {
            Ok(r) if r.status().is_success() => r.json::<serde_json::Value>().await,
            Ok(r) => {
                last = format!("{url}: {}", r.status());
                continue;
            }
            Err(e) => {
                last = format!("{url}: {e}");
                continue;
            }
        };
        let meta = fetched.map_err(|e| GuardError::Fetch(format!("{url}: {e}")))?;
        if meta["issuer"].as_str() != Some(issuer) {
            return Err(GuardError::Metadata(format!(
                "{url} names issuer {} instead of {issuer}",
                meta["issuer"]
            )));
        }
        return meta["jwks_uri"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| GuardError::Metadata(format!("{url} has no jwks_uri")));
    }
    Err(GuardError::Fetch(last))
}

/// How a request presented its token.
enum Presented<'a> {
    Bearer(&'a str),
    Dpop(&'a str),
}

fn presented(headers: &HeaderMap) -> Result<Presented<'_>, Rejection> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(Rejection::Missing);
    };
    let value = value
        .to_str()
        .map_err(|_| Rejection::InvalidToken("unreadable Authorization header".into()))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| Rejection::InvalidToken("malformed Authorization header".into()))?;
    let token = token.trim();
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" => Ok(Presented::Bearer(token)),
        "dpop" => Ok(Presented::Dpop(token)),
        _ => Err(Rejection::Missing),
    }
}

impl Guard {
    /// Settings for a guard of `audience` tokens from `issuer`.
    pub fn builder(issuer: impl Into<String>, audience: impl Into<String>) -> GuardBuilder {
        GuardBuilder {
            issuer: issuer.into(),
            audience: audience.into(),
            jwks_uri: None,
            algs: Alg::all(),
            leeway: 30,
            dpop_window: 60,
            refetch_every: Duration::from_secs(30),
            origin: None,
            realm: "api".into(),
            clock: system_clock(),
            http: None,
        }
    }

    /// A guard with the defaults, reading the provider's discovery document.
    pub async fn discover(
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Guard, GuardError> {
        Guard::builder(issuer, audience).build().await
    }

    /// Now, by the guard's clock.
    pub fn now(&self) -> i64 {
        (self.0.clock)()
    }

    /// The provider's keys, for other JWTs it signs.
    pub fn keys(&self) -> &KeySet {
        &self.0.keys
    }

    /// The realm for challenges.
    pub fn realm(&self) -> &str {
        &self.0.realm
    }

    /// Verifies an RFC 9068 access token: signature with an accepted algorithm and a key of the
    /// matching type, `typ` `at+jwt`, `iss`, `aud`, `exp`, `nbf`.
    pub async fn verify(&self, token: &str) -> Result<Claims, Rejection> {
        let bad = |why: &str| Rejection::InvalidToken(why.into());
        let signed = self.0.keys.verify(token, &self.0.algs).await.map_err(bad)?;
        if !jwt::typ_is(signed.header.typ.as_deref(), "at+jwt") {
            return Err(bad("not an access token (typ at+jwt)"));
        }
        let claims: Claims = serde_json::from_slice(&signed.payload)
            .map_err(|_| bad("missing or malformed claims"))?;
        let now = self.now();
        if claims.iss != self.0.issuer {
            return Err(bad("wrong issuer"));
        }
        if !claims.aud.contains(&self.0.audience) {
            return Err(bad("not for this API"));
        }
        if claims.exp + self.0.leeway <= now {
            return Err(bad("expired"));
        }
        if claims.nbf.is_some_and(|nbf| nbf - self.0.leeway > now) {
            return Err(bad("not valid yet"));
        }
        Ok(claims)
    }

    /// Everything a request goes through: the token from `Authorization` (`Bearer`, or `DPoP`
    /// with a proof when the token is key-bound), then `rule`. A certificate-bound token is
    /// refused here: use [`Guard::authorize_with_certificate`] where TLS client certificates
    /// reach the service.
    pub async fn authorize(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        rule: &Rule,
    ) -> Result<Claims, Rejection> {
        self.authorize_with_certificate(method, uri, headers, None, rule)
            .await
    }

    /// [`Guard::authorize`] for a request that came over a connection whose TLS client
    /// certificate (DER) is `certificate`: a token bound to a certificate (`cnf.x5t#S256`,
    /// RFC 8705 §3) passes only with that very certificate.
    pub async fn authorize_with_certificate(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        certificate: Option<&[u8]>,
        rule: &Rule,
    ) -> Result<Claims, Rejection> {
        let presented = presented(headers)?;
        let token = match presented {
            Presented::Bearer(t) | Presented::Dpop(t) => t,
        };
        let claims = self.verify(token).await?;
        if let Some(bound) = claims.x5t_s256() {
            let held = certificate.map(certificate_thumbprint);
            if held.as_deref() != Some(bound) {
                return Err(Rejection::InvalidToken(
                    "the token is bound to a client certificate this connection did not present"
                        .into(),
                ));
            }
        }
        match (claims.jkt(), &presented) {
            (Some(jkt), Presented::Dpop(_)) => {
                let proof = headers
                    .get("dpop")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| Rejection::InvalidDpopProof("no DPoP header".into()))?;
                let url = self.request_url(uri, headers);
                dpop::check(
                    proof,
                    token,
                    jkt,
                    &dpop::Request {
                        method: method.as_str(),
                        url: &url,
                    },
                    self.now(),
                    self.0.dpop_window,
                    &self.0.replay,
                )?;
            }
            (Some(_), Presented::Bearer(_)) => {
                return Err(Rejection::InvalidDpopProof(
                    "a DPoP-bound token must be sent with the DPoP scheme".into(),
                ));
            }
            (None, Presented::Dpop(_)) => {
                return Err(Rejection::InvalidToken(
                    "the token is not DPoP-bound".into(),
                ));
            }
            (None, Presented::Bearer(_)) => {}
        }
        rule.check(&claims, self.now())?;
        Ok(claims)
    }

    fn request_url(&self, uri: &Uri, headers: &HeaderMap) -> String {
        let origin = self.0.origin.clone().unwrap_or_else(|| {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .or_else(|| uri.authority().map(|a| a.as_str()))
                .unwrap_or("localhost");
            format!("http://{host}")
        });
        format!("{origin}{}", uri.path())
    }
}

/// The `x5t#S256` of a DER certificate: its SHA-256, base64url (RFC 8705 §3.1).
pub fn certificate_thumbprint(der: &[u8]) -> String {
    crate::b64::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der).as_ref())
}
