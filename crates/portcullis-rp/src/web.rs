//! The routes (`/login`, `/callback`, `/logout`, `/profile`, `/access-token`,
//! `/backchannel-logout` under the prefix), the session middleware that loads and stores the
//! session around every request, and the extractor handlers use.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::error::RpError;
use crate::rp::{LoginOptions, Rp, safe_return};
use crate::session::{Session, TokenSet};

#[derive(Default)]
struct Slot {
    session: Option<Session>,
    store_id: Option<String>,
    dirty: bool,
}

/// The request's session, shared between the layer and the handlers.
#[derive(Clone)]
pub struct UserSession {
    rp: Rp,
    slot: Arc<Mutex<Slot>>,
}

impl std::fmt::Debug for UserSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserSession").finish_non_exhaustive()
    }
}

impl UserSession {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The signed-in user's session, if any.
    pub fn get(&self) -> Option<Session> {
        self.lock().session.clone()
    }

    /// The session, or `NotSignedIn`.
    pub fn require(&self) -> Result<Session, RpError> {
        self.get().ok_or(RpError::NotSignedIn)
    }

    /// Replaces (or with `None`, ends) the session; written to the response.
    pub fn set(&self, session: Option<Session>) {
        let mut slot = self.lock();
        slot.session = session;
        slot.dirty = true;
    }

    /// An access token for `audience` (the configured API when `None`), refreshed when near
    /// expiry; the refreshed tokens are saved with the response.
    pub async fn access_token(&self, audience: Option<&str>) -> Result<TokenSet, RpError> {
        let mut session = self.require()?;
        let before = session.tokens.clone();
        let result = self.rp.get_access_token(&mut session, audience).await;
        if session.tokens != before {
            self.set(Some(session));
        }
        result
    }

    /// Sends the user through authorization again for `acr` and/or `max_age`, coming back to
    /// `return_to`: the answer to give when an API said `step_up_required`.
    pub fn step_up(&self, return_to: &str, acr: Option<&str>, max_age: Option<i64>) -> Response {
        step_up(&self.rp, return_to, acr, max_age)
    }
}

/// A redirect to `/login` asking for `acr` and/or `max_age`, returning to `return_to`.
pub fn step_up(rp: &Rp, return_to: &str, acr: Option<&str>, max_age: Option<i64>) -> Response {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("return_to", &safe_return(Some(return_to)));
    if let Some(a) = acr {
        q.append_pair("acr_values", a);
    }
    if let Some(m) = max_age {
        q.append_pair("max_age", &m.to_string());
    }
    Redirect::to(&format!("{}/login?{}", rp.config().prefix, q.finish())).into_response()
}

impl<S: Send + Sync> FromRequestParts<S> for UserSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        parts
            .extensions
            .get::<UserSession>()
            .cloned()
            .ok_or_else(|| {
                tracing::error!("UserSession used without the relying party's layer");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            })
    }
}

/// Loads the session before the request and stores it after (see [`Rp::wrap`]).
async fn session_middleware(State(rp): State<Rp>, mut req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let loaded = rp.load(&headers).await;
    let had_cookie = crate::seal::cookies(&headers)
        .iter()
        .any(|(n, _)| n.starts_with(&rp.config().cookie_name) && !n.ends_with("_tx"));
    let mut slot = Slot::default();
    if let Some((mut session, id)) = loaded {
        // Rolling: each request moves the inactivity deadline; the cookie is rewritten when
        // that is worth a header.
        if rp.due_for_roll(&session) {
            session.last_seen = rp.now();
            slot.dirty = true;
        }
        slot.session = Some(session);
        slot.store_id = id;
    } else if had_cookie {
        // Expired, logged out or unreadable: clear it.
        slot.dirty = true;
    }
    let handle = UserSession {
        rp: rp.clone(),
        slot: Arc::new(Mutex::new(slot)),
    };
    req.extensions_mut().insert(handle.clone());
    let mut resp = next.run(req).await;
    let (session, id, dirty) = {
        let mut slot = handle.lock();
        (slot.session.take(), slot.store_id.take(), slot.dirty)
    };
    if dirty {
        for cookie in rp.store(session.as_ref(), id, &headers).await {
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
        }
    }
    resp
}

