//! The console's users: search by email (prefix) or id with keyset paging, a user's page
//! (profile, role, factors, sessions, recent events) and the changes an admin makes there. Each
//! change calls the same operation the management API and the CLI use.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::model::{User, UserSearch};
use portcullis_core::roles::{Permission, Role};
use serde::Deserialize;

use super::{Frame, enter_to_change, enter_to_read, page};
use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::state::AppState;
use crate::time::when;
use crate::ui::{self, PageCtx};

/// Users per page of the list.
const PAGE: i64 = 50;
/// How long an emailed enrolment link works: a day, as it lets its holder add a factor.
const ENROLMENT_LINK_TTL: i64 = 86_400;
/// How long a forced reset's link works: five days, as the management API's tickets.
const PASSWORD_LINK_TTL: i64 = 5 * 86_400;

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    q: String,
    /// `email` (the default) or `name`: which field `q` is the start of.
    #[serde(default)]
    by: String,
    /// The id of the last user of the previous page.
    after: Option<String>,
}

struct UserRow {
    id: String,
    email: String,
    name: String,
    blocked: bool,
    last_login: String,
}

impl From<User> for UserRow {
    fn from(u: User) -> Self {
        UserRow {
            name: u.name.unwrap_or_default(),
            last_login: when(u.last_login),
            blocked: u.blocked,
            email: u.email,
            id: u.id,
        }
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct ListPage {
    nonce: String,
    frame: Frame,
    q: String,
    by_name: bool,
    /// The user whose id is `q`, shown above the matches on the first page.
    exact: Option<UserRow>,
    rows: Vec<UserRow>,
    /// The query string of the next page, when there may be one.
    next: Option<String>,
    csrf: String,
    can_create: bool,
    /// A refused creation: what was typed, and why.
    create_email: String,
    create_name: String,
    create_error: Option<String>,
}

/// `GET /admin/users?q=…&by=email|name&after=…`: the user whose id is `q`, then users whose
/// email (or name) starts with `q`, in that order, fifty at a time; each page is one range scan
/// of an index, however many users there are.
pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, "/admin/users"));
        let q = query.q.trim().to_string();
        let by = if query.by == "name" {
            UserSearch::Name
        } else {
            UserSearch::Email
        };
        let store = state.store();
        let exact = match (&query.after, q.is_empty()) {
            (None, false) => store.user_by_id(&q).await?.map(UserRow::from),
            _ => None,
        };
        let users = store
            .search_users(by, &q, query.after.as_deref(), PAGE)
            .await?;
        let by_name = by == UserSearch::Name;
        let next = (users.len() as i64 == PAGE)
            .then(|| users.last())
            .flatten()
            .map(|last| {
                serde_urlencoded::to_string([
                    ("q", q.as_str()),
                    ("by", if by_name { "name" } else { "email" }),
                    ("after", last.id.as_str()),
                ])
                .unwrap_or_default()
            });
        let rows = users
            .into_iter()
            .filter(|u| exact.as_ref().is_none_or(|e| e.id != u.id))
            .map(UserRow::from)
            .collect();
        let ctx = PageCtx::new(&state, &headers);
        let body = ListPage {
            nonce: ctx.nonce.clone(),
            csrf: ctx.csrf.clone(),
            frame: Frame::new(&console, "users"),
            can_create: console.role.allows(Permission::EditUser),
            q,
            by_name,
            exact,
            rows,
            next,
            create_email: String::new(),
            create_name: String::new(),
            create_error: None,
        };
        ctx.respond(StatusCode::OK, &body, vec![])
    })
    .await
}

