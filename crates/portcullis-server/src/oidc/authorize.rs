//! The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2) for the code flow with PKCE.
//!
//! Until the client and redirect URI are validated, errors are shown to the user and never
//! redirected (RFC 6749 §4.1.2.1); after that they go back to the client with `state` and `iss`
//! (RFC 9207).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::model::{AuthCode, GrantContext, PendingAuthorization};
use portcullis_core::oauth::{pkce, split_scope};
use portcullis_core::policy::Policy;
use portcullis_proto::acr::Acr;
use portcullis_proto::oauth::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::gate::{Cleared, Verdict};
use crate::http::{ClientMeta, Params};
use crate::state::AppState;
use crate::ui;
use crate::ui::flow::Resume;

/// A validated authorization request, kept while the user signs in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizeRequest {
    /// The client.
    pub client_id: String,
    /// The validated redirect URI.
    pub redirect_uri: String,
    /// Requested scope.
    pub scope: String,
    /// Opaque client state, echoed.
    pub state: Option<String>,
    /// OIDC nonce.
    pub nonce: Option<String>,
    /// PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// API audience.
    pub audience: Option<String>,
    /// `prompt` values.
    pub prompt: Vec<String>,
    /// `max_age` in seconds.
    pub max_age: Option<i64>,
    /// Hint for the login form.
    pub login_hint: Option<String>,
    /// Requested assurance levels, as sent.
    pub acr_values: Option<String>,
    /// Auth0's `screen_hint` (`signup` opens the sign-up page).
    #[serde(default)]
    pub screen_hint: Option<String>,
    /// When the request arrived (Unix seconds): a proof made after it is fresh for `max_age`,
    /// and `prompt=login` needs one.
    #[serde(default)]
    pub requested_at: i64,
    /// The essential `acr` values of the `claims` parameter (OIDC Core §5.5.1.1), as sent.
    #[serde(default)]
    pub essential_acr: Option<String>,
    /// The subject of a valid `id_token_hint`: only that user's session may answer.
    #[serde(default)]
    pub hint_sub: Option<String>,
    /// `dpop_jkt` (RFC 9449 §10): the code is bound to this DPoP key's thumbprint, so only a
    /// token request with a proof by it may redeem it.
    #[serde(default)]
    pub dpop_jkt: Option<String>,
    /// The device authorization (RFC 8628) this sign-in answers, by its flow id: the answer
    /// goes to the polling device, never to a redirect URI.
    #[serde(default)]
    pub device: Option<String>,
    /// That device authorization's user code, shown on the confirmation page so the user can
    /// compare it with the device's screen (RFC 8628 §5.4).
    #[serde(default)]
    pub user_code: Option<String>,
    /// A backchannel (CIBA) request's `binding_message`, shown on the consent page so the user
    /// can compare it with what the client shows.
    #[serde(default)]
    pub binding_message: Option<String>,
    /// A passkey or TOTP proved after the request is needed, whatever the session proved
    /// before (a backchannel approval: the self-hosted push approval).
    #[serde(default)]
    pub fresh_factor: bool,
}

/// What a `claims` parameter (OIDC Core §5.5) asks of this provider.
#[derive(Debug, Default, PartialEq, Eq)]
struct ClaimsRequest {
    /// Essential `acr` values for the ID token.
    essential_acr: Vec<String>,
    /// Scopes that carry the individual claims asked for (`email`, `profile`).
    scopes: Vec<&'static str>,
}

/// Parses a `claims` parameter: a JSON object whose `id_token` and `userinfo` members name
/// claims, each `null` or `{"essential", "value", "values"}`. Claims this provider does not
/// issue are voluntary and ignored (§5.5); a malformed parameter is an error.
fn parse_claims(raw: &str) -> Result<ClaimsRequest, &'static str> {
    let bad = "claims must be a JSON object of id_token and userinfo claim requests.";
    let value: serde_json::Value = serde_json::from_str(raw).map_err(|_| bad)?;
    let object = value.as_object().ok_or(bad)?;
    let mut out = ClaimsRequest::default();
    for (member, requests) in object {
        if member != "id_token" && member != "userinfo" {
            continue;
        }
        let requests = requests.as_object().ok_or(bad)?;
        for (claim, request) in requests {
            if !(request.is_null() || request.is_object()) {
                return Err(bad);
            }
            let scope = match claim.as_str() {
                "email" | "email_verified" => Some("email"),
                "name" => Some("profile"),
                _ => None,
            };
            if let Some(scope) = scope
                && !out.scopes.contains(&scope)
            {
                out.scopes.push(scope);
            }
            let essential = request["essential"].as_bool().unwrap_or(false);
            if claim == "acr" && member == "id_token" && essential {
                let values: Vec<String> = match (&request["value"], &request["values"]) {
                    (serde_json::Value::String(v), _) => vec![v.clone()],
                    (_, serde_json::Value::Array(vs)) => vs
                        .iter()
                        .map(|v| v.as_str().map(str::to_string).ok_or(bad))
                        .collect::<Result<_, _>>()?,
                    _ => vec![],
                };
                out.essential_acr.extend(values);
            }
        }
    }
    Ok(out)
}

