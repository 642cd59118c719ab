//! The self-service profile page (`/u/account/profile`): display name, email address, password
//! and account deletion.
//!
//! - The name changes with the session alone.
//! - A new email address needs a proof from the last five minutes (the same rule as the security
//!   page). A single-use link (30 minutes; a newer request kills older links) goes to the new
//!   address; the address changes only when the link is pressed, and the old address is told.
//!   The link alone completes the change, so it can be opened on another device: it was sent
//!   only to the new mailbox, at the request of a stepped-up session, and it can only complete
//!   that request. If the new address belongs to another account, the page answers exactly as
//!   on success and that account's owner is told instead, so the form reveals nothing.
//! - A new password needs the current one, or a proof from the last five minutes; the rules of
//!   a reset apply. Success ends every other session and tells the user.
//! - Deletion needs a proof from the last 60 seconds. The account is then scheduled for
//!   deletion after `[account] deletion_grace_days`, every session ends and the user is told
//!   how to keep it: signing in again before then cancels the deletion (and says so by email),
//!   as services with a grace period usually behave. A background sweep deletes due accounts
//!   through the same steps as the management API.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::authn::assurance::Method;
use portcullis_core::authn::factors::{Outcome, password_key};
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::model::{Session, User};

use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::ratelimit::Class;
use crate::state::AppState;
use crate::ui::flow::{self, Resume};
use crate::ui::{self, PageCtx};

/// The page's path.
pub const PATH: &str = "/u/account/profile";
/// How recent a proof must be to delete the account.
pub const DELETE_FRESH_SECONDS: i64 = 60;
/// Longest display name kept, in characters.
pub const NAME_MAX: usize = 128;
/// Due deletions handled per sweep, so one sweep stays short.
const SWEEP_BATCH: i64 = 100;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    csrf: String,
    nonce: String,
    email: String,
    name: String,
    /// A proof from the last five minutes: email and password change without more.
    fresh: bool,
    /// A proof from the last minute: deletion is one press away.
    delete_ready: bool,
    has_password: bool,
    min: usize,
    single: bool,
    grace_days: i64,
    notice: Option<String>,
    error: Option<String>,
}

/// Whether the session proved, within `seconds`, what the security page asks for: a second
/// factor if the user has one, otherwise the password.
async fn fresh_within(state: &AppState, session: &Session, seconds: i64) -> AppResult<bool> {
    let has_factors = !ui::active_factors(state, &session.user_id)
        .await?
        .is_empty();
    let since = state.now() - seconds;
    Ok(session.proofs.iter().any(|p| {
        p.at >= since
            && p.method != Method::RememberedDevice
            && (!has_factors || p.method != Method::Password)
    }))
}

/// A display name as typed: trimmed, without control characters, at most [`NAME_MAX`].
fn clean_display_name(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_control() && !portcullis_core::identity::hides_text(*c))
        .collect();
    cleaned.trim().chars().take(NAME_MAX).collect::<String>()
}

fn login_redirect() -> Response {
    ui::see_other("/u/login?return_to=/u/account/profile", &[])
}

async fn session_user(state: &AppState, session: &Session) -> AppResult<User> {
    state
        .store()
        .user_by_id(&session.user_id)
        .await?
        .ok_or_else(|| AppError::Internal("session without user".into()))
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let user = session_user(state, session).await?;
    let single = ui::active_factors(state, &user.id).await?.is_empty();
    let ctx = PageCtx::new(state, headers);
    let page = ProfilePage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        email: user.email,
        name: user.name.unwrap_or_default(),
        fresh: fresh_within(state, session, ui::security::FRESH_SECONDS).await?,
        delete_ready: fresh_within(state, session, DELETE_FRESH_SECONDS).await?,
        has_password: user.password_hash.is_some(),
        min: ui::password::min_length(single),
        single,
        grace_days: state.settings().account.deletion_grace_days,
        notice,
        error,
    };
    ctx.respond(status, &page, vec![])
}

