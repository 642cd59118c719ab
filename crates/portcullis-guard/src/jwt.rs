//! Compact JWS parsing: the three parts, the header and the payload, before any trust.

use serde::Deserialize;

use crate::b64;
use crate::jwk::{Alg, Jwk};

/// A JOSE header (the members the guard reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    /// Algorithm.
    pub alg: String,
    /// Key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// Media type (`at+jwt`, `dpop+jwt`).
    #[serde(default)]
    pub typ: Option<String>,
    /// An embedded public key (DPoP proofs).
    #[serde(default)]
    pub jwk: Option<Jwk>,
}

/// A parsed, not yet verified, compact JWS.
#[derive(Debug)]
pub struct Parsed<'a> {
    /// Header.
    pub header: Header,
    /// Accepted algorithm named by the header.
    pub alg: Alg,
    /// The signing input (`header.payload`).
    pub signing_input: &'a [u8],
    /// The decoded signature.
    pub signature: Vec<u8>,
    /// The decoded payload.
    pub payload: Vec<u8>,
}

/// Splits and decodes `token`; `None` if it is not a compact JWS with an accepted algorithm.
pub fn parse(token: &str) -> Option<Parsed<'_>> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let header: Header = serde_json::from_slice(&b64::decode(h).ok()?).ok()?;
    let alg = Alg::parse(&header.alg)?;
    Some(Parsed {
        alg,
        header,
        signing_input: &token.as_bytes()[..h.len() + 1 + p.len()],
        signature: b64::decode(s).ok()?,
        payload: b64::decode(p).ok()?,
    })
}

/// Whether a `typ` names the media type `expected` (`at+jwt` also as `application/at+jwt`;
/// RFC 7515 §4.1.9 compares case-insensitively).
pub fn typ_is(typ: Option<&str>, expected: &str) -> bool {
    typ.map(str::to_ascii_lowercase)
        .is_some_and(|t| t == expected || t.strip_prefix("application/") == Some(expected))
}
