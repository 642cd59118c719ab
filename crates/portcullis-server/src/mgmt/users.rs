//! Users, their factors, sessions and enrolment tickets.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portcullis_core::admin::{self, NewUser};
use portcullis_core::crypto::secret::SecretString;
use portcullis_core::factor::FactorKind;
use portcullis_core::model::{Factor, Session, User};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, ApiError, ApiResult, Paging, no_content, parse_body, query, respond};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::time::iso8601;
use crate::ui;

async fn find_user(state: &AppState, id: &str) -> ApiResult<User> {
    // An id from the system the user was imported from (Auth0's "auth0|…") finds them too.
    let user = match state.store().user_by_id(id).await? {
        Some(u) => Some(u),
        None => state.store().user_by_alias(id).await?,
    };
    user.ok_or_else(|| ApiError::not_found("inexistent_user", "user"))
}

/// A user in Auth0's shape; `multifactor` lists the kinds of factor enrolled.
async fn user_json(state: &AppState, user: &User) -> ApiResult<Value> {
    let mut kinds: Vec<&str> = ui::active_factors(state, &user.id)
        .await?
        .iter()
        .map(|f| f.kind.as_str())
        .collect();
    kinds.dedup();
    let mut out = json!({
        "user_id": user.id,
        "email": user.email,
        "email_verified": user.email_verified,
        "blocked": user.blocked,
        "user_metadata": user.user_metadata,
        "app_metadata": user.app_metadata,
        "multifactor": kinds,
        "created_at": iso8601(user.created_at),
        "identities": identities(state, user).await?,
    });
    if let Some(name) = &user.name {
        out["name"] = name.clone().into();
    }
    if let Some(at) = user.last_login {
        out["last_login"] = iso8601(at).into();
    }
    Ok(out)
}

/// Auth0's `identities`: the password account (when the user has a password or nothing else),
/// then each linked upstream identity.
async fn identities(state: &AppState, user: &User) -> ApiResult<Vec<Value>> {
    let links = state.store().upstream_identities(&user.id).await?;
    let mut out = Vec::new();
    if user.password_hash.is_some() || links.is_empty() {
        out.push(json!({
            "provider": "auth0",
            "connection": "Username-Password-Authentication",
            "user_id": user.id,
            "isSocial": false,
        }));
    }
    out.extend(links.into_iter().map(|l| {
        json!({
            "provider": l.provider,
            "connection": l.provider,
            "user_id": l.subject,
            "isSocial": true,
        })
    }));
    Ok(out)
}

#[utoipa::path(
    delete,
    path = "/api/v2/users/{id}/identities/{provider}/{user_id}",
    tag = "users",
    params(("id" = String, Path, description = "The user id"), ("provider" = String, Path, description = "The upstream provider's name"), ("user_id" = String, Path, description = "The user's subject at that provider")),
    responses((status = 200, description = "The identities left", body = Vec<super::openapi::IdentityDoc>), super::openapi::ApiErrors),
    security(("management" = ["update:users"]))
)]
/// `DELETE /api/v2/users/{id}/identities/{provider}/{user_id}` (Auth0's unlink): the upstream
/// identity no longer signs in to this user; the identities left.
pub async fn unlink(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, provider, subject)): Path<(String, String, String)>,
) -> Response {
    respond(async {
        admin.require(&["update:users"])?;
        let user = find_user(&state, &id).await?;
        if !state
            .store()
            .unlink_upstream(&user.id, &provider, &subject)
            .await?
        {
            return Err(ApiError::not_found("inexistent_identity", "identity"));
        }
        admin
            .audit(
                &state,
                "upstream.unlinked",
                Some(&user.id),
                json!({ "provider": provider }),
            )
            .await;
        Ok(axum::Json(identities(&state, &user).await?).into_response())
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v2/users",
    tag = "users",
    params(super::openapi::PageParams, ("email" = Option<String>, Query, description = "Only the user with this address")),
    responses((status = 200, description = "Users", body = super::openapi::UsersPage), super::openapi::ApiErrors),
    security(("management" = ["read:users"]))
)]
/// `GET /api/v2/users`: a page of users, optionally only the one with `email`.
pub async fn list(State(state): State<AppState>, admin: Admin, RawQuery(q): RawQuery) -> Response {
    respond(async {
        admin.require(&["read:users"])?;
        let params = query(q)?;
        let paging = Paging::from(&params)?;
        let (users, total) = state
            .store()
            .users_page(params.get("email"), paging.offset(), paging.per_page)
            .await?;
        let mut items = Vec::with_capacity(users.len());
        for u in &users {
            items.push(user_json(&state, u).await?);
        }
        Ok(paging.answer("users", items, total))
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v2/users-by-email",
    tag = "users",
    params(("email" = String, Query, description = "The address")),
    responses((status = 200, description = "None or one user", body = Vec<super::openapi::UserDoc>), super::openapi::ApiErrors),
    security(("management" = ["read:users"]))
)]
/// `GET /api/v2/users-by-email?email=`: the users with that address (none or one).
pub async fn by_email(
    State(state): State<AppState>,
    admin: Admin,
    RawQuery(q): RawQuery,
) -> Response {
    respond(async {
        admin.require(&["read:users"])?;
        let params = query(q)?;
        let email = params
            .get("email")
            .ok_or_else(|| ApiError::query("email is required"))?;
        let mut out = Vec::new();
        if let Some(u) = state.store().user_by_email(email).await? {
            out.push(user_json(&state, &u).await?);
        }
        Ok(axum::Json(out).into_response())
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v2/users/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 200, description = "The user", body = super::openapi::UserDoc), super::openapi::ApiErrors),
    security(("management" = ["read:users"]))
)]
/// `GET /api/v2/users/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:users"])?;
        let user = find_user(&state, &id).await?;
        Ok(axum::Json(user_json(&state, &user).await?).into_response())
    })
    .await
}

