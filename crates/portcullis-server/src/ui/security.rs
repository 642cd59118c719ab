//! The account security page (`/u/account/security`): factors, recovery codes, remembered
//! devices, sessions and recent events. Every change needs a factor proved in the last five
//! minutes; removing a factor ends the user's other sessions.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portcullis_core::authn::assurance::Method;
use portcullis_core::factor::FactorKind;
use portcullis_core::model::{Factor, Session};

use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::state::AppState;
use crate::ui::flow::{self, Resume};
use crate::ui::{self, PageCtx};

/// How recent a proof must be for a change on this page.
pub const FRESH_SECONDS: i64 = 300;
const PATH: &str = "/u/account/security";

/// Whether the session proved enough in the last five minutes to change security settings: a
/// second factor if the user has one, otherwise the password.
pub async fn fresh(state: &AppState, session: &Session) -> AppResult<bool> {
    let has_factors = !ui::active_factors(state, &session.user_id)
        .await?
        .is_empty();
    let since = state.now() - FRESH_SECONDS;
    Ok(session.proofs.iter().any(|p| {
        p.at >= since
            && p.method != Method::RememberedDevice
            && (!has_factors || p.method != Method::Password)
    }))
}

/// Starts a step-up of `session` that returns to `path`.
pub async fn step_up(state: &AppState, session: &Session, path: &str) -> AppResult<Response> {
    flow::step_up(state, session, Resume::Path(path.into()), None, None).await
}

struct FactorRow {
    id: String,
    kind: &'static str,
    /// What a WebAuthn credential is: synced or bound to one device.
    note: &'static str,
    name: String,
    weak: bool,
    created: String,
    last_used: String,
}

struct DeviceRow {
    id: String,
    label: String,
    created: String,
    last_used: String,
}

struct SessionRow {
    id: String,
    created: String,
    acr: String,
    current: bool,
}

struct EventRow {
    at: String,
    kind: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    csrf: String,
    nonce: String,
    email: String,
    factors: Vec<FactorRow>,
    recovery_left: i64,
    devices: Vec<DeviceRow>,
    sessions: Vec<SessionRow>,
    events: Vec<EventRow>,
    fresh: bool,
}

/// `2026-11-24 21:05 UTC`.
pub fn when(at: Option<i64>) -> String {
    let Some(at) = at else {
        return "never".into();
    };
    let days = at.div_euclid(86_400);
    let secs = at.rem_euclid(86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// The row label: WebAuthn credentials show whether they are passkeys.
fn factor_kind(f: &Factor) -> &'static str {
    match f.kind {
        FactorKind::Webauthn if f.detail["passkey"] == true => "Passkey",
        FactorKind::Webauthn => "Security key",
        _ => f.kind.label(),
    }
}

/// Where a WebAuthn credential lives, from the flags the authenticator reported.
fn factor_note(f: &Factor) -> &'static str {
    if f.kind != FactorKind::Webauthn {
        ""
    } else if f.detail["backup_state"] == true {
        "synced to your other devices"
    } else if f.detail["backup_eligible"] == true {
        "can be synced"
    } else {
        "on this device only"
    }
}

