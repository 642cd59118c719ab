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
use crate::error::AppError;
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
            frame: Frame::new(&console, "users"),
            q,
            by_name,
            exact,
            rows,
            next,
        };
        ctx.respond(StatusCode::OK, &body, vec![])
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
    created: String,
    acr: String,
    amr: String,
    expires: String,
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
    events: Vec<ui::security::EventRow>,
    can_block: bool,
    can_reset: bool,
    can_send_ticket: bool,
    can_remove_factor: bool,
    can_end_sessions: bool,
    can_manage_roles: bool,
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
        let store = state.store();
        let user = store.user_by_id(&id).await?.ok_or_else(not_found)?;
        let role = portcullis_core::admin::role_of(store, &id).await?;
        let factors = ui::active_factors(&state, &id)
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
            .user_sessions(&id, state.now())
            .await?
            .into_iter()
            .map(|s| SessionRow {
                created: when(Some(s.created_at)),
                acr: s.acr,
                amr: s.amr.join(" "),
                expires: when(Some(s.expires_at)),
            })
            .collect();
        let events = ui::security::recent_events(&state, &id, 20).await?;
        let notice = query
            .done
            .as_deref()
            .and_then(done_message)
            .map(str::to_string);
        let ctx = PageCtx::new(&state, &headers);
        let body = UserPage {
            csrf: ctx.csrf.clone(),
            nonce: ctx.nonce.clone(),
            frame: Frame::new(&console, "users"),
            created: when(Some(user.created_at)),
            last_login: when(user.last_login),
            role: role.map(|r| r.as_str()).unwrap_or("none").to_string(),
            roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
            factors,
            sessions,
            events,
            can_block: console.role.allows(Permission::BlockUser),
            can_reset: console.role.allows(Permission::ResetPassword),
            can_send_ticket: console.role.allows(Permission::SendTicket),
            can_remove_factor: console.role.allows(Permission::RemoveFactor),
            can_end_sessions: console.role.allows(Permission::EndSessions),
            can_manage_roles: console.role.allows(Permission::ManageRoles),
            notice,
            user,
        };
        ctx.respond(StatusCode::OK, &body, vec![])
    })
    .await
}

/// The confirmation shown after a change (`?done=…`); unknown values show nothing.
fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "blocked" => "The user is blocked and their sessions have ended.",
        "unblocked" => "The user may sign in again.",
        "factor_removed" => "The factor is removed and the user's sessions have ended.",
        "sessions_ended" => "The user's sessions have ended.",
        "role_changed" => "The console role is changed.",
        "ticket_sent" => "An enrolment link was emailed to the user (one use, 24 hours).",
        "password_reset" => {
            "The password no longer works, the user's sessions have ended, and a link to choose a new one was emailed."
        }
        _ => return None,
    })
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
