//! The token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6; OIDC Core §3.1.3).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::crypto::secret::ct_eq;
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::model::{Client, GrantContext, RefreshToken, Spent, User};
use portcullis_core::oauth::{join_scope, pkce, split_scope};
use portcullis_proto::oauth::{ErrorCode, TokenResponse};

use super::dpop::{self, At};
use super::{ciba, client_auth, device, exchange, mfa_grant, mint, mtls};
use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, Params};
use crate::ratelimit::Class;
use crate::state::AppState;

/// Every grant type the token endpoint takes, as discovery lists them.
pub const GRANT_TYPES: [&str; 10] = [
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "password",
    device::GRANT,
    exchange::GRANT,
    ciba::GRANT,
    mfa_grant::MFA_OTP,
    mfa_grant::MFA_OOB,
    mfa_grant::MFA_RECOVERY_CODE,
];

/// `POST /oauth/token`.
pub async fn token(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = run(&state, &meta, &headers, &body).await;
    let grant_type = form(&headers, &body)
        .ok()
        .and_then(|p| p.owned("grant_type"))
        .unwrap_or_default();
    let outcome = match &result {
        Ok(_) => "ok",
        Err(AppError::OAuth { code, .. }) => code.as_str(),
        Err(AppError::MfaRequired { .. }) => "mfa_required",
        Err(_) => "error",
    };
    state.metrics().token(&grant_type, outcome);
    match result {
        Ok(tokens) => {
            let mut resp = (StatusCode::OK, axum::Json(tokens)).into_response();
            let h = resp.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            // The nonce for the client's next proof (RFC 9449 §8.2).
            if state.settings().tokens.dpop_require_nonce
                && let Ok(v) = HeaderValue::from_str(&dpop::nonce(&state))
            {
                h.insert(dpop::NONCE_HEADER, v);
            }
            resp
        }
        Err(e) => e.into_response(),
    }
}

/// Parses a form body (RFC 6749 §3.2), or a flat JSON object as Auth0's SDKs send (lists of
/// strings allowed); any other media type is refused.
pub fn form(headers: &HeaderMap, body: &[u8]) -> AppResult<Params> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if media.starts_with("application/x-www-form-urlencoded") {
        return Params::parse(body).map_err(AppError::invalid_request);
    }
    if media.starts_with("application/json") {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
            .map_err(|_| AppError::invalid_request("The body is not a JSON object."))?;
        let mut encoded = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &object {
            match value {
                serde_json::Value::String(s) => encoded.append_pair(key, s),
                serde_json::Value::Number(n) => encoded.append_pair(key, &n.to_string()),
                serde_json::Value::Bool(b) => encoded.append_pair(key, &b.to_string()),
                serde_json::Value::Null => &mut encoded,
                // Lists such as `authenticator_types` travel as space-separated values, like
                // `scope`.
                serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => {
                    let joined: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
                    encoded.append_pair(key, &joined.join(" "))
                }
                _ => {
                    return Err(AppError::invalid_request(format!(
                        "{key} must be a string or a list of strings."
                    )));
                }
            };
        }
        return Params::parse(encoded.finish().as_bytes()).map_err(AppError::invalid_request);
    }
    Err(AppError::invalid_request(
        "Use Content-Type: application/x-www-form-urlencoded (or application/json).",
    ))
}