/// The body of `POST /api/v2/users`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    #[schema(format = Email)]
    email: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email_verified: bool,
    #[serde(default)]
    blocked: bool,
    #[serde(default)]
    user_metadata: Value,
    #[serde(default)]
    app_metadata: Value,
    /// Auth0 names the database here; there is one, so any name is accepted.
    #[serde(default)]
    #[allow(dead_code)]
    connection: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    verify_email: Option<bool>,
}

/// A taken address (or one that looks like a taken one) as Auth0 says it: `409`.
fn conflict(e: portcullis_core::Error) -> ApiError {
    match e {
        portcullis_core::Error::Conflict(m) if m == portcullis_core::identity::LOOK_ALIKE => {
            ApiError::new(
                StatusCode::CONFLICT,
                "auth0_idp_error",
                "The email address looks like the address of an existing user.",
            )
        }
        portcullis_core::Error::Conflict(_) => ApiError::new(
            StatusCode::CONFLICT,
            "auth0_idp_error",
            "The user already exists.",
        ),
        other => other.into(),
    }
}

#[utoipa::path(
    post,
    path = "/api/v2/users",
    tag = "users",
    request_body = CreateUser,
    responses((status = 201, description = "Created", body = super::openapi::UserDoc), (status = 409, description = "The email is taken", body = super::openapi::ApiErrorDoc), super::openapi::ApiErrors),
    security(("management" = ["create:users"]))
)]
/// `POST /api/v2/users`: `201` with the user; `409` if the email is taken.
pub async fn create(State(state): State<AppState>, admin: Admin, body: Bytes) -> Response {
    respond(async {
        admin.require(&["create:users"])?;
        let body: CreateUser = parse_body(&body)?;
        let user = admin::add_user(
            state.store(),
            state.hasher(),
            state.clock(),
            NewUser {
                email: body.email,
                password: body.password.map(SecretString::new),
                name: body.name,
                email_verified: body.email_verified,
                blocked: body.blocked,
                user_metadata: body.user_metadata,
                app_metadata: body.app_metadata,
            },
        )
        .await
        .map_err(conflict)?;
        admin
            .audit(&state, "user.created", Some(&user.id), json!({}))
            .await;
        Ok((
            StatusCode::CREATED,
            axum::Json(user_json(&state, &user).await?),
        )
            .into_response())
    })
    .await
}

/// The body of `PATCH /api/v2/users/{id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateUser {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<bool>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    blocked: Option<bool>,
    #[serde(default)]
    user_metadata: Option<Value>,
    #[serde(default)]
    app_metadata: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    connection: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    verify_email: Option<bool>,
}

