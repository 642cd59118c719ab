//! Per-route requirements: an assurance level, a maximum authentication age, scopes.

use portcullis_proto::acr::Acr;

use crate::claims::Claims;
use crate::error::Rejection;

/// What a route demands of a token. Build with [`require_acr`], [`max_age`] and
/// [`require_scopes`], chained: `require_acr("aal2").max_age(300)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    acr: Option<String>,
    max_age: Option<i64>,
    scopes: Vec<String>,
}

/// A rule demanding at least this `acr` (`aal1` < `aal2` < `aal3`; other values exactly).
pub fn require_acr(acr: impl Into<String>) -> Rule {
    Rule::default().require_acr(acr)
}

/// A rule demanding an authentication no older than `seconds`.
pub fn max_age(seconds: i64) -> Rule {
    Rule::default().max_age(seconds)
}

/// A rule demanding every one of `scopes`.
pub fn require_scopes<I, S>(scopes: I) -> Rule
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Rule::default().require_scopes(scopes)
}

/// Whether a token's `acr` meets the required one: by rank for the NIST levels (and Auth0's
/// PAPE URI, read as `aal2`), else by equality.
pub fn acr_meets(have: &str, want: &str) -> bool {
    match (Acr::parse(have), Acr::parse(want)) {
        (Some(have), Some(want)) => have.satisfies(want),
        _ => have == want,
    }
}

impl Rule {
    /// No requirement beyond a valid token.
    pub fn any() -> Rule {
        Rule::default()
    }

    /// Adds an `acr` requirement.
    pub fn require_acr(mut self, acr: impl Into<String>) -> Rule {
        self.acr = Some(acr.into());
        self
    }

    /// Adds a maximum authentication age in seconds.
    pub fn max_age(mut self, seconds: i64) -> Rule {
        self.max_age = Some(seconds);
        self
    }

    /// Adds required scopes.
    pub fn require_scopes<I, S>(mut self, scopes: I) -> Rule
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Judges `claims` at time `now`: scopes first (no step-up can add a scope), then, for user
    /// tokens, the level and the age.
    pub fn check(&self, claims: &Claims, now: i64) -> Result<(), Rejection> {
        if self.scopes.iter().any(|s| !claims.has_scope(s)) {
            return Err(Rejection::InsufficientScope(self.scopes.clone()));
        }
        if claims.is_machine() {
            return Ok(());
        }
        let level_ok = match &self.acr {
            Some(want) => claims
                .acr
                .as_deref()
                .is_some_and(|have| acr_meets(have, want)),
            None => true,
        };
        let fresh = match self.max_age {
            Some(age) => claims.auth_time.is_some_and(|t| now - t <= age),
            None => true,
        };
        if level_ok && fresh {
            Ok(())
        } else {
            Err(Rejection::StepUp {
                required_acr: self.acr.clone(),
                max_age: self.max_age,
            })
        }
    }
}