impl AuthorizeRequest {
    /// The request's parameters as Auth0's Actions see them (`event.request.query`); the
    /// PKCE challenge and nonce are left out, as no rule needs them.
    pub fn query(&self) -> serde_json::Value {
        let mut q = serde_json::json!({
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": self.scope,
        });
        let optional = [
            ("state", self.state.clone()),
            ("audience", self.audience.clone()),
            ("login_hint", self.login_hint.clone()),
            ("acr_values", self.acr_values.clone()),
            ("screen_hint", self.screen_hint.clone()),
            ("max_age", self.max_age.map(|m| m.to_string())),
            (
                "prompt",
                (!self.prompt.is_empty()).then(|| self.prompt.join(" ")),
            ),
        ];
        for (k, v) in optional {
            if let Some(v) = v {
                q[k] = serde_json::Value::String(v);
            }
        }
        q
    }

    /// Whether the application asked for the sign-up page (`screen_hint=signup`, or
    /// `prompt=create` of OpenID Connect's user-registration extension).
    pub fn wants_signup(&self) -> bool {
        self.screen_hint.as_deref() == Some("signup") || self.prompt.iter().any(|p| p == "create")
    }

    /// Whether the application wants the user to authenticate again, whatever the session
    /// (`prompt=login`, or `max_age=0`, which OIDC Core §3.1.2.1 makes the same).
    pub fn forces_login(&self) -> bool {
        self.prompt.iter().any(|p| p == "login") || self.max_age == Some(0)
    }

    /// The lowest level named in `acr_values`, if any: the request is met by any listed level
    /// (the PAPE multi-factor URI counts as `aal2`; unknown values are ignored).
    pub fn required_acr(&self) -> Option<Acr> {
        let lowest = |values: Option<&str>| values?.split_whitespace().filter_map(Acr::parse).min();
        // Both must hold: `acr_values`, and the essential `acr` of the `claims` parameter.
        lowest(self.acr_values.as_deref()).max(lowest(self.essential_acr.as_deref()))
    }

    /// The `acr` claim for a session at `session_acr` (OIDC Core §5.5.1.1): the session's own
    /// level, unless the request named only an alias it meets (Auth0's PAPE multi-factor URI),
    /// which is then echoed, as the relying party compares what it asked for.
    pub fn acr_claim(&self, session_acr: &str) -> String {
        let Some(level) = Acr::parse(session_acr) else {
            return session_acr.to_string();
        };
        let asked: Vec<&str> = [self.essential_acr.as_deref(), self.acr_values.as_deref()]
            .into_iter()
            .flatten()
            .flat_map(str::split_whitespace)
            .collect();
        if asked.contains(&session_acr) {
            return session_acr.to_string();
        }
        asked
            .iter()
            .find(|v| Acr::parse(v).is_some_and(|r| r.as_str() != **v && level.satisfies(r)))
            .map_or_else(|| session_acr.to_string(), |v| v.to_string())
    }

    /// What this request must meet once its client's and API's policy is added: the higher
    /// level and the shorter `max_age` of the two.
    pub fn demands(&self, policy: &Policy) -> (Option<Acr>, Option<i64>) {
        let acr = self.required_acr().max(policy.required_acr);
        let max_age = match (self.max_age, policy.max_age) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        (acr, max_age)
    }
}

/// `GET /authorize`.
pub async fn authorize_get(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    handle(
        &state,
        &meta,
        &headers,
        query.unwrap_or_default().as_bytes(),
    )
    .await
}

/// `POST /authorize` (OIDC Core §3.1.2.1 allows form-encoded POST).
pub async fn authorize_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(&state, &meta, &headers, &body).await
}