/// Auth0's metadata update: top-level keys merge, a key set to `null` goes, and `{}` clears.
fn merge(field: &str, current: &mut Value, patch: Value) -> ApiResult<()> {
    admin::check_metadata(field, &patch)?;
    let Value::Object(patch) = patch else {
        return Ok(());
    };
    if patch.is_empty() {
        *current = portcullis_core::model::empty_object();
        return Ok(());
    }
    if !current.is_object() {
        *current = portcullis_core::model::empty_object();
    }
    if let Value::Object(map) = current {
        for (k, v) in patch {
            if v.is_null() {
                map.remove(&k);
            } else {
                map.insert(k, v);
            }
        }
    }
    Ok(())
}

#[utoipa::path(
    patch,
    path = "/api/v2/users/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The user id")),
    request_body = UpdateUser,
    responses((status = 200, description = "Updated", body = super::openapi::UserDoc), (status = 409, description = "The email is taken", body = super::openapi::ApiErrorDoc), super::openapi::ApiErrors),
    security(("management" = ["update:users"]))
)]
/// `PATCH /api/v2/users/{id}`: changes what the body names. A new password or a block ends
/// the user's sessions (with back-channel logouts); a new password is announced by email.
pub async fn update(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    respond(async {
        admin.require(&["update:users"])?;
        let patch: UpdateUser = parse_body(&body)?;
        let mut user = find_user(&state, &id).await?;
        let mut changed = Vec::new();
        if let Some(email) = patch.email {
            let moved = admin::change_email(state.store(), &mut user, &email)
                .await
                .map_err(|e| match e {
                    portcullis_core::Error::Invalid(_) => {
                        ApiError::body("email is not a valid address on property email")
                    }
                    other => conflict(other),
                })?;
            if moved {
                changed.push("email");
            }
        }
        if let Some(v) = patch.email_verified {
            user.email_verified = v;
            changed.push("email_verified");
        }
        if let Some(name) = patch.name {
            admin::change_name(&mut user, &name).map_err(|_| {
                ApiError::body("name must not contain control or text-direction characters")
            })?;
            changed.push("name");
        }
        let new_password = match patch.password {
            Some(p) => {
                let p = SecretString::new(p);
                admin::check_password(&p, &[&user.email, user.name.as_deref().unwrap_or_default()])
                    .await?;
                user.password_hash = Some(state.hasher().hash(p).await?);
                changed.push("password");
                true
            }
            None => false,
        };
        let newly_blocked = patch.blocked == Some(true) && !user.blocked;
        if let Some(b) = patch.blocked {
            user.blocked = b;
            changed.push("blocked");
        }
        if let Some(m) = patch.user_metadata {
            merge("user_metadata", &mut user.user_metadata, m)?;
            changed.push("user_metadata");
        }
        if let Some(m) = patch.app_metadata {
            merge("app_metadata", &mut user.app_metadata, m)?;
            changed.push("app_metadata");
        }
        let stored = state
            .store()
            .update_user(&user)
            .await
            .map_err(|e| match e {
                portcullis_core::Error::Conflict(_) => ApiError::new(
                    StatusCode::CONFLICT,
                    "auth0_idp_error",
                    "The specified new email already exists.",
                ),
                other => other.into(),
            })?;
        if !stored {
            return Err(ApiError::not_found("inexistent_user", "user"));
        }
        admin
            .audit(
                &state,
                "user.updated",
                Some(&user.id),
                json!({ "fields": changed }),
            )
            .await;
        if new_password {
            ui::security::password_changed(
                &state,
                &admin.meta,
                &user.id,
                Some(&admin.client_id),
                "management_api",
            )
            .await?;
        }
        if newly_blocked {
            crate::sessions::end_all(&state, &admin.meta, &user.id, None, "blocked").await?;
        }
        Ok(axum::Json(user_json(&state, &user).await?).into_response())
    })
    .await
}

