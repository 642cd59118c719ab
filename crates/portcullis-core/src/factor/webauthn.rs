//! WebAuthn ceremonies: passkeys (discoverable, user verification required) and security keys
//! (a second factor after a password), on top of `webauthn-rs`.
//!
//! Ceremony state and stored credentials cross this boundary as JSON so the store and the
//! HTTP layer never depend on the library's types.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, SecurityKey, SecurityKeyAuthentication, SecurityKeyRegistration,
    Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::crypto::{b64url, b64url_decode, hmac_sha256};
use crate::{Error, Result};

/// How long a ceremony may take, in seconds; the challenge dies with it.
pub const CEREMONY_TTL: i64 = 300;

/// What is being registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Style {
    /// A discoverable credential with user verification: signs in without a password.
    Passkey,
    /// Any authenticator, user verification preferred: a second factor after a password.
    SecurityKey,
}

/// Options for the browser and the state the server keeps until the answer comes back.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// `CredentialCreationOptions` or `CredentialRequestOptions` as JSON (binary fields base64url).
    pub options: Value,
    /// Server-side state: store it, never send it to the browser.
    pub state: Value,
}

/// A credential that passed registration, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewCredential {
    /// Credential id, base64url.
    pub credential_id: String,
    /// The credential (public key, counter, policy) to be sealed at rest.
    pub credential: Value,
    /// Non-secret attributes for the security page and risk decisions.
    pub detail: Value,
    /// The signature counter at registration.
    pub sign_count: i64,
}

/// A verified assertion.
#[derive(Debug, Clone)]
pub struct Assertion {
    /// Credential id, base64url.
    pub credential_id: String,
    /// The authenticator verified the user (PIN or biometric) this time.
    pub user_verified: bool,
    /// The credential may be synced or backed up (so it is not bound to one device).
    pub backup_eligible: bool,
    /// The new signature counter (0 for authenticators without one).
    pub sign_count: i64,
    /// The stored credential with its counter and flags brought up to date.
    pub credential: Value,
}

fn lib(e: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("webauthn: {e}"))
}

fn to_json<T: Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(lib)
}

fn from_json<T: for<'de> Deserialize<'de>>(v: &Value) -> Result<T> {
    serde_json::from_value(v.clone()).map_err(lib)
}

/// The WebAuthn relying party of one issuer.
pub struct Relying {
    rp: Webauthn,
    handle_key: [u8; 32],
}

impl std::fmt::Debug for Relying {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relying").finish_non_exhaustive()
    }
}

impl Relying {
    /// A relying party for `origin` with `rp_id` (default: the origin's host) and a display
    /// name; `handle_key` derives opaque user handles, so credentials never carry our user ids.
    pub fn new(
        origin: &str,
        rp_id: Option<&str>,
        rp_name: &str,
        handle_key: [u8; 32],
    ) -> Result<Self> {
        let url = Url::parse(origin).map_err(lib)?;
        let host = url
            .host_str()
            .ok_or_else(|| Error::Invalid("webauthn: the issuer has no host".into()))?
            .to_string();
        let rp_id = rp_id.unwrap_or(&host);
        let origin = Url::parse(&url.origin().ascii_serialization()).map_err(lib)?;
        let rp = WebauthnBuilder::new(rp_id, &origin)
            .map_err(|_| {
                Error::Invalid(format!(
                    "webauthn: rp_id `{rp_id}` is not the issuer's host or a parent domain of it"
                ))
            })?
            .rp_name(rp_name)
            .timeout(std::time::Duration::from_secs(CEREMONY_TTL as u64))
            .build()
            .map_err(lib)?;
        Ok(Relying { rp, handle_key })
    }

    /// The stable, opaque WebAuthn user handle of a user.
    pub fn user_handle(&self, user_id: &str) -> Uuid {
        let mac = hmac_sha256(&self.handle_key, user_id.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&mac[..16]);
        Uuid::from_bytes(bytes)
    }