async fn handle(state: &AppState, meta: &ClientMeta, headers: &HeaderMap, raw: &[u8]) -> Response {
    match run(state, meta, headers, raw).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

/// An error that goes back to the client's redirect URI.
struct Redirected(ErrorCode, &'static str);

async fn run(
    state: &AppState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    raw: &[u8],
) -> AppResult<Response> {
    let (mut params, mut repeated) = Params::parse_noting_repeats(raw);
    // A pushed request (RFC 9126): the parameters are the ones the client pushed, spent now;
    // only `client_id` is taken from the browser, and must be the pusher's.
    let pushed = params
        .get("request_uri")
        .is_some_and(|u| u.starts_with(super::par::URN));
    if pushed {
        let uri = params.owned("request_uri").unwrap_or_default();
        let client_id = params.owned("client_id").unwrap_or_default();
        let Some(query) = super::par::take(state, &uri, &client_id).await? else {
            return Err(AppError::page(
                StatusCode::BAD_REQUEST,
                crate::tr!("request-uri-expired"),
            ));
        };
        (params, repeated) = Params::parse_noting_repeats(query.as_bytes());
    }
    // A request object (RFC 9101): its claims are the request, the outer client_id must be its
    // signer. Until it is verified nothing in it is trusted, the redirect URI least: a bad one
    // is shown, never sent.
    if let Some(jwt) = params.owned("request") {
        if repeated.iter().any(|r| r == "request" || r == "client_id") {
            return Err(AppError::page(
                StatusCode::BAD_REQUEST,
                crate::tr!("request-repeated", name = "request"),
            ));
        }
        let client = known_client(state, &params).await?;
        params = super::jar::unpack(state, &client, &jwt)
            .await
            .map_err(|_| {
                AppError::page(
                    StatusCode::BAD_REQUEST,
                    crate::tr!("request-object-invalid"),
                )
            })?;
        repeated = Vec::new();
    }
    // Until the client and redirect URI are known, a doubt about them is shown, never sent.
    if let Some(r) = repeated
        .iter()
        .find(|r| *r == "client_id" || *r == "redirect_uri")
    {
        return Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("request-repeated", name = r.as_str()),
        ));
    }
    let client = known_client(state, &params).await?;
    let redirect_uri = params.get("redirect_uri").ok_or_else(|| {
        AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("request-no-redirect-uri"),
        )
    })?;
    // Exact string comparison (RFC 9700 §4.1.3): no prefix, port or case leniency.
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("request-redirect-uri-unregistered"),
        ));
    }
    let client_state = params.owned("state");
    let fail = |Redirected(code, description): Redirected| {
        error_redirect(
            state,
            redirect_uri,
            client_state.as_deref(),
            code,
            description,
        )
    };
    if let Some(r) = repeated.first() {
        tracing::info!(parameter = %r, "authorization request with a repeated parameter");
        return Ok(fail(Redirected(
            ErrorCode::InvalidRequest,
            "A parameter is repeated (RFC 6749 §3.1).",
        )));
    }
    let request = match validate(state, &params, &client, redirect_uri).await {
        Ok(r) => r,
        Err(e) => return Ok(fail(e)),
    };
    if !pushed
        && state
            .policy(Some(&client.id), None)
            .await
            .require_pushed_authorization_requests
    {
        let (code, description) = super::par::required();
        return Ok(fail(Redirected(code, description)));
    }
    proceed(state, meta, headers, request).await
}