/// Blocks or unblocks `user`: the flag stored and, when newly blocked, every session ended with
/// the apps told by back-channel logout; how many sessions ended. The console's block; the
/// PATCH above does the same as part of its one update.
pub(crate) async fn set_blocked(
    state: &AppState,
    meta: &crate::http::ClientMeta,
    mut user: User,
    blocked: bool,
) -> AppResult<usize> {
    let newly_blocked = blocked && !user.blocked;
    user.blocked = blocked;
    if !state.store().update_user(&user).await? {
        return Err(AppError::page(StatusCode::NOT_FOUND, "No such user."));
    }
    if newly_blocked {
        return crate::sessions::end_all(state, meta, &user.id, None, "blocked").await;
    }
    Ok(0)
}

#[utoipa::path(
    delete,
    path = "/api/v2/users/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 204, description = "Deleted"), super::openapi::ApiErrors),
    security(("management" = ["delete:users"]))
)]
/// `DELETE /api/v2/users/{id}`: ends the user's sessions (telling their apps), then deletes
/// them with everything they own.
pub async fn remove(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["delete:users"])?;
        let user = find_user(&state, &id).await?;
        crate::sessions::end_all(&state, &admin.meta, &user.id, None, "user_deleted").await?;
        state.store().delete_user(&user.id).await?;
        admin
            .audit(&state, "user.deleted", Some(&user.id), json!({}))
            .await;
        Ok(no_content())
    })
    .await
}

/// Auth0's Guardian name for a kind of factor.
fn auth_method(f: &Factor) -> &'static str {
    match f.kind {
        FactorKind::Totp => "authenticator",
        FactorKind::Sms => "sms",
        FactorKind::Email => "email",
        FactorKind::Webauthn if is_platform(f) => "webauthn-platform",
        FactorKind::Webauthn => "webauthn-roaming",
    }
}

fn is_platform(f: &Factor) -> bool {
    f.detail["passkey"].as_bool().unwrap_or(false)
}

/// A factor as a Guardian enrolment.
fn enrollment_json(f: &Factor) -> Value {
    let mut out = json!({
        "id": f.id,
        "status": if f.active { "confirmed" } else { "pending" },
        "type": auth_method(f),
        "auth_method": auth_method(f),
        "name": f.name,
        "enrolled_at": iso8601(f.created_at),
    });
    if let Some(at) = f.last_used_at {
        out["last_auth"] = iso8601(at).into();
    }
    match f.kind {
        FactorKind::Sms => out["phone_number"] = mask(f.target.as_deref()).into(),
        FactorKind::Email => out["identifier"] = mask(f.target.as_deref()).into(),
        _ => {}
    }
    out
}

/// Shows enough of an address or number to recognise it, as Auth0 does.
fn mask(target: Option<&str>) -> String {
    let t = target.unwrap_or_default();
    match t.split_once('@') {
        Some((local, domain)) => {
            format!("{}***@{domain}", local.chars().next().unwrap_or('*'))
        }
        None => {
            let tail: String = t
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("XXXXXXXX{tail}")
        }
    }
}

/// A factor as an authentication method (Auth0's newer API).
fn method_json(f: &Factor) -> Value {
    let kind = match f.kind {
        FactorKind::Totp => "totp",
        FactorKind::Sms => "phone",
        FactorKind::Email => "email",
        FactorKind::Webauthn if is_platform(f) => "passkey",
        FactorKind::Webauthn => "webauthn-roaming",
    };
    let mut out = json!({
        "id": f.id,
        "type": kind,
        "name": f.name,
        "confirmed": f.active,
        "created_at": iso8601(f.created_at),
    });
    if let Some(at) = f.last_used_at {
        out["last_auth_at"] = iso8601(at).into();
    }
    out
}

#[utoipa::path(
    get,
    path = "/api/v2/users/{id}/enrollments",
    tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 200, description = "Enrolments", body = Vec<super::openapi::EnrollmentDoc>), super::openapi::ApiErrors),
    security(("management" = ["read:users", "read:authenticators"]))
)]
/// `GET /api/v2/users/{id}/enrollments`: the user's factors as Guardian enrolments.
pub async fn enrollments(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:users", "read:authenticators"])?;
        let user = find_user(&state, &id).await?;
        let factors = state.store().factors(&user.id).await?;
        Ok(axum::Json(factors.iter().map(enrollment_json).collect::<Vec<_>>()).into_response())
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v2/users/{id}/authentication-methods",
    tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 200, description = "Methods", body = Vec<super::openapi::MethodDoc>), super::openapi::ApiErrors),
    security(("management" = ["read:authentication_methods", "read:authenticators"]))
)]
/// `GET /api/v2/users/{id}/authentication-methods`: factors, and recovery codes if any are
/// left.
pub async fn methods(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:authentication_methods", "read:authenticators"])?;
        let user = find_user(&state, &id).await?;
        let mut out: Vec<Value> = state
            .store()
            .factors(&user.id)
            .await?
            .iter()
            .map(method_json)
            .collect();
        let left = state.store().recovery_codes_left(&user.id).await?;
        if left > 0 {
            out.push(json!({ "id": RECOVERY_ID, "type": "recovery-code", "confirmed": true, "remaining": left }));
        }
        Ok(axum::Json(out).into_response())
    })
    .await
}

