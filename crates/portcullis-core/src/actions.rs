//! Auth0-style Actions as stored: the draft an admin edits and the version deployed, bound to
//! the post-login trigger in order. Running them is `portcullis-actions`' job.

use serde::{Deserialize, Serialize};

/// The one trigger Actions bind to here.
pub const POST_LOGIN: &str = "post-login";
/// Auth0's version of the post-login trigger whose `event`/`api` this implements.
pub const POST_LOGIN_VERSION: &str = "v3";
/// The tenant setting holding the post-login bindings (action ids, in order).
pub const BINDINGS_KEY: &str = "actions.bindings.post-login";
/// The runtime Auth0 labels Actions with; scripts here run in QuickJS whatever it says.
pub const RUNTIME: &str = "node18";

/// One Action: the draft, and the version deployed (what sign-ins run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Its id (`act_…`).
    pub id: String,
    /// Unique name.
    pub name: String,
    /// The draft's source.
    pub code: String,
    /// The draft's secrets: names and values sealed with the master key (never plain).
    pub secrets: Vec<SealedSecret>,
    /// Auth0's runtime label, kept as given.
    pub runtime: String,
    /// The deployed version, if any.
    #[serde(default)]
    pub deployed: Option<Deployed>,
    /// Creation time.
    pub created_at: i64,
    /// Last change to the draft.
    pub updated_at: i64,
}

/// A secret as stored: the name in clear (it is shown), the value sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSecret {
    /// `event.secrets.<name>`.
    pub name: String,
    /// The value, sealed with the master key.
    pub sealed: String,
    /// When it was last set.
    pub updated_at: i64,
}

/// A deployed version: a copy of the draft at the time of the deploy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployed {
    /// 1 for the first deploy, then one more each time.
    pub number: i64,
    /// Its id (`actv_…`).
    pub id: String,
    /// The source that runs.
    pub code: String,
    /// The secrets it runs with.
    pub secrets: Vec<SealedSecret>,
    /// When it was deployed.
    pub deployed_at: i64,
}

impl Action {
    /// Whether the draft differs from what is deployed.
    pub fn modified(&self) -> bool {
        self.deployed
            .as_ref()
            .is_none_or(|d| d.code != self.code || d.secrets != self.secrets)
    }
}
