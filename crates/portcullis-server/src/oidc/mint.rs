//! Minting ID tokens (OIDC Core §2) and RFC 9068 access tokens.

use portcullis_core::crypto::random;
use portcullis_core::model::{Client, GrantContext, User};
use portcullis_proto::claims::{AccessTokenClaims, Audience, IdTokenClaims, KeyConfirmation};

use std::sync::Arc;

use portcullis_core::crypto::jws::Signer;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A freshly signed access token.
#[derive(Debug)]
pub struct AccessToken {
    /// The JWT.
    pub token: String,
    /// Its `jti`.
    pub jti: String,
    /// Lifetime in seconds.
    pub expires_in: i64,
    /// Bound to a DPoP key (`cnf.jkt`); a certificate-bound token is still a bearer token.
    pub bound: bool,
}

impl AccessToken {
    /// `DPoP` for a bound token, else `Bearer` (RFC 9449 §5).
    pub fn token_type(&self) -> &'static str {
        if self.bound { "DPoP" } else { "Bearer" }
    }
}

/// The `cnf` of a token minted now: the DPoP key the current token request proved and the
/// client certificate it was bound to, if any.
fn confirmation() -> Option<KeyConfirmation> {
    KeyConfirmation::of(super::dpop::bound_key(), super::mtls::bound_thumbprint())
}

/// The audience the `/userinfo` endpoint accepts.
pub fn userinfo_audience(state: &AppState) -> String {
    format!("{}/userinfo", state.issuer())
}

fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split(' ').any(|s| s == wanted)
}

/// The signer and the time, for minting: the client's ID-token algorithm, or (with an
/// audience) the access-token algorithm of that API.
fn signing(
    state: &AppState,
    client: &Client,
    access_for: Option<Option<&str>>,
) -> AppResult<(Arc<Signer>, i64)> {
    let snapshot = state.snapshot();
    let mut signer = match access_for {
        Some(audience) => snapshot.access_signer(audience),
        None => snapshot.signer_for(client),
    }
    .cloned()
    .ok_or_else(|| AppError::Internal("no signing key".into()))?;
    // FAPI 2.0 §5.4 allows PS256, ES256 and EdDSA only: RS256 becomes ES256 under the profile.
    if signer.alg() == portcullis_core::crypto::jws::Alg::Rs256 {
        let api = access_for.flatten().and_then(|a| snapshot.apis.get(a));
        let fapi = state
            .tenant_policy()
            .resolve(Some(&client.policy), api.map(|a| &a.policy))
            .fapi2;
        if fapi && let Some(es256) = snapshot.signer(Some("ES256")) {
            signer = es256.clone();
        }
    }
    Ok((signer, state.now()))
}

/// Signs an access token for a user grant.
pub fn user_access_token(
    state: &AppState,
    client: &Client,
    grant: &GrantContext,
) -> AppResult<AccessToken> {
    let (signer, now) = signing(state, client, Some(grant.audience.as_deref()))?;
    let snapshot = state.snapshot();
    let (aud, ttl) = match grant.audience.as_deref().and_then(|a| snapshot.apis.get(a)) {
        Some(api) if has_scope(&grant.scope, "openid") => (
            Audience::Many(vec![api.identifier.clone(), userinfo_audience(state)]),
            api.token_ttl,
        ),
        Some(api) => (Audience::One(api.identifier.clone()), api.token_ttl),
        None => (
            Audience::One(userinfo_audience(state)),
            state.settings().tokens.access_ttl,
        ),
    };
    let jti = random::token();
    let claims = AccessTokenClaims {
        iss: state.issuer().into(),
        sub: grant.user_id.clone(),
        aud,
        exp: now + ttl,
        iat: now,
        jti: jti.clone(),
        client_id: client.id.clone(),
        scope: Some(grant.scope.clone()),
        auth_time: Some(grant.auth_time),
        acr: Some(grant.acr.clone()),
        amr: Some(grant.amr.clone()),
        sid: Some(grant.session_id.clone()),
        cnf: confirmation(),
    };
    Ok(AccessToken {
        token: sign(&signer, "at+jwt", &claims, &grant.claims.access)?,
        jti,
        expires_in: ttl,
        bound: claims.cnf.as_ref().is_some_and(|c| c.jkt.is_some()),
    })
}

