//! The only module that touches cryptographic primitives (aws-lc-rs and argon2).

pub mod aead;
pub mod jws;
pub mod legacy;
pub mod password;
pub mod random;
pub mod secret;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// The digest under which a high-entropy token (code, refresh token, client secret) is stored:
/// base64url(SHA-256(token)). Plain SHA-256 suffices because the tokens carry ≥ 256 random bits.
pub fn token_digest(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(sha256(token.as_bytes()))
}

/// HMAC-SHA-256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let k = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    let tag = aws_lc_rs::hmac::sign(&k, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// Base64url without padding, the encoding of every token and JOSE field.
pub fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Decodes base64url without padding.
pub fn b64url_decode(data: &str) -> crate::Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| crate::Error::Invalid("bad base64url".into()))
}
