//! Client authentication at the token, PAR, revocation and introspection endpoints (RFC 6749
//! §2.3.1, OIDC Core §9): `client_secret_basic`, `client_secret_post`, `private_key_jwt`
//! (RFC 7523: an assertion signed by a key the client registered),
//! `self_signed_tls_client_auth` (RFC 8705 §2.2: the connection's certificate is one the client
//! registered), `tls_client_auth` (§2.1: issued by the client CA to the subject the client
//! registered), and `none` for public clients. A client with registered keys uses assertions
//! only, and a client with registered certificates its certificate only.

use axum::http::{HeaderMap, header};
use base64::Engine;
use portcullis_core::crypto::secret::{SecretString, ct_eq};
use portcullis_core::crypto::token_digest;
use portcullis_core::model::Client;

use crate::error::{AppError, AppResult};
use crate::http::Params;
use crate::state::AppState;

/// Credentials as presented.
#[derive(Debug)]
struct Presented {
    client_id: String,
    secret: Option<SecretString>,
    basic: bool,
}

fn form_decode(value: &str) -> Option<String> {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
}

fn presented(headers: &HeaderMap, params: &Params) -> AppResult<Presented> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    match (basic, params.get("client_secret")) {
        (Some(_), Some(_)) => Err(AppError::invalid_request(
            "Use one client authentication method, not several.",
        )),
        (Some(b64), None) => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| AppError::invalid_client(true))?;
            let raw = String::from_utf8(raw).map_err(|_| AppError::invalid_client(true))?;
            let (id, secret) = raw
                .split_once(':')
                .ok_or_else(|| AppError::invalid_client(true))?;
            let id = form_decode(id).ok_or_else(|| AppError::invalid_client(true))?;
            let secret = form_decode(secret).ok_or_else(|| AppError::invalid_client(true))?;
            if params.get("client_id").is_some_and(|form_id| form_id != id) {
                return Err(AppError::invalid_request(
                    "client_id does not match the credentials.",
                ));
            }
            Ok(Presented {
                client_id: id,
                secret: Some(SecretString::new(secret)),
                basic: true,
            })
        }
        (None, secret) => {
            let id = params
                .owned("client_id")
                .ok_or_else(|| AppError::invalid_client(false))?;
            Ok(Presented {
                client_id: id,
                secret: secret.map(SecretString::new),
                basic: false,
            })
        }
    }
}

/// `client_assertion_type` of RFC 7523 §2.2.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The longest lifetime an assertion may claim, in seconds: they are made per request.
const ASSERTION_MAX_LIFETIME: i64 = 600;

#[derive(serde::Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    aud: serde_json::Value,
    exp: i64,
    #[serde(default)]
    iat: Option<i64>,
    jti: String,
}