/// `POST /admin/users`: a new user (`email`, `name`) without a password; they are emailed a
/// single-use link to choose one, so no admin ever knows it.
pub(crate) async fn create(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    page(async {
        let (form, console) = inside!(super::form_to_change(
            &state,
            &headers,
            &body,
            "/admin/users",
            Permission::EditUser
        ));
        let email = form.get("email").unwrap_or_default().trim().to_string();
        let name = form.get("name").unwrap_or_default().trim().to_string();
        let made = portcullis_core::admin::add_user(
            state.store(),
            state.hasher(),
            state.clock(),
            portcullis_core::admin::NewUser {
                email: email.clone(),
                name: Some(name.clone()),
                ..Default::default()
            },
        )
        .await;
        let user = match made {
            Ok(u) => u,
            Err(e) => {
                let (status, why) = match e {
                    portcullis_core::Error::Conflict(m)
                        if m == portcullis_core::identity::LOOK_ALIKE =>
                    {
                        (
                            StatusCode::CONFLICT,
                            "That address looks like the address of an existing user.".to_string(),
                        )
                    }
                    portcullis_core::Error::Conflict(_) => (
                        StatusCode::CONFLICT,
                        "A user with that address exists.".to_string(),
                    ),
                    portcullis_core::Error::Invalid(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
                    other => return Err(other.into()),
                };
                let ctx = PageCtx::new(&state, &headers);
                let body = ListPage {
                    nonce: ctx.nonce.clone(),
                    csrf: ctx.csrf.clone(),
                    frame: Frame::new(&console, "users"),
                    can_create: true,
                    q: String::new(),
                    by_name: false,
                    exact: None,
                    rows: vec![],
                    next: None,
                    create_email: email,
                    create_name: name,
                    create_error: Some(why),
                };
                return ctx.respond(status, &body, vec![]);
            }
        };
        let id = user.id.clone();
        super::audit(
            &state,
            &meta,
            &console,
            "user.created",
            &id,
            serde_json::json!({}),
        )
        .await;
        crate::mgmt::users::password_link(&state, &meta, user, PASSWORD_LINK_TTL, true, false)
            .await?;
        Ok(ui::see_other(
            &format!("{}?done=created", user_path(&id)),
            &[],
        ))
    })
    .await
}

struct FactorRow {
    id: String,
    kind: &'static str,
    name: String,
    created: String,
    last_used: String,
}

struct SessionRow {
    id: String,
    created: String,
    acr: String,
    amr: String,
    expires: String,
    device: String,
    ip: String,
    last_seen: String,
    /// The apps that got tokens in it.
    clients: String,
}

struct DeviceRow {
    id: String,
    label: String,
    created: String,
    last_used: String,
    expires: String,
}

struct ConsentRow {
    id: String,
    client: String,
    audience: String,
    scope: String,
    updated: String,
}

struct LinkRow {
    provider: String,
    subject: String,
    email: String,
    linked: String,
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    csrf: String,
    nonce: String,
    frame: Frame,
    user: User,
    created: String,
    last_login: String,
    role: String,
    roles: Vec<&'static str>,
    factors: Vec<FactorRow>,
    sessions: Vec<SessionRow>,
    devices: Vec<DeviceRow>,
    consents: Vec<ConsentRow>,
    links: Vec<LinkRow>,
    user_metadata: String,
    app_metadata: String,
    /// The metadata field a refused save named, and why.
    metadata_error: Option<String>,
    /// When the scheduled deletion is due, if one is.
    deletion_due: Option<String>,
    grace_days: i64,
    events: Vec<ui::security::EventRow>,
    can_block: bool,
    can_reset: bool,
    can_send_ticket: bool,
    can_remove_factor: bool,
    can_end_sessions: bool,
    can_manage_roles: bool,
    can_edit: bool,
    can_delete: bool,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct ShowQuery {
    done: Option<String>,
}

fn user_path(id: &str) -> String {
    format!("/admin/users/{id}")
}

/// `GET /admin/users/{id}`: one user.
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Response {
    page(async {
        let path = user_path(&id);
        let console = inside!(enter_to_read(&state, &headers, &path));
        let user = state.store().user_by_id(&id).await?.ok_or_else(not_found)?;
        let notice = query
            .done
            .as_deref()
            .and_then(done_message)
            .map(str::to_string);
        render(
            &state,
            &headers,
            &console,
            user,
            notice,
            None,
            StatusCode::OK,
        )
        .await
    })
    .await
}

/// The user's page; `refused` is a metadata save to show again (what was typed, and why not).
async fn render(
    state: &AppState,
    headers: &HeaderMap,
    console: &super::Console,
    user: User,
    notice: Option<String>,
    refused: Option<(String, String, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let store = state.store();
    let id = user.id.clone();
    let now = state.now();
    let role = portcullis_core::admin::role_of(store, &id).await?;
    let factors = ui::active_factors(state, &id)
        .await?
        .into_iter()
        .map(|f| FactorRow {
            kind: f.kind.label(),
            created: when(Some(f.created_at)),
            last_used: when(f.last_used_at),
            id: f.id,
            name: f.name,
        })
        .collect();
    let sessions = store
        .user_sessions(&id, now)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            created: when(Some(s.created_at)),
            acr: s.acr,
            amr: s.amr.join(" "),
            expires: when(Some(s.expires_at)),
            device: s
                .user_agent
                .as_deref()
                .map(|ua| ui::device::label(Some(ua)))
                .unwrap_or_else(|| "not recorded".into()),
            ip: s.ip.unwrap_or_else(|| "not recorded".into()),
            last_seen: when(s.last_seen_at),
            clients: s.clients.join(", "),
            id: s.id,
        })
        .collect();
    let devices = store
        .devices(&id, now)
        .await?
        .into_iter()
        .map(|d| DeviceRow {
            created: when(Some(d.created_at)),
            last_used: when(d.last_used_at),
            expires: when(Some(d.expires_at)),
            label: d.label,
            id: d.id,
        })
        .collect();
    let consents = store
        .consents(Some(&id), None)
        .await?
        .into_iter()
        .map(|c| ConsentRow {
            client: c.client_id,
            audience: c.audience.unwrap_or_else(|| "(sign-in only)".into()),
            scope: c.scope.join(" "),
            updated: when(Some(c.updated_at)),
            id: c.id,
        })
        .collect();
    let links = store
        .upstream_identities(&id)
        .await?
        .into_iter()
        .map(|l| LinkRow {
            provider: l.provider,
            subject: l.subject,
            email: l.email.unwrap_or_default(),
            linked: when(Some(l.created_at)),
        })
        .collect();
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let (user_metadata, app_metadata, metadata_error) = match refused {
        Some((u, a, why)) => (u, a, Some(why)),
        None => (
            pretty(&user.user_metadata),
            pretty(&user.app_metadata),
            None,
        ),
    };
    let events = ui::security::recent_events(state, &id, 20).await?;
    let ctx = PageCtx::new(state, headers);
    let body = UserPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        frame: Frame::new(console, "users"),
        created: when(Some(user.created_at)),
        last_login: when(user.last_login),
        role: role.map(|r| r.as_str()).unwrap_or("none").to_string(),
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        factors,
        sessions,
        devices,
        consents,
        links,
        user_metadata,
        app_metadata,
        metadata_error,
        deletion_due: store.user_deletion_due(&id).await?.map(|t| when(Some(t))),
        grace_days: state.settings().account.deletion_grace_days,
        events,
        can_block: console.role.allows(Permission::BlockUser),
        can_reset: console.role.allows(Permission::ResetPassword),
        can_send_ticket: console.role.allows(Permission::SendTicket),
        can_remove_factor: console.role.allows(Permission::RemoveFactor),
        can_end_sessions: console.role.allows(Permission::EndSessions),
        can_manage_roles: console.role.allows(Permission::ManageRoles),
        can_edit: console.role.allows(Permission::EditUser),
        can_delete: console.role.allows(Permission::DeleteUser),
        notice,
        user,
    };
    ctx.respond(status, &body, vec![])
}

