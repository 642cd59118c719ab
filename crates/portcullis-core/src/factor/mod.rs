//! Second factors: TOTP, one-time codes by email or SMS, recovery codes, WebAuthn.

pub mod otp;
pub mod recovery;
pub mod totp;
pub mod webauthn;

use serde::{Deserialize, Serialize};

/// The type of an enrolled factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    /// An authenticator app (RFC 6238).
    Totp,
    /// A security key or passkey.
    Webauthn,
    /// Codes sent to an email address.
    Email,
    /// Codes sent by SMS (the weakest: SIM swap and interception, NIST SP 800-63B §5.1.3.3).
    Sms,
}

impl FactorKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FactorKind::Totp => "totp",
            FactorKind::Webauthn => "webauthn",
            FactorKind::Email => "email",
            FactorKind::Sms => "sms",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "totp" => FactorKind::Totp,
            "webauthn" => FactorKind::Webauthn,
            "email" => FactorKind::Email,
            "sms" => FactorKind::Sms,
            _ => return None,
        })
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            FactorKind::Totp => "Authenticator app",
            FactorKind::Webauthn => "Security key or passkey",
            FactorKind::Email => "Email code",
            FactorKind::Sms => "Text message (SMS)",
        }
    }

    /// How proving this factor is recorded in a session.
    pub fn method(self) -> crate::authn::assurance::Method {
        use crate::authn::assurance::Method;
        match self {
            FactorKind::Totp => Method::Totp,
            FactorKind::Webauthn => Method::Webauthn,
            FactorKind::Email => Method::EmailOtp,
            FactorKind::Sms => Method::SmsOtp,
        }
    }
}
