//! The one gate every sign-in passes before it ends (CONVENTIONS habit 14).
//!
//! Whatever door a sign-in came through (password, passkey, magic link, upstream provider,
//! a factor on `/u/mfa`, an enrolment, the "continue" after recovery codes, a step-up, or an
//! existing session answering `/authorize`), [`judge`] re-derives from the server-side state
//! what the policy and the request demand (the MFA decision, `acr_values`, `max_age`,
//! `prompt=login`) and compares it with what the would-be session proved. Only a [`Cleared`]
//! value lets a session be stored or an authorization code be issued, and [`judge`] is the only
//! place that makes one: a handler that forgets to ask has nothing to hand on.

use portcullis_core::authn::assurance::Method;
use portcullis_core::factor::FactorKind;
use portcullis_core::model::{ExtraClaims, Session, User};
use portcullis_core::policy::Policy;
use portcullis_proto::acr::Acr;

use crate::actions::{Ask, Proved, Trigger};
use crate::config::MfaMode;
use crate::error::AppResult;
use crate::http::ClientMeta;
use crate::oidc::authorize::AuthorizeRequest;
use crate::state::AppState;

/// What a sign-in amounts to against its demands.
pub enum Verdict {
    /// Everything is met.
    Cleared(Box<Cleared>),
    /// Below the level, or not fresh enough: one more factor (or a first one enrolled); with
    /// an [`Ask`], one of the kinds a post-login Action asked for.
    Short(Option<Ask>),
    /// The account may not sign in (gone, blocked, or its address must be verified first).
    Refused,
    /// A post-login Action denied the sign-in (`api.access.deny`), with this reason.
    Denied(String),
}

/// A sign-in that met everything its policy and request demand: the session to store (or
/// the stored one that answered), and the request to answer. Built only by [`judge`].
pub struct Cleared {
    session: Session,
    request: Option<AuthorizeRequest>,
    claims: ExtraClaims,
}

impl Cleared {
    /// The session that met the demands.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The authorization request it answers, if any.
    pub fn request(&self) -> Option<&AuthorizeRequest> {
        self.request.as_ref()
    }

    /// The custom claims the post-login Actions set, for the tokens of this sign-in.
    pub fn claims(&self) -> &ExtraClaims {
        &self.claims
    }
}

/// What a sign-in must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    /// The lowest level.
    pub level: Acr,
    /// The oldest `auth_time` accepted, as an age in seconds.
    pub max_age: Option<i64>,
    /// A proof at or after this time is needed (`prompt=login`, `max_age=0`).
    pub since: Option<i64>,
}

/// Whether the policy's MFA setting asks this user for a second factor: always, never, or
/// (adaptive) when they have a factor the policy allows and the sign-in looks new.
pub async fn mfa_asked(
    state: &AppState,
    meta: &ClientMeta,
    user: &User,
    policy: &Policy,
) -> AppResult<bool> {
    // The facts are read only when the adaptive rule needs them.
    Ok(match policy.mfa {
        MfaMode::Adaptive => {
            let usable = !crate::oidc::mfa_grant::usable_kinds(state, user, policy)
                .await?
                .is_empty();
            policy.asks_mfa(
                usable,
                usable && crate::ui::device::unfamiliar(state, user, meta).await?,
            )
        }
        _ => policy.asks_mfa(false, false),
    })
}

/// What `policy` and `request` demand of `user`'s sign-in now, never less than `floor` (the
/// demand recorded when the sign-in began, so a later change of heart, such as failures
/// cleared by the right password, cannot lower it).
pub async fn demand(
    state: &AppState,
    meta: &ClientMeta,
    user: &User,
    policy: &Policy,
    request: Option<&AuthorizeRequest>,
    floor: Option<Acr>,
) -> AppResult<Demand> {
    let (required, max_age) = match request {
        Some(r) => r.demands(policy),
        None => (policy.required_acr, policy.max_age),
    };
    let below_aal2 = required.max(floor).is_none_or(|l| l < Acr::Aal2);
    let asked = below_aal2 && mfa_asked(state, meta, user, policy).await?;
    let level = policy.level(required, floor, asked);
    let since = request.filter(|r| r.forces_login()).map(|r| r.requested_at);
    Ok(Demand {
        level,
        max_age,
        since,
    })
}

impl Demand {
    /// Whether `session` meets this demand at `now`.
    pub fn met_by(&self, session: &Session, now: i64, requested_at: i64) -> bool {
        if session.proofs.is_empty() {
            return false;
        }
        let reached = Acr::parse(&session.acr).unwrap_or(Acr::Aal1);
        // A proof made after the request counts as fresh however long the user took.
        let fresh = self.max_age.is_none_or(|m| {
            now - session.auth_time <= m || (requested_at > 0 && session.auth_time >= requested_at)
        });
        reached.satisfies(self.level) && fresh && self.since.is_none_or(|t| session.auth_time >= t)
    }
}

