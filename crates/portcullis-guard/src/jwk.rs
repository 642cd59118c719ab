//! JSON Web Keys (RFC 7517) as verification keys, and their RFC 7638 thumbprints.

use aws_lc_rs::digest;
use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde::Deserialize;

use crate::b64;

/// Signature algorithms the guard accepts. There is no `none` and no HMAC: a shared secret has
/// no place in tokens verified with published keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// Ed25519 (RFC 8037).
    EdDsa,
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
}

impl Alg {
    /// Parses a JOSE `alg` value; `None` for anything not accepted.
    pub fn parse(value: &str) -> Option<Alg> {
        match value {
            "EdDSA" => Some(Alg::EdDsa),
            "ES256" => Some(Alg::Es256),
            "RS256" => Some(Alg::Rs256),
            "PS256" => Some(Alg::Ps256),
            _ => None,
        }
    }

    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::EdDsa => "EdDSA",
            Alg::Es256 => "ES256",
            Alg::Rs256 => "RS256",
            Alg::Ps256 => "PS256",
        }
    }

    /// Every accepted algorithm.
    pub fn all() -> Vec<Alg> {
        vec![Alg::EdDsa, Alg::Es256, Alg::Rs256, Alg::Ps256]
    }
}

/// A JWK as published in a JWKS document (only the members the guard uses).
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    /// Key type: `OKP`, `EC` or `RSA`.
    pub kty: String,
    /// Key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// Intended algorithm, if the publisher said.
    #[serde(default)]
    pub alg: Option<String>,
    /// `sig` or `enc`.
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
    /// Curve (`Ed25519`, `P-256`).
    #[serde(default)]
    pub crv: Option<String>,
    /// OKP public key, or EC x coordinate.
    #[serde(default)]
    pub x: Option<String>,
    /// EC y coordinate.
    #[serde(default)]
    pub y: Option<String>,
    /// RSA modulus.
    #[serde(default)]
    pub n: Option<String>,
    /// RSA exponent.
    #[serde(default)]
    pub e: Option<String>,
}

/// A key ready to verify signatures with one algorithm family.
#[derive(Debug, Clone)]
pub enum VerifyingKey {
    /// Ed25519 public key bytes.
    Ed25519(Vec<u8>),
    /// Uncompressed P-256 point.
    P256(Vec<u8>),
    /// RSA modulus and exponent.
    Rsa {
        /// Modulus, big-endian.
        n: Vec<u8>,
        /// Exponent, big-endian.
        e: Vec<u8>,
    },
}

impl VerifyingKey {
    /// The key of a JWK, if it is a signing key of a supported type.
    pub fn from_jwk(jwk: &Jwk) -> Option<VerifyingKey> {
        if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
            return None;
        }
        let field = |v: &Option<String>| v.as_deref().and_then(|s| b64::decode(s).ok());
        match (jwk.kty.as_str(), jwk.crv.as_deref()) {
            ("OKP", Some("Ed25519")) => field(&jwk.x)
                .filter(|x| x.len() == 32)
                .map(VerifyingKey::Ed25519),
            ("EC", Some("P-256")) => {
                let (x, y) = (field(&jwk.x)?, field(&jwk.y)?);
                if x.len() != 32 || y.len() != 32 {
                    return None;
                }
                let mut point = Vec::with_capacity(65);
                point.push(4);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                Some(VerifyingKey::P256(point))
            }
            ("RSA", _) => Some(VerifyingKey::Rsa {
                n: field(&jwk.n)?,
                e: field(&jwk.e)?,
            }),
            _ => None,
        }
    }

    /// Whether this key may verify `alg`: the key type decides, so an RSA key is never used
    /// for anything but RSA signatures.
    pub fn fits(&self, alg: Alg) -> bool {
        matches!(
            (self, alg),
            (VerifyingKey::Ed25519(_), Alg::EdDsa)
                | (VerifyingKey::P256(_), Alg::Es256)
                | (VerifyingKey::Rsa { .. }, Alg::Rs256 | Alg::Ps256)
        )
    }

    /// Checks `signature` over `message` with `alg`.
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        match (self, alg) {
            (VerifyingKey::Ed25519(k), Alg::EdDsa) => {
                UnparsedPublicKey::new(&signature::ED25519, k)
                    .verify(message, signature)
                    .is_ok()
            }
            (VerifyingKey::P256(k), Alg::Es256) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, k)
                    .verify(message, signature)
                    .is_ok()
            }
            (VerifyingKey::Rsa { n, e }, Alg::Rs256 | Alg::Ps256) => {
                let params = if alg == Alg::Rs256 {
                    &signature::RSA_PKCS1_2048_8192_SHA256
                } else {
                    &signature::RSA_PSS_2048_8192_SHA256
                };
                RsaPublicKeyComponents { n, e }
                    .verify(params, message, signature)
                    .is_ok()
            }
            _ => false,
        }
    }
}

/// The RFC 7638 thumbprint (SHA-256, base64url) of a public JWK, as DPoP's `cnf.jkt` names it.
pub fn thumbprint(jwk: &Jwk) -> Option<String> {
    // Required members only, in lexicographic order, no whitespace.
    let canonical = match jwk.kty.as_str() {
        "EC" => serde_json::json!({
            "crv": jwk.crv.as_deref()?, "kty": "EC", "x": jwk.x.as_deref()?, "y": jwk.y.as_deref()?,
        }),
        "OKP" => {
            serde_json::json!({ "crv": jwk.crv.as_deref()?, "kty": "OKP", "x": jwk.x.as_deref()? })
        }
        "RSA" => {
            serde_json::json!({ "e": jwk.e.as_deref()?, "kty": "RSA", "n": jwk.n.as_deref()? })
        }
        _ => return None,
    };
    // serde_json's default map is ordered by key, so this is the canonical form.
    let text = serde_json::to_string(&canonical).ok()?;
    Some(b64::encode(
        digest::digest(&digest::SHA256, text.as_bytes()).as_ref(),
    ))
}
