//! Password hashing with Argon2id (RFC 9106), off the async executor, with bounded concurrency.
//!
//! Unknown users are verified against a dummy hash with the same parameters, so the work and the
//! answer are the same as for a wrong password (OWASP ASVS V2.2, CONVENTIONS habit 10).

use std::sync::{Arc, Mutex};

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use super::secret::{SecretString, ct_eq};
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

/// Argon2 working memory, reused across hashes. Allocating 19 MiB per hash on whichever blocking
/// thread runs it makes the allocator keep a copy per thread (hundreds of MiB under a login
/// flood); a pool bounded by the semaphore keeps it at `max_concurrent` buffers.
type MemoryPool = Arc<Mutex<Vec<Vec<Block>>>>;

/// Hashes and verifies passwords on the blocking pool, at most `max_concurrent` at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    params: Params,
    dummy: Arc<str>,
    memory: MemoryPool,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordHasher({:?})", self.params)
    }
}

const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

fn b64_nopad(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

fn phc(params: &Params, salt: &[u8], hash: &[u8]) -> String {
    format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        b64_nopad(salt),
        b64_nopad(hash)
    )
}

/// Argon2id of `password` into `out`, in memory borrowed from the pool.
fn argon2id(
    pool: &MemoryPool,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let mut blocks = pool
        .lock()
        .map(|mut p| p.pop())
        .unwrap_or_default()
        .unwrap_or_default();
    let needed = params.block_count();
    if blocks.len() < needed {
        blocks.resize(needed, Block::default());
    }
    let result = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, salt, out, &mut blocks[..needed])
        .map_err(|e| Error::Crypto(e.to_string()));
    if let Ok(mut p) = pool.lock() {
        p.push(blocks);
    }
    result
}

fn verify_blocking(pool: &MemoryPool, password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    // The parameters stored in the hash win, so raising the cost later keeps old hashes valid.
    let (Ok(params), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    argon2id(pool, &params, password, salt, &mut out).is_ok() && ct_eq(&out, expected)
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
        let dummy = phc(
            &params,
            &super::random::bytes::<SALT_LEN>(),
            &super::random::bytes::<HASH_LEN>(),
        );
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            params,
            dummy: dummy.into(),
            memory: MemoryPool::default(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Params, MemoryPool) -> T + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Crypto("hasher closed".into()))?;
        let (params, pool) = (self.params.clone(), self.memory.clone());
        tokio::task::spawn_blocking(move || work(params, pool))
            .await
            .map_err(|e| Error::Crypto(e.to_string()))
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: SecretString) -> Result<String> {
        self.run(move |params, pool| {
            let salt = super::random::bytes::<SALT_LEN>();
            let mut out = [0u8; HASH_LEN];
            argon2id(
                &pool,
                &params,
                password.expose().as_bytes(),
                &salt,
                &mut out,
            )?;
            Ok(phc(&params, &salt, &out))
        })
        .await?
    }

    /// Verifies `password` against `phc`; with `None` (unknown user) it does the same work against
    /// a dummy hash and answers `false`.
    pub async fn verify(&self, password: SecretString, phc: Option<String>) -> Result<bool> {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| self.dummy.to_string());
        let ok = self
            .run(move |_, pool| {
                if super::legacy::is_legacy(&phc) {
                    super::legacy::verify(password.expose().as_bytes(), &phc)
                } else {
                    verify_blocking(&pool, password.expose().as_bytes(), &phc)
                }
            })
            .await?;
        Ok(known && ok)
    }

    /// Whether a stored hash should be replaced at the next right password: one imported from
    /// another system, or Argon2id below this hasher's cost.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let current = format!(
            "$argon2id$v=19$m={},t={},p={}$",
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost()
        );
        !phc.starts_with(&current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn imported_hashes_verify_and_ask_to_be_replaced() {
        let h = PasswordHasher::new(PasswordCost::default(), 1).unwrap();
        let bcrypt = bcrypt::hash_with_result("from auth0", 4)
            .unwrap()
            .format_for_version(bcrypt::Version::TwoB);
        assert!(
            h.verify(SecretString::new("from auth0"), Some(bcrypt.clone()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify(SecretString::new("from auth1"), Some(bcrypt.clone()))
                .await
                .unwrap()
        );
        assert!(h.needs_rehash(&bcrypt));
        let ours = h.hash(SecretString::new("from auth0")).await.unwrap();
        assert!(!h.needs_rehash(&ours));
        assert!(
            h.needs_rehash(&ours.replace("t=2", "t=1")),
            "a cheaper Argon2id too"
        );
    }

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
    async fn password_hashes_from_the_reference_encoder_verify() {
        use argon2::PasswordHasher as _;
        use argon2::password_hash::SaltString;
        let reference = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19456, 2, 1, None).unwrap(),
        )
        .hash_password(
            b"pa55word",
            &SaltString::encode_b64(b"0123456789abcdef").unwrap(),
        )
        .unwrap()
        .to_string();
        let h = PasswordHasher::new(PasswordCost::default(), 1).unwrap();
        assert!(
            h.verify(SecretString::new("pa55word"), Some(reference.clone()))
                .await
                .unwrap()
        );
        assert!(
            !h.verify(SecretString::new("pa55worD"), Some(reference))
                .await
                .unwrap()
        );
        let ours = h.hash(SecretString::new("pa55word")).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"pa55word", &parsed)
                .is_ok(),
            "readable by others"
        );
    }

    #[tokio::test]
    async fn password_memory_pool_is_bounded_by_concurrency() {
        let h = PasswordHasher::new(PasswordCost::default(), 2).unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let h = h.clone();
                tokio::spawn(async move {
                    h.hash(SecretString::new(format!("password {i}")))
                        .await
                        .unwrap()
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert!(h.memory.lock().unwrap().len() <= 2);
    }

    #[tokio::test]
    async fn password_unknown_user_is_false() {
        let h = PasswordHasher::new(PasswordCost::default(), 1).unwrap();
        assert!(!h.verify(SecretString::new("anything"), None).await.unwrap());
    }

    use argon2::PasswordVerifier as _;

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
