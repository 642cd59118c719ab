//! The password sign-in page (`/u/login`).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::model::Session;
use portcullis_proto::acr::{Acr, amr};

use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, Params};
use crate::oidc::authorize::{AuthorizeRequest, complete};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    state: &'a str,
    csrf: &'a str,
    client_name: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

/// Query of `GET /u/login`.
#[derive(Debug, serde::Deserialize)]
pub struct LoginQuery {
    state: Option<String>,
}

fn expired() -> AppError {
    AppError::page(
        StatusCode::BAD_REQUEST,
        "This sign-in request has expired or is not known. Go back to the application and start again.",
    )
}

async fn pending_request(state: &AppState, id: Option<&str>) -> AppResult<AuthorizeRequest> {
    let id = id.ok_or_else(expired)?;
    let pending = state
        .store()
        .pending(id, state.now())
        .await?
        .ok_or_else(expired)?;
    serde_json::from_value(pending.request).map_err(|e| AppError::Internal(e.to_string()))
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    id: &str,
    request: &AuthorizeRequest,
    email: &str,
    error: Option<&str>,
) -> AppResult<Response> {
    let client = state.client(&request.client_id).await.ok_or_else(expired)?;
    let (csrf, set) = crate::ui::csrf(state, headers);
    let html = LoginPage {
        state: id,
        csrf: &csrf,
        client_name: &client.name,
        email,
        error,
    }
    .render()?;
    Ok(crate::ui::render(
        status,
        html,
        &set.into_iter().collect::<Vec<_>>(),
    ))
}

/// `GET /u/login?state=…`.
pub async fn login_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let result = async {
        let request = pending_request(&state, q.state.as_deref()).await?;
        let hint = request.login_hint.clone().unwrap_or_default();
        page(
            &state,
            &headers,
            StatusCode::OK,
            q.state.as_deref().unwrap_or(""),
            &request,
            &hint,
            None,
        )
        .await
    }
    .await;
    result.unwrap_or_else(axum::response::IntoResponse::into_response)
}

/// `POST /u/login`: checks CSRF and the password, starts a session, resumes the authorization.
pub async fn login_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = Params::parse(&body).map_err(|e| AppError::page(StatusCode::BAD_REQUEST, e))?;
        crate::ui::check_csrf(&state, &headers, form.get("csrf"))?;
        let id = form.get("state").unwrap_or_default().to_string();
        let request = pending_request(&state, Some(&id)).await?;
        let email = form.get("email").unwrap_or_default().trim().to_string();
        let password = SecretString::new(form.get("password").unwrap_or_default());
        let user = state.store().user_by_email(&email).await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        // Unknown users are verified against a dummy hash: same work, same answer.
        let ok = state.hasher().verify(password, hash).await?
            && user.as_ref().is_some_and(|u| !u.blocked);
        let now = state.now();
        let Some(user) = user.filter(|_| ok) else {
            state
                .audit(
                    "login.failure",
                    &meta,
                    None,
                    Some(request.client_id.as_str()),
                    serde_json::json!({ "reason": "invalid_credentials" }),
                )
                .await;
            return page(
                &state,
                &headers,
                StatusCode::UNAUTHORIZED,
                &id,
                &request,
                &email,
                Some("Wrong email or password."),
            )
            .await;
        };
        if state.store().take_pending(&id, now).await?.is_none() {
            return Err(expired());
        }
        let token = random::token();
        let digest = token_digest(&token);
        let (acr, amr) = (Acr::Aal1.as_str().to_string(), vec![amr::PWD.to_string()]);
        let session = match crate::ui::current_session(&state, &headers).await? {
            // The same person signing in again (prompt=login, max_age): one session, new proof.
            Some(mut s) if s.user_id == user.id => {
                s.auth_time = now;
                s.acr = acr;
                s.amr = amr;
                state.store().reauthenticate_session(&s, &digest).await?;
                s
            }
            other => {
                if let Some(old) = other {
                    state.store().revoke_session(&old.id, now).await?;
                }
                let s = Session {
                    id: random::id("ses"),
                    user_id: user.id.clone(),
                    created_at: now,
                    auth_time: now,
                    acr,
                    amr,
                    expires_at: now + state.settings().session.lifetime,
                    clients: vec![],
                    proofs: vec![],
                };
                state.store().create_session(&s, &digest).await?;
                s
            }
        };
        state.store().set_last_login(&user.id, now).await?;
        state
            .audit(
                "login.success",
                &meta,
                Some(user.id.as_str()),
                Some(request.client_id.as_str()),
                serde_json::json!({ "session_id": session.id, "amr": session.amr }),
            )
            .await;
        tracing::info!(user_id = %user.id, session_id = %session.id, "signed in");
        let mut resp = complete(&state, &request, &session).await?;
        if let Ok(v) = HeaderValue::from_str(&crate::ui::session_cookie(&state, &token)) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
        Ok(resp)
    }
    .await;
    result.unwrap_or_else(axum::response::IntoResponse::into_response)
}
