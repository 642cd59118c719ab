//! JSON Web Signatures (RFC 7515 compact form) with Ed25519, ES256 and RS256 keys, and JWKs
//! (RFC 7517) whose `kid` is the RFC 7638 thumbprint.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self, ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, ED25519, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
    RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde::{Deserialize, Serialize};

use super::{b64url, b64url_decode, sha256};
use crate::{Error, Result};

/// A JWS signing algorithm Portcullis signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// Ed25519 (RFC 8037): the fastest to sign, for APIs that choose it.
    EdDsa,
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256: the default for ID and access tokens, which every
    /// relying party and resource-server library verifies.
    Rs256,
}

impl Alg {
    /// The JOSE `alg` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::EdDsa => "EdDSA",
            Alg::Es256 => "ES256",
            Alg::Rs256 => "RS256",
        }
    }

    /// Parses a JOSE `alg` value; anything else (notably `none` and HMAC) is refused.
    pub fn parse(value: &str) -> Option<Alg> {
        match value {
            "EdDSA" => Some(Alg::EdDsa),
            "ES256" => Some(Alg::Es256),
            "RS256" => Some(Alg::Rs256),
            _ => None,
        }
    }

    /// Every algorithm, default first.
    pub fn all() -> [Alg; 3] {
        [Alg::EdDsa, Alg::Es256, Alg::Rs256]
    }
}

/// A public key in JWK form (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `OKP`, `EC` or `RSA`.
    pub kty: String,
    /// Key id (the RFC 7638 thumbprint).
    pub kid: String,
    /// Intended algorithm.
    pub alg: String,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub use_: String,
    /// Curve, for OKP and EC keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    /// Public x (OKP, EC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// Public y (EC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// RSA modulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
}

impl Jwk {
    fn thumbprint(&self) -> String {
        // RFC 7638 §3.2: required members only, lexicographic order, no white space.
        let canonical = match self.kty.as_str() {
            "OKP" => format!(
                r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
                self.crv.as_deref().unwrap_or_default(),
                self.x.as_deref().unwrap_or_default()
            ),
            "EC" => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                self.crv.as_deref().unwrap_or_default(),
                self.x.as_deref().unwrap_or_default(),
                self.y.as_deref().unwrap_or_default()
            ),
            _ => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                self.e.as_deref().unwrap_or_default(),
                self.n.as_deref().unwrap_or_default()
            ),
        };
        b64url(&sha256(canonical.as_bytes()))
    }

    fn verify(&self, alg: Alg, message: &[u8], sig: &[u8]) -> bool {
        let field = |v: &Option<String>| v.as_deref().and_then(|s| b64url_decode(s).ok());
        match (alg, self.kty.as_str()) {
            (Alg::EdDsa, "OKP") => field(&self.x)
                .map(|x| {
                    UnparsedPublicKey::new(&ED25519, x)
                        .verify(message, sig)
                        .is_ok()
                })
                .unwrap_or(false),
            (Alg::Es256, "EC") => match (field(&self.x), field(&self.y)) {
                (Some(x), Some(y)) => {
                    let mut point = vec![4u8];
                    point.extend_from_slice(&x);
                    point.extend_from_slice(&y);
                    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                        .verify(message, sig)
                        .is_ok()
                }
                _ => false,
            },
            (Alg::Rs256, "RSA") => match (field(&self.n), field(&self.e)) {
                (Some(n), Some(e)) => RsaPublicKeyComponents { n: &n, e: &e }
                    .verify(&RSA_PKCS1_2048_8192_SHA256, message, sig)
                    .is_ok(),
                _ => false,
            },
            _ => false,
        }
    }
}

/// A JWK Set (RFC 7517 §5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

enum Inner {
    Ed(Ed25519KeyPair),
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A private signing key with its public JWK.
pub struct Signer {
    alg: Alg,
    jwk: Jwk,
    inner: Inner,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Signer({} {}, [redacted])",
            self.alg.as_str(),
            self.jwk.kid
        )
    }
}

