//! The console's applications (clients) and APIs (resource servers): lists, creation (a client's
//! secret shown once, on the answer to the form that made it), editing with each MFA policy key
//! beside the tenant's value and the one in force, secret rotation, client grants and deletion.
//! Every change is the management API's own operation (`mgmt::apps`), audited with the admin.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::admin::{self, GRANT_TYPES, NewClient};
use portcullis_core::model::{Api, Client};
use portcullis_core::roles::Permission;
use serde::Deserialize;

use super::policy::{KeyRow, layer_rows, overrides_from};
use super::{Console, Frame, enter_to_read, form_to_change, page};
use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, Params};
use crate::mgmt::apps as ops;
use crate::state::AppState;
use crate::time::when;
use crate::ui::{self, PageCtx};

/// The algorithms a client or API may sign with.
const ALGS: [&str; 3] = ["RS256", "ES256", "EdDSA"];

#[derive(Deserialize, Default)]
pub(crate) struct DoneQuery {
    pub(crate) done: Option<String>,
}

struct ClientRow {
    id: String,
    name: String,
    kind: &'static str,
    grants: String,
    party: &'static str,
    created: String,
}

#[derive(Template)]
#[template(path = "admin_apps.html")]
struct AppsPage {
    csrf: String,
    nonce: String,
    frame: Frame,
    rows: Vec<ClientRow>,
    can_edit: bool,
    error: Option<String>,
    /// What a refused creation typed.
    typed: Params,
    algs: [&'static str; 3],
}

/// A client's kind as an admin names it.
fn kind(c: &Client) -> &'static str {
    if c.is_public() {
        "single-page or native (public, PKCE)"
    } else if c.allows_grant("authorization_code") {
        "regular web (confidential)"
    } else {
        "machine to machine"
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// `GET /admin/apps`.
pub(crate) async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, "/admin/apps"));
        apps_page(
            &state,
            &headers,
            &console,
            None,
            Params::default(),
            StatusCode::OK,
        )
        .await
    })
    .await
}

async fn apps_page(
    state: &AppState,
    headers: &HeaderMap,
    console: &Console,
    error: Option<String>,
    typed: Params,
    status: StatusCode,
) -> AppResult<Response> {
    let mut clients = state.store().list_clients().await?;
    clients.sort_by_key(|c| c.name.to_lowercase());
    let rows = clients
        .iter()
        .map(|c| ClientRow {
            id: c.id.clone(),
            name: c.name.clone(),
            kind: kind(c),
            grants: c.grant_types.join(", "),
            party: if c.first_party { "first" } else { "third" },
            created: when(Some(c.created_at)),
        })
        .collect();
    let ctx = PageCtx::new(state, headers);
    let body = AppsPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        frame: Frame::new(console, "apps"),
        rows,
        can_edit: console.role.allows(Permission::ManageApps),
        error,
        typed,
        algs: ALGS,
    };
    ctx.respond(status, &body, vec![])
}

#[derive(Template)]
#[template(path = "admin_app_created.html")]
struct CreatedPage {
    nonce: String,
    frame: Frame,
    client: Client,
    /// Shown on this answer only; the store keeps its digest.
    secret: Option<String>,
    /// "created" or "rotated".
    what: &'static str,
}

/// `POST /admin/apps`: a new client; its secret is on this answer and nowhere else.
pub(crate) async fn create(
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
            "/admin/apps",
            Permission::ManageApps
        ));
        let (public, grants) = match form.get("kind").unwrap_or_default() {
            "spa" => (true, vec!["authorization_code", "refresh_token"]),
            "m2m" => (false, vec!["client_credentials"]),
            "device" => (
                true,
                vec![
                    "urn:ietf:params:oauth:grant-type:device_code",
                    "refresh_token",
                ],
            ),
            _ => (false, vec!["authorization_code", "refresh_token"]),
        };
        let made = admin::create_client(
            state.store(),
            state.clock(),
            NewClient {
                name: form.get("name").unwrap_or_default().trim().to_string(),
                redirect_uris: lines(form.get("redirect_uris").unwrap_or_default()),
                post_logout_redirect_uris: lines(form.get("logout_uris").unwrap_or_default()),
                grant_types: grants.into_iter().map(str::to_string).collect(),
                public,
                backchannel_logout_uri: form.owned("backchannel_logout_uri"),
                third_party: form.get("third_party").is_some(),
                signing_alg: form.owned("signing_alg"),
                id: None,
                policy: Default::default(),
            },
        )
        .await;
        let (client, secret) = match made {
            Ok(made) => made,
            Err(portcullis_core::Error::Invalid(why)) => {
                return apps_page(
                    &state,
                    &headers,
                    &console,
                    Some(why),
                    form,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        audit(&state, &meta, &console, "client.created", &client.id).await;
        created(&state, &headers, &console, client, secret, "created")
    })
    .await
}

