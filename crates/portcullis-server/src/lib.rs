//! The Portcullis HTTP server: OpenID Connect / OAuth 2.0 endpoints and hosted pages.
//!
//! Build an [`startup::Application`] from [`config::Settings`] and run it:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use std::sync::Arc;
//! use portcullis_server::config::{Settings, Sources};
//! let settings = Settings::load(&Sources { dev: true, ..Default::default() })?;
//! let app = portcullis_server::startup::Application::build(
//!     settings,
//!     Arc::new(portcullis_core::clock::SystemClock),
//! )
//! .await?;
//! app.run_until(std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod actions;
pub mod branding;
pub mod config;
pub mod console;
pub mod error;
pub mod gate;
pub mod http;
pub mod i18n;
pub mod metrics;
pub mod mgmt;
pub mod notify;
pub mod oidc;
pub mod ratelimit;
pub mod sessions;
pub mod startup;
pub mod state;
pub mod time;
pub mod tls;
pub mod ui;
