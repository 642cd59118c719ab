//! Token grants with a second factor and no browser, Auth0's way (DESIGN.md §6): the `password`
//! grant, a refresh and a code exchange answer `403 mfa_required` with an `mfa_token` when
//! policy asks for more, and the `mfa-otp`, `mfa-oob` and `mfa-recovery-code` grants spend that
//! token with a factor.

use axum::http::StatusCode;
use portcullis_core::authn::assurance::{Method, Proof};
use portcullis_core::authn::factors::{Outcome, password_key};
use portcullis_core::crypto::{random, token_digest};
use portcullis_core::factor::FactorKind;
use portcullis_core::model::{Client, ExtraClaims, Flow, GrantContext, Session, User};
use portcullis_core::policy::{MfaMode, Policy, RefreshMfa};
use portcullis_proto::acr::Acr;
use portcullis_proto::oauth::{ErrorCode, TokenResponse};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, Params};
use crate::state::AppState;

/// Auth0's grant type for a TOTP code.
pub const MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";
/// Auth0's grant type for a code sent by email or SMS.
pub const MFA_OOB: &str = "http://auth0.com/oauth/grant-type/mfa-oob";
/// Auth0's grant type for a recovery code.
pub const MFA_RECOVERY_CODE: &str = "http://auth0.com/oauth/grant-type/mfa-recovery-code";

pub(crate) const KIND: &str = "mfa_token";

/// What an `mfa_token` stands for: who, for which client, API and scope, and what they proved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub(crate) user_id: String,
    pub(crate) client_id: String,
    pub(crate) audience: Option<String>,
    pub(crate) scope: String,
    pub(crate) proofs: Vec<Proof>,
    /// The code sent by `/mfa/challenge` or `/mfa/associate` (its record id, the `oob_code`)
    /// and how it proves.
    #[serde(default)]
    pub(crate) oob: Option<(String, Method)>,
    /// A code exchange's browser session: the tokens stay tied to it (same `sid`).
    #[serde(default)]
    pub(crate) session_id: Option<String>,
    /// A code exchange's `nonce`, for the ID token.
    #[serde(default)]
    pub(crate) nonce: Option<String>,
    /// A refresh's token (its digest): the factor proved here raises what it carries.
    #[serde(default)]
    pub(crate) refresh_digest: Option<String>,
    /// Custom claims the post-login Actions set, for the tokens the factor unlocks.
    #[serde(default)]
    pub(crate) claims: ExtraClaims,
    /// The DPoP key the request that got the `mfa_token` proved: the factor grant must prove it
    /// too, so a stolen `mfa_token` is useless without the key.
    #[serde(default)]
    pub(crate) jkt: Option<String>,
    /// The TLS client certificate that request was bound to, for the same reason.
    #[serde(default)]
    pub(crate) x5t: Option<String>,
}

impl Pending {
    /// Continues a grant: its user, client, API and scope, and what its session proved.
    async fn from_grant(state: &AppState, grant: &GrantContext) -> AppResult<Pending> {
        let session = state
            .store()
            .session_by_id(&grant.session_id, state.now())
            .await?;
        let mut pending = Pending::new(
            &grant.user_id,
            &grant.client_id,
            grant.audience.clone(),
            grant.scope.clone(),
            session
                .as_ref()
                .map(|s| s.proofs.clone())
                .unwrap_or_default(),
        );
        // The tokens stay tied to the session they came from (same `sid`) while it lives.
        pending.session_id = session.map(|s| s.id);
        pending.claims = grant.claims.clone();
        Ok(pending)
    }

    /// What a grant proved so far, about to be checked for a factor.
    pub(crate) fn new(
        user_id: &str,
        client_id: &str,
        audience: Option<String>,
        scope: String,
        proofs: Vec<Proof>,
    ) -> Pending {
        Pending {
            user_id: user_id.into(),
            client_id: client_id.into(),
            audience,
            scope,
            proofs,
            oob: None,
            session_id: None,
            nonce: None,
            refresh_digest: None,
            claims: ExtraClaims::default(),
            jkt: None,
            x5t: None,
        }
    }
}