/// The confirmation shown after a change (`?done=…`); unknown values show nothing.
fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "blocked" => "The user is blocked and their sessions have ended.",
        "unblocked" => "The user may sign in again.",
        "factor_removed" => "The factor is removed and the user's sessions have ended.",
        "sessions_ended" => "The user's sessions have ended.",
        "role_changed" => "The console role is changed.",
        "metadata_saved" => "The metadata is saved.",
        "profile_saved" => "The profile is saved.",
        "created" => {
            "The user is created and was emailed a link to choose a password (one use, five days)."
        }
        "session_ended" => "The session has ended.",
        "device_forgotten" => {
            "The browser is forgotten: the next sign-in there asks for a second factor again."
        }
        "consent_revoked" => {
            "The consent is withdrawn and that application's tokens for the user are revoked."
        }
        "deletion_scheduled" => {
            "The user is blocked, signed out, and will be deleted when the grace period ends."
        }
        "restored" => "The deletion is cancelled and the user may sign in again.",
        "ticket_sent" => "An enrolment link was emailed to the user (one use, 24 hours).",
        "password_reset" => {
            "The password no longer works, the user's sessions have ended, and a link to choose a new one was emailed."
        }
        _ => return None,
    })
}

/// A JSON object for a metadata field, checked as the management API checks it.
fn parse_metadata(field: &str, text: &str) -> Result<serde_json::Value, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("{field} is not valid JSON: {e}"))?;
    portcullis_core::admin::check_metadata(field, &value).map_err(|e| e.to_string())?;
    Ok(value)
}

