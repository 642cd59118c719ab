//! What can go wrong for a relying party.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A relying-party failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RpError {
    /// Nobody is signed in (or the session ended, expired or was logged out).
    #[error("not signed in")]
    NotSignedIn,
    /// The provider wants a second factor before issuing this token (Auth0's `mfa_required`).
    #[error("a second factor is required")]
    MfaRequired {
        /// The token for the MFA API, if the provider gave one.
        mfa_token: Option<String>,
    },
    /// The user must sign in again (refresh refused, no token for that API).
    #[error("sign-in required: {0}")]
    LoginRequired(String),
    /// The provider answered with an OAuth error.
    #[error("provider error {error}: {description}")]
    Provider {
        /// The `error` code.
        error: String,
        /// The `error_description`.
        description: String,
    },
    /// The callback did not match the request it claims to answer.
    #[error("invalid callback: {0}")]
    InvalidCallback(String),
    /// The ID token or logout token failed validation.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// The provider could not be reached or answered nonsense.
    #[error("provider unreachable: {0}")]
    Unreachable(String),
    /// The configuration cannot work.
    #[error("configuration: {0}")]
    Config(String),
}

impl RpError {
    fn status(&self) -> StatusCode {
        match self {
            RpError::NotSignedIn | RpError::LoginRequired(_) => StatusCode::UNAUTHORIZED,
            RpError::MfaRequired { .. } => StatusCode::FORBIDDEN,
            RpError::InvalidCallback(_) | RpError::InvalidToken(_) | RpError::Provider { .. } => {
                StatusCode::BAD_REQUEST
            }
            RpError::Unreachable(_) => StatusCode::BAD_GATEWAY,
            RpError::Config(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &str {
        match self {
            RpError::NotSignedIn => "not_signed_in",
            RpError::MfaRequired { .. } => "mfa_required",
            RpError::LoginRequired(_) => "login_required",
            RpError::Provider { error, .. } => error,
            RpError::InvalidCallback(_) => "invalid_callback",
            RpError::InvalidToken(_) => "invalid_token",
            RpError::Unreachable(_) => "provider_unreachable",
            RpError::Config(_) => "configuration",
        }
    }
}

impl IntoResponse for RpError {
    fn into_response(self) -> Response {
        if matches!(self, RpError::Config(_) | RpError::Unreachable(_)) {
            tracing::error!(error = %self, "relying party failure");
        }
        (
            self.status(),
            axum::Json(
                serde_json::json!({ "error": self.code(), "error_description": self.to_string() }),
            ),
        )
            .into_response()
    }
}
