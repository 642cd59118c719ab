//! Recovery codes: ten single-use look-up secrets (NIST SP 800-63B §5.1.2) of 60 bits each.
//!
//! They are stored as HMACs under a server key rather than plain hashes: 60 bits would survive a
//! fast offline search for a while, but not one that needs a key the database does not hold.

use crate::crypto::{b64url, hmac_sha256, random};

/// Codes per set.
pub const COUNT: usize = 10;

// Crockford's base32: no I, L, O or U, so codes read aloud and typed back survive.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh set of codes, formatted `XXXX-XXXX-XXXX`.
pub fn generate() -> Vec<String> {
    (0..COUNT).map(|_| generate_one()).collect()
}

fn generate_one() -> String {
    let bytes = random::bytes::<8>();
    let mut n = u64::from_be_bytes(bytes);
    let mut out = String::with_capacity(14);
    for i in 0..12 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[(n & 31) as usize]));
        n >>= 5;
    }
    out
}

/// The canonical form of what a person typed: upper case, no separators, look-alikes mapped.
pub fn normalize(input: &str) -> Option<String> {
    let mut out = String::with_capacity(12);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        out.push(c);
    }
    (out.len() == 12).then_some(out)
}

/// The stored form of a code.
pub fn digest(key: &[u8; 32], normalized: &str) -> String {
    b64url(&hmac_sha256(key, normalized.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_set_has_ten_distinct_60_bit_codes() {
        let set = generate();
        assert_eq!(set.len(), COUNT);
        let distinct: std::collections::HashSet<_> = set.iter().collect();
        assert_eq!(distinct.len(), COUNT);
        for c in &set {
            assert_eq!(c.len(), 14);
            assert_eq!(normalize(c).unwrap().len(), 12); // 12 × 5 bits = 60 bits ≥ 50
        }
    }

    #[test]
    fn recovery_normalize_accepts_typing_variants() {
        assert_eq!(normalize("abcd-efgh-jk0o").unwrap(), "ABCDEFGHJK00");
        assert_eq!(normalize(" abcd efgh jkil ").unwrap(), "ABCDEFGHJK11");
        assert!(normalize("ABCD-EFGH").is_none());
        assert!(normalize("ABCD-EFGH-JKMU").is_none());
        assert!(normalize("ABCD-EFGH-JKMÉ").is_none());
    }
}