/// The protected header of a JWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Algorithm.
    pub alg: String,
    /// Media type of the token (`JWT`, `at+jwt`, `logout+jwt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

fn crypto_err(what: &str) -> Error {
    Error::Crypto(what.to_string())
}

impl Signer {
    /// Generates a new key; returns it with its PKCS#8 DER encoding for storage.
    pub fn generate(alg: Alg) -> Result<(Signer, Vec<u8>)> {
        let rng = SystemRandom::new();
        let der = match alg {
            Alg::EdDsa => Ed25519KeyPair::generate_pkcs8(&rng)
                .map_err(|_| crypto_err("ed25519 keygen"))?
                .as_ref()
                .to_vec(),
            Alg::Es256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .map_err(|_| crypto_err("p256 keygen"))?
                .as_ref()
                .to_vec(),
            Alg::Rs256 => RsaKeyPair::generate(KeySize::Rsa2048)
                .and_then(|k| k.as_der())
                .map_err(|_| crypto_err("rsa keygen"))?
                .as_ref()
                .to_vec(),
        };
        Ok((Self::from_pkcs8(alg, &der)?, der))
    }

    /// Loads a key from PKCS#8 DER.
    pub fn from_pkcs8(alg: Alg, der: &[u8]) -> Result<Signer> {
        let (inner, mut jwk) = match alg {
            Alg::EdDsa => {
                let kp = Ed25519KeyPair::from_pkcs8(der).map_err(|_| crypto_err("ed25519 key"))?;
                let jwk = Jwk {
                    kty: "OKP".into(),
                    crv: Some("Ed25519".into()),
                    x: Some(b64url(kp.public_key().as_ref())),
                    ..Jwk::empty()
                };
                (Inner::Ed(kp), jwk)
            }
            Alg::Es256 => {
                let kp = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                    .map_err(|_| crypto_err("p256 key"))?;
                let point = kp.public_key().as_ref();
                if point.len() != 65 {
                    return Err(crypto_err("p256 public key"));
                }
                let jwk = Jwk {
                    kty: "EC".into(),
                    crv: Some("P-256".into()),
                    x: Some(b64url(&point[1..33])),
                    y: Some(b64url(&point[33..65])),
                    ..Jwk::empty()
                };
                (Inner::Ec(kp), jwk)
            }
            Alg::Rs256 => {
                let kp = RsaKeyPair::from_pkcs8(der).map_err(|_| crypto_err("rsa key"))?;
                let public = kp.public_key();
                let jwk = Jwk {
                    kty: "RSA".into(),
                    n: Some(b64url(public.modulus().big_endian_without_leading_zero())),
                    e: Some(b64url(public.exponent().big_endian_without_leading_zero())),
                    ..Jwk::empty()
                };
                (Inner::Rsa(kp), jwk)
            }
        };
        jwk.alg = alg.as_str().into();
        jwk.kid = jwk.thumbprint();
        Ok(Signer { alg, jwk, inner })
    }

    /// The algorithm.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.jwk.kid
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// Signs `claims` as a compact JWT with the given `typ` header.
    pub fn sign_jwt<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String> {
        let header = Header {
            alg: self.alg.as_str().into(),
            typ: Some(typ.into()),
            kid: Some(self.jwk.kid.clone()),
        };
        let header = serde_json::to_vec(&header).map_err(|e| Error::Invalid(e.to_string()))?;
        let payload = serde_json::to_vec(claims).map_err(|e| Error::Invalid(e.to_string()))?;
        let mut out = String::with_capacity(64 + payload.len() * 4 / 3 + 400);
        out.push_str(&b64url(&header));
        out.push('.');
        out.push_str(&b64url(&payload));
        let sig = self.sign(out.as_bytes())?;
        out.push('.');
        out.push_str(&b64url(&sig));
        Ok(out)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        match &self.inner {
            Inner::Ed(kp) => Ok(kp.sign(message).as_ref().to_vec()),
            Inner::Ec(kp) => Ok(kp
                .sign(&SystemRandom::new(), message)
                .map_err(|_| crypto_err("ecdsa sign"))?
                .as_ref()
                .to_vec()),
            Inner::Rsa(kp) => {
                let mut sig = vec![0u8; kp.public_modulus_len()];
                kp.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
                    .map_err(|_| crypto_err("rsa sign"))?;
                Ok(sig)
            }
        }
    }
}

