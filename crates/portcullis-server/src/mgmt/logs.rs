//! The audit trail as Auth0's log events (`GET /api/v2/logs`).

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use portcullis_core::model::{AuditQuery, LoggedEvent};
use serde_json::{Value, json};

use super::{Admin, ApiError, Paging, query, respond};
use crate::state::AppState;
use crate::time::{iso8601, parse_time};

/// An event in Auth0's log shape; `log_id` is its row id, stable across pages.
pub(crate) fn log_json(e: &LoggedEvent) -> Value {
    json!({
        "log_id": e.id.to_string(),
        "date": iso8601(e.event.at),
        "type": e.event.kind,
        "user_id": e.event.user_id,
        "client_id": e.event.client_id,
        "ip": e.event.ip,
        "user_agent": e.event.user_agent,
        "details": e.event.detail,
    })
}

#[utoipa::path(
    get,
    path = "/api/v2/logs",
    tag = "logs",
    params(super::openapi::PageParams, ("user_id" = Option<String>, Query, description = "Only about this user"), ("type" = Option<String>, Query, description = "An event type, or a family ending in a dot"), ("from" = Option<String>, Query, description = "ISO 8601 or seconds"), ("to" = Option<String>, Query, description = "ISO 8601 or seconds")),
    responses((status = 200, description = "Events, newest first", body = super::openapi::LogsPage), super::openapi::ApiErrors),
    security(("management" = ["read:logs"]))
)]
/// `GET /api/v2/logs`: newest first; filters `user_id`, `type` (exact, or a family such as
/// `factor.`), `from` and `to` (ISO 8601 or seconds); Auth0's paging.
pub async fn list(State(state): State<AppState>, admin: Admin, RawQuery(q): RawQuery) -> Response {
    search(state, admin, q, None).await
}

#[utoipa::path(
    get,
    path = "/api/v2/users/{id}/logs",
    tag = "logs",
    params(("id" = String, Path, description = "The user id"), super::openapi::PageParams),
    responses((status = 200, description = "The user's events, newest first", body = super::openapi::LogsPage), super::openapi::ApiErrors),
    security(("management" = ["read:logs"]))
)]
/// `GET /api/v2/users/{id}/logs`: one user's events, with Auth0's paging.
pub async fn of_user(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    search(state, admin, q, Some(id)).await
}

async fn search(
    state: AppState,
    admin: Admin,
    q: Option<String>,
    user: Option<String>,
) -> Response {
    respond(async {
        admin.require(&["read:logs"])?;
        let params = query(q)?;
        let paging = Paging::from(&params)?;
        let filter = audit_filter(
            user.or_else(|| params.owned("user_id")),
            params.owned("type"),
            params.get("from"),
            params.get("to"),
        )
        .map_err(ApiError::query)?;
        let filter = AuditQuery {
            offset: paging.offset(),
            limit: paging.per_page,
            ..filter
        };
        let (events, total) = state.store().search_audit(&filter).await?;
        Ok(paging.answer("logs", events.iter().map(log_json).collect(), total))
    })
    .await
}

/// The audit filter both the management API and the console's audit page read from their
/// query: a user, a type (exact, or a family ending in a dot such as `factor.`), and a time
/// range (ISO 8601 or seconds). No paging yet; the message says what is wrong.
pub(crate) fn audit_filter(
    user_id: Option<String>,
    kind: Option<String>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<AuditQuery, String> {
    let time = |key: &str, value: Option<&str>| {
        value
            .map(|v| {
                parse_time(v).ok_or_else(|| {
                    format!("{key} must be an ISO 8601 date-time or seconds since the epoch")
                })
            })
            .transpose()
    };
    if let Some(k) = &kind
        && !k
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
    {
        return Err("type must be an event type such as login.success".into());
    }
    Ok(AuditQuery {
        id: None,
        before_id: None,
        user_id,
        kind,
        from: time("from", from)?,
        to: time("to", to)?,
        offset: 0,
        limit: 0,
    })
}

#[utoipa::path(
    get,
    path = "/api/v2/logs/{id}",
    tag = "logs",
    params(("id" = String, Path, description = "The id")),
    responses((status = 200, description = "The event", body = super::openapi::LogDoc), super::openapi::ApiErrors),
    security(("management" = ["read:logs"]))
)]
/// `GET /api/v2/logs/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    respond(async {
        admin.require(&["read:logs"])?;
        let not_found = || ApiError::not_found("inexistent_log", "log event");
        let id: i64 = id.parse().map_err(|_| not_found())?;
        let (rows, _) = state
            .store()
            .search_audit(&AuditQuery {
                id: Some(id),
                limit: 1,
                ..AuditQuery::default()
            })
            .await?;
        let event = rows.into_iter().next().ok_or_else(not_found)?;
        Ok(axum::Json(log_json(&event)).into_response())
    })
    .await
}
