//! Request objects (RFC 9101, JAR): the authorization request as a JWT the client signs with a
//! key it registered (the keys of `private_key_jwt`), sent by value as `request` at
//! `/authorize` or in a push to `/oauth/par`. Its claims replace the request's parameters
//! (§6.3: only the object's parameters are used; the outer `client_id` must match), so what the
//! browser carries can be neither read for secrets it should not hold nor altered.

use portcullis_core::model::Client;
use portcullis_proto::oauth::ErrorCode;

use crate::http::Params;
use crate::state::AppState;

/// The longest a request object may live (FAPI 2.0's bound: `exp` at most an hour ahead).
const MAX_LIFETIME: i64 = 3600;

/// Claims of the JWT itself, not parameters of the request.
const ENVELOPE: [&str; 5] = ["iss", "aud", "exp", "nbf", "iat"];

/// Why a request object was refused.
pub type Refusal = (ErrorCode, &'static str);

fn bad(why: &'static str) -> Refusal {
    tracing::info!(reason = why, "request object refused");
    (ErrorCode::InvalidRequestObject, why)
}

/// Verifies `client`'s request object and returns the parameters it carries, `client_id`
/// included; the `jti` is kept as a parameter a client may log, never interpreted.
pub async fn unpack(state: &AppState, client: &Client, jwt: &str) -> Result<Params, Refusal> {
    let Some(keys) = state.snapshot().client_key_sets.get(&client.id).cloned() else {
        return Err(bad(
            "The client has no registered keys to sign request objects with (jwks or jwks_uri).",
        ));
    };
    let signed = keys
        .verify(jwt, &portcullis_guard::Alg::all())
        .await
        .map_err(|_| bad("The request object is not signed by one of the client's keys."))?;
    // Not another kind of JWT of this client's (an assertion, a DPoP proof) presented as one.
    if !matches!(
        signed
            .header
            .typ
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        None | Some("jwt") | Some("oauth-authz-req+jwt")
    ) {
        return Err(bad("The request object's typ must be oauth-authz-req+jwt."));
    }
    let claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&signed.payload)
            .map_err(|_| bad("The request object's payload is not a JSON object."))?;
    if claims.get("iss").and_then(|v| v.as_str()) != Some(client.id.as_str()) {
        return Err(bad("The request object's iss must be the client_id."));
    }
    if claims
        .get("client_id")
        .is_some_and(|v| v.as_str() != Some(client.id.as_str()))
    {
        return Err(bad("The request object is for another client_id."));
    }
    let issuer = state.issuer();
    let for_us = match claims.get("aud") {
        Some(serde_json::Value::String(a)) => a == issuer,
        Some(serde_json::Value::Array(all)) => all.iter().any(|a| a.as_str() == Some(issuer)),
        _ => false,
    };
    if !for_us {
        return Err(bad("The request object's aud must be this issuer."));
    }
    let now = state.now();
    let exp = claims
        .get("exp")
        .and_then(|v| v.as_i64())
        .ok_or_else(|| bad("The request object needs exp."))?;
    if exp <= now || exp > now + MAX_LIFETIME {
        return Err(bad(
            "The request object has expired or lives longer than an hour.",
        ));
    }
    if claims
        .get("nbf")
        .and_then(|v| v.as_i64())
        .is_some_and(|nbf| nbf > now + 60 || nbf < now - MAX_LIFETIME)
    {
        return Err(bad("The request object's nbf is in the future or too old."));
    }
    let mut params = Params::default();
    for (key, value) in &claims {
        if ENVELOPE.contains(&key.as_str()) {
            continue;
        }
        if key == "request" || key == "request_uri" {
            return Err(bad(
                "A request object may not carry request or request_uri.",
            ));
        }
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => continue,
            // `claims` is an object; OIDC Core §6.1 sends it as JSON, as the parameter would be.
            other => other.to_string(),
        };
        params.insert(key, &text);
    }
    params.insert("client_id", &client.id);
    Ok(params)
}
