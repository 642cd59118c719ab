//! Hosted pages (`/u/*`): server-rendered, usable without JavaScript.

pub(crate) mod ciba;
pub(crate) mod consent;
pub(crate) mod device;
pub(crate) mod device_code;
pub(crate) mod enroll;
pub mod flow;
pub(crate) mod login;
mod magic;
pub(crate) mod mfa;
pub(crate) mod password;
pub mod profile;
pub(crate) mod reset;
pub(crate) mod security;
pub(crate) mod signup;
pub(crate) mod ticket;
pub(crate) mod upstream;

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::crypto::secret::ct_eq;
use portcullis_core::crypto::{b64url, hmac_sha256, random, token_digest};
use portcullis_core::model::Session;

use crate::error::{AppError, AppResult};
use crate::http::{Params, cookie};
use crate::state::AppState;

/// Routes of the hosted pages.
pub fn routes() -> Router<AppState> {
    use axum::routing::post;
    Router::new()
        .route("/u/login", get(login::login_get).post(login::login_post))
        .route("/u/mfa", get(mfa::mfa_get).post(mfa::mfa_post))
        .route(
            "/u/consent",
            get(consent::consent_get).post(consent::consent_post),
        )
        .route("/u/mfa/send", post(mfa::mfa_send))
        .route("/u/ciba", get(ciba::ciba_get).post(ciba::ciba_post))
        .route(
            "/u/device",
            get(device_code::device_get).post(device_code::device_post),
        )
        .route("/u/enroll", get(enroll::choose))
        .route(
            "/u/enroll/totp",
            get(enroll::totp_get).post(enroll::totp_post),
        )
        .route("/u/enroll/oob", get(enroll::oob_get).post(enroll::oob_post))
        .route(
            "/u/enroll/webauthn",
            get(enroll::webauthn_get).post(enroll::webauthn_post),
        )
        .route("/u/enroll/continue", post(enroll::continue_post))
        .route("/u/login/magic", post(magic::magic_request))
        .route("/u/magic", get(magic::magic_get).post(magic::magic_post))
        .route(
            "/u/reset",
            get(reset::request_get).post(reset::request_post),
        )
        .route("/u/reset/password", get(reset::link_get))
        .route(
            "/u/reset/continue",
            axum::routing::post(reset::continue_post),
        )
        .route("/u/reset/new", get(reset::new_get).post(reset::new_post))
        .route(
            "/u/ticket",
            get(ticket::ticket_get).post(ticket::ticket_post),
        )
        .route("/u/login/passkey/options", post(login::passkey_options))
        .route("/u/login/passkey", post(login::passkey_post))
        .route("/u/assets/webauthn.js", get(webauthn_js))
        .route("/u/assets/password.js", get(password::meter_js))
        .route("/u/password/strength", post(password::strength))
        .route(
            "/u/signup",
            get(signup::signup_get).post(signup::signup_post),
        )
        .route(
            "/u/signup/verify",
            get(signup::verify_get).post(signup::verify_post),
        )
        .route("/u/signup/resend", post(signup::resend_post))
        .route(
            "/u/signup/confirm",
            get(signup::confirm_get).post(signup::confirm_post),
        )
        .route(
            "/u/verify",
            get(signup::email_verify_get).post(signup::email_verify_post),
        )
        .route("/u/login/upstream/{name}", get(upstream::start))
        .route("/u/upstream/callback", get(upstream::callback))
        .route(
            "/u/upstream/link",
            get(upstream::link_get).post(upstream::link_post),
        )
        .route(
            "/u/account/security",
            get(security::security_get).post(security::security_post),
        )
        .route(
            "/u/account/profile",
            get(profile::profile_get).post(profile::profile_post),
        )
        .route(
            "/u/account/email",
            get(profile::email_get).post(profile::email_post),
        )
}

