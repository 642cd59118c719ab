//! Token exchange (RFC 8693) at the token endpoint: a service holding a user's access token
//! (the subject token) gets one for another API, or a narrower one, to call on the user's
//! behalf. With an `actor_token`, it is delegation: the new token's `act` claim names the actor,
//! nesting any earlier actor (§4.1); without, impersonation, keeping any `act` the subject had.
//!
//! Who may exchange what: the client is confidential and registered for the grant type; the
//! `token_exchange` policy key is on for it and the subject token's API; another API's token
//! needs the client's client grant on that API, whose scopes bound what it may ask for (the
//! subject's scopes bound a same-API exchange). The new token copies the subject's `acr`, `amr`
//! and `auth_time`, so an exchange never raises the level; an API whose policy wants more than
//! the subject proved is refused, as a backend cannot prove a factor.

use portcullis_core::crypto::{b64url_decode, random};
use portcullis_core::model::{Client, ExtraClaims, GrantContext};
use portcullis_core::oauth::{join_scope, split_scope};
use portcullis_proto::acr::Acr;
use portcullis_proto::claims::{AccessTokenClaims, Audience};
use portcullis_proto::oauth::{ErrorCode, TokenResponse};

use super::mint;
use crate::config::MfaMode;
use crate::error::{AppError, AppResult};
use crate::http::{ClientMeta, Params};
use crate::state::AppState;

/// The grant type (RFC 8693 §2.1).
pub const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// The one token type taken and issued: this server's access tokens.
pub const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

/// An access token of this server, intact, unexpired and not revoked, with its `act` claim.
async fn live(
    state: &AppState,
    token: &str,
) -> AppResult<Option<(AccessTokenClaims, Option<serde_json::Value>)>> {
    let Some(claims) = mint::verify_access_token(state, token) else {
        return Ok(None);
    };
    if state.store().access_token_revoked(&claims.jti).await? {
        return Ok(None);
    }
    // The typed claims leave `act` out; the payload was verified just now.
    let act = token
        .split('.')
        .nth(1)
        .and_then(|p| b64url_decode(p).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("act").cloned());
    Ok(Some((claims, act)))
}

fn audiences(aud: &Audience) -> Vec<&str> {
    match aud {
        Audience::One(a) => vec![a.as_str()],
        Audience::Many(all) => all.iter().map(String::as_str).collect(),
    }
}