/// Signs `claims` with an Action's custom claims added; a claim the server set is never
/// replaced. Without custom claims the struct is signed as it is.
fn sign(
    signer: &Signer,
    typ: &str,
    claims: &impl serde::Serialize,
    custom: &serde_json::Map<String, serde_json::Value>,
) -> AppResult<String> {
    if custom.is_empty() {
        return Ok(signer.sign_jwt(typ, claims)?);
    }
    let mut value = serde_json::to_value(claims).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(obj) = value.as_object_mut() {
        for (k, v) in custom {
            obj.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Ok(signer.sign_jwt(typ, &value)?)
}

/// Signs an access token for `client_credentials`: no user, so no `acr`/`amr`/`auth_time`.
pub fn client_access_token(
    state: &AppState,
    client: &Client,
    audience: &str,
    ttl: i64,
    scope: &str,
) -> AppResult<AccessToken> {
    let (signer, now) = signing(state, client, Some(Some(audience)))?;
    let jti = random::token();
    let claims = AccessTokenClaims {
        iss: state.issuer().into(),
        sub: client.id.clone(),
        aud: Audience::One(audience.into()),
        exp: now + ttl,
        iat: now,
        jti: jti.clone(),
        client_id: client.id.clone(),
        scope: (!scope.is_empty()).then(|| scope.to_string()),
        auth_time: None,
        acr: None,
        amr: None,
        sid: None,
        cnf: confirmation(),
    };
    Ok(AccessToken {
        token: signer.sign_jwt("at+jwt", &claims)?,
        jti,
        expires_in: ttl,
        bound: claims.cnf.as_ref().is_some_and(|c| c.jkt.is_some()),
    })
}

/// Signs an ID token.
pub fn id_token(
    state: &AppState,
    client: &Client,
    grant: &GrantContext,
    user: &User,
    nonce: Option<&str>,
) -> AppResult<String> {
    let (signer, now) = signing(state, client, None)?;
    let email = has_scope(&grant.scope, "email");
    let claims = IdTokenClaims {
        iss: state.issuer().into(),
        sub: grant.user_id.clone(),
        aud: Audience::One(client.id.clone()),
        exp: now + state.settings().tokens.id_ttl,
        iat: now,
        auth_time: grant.auth_time,
        nonce: nonce.map(str::to_string),
        acr: grant.acr.clone(),
        amr: grant.amr.clone(),
        sid: grant.session_id.clone(),
        azp: Some(client.id.clone()),
        email: email.then(|| user.email.clone()),
        email_verified: email.then_some(user.email_verified),
        name: if has_scope(&grant.scope, "profile") {
            user.name.clone()
        } else {
            None
        },
    };
    sign(&signer, "JWT", &claims, &grant.claims.id)
}

/// Verifies an access token issued here: signature, `typ`, issuer and expiry; `None` if bad.
pub fn verify_access_token(state: &AppState, token: &str) -> Option<AccessTokenClaims> {
    let snapshot = state.snapshot();
    let verified = portcullis_core::crypto::jws::verify(token, &snapshot.jwks).ok()?;
    if verified
        .header
        .typ
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
        != Some("at+jwt")
    {
        return None;
    }
    let claims: AccessTokenClaims = serde_json::from_value(verified.claims).ok()?;
    (claims.iss == state.issuer() && claims.exp > state.now()).then_some(claims)
}

/// The claims of `token` if it is an ID token of ours: intact, from this issuer, typed `JWT`
/// as our ID tokens are (never an `at+jwt` access token or a `logout+jwt` logout token), and
/// issued to a client that exists. It may have expired (§2: the OP SHOULD accept it).
pub async fn verify_id_token_hint(state: &AppState, token: &str) -> Option<serde_json::Value> {
    let v = portcullis_core::crypto::jws::verify(token, &state.snapshot().jwks).ok()?;
    let typ = v.header.typ.as_deref().map(str::to_ascii_lowercase);
    if typ.as_deref() != Some("jwt") || v.claims["iss"] != state.issuer() {
        return None;
    }
    let claims = v.claims;
    // A logout token carries `events` and no `nonce`/`auth_time`; an ID token never `events`.
    if claims.get("events").is_some() || claims["sub"].as_str().is_none() {
        return None;
    }
    let aud = claims["aud"].as_str()?;
    if claims["azp"].as_str().is_some_and(|azp| azp != aud) {
        return None;
    }
    state.client(aud).await?;
    Some(claims)
}
