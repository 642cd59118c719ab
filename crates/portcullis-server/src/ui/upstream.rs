//! Upstream sign-in (federation): "Continue with …" buttons on the sign-in page for the OpenID
//! Connect and OAuth 2.0 providers of `[upstream.<name>]`.
//!
//! `GET /u/login/upstream/{name}` stores a one-time flow (random `state`, `nonce` and PKCE S256
//! verifier, RFC 7636 §4) bound to the browser by a cookie, and redirects to the provider.
//! `GET /u/upstream/callback` takes that flow at most once, checks the browser binding,
//! exchanges the code with the verifier and, for OpenID Connect, checks the ID token's
//! signature (provider JWKS), `iss`, `aud`, `exp` and `nonce` (OIDC Core §3.1.3.7). Then:
//!
//! - an identity linked before signs its user in;
//! - a verified email of an existing account leads to `/u/upstream/link`, where the person signs
//!   in to that account (password, then MFA as policy says, or any other way); only then is the
//!   identity linked, by [`link_on_sign_in`] when the sign-in finishes;
//! - a verified email nobody has creates the account ([`signup_allowed`]) and links it;
//! - an unverified or missing email links nothing and creates nothing.
//!
//! An upstream sign-in is one factor (`amr` `fed`, aal1), then policy applies exactly as after a
//! password: a local second factor when it asks. Only a provider with `trust_upstream_acr` may
//! count its own multi-factor report (`acr` aal2 or above, or `amr` with `mfa`) as aal2.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::authn::assurance::{Method, Proof};
use portcullis_core::authn::factors::password_key;
use portcullis_core::crypto::secret::{SecretString, ct_eq};
use portcullis_core::crypto::{b64url, b64url_decode, random, sha256, token_digest};
use portcullis_core::model::{Flow, UpstreamIdentity, User};
use portcullis_proto::acr::{Acr, amr};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::upstream::{UpstreamKind, UpstreamSettings};
use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, cookie};
use crate::oidc::authorize::AuthorizeRequest;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui::flow::{self, Resume, Tx};
use crate::ui::{self, PageCtx, login};

const FLOW_KIND: &str = "upstream";
const LINK_KIND: &str = "upstream_link";
/// How long the provider's page may take, and how long a pending link waits for the sign-in.
const FLOW_TTL: i64 = 600;
const CALLBACK_PATH: &str = "/u/upstream/callback";
const FLOW_COOKIE: &str = "upstream";
const LINK_COOKIE: &str = "upstream_link";

/// A "Continue with …" button on the sign-in page: a `GET` form, so it looks like the page's
/// other buttons.
#[derive(Debug, Clone)]
pub struct Button {
    /// The provider's display name.
    pub label: String,
    /// Where the form goes (starts the upstream sign-in).
    pub action: String,
    /// `state` or `return_to`.
    pub key: &'static str,
    /// Its value.
    pub value: String,
}

/// The buttons for every configured provider, resuming the same sign-in as the page.
pub(crate) fn buttons(state: &AppState, resume: &Resume) -> Vec<Button> {
    let (key, value) = match resume {
        Resume::Authorize(id) => ("state", id.clone()),
        Resume::Path(p) => ("return_to", p.clone()),
        Resume::Ticket | Resume::Reset => return Vec::new(),
    };
    state
        .settings()
        .upstream
        .iter()
        .map(|p| Button {
            label: p.display_name.clone(),
            action: format!("/u/login/upstream/{}", p.name),
            key,
            value: value.clone(),
        })
        .collect()
}

/// `state=…` or `return_to=…`: how the sign-in page and the start route name a sign-in.
fn resume_query(resume: &Resume) -> Option<String> {
    let (key, value) = match resume {
        Resume::Authorize(id) => ("state", id.as_str()),
        Resume::Path(p) => ("return_to", p.as_str()),
        Resume::Ticket | Resume::Reset => return None,
    };
    Some(
        form_urlencoded::Serializer::new(String::new())
            .append_pair(key, value)
            .finish(),
    )
}

