//! The UserInfo endpoint (OIDC Core §5.3) guarded by an RFC 6750 bearer token.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};

use super::dpop::{self, Presented};
use super::mint;
use crate::error::{AppError, AppResult};
use crate::http::Params;
use crate::state::AppState;

/// `GET|POST /userinfo`.
pub async fn userinfo(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match run(&state, &method, &headers, &body).await {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The access token: in the `Authorization` header, or (RFC 6750 §2.2) the form body's
/// `access_token`; both at once is an error (§2: one method per request).
fn bearer(headers: &HeaderMap, body: &[u8]) -> AppResult<Option<Presented>> {
    let from_header = dpop::authorization(headers);
    let from_body = Params::parse(body)
        .ok()
        .and_then(|p| p.owned("access_token"))
        .map(Presented::Bearer);
    match (from_header, from_body) {
        (Some(_), Some(_)) => Err(AppError::invalid_request(
            "Send the access token in the header or in the body, not both.",
        )),
        (header, body) => Ok(header.or(body)),
    }
}

async fn run(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<serde_json::Value> {
    let presented = bearer(headers, body)?.ok_or_else(|| AppError::OAuth {
        status: axum::http::StatusCode::UNAUTHORIZED,
        code: portcullis_proto::oauth::ErrorCode::InvalidRequest,
        description: "An access token is required.".into(),
        challenge: Some("Bearer realm=\"portcullis\"".into()),
    })?;
    let claims = mint::verify_access_token(state, presented.token())
        .ok_or_else(|| AppError::invalid_token("The access token is invalid or expired."))?;
    dpop::check_presented(
        state,
        headers,
        method.as_str(),
        "/userinfo",
        &presented,
        &claims,
    )
    .await?;
    if !claims.aud.contains(&mint::userinfo_audience(state)) {
        return Err(AppError::invalid_token(
            "The access token is not for the userinfo endpoint.",
        ));
    }
    if state.store().access_token_revoked(&claims.jti).await? {
        return Err(AppError::invalid_token(
            "The access token has been revoked.",
        ));
    }
    let user = state
        .store()
        .user_by_id(&claims.sub)
        .await?
        .filter(|u| !u.blocked)
        .ok_or_else(|| AppError::invalid_token("The user no longer exists."))?;
    let scope = claims.scope.clone().unwrap_or_default();
    let has = |s: &str| scope.split(' ').any(|x| x == s);
    if !has("openid") {
        return Err(AppError::OAuth {
            status: axum::http::StatusCode::FORBIDDEN,
            code: portcullis_proto::oauth::ErrorCode::InsufficientScope,
            description: "The access token lacks the openid scope.".into(),
            challenge: Some(
                "Bearer realm=\"portcullis\", error=\"insufficient_scope\", scope=\"openid\""
                    .into(),
            ),
        });
    }
    let mut out = serde_json::json!({ "sub": user.id });
    if has("email") {
        out["email"] = user.email.into();
        out["email_verified"] = user.email_verified.into();
    }
    if has("profile")
        && let Some(name) = user.name
    {
        out["name"] = name.into();
    }
    Ok(out)
}
