//! What can go wrong: setting the guard up, and a request it turns away.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Setting up a guard failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    /// Discovery or the JWKS could not be fetched or read.
    #[error("fetching provider metadata failed: {0}")]
    Fetch(String),
    /// The provider's metadata does not fit the configuration.
    #[error("provider metadata is unusable: {0}")]
    Metadata(String),
}

/// Why a request was turned away; each answers as RFC 6750, RFC 9470 and RFC 9449 prescribe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// No access token: `401` with a bare `Bearer` challenge (RFC 6750 §3.1).
    #[error("an access token is required")]
    Missing,
    /// A bad, expired or foreign token: `401 invalid_token`.
    #[error("invalid token: {0}")]
    InvalidToken(String),
    /// A DPoP-bound token without a valid proof: `401` with a `DPoP` challenge.
    #[error("invalid DPoP proof: {0}")]
    InvalidDpopProof(String),
    /// The user must authenticate more strongly or more recently: `401
    /// insufficient_user_authentication` (RFC 9470) and `{"error":"step_up_required",…}`.
    #[error("step-up required")]
    StepUp {
        /// The level to ask for in `acr_values`.
        required_acr: Option<String>,
        /// The `max_age` to ask for.
        max_age: Option<i64>,
    },
    /// The token lacks scopes: `403 insufficient_scope`.
    #[error("insufficient scope: needs {0:?}")]
    InsufficientScope(Vec<String>),
}

fn quoted(value: &str) -> String {
    value.replace(['"', '\\'], "'")
}

impl Rejection {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::InsufficientScope(_) => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The `WWW-Authenticate` value.
    pub fn challenge(&self, realm: &str) -> String {
        let realm = quoted(realm);
        match self {
            Rejection::Missing => format!("Bearer realm=\"{realm}\""),
            Rejection::InvalidToken(d) => format!(
                "Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{}\"",
                quoted(d)
            ),
            Rejection::InvalidDpopProof(d) => format!(
                "DPoP realm=\"{realm}\", error=\"invalid_dpop_proof\", error_description=\"{}\", algs=\"EdDSA ES256 RS256 PS256\"",
                quoted(d)
            ),
            Rejection::StepUp {
                required_acr,
                max_age,
            } => {
                let mut c = format!(
                    "Bearer realm=\"{realm}\", error=\"insufficient_user_authentication\", error_description=\"A stronger or more recent authentication is required\""
                );
                if let Some(acr) = required_acr {
                    c.push_str(&format!(", acr_values=\"{}\"", quoted(acr)));
                }
                if let Some(age) = max_age {
                    c.push_str(&format!(", max_age={age}"));
                }
                c
            }
            Rejection::InsufficientScope(scopes) => format!(
                "Bearer realm=\"{realm}\", error=\"insufficient_scope\", scope=\"{}\"",
                quoted(&scopes.join(" "))
            ),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        match self {
            Rejection::Missing => serde_json::json!({
                "error": "invalid_token", "error_description": "An access token is required.",
            }),
            Rejection::InvalidToken(d) => {
                serde_json::json!({ "error": "invalid_token", "error_description": d })
            }
            Rejection::InvalidDpopProof(d) => {
                serde_json::json!({ "error": "invalid_dpop_proof", "error_description": d })
            }
            Rejection::StepUp {
                required_acr,
                max_age,
            } => {
                let mut body = serde_json::json!({ "error": "step_up_required" });
                if let Some(acr) = required_acr {
                    body["required_acr"] = acr.clone().into();
                }
                if let Some(age) = max_age {
                    body["max_age"] = (*age).into();
                }
                body
            }
            Rejection::InsufficientScope(scopes) => serde_json::json!({
                "error": "insufficient_scope",
                "error_description": format!("This needs the scope {}.", scopes.join(" ")),
                "scope": scopes.join(" "),
            }),
        }
    }

    /// The whole answer, with `realm` in the challenge.
    pub fn into_response_with_realm(self, realm: &str) -> Response {
        let mut resp = (self.status(), axum::Json(self.body())).into_response();
        if let Ok(v) = HeaderValue::from_str(&self.challenge(realm)) {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.into_response_with_realm("api")
    }
}
