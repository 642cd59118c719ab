//! OpenID Connect and OAuth 2.0 endpoints (DESIGN.md §3).

pub mod authorize;
pub mod ciba;
pub mod client_auth;
pub mod consent;
pub mod device;
pub mod discovery;
pub mod dpop;
pub mod exchange;
pub mod jar;
pub mod logout;
pub mod mfa_api;
pub mod mfa_grant;
pub mod mint;
pub mod mtls;
pub mod par;
pub mod revoke;
pub mod token;
pub mod userinfo;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Routes of the OIDC/OAuth surface.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(discovery::openid_configuration),
        )
        .route("/.well-known/jwks.json", get(discovery::jwks))
        .route(
            "/authorize",
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route("/oauth/token", post(token::token))
        .route("/oauth/par", post(par::push))
        .route("/oauth/device/code", post(device::device_code))
        .route("/bc-authorize", post(ciba::bc_authorize))
        .route(
            "/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route("/mfa/authenticators", get(mfa_api::authenticators))
        .route(
            "/mfa/authenticators/{id}",
            axum::routing::delete(mfa_api::remove),
        )
        .route("/mfa/associate", post(mfa_api::associate))
        .route("/mfa/challenge", post(mfa_api::challenge))
        .route("/oauth/revoke", post(revoke::revoke))
        .route("/oauth/introspect", post(revoke::introspect))
        .route(
            "/oidc/logout",
            get(logout::logout_get).post(logout::logout_post),
        )
}