/// Whether a first upstream sign-in may create an account (for the application `client_id`,
/// if any): the same `signup` policy as the sign-up form, so one switch decides whether new
/// people get accounts through an application, whichever door they use.
pub(crate) async fn signup_allowed(state: &AppState, client_id: Option<&str>) -> bool {
    state.policy(client_id, None).await.signup
}

/// The upstream half of a sign-in in progress, stored server-side under the digest of `state`.
#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    nonce: String,
    verifier: String,
    /// Digest of the browser-binding cookie.
    browser: String,
    resume: Resume,
    token_endpoint: String,
    userinfo_endpoint: Option<String>,
    jwks_uri: Option<String>,
}

/// An identity waiting to be linked once its account's owner signs in (outcome b).
#[derive(Serialize, Deserialize)]
struct PendingLink {
    provider: String,
    subject: String,
    email: String,
    resume: Resume,
}

/// Who the provider says the user is.
struct Identity {
    subject: String,
    email: Option<String>,
    email_verified: bool,
    name: Option<String>,
    /// The provider reported a multi-factor sign-in (`acr` ≥ aal2 or `amr` with `mfa`).
    multi_factor: bool,
}

/// Why an upstream sign-in failed: `reason` goes to the audit trail, `detail` to the log
/// (neither ever carries a code, token or email).
struct Failure {
    reason: &'static str,
    detail: String,
}

impl Failure {
    fn new(reason: &'static str, detail: impl std::fmt::Display) -> Failure {
        Failure {
            reason,
            detail: detail.to_string(),
        }
    }
}

fn provider<'a>(state: &'a AppState, name: &str) -> Option<&'a UpstreamSettings> {
    state.settings().upstream.iter().find(|p| p.name == name)
}

/// A provider's name as people see it (its configured name when it is no longer configured).
pub(crate) fn display_name(state: &AppState, name: &str) -> String {
    provider(state, name)
        .map(|p| p.display_name.clone())
        .unwrap_or_else(|| name.to_string())
}

fn redirect_uri(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.issuer())
}

fn unknown_request() -> AppError {
    AppError::page(StatusCode::BAD_REQUEST, crate::tr!("login-expired"))
}

/// The endpoints of a provider: configured, or from its discovery document (OIDC Discovery
/// §4), whose `issuer` must be the configured one (§4.3).
async fn endpoints(
    state: &AppState,
    p: &UpstreamSettings,
) -> Result<(String, String, Option<String>, Option<String>), Failure> {
    let mut auth = p.authorization_endpoint.clone();
    let mut token = p.token_endpoint.clone();
    let mut userinfo = p.userinfo_endpoint.clone();
    let mut jwks = p.jwks_uri.clone();
    if p.needs_discovery() {
        let issuer = p.issuer.clone().unwrap_or_default();
        let url = format!("{issuer}/.well-known/openid-configuration");
        let doc: Value = state
            .http()
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| Failure::new("upstream_unavailable", e))?
            .json()
            .await
            .map_err(|e| Failure::new("upstream_unavailable", e))?;
        let found = doc["issuer"].as_str().unwrap_or_default();
        if found.trim_end_matches('/') != issuer {
            return Err(Failure::new(
                "upstream_discovery_mismatch",
                "the discovery document names another issuer",
            ));
        }
        let field = |k: &str| doc[k].as_str().map(str::to_string);
        auth = auth.or_else(|| field("authorization_endpoint"));
        token = token.or_else(|| field("token_endpoint"));
        userinfo = userinfo.or_else(|| field("userinfo_endpoint"));
        jwks = jwks.or_else(|| field("jwks_uri"));
    }
    match (auth, token) {
        (Some(a), Some(t)) => Ok((a, t, userinfo, jwks)),
        _ => Err(Failure::new(
            "upstream_unavailable",
            "the provider publishes no authorization or token endpoint",
        )),
    }
}

