//! The records Portcullis keeps, as the store hands them to the logic.

use crate::policy::PolicyOverrides;
use serde::{Deserialize, Serialize};

use crate::authn::assurance::Proof;
use crate::factor::FactorKind;

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable id (`usr_…`), the `sub` claim.
    pub id: String,
    /// Email address, unique, stored lower-cased.
    pub email: String,
    /// Whether the email address is verified.
    pub email_verified: bool,
    /// Display name.
    pub name: Option<String>,
    /// Argon2id PHC string, if the user has a password.
    #[serde(skip_serializing)]
    pub password_hash: Option<String>,
    /// Whether sign-in is blocked.
    pub blocked: bool,
    /// Creation time.
    pub created_at: i64,
    /// Last successful sign-in.
    pub last_login: Option<i64>,
    /// Data the user may change through apps (Auth0's `user_metadata`), a JSON object.
    #[serde(default = "empty_object")]
    pub user_metadata: serde_json::Value,
    /// Data only admins change (roles, plans), a JSON object.
    #[serde(default = "empty_object")]
    pub app_metadata: serde_json::Value,
}

/// `{}`: the value of metadata nobody has set.
pub fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(serde_json::Map::new())
}

/// How many active (not blocked) users have a second factor, overall and by kind: the console's
/// MFA adoption.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adoption {
    /// Users not blocked.
    pub active_users: i64,
    /// Of those, users with at least one active factor.
    pub with_factor: i64,
    /// Of those, users with an active factor of each kind (`webauthn`, `totp`, …).
    pub by_kind: Vec<(String, i64)>,
}

/// Which field the console's user search matches the start of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSearch {
    /// The email address (stored lowercased).
    #[default]
    Email,
    /// The display name, case-folded.
    Name,
}

/// Which audit events to read, newest first (the management API's `/logs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only the event with this row id.
    pub id: Option<i64>,
    /// Only events with a smaller row id: keyset paging that events written meanwhile cannot
    /// shift.
    pub before_id: Option<i64>,
    /// Only events about this user.
    pub user_id: Option<String>,
    /// Only events of this type, or of every type under it when it ends in `.` (`factor.`).
    pub kind: Option<String>,
    /// Only events at or after this time.
    pub from: Option<i64>,
    /// Only events before this time.
    pub to: Option<i64>,
    /// Events to skip.
    pub offset: i64,
    /// Most events to return.
    pub limit: i64,
}

/// An audit event with its row id, the stable `log_id` of the management API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    /// Row id.
    pub id: i64,
    /// The event.
    pub event: AuditEvent,
}

/// A relying party (OAuth client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    /// The `client_id`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Digest of the client secret ([`crate::crypto::token_digest`]); `None` for public clients.
    #[serde(skip_serializing)]
    pub secret_digest: Option<String>,
    /// Exact redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Exact post-logout redirect URIs.
    pub post_logout_redirect_uris: Vec<String>,
    /// Allowed grant types.
    pub grant_types: Vec<String>,
    /// OIDC back-channel logout URI.
    pub backchannel_logout_uri: Option<String>,
    /// First-party clients get no consent screen.
    pub first_party: bool,
    /// JWS algorithm for this client's tokens (`EdDSA`, `ES256`, `RS256`).
    pub signing_alg: String,
    /// MFA policy keys this client overrides.
    #[serde(default, skip_serializing_if = "PolicyOverrides::is_empty")]
    pub policy: PolicyOverrides,
    /// Creation time.
    pub created_at: i64,
}

impl Client {
    /// Public clients cannot keep a secret and must use PKCE.
    pub fn is_public(&self) -> bool {
        self.secret_digest.is_none()
    }

    /// Whether the client may use `grant_type`.
    pub fn allows_grant(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }
}

/// An API (resource server), identified by its audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Api {
    /// Internal id (`api_…`).
    pub id: String,
    /// The audience identifier, usually a URI.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// Scopes the API defines.
    pub scopes: Vec<String>,
    /// Access token lifetime in seconds.
    pub token_ttl: i64,
    /// The algorithm its access tokens are signed with (`None`: RS256, the default every
    /// common resource-server library verifies).
    #[serde(default)]
    pub signing_alg: Option<String>,
    /// MFA policy keys this API overrides (the most specific layer).
    #[serde(default, skip_serializing_if = "PolicyOverrides::is_empty")]
    pub policy: PolicyOverrides,
    /// Creation time.
    pub created_at: i64,
}

