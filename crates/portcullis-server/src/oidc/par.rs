//! Pushed authorization requests (RFC 9126). The client posts its authorization request to
//! `/oauth/par`, authenticated, and gets a `request_uri` good once for a minute; the browser
//! then carries only `client_id` and `request_uri` to `/authorize`, so the parameters are
//! neither visible nor alterable in the front channel. The request is validated when pushed
//! (errors go back to the client as JSON, not to the browser), and again when used.
//! A DPoP proof at the push binds the code to its key, as `dpop_jkt` does (RFC 9449 §10.1).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::model::Flow;
use portcullis_proto::oauth::ErrorCode;

use super::dpop::{self, At};
use super::{authorize, client_auth};
use crate::error::{AppError, AppResult};
use crate::http::Params;
use crate::state::AppState;

/// The prefix RFC 9126 §2.2 gives request URIs.
pub const URN: &str = "urn:ietf:params:oauth:request_uri:";

/// How long a pushed request waits for the browser, in seconds.
pub const TTL: i64 = 60;

const KIND: &str = "par";

/// `POST /oauth/par`.
pub async fn push(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match run(&state, &headers, &body).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn run(state: &AppState, headers: &HeaderMap, body: &[u8]) -> AppResult<Response> {
    let mut params = Params::parse(body).map_err(AppError::invalid_request)?;
    let client = client_auth::authenticate(state, headers, &params).await?;
    // A signed request object (RFC 9101) pushed: its claims are the request.
    if let Some(jwt) = params.owned("request") {
        params = super::jar::unpack(state, &client, &jwt)
            .await
            .map_err(|(code, description)| AppError::bad(code, description))?;
    }
    // The browser's `client_id` must match it at `/authorize`; the pushed one is the pusher's.
    params.insert("client_id", &client.id);
    if params.get("request_uri").is_some() {
        return Err(AppError::invalid_request(
            "request_uri may not be pushed (RFC 9126 §2.1).",
        ));
    }
    let url = dpop::url(state, "/oauth/par");
    if let Some(proof) = dpop::proof(state, headers, "POST", &url, None, At::TokenEndpoint).await? {
        match params.get("dpop_jkt") {
            Some(j) if j != proof.jkt => {
                return Err(dpop::invalid(
                    At::TokenEndpoint,
                    "dpop_jkt is not the thumbprint of the proof's key.",
                ));
            }
            _ => params.insert("dpop_jkt", &proof.jkt),
        }
    }
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| AppError::invalid_request("redirect_uri is required."))?;
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(AppError::invalid_request(
            "redirect_uri is not registered for this client.",
        ));
    }
    authorize::check(state, &params, &client, redirect_uri)
        .await
        .map_err(|(code, description)| AppError::bad(code, description))?;
    let token = random::token();
    state
        .store()
        .put_flow(&Flow {
            id: token_digest(&token),
            kind: KIND.into(),
            user_id: None,
            data: serde_json::json!({ "client_id": client.id, "query": params.encode() }),
            expires_at: state.now() + TTL,
        })
        .await?;
    let body = serde_json::json!({ "request_uri": format!("{URN}{token}"), "expires_in": TTL });
    let mut resp = (StatusCode::CREATED, axum::Json(body)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// The pushed request a `request_uri` names, spent: its parameters, if it is live, was pushed
/// by `client_id`, and was not used before.
pub async fn take(
    state: &AppState,
    request_uri: &str,
    client_id: &str,
) -> AppResult<Option<String>> {
    let Some(token) = request_uri.strip_prefix(URN) else {
        return Ok(None);
    };
    let Some(flow) = state
        .store()
        .take_flow(&token_digest(token), state.now())
        .await?
        .filter(|f| f.kind == KIND)
    else {
        return Ok(None);
    };
    if flow.data["client_id"].as_str() != Some(client_id) {
        return Ok(None);
    }
    Ok(flow.data["query"].as_str().map(str::to_string))
}

/// The error of a request that had to be pushed and was not.
pub fn required() -> (ErrorCode, &'static str) {
    (
        ErrorCode::InvalidRequest,
        "This client must push its authorization requests (RFC 9126): use request_uri.",
    )
}
