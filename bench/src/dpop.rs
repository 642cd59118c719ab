//! DPoP proofs (RFC 9449) as a client makes them: one ES256 key, a fresh `jti` and `iat` per
//! request, for the token endpoint's URL.

use std::sync::atomic::{AtomicU64, Ordering};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Makes proofs for one URL with one key.
pub struct Prover {
    pair: EcdsaKeyPair,
    header: String,
    htu: String,
    rng: SystemRandom,
    next: AtomicU64,
}

impl Prover {
    /// A new P-256 key for proofs of `POST htu`.
    pub fn new(htu: &str) -> anyhow::Result<Prover> {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| anyhow::anyhow!("no P-256 key"))?;
        let point = pair.public_key().as_ref();
        let jwk = serde_json::json!({
            "kty": "EC",
            "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        });
        let header = serde_json::json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": jwk });
        Ok(Prover {
            pair,
            header: URL_SAFE_NO_PAD.encode(header.to_string()),
            htu: htu.to_string(),
            rng: SystemRandom::new(),
            next: AtomicU64::new(0),
        })
    }

    /// A fresh proof: never-used `jti`, `iat` now.
    pub fn proof(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        #[allow(clippy::disallowed_methods)]
        let iat = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let claims = serde_json::json!({
            "jti": format!("bench-{n}-{}", std::process::id()),
            "htm": "POST",
            "htu": self.htu,
            "iat": iat,
        });
        let input = format!(
            "{}.{}",
            self.header,
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self
            .pair
            .sign(&self.rng, input.as_bytes())
            .map(|s| URL_SAFE_NO_PAD.encode(s.as_ref()))
            .unwrap_or_default();
        format!("{input}.{sig}")
    }
}
