//! Email magic links: "email me a sign-in link" on the sign-in page (`POST /u/login/magic`) and
//! the link itself (`/u/magic`). A link is a first factor like a password; opening it shows a
//! button, so mail scanners that fetch links do not spend it.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::authn::assurance::{Method, Proof};
use portcullis_core::notify::{Channel, Message};

use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui;
use crate::ui::flow::Resume;
use crate::ui::login::{after_first_factor, target};

/// `POST /u/login/magic`: sends a sign-in link to the address if it has an account. The answer
/// is the same either way, so it does not tell who is registered.
pub async fn magic_request(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        let (resume, request) = target(&state, form.get("state"), form.get("return_to")).await?;
        state.limit(Class::Login, &meta).await?;
        let email = form.get("email").unwrap_or_default().trim().to_string();
        if !email.contains('@') {
            return Ok(ui::message(
                StatusCode::UNPROCESSABLE_ENTITY,
                &crate::tr!("magic-missing-email-heading"),
                &crate::tr!("magic-missing-email-text"),
            ));
        }
        // Everything that depends on the address happens after the answer, so neither its
        // content nor its timing tells which addresses have accounts.
        let client = request.as_ref().map(|r| r.client_id.clone());
        let (state2, meta2, email2) = (state.clone(), meta.clone(), email.clone());
        // In this request's language: a spawned task does not inherit it.
        tokio::spawn(crate::i18n::current().scope(async move {
            if let Err(e) = send_link(&state2, &meta2, &email2, resume, client.as_deref()).await {
                tracing::warn!(error = ?e, "magic link not sent");
            }
        }));
        Ok(ui::message(
            StatusCode::OK,
            &crate::tr!("magic-sent-heading"),
            &crate::tr!(
                "magic-sent-text",
                email = &email,
                valid = crate::i18n::duration(portcullis_core::factor::otp::TTL)
            ),
        ))
    }
    .await;
    result.unwrap_or_else(|e: AppError| e.into_response())
}

/// Looks the address up and, if it has an account that may sign in, stores a link for it
/// (replacing an older one) and emails it.
async fn send_link(
    state: &AppState,
    meta: &ClientMeta,
    email: &str,
    resume: Resume,
    client: Option<&str>,
) -> AppResult<()> {
    let Some(user) = state
        .store()
        .user_by_email(email)
        .await?
        .filter(|u| !u.blocked)
    else {
        return Ok(());
    };
    let data = match &resume {
        Resume::Authorize(id) => serde_json::json!({ "state": id }),
        Resume::Path(path) => serde_json::json!({ "return_to": path }),
        Resume::Ticket | Resume::Reset => serde_json::json!({}),
    };
    let token = state
        .factors()
        .new_magic_link(&user.id, &user.email, data)
        .await?;
    state
        .audit(
            "magic_link.sent",
            meta,
            Some(&user.id),
            client,
            serde_json::json!({}),
        )
        .await;
    let link = format!("{}/u/magic?t={token}", state.issuer());
    let message = crate::i18n::for_user(state, &user.id).await.run(|| {
        let text = crate::tr!(
            "email-magic-link",
            product = crate::i18n::product(),
            valid = crate::i18n::duration(10 * 60),
            link = link
        );
        Message::new(
            Channel::Email,
            user.email,
            crate::tr!("email-magic-link-subject"),
            text,
        )
    });
    ui::send_later(state, message);
    Ok(())
}

/// `GET /u/magic?t=…`: asks the person to continue; the link is spent only by the POST.
pub async fn magic_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ui::LinkQuery>,
) -> Response {
    let Some(token) = q.token() else {
        return invalid();
    };
    let page = ui::LinkButton {
        heading: crate::tr!("magic-link-heading"),
        lead: crate::tr!("magic-link-lead"),
        action: "/u/magic",
        button: crate::tr!("magic-link-button"),
    };
    ui::link_button(&state, &headers, token, &page)
}

fn invalid() -> Response {
    ui::message(
        StatusCode::GONE,
        &crate::tr!("magic-expired-heading"),
        &crate::tr!(
            "magic-expired-text",
            valid = crate::i18n::duration(portcullis_core::factor::otp::TTL)
        ),
    )
}

/// `POST /u/magic`: spends the link (at most once) and signs the person in with it.
pub async fn magic_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Login, &meta).await?;
        let token = form.get("t").unwrap_or_default();
        let Some(record) = state.factors().spend_magic_link(token).await? else {
            state
                .audit(
                    "login.failure",
                    &meta,
                    None,
                    None,
                    serde_json::json!({ "reason": "magic_link_invalid" }),
                )
                .await;
            return Ok(invalid());
        };
        let user = match &record.user_id {
            Some(id) => state.store().user_by_id(id).await?,
            None => None,
        };
        let Some(user) = user.filter(|u| !u.blocked) else {
            return Ok(invalid());
        };
        let (resume, request) = target(
            &state,
            record.data["state"].as_str(),
            record.data["return_to"].as_str(),
        )
        .await?;
        let proof = Proof::new(Method::MagicLink, state.now(), None);
        after_first_factor(
            &state,
            &headers,
            &meta,
            &user,
            proof,
            resume,
            request.as_ref(),
        )
        .await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