    /// Starts registering a credential for a user; `exclude` lists the ids they already have,
    /// so one authenticator is not registered twice.
    pub fn start_registration(
        &self,
        user_id: &str,
        name: &str,
        display_name: &str,
        exclude: &[String],
        style: Style,
    ) -> Result<Challenge> {
        let exclude: Vec<_> = exclude
            .iter()
            .filter_map(|id| b64url_decode(id).ok())
            .collect();
        let exclude = (!exclude.is_empty()).then_some(exclude);
        let handle = self.user_handle(user_id);
        let (mut options, state) = match style {
            Style::Passkey => {
                let (ccr, reg) = self
                    .rp
                    .start_passkey_registration(handle, name, display_name, exclude)
                    .map_err(lib)?;
                (to_json(&ccr)?, to_json(&reg)?)
            }
            Style::SecurityKey => {
                let (ccr, reg) = self
                    .rp
                    .start_securitykey_registration(handle, name, display_name, exclude, None, None)
                    .map_err(lib)?;
                (to_json(&ccr)?, to_json(&reg)?)
            }
        };
        if style == Style::Passkey {
            // The library leaves residence optional so security keys with little storage still
            // register; a passkey that signs in without a username must be discoverable.
            let sel = &mut options["publicKey"]["authenticatorSelection"];
            sel["residentKey"] = json!("required");
            sel["requireResidentKey"] = json!(true);
        }
        Ok(Challenge {
            options,
            state: json!({ "style": style, "state": state }),
        })
    }

    /// Checks the browser's answer to a registration challenge.
    pub fn finish_registration(&self, response: &Value, state: &Value) -> Result<NewCredential> {
        let style: Style = from_json(&state["style"])?;
        let reg: RegisterPublicKeyCredential = from_json(response)?;
        let credential = match style {
            Style::Passkey => {
                let st: PasskeyRegistration = from_json(&state["state"])?;
                to_json(
                    &self
                        .rp
                        .finish_passkey_registration(&reg, &st)
                        .map_err(lib)?,
                )?
            }
            Style::SecurityKey => {
                let st: SecurityKeyRegistration = from_json(&state["state"])?;
                to_json(
                    &self
                        .rp
                        .finish_securitykey_registration(&reg, &st)
                        .map_err(lib)?,
                )?
            }
        };
        let cred = &credential["cred"];
        let credential_id = cred["cred_id"]
            .as_str()
            .ok_or_else(|| lib("credential without an id"))?
            .to_string();
        let aaguid = response["response"]["attestationObject"]
            .as_str()
            .and_then(|a| b64url_decode(a).ok())
            .and_then(|a| aaguid(&a))
            .map(|g| Uuid::from_bytes(g).hyphenated().to_string());
        let transports: Vec<String> = response["response"]["transports"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str())
                    .filter(|t| {
                        t.len() <= 32 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    })
                    .take(8)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let detail = json!({
            "passkey": style == Style::Passkey,
            "user_verified": cred["user_verified"].as_bool().unwrap_or(false),
            "backup_eligible": cred["backup_eligible"].as_bool().unwrap_or(false),
            "backup_state": cred["backup_state"].as_bool().unwrap_or(false),
            "transports": transports,
            "aaguid": aaguid,
        });
        Ok(NewCredential {
            credential_id,
            sign_count: cred["counter"].as_i64().unwrap_or(0),
            credential,
            detail,
        })
    }

    /// Starts a second-factor challenge against a user's stored credentials.
    pub fn start_assertion(&self, credentials: &[Value]) -> Result<Challenge> {
        let keys: Vec<SecurityKey> = credentials.iter().map(from_json).collect::<Result<_>>()?;
        if keys.is_empty() {
            return Err(Error::Invalid("webauthn: no credentials".into()));
        }
        let (rcr, st) = self
            .rp
            .start_securitykey_authentication(&keys)
            .map_err(lib)?;
        let mut options = to_json(&rcr)?;
        // "security-key" would steer browsers away from platform passkeys that are also
        // registered as second factors.
        if let Some(pk) = options["publicKey"].as_object_mut() {
            pk.remove("hints");
        }
        Ok(Challenge {
            options,
            state: json!({ "kind": "assertion", "state": to_json(&st)? }),
        })
    }

    /// Starts a passwordless sign-in: any discoverable credential for this site, with user
    /// verification; `conditional` asks for autofill (conditional mediation) rather than a modal.
    pub fn start_discoverable(&self, conditional: bool) -> Result<Challenge> {
        let (rcr, st) = self.rp.start_discoverable_authentication().map_err(lib)?;
        let mut options = to_json(&rcr)?;
        if !conditional && let Some(o) = options.as_object_mut() {
            o.remove("mediation");
        }
        Ok(Challenge {
            options,
            state: json!({ "kind": "discoverable", "state": to_json(&st)? }),
        })
    }