/// `429 too_many_attempts` in the token endpoint's JSON.
pub(crate) fn too_many(retry_after: i64) -> AppError {
    AppError::TooMany {
        code: ErrorCode::TooManyAttempts,
        seconds: retry_after,
    }
}

/// The `password` grant (off unless the client has it): tokens, or `mfa_required`.
pub async fn password(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    params: &Params,
) -> AppResult<TokenResponse> {
    let username = params
        .get("username")
        .ok_or_else(|| AppError::invalid_request("username is required."))?;
    let password = params
        .get("password")
        .ok_or_else(|| AppError::invalid_request("password is required."))?;
    let audience = params.owned("audience");
    if let Some(aud) = &audience
        && state.api(aud).await.is_none()
    {
        return Err(AppError::bad(
            ErrorCode::AccessDenied,
            "The audience is not a known API.",
        ));
    }
    let scope = super::consent::user_scope(
        state,
        client,
        audience.as_deref(),
        params.get("scope").unwrap_or("openid"),
    );
    let key = password_key(state.master(), username);
    let user = state.store().user_by_email(username.trim()).await?;
    let user = match crate::ui::login::password_attempt(
        state,
        meta,
        &key,
        user,
        password,
        Some(&client.id),
        serde_json::json!({ "grant": "password" }),
    )
    .await?
    {
        crate::ui::login::Checked::Right(user) => user,
        crate::ui::login::Checked::Wait(wait) => return Err(too_many(wait)),
        crate::ui::login::Checked::Wrong => {
            return Err(AppError::invalid_grant("Wrong email or password."));
        }
    };
    let policy = state.policy(Some(&client.id), audience.as_deref()).await;
    let proofs = vec![Proof::new(Method::Password, state.now(), None)];
    let trigger = crate::actions::Trigger::grant(
        &user,
        client,
        audience.as_deref(),
        &scope,
        "password",
        crate::actions::Proved::Proofs(&proofs),
    );
    let decision = crate::actions::post_login(state, meta, trigger).await?;
    let mut pending = Pending::new(&user.id, &client.id, audience, scope, proofs);
    pending.claims = decision.claims;
    if let Some(reason) = decision.deny {
        state.store().clear_failures(&key).await?;
        return Err(action_denied(reason));
    }
    if let Some(ask) = decision.ask {
        state.store().clear_failures(&key).await?;
        return Err(asked(state, meta, "password", &user, &policy, pending, &ask).await?);
    }
    let kinds = usable_kinds(state, &user, &policy).await?;
    // The same demand the hosted pages' gate makes: policy MFA and the required level.
    let needed = crate::gate::demand(state, meta, &user, &policy, None, None)
        .await?
        .level
        > Acr::Aal1;
    // Cleared after the adaptive policy has seen the failures that came before.
    state.store().clear_failures(&key).await?;
    if !needed {
        return tokens(state, meta, client, &user, pending).await;
    }
    Err(mfa_required(state, meta, "password", &kinds, &policy, pending).await?)
}

/// A refresh that needs a factor first: the API it mints for demands a level (`required_acr`)
/// or a freshness (`max_age`) the grant did not prove, or `mfa_on_refresh = when_enrolled`
/// applies to a one-factor grant of a user who has a factor now. Answers `mfa_required` for
/// `grant` (its API and scope); the factor then raises what the refresh token says it proved
/// (`refresh_digest`), so the next refresh for that API goes through. `user` is the grant's
/// user, already loaded by the caller; factors are listed only when a rule can apply, as the
/// common refresh (an aal2 grant, or no `when_enrolled` rule) needs no more reads. A factor a
/// post-login Action asked for (`ask`) is always needed.
pub async fn refresh_needs_factor(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    grant: &GrantContext,
    user: &User,
    refresh_digest: &str,
    ask: Option<&crate::actions::Ask>,
) -> AppResult<Option<AppError>> {
    let policy = state
        .policy(Some(&client.id), grant.audience.as_deref())
        .await;
    if let Some(ask) = ask {
        let mut pending = Pending::from_grant(state, grant).await?;
        pending.refresh_digest = Some(refresh_digest.to_string());
        let err = asked(state, meta, "refresh_token", user, &policy, pending, ask).await?;
        return Ok(Some(err));
    }
    let proved = Acr::parse(&grant.acr).unwrap_or(Acr::Aal1);
    let below = policy.required_acr.is_some_and(|r| !proved.satisfies(r));
    let stale = policy
        .max_age
        .is_some_and(|m| state.now() - grant.auth_time > m);
    let enrolled_may_apply =
        policy.mfa_on_refresh == RefreshMfa::WhenEnrolled && proved < Acr::Aal2;
    if !below && !stale && !enrolled_may_apply {
        return Ok(None);
    }
    let kinds = usable_kinds(state, user, &policy).await?;
    if !below && !stale && kinds.is_empty() {
        return Ok(None);
    }
    let mut pending = Pending::from_grant(state, grant).await?;
    pending.refresh_digest = Some(refresh_digest.to_string());
    Ok(Some(
        mfa_required(state, meta, "refresh_token", &kinds, &policy, pending).await?,
    ))
}