/// Answers a validated request from the browser's session through the gate: a code (or a
/// device's approval) when it is met, a step-up when it is short, the sign-in page without a
/// session. The device flow's hosted page enters here too, so both flows meet one gate.
pub async fn proceed(
    state: &AppState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    request: AuthorizeRequest,
) -> AppResult<Response> {
    // With an id_token_hint, only the session of the user it names may answer (Core §3.1.2.1).
    let session = ui::current_session(state, headers).await?.filter(|s| {
        request
            .hint_sub
            .as_ref()
            .is_none_or(|sub| *sub == s.user_id)
    });
    let now = state.now();
    let policy = state
        .policy(Some(&request.client_id), request.audience.as_deref())
        .await;
    let (required, max_age) = request.demands(&policy);
    let forced = request.forces_login();
    let silent = request.prompt.iter().any(|p| p == "none");
    // The current session answers only through the gate, as every sign-in ends.
    let verdict = match &session {
        Some(s) if !forced => Some(
            crate::gate::judge(state, meta, s.clone(), Some(request.clone()), &policy, None)
                .await?,
        ),
        _ => None,
    };
    match (session, verdict) {
        (Some(s), Some(Verdict::Cleared(cleared))) => {
            tracing::info!(session_id = %s.id, client_id = %request.client_id, "authorized from the current session");
            complete(state, &cleared).await
        }
        // Signed in, but not recently or strongly enough: one more factor on one page.
        (Some(_), Some(Verdict::Denied(reason))) => action_denied(state, &request, &reason).await,
        (Some(s), Some(Verdict::Short(_)))
            if silent && max_age.is_some_and(|m| now - s.auth_time > m) =>
        {
            refuse(
                state,
                &request,
                ErrorCode::LoginRequired,
                "The sign-in is older than max_age; the user must authenticate again.",
            )
            .await
        }
        (Some(_), Some(Verdict::Short(_))) if silent => {
            refuse(
                state,
                &request,
                ErrorCode::InteractionRequired,
                "The session is below the requested level; the user must prove another factor.",
            )
            .await
        }
        (Some(s), Some(Verdict::Short(ask))) => {
            let pending = pend(state, &request).await?;
            state
                .audit(
                    "stepup.requested",
                    meta,
                    Some(&s.user_id),
                    Some(&request.client_id),
                    serde_json::json!({
                        "audience": request.audience,
                        "required_acr": required.map(Acr::as_str),
                        "max_age": max_age,
                        "session_acr": s.acr,
                        "session_age": now - s.auth_time,
                    }),
                )
                .await;
            crate::ui::flow::step_up(
                state,
                &s,
                Resume::Authorize(pending),
                required,
                Some(policy),
                ask,
            )
            .await
        }
        _ if silent => {
            refuse(
                state,
                &request,
                ErrorCode::LoginRequired,
                "The user must sign in.",
            )
            .await
        }
        _ => {
            let pending = pend(state, &request).await?;
            let page = if request.wants_signup() && ui::signup::allowed(state, Some(&request)).await
            {
                "signup"
            } else {
                "login"
            };
            Ok(Redirect::to(&format!("/u/{page}?state={pending}")).into_response())
        }
    }
}

/// The client a request names, or the page saying it names none this server knows.
async fn known_client(
    state: &AppState,
    params: &Params,
) -> AppResult<portcullis_core::model::Client> {
    let client_id = params.get("client_id").ok_or_else(|| {
        AppError::page(StatusCode::BAD_REQUEST, crate::tr!("request-no-client-id"))
    })?;
    state
        .client(client_id)
        .await
        .ok_or_else(|| AppError::page(StatusCode::BAD_REQUEST, crate::tr!("request-unknown-app")))
}

/// Keeps a request while the user signs in, steps up or consents; its id.
pub async fn pend(state: &AppState, request: &AuthorizeRequest) -> AppResult<String> {
    let pending = PendingAuthorization {
        id: random::token(),
        request: serde_json::to_value(request).map_err(|e| AppError::Internal(e.to_string()))?,
        expires_at: state.now() + state.settings().session.login_ttl,
    };
    state.store().put_pending(&pending).await?;
    Ok(pending.id)
}

/// Validates an authorization request as `/authorize` would, for a pushed request (RFC 9126):
/// the error code and description instead of a redirect.
pub async fn check(
    state: &AppState,
    params: &Params,
    client: &portcullis_core::model::Client,
    redirect_uri: &str,
) -> Result<AuthorizeRequest, (ErrorCode, &'static str)> {
    validate(state, params, client, redirect_uri)
        .await
        .map_err(|Redirected(code, description)| (code, description))
}

