//! The relying party: provider metadata and keys, the authorization request, the code
//! exchange with ID token validation, refresh, and the session cookies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_guard::{Alg, KeySet};
use serde::{Deserialize, Serialize};

use crate::config::{Clock, RpConfig};
use crate::error::RpError;
use crate::seal::{self, Sealer};
use crate::session::{Session, TokenSet, matches};

/// Refresh an access token this long before it expires.
const REFRESH_MARGIN: i64 = 60;
/// Write the cookie again for `last_seen` at most this often.
const ROLL_EVERY: i64 = 60;
/// Clock skew tolerated on token times.
const LEEWAY: i64 = 60;

pub(crate) fn random_token() -> String {
    let mut b = [0u8; 32];
    // A CSPRNG failure leaves zeros only if the platform RNG is broken; aws-lc aborts first.
    let _ = SystemRandom::new().fill(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[derive(Debug, Clone, Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    end_session_endpoint: Option<String>,
}

/// An authorization request in flight, sealed in a short-lived cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub(crate) state: String,
    pub(crate) nonce: String,
    pub(crate) verifier: String,
    pub(crate) return_to: String,
    pub(crate) acr_values: Option<String>,
    pub(crate) max_age: Option<i64>,
    pub(crate) audience: Option<String>,
}

/// What an authorization request may add.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LoginOptions {
    /// Where to come back to (a path on this app).
    pub return_to: Option<String>,
    /// `acr_values` to ask for.
    pub acr_values: Option<String>,
    /// `max_age` to ask for.
    pub max_age: Option<i64>,
    /// The API to get a token for (instead of the configured one).
    pub audience: Option<String>,
    /// `prompt` (`login`, `none`, …).
    pub prompt: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    scope: Option<String>,
}

/// A back-channel logout of cookie sessions: whose (`sub`, `sid`) and when.
type Revoked = (Option<String>, Option<String>, i64);

pub(crate) struct Inner {
    pub(crate) config: RpConfig,
    meta: Metadata,
    keys: KeySet,
    sealer: Sealer,
    http: reqwest::Client,
    clock: Clock,
    /// Back-channel logouts of cookie sessions.
    revoked: Mutex<Vec<Revoked>>,
    logout_jtis: Mutex<HashMap<String, i64>>,
}

/// A relying party for one provider. Cheap to clone.
#[derive(Clone)]
pub struct Rp(pub(crate) Arc<Inner>);

impl std::fmt::Debug for Rp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rp")
            .field("issuer", &self.0.config.issuer)
            .field("client_id", &self.0.config.client_id)
            .finish_non_exhaustive()
    }
}

