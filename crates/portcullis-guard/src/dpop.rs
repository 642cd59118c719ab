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

/// A DPoP proof whose signature, key, method, URL and time checked out (RFC 9449 §4.3). What
/// is left to its reader: replay of `jti`, the token hash `ath`, and a server's nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// The RFC 7638 thumbprint of the proof's key: the `cnf.jkt` a token bound to it carries.
    pub jkt: String,
    /// The proof's unique id (at most 256 characters).
    pub jti: String,
    /// When the client made it.
    pub iat: i64,
    /// The hash of the access token it is sent with, if any ([`token_hash`]).
    pub ath: Option<String>,
    /// The server-provided nonce it carries, if any.
    pub nonce: Option<String>,
}

#[derive(Deserialize)]
struct Nonce {
    nonce: Option<String>,
}

/// Members a private JWK has and a public one must not (RFC 9449 §4.3, check 7).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];

/// Checks a DPoP proof JWT for the request `method` `url` at `now`: `typ` `dpop+jwt`, an
/// asymmetric algorithm, a public `jwk` in the header that verifies the signature, `htm`, `htu`
/// (query and fragment ignored) and `iat` within `window` seconds of `now`.
pub fn verify_proof(
    proof: &str,
    method: &str,
    url: &str,
    now: i64,
    window: i64,
) -> Result<Proof, Rejection> {
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
    let raw_header: serde_json::Value = proof
        .split('.')
        .next()
        .and_then(|h| b64::decode(h).ok())
        .and_then(|h| serde_json::from_slice(&h).ok())
        .unwrap_or_default();
    if PRIVATE_MEMBERS
        .iter()
        .any(|m| raw_header["jwk"].get(m).is_some())
    {
        return Err(bad("the jwk holds a private key"));
    }
    let key = VerifyingKey::from_jwk(jwk)
        .filter(|k| k.fits(parsed.alg))
        .ok_or_else(|| bad("unusable jwk"))?;
    if !key.verify(parsed.alg, parsed.signing_input, &parsed.signature) {
        return Err(bad("bad signature"));
    }
    let jkt = thumbprint(jwk).ok_or_else(|| bad("unusable jwk"))?;
    let claims: ProofClaims =
        serde_json::from_slice(&parsed.payload).map_err(|_| bad("missing jti, htm, htu or iat"))?;
    let Nonce { nonce } =
        serde_json::from_slice(&parsed.payload).map_err(|_| bad("nonce must be a string"))?;
    if claims.jti.is_empty() || claims.jti.len() > 256 {
        return Err(bad("jti must have 1 to 256 characters"));
    }
    if !claims.htm.eq_ignore_ascii_case(method) {
        return Err(bad("htm does not match the request method"));
    }
    if !same_url(&claims.htu, url) {
        return Err(bad("htu does not match the request URL"));
    }
    if (now - claims.iat).abs() > window {
        return Err(bad("iat is outside the acceptance window"));
    }
    Ok(Proof {
        jkt,
        jti: claims.jti,
        iat: claims.iat,
        ath: claims.ath,
        nonce,
    })
}

/// The `ath` of an access token (RFC 9449 §4.2): base64url of its SHA-256.
pub fn token_hash(token: &str) -> String {
    b64::encode(digest::digest(&digest::SHA256, token.as_bytes()).as_ref())
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
    let proof = verify_proof(proof, request.method, request.url, now, window)?;
    if proof.jkt != jkt {
        return Err(bad("the proof's key is not the token's key"));
    }
    if proof.ath.as_deref() != Some(token_hash(token).as_str()) {
        return Err(bad("ath does not match the access token"));
    }
    if !replay.first_use(&proof.jti, now, proof.iat + window + 1) {
        return Err(bad("the proof was already used"));
    }
    Ok(())
}
