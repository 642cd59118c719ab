//! What an application may ask for on a user's behalf: the scopes a user token carries, the
//! audiences a third-party application may never have, and the user's consent to the rest.
//!
//! First-party applications (the default) act for the tenant and need no consent, as in Auth0.
//! A third-party application gets a code only for scopes the user consented to (remembered per
//! user, application and audience; `prompt=consent` asks again, `prompt=none` answers
//! `consent_required`), and never a token for the MFA API or the management API: those
//! manage the account itself.

use portcullis_core::model::{Client, Consent};
use portcullis_core::oauth::split_scope;

use crate::error::AppResult;
use crate::oidc::authorize::AuthorizeRequest;
use crate::state::AppState;

/// Scopes about the user's identity, for the ID token and `/userinfo` (OIDC Core §5.4).
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// The scopes a user token may carry for `audience`: the OIDC scopes asked for, and of the
/// rest only those the API defines and, where the client has a client grant on it, that the
/// grant names (Auth0's rule). Anything else is dropped, and the token response's `scope`
/// says what was granted (RFC 6749 §3.3).
pub fn user_scope(
    state: &AppState,
    client: &Client,
    audience: Option<&str>,
    requested: &str,
) -> String {
    let snapshot = state.snapshot();
    let api = audience.and_then(|a| snapshot.apis.get(a));
    let grant = audience.and_then(|a| snapshot.grants.get(&(client.id.clone(), a.to_string())));
    let kept: Vec<String> = split_scope(requested)
        .into_iter()
        .filter(|s| {
            OIDC_SCOPES.contains(&s.as_str())
                || api.is_some_and(|api| {
                    api.scopes.contains(s) && grant.is_none_or(|g| g.contains(s))
                })
        })
        .collect();
    portcullis_core::oauth::join_scope(&kept)
}

/// Whether `client` may never have `audience`: a third-party application asking for the MFA
/// API or the management API, which manage the account itself.
pub fn forbidden_audience(state: &AppState, client: &Client, audience: Option<&str>) -> bool {
    let Some(audience) = audience else {
        return false;
    };
    !client.first_party
        && (audience == crate::oidc::mfa_api::audience(state.issuer())
            || audience == crate::mgmt::audience(state.issuer()))
}

/// Whether the user must consent before `request` gets a code: a third-party application
/// whose stored consent does not cover the scopes, or that sent `prompt=consent` (the consent
/// page drops it from the request it answers).
pub async fn needed(
    state: &AppState,
    client: &Client,
    user_id: &str,
    request: &AuthorizeRequest,
) -> AppResult<bool> {
    let forced = request.prompt.iter().any(|p| p == "consent");
    // A first-party application is trusted, except from a device: whoever typed the code
    // must see which application asks and confirm it (RFC 8628 §5.4).
    if client.first_party {
        return Ok(forced && request.device.is_some());
    }
    let stored = state
        .store()
        .consent(user_id, &client.id, request.audience.as_deref())
        .await?;
    let scope = split_scope(&request.scope);
    Ok(forced || !stored.is_some_and(|c| c.covers(&scope)))
}

/// Records the user's consent to `request`'s scopes (merged with earlier ones).
pub async fn record(
    state: &AppState,
    user_id: &str,
    request: &AuthorizeRequest,
) -> AppResult<Consent> {
    let now = state.now();
    let consent = Consent {
        id: portcullis_core::crypto::random::id("cgr"),
        user_id: user_id.into(),
        client_id: request.client_id.clone(),
        audience: request.audience.clone(),
        scope: split_scope(&request.scope),
        created_at: now,
        updated_at: now,
    };
    state.store().put_consent(&consent).await?;
    Ok(consent)
}

/// Withdraws a consent (by the user or an admin, `by`): it is deleted and every token the
/// application holds for the user stops working, so the next request asks again.
pub async fn withdraw(
    state: &AppState,
    meta: &crate::http::ClientMeta,
    consent: &Consent,
    by: &str,
) -> AppResult<bool> {
    if !state.store().delete_consent(&consent.id).await? {
        return Ok(false);
    }
    state
        .store()
        .revoke_client_families(&consent.user_id, &consent.client_id, state.now())
        .await?;
    state
        .audit(
            "consent.revoked",
            meta,
            Some(&consent.user_id),
            Some(&consent.client_id),
            serde_json::json!({ "consent_id": consent.id, "by": by }),
        )
        .await;
    Ok(true)
}

/// What a scope lets the application do, in words for the consent page.
pub fn describe(scope: &str, api_name: Option<&str>) -> String {
    match scope {
        "openid" => crate::tr!("scope-openid"),
        "profile" => crate::tr!("scope-profile"),
        "email" => crate::tr!("scope-email"),
        "offline_access" => crate::tr!("scope-offline-access"),
        other => match api_name {
            Some(api) => crate::tr!("scope-api", api = api, scope = other),
            None => other.into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn consent_scopes_in_words() {
        assert_eq!(describe("email", None), "See your email address");
        assert_eq!(
            describe("read:payouts", Some("Payouts API")),
            "Payouts API: read:payouts"
        );
    }
}
