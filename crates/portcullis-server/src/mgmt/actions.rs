//! Post-login Actions in Auth0's shape (`/api/v2/actions/…`): create and edit a draft, deploy
//! it, bind deployed Actions to the `post-login` trigger in order. Secrets are write-only.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::actions::{Action, Deployed, POST_LOGIN, POST_LOGIN_VERSION};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{Admin, ApiError, ApiResult, Paging, no_content, parse_body, query, respond};
use crate::actions::{ActionRef, Binding, Draft, SecretInput};
use crate::state::AppState;

fn time(t: i64) -> String {
    crate::time::iso8601(t)
}

fn version_json(action: &Action, d: &Deployed) -> Value {
    json!({
        "id": d.id,
        "action_id": action.id,
        "number": d.number,
        "code": d.code,
        "runtime": action.runtime,
        "dependencies": [],
        "secrets": d.secrets.iter().map(|s| json!({ "name": s.name, "updated_at": time(s.updated_at) })).collect::<Vec<_>>(),
        "supported_triggers": [{ "id": POST_LOGIN, "version": POST_LOGIN_VERSION }],
        "status": "built",
        "deployed": true,
        "created_at": time(d.deployed_at),
        "updated_at": time(d.deployed_at),
    })
}

fn action_json(a: &Action) -> Value {
    let mut v = json!({
        "id": a.id,
        "name": a.name,
        "code": a.code,
        "runtime": a.runtime,
        "dependencies": [],
        "supported_triggers": [{ "id": POST_LOGIN, "version": POST_LOGIN_VERSION }],
        "secrets": a.secrets.iter().map(|s| json!({ "name": s.name, "updated_at": time(s.updated_at) })).collect::<Vec<_>>(),
        "status": "built",
        "all_changes_deployed": !a.modified(),
        "created_at": time(a.created_at),
        "updated_at": time(a.updated_at),
    });
    if let Some(d) = &a.deployed {
        v["deployed_version"] = version_json(a, d);
    }
    v
}

/// A trigger an Action supports.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerRef {
    /// Only `post-login`.
    id: String,
    /// Auth0's trigger version; `v3` (the `api.authentication` one) or earlier.
    #[serde(default)]
    version: Option<String>,
}

/// A dependency (npm module); refused, as Actions here run without npm.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DependencyRef {
    /// The module.
    name: String,
    /// Its version.
    #[serde(default)]
    #[allow(dead_code)]
    version: Option<String>,
}

/// A secret as sent: a name and (to set it) a value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretDoc {
    /// `event.secrets.<name>`.
    name: String,
    /// The value; on update, absent keeps the stored one.
    value: Option<String>,
}

/// `POST /api/v2/actions/actions` and `PATCH …/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Unique name.
    name: Option<String>,
    /// Must be `[{"id": "post-login", "version": "v3"}]`.
    supported_triggers: Option<Vec<TriggerRef>>,
    /// The CommonJS source exporting `onExecutePostLogin`.
    code: Option<String>,
    /// npm modules: must be empty.
    dependencies: Option<Vec<DependencyRef>>,
    /// Auth0's runtime label (`node18`); scripts run in the embedded engine whatever it says.
    runtime: Option<String>,
    /// The whole set of secrets.
    secrets: Option<Vec<SecretDoc>>,
}

/// An Action.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ActionDoc {
    id: String,
    name: String,
    code: String,
    runtime: String,
    #[schema(value_type = Vec<Object>)]
    supported_triggers: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    dependencies: Vec<Value>,
    /// Names and times only: values are write-only.
    #[schema(value_type = Vec<Object>)]
    secrets: Vec<Value>,
    status: String,
    all_changes_deployed: bool,
    #[schema(value_type = Option<Object>)]
    deployed_version: Option<Value>,
    created_at: String,
    updated_at: String,
}

/// A page of Actions.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ActionsDoc {
    actions: Vec<ActionDoc>,
    total: i64,
    page: i64,
    per_page: i64,
}

/// A deployed version.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ActionVersionDoc {
    id: String,
    action_id: String,
    number: i64,
    code: String,
    deployed: bool,
    status: String,
}

/// The triggers.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct TriggersDoc {
    #[schema(value_type = Vec<Object>)]
    triggers: Vec<Value>,
}

/// A trigger's bindings, in the order they run.
#[derive(ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct BindingsDoc {
    #[schema(value_type = Vec<Object>)]
    bindings: Vec<Value>,
}

