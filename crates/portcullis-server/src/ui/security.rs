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
    flow::step_up(state, session, Resume::Path(path.into()), None, None, None).await
}

struct FactorRow {
    id: String,
    kind: String,
    /// What a WebAuthn credential is: synced or bound to one device.
    note: String,
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
    /// The browser and address it was made from, so a stranger's session stands out.
    device: String,
    ip: String,
    last_seen: String,
}

struct LinkRow {
    provider: String,
    subject: String,
    label: String,
    since: String,
}

struct AppRow {
    id: String,
    client: String,
    scope: String,
    since: String,
}

/// One line of a user's recent audit events, as the security page and the console show it.
pub(crate) struct EventRow {
    pub at: String,
    pub kind: String,
    pub ip: String,
}

/// An audit event kind in words for the security page ("Signed in" for `login.success`); kinds
/// with no message (an operator's own, a future one) show as stored.
fn event_label(kind: &str) -> String {
    // i18n: event-*
    let id = format!("event-{}", kind.replace(['.', '_'], "-"));
    if crate::i18n::has(&id) {
        crate::i18n::t(&id)
    } else {
        kind.to_string()
    }
}

/// The user's latest `limit` audit events, newest first, as table rows.
pub(crate) async fn recent_events(
    state: &AppState,
    user_id: &str,
    limit: i64,
) -> AppResult<Vec<EventRow>> {
    Ok(state
        .store()
        .user_audit(user_id, limit)
        .await?
        .into_iter()
        .map(|e| EventRow {
            at: when(Some(e.at)),
            kind: e.kind,
            ip: e.ip.unwrap_or_default(),
        })
        .collect())
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
    links: Vec<LinkRow>,
    apps: Vec<AppRow>,
    fresh: bool,
}

pub use crate::time::when;

/// The row label: WebAuthn credentials show whether they are passkeys.
fn factor_kind(f: &Factor) -> String {
    match f.kind {
        FactorKind::Webauthn if f.detail["passkey"] == true => crate::tr!("security-kind-passkey"),
        FactorKind::Webauthn => crate::tr!("security-kind-security-key"),
        _ => ui::kind_label(f.kind),
    }
}

/// Where a WebAuthn credential lives, from the flags the authenticator reported.
fn factor_note(f: &Factor) -> String {
    if f.kind != FactorKind::Webauthn {
        String::new()
    } else if f.detail["backup_state"] == true {
        crate::tr!("security-note-synced")
    } else if f.detail["backup_eligible"] == true {
        crate::tr!("security-note-syncable")
    } else {
        crate::tr!("security-note-device-only")
    }
}

/// A date and time for the page, in the user's language; "never" for none.
fn shown(at: Option<i64>) -> String {
    at.map_or_else(|| crate::tr!("security-never"), crate::i18n::date_time)
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
                created: shown(Some(f.created_at)),
                last_used: shown(f.last_used_at),
            })
            .collect();
        let devices = store
            .devices(&user.id, now)
            .await?
            .into_iter()
            .map(|d| DeviceRow {
                id: d.id,
                label: d.label,
                created: shown(Some(d.created_at)),
                last_used: shown(d.last_used_at),
            })
            .collect();
        let sessions = store
            .user_sessions(&user.id, now)
            .await?
            .into_iter()
            .map(|s| SessionRow {
                current: s.id == session.id,
                device: s
                    .user_agent
                    .as_deref()
                    .map(|ua| crate::ui::device::label(Some(ua)))
                    .unwrap_or_default(),
                ip: s.ip.unwrap_or_default(),
                last_seen: shown(s.last_seen_at),
                id: s.id,
                created: shown(Some(s.created_at)),
                acr: s.acr,
            })
            .collect();
        // As `recent_events`, with dates in the user's language (the console keeps its own).
        let events = store
            .user_audit(&user.id, 20)
            .await?
            .into_iter()
            .map(|e| EventRow {
                at: shown(Some(e.at)),
                kind: event_label(&e.kind),
                ip: e.ip.unwrap_or_default(),
            })
            .collect();
        let links = store
            .upstream_identities(&user.id)
            .await?
            .into_iter()
            .map(|l| LinkRow {
                label: ui::upstream::display_name(&state, &l.provider),
                since: shown(Some(l.created_at)),
                provider: l.provider,
                subject: l.subject,
            })
            .collect();
        let mut apps = Vec::new();
        for c in store.consents(Some(&user.id), None).await? {
            let client = state.client(&c.client_id).await.map(|c| c.name);
            apps.push(AppRow {
                client: client.unwrap_or_else(|| c.client_id.clone()),
                scope: c.scope.join(" "),
                since: shown(Some(c.created_at)),
                id: c.id,
            });
        }
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
            links,
            apps,
            fresh: fresh(&state, &session).await?,
        };
        ctx.respond(StatusCode::OK, &page, vec![])
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// After a new password is stored: ends every session of the user (their apps hear by
/// back-channel logout), records how it changed, and tells the user by email.
pub async fn password_changed(
    state: &AppState,
    meta: &ClientMeta,
    user_id: &str,
    client_id: Option<&str>,
    via: &str,
) -> AppResult<usize> {
    let ended = crate::sessions::end_all(state, meta, user_id, None, "password_changed").await?;
    state
        .audit(
            "password.changed",
            meta,
            Some(user_id),
            client_id,
            serde_json::json!({ "via": via, "sessions_ended": ended }),
        )
        .await;
    let security = format!("{}/u/account/security", state.issuer());
    ui::notify_user(state, user_id, || {
        (
            crate::tr!("email-password-changed-subject"),
            crate::tr!("email-password-changed-everywhere", link = security),
        )
    })
    .await;
    Ok(ended)
}

