//! DPoP proofs (RFC 9449 §4.3, §7): a token bound to a key is only good with a fresh proof,
//! signed by that key, for this request, naming this token, never seen before.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_lc_rs::digest;
use serde::Deserialize;

use crate::b64;
use crate::error::Rejection;
use crate::jwk::{VerifyingKey, thumbprint};
use crate::jwt;

#[derive(Deserialize)]
struct ProofClaims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    ath: Option<String>,
}

/// Proof `jti`s seen within the acceptance window, so a proof is good once.
#[derive(Default)]
pub(crate) struct ReplayCache {
    seen: Mutex<HashMap<String, i64>>,
}

impl ReplayCache {
    /// Records `jti` until `until`; false if it was already there.
    fn first_use(&self, jti: &str, now: i64, until: i64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, exp| *exp > now);
        }
        if seen.get(jti).is_some_and(|exp| *exp > now) {
            return false;
        }
        seen.insert(jti.to_string(), until);
        true
    }
}

/// The request a proof must be for.
pub(crate) struct Request<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// The URL without query or fragment.
    pub url: &'a str,
}

/// `htu` compared as RFC 9449 §4.3 says: without query and fragment, scheme and host
/// case-insensitively.
fn same_url(htu: &str, url: &str) -> bool {
    let (Ok(a), Ok(b)) = (url::Url::parse(htu), url::Url::parse(url)) else {
        return false;
    };
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

/// Checks `proof` for a token bound to `jkt`.
pub(crate) fn check(
    proof: &str,
    token: &str,
    jkt: &str,
    request: &Request<'_>,
    now: i64,
    window: i64,
    replay: &ReplayCache,
) -> Result<(), Rejection> {
    let bad = |why: &str| Rejection::InvalidDpopProof(why.into());
    let parsed =
        jwt::parse(proof).ok_or_else(|| bad("not a signed JWT with an accepted algorithm"))?;
    if !jwt::typ_is(parsed.header.typ.as_deref(), "dpop+jwt") {
        return Err(bad("typ must be dpop+jwt"));
    }
    let jwk = parsed
        .header
        .jwk
        .as_ref()
        .ok_or_else(|| bad("no jwk in the header"))?;
    let key = VerifyingKey::from_jwk(jwk)
        .filter(|k| k.fits(parsed.alg))
        .ok_or_else(|| bad("unusable jwk"))?;
    if !key.verify(parsed.alg, parsed.signing_input, &parsed.signature) {
        return Err(bad("bad signature"));
    }
    if thumbprint(jwk).as_deref() != Some(jkt) {
        return Err(bad("the proof's key is not the token's key"));
    }
    let claims: ProofClaims =
        serde_json::from_slice(&parsed.payload).map_err(|_| bad("missing jti, htm, htu or iat"))?;
    if !claims.htm.eq_ignore_ascii_case(request.method) {
        return Err(bad("htm does not match the request method"));
    }
    if !same_url(&claims.htu, request.url) {
        return Err(bad("htu does not match the request URL"));
    }
    if (now - claims.iat).abs() > window {
        return Err(bad("iat is outside the acceptance window"));
    }
    let ath = b64::encode(digest::digest(&digest::SHA256, token.as_bytes()).as_ref());
    if claims.ath.as_deref() != Some(ath.as_str()) {
        return Err(bad("ath does not match the access token"));
    }
    if !replay.first_use(&claims.jti, now, claims.iat + window + 1) {
        return Err(bad("the proof was already used"));
    }
    Ok(())
}
