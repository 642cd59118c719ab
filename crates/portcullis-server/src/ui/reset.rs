//! Password reset by email link (`/u/reset…`). The link lives 30 minutes, works once and dies
//! when a newer one is sent. Opening it shows a button (mail scanners spend nothing); pressing it
//! spends the link. A user with a second factor proves it on `/u/mfa` before the new password is
//! accepted, so a reset never gets around MFA. Success ends every session and tells the user.
//! The answer to a request is the same for known and unknown addresses.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::authn::factors::RESET_TTL;
use portcullis_core::crypto::secret::SecretString;

use crate::error::AppResult;
use crate::http::ClientMeta;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui::flow::{self, Resume, Tx};
use crate::ui::{self, PageCtx};

#[derive(Template)]
#[template(path = "reset_request.html")]
struct RequestPage {
    csrf: String,
    nonce: String,
}

/// `GET /u/reset`: asks for the email address.
pub async fn request_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let ctx = PageCtx::new(&state, &headers);
    let page = RequestPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
    };
    ctx.respond(StatusCode::OK, &page, vec![])
        .unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/reset`: emails a link if the address has an account, in the background, and
/// answers the same either way.
pub async fn request_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Login, &meta).await?;
        let email = form.get("email").unwrap_or_default().trim().to_string();
        // Everything that depends on the address happens after the answer, so neither its
        // content nor its timing tells which addresses have accounts.
        let (state2, meta2) = (state.clone(), meta.clone());
        // In this request's language: a spawned task does not inherit it.
        tokio::spawn(crate::i18n::current().scope(async move {
            if let Err(e) = send_reset_link(&state2, &meta2, &email).await {
                tracing::warn!(error = ?e, "password reset link not sent");
            }
        }));
        Ok(ui::message(
            StatusCode::OK,
            &crate::tr!("reset-sent-heading"),
            &crate::tr!("reset-sent-text", valid = crate::i18n::duration(RESET_TTL)),
        ))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Looks the address up and, if it has an account that may sign in, stores a link and emails
/// it; audited either way.
async fn send_reset_link(state: &AppState, meta: &ClientMeta, email: &str) -> AppResult<()> {
    let user = state
        .store()
        .user_by_email(email)
        .await?
        .filter(|u| !u.blocked);
    state
        .audit(
            "password.reset_requested",
            meta,
            user.as_ref().map(|u| u.id.as_str()),
            None,
            serde_json::json!({ "known": user.is_some() }),
        )
        .await;
    if let Some(user) = user {
        let token = state
            .factors()
            .new_reset_link(&user.id, &user.email, RESET_TTL)
            .await?;
        let link = link(state, &token);
        let message = crate::i18n::for_user(state, &user.id).await.run(|| {
            let text = crate::tr!(
                "email-reset",
                link = link,
                valid = crate::i18n::duration(RESET_TTL)
            );
            ui::email(user.email, &crate::tr!("email-reset-subject"), &text)
        });
        ui::send_later(state, message);
    }
    Ok(())
}

/// The link a reset token opens (emailed to the user, or handed to an admin as a ticket).
pub fn link(state: &AppState, token: &str) -> String {
    ui::reset_link(state.issuer(), token)
}

/// `GET /u/reset/password?t=…`: a button; spends nothing.
pub async fn link_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ui::LinkQuery>,
) -> Response {
    let page = ui::LinkButton {
        heading: crate::tr!("reset-link-heading"),
        lead: crate::tr!("reset-link-lead"),
        action: "/u/reset/continue",
        button: crate::tr!("reset-link-button"),
    };
    ui::link_button(&state, &headers, q.raw(), &page)
}

fn expired() -> Response {
    ui::message(
        StatusCode::GONE,
        &crate::tr!("reset-expired-heading"),
        &crate::tr!(
            "reset-expired-text",
            valid = crate::i18n::duration(RESET_TTL)
        ),
    )
}

/// `POST /u/reset/continue`: spends the link (at most once) and starts the reset: the factor
/// first if the user has one, then the new password.
pub async fn continue_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Login, &meta).await?;
        let token = form.get("t").unwrap_or_default();
        let Some(record) = state.factors().spend_reset_link(token).await? else {
            return Ok(expired());
        };
        let user = match &record.user_id {
            Some(id) => state.store().user_by_id(id).await?,
            None => None,
        };
        let Some(user) = user.filter(|u| !u.blocked) else {
            return Ok(expired());
        };
        let has_factor = !ui::active_factors(&state, &user.id).await?.is_empty();
        let tx = Tx {
            user_id: user.id,
            proofs: vec![],
            resume: Resume::Reset,
            session_id: None,
            enroll: false,
            remember_allowed: false,
            code_id: None,
            required: None,
            policy: None,
            floor: None,
            ask: None,
        };
        let cookie = flow::start(&state, &tx).await?;
        let next = if has_factor { "/u/mfa" } else { "/u/reset/new" };
        Ok(ui::see_other(next, &[cookie]))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "reset_new.html")]
struct NewPage<'a> {
    csrf: String,
    nonce: String,
    email: &'a str,
    min: usize,
    single: bool,
    error: Option<String>,
}

/// The reset in progress in this browser, if its factor (when the user has one) was proved.
async fn ready(state: &AppState, headers: &HeaderMap) -> AppResult<Option<(String, Tx, bool)>> {
    let Some((id, tx)) = flow::load(state, headers).await? else {
        return Ok(None);
    };
    if tx.resume != Resume::Reset {
        return Ok(None);
    }
    let has_factor = !ui::active_factors(state, &tx.user_id).await?.is_empty();
    if has_factor && tx.proofs.is_empty() {
        return Ok(None);
    }
    Ok(Some((id, tx, !has_factor)))
}

async fn new_page(
    state: &AppState,
    headers: &HeaderMap,
    user_id: &str,
    single_factor: bool,
    status: StatusCode,
    error: Option<String>,
) -> AppResult<Response> {
    let email = crate::ui::enroll::user_email(state, user_id).await?;
    let ctx = PageCtx::new(state, headers);
    let page = NewPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        email: &email,
        min: ui::password::min_length(single_factor),
        single: single_factor,
        error,
    };
    ctx.respond(status, &page, vec![])
}

/// `GET /u/reset/new`: the new password form, once the link (and the factor) are proved.
pub async fn new_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result: AppResult<Response> = async {
        let Some((_, tx, single)) = ready(&state, &headers).await? else {
            return Ok(expired());
        };
        new_page(&state, &headers, &tx.user_id, single, StatusCode::OK, None).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/reset/new`: checks the password against the rules, stores it, ends every session
/// and tells the user.
pub async fn new_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Enroll, &meta).await?;
        let Some((id, tx, single)) = ready(&state, &headers).await? else {
            return Ok(expired());
        };
        let Some(mut user) = state.store().user_by_id(&tx.user_id).await? else {
            return Ok(expired());
        };
        let password = form.get("password").unwrap_or_default().to_string();
        let personal = [user.email.clone(), user.name.clone().unwrap_or_default()];
        if let Err(why) = ui::password::judge(&password, single, personal).await? {
            return new_page(
                &state,
                &headers,
                &user.id,
                single,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(why),
            )
            .await;
        }
        // Spent once: of two racing submissions, one changes the password.
        if state.store().take_flow(&id, state.now()).await?.is_none() {
            return Ok(expired());
        }
        user.password_hash = Some(state.hasher().hash(SecretString::new(password)).await?);
        state.store().update_user(&user).await?;
        crate::ui::security::password_changed(&state, &meta, &user.id, None, "reset").await?;
        let mut resp = ui::message(
            StatusCode::OK,
            &crate::tr!("reset-done-heading"),
            &crate::tr!("reset-done-text"),
        );
        ui::clear_cookie(&state, &mut resp, "tx");
        Ok(resp)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
