//! The admin console (`/admin`): the tenant managed from a browser, server-rendered like the
//! hosted pages (CSRF on every form, the same strict CSP, no script). Who may enter is a console
//! role (`admin`, `support`, `auditor`, see [`portcullis_core::roles`]) on a session that proved
//! `admin_required_acr` within `admin_max_age`; every change also needs a factor proved in the
//! last five minutes, and lands in the audit trail with the admin's id.

/// Inside a console handler: the console a gate let in, or an early return to where the
/// browser goes instead (the sign-in page, a step-up).
macro_rules! inside {
    ($gate:expr) => {
        match $gate.await? {
            Ok(console) => console,
            Err(elsewhere) => return Ok(elsewhere),
        }
    };
}

mod actions;
mod apps;
mod dashboard;
mod logs;
mod policy;
mod settings;
mod users;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::model::{Session, User};
use portcullis_core::roles::{Permission, Role};
use portcullis_proto::acr::Acr;

use crate::error::{AppError, AppResult};
use crate::http::ClientMeta;
use crate::state::AppState;
use crate::ui;
use crate::ui::flow::{self, Resume};

/// Routes of the console.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard::home))
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/users/{id}", get(users::show).post(users::act))
        .route("/admin/apps", get(apps::list).post(apps::create))
        .route("/admin/apps/{id}", get(apps::show).post(apps::act))
        .route("/admin/apis", get(apps::apis).post(apps::create_api))
        .route("/admin/apis/{id}", get(apps::api).post(apps::act_api))
        .route("/admin/policy", get(policy::show).post(policy::save))
        .route("/admin/actions", get(actions::list).post(actions::act))
        .route("/admin/settings", get(settings::show))
        .route("/admin/logs", get(logs::list))
        .route("/admin/logs/export", get(logs::export))
        .route("/admin/logs/verify", axum::routing::post(logs::verify))
}

/// Whether `path` is a console page a sign-in may return to: `/admin` or below it, made of
/// characters a console URL uses (no `//`, no scheme, no query), so it cannot leave the site.
pub fn is_console_path(path: &str) -> bool {
    (path == "/admin" || path.starts_with("/admin/"))
        && !path.contains("//")
        && !path.contains("..")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b))
}

/// An admin inside the console: their session, account and role, read afresh on every request
/// (a role taken away ends access at the next click).
pub(crate) struct Console {
    /// The admin's session.
    pub session: Session,
    /// The admin.
    pub user: User,
    /// What they may do.
    pub role: Role,
}

impl Console {
    /// Refuses with 403 unless the role allows `p`.
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.role.allows(p) {
            Ok(())
        } else {
            Err(AppError::page(
                StatusCode::FORBIDDEN,
                format!(
                    "Your console role ({}) does not allow this. Ask an admin.",
                    self.role
                ),
            ))
        }
    }

    /// The detail every console audit event carries: who did it, from where.
    pub fn audit_detail(&self, mut detail: serde_json::Value) -> serde_json::Value {
        if let Some(o) = detail.as_object_mut() {
            o.insert("admin_id".into(), self.user.id.clone().into());
            o.insert("admin_role".into(), self.role.as_str().into());
            o.insert("via".into(), "console".into());
        }
        detail
    }
}

