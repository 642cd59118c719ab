//! The console's post-login Actions: the order they run in, each one's deployed version and
//! secrets (names only), a form that checks and deploys source, and per-Action changes (bind,
//! run earlier, unbind, delete). Every change is the operation the CLI and the management API
//! use (`crate::actions`), audited with the admin.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::roles::Permission;

use super::apps::DoneQuery;
use super::{Console, Frame, enter_to_read, form_to_change, page};
use crate::actions::{self as ops, Move};
use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, Params};
use crate::state::AppState;
use crate::ui::{self, PageCtx};

const PATH: &str = "/admin/actions";

struct Row {
    id: String,
    name: String,
    position: Option<usize>,
    version: Option<i64>,
    modified: bool,
    secrets: String,
    /// (op, button label) the admin may use on this row.
    ops: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "admin_actions.html")]
struct ActionsPage {
    csrf: String,
    nonce: String,
    frame: Frame,
    rows: Vec<Row>,
    can_edit: bool,
    timeout_ms: u64,
    done: Option<&'static str>,
    error: Option<String>,
    typed: Params,
}

/// `GET /admin/actions`.
pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DoneQuery>,
) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, PATH));
        let done = match q.done.as_deref() {
            Some("deployed") => Some("Deployed."),
            Some("moved") => Some("The post-login order is changed."),
            Some("deleted") => Some("The Action is deleted."),
            _ => None,
        };
        render(
            &state,
            &headers,
            &console,
            done,
            None,
            Params::default(),
            StatusCode::OK,
        )
        .await
    })
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    headers: &HeaderMap,
    console: &Console,
    done: Option<&'static str>,
    error: Option<String>,
    typed: Params,
    status: StatusCode,
) -> AppResult<Response> {
    let bound = ops::bindings(state.store()).await?;
    let mut all = state.store().list_actions().await?;
    // Bound ones first, in the order they run.
    all.sort_by_key(|a| bound.iter().position(|b| *b == a.id).unwrap_or(usize::MAX));
    let rows = all
        .into_iter()
        .map(|a| {
            let position = bound.iter().position(|b| *b == a.id);
            let mut row_ops = vec![];
            match position {
                Some(0) => row_ops.push(("unbind", "Unbind")),
                Some(_) => row_ops.extend([("earlier", "Run earlier"), ("unbind", "Unbind")]),
                None if a.deployed.is_some() => row_ops.push(("bind", "Bind")),
                None => {}
            }
            if a.modified() {
                row_ops.push(("redeploy", "Deploy the draft"));
            }
            row_ops.push(("delete", "Delete"));
            Row {
                position: position.map(|p| p + 1),
                version: a.deployed.as_ref().map(|d| d.number),
                modified: a.deployed.is_some() && a.modified(),
                secrets: a
                    .secrets
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                id: a.id,
                name: a.name,
                ops: row_ops,
            }
        })
        .collect();
    let ctx = PageCtx::new(state, headers);
    let body = ActionsPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        frame: Frame::new(console, "actions"),
        rows,
        can_edit: console.role.allows(Permission::ManagePolicy),
        timeout_ms: state.settings().actions.timeout_ms,
        done,
        error,
        typed,
    };
    ctx.respond(status, &body, vec![])
}

/// `NAME=value` lines into pairs; a line without `=` is refused.
fn secrets(text: &str) -> portcullis_core::Result<Vec<(String, String)>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .ok_or_else(|| {
                    portcullis_core::Error::Invalid("secrets are NAME=value lines".into())
                })
        })
        .collect()
}

/// `POST /admin/actions`: deploy source, or change one Action (`op` and `id`).
pub(crate) async fn act(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    page(async {
        let (form, console) = inside!(form_to_change(
            &state,
            &headers,
            &body,
            PATH,
            Permission::ManagePolicy
        ));
        let now = state.now();
        let store = state.store();
        let id = form.get("id").unwrap_or_default().to_string();
        let gone = || portcullis_core::Error::NotFound("There is no such Action.".into());
        let changed: portcullis_core::Result<&'static str> = async {
            match form.get("op").unwrap_or_default() {
                "deploy" => {
                    let given = secrets(form.get("secrets").unwrap_or_default())?;
                    let code = form.get("code").unwrap_or_default().to_string();
                    let name = form.get("name").unwrap_or_default().trim().to_string();
                    let bind = form.get("bind").is_some();
                    let limits = state.actions().limits();
                    ops::save_and_deploy(
                        store,
                        state.master(),
                        limits,
                        &name,
                        code,
                        given,
                        bind,
                        now,
                    )
                    .await?;
                    Ok("deployed")
                }
                "redeploy" => {
                    ops::deploy(store, state.actions().limits(), &id, now)
                        .await?
                        .ok_or_else(gone)?;
                    Ok("deployed")
                }
                "bind" => ops::move_binding(store, &id, Move::Append, now)
                    .await
                    .map(|()| "moved"),
                "unbind" => ops::move_binding(store, &id, Move::Remove, now)
                    .await
                    .map(|()| "moved"),
                "earlier" => ops::move_binding(store, &id, Move::Earlier, now)
                    .await
                    .map(|()| "moved"),
                "delete" if ops::delete(store, &id, true, now).await? => Ok("deleted"),
                "delete" => Err(gone()),
                _ => Err(portcullis_core::Error::Invalid("Unknown action.".into())),
            }
        }
        .await;
        let (error, status) = match changed {
            Ok(done) => {
                return finish(&state, &meta, &console, done, &form).await;
            }
            Err(portcullis_core::Error::Invalid(why)) => (why, StatusCode::UNPROCESSABLE_ENTITY),
            Err(portcullis_core::Error::Conflict(_)) => (
                "Another Action has this name.".to_string(),
                StatusCode::CONFLICT,
            ),
            Err(portcullis_core::Error::NotFound(why)) => {
                return Err(AppError::page(StatusCode::NOT_FOUND, why));
            }
            Err(e) => return Err(e.into()),
        };
        // What was typed stays, but never the secrets.
        let mut typed = form.clone();
        typed.remove("secrets");
        render(&state, &headers, &console, None, Some(error), typed, status).await
    })
    .await
}

/// Records a change made, reloads what runs, and returns to the list saying what was done.
async fn finish(
    state: &AppState,
    meta: &ClientMeta,
    console: &Console,
    done: &'static str,
    form: &Params,
) -> AppResult<Response> {
    state
        .audit(
            &format!("action.{done}"),
            meta,
            None,
            None,
            console.audit_detail(serde_json::json!({
                "action_id": form.get("id"),
                "name": form.get("name"),
                "op": form.get("op"),
            })),
        )
        .await;
    if let Err(e) = state.refresh().await {
        tracing::error!(error = %e, "configuration reload failed");
    }
    Ok(ui::see_other(&format!("{PATH}?done={done}"), &[]))
}