async fn validate(
    state: &AppState,
    params: &Params,
    client: &portcullis_core::model::Client,
    redirect_uri: &str,
) -> Result<AuthorizeRequest, Redirected> {
    use ErrorCode::*;
    if params.get("request").is_some() {
        return Err(Redirected(
            RequestNotSupported,
            "Request objects are not supported.",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(Redirected(
            RequestUriNotSupported,
            "request_uri is not supported.",
        ));
    }
    match params.get("response_type") {
        Some("code") => {}
        None => return Err(Redirected(InvalidRequest, "response_type is required.")),
        Some(_) => {
            return Err(Redirected(
                UnsupportedResponseType,
                "Only response_type=code is supported.",
            ));
        }
    }
    if params.get("response_mode").is_some_and(|m| m != "query") {
        return Err(Redirected(
            InvalidRequest,
            "Only response_mode=query is supported.",
        ));
    }
    if !client.allows_grant("authorization_code") {
        return Err(Redirected(
            UnauthorizedClient,
            "The client may not use the authorization code flow.",
        ));
    }
    let fapi = state.policy(Some(&client.id), None).await.fapi2;
    if fapi && client.is_public() {
        return Err(Redirected(
            UnauthorizedClient,
            "FAPI 2.0 allows only confidential clients.",
        ));
    }
    let code_challenge = params.owned("code_challenge");
    match (params.get("code_challenge_method"), &code_challenge) {
        (Some("S256"), Some(c)) if pkce::valid_challenge(c) => {}
        (Some("S256"), Some(_)) => {
            return Err(Redirected(InvalidRequest, "code_challenge is malformed."));
        }
        (Some(_), _) => {
            return Err(Redirected(
                InvalidRequest,
                "Only code_challenge_method=S256 is supported.",
            ));
        }
        (None, Some(_)) => {
            return Err(Redirected(
                InvalidRequest,
                "code_challenge_method=S256 is required with code_challenge.",
            ));
        }
        (None, None) if client.is_public() => {
            return Err(Redirected(
                InvalidRequest,
                "PKCE (code_challenge with S256) is required for public clients.",
            ));
        }
        (None, None) if fapi => {
            return Err(Redirected(
                InvalidRequest,
                "PKCE (code_challenge with S256) is required by FAPI 2.0.",
            ));
        }
        (None, None) => {}
    }
    let prompt = split_scope(params.get("prompt").unwrap_or(""));
    if prompt
        .iter()
        .any(|p| !["none", "login", "consent", "select_account", "create"].contains(&p.as_str()))
    {
        return Err(Redirected(
            InvalidRequest,
            "prompt has an unsupported value.",
        ));
    }
    if prompt.len() > 1 && prompt.iter().any(|p| p == "none") {
        return Err(Redirected(
            InvalidRequest,
            "prompt=none cannot be combined with other values.",
        ));
    }
    let hint_sub = match params.get("id_token_hint") {
        Some(hint) => Some(
            super::mint::verify_id_token_hint(state, hint)
                .await
                .and_then(|c| c["sub"].as_str().map(str::to_string))
                .ok_or(Redirected(
                    InvalidRequest,
                    "id_token_hint is not an ID token of this provider.",
                ))?,
        ),
        None => None,
    };
    // A SHA-256 thumbprint is 43 base64url characters; anything else cannot name a key.
    let dpop_jkt = params.owned("dpop_jkt");
    if dpop_jkt.as_deref().is_some_and(|j| {
        j.len() != 43
            || !j
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return Err(Redirected(
            InvalidRequest,
            "dpop_jkt must be a JWK SHA-256 thumbprint (RFC 7638), base64url.",
        ));
    }
    let asked = asked(state, params, client).await?;
    Ok(AuthorizeRequest {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.into(),
        scope: asked.scope,
        state: params.owned("state"),
        nonce: params.owned("nonce"),
        code_challenge,
        audience: asked.audience,
        prompt,
        max_age: asked.max_age,
        login_hint: params.owned("login_hint"),
        acr_values: params.owned("acr_values"),
        screen_hint: params.owned("screen_hint"),
        requested_at: state.now(),
        essential_acr: asked.essential_acr,
        hint_sub,
        dpop_jkt,
        device: None,
        user_code: None,
        binding_message: None,
        fresh_factor: false,
    })
}

/// What a request asks for, whichever flow carries it: the scope, the API, and the level
/// and freshness of the sign-in.
struct Asked {
    scope: String,
    audience: Option<String>,
    max_age: Option<i64>,
    essential_acr: Option<String>,
}

async fn asked(
    state: &AppState,
    params: &Params,
    client: &portcullis_core::model::Client,
) -> Result<Asked, Redirected> {
    use ErrorCode::*;
    let max_age = match params.get("max_age") {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                return Err(Redirected(
                    InvalidRequest,
                    "max_age must be a non-negative integer.",
                ));
            }
        },
    };
    let audience = params.owned("audience");
    if let Some(aud) = &audience
        && state.api(aud).await.is_none()
    {
        return Err(Redirected(
            InvalidRequest,
            "The audience is not a known API.",
        ));
    }
    if super::consent::forbidden_audience(state, client, audience.as_deref()) {
        return Err(Redirected(
            AccessDenied,
            "Third-party applications may not access this API.",
        ));
    }
    let claims = match params.get("claims") {
        Some(raw) => parse_claims(raw).map_err(|m| Redirected(InvalidRequest, m))?,
        None => ClaimsRequest::default(),
    };
    if claims.essential_acr.iter().any(|v| Acr::parse(v).is_none()) {
        return Err(Redirected(
            UnmetAuthenticationRequirements,
            "An essential acr value is not one this provider offers.",
        ));
    }
    // Claims asked for by name come with the scope that carries them.
    let mut scope_words = split_scope(params.get("scope").unwrap_or(""));
    for s in &claims.scopes {
        if !scope_words.iter().any(|w| w == s) {
            scope_words.push((*s).to_string());
        }
    }
    if scope_words
        .iter()
        .any(|s| s.chars().any(|c| c.is_control() || c == '"' || c == '\\'))
    {
        return Err(Redirected(
            InvalidScope,
            "scope contains invalid characters.",
        ));
    }
    // Only scopes the API defines (and the client's grant on it allows), and the OIDC ones.
    let scope =
        super::consent::user_scope(state, client, audience.as_deref(), &scope_words.join(" "));
    Ok(Asked {
        scope,
        audience,
        max_age,
        essential_acr: (!claims.essential_acr.is_empty()).then(|| claims.essential_acr.join(" ")),
    })
}

/// Parameters of `/authorize` that a device authorization request (RFC 8628 §3.1) cannot
/// carry: it has no redirect, no browser of the client's, and its prompt is always a consent.
const NOT_FOR_DEVICES: [&str; 12] = [
    "response_type",
    "response_mode",
    "redirect_uri",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "id_token_hint",
    "request",
    "request_uri",
    "dpop_jkt",
];

/// Validates a device authorization request (RFC 8628 §3.1) as `/authorize` validates its
/// own: the same scope, audience, `acr_values`, `max_age` and `claims` rules, so the policy
/// and step-up apply to the device flow too. `device` is the flow id its approval goes to.
pub async fn device_request(
    state: &AppState,
    params: &Params,
    client: &portcullis_core::model::Client,
    device: &str,
    user_code: &str,
) -> Result<AuthorizeRequest, (ErrorCode, String)> {
    if let Some(p) = NOT_FOR_DEVICES.iter().find(|p| params.get(p).is_some()) {
        return Err((
            ErrorCode::InvalidRequest,
            format!("{p} is not a parameter of the device authorization request (RFC 8628)."),
        ));
    }
    let asked = asked(state, params, client)
        .await
        .map_err(|Redirected(code, description)| (code, description.to_string()))?;
    Ok(AuthorizeRequest {
        client_id: client.id.clone(),
        redirect_uri: String::new(),
        scope: asked.scope,
        state: None,
        nonce: None,
        code_challenge: None,
        audience: asked.audience,
        // A code typed on another screen could be an attacker's: the user always confirms.
        prompt: vec!["consent".into()],
        max_age: asked.max_age,
        login_hint: params.owned("login_hint"),
        acr_values: params.owned("acr_values"),
        screen_hint: None,
        requested_at: state.now(),
        essential_acr: asked.essential_acr,
        hint_sub: None,
        dpop_jkt: None,
        device: Some(device.to_string()),
        user_code: Some(user_code.to_string()),
        binding_message: None,
        fresh_factor: false,
    })
}

fn add_query(redirect_uri: &str, pairs: &[(&str, Option<&str>)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in pairs {
                    if let Some(v) = v {
                        q.append_pair(k, v);
                    }
                }
            }
            url.to_string()
        }
        Err(_) => redirect_uri.to_string(),
    }
}