/// The id of the recovery-code set among authentication methods.
const RECOVERY_ID: &str = "recovery-code";

#[utoipa::path(
    get,
    path = "/api/v2/users/{id}/authentication-methods/{method}",
    tag = "users",
    params(("id" = String, Path, description = "The user id"), ("method" = String, Path, description = "The method id")),
    responses((status = 200, description = "The method", body = super::openapi::MethodDoc), super::openapi::ApiErrors),
    security(("management" = ["read:authentication_methods", "read:authenticators"]))
)]
/// `GET /api/v2/users/{id}/authentication-methods/{method}`.
pub async fn method(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, method)): Path<(String, String)>,
) -> Response {
    respond(async {
        admin.require(&["read:authentication_methods", "read:authenticators"])?;
        let user = find_user(&state, &id).await?;
        let factor = state
            .store()
            .factor(&method)
            .await?
            .filter(|f| f.user_id == user.id)
            .ok_or_else(|| {
                ApiError::not_found("inexistent_authentication_method", "authentication method")
            })?;
        Ok(axum::Json(method_json(&factor)).into_response())
    })
    .await
}

/// Removes a factor or the recovery codes, ending the user's sessions but `keep`.
async fn remove_one(
    state: &AppState,
    admin: &Admin,
    user_id: &str,
    id: &str,
    keep: Option<&str>,
) -> ApiResult<bool> {
    if id == RECOVERY_ID {
        return Ok(ui::security::remove_recovery_codes(
            state,
            &admin.meta,
            user_id,
            Some(&admin.client_id),
        )
        .await?);
    }
    let removed = ui::security::remove_factor(state, &admin.meta, user_id, id, keep).await?;
    Ok(removed.is_some())
}

#[utoipa::path(
    delete,
    path = "/api/v2/users/{id}/authentication-methods/{method}",
    tag = "users",
    params(("id" = String, Path, description = "The user id"), ("method" = String, Path, description = "The method id, or recovery-code"), ("keep_session" = Option<String>, Query, description = "A session of the user to leave signed in (the one removing the factor)")),
    responses((status = 204, description = "Removed; the user's sessions ended"), super::openapi::ApiErrors),
    security(("management" = ["delete:authentication_methods", "delete:authenticators"]))
)]
/// `DELETE /api/v2/users/{id}/authentication-methods/{method}`: removes one factor, ending the
/// user's sessions and telling them by email.
pub async fn remove_method(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, method)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Response {
    respond(async {
        admin.require(&["delete:authentication_methods", "delete:authenticators"])?;
        let keep = query(q)?.owned("keep_session");
        let user = find_user(&state, &id).await?;
        if !remove_one(&state, &admin, &user.id, &method, keep.as_deref()).await? {
            return Err(ApiError::not_found(
                "inexistent_authentication_method",
                "authentication method",
            ));
        }
        Ok(no_content())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/api/v2/users/{id}/authentication-methods",
    tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 204, description = "All removed"), super::openapi::ApiErrors),
    security(("management" = ["delete:authentication_methods", "delete:authenticators"]))
)]
/// `DELETE /api/v2/users/{id}/authentication-methods`: removes every factor and the recovery
/// codes.
pub async fn remove_methods(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["delete:authentication_methods", "delete:authenticators"])?;
        let user = find_user(&state, &id).await?;
        for f in state.store().factors(&user.id).await? {
            remove_one(&state, &admin, &user.id, &f.id, None).await?;
        }
        remove_one(&state, &admin, &user.id, RECOVERY_ID, None).await?;
        Ok(no_content())
    })
    .await
}