/// The page that shows a secret once: never stored by the browser or a proxy.
fn created(
    state: &AppState,
    headers: &HeaderMap,
    console: &Console,
    client: Client,
    secret: Option<portcullis_core::crypto::secret::SecretString>,
    what: &'static str,
) -> AppResult<Response> {
    let ctx = PageCtx::new(state, headers);
    let body = CreatedPage {
        nonce: ctx.nonce.clone(),
        frame: Frame::new(console, "apps"),
        client,
        secret: secret.map(|s| s.expose().to_string()),
        what,
    };
    // The console answers `no-store` already; a secret's page says it again for clarity.
    let mut resp = ctx.respond(StatusCode::OK, &body, vec![])?;
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

async fn audit(state: &AppState, meta: &ClientMeta, console: &Console, kind: &str, id: &str) {
    let detail = console.audit_detail(serde_json::json!({ "target_client_id": id }));
    state.audit(kind, meta, None, None, detail).await;
}

struct GrantRow {
    audience: String,
    scopes: String,
}

#[derive(Template)]
#[template(path = "admin_app.html")]
struct AppPage {
    csrf: String,
    nonce: String,
    frame: Frame,
    client: Client,
    kind: &'static str,
    can_edit: bool,
    notice: Option<&'static str>,
    error: Option<String>,
    redirect_uris: String,
    logout_uris: String,
    backchannel: String,
    grant_types: Vec<(&'static str, bool)>,
    algs: [&'static str; 3],
    rows: Vec<KeyRow>,
    grants: Vec<GrantRow>,
    /// APIs a grant may be added on.
    apis: Vec<String>,
}

fn not_found() -> AppError {
    AppError::page(StatusCode::NOT_FOUND, "No such application.")
}

fn app_path(id: &str) -> String {
    format!("/admin/apps/{id}")
}

/// `GET /admin/apps/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, &app_path(&id)));
        let client = state.client(&id).await.ok_or_else(not_found)?;
        let notice = q.done.as_deref().and_then(done_message);
        app_page(
            &state,
            &headers,
            &console,
            client,
            notice,
            None,
            None,
            StatusCode::OK,
        )
        .await
    })
    .await
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "saved" => "The application is saved; every node uses it at once.",
        "grant_added" => {
            "The application may now ask for that API's scopes with client_credentials."
        }
        "grant_removed" => "The grant is removed.",
        "api_saved" => "The API is saved.",
        _ => return None,
    })
}

#[allow(clippy::too_many_arguments)]
async fn app_page(
    state: &AppState,
    headers: &HeaderMap,
    console: &Console,
    client: Client,
    notice: Option<&'static str>,
    error: Option<String>,
    typed: Option<&Params>,
    status: StatusCode,
) -> AppResult<Response> {
    let in_force = state.policy(Some(&client.id), None).await;
    let rows = layer_rows(&state.tenant_policy(), &client.policy, &in_force, typed);
    let field = |name: &str, stored: String| match typed {
        Some(form) => form.get(name).unwrap_or_default().to_string(),
        None => stored,
    };
    let grants = state
        .store()
        .list_client_grants()
        .await?
        .into_iter()
        .filter(|g| g.client_id == client.id)
        .map(|g| GrantRow {
            audience: g.audience,
            scopes: g.scopes.join(" "),
        })
        .collect();
    let apis = state
        .store()
        .list_apis()
        .await?
        .into_iter()
        .map(|a| a.identifier)
        .collect();
    let ctx = PageCtx::new(state, headers);
    let body = AppPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        frame: Frame::new(console, "apps"),
        kind: kind(&client),
        can_edit: console.role.allows(Permission::ManageApps),
        notice,
        error,
        redirect_uris: field("redirect_uris", client.redirect_uris.join("\n")),
        logout_uris: field("logout_uris", client.post_logout_redirect_uris.join("\n")),
        backchannel: field(
            "backchannel_logout_uri",
            client.backchannel_logout_uri.clone().unwrap_or_default(),
        ),
        grant_types: GRANT_TYPES
            .iter()
            .map(|g| (*g, client.allows_grant(g)))
            .collect(),
        algs: ALGS,
        rows,
        grants,
        apis,
        client,
    };
    ctx.respond(status, &body, vec![])
}