async fn run(
    state: &AppState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<TokenResponse> {
    let params = form(headers, body)?;
    let grant_type = params
        .get("grant_type")
        .ok_or_else(|| AppError::invalid_request("grant_type is required."))?
        .to_string();
    // Every grant that checks a secret a person chose or received is limited per address
    // before anything is looked at, as on the hosted pages.
    match grant_type.as_str() {
        "password" => state.limit_api(Class::Login, meta).await?,
        mfa_grant::MFA_OTP | mfa_grant::MFA_OOB | mfa_grant::MFA_RECOVERY_CODE => {
            state.limit_api(Class::Factor, meta).await?
        }
        _ => {}
    }
    let client = client_auth::authenticate(state, headers, &params).await?;
    let url = dpop::url(state, "/oauth/token");
    let proof = dpop::proof(state, headers, "POST", &url, None, At::TokenEndpoint).await?;
    let certificate = mtls::binding(state, &client)?;
    mtls::bound_to(
        certificate,
        dpop::bound_to(
            proof.map(|p| p.jkt),
            by_grant(state, meta, &client, &params, &grant_type),
        ),
    )
    .await
}

/// Refuses to mint unbound tokens where the policy of the client, or of the API the tokens are
/// for, wants every token bound: to a DPoP key (`require_dpop`), or to a DPoP key or a client
/// certificate (`fapi2`).
pub(crate) async fn require_bound(
    state: &AppState,
    client: &Client,
    audience: Option<&str>,
) -> AppResult<()> {
    let dpop = dpop::bound_key().is_some();
    let certificate = mtls::bound_thumbprint().is_some();
    if dpop {
        return Ok(());
    }
    let policy = state.policy(Some(&client.id), audience).await;
    if policy.require_dpop {
        return Err(dpop::invalid(
            At::TokenEndpoint,
            "This application or API requires DPoP-bound tokens: send a DPoP proof.",
        ));
    }
    if policy.fapi2 && !certificate {
        return Err(dpop::invalid(
            At::TokenEndpoint,
            "FAPI 2.0 requires sender-constrained tokens: send a DPoP proof, or register tls_client_certificate_bound_access_tokens and connect with a TLS client certificate.",
        ));
    }
    Ok(())
}

/// Refuses a public client's refresh token bound to a certificate this connection did not
/// present (RFC 8705 §4), before anything is spent.
fn require_certificate(grant: &GrantContext) -> AppResult<()> {
    let Some(bound) = grant.x5t.as_deref() else {
        return Ok(());
    };
    let held = crate::tls::client_certificate();
    if held.is_some_and(|c| ct_eq(c.thumbprint.as_bytes(), bound.as_bytes())) {
        return Ok(());
    }
    Err(AppError::invalid_grant(
        "This refresh token is bound to a TLS client certificate: connect with it.",
    ))
}

/// The grant's own work, with the request's DPoP key (if any) for the tokens it mints.
async fn by_grant(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    params: &Params,
    grant_type: &str,
) -> AppResult<TokenResponse> {
    // Before anything is spent: the client's policy, and the API's when the request names one.
    require_bound(state, client, params.get("audience")).await?;
    // The MFA grants continue what the password grant started; the mfa_token is bound to its
    // client, which is the check that matters.
    if [
        mfa_grant::MFA_OTP,
        mfa_grant::MFA_OOB,
        mfa_grant::MFA_RECOVERY_CODE,
    ]
    .contains(&grant_type)
    {
        return mfa_grant::with_factor(state, meta, client, params, grant_type).await;
    }
    if ![
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password",
        device::GRANT,
        exchange::GRANT,
        ciba::GRANT,
    ]
    .contains(&grant_type)
    {
        return Err(AppError::bad(
            ErrorCode::UnsupportedGrantType,
            "This grant type is not supported.",
        ));
    }
    if !client.allows_grant(grant_type) {
        return Err(AppError::bad(
            ErrorCode::UnauthorizedClient,
            "The client may not use this grant type.",
        ));
    }
    // A third-party application never sees the user's password (Auth0's rule too).
    if grant_type == "password" && !client.first_party {
        return Err(AppError::bad(
            ErrorCode::UnauthorizedClient,
            "Third-party applications may not use the password grant.",
        ));
    }
    match grant_type {
        "authorization_code" => authorization_code(state, meta, client, params).await,
        "refresh_token" => refresh_token(state, meta, client, params).await,
        "password" => mfa_grant::password(state, meta, client, params).await,
        device::GRANT => device::redeem(state, meta, client, params, false).await,
        exchange::GRANT => exchange::exchange(state, meta, client, params).await,
        ciba::GRANT => device::redeem(state, meta, client, params, true).await,
        _ => client_credentials(state, client, params).await,
    }
}

async fn authorization_code(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    params: &Params,
) -> AppResult<TokenResponse> {
    let code = params
        .get("code")
        .ok_or_else(|| AppError::invalid_request("code is required."))?;
    let now = state.now();
    let record = match state.store().spend_code(&token_digest(code), now).await? {
        Spent::Fresh(r) => r,
        Spent::Replayed(r) => {
            // RFC 6749 §4.1.2 / RFC 9700 §4.5: a replayed code revokes what it issued.
            state.store().revoke_family(&r.grant.family_id, now).await?;
            audit(
                state,
                meta,
                "token.code_replay",
                &r.grant,
                serde_json::json!({}),
            )
            .await;
            return Err(AppError::invalid_grant(
                "The authorization code has already been used.",
            ));
        }
        Spent::Missing => {
            return Err(AppError::invalid_grant(
                "The authorization code is invalid.",
            ));
        }
    };
    if record.grant.client_id != client.id {
        return Err(AppError::invalid_grant(
            "The authorization code was issued to another client.",
        ));
    }
    if record.expires_at <= now {
        return Err(AppError::invalid_grant(
            "The authorization code has expired.",
        ));
    }
    // A code bound by `dpop_jkt` is redeemed only with a proof by that key (RFC 9449 §10).
    if let Some(bound) = record.grant.jkt.as_deref()
        && dpop::bound_key().as_deref() != Some(bound)
    {
        return Err(dpop::invalid(
            At::TokenEndpoint,
            "The authorization code is bound to a DPoP key (dpop_jkt): send a proof signed by it.",
        ));
    }
    if params.get("redirect_uri") != Some(record.redirect_uri.as_str()) {
        return Err(AppError::invalid_grant(
            "redirect_uri does not match the authorization request.",
        ));
    }
    match (&record.code_challenge, params.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if pkce::verify_s256(verifier, challenge) => {}
        (Some(_), Some(_)) => return Err(AppError::invalid_grant("PKCE verification failed.")),
        (Some(_), None) => return Err(AppError::invalid_grant("code_verifier is required.")),
        (None, Some(_)) => {
            return Err(AppError::invalid_grant(
                "code_verifier given but the request had no code_challenge.",
            ));
        }
        (None, None) => {}
    }
    if state
        .store()
        .session_by_id(&record.grant.session_id, now)
        .await?
        .is_none()
    {
        return Err(AppError::invalid_grant(
            "The session behind this code has ended.",
        ));
    }
    if let Some(err) = mfa_grant::exchange_needs_factor(
        state,
        meta,
        client,
        &record.grant,
        record.nonce.as_deref(),
    )
    .await?
    {
        return Err(err);
    }
    issue(state, client, &record.grant, record.nonce.as_deref()).await
}

async fn refresh_token(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    params: &Params,
) -> AppResult<TokenResponse> {
    let presented = params
        .get("refresh_token")
        .ok_or_else(|| AppError::invalid_request("refresh_token is required."))?;
    let digest = token_digest(presented);
    let now = state.now();
    let Some(live) = state.store().refresh_token_grant(&digest, now).await? else {
        // Not live: a replay of a rotated token is punished, anything else is just invalid.
        return match state.store().spend_refresh_token(&digest, now).await? {
            Spent::Replayed(t) => replayed(state, meta, client, params, t, None).await,
            _ => Err(AppError::invalid_grant(
                "The refresh token is invalid, expired or revoked.",
            )),
        };
    };
    // A bound refresh token works only with a proof by its key (RFC 9449 §5); checked before
    // anything is spent, so a thief without the key burns nothing.
    if let Some(bound) = live.grant.jkt.as_deref()
        && dpop::bound_key().as_deref() != Some(bound)
    {
        return Err(dpop::invalid(
            At::TokenEndpoint,
            "This refresh token is bound to a DPoP key: send a proof signed by that key.",
        ));
    }
    require_certificate(&live.grant)?;
    let next = successor(state, meta, client, params, &live).await?;
    match state
        .store()
        .rotate_refresh_token(
            &digest,
            now,
            &next.record,
            &next.access.jti,
            now + next.access.expires_in,
        )
        .await?
    {
        Spent::Fresh(_) => Ok(next.respond()),
        // Lost a race with another use of the same token: that is reuse too (or, within the
        // reuse interval, a second successor).
        Spent::Replayed(t) => replayed(state, meta, client, params, t, Some(next)).await,
        Spent::Missing => Err(AppError::invalid_grant(
            "The refresh token is invalid, expired or revoked.",
        )),
    }
}

/// What a refresh answers with, and the refresh token that replaces the presented one.
struct Successor {
    access: mint::AccessToken,
    id_token: Option<String>,
    token: String,
    record: RefreshToken,
    scope: String,
}

impl Successor {
    fn respond(self) -> TokenResponse {
        respond(self.access, self.id_token, Some(self.token), &self.scope)
    }
}

/// Checks a refresh of `from` (owner, audience and scope, the API's policy) and mints its
/// answer. Nothing is spent: owner and scope are checked first, so a bad request neither burns
/// the token nor lets one client burn another's, and an unmet policy leaves it usable once the
/// factor is proved.
async fn successor(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    params: &Params,
    from: &RefreshToken,
) -> AppResult<Successor> {
    if from.grant.client_id != client.id {
        return Err(AppError::invalid_grant(
            "The refresh token was issued to another client.",
        ));
    }
    let requested = params.get("scope").map(split_scope);
    let grant = refresh_target(
        state,
        client,
        &from.grant,
        params.get("audience"),
        requested,
    )?;
    let mut grant = grant;
    let user = grant_user(state, &grant).await?;
    let trigger = crate::actions::Trigger::grant(
        &user,
        client,
        grant.audience.as_deref(),
        &grant.scope,
        "refresh_token",
        crate::actions::Proved::Grant(&grant.amr, grant.auth_time),
    );
    let decision = crate::actions::post_login(state, meta, trigger).await?;
    if let Some(reason) = decision.deny {
        return Err(mfa_grant::action_denied(reason));
    }
    // The Actions run again on every refresh: the claims are theirs now, not the sign-in's.
    grant.claims = decision.claims;
    let ask = decision.ask.as_ref();
    if let Some(err) =
        mfa_grant::refresh_needs_factor(state, meta, client, &grant, &user, &from.digest, ask)
            .await?
    {
        return Err(err);
    }
    require_bound(state, client, grant.audience.as_deref()).await?;
    let (access, id_token) = mint_pair(state, client, &grant, &user, None)?;
    // The successor keeps the family's absolute expiry and the original scope, so narrowing one
    // access token does not narrow later refreshes.
    let token = random::token();
    let mut record = RefreshToken {
        digest: token_digest(&token),
        grant: from.grant.clone(),
        created_at: state.now(),
        expires_at: from.expires_at,
    };
    if client.is_public() && record.grant.jkt.is_none() {
        record.grant.jkt = dpop::bound_key();
    }
    if client.is_public() && record.grant.x5t.is_none() {
        record.grant.x5t = mtls::bound_thumbprint();
    }
    Ok(Successor {
        access,
        id_token,
        token,
        record,
        scope: grant.scope,
    })
}

/// A rotated refresh token presented again. Within `[tokens] refresh_reuse_interval` seconds
/// of its rotation (Auth0's reuse interval, Okta's grace period) it gets a second successor in
/// the same family: the client whose answer was lost (a node killed mid-request, a dropped
/// connection) retries without losing its sign-in. Later, or with no interval, it is reuse: the
/// family is revoked. `minted` is the successor already made when a rotation lost its race.
async fn replayed(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    params: &Params,
    old: RefreshToken,
    minted: Option<Successor>,
) -> AppResult<TokenResponse> {
    let interval = state.settings().tokens.refresh_reuse_interval;
    if interval > 0 && old.grant.client_id == client.id {
        let now = state.now();
        let next = match minted {
            Some(next) => next,
            None => successor(state, meta, client, params, &old).await?,
        };
        if state
            .store()
            .reissue_refresh_token(
                &old.digest,
                now - interval,
                now,
                &next.record,
                &next.access.jti,
                now + next.access.expires_in,
            )
            .await?
        {
            audit(
                state,
                meta,
                "token.refresh_reissued",
                &old.grant,
                serde_json::json!({ "reuse_interval": interval }),
            )
            .await;
            return Ok(next.respond());
        }
    }
    Err(reuse_detected(state, meta, &old.grant).await?)
}

/// What a refresh mints for (Auth0's multi-resource refresh): the original API, or another
/// API the client holds a client grant on, with the scopes asked for. The original grant's
/// OIDC scopes may be narrowed, never widened; another API's scopes are those it defines and
/// the client grant allows. An audience the client may not have is refused, never ignored.
fn refresh_target(
    state: &AppState,
    client: &Client,
    original: &GrantContext,
    audience: Option<&str>,
    requested: Option<Vec<String>>,
) -> AppResult<GrantContext> {
    let mut grant = original.clone();
    let same = audience.is_none_or(|a| Some(a) == original.audience.as_deref());
    if same {
        if let Some(requested) = requested {
            let granted = split_scope(&original.scope);
            if requested.iter().any(|s| !granted.contains(s)) {
                return Err(AppError::bad(
                    ErrorCode::InvalidScope,
                    "scope exceeds the original grant.",
                ));
            }
            grant.scope = join_scope(&requested);
        }
        return Ok(grant);
    }
    let audience = audience.unwrap_or_default();
    let snapshot = state.snapshot();
    if !snapshot.apis.contains_key(audience) {
        return Err(AppError::invalid_request(
            "The audience is not a known API.",
        ));
    }
    let granted = snapshot
        .grants
        .contains_key(&(client.id.clone(), audience.to_string()));
    if !granted || super::consent::forbidden_audience(state, client, Some(audience)) {
        return Err(AppError::forbidden(
            "The client may not obtain tokens for this API.",
        ));
    }
    let original_scope = split_scope(&original.scope);
    let oidc = |s: &String| super::consent::OIDC_SCOPES.contains(&s.as_str());
    // Without a scope: the original OIDC scopes and every scope the client grant allows on
    // this API (Auth0's multi-resource refresh does the same).
    let requested = requested.unwrap_or_else(|| {
        let mut all: Vec<String> = original_scope.iter().filter(|s| oidc(s)).cloned().collect();
        if let Some(g) = snapshot
            .grants
            .get(&(client.id.clone(), audience.to_string()))
        {
            all.extend(g.iter().cloned());
        }
        all
    });
    let allowed = split_scope(&super::consent::user_scope(
        state,
        client,
        Some(audience),
        &join_scope(&requested),
    ));
    if let Some(bad) = requested
        .iter()
        .find(|s| !allowed.contains(s) || (oidc(s) && !original_scope.contains(s)))
    {
        return Err(AppError::bad(
            ErrorCode::InvalidScope,
            format!("scope {bad} may not be asked for this API."),
        ));
    }
    grant.audience = Some(audience.to_string());
    grant.scope = join_scope(&requested);
    Ok(grant)
}

/// Reuse of a rotated refresh token means it leaked: revoke the whole family (RFC 9700 §4.14.2).
async fn reuse_detected(
    state: &AppState,
    meta: &ClientMeta,
    grant: &GrantContext,
) -> AppResult<AppError> {
    state
        .store()
        .revoke_family(&grant.family_id, state.now())
        .await?;
    audit(
        state,
        meta,
        "token.refresh_reuse",
        grant,
        serde_json::json!({}),
    )
    .await;
    Ok(AppError::invalid_grant(
        "The refresh token has already been used.",
    ))
}

async fn client_credentials(
    state: &AppState,
    client: &Client,
    params: &Params,
) -> AppResult<TokenResponse> {
    if client.is_public() {
        return Err(AppError::bad(
            ErrorCode::UnauthorizedClient,
            "Public clients cannot use client_credentials.",
        ));
    }
    let audience = params
        .get("audience")
        .ok_or_else(|| AppError::invalid_request("audience is required for client_credentials."))?;
    if super::consent::forbidden_audience(state, client, Some(audience)) {
        return Err(AppError::forbidden(
            "Third-party applications may not access this API.",
        ));
    }
    let key = (client.id.clone(), audience.to_string());
    let mut snapshot = state.snapshot();
    if !snapshot.grants.contains_key(&key) {
        // A grant made a moment ago by the CLI or API may not be cached yet.
        if let Err(e) = state.refresh().await {
            tracing::warn!(error = %e, "configuration reload failed");
        }
        snapshot = state.snapshot();
    }
    let api = snapshot
        .apis
        .get(audience)
        .ok_or_else(|| AppError::invalid_request("The audience is not a known API."))?;
    let granted = snapshot
        .grants
        .get(&key)
        .ok_or_else(|| AppError::forbidden("The client is not authorized to access this API."))?;
    let scope = join_scope(&within(params.get("scope"), granted)?);
    let at = mint::client_access_token(state, client, &api.identifier, api.token_ttl, &scope)?;
    Ok(TokenResponse {
        token_type: at.token_type().into(),
        access_token: at.token,
        expires_in: at.expires_in,
        id_token: None,
        refresh_token: None,
        scope: (!scope.is_empty()).then_some(scope),
        recovery_code: None,
        issued_token_type: None,
    })
}

/// The scopes asked for, all of them in `allowed`; without a `scope`, everything allowed.
pub(crate) fn within(asked: Option<&str>, allowed: &[String]) -> AppResult<Vec<String>> {
    let Some(asked) = asked else {
        return Ok(allowed.to_vec());
    };
    let asked = split_scope(asked);
    if let Some(bad) = asked.iter().find(|s| !allowed.contains(s)) {
        return Err(AppError::bad(
            ErrorCode::InvalidScope,
            format!("scope {bad} was not granted to this client for this use."),
        ));
    }
    Ok(asked)
}

fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split(' ').any(|s| s == wanted)
}

