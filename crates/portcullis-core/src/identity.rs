//! What an account is called: email addresses in one canonical form, their look-alike key, and
//! display names without characters that hide or reorder text.
//!
//! An address is stored trimmed, in Unicode NFC, lower-cased, with its domain in IDNA ASCII
//! form (UTS #46), so `Ada@EXAMPLE.com` and `ada@example.com` are one account. Addresses that
//! merely look alike (`аda@example.com` with a Cyrillic `а`, fullwidth `ａda@…`) are different
//! strings; their Unicode TR39 skeletons are equal, which is how sign-up and admin creation
//! refuse to make a second account that wears the face of an existing one.

use unicode_normalization::UnicodeNormalization;

use crate::{Error, Result};

/// Why an address is refused when it looks like another account's (`Error::Conflict`).
pub const LOOK_ALIKE: &str = "the email address looks like the address of an existing user";

/// Refuses `email` when another account's address looks like it (same skeleton, other
/// string); `except` is the account being changed, which may keep its own look.
pub async fn check_look_alike(
    store: &dyn crate::ports::Store,
    email: &str,
    except: Option<&str>,
) -> Result<()> {
    match store.user_look_alike(email).await? {
        Some(other) if Some(other.id.as_str()) != except => Err(Error::Conflict(LOOK_ALIKE.into())),
        _ => Ok(()),
    }
}

/// The canonical form of an address as typed (never fails; see [`parse_email`] for checks).
pub fn normalize_email(raw: &str) -> String {
    let lowered: String = raw.trim().nfc().collect::<String>().to_lowercase();
    match lowered.rsplit_once('@') {
        Some((local, domain)) => {
            let domain = idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_string());
            format!("{local}@{domain}")
        }
        None => lowered,
    }
}

/// Normalises and checks an email address: one `@` with text on each side, no spaces or
/// control characters, a domain IDNA accepts, at most 254 characters.
pub fn parse_email(raw: &str) -> Result<String> {
    let invalid = || Error::Invalid("email address is not valid".into());
    let trimmed = raw.trim();
    if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = trimmed.split_once('@').ok_or_else(invalid)?;
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err(invalid());
    }
    if idna::domain_to_ascii(&domain.nfc().collect::<String>().to_lowercase()).is_err() {
        return Err(invalid());
    }
    let email = normalize_email(trimmed);
    if email.len() > 254 || email.ends_with('@') {
        return Err(invalid());
    }
    Ok(email)
}

/// The look-alike key of an address: the TR39 skeleton of its canonical form, so addresses
/// that a reader cannot tell apart have the same key.
pub fn email_skeleton(email: &str) -> String {
    let canonical = normalize_email(email);
    let (local, domain) = canonical
        .rsplit_once('@')
        .unwrap_or((canonical.as_str(), ""));
    // The domain is compared as people read it: its Unicode form.
    let (domain, _) = idna::domain_to_unicode(domain);
    let skeleton: String = unicode_security::skeleton(&format!("{local}@{domain}")).collect();
    skeleton.to_lowercase()
}

/// Characters that change the direction or visibility of the text around them (Unicode bidi
/// controls and line separators): a name with them can show something other than it is.
pub fn hides_text(c: char) -> bool {
    matches!(c,
        '\u{200E}' | '\u{200F}' | '\u{061C}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}'
        | '\u{2028}' | '\u{2029}')
}

/// Checks a display name: no control characters (NUL included), no bidi controls, at most
/// 300 characters.
pub fn check_name(name: &str) -> Result<()> {
    if name.chars().any(|c| c.is_control() || hides_text(c)) {
        return Err(Error::Invalid(
            "name must not contain control or text-direction characters".into(),
        ));
    }
    if name.chars().count() > 300 {
        return Err(Error::Invalid("name is longer than 300 characters".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_normalized_nfc_lowercase_idna() {
        assert_eq!(parse_email(" Ada@EXAMPLE.com ").unwrap(), "ada@example.com");
        // NFD "é" is stored as NFC; a Unicode domain as its ASCII form.
        assert_eq!(
            normalize_email("re\u{301}my@b\u{fc}cher.de"),
            "rémy@xn--bcher-kva.de"
        );
        assert_eq!(
            normalize_email("rémy@xn--bcher-kva.de"),
            normalize_email("re\u{301}my@BÜCHER.de")
        );
        for bad in ["nope", "a@b@c", "a b@c", "@c", "a@", "a\u{0}b@c.d"] {
            assert!(parse_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn email_look_alikes_share_a_skeleton() {
        let real = email_skeleton("alice@example.com");
        assert_eq!(
            email_skeleton("\u{430}lice@example.com"),
            real,
            "Cyrillic а"
        );
        assert_eq!(
            email_skeleton("\u{ff41}lice@example.com"),
            real,
            "fullwidth a"
        );
        assert_eq!(
            email_skeleton("alice@ex\u{430}mple.com"),
            real,
            "Cyrillic in the domain"
        );
        assert_ne!(email_skeleton("alicia@example.com"), real);
    }

    #[test]
    fn names_without_control_or_bidi_characters() {
        assert!(check_name("Ada Lovelace").is_ok());
        assert!(check_name("José Ñúñez 李").is_ok());
        assert!(check_name("Ada\u{0}").is_err());
        assert!(check_name("evil\u{202E}gnp.exe").is_err());
        assert!(check_name("line\nbreak").is_err());
        assert!(check_name(&"x".repeat(301)).is_err());
    }
}