/// Exchanges a subject token (and maybe an actor token) for an access token.
pub async fn exchange(
    state: &AppState,
    meta: &ClientMeta,
    client: &Client,
    params: &Params,
) -> AppResult<TokenResponse> {
    if client.is_public() {
        return Err(AppError::bad(
            ErrorCode::UnauthorizedClient,
            "Public clients cannot exchange tokens.",
        ));
    }
    if params
        .get("requested_token_type")
        .is_some_and(|t| t != ACCESS_TOKEN)
    {
        return Err(AppError::invalid_request(format!(
            "Only access tokens are issued by exchange (requested_token_type {ACCESS_TOKEN})."
        )));
    }
    if params.get("resource").is_some() {
        return Err(AppError::bad(
            ErrorCode::InvalidTarget,
            "resource is not supported: name the API with audience.",
        ));
    }
    let subject_token = params
        .get("subject_token")
        .ok_or_else(|| AppError::invalid_request("subject_token is required."))?;
    if params.get("subject_token_type") != Some(ACCESS_TOKEN) {
        return Err(AppError::invalid_request(format!(
            "subject_token_type must be {ACCESS_TOKEN}."
        )));
    }
    let (subject, subject_act) = live(state, subject_token)
        .await?
        .ok_or_else(|| AppError::invalid_grant("subject_token is invalid, expired or revoked."))?;
    let (Some(auth_time), Some(session_id)) = (subject.auth_time, subject.sid.clone()) else {
        return Err(AppError::invalid_grant(
            "subject_token is not a user's token.",
        ));
    };
    let snapshot = state.snapshot();
    let Some(from) = audiences(&subject.aud)
        .into_iter()
        .find(|a| snapshot.apis.contains_key(*a))
        .map(str::to_string)
    else {
        return Err(AppError::invalid_grant(
            "subject_token is not for an API of this server.",
        ));
    };
    if !state
        .policy(Some(&client.id), Some(&from))
        .await
        .token_exchange
    {
        return Err(AppError::forbidden(
            "Token exchange is not allowed for this client and the subject token's API (policy token_exchange).",
        ));
    }
    let actor = match (params.get("actor_token"), params.get("actor_token_type")) {
        (None, None) => None,
        (Some(token), Some(ACCESS_TOKEN)) => {
            let (actor, _) = live(state, token).await?.ok_or_else(|| {
                AppError::invalid_grant("actor_token is invalid, expired or revoked.")
            })?;
            // The actor proves it is the caller: a token of its own, not one it came by.
            if actor.client_id != client.id {
                return Err(AppError::invalid_grant(
                    "actor_token was not issued to this client.",
                ));
            }
            Some(actor)
        }
        (Some(_), _) => {
            return Err(AppError::invalid_request(format!(
                "actor_token_type must be {ACCESS_TOKEN}."
            )));
        }
        (None, Some(_)) => {
            return Err(AppError::invalid_request(
                "actor_token_type without actor_token.",
            ));
        }
    };
    let target = params.get("audience").unwrap_or(&from).to_string();
    let Some(api) = snapshot.apis.get(&target) else {
        return Err(AppError::bad(
            ErrorCode::InvalidTarget,
            "The audience is not a known API.",
        ));
    };
    if super::consent::forbidden_audience(state, client, Some(&target)) {
        return Err(AppError::bad(
            ErrorCode::InvalidTarget,
            "Third-party applications may not access this API.",
        ));
    }
    // What may be asked: a narrower token for the same API, or the client grant's scopes on
    // another.
    let allowed: Vec<String> = if target == from {
        split_scope(subject.scope.as_deref().unwrap_or_default())
    } else {
        match snapshot.grants.get(&(client.id.clone(), target.clone())) {
            Some(granted) => granted
                .iter()
                .filter(|s| api.scopes.contains(s))
                .cloned()
                .collect(),
            None => {
                return Err(AppError::forbidden(
                    "The client holds no client grant on this API.",
                ));
            }
        }
    };
    let scope = super::token::within(params.get("scope"), &allowed)?;
    // Never above what the user proved: the target's policy must be met by the subject as is.
    let policy = state.policy(Some(&client.id), Some(&target)).await;
    let proved = subject
        .acr
        .as_deref()
        .and_then(Acr::parse)
        .unwrap_or(Acr::Aal1);
    let below = policy.required_acr.is_some_and(|r| !proved.satisfies(r))
        || (policy.mfa == MfaMode::Always && proved < Acr::Aal2);
    let stale = policy.max_age.is_some_and(|m| state.now() - auth_time > m);
    if below || stale {
        return Err(AppError::invalid_grant(
            "The subject token's sign-in is below or older than this API's policy; the user must sign in again.",
        ));
    }
    let now = state.now();
    if state
        .store()
        .session_by_id(&session_id, now)
        .await?
        .is_none()
    {
        return Err(AppError::invalid_grant(
            "The session behind subject_token has ended.",
        ));
    }
    match state.store().user_by_id(&subject.sub).await? {
        Some(u) if !u.blocked => {}
        _ => {
            return Err(AppError::invalid_grant(
                "The user is no longer allowed to sign in.",
            ));
        }
    }
    let act = match &actor {
        Some(a) => {
            let mut act = serde_json::json!({ "sub": a.sub });
            if let Some(prior) = subject_act {
                act["act"] = prior;
            }
            Some(act)
        }
        None => subject_act,
    };
    let mut claims = ExtraClaims::default();
    if let Some(act) = &act {
        claims.access.insert("act".into(), act.clone());
    }
    let grant = GrantContext {
        client_id: client.id.clone(),
        user_id: subject.sub.clone(),
        session_id,
        scope: join_scope(&scope),
        audience: Some(target.clone()),
        auth_time,
        acr: subject.acr.clone().unwrap_or_else(|| "aal1".into()),
        amr: subject.amr.clone().unwrap_or_default(),
        family_id: random::id("fam"),
        claims,
        jkt: None,
        x5t: None,
    };
    super::token::require_bound(state, client, Some(&target)).await?;
    let access = mint::user_access_token(state, client, &grant)?;
    state
        .store()
        .record_access_token(&access.jti, &grant.family_id, now + access.expires_in)
        .await?;
    state
        .audit(
            "token.exchanged",
            meta,
            Some(&grant.user_id),
            Some(&client.id),
            serde_json::json!({
                "subject_client_id": subject.client_id,
                "from": from,
                "audience": target,
                "scope": grant.scope,
                "actor": act.as_ref().map(|a| a["sub"].clone()),
            }),
        )
        .await;
    Ok(TokenResponse {
        token_type: access.token_type().into(),
        access_token: access.token,
        expires_in: access.expires_in,
        id_token: None,
        refresh_token: None,
        scope: Some(grant.scope),
        recovery_code: None,
        issued_token_type: Some(ACCESS_TOKEN.into()),
    })
}
