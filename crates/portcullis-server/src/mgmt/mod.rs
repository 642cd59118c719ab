//! The management API (DESIGN.md §7): an Auth0-compatible subset under `/api/v2`, for admin
//! tools and support dashboards. Callers are machine clients holding a `client_credentials`
//! token for the audience `<issuer>/api/v2/` with the scope each endpoint names; answers and
//! errors have Auth0's shapes, so its SDKs and scripts written for it work unchanged.

mod actions;
pub(crate) mod apps;
pub use apps::client_keys;
mod consents;
mod jobs;
pub(crate) mod logs;
pub mod openapi;
pub(crate) mod users;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde::de::DeserializeOwned;

use crate::http::Params;
use crate::state::AppState;

/// The audience of management API tokens.
pub fn audience(issuer: &str) -> String {
    format!("{issuer}/api/v2/")
}

/// Every scope of the management API: Auth0's names, and the shorter ones DESIGN.md §7 lists
/// (`read:authenticators`, `delete:authenticators`) as synonyms.
pub const SCOPES: [&str; 33] = [
    "read:users",
    "create:users",
    "update:users",
    "delete:users",
    "read:authenticators",
    "delete:authenticators",
    "read:authentication_methods",
    "delete:authentication_methods",
    "delete:guardian_enrollments",
    "create:guardian_enrollment_tickets",
    "create:user_tickets",
    "read:sessions",
    "delete:sessions",
    "read:logs",
    "read:clients",
    "create:clients",
    "update:clients",
    "delete:clients",
    "update:client_keys",
    "read:resource_servers",
    "create:resource_servers",
    "update:resource_servers",
    "delete:resource_servers",
    "read:client_grants",
    "create:client_grants",
    "delete:client_grants",
    "read:grants",
    "delete:grants",
    "update:tenant_settings",
    "read:actions",
    "create:actions",
    "update:actions",
    "delete:actions",
];

/// Routes under `/api/v2`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/users", get(users::list).post(users::create))
        .route("/api/v2/users-by-email", get(users::by_email))
        .route(
            "/api/v2/users/{id}",
            get(users::get_one)
                .patch(users::update)
                .delete(users::remove),
        )
        .route("/api/v2/users/{id}/enrollments", get(users::enrollments))
        .route(
            "/api/v2/users/{id}/identities/{provider}/{user_id}",
            delete(users::unlink),
        )
        .route(
            "/api/v2/users/{id}/authentication-methods",
            get(users::methods).delete(users::remove_methods),
        )
        .route(
            "/api/v2/users/{id}/authentication-methods/{method}",
            get(users::method).delete(users::remove_method),
        )
        .route(
            "/api/v2/users/{id}/sessions",
            get(users::sessions).delete(users::end_sessions),
        )
        .route(
            "/api/v2/sessions/{id}",
            get(users::session).delete(users::end_session),
        )
        .route(
            "/api/v2/users/{id}/multifactor/actions/invalidate-remember-browser",
            post(users::forget_browsers),
        )
        .route(
            "/api/v2/guardian/enrollments/{id}",
            get(users::enrollment).delete(users::remove_enrollment),
        )
        .route("/api/v2/guardian/enrollments/ticket", post(users::ticket))
        .route(
            "/api/v2/tickets/password-change",
            post(users::password_ticket),
        )
        .route("/api/v2/logs", get(logs::list))
        .route("/api/v2/users/{id}/logs", get(logs::of_user))
        .route("/api/v2/logs/{id}", get(logs::get_one))
        .route(
            "/api/v2/clients",
            get(apps::clients).post(apps::create_client),
        )
        .route(
            "/api/v2/clients/{id}",
            get(apps::client)
                .patch(apps::update_client)
                .delete(apps::delete_client),
        )
        .route(
            "/api/v2/clients/{id}/rotate-secret",
            post(apps::rotate_secret),
        )
        .route(
            "/api/v2/resource-servers",
            get(apps::apis).post(apps::create_api),
        )
        .route(
            "/api/v2/resource-servers/{id}",
            get(apps::api)
                .patch(apps::update_api)
                .delete(apps::delete_api),
        )
        .route(
            "/api/v2/client-grants",
            get(apps::grants).post(apps::create_grant),
        )
        .route("/api/v2/client-grants/{id}", delete(apps::delete_grant))
        .route("/api/v2/mfa-policy", get(apps::policy))
        .route("/api/v2/mfa-policy/tenant", put(apps::set_tenant_policy))
        .route(
            "/api/v2/grants",
            get(consents::list).delete(consents::remove_for_user),
        )
        .route("/api/v2/grants/{id}", delete(consents::remove))
        .route(
            "/api/v2/actions/actions",
            get(actions::list).post(actions::create),
        )
        .route(
            "/api/v2/actions/actions/{id}",
            get(actions::get_one)
                .patch(actions::update)
                .delete(actions::remove),
        )
        .route("/api/v2/actions/actions/{id}/deploy", post(actions::deploy))
        .route("/api/v2/actions/triggers", get(actions::triggers))
        .route(
            "/api/v2/actions/triggers/{trigger}/bindings",
            get(actions::bindings).patch(actions::set_bindings),
        )
        .route(
            "/api/v2/jobs/users-imports",
            post(jobs::create).layer(axum::extract::DefaultBodyLimit::max(jobs::MAX_FILE)),
        )
        .route("/api/v2/jobs/{id}", get(jobs::get_one))
        .route("/api/v2/jobs/{id}/errors", get(jobs::errors))
        .route("/api/v2/openapi.json", get(openapi::serve))
}

