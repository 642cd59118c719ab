//! OpenID Provider metadata (OIDC Discovery §3, RFC 8414 §2).

use serde::{Deserialize, Serialize};

/// The document served at `/.well-known/openid-configuration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderMetadata {
    /// Issuer identifier.
    pub issuer: String,
    /// Authorization endpoint.
    pub authorization_endpoint: String,
    /// Token endpoint.
    pub token_endpoint: String,
    /// UserInfo endpoint.
    pub userinfo_endpoint: String,
    /// JWKS document.
    pub jwks_uri: String,
    /// RFC 7009 revocation endpoint.
    pub revocation_endpoint: String,
    /// RFC 7662 introspection endpoint.
    pub introspection_endpoint: String,
    /// RP-initiated logout endpoint.
    pub end_session_endpoint: String,
    /// Auth0-compatible MFA challenge endpoint.
    pub mfa_challenge_endpoint: String,
    /// Auth0-compatible MFA associate (enrolment) endpoint.
    pub mfa_associate_endpoint: String,
    /// Auth0-compatible list of a user's authenticators (`DELETE …/{id}` removes one).
    pub mfa_authenticators_endpoint: String,
    /// The audience of access tokens for the MFA API.
    pub mfa_audience: String,
    /// Supported scopes.
    pub scopes_supported: Vec<String>,
    /// Supported response types.
    pub response_types_supported: Vec<String>,
    /// Supported response modes.
    pub response_modes_supported: Vec<String>,
    /// Supported grant types.
    pub grant_types_supported: Vec<String>,
    /// Supported subject types.
    pub subject_types_supported: Vec<String>,
    /// ID token signing algorithms.
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// Token endpoint client authentication methods.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// Revocation endpoint client authentication methods.
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    /// Introspection endpoint client authentication methods.
    pub introspection_endpoint_auth_methods_supported: Vec<String>,
    /// RFC 7523 assertion signing algorithms (`private_key_jwt`).
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    /// PKCE methods: only S256.
    pub code_challenge_methods_supported: Vec<String>,
    /// Supported `acr` values.
    pub acr_values_supported: Vec<String>,
    /// Supported claims.
    pub claims_supported: Vec<String>,
    /// Supported `prompt` values.
    pub prompt_values_supported: Vec<String>,
    /// RFC 9207: the `iss` parameter is in authorization responses.
    pub authorization_response_iss_parameter_supported: bool,
    /// OIDC Back-Channel Logout support.
    pub backchannel_logout_supported: bool,
    /// Back-channel logout tokens carry `sid`.
    pub backchannel_logout_session_supported: bool,
    /// Whether the `claims` parameter is supported.
    pub claims_parameter_supported: bool,
    /// Whether the `request` parameter is supported.
    pub request_parameter_supported: bool,
    /// RFC 9101: algorithms request objects may be signed with.
    #[serde(default)]
    pub request_object_signing_alg_values_supported: Vec<String>,
    /// Whether `request_uri` is supported.
    pub request_uri_parameter_supported: bool,
    /// RFC 9449 DPoP proof algorithms.
    pub dpop_signing_alg_values_supported: Vec<String>,
    /// RFC 9126: where authorization requests are pushed.
    pub pushed_authorization_request_endpoint: String,
    /// CIBA: where backchannel authentication requests go.
    #[serde(default)]
    pub backchannel_authentication_endpoint: String,
    /// CIBA: how clients hear of the answer (`poll`, `ping`).
    #[serde(default)]
    pub backchannel_token_delivery_modes_supported: Vec<String>,
    /// CIBA: whether a `user_code` is taken (it is not).
    #[serde(default)]
    pub backchannel_user_code_parameter_supported: bool,
    /// Whether tokens can be bound to the TLS client certificate (RFC 8705 §3.3): only where
    /// the server asks for client certificates.
    #[serde(default)]
    pub tls_client_certificate_bound_access_tokens: bool,
    /// Device authorization endpoint (RFC 8628 §4).
    #[serde(default)]
    pub device_authorization_endpoint: String,
    /// RFC 9126: whether every client must push its authorization requests.
    pub require_pushed_authorization_requests: bool,
}
