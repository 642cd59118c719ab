//! Authentication assurance levels (NIST SP 800-63B §4) and RFC 8176 `amr` values.

use serde::{Deserialize, Serialize};

/// Auth0's PAPE multi-factor policy URI, accepted in `acr_values` as a synonym of `aal2`.
pub const PAPE_MULTI_FACTOR: &str = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

/// An authentication assurance level; they compare by rank, so `Aal3 > Aal2 > Aal1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Acr {
    /// One factor (a password, a magic link, a passkey without user verification).
    Aal1,
    /// Two factors of different kinds, or a multi-factor authenticator by itself.
    Aal2,
    /// AAL2 where one factor is a device-bound WebAuthn credential with user verification.
    Aal3,
}

impl Acr {
    /// The value as it appears in the `acr` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            Acr::Aal1 => "aal1",
            Acr::Aal2 => "aal2",
            Acr::Aal3 => "aal3",
        }
    }

    /// Parses one `acr` value, accepting the Auth0 PAPE URI as `aal2`.
    pub fn parse(value: &str) -> Option<Acr> {
        match value {
            "aal1" => Some(Acr::Aal1),
            "aal2" | PAPE_MULTI_FACTOR => Some(Acr::Aal2),
            "aal3" => Some(Acr::Aal3),
            _ => None,
        }
    }

    /// Whether a session at this level meets a request for `required`.
    pub fn satisfies(self, required: Acr) -> bool {
        self >= required
    }

    /// All levels, lowest first, as advertised in `acr_values_supported`.
    pub fn all() -> [Acr; 3] {
        [Acr::Aal1, Acr::Aal2, Acr::Aal3]
    }
}

impl std::fmt::Display for Acr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// RFC 8176 authentication method reference values used by Portcullis.
pub mod amr {
    /// Password-based authentication.
    pub const PWD: &str = "pwd";
    /// One-time password (TOTP, email code, magic link).
    pub const OTP: &str = "otp";
    /// Confirmation by SMS.
    pub const SMS: &str = "sms";
    /// Proof of possession of a hardware-secured key.
    pub const HWK: &str = "hwk";
    /// Proof of possession of a software-secured key.
    pub const SWK: &str = "swk";
    /// User presence test.
    pub const USER: &str = "user";
    /// PIN or pattern (user verification on an authenticator).
    pub const PIN: &str = "pin";
    /// Multiple-factor authentication.
    pub const MFA: &str = "mfa";
    /// Federated authentication: an upstream identity provider signed the user in.
    pub const FED: &str = "fed";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acr_parse_pape_uri_is_aal2() {
        assert_eq!(Acr::parse(PAPE_MULTI_FACTOR), Some(Acr::Aal2));
        assert_eq!(Acr::parse("aal4"), None);
    }

    #[test]
    fn acr_rank_higher_satisfies_lower() {
        assert!(Acr::Aal3.satisfies(Acr::Aal2));
        assert!(Acr::Aal2.satisfies(Acr::Aal2));
        assert!(!Acr::Aal1.satisfies(Acr::Aal2));
    }
}