/// `403 access_denied` with the reason a post-login Action gave (`api.access.deny`), as Auth0
/// answers a token request an Action denied.
pub(crate) fn action_denied(reason: String) -> AppError {
    AppError::OAuth {
        status: StatusCode::FORBIDDEN,
        code: ErrorCode::AccessDenied,
        description: reason,
        challenge: None,
    }
}

/// `mfa_required` for what an Action asked: the user's factors of the kinds it named (within
/// the policy) to challenge, or those kinds to enrol.
async fn asked(
    state: &AppState,
    meta: &ClientMeta,
    grant_type: &str,
    user: &User,
    policy: &Policy,
    pending: Pending,
    ask: &crate::actions::Ask,
) -> AppResult<AppError> {
    let mut policy = policy.clone();
    policy.allowed_factors.retain(|k| ask.kinds.contains(k));
    let kinds = if ask.enroll {
        Vec::new()
    } else {
        usable_kinds(state, user, &policy).await?
    };
    mfa_required(state, meta, grant_type, &kinds, &policy, pending).await
}

/// A code exchange for an API whose policy needs more than the session proved (the policy
/// changed since `/authorize`, or its `max_age` ran out meanwhile): `mfa_required`, and the
/// factor proved with the `mfa_token` is added to what the session proved.
pub async fn exchange_needs_factor(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    grant: &GrantContext,
    nonce: Option<&str>,
) -> AppResult<Option<AppError>> {
    let policy = state
        .policy(Some(&client.id), grant.audience.as_deref())
        .await;
    let proved = Acr::parse(&grant.acr).unwrap_or(Acr::Aal1);
    let below = policy.required_acr.is_some_and(|r| !proved.satisfies(r))
        || (policy.mfa == MfaMode::Always && proved < Acr::Aal2);
    let stale = policy
        .max_age
        .is_some_and(|m| state.now() - grant.auth_time > m);
    if !below && !stale {
        return Ok(None);
    }
    let Some(user) = state.store().user_by_id(&grant.user_id).await? else {
        return Ok(None);
    };
    let kinds = usable_kinds(state, &user, &policy).await?;
    let mut pending = Pending::from_grant(state, grant).await?;
    pending.session_id = Some(grant.session_id.clone());
    pending.nonce = nonce.map(str::to_string);
    Ok(Some(
        mfa_required(state, meta, "authorization_code", &kinds, &policy, pending).await?,
    ))
}

/// Stores an `mfa_token` for `pending` and builds the `403 mfa_required` answer.
async fn mfa_required(
    state: &AppState,
    meta: &ClientMeta,
    grant_type: &str,
    kinds: &[FactorKind],
    policy: &Policy,
    mut pending: Pending,
) -> AppResult<AppError> {
    // Sender-constrained requests keep their constraint through the second step.
    pending.jkt = super::dpop::bound_key();
    pending.x5t = super::mtls::bound_thumbprint();
    let user_id = pending.user_id.clone();
    let client_id = pending.client_id.clone();
    let recovery = state.store().recovery_codes_left(&user_id).await? > 0;
    let requirements = requirements(kinds, recovery, policy);
    let token = random::token();
    state
        .store()
        .put_flow(&Flow {
            id: token_digest(&token),
            kind: KIND.into(),
            user_id: Some(user_id.clone()),
            data: serde_json::to_value(&pending).map_err(|e| AppError::Internal(e.to_string()))?,
            expires_at: state.now() + state.settings().mfa.token_ttl,
        })
        .await?;
    state
        .audit(
            "stepup.requested",
            meta,
            Some(&user_id),
            Some(&client_id),
            serde_json::json!({
                "grant": grant_type,
                "audience": pending.audience,
                "required_acr": policy.required_acr.unwrap_or(Acr::Aal2).max(Acr::Aal2).as_str(),
                "max_age": policy.max_age,
                "requirements": requirements,
            }),
        )
        .await;
    Ok(AppError::MfaRequired {
        token,
        requirements,
    })
}

