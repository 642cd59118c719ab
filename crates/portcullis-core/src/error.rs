//! The error type at the core crate's boundary.

/// Errors raised by core logic and by the storage port.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The storage engine failed; the message is for logs only.
    #[error("store: {0}")]
    Store(String),
    /// A uniqueness constraint was hit (e.g. an email already registered).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A record that must exist does not.
    #[error("not found: {0}")]
    NotFound(String),
    /// Cryptographic failure (bad key material, failed decryption).
    #[error("crypto: {0}")]
    Crypto(String),
    /// Input that does not parse or breaks a rule.
    #[error("invalid: {0}")]
    Invalid(String),
    /// A message (email, SMS) could not be delivered; the text never names the recipient.
    #[error("delivery: {0}")]
    Delivery(String),
}

/// Result alias for the core crate.
pub type Result<T> = std::result::Result<T, Error>;