/// A page for a failed upstream sign-in, after auditing why.
async fn failed(
    state: &AppState,
    meta: &ClientMeta,
    p: Option<&UpstreamSettings>,
    client_id: Option<&str>,
    failure: Failure,
) -> Response {
    tracing::warn!(provider = p.map(|p| p.name.as_str()).unwrap_or(""), reason = failure.reason, detail = %failure.detail, "upstream sign-in failed");
    state
        .audit(
            "login.failure",
            meta,
            None,
            client_id,
            serde_json::json!({
                "reason": failure.reason,
                "provider": p.map(|p| p.name.as_str()),
            }),
        )
        .await;
    let text = match p {
        Some(p) => crate::tr!("upstream-failed-text", provider = &p.display_name),
        None => crate::tr!("upstream-failed-text-unknown"),
    };
    ui::message(
        StatusCode::BAD_GATEWAY,
        &crate::tr!("upstream-failed-heading"),
        &text,
    )
}

/// `GET /u/login/upstream/{name}?state=…` (or `?return_to=…`): off to the provider.
pub async fn start(
    State(state): State<AppState>,
    meta: ClientMeta,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let q = ui::page_params(query.unwrap_or_default().as_bytes())?;
        // Each start may cost a call to the provider: limited like the sign-in form.
        state.limit(Class::Login, &meta).await?;
        let p = provider(&state, &name).ok_or_else(|| {
            AppError::page(StatusCode::NOT_FOUND, crate::tr!("upstream-no-provider"))
        })?;
        let (resume, request) = login::target(&state, q.get("state"), q.get("return_to")).await?;
        let client_id = request.as_ref().map(|r| r.client_id.clone());
        let (auth, token_endpoint, userinfo_endpoint, jwks_uri) = match endpoints(&state, p).await {
            Ok(e) => e,
            Err(f) => return Ok(failed(&state, &meta, Some(p), client_id.as_deref(), f).await),
        };
        let state_token = random::token();
        let nonce = random::token();
        // 32 random bytes in base64url: 43 characters, within RFC 7636 §4.1's 43 to 128.
        let verifier = random::token();
        let challenge = b64url(&sha256(verifier.as_bytes()));
        let browser = random::token();
        let pending = Pending {
            provider: p.name.clone(),
            nonce: nonce.clone(),
            verifier,
            browser: token_digest(&browser),
            resume,
            token_endpoint,
            userinfo_endpoint,
            jwks_uri,
        };
        state
            .store()
            .put_flow(&Flow {
                id: token_digest(&state_token),
                kind: FLOW_KIND.into(),
                user_id: None,
                data: serde_json::to_value(&pending)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                expires_at: state.now() + FLOW_TTL,
            })
            .await?;
        let mut url = url::Url::parse(&auth).map_err(|e| AppError::Internal(e.to_string()))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &p.client_id)
                .append_pair("redirect_uri", &redirect_uri(&state))
                .append_pair("scope", &p.scopes.join(" "))
                .append_pair("state", &state_token)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
            if p.kind == UpstreamKind::Oidc {
                q.append_pair("nonce", &nonce);
            }
        }
        let cookie = ui::set_cookie(&state, FLOW_COOKIE, &browser, FLOW_TTL);
        let mut resp = ui::see_other(url.as_str(), &[cookie]);
        resp.headers_mut().insert(
            axum::http::header::REFERRER_POLICY,
            axum::http::HeaderValue::from_static("no-referrer"),
        );
        Ok::<_, AppError>(resp)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /u/upstream/callback`: the provider's answer (RFC 6749 §4.1.2).
pub async fn callback(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        let q = ui::page_params(query.unwrap_or_default().as_bytes())?;
        let (st, mt) = (&state, &meta);
        let bad_state = |reason: &'static str| async move {
            st.audit(
                "login.failure",
                mt,
                None,
                None,
                serde_json::json!({ "reason": reason }),
            )
            .await;
            unknown_request()
        };
        // A forged `state` finds nothing. The browser that started the sign-in must be the one
        // finishing it (login CSRF), checked before the flow is spent so that nobody else can
        // spend it; then it is taken at most once, so a replay finds nothing either.
        let id = q.get("state").map(token_digest).unwrap_or_default();
        let found = state.store().flow(&id, state.now()).await?;
        let Some(found) = found.filter(|f| f.kind == FLOW_KIND) else {
            return Err(bad_state("upstream_bad_state").await);
        };
        let pending: Pending =
            serde_json::from_value(found.data).map_err(|e| AppError::Internal(e.to_string()))?;
        let bound = cookie(&headers, &ui::cookie_name(&state, FLOW_COOKIE))
            .is_some_and(|c| ct_eq(token_digest(c).as_bytes(), pending.browser.as_bytes()));
        if !bound {
            return Err(bad_state("upstream_other_browser").await);
        }
        if state.store().take_flow(&id, state.now()).await?.is_none() {
            return Err(bad_state("upstream_bad_state").await);
        }
        let clear = ui::set_cookie(&state, FLOW_COOKIE, "", 0);
        let Some(p) = provider(&state, &pending.provider) else {
            return Err(unknown_request());
        };
        let request = match &pending.resume {
            Resume::Authorize(id) => Some(
                flow::pending_request(&state, id)
                    .await?
                    .ok_or_else(unknown_request)?,
            ),
            _ => None,
        };
        let client_id = request.as_ref().map(|r| r.client_id.clone());
        if let Some(error) = q.get("error") {
            let reason = if error == "access_denied" {
                "upstream_access_denied"
            } else {
                "upstream_error"
            };
            state
                .audit(
                    "login.failure",
                    &meta,
                    None,
                    client_id.as_deref(),
                    serde_json::json!({ "reason": reason, "provider": p.name }),
                )
                .await;
            let text = if error == "access_denied" {
                crate::tr!("upstream-denied-text", provider = &p.display_name)
            } else {
                crate::tr!("upstream-error-text", provider = &p.display_name)
            };
            let heading = crate::tr!("upstream-not-signed-in-heading");
            let mut resp = ui::message(StatusCode::FORBIDDEN, &heading, &text);
            append_cookies(&mut resp, &[clear]);
            return Ok(resp);
        }
        // RFC 9207: a provider that names itself must name the one we sent the user to.
        if let (Some(iss), Some(expected)) = (q.get("iss"), p.issuer.as_deref())
            && iss.trim_end_matches('/') != expected
        {
            let f = Failure::new("upstream_issuer_mismatch", "iss parameter");
            return Ok(failed(&state, &meta, Some(p), client_id.as_deref(), f).await);
        }
        let Some(code) = q.get("code") else {
            let f = Failure::new("upstream_error", "no code in the answer");
            return Ok(failed(&state, &meta, Some(p), client_id.as_deref(), f).await);
        };
        let identity = match identify(&state, p, &pending, code).await {
            Ok(i) => i,
            Err(f) => return Ok(failed(&state, &meta, Some(p), client_id.as_deref(), f).await),
        };
        let mut resp = signed_in_upstream(
            &state,
            &headers,
            &meta,
            p,
            identity,
            pending.resume,
            request.as_ref(),
        )
        .await?;
        append_cookies(&mut resp, &[clear]);
        Ok(resp)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

fn append_cookies(resp: &mut Response, cookies: &[String]) {
    for c in cookies {
        if let Ok(v) = axum::http::HeaderValue::from_str(c) {
            resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
        }
    }
}

/// A page that says, without saying whether an account exists, that this upstream identity
/// cannot be used.
fn refused(p: &UpstreamSettings, text: &str) -> Response {
    ui::message(
        StatusCode::FORBIDDEN,
        &crate::tr!("upstream-refused-heading", provider = &p.display_name),
        text,
    )
}

/// Decides what the identity means here: sign in, offer to link, create, or refuse.
async fn signed_in_upstream(
    state: &AppState,
    headers: &HeaderMap,
    meta: &ClientMeta,
    p: &UpstreamSettings,
    identity: Identity,
    resume: Resume,
    request: Option<&AuthorizeRequest>,
) -> AppResult<Response> {
    let client_id = request.map(|r| r.client_id.as_str());
    let method = if p.trust_upstream_acr && identity.multi_factor {
        Method::FederatedMfa
    } else {
        Method::Federated
    };
    let proof = Proof::new(method, state.now(), None);
    let store = state.store();
    // (a) Linked before: that user, whatever the email says today.
    if let Some(link) = store.upstream_identity(&p.name, &identity.subject).await? {
        let user = store
            .user_by_id(&link.user_id)
            .await?
            .filter(|u| !u.blocked);
        let Some(user) = user else {
            state
                .audit(
                    "login.failure",
                    meta,
                    Some(&link.user_id),
                    client_id,
                    serde_json::json!({ "reason": "blocked", "provider": p.name }),
                )
                .await;
            return Ok(refused(p, &crate::tr!("upstream-refused-blocked")));
        };
        return login::after_first_factor(state, headers, meta, &user, proof, resume, request)
            .await;
    }
    // Only an address the provider verified may meet an account. An unverified one is refused
    // whether or not an account has it, so this page tells nobody which addresses are
    // registered, and nobody can take an address they do not own.
    let email = match identity.email.as_deref().map(|e| e.trim().to_lowercase()) {
        Some(e) if identity.email_verified && !e.is_empty() => e,
        _ => {
            state
                .audit(
                    "login.failure",
                    meta,
                    None,
                    client_id,
                    serde_json::json!({ "reason": "upstream_email_unverified", "provider": p.name }),
                )
                .await;
            return Ok(refused(
                p,
                &crate::tr!("upstream-refused-unverified", provider = &p.display_name),
            ));
        }
    };
    // Telling (b) from (c) reveals whether the address has an account, but only to whoever
    // the provider just confirmed owns that address: an outsider cannot ask about anyone
    // else's address this way, and the owner learns nothing about anyone but themself.
    if let Some(existing) = store.user_by_email(&email).await? {
        // (b) Not linked, same verified address: the owner proves the account first.
        let token = random::token();
        let link = PendingLink {
            provider: p.name.clone(),
            subject: identity.subject,
            email,
            resume,
        };
        store
            .put_flow(&Flow {
                id: token_digest(&token),
                kind: LINK_KIND.into(),
                user_id: Some(existing.id),
                data: serde_json::to_value(&link).map_err(|e| AppError::Internal(e.to_string()))?,
                expires_at: state.now() + FLOW_TTL,
            })
            .await?;
        let cookie = ui::set_cookie(state, LINK_COOKIE, &token, FLOW_TTL);
        return Ok(ui::see_other("/u/upstream/link", &[cookie]));
    }
    // (c) A new person.
    if !signup_allowed(state, client_id).await {
        return Ok(refused(p, &crate::tr!("upstream-refused-signup")));
    }
    let user = portcullis_core::admin::add_user(
        store,
        state.hasher(),
        state.clock(),
        portcullis_core::admin::NewUser {
            email: email.clone(),
            // A provider's display name, minus characters that would hide or reorder text.
            name: identity
                .name
                .map(|n| ui::clean_name(&n))
                .filter(|n| !n.is_empty()),
            email_verified: true,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| match e {
        portcullis_core::Error::Invalid(_) | portcullis_core::Error::Conflict(_) => {
            AppError::page(StatusCode::FORBIDDEN, crate::tr!("upstream-email-unusable"))
        }
        other => other.into(),
    })?;
    link(state, meta, p.name.as_str(), identity.subject, &user, true).await?;
    login::after_first_factor(state, headers, meta, &user, proof, resume, request).await
}

/// Stores a link and audits it (never the email).
async fn link(
    state: &AppState,
    meta: &ClientMeta,
    provider: &str,
    subject: String,
    user: &User,
    created: bool,
) -> Result<(), portcullis_core::Error> {
    state
        .store()
        .link_upstream(&UpstreamIdentity {
            provider: provider.to_string(),
            subject,
            user_id: user.id.clone(),
            email: Some(user.email.clone()),
            created_at: state.now(),
        })
        .await?;
    state
        .audit(
            "upstream.linked",
            meta,
            Some(&user.id),
            None,
            serde_json::json!({ "provider": provider, "created": created }),
        )
        .await;
    Ok(())
}

/// Exchanges the code and reads who the user is.
async fn identify(
    state: &AppState,
    p: &UpstreamSettings,
    pending: &Pending,
    code: &str,
) -> Result<Identity, Failure> {
    let redirect = redirect_uri(state);
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect.as_str()),
        ("code_verifier", pending.verifier.as_str()),
    ];
    let mut req = state
        .http()
        .post(&pending.token_endpoint)
        .header(reqwest::header::ACCEPT, "application/json");
    let secret = p.client_secret.as_ref().map(SecretString::expose);
    match (p.kind, secret) {
        // OIDC Core §9's default, with both parts form-encoded first (RFC 6749 §2.3.1).
        (UpstreamKind::Oidc, Some(secret)) => {
            let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            req = req.basic_auth(enc(&p.client_id), Some(enc(secret)));
        }
        // GitHub and many plain OAuth 2 providers take the credentials in the body.
        (UpstreamKind::Oauth2, Some(secret)) => {
            form.push(("client_id", p.client_id.as_str()));
            form.push(("client_secret", secret));
        }
        (_, None) => form.push(("client_id", p.client_id.as_str())),
    }
    let resp = req
        .form(&form)
        .send()
        .await
        .map_err(|e| Failure::new("upstream_unavailable", e))?;
    let status = resp.status();
    let body: Value = resp
        .json()
        .await
        .map_err(|e| Failure::new("upstream_token_rejected", e))?;
    if !status.is_success() || body.get("error").is_some() {
        let code = body["error"].as_str().unwrap_or("no error code");
        return Err(Failure::new(
            "upstream_token_rejected",
            format!("{status}: {code}"),
        ));
    }
    let access_token = body["access_token"].as_str().map(str::to_string);
    let mut claims = serde_json::Map::new();
    let mut multi_factor = false;
    if p.kind == UpstreamKind::Oidc {
        let id_token = body["id_token"]
            .as_str()
            .ok_or_else(|| Failure::new("upstream_id_token_invalid", "no id_token"))?;
        claims = verify_id_token(state, p, pending, id_token).await?;
        let acr = claims
            .get("acr")
            .and_then(Value::as_str)
            .and_then(Acr::parse);
        let amr_mfa = claims
            .get("amr")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(amr::MFA)));
        multi_factor = acr.is_some_and(|a| a >= Acr::Aal2) || amr_mfa;
    }
    if let (Some(endpoint), Some(token)) = (&pending.userinfo_endpoint, &access_token) {
        let info = get_json(state, endpoint, token).await?;
        let Value::Object(info) = info else {
            return Err(Failure::new("upstream_userinfo_invalid", "not an object"));
        };
        if p.kind == UpstreamKind::Oidc {
            // OIDC Core §5.3.4: userinfo about someone else must not be used.
            if info.get("sub") != claims.get("sub") {
                return Err(Failure::new("upstream_userinfo_invalid", "sub differs"));
            }
            for (k, v) in info {
                claims.entry(k).or_insert(v);
            }
        } else {
            claims = info;
        }
    }
    let text = |key: &str| match claims.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let subject = text(&p.claims.subject)
        .ok_or_else(|| Failure::new("upstream_userinfo_invalid", "no subject"))?;
    let mut email = text(&p.claims.email);
    let mut email_verified = match claims.get(&p.claims.email_verified) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    // GitHub-style: the primary address, when the provider verified it.
    if !email_verified && let (Some(endpoint), Some(token)) = (&p.emails_endpoint, &access_token) {
        // Without the scope for it the list is refused: then there is no verified address,
        // which the next step explains to the person better than a failure would.
        let list = get_json(state, endpoint, token).await.unwrap_or_default();
        let primary = list.as_array().into_iter().flatten().find(|e| {
            e["primary"].as_bool() == Some(true) && e["verified"].as_bool() == Some(true)
        });
        if let Some(address) = primary.and_then(|e| e["email"].as_str()) {
            email = Some(address.to_string());
            email_verified = true;
        }
    }
    Ok(Identity {
        subject,
        email,
        email_verified,
        name: text(&p.claims.name).or_else(|| text("login")),
        multi_factor,
    })
}

async fn get_json(state: &AppState, url: &str, token: &str) -> Result<Value, Failure> {
    state
        .http()
        .get(url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| Failure::new("upstream_userinfo_invalid", e))?
        .json()
        .await
        .map_err(|e| Failure::new("upstream_userinfo_invalid", e))
}

/// Checks an ID token (OIDC Core §3.1.3.7): signature by a key of the provider's JWKS, `iss`,
/// `aud`, `exp` on our clock, and the `nonce` of this flow. Returns its claims.
async fn verify_id_token(
    state: &AppState,
    p: &UpstreamSettings,
    pending: &Pending,
    id_token: &str,
) -> Result<serde_json::Map<String, Value>, Failure> {
    use openidconnect::core::{
        CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    };
    use openidconnect::{ClaimsVerificationError, ClientId, ClientSecret, IssuerUrl, Nonce};
    let invalid = |e: &dyn std::fmt::Display| Failure::new("upstream_id_token_invalid", e);
    let jwks_uri = pending
        .jwks_uri
        .as_deref()
        .ok_or_else(|| invalid(&"no jwks_uri"))?;
    let jwks: CoreJsonWebKeySet = state
        .http()
        .get(jwks_uri)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| Failure::new("upstream_unavailable", e))?
        .json()
        .await
        .map_err(|e| Failure::new("upstream_unavailable", e))?;
    let token: CoreIdToken = id_token.parse().map_err(|e| invalid(&e))?;
    let issuer = IssuerUrl::new(p.issuer.clone().unwrap_or_default()).map_err(|e| invalid(&e))?;
    let client_id = ClientId::new(p.client_id.clone());
    let verifier = match &p.client_secret {
        Some(s) => CoreIdTokenVerifier::new_confidential_client(
            client_id,
            ClientSecret::new(s.expose().to_string()),
            issuer,
            jwks,
        ),
        None => CoreIdTokenVerifier::new_public_client(client_id, issuer, jwks),
    };
    let now = state.now();
    // Asymmetric algorithms only: the keys are the provider's, never the shared secret.
    let verifier = verifier
        .set_allowed_algs([
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
            CoreJwsSigningAlgorithm::RsaSsaPssSha256,
            CoreJwsSigningAlgorithm::RsaSsaPssSha384,
            CoreJwsSigningAlgorithm::RsaSsaPssSha512,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            CoreJwsSigningAlgorithm::EcdsaP384Sha384,
            CoreJwsSigningAlgorithm::EdDsa,
        ])
        .set_time_fn(move || {
            chrono::DateTime::<chrono::Utc>::from_timestamp(now, 0).unwrap_or_default()
        });
    let nonce = Nonce::new(pending.nonce.clone());
    match token.claims(&verifier, &nonce) {
        Ok(_) => {}
        Err(ClaimsVerificationError::InvalidNonce(e)) => {
            return Err(Failure::new("upstream_nonce_mismatch", e));
        }
        Err(e) => return Err(invalid(&e)),
    }
    // Verified above; the payload is read again for the configured claim names.
    let payload = id_token
        .split('.')
        .nth(1)
        .ok_or_else(|| invalid(&"not a JWS"))?;
    let bytes = b64url_decode(payload).map_err(|e| invalid(&e))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(invalid(&"payload is not an object")),
    }
}

#[derive(Template)]
#[template(path = "upstream_link.html")]
struct LinkPage<'a> {
    csrf: String,
    nonce: String,
    provider: &'a str,
    email: &'a str,
    other: String,
    error: Option<&'a str>,
}

/// The browser's pending link: its flow id, the account, and the link.
async fn pending_link(
    state: &AppState,
    headers: &HeaderMap,
) -> AppResult<Option<(String, String, PendingLink)>> {
    let Some(token) =
        cookie(headers, &ui::cookie_name(state, LINK_COOKIE)).filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let id = token_digest(token);
    let Some(f) = state.store().flow(&id, state.now()).await? else {
        return Ok(None);
    };
    let (true, Some(user_id)) = (f.kind == LINK_KIND, f.user_id) else {
        return Ok(None);
    };
    let link = serde_json::from_value(f.data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Some((id, user_id, link)))
}

fn link_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    link: &PendingLink,
    error: Option<&str>,
) -> AppResult<Response> {
    let provider = display_name(state, &link.provider);
    let other = match resume_query(&link.resume) {
        Some(q) => format!("/u/login?{q}"),
        None => "/u/login".into(),
    };
    let ctx = PageCtx::new(state, headers);
    let page = LinkPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        provider: &provider,
        email: &link.email,
        other,
        error,
    };
    ctx.respond(status, &page, vec![])
}

/// `GET /u/upstream/link`: "this email already has an account — sign in to link".
pub async fn link_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = async {
        let (_, _, link) = pending_link(&state, &headers)
            .await?
            .ok_or_else(unknown_request)?;
        link_page(&state, &headers, StatusCode::OK, &link, None)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/upstream/link`: the password of the existing account, then MFA as policy says.