    /// The credential id and user handle in a passwordless answer, to look the credential up.
    pub fn identify(&self, response: &Value) -> Result<(String, Uuid)> {
        let cred: PublicKeyCredential = from_json(response)?;
        let (handle, id) = self
            .rp
            .identify_discoverable_authentication(&cred)
            .map_err(lib)?;
        Ok((b64url(id), handle))
    }

    /// Verifies an answer to [`Relying::start_assertion`] or [`Relying::start_discoverable`]
    /// against the stored credential it names and the counter last seen.
    pub fn finish_assertion(
        &self,
        response: &Value,
        state: &Value,
        stored: &Value,
        stored_count: i64,
    ) -> Result<Assertion> {
        let cred: PublicKeyCredential = from_json(response)?;
        let key: SecurityKey = from_json(stored)?;
        let result = match state["kind"].as_str() {
            Some("assertion") => {
                let st: SecurityKeyAuthentication = from_json(&state["state"])?;
                self.rp
                    .finish_securitykey_authentication(&cred, &st)
                    .map_err(lib)?
            }
            Some("discoverable") => {
                let st: DiscoverableAuthentication = from_json(&state["state"])?;
                self.rp
                    .finish_discoverable_authentication_v2(&cred, st, &key)
                    .map_err(lib)?
            }
            _ => return Err(lib("unknown ceremony")),
        };
        let credential_id = b64url(result.cred_id());
        if stored["cred"]["cred_id"].as_str() != Some(credential_id.as_str()) {
            return Err(lib("the answer names another credential"));
        }
        let count = i64::from(result.counter());
        // W3C WebAuthn §7.2 step 21: a counter that does not move forward may mean a cloned
        // authenticator. The library checks its own copy; this checks the store's, which is
        // the one racing requests update.
        if (count > 0 || stored_count > 0) && count <= stored_count {
            return Err(Error::Invalid(
                "webauthn: signature counter went backwards (possible cloned authenticator)".into(),
            ));
        }
        let mut updated: Passkey = from_json(stored)?;
        updated.update_credential(&result);
        Ok(Assertion {
            credential_id,
            user_verified: result.user_verified(),
            backup_eligible: result.backup_eligible(),
            sign_count: count,
            credential: to_json(&updated)?,
        })
    }
}

/// The AAGUID in an attestation object (CBOR map with `authData`), if it parses.
fn aaguid(attestation_object: &[u8]) -> Option<[u8; 16]> {
    let auth_data = cbor::map_bytes(attestation_object, "authData")?;
    // rpIdHash (32) | flags (1) | signCount (4) | AAGUID (16) | …, with AT (0x40) set.
    if auth_data.len() < 53 || auth_data[32] & 0x40 == 0 {
        return None;
    }
    auth_data[37..53].try_into().ok()
}

/// Just enough CBOR (RFC 8949) to find one byte string in a map with text keys.
mod cbor {
    fn head(buf: &[u8], at: usize) -> Option<(u8, u64, usize)> {
        let b = *buf.get(at)?;
        let (major, info) = (b >> 5, b & 0x1f);
        let (value, len) = match info {
            0..=23 => (u64::from(info), 1),
            24 => (u64::from(*buf.get(at + 1)?), 2),
            25 => (
                u64::from(u16::from_be_bytes(
                    buf.get(at + 1..at + 3)?.try_into().ok()?,
                )),
                3,
            ),
            26 => (
                u64::from(u32::from_be_bytes(
                    buf.get(at + 1..at + 5)?.try_into().ok()?,
                )),
                5,
            ),
            27 => (
                u64::from_be_bytes(buf.get(at + 1..at + 9)?.try_into().ok()?),
                9,
            ),
            _ => return None,
        };
        Some((major, value, len))
    }

    /// The end of the item starting at `at`.
    fn skip(buf: &[u8], at: usize, depth: u8) -> Option<usize> {
        if depth > 8 {
            return None;
        }
        let (major, value, len) = head(buf, at)?;
        let mut pos = at.checked_add(len)?;
        match major {
            0 | 1 | 7 => Some(pos),
            2 | 3 => {
                let end = pos.checked_add(usize::try_from(value).ok()?)?;
                (end <= buf.len()).then_some(end)
            }
            4 | 5 => {
                let items = if major == 5 {
                    value.checked_mul(2)?
                } else {
                    value
                };
                for _ in 0..items {
                    pos = skip(buf, pos, depth + 1)?;
                }
                Some(pos)
            }
            6 => skip(buf, pos, depth + 1),
            _ => None,
        }
    }

