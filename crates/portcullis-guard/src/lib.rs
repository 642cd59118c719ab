//! Protect an API with access tokens from Portcullis or any OpenID Connect provider that
//! publishes its keys: RFC 9068 JWT verification, per-route step-up rules answered as RFC 9470
//! says, scopes for machine clients, DPoP-bound tokens (RFC 9449) and certificate-bound tokens
//! (RFC 8705).
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use portcullis_guard::{Guard, GuardLayer, Verified, require_acr};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let guard = Guard::discover("https://id.example.com", "https://payouts.example.com").await?;
//! let app: Router = Router::new()
//!     .route("/bank-account", post(|Verified(claims): Verified| async move { claims.sub }))
//!     .layer(GuardLayer::new(guard, require_acr("aal2").max_age(300)));
//! # let _ = app; Ok(()) }
//! ```
//!
//! A token below the rule gets `401` with `WWW-Authenticate: Bearer
//! error="insufficient_user_authentication", acr_values="aal2", max_age=300` and the body
//! `{"error":"step_up_required","required_acr":"aal2","max_age":300}`; the client runs the
//! authorization request again with those values and retries. Tokens of machine clients
//! (`sub` = `client_id`, no `acr`) are judged on scope alone: `403 insufficient_scope`.

mod b64;
mod claims;
mod dpop;
mod error;
mod guard;
pub mod jwk;
mod jwt;
mod keys;
mod rules;
mod web;

pub use claims::{Claims, Confirmation};
pub use dpop::{Proof, token_hash, verify_proof};
pub use error::{GuardError, Rejection};
pub use guard::{Clock, Guard, GuardBuilder, certificate_thumbprint, system_clock};
pub use jwk::{Alg, thumbprint};
pub use jwt::Header;
pub use keys::{KeySet, Signed};
pub use rules::{Rule, acr_meets, max_age, require_acr, require_scopes};
pub use web::{
    AnyToken, ClientCertificate, GuardLayer, GuardService, Protected, Requirement, Verified,
};