/// Judges a would-be (or existing) session against what its policy and request demand.
pub async fn judge(
    state: &AppState,
    meta: &ClientMeta,
    session: Session,
    request: Option<AuthorizeRequest>,
    policy: &Policy,
    floor: Option<Acr>,
) -> AppResult<Verdict> {
    let Some(user) = state
        .store()
        .user_by_id(&session.user_id)
        .await?
        .filter(|u| !u.blocked)
    else {
        return Ok(Verdict::Refused);
    };
    if policy.require_verified_email && !user.email_verified {
        return Ok(Verdict::Refused);
    }
    let demand = demand(state, meta, &user, policy, request.as_ref(), floor).await?;
    let requested_at = request.as_ref().map_or(0, |r| r.requested_at);
    if !demand.met_by(&session, state.now(), requested_at) {
        return Ok(Verdict::Short(None));
    }
    // A backchannel approval wants a passkey or TOTP proved for it, not one from before.
    if let Some(req) = request.as_ref().filter(|r| r.fresh_factor) {
        let ask = Ask {
            kinds: vec![FactorKind::Webauthn, FactorKind::Totp],
            recovery: false,
            enroll: false,
            action: "backchannel approval".into(),
        };
        if !answered(state, &user, &session, req.requested_at, &ask).await? {
            return Ok(Verdict::Short(Some(ask)));
        }
    }
    // A sign-in to an application runs the post-login Actions last, over what it proved.
    let Some(req) = request.as_ref() else {
        return Ok(Verdict::Cleared(Box::new(Cleared {
            session,
            request,
            claims: ExtraClaims::default(),
        })));
    };
    let Some(client) = state.client(&req.client_id).await else {
        return Ok(Verdict::Refused);
    };
    let decision = crate::actions::post_login(
        state,
        meta,
        Trigger {
            user: &user,
            client: &client,
            audience: req.audience.as_deref(),
            scope: &req.scope,
            grant_type: None,
            proved: Proved::Proofs(&session.proofs),
            request: Some(req),
        },
    )
    .await?;
    if let Some(reason) = decision.deny {
        return Ok(Verdict::Denied(reason));
    }
    if let Some(ask) = decision.ask
        && !answered(state, &user, &session, req.requested_at, &ask).await?
    {
        return Ok(Verdict::Short(Some(ask)));
    }
    Ok(Verdict::Cleared(Box::new(Cleared {
        session,
        request,
        claims: decision.claims,
    })))
}

/// Whether this sign-in already answers an Action's ask: a factor of a kind it named proved
/// since the request (a challenge), or one of those kinds enrolled (an enrolment).
async fn answered(
    state: &AppState,
    user: &User,
    session: &Session,
    since: i64,
    ask: &Ask,
) -> AppResult<bool> {
    if ask.enroll {
        return Ok(crate::ui::active_factors(state, &user.id)
            .await?
            .iter()
            .any(|f| ask.kinds.contains(&f.kind)));
    }
    Ok(session.proofs.iter().any(|p| {
        p.at >= since
            && (ask.kinds.iter().any(|k| p.method.same_kind(k.method()))
                || (ask.recovery && p.method == Method::RecoveryCode))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_core::authn::assurance::Proof;

    fn session(proofs: Vec<Proof>) -> Session {
        Session::start("usr_1", 1_000, 10_000, proofs)
    }

    #[test]
    fn gate_demand_needs_level_and_freshness() {
        let pwd = Proof::new(Method::Password, 1_000, None);
        let totp = Proof::new(Method::Totp, 1_000, None);
        let aal2 = Demand {
            level: Acr::Aal2,
            max_age: None,
            since: None,
        };
        assert!(!aal2.met_by(&session(vec![pwd.clone()]), 1_000, 0));
        assert!(aal2.met_by(&session(vec![pwd.clone(), totp]), 1_000, 0));
        assert!(!aal2.met_by(&session(vec![]), 1_000, 0), "nothing proved");
        let fresh = Demand {
            level: Acr::Aal1,
            max_age: Some(60),
            since: None,
        };
        assert!(fresh.met_by(&session(vec![pwd.clone()]), 1_060, 0));
        assert!(!fresh.met_by(&session(vec![pwd.clone()]), 1_061, 0));
        assert!(
            fresh.met_by(&session(vec![pwd.clone()]), 1_500, 990),
            "proved after the request"
        );
        let login = Demand {
            level: Acr::Aal1,
            max_age: None,
            since: Some(1_001),
        };
        assert!(!login.met_by(&session(vec![pwd]), 1_001, 1_001));
    }
}
