//! The MFA API (DESIGN.md §6, Auth0's shape): list, add and remove a user's authenticators and
//! send challenges. Callers hold an `mfa_token` from an `mfa_required` answer, or an access
//! token for the MFA audience (`<issuer>/mfa/`) with the endpoint's scope, obtained like any
//! other API's token and, by that API's built-in policy, only with a second factor.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::authn::assurance::Method;
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::factor::FactorKind;
use portcullis_core::factor::totp::TotpSecret;
use portcullis_core::model::{Api, Factor, Flow, User};
use portcullis_core::policy::{MfaMode, Policy, PolicyOverrides};
use portcullis_proto::acr::Acr;
use portcullis_proto::claims::AccessTokenClaims;
use portcullis_proto::oauth::ErrorCode;

use super::mfa_grant::{self, Pending};
use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui;

/// Scopes of the MFA audience, as Auth0 names them.
pub const SCOPES: [&str; 3] = ["enroll", "read:authenticators", "remove:authenticators"];

/// The audience of access tokens for the MFA API.
pub fn audience(issuer: &str) -> String {
    format!("{issuer}/mfa/")
}

/// The built-in API behind [`audience`]: short-lived tokens (10 minutes, as Auth0's), and a
/// policy that always asks for a second factor, so a stolen password alone cannot manage
/// factors.
pub fn builtin_api(issuer: &str) -> Api {
    Api {
        id: "api_mfa".into(),
        identifier: audience(issuer),
        name: "MFA API".into(),
        scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
        token_ttl: 600,
        signing_alg: None,
        policy: PolicyOverrides {
            mfa: Some(MfaMode::Always),
            required_acr: Some(Acr::Aal2),
            remember_device_days: Some(0),
            ..PolicyOverrides::default()
        },
        created_at: 0,
    }
}

/// Who calls the MFA API.
enum Caller {
    /// An `mfa_token` (its flow id and record): in the middle of a sign-in.
    MfaToken(String, Box<Pending>),
    /// An access token for the MFA audience, and the token itself.
    Access(Box<AccessTokenClaims>, String),
}

impl Caller {
    fn user_id(&self) -> &str {
        match self {
            Caller::MfaToken(_, p) => &p.user_id,
            Caller::Access(c, _) => &c.sub,
        }
    }

    fn client_id(&self) -> &str {
        match self {
            Caller::MfaToken(_, p) => &p.client_id,
            Caller::Access(c, _) => &c.client_id,
        }
    }

    async fn policy(&self, state: &AppState) -> Policy {
        let audience = match self {
            Caller::MfaToken(_, p) => p.audience.clone(),
            Caller::Access(..) => Some(audience(state.issuer())),
        };
        state
            .policy(Some(self.client_id()), audience.as_deref())
            .await
    }
}

fn unauthorized(code: ErrorCode, description: &str) -> AppError {
    AppError::OAuth {
        status: StatusCode::UNAUTHORIZED,
        code,
        description: description.into(),
        challenge: Some(format!(
            "Bearer realm=\"portcullis\", error=\"{}\"",
            code.as_str()
        )),
    }
}

fn forbidden(code: ErrorCode, description: impl Into<String>) -> AppError {
    AppError::OAuth {
        status: StatusCode::FORBIDDEN,
        code,
        description: description.into(),
        challenge: None,
    }
}