/// The user behind a grant, if they may still get tokens.
async fn grant_user(state: &AppState, grant: &GrantContext) -> AppResult<User> {
    match state.store().user_by_id(&grant.user_id).await? {
        Some(u) if !u.blocked => Ok(u),
        _ => Err(AppError::invalid_grant(
            "The user is no longer allowed to sign in.",
        )),
    }
}

/// Signs the access token and, with `openid`, the ID token.
fn mint_pair(
    state: &AppState,
    client: &Client,
    grant: &GrantContext,
    user: &User,
    nonce: Option<&str>,
) -> AppResult<(mint::AccessToken, Option<String>)> {
    let access = mint::user_access_token(state, client, grant)?;
    let id_token = if has_scope(&grant.scope, "openid") {
        Some(mint::id_token(state, client, grant, user, nonce)?)
    } else {
        None
    };
    Ok((access, id_token))
}

fn respond(
    access: mint::AccessToken,
    id_token: Option<String>,
    refresh: Option<String>,
    scope: &str,
) -> TokenResponse {
    TokenResponse {
        token_type: access.token_type().into(),
        access_token: access.token,
        expires_in: access.expires_in,
        id_token,
        refresh_token: refresh,
        scope: Some(scope.to_string()),
        recovery_code: None,
        issued_token_type: None,
    }
}