/// `GET /u/account/profile`.
pub async fn profile_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = async {
        let Some(session) = ui::current_session(&state, &headers).await? else {
            return Ok(login_redirect());
        };
        page(&state, &headers, &session, StatusCode::OK, None, None).await
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /u/account/profile`: `action` = `name`, `email`, `password` or `delete`.
pub async fn profile_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        let Some(session) = ui::current_session(&state, &headers).await? else {
            return Ok(login_redirect());
        };
        let field = |name: &str| form.get(name).unwrap_or_default().to_string();
        match form.get("action").unwrap_or_default() {
            "name" => change_name(&state, &meta, &headers, &session, &field("name")).await,
            "email" => change_email(&state, &meta, &headers, &session, &field("email")).await,
            "password" => {
                change_password(
                    &state,
                    &meta,
                    &headers,
                    &session,
                    SecretString::new(field("current")),
                    SecretString::new(field("password")),
                )
                .await
            }
            "delete" => delete_account(&state, &meta, &session).await,
            "locale" => change_locale(&state, &headers, &session, &field("locale")).await,
            _ => Err(AppError::page(
                StatusCode::BAD_REQUEST,
                crate::tr!("profile-unknown-action"),
            )),
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Stores the language the user reads emails in, and shows the page in it at once.
async fn change_locale(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    raw: &str,
) -> AppResult<Response> {
    let Some(tag) = state.i18n().tags().into_iter().find(|t| *t == raw) else {
        return page(
            state,
            headers,
            session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(crate::tr!("locale-unknown")),
        )
        .await;
    };
    state
        .store()
        .set_user_locale(&session.user_id, Some(tag))
        .await?;
    let lang = crate::i18n::Current::with_brand(state.i18n(), Some(tag), state.brand().clone());
    let notice = lang.run(|| crate::tr!("profile-language-saved"));
    let mut resp = lang
        .scope(page(
            state,
            headers,
            session,
            StatusCode::OK,
            Some(notice),
            None,
        ))
        .await?;
    if let Ok(v) = crate::i18n::locale_cookie(state, tag).parse() {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    Ok(resp)
}

async fn change_name(
    state: &AppState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    session: &Session,
    raw: &str,
) -> AppResult<Response> {
    let mut user = session_user(state, session).await?;
    let name = clean_display_name(raw);
    let name = (!name.is_empty()).then_some(name);
    if user.name != name {
        user.name = name;
        state.store().update_user(&user).await?;
        state
            .audit(
                "user.updated",
                meta,
                Some(&user.id),
                None,
                serde_json::json!({ "fields": ["name"], "via": "profile" }),
            )
            .await;
    }
    page(
        state,
        headers,
        session,
        StatusCode::OK,
        Some(crate::tr!("profile-name-saved")),
        None,
    )
    .await
}

/// Sends an email in the background, so the time to answer does not depend on which message
/// (if any) went out.
/// The email is written by `compose` (subject, text) in user `user_id`'s language.
async fn send_later(
    state: &AppState,
    user_id: &str,
    to: String,
    compose: impl FnOnce() -> (String, String),
) {
    let message = crate::i18n::for_user(state, user_id).await.run(|| {
        let (subject, text) = compose();
        ui::email(to, &subject, &text)
    });
    ui::send_later(state, message);
}

/// The link an email change token opens.
fn email_link(state: &AppState, token: &str) -> String {
    format!("{}/u/account/email?t={token}", state.issuer())
}

async fn change_email(
    state: &AppState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    session: &Session,
    raw: &str,
) -> AppResult<Response> {
    if !fresh_within(state, session, ui::security::FRESH_SECONDS).await? {
        return flow::step_up(state, session, Resume::Path(PATH.into()), None, None, None).await;
    }
    state.limit(Class::Factor, meta).await?;
    let user = session_user(state, session).await?;
    let Ok(new) = portcullis_core::admin::parse_email(raw) else {
        return page(
            state,
            headers,
            session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(crate::tr!("profile-email-invalid")),
        )
        .await;
    };
    if new == user.email {
        return page(
            state,
            headers,
            session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(crate::tr!("profile-email-same")),
        )
        .await;
    }
    // Taken: by another account, or by one whose address looks the same to a reader.
    let owner = match state.store().user_by_email(&new).await? {
        Some(u) => Some(u),
        None => state
            .store()
            .user_look_alike(&new)
            .await?
            .filter(|u| u.id != user.id),
    };
    // A link is stored either way: it kills older links, and the database work is the same.
    // When the address is taken its token is dropped unsent, so it can never be spent.
    let token = state
        .factors()
        .new_email_change_link(&user.id, &user.email, &new)
        .await?;
    state
        .audit(
            "user.email_change_requested",
            meta,
            Some(&user.id),
            None,
            serde_json::json!({ "taken": owner.is_some() }),
        )
        .await;
    if let Some(owner) = &owner {
        let security = format!("{}/u/account/security", state.issuer());
        send_later(state, &owner.id, owner.email.clone(), || {
            (
                crate::tr!("email-address-taken-subject"),
                crate::tr!("email-address-taken", link = security),
            )
        })
        .await;
    } else {
        let link = email_link(state, &token);
        send_later(state, &user.id, new.clone(), || {
            (
                crate::tr!("email-change-confirm-subject"),
                crate::tr!(
                    "email-change-confirm",
                    link = link,
                    valid = crate::i18n::duration(30 * 60)
                ),
            )
        })
        .await;
    }
    page(
        state,
        headers,
        session,
        StatusCode::OK,
        Some(crate::tr!(
            "profile-email-sent",
            new = new.as_str(),
            valid = crate::i18n::duration(30 * 60),
            current = user.email.as_str()
        )),
        None,
    )
    .await
}

/// `GET /u/account/email?t=…`: a button; spends nothing (mail scanners fetch links).
pub async fn email_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ui::LinkQuery>,
) -> Response {
    let page = ui::LinkButton {
        heading: crate::tr!("profile-confirm-heading"),
        lead: crate::tr!("profile-confirm-lead"),
        action: "/u/account/email",
        button: crate::tr!("profile-confirm-button"),
    };
    ui::link_button(&state, &headers, q.raw(), &page)
}

fn link_expired() -> Response {
    ui::message(
        StatusCode::GONE,
        &crate::tr!("profile-link-expired-heading"),
        &crate::tr!(
            "profile-link-expired-text",
            valid = crate::i18n::duration(30 * 60)
        ),
    )
}

fn cannot_use() -> Response {
    ui::message(
        StatusCode::CONFLICT,
        &crate::tr!("profile-cannot-use-heading"),
        &crate::tr!("profile-cannot-use-text"),
    )
}

/// `POST /u/account/email`: spends the link (at most once) and moves the account to the new
/// address; the old address is told.
pub async fn email_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: AppResult<Response> = async {
        let form = ui::posted(&state, &headers, &body)?;
        state.limit(Class::Factor, &meta).await?;
        let token = form.get("t").unwrap_or_default();
        let Some(record) = state.factors().spend_email_change_link(token).await? else {
            return Ok(link_expired());
        };
        let (Some(from), Some(to)) = (record.data["from"].as_str(), record.data["to"].as_str())
        else {
            return Ok(link_expired());
        };
        let user = match &record.user_id {
            Some(id) => state.store().user_by_id(id).await?,
            None => None,
        };
        // A link asked for before another change of address (or a block) is dead.
        let Some(mut user) = user.filter(|u| !u.blocked && u.email == from) else {
            return Ok(link_expired());
        };
        // Someone took the address since the link was sent; the store's unique index settles
        // a race past this check the same way.
        if state
            .store()
            .user_by_email(to)
            .await?
            .is_some_and(|o| o.id != user.id)
        {
            return Ok(cannot_use());
        }
        user.email = to.to_string();
        user.email_verified = true;
        match state.store().update_user(&user).await {
            Ok(true) => {}
            Ok(false) => return Ok(link_expired()),
            Err(portcullis_core::Error::Conflict(_)) => return Ok(cannot_use()),
            Err(e) => return Err(e.into()),
        }
        // Password reset links (and admins' password tickets) mailed to the old address die
        // with it: a newer record for the same purpose and address replaces them, and this one
        // is born expired. The old mailbox may be why the address changed.
        state.factors().new_reset_link(&user.id, from, 0).await?;
        state
            .audit(
                "user.email_changed",
                &meta,
                Some(&user.id),
                None,
                serde_json::json!({ "verified": true }),
            )
            .await;
        let (masked, security) = (
            ui::mfa::mask(to),
            format!("{}/u/account/security", state.issuer()),
        );
        send_later(&state, &user.id, from.to_string(), || {
            (
                crate::tr!("email-address-changed-subject"),
                crate::tr!("email-address-changed", address = masked, link = security),
            )
        })
        .await;
        Ok(ui::message(
            StatusCode::OK,
            &crate::tr!("profile-email-changed-heading"),
            &crate::tr!("profile-email-changed-text", address = to),
        ))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn change_password(
    state: &AppState,
    meta: &ClientMeta,
    headers: &HeaderMap,
    session: &Session,
    current: SecretString,
    new: SecretString,
) -> AppResult<Response> {
    state.limit(Class::Login, meta).await?;
    let mut user = session_user(state, session).await?;
    let retry = |text: String| {
        page(
            state,
            headers,
            session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(text),
        )
    };
    if !fresh_within(state, session, ui::security::FRESH_SECONDS).await? {
        if user.password_hash.is_none() {
            // Nothing to re-enter: a factor proves it is them.
            return flow::step_up(state, session, Resume::Path(PATH.into()), None, None, None)
                .await;
        }
        let key = password_key(state.master(), &user.email);
        let factors = state.factors();
        let outcome = factors
            .check_password(
                state.hasher(),
                &key,
                user.password_hash.clone(),
                true,
                current,
            )
            .await?;
        if let Outcome::Throttled { retry_after } = outcome {
            return Err(AppError::Throttled(retry_after));
        }
        if let Outcome::Wrong { locked } = outcome {
            state
                .audit(
                    "password.change_failed",
                    meta,
                    Some(&user.id),
                    None,
                    serde_json::json!({ "reason": "wrong_current", "locked": locked }),
                )
                .await;
            return retry(crate::tr!("profile-current-wrong")).await;
        }
        state.store().clear_failures(&key).await?;
    }
    let single = ui::active_factors(state, &user.id).await?.is_empty();
    let personal = [user.email.clone(), user.name.clone().unwrap_or_default()];
    if let Err(why) = ui::password::judge(new.expose(), single, personal).await? {
        return retry(why).await;
    }
    user.password_hash = Some(state.hasher().hash(new).await?);
    state.store().update_user(&user).await?;
    let ended =
        crate::sessions::end_all(state, meta, &user.id, Some(&session.id), "password_changed")
            .await?;
    state
        .audit(
            "password.changed",
            meta,
            Some(&user.id),
            None,
            serde_json::json!({ "via": "profile", "sessions_ended": ended }),
        )
        .await;
    let security = format!("{}/u/account/security", state.issuer());
    ui::notify_user(state, &user.id, || {
        (
            crate::tr!("email-password-changed-subject"),
            crate::tr!("email-password-changed-others", link = security),
        )
    })
    .await;
    page(
        state,
        headers,
        session,
        StatusCode::OK,
        Some(crate::tr!("profile-password-changed")),
        None,
    )
    .await
}

async fn delete_account(
    state: &AppState,
    meta: &ClientMeta,
    session: &Session,
) -> AppResult<Response> {
    if !fresh_within(state, session, DELETE_FRESH_SECONDS).await? {
        return flow::step_up(state, session, Resume::Path(PATH.into()), None, None, None).await;
    }
    let user_id = session.user_id.clone();
    let days = state.settings().account.deletion_grace_days;
    let at = deletion_due(state);
    if !state.store().schedule_user_deletion(&user_id, at).await? {
        return Err(AppError::Internal("session without user".into()));
    }
    state
        .audit(
            "user.deletion_scheduled",
            meta,
            Some(&user_id),
            None,
            serde_json::json!({ "delete_after": at }),
        )
        .await;
    let profile = format!("{}/u/account/profile", state.issuer());
    ui::notify_user(state, &user_id, || {
        (
            crate::tr!("email-deletion-scheduled-subject"),
            crate::tr!(
                "email-deletion-scheduled",
                when = crate::i18n::date_time(at),
                link = profile
            ),
        )
    })
    .await;
    crate::sessions::end_all(state, meta, &user_id, None, "deletion_scheduled").await?;
    let mut resp = ui::message(
        StatusCode::OK,
        &crate::tr!("profile-deleted-heading"),
        &crate::tr!(
            "profile-deleted-text",
            wait = crate::tr!("duration-days", n = days)
        ),
    );
    if let Ok(v) = ui::clear_session_cookie(state).parse() {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// When a deletion asked for now is due: after `[account] deletion_grace_days`.
pub(crate) fn deletion_due(state: &AppState) -> i64 {
    state.now() + state.settings().account.deletion_grace_days * 86_400
}

/// After an interactive sign-in: a deletion the user scheduled is cancelled (signing in during
/// the grace period means they want the account), with the audit event and an email.
pub async fn cancel_deletion_on_sign_in(
    state: &AppState,
    meta: &ClientMeta,
    user_id: &str,
) -> AppResult<()> {
    if state.store().cancel_user_deletion(user_id).await? {
        state
            .audit(
                "user.deletion_cancelled",
                meta,
                Some(user_id),
                None,
                serde_json::json!({ "via": "sign_in" }),
            )
            .await;
        let (state, user_id) = (state.clone(), user_id.to_string());
        // In the background: a slow mail server must not slow the sign-in.
        // In this request's language: a spawned task does not inherit it.
        tokio::spawn(crate::i18n::current().scope(async move {
            let profile = format!("{}/u/account/profile", state.issuer());
            ui::notify_user(&state, &user_id, || {
                (
                    crate::tr!("email-deletion-cancelled-subject"),
                    crate::tr!("email-deletion-cancelled", link = profile),
                )
            })
            .await;
        }));
    }
    Ok(())
}

/// Deletes a user the way the management API does: their sessions end (their apps hear by
/// back-channel logout), then the user goes with everything they own, with the audit event;
/// whether they existed.
pub async fn delete_user_now(
    state: &AppState,
    meta: &ClientMeta,
    user_id: &str,
    via: &str,
) -> AppResult<bool> {
    crate::sessions::end_all(state, meta, user_id, None, "user_deleted").await?;
    let existed = state.store().delete_user(user_id).await?;
    if existed {
        state
            .audit(
                "user.deleted",
                meta,
                Some(user_id),
                None,
                serde_json::json!({ "via": via }),
            )
            .await;
    }
    Ok(existed)
}

/// Deletes the accounts whose grace period is over; how many went. Safe on many nodes at once:
/// each deletion is claimed by one atomic update first.
pub async fn sweep_deletions(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let meta = ClientMeta::default();
    let mut deleted = 0;
    for id in state
        .store()
        .users_due_for_deletion(now, SWEEP_BATCH)
        .await?
    {
        if state.store().claim_user_deletion(&id, now).await?
            && delete_user_now(state, &meta, &id, "scheduled").await?
        {
            deleted += 1;
        }
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_trimmed_controls_dropped_and_capped() {
        assert_eq!(
            clean_display_name("  Ada\u{0}\n Lovelace \t"),
            "Ada Lovelace"
        );
        assert_eq!(clean_display_name("\u{7}  "), "");
        assert_eq!(
            clean_display_name(&"é".repeat(NAME_MAX + 10))
                .chars()
                .count(),
            NAME_MAX
        );
    }
}
