//! A software WebAuthn authenticator (P-256, "none" attestation) that answers the JSON a browser
//! would send, with switches for the flags and counters tests need to vary.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use portcullis_core::crypto::{b64url, b64url_decode, sha256};
use serde_json::{Value, json};

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const BE: u8 = 0x08;
const BS: u8 = 0x10;
const AT: u8 = 0x40;

/// One credential held by the authenticator.
pub struct Credential {
    /// Raw credential id.
    pub id: Vec<u8>,
    /// The RP it belongs to.
    pub rp_id: String,
    /// The user handle the RP gave at registration.
    pub user_handle: Vec<u8>,
    /// Whether it is discoverable.
    pub resident: bool,
    /// Signature counter (left at 0 when `counter_step` is 0, like synced passkeys).
    pub counter: u32,
    key: EcdsaKeyPair,
}

/// A software authenticator.
pub struct SoftAuthenticator {
    /// The origin the "browser" reports in client data.
    pub origin: String,
    /// AAGUID reported at registration.
    pub aaguid: [u8; 16],
    /// Whether it verifies the user (PIN or biometric) when asked.
    pub verifies_user: bool,
    /// Whether credentials may be synced (BE and BS flags).
    pub synced: bool,
    /// Counter increment per signature (0 = no counter).
    pub counter_step: u32,
    /// Credentials created so far.
    pub credentials: Vec<Credential>,
    /// A credential id to claim at the next registration, ignoring the exclude list: a cloned
    /// or hostile authenticator replaying someone else's id.
    pub reuse_id: Option<Vec<u8>>,
}

impl SoftAuthenticator {
    /// A device-bound authenticator with user verification and a counter, for `origin`.
    pub fn new(origin: &str) -> Self {
        SoftAuthenticator {
            origin: origin.trim_end_matches('/').to_string(),
            aaguid: *b"portcullis-test!",
            verifies_user: true,
            synced: false,
            counter_step: 1,
            credentials: Vec::new(),
            reuse_id: None,
        }
    }

    fn flags(&self, uv_wanted: bool) -> u8 {
        let mut f = UP;
        if uv_wanted && self.verifies_user {
            f |= UV;
        }
        if self.synced {
            f |= BE | BS;
        }
        f
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .unwrap_or_default()
    }

    /// Answers `navigator.credentials.create(options)`; `options` is the server's JSON
    /// (`{"publicKey": …}`). Panics on options a browser would refuse.
    pub fn register(&mut self, options: &Value) -> Value {
        let pk = &options["publicKey"];
        let rp_id = pk["rp"]["id"].as_str().expect("rp.id").to_string();
        let challenge = pk["challenge"].as_str().expect("challenge");
        let user_handle = b64url_decode(pk["user"]["id"].as_str().expect("user.id")).unwrap();
        let sel = &pk["authenticatorSelection"];
        let resident = sel["residentKey"] == "required" || sel["requireResidentKey"] == true;
        let uv_wanted = sel["userVerification"] != "discouraged";
        let reused = self.reuse_id.take();
        if let (None, Some(excluded)) = (&reused, pk["excludeCredentials"].as_array()) {
            for e in excluded {
                let id = b64url_decode(e["id"].as_str().unwrap_or_default()).unwrap_or_default();
                assert!(
                    !self.credentials.iter().any(|c| c.id == id),
                    "InvalidStateError: this authenticator is already registered"
                );
            }
        }
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).unwrap();
        let point = key.public_key().as_ref().to_vec();
        let id = reused.unwrap_or_else(|| portcullis_core::crypto::random::bytes::<16>().to_vec());

        let mut cose = vec![0xa5];
        cose.extend_from_slice(&[0x01, 0x02]); // kty: EC2
        cose.extend_from_slice(&[0x03, 0x26]); // alg: ES256 (-7)
        cose.extend_from_slice(&[0x20, 0x01]); // crv: P-256
        cose.extend_from_slice(&[0x21, 0x58, 32]);
        cose.extend_from_slice(&point[1..33]);
        cose.extend_from_slice(&[0x22, 0x58, 32]);
        cose.extend_from_slice(&point[33..65]);

        let counter = self.counter_step;
        let mut auth = sha256(rp_id.as_bytes()).to_vec();
        auth.push(self.flags(uv_wanted) | AT);
        auth.extend_from_slice(&counter.to_be_bytes());
        auth.extend_from_slice(&self.aaguid);
        auth.extend_from_slice(&(id.len() as u16).to_be_bytes());
        auth.extend_from_slice(&id);
        auth.extend_from_slice(&cose);

        let mut att = vec![0xa3, 0x63];
        att.extend_from_slice(b"fmt");
        att.push(0x64);
        att.extend_from_slice(b"none");
        att.push(0x67);
        att.extend_from_slice(b"attStmt");
        att.push(0xa0);
        att.push(0x68);
        att.extend_from_slice(b"authData");
        att.extend_from_slice(&[0x59]);
        att.extend_from_slice(&(auth.len() as u16).to_be_bytes());
        att.extend_from_slice(&auth);

        let client_data = self.client_data("webauthn.create", challenge);
        self.credentials.push(Credential {
            id: id.clone(),
            rp_id,
            user_handle,
            resident,
            counter,
            key,
        });
        json!({
            "id": b64url(&id),
            "rawId": b64url(&id),
            "type": "public-key",
            "response": {
                "attestationObject": b64url(&att),
                "clientDataJSON": b64url(&client_data),
                "transports": ["internal"],
            },
            "extensions": {},
        })
    }

    /// Answers `navigator.credentials.get(options)`: with an allow list, the first listed
    /// credential it holds; without one, its newest discoverable credential for the RP.
    pub fn assert(&mut self, options: &Value) -> Option<Value> {
        let pk = &options["publicKey"];
        let rp_id = pk["rpId"].as_str()?.to_string();
        let challenge = pk["challenge"].as_str()?.to_string();
        let uv_wanted = pk["userVerification"] != "discouraged";
        let allowed: Vec<Vec<u8>> = pk["allowCredentials"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| b64url_decode(c["id"].as_str()?).ok())
                    .collect()
            })
            .unwrap_or_default();
        let flags = self.flags(uv_wanted);
        let step = self.counter_step;
        let index = if allowed.is_empty() {
            self.credentials
                .iter()
                .rposition(|c| c.rp_id == rp_id && c.resident)?
        } else {
            self.credentials
                .iter()
                .position(|c| c.rp_id == rp_id && allowed.contains(&c.id))?
        };
        let client_data = self.client_data("webauthn.get", &challenge);
        let cred = &mut self.credentials[index];
        cred.counter = cred.counter.wrapping_add(step);
        let mut auth = sha256(rp_id.as_bytes()).to_vec();
        auth.push(flags);
        auth.extend_from_slice(&cred.counter.to_be_bytes());
        let mut signed = auth.clone();
        signed.extend_from_slice(&sha256(&client_data));
        let sig = cred.key.sign(&SystemRandom::new(), &signed).ok()?;
        Some(json!({
            "id": b64url(&cred.id),
            "rawId": b64url(&cred.id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64url(&auth),
                "clientDataJSON": b64url(&client_data),
                "signature": b64url(sig.as_ref()),
                "userHandle": cred.resident.then(|| b64url(&cred.user_handle)),
            },
            "extensions": {},
        }))
    }
}