impl Rp {
    /// The sign-in routes, mounted under the configured prefix.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let rp = self.clone();
        let routes = Router::new()
            .route("/login", get(login))
            .route("/callback", get(callback))
            .route("/logout", get(logout).post(logout))
            .route("/profile", get(profile))
            .route("/access-token", get(access_token))
            .route("/backchannel-logout", post(backchannel_logout))
            .layer(axum::Extension(rp));
        Router::new().nest(&self.config().prefix, routes)
    }

    /// `routes` added to `app`, and the whole wrapped in the session middleware that gives
    /// handlers their [`UserSession`].
    pub fn wrap<S: Clone + Send + Sync + 'static>(&self, app: Router<S>) -> Router<S> {
        app.merge(self.routes())
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                session_middleware,
            ))
    }
}

async fn login(
    axum::Extension(rp): axum::Extension<Rp>,
    Query(options): Query<LoginOptions>,
) -> Response {
    match rp.authorization(&options) {
        Ok((url, cookie)) => redirect_with(&url, &[cookie]),
        Err(e) => e.into_response(),
    }
}

fn redirect_with(to: &str, cookies: &[String]) -> Response {
    let mut resp = Redirect::to(to).into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    axum::Extension(rp): axum::Extension<Rp>,
    session: UserSession,
    headers: axum::http::HeaderMap,
    Query(cb): Query<Callback>,
) -> Response {
    let clear = rp.clear_pending();
    let result = async {
        let pending = rp.pending(&headers).ok_or_else(|| {
            RpError::InvalidCallback("no sign-in in progress (cookie missing or expired)".into())
        })?;
        if !cb
            .state
            .as_deref()
            .is_some_and(|s| crate::rp::ct_eq(s, &pending.state))
        {
            return Err(RpError::InvalidCallback("state does not match".into()));
        }
        // RFC 9207: the answer must come from the provider the request went to.
        if cb
            .iss
            .as_deref()
            .is_some_and(|iss| iss != rp.config().issuer)
        {
            return Err(RpError::InvalidCallback(
                "iss names another provider".into(),
            ));
        }
        if let Some(error) = cb.error {
            return Err(RpError::Provider {
                error,
                description: cb.error_description.unwrap_or_default(),
            });
        }
        let code = cb
            .code
            .ok_or_else(|| RpError::InvalidCallback("no code".into()))?;
        let fresh = rp.finish(&pending, &code).await?;
        // A step-up keeps the tokens for other APIs of the same user.
        let merged = match session.get() {
            Some(mut old) if old.sub == fresh.sub => {
                let created_at = old.created_at;
                old.tokens.extend(fresh.tokens.clone());
                Session {
                    tokens: old.tokens,
                    created_at,
                    ..fresh
                }
            }
            _ => fresh,
        };
        session.set(Some(merged));
        Ok::<_, RpError>(pending.return_to)
    }
    .await;
    match result {
        Ok(to) => redirect_with(&to, &[clear]),
        Err(e) => {
            let mut resp = e.into_response();
            if let Ok(v) = HeaderValue::from_str(&clear) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            resp
        }
    }
}

async fn logout(axum::Extension(rp): axum::Extension<Rp>, session: UserSession) -> Response {
    let hint = session.get().map(|s| s.id_token);
    session.set(None);
    let to = rp.logout_url(hint.as_deref()).unwrap_or_else(|| "/".into());
    redirect_with(&to, &[])
}

async fn profile(session: UserSession) -> Response {
    match session.get() {
        Some(s) => axum::Json(serde_json::json!({
            "sub": s.sub, "name": s.name, "email": s.email,
            "acr": s.acr, "amr": s.amr, "auth_time": s.auth_time,
        }))
        .into_response(),
        None => RpError::NotSignedIn.into_response(),
    }
}

#[derive(Deserialize)]
struct Audience {
    audience: Option<String>,
}

async fn access_token(session: UserSession, Query(q): Query<Audience>) -> Response {
    match session.access_token(q.audience.as_deref()).await {
        Ok(t) => axum::Json(serde_json::json!({
            "access_token": t.access_token, "expires_at": t.expires_at, "scope": t.scope,
        }))
        .into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    logout_token: String,
}

async fn backchannel_logout(
    axum::Extension(rp): axum::Extension<Rp>,
    axum::Form(form): axum::Form<LogoutForm>,
) -> Response {
    let mut resp = match rp.backchannel_logout(&form.logout_token).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "error": "invalid_request", "error_description": e.to_string() })),
        )
            .into_response(),
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
