//! Post-login Actions: Auth0's `exports.onExecutePostLogin = async (event, api) => …` run
//! unchanged in an embedded QuickJS (through `rquickjs`), with no Node.js process.
//!
//! QuickJS was chosen over Boa for three reasons: it enforces a heap limit in its allocator and
//! stops a running script from an interrupt callback (the two sandbox limits this needs), it
//! implements the whole of ES2023 including `async` functions (Auth0's Actions are async), and
//! it starts a context in well under a millisecond. The engine has no file system, network,
//! timers or module loader: a script sees only `event`, `api`, `console` and the language.
//!
//! Scripts run on a pool of dedicated threads, never on the async executor. Each thread keeps
//! one runtime with the deployed Actions compiled once, recompiling only when a new
//! [`Deployment`] arrives, so a sign-in pays for running the Actions, not for parsing them.

mod outcome;
mod pool;

pub use outcome::{Demand, Denial, LogLine, Outcome};
pub use pool::{Engine, Limits};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why running the Actions gave no outcome.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ActionError {
    /// An Action ran past the CPU-time limit and was stopped.
    #[error("the Action {action:?} was stopped after {millis} ms")]
    Timeout {
        /// The Action's name.
        action: String,
        /// The limit it ran past.
        millis: u64,
    },
    /// An Action needed more memory than the limit.
    #[error("the Action {action:?} ran out of memory")]
    Memory {
        /// The Action's name.
        action: String,
    },
    /// An Action threw, or its promise was rejected or never settled.
    #[error("the Action {action:?} failed: {message}")]
    Failed {
        /// The Action's name.
        action: String,
        /// The error's message.
        message: String,
        /// What the Action logged before it failed.
        logs: Vec<LogLine>,
    },
    /// The source does not compile, or exports no `onExecutePostLogin`.
    #[error("the Action {action:?} does not load: {message}")]
    Invalid {
        /// The Action's name.
        action: String,
        /// What is wrong.
        message: String,
    },
    /// Every worker is busy and the queue is full, or the pool has stopped.
    #[error("the Actions engine is unavailable: {0}")]
    Unavailable(String),
}

/// One deployed Action: the code and secrets of its deployed version.
#[derive(Clone, PartialEq, Eq)]
pub struct Script {
    /// The Action's id.
    pub id: String,
    /// The Action's name, for errors and logs.
    pub name: String,
    /// The CommonJS source exporting `onExecutePostLogin`.
    pub code: String,
    /// `event.secrets` for this Action, decrypted.
    pub secrets: BTreeMap<String, String>,
}

impl std::fmt::Debug for Script {
    // Never the secrets' values: a debug line must not leak them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Script")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The Actions bound to the post-login trigger, in the order they run. Workers recompile when
/// they meet a deployment with another generation.
pub struct Deployment {
    generation: u64,
    scripts: Vec<Script>,
    secrets_json: String,
}

impl std::fmt::Debug for Deployment {
    // `secrets_json` holds the secrets' values, so it is left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deployment")
            .field("generation", &self.generation)
            .field("scripts", &self.scripts)
            .finish_non_exhaustive()
    }
}

impl Default for Deployment {
    fn default() -> Self {
        Deployment::new(Vec::new())
    }
}

static GENERATION: AtomicU64 = AtomicU64::new(1);

impl Deployment {
    /// A deployment of `scripts`, in binding order.
    pub fn new(scripts: Vec<Script>) -> Deployment {
        let secrets: Vec<&BTreeMap<String, String>> = scripts.iter().map(|s| &s.secrets).collect();
        Deployment {
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            secrets_json: serde_json::to_string(&secrets).unwrap_or_else(|_| "[]".into()),
            scripts,
        }
    }

    /// Whether nothing is bound (the common case: no engine call at all).
    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    /// The bound Actions, in order.
    pub fn scripts(&self) -> &[Script] {
        &self.scripts
    }

    fn name(&self, index: i64) -> String {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.scripts.get(i))
            .map_or_else(|| "(unknown)".to_string(), |s| s.name.clone())
    }
}

/// Checks that `code` compiles and exports `onExecutePostLogin`, in a throwaway sandbox with
/// the given limits; the error says what is wrong, for the deploy to refuse it.
pub fn check(name: &str, code: &str, limits: Limits) -> Result<(), ActionError> {
    let script = Script {
        id: String::new(),
        name: name.to_string(),
        code: code.to_string(),
        secrets: BTreeMap::new(),
    };
    pool::Sandbox::new(limits)?.load(&Deployment::new(vec![script]))
}