/// `GET /u/account/security`.
pub async fn security_get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result = async {
        let Some(session) = ui::current_session(&state, &headers).await? else {
            return Ok(ui::see_other("/u/login?return_to=/u/account/security", &[]));
        };
        let store = state.store();
        let now = state.now();
        let user = store
            .user_by_id(&session.user_id)
            .await?
            .ok_or_else(|| AppError::Internal("session without user".into()))?;
        let factors = ui::active_factors(&state, &user.id)
            .await?
            .into_iter()
            .map(|f| FactorRow {
                kind: factor_kind(&f),
                note: factor_note(&f),
                id: f.id,
                weak: f.kind == FactorKind::Sms,
                name: f.name,
                created: when(Some(f.created_at)),
                last_used: when(f.last_used_at),
            })
            .collect();
        let devices = store
            .devices(&user.id, now)
            .await?
            .into_iter()
            .map(|d| DeviceRow {
                id: d.id,
                label: d.label,
                created: when(Some(d.created_at)),
                last_used: when(d.last_used_at),
            })
            .collect();
        let sessions = store
            .user_sessions(&user.id, now)
            .await?
            .into_iter()
            .map(|s| SessionRow {
                current: s.id == session.id,
                id: s.id,
                created: when(Some(s.created_at)),
                acr: s.acr,
            })
            .collect();
        let events = store
            .user_audit(&user.id, 20)
            .await?
            .into_iter()
            .map(|e| EventRow {
                at: when(Some(e.at)),
                kind: e.kind,
                ip: e.ip.unwrap_or_default(),
            })
            .collect();
        let ctx = PageCtx::new(&state, &headers);
        let page = SecurityPage {
            csrf: ctx.csrf.clone(),
            nonce: ctx.nonce.clone(),
            email: user.email,
            factors,
            recovery_left: store.recovery_codes_left(&user.id).await?,
            devices,
            sessions,
            events,
            fresh: fresh(&state, &session).await?,
        };
        ctx.respond(StatusCode::OK, &page, vec![])
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Ends every session of a user but `keep`.
pub async fn end_other_sessions(state: &AppState, user_id: &str, keep: &str) -> AppResult<usize> {
    let now = state.now();
    let mut ended = 0;
    for s in state.store().user_sessions(user_id, now).await? {
        if s.id != keep {
            state.store().revoke_session(&s.id, now).await?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// Removes a user's factor (active or pending) and ends their other sessions but `keep`, with
/// the audit event and the email; the factor, if it existed. Shared by the security page and
/// the MFA API.
pub async fn remove_factor(
    state: &AppState,
    meta: &ClientMeta,
    user_id: &str,
    id: &str,
    keep: Option<&str>,
) -> AppResult<Option<Factor>> {
    let store = state.store();
    let Some(factor) = store.factor(id).await?.filter(|f| f.user_id == user_id) else {
        return Ok(None);
    };
    if !store.delete_factor(user_id, id).await? {
        return Ok(None);
    }
    if ui::active_factors(state, user_id).await?.is_empty() {
        // Recovery codes only make sense beside a factor.
        store
            .replace_recovery_codes(user_id, &[], state.now())
            .await?;
    }
    let ended = end_other_sessions(state, user_id, keep.unwrap_or_default()).await?;
    state
        .audit(
            "factor.removed",
            meta,
            Some(user_id),
            None,
            serde_json::json!({ "factor_id": id, "type": factor.kind.as_str(), "sessions_ended": ended }),
        )
        .await;
    ui::notify_user(
        state,
        user_id,
        "A sign-in method was removed from your account",
        &format!(
            "{} \"{}\" was removed from your account and your other sessions were signed out.\n\nIf this was not you, secure your account now: {}/u/account/security",
            factor.kind.label(),
            factor.name,
            state.issuer()
        ),
    )
    .await;
    Ok(Some(factor))
}

/// `POST /u/account/security`: `action` = `rename`, `remove`, `regenerate_codes`,
/// `forget_device` or `end_session`.
pub async fn security_post(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let form = ui::posted(&state, &headers, &body)?;
        let Some(session) = ui::current_session(&state, &headers).await? else {
            return Ok(ui::see_other("/u/login?return_to=/u/account/security", &[]));
        };
        if !fresh(&state, &session).await? {
            return step_up(&state, &session, PATH).await;
        }
        let store = state.store();
        let user_id = session.user_id.clone();
        let now = state.now();
        let id = form.get("id").unwrap_or_default();
        let not_found = || AppError::page(StatusCode::NOT_FOUND, "That item no longer exists.");
        match form.get("action").unwrap_or_default() {
            "rename" => {
                let name = ui::clean_name(form.get("name").unwrap_or_default());
                if name.is_empty() {
                    return Err(AppError::page(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "A name cannot be empty.",
                    ));
                }
                if !store.rename_factor(&user_id, id, &name).await? {
                    return Err(not_found());
                }
                state
                    .audit(
                        "factor.renamed",
                        &meta,
                        Some(&user_id),
                        None,
                        serde_json::json!({ "factor_id": id }),
                    )
                    .await;
            }
            "remove" => {
                if remove_factor(&state, &meta, &user_id, id, Some(&session.id))
                    .await?
                    .is_none()
                {
                    return Err(not_found());
                }
            }
            "regenerate_codes" => {
                if ui::active_factors(&state, &user_id).await?.is_empty() {
                    return Err(AppError::page(
                        StatusCode::CONFLICT,
                        "Add a sign-in method first: recovery codes come with it.",
                    ));
                }
                let codes = state.factors().issue_recovery_codes(&user_id).await?;
                state
                    .audit(
                        "recovery_codes.regenerated",
                        &meta,
                        Some(&user_id),
                        None,
                        serde_json::json!({}),
                    )
                    .await;
                return crate::ui::enroll::codes_page(&state, &headers, codes, vec![]);
            }
            "forget_device" => {
                if !store.revoke_device(&user_id, id, now).await? {
                    return Err(not_found());
                }
                state
                    .audit(
                        "device.forgotten",
                        &meta,
                        Some(&user_id),
                        None,
                        serde_json::json!({ "device_id": id }),
                    )
                    .await;
            }
            "end_session" => {
                let mine = store
                    .user_sessions(&user_id, now)
                    .await?
                    .into_iter()
                    .any(|s| s.id == id && s.id != session.id);
                if !mine {
                    return Err(not_found());
                }
                store.revoke_session(id, now).await?;
                state
                    .audit(
                        "session.revoked",
                        &meta,
                        Some(&user_id),
                        None,
                        serde_json::json!({ "session_id": id }),
                    )
                    .await;
            }
            _ => return Err(AppError::page(StatusCode::BAD_REQUEST, "Unknown action.")),
        }
        Ok(ui::see_other(PATH, &[]))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::when;

    #[test]
    fn when_formats_utc_dates() {
        assert_eq!(when(Some(0)), "1970-01-01 00:00 UTC");
        assert_eq!(when(Some(1_795_557_900)), "2026-11-24 22:05 UTC");
        assert_eq!(when(Some(951_782_400)), "2000-02-29 00:00 UTC");
        assert_eq!(when(None), "never");
    }
}