/// How a binding names its Action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingRefDoc {
    /// `action_id` or `action_name`.
    #[serde(rename = "type")]
    kind: String,
    /// The id or name.
    value: String,
}

/// One binding as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingDoc {
    /// The Action.
    #[serde(rename = "ref")]
    reference: BindingRefDoc,
    /// Shown in lists; defaults to the Action's name.
    display_name: Option<String>,
    /// Auth0's per-binding secrets: refused here (secrets belong to the Action).
    secrets: Option<Vec<SecretDoc>>,
}

/// `PATCH /api/v2/actions/triggers/post-login/bindings`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BindingsRequest {
    /// Every binding, in the order they run; `[]` unbinds all.
    bindings: Vec<BindingDoc>,
}

fn draft(req: ActionRequest) -> ApiResult<Draft> {
    if let Some(triggers) = &req.supported_triggers {
        let ok = triggers.len() == 1
            && triggers[0].id == POST_LOGIN
            && triggers[0]
                .version
                .as_deref()
                .is_none_or(|v| ["v1", "v2", "v3"].contains(&v));
        if !ok {
            return Err(ApiError::body(
                "supported_triggers must be [{\"id\": \"post-login\", \"version\": \"v3\"}]: post-login is the only trigger here",
            ));
        }
    }
    if let Some(deps) = req.dependencies.as_ref().filter(|d| !d.is_empty()) {
        return Err(ApiError::body(format!(
            "dependencies are not supported: Actions here run without npm ({} asked for)",
            deps.iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(Draft {
        name: req.name,
        code: req.code,
        runtime: req.runtime,
        secrets: req.secrets.map(|s| {
            s.into_iter()
                .map(|s| SecretInput {
                    name: s.name,
                    value: s.value,
                })
                .collect()
        }),
    })
}

fn inexistent() -> ApiError {
    ApiError::not_found("inexistent_action", "action")
}

#[utoipa::path(
    get,
    path = "/api/v2/actions/actions",
    tag = "actions",
    params(super::openapi::PageParams, ("actionName" = Option<String>, Query, description = "Only the Action with this name"), ("deployed" = Option<bool>, Query, description = "Only deployed (true) or never deployed (false) Actions"), ("triggerId" = Option<String>, Query, description = "Only Actions supporting this trigger")),
    responses((status = 200, description = "Actions", body = ActionsDoc), super::openapi::ApiErrors),
    security(("management" = ["read:actions"]))
)]
/// `GET /api/v2/actions/actions`.
pub async fn list(State(state): State<AppState>, admin: Admin, RawQuery(q): RawQuery) -> Response {
    respond(async {
        admin.require(&["read:actions"])?;
        let params = query(q)?;
        let paging = Paging::from(&params)?;
        let deployed = match params.get("deployed") {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err(ApiError::query("deployed must be true or false")),
        };
        let all: Vec<Action> = state
            .store()
            .list_actions()
            .await?
            .into_iter()
            .filter(|a| params.get("actionName").is_none_or(|n| a.name == n))
            .filter(|a| deployed.is_none_or(|d| a.deployed.is_some() == d))
            .filter(|_| params.get("triggerId").is_none_or(|t| t == POST_LOGIN))
            .collect();
        let items: Vec<Value> = all
            .iter()
            .skip(paging.offset() as usize)
            .take(paging.per_page as usize)
            .map(action_json)
            .collect();
        Ok(axum::Json(json!({
            "actions": items,
            "total": all.len(),
            "page": paging.page,
            "per_page": paging.per_page,
        }))
        .into_response())
    })
    .await
}

#[utoipa::path(
    post,
    path = "/api/v2/actions/actions",
    tag = "actions",
    request_body = ActionRequest,
    responses((status = 201, description = "Created, not deployed", body = ActionDoc), (status = 409, description = "The name is taken", body = super::openapi::ApiErrorDoc), super::openapi::ApiErrors),
    security(("management" = ["create:actions"]))
)]
/// `POST /api/v2/actions/actions`.
pub async fn create(State(state): State<AppState>, admin: Admin, body: Bytes) -> Response {
    respond(async {
        admin.require(&["create:actions"])?;
        let req: ActionRequest = parse_body(&body)?;
        if req.supported_triggers.is_none() {
            return Err(ApiError::body("supported_triggers is required"));
        }
        let action =
            crate::actions::create(state.store(), state.master(), draft(req)?, state.now())
                .await
                .map_err(conflict_named)?;
        admin
            .audit(
                &state,
                "action.created",
                None,
                json!({ "action_id": action.id, "name": action.name }),
            )
            .await;
        Ok((StatusCode::CREATED, axum::Json(action_json(&action))).into_response())
    })
    .await
}

