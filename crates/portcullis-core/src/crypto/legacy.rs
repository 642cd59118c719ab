//! Password hashes made by another system (users imported from Auth0): verified as they are until
//! the user's next sign-in replaces them with Argon2id ([`super::password::PasswordHasher`]
//! decides when). The formats are Auth0's bulk-import ones: bcrypt (`$2a$`, `$2b$`, `$2y$`),
//! PBKDF2 as a PHC string (`$pbkdf2-sha256$i=…,l=…$salt$hash`), Argon2 of other variants or
//! costs (PHC), and a salted SHA digest, which has no standard string and is stored here as
//! `$sha256-salted$p=prefix$salt$hash` (base64 without padding, as PHC strings write bytes).

use std::num::NonZeroU32;

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde_json::Value;

use super::secret::ct_eq;
use crate::{Error, Result};

/// Whether `stored` is a hash this module verifies (rather than this server's own Argon2id).
pub fn is_legacy(stored: &str) -> bool {
    ["$2a$", "$2b$", "$2y$", "$pbkdf2-", "$argon2i$", "$argon2d$"]
        .iter()
        .any(|p| stored.starts_with(p))
        || stored.contains("-salted$")
}

/// Base64 as PHC strings and Auth0 exports write it, with or without padding.
fn b64(s: &str) -> Option<Vec<u8>> {
    STANDARD_NO_PAD.decode(s.trim_end_matches('=')).ok()
}

/// The digests a PBKDF2 or salted hash may use.
fn digest_of(
    name: &str,
) -> Option<(
    &'static aws_lc_rs::digest::Algorithm,
    aws_lc_rs::pbkdf2::Algorithm,
)> {
    Some(match name {
        "sha1" => (
            &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA1,
        ),
        "sha256" => (
            &aws_lc_rs::digest::SHA256,
            aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
        ),
        "sha384" => (
            &aws_lc_rs::digest::SHA384,
            aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA384,
        ),
        "sha512" => (
            &aws_lc_rs::digest::SHA512,
            aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA512,
        ),
        _ => return None,
    })
}

/// Whether `password` matches the legacy hash `stored`; a hash this module cannot read matches
/// nothing. Blocking work (bcrypt, PBKDF2): run it off the async threads.
pub fn verify(password: &[u8], stored: &str) -> bool {
    if ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|p| stored.starts_with(p))
    {
        return bcrypt::verify(password, stored).unwrap_or(false);
    }
    if stored.starts_with("$argon2i$") || stored.starts_with("$argon2d$") {
        use argon2::PasswordVerifier;
        return argon2::password_hash::PasswordHash::new(stored).is_ok_and(|h| {
            argon2::Argon2::default()
                .verify_password(password, &h)
                .is_ok()
        });
    }
    let parts: Vec<&str> = stored.split('$').collect();
    // "", id, params, salt, hash
    let [_, id, params, salt, hash] = parts.as_slice() else {
        return false;
    };
    let (Some(salt), Some(expected)) = (b64(salt), b64(hash)) else {
        return false;
    };
    if let Some(name) = id.strip_prefix("pbkdf2-") {
        let Some((_, algorithm)) = digest_of(name) else {
            return false;
        };
        let iterations = params
            .split(',')
            .find_map(|kv| kv.strip_prefix("i="))
            .and_then(|i| i.parse::<u32>().ok())
            .and_then(NonZeroU32::new);
        let Some(iterations) = iterations else {
            return false;
        };
        return aws_lc_rs::pbkdf2::verify(algorithm, iterations, &salt, password, &expected)
            .is_ok();
    }
    if let Some(name) = id.strip_suffix("-salted") {
        let Some((digest, _)) = digest_of(name) else {
            return false;
        };
        let mut input = Vec::with_capacity(salt.len() + password.len());
        if *params == "p=suffix" {
            input.extend_from_slice(password);
            input.extend_from_slice(&salt);
        } else {
            input.extend_from_slice(&salt);
            input.extend_from_slice(password);
        }
        return ct_eq(
            aws_lc_rs::digest::digest(digest, &input).as_ref(),
            &expected,
        );
    }
    false
}

