//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
//!
//! With an `id_token_hint` for the current session the user is signed out at once; without one
//! they confirm on a page first, so a cross-site link cannot sign them out.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::mint;
use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, Params};
use crate::state::AppState;
use crate::ui;

struct LogoutRequest {
    redirect: Option<String>,
    hint_sid: Option<String>,
    hint_client: Option<String>,
    client_id: Option<String>,
}

async fn parse(state: &AppState, params: &Params) -> AppResult<LogoutRequest> {
    let hint = match params.get("id_token_hint") {
        Some(t) => Some(mint::verify_id_token_hint(state, t).await.ok_or_else(|| {
            AppError::page(StatusCode::BAD_REQUEST, crate::tr!("logout-bad-hint"))
        })?),
        None => None,
    };
    let hint_client = hint
        .as_ref()
        .and_then(|c| c["aud"].as_str().map(str::to_string));
    let client_id = params.owned("client_id");
    if let (Some(a), Some(b)) = (&hint_client, &client_id)
        && a != b
    {
        return Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("logout-hint-mismatch"),
        ));
    }
    let redirect = match params.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let id = client_id
                .clone()
                .or_else(|| hint_client.clone())
                .ok_or_else(|| {
                    AppError::page(
                        StatusCode::BAD_REQUEST,
                        crate::tr!("logout-redirect-needs-client"),
                    )
                })?;
            let client = state.client(&id).await.ok_or_else(|| {
                AppError::page(StatusCode::BAD_REQUEST, crate::tr!("request-unknown-app"))
            })?;
            if !client.post_logout_redirect_uris.iter().any(|u| u == uri) {
                return Err(AppError::page(
                    StatusCode::BAD_REQUEST,
                    crate::tr!("logout-redirect-unregistered"),
                ));
            }
            let mut url = url::Url::parse(uri).map_err(|_| {
                AppError::page(StatusCode::BAD_REQUEST, crate::tr!("logout-bad-uri"))
            })?;
            if let Some(s) = params.get("state") {
                url.query_pairs_mut().append_pair("state", s);
            }
            Some(url.to_string())
        }
    };
    Ok(LogoutRequest {
        redirect,
        hint_sid: hint
            .as_ref()
            .and_then(|c| c["sid"].as_str().map(str::to_string)),
        hint_client,
        client_id,
    })
}

/// Parses a logout request's parameters, refusing a repeated one on a page.
fn page_params(raw: &[u8]) -> AppResult<Params> {
    let (params, repeated) = Params::parse_noting_repeats(raw);
    match repeated.first() {
        Some(name) => Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("logout-param-repeated", name = name),
        )),
        None => Ok(params),
    }
}

/// `GET /oidc/logout`.
pub async fn logout_get(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let result = async {
        let params = page_params(q.unwrap_or_default().as_bytes())?;
        rp_initiated(&state, &meta, &headers, &params).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// An RP-initiated logout request, by GET or POST (§2: the OP supports both).
async fn rp_initiated(
    state: &AppState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    params: &Params,
) -> AppResult<Response> {
    let req = parse(state, params).await?;
    match ui::current_session(state, headers).await? {
        None => {
            tracing::info!("logout without a current session");
            Ok(finish(state, req.redirect))
        }
        Some(s) if req.hint_sid.as_deref() == Some(s.id.as_str()) => {
            end_session(state, meta, &s, req.hint_client.or(req.client_id)).await?;
            Ok(finish(state, req.redirect))
        }
        Some(_) => ui::logout_confirm(state, headers, q_string(params)),
    }
}

fn q_string(params: &Params) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for key in [
        "post_logout_redirect_uri",
        "state",
        "client_id",
        "id_token_hint",
    ] {
        if let Some(v) = params.get(key) {
            out.append_pair(key, v);
        }
    }
    out.finish()
}

/// `POST /oidc/logout`: an RP-initiated request sent as a form, or our confirmation form
/// (CSRF-checked).
pub async fn logout_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = page_params(&body)?;
        // Without our confirmation form's fields, it is an RP-initiated request sent by POST.
        if form.get("csrf").is_none() && form.get("request").is_none() {
            return rp_initiated(&state, &meta, &headers, &form).await;
        }
        ui::check_csrf(&state, &headers, form.get("csrf"))?;
        let original = page_params(form.get("request").unwrap_or("").as_bytes())?;
        let req = parse(&state, &original).await?;
        if let Some(s) = ui::current_session(&state, &headers).await? {
            end_session(&state, &meta, &s, req.client_id.or(req.hint_client)).await?;
        }
        Ok(finish(&state, req.redirect))
    }
    .await;
    result.unwrap_or_else(|e: AppError| e.into_response())
}

async fn end_session(
    state: &AppState,
    meta: &ClientMeta,
    session: &portcullis_core::model::Session,
    client_id: Option<String>,
) -> AppResult<()> {
    tracing::info!(session_id = %session.id, "session ended by RP-initiated logout");
    crate::sessions::end(state, meta, session, "logout", client_id.as_deref()).await
}

fn finish(state: &AppState, redirect: Option<String>) -> Response {
    let clear = ui::clear_session_cookie(state);
    match redirect {
        Some(location) => (
            StatusCode::FOUND,
            [(header::LOCATION, location), (header::SET_COOKIE, clear)],
        )
            .into_response(),
        None => {
            let mut resp = ui::signed_out_page();
            if let Ok(v) = clear.parse() {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            resp
        }
    }
}