/// Issues tokens for a code exchange: access token, ID token with `openid`, and a refresh token
/// with `offline_access` when the client may refresh.
pub(crate) async fn issue(
    state: &AppState,
    client: &Client,
    grant: &GrantContext,
    nonce: Option<&str>,
) -> AppResult<TokenResponse> {
    require_bound(state, client, grant.audience.as_deref()).await?;
    let user = grant_user(state, grant).await?;
    let now = state.now();
    // A public client's refresh tokens are bound to the key it proved (RFC 9449 §5); a
    // confidential client's are held by its credentials already.
    let mut grant = grant.clone();
    (grant.jkt, grant.x5t) = if client.is_public() {
        (dpop::bound_key(), mtls::bound_thumbprint())
    } else {
        (None, None)
    };
    let grant = &grant;
    let (access, id_token) = mint_pair(state, client, grant, &user, nonce)?;
    state
        .store()
        .record_access_token(&access.jti, &grant.family_id, now + access.expires_in)
        .await?;
    let refresh =
        if has_scope(&grant.scope, "offline_access") && client.allows_grant("refresh_token") {
            Some(
                new_refresh(
                    state,
                    grant.clone(),
                    now + state.settings().tokens.refresh_ttl,
                )
                .await?,
            )
        } else {
            None
        };
    Ok(respond(access, id_token, refresh, &grant.scope))
}

async fn new_refresh(state: &AppState, grant: GrantContext, expires_at: i64) -> AppResult<String> {
    let token = random::token();
    let record = RefreshToken {
        digest: token_digest(&token),
        grant,
        created_at: state.now(),
        expires_at,
    };
    state.store().create_refresh_token(&record).await?;
    Ok(token)
}

async fn audit(
    state: &AppState,
    meta: &ClientMeta,
    kind: &str,
    grant: &GrantContext,
    detail: serde_json::Value,
) {
    tracing::warn!(kind, client_id = %grant.client_id, user_id = %grant.user_id, "token replay detected");
    state
        .audit(kind, meta, Some(grant.user_id.as_str()), Some(grant.client_id.as_str()), serde_json::json!({ "family_id": grant.family_id, "session_id": grant.session_id, "extra": detail }))
        .await;
}
