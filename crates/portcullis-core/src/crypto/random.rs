//! Secrets from the operating system's CSPRNG.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// `N` random bytes from the CSPRNG.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // SystemRandom only fails when the OS has no entropy source, which we cannot recover from.
    if SystemRandom::new().fill(&mut out).is_err() {
        std::process::abort();
    }
    out
}

/// A 256-bit random token, base64url encoded (43 characters).
pub fn token() -> String {
    super::b64url(&bytes::<32>())
}

/// A 128-bit random identifier with a readable prefix, e.g. `usr_…`.
pub fn id(prefix: &str) -> String {
    format!("{prefix}_{}", super::b64url(&bytes::<16>()))
}
