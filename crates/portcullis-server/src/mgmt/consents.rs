//! User grants (`/api/v2/grants`, Auth0's name for a user's consent to a third-party
//! application): list and revoke. Revoking ends the tokens the application holds for the user.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use portcullis_core::model::Consent;
use serde_json::{Value, json};

use super::{Admin, ApiError, Paging, no_content, query, respond};
use crate::state::AppState;

fn consent_json(c: &Consent) -> Value {
    json!({
        "id": c.id,
        "clientID": c.client_id,
        "user_id": c.user_id,
        "audience": c.audience.clone().unwrap_or_default(),
        "scope": c.scope,
    })
}

#[utoipa::path(
    get,
    path = "/api/v2/grants",
    tag = "users",
    params(super::openapi::PageParams, ("user_id" = Option<String>, Query, description = "Only this user's"), ("client_id" = Option<String>, Query, description = "Only to this application"), ("audience" = Option<String>, Query, description = "Only for this API")),
    responses((status = 200, description = "Grants", body = super::openapi::UserGrantsPage), super::openapi::ApiErrors),
    security(("management" = ["read:grants"]))
)]
/// `GET /api/v2/grants` (filters `user_id`, `client_id`, `audience`).
pub async fn list(State(state): State<AppState>, admin: Admin, RawQuery(q): RawQuery) -> Response {
    respond(async {
        admin.require(&["read:grants"])?;
        let params = query(q)?;
        let paging = Paging::from(&params)?;
        let all: Vec<Consent> = state
            .store()
            .consents(params.get("user_id"), params.get("client_id"))
            .await?
            .into_iter()
            .filter(|c| {
                params
                    .get("audience")
                    .is_none_or(|a| c.audience.as_deref().unwrap_or_default() == a)
            })
            .collect();
        Ok(paging.page_of("grants", &all, consent_json))
    })
    .await
}

async fn revoke(
    state: &AppState,
    admin: &Admin,
    consents: Vec<Consent>,
) -> Result<usize, ApiError> {
    let mut n = 0;
    for c in &consents {
        if crate::oidc::consent::withdraw(
            state,
            &admin.meta,
            c,
            &format!("admin:{}", admin.client_id),
        )
        .await?
        {
            n += 1;
        }
    }
    Ok(n)
}

#[utoipa::path(
    delete,
    path = "/api/v2/grants/{id}",
    tag = "users",
    params(("id" = String, Path, description = "The grant id")),
    responses((status = 204, description = "Revoked; the application's tokens for the user end"), super::openapi::ApiErrors),
    security(("management" = ["delete:grants"]))
)]
/// `DELETE /api/v2/grants/{id}`.
pub async fn remove(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["delete:grants"])?;
        let found: Vec<Consent> = state
            .store()
            .consents(None, None)
            .await?
            .into_iter()
            .filter(|c| c.id == id)
            .collect();
        if revoke(&state, &admin, found).await? == 0 {
            return Err(ApiError::not_found("inexistent_grant", "grant"));
        }
        Ok(no_content())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/api/v2/grants",
    tag = "users",
    params(("user_id" = String, Query, description = "Revoke every grant of this user")),
    responses((status = 204, description = "Revoked"), super::openapi::ApiErrors),
    security(("management" = ["delete:grants"]))
)]
/// `DELETE /api/v2/grants?user_id=…`: every grant of one user.
pub async fn remove_for_user(
    State(state): State<AppState>,
    admin: Admin,
    RawQuery(q): RawQuery,
) -> Response {
    respond(async {
        admin.require(&["delete:grants"])?;
        let params = query(q)?;
        let user_id = params
            .get("user_id")
            .filter(|u| !u.is_empty())
            .ok_or_else(|| ApiError::query("user_id is required"))?;
        let all = state.store().consents(Some(user_id), None).await?;
        revoke(&state, &admin, all).await?;
        Ok(no_content().into_response())
    })
    .await
}