/// The link itself is made when that sign-in finishes ([`link_on_sign_in`]).
pub async fn link_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        let (_, user_id, link) = pending_link(&state, &headers)
            .await?
            .ok_or_else(unknown_request)?;
        state.limit(Class::Login, &meta).await?;
        let request = match &link.resume {
            Resume::Authorize(id) => Some(
                flow::pending_request(&state, id)
                    .await?
                    .ok_or_else(unknown_request)?,
            ),
            _ => None,
        };
        let client_id = request.as_ref().map(|r| r.client_id.clone());
        let user = state.store().user_by_id(&user_id).await?;
        // The same throttle as the sign-in page, keyed by the account's address.
        let key = password_key(state.master(), &link.email);
        let user = match login::password_attempt(
            &state,
            &meta,
            &key,
            user,
            form.get("password").unwrap_or_default(),
            client_id.as_deref(),
            serde_json::json!({ "provider": link.provider }),
        )
        .await?
        {
            login::Checked::Right(user) => user,
            login::Checked::Wait(wait) => return Err(AppError::Throttled(wait)),
            login::Checked::Wrong => {
                return link_page(
                    &state,
                    &headers,
                    StatusCode::UNAUTHORIZED,
                    &link,
                    Some(&crate::tr!("upstream-link-error-wrong")),
                );
            }
        };
        let proof = Proof::new(Method::Password, state.now(), None);
        let next = login::after_first_factor(
            &state,
            &headers,
            &meta,
            &user,
            proof,
            link.resume,
            request.as_ref(),
        )
        .await;
        state.store().clear_failures(&key).await?;
        next
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Called when a sign-in finishes: if this browser holds a pending link for the user who just
/// proved their account with a local factor, the upstream identity is linked to it now.
pub(crate) async fn link_on_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    meta: &ClientMeta,
    tx: &Tx,
    cookies: &mut Vec<String>,
) -> AppResult<()> {
    let Some(token) =
        cookie(headers, &ui::cookie_name(state, LINK_COOKIE)).filter(|t| !t.is_empty())
    else {
        return Ok(());
    };
    let local = tx.proofs.iter().any(|p| {
        !matches!(
            p.method,
            Method::Federated | Method::FederatedMfa | Method::RememberedDevice
        )
    });
    if !local {
        return Ok(());
    }
    let Some(f) = state
        .store()
        .take_flow(&token_digest(token), state.now())
        .await?
    else {
        return Ok(());
    };
    cookies.push(ui::set_cookie(state, LINK_COOKIE, "", 0));
    if f.kind != LINK_KIND || f.user_id.as_deref() != Some(tx.user_id.as_str()) {
        return Ok(());
    }
    let pending: PendingLink =
        serde_json::from_value(f.data).map_err(|e| AppError::Internal(e.to_string()))?;
    let Some(user) = state.store().user_by_id(&tx.user_id).await? else {
        return Ok(());
    };
    match link(
        state,
        meta,
        &pending.provider,
        pending.subject,
        &user,
        false,
    )
    .await
    {
        Ok(()) => Ok(()),
        // Linked meanwhile (to this or another account): the first link stands.
        Err(portcullis_core::Error::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