/// Removes a user's recovery codes, with the audit event; whether there were any. Shared by
/// the MFA API and the management API.
pub async fn remove_recovery_codes(
    state: &AppState,
    meta: &ClientMeta,
    user_id: &str,
    client_id: Option<&str>,
) -> AppResult<bool> {
    let had = state.store().recovery_codes_left(user_id).await? > 0;
    if had {
        state
            .store()
            .replace_recovery_codes(user_id, &[], state.now())
            .await?;
        state
            .audit(
                "recovery_codes.removed",
                meta,
                Some(user_id),
                client_id,
                serde_json::json!({}),
            )
            .await;
    }
    Ok(had)
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
    let ended = crate::sessions::end_all(state, meta, user_id, keep, "factor_removed").await?;
    state
        .audit(
            "factor.removed",
            meta,
            Some(user_id),
            None,
            serde_json::json!({ "factor_id": id, "type": factor.kind.as_str(), "sessions_ended": ended }),
        )
        .await;
    let security = format!("{}/u/account/security", state.issuer());
    ui::notify_user(state, user_id, || {
        (
            crate::tr!("email-factor-removed-subject"),
            crate::tr!(
                "email-factor-removed",
                kind = crate::ui::kind_label(factor.kind),
                name = factor.name.as_str(),
                link = security
            ),
        )
    })
    .await;
    Ok(Some(factor))
}

/// `POST /u/account/security`: `action` = `rename`, `remove`, `regenerate_codes`,
/// `forget_device`, `end_session`, `unlink` (a connected upstream account) or
/// `revoke_consent` (an application's access).
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
        let not_found = || AppError::page(StatusCode::NOT_FOUND, crate::tr!("security-error-gone"));
        match form.get("action").unwrap_or_default() {
            "rename" => {
                let name = ui::clean_name(form.get("name").unwrap_or_default());
                if name.is_empty() {
                    return Err(AppError::page(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        crate::tr!("security-error-empty-name"),
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
                        crate::tr!("security-error-no-factor"),
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
                let other = store
                    .user_sessions(&user_id, now)
                    .await?
                    .into_iter()
                    .find(|s| s.id == id && s.id != session.id)
                    .ok_or_else(not_found)?;
                crate::sessions::end(&state, &meta, &other, "user", None).await?;
            }
            "unlink" => {
                let provider = form.get("provider").unwrap_or_default();
                let links = store.upstream_identities(&user_id).await?;
                let has_password = store
                    .user_by_id(&user_id)
                    .await?
                    .is_some_and(|u| u.password_hash.is_some());
                // The last way in stays: without a password, the last connected account is
                // how this person signs in.
                if !has_password && links.len() == 1 {
                    return Err(AppError::page(
                        StatusCode::CONFLICT,
                        crate::tr!("security-error-last-link"),
                    ));
                }
                if !store.unlink_upstream(&user_id, provider, id).await? {
                    return Err(not_found());
                }
                state
                    .audit(
                        "upstream.unlinked",
                        &meta,
                        Some(&user_id),
                        None,
                        serde_json::json!({ "provider": provider }),
                    )
                    .await;
            }
            "revoke_consent" => {
                let consent = store
                    .consents(Some(&user_id), None)
                    .await?
                    .into_iter()
                    .find(|c| c.id == id)
                    .ok_or_else(not_found)?;
                crate::oidc::consent::withdraw(&state, &meta, &consent, "user").await?;
            }
            _ => {
                return Err(AppError::page(
                    StatusCode::BAD_REQUEST,
                    crate::tr!("security-error-action"),
                ));
            }
        }
        Ok(ui::see_other(PATH, &[]))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}
