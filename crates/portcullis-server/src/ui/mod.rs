//! Hosted pages (`/u/*`): server-rendered, usable without JavaScript.

mod login;

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::crypto::secret::ct_eq;
use portcullis_core::crypto::{b64url, hmac_sha256, random, token_digest};
use portcullis_core::model::Session;

use crate::error::{AppError, AppResult};
use crate::http::cookie;
use crate::state::AppState;

/// Routes of the hosted pages.
pub fn routes() -> Router<AppState> {
    Router::new().route("/u/login", get(login::login_get).post(login::login_post))
}

/// Cookie names: `__Host-` prefixed (host-only, Secure, Path=/) unless the issuer is plain-http
/// localhost, where browsers refuse `__Host-` cookies without `Secure`.
fn cookie_name(state: &AppState, base: &str) -> String {
    if state.settings().insecure_cookies() {
        format!("portcullis_{base}")
    } else {
        format!("__Host-portcullis_{base}")
    }
}

fn set_cookie(state: &AppState, base: &str, value: &str, max_age: i64) -> String {
    let secure = if state.settings().insecure_cookies() {
        ""
    } else {
        "; Secure"
    };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        cookie_name(state, base)
    )
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    set_cookie(state, "session", token, state.settings().session.lifetime)
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(state: &AppState) -> String {
    set_cookie(state, "session", "", 0)
}

/// The live session named by the request's cookie.
pub async fn current_session(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Session>> {
    let Some(token) = cookie(headers, &cookie_name(state, "session")) else {
        return Ok(None);
    };
    if token.is_empty() {
        return Ok(None);
    }
    Ok(state
        .store()
        .session_by_token(&token_digest(token), state.now())
        .await?)
}

/// A CSRF token for a form, and the cookie to set if the browser has none yet. The token is a MAC
/// of a random per-browser cookie (signed double-submit), so it needs no server-side state.
pub fn csrf(state: &AppState, headers: &HeaderMap) -> (String, Option<String>) {
    let name = cookie_name(state, "csrf");
    let (seed, set) = match cookie(headers, &name).filter(|v| v.len() >= 32) {
        Some(v) => (v.to_string(), None),
        None => {
            let v = random::token();
            let set = set_cookie(state, "csrf", &v, 86400);
            (v, Some(set))
        }
    };
    (b64url(&hmac_sha256(state.csrf_key(), seed.as_bytes())), set)
}

/// Checks a form's CSRF token against the browser's cookie.
pub fn check_csrf(state: &AppState, headers: &HeaderMap, token: Option<&str>) -> AppResult<()> {
    let bad = || {
        AppError::page(
            StatusCode::FORBIDDEN,
            "The form expired or came from another site. Go back and try again.",
        )
    };
    let seed = cookie(headers, &cookie_name(state, "csrf")).ok_or_else(bad)?;
    let expected = b64url(&hmac_sha256(state.csrf_key(), seed.as_bytes()));
    match token {
        Some(t) if ct_eq(t.as_bytes(), expected.as_bytes()) => Ok(()),
        _ => Err(bad()),
    }
}

/// Renders a page with the headers every hosted page carries.
pub fn render(status: StatusCode, html: String, cookies: &[String]) -> Response {
    let mut resp = (status, axum::response::Html(html)).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"),
    );
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    resp
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    heading: &'a str,
    message: &'a str,
}

fn message(status: StatusCode, heading: &str, text: &str) -> Response {
    match (Message {
        heading,
        message: text,
    })
    .render()
    {
        Ok(html) => render(status, html, &[]),
        Err(e) => AppError::Internal(e.to_string()).into_response(),
    }
}

/// An error page for a person.
pub fn error_page(status: StatusCode, text: &str) -> Response {
    message(status, "Something went wrong", text)
}

/// The page after signing out without a redirect.
pub fn signed_out_page() -> Response {
    message(
        StatusCode::OK,
        "Signed out",
        "You have been signed out. You can close this window.",
    )
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
struct LogoutConfirm {
    csrf: String,
    request: String,
}

/// Asks the user to confirm signing out.
pub fn logout_confirm(
    state: &AppState,
    headers: &HeaderMap,
    request: String,
) -> AppResult<Response> {
    let (csrf, set) = csrf(state, headers);
    let html = LogoutConfirm { csrf, request }.render()?;
    Ok(render(
        StatusCode::OK,
        html,
        &set.into_iter().collect::<Vec<_>>(),
    ))
}