/// The hosted pages' WebAuthn script (served from our origin so the CSP nonce covers it).
async fn webauthn_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/webauthn.js"),
    )
        .into_response()
}

/// A user's confirmed factors (pending associations left out), oldest first.
pub(crate) async fn active_factors(
    state: &AppState,
    user_id: &str,
) -> AppResult<Vec<portcullis_core::model::Factor>> {
    let mut factors = state.store().factors(user_id).await?;
    factors.retain(|f| f.active);
    Ok(factors)
}

/// A factor nickname as typed: trimmed, without control or text-direction characters, at most
/// 64 characters.
pub(crate) fn clean_name(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| !c.is_control() && !portcullis_core::identity::hides_text(*c))
        .take(64)
        .collect()
}

/// The page a password link opens (a reset the user asked for, or an administrator's ticket).
pub fn reset_link(issuer: &str, token: &str) -> String {
    format!("{issuer}/u/reset/password?t={token}")
}

/// The app's own logo (its `logo_uri`), shown beside "to continue to <app>".
pub(crate) fn client_logo(state: &AppState, client_id: &str) -> Option<String> {
    state.snapshot().client_logos.get(client_id).cloned()
}

/// A kind of factor in words, in the current language ("Authenticator app").
pub fn kind_label(kind: portcullis_core::factor::FactorKind) -> String {
    // i18n: factor-kind-*
    crate::i18n::t(&format!("factor-kind-{}", kind.as_str()))
}

/// An email with its text and its HTML part ([`notice_html`]).
pub fn email(to: impl Into<String>, subject: &str, text: &str) -> portcullis_core::notify::Message {
    portcullis_core::notify::Message::new(
        portcullis_core::notify::Channel::Email,
        to,
        subject,
        text,
    )
    .with_html(notice_html(subject, text))
}

/// Sends a message in the background: a slow mail server neither slows the page nor tells, by
/// the time the answer takes, which message (if any) went out. Failures are logged.
pub(crate) fn send_later(state: &AppState, message: portcullis_core::notify::Message) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = state.notifier().send(&message).await {
            tracing::warn!(error = %e, subject = %message.subject, "email not delivered");
        }
    });
}

/// Emails a security notice to a user, as text and HTML, written by `compose` (subject, text)
/// in the user's language; failures are logged, never shown.
pub async fn notify_user(
    state: &AppState,
    user_id: &str,
    compose: impl FnOnce() -> (String, String),
) {
    let Ok(Some(user)) = state.store().user_by_id(user_id).await else {
        return;
    };
    let lang = crate::i18n::for_user(state, user_id).await;
    let message = lang.run(|| {
        let (subject, text) = compose();
        email(user.email, &subject, &text)
    });
    if let Err(e) = state.notifier().send(&message).await {
        tracing::warn!(error = %e, "security notice not delivered");
    }
}

/// The HTML part of a notice: its paragraphs escaped, its `https?://` words made links (the
/// "not you?" link to the security page above all).
pub fn notice_html(subject: &str, text: &str) -> String {
    fn escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let mut out = format!(
        "<!doctype html><html lang=\"{}\" dir=\"{}\"><body style=\"font-family:sans-serif\"><h1 style=\"font-size:1.2em\">{}</h1>",
        escape(&crate::i18n::lang()),
        crate::i18n::dir(),
        escape(subject)
    );
    for para in text.split("\n\n") {
        let words: Vec<String> = para
            .split(' ')
            .map(|w| {
                if w.starts_with("https://") || w.starts_with("http://") {
                    format!("<a href=\"{0}\">{0}</a>", escape(w))
                } else {
                    escape(w)
                }
            })
            .collect();
        out.push_str(&format!("<p>{}</p>", words.join(" ").replace('\n', "<br>")));
    }
    out.push_str("</body></html>");
    out
}