/// An address another user has, or one that looks like theirs.
fn taken() -> AppError {
    AppError::page(
        StatusCode::CONFLICT,
        "That address belongs to, or looks like the address of, another user.",
    )
}

/// Something the form named that is not there any more (another admin, or the user, was first).
fn gone(message: &str) -> AppError {
    AppError::page(StatusCode::NOT_FOUND, message.to_string())
}

fn not_found() -> AppError {
    AppError::page(StatusCode::NOT_FOUND, "No such user.")
}

/// `POST /admin/users/{id}`: `action` = `block`, `unblock`, `reset_password`, `send_ticket`,
/// `remove_factor` (`factor_id`), `end_sessions` or `set_role` (`role`: a role or `none`).
pub(crate) async fn act(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    page(async {
        let form = ui::posted(&state, &headers, &body)?;
        let path = user_path(&id);
        let action = form.get("action").unwrap_or_default().to_string();
        let permission = match action.as_str() {
            "block" | "unblock" => Permission::BlockUser,
            "reset_password" => Permission::ResetPassword,
            "send_ticket" => Permission::SendTicket,
            "remove_factor" => Permission::RemoveFactor,
            "end_sessions" => Permission::EndSessions,
            "set_role" => Permission::ManageRoles,
            "set_profile" | "set_metadata" | "forget_device" | "revoke_consent" => {
                Permission::EditUser
            }
            "end_session" => Permission::EndSessions,
            "delete" | "restore" => Permission::DeleteUser,
            _ => {
                return Err(AppError::page(StatusCode::BAD_REQUEST, "Unknown action."));
            }
        };
        let console = inside!(enter_to_change(&state, &headers, &path, permission));
        let store = state.store();
        let user = store.user_by_id(&id).await?.ok_or_else(not_found)?;
        let done = match action.as_str() {
            "block" | "unblock" => {
                let blocked = action == "block";
                if blocked && user.id == console.user.id {
                    return Err(AppError::page(
                        StatusCode::CONFLICT,
                        "You cannot block yourself.",
                    ));
                }
                let ended = crate::mgmt::users::set_blocked(&state, &meta, user, blocked).await?;
                let kind = if blocked {
                    "user.blocked"
                } else {
                    "user.unblocked"
                };
                let detail = serde_json::json!({ "blocked": blocked, "ended_sessions": ended });
                super::audit(&state, &meta, &console, kind, &id, detail).await;
                if blocked { "blocked" } else { "unblocked" }
            }
            "reset_password" => {
                if user.id == console.user.id {
                    return Err(AppError::page(
                        StatusCode::CONFLICT,
                        "Change your own password on your profile page.",
                    ));
                }
                let (_, ended) = crate::mgmt::users::password_link(
                    &state,
                    &meta,
                    user,
                    PASSWORD_LINK_TTL,
                    true,
                    true,
                )
                .await?;
                let detail = serde_json::json!({ "ended_sessions": ended, "ttl_sec": PASSWORD_LINK_TTL, "send_mail": true });
                super::audit(&state, &meta, &console, "password.reset_forced", &id, detail).await;
                "password_reset"
            }
            "send_ticket" => {
                let ticket = crate::mgmt::users::enrolment_ticket(
                    &state,
                    &user,
                    None,
                    ENROLMENT_LINK_TTL,
                    true,
                )
                .await?;
                let detail = serde_json::json!({ "ticket_id": ticket.id, "ttl_sec": ENROLMENT_LINK_TTL, "send_mail": true });
                super::audit(&state, &meta, &console, "ticket.created", &id, detail).await;
                "ticket_sent"
            }
            "remove_factor" => {
                let factor_id = form.get("factor_id").unwrap_or_default();
                // The same removal as the user's own security page: recovery codes go with the
                // last factor, every session ends (apps told by back-channel logout), the user
                // is emailed; the console adds who did it.
                let removed =
                    ui::security::remove_factor(&state, &meta, &id, factor_id, None).await?;
                let Some(factor) = removed else {
                    return Err(AppError::page(
                        StatusCode::NOT_FOUND,
                        "That factor no longer exists.",
                    ));
                };
                let detail =
                    serde_json::json!({ "factor_id": factor.id, "type": factor.kind.as_str() });
                super::audit(
                    &state,
                    &meta,
                    &console,
                    "console.factor_removed",
                    &id,
                    detail,
                )
                .await;
                "factor_removed"
            }
            "set_profile" => {
                let mut changed = user.clone();
                let email = form.get("email").unwrap_or_default();
                portcullis_core::admin::change_email(store, &mut changed, email)
                    .await
                    .map_err(|e| match e {
                        portcullis_core::Error::Invalid(_) => AppError::page(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "That is not an email address.",
                        ),
                        portcullis_core::Error::Conflict(_) => taken(),
                        other => other.into(),
                    })?;
                portcullis_core::admin::change_name(&mut changed, form.get("name").unwrap_or_default())
                    .map_err(|_| {
                        AppError::page(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "A name cannot hold control or text-direction characters.",
                        )
                    })?;
                // A new address is unverified unless the admin says they checked it.
                if changed.email == user.email || form.get("email_verified").is_some() {
                    changed.email_verified = form.get("email_verified").is_some();
                }
                let mut fields = Vec::new();
                for (field, differs) in [
                    ("email", changed.email != user.email),
                    ("name", changed.name != user.name),
                    ("email_verified", changed.email_verified != user.email_verified),
                ] {
                    if differs {
                        fields.push(field);
                    }
                }
                if !fields.is_empty() {
                    // The unique index settles two admins racing for one address.
                    let stored = store.update_user(&changed).await.map_err(|e| match e {
                        portcullis_core::Error::Conflict(_) => taken(),
                        other => other.into(),
                    })?;
                    if !stored {
                        return Err(not_found());
                    }
                    let detail = serde_json::json!({ "fields": fields });
                    super::audit(&state, &meta, &console, "user.updated", &id, detail).await;
                }
                "profile_saved"
            }
            "set_metadata" => {
                let typed = |f: &str| form.get(f).unwrap_or("{}").to_string();
                let (u, a) = (typed("user_metadata"), typed("app_metadata"));
                let mut changed = user.clone();
                let parsed = parse_metadata("user_metadata", &u).and_then(|m| {
                    changed.user_metadata = m;
                    parse_metadata("app_metadata", &a).map(|m| changed.app_metadata = m)
                });
                if let Err(why) = parsed {
                    return render(
                        &state,
                        &headers,
                        &console,
                        user,
                        None,
                        Some((u, a, why)),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await;
                }
                let mut fields = Vec::new();
                if changed.user_metadata != user.user_metadata {
                    fields.push("user_metadata");
                }
                if changed.app_metadata != user.app_metadata {
                    fields.push("app_metadata");
                }
                if !fields.is_empty() {
                    store.update_user(&changed).await?;
                    let detail = serde_json::json!({ "fields": fields });
                    super::audit(&state, &meta, &console, "user.updated", &id, detail).await;
                }
                "metadata_saved"
            }
            "end_session" => {
                let sid = form.get("session_id").unwrap_or_default();
                let Some(session) = store
                    .user_sessions(&id, state.now())
                    .await?
                    .into_iter()
                    .find(|s| s.id == sid)
                else {
                    return Err(gone("That session has already ended."));
                };
                crate::sessions::end(&state, &meta, &session, "admin_ended", None).await?;
                let detail = serde_json::json!({ "session_id": session.id });
                super::audit(&state, &meta, &console, "session.ended", &id, detail).await;
                "session_ended"
            }
            "forget_device" => {
                let device = form.get("device_id").unwrap_or_default();
                if !store.revoke_device(&id, device, state.now()).await? {
                    return Err(gone("That browser is no longer remembered."));
                }
                let detail = serde_json::json!({ "device_id": device });
                super::audit(&state, &meta, &console, "device.forgotten", &id, detail).await;
                "device_forgotten"
            }
            "revoke_consent" => {
                let cid = form.get("consent_id").unwrap_or_default();
                let Some(consent) = store
                    .consents(Some(&id), None)
                    .await?
                    .into_iter()
                    .find(|c| c.id == cid)
                else {
                    return Err(gone("That consent was already withdrawn."));
                };
                // The same withdrawal as the management API's: the app's tokens for the user
                // end with it; its audit event names the admin.
                let by = format!("admin:{}", console.user.id);
                if !crate::oidc::consent::withdraw(&state, &meta, &consent, &by).await? {
                    return Err(gone("That consent was already withdrawn."));
                }
                "consent_revoked"
            }
            "delete" => {
                if user.id == console.user.id {
                    return Err(AppError::page(
                        StatusCode::CONFLICT,
                        "Delete your own account from your profile page.",
                    ));
                }
                if form.get("confirm") != Some(user.email.as_str()) {
                    return Err(AppError::page(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Type the user's email address to confirm the deletion.",
                    ));
                }
                // Blocked first, so the user's own sign-in (which cancels a deletion they asked
                // for) cannot undo an admin's; deleted by the sweep when the grace period ends.
                let ended = crate::mgmt::users::set_blocked(&state, &meta, user, true).await?;
                let at = crate::ui::profile::deletion_due(&state);
                store.schedule_user_deletion(&id, at).await?;
                let detail = serde_json::json!({ "delete_after": at, "blocked": true, "ended_sessions": ended });
                super::audit(&state, &meta, &console, "user.deletion_scheduled", &id, detail).await;
                "deletion_scheduled"
            }
            "restore" => {
                let cancelled = store.cancel_user_deletion(&id).await?;
                crate::mgmt::users::set_blocked(&state, &meta, user, false).await?;
                let detail = serde_json::json!({ "was_scheduled": cancelled, "unblocked": true });
                super::audit(&state, &meta, &console, "user.deletion_cancelled", &id, detail).await;
                "restored"
            }
            "end_sessions" => {
                let keep = (id == console.user.id).then_some(console.session.id.as_str());
                let ended =
                    crate::sessions::end_all(&state, &meta, &id, keep, "admin_ended").await?;
                let detail = serde_json::json!({ "ended_sessions": ended });
                super::audit(&state, &meta, &console, "user.sessions_ended", &id, detail).await;
                "sessions_ended"
            }
            _ => {
                let role =
                    match form.get("role").unwrap_or_default() {
                        "none" => None,
                        name => Some(Role::parse(name).ok_or_else(|| {
                            AppError::page(StatusCode::BAD_REQUEST, "Unknown role.")
                        })?),
                    };
                if id == console.user.id && role != Some(Role::Admin) {
                    return Err(AppError::page(
                        StatusCode::CONFLICT,
                        "You cannot take your own admin role: ask another admin.",
                    ));
                }
                portcullis_core::admin::set_role(store, state.clock(), &id, role).await?;
                let detail = serde_json::json!({ "role": role.map(|r| r.as_str()) });
                super::audit(&state, &meta, &console, "user.role_changed", &id, detail).await;
                "role_changed"
            }
        };
        Ok(ui::see_other(&format!("{path}?done={done}"), &[]))
    })
    .await
}

impl UserPage {
    /// Whether the admin is looking at their own account (no blocking oneself).
    fn is_self(&self) -> bool {
        self.frame.email == self.user.email
    }
}
