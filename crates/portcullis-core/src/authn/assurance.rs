//! Assurance levels (NIST SP 800-63B §4) and `amr` values (RFC 8176) from the factors a session
//! proved, as DESIGN.md §4 fixes them.
//!
//! Factors count by *kind*: two proofs of one kind (two email codes, a magic link and an email
//! code, two security keys) are one factor, so they never make aal2 together (the bug of Ory
//! Kratos #4317). A WebAuthn credential verified with user verification is a multi-factor
//! authenticator by itself (aal2, the bug of Kratos #2794); when it is also device-bound (not
//! backup-eligible) it reaches aal3.

use portcullis_proto::acr::{Acr, amr};
use serde::{Deserialize, Serialize};

/// How a factor was proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A memorised secret.
    Password,
    /// A single-use link sent by email.
    MagicLink,
    /// A six-digit code sent by email.
    EmailOtp,
    /// A six-digit code sent by SMS.
    SmsOtp,
    /// A TOTP authenticator app.
    Totp,
    /// A WebAuthn credential (security key or passkey).
    Webauthn,
    /// A one-time recovery code.
    RecoveryCode,
    /// A remembered-device cookie set after an earlier multi-factor sign-in.
    RememberedDevice,
    /// An upstream identity provider signed the user in: one factor of its own kind.
    Federated,
    /// An upstream identity provider trusted to report multi-factor sign-in said it did one.
    FederatedMfa,
}

/// The factor kinds whose distinctness makes multi-factor authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Knowledge,
    Email,
    Sms,
    Totp,
    Webauthn,
    Recovery,
    Device,
    Federation,
}

impl Method {
    fn kind(self) -> Kind {
        match self {
            Method::Password => Kind::Knowledge,
            // A magic link and an email code both prove control of one mailbox: one factor.
            Method::MagicLink | Method::EmailOtp => Kind::Email,
            Method::SmsOtp => Kind::Sms,
            Method::Totp => Kind::Totp,
            Method::Webauthn => Kind::Webauthn,
            Method::RecoveryCode => Kind::Recovery,
            Method::RememberedDevice => Kind::Device,
            Method::Federated | Method::FederatedMfa => Kind::Federation,
        }
    }

    /// Whether two methods prove the same kind of factor (a magic link and an email code do),
    /// so proving one after the other adds nothing.
    pub fn same_kind(self, other: Method) -> bool {
        self.kind() == other.kind()
    }

    /// The name shown to people and written to the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Password => "password",
            Method::MagicLink => "magic_link",
            Method::EmailOtp => "email",
            Method::SmsOtp => "sms",
            Method::Totp => "totp",
            Method::Webauthn => "webauthn",
            Method::RecoveryCode => "recovery_code",
            Method::RememberedDevice => "remembered_device",
            Method::Federated => "federated",
            Method::FederatedMfa => "federated_mfa",
        }
    }
}

/// One factor proved in a session, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    /// How.
    pub method: Method,
    /// When (Unix seconds).
    pub at: i64,
    /// The factor record used, if any (TOTP, WebAuthn, OTP channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_id: Option<String>,
    /// WebAuthn: the authenticator verified the user (PIN or biometric).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub user_verified: bool,
    /// WebAuthn: the credential cannot leave its device (not backup-eligible).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub device_bound: bool,
}

impl Proof {
    /// A proof without WebAuthn flags.
    pub fn new(method: Method, at: i64, factor_id: Option<String>) -> Self {
        Proof {
            method,
            at,
            factor_id,
            user_verified: false,
            device_bound: false,
        }
    }

    /// Whether this proof is a multi-factor authenticator on its own.
    fn multi_factor(&self) -> bool {
        // An upstream counts as multi-factor only when its provider is configured to be trusted
        // for that (`trust_upstream_acr`), which is what `FederatedMfa` records.
        (self.method == Method::Webauthn && self.user_verified)
            || self.method == Method::FederatedMfa
    }