impl Rp {
    /// Reads the provider's discovery document and keys.
    pub async fn discover(config: RpConfig) -> Result<Rp, RpError> {
        if config.secret.len() < 32 {
            return Err(RpError::Config(
                "the app secret needs at least 32 bytes".into(),
            ));
        }
        let sealer = Sealer::new(&config.secret)
            .ok_or_else(|| RpError::Config("cannot derive the cookie key".into()))?;
        let http = match &config.http {
            Some(h) => h.clone(),
            None => reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| RpError::Config(e.to_string()))?,
        };
        let url = format!(
            "{}/.well-known/openid-configuration",
            config.issuer.trim_end_matches('/')
        );
        let meta: Metadata = http
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| RpError::Unreachable(format!("{url}: {e}")))?
            .json()
            .await
            .map_err(|e| RpError::Unreachable(format!("{url}: {e}")))?;
        if meta.issuer != config.issuer {
            return Err(RpError::Config(format!(
                "{url} names issuer {} instead of {}",
                meta.issuer, config.issuer
            )));
        }
        let clock = config
            .clock
            .clone()
            .unwrap_or_else(portcullis_guard::system_clock);
        let keys = KeySet::new(
            http.clone(),
            meta.jwks_uri.clone(),
            Duration::from_secs(30),
            clock.clone(),
        );
        keys.fetch()
            .await
            .map_err(|e| RpError::Unreachable(e.to_string()))?;
        Ok(Rp(Arc::new(Inner {
            config,
            meta,
            keys,
            sealer,
            http,
            clock,
            revoked: Mutex::new(Vec::new()),
            logout_jtis: Mutex::new(HashMap::new()),
        })))
    }

    /// Now, by the configured clock.
    pub fn now(&self) -> i64 {
        (self.0.clock)()
    }

    /// The settings.
    pub fn config(&self) -> &RpConfig {
        &self.0.config
    }

    fn tx_cookie(&self) -> String {
        format!("{}_tx", self.0.config.cookie_name)
    }

    fn secure(&self) -> bool {
        self.0.config.redirect_uri.starts_with("https://")
    }

    /// A `Set-Cookie` value for this app's cookies.
    pub(crate) fn set_cookie(&self, name: &str, value: &str, max_age: i64) -> String {
        format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            max_age.max(0),
            if self.secure() { "; Secure" } else { "" }
        )
    }

    /// Starts sign-in: the authorization URL and the cookie that remembers the request.
    pub(crate) fn authorization(
        &self,
        options: &LoginOptions,
    ) -> Result<(String, String), RpError> {
        let c = &self.0.config;
        let verifier = random_token();
        let challenge =
            URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref());
        let pending = Pending {
            state: random_token(),
            nonce: random_token(),
            verifier,
            return_to: safe_return(options.return_to.as_deref()),
            acr_values: options.acr_values.clone(),
            max_age: options.max_age,
            audience: options.audience.clone().or_else(|| c.audience.clone()),
        };
        let mut url = url::Url::parse(&self.0.meta.authorization_endpoint)
            .map_err(|e| RpError::Config(format!("authorization_endpoint: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &c.client_id)
                .append_pair("redirect_uri", &c.redirect_uri)
                .append_pair("scope", &c.scope)
                .append_pair("state", &pending.state)
                .append_pair("nonce", &pending.nonce)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
            if let Some(a) = &pending.audience {
                q.append_pair("audience", a);
            }
            if let Some(a) = &pending.acr_values {
                q.append_pair("acr_values", a);
            }
            if let Some(m) = pending.max_age {
                q.append_pair("max_age", &m.to_string());
            }
            if let Some(p) = &options.prompt {
                q.append_pair("prompt", p);
            }
        }
        let sealed = self
            .0
            .sealer
            .seal(
                &self.tx_cookie(),
                &serde_json::to_vec(&pending).map_err(|e| RpError::Config(e.to_string()))?,
            )
            .ok_or_else(|| RpError::Config("sealing failed".into()))?;
        Ok((url.into(), self.set_cookie(&self.tx_cookie(), &sealed, 600)))
    }

    /// The authorization request a callback answers, from its cookie.
    pub(crate) fn pending(&self, headers: &HeaderMap) -> Option<Pending> {
        let cookies = seal::cookies(headers);
        let value = cookies
            .iter()
            .find(|(n, _)| *n == self.tx_cookie())?
            .1
            .clone();
        let plain = self.0.sealer.open(&self.tx_cookie(), &value)?;
        serde_json::from_slice(&plain).ok()
    }

    /// Clears the request cookie.
    pub(crate) fn clear_pending(&self) -> String {
        self.set_cookie(&self.tx_cookie(), "", 0)
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<TokenAnswer, RpError> {
        let c = &self.0.config;
        let mut req = self.0.http.post(&self.0.meta.token_endpoint);
        req = match &c.client_secret {
            Some(secret) => req.basic_auth(
                form_urlencoded::byte_serialize(c.client_id.as_bytes()).collect::<String>(),
                Some(form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>()),
            ),
            None => req,
        };
        let mut form: Vec<(&str, &str)> = form.to_vec();
        if c.client_secret.is_none() {
            form.push(("client_id", &c.client_id));
        }
        let resp = req
            .form(&form)
            .send()
            .await
            .map_err(|e| RpError::Unreachable(e.to_string()))?;
        let status = resp.status();
        let body: serde_json::Value = resp
            .json()
            .await
            .map_err(|e| RpError::Unreachable(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_value(body)
                .map_err(|e| RpError::Unreachable(format!("token answer: {e}")));
        }
        let error = body["error"].as_str().unwrap_or("server_error").to_string();
        if error == "mfa_required" {
            return Err(RpError::MfaRequired {
                mfa_token: body["mfa_token"].as_str().map(str::to_string),
            });
        }
        Err(RpError::Provider {
            error,
            description: body["error_description"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        })
    }

    /// Validates an ID token (OIDC Core §3.1.3.7) signed by the provider.
    pub(crate) async fn id_token(
        &self,
        token: &str,
        nonce: Option<&str>,
    ) -> Result<serde_json::Value, RpError> {
        let bad = |why: &str| RpError::InvalidToken(why.into());
        let signed = self.0.keys.verify(token, &Alg::all()).await.map_err(bad)?;
        let claims: serde_json::Value =
            serde_json::from_slice(&signed.payload).map_err(|_| bad("unreadable claims"))?;
        let c = &self.0.config;
        let now = self.now();
        self.issued_to_us(&claims)?;
        if claims["azp"].as_str().is_some_and(|azp| azp != c.client_id) {
            return Err(bad("azp names another client"));
        }
        if claims["exp"].as_i64().is_none_or(|exp| exp + LEEWAY <= now) {
            return Err(bad("expired"));
        }
        if claims["sub"].as_str().is_none() {
            return Err(bad("no sub"));
        }
        if let Some(nonce) = nonce
            && !claims["nonce"].as_str().is_some_and(|n| ct_eq(n, nonce))
        {
            return Err(bad("nonce mismatch"));
        }
        Ok(claims)
    }

    /// Finishes sign-in: exchanges the code, validates the ID token against the request, and
    /// builds the session.
    pub(crate) async fn finish(&self, pending: &Pending, code: &str) -> Result<Session, RpError> {
        let c = &self.0.config;
        let answer = self
            .token_request(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &c.redirect_uri),
                ("code_verifier", &pending.verifier),
            ])
            .await?;
        let id_token = answer
            .id_token
            .clone()
            .ok_or_else(|| RpError::InvalidToken("no ID token".into()))?;
        let claims = self.id_token(&id_token, Some(&pending.nonce)).await?;
        let now = self.now();
        let acr = claims["acr"].as_str().map(str::to_string);
        let auth_time = claims["auth_time"].as_i64();
        // What was asked for must show in the token (a provider may ignore acr_values).
        if let Some(wanted) = &pending.acr_values {
            let ok = acr.as_deref().is_some_and(|have| {
                wanted
                    .split_whitespace()
                    .any(|w| portcullis_guard::acr_meets(have, w))
            });
            if !ok {
                return Err(RpError::InvalidToken(
                    "the requested acr was not met".into(),
                ));
            }
        }
        if let Some(max_age) = pending.max_age
            && auth_time.is_none_or(|t| now - t > max_age + LEEWAY)
        {
            return Err(RpError::InvalidToken(
                "the authentication is older than max_age".into(),
            ));
        }
        let mut session = Session {
            sub: claims["sub"].as_str().unwrap_or_default().to_string(),
            name: claims["name"].as_str().map(str::to_string),
            email: claims["email"].as_str().map(str::to_string),
            acr,
            amr: claims["amr"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            auth_time,
            sid: claims["sid"].as_str().map(str::to_string),
            id_token,
            tokens: Default::default(),
            created_at: now,
            last_seen: now,
        };
        session.tokens.insert(
            pending.audience.clone().unwrap_or_default(),
            token_set(answer, now, None),
        );
        Ok(session)
    }

    /// An access token for `audience` (the configured one when `None`), refreshed when it is
    /// about to expire. `MfaRequired` when the provider asks for a factor first.
    pub async fn get_access_token(
        &self,
        session: &mut Session,
        audience: Option<&str>,
    ) -> Result<TokenSet, RpError> {
        let key = audience
            .map(str::to_string)
            .or_else(|| self.0.config.audience.clone())
            .unwrap_or_default();
        let now = self.now();
        let current = session.tokens.get(&key).cloned().ok_or_else(|| {
            RpError::LoginRequired(format!("no token for {key:?}: sign in for it"))
        })?;
        if current.expires_at - now > REFRESH_MARGIN {
            return Ok(current);
        }
        let refresh = current.refresh_token.clone().ok_or_else(|| {
            RpError::LoginRequired("the access token expired and cannot be refreshed".into())
        })?;
        let answer = match self
            .token_request(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
            .await
        {
            Ok(a) => a,
            Err(RpError::Provider { error, description }) if error == "invalid_grant" => {
                session.tokens.remove(&key);
                return Err(RpError::LoginRequired(description));
            }
            Err(e) => return Err(e),
        };
        let fresh = token_set(answer, now, Some(refresh));
        session.tokens.insert(key, fresh.clone());
        Ok(fresh)
    }

    /// The session behind this request, if live: within its lifetimes and not logged out.
    pub(crate) async fn load(&self, headers: &HeaderMap) -> Option<(Session, Option<String>)> {
        let c = &self.0.config;
        let cookies = seal::cookies(headers);
        let sealed = seal::assemble(&c.cookie_name, &cookies)?;
        let plain = self.0.sealer.open(&c.cookie_name, &sealed)?;
        let (session, id) = match &c.store {
            Some(store) => {
                let id = String::from_utf8(plain).ok()?;
                (store.load(&id).await?, Some(id))
            }
            None => (serde_json::from_slice::<Session>(&plain).ok()?, None),
        };
        let now = self.now();
        if now - session.created_at > c.absolute || now - session.last_seen > c.inactivity {
            return None;
        }
        let revoked = self.0.revoked.lock().unwrap_or_else(|p| p.into_inner());
        if revoked.iter().any(|(sub, sid, at)| {
            *at >= session.created_at && matches(&session, sub.as_deref(), sid.as_deref())
        }) {
            return None;
        }
        drop(revoked);
        Some((session, id))
    }

    /// Whether the cookie should be written again just for `last_seen`.
    pub(crate) fn due_for_roll(&self, session: &Session) -> bool {
        self.now() - session.last_seen >= ROLL_EVERY
    }

    /// `Set-Cookie` values storing `session` (or clearing it), given the request's cookies
    /// (so leftover chunks are cleared).
    pub(crate) async fn store(
        &self,
        session: Option<&Session>,
        id: Option<String>,
        headers: &HeaderMap,
    ) -> Vec<String> {
        let c = &self.0.config;
        let old: Vec<String> = seal::cookies(headers)
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| *n == c.cookie_name || n.starts_with(&format!("{}.", c.cookie_name)))
            .collect();
        let mut out = Vec::new();
        let written: Vec<(String, String)> = match session {
            Some(s) => {
                let max_age = (s.created_at + c.absolute - s.last_seen).min(c.inactivity);
                let payload = match &c.store {
                    Some(store) => {
                        let id = id.unwrap_or_else(random_token);
                        store.save(&id, s, s.last_seen + max_age).await;
                        id.into_bytes()
                    }
                    None => serde_json::to_vec(s).unwrap_or_default(),
                };
                let Some(sealed) = self.0.sealer.seal(&c.cookie_name, &payload) else {
                    return out;
                };
                let parts = seal::chunks(&c.cookie_name, &sealed);
                for (name, value) in &parts {
                    out.push(self.set_cookie(name, value, max_age));
                }
                parts
            }
            None => {
                if let (Some(store), Some(id)) = (&c.store, id) {
                    store.delete(&id).await;
                }
                Vec::new()
            }
        };
        for name in old {
            if !written.iter().any(|(n, _)| *n == name) {
                out.push(self.set_cookie(&name, "", 0));
            }
        }
        out
    }

    /// The provider's logout URL for a session, or `None` if it has none.
    pub(crate) fn logout_url(&self, id_token: Option<&str>) -> Option<String> {
        let end = self.0.meta.end_session_endpoint.as_deref()?;
        let mut url = url::Url::parse(end).ok()?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.0.config.client_id);
            if let Some(t) = id_token {
                q.append_pair("id_token_hint", t);
            }
            if let Some(p) = &self.0.config.post_logout_redirect_uri {
                q.append_pair("post_logout_redirect_uri", p);
            }
        }
        Some(url.into())
    }

    /// Accepts an OIDC back-channel logout token (§2.6) and ends the sessions it names.
    pub async fn backchannel_logout(&self, logout_token: &str) -> Result<(), RpError> {
        let claims = self.id_token_like(logout_token).await?;
        let bad = |why: &str| RpError::InvalidToken(why.into());
        let event = "http://schemas.openid.net/event/backchannel-logout";
        if !claims["events"]
            .get(event)
            .is_some_and(serde_json::Value::is_object)
        {
            return Err(bad("not a logout token"));
        }
        if claims.get("nonce").is_some() {
            return Err(bad("a logout token has no nonce"));
        }
        let now = self.now();
        if claims["iat"]
            .as_i64()
            .is_none_or(|iat| (now - iat).abs() > 300)
        {
            return Err(bad("iat is too far from now"));
        }
        let jti = claims["jti"]
            .as_str()
            .ok_or_else(|| bad("no jti"))?
            .to_string();
        {
            let mut seen = self.0.logout_jtis.lock().unwrap_or_else(|p| p.into_inner());
            seen.retain(|_, at| now - *at < 600);
            if seen.insert(jti, now).is_some() {
                return Err(bad("replayed logout token"));
            }
        }
        let sub = claims["sub"].as_str().map(str::to_string);
        let sid = claims["sid"].as_str().map(str::to_string);
        if sub.is_none() && sid.is_none() {
            return Err(bad("neither sub nor sid"));
        }
        match &self.0.config.store {
            Some(store) => store.delete_matching(sub.as_deref(), sid.as_deref()).await,
            None => {
                let mut revoked = self.0.revoked.lock().unwrap_or_else(|p| p.into_inner());
                let absolute = self.0.config.absolute;
                revoked.retain(|(_, _, at)| now - *at < absolute);
                revoked.push((sub, sid, now));
            }
        }
        Ok(())
    }

    /// A provider-signed JWT for this client with `iss`, `aud` and `exp` checked (no nonce).
    async fn id_token_like(&self, token: &str) -> Result<serde_json::Value, RpError> {
        let bad = |why: &str| RpError::InvalidToken(why.into());
        let signed = self.0.keys.verify(token, &Alg::all()).await.map_err(bad)?;
        if signed.header.typ.as_deref().is_some_and(|t| {
            !t.eq_ignore_ascii_case("logout+jwt") && !t.eq_ignore_ascii_case("jwt")
        }) {
            return Err(bad("unexpected typ"));
        }
        let claims: serde_json::Value =
            serde_json::from_slice(&signed.payload).map_err(|_| bad("unreadable claims"))?;
        self.issued_to_us(&claims)?;
        if claims["exp"]
            .as_i64()
            .is_some_and(|exp| exp + LEEWAY <= self.now())
        {
            return Err(bad("expired"));
        }
        Ok(claims)
    }

    /// `iss` is our provider and `aud` names this client.
    fn issued_to_us(&self, claims: &serde_json::Value) -> Result<(), RpError> {
        let c = &self.0.config;
        if claims["iss"].as_str() != Some(c.issuer.as_str()) {
            return Err(RpError::InvalidToken("wrong issuer".into()));
        }
        let aud_ok = match &claims["aud"] {
            serde_json::Value::String(a) => *a == c.client_id,
            serde_json::Value::Array(list) => list.iter().any(|a| a == c.client_id.as_str()),
            _ => false,
        };
        if !aud_ok {
            return Err(RpError::InvalidToken("not for this client".into()));
        }
        Ok(())
    }
}

fn token_set(answer: TokenAnswer, now: i64, old_refresh: Option<String>) -> TokenSet {
    TokenSet {
        access_token: answer.access_token,
        refresh_token: answer.refresh_token.or(old_refresh),
        expires_at: now + answer.expires_in.unwrap_or(300),
        scope: answer.scope.unwrap_or_default(),
    }
}

/// A path on this app to return to: anything else (another origin, `//host`, `\`) becomes `/`.
pub(crate) fn safe_return(path: Option<&str>) -> String {
    match path {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".into(),
    }
}