impl Jwk {
    fn empty() -> Jwk {
        Jwk {
            kty: String::new(),
            kid: String::new(),
            alg: String::new(),
            use_: "sig".into(),
            crv: None,
            x: None,
            y: None,
            n: None,
            e: None,
        }
    }
}

/// A JWT whose signature verified against a known key; its claims are not yet validated.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The protected header.
    pub header: Header,
    /// The claims, as JSON.
    pub claims: serde_json::Value,
}

/// Verifies the signature of a compact JWT against `keys`, selecting the key by `kid` and refusing
/// any algorithm other than the key's own (so `none` and HMAC confusion cannot happen).
pub fn verify(token: &str, keys: &[Jwk]) -> Result<Verified> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::Invalid("not a compact JWS".into()));
    };
    let header: Header = serde_json::from_slice(&b64url_decode(h)?)
        .map_err(|_| Error::Invalid("bad JWS header".into()))?;
    let alg = Alg::parse(&header.alg).ok_or_else(|| Error::Invalid("algorithm refused".into()))?;
    let kid = header
        .kid
        .as_deref()
        .ok_or_else(|| Error::Invalid("no kid".into()))?;
    let key = keys
        .iter()
        .find(|k| k.kid == kid && k.alg == alg.as_str())
        .ok_or_else(|| Error::Invalid("unknown kid".into()))?;
    let sig = b64url_decode(s)?;
    let signed_len = h.len() + 1 + p.len();
    if !key.verify(alg, &token.as_bytes()[..signed_len], &sig) {
        return Err(Error::Invalid("bad signature".into()));
    }
    let claims = serde_json::from_slice(&b64url_decode(p)?)
        .map_err(|_| Error::Invalid("bad JWT claims".into()))?;
    Ok(Verified { header, claims })
}

/// Re-exported so callers need not depend on aws-lc-rs to name the trait.
pub use signature::KeyPair as _;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jws_sign_verify_each_alg() {
        for alg in Alg::all() {
            let (signer, der) = Signer::generate(alg).unwrap();
            let reloaded = Signer::from_pkcs8(alg, &der).unwrap();
            assert_eq!(reloaded.kid(), signer.kid());
            let token = signer
                .sign_jwt("JWT", &serde_json::json!({"sub": "u1"}))
                .unwrap();
            let v = verify(&token, &[signer.jwk().clone()]).unwrap();
            assert_eq!(v.claims["sub"], "u1");
            assert_eq!(v.header.kid.as_deref(), Some(signer.kid()));
        }
    }

    #[test]
    fn jws_tampered_payload_rejected() {
        let (signer, _) = Signer::generate(Alg::EdDsa).unwrap();
        let token = signer
            .sign_jwt("JWT", &serde_json::json!({"sub": "u1"}))
            .unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64url(br#"{"sub":"admin"}"#),
            parts[2]
        );
        assert!(verify(&forged, &[signer.jwk().clone()]).is_err());
    }

    #[test]
    fn jws_alg_none_rejected() {
        let (signer, _) = Signer::generate(Alg::EdDsa).unwrap();
        let header = b64url(format!(r#"{{"alg":"none","kid":"{}"}}"#, signer.kid()).as_bytes());
        let forged = format!("{header}.{}.", b64url(br#"{"sub":"x"}"#));
        assert!(verify(&forged, &[signer.jwk().clone()]).is_err());
    }

    #[test]
    fn jws_rfc7638_thumbprint_vector() {
        // RFC 7638 §3.1 example key.
        let jwk = Jwk {
            kty: "RSA".into(),
            e: Some("AQAB".into()),
            n: Some("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw".into()),
            ..Jwk::empty()
        };
        assert_eq!(
            jwk.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
