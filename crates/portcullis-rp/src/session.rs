//! What a signed-in session holds, and where it lives: in the encrypted cookie itself, or in a
//! server-side store the cookie only names.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The tokens for one audience (the empty string: the provider's own, for `/userinfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    /// The access token.
    pub access_token: String,
    /// The refresh token, with `offline_access`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires (seconds since the epoch).
    pub expires_at: i64,
    /// Granted scope.
    #[serde(default)]
    pub scope: String,
}

/// A signed-in user's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Subject.
    pub sub: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Assurance level of the latest authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// Methods of the latest authentication.
    #[serde(default)]
    pub amr: Vec<String>,
    /// Time of the latest authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The provider's session id, for back-channel logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The ID token, as the logout hint.
    pub id_token: String,
    /// Tokens by audience.
    #[serde(default)]
    pub tokens: BTreeMap<String, TokenSet>,
    /// When the session began.
    pub created_at: i64,
    /// Last request seen (for the inactivity limit).
    pub last_seen: i64,
}

/// A server-side home for sessions, for apps that want small cookies or instant revocation
/// across instances.
#[async_trait::async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// The session under `id`.
    async fn load(&self, id: &str) -> Option<Session>;
    /// Stores (or replaces) the session under `id` until `expires_at`.
    async fn save(&self, id: &str, session: &Session, expires_at: i64);
    /// Forgets `id`.
    async fn delete(&self, id: &str);
    /// Forgets every session with the provider session `sid`, or of `sub` when `sid` is `None`.
    async fn delete_matching(&self, sub: Option<&str>, sid: Option<&str>);
}

/// An in-process [`SessionStore`], for one instance.
#[derive(Default)]
pub struct MemoryStore {
    sessions: Mutex<HashMap<String, (Session, i64)>>,
}

#[async_trait::async_trait]
impl SessionStore for MemoryStore {
    async fn load(&self, id: &str) -> Option<Session> {
        let map = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id).map(|(s, _)| s.clone())
    }

    async fn save(&self, id: &str, session: &Session, expires_at: i64) {
        let mut map = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (_, exp)| *exp > session.last_seen);
        map.insert(id.to_string(), (session.clone(), expires_at));
    }

    async fn delete(&self, id: &str) {
        let mut map = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(id);
    }

    async fn delete_matching(&self, sub: Option<&str>, sid: Option<&str>) {
        let mut map = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (s, _)| !matches(s, sub, sid));
    }
}

/// Whether a back-channel logout for `sub`/`sid` ends this session (`sid` wins when given).
pub(crate) fn matches(s: &Session, sub: Option<&str>, sid: Option<&str>) -> bool {
    match (sid, sub) {
        (Some(sid), _) => s.sid.as_deref() == Some(sid),
        (None, Some(sub)) => s.sub == sub,
        (None, None) => false,
    }
}
