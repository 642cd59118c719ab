//! Cookie sealing: AES-256-GCM under a key derived from the app secret with HKDF, the cookie's
//! name as associated data (a value cannot be moved to another cookie), and chunking for values
//! past what browsers keep in one cookie.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Browsers keep about 4096 bytes per cookie, name and attributes included.
pub(crate) const CHUNK: usize = 3800;

/// Seals and opens cookie values.
pub(crate) struct Sealer {
    key: LessSafeKey,
}

impl Sealer {
    /// Derives the cookie key from the app secret.
    pub(crate) fn new(secret: &[u8]) -> Option<Sealer> {
        let prk = Salt::new(HKDF_SHA256, b"portcullis-rp").extract(secret);
        let okm = prk.expand(&[b"session cookie v1"], &AES_256_GCM).ok()?;
        Some(Sealer {
            key: LessSafeKey::new(UnboundKey::from(okm)),
        })
    }

    /// Encrypts `plaintext` for the cookie `name`.
    pub(crate) fn seal(&self, name: &str, plaintext: &[u8]) -> Option<String> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).ok()?;
        let mut buf = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(name.as_bytes()),
                &mut buf,
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Some(URL_SAFE_NO_PAD.encode(out))
    }

    /// Decrypts a value sealed for `name`; `None` if it was altered, moved or is not ours.
    pub(crate) fn open(&self, name: &str, value: &str) -> Option<Vec<u8>> {
        let raw = URL_SAFE_NO_PAD.decode(value).ok()?;
        if raw.len() < NONCE_LEN + 16 {
            return None;
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(name.as_bytes()), &mut buf)
            .ok()?;
        Some(plain.to_vec())
    }
}

/// Splits a sealed value into cookie-sized chunks: `(name, value)` pairs, `name.0`, `name.1`, …
/// when it does not fit in one.
pub(crate) fn chunks(name: &str, value: &str) -> Vec<(String, String)> {
    if value.len() <= CHUNK {
        return vec![(name.to_string(), value.to_string())];
    }
    value
        .as_bytes()
        .chunks(CHUNK)
        .enumerate()
        .map(|(i, c)| {
            (
                format!("{name}.{i}"),
                String::from_utf8_lossy(c).into_owned(),
            )
        })
        .collect()
}

/// Reassembles a value from the request's cookies (whole, or `name.0`, `name.1`, …).
pub(crate) fn assemble(name: &str, cookies: &[(String, String)]) -> Option<String> {
    if let Some((_, v)) = cookies.iter().find(|(n, _)| n == name) {
        return Some(v.clone());
    }
    let mut out = String::new();
    for i in 0.. {
        let part = format!("{name}.{i}");
        match cookies.iter().find(|(n, _)| *n == part) {
            Some((_, v)) => out.push_str(v),
            None if i == 0 => return None,
            None => break,
        }
    }
    Some(out)
}

/// The request's cookies as `(name, value)` pairs.
pub(crate) fn cookies(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            Some((n.to_string(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_under_their_name_and_key() {
        let s = Sealer::new(b"an app secret of at least 32 bytes!!").unwrap();
        let v = s.seal("sid", b"hello").unwrap();
        assert_eq!(s.open("sid", &v).unwrap(), b"hello");
        assert!(s.open("other", &v).is_none(), "moved to another cookie");
        let other = Sealer::new(b"another app secret of 32 bytes or more").unwrap();
        assert!(other.open("sid", &v).is_none());
        let mut raw = URL_SAFE_NO_PAD.decode(&v).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert!(
            s.open("sid", &URL_SAFE_NO_PAD.encode(raw)).is_none(),
            "tampered"
        );
        assert_ne!(s.seal("sid", b"hello").unwrap(), v, "fresh nonce each time");
    }

    #[test]
    fn long_values_travel_in_chunks() {
        let value = "x".repeat(CHUNK * 2 + 10);
        let parts = chunks("s", &value);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[1].0, "s.1");
        assert!(parts.iter().all(|(_, v)| v.len() <= CHUNK));
        assert_eq!(assemble("s", &parts).unwrap(), value);
        assert_eq!(assemble("s", &chunks("s", "short")).unwrap(), "short");
        assert!(assemble("s", &[]).is_none());
    }
}