/// Authenticates the caller: an access token (a JWT) must be ours, live, for the MFA audience,
/// carry `scope` and show a second factor if the user has one; anything else is taken as an
/// `mfa_token`.
async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    scope: &str,
    (method, path): (&str, &str),
) -> AppResult<Caller> {
    let presented = super::dpop::authorization(headers).ok_or_else(|| AppError::OAuth {
        status: StatusCode::UNAUTHORIZED,
        code: ErrorCode::InvalidRequest,
        description:
            "An mfa_token or an access token for the MFA API is required as a Bearer token.".into(),
        challenge: Some("Bearer realm=\"portcullis\"".into()),
    })?;
    let token = presented.token();
    if !token.contains('.') {
        let (id, pending) = mfa_grant::lookup(state, token, StatusCode::UNAUTHORIZED).await?;
        return Ok(Caller::MfaToken(id, Box::new(pending)));
    }
    let invalid = || {
        unauthorized(
            ErrorCode::InvalidToken,
            "The access token is invalid, expired or not for the MFA API.",
        )
    };
    let claims = super::mint::verify_access_token(state, token).ok_or_else(invalid)?;
    if !claims.aud.contains(&audience(state.issuer()))
        || state.store().access_token_revoked(&claims.jti).await?
    {
        return Err(invalid());
    }
    super::dpop::check_presented(state, headers, method, path, &presented, &claims).await?;
    if !claims
        .scope
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .any(|s| s == scope)
    {
        return Err(AppError::OAuth {
            status: StatusCode::FORBIDDEN,
            code: ErrorCode::InsufficientScope,
            description: format!("The access token lacks the {scope} scope."),
            challenge: Some(format!(
                "Bearer realm=\"portcullis\", error=\"insufficient_scope\", scope=\"{scope}\""
            )),
        });
    }
    let proved = claims
        .acr
        .as_deref()
        .and_then(Acr::parse)
        .unwrap_or(Acr::Aal1);
    if proved < Acr::Aal2 && !ui::active_factors(state, &claims.sub).await?.is_empty() {
        return Err(forbidden(
            ErrorCode::AccessDenied,
            "The access token was issued without a second factor.",
        ));
    }
    Ok(Caller::Access(Box::new(claims), token.to_string()))
}

/// The per-IP limit of the hosted pages, answered in the API's JSON.
/// Runs a handler body and renders its error.
async fn respond(work: impl Future<Output = AppResult<Response>>) -> Response {
    work.await.unwrap_or_else(IntoResponse::into_response)
}

/// An authenticator in Auth0's shape, if the MFA API can use it (WebAuthn needs a browser):
/// `type` repeats `authenticator_type`, which Auth0's newer SDKs filter on.
fn describe(f: &Factor) -> Option<serde_json::Value> {
    match f.kind {
        FactorKind::Totp => Some(serde_json::json!({
            "id": f.id, "authenticator_type": "otp", "type": "otp", "name": f.name, "active": f.active,
        })),
        FactorKind::Email | FactorKind::Sms => Some(serde_json::json!({
            "id": f.id, "authenticator_type": "oob", "type": "oob", "oob_channel": f.kind.as_str(),
            "name": f.name, "active": f.active,
        })),
        FactorKind::Webauthn => None,
    }
}

