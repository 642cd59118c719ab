//! What the Actions asked for, read back from the sandbox as JSON.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Everything the bound Actions asked of one sign-in or token request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// `api.access.deny(reason)`: the request is refused with this reason.
    #[serde(default)]
    pub deny: Option<Denial>,
    /// `api.authentication.challengeWith*` (or `api.multifactor.enable`): a factor of these
    /// types must be proved now.
    #[serde(default)]
    pub challenge: Option<Demand>,
    /// `api.authentication.enrollWith*`: a factor of these types must be enrolled now.
    #[serde(default)]
    pub enroll: Option<Demand>,
    /// `api.idToken.setCustomClaim`.
    #[serde(default)]
    pub id_claims: Map<String, Value>,
    /// `api.accessToken.setCustomClaim`.
    #[serde(default)]
    pub access_claims: Map<String, Value>,
    /// `api.user.setAppMetadata`: keys to set, `null` to remove.
    #[serde(default)]
    pub app_metadata: Map<String, Value>,
    /// `api.user.setUserMetadata`: keys to set, `null` to remove.
    #[serde(default)]
    pub user_metadata: Map<String, Value>,
    /// What the Actions wrote with `console.*`.
    #[serde(default)]
    pub logs: Vec<LogLine>,
}

/// `api.access.deny`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denial {
    /// The index of the Action that denied, in binding order.
    pub action: usize,
    /// The reason it gave, shown to the user and the application.
    pub reason: String,
}

/// A challenge or enrolment demanded by an Action: Auth0's factor types, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demand {
    /// The index of the Action that asked.
    pub action: usize,
    /// Auth0's factor types (`otp`, `phone`, `email`, `webauthn-roaming`,
    /// `webauthn-platform`, `recovery-code`, `push-notification`), or `any`.
    pub factors: Vec<String>,
}

/// One `console.*` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// `log`, `info`, `warn`, `error` or `debug`.
    pub level: String,
    /// The arguments, joined by spaces (capped).
    pub message: String,
}

impl Outcome {
    /// Whether the Actions asked for nothing at all.
    pub fn is_empty(&self) -> bool {
        self.deny.is_none()
            && self.challenge.is_none()
            && self.enroll.is_none()
            && self.id_claims.is_empty()
            && self.access_claims.is_empty()
            && self.app_metadata.is_empty()
            && self.user_metadata.is_empty()
    }
}
