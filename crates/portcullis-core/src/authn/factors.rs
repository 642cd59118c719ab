//! Proving and enrolling factors against the store, with the per-account throttle.
//!
//! Hosted pages and the MFA API both come through here, so a guess counts against the same
//! counter whichever door it used.

use crate::Result;
use crate::authn::assurance::{Method, Proof};
use crate::authn::lockout::LockoutPolicy;
use crate::crypto::aead::MasterKeys;
use crate::crypto::random;
use crate::factor::totp::TotpSecret;
use crate::factor::{FactorKind, otp, recovery};
use crate::model::{Factor, OneTimeCode};
use crate::ports::Store;

/// The result of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Proved.
    Proved(Proof),
    /// Wrong, expired or already used; `locked` is true when this failure locked the account.
    Wrong {
        /// This failure reached the lockout threshold.
        locked: bool,
    },
    /// Too many failures: refused without looking, retry after this many seconds.
    Throttled {
        /// Seconds.
        retry_after: i64,
    },
}

/// The `purpose` of a magic link's record.
pub const MAGIC_LINK: &str = "magic_link";

/// The `purpose` of a password reset link's record.
pub const PASSWORD_RESET: &str = "password_reset";

/// How long a password reset link lives.
pub const RESET_TTL: i64 = 30 * 60;

/// The `purpose` of a sign-up's email code.
pub const SIGNUP_CODE: &str = "signup_code";

/// The `purpose` of a sign-up's email link.
pub const SIGNUP_LINK: &str = "signup_link";

/// The `purpose` of the code that proves a signed-in user's email address.
pub const EMAIL_VERIFY: &str = "email_verify";

/// How long a sign-up's code and link live (as long as a reset link: the person is waiting).
pub const SIGNUP_TTL: i64 = RESET_TTL;

/// The `purpose` of an email change link's record.
pub const EMAIL_CHANGE: &str = "email_change";

/// How long an email change link lives.
pub const EMAIL_CHANGE_TTL: i64 = 30 * 60;

/// The throttle key for an account's second factors.
pub fn factor_key(user_id: &str) -> String {
    format!("factor:{user_id}")
}

/// The throttle key for passwords tried against an email address (known or not, so the counter
/// itself does not reveal which addresses have accounts).
pub fn password_key(master: &MasterKeys, email: &str) -> String {
    address_key("password", master, email)
}

/// The throttle key for sign-up emails to an address (sent whether or not it has an account),
/// so the sign-up form cannot be used to flood somebody's mailbox.
pub fn signup_mail_key(master: &MasterKeys, email: &str) -> String {
    address_key("signup-mail", master, email)
}

fn address_key(prefix: &str, master: &MasterKeys, email: &str) -> String {
    let mac = crate::crypto::hmac_sha256(
        &master.derive("portcullis throttle v1"),
        crate::identity::normalize_email(email).as_bytes(),
    );
    format!("{prefix}:{}", crate::crypto::b64url(&mac[..16]))
}

fn secret_context(factor_id: &str) -> String {
    format!("factor-secret:{factor_id}")
}

/// Factor logic bound to a store, keys and the time of the request.
pub struct Factors<'a> {
    /// Storage.
    pub store: &'a dyn Store,
    /// Master keys (secrets at rest, code HMACs).
    pub master: &'a MasterKeys,
    /// The throttle.
    pub lockout: LockoutPolicy,
    /// Now.
    pub now: i64,
}

/// How many times a reservation retries when concurrent ones keep winning the compare-and-set
/// (each round one of them wins, and the throttle stops all within a few).
const RESERVE_ROUNDS: usize = 64;

/// One attempt counted against a throttle key before its secret is looked at (see
/// [`Factors::reserve`]); settled by [`Factors::settle`], [`Factors::release`] or
/// [`Factors::failed`].
#[derive(Debug)]
#[must_use = "an attempt is settled, released or failed"]
pub struct Attempt {
    key: String,
    count: i64,
}