/// Scopes a client may obtain for an API with `client_credentials` (Auth0's client grant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientGrant {
    /// The client.
    pub client_id: String,
    /// The API's audience identifier.
    pub audience: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

/// A signing key as stored: private key encrypted with the master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    /// Key id (RFC 7638 thumbprint).
    pub kid: String,
    /// JOSE algorithm.
    pub alg: String,
    /// PKCS#8 DER, encrypted with the master key.
    pub private_encrypted: Vec<u8>,
    /// Creation time; the newest unretired key per algorithm signs.
    pub created_at: i64,
    /// When rotation retired it; it stays published until its tokens expire.
    pub retired_at: Option<i64>,
}

/// A server-side sign-in session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Public session id, the `sid` claim.
    pub id: String,
    /// The user.
    pub user_id: String,
    /// Creation time.
    pub created_at: i64,
    /// Time of the most recent interactive authentication.
    pub auth_time: i64,
    /// Assurance level reached.
    pub acr: String,
    /// Methods used (RFC 8176).
    pub amr: Vec<String>,
    /// Absolute expiry.
    pub expires_at: i64,
    /// Clients that received tokens in this session, for logout.
    pub clients: Vec<String>,
    /// Each factor proved in the session and when; `acr`, `amr` and `auth_time` derive from it.
    #[serde(default)]
    pub proofs: Vec<Proof>,
    /// The browser it was made in (its `User-Agent`), for the lists of sessions.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// The address it was made from.
    #[serde(default)]
    pub ip: Option<String>,
    /// When it was last used (written at most every [`Session::SEEN_EVERY`] seconds).
    #[serde(default)]
    pub last_seen_at: Option<i64>,
}

impl Session {
    /// A new session for `user_id` from what was just proved, ending at `expires_at`.
    pub fn start(
        user_id: &str,
        now: i64,
        expires_at: i64,
        proofs: impl IntoIterator<Item = Proof>,
    ) -> Session {
        let mut s = Session {
            id: crate::crypto::random::id("ses"),
            user_id: user_id.into(),
            created_at: now,
            auth_time: now,
            acr: String::new(),
            amr: vec![],
            expires_at,
            clients: vec![],
            proofs: vec![],
            user_agent: None,
            ip: None,
            last_seen_at: None,
        };
        s.prove(proofs);
        s
    }

    /// How stale `last_seen_at` may get before a use writes it again: one write per five
    /// minutes of use, not one per request.
    pub const SEEN_EVERY: i64 = 300;

    /// Adds proofs and recomputes `acr`, `amr` and `auth_time` from all of them.
    pub fn prove(&mut self, proofs: impl IntoIterator<Item = Proof>) {
        self.proofs.extend(proofs);
        if let Some(a) = crate::authn::assurance::evaluate(&self.proofs) {
            self.acr = a.acr.as_str().to_string();
            self.amr = a.amr;
            self.auth_time = a.auth_time;
        }
    }
}

/// What an authorization code or refresh token carries about the authentication behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantContext {
    /// The client it was issued to.
    pub client_id: String,
    /// The user.
    pub user_id: String,
    /// The session it came from.
    pub session_id: String,
    /// Granted scope (space-separated).
    pub scope: String,
    /// Requested API audience, if any.
    pub audience: Option<String>,
    /// Time of the authentication.
    pub auth_time: i64,
    /// Assurance level.
    pub acr: String,
    /// Methods.
    pub amr: Vec<String>,
    /// Token family: everything issued from one code; revoked together.
    pub family_id: String,
    /// Claims the post-login Actions added at the sign-in, for the tokens it mints.
    #[serde(default, skip_serializing_if = "ExtraClaims::is_empty")]
    pub claims: ExtraClaims,
    /// The DPoP key (RFC 7638 thumbprint) its refresh tokens are bound to: a public client's
    /// refresh works only with a proof by that key (RFC 9449 §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
    /// The TLS client certificate (`x5t#S256`) its refresh tokens are bound to: a public
    /// client's refresh works only over a connection presenting it (RFC 8705 §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5t: Option<String>,
}

