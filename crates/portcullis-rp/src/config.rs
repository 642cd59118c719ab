//! How a relying party is set up.

use std::sync::Arc;

pub use portcullis_guard::Clock;

use crate::session::SessionStore;

/// Relying-party settings. Start from [`RpConfig::new`] and change the fields you need.
#[non_exhaustive]
pub struct RpConfig {
    /// The provider's issuer identifier.
    pub issuer: String,
    /// This app's client id.
    pub client_id: String,
    /// Its secret (`client_secret_basic`); `None` for a public client (PKCE only).
    pub client_secret: Option<String>,
    /// The absolute callback URL registered with the provider: `<app>/<prefix>/callback`.
    pub redirect_uri: String,
    /// Where the routes are mounted (default `/auth`).
    pub prefix: String,
    /// Scopes asked for (default `openid profile email offline_access`).
    pub scope: String,
    /// The API whose access token the sign-in asks for, if any.
    pub audience: Option<String>,
    /// Where the provider sends the user after logout (registered with it), if anywhere.
    pub post_logout_redirect_uri: Option<String>,
    /// Session ends after this long without a request (default one day).
    pub inactivity: i64,
    /// Session ends this long after sign-in whatever happens (default seven days).
    pub absolute: i64,
    /// Base name of the session cookies.
    pub cookie_name: String,
    /// Server-side sessions (the cookie then only carries an id); `None` keeps the session in
    /// the encrypted cookie.
    pub store: Option<Arc<dyn SessionStore>>,
    /// A clock other than the system's.
    pub clock: Option<Clock>,
    /// The HTTP client for the provider.
    pub http: Option<reqwest::Client>,
    pub(crate) secret: Vec<u8>,
}

impl RpConfig {
    /// Settings for `client_id` at `issuer`, with `secret` (at least 32 random bytes, kept
    /// secret: it encrypts the session cookies).
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Option<String>,
        redirect_uri: impl Into<String>,
        secret: impl AsRef<[u8]>,
    ) -> RpConfig {
        RpConfig {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret,
            redirect_uri: redirect_uri.into(),
            prefix: "/auth".into(),
            scope: "openid profile email offline_access".into(),
            audience: None,
            post_logout_redirect_uri: None,
            inactivity: 86_400,
            absolute: 7 * 86_400,
            cookie_name: "portcullis_session".into(),
            store: None,
            clock: None,
            http: None,
            secret: secret.as_ref().to_vec(),
        }
    }
}
