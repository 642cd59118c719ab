//! Encryption of secrets at rest with the configured master keys (AES-256-GCM).
//!
//! Ciphertexts carry the id of the key that made them, so a list of keys allows rotation: the first
//! key encrypts, every key can decrypt.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use crate::{Error, Result};

const VERSION: u8 = 1;
const KEY_ID_LEN: usize = 8;

struct MasterKey {
    id: [u8; KEY_ID_LEN],
    key: LessSafeKey,
    raw: [u8; 32],
}

/// The master keys: the first encrypts, all decrypt.
pub struct MasterKeys {
    keys: Vec<MasterKey>,
}

impl std::fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKeys({} keys, [redacted])", self.keys.len())
    }
}

impl MasterKeys {
    /// Builds the key set from 32-byte keys; the first one encrypts.
    pub fn new(raw_keys: &[[u8; 32]]) -> Result<Self> {
        if raw_keys.is_empty() {
            return Err(Error::Crypto("at least one master key is required".into()));
        }
        let keys = raw_keys
            .iter()
            .map(|raw| {
                let unbound = UnboundKey::new(&AES_256_GCM, raw)
                    .map_err(|_| Error::Crypto("bad master key".into()))?;
                let digest = super::sha256(raw);
                let mut id = [0u8; KEY_ID_LEN];
                id.copy_from_slice(&digest[..KEY_ID_LEN]);
                Ok(MasterKey {
                    id,
                    key: LessSafeKey::new(unbound),
                    raw: *raw,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(MasterKeys { keys })
    }

    /// Parses base64 (standard or url-safe) encoded 32-byte keys.
    pub fn from_base64(encoded: &[impl AsRef<str>]) -> Result<Self> {
        use base64::Engine;
        let raw = encoded
            .iter()
            .map(|k| {
                let k = k.as_ref().trim();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(k)
                    .or_else(|_| super::b64url_decode(k.trim_end_matches('=')))
                    .map_err(|_| Error::Crypto("master_key is not base64".into()))?;
                <[u8; 32]>::try_from(bytes.as_slice())
                    .map_err(|_| Error::Crypto("master_key must be 32 bytes".into()))
            })
            .collect::<Result<Vec<_>>>()?;
        Self::new(&raw)
    }

    /// Encrypts `plaintext`; `context` is bound as associated data so a ciphertext cannot be moved
    /// to another column or row.
    pub fn encrypt(&self, plaintext: &[u8], context: &str) -> Result<Vec<u8>> {
        let key = &self.keys[0];
        let nonce_bytes = super::random::bytes::<NONCE_LEN>();
        let mut buf = plaintext.to_vec();
        key.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .map_err(|_| Error::Crypto("encryption failed".into()))?;
        let mut out = Vec::with_capacity(1 + KEY_ID_LEN + NONCE_LEN + buf.len());
        out.push(VERSION);
        out.extend_from_slice(&key.id);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&buf);
        Ok(out)
    }

    /// Decrypts what [`MasterKeys::encrypt`] produced with any of the keys.
    pub fn decrypt(&self, ciphertext: &[u8], context: &str) -> Result<Vec<u8>> {
        let header = 1 + KEY_ID_LEN + NONCE_LEN;
        if ciphertext.len() < header || ciphertext[0] != VERSION {
            return Err(Error::Crypto("unknown ciphertext format".into()));
        }
        let id = &ciphertext[1..1 + KEY_ID_LEN];
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| Error::Crypto("no master key can decrypt this value".into()))?;
        let nonce = Nonce::try_assume_unique_for_key(&ciphertext[1 + KEY_ID_LEN..header])
            .map_err(|_| Error::Crypto("bad nonce".into()))?;
        let mut buf = ciphertext[header..].to_vec();
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf)
            .map_err(|_| Error::Crypto("decryption failed".into()))?;
        Ok(plain.to_vec())
    }

    /// A key for HMACs (CSRF tokens, cookies) derived from the encrypting master key.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        super::hmac_sha256(&self.keys[0].raw, purpose.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aead_roundtrip_with_rotated_keys() {
        let old = MasterKeys::new(&[[1u8; 32]]).unwrap();
        let ct = old.encrypt(b"secret", "ctx").unwrap();
        let rotated = MasterKeys::new(&[[2u8; 32], [1u8; 32]]).unwrap();
        assert_eq!(rotated.decrypt(&ct, "ctx").unwrap(), b"secret");
        let new_ct = rotated.encrypt(b"secret", "ctx").unwrap();
        assert!(old.decrypt(&new_ct, "ctx").is_err());
    }

    #[test]
    fn aead_wrong_context_fails() {
        let keys = MasterKeys::new(&[[3u8; 32]]).unwrap();
        let ct = keys.encrypt(b"secret", "a").unwrap();
        assert!(keys.decrypt(&ct, "b").is_err());
    }

    #[test]
    fn aead_tampered_ciphertext_fails() {
        let keys = MasterKeys::new(&[[3u8; 32]]).unwrap();
        let mut ct = keys.encrypt(b"secret", "a").unwrap();
        let last = ct.len() - 1;
        ct[last] ^= 1;
        assert!(keys.decrypt(&ct, "a").is_err());
    }
}