    /// The byte string under text key `key` in the top-level map.
    pub fn map_bytes<'a>(buf: &'a [u8], key: &str) -> Option<&'a [u8]> {
        let (major, entries, len) = head(buf, 0)?;
        if major != 5 {
            return None;
        }
        let mut pos = len;
        for _ in 0..entries {
            let key_end = skip(buf, pos, 1)?;
            let (km, klen, kh) = head(buf, pos)?;
            let is_key = km == 3
                && buf.get(pos + kh..key_end)? == key.as_bytes()
                && klen as usize == key.len();
            let value_end = skip(buf, key_end, 1)?;
            if is_key {
                let (vm, _, vh) = head(buf, key_end)?;
                return (vm == 2).then(|| &buf[key_end + vh..value_end]);
            }
            pos = value_end;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_auth_data_in_cbor_maps() {
        // {"fmt": "none", "attStmt": {}, "authData": h'…'} with AT set and a known AAGUID.
        let mut auth = vec![0u8; 32];
        auth.push(0x45);
        auth.extend_from_slice(&[0, 0, 0, 1]);
        auth.extend_from_slice(&[7u8; 16]);
        auth.extend_from_slice(&[0, 1, 9]);
        let mut obj = vec![0xa3, 0x63];
        obj.extend_from_slice(b"fmt");
        obj.push(0x64);
        obj.extend_from_slice(b"none");
        obj.push(0x67);
        obj.extend_from_slice(b"attStmt");
        obj.push(0xa0);
        obj.push(0x68);
        obj.extend_from_slice(b"authData");
        obj.extend_from_slice(&[0x58, auth.len() as u8]);
        obj.extend_from_slice(&auth);
        assert_eq!(aaguid(&obj), Some([7u8; 16]));
        // Without the attested-data flag there is no AAGUID; truncated input is refused.
        let mut no_at = obj.clone();
        let flags = no_at.len() - auth.len() + 32;
        no_at[flags] = 0x05;
        assert_eq!(aaguid(&no_at), None);
        assert_eq!(aaguid(&obj[..obj.len() - 5]), None);
        assert_eq!(aaguid(&[0xff, 0x00]), None);
    }

    #[test]
    fn user_handles_are_stable_and_opaque() {
        let rp = Relying::new("http://localhost:8080", None, "Portcullis", [1; 32]).unwrap();
        assert_eq!(rp.user_handle("usr_a"), rp.user_handle("usr_a"));
        assert_ne!(rp.user_handle("usr_a"), rp.user_handle("usr_b"));
        let other = Relying::new("http://localhost:8080", None, "Portcullis", [2; 32]).unwrap();
        assert_ne!(rp.user_handle("usr_a"), other.user_handle("usr_a"));
    }

    #[test]
    fn rp_id_must_cover_the_issuer() {
        assert!(Relying::new("https://id.example.com", Some("example.com"), "P", [0; 32]).is_ok());
        assert!(Relying::new("https://id.example.com", Some("other.com"), "P", [0; 32]).is_err());
        assert!(Relying::new("https://id.example.com/tenant", None, "P", [0; 32]).is_ok());
    }

    #[test]
    fn passkey_registration_asks_for_a_discoverable_verified_credential() {
        let rp = Relying::new("http://localhost:8080", None, "Portcullis", [1; 32]).unwrap();
        let c = rp
            .start_registration("usr_a", "ada@example.com", "Ada", &[], Style::Passkey)
            .unwrap();
        let sel = &c.options["publicKey"]["authenticatorSelection"];
        assert_eq!(sel["residentKey"], "required");
        assert_eq!(sel["userVerification"], "required");
        assert_eq!(c.options["publicKey"]["rp"]["id"], "localhost");
        let k = rp
            .start_registration("usr_a", "ada@example.com", "Ada", &[], Style::SecurityKey)
            .unwrap();
        assert_ne!(
            k.options["publicKey"]["authenticatorSelection"]["residentKey"],
            "required"
        );
    }
}