/// Bytes an Auth0 export gives as `{ "value", "encoding" }` (`utf8`, `hex` or `base64`).
fn encoded(field: &Value, what: &str) -> Result<Vec<u8>> {
    let value = field["value"]
        .as_str()
        .ok_or_else(|| Error::Invalid(format!("custom_password_hash.{what}.value is required")))?;
    match field["encoding"].as_str().unwrap_or("utf8") {
        "utf8" => Ok(value.as_bytes().to_vec()),
        "hex" => (0..value.len())
            .step_by(2)
            .map(|i| {
                value
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| Error::Invalid(format!("custom_password_hash.{what} is not hex"))),
        "base64" => b64(value)
            .ok_or_else(|| Error::Invalid(format!("custom_password_hash.{what} is not base64"))),
        other => Err(Error::Invalid(format!(
            "custom_password_hash.{what}.encoding {other:?} is not utf8, hex or base64"
        ))),
    }
}

/// The hash to store for Auth0's `custom_password_hash` object (`algorithm`, `hash`, `salt`),
/// checked so that it can be verified later; an algorithm this server does not verify is
/// refused by name.
pub fn from_auth0(custom: &Value) -> Result<String> {
    let algorithm = custom["algorithm"]
        .as_str()
        .ok_or_else(|| Error::Invalid("custom_password_hash.algorithm is required".into()))?;
    let phc = |prefixes: &[&str]| -> Result<String> {
        let value = custom["hash"]["value"].as_str().unwrap_or_default();
        if prefixes.iter().any(|p| value.starts_with(p)) && is_legacy_or_argon2id(value) {
            Ok(value.to_string())
        } else {
            Err(Error::Invalid(format!(
                "custom_password_hash.hash.value is not a {algorithm} hash string"
            )))
        }
    };
    match algorithm {
        "bcrypt" => phc(&["$2a$", "$2b$", "$2y$"]),
        "argon2" => phc(&["$argon2id$", "$argon2i$", "$argon2d$"]),
        "pbkdf2" => {
            let value = phc(&["$pbkdf2-"])?;
            let id = value.split('$').nth(1).unwrap_or_default();
            if digest_of(id.trim_start_matches("pbkdf2-")).is_none() {
                return Err(Error::Invalid(format!(
                    "custom_password_hash: PBKDF2 with {id} is not supported (sha1, sha256, sha384, sha512)"
                )));
            }
            Ok(value)
        }
        "sha1" | "sha256" | "sha384" | "sha512" => {
            let hash = encoded(&custom["hash"], "hash")?;
            let salt = if custom["salt"].is_null() {
                Vec::new()
            } else {
                encoded(&custom["salt"], "salt")?
            };
            let position = match custom["salt"]["position"].as_str().unwrap_or("prefix") {
                "prefix" => "prefix",
                "suffix" => "suffix",
                other => {
                    return Err(Error::Invalid(format!(
                        "custom_password_hash.salt.position {other:?} is not prefix or suffix"
                    )));
                }
            };
            Ok(format!(
                "${algorithm}-salted$p={position}${}${}",
                STANDARD_NO_PAD.encode(salt),
                STANDARD_NO_PAD.encode(hash)
            ))
        }
        other => Err(Error::Invalid(format!(
            "custom_password_hash.algorithm {other:?} is not supported (bcrypt, argon2, pbkdf2, sha1, sha256, sha384, sha512)"
        ))),
    }
}

fn is_legacy_or_argon2id(value: &str) -> bool {
    is_legacy(value)
        || (value.starts_with("$argon2id$")
            && argon2::password_hash::PasswordHash::new(value).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bcrypt_hashes_as_auth0_exports_them_verify() {
        // `$2b$` and `$2a$` at cost 4 (the format; a real export has cost 10).
        let hash = bcrypt::hash_with_result("hunter2 is long", 4)
            .unwrap()
            .format_for_version(bcrypt::Version::TwoB);
        assert!(is_legacy(&hash));
        assert!(verify(b"hunter2 is long", &hash));
        assert!(!verify(b"hunter3 is long", &hash));
        let a = hash.replacen("$2b$", "$2a$", 1);
        assert!(verify(b"hunter2 is long", &a));
        let stored =
            from_auth0(&json!({ "algorithm": "bcrypt", "hash": { "value": hash } })).unwrap();
        assert!(verify(b"hunter2 is long", &stored));
    }

    #[test]
    fn pbkdf2_phc_strings_verify_with_their_own_iterations() {
        // RFC 7914 §11's PBKDF2-HMAC-SHA256 vector: P="passwd", S="salt", c=1, 64 bytes.
        let expected = "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783";
        let bytes: Vec<u8> = (0..expected.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&expected[i..i + 2], 16).unwrap())
            .collect();
        let stored = format!(
            "$pbkdf2-sha256$i=1,l=64${}${}",
            STANDARD_NO_PAD.encode(b"salt"),
            STANDARD_NO_PAD.encode(&bytes)
        );
        assert!(verify(b"passwd", &stored));
        assert!(!verify(b"passwD", &stored));
        assert!(!verify(b"passwd", &stored.replace("i=1,", "i=2,")));
        assert_eq!(
            from_auth0(&json!({ "algorithm": "pbkdf2", "hash": { "value": stored } })).unwrap(),
            stored
        );
        assert!(
            from_auth0(
                &json!({ "algorithm": "pbkdf2", "hash": { "value": "$pbkdf2-md4$i=1$a$b" } })
            )
            .is_err()
        );
    }

    #[test]
    fn salted_digests_follow_the_salts_position_and_encodings() {
        // SHA-256("salt" + "secret") and SHA-256("secret" + "salt").
        let prefix = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b"saltsecret");
        let suffix = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b"secretsalt");
        let hex: String = prefix.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let stored = from_auth0(&json!({
            "algorithm": "sha256",
            "hash": { "value": hex, "encoding": "hex" },
            "salt": { "value": "salt", "encoding": "utf8", "position": "prefix" },
        }))
        .unwrap();
        assert!(stored.starts_with("$sha256-salted$p=prefix$"));
        assert!(verify(b"secret", &stored));
        assert!(!verify(b"Secret", &stored));
        let stored = from_auth0(&json!({
            "algorithm": "sha256",
            "hash": { "value": STANDARD_NO_PAD.encode(suffix.as_ref()) + "=", "encoding": "base64" },
            "salt": { "value": STANDARD_NO_PAD.encode(b"salt"), "encoding": "base64", "position": "suffix" },
        }))
        .unwrap();
        assert!(verify(b"secret", &stored));
        for bad in [
            json!({ "algorithm": "md5", "hash": { "value": "x" } }),
            json!({ "algorithm": "sha256", "hash": { "value": "zz", "encoding": "hex" } }),
            json!({ "algorithm": "sha256", "hash": { "value": "ab", "encoding": "rot13" } }),
            json!({ "algorithm": "sha256", "hash": { "value": "ab", "encoding": "hex" }, "salt": { "value": "s", "position": "middle" } }),
            json!({ "algorithm": "bcrypt", "hash": { "value": "$1$not-bcrypt" } }),
            json!({ "hash": { "value": "x" } }),
        ] {
            assert!(from_auth0(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn argon2_of_other_variants_verify_and_garbage_matches_nothing() {
        use argon2::PasswordHasher as _;
        let salt = argon2::password_hash::SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let argon2i = argon2::Argon2::new(
            argon2::Algorithm::Argon2i,
            argon2::Version::V0x13,
            argon2::Params::new(4096, 3, 1, None).unwrap(),
        )
        .hash_password(b"pa55word", &salt)
        .unwrap()
        .to_string();
        assert!(is_legacy(&argon2i));
        assert!(verify(b"pa55word", &argon2i));
        assert!(!verify(b"pa55worD", &argon2i));
        for garbage in [
            "",
            "$",
            "$2b$",
            "$pbkdf2-sha256$i=0$a$b",
            "$sha256-salted$p=prefix$!!$??",
            "plain",
        ] {
            assert!(!verify(b"x", garbage), "{garbage}");
        }
    }
}