async fn find_enrollment(state: &AppState, id: &str) -> ApiResult<Factor> {
    state
        .store()
        .factor(id)
        .await?
        .ok_or_else(|| ApiError::not_found("inexistent_enrollment", "enrollment"))
}

#[utoipa::path(
    get,
    path = "/api/v2/guardian/enrollments/{id}",
    tag = "guardian",
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "The enrolment", body = super::openapi::EnrollmentDoc), super::openapi::ApiErrors),
    security(("management" = ["read:users", "read:authenticators"]))
)]
/// `GET /api/v2/guardian/enrollments/{id}`.
pub async fn enrollment(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:users", "read:authenticators"])?;
        let f = find_enrollment(&state, &id).await?;
        Ok(axum::Json(enrollment_json(&f)).into_response())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/api/v2/guardian/enrollments/{id}",
    tag = "guardian",
    params(("id" = String, Path, description = "The id"), ("keep_session" = Option<String>, Query, description = "A session of the user to leave signed in (the one removing the factor)")),
    responses((status = 204, description = "Removed; the user's sessions ended"), super::openapi::ApiErrors),
    security(("management" = ["delete:guardian_enrollments", "delete:authenticators"]))
)]
/// `DELETE /api/v2/guardian/enrollments/{id}`: removes the factor (sessions end but
/// `keep_session`, email sent).
pub async fn remove_enrollment(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    respond(async {
        admin.require(&["delete:guardian_enrollments", "delete:authenticators"])?;
        let keep = query(q)?.owned("keep_session");
        let f = find_enrollment(&state, &id).await?;
        remove_one(&state, &admin, &f.user_id, &f.id, keep.as_deref()).await?;
        Ok(no_content())
    })
    .await
}

/// A session in Auth0's shape, with the level and methods it proved.
fn session_json(s: &Session) -> Value {
    json!({
        "id": s.id,
        "user_id": s.user_id,
        "created_at": iso8601(s.created_at),
        "authenticated_at": iso8601(s.auth_time),
        "expires_at": iso8601(s.expires_at),
        "acr": s.acr,
        "amr": s.amr,
        "clients": s.clients.iter().map(|c| json!({ "client_id": c })).collect::<Vec<_>>(),
        "authentication": {
            "methods": s.proofs.iter().map(|p| json!({
                "name": p.method.as_str(),
                "timestamp": iso8601(p.at),
            })).collect::<Vec<_>>(),
        },
    })
}

#[utoipa::path(
    get,
    path = "/api/v2/users/{id}/sessions",
    tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 200, description = "Live sessions", body = super::openapi::SessionsDoc), super::openapi::ApiErrors),
    security(("management" = ["read:sessions"]))
)]
/// `GET /api/v2/users/{id}/sessions`: the user's live sessions.
pub async fn sessions(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:sessions"])?;
        let user = find_user(&state, &id).await?;
        let list = state.store().user_sessions(&user.id, state.now()).await?;
        Ok(
            axum::Json(json!({ "sessions": list.iter().map(session_json).collect::<Vec<_>>() }))
                .into_response(),
        )
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/api/v2/users/{id}/sessions",
    tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 202, description = "Ended; back-channel logouts under way"), super::openapi::ApiErrors),
    security(("management" = ["delete:sessions"]))
)]
/// `DELETE /api/v2/users/{id}/sessions`: ends them all, with back-channel logouts.
pub async fn end_sessions(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["delete:sessions"])?;
        let user = find_user(&state, &id).await?;
        crate::sessions::end_all(&state, &admin.meta, &user.id, None, "admin").await?;
        Ok(StatusCode::ACCEPTED.into_response())
    })
    .await
}

async fn find_session(state: &AppState, id: &str) -> ApiResult<Session> {
    state
        .store()
        .session_by_id(id, state.now())
        .await?
        .ok_or_else(|| ApiError::not_found("inexistent_session", "session"))
}