/// The gate of every console page: a session (else the sign-in page, returning to `path`), a
/// console role (else 403), and `admin_required_acr` proved within `admin_max_age` (else a
/// step-up that returns to `path`). `Err(response)` is where the browser goes instead.
pub(crate) async fn enter(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
) -> AppResult<Result<Console, Response>> {
    // Where a sign-in or step-up returns: this page, unless its URL (a user id from the
    // address bar) is not one a console link makes.
    let path = if is_console_path(path) {
        path
    } else {
        "/admin"
    };
    let Some(session) = ui::current_session(state, headers).await? else {
        return Ok(Err(ui::see_other(
            &format!("/u/login?return_to={path}"),
            &[],
        )));
    };
    let Some(user) = state.store().user_by_id(&session.user_id).await? else {
        return Err(AppError::Internal("session without user".into()));
    };
    let Some(role) = portcullis_core::admin::role_of(state.store(), &user.id).await? else {
        return Err(AppError::page(
            StatusCode::FORBIDDEN,
            "Your account has no console role. An admin can grant one (`portcullis user role`).",
        ));
    };
    if user.blocked {
        return Err(AppError::page(
            StatusCode::FORBIDDEN,
            "This account is blocked.",
        ));
    }
    let settings = state.settings();
    let proved = Acr::parse(&session.acr).unwrap_or(Acr::Aal1);
    let recent = state.now() - session.auth_time <= settings.admin_max_age;
    if !proved.satisfies(settings.admin_required_acr) || !recent {
        return flow::step_up(
            state,
            &session,
            Resume::Path(path.into()),
            Some(settings.admin_required_acr),
            None,
            None,
        )
        .await
        .map(Err);
    }
    Ok(Ok(Console {
        session,
        user,
        role,
    }))
}

/// For a page that only reads: the gate and the `Read` permission.
pub(crate) async fn enter_to_read(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
) -> AppResult<Result<Console, Response>> {
    let console = match enter(state, headers, path).await? {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    console.require(Permission::Read)?;
    Ok(Ok(console))
}

/// For a change: the gate, the permission, and a factor proved in the last five minutes (else
/// a step-up that returns to `path`, where the admin submits again).
pub(crate) async fn enter_to_change(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    p: Permission,
) -> AppResult<Result<Console, Response>> {
    let console = match enter(state, headers, path).await? {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    console.require(p)?;
    if !ui::security::fresh(state, &console.session).await? {
        let path = if is_console_path(path) {
            path
        } else {
            "/admin"
        };
        return ui::security::step_up(state, &console.session, path)
            .await
            .map(Err);
    }
    Ok(Ok(console))
}

/// For a form that changes something: the form (its CSRF token checked first), then the gate of
/// [`enter_to_change`].
pub(crate) async fn form_to_change(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    path: &str,
    p: Permission,
) -> AppResult<Result<(crate::http::Params, Console), Response>> {
    let form = ui::posted(state, headers, body)?;
    Ok(enter_to_change(state, headers, path, p)
        .await?
        .map(|console| (form, console)))
}

/// What the console's layout shows on every page.
pub(crate) struct Frame {
    pub email: String,
    pub role: &'static str,
    /// Which section the navigation marks as current.
    pub section: &'static str,
}

impl Frame {
    fn new(console: &Console, section: &'static str) -> Frame {
        Frame {
            email: console.user.email.clone(),
            role: console.role.as_str(),
            section,
        }
    }
}

/// Runs a console handler, turning its error into the error page.
async fn page(f: impl Future<Output = AppResult<Response>>) -> Response {
    f.await.unwrap_or_else(IntoResponse::into_response)
}

/// The audit trail's record of a console change to `user_id`.
pub(crate) async fn audit(
    state: &AppState,
    meta: &ClientMeta,
    console: &Console,
    kind: &str,
    user_id: &str,
    detail: serde_json::Value,
) {
    state
        .audit(
            kind,
            meta,
            Some(user_id),
            None,
            console.audit_detail(detail),
        )
        .await;
}

#[cfg(test)]
mod tests {
    use super::is_console_path;

    #[test]
    fn sign_ins_return_only_to_console_paths_on_this_site() {
        for ok in ["/admin", "/admin/users", "/admin/users/usr_AbC-12_x"] {
            assert!(is_console_path(ok), "{ok}");
        }
        for bad in [
            "/administrator",
            "//evil.example/admin",
            "/admin//evil.example",
            "/admin/../u/login",
            "/admin/users?q=x",
            "https://evil.example/admin",
            "/admin/users/a%2F..",
            "/admin\\evil",
            "",
        ] {
            assert!(!is_console_path(bad), "{bad}");
        }
    }
}
