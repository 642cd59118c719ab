//! OAuth 2.0 messages: token responses (RFC 6749 §5.1) and error codes (RFC 6749 §4.1.2.1, §5.2).

use serde::{Deserialize, Serialize};

/// Error codes Portcullis returns, from RFC 6749, OIDC Core §3.1.2.6, RFC 7009 and Auth0's MFA API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request is missing a parameter or is otherwise malformed.
    InvalidRequest,
    /// Client authentication failed.
    InvalidClient,
    /// The grant (code, refresh token, credentials) is invalid, expired or revoked.
    InvalidGrant,
    /// The client may not use this grant type.
    UnauthorizedClient,
    /// The grant type is not supported.
    UnsupportedGrantType,
    /// The requested scope is invalid or exceeds what was granted.
    InvalidScope,
    /// The resource owner or server denied the request.
    AccessDenied,
    /// The response type is not supported.
    UnsupportedResponseType,
    /// An unexpected condition on the server.
    ServerError,
    /// The server is temporarily unable to handle the request.
    TemporarilyUnavailable,
    /// `prompt=none` but the user must interact.
    InteractionRequired,
    /// `prompt=none` but the user is not signed in.
    LoginRequired,
    /// The token type cannot be revoked (RFC 7009 §2.2.1).
    UnsupportedTokenType,
    /// The bearer token is invalid (RFC 6750 §3.1).
    InvalidToken,
    /// The bearer token lacks a required scope (RFC 6750 §3.1).
    InsufficientScope,
    /// The requested authentication level cannot be met (OIDC `unmet_authentication_requirements`).
    UnmetAuthenticationRequirements,
    /// The `request` parameter is not supported (OIDC Core §3.1.2.6).
    RequestNotSupported,
    /// The `request_uri` parameter is not supported (OIDC Core §3.1.2.6).
    RequestUriNotSupported,
    /// A second factor is needed first (Auth0's MFA API); the body carries an `mfa_token`.
    MfaRequired,
    /// The `mfa_token` has expired (Auth0's MFA API).
    ExpiredToken,
    /// Too many wrong codes for this account (Auth0's MFA API).
    TooManyAttempts,
    /// Too many requests from one address; retry after the `Retry-After` header's seconds.
    TooManyRequests,
    /// The user must consent to the application first (OIDC Core §3.1.2.6).
    ConsentRequired,
    /// The request object is not signed by the client, expired, or not for this server
    /// (RFC 9101 §6.2).
    InvalidRequestObject,
    /// The requested audience or resource is unknown or not allowed (RFC 8693 §2.2.2).
    InvalidTarget,
    /// No user matches the hint of a backchannel authentication request (CIBA Core §13).
    UnknownUserId,
    /// The `binding_message` is too long or not plain text (CIBA Core §13).
    InvalidBindingMessage,
    /// The user has not answered the device authorization yet (RFC 8628 §3.5).
    AuthorizationPending,
    /// The device polls too often (RFC 8628 §3.5).
    SlowDown,
    /// The DPoP proof is missing where required, malformed, stale, replayed or for another key
    /// (RFC 9449 §5, §7.1).
    InvalidDpopProof,
    /// Retry with a DPoP proof carrying the nonce in the `DPoP-Nonce` header (RFC 9449 §8, §9).
    UseDpopNonce,
}

impl ErrorCode {
    /// The wire value of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::InteractionRequired => "interaction_required",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::UnmetAuthenticationRequirements => "unmet_authentication_requirements",
            ErrorCode::RequestNotSupported => "request_not_supported",
            ErrorCode::RequestUriNotSupported => "request_uri_not_supported",
            ErrorCode::MfaRequired => "mfa_required",
            ErrorCode::ExpiredToken => "expired_token",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::InvalidRequestObject => "invalid_request_object",
            ErrorCode::InvalidTarget => "invalid_target",
            ErrorCode::UnknownUserId => "unknown_user_id",
            ErrorCode::InvalidBindingMessage => "invalid_binding_message",
            ErrorCode::AuthorizationPending => "authorization_pending",
            ErrorCode::SlowDown => "slow_down",
            ErrorCode::InvalidDpopProof => "invalid_dpop_proof",
            ErrorCode::UseDpopNonce => "use_dpop_nonce",
        }
    }
}

/// An RFC 6749 §5.2 error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error code.
    pub error: ErrorCode,
    /// Human-readable detail; never carries a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// A successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token (an RFC 9068 JWT).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: i64,
    /// The ID token, when `openid` was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// A refresh token, when `offline_access` was granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The granted scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A fresh recovery code, after the `mfa-recovery-code` grant used one (Auth0's shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<String>,
    /// What a token exchange issued (RFC 8693 §2.2.1), absent for every other grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<String>,
}