impl Factors<'_> {
    /// Reserves one attempt against `key`, counted as a failure *before* the secret is checked
    /// (one atomic compare-and-set), so concurrent guesses cannot all pass a check made before
    /// any of them was counted: at most the schedule's number are ever evaluated, on every
    /// node. `Err(seconds)` when the throttle says wait.
    pub async fn reserve(&self, key: &str) -> Result<std::result::Result<Attempt, i64>> {
        for _ in 0..RESERVE_ROUNDS {
            let f = self.store.failures(key).await?;
            if let Some(wait) = self.lockout.retry_after(f.count, f.last_at, self.now) {
                return Ok(Err(wait));
            }
            if self.store.reserve_failure(key, f.count, self.now).await? {
                return Ok(Ok(Attempt {
                    key: key.to_string(),
                    count: f.count + 1,
                }));
            }
        }
        // Contention past every round: ask the caller to come back in a second.
        Ok(Err(1))
    }

    /// Seconds the caller must wait before `key` may be tried again, if any (a read only: to
    /// try, [`Factors::reserve`]).
    pub async fn throttled(&self, key: &str) -> Result<Option<i64>> {
        let f = self.store.failures(key).await?;
        Ok(self.lockout.retry_after(f.count, f.last_at, self.now))
    }

    /// Counts a failure against `key` without an attempt (sends, not guesses); whether it
    /// reached the lockout threshold.
    pub async fn fail(&self, key: &str) -> Result<bool> {
        let f = self.store.record_failure(key, self.now).await?;
        Ok(self.lockout.locks_now(f.count))
    }

    /// The attempt failed: it is counted already; whether it locked the account.
    pub fn failed(&self, attempt: Attempt) -> bool {
        self.lockout.locks_now(attempt.count)
    }

    /// The attempt succeeded: it no longer counts, but the failures before it stay until the
    /// caller clears them (the adaptive policy reads them first).
    pub async fn release(&self, attempt: Attempt) -> Result<()> {
        self.store.release_failure(&attempt.key).await
    }

    /// Clears the throttle after a proof, or reports the (already counted) failure.
    pub(crate) async fn settle(&self, attempt: Attempt, proof: Option<Proof>) -> Result<Outcome> {
        match proof {
            Some(p) => {
                self.store.clear_failures(&attempt.key).await?;
                Ok(Outcome::Proved(p))
            }
            None => Ok(Outcome::Wrong {
                locked: self.failed(attempt),
            }),
        }
    }

    /// Reserves an attempt against `user_id`'s factors, or says how long to wait.
    pub(crate) async fn factor_attempt(
        &self,
        user_id: &str,
    ) -> Result<std::result::Result<Attempt, Outcome>> {
        Ok(self
            .reserve(&factor_key(user_id))
            .await?
            .map_err(|retry_after| Outcome::Throttled { retry_after }))
    }

    /// Checks a password against `hash` (`None` for an unknown account: the same work against a
    /// dummy hash) under the throttle `key`; `usable` is false for a blocked account, whose
    /// right password still fails. On success the attempt is taken back, and the failures
    /// before it stay for the caller to read and clear.
    pub async fn check_password(
        &self,
        hasher: &crate::crypto::password::PasswordHasher,
        key: &str,
        hash: Option<String>,
        usable: bool,
        password: crate::crypto::secret::SecretString,
    ) -> Result<Outcome> {
        let attempt = match self.reserve(key).await? {
            Ok(a) => a,
            Err(retry_after) => return Ok(Outcome::Throttled { retry_after }),
        };
        if hasher.verify(password, hash).await? && usable {
            self.release(attempt).await?;
            Ok(Outcome::Proved(Proof::new(
                Method::Password,
                self.now,
                None,
            )))
        } else {
            Ok(Outcome::Wrong {
                locked: self.failed(attempt),
            })
        }
    }

    /// Encrypts a factor secret for storage.
    pub fn seal(&self, factor_id: &str, secret: &[u8]) -> Result<Vec<u8>> {
        self.master.encrypt(secret, &secret_context(factor_id))
    }

    /// Decrypts a stored factor secret.
    pub fn open(&self, factor: &Factor) -> Result<Vec<u8>> {
        let sealed = factor
            .secret_enc
            .as_deref()
            .ok_or_else(|| crate::Error::Invalid("factor has no secret".into()))?;
        self.master.decrypt(sealed, &secret_context(&factor.id))
    }

    /// Checks a TOTP code against one factor (or, with `None`, each of the user's TOTP factors).
    pub async fn verify_totp(
        &self,
        user_id: &str,
        factor_id: Option<&str>,
        code: &str,
    ) -> Result<Outcome> {
        let attempt = match self.factor_attempt(user_id).await? {
            Ok(a) => a,
            Err(throttled) => return Ok(throttled),
        };
        let mut proof = None;
        for f in self.store.factors(user_id).await? {
            if f.kind != FactorKind::Totp || factor_id.is_some_and(|id| id != f.id) {
                continue;
            }
            let secret = TotpSecret::from_bytes(self.open(&f)?);
            if let Some(step) = secret.verify(code, self.now, f.last_step)
                // The compare-and-set makes a code good once even under concurrent submits.
                && self.store.use_totp_step(&f.id, step, self.now).await?
            {
                proof = Some(Proof::new(Method::Totp, self.now, Some(f.id.clone())));
                break;
            }
        }
        self.settle(attempt, proof).await
    }

    /// Spends a recovery code.
    pub async fn verify_recovery_code(&self, user_id: &str, code: &str) -> Result<Outcome> {
        let attempt = match self.factor_attempt(user_id).await? {
            Ok(a) => a,
            Err(throttled) => return Ok(throttled),
        };
        let mut proof = None;
        if let Some(normalized) = recovery::normalize(code) {
            let digest = recovery::digest(&self.recovery_key(), &normalized);
            if self
                .store
                .use_recovery_code(user_id, &digest, self.now)
                .await?
            {
                proof = Some(Proof::new(Method::RecoveryCode, self.now, None));
            }
        }
        self.settle(attempt, proof).await
    }

    fn recovery_key(&self) -> [u8; 32] {
        self.master.derive("portcullis recovery codes v1")
    }

    fn otp_key(&self) -> [u8; 32] {
        self.master.derive("portcullis one-time codes v1")
    }

    /// Replaces the user's recovery codes with a fresh set and returns it, to be shown once.
    pub async fn issue_recovery_codes(&self, user_id: &str) -> Result<Vec<String>> {
        let codes = recovery::generate();
        let key = self.recovery_key();
        let digests: Vec<String> = codes
            .iter()
            .filter_map(|c| recovery::normalize(c))
            .map(|n| recovery::digest(&key, &n))
            .collect();
        self.store
            .replace_recovery_codes(user_id, &digests, self.now)
            .await?;
        Ok(codes)
    }

    /// Stores a verified TOTP factor.
    pub async fn enroll_totp(
        &self,
        user_id: &str,
        secret: &TotpSecret,
        name: &str,
        step: i64,
    ) -> Result<Factor> {
        let id = random::id("fac");
        let factor = Factor {
            secret_enc: Some(self.seal(&id, secret.as_bytes())?),
            id,
            user_id: user_id.into(),
            kind: FactorKind::Totp,
            name: name.into(),
            target: None,
            credential_id: None,
            detail: serde_json::json!({}),
            sign_count: 0,
            // The code that proved the enrolment is spent already.
            last_step: Some(step),
            active: true,
            created_at: self.now,
            last_used_at: Some(self.now),
        };
        self.store.create_factor(&factor).await?;
        Ok(factor)
    }

    /// Creates a one-time code for `destination` (replacing any earlier one for the same
    /// purpose) and returns its record and the code to send.
    pub async fn new_code(
        &self,
        user_id: Option<&str>,
        purpose: &str,
        channel: &str,
        destination: &str,
        data: serde_json::Value,
    ) -> Result<(OneTimeCode, String)> {
        let code = otp::generate_code();
        let id = random::id("otp");
        let record = OneTimeCode {
            digest: otp::digest(&self.otp_key(), &id, &code),
            id,
            user_id: user_id.map(str::to_string),
            purpose: purpose.into(),
            channel: channel.into(),
            destination: destination.into(),
            attempts: 0,
            data,
            created_at: self.now,
            expires_at: self.now + otp::TTL,
        };
        self.store.put_otp(&record).await?;
        Ok((record, code))
    }

    /// Stores a sign-in link for `email` (a newer one replaces it) and returns its token: the
    /// only copy, for the email.
    pub async fn new_magic_link(
        &self,
        user_id: &str,
        email: &str,
        data: serde_json::Value,
    ) -> Result<String> {
        self.new_link(MAGIC_LINK, otp::TTL, Some(user_id), email, data)
            .await
    }

    /// Stores a password reset link for `email`, live `ttl` seconds ([`RESET_TTL`] when the
    /// user asked; longer for an admin's password-set ticket), single use, replaced by a newer
    /// one; returns its token.
    pub async fn new_reset_link(&self, user_id: &str, email: &str, ttl: i64) -> Result<String> {
        self.new_link(
            PASSWORD_RESET,
            ttl,
            Some(user_id),
            email,
            serde_json::json!({}),
        )
        .await
    }

    /// Stores the link of a sign-up for `email` (no account exists yet; `data` names the
    /// sign-up), replacing an earlier one; returns its token.
    pub async fn new_signup_link(&self, email: &str, data: serde_json::Value) -> Result<String> {
        self.new_link(SIGNUP_LINK, SIGNUP_TTL, None, email, data)
            .await
    }

    /// Spends a sign-up link, at most once; its record if it was live.
    pub async fn spend_signup_link(&self, token: &str) -> Result<Option<OneTimeCode>> {
        self.spend_link(SIGNUP_LINK, token).await
    }

    async fn new_link(
        &self,
        purpose: &str,
        ttl: i64,
        user_id: Option<&str>,
        email: &str,
        data: serde_json::Value,
    ) -> Result<String> {
        let token = random::token();
        let record = OneTimeCode {
            id: random::id("otp"),
            digest: otp::link_digest(&self.otp_key(), &token),
            user_id: user_id.map(str::to_string),
            purpose: purpose.into(),
            channel: "email".into(),
            destination: email.into(),
            attempts: 0,
            data,
            created_at: self.now,
            expires_at: self.now + ttl,
        };
        self.store.put_otp(&record).await?;
        Ok(token)
    }

    /// Spends a magic link, at most once even under concurrent clicks; its record if it was
    /// live.
    pub async fn spend_magic_link(&self, token: &str) -> Result<Option<OneTimeCode>> {
        self.spend_link(MAGIC_LINK, token).await
    }

    /// Spends a password reset link, at most once; its record if it was live.
    pub async fn spend_reset_link(&self, token: &str) -> Result<Option<OneTimeCode>> {
        self.spend_link(PASSWORD_RESET, token).await
    }

    /// Stores a link that moves the account from address `from` to `to` (both in its `data`),
    /// live [`EMAIL_CHANGE_TTL`] seconds, single use; returns its token. The record is keyed by
    /// the account rather than the address, so a newer request kills every older link, whatever
    /// address it named.
    pub async fn new_email_change_link(
        &self,
        user_id: &str,
        from: &str,
        to: &str,
    ) -> Result<String> {
        self.new_link(
            EMAIL_CHANGE,
            EMAIL_CHANGE_TTL,
            Some(user_id),
            &format!("user:{user_id}"),
            serde_json::json!({ "from": from, "to": to }),
        )
        .await
    }

    /// Spends an email change link, at most once; its record if it was live.
    pub async fn spend_email_change_link(&self, token: &str) -> Result<Option<OneTimeCode>> {
        self.spend_link(EMAIL_CHANGE, token).await
    }

    async fn spend_link(&self, purpose: &str, token: &str) -> Result<Option<OneTimeCode>> {
        let digest = otp::link_digest(&self.otp_key(), token);
        Ok(self
            .store
            .spend_otp_by_digest(&digest, self.now)
            .await?
            .filter(|r| r.purpose == purpose))
    }

    /// Checks a code sent earlier; counts the guess against the code and the account.
    pub async fn verify_code(
        &self,
        user_id: &str,
        code_id: &str,
        code: &str,
        method: Method,
    ) -> Result<Outcome> {
        let attempt = match self.factor_attempt(user_id).await? {
            Ok(a) => a,
            Err(throttled) => return Ok(throttled),
        };
        let proof = self
            .spend_code(code_id, code)
            .await?
            .filter(|record| record.user_id.as_deref() == Some(user_id))
            .map(|record| {
                let factor_id = record.data["factor_id"].as_str().map(str::to_string);
                Proof::new(method, self.now, factor_id)
            });
        self.settle(attempt, proof).await
    }

    /// Spends a code sent earlier when `code` is right, at most once even under concurrent
    /// submits; each try counts against the code, which dies after [`otp::MAX_ATTEMPTS`].
    pub async fn spend_code(&self, code_id: &str, code: &str) -> Result<Option<OneTimeCode>> {
        let Some(record) = self
            .store
            .otp_attempt(code_id, self.now, otp::MAX_ATTEMPTS)
            .await?
        else {
            return Ok(None);
        };
        let expected = otp::digest(&self.otp_key(), &record.id, code);
        let right = crate::crypto::secret::ct_eq(expected.as_bytes(), record.digest.as_bytes());
        Ok((right && self.store.spend_otp(&record.id, self.now).await?).then_some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_key_ignores_case_and_hides_email() {
        let m = MasterKeys::new(&[[3u8; 32]]).unwrap();
        let k = password_key(&m, "Ada@Example.com ");
        assert_eq!(k, password_key(&m, "ada@example.com"));
        assert!(!k.contains("ada"));
        assert_ne!(k, password_key(&m, "bob@example.com"));
        assert_ne!(
            k,
            signup_mail_key(&m, "ada@example.com"),
            "separate counters"
        );
    }
}