fn error_redirect(
    state: &AppState,
    redirect_uri: &str,
    client_state: Option<&str>,
    code: ErrorCode,
    description: &str,
) -> Response {
    let location = add_query(
        redirect_uri,
        &[
            ("error", Some(code.as_str())),
            ("error_description", Some(description)),
            ("state", client_state),
            ("iss", Some(state.issuer())),
        ],
    );
    found(&location)
}

fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.to_string()),
            (header::CACHE_CONTROL, "no-store".into()),
        ],
    )
        .into_response()
}

/// Ends a request with an error: back to the client's redirect URI with `state` and `iss`,
/// or, for a device authorization, recorded for the polling device and said on a page.
pub async fn refuse(
    state: &AppState,
    request: &AuthorizeRequest,
    code: ErrorCode,
    description: &str,
) -> AppResult<Response> {
    if request.device.is_some() {
        return super::device::refuse(state, request, code, description).await;
    }
    Ok(error_redirect(
        state,
        &request.redirect_uri,
        request.state.as_deref(),
        code,
        description,
    ))
}

/// Ends a request with `unmet_authentication_requirements`: the level it asked for cannot be
/// reached.
pub async fn unmet(state: &AppState, request: &AuthorizeRequest) -> AppResult<Response> {
    refuse(
        state,
        request,
        ErrorCode::UnmetAuthenticationRequirements,
        "The user has no way to reach the requested authentication level.",
    )
    .await
}