/// `POST /admin/apps/{id}`: `action` = `save`, `rotate`, `delete` (`confirm` = the id),
/// `add_grant` (`audience`, `scopes`) or `remove_grant` (`audience`).
pub(crate) async fn act(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    page(async {
        let path = app_path(&id);
        let (form, console) = inside!(form_to_change(
            &state,
            &headers,
            &body,
            &path,
            Permission::ManageApps
        ));
        let client = state.client(&id).await.ok_or_else(not_found)?;
        let refuse = |why: String, client: Client, form: &Params| {
            let (state, headers, console) = (&state, &headers, &console);
            let form = form.clone();
            async move {
                app_page(
                    state,
                    headers,
                    console,
                    client,
                    None,
                    Some(why),
                    Some(&form),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        };
        match form.get("action").unwrap_or_default() {
            "save" => {
                let mut c = client.clone();
                c.name = form.get("name").unwrap_or_default().trim().to_string();
                c.redirect_uris = lines(form.get("redirect_uris").unwrap_or_default());
                c.post_logout_redirect_uris = lines(form.get("logout_uris").unwrap_or_default());
                c.backchannel_logout_uri = form.owned("backchannel_logout_uri");
                c.grant_types = GRANT_TYPES
                    .iter()
                    .filter(|g| form.get(&format!("grant_{g}")).is_some())
                    .map(|g| g.to_string())
                    .collect();
                c.first_party = form.get("third_party").is_none();
                if let Some(alg) = form.get("signing_alg") {
                    c.signing_alg = alg.to_string();
                }
                c.policy = match overrides_from(&form) {
                    Ok(p) => p,
                    Err(why) => return refuse(why, client, &form).await,
                };
                match ops::save_client(&state, &c).await {
                    Ok(true) => {}
                    Ok(false) => return Err(not_found()),
                    Err(portcullis_core::Error::Invalid(why)) => {
                        return refuse(why, client, &form).await;
                    }
                    Err(e) => return Err(e.into()),
                }
                audit(&state, &meta, &console, "client.updated", &id).await;
                Ok(ui::see_other(&format!("{path}?done=saved"), &[]))
            }
            "rotate" => {
                let (c, secret) = match ops::rotate_client_secret(&state, client).await {
                    Ok(done) => done,
                    Err(portcullis_core::Error::Invalid(why)) => {
                        return Err(AppError::page(StatusCode::CONFLICT, why));
                    }
                    Err(portcullis_core::Error::NotFound(_)) => return Err(not_found()),
                    Err(e) => return Err(e.into()),
                };
                audit(&state, &meta, &console, "client.secret_rotated", &id).await;
                created(&state, &headers, &console, c, Some(secret), "rotated")
            }
            "delete" => {
                if form.get("confirm") != Some(id.as_str()) {
                    return Err(AppError::page(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Type the application's id to confirm the deletion.",
                    ));
                }
                if !ops::remove_client(&state, &id).await? {
                    return Err(not_found());
                }
                audit(&state, &meta, &console, "client.deleted", &id).await;
                Ok(ui::see_other("/admin/apps?done=deleted", &[]))
            }
            "add_grant" => {
                let audience = form.get("audience").unwrap_or_default().to_string();
                let scopes: Vec<String> = form
                    .get("scopes")
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
                let grant = match ops::add_grant(&state, &client, &audience, scopes).await {
                    Ok(g) => g,
                    Err(portcullis_core::Error::Conflict(_)) => {
                        return refuse(
                            "The application already has a grant on that API; remove it first."
                                .into(),
                            client,
                            &Params::default(),
                        )
                        .await;
                    }
                    Err(portcullis_core::Error::NotFound(_)) => {
                        return refuse("No API has that identifier.".into(), client, &Params::default())
                            .await;
                    }
                    Err(portcullis_core::Error::Invalid(why)) => {
                        return refuse(why, client, &Params::default()).await;
                    }
                    Err(e) => return Err(e.into()),
                };
                let detail = console.audit_detail(serde_json::json!({
                    "target_client_id": grant.client_id, "audience": grant.audience, "scope": grant.scopes,
                }));
                state
                    .audit("client_grant.created", &meta, None, None, detail)
                    .await;
                Ok(ui::see_other(&format!("{path}?done=grant_added"), &[]))
            }
            "remove_grant" => {
                let audience = form.get("audience").unwrap_or_default();
                ops::remove_grant(&state, &id, audience).await?;
                let detail = console.audit_detail(
                    serde_json::json!({ "target_client_id": id, "audience": audience }),
                );
                state
                    .audit("client_grant.deleted", &meta, None, None, detail)
                    .await;
                Ok(ui::see_other(&format!("{path}?done=grant_removed"), &[]))
            }
            _ => Err(AppError::page(StatusCode::BAD_REQUEST, "Unknown action.")),
        }
    })
    .await
}

struct ApiRow {
    id: String,
    identifier: String,
    name: String,
    scopes: String,
    builtin: bool,
}

#[derive(Template)]
#[template(path = "admin_apis.html")]
struct ApisPage {
    csrf: String,
    nonce: String,
    frame: Frame,
    rows: Vec<ApiRow>,
    can_edit: bool,
    error: Option<String>,
    typed: Params,
    algs: [&'static str; 3],
}

/// `GET /admin/apis`.
pub(crate) async fn apis(State(state): State<AppState>, headers: HeaderMap) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, "/admin/apis"));
        apis_page(
            &state,
            &headers,
            &console,
            None,
            Params::default(),
            StatusCode::OK,
        )
        .await
    })
    .await
}