#[utoipa::path(
    get,
    path = "/api/v2/sessions/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "The session", body = super::openapi::SessionDoc), super::openapi::ApiErrors),
    security(("management" = ["read:sessions"]))
)]
/// `GET /api/v2/sessions/{id}`.
pub async fn session(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:sessions"])?;
        Ok(axum::Json(session_json(&find_session(&state, &id).await?)).into_response())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/api/v2/sessions/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The id")),
    responses((status = 204, description = "Ended"), super::openapi::ApiErrors),
    security(("management" = ["delete:sessions"]))
)]
/// `DELETE /api/v2/sessions/{id}`: ends one session, with back-channel logouts.
pub async fn end_session(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["delete:sessions"])?;
        let s = find_session(&state, &id).await?;
        crate::sessions::end(&state, &admin.meta, &s, "admin", Some(&admin.client_id)).await?;
        Ok(no_content())
    })
    .await
}

#[utoipa::path(
    post,
    path = "/api/v2/users/{id}/multifactor/actions/invalidate-remember-browser",
    tag = "users",
    params(("id" = String, Path, description = "The user id")),
    responses((status = 204, description = "Every remembered browser forgotten"), super::openapi::ApiErrors),
    security(("management" = ["update:users"]))
)]
/// `POST /api/v2/users/{id}/multifactor/actions/invalidate-remember-browser`: every remembered
/// browser must prove a factor again.
pub async fn forget_browsers(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["update:users"])?;
        let user = find_user(&state, &id).await?;
        let n = state.store().revoke_devices(&user.id, state.now()).await?;
        admin
            .audit(
                &state,
                "device.forgotten",
                Some(&user.id),
                json!({ "devices": n }),
            )
            .await;
        Ok(no_content())
    })
    .await
}

/// A ticket's lifetime: `given` or `default` seconds, at most 30 days.
fn ticket_ttl(given: Option<i64>, default: i64) -> ApiResult<i64> {
    let ttl = given.unwrap_or(default);
    if !(1..=ui::ticket::MAX_TTL).contains(&ttl) {
        return Err(ApiError::body(format!(
            "ttl_sec must be from 1 to {} on property ttl_sec",
            ui::ticket::MAX_TTL
        )));
    }
    Ok(ttl)
}

/// The body of `POST /api/v2/guardian/enrollments/ticket`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct TicketRequest {
    user_id: String,
    #[serde(default)]
    send_mail: bool,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    ttl_sec: Option<i64>,
    /// Auth0 lets the ticket name a factor; the user chooses among those policy allows.
    #[serde(default)]
    #[allow(dead_code)]
    factor: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    allow_multiple_enrollments: Option<bool>,
}

#[utoipa::path(
    post,
    path = "/api/v2/guardian/enrollments/ticket",
    tag = "guardian",
    request_body = TicketRequest,
    responses((status = 200, description = "The ticket", body = super::openapi::TicketDoc), super::openapi::ApiErrors),
    security(("management" = ["create:guardian_enrollment_tickets"]))
)]
/// `POST /api/v2/guardian/enrollments/ticket`: a single-use link to enrol a factor without
/// signing in; emailed to the user (or to `email`) when `send_mail` is true.
pub async fn ticket(State(state): State<AppState>, admin: Admin, body: Bytes) -> Response {
    respond(async {
        admin.require(&["create:guardian_enrollment_tickets"])?;
        let req: TicketRequest = parse_body(&body)?;
        let ttl = ticket_ttl(req.ttl_sec, 300)?;
        let to =
            match &req.email {
                Some(e) => Some(admin::parse_email(e).map_err(|_| {
                    ApiError::body("email is not a valid address on property email")
                })?),
                None => None,
            };
        let user = state
            .store()
            .user_by_id(&req.user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("inexistent_user", "user"))?;
        let ticket = enrolment_ticket(&state, &user, to, ttl, req.send_mail).await?;
        admin
            .audit(
                &state,
                "ticket.created",
                Some(&user.id),
                json!({ "ticket_id": ticket.id, "ttl_sec": ttl, "send_mail": req.send_mail }),
            )
            .await;
        Ok(axum::Json(json!({ "ticket_id": ticket.id, "ticket_url": ticket.url })).into_response())
    })
    .await
}