/// A name taken is Auth0's 409 with a message saying so.
fn conflict_named(e: portcullis_core::Error) -> ApiError {
    match e {
        portcullis_core::Error::Conflict(_) => ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "An Action with this name already exists.",
        ),
        other => other.into(),
    }
}

#[utoipa::path(
    get,
    path = "/api/v2/actions/actions/{id}",
    tag = "actions",
    params(("id" = String, Path, description = "The Action's id")),
    responses((status = 200, description = "The Action", body = ActionDoc), super::openapi::ApiErrors),
    security(("management" = ["read:actions"]))
)]
/// `GET /api/v2/actions/actions/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:actions"])?;
        let action = state.store().action(&id).await?.ok_or_else(inexistent)?;
        Ok(axum::Json(action_json(&action)).into_response())
    })
    .await
}

#[utoipa::path(
    patch,
    path = "/api/v2/actions/actions/{id}",
    tag = "actions",
    params(("id" = String, Path, description = "The Action's id")),
    request_body = ActionRequest,
    responses((status = 200, description = "The draft changed; what runs changes at the next deploy", body = ActionDoc), (status = 409, description = "The name is taken", body = super::openapi::ApiErrorDoc), super::openapi::ApiErrors),
    security(("management" = ["update:actions"]))
)]
/// `PATCH /api/v2/actions/actions/{id}`.
pub async fn update(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    respond(async {
        admin.require(&["update:actions"])?;
        let req: ActionRequest = parse_body(&body)?;
        let action =
            crate::actions::update(state.store(), state.master(), &id, draft(req)?, state.now())
                .await
                .map_err(conflict_named)?
                .ok_or_else(inexistent)?;
        admin
            .audit(
                &state,
                "action.updated",
                None,
                json!({ "action_id": action.id }),
            )
            .await;
        Ok(axum::Json(action_json(&action)).into_response())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/api/v2/actions/actions/{id}",
    tag = "actions",
    params(("id" = String, Path, description = "The Action's id"), ("force" = Option<bool>, Query, description = "Unbind it from post-login first")),
    responses((status = 204, description = "Deleted"), (status = 409, description = "Bound to post-login and not forced", body = super::openapi::ApiErrorDoc), super::openapi::ApiErrors),
    security(("management" = ["delete:actions"]))
)]
/// `DELETE /api/v2/actions/actions/{id}[?force=true]`.
pub async fn remove(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    respond(async {
        admin.require(&["delete:actions"])?;
        let params = query(q)?;
        let force = match params.get("force") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(ApiError::query("force must be true or false")),
        };
        match crate::actions::delete(state.store(), &id, force, state.now()).await {
            Ok(true) => {}
            Ok(false) => return Err(inexistent()),
            Err(portcullis_core::Error::Conflict(m)) => {
                return Err(ApiError::new(StatusCode::CONFLICT, "conflict", m));
            }
            Err(e) => return Err(e.into()),
        }
        admin
            .audit(
                &state,
                "action.deleted",
                None,
                json!({ "action_id": id, "force": force }),
            )
            .await;
        reload(&state).await;
        Ok(no_content())
    })
    .await
}

#[utoipa::path(
    post,
    path = "/api/v2/actions/actions/{id}/deploy",
    tag = "actions",
    params(("id" = String, Path, description = "The Action's id")),
    responses((status = 200, description = "Deployed: sign-ins run this version wherever it is bound", body = ActionVersionDoc), super::openapi::ApiErrors),
    security(("management" = ["update:actions"]))
)]
/// `POST /api/v2/actions/actions/{id}/deploy`: the draft, compiled and checked, becomes the
/// version that runs.
pub async fn deploy(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["update:actions"])?;
        let limits = state.actions().limits();
        let action = crate::actions::deploy(state.store(), limits, &id, state.now())
            .await?
            .ok_or_else(inexistent)?;
        let Some(d) = &action.deployed else {
            return Err(inexistent());
        };
        admin
            .audit(
                &state,
                "action.deployed",
                None,
                json!({ "action_id": action.id, "version": d.number }),
            )
            .await;
        reload(&state).await;
        Ok(axum::Json(version_json(&action, d)).into_response())
    })
    .await
}

/// This node runs the new deployment at once; the others reload on the change signal.
async fn reload(state: &AppState) {
    if let Err(e) = state.refresh().await {
        tracing::error!(error = %e, "configuration reload failed");
    }
}