async fn apis_page(
    state: &AppState,
    headers: &HeaderMap,
    console: &Console,
    error: Option<String>,
    typed: Params,
    status: StatusCode,
) -> AppResult<Response> {
    let rows = state
        .store()
        .list_apis()
        .await?
        .into_iter()
        .map(|a| ApiRow {
            builtin: ops::is_system(state, &a),
            id: a.id,
            identifier: a.identifier,
            name: a.name,
            scopes: a.scopes.join(" "),
        })
        .collect();
    let ctx = PageCtx::new(state, headers);
    let body = ApisPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        frame: Frame::new(console, "apis"),
        rows,
        can_edit: console.role.allows(Permission::ManageApps),
        error,
        typed,
        algs: ALGS,
    };
    ctx.respond(status, &body, vec![])
}

/// The API fields a form sets, checked as the management API checks them.
fn api_fields(api: &mut Api, form: &Params) -> portcullis_core::Result<()> {
    api.name = form
        .get("name")
        .unwrap_or(&api.identifier)
        .trim()
        .to_string();
    api.scopes = ops::checked_scopes(
        form.get("scopes")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    )?;
    if let Some(t) = form.get("token_lifetime") {
        let t = t.trim().parse::<i64>().map_err(|_| {
            portcullis_core::Error::Invalid("token_lifetime must be a number of seconds".into())
        })?;
        api.token_ttl = ops::lifetime(Some(t))?.unwrap_or(api.token_ttl);
    }
    if let Some(alg) = ops::api_alg(form.owned("signing_alg"))? {
        api.signing_alg = Some(alg);
    }
    Ok(())
}