#[utoipa::path(
    get,
    path = "/mfa/authenticators",
    tag = "mfa",
    responses((status = 200, description = "Active authenticators the policy allows", body = Vec<crate::mgmt::openapi::AuthenticatorDoc>), crate::mgmt::openapi::MfaErrors),
    security(("mfa" = []))
)]
/// `GET /mfa/authenticators`: the user's active authenticators that the policy allows.
pub async fn authenticators(State(state): State<AppState>, headers: HeaderMap) -> Response {
    respond(async {
        let caller = caller(
            &state,
            &headers,
            "read:authenticators",
            ("GET", "/mfa/authenticators"),
        )
        .await?;
        let policy = caller.policy(&state).await;
        let mut out: Vec<serde_json::Value> = ui::active_factors(&state, caller.user_id())
            .await?
            .iter()
            .filter(|f| policy.allows(f.kind))
            .filter_map(describe)
            .collect();
        if state.store().recovery_codes_left(caller.user_id()).await? > 0 {
            out.push(serde_json::json!({
                "id": "recovery-code", "authenticator_type": "recovery-code", "type": "recovery-code", "active": true,
            }));
        }
        Ok(axum::Json(out).into_response())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/mfa/authenticators/{id}",
    tag = "mfa",
    params(("id" = String, Path, description = "The authenticator id, or recovery-code")),
    responses((status = 204, description = "Removed"), (status = 404, description = "No such authenticator", body = crate::mgmt::openapi::OAuthErrorDoc), crate::mgmt::openapi::MfaErrors),
    security(("mfa" = []))
)]
/// `DELETE /mfa/authenticators/{id}`: removes a factor (or, for `recovery-code`, the recovery
/// codes) and signs the user's other sessions out. Needs an access token with
/// `remove:authenticators`: an `mfa_token` proves the password only.
pub async fn remove(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        let Caller::Access(claims, _) = caller(
            &state,
            &headers,
            "remove:authenticators",
            ("DELETE", &format!("/mfa/authenticators/{id}")),
        )
        .await?
        else {
            return Err(forbidden(
                ErrorCode::AccessDenied,
                "Removing an authenticator needs an access token for the MFA API with remove:authenticators.",
            ));
        };
        let user_id = claims.sub.as_str();
        let removed = if id == "recovery-code" {
            ui::security::remove_recovery_codes(&state, &meta, user_id, Some(&claims.client_id))
                .await?
        } else {
            ui::security::remove_factor(&state, &meta, user_id, &id, claims.sid.as_deref())
                .await?
                .is_some()
        };
        if !removed {
            return Err(AppError::OAuth {
                status: StatusCode::NOT_FOUND,
                code: ErrorCode::InvalidRequest,
                description: "No such authenticator.".into(),
                challenge: None,
            });
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

/// The factor a `/mfa/associate` request asks for: its kind and, for codes, where they go.
fn requested(params: &crate::http::Params) -> AppResult<(FactorKind, Option<String>)> {
    let types: Vec<&str> = params
        .get("authenticator_types")
        .ok_or_else(|| AppError::invalid_request("authenticator_types is required."))?
        .split_whitespace()
        .collect();
    match types.as_slice() {
        ["otp"] => Ok((FactorKind::Totp, None)),
        ["oob"] => {
            let channels: Vec<&str> = params
                .get("oob_channels")
                .unwrap_or_default()
                .split_whitespace()
                .collect();
            let (kind, field) = match channels.as_slice() {
                ["sms"] => (FactorKind::Sms, "phone_number"),
                ["email"] => (FactorKind::Email, "email"),
                _ => {
                    return Err(AppError::invalid_request(
                        "oob_channels must be [\"sms\"] or [\"email\"].",
                    ));
                }
            };
            let raw = params
                .get(field)
                .ok_or_else(|| AppError::invalid_request(format!("{field} is required.")))?;
            let target = ui::enroll::valid_target(kind, raw).ok_or_else(|| {
                AppError::invalid_request(format!(
                    "{field} is not valid{}.",
                    if kind == FactorKind::Sms {
                        " (use international format, like +447700900123)"
                    } else {
                        ""
                    }
                ))
            })?;
            Ok((kind, Some(target)))
        }
        _ => Err(AppError::invalid_request(
            "authenticator_types must be [\"otp\"] or [\"oob\"].",
        )),
    }
}

#[utoipa::path(
    post,
    path = "/mfa/associate",
    tag = "mfa",
    request_body = crate::mgmt::openapi::AssociateRequest,
    responses((status = 200, description = "A pending authenticator", body = crate::mgmt::openapi::AssociateDoc), crate::mgmt::openapi::MfaErrors),
    security(("mfa" = []))
)]
/// `POST /mfa/associate` (JSON or form: `authenticator_types`, and for `oob` the
/// `oob_channels` with `phone_number` or `email`): adds a pending factor, confirmed by the first
/// `mfa-otp` / `mfa-oob` grant with it. With an `mfa_token` only while the user has no factor;
/// afterwards an access token with `enroll` is needed, which itself took a factor.
pub async fn associate(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(async {
        // Each association may send an email or a text message.
        state.limit_api(Class::Enroll, &meta).await?;
        let params = super::token::form(&headers, &body)?;
        let caller = caller(&state, &headers, "enroll", ("POST", "/mfa/associate")).await?;
        if params.get("client_id").is_some() {
            let client = super::client_auth::authenticate(&state, &headers, &params).await?;
            if client.id != caller.client_id() {
                return Err(AppError::invalid_grant(
                    "The token was issued to another client.",
                ));
            }
        }
        let user_id = caller.user_id().to_string();
        let user = state
            .store()
            .user_by_id(&user_id)
            .await?
            .filter(|u| !u.blocked)
            .ok_or_else(|| AppError::invalid_grant("The user may not sign in."))?;
        let existing = state.store().factors(&user_id).await?;
        let first = !existing.iter().any(|f| f.active);
        if !first && matches!(caller, Caller::MfaToken(..)) {
            return Err(forbidden(
                ErrorCode::AccessDenied,
                "User is already enrolled.",
            ));
        }
        let (kind, target) = requested(&params)?;
        if !caller.policy(&state).await.allows(kind) {
            return Err(AppError::invalid_request(format!(
                "The policy does not allow {} for this application.",
                kind.label()
            )));
        }
        // One association waits at a time: an older, unconfirmed one is dropped.
        for old in existing.iter().filter(|f| !f.active) {
            state.store().delete_factor(&user_id, &old.id).await?;
        }
        let mut out = serde_json::Map::new();
        let factor = new_factor(&state, &user, kind, target, &mut out).await?;
        let mut oob = None;
        if kind != FactorKind::Totp {
            let code_id = ui::mfa::send_code(&state, &user_id, &factor, "mfa").await?;
            out.insert("oob_channel".into(), kind.as_str().into());
            out.insert("oob_code".into(), code_id.clone().into());
            out.insert("binding_method".into(), "prompt".into());
            oob = Some((code_id, factor.kind.method()));
        }
        if first {
            let codes = state.factors().issue_recovery_codes(&user_id).await?;
            out.insert("recovery_codes".into(), codes.into());
        }
        bind(&state, &caller, oob).await?;
        state
            .audit(
                "factor.associated",
                &meta,
                Some(&user_id),
                Some(caller.client_id()),
                serde_json::json!({ "factor_id": factor.id, "type": kind.as_str() }),
            )
            .await;
        Ok(axum::Json(out).into_response())
    })
    .await
}

/// Stores a pending factor and describes it in `out` (for TOTP, the secret and its URI).
async fn new_factor(
    state: &AppState,
    user: &User,
    kind: FactorKind,
    target: Option<String>,
    out: &mut serde_json::Map<String, serde_json::Value>,
) -> AppResult<Factor> {
    let now = state.now();
    let id = random::id("fac");
    let mut factor = Factor {
        id: id.clone(),
        user_id: user.id.clone(),
        kind,
        name: kind.label().into(),
        secret_enc: None,
        target,
        credential_id: None,
        detail: serde_json::json!({}),
        sign_count: 0,
        last_step: None,
        active: false,
        created_at: now,
        last_used_at: None,
    };
    out.insert(
        "authenticator_type".into(),
        if kind == FactorKind::Totp {
            "otp"
        } else {
            "oob"
        }
        .into(),
    );
    if kind == FactorKind::Totp {
        let secret = TotpSecret::generate();
        factor.secret_enc = Some(state.factors().seal(&id, secret.as_bytes())?);
        out.insert("secret".into(), secret.base32().into());
        out.insert(
            "barcode_uri".into(),
            secret
                .uri(&ui::enroll::issuer_label(state), &user.email)
                .into(),
        );
    }
    state.store().create_factor(&factor).await?;
    Ok(factor)
}

/// Lets the `mfa-otp` / `mfa-oob` grant confirm the association: an `mfa_token` carries the
/// sent code; an access token gets a record of its own under its digest, so it can stand as the
/// grant's `mfa_token` until it expires.
async fn bind(state: &AppState, caller: &Caller, oob: Option<(String, Method)>) -> AppResult<()> {
    let now = state.now();
    let (id, pending, expires_at) = match caller {
        Caller::MfaToken(id, pending) => {
            let mut pending = (**pending).clone();
            pending.oob = oob;
            (id.clone(), pending, None)
        }
        Caller::Access(claims, token) => {
            let proofs = match &claims.sid {
                Some(sid) => state
                    .store()
                    .session_by_id(sid, now)
                    .await?
                    .map(|s| s.proofs)
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let mut pending = Pending::new(
                &claims.sub,
                &claims.client_id,
                Some(audience(state.issuer())),
                claims.scope.clone().unwrap_or_default(),
                proofs,
            );
            pending.oob = oob;
            (token_digest(token), pending, Some(claims.exp))
        }
    };
    let data = serde_json::to_value(&pending).map_err(|e| AppError::Internal(e.to_string()))?;
    if state.store().update_flow(&id, &data, now).await? {
        return Ok(());
    }
    state
        .store()
        .put_flow(&Flow {
            id,
            kind: mfa_grant::KIND.into(),
            user_id: Some(pending.user_id.clone()),
            data,
            expires_at: expires_at.unwrap_or(now + state.settings().mfa.token_ttl),
        })
        .await?;
    Ok(())
}

/// Records that an association was confirmed by its first use.
pub async fn confirmed(state: &AppState, meta: &ClientMeta, user_id: &str, factor_id: &str) {
    state
        .audit(
            "factor.enrolled",
            meta,
            Some(user_id),
            None,
            serde_json::json!({ "factor_id": factor_id, "via": "mfa_api" }),
        )
        .await;
    let security = format!("{}/u/account/security", state.issuer());
    ui::notify_user(state, user_id, || {
        (
            crate::tr!("email-factor-added-subject"),
            crate::tr!("email-factor-added-api", link = security),
        )
    })
    .await;
}
#[utoipa::path(
    post,
    path = "/mfa/challenge",
    tag = "mfa",
    request_body = crate::mgmt::openapi::ChallengeRequest,
    responses((status = 200, description = "How to answer", body = crate::mgmt::openapi::ChallengeDoc), crate::mgmt::openapi::MfaErrors),
    security(("mfa" = []))
)]
/// `POST /mfa/challenge` (form: `mfa_token`, client credentials, `challenge_type`, optional
/// `authenticator_id`): `otp` says to use the app; `oob` sends a code by email or SMS and
/// answers with its `oob_code`.
pub async fn challenge(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        state.limit_api(Class::Factor, &meta).await?;
        let params = super::token::form(&headers, &body)?;
        let client = super::client_auth::authenticate(&state, &headers, &params).await?;
        let token = params
            .get("mfa_token")
            .ok_or_else(|| AppError::invalid_request("mfa_token is required."))?;
        let (id, mut pending) = mfa_grant::lookup(&state, token, StatusCode::BAD_REQUEST).await?;
        if pending.client_id != client.id {
            return Err(AppError::invalid_grant(
                "The mfa_token was issued to another client.",
            ));
        }
        let policy = state
            .policy(Some(&client.id), pending.audience.as_deref())
            .await;
        let factors: Vec<_> = crate::ui::active_factors(&state, &pending.user_id)
            .await?
            .into_iter()
            .filter(|f| policy.allows(f.kind))
            .collect();
        let wanted = params.get("challenge_type").unwrap_or("otp oob");
        let chosen = params.get("authenticator_id");
        let pick = |kinds: &[FactorKind]| {
            factors
                .iter()
                .find(|f| kinds.contains(&f.kind) && chosen.is_none_or(|c| c == f.id))
        };
        let types: Vec<&str> = wanted.split_whitespace().collect();
        if types.contains(&"otp") && pick(&[FactorKind::Totp]).is_some() {
            return Ok(axum::Json(serde_json::json!({ "challenge_type": "otp" })).into_response());
        }
        let oob = types
            .contains(&"oob")
            .then(|| pick(&[FactorKind::Email, FactorKind::Sms]))
            .flatten()
            .ok_or_else(|| {
                AppError::bad(
                    ErrorCode::InvalidRequest,
                    "No authenticator of the requested challenge_type.",
                )
            })?;
        let code_id = crate::ui::mfa::send_code(&state, &pending.user_id, oob, "mfa").await?;
        pending.oob = Some((code_id.clone(), oob.kind.method()));
        let data = serde_json::to_value(&pending).map_err(|e| AppError::Internal(e.to_string()))?;
        state.store().update_flow(&id, &data, state.now()).await?;
        Ok(axum::Json(serde_json::json!({
            "challenge_type": "oob",
            "oob_code": code_id,
            "binding_method": "prompt",
        }))
        .into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
