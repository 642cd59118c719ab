//! Password rules after NIST SP 800-63B: length, not composition. At least 8 characters, or 15
//! when the password is the account's only factor (SP 800-63B-4 §3.1.1.2); up to 256; every
//! printable character and space allowed; refused when it is a common or breached password (the
//! lists shipped with `zxcvbn`: 30 000 common passwords, names, words, keyboard walks) or built
//! on the user's own email or name.

use zxcvbn::matching::patterns::MatchPattern;
use zxcvbn::{Score, zxcvbn};

/// The shortest password beside a second factor.
pub const MIN_WITH_MFA: usize = 8;
/// The shortest password that is the only factor.
pub const MIN_SINGLE_FACTOR: usize = 15;
/// The longest password accepted (Argon2 does not mind; the limit keeps requests small).
pub const MAX: usize = 256;
/// Only this much of a password goes through the strength estimate, which grows with length.
const ESTIMATE_CHARS: usize = 100;

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weakness {
    /// Fewer characters than `min`.
    TooShort {
        /// The minimum that applied.
        min: usize,
    },
    /// More than [`MAX`] characters.
    TooLong,
    /// Control characters (a pasted line break, a NUL) are not part of a password.
    Unprintable,
    /// It is, or is little more than, a common or breached password.
    Common,
    /// It is built on the user's email address or name.
    Personal,
    /// It is guessed within about 10^8 tries (a keyboard walk, a date, a repeated word).
    Guessable,
}

impl std::fmt::Display for Weakness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Weakness::TooShort { min } => write!(f, "password must have at least {min} characters"),
            Weakness::TooLong => write!(f, "password must have at most {MAX} characters"),
            Weakness::Unprintable => write!(f, "password must not contain control characters"),
            Weakness::Common => write!(f, "password is a commonly used or breached password"),
            Weakness::Personal => write!(f, "password must not contain your email address or name"),
            Weakness::Guessable => write!(
                f,
                "password is too easy to guess; a few uncommon words make a strong one"
            ),
        }
    }
}

/// Checks a new password. `single_factor`: the account has no second factor, so the password
/// alone stands for it. `personal`: the user's email address and name.
pub fn check(password: &str, single_factor: bool, personal: &[&str]) -> Result<(), Weakness> {
    let length = password.chars().count();
    let min = if single_factor {
        MIN_SINGLE_FACTOR
    } else {
        MIN_WITH_MFA
    };
    if length < min {
        return Err(Weakness::TooShort { min });
    }
    if length > MAX {
        return Err(Weakness::TooLong);
    }
    if password.chars().any(char::is_control) {
        return Err(Weakness::Unprintable);
    }
    let lower = password.to_lowercase();
    let inputs = personal_parts(personal);
    if inputs.iter().any(|p| lower.contains(p.as_str())) {
        return Err(Weakness::Personal);
    }
    let sample: String = password.chars().take(ESTIMATE_CHARS).collect();
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let estimate = zxcvbn(&sample, &refs);
    // A word from the password list with nothing but digits, symbols and spaces around it
    // ("Password1234567!", "p@ssw0rd2024"): a common password, whatever the capitals, l33t or
    // reversal. (The crate does not export its dictionary type; the password list is its
    // default.)
    let chars: Vec<char> = sample.chars().collect();
    let common = estimate.sequence().iter().any(|m| {
        matches!(&m.pattern, MatchPattern::Dictionary(d) if d.dictionary_name == Default::default())
            && m.token.chars().count() >= 4
            && chars
                .iter()
                .enumerate()
                .filter(|(k, _)| !m.range_inclusive().contains(k))
                .all(|(_, c)| !c.is_alphabetic())
    });
    if common {
        return Err(Weakness::Common);
    }
    if estimate.score() < Score::Two {
        return Err(Weakness::Guessable);
    }
    Ok(())
}

/// A strength from 0 to 4 for a meter (the `zxcvbn` score), counting the user's own details as
/// known to an attacker.
pub fn strength(password: &str, personal: &[&str]) -> u8 {
    let sample: String = password.chars().take(ESTIMATE_CHARS).collect();
    let inputs = personal_parts(personal);
    let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    zxcvbn(&sample, &refs).score() as u8
}

/// The user's details as an attacker would try them: the email, its local part and the words
/// of the name, lower-cased, at least 3 characters each.
fn personal_parts(personal: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for p in personal {
        let p = p.trim().to_lowercase();
        if let Some((local, _)) = p.split_once('@') {
            out.push(local.to_string());
        }
        out.extend(p.split(|c: char| !c.is_alphanumeric()).map(str::to_string));
        out.push(p);
    }
    out.retain(|p| p.chars().count() >= 3);
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_follow_800_63b_4() {
        assert_eq!(
            check("Tq8#vz", false, &[]),
            Err(Weakness::TooShort { min: 8 })
        );
        assert_eq!(check("quiet lynx fjord", false, &[]), Ok(()));
        assert_eq!(
            check("lynx fjord 9", true, &[]),
            Err(Weakness::TooShort { min: 15 })
        );
        assert_eq!(check("quiet lynx fjord", true, &[]), Ok(()));
        assert_eq!(check(&"x".repeat(257), false, &[]), Err(Weakness::TooLong));
        assert_eq!(
            check("quiet lynx\nfjord", false, &[]),
            Err(Weakness::Unprintable)
        );
    }

    #[test]
    fn any_printable_character_and_spaces_are_welcome() {
        assert_eq!(check("Ünïcödé 🦀 pässwörd ✓ ok", true, &[]), Ok(()));
        assert_eq!(check("  spaces   are fine here  ", true, &[]), Ok(()));
    }

    #[test]
    fn common_and_breached_passwords_are_refused_in_any_disguise() {
        for p in [
            "password1",
            "Password123",
            "p@ssw0rd1",
            "qwertyuiop",
            "iloveyou12",
            "1q2w3e4r5t",
        ] {
            assert!(
                matches!(
                    check(p, false, &[]),
                    Err(Weakness::Common | Weakness::Guessable)
                ),
                "{p}"
            );
        }
    }

    #[test]
    fn the_users_own_details_are_refused() {
        let me = ["ada.lovelace@example.com", "Ada Lovelace"];
        assert_eq!(
            check("lovelace rules 1815!", false, &me),
            Err(Weakness::Personal)
        );
        assert_eq!(
            check("ada.lovelace2024", false, &me),
            Err(Weakness::Personal)
        );
        assert_eq!(check("quiet lynx fjord", false, &me), Ok(()));
    }

    #[test]
    fn strength_grows_with_uncommon_words() {
        assert!(strength("password", &[]) <= 1);
        assert_eq!(strength("correct horse battery staple", &[]), 4);
    }
}