/// A management API failure in Auth0's shape:
/// `{"statusCode", "error", "message", "errorCode"}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// A DPoP nonce to send in `DPoP-Nonce` (with `use_dpop_nonce`).
    nonce: Option<String>,
}

/// Result alias for management handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a status, Auth0's `errorCode` and a message for developers.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            nonce: None,
        }
    }

    /// 400 `invalid_body`: the payload breaks a rule; the message names the field.
    pub fn body(message: impl Into<String>) -> ApiError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            format!("Payload validation error: {}", message.into()),
        )
    }

    /// 400 `invalid_query_string`: a query parameter breaks a rule.
    pub fn query(message: impl Into<String>) -> ApiError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_query_string",
            format!("Query validation error: {}", message.into()),
        )
    }

    /// 404 with Auth0's `inexistent_…` code.
    pub fn not_found(code: &'static str, what: &str) -> ApiError {
        Self::new(
            StatusCode::NOT_FOUND,
            code,
            format!("The {what} does not exist."),
        )
    }
}

impl From<portcullis_core::Error> for ApiError {
    fn from(e: portcullis_core::Error) -> Self {
        use portcullis_core::Error as E;
        match e {
            E::Invalid(m) => ApiError::body(m),
            E::Conflict(_) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "The resource already exists.",
            ),
            E::NotFound(m) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{m} does not exist."),
            ),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<crate::error::AppError> for ApiError {
    fn from(e: crate::error::AppError) -> Self {
        ApiError::internal(format!("{e:?}"))
    }
}

impl ApiError {
    fn internal(cause: String) -> ApiError {
        tracing::error!(%cause, "management API failure");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "The server could not complete the request.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "statusCode": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
            "errorCode": self.code,
        });
        let mut resp = (self.status, axum::Json(body)).into_response();
        if ["invalid_dpop_proof", "use_dpop_nonce"].contains(&self.code) {
            let challenge = format!(
                "DPoP algs=\"{}\", error=\"{}\"",
                crate::oidc::dpop::algorithms().join(" "),
                self.code
            );
            let h = resp.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                h.insert(header::WWW_AUTHENTICATE, v);
            }
            if let Some(v) = self.nonce.and_then(|n| HeaderValue::from_str(&n).ok()) {
                h.insert(crate::oidc::dpop::NONCE_HEADER, v);
            }
        } else if self.status == StatusCode::UNAUTHORIZED
            || (self.status == StatusCode::FORBIDDEN && self.code == "insufficient_scope")
        {
            let error = if self.status == StatusCode::UNAUTHORIZED {
                "invalid_token"
            } else {
                "insufficient_scope"
            };
            if let Ok(v) =
                HeaderValue::from_str(&format!("Bearer realm=\"portcullis\", error=\"{error}\""))
            {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
        }
        resp
    }
}

/// The machine client calling the management API, from a verified access token.
#[derive(Debug, Clone)]
pub struct Admin {
    /// The calling client.
    pub client_id: String,
    scopes: Vec<String>,
    /// Where the request came from, for the audit trail.
    pub meta: crate::http::ClientMeta,
}