/// Cookie names: `__Host-` prefixed (host-only, Secure, Path=/) unless the issuer is plain-http
/// localhost, where browsers refuse `__Host-` cookies without `Secure`.
pub(crate) fn cookie_name(state: &AppState, base: &str) -> String {
    if state.settings().insecure_cookies() {
        format!("portcullis_{base}")
    } else {
        format!("__Host-portcullis_{base}")
    }
}

pub(crate) fn set_cookie(state: &AppState, base: &str, value: &str, max_age: i64) -> String {
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

/// Adds the `Set-Cookie` that removes cookie `base` to a response.
pub(crate) fn clear_cookie(state: &AppState, resp: &mut Response, base: &str) {
    if let Ok(v) = set_cookie(state, base, "", 0).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
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
    let now = state.now();
    let session = state
        .store()
        .session_by_token(&token_digest(token), now)
        .await?;
    if let Some(s) = &session
        && s.last_seen_at
            .is_none_or(|t| now - t >= portcullis_core::model::Session::SEEN_EVERY)
    {
        state.store().touch_session(&s.id, now).await?;
    }
    Ok(session)
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

/// Parses a hosted page's form or query; a repeated field is a 400 page in the reader's language.
pub(crate) fn page_params(raw: &[u8]) -> AppResult<Params> {
    let (params, repeated) = Params::parse_noting_repeats(raw);
    match repeated.first() {
        Some(name) => Err(AppError::page(
            StatusCode::BAD_REQUEST,
            crate::tr!("error-field-repeated", name = name.as_str()),
        )),
        None => Ok(params),
    }
}

/// Parses a posted hosted-page form and checks its CSRF token.
pub(crate) fn posted(state: &AppState, headers: &HeaderMap, body: &[u8]) -> AppResult<Params> {
    let form = page_params(body)?;
    check_csrf(state, headers, form.get("csrf"))?;
    Ok(form)
}

/// Checks a form's CSRF token against the browser's cookie.
pub fn check_csrf(state: &AppState, headers: &HeaderMap, token: Option<&str>) -> AppResult<()> {
    let bad = || AppError::page(StatusCode::FORBIDDEN, crate::tr!("error-csrf"));
    let seed = cookie(headers, &cookie_name(state, "csrf")).ok_or_else(bad)?;
    let expected = b64url(&hmac_sha256(state.csrf_key(), seed.as_bytes()));
    match token {
        Some(t) if ct_eq(t.as_bytes(), expected.as_bytes()) => Ok(()),
        _ => Err(bad()),
    }
}

/// What every form page needs: a CSRF token (and the cookie behind it) and a CSP nonce.
pub(crate) struct PageCtx {
    /// The form's CSRF token.
    pub csrf: String,
    /// The page's CSP nonce.
    pub nonce: String,
    set: Option<String>,
}

impl PageCtx {
    /// A context for a page answering `headers`.
    pub fn new(state: &AppState, headers: &HeaderMap) -> PageCtx {
        let (csrf, set) = csrf(state, headers);
        PageCtx {
            csrf,
            nonce: nonce(),
            set,
        }
    }

    /// Renders a template into a response, with the CSRF cookie and `cookies`.
    pub fn respond(
        self,
        status: StatusCode,
        page: &impl Template,
        cookies: Vec<String>,
    ) -> AppResult<Response> {
        let html = page.render()?;
        let all: Vec<String> = self.set.into_iter().chain(cookies).collect();
        Ok(render(status, html, &all, &self.nonce))
    }
}

/// A `303 See Other` to a local path, with cookies.
pub(crate) fn see_other(location: &str, cookies: &[String]) -> Response {
    let mut resp = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// A fresh Content-Security-Policy nonce: the only styles and scripts a page may run carry it.
pub fn nonce() -> String {
    b64url(&random::bytes::<16>())
}

/// Renders a page with the headers every hosted page carries; `nonce` is the one its template
/// put on its `<style>` and `<script>` elements.
pub fn render(status: StatusCode, html: String, cookies: &[String], nonce: &str) -> Response {
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
    // A brand's logo may come from its own https origin; nothing else is loaded from elsewhere.
    let images = crate::i18n::brand().image_origins.join(" ");
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         img-src 'self' data: {images}; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// What the page an emailed link opens says. It shows one button that spends the link, so mail
/// scanners that fetch every link spend nothing. Its texts are in the page's language.
pub(crate) struct LinkButton {
    /// The heading (and title).
    pub heading: String,
    /// The sentence under it.
    pub lead: String,
    /// Where the button posts the token.
    pub action: &'static str,
    /// The button's label.
    pub button: String,
}

#[derive(Template)]
#[template(path = "link_button.html")]
struct LinkButtonPage<'a> {
    csrf: String,
    nonce: String,
    token: String,
    page: &'a LinkButton,
}

/// Query of the pages emailed links open (`?t=…`).
#[derive(Debug, serde::Deserialize)]
pub struct LinkQuery {
    t: Option<String>,
}

impl LinkQuery {
    /// The token, if the link carried a non-empty one.
    pub fn token(self) -> Option<String> {
        self.t.filter(|t| !t.is_empty())
    }

    /// The token as sent (empty if none): the button's post then finds nothing to spend.
    pub fn raw(self) -> String {
        self.t.unwrap_or_default()
    }
}

/// The page an emailed link opens: `page`'s button, carrying `token`; spends nothing.
pub(crate) fn link_button(
    state: &AppState,
    headers: &HeaderMap,
    token: String,
    page: &LinkButton,
) -> Response {
    let ctx = PageCtx::new(state, headers);
    let html = LinkButtonPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        token,
        page,
    };
    ctx.respond(StatusCode::OK, &html, vec![])
        .unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    heading: &'a str,
    message: &'a str,
    nonce: &'a str,
}

/// A page with a heading and one paragraph.
pub(crate) fn message(status: StatusCode, heading: &str, text: &str) -> Response {
    let nonce = nonce();
    match (Message {
        heading,
        message: text,
        nonce: &nonce,
    })
    .render()
    {
        Ok(html) => render(status, html, &[], &nonce),
        Err(e) => AppError::Internal(e.to_string()).into_response(),
    }
}

/// "2 minutes", "1 hour": a wait in words, in the page's language.
pub fn duration_text(seconds: i64) -> String {
    crate::i18n::duration(seconds)
}

/// An error page for a person.
pub fn error_page(status: StatusCode, text: &str) -> Response {
    message(status, &crate::tr!("error-heading"), text)
}

/// The page after signing out without a redirect.
pub fn signed_out_page() -> Response {
    message(
        StatusCode::OK,
        &crate::tr!("signed-out-heading"),
        &crate::tr!("signed-out-text"),
    )
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
struct LogoutConfirm {
    csrf: String,
    request: String,
    nonce: String,
}

/// Asks the user to confirm signing out.
pub fn logout_confirm(
    state: &AppState,
    headers: &HeaderMap,
    request: String,
) -> AppResult<Response> {
    let (csrf, set) = csrf(state, headers);
    let nonce = nonce();
    let html = LogoutConfirm {
        csrf,
        request,
        nonce: nonce.clone(),
    }
    .render()?;
    Ok(render(
        StatusCode::OK,
        html,
        &set.into_iter().collect::<Vec<_>>(),
        &nonce,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn notice_html_escapes_and_links() {
        let html = super::notice_html(
            "A <new> sign-in",
            "From \"Chrome\" & co.\n\nNot you? Secure your account: http://localhost/u/account/security",
        );
        assert!(html.contains("A &lt;new&gt; sign-in"));
        assert!(html.contains("&quot;Chrome&quot; &amp; co."));
        assert!(html.contains(
            "<a href=\"http://localhost/u/account/security\">http://localhost/u/account/security</a>"
        ));
    }
}
