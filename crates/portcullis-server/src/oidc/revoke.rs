//! Token revocation (RFC 7009) and introspection (RFC 7662).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::crypto::token_digest;
use portcullis_proto::claims::Audience;

use super::{client_auth, mint, token::form};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use portcullis_proto::oauth::ErrorCode;

/// `POST /oauth/revoke`: always 200 for a well-formed request by an authenticated client, whether
/// or not the token was valid (RFC 7009 §2.2).
pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match run_revoke(&state, &headers, &body).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn run_revoke(state: &AppState, headers: &HeaderMap, body: &[u8]) -> AppResult<()> {
    let params = form(headers, body)?;
    let client = client_auth::authenticate(state, headers, &params).await?;
    let token = params
        .get("token")
        .ok_or_else(|| AppError::invalid_request("token is required."))?;
    let now = state.now();
    // RFC 7009 §2.1: a token issued to another client is refused, not silently kept.
    let not_yours = || {
        AppError::bad(
            ErrorCode::UnauthorizedClient,
            "The token was not issued to this client.",
        )
    };
    if let Some(rt) = state
        .store()
        .refresh_token_grant(&token_digest(token), now)
        .await?
    {
        if rt.grant.client_id != client.id {
            return Err(not_yours());
        }
        // Revoking a refresh token revokes its family, including access tokens (§2.1).
        state
            .store()
            .revoke_family(&rt.grant.family_id, now)
            .await?;
        return Ok(());
    }
    if let Some(claims) = mint::verify_access_token(state, token) {
        if claims.client_id != client.id {
            return Err(not_yours());
        }
        state.store().revoke_access_token(&claims.jti, now).await?;
    }
    // An unknown or already invalid token: nothing to do, and the answer is the same (§2.2).
    Ok(())
}

/// `POST /oauth/introspect` for confidential clients (resource servers).
pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match run_introspect(&state, &headers, &body).await {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn run_introspect(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<serde_json::Value> {
    let params = form(headers, body)?;
    let client = client_auth::authenticate(state, headers, &params).await?;
    if client.is_public() {
        return Err(AppError::invalid_client(false));
    }
    let token = params
        .get("token")
        .ok_or_else(|| AppError::invalid_request("token is required."))?;
    let inactive = serde_json::json!({ "active": false });
    if let Some(c) = mint::verify_access_token(state, token) {
        if state.store().access_token_revoked(&c.jti).await? {
            return Ok(inactive);
        }
        let aud = match c.aud {
            Audience::One(a) => serde_json::json!(a),
            Audience::Many(a) => serde_json::json!(a),
        };
        // A bound token says so and names its key (RFC 9449 §6.2) or certificate (RFC 8705 §3.2);
        // a certificate-bound token is still sent as a bearer token.
        let token_type = if c.cnf.as_ref().is_some_and(|c| c.jkt.is_some()) {
            "DPoP"
        } else {
            "Bearer"
        };
        let mut out = serde_json::json!({
            "active": true, "token_type": token_type, "iss": c.iss, "sub": c.sub, "aud": aud,
            "client_id": c.client_id, "exp": c.exp, "iat": c.iat, "jti": c.jti,
        });
        if let Some(cnf) = c.cnf {
            out["cnf"] = serde_json::to_value(cnf).unwrap_or_default();
        }
        for (k, v) in [
            ("scope", c.scope.map(serde_json::Value::from)),
            ("acr", c.acr.map(serde_json::Value::from)),
            ("auth_time", c.auth_time.map(serde_json::Value::from)),
            ("amr", c.amr.map(serde_json::Value::from)),
            ("sid", c.sid.map(serde_json::Value::from)),
        ] {
            if let Some(v) = v {
                out[k] = v;
            }
        }
        return Ok(out);
    }
    if let Some(rt) = state
        .store()
        .refresh_token_grant(&token_digest(token), state.now())
        .await?
    {
        return Ok(serde_json::json!({
            "active": true, "token_type": "refresh_token", "iss": state.issuer(), "sub": rt.grant.user_id,
            "client_id": rt.grant.client_id, "scope": rt.grant.scope, "exp": rt.expires_at, "iat": rt.created_at,
        }));
    }
    Ok(inactive)
}