/// `POST /admin/apis`: a new API.
pub(crate) async fn create_api(
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
            "/admin/apis",
            Permission::ManageApps
        ));
        let identifier = form
            .get("identifier")
            .unwrap_or_default()
            .trim()
            .to_string();
        let checked = async {
            let mut probe = Api {
                id: String::new(),
                identifier: identifier.clone(),
                name: String::new(),
                scopes: vec![],
                token_ttl: 0,
                policy: Default::default(),
                created_at: 0,
                signing_alg: None,
            };
            api_fields(&mut probe, &form)?;
            let mut api = admin::create_api(
                state.store(),
                state.clock(),
                &identifier,
                Some(probe.name.as_str()),
                probe.scopes.clone(),
                Default::default(),
            )
            .await?;
            if probe.token_ttl > 0 {
                api.token_ttl = probe.token_ttl;
            }
            api.signing_alg = probe.signing_alg;
            ops::save_api(&state, &api).await?;
            Ok::<Api, portcullis_core::Error>(api)
        }
        .await;
        let api = match checked {
            Ok(api) => api,
            Err(portcullis_core::Error::Invalid(why)) => {
                return apis_page(
                    &state,
                    &headers,
                    &console,
                    Some(why),
                    form,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(portcullis_core::Error::Conflict(_)) => {
                return apis_page(
                    &state,
                    &headers,
                    &console,
                    Some("An API with that identifier exists.".into()),
                    form,
                    StatusCode::CONFLICT,
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        api_audit(&state, &meta, &console, "api.created", &api).await;
        Ok(ui::see_other(
            &format!("/admin/apis/{}?done=api_saved", api.id),
            &[],
        ))
    })
    .await
}

async fn api_audit(state: &AppState, meta: &ClientMeta, console: &Console, kind: &str, api: &Api) {
    let detail = console.audit_detail(serde_json::json!({ "identifier": api.identifier }));
    state.audit(kind, meta, None, None, detail).await;
}

#[derive(Template)]
#[template(path = "admin_api.html")]
struct ApiPage {
    csrf: String,
    nonce: String,
    frame: Frame,
    api: Api,
    builtin: bool,
    can_edit: bool,
    notice: Option<&'static str>,
    error: Option<String>,
    name: String,
    scopes: String,
    token_lifetime: String,
    signing_alg: String,
    algs: [&'static str; 3],
    rows: Vec<KeyRow>,
}

async fn find_api(state: &AppState, id: &str) -> AppResult<Api> {
    state
        .store()
        .list_apis()
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| AppError::page(StatusCode::NOT_FOUND, "No such API."))
}

#[allow(clippy::too_many_arguments)]
async fn api_page(
    state: &AppState,
    headers: &HeaderMap,
    console: &Console,
    api: Api,
    notice: Option<&'static str>,
    error: Option<String>,
    typed: Option<&Params>,
    status: StatusCode,
) -> AppResult<Response> {
    let in_force = state.tenant_policy().resolve(None, Some(&api.policy));
    let rows = layer_rows(&state.tenant_policy(), &api.policy, &in_force, typed);
    let field = |name: &str, stored: String| match typed {
        Some(form) => form.get(name).unwrap_or_default().to_string(),
        None => stored,
    };
    let ctx = PageCtx::new(state, headers);
    let body = ApiPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        frame: Frame::new(console, "apis"),
        builtin: ops::is_system(state, &api),
        can_edit: console.role.allows(Permission::ManageApps),
        notice,
        error,
        name: field("name", api.name.clone()),
        scopes: field("scopes", api.scopes.join(" ")),
        token_lifetime: field("token_lifetime", api.token_ttl.to_string()),
        signing_alg: api.signing_alg.clone().unwrap_or_else(|| "RS256".into()),
        algs: ALGS,
        rows,
        api,
    };
    ctx.respond(status, &body, vec![])
}

/// `GET /admin/apis/{id}`.
pub(crate) async fn api(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Response {
    page(async {
        let console = inside!(enter_to_read(
            &state,
            &headers,
            &format!("/admin/apis/{id}")
        ));
        let api = find_api(&state, &id).await?;
        let notice = q.done.as_deref().and_then(done_message);
        api_page(
            &state,
            &headers,
            &console,
            api,
            notice,
            None,
            None,
            StatusCode::OK,
        )
        .await
    })
    .await
}

/// `POST /admin/apis/{id}`: `action` = `save` or `delete` (`confirm` = the identifier).
pub(crate) async fn act_api(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    page(async {
        let path = format!("/admin/apis/{id}");
        let (form, console) = inside!(form_to_change(
            &state,
            &headers,
            &body,
            &path,
            Permission::ManageApps
        ));
        let api = find_api(&state, &id).await?;
        if ops::is_system(&state, &api) {
            return Err(AppError::page(
                StatusCode::FORBIDDEN,
                "The management API is built in and cannot be changed.",
            ));
        }
        match form.get("action").unwrap_or_default() {
            "save" => {
                let mut changed = api.clone();
                let checked = api_fields(&mut changed, &form).and_then(|()| {
                    overrides_from(&form)
                        .map(|p| changed.policy = p)
                        .map_err(portcullis_core::Error::Invalid)
                });
                if let Err(e) = checked {
                    let why = match e {
                        portcullis_core::Error::Invalid(why) => why,
                        other => return Err(other.into()),
                    };
                    return api_page(
                        &state,
                        &headers,
                        &console,
                        api,
                        None,
                        Some(why),
                        Some(&form),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await;
                }
                ops::save_api(&state, &changed).await?;
                api_audit(&state, &meta, &console, "api.updated", &changed).await;
                Ok(ui::see_other(&format!("{path}?done=api_saved"), &[]))
            }
            "delete" => {
                if form.get("confirm") != Some(api.identifier.as_str()) {
                    return Err(AppError::page(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Type the API's identifier to confirm the deletion.",
                    ));
                }
                ops::remove_api(&state, &api).await?;
                api_audit(&state, &meta, &console, "api.deleted", &api).await;
                Ok(ui::see_other("/admin/apis", &[]))
            }
            _ => Err(AppError::page(StatusCode::BAD_REQUEST, "Unknown action.")),
        }
    })
    .await
}