/// The factor kinds this user has and the policy allows.
pub(crate) async fn usable_kinds(
    state: &AppState,
    user: &User,
    policy: &Policy,
) -> AppResult<Vec<FactorKind>> {
    let mut kinds: Vec<FactorKind> = crate::ui::active_factors(state, &user.id)
        .await?
        .into_iter()
        .map(|f| f.kind)
        .filter(|k| policy.allows(*k))
        .collect();
    kinds.dedup();
    Ok(kinds)
}

/// Auth0's `mfa_requirements`: the challenge types the user can answer, or what to enrol.
fn requirements(kinds: &[FactorKind], recovery: bool, policy: &Policy) -> serde_json::Value {
    let auth0 = |k: &FactorKind| match k {
        FactorKind::Totp => Some("otp"),
        FactorKind::Email | FactorKind::Sms => Some("oob"),
        FactorKind::Webauthn => None,
    };
    let mut types: Vec<&str> = kinds.iter().filter_map(auth0).collect();
    types.dedup();
    if types.is_empty() {
        let mut enroll: Vec<&str> = policy.allowed_factors.iter().filter_map(auth0).collect();
        enroll.dedup();
        return serde_json::json!({
            "enroll": enroll.iter().map(|t| serde_json::json!({ "type": t })).collect::<Vec<_>>()
        });
    }
    if recovery {
        types.push("recovery-code");
    }
    serde_json::json!({
        "challenge": types.iter().map(|t| serde_json::json!({ "type": t })).collect::<Vec<_>>()
    })
}