    /// Interactive proofs move `auth_time`; a remembered device is not an interaction.
    fn interactive(&self) -> bool {
        self.method != Method::RememberedDevice
    }
}

/// What a set of proofs amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assurance {
    /// The level (`acr`).
    pub acr: Acr,
    /// RFC 8176 method references (`amr`), in a stable order.
    pub amr: Vec<String>,
    /// Time of the most recent interactive proof (`auth_time`).
    pub auth_time: i64,
}

/// The level, methods and time of `proofs`; `None` when there is no interactive proof.
pub fn evaluate(proofs: &[Proof]) -> Option<Assurance> {
    let auth_time = proofs
        .iter()
        .filter(|p| p.interactive())
        .map(|p| p.at)
        .max()?;
    let mut kinds: Vec<Kind> = proofs.iter().map(|p| p.method.kind()).collect();
    kinds.sort_by_key(|k| *k as u8);
    kinds.dedup();
    let multi = kinds.len() >= 2 || proofs.iter().any(Proof::multi_factor);
    let acr = if !multi {
        Acr::Aal1
    } else if proofs.iter().any(|p| p.multi_factor() && p.device_bound) {
        Acr::Aal3
    } else {
        Acr::Aal2
    };
    let mut out: Vec<&'static str> = Vec::new();
    for p in proofs {
        let values: &[&'static str] = match p.method {
            Method::Password => &[amr::PWD],
            Method::MagicLink | Method::EmailOtp | Method::Totp | Method::RecoveryCode => {
                &[amr::OTP]
            }
            Method::SmsOtp => &[amr::SMS],
            Method::Webauthn if p.device_bound => &[amr::HWK],
            Method::Webauthn => &[amr::SWK],
            Method::RememberedDevice => &[],
            Method::Federated | Method::FederatedMfa => &[amr::FED],
        };
        out.extend_from_slice(values);
        if p.multi_factor() && p.method == Method::Webauthn {
            out.push(amr::USER);
        }
    }
    if acr >= Acr::Aal2 {
        out.push(amr::MFA);
    }
    let order = [
        amr::PWD,
        amr::OTP,
        amr::SMS,
        amr::HWK,
        amr::SWK,
        amr::FED,
        amr::USER,
        amr::MFA,
    ];
    let amr = order
        .iter()
        .filter(|v| out.contains(v))
        .map(|v| v.to_string())
        .collect();
    Some(Assurance {
        acr,
        amr,
        auth_time,
    })
}

