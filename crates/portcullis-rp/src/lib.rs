//! Sign users in to an axum web app with OpenID Connect (Portcullis or any provider): the
//! authorization code flow with PKCE, `state`, `nonce` and RFC 9207 `iss`; sessions in
//! AES-GCM-encrypted cookies (chunked past 4 KB) or a server-side store, with rolling,
//! inactivity and absolute lifetimes; access tokens refreshed before they expire; step-up with
//! `acr_values`/`max_age` that brings the user back where they were; back-channel logout.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use portcullis_rp::{Rp, RpConfig, UserSession};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = RpConfig::new(
//!     "https://id.example.com", "client-id", Some("client-secret".into()),
//!     "https://app.example.com/auth/callback", std::env::var("APP_SECRET")?,
//! );
//! let rp = Rp::discover(config).await?;
//! let app: Router = rp.wrap(Router::new().route("/", get(|s: UserSession| async move {
//!     s.get().map(|s| s.sub).unwrap_or_else(|| "signed out".into())
//! })));
//! # let _ = app; Ok(()) }
//! ```

mod config;
mod error;
mod rp;
mod seal;
mod session;
mod web;

pub use config::{Clock, RpConfig};
pub use error::RpError;
pub use rp::{LoginOptions, Rp};
pub use session::{MemoryStore, Session, SessionStore, TokenSet};
pub use web::{UserSession, step_up};