/// Ends a request with `access_denied` and the reason a post-login Action gave
/// (`api.access.deny`), as Auth0 does.
pub async fn action_denied(
    state: &AppState,
    request: &AuthorizeRequest,
    reason: &str,
) -> AppResult<Response> {
    refuse(state, request, ErrorCode::AccessDenied, reason).await
}

/// Ends a request with `access_denied`: the user refused it.
pub async fn denied(state: &AppState, request: &AuthorizeRequest) -> AppResult<Response> {
    refuse(
        state,
        request,
        ErrorCode::AccessDenied,
        "The user denied the request.",
    )
    .await
}

/// The grant a sign-in the gate cleared makes for `request`: who, for what, what they proved.
pub fn grant_of(request: &AuthorizeRequest, cleared: &Cleared) -> GrantContext {
    let session = cleared.session();
    GrantContext {
        client_id: request.client_id.clone(),
        user_id: session.user_id.clone(),
        session_id: session.id.clone(),
        scope: request.scope.clone(),
        audience: request.audience.clone(),
        auth_time: session.auth_time,
        acr: request.acr_claim(&session.acr),
        amr: session.amr.clone(),
        family_id: random::id("fam"),
        claims: cleared.claims().clone(),
        jkt: request.dpop_jkt.clone(),
        x5t: None,
    }
}

/// Issues a code for a sign-in the gate cleared and sends the user back to the client (or
/// approves the device that asked); a third-party client the user has not consented to, and
/// every device, gets the consent page first (or, with `prompt=none`, `consent_required`).
pub async fn complete(state: &AppState, cleared: &Cleared) -> AppResult<Response> {
    let (Some(request), session) = (cleared.request(), cleared.session()) else {
        return Err(AppError::Internal(
            "a cleared sign-in without a request".into(),
        ));
    };
    let client = state.client(&request.client_id).await.ok_or_else(|| {
        AppError::page(StatusCode::BAD_REQUEST, crate::tr!("request-unknown-app"))
    })?;
    if super::consent::needed(state, &client, &session.user_id, request).await? {
        if request.prompt.iter().any(|p| p == "none") {
            return Ok(error_redirect(
                state,
                &request.redirect_uri,
                request.state.as_deref(),
                ErrorCode::ConsentRequired,
                "The user has not consented to this application.",
            ));
        }
        let pending = pend(state, request).await?;
        return Ok(Redirect::to(&format!("/u/consent?state={pending}")).into_response());
    }
    if request.device.is_some() {
        return super::device::approve(state, cleared).await;
    }
    let code = random::token();
    let now = state.now();
    let mut code_ttl = state.settings().tokens.code_ttl;
    if state
        .policy(Some(&client.id), request.audience.as_deref())
        .await
        .fapi2
    {
        // FAPI 2.0 §5.3.2.1: at most 60 seconds.
        code_ttl = code_ttl.min(60);
    }
    let record = AuthCode {
        digest: token_digest(&code),
        redirect_uri: request.redirect_uri.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        grant: grant_of(request, cleared),
        expires_at: now + code_ttl,
    };
    state.store().create_code(&record).await?;
    state
        .store()
        .add_session_client(&session.id, &request.client_id)
        .await?;
    let location = add_query(
        &request.redirect_uri,
        &[
            ("code", Some(&code)),
            ("state", request.state.as_deref()),
            ("iss", Some(state.issuer())),
        ],
    );
    Ok(found(&location))
}
