//! JWT claims of Portcullis tokens: ID tokens (OIDC Core §2) and access tokens (RFC 9068 §2.2).

use serde::{Deserialize, Serialize};

/// The `aud` claim: one audience or several (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// A single audience, serialised as a string.
    One(String),
    /// Several audiences, serialised as an array.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `value` is one of the audiences.
    pub fn contains(&self, value: &str) -> bool {
        match self {
            Audience::One(a) => a == value,
            Audience::Many(all) => all.iter().any(|a| a == value),
        }
    }
}

/// Claims of an ID token (OIDC Core §2) as Portcullis issues them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    /// Issuer identifier.
    pub iss: String,
    /// Subject: the user id.
    pub sub: String,
    /// The client the token is for.
    pub aud: Audience,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Time of the session's most recent interactive authentication.
    pub auth_time: i64,
    /// The nonce of the authorization request, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Assurance level the session meets now.
    pub acr: String,
    /// Methods used (RFC 8176).
    pub amr: Vec<String>,
    /// Session id, for logout (OIDC Front/Back-Channel Logout).
    pub sid: String,
    /// Authorized party: the client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// Email address, with the `email` scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email is verified, with the `email` scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Display name, with the `profile` scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Claims of an RFC 9068 access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// Issuer identifier.
    pub iss: String,
    /// Subject: the user id, or the client id for `client_credentials`.
    pub sub: String,
    /// The API (resource server) the token is for.
    pub aud: Audience,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Unique token id.
    pub jti: String,
    /// The client the token was issued to.
    pub client_id: String,
    /// Space-separated granted scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Time of the user's most recent interactive authentication; absent for M2M tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// Assurance level; absent for M2M tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// Methods used; absent for M2M tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    /// Session id; absent for M2M tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// What the token is bound to: a DPoP key (RFC 9449 §6.1), a client certificate (RFC 8705
    /// §3.1) or both, when it was issued against a proof or over a certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<KeyConfirmation>,
}

/// `cnf` of a sender-constrained token: the thumbprint of the client's DPoP key, of its TLS
/// client certificate, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyConfirmation {
    /// The DPoP key's JWK SHA-256 thumbprint (RFC 7638), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
    /// The SHA-256 of the client certificate's DER, base64url (RFC 8705 §3.1).
    #[serde(rename = "x5t#S256", default, skip_serializing_if = "Option::is_none")]
    pub x5t_s256: Option<String>,
}

impl KeyConfirmation {
    /// The confirmation of a token bound to `jkt` and/or `x5t_s256`; `None` when it is bound to
    /// neither.
    pub fn of(jkt: Option<String>, x5t_s256: Option<String>) -> Option<KeyConfirmation> {
        (jkt.is_some() || x5t_s256.is_some()).then_some(KeyConfirmation { jkt, x5t_s256 })
    }
}
