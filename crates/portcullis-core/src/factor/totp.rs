//! Time-based one-time passwords (RFC 6238 over RFC 4226): SHA-1, 6 digits, 30-second steps,
//! the parameters every authenticator app understands.

use aws_lc_rs::hmac;
use data_encoding::BASE32_NOPAD;

use crate::crypto::random;

/// Seconds per time step (RFC 6238 §4.1, X).
pub const STEP: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Steps accepted either side of the current one, for clock drift (RFC 6238 §5.2).
pub const DRIFT: i64 = 1;

/// A TOTP shared secret (160 bits, as RFC 4226 §4 recommends). `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

impl TotpSecret {
    /// A new random secret.
    pub fn generate() -> Self {
        TotpSecret(random::bytes::<20>().to_vec())
    }

    /// A secret from raw bytes (as decrypted from the store).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        TotpSecret(bytes)
    }

    /// A secret typed or scanned as base32 (spaces and case ignored).
    pub fn from_base32(text: &str) -> Option<Self> {
        let clean: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        BASE32_NOPAD.decode(clean.as_bytes()).ok().map(TotpSecret)
    }

    /// The raw bytes, to be encrypted for storage.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Base32 without padding, for manual entry in an authenticator app.
    pub fn base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The `otpauth://totp/…` URI of the Key Uri Format that authenticator apps scan.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let label = format!("{issuer}:{account}");
        let mut url = String::from("otpauth://totp/");
        url.push_str(&percent(&label));
        url.push_str("?secret=");
        url.push_str(&self.base32());
        url.push_str("&issuer=");
        url.push_str(&percent(issuer));
        url.push_str("&algorithm=SHA1&digits=6&period=30");
        url
    }

    /// The code for time step `step` (RFC 4226 §5.3 dynamic truncation).
    pub fn code_at_step(&self, step: i64) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &self.0);
        let tag = hmac::sign(&key, &step.to_be_bytes());
        let mac = tag.as_ref();
        let offset = usize::from(mac[mac.len() - 1] & 0x0f);
        let binary = u32::from_be_bytes([
            mac[offset] & 0x7f,
            mac[offset + 1],
            mac[offset + 2],
            mac[offset + 3],
        ]);
        format!(
            "{:0width$}",
            binary % 10u32.pow(DIGITS),
            width = DIGITS as usize
        )
    }

    /// The code valid at Unix time `now`.
    pub fn code_at(&self, now: i64) -> String {
        self.code_at_step(now.div_euclid(STEP))
    }

    /// Checks `code` at `now` within ±[`DRIFT`] steps, refusing any step at or before
    /// `last_step` (the newest step this factor has already accepted), so a code — or one from an
    /// earlier window — works at most once. Returns the matched step, to be stored as the new
    /// `last_step` with a compare-and-set.
    pub fn verify(&self, code: &str, now: i64, last_step: Option<i64>) -> Option<i64> {
        let code = code.trim();
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let current = now.div_euclid(STEP);
        let mut matched = None;
        // Every candidate is computed and compared in constant time, so timing does not tell
        // which window matched.
        for step in (current - DRIFT)..=(current + DRIFT) {
            let ok =
                crate::crypto::secret::ct_eq(self.code_at_step(step).as_bytes(), code.as_bytes());
            if ok && last_step.is_none_or(|last| step > last) && matched.is_none() {
                matched = Some(step);
            }
        }
        matched
    }
}

fn percent(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Renders `data` as a QR code in SVG, drawn on the server so the page needs no script.
pub fn qr_svg(data: &str) -> crate::Result<String> {
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)
        .map_err(|e| crate::Error::Invalid(format!("qr: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890"; the RFC
    // lists 8-digit values, whose last six digits are the 6-digit codes.
    const VECTORS: [(i64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec())
    }

    #[test]
    fn totp_rfc6238_vectors_match() {
        for (t, expected) in VECTORS {
            assert_eq!(rfc_secret().code_at(t), expected[2..], "t={t}");
        }
    }

    #[test]
    fn totp_neighbouring_steps_accepted_others_refused() {
        let s = rfc_secret();
        let now = 1_234_567_890;
        let step = now / STEP;
        assert_eq!(s.verify(&s.code_at(now), now, None), Some(step));
        assert_eq!(s.verify(&s.code_at(now - 30), now, None), Some(step - 1));
        assert_eq!(s.verify(&s.code_at(now + 30), now, None), Some(step + 1));
        assert_eq!(s.verify(&s.code_at(now - 60), now, None), None);
        assert_eq!(s.verify(&s.code_at(now + 60), now, None), None);
    }

    #[test]
    fn totp_used_or_earlier_step_refused() {
        let s = rfc_secret();
        let now = 1_234_567_890;
        let step = now / STEP;
        assert_eq!(s.verify(&s.code_at(now), now, Some(step)), None);
        assert_eq!(s.verify(&s.code_at(now - 30), now, Some(step)), None);
        assert_eq!(
            s.verify(&s.code_at(now + 30), now, Some(step)),
            Some(step + 1)
        );
    }

    #[test]
    fn totp_malformed_code_refused() {
        let s = rfc_secret();
        for bad in ["", "12345", "1234567", "abcdef", "12 456"] {
            assert_eq!(s.verify(bad, 59, None), None, "{bad:?}");
        }
    }

    #[test]
    fn totp_uri_has_issuer_account_and_secret() {
        let s = rfc_secret();
        let uri = s.uri("Portcullis Demo", "ada@example.com");
        assert!(uri.starts_with("otpauth://totp/Portcullis%20Demo%3Aada%40example.com?secret="));
        assert!(uri.contains(&format!("secret={}", s.base32())));
        assert!(uri.contains("&issuer=Portcullis%20Demo"));
        assert_eq!(s.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
            Some(s.clone())
        );
        assert!(!format!("{s:?}").contains("GEZ"));
    }

    #[test]
    fn totp_qr_is_svg() {
        let svg = qr_svg("otpauth://totp/x?secret=AAAA").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