/// A new account as an import writes it: the user, the id it had in the system it came from,
/// and its factors (secrets already sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The user.
    pub user: User,
    /// Its id in the system it came from, kept as an alias.
    pub alias: Option<String>,
    /// Its factors.
    pub factors: Vec<Factor>,
}

/// Custom claims from post-login Actions (`api.idToken.setCustomClaim`,
/// `api.accessToken.setCustomClaim`), carried from a sign-in to the tokens it mints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraClaims {
    /// For the ID token.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub id: serde_json::Map<String, serde_json::Value>,
    /// For the access token.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub access: serde_json::Map<String, serde_json::Value>,
}

impl ExtraClaims {
    /// Whether there is nothing to add.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty() && self.access.is_empty()
    }
}

/// A one-time authorization code (RFC 6749 §4.1.2), stored by digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthCode {
    /// Digest of the code.
    pub digest: String,
    /// The redirect URI the code was sent to.
    pub redirect_uri: String,
    /// The OIDC nonce, echoed in the ID token.
    pub nonce: Option<String>,
    /// PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// The grant it carries.
    pub grant: GrantContext,
    /// Expiry.
    pub expires_at: i64,
}

/// A refresh token, stored by digest; rotated on each use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshToken {
    /// Digest of the token.
    pub digest: String,
    /// The grant it carries.
    pub grant: GrantContext,
    /// Creation time.
    pub created_at: i64,
    /// Expiry.
    pub expires_at: i64,
}

/// The result of spending a one-time item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spent<T> {
    /// First use: it is now spent.
    Fresh(T),
    /// It had been spent before (a replay).
    Replayed(T),
    /// No such item.
    Missing,
}

/// A pending `/authorize` request waiting for the user at the hosted pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAuthorization {
    /// Random id, carried by the login page.
    pub id: String,
    /// The validated request, as JSON.
    pub request: serde_json::Value,
    /// Expiry.
    pub expires_at: i64,
}

/// An audit event's place in the hash chain: its number, the previous link's hash and its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLink {
    /// Position, from 1, without gaps.
    pub seq: i64,
    /// The hash of the event before (or of the checkpoint, or the genesis value).
    pub prev_hash: String,
    /// This event's hash: a keyed MAC over `prev_hash`, `seq` and the event.
    pub hash: String,
}

/// A stored audit event with its link (`None` for events written before the chain existed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent {
    /// Row id, in insertion order.
    pub id: i64,
    /// Its link.
    pub link: Option<AuditLink>,
    /// The event.
    pub event: AuditEvent,
}

/// The newest event's number and hash, MACed: what the chain must end with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSeal {
    /// The newest event's number.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// MAC over both.
    pub seal: String,
}

/// A sealed checkpoint standing for pruned events: the last pruned link, MACed so it cannot be
/// moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheckpoint {
    /// The last pruned event's number.
    pub seq: i64,
    /// Its hash, the next event's `prev_hash`.
    pub hash: String,
    /// When the checkpoint was made.
    pub at: i64,
    /// MAC over the above.
    pub seal: String,
}

/// One row of the audit trail (DESIGN.md §8); never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Event time.
    pub at: i64,
    /// Event type, e.g. `login.success`, `token.refresh_reuse`.
    pub kind: String,
    /// The user concerned.
    pub user_id: Option<String>,
    /// The client concerned.
    pub client_id: Option<String>,
    /// Client IP address.
    pub ip: Option<String>,
    /// User agent.
    pub user_agent: Option<String>,
    /// Extra detail (ids, reasons).
    pub detail: serde_json::Value,
}