impl Admin {
    /// Passes if the token carries any of `scopes`; otherwise 403 naming them, as Auth0 does.
    pub fn require(&self, scopes: &[&str]) -> ApiResult<()> {
        if scopes.iter().any(|s| self.scopes.iter().any(|t| t == s)) {
            return Ok(());
        }
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            format!("Insufficient scope, expected any of: {}", scopes.join(",")),
        ))
    }

    /// Records a management change in the audit trail.
    pub async fn audit(
        &self,
        state: &AppState,
        kind: &str,
        user_id: Option<&str>,
        detail: serde_json::Value,
    ) {
        state
            .audit(kind, &self.meta, user_id, Some(&self.client_id), detail)
            .await;
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Admin> {
        let unauthorized =
            |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", m.to_string());
        let presented = crate::oidc::dpop::authorization(&parts.headers)
            .ok_or_else(|| unauthorized("Missing authentication"))?;
        let claims = crate::oidc::mint::verify_access_token(state, presented.token())
            .ok_or_else(|| unauthorized("Invalid token"))?;
        if !claims.aud.contains(&audience(state.issuer())) {
            return Err(unauthorized("Bad audience"));
        }
        crate::oidc::dpop::check_presented(
            state,
            &parts.headers,
            parts.method.as_str(),
            parts.uri.path(),
            &presented,
            &claims,
        )
        .await
        .map_err(|e| match e {
            crate::error::AppError::OAuth {
                code, description, ..
            } => ApiError::new(StatusCode::UNAUTHORIZED, code.as_str(), description),
            crate::error::AppError::DpopNonce { nonce, .. } => ApiError {
                nonce: Some(nonce),
                ..ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "use_dpop_nonce",
                    "Retry with a DPoP proof carrying the DPoP-Nonce header's value.",
                )
            },
            other => ApiError::from(other),
        })?;
        // Management is for machine clients: a user's token, even an admin's, is not accepted,
        // so a phished session cannot become an admin console.
        if claims.sub != claims.client_id || claims.acr.is_some() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "unauthorized_client",
                "The management API accepts client_credentials tokens only.",
            ));
        }
        if state.store().access_token_revoked(&claims.jti).await? {
            return Err(unauthorized("Invalid token"));
        }
        let meta = crate::http::ClientMeta::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        Ok(Admin {
            client_id: claims.client_id,
            scopes: claims
                .scope
                .unwrap_or_default()
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            meta,
        })
    }
}

/// Parses a JSON body into `T`, naming the offending field in the 400.
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    if body.is_empty() {
        return Err(ApiError::body("the request has no JSON body"));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::body(inner.to_string())
        } else {
            ApiError::body(format!("{inner} on property {path}"))
        }
    })
}

/// The query string, repeated parameters refused.
pub fn query(raw: Option<String>) -> ApiResult<Params> {
    Params::parse(raw.unwrap_or_default().as_bytes()).map_err(ApiError::query)
}

/// Auth0's paging: `page` (from 0), `per_page` (1–100, default 50), `include_totals`.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// Page number.
    pub page: i64,
    /// Items per page.
    pub per_page: i64,
    /// Wrap the list with `start`, `limit`, `length` and `total`.
    pub include_totals: bool,
}

impl Paging {
    /// Reads the paging parameters.
    pub fn from(params: &Params) -> ApiResult<Paging> {
        let number = |key: &str, default: i64, min: i64, max: i64| -> ApiResult<i64> {
            match params.get(key) {
                None => Ok(default),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| {
                        ApiError::query(format!("{key} must be an integer from {min} to {max}"))
                    }),
            }
        };
        let include_totals = match params.get("include_totals") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(ApiError::query("include_totals must be true or false")),
        };
        Ok(Paging {
            page: number("page", 0, 0, 1_000_000)?,
            per_page: number("per_page", 50, 1, 100)?,
            include_totals,
        })
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        self.page * self.per_page
    }

    /// This page of `all` (a whole list held in memory), each item through `json`.
    pub fn page_of<T>(
        &self,
        key: &str,
        all: &[T],
        json: impl Fn(&T) -> serde_json::Value,
    ) -> Response {
        let items = all
            .iter()
            .skip(self.offset() as usize)
            .take(self.per_page as usize)
            .map(json)
            .collect();
        self.answer(key, items, all.len() as i64)
    }

    /// The answer: a bare array, or Auth0's totals wrapper under `key`.
    pub fn answer(&self, key: &str, items: Vec<serde_json::Value>, total: i64) -> Response {
        if !self.include_totals {
            return axum::Json(items).into_response();
        }
        axum::Json(serde_json::json!({
            "start": self.offset(),
            "limit": self.per_page,
            "length": items.len(),
            "total": total,
            key: items,
        }))
        .into_response()
    }
}

/// Runs a handler body and renders its error.
pub(crate) async fn respond(work: impl Future<Output = ApiResult<Response>>) -> Response {
    work.await.unwrap_or_else(IntoResponse::into_response)
}

/// The management API as stored, so clients can be granted its scopes like any API's.
pub fn builtin_api(issuer: &str, now: i64) -> portcullis_core::model::Api {
    portcullis_core::model::Api {
        id: portcullis_core::crypto::random::id("api"),
        identifier: audience(issuer),
        name: "Portcullis Management API".into(),
        scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
        token_ttl: 3600,
        signing_alg: None,
        policy: Default::default(),
        created_at: now,
    }
}

/// `204 No Content`.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
