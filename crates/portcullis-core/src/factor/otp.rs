//! Six-digit one-time codes sent by email or SMS, and single-use magic-link tokens.
//!
//! Codes are short, so they are stored as an HMAC under a server key (a database dump alone does
//! not let anyone test the million candidates) and each is limited to [`MAX_ATTEMPTS`] guesses.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use crate::crypto::{b64url, hmac_sha256};

/// How long a code or link stays valid, in seconds.
pub const TTL: i64 = 600;
/// Wrong guesses allowed per code.
pub const MAX_ATTEMPTS: i64 = 5;

/// A uniformly random six-digit code.
pub fn generate_code() -> String {
    let rng = SystemRandom::new();
    loop {
        let mut b = [0u8; 4];
        if rng.fill(&mut b).is_err() {
            std::process::abort();
        }
        let n = u32::from_be_bytes(b);
        // Rejection sampling removes the modulo bias of the top partial range.
        if n < u32::MAX - (u32::MAX % 1_000_000) {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// The stored form of a code: HMAC-SHA-256 under `key`, bound to the code's record id.
pub fn digest(key: &[u8; 32], record_id: &str, code: &str) -> String {
    let input = format!("{record_id}:{}", code.trim());
    b64url(&hmac_sha256(key, input.as_bytes()))
}

/// The stored form of a magic-link token: HMAC-SHA-256 under `key`, so the link can be found
/// by its digest alone (the token has 256 bits; no guess limit is needed).
pub fn link_digest(key: &[u8; 32], token: &str) -> String {
    b64url(&hmac_sha256(
        key,
        format!("link:{}", token.trim()).as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otp_codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..50).map(|_| generate_code()).collect();
        assert!(codes.len() > 45);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
    }

    #[test]
    fn otp_digest_binds_record_and_code() {
        let k = [7u8; 32];
        assert_eq!(digest(&k, "a", "123456"), digest(&k, "a", " 123456 "));
        assert_ne!(digest(&k, "a", "123456"), digest(&k, "b", "123456"));
        assert_ne!(digest(&k, "a", "123456"), digest(&k, "a", "123457"));
    }

    #[test]
    fn link_digest_is_keyed_and_distinct_from_code_digests() {
        let k = [7u8; 32];
        assert_eq!(link_digest(&k, "tok"), link_digest(&k, " tok\n"));
        assert_ne!(link_digest(&k, "tok"), link_digest(&[8u8; 32], "tok"));
        assert_ne!(link_digest(&k, "tok"), link_digest(&k, "tol"));
        assert_ne!(link_digest(&k, "a:1"), digest(&k, "a", "1"));
    }
}