#[utoipa::path(
    get,
    path = "/api/v2/actions/triggers",
    tag = "actions",
    responses((status = 200, description = "The triggers Actions bind to", body = TriggersDoc), super::openapi::ApiErrors),
    security(("management" = ["read:actions"]))
)]
/// `GET /api/v2/actions/triggers`: `post-login` alone.
pub async fn triggers(admin: Admin) -> Response {
    respond(async {
        admin.require(&["read:actions"])?;
        Ok(axum::Json(json!({
            "triggers": [{
                "id": POST_LOGIN,
                "version": POST_LOGIN_VERSION,
                "status": "CURRENT",
                "runtimes": [portcullis_core::actions::RUNTIME],
                "default_runtime": portcullis_core::actions::RUNTIME,
                "compatible_triggers": [],
            }]
        }))
        .into_response())
    })
    .await
}

fn bindings_json(bound: &[(Action, Binding)]) -> Value {
    let list: Vec<Value> = bound
        .iter()
        .map(|(a, b)| {
            json!({
                "id": format!("bnd_{}", a.id.trim_start_matches("act_")),
                "trigger_id": POST_LOGIN,
                "display_name": b.display_name,
                "action": action_json(a),
                "created_at": time(a.updated_at),
                "updated_at": time(a.updated_at),
            })
        })
        .collect();
    json!({ "bindings": list, "total": list.len(), "page": 0, "per_page": list.len().max(1) })
}

fn post_login_only(trigger: &str) -> ApiResult<()> {
    if trigger != POST_LOGIN {
        return Err(ApiError::not_found("inexistent_trigger", "trigger"));
    }
    Ok(())
}

#[utoipa::path(
    get,
    path = "/api/v2/actions/triggers/{triggerId}/bindings",
    tag = "actions",
    params(("triggerId" = String, Path, description = "post-login")),
    responses((status = 200, description = "The Actions bound, in the order they run", body = BindingsDoc), super::openapi::ApiErrors),
    security(("management" = ["read:actions"]))
)]
/// `GET /api/v2/actions/triggers/post-login/bindings`.
pub async fn bindings(
    State(state): State<AppState>,
    admin: Admin,
    Path(trigger): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:actions"])?;
        post_login_only(&trigger)?;
        let mut bound = Vec::new();
        for b in crate::actions::named_bindings(state.store()).await? {
            if let Some(a) = state.store().action(&b.action_id).await? {
                bound.push((a, b));
            }
        }
        Ok(axum::Json(bindings_json(&bound)).into_response())
    })
    .await
}

#[utoipa::path(
    patch,
    path = "/api/v2/actions/triggers/{triggerId}/bindings",
    tag = "actions",
    params(("triggerId" = String, Path, description = "post-login")),
    request_body = BindingsRequest,
    responses((status = 200, description = "The bindings now in force, in order", body = BindingsDoc), super::openapi::ApiErrors),
    security(("management" = ["update:actions"]))
)]
/// `PATCH /api/v2/actions/triggers/post-login/bindings`: the whole ordered list.
pub async fn set_bindings(
    State(state): State<AppState>,
    admin: Admin,
    Path(trigger): Path<String>,
    body: Bytes,
) -> Response {
    respond(async {
        admin.require(&["update:actions"])?;
        post_login_only(&trigger)?;
        let req: BindingsRequest = parse_body(&body)?;
        let mut refs = Vec::with_capacity(req.bindings.len());
        for b in req.bindings {
            if b.secrets.as_ref().is_some_and(|s| !s.is_empty()) {
                return Err(ApiError::body(
                    "binding secrets are not supported: set them on the Action",
                ));
            }
            let action = match b.reference.kind.as_str() {
                "action_id" => ActionRef::Id(b.reference.value),
                "action_name" => ActionRef::Name(b.reference.value),
                _ => {
                    return Err(ApiError::body(
                        "ref.type must be action_id or action_name",
                    ));
                }
            };
            refs.push((action, b.display_name));
        }
        let bound = match crate::actions::bind(state.store(), &refs, state.now()).await {
            Ok(b) => b,
            Err(portcullis_core::Error::NotFound(m)) => {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "inexistent_action",
                    format!("{m} does not exist."),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        admin
            .audit(
                &state,
                "action.bindings_changed",
                None,
                json!({ "trigger": POST_LOGIN, "actions": bound.iter().map(|(a, _)| a.id.clone()).collect::<Vec<_>>() }),
            )
            .await;
        reload(&state).await;
        Ok(axum::Json(bindings_json(&bound)).into_response())
    })
    .await
}