/// A single-use link to enrol a factor without signing in, live `ttl` seconds, emailed to `to`
/// (or the user) when `send_mail`: the management API's enrolment ticket and the console's
/// "Email an enrolment link". The caller records who asked.
pub(crate) async fn enrolment_ticket(
    state: &AppState,
    user: &User,
    to: Option<String>,
    ttl: i64,
    send_mail: bool,
) -> AppResult<ui::ticket::Ticket> {
    let ticket = ui::ticket::create(state, &user.id, ttl).await?;
    if send_mail {
        let to = to.unwrap_or_else(|| user.email.clone());
        let message = crate::i18n::for_user(state, &user.id).await.run(|| {
            portcullis_core::notify::Message::new(
                portcullis_core::notify::Channel::Email,
                to,
                crate::tr!("email-enrol-ticket-subject"),
                crate::tr!("email-enrol-ticket", link = ticket.url.as_str()),
            )
        });
        if let Err(e) = state.notifier().send(&message).await {
            tracing::warn!(error = %e, "enrolment ticket email not delivered");
        }
    }
    Ok(ticket)
}

/// A single-use link where `user` chooses a new password, live `ttl` seconds, emailed when
/// `send_mail`; with `invalidate`, the current password stops working and every session ends
/// now (apps told by back-channel logout). The link and how many sessions ended. Shared by the
/// management API's password-change ticket and the console's forced reset; the caller records
/// who asked.
pub(crate) async fn password_link(
    state: &AppState,
    meta: &crate::http::ClientMeta,
    mut user: User,
    ttl: i64,
    send_mail: bool,
    invalidate: bool,
) -> AppResult<(String, usize)> {
    let mut ended = 0;
    if invalidate {
        user.password_hash = None;
        state.store().update_user(&user).await?;
        ended =
            crate::sessions::end_all(state, meta, &user.id, None, "password_reset_forced").await?;
    }
    let token = state
        .factors()
        .new_reset_link(&user.id, &user.email, ttl)
        .await?;
    let url = ui::reset::link(state, &token);
    if send_mail {
        let message = crate::i18n::for_user(state, &user.id).await.run(|| {
            let text = crate::tr!("email-password-ticket", link = url.as_str());
            ui::email(
                user.email.clone(),
                &crate::tr!("email-password-ticket-subject"),
                &text,
            )
        });
        if let Err(e) = state.notifier().send(&message).await {
            tracing::warn!(error = %e, "password ticket email not delivered");
        }
    }
    Ok((url, ended))
}

/// The body of `POST /api/v2/tickets/password-change`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordTicketRequest {
    user_id: String,
    #[serde(default)]
    ttl_sec: Option<i64>,
    /// Email the link to the user as well.
    #[serde(default)]
    send_mail: bool,
    /// Force the reset (an extension of Auth0's ticket): the current password stops working
    /// and every session ends now, not when the user follows the link.
    #[serde(default)]
    invalidate_password: bool,
}

#[utoipa::path(
    post,
    path = "/api/v2/tickets/password-change",
    tag = "users",
    request_body = PasswordTicketRequest,
    responses((status = 201, description = "The ticket", body = super::openapi::PasswordTicketDoc), super::openapi::ApiErrors),
    security(("management" = ["create:user_tickets"]))
)]
/// `POST /api/v2/tickets/password-change`: a single-use link where the user sets a new
/// password (for a user created without one, or to force a reset); `ttl_sec` defaults to five
/// days. The reset rules hold: a user with a factor proves it first.
pub async fn password_ticket(State(state): State<AppState>, admin: Admin, body: Bytes) -> Response {
    respond(async {
        admin.require(&["create:user_tickets"])?;
        let req: PasswordTicketRequest = parse_body(&body)?;
        let ttl = ticket_ttl(req.ttl_sec, 5 * 86_400)?;
        let user = find_user(&state, &req.user_id).await?;
        let (url, ended) = password_link(
            &state,
            &admin.meta,
            user.clone(),
            ttl,
            req.send_mail,
            req.invalidate_password,
        )
        .await?;
        if req.invalidate_password {
            admin
                .audit(
                    &state,
                    "password.reset_forced",
                    Some(&user.id),
                    json!({ "ended_sessions": ended }),
                )
                .await;
        }
        admin
            .audit(
                &state,
                "ticket.password_change_created",
                Some(&user.id),
                json!({ "ttl_sec": ttl, "send_mail": req.send_mail, "invalidate_password": req.invalidate_password }),
            )
            .await;
        Ok((StatusCode::CREATED, axum::Json(json!({ "ticket": url }))).into_response())
    })
    .await
}