/// A live `mfa_token`'s flow id and record: `expired_token` past its time, `invalid_grant` for
/// anything unknown, tampered with or spent (answered with `status`).
pub(crate) async fn lookup(
    state: &AppState,
    token: &str,
    status: StatusCode,
) -> AppResult<(String, Pending)> {
    let error = |code, description: &str| AppError::OAuth {
        status,
        code,
        description: description.into(),
        challenge: None,
    };
    let id = token_digest(token);
    // Looked up whatever its expiry, so an expired token can be told from an unknown one.
    let flow = state
        .store()
        .flow(&id, i64::MIN)
        .await?
        .filter(|f| f.kind == KIND)
        .ok_or_else(|| {
            error(
                ErrorCode::InvalidGrant,
                "The mfa_token is unknown, tampered with or already used.",
            )
        })?;
    if flow.expires_at <= state.now() {
        return Err(error(ErrorCode::ExpiredToken, "The mfa_token has expired."));
    }
    let pending =
        serde_json::from_value(flow.data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((id, pending))
}

/// The `mfa-otp`, `mfa-oob` and `mfa-recovery-code` grants: check the factor, spend the token,
/// issue.
pub async fn with_factor(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    params: &Params,
    grant_type: &str,
) -> AppResult<TokenResponse> {
    let token = params
        .get("mfa_token")
        .ok_or_else(|| AppError::invalid_request("mfa_token is required."))?;
    let (id, mut pending) = lookup(state, token, StatusCode::BAD_REQUEST).await?;
    let now = state.now();
    if pending.client_id != client.id {
        return Err(AppError::invalid_grant(
            "The mfa_token was issued to another client.",
        ));
    }
    // Checked before any factor is tried or anything spent.
    if let Some(jkt) = pending.jkt.as_deref()
        && super::dpop::bound_key().as_deref() != Some(jkt)
    {
        return Err(super::dpop::invalid(
            super::dpop::At::TokenEndpoint,
            "This mfa_token was issued against a DPoP proof: send a proof signed by the same key.",
        ));
    }
    if let Some(x5t) = pending.x5t.as_deref()
        && super::mtls::bound_thumbprint().as_deref() != Some(x5t)
    {
        return Err(AppError::invalid_grant(
            "This mfa_token was issued over a TLS client certificate: connect with the same one.",
        ));
    }
    // The mfa_token is bound to an API and scope: another audience is refused, a scope may
    // only narrow what it stands for.
    if let Some(aud) = params.get("audience")
        && Some(aud) != pending.audience.as_deref()
    {
        return Err(AppError::invalid_request(
            "The audience is not the one the mfa_token was issued for.",
        ));
    }
    if let Some(scope) = params.get("scope") {
        let bound = portcullis_core::oauth::split_scope(&pending.scope);
        let asked = portcullis_core::oauth::split_scope(scope);
        if asked.iter().any(|s| !bound.contains(s)) {
            return Err(AppError::bad(
                ErrorCode::InvalidScope,
                "scope exceeds what the mfa_token was issued for.",
            ));
        }
        pending.scope = portcullis_core::oauth::join_scope(&asked);
    }
    let factors = state.factors();
    // Associations waiting for their first use: the one this grant uses becomes active.
    let pending_ids: Vec<String> = state
        .store()
        .factors(&pending.user_id)
        .await?
        .into_iter()
        .filter(|f| !f.active)
        .map(|f| f.id)
        .collect();
    let (outcome, field) = if grant_type == MFA_OOB {
        let oob_code = params
            .get("oob_code")
            .ok_or_else(|| AppError::invalid_request("oob_code is required."))?;
        let binding = params
            .get("binding_code")
            .ok_or_else(|| AppError::invalid_request("binding_code is required."))?;
        match &pending.oob {
            Some((code_id, method)) if code_id == oob_code => (
                factors
                    .verify_code(&pending.user_id, code_id, binding, *method)
                    .await?,
                "binding_code",
            ),
            _ => {
                return Err(AppError::invalid_grant(
                    "The oob_code does not belong to this mfa_token.",
                ));
            }
        }
    } else if grant_type == MFA_OTP {
        let otp = params
            .get("otp")
            .ok_or_else(|| AppError::invalid_request("otp is required."))?;
        (
            factors.verify_totp(&pending.user_id, None, otp).await?,
            "otp_code",
        )
    } else {
        let code = params
            .get("recovery_code")
            .ok_or_else(|| AppError::invalid_request("recovery_code is required."))?;
        (
            factors.verify_recovery_code(&pending.user_id, code).await?,
            "recovery_code",
        )
    };
    let tried = match grant_type {
        MFA_OTP => "totp",
        MFA_OOB => pending.oob.as_ref().map_or("oob", |(_, m)| m.as_str()),
        _ => "recovery_code",
    };
    let proof = match outcome {
        Outcome::Proved(proof) => proof,
        Outcome::Wrong { locked } => {
            state
                .audit(
                    "factor.failure",
                    meta,
                    Some(&pending.user_id),
                    Some(&client.id),
                    serde_json::json!({ "grant": grant_type, "method": tried, "locked": locked }),
                )
                .await;
            state
                .audit(
                    "stepup.failed",
                    meta,
                    Some(&pending.user_id),
                    Some(&client.id),
                    serde_json::json!({
                        "grant": grant_type,
                        "audience": pending.audience,
                        "reason": "wrong_code",
                        "locked": locked,
                    }),
                )
                .await;
            if locked {
                state
                    .audit(
                        "lockout",
                        meta,
                        Some(&pending.user_id),
                        Some(&client.id),
                        serde_json::json!({ "secret": "factor", "grant": grant_type }),
                    )
                    .await;
            }
            return Err(AppError::invalid_grant(format!("Invalid {field}.")));
        }
        Outcome::Throttled { retry_after } => return Err(too_many(retry_after)),
    };
    // Spent once: of two racing grants with the same token, one issues tokens.
    if state.store().take_flow(&id, now).await?.is_none() {
        return Err(AppError::invalid_grant(
            "The mfa_token is unknown, tampered with or already used.",
        ));
    }
    let user = match state.store().user_by_id(&pending.user_id).await? {
        Some(u) if !u.blocked => u,
        _ => return Err(AppError::invalid_grant("The user may not sign in.")),
    };
    if let Some(id) = proof
        .factor_id
        .clone()
        .filter(|id| pending_ids.contains(id))
    {
        state.store().touch_factor(&id, now).await?;
        super::mfa_api::confirmed(state, meta, &user.id, &id).await;
    }
    pending.proofs.push(proof);
    crate::ui::device::note_agent(state, &user.id, meta).await?;
    if let Some(digest) = pending.refresh_digest.clone() {
        raise_refresh(state, &digest, &pending.proofs).await?;
    }
    let recovery = grant_type == MFA_RECOVERY_CODE;
    let audience = pending.audience.clone();
    let mut response = tokens(state, meta, client, &user, pending).await?;
    state
        .audit(
            "stepup.met",
            meta,
            Some(&user.id),
            Some(&client.id),
            serde_json::json!({ "grant": grant_type, "audience": audience, "methods": [tried] }),
        )
        .await;
    if recovery {
        // Auth0 hands out a fresh recovery code with this grant: the set is renewed.
        let codes = factors.issue_recovery_codes(&user.id).await?;
        response.recovery_code = codes.into_iter().next();
        crate::ui::mfa::recovery_code_used(state, meta, &user.id).await;
    }
    Ok(response)
}

/// The refresh token a factor was proved for now says so: its grant carries the level, methods
/// and time of everything proved (never lower than before), so the next refresh for the API
/// that asked goes through, whichever token the client kept.
async fn raise_refresh(state: &AppState, digest: &str, proofs: &[Proof]) -> AppResult<()> {
    let Some(live) = state
        .store()
        .refresh_token_grant(digest, state.now())
        .await?
    else {
        return Ok(());
    };
    let Some(proved) = portcullis_core::authn::assurance::evaluate(proofs) else {
        return Ok(());
    };
    let before = Acr::parse(&live.grant.acr).unwrap_or(Acr::Aal1);
    let mut grant = live.grant;
    if proved.acr >= before {
        grant.acr = proved.acr.as_str().to_string();
        grant.amr = proved.amr;
    }
    grant.auth_time = grant.auth_time.max(proved.auth_time);
    state.store().raise_refresh_token(digest, &grant).await?;
    Ok(())
}

/// Issues tokens for what was proved: in the code exchange's session (its `sid`, unchanged for
/// the browser), or in a new session with no browser cookie.
async fn tokens(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    user: &User,
    pending: Pending,
) -> AppResult<TokenResponse> {
    let now = state.now();
    let session = match &pending.session_id {
        Some(id) => {
            let mut session = state.store().session_by_id(id, now).await?.ok_or_else(|| {
                AppError::invalid_grant("The session behind this code has ended.")
            })?;
            // What the tokens show, computed over the session's proofs and the new one; the
            // browser's session itself is not raised by a proof it did not see.
            session.proofs.clear();
            session.prove(pending.proofs);
            session
        }
        None => {
            let session = Session::start(
                &user.id,
                now,
                now + state.settings().session.lifetime,
                pending.proofs,
            );
            state
                .store()
                .create_session(&session, &token_digest(&random::token()))
                .await?;
            // A sign-in keeps an account its owner asked to delete, as on the hosted pages.
            crate::ui::profile::cancel_deletion_on_sign_in(state, meta, &user.id).await?;
            session
        }
    };
    state
        .store()
        .add_session_client(&session.id, &client.id)
        .await?;
    let grant = GrantContext {
        client_id: client.id.clone(),
        user_id: user.id.clone(),
        session_id: session.id.clone(),
        scope: pending.scope,
        audience: pending.audience,
        auth_time: session.auth_time,
        acr: session.acr.clone(),
        amr: session.amr.clone(),
        family_id: random::id("fam"),
        claims: pending.claims,
        jkt: None,
        x5t: None,
    };
    super::token::issue(state, client, &grant, pending.nonce.as_deref()).await
}