/// Proofs made at or after `since`, leaving out remembered devices: what counts for a request
/// with `max_age` or `prompt=login`, which a device cookie must never satisfy.
pub fn fresh(proofs: &[Proof], since: i64) -> Vec<Proof> {
    proofs
        .iter()
        .filter(|p| p.at >= since && p.interactive())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(method: Method) -> Proof {
        Proof::new(method, 100, None)
    }

    fn webauthn(uv: bool, bound: bool) -> Proof {
        Proof {
            user_verified: uv,
            device_bound: bound,
            ..p(Method::Webauthn)
        }
    }

    /// Every combination DESIGN.md §4 names, and the peers' bugs we must not repeat.
    #[test]
    fn assurance_table_every_combination() {
        use Method::*;
        let cases: Vec<(Vec<Proof>, Acr, &[&str])> = vec![
            (vec![p(Password)], Acr::Aal1, &["pwd"]),
            (vec![p(MagicLink)], Acr::Aal1, &["otp"]),
            (vec![p(EmailOtp)], Acr::Aal1, &["otp"]),
            (vec![p(SmsOtp)], Acr::Aal1, &["sms"]),
            (vec![p(Totp)], Acr::Aal1, &["otp"]),
            (vec![p(RecoveryCode)], Acr::Aal1, &["otp"]),
            (vec![webauthn(false, false)], Acr::Aal1, &["swk"]),
            (vec![webauthn(false, true)], Acr::Aal1, &["hwk"]),
            // A passkey with user verification is multi-factor by itself (Kratos #2794).
            (
                vec![webauthn(true, false)],
                Acr::Aal2,
                &["swk", "user", "mfa"],
            ),
            (
                vec![webauthn(true, true)],
                Acr::Aal3,
                &["hwk", "user", "mfa"],
            ),
            (
                vec![p(Password), p(Totp)],
                Acr::Aal2,
                &["pwd", "otp", "mfa"],
            ),
            (
                vec![p(Password), p(EmailOtp)],
                Acr::Aal2,
                &["pwd", "otp", "mfa"],
            ),
            (
                vec![p(Password), p(SmsOtp)],
                Acr::Aal2,
                &["pwd", "sms", "mfa"],
            ),
            (
                vec![p(Password), p(RecoveryCode)],
                Acr::Aal2,
                &["pwd", "otp", "mfa"],
            ),
            (
                vec![p(Password), webauthn(false, false)],
                Acr::Aal2,
                &["pwd", "swk", "mfa"],
            ),
            // Device-bound but without user verification: a second factor, not aal3.
            (
                vec![p(Password), webauthn(false, true)],
                Acr::Aal2,
                &["pwd", "hwk", "mfa"],
            ),
            (
                vec![p(Password), webauthn(true, true)],
                Acr::Aal3,
                &["pwd", "hwk", "user", "mfa"],
            ),
            (
                vec![p(Password), webauthn(true, false)],
                Acr::Aal2,
                &["pwd", "swk", "user", "mfa"],
            ),
            (vec![p(MagicLink), p(Totp)], Acr::Aal2, &["otp", "mfa"]),
            (
                vec![p(Password), p(RememberedDevice)],
                Acr::Aal2,
                &["pwd", "mfa"],
            ),
            // One mailbox, however many times, is one factor (Kratos #4317).
            (vec![p(EmailOtp), p(EmailOtp)], Acr::Aal1, &["otp"]),
            (vec![p(MagicLink), p(EmailOtp)], Acr::Aal1, &["otp"]),
            (vec![p(Password), p(Password)], Acr::Aal1, &["pwd"]),
            (vec![p(Totp), p(Totp)], Acr::Aal1, &["otp"]),
            // An upstream sign-in is one factor; a local factor after it makes two.
            (vec![p(Federated)], Acr::Aal1, &["fed"]),
            (
                vec![p(Federated), p(Totp)],
                Acr::Aal2,
                &["otp", "fed", "mfa"],
            ),
            // Only a trusted upstream's multi-factor report reaches aal2 alone, never aal3.
            (vec![p(FederatedMfa)], Acr::Aal2, &["fed", "mfa"]),
            (
                vec![webauthn(false, false), webauthn(false, true)],
                Acr::Aal1,
                &["hwk", "swk"],
            ),
        ];
        for (proofs, acr, amr) in cases {
            let a = evaluate(&proofs).unwrap();
            let methods: Vec<_> = proofs.iter().map(|p| p.method).collect();
            assert_eq!(a.acr, acr, "{methods:?}");
            assert_eq!(a.amr, amr, "{methods:?}");
        }
    }

    #[test]
    fn assurance_auth_time_is_latest_interactive_proof() {
        let proofs = vec![
            Proof::new(Method::Password, 100, None),
            Proof::new(Method::Totp, 250, None),
            Proof::new(Method::RememberedDevice, 900, None),
        ];
        assert_eq!(evaluate(&proofs).unwrap().auth_time, 250);
        assert!(evaluate(&[Proof::new(Method::RememberedDevice, 5, None)]).is_none());
        assert!(evaluate(&[]).is_none());
    }

    #[test]
    fn assurance_fresh_drops_old_and_remembered_proofs() {
        let proofs = vec![
            Proof::new(Method::Password, 100, None),
            Proof::new(Method::RememberedDevice, 100, None),
            Proof::new(Method::Totp, 400, None),
        ];
        let f = fresh(&proofs, 300);
        assert_eq!(f.len(), 1);
        assert_eq!(evaluate(&f).unwrap().acr, Acr::Aal1);
    }
}