/// `private_key_jwt`: the assertion names the client (`iss` = `sub`), is for this server (`aud`
/// the issuer or one of its endpoints), short-lived, signed by one of the client's registered
/// keys, and used once across every node.
async fn assertion(state: &AppState, headers: &HeaderMap, params: &Params) -> AppResult<Client> {
    let bad = |why: &str| {
        tracing::info!(reason = why, "client assertion refused");
        AppError::invalid_client(false)
    };
    if headers.contains_key(header::AUTHORIZATION) || params.get("client_secret").is_some() {
        return Err(AppError::invalid_request(
            "Use one client authentication method, not several.",
        ));
    }
    if params.get("client_assertion_type") != Some(ASSERTION_TYPE) {
        return Err(bad("unknown client_assertion_type"));
    }
    let jwt = params
        .get("client_assertion")
        .ok_or_else(|| bad("no client_assertion"))?;
    // Who it says it is, before any trust: only to find the keys to check it with.
    let unverified: serde_json::Value = jwt
        .split('.')
        .nth(1)
        .and_then(|p| portcullis_core::crypto::b64url_decode(p).ok())
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or_else(|| bad("not a JWT"))?;
    let client_id = unverified["sub"].as_str().ok_or_else(|| bad("no sub"))?;
    if params.get("client_id").is_some_and(|id| id != client_id) {
        return Err(bad("client_id is not the assertion's subject"));
    }
    let client = state
        .client(client_id)
        .await
        .ok_or_else(|| bad("unknown client"))?;
    if super::mtls::uses_certificate(state, &client) {
        return Err(bad("the client authenticates with its certificate"));
    }
    let keys = state
        .snapshot()
        .client_key_sets
        .get(&client.id)
        .cloned()
        .ok_or_else(|| bad("no keys registered"))?;
    let signed = keys
        .verify(jwt, &portcullis_guard::Alg::all())
        .await
        .map_err(bad)?;
    let claims: AssertionClaims = serde_json::from_slice(&signed.payload)
        .map_err(|_| bad("missing iss, sub, aud, exp or jti"))?;
    if claims.iss != client.id || claims.sub != client.id {
        return Err(bad("iss and sub must be the client_id"));
    }
    let issuer = state.issuer();
    // FAPI 2.0 §5.3.2.1: only the issuer identifier, so an assertion cannot be aimed elsewhere.
    let fapi = state.policy(Some(&client.id), None).await.fapi2;
    let ours = |a: &str| {
        a == issuer
            || !fapi
                && [
                    "/oauth/token",
                    "/oauth/par",
                    "/oauth/revoke",
                    "/oauth/introspect",
                ]
                .iter()
                .any(|p| a == format!("{issuer}{p}"))
    };
    let for_us = match &claims.aud {
        serde_json::Value::String(a) => ours(a),
        serde_json::Value::Array(all) => all.iter().filter_map(|a| a.as_str()).any(ours),
        _ => false,
    };
    if !for_us {
        return Err(bad("aud is not this server"));
    }
    let now = state.now();
    if claims.exp <= now || claims.exp > now + ASSERTION_MAX_LIFETIME {
        return Err(bad("exp is past or too far ahead"));
    }
    if claims.iat.is_some_and(|iat| iat > now + 60) {
        return Err(bad("iat is in the future"));
    }
    if claims.jti.is_empty() || claims.jti.len() > 256 {
        return Err(bad("jti must have 1 to 256 characters"));
    }
    let key = format!(
        "assertion:{}",
        token_digest(&format!("{}|{}", client.id, claims.jti))
    );
    if state.store().count_hit(&key, 0, claims.exp + 60).await? != 1 {
        return Err(bad("the assertion was already used"));
    }
    Ok(client)
}

/// Authenticates the client of a back-channel request.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> AppResult<Client> {
    if params.get("client_assertion").is_some() || params.get("client_assertion_type").is_some() {
        return assertion(state, headers, params).await;
    }
    let p = presented(headers, params)?;
    let client = state.client(&p.client_id).await;
    // Compare against a dummy digest for unknown clients so timing does not reveal which exist.
    let expected = client
        .as_ref()
        .and_then(|c| c.secret_digest.clone())
        .unwrap_or_else(|| token_digest("unknown client"));
    let client = match (client, p.secret) {
        (Some(c), Some(secret)) if !c.is_public() => {
            // Compared all the same, so the answer takes as long; a client with keys is refused.
            let keyed = state.snapshot().client_key_sets.contains_key(&c.id)
                || super::mtls::uses_certificate(state, &c);
            if ct_eq(
                token_digest(secret.expose()).as_bytes(),
                expected.as_bytes(),
            ) && !keyed
            {
                Ok(c)
            } else {
                Err(AppError::invalid_client(p.basic))
            }
        }
        (Some(c), None) if c.is_public() => Ok(c),
        // Mutual TLS is one of FAPI 2.0's two methods, so it returns before the check below.
        (Some(c), None) if super::mtls::uses_certificate(state, &c) => {
            return super::mtls::authenticate(state, &c).map(|()| c);
        }
        _ => Err(AppError::invalid_client(p.basic)),
    }?;
    if state.policy(Some(&client.id), None).await.fapi2 {
        return Err(AppError::OAuth {
            status: axum::http::StatusCode::UNAUTHORIZED,
            code: portcullis_proto::oauth::ErrorCode::InvalidClient,
            description:
                "This client follows FAPI 2.0: authenticate with private_key_jwt or a TLS client certificate."
                    .into(),
            challenge: None,
        });
    }
    Ok(client)
}