/// An enrolled second factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    /// Id (`fac_…`).
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Type.
    pub kind: FactorKind,
    /// Nickname shown on the security page.
    pub name: String,
    /// Secret material encrypted with the master key (TOTP seed, WebAuthn credential).
    #[serde(skip_serializing)]
    pub secret_enc: Option<Vec<u8>>,
    /// Where codes go, for email and SMS factors.
    pub target: Option<String>,
    /// WebAuthn credential id (base64url), unique across users.
    pub credential_id: Option<String>,
    /// Non-secret attributes (WebAuthn flags, transports, AAGUID).
    pub detail: serde_json::Value,
    /// WebAuthn signature counter.
    pub sign_count: i64,
    /// TOTP: the newest time step accepted, so no code is accepted twice.
    pub last_step: Option<i64>,
    /// `false` while an association waits for its first successful use.
    pub active: bool,
    /// Enrolment time.
    pub created_at: i64,
    /// Last successful use.
    pub last_used_at: Option<i64>,
}

/// A one-time code or magic link sent to a person, stored as an HMAC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneTimeCode {
    /// Id (`otp_…`), also bound into the digest.
    pub id: String,
    /// The user, when known.
    pub user_id: Option<String>,
    /// What it is for (`mfa`, `enroll`, `magic_link`); a new code for the same purpose and
    /// destination replaces the old one.
    pub purpose: String,
    /// `email` or `sms`.
    pub channel: String,
    /// Address or phone number.
    pub destination: String,
    /// HMAC of the code (or of the link token).
    pub digest: String,
    /// Wrong guesses so far.
    pub attempts: i64,
    /// Extra context (factor id, pending authorization).
    pub data: serde_json::Value,
    /// Creation time.
    pub created_at: i64,
    /// Expiry.
    pub expires_at: i64,
}

/// Short-lived server-side state of a multi-step flow (a sign-in waiting for its second factor,
/// a WebAuthn ceremony, an enrolment awaiting its first code), keyed by a random id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// Id: the digest of a random token the browser holds, or a random id.
    pub id: String,
    /// What flow it is.
    pub kind: String,
    /// The user concerned.
    pub user_id: Option<String>,
    /// The state.
    pub data: serde_json::Value,
    /// Expiry.
    pub expires_at: i64,
}

/// An application's public keys for `private_key_jwt` (RFC 7523): a JWKS by value or by
/// address. A client with keys authenticates with signed assertions only, never a secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientKeys {
    /// The JWKS (`{"keys": [...]}`), public keys only.
    pub jwks: Option<serde_json::Value>,
    /// Where the client publishes its JWKS (https).
    pub jwks_uri: Option<String>,
}

/// A browser remembered after a multi-factor sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Id (`dev_…`).
    pub id: String,
    /// The user it is bound to.
    pub user_id: String,
    /// Digest of the current cookie token (rotated on each use).
    #[serde(skip_serializing)]
    pub token_digest: String,
    /// Browser description for the security page.
    pub label: String,
    /// When it was remembered.
    pub created_at: i64,
    /// Last time it skipped a second factor.
    pub last_used_at: Option<i64>,
    /// Expiry.
    pub expires_at: i64,
}

/// Consecutive failures counted against one key (an account's password or factors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Consecutive failures.
    pub count: i64,
    /// Time of the last one.
    pub last_at: i64,
}

/// A user's consent to a third-party application: the scopes it may have for one audience
/// (Auth0's "grant").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Random id.
    pub id: String,
    /// The user.
    pub user_id: String,
    /// The application.
    pub client_id: String,
    /// The API the scopes are for (`None`: sign-in and profile only).
    pub audience: Option<String>,
    /// Scopes consented to so far.
    pub scope: Vec<String>,
    /// First consent.
    pub created_at: i64,
    /// The latest consent (a wider scope, or a `prompt=consent` answered again).
    pub updated_at: i64,
}

impl Consent {
    /// Whether this consent covers every scope in `scope`.
    pub fn covers(&self, scope: &[String]) -> bool {
        scope.iter().all(|s| self.scope.contains(s))
    }
}

/// An identity at an upstream provider (federation) linked to a local user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamIdentity {
    /// The provider's configured name (`[upstream.<name>]`).
    pub provider: String,
    /// The provider's stable subject identifier for the person.
    pub subject: String,
    /// The local user.
    pub user_id: String,
    /// The upstream email address when the link was made, if it gave one.
    pub email: Option<String>,
    /// When the link was made.
    pub created_at: i64,
}
