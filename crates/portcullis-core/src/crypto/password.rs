//! Password hashing with Argon2id (RFC 9106), off the async executor, with bounded concurrency.
//!
//! Unknown users are verified against a dummy hash with the same parameters, so the work and the
//! answer are the same as for a wrong password (OWASP ASVS V2.2, CONVENTIONS habit 10).

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use tokio::sync::Semaphore;

use super::secret::SecretString;
use crate::{Error, Result};

/// Argon2id cost; never below OWASP's minimum of m=19 MiB, t=2, p=1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        PasswordCost {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Hashes and verifies passwords on the blocking pool, at most `max_concurrent` at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    params: Params,
    dummy: Arc<str>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordHasher({:?})", self.params)
    }
}

fn argon(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_blocking(params: &Params, password: &[u8]) -> Result<String> {
    let salt = SaltString::encode_b64(&super::random::bytes::<16>())
        .map_err(|e| Error::Crypto(e.to_string()))?;
    argon(params)
        .hash_password(password, &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Crypto(e.to_string()))
}

fn b64_nopad(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

impl PasswordHasher {
    /// A hasher with the given cost; weaker than OWASP's minimum is refused.
    pub fn new(cost: PasswordCost, max_concurrent: usize) -> Result<Self> {
        let min = PasswordCost::default();
        if cost.memory_kib < min.memory_kib || cost.iterations < min.iterations {
            return Err(Error::Invalid("Argon2id cost below m=19 MiB, t=2".into()));
        }
        let params = Params::new(
            cost.memory_kib,
            cost.iterations,
            cost.parallelism.max(1),
            None,
        )
        .map_err(|e| Error::Invalid(e.to_string()))?;
        // A random PHC string with the real parameters costs exactly one real verification and
        // needs no hashing at startup.
        let dummy = format!(
            "$argon2id$v=19$m={},t={},p={}${}${}",
            params.m_cost(),
            params.t_cost(),
            params.p_cost(),
            b64_nopad(&super::random::bytes::<16>()),
            b64_nopad(&super::random::bytes::<32>()),
        );
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            params,
            dummy: dummy.into(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Params) -> T + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Crypto("hasher closed".into()))?;
        let params = self.params.clone();
        tokio::task::spawn_blocking(move || work(params))
            .await
            .map_err(|e| Error::Crypto(e.to_string()))
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: SecretString) -> Result<String> {
        self.run(move |params| hash_blocking(&params, password.expose().as_bytes()))
            .await?
    }

    /// Verifies `password` against `phc`; with `None` (unknown user) it does the same work against
    /// a dummy hash and answers `false`.
    pub async fn verify(&self, password: SecretString, phc: Option<String>) -> Result<bool> {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy.to_string());
        let ok = self
            .run(move |_| {
                let Ok(parsed) = PasswordHash::new(&phc) else {
                    return false;
                };
                // Verify with the parameters stored in the hash, so raising the cost later keeps
                // old hashes valid.
                Argon2::default()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .await?;
        Ok(known && ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn password_hash_then_verify() {
        let h = PasswordHasher::new(PasswordCost::default(), 2).unwrap();
        let phc = h.hash(SecretString::new("correct horse")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            h.verify(SecretString::new("correct horse"), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify(SecretString::new("wrong"), Some(phc))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn password_unknown_user_is_false() {
        let h = PasswordHasher::new(PasswordCost::default(), 1).unwrap();
        assert!(!h.verify(SecretString::new("anything"), None).await.unwrap());
    }

    #[test]
    fn password_dummy_hash_parses_with_real_parameters() {
        let h = PasswordHasher::new(PasswordCost::default(), 1).unwrap();
        let parsed = PasswordHash::new(&h.dummy).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let p = Params::try_from(&parsed).unwrap();
        assert_eq!((p.m_cost(), p.t_cost(), p.p_cost()), (19456, 2, 1));
        assert_eq!(
            parsed.hash.unwrap().len(),
            32,
            "same output length as real hashes"
        );
    }

    #[test]
    fn password_cost_below_owasp_refused() {
        let weak = PasswordCost {
            memory_kib: 4096,
            iterations: 1,
            parallelism: 1,
        };
        assert!(PasswordHasher::new(weak, 1).is_err());
    }
}
