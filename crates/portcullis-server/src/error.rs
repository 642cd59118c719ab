//! The one place where failures become HTTP responses.
//!
//! OAuth errors are RFC 6749 §5.2 JSON; hosted-page errors are HTML; anything unexpected is a
//! generic 500 whose cause goes to the log only.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_proto::oauth::{ErrorCode, ErrorResponse};

/// A failure on its way to the client.
#[derive(Debug)]
pub enum AppError {
    /// An RFC 6749 error as JSON.
    OAuth {
        /// HTTP status.
        status: StatusCode,
        /// Error code.
        code: ErrorCode,
        /// Description for developers; never secret.
        description: String,
        /// `WWW-Authenticate` challenge, for 401s.
        challenge: Option<String>,
    },
    /// A hosted-page error shown to a person.
    Page {
        /// HTTP status.
        status: StatusCode,
        /// What to tell them.
        message: String,
    },
    /// Too many attempts: `429` with `Retry-After` (seconds), shown to a person.
    Throttled(i64),
    /// Too many attempts: `429` with `Retry-After` (seconds) and an RFC 6749 JSON body, for
    /// API clients (`too_many_attempts` for an account, `too_many_requests` for an address).
    TooMany {
        /// Error code.
        code: ErrorCode,
        /// Seconds to wait.
        seconds: i64,
    },
    /// `403 mfa_required` (Auth0's MFA API): the `mfa_token` and what the user can do with it.
    MfaRequired {
        /// The opaque token to continue with.
        token: String,
        /// `{"challenge": [...]}` or `{"enroll": [...]}`.
        requirements: serde_json::Value,
    },
    /// `use_dpop_nonce` (RFC 9449 §8, §9): retry with a proof carrying `nonce`, which goes in
    /// the `DPoP-Nonce` header; 400 at the token endpoint, 401 with a `DPoP` challenge at a
    /// resource.
    DpopNonce {
        /// The nonce to use.
        nonce: String,
        /// Whether a resource (not the token endpoint) answers.
        resource: bool,
    },
    /// Unexpected; logged, answered generically.
    Internal(String),
}

/// Result alias for handlers.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A 400 OAuth error.
    pub fn bad(code: ErrorCode, description: impl Into<String>) -> AppError {
        AppError::OAuth {
            status: StatusCode::BAD_REQUEST,
            code,
            description: description.into(),
            challenge: None,
        }
    }

    /// A 403 `access_denied`: the client may not have what it asked for.
    pub fn forbidden(description: impl Into<String>) -> AppError {
        AppError::OAuth {
            status: StatusCode::FORBIDDEN,
            code: ErrorCode::AccessDenied,
            description: description.into(),
            challenge: None,
        }
    }

    /// `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> AppError {
        Self::bad(ErrorCode::InvalidRequest, description)
    }

    /// `invalid_grant`.
    pub fn invalid_grant(description: impl Into<String>) -> AppError {
        Self::bad(ErrorCode::InvalidGrant, description)
    }

    /// 401 `invalid_client`, with a Basic challenge when the client tried Basic (RFC 6749 §5.2).
    pub fn invalid_client(basic: bool) -> AppError {
        AppError::OAuth {
            status: StatusCode::UNAUTHORIZED,
            code: ErrorCode::InvalidClient,
            description: "Client authentication failed.".into(),
            challenge: basic.then(|| "Basic realm=\"portcullis\"".to_string()),
        }
    }

    /// 401 `invalid_token` for bearer-protected endpoints (RFC 6750 §3.1).
    pub fn invalid_token(description: impl Into<String>) -> AppError {
        let description = description.into();
        AppError::OAuth {
            status: StatusCode::UNAUTHORIZED,
            code: ErrorCode::InvalidToken,
            challenge: Some(format!(
                "Bearer realm=\"portcullis\", error=\"invalid_token\", error_description=\"{description}\""
            )),
            description,
        }
    }

    /// A page error.
    pub fn page(status: StatusCode, message: impl Into<String>) -> AppError {
        AppError::Page {
            status,
            message: message.into(),
        }
    }
}

impl From<portcullis_core::Error> for AppError {
    fn from(e: portcullis_core::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::OAuth {
                status,
                code,
                description,
                challenge,
            } => {
                let body = ErrorResponse {
                    error: code,
                    error_description: Some(description),
                };
                let mut resp = (status, axum::Json(body)).into_response();
                let headers = resp.headers_mut();
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                if let Some(c) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
                    headers.insert(header::WWW_AUTHENTICATE, c);
                }
                resp
            }
            AppError::Page { status, message } => crate::ui::error_page(status, &message),
            AppError::TooMany { code, seconds } => {
                let body = ErrorResponse {
                    error: code,
                    error_description: Some(format!(
                        "Too many attempts; try again in {} seconds.",
                        seconds.max(1)
                    )),
                };
                let mut resp = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
                let headers = resp.headers_mut();
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
                resp
            }
            AppError::MfaRequired {
                token,
                requirements,
            } => {
                let body = serde_json::json!({
                    "error": "mfa_required",
                    "error_description": "Multifactor authentication required",
                    "mfa_token": token,
                    "mfa_requirements": requirements,
                });
                let mut resp = (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
                resp.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                resp
            }
            AppError::Throttled(seconds) => {
                let mut resp = crate::ui::error_page(
                    StatusCode::TOO_MANY_REQUESTS,
                    &crate::tr!("error-throttled", wait = crate::ui::duration_text(seconds)),
                );
                if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                    resp.headers_mut().insert(header::RETRY_AFTER, v);
                }
                resp
            }
            AppError::DpopNonce { nonce, resource } => {
                let description = "Retry with a DPoP proof carrying the DPoP-Nonce header's value.";
                let body = ErrorResponse {
                    error: ErrorCode::UseDpopNonce,
                    error_description: Some(description.into()),
                };
                let status = if resource {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::BAD_REQUEST
                };
                let mut resp = (status, axum::Json(body)).into_response();
                let headers = resp.headers_mut();
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                if let Ok(v) = HeaderValue::from_str(&nonce) {
                    headers.insert(crate::oidc::dpop::NONCE_HEADER, v);
                }
                if resource {
                    let challenge = format!(
                        "DPoP algs=\"{}\", error=\"use_dpop_nonce\", error_description=\"{description}\"",
                        crate::oidc::dpop::algorithms().join(" ")
                    );
                    if let Ok(v) = HeaderValue::from_str(&challenge) {
                        headers.insert(header::WWW_AUTHENTICATE, v);
                    }
                }
                resp
            }
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                let body = ErrorResponse {
                    error: ErrorCode::ServerError,
                    error_description: Some("The server could not complete the request.".into()),
                };
                (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
            }
        }
    }
}
