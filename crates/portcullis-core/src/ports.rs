//! The ports through which core logic reaches the outside: storage.

use async_trait::async_trait;

use crate::Result;
use crate::model::*;
use crate::policy::PolicyOverrides;

/// Persistent storage. Implemented for SQLite and PostgreSQL by `portcullis-store`; both pass the
/// same conformance suite. One-time items are spent with a single atomic statement.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Whether the database answers (readiness).
    async fn ping(&self) -> Result<()>;
    /// A counter that grows whenever clients, APIs, grants or keys change, so caches can reload.
    async fn config_version(&self) -> Result<i64>;
    /// Signals of configuration changes made by any node, as they commit, where the engine can
    /// push them (PostgreSQL `LISTEN/NOTIFY`); `None` where it cannot, and the counter is polled.
    fn config_signals(&self) -> Option<tokio::sync::mpsc::Receiver<ConfigSignal>> {
        None
    }
    /// Counts one hit on `key` in the fixed window starting at `window_start` (a new window
    /// restarts the count) and returns the hits in it, this one included; the row may be swept
    /// after `expires_at`. Shared by every node on the database.
    async fn count_hit(&self, key: &str, window_start: i64, expires_at: i64) -> Result<i64>;

    /// Creates a user; `Conflict` if the email is taken.
    async fn create_user(&self, user: &User) -> Result<()>;
    /// A user by id.
    async fn user_by_id(&self, id: &str) -> Result<Option<User>>;
    /// A user by email (in canonical form: see [`crate::identity::normalize_email`]).
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// A user whose address looks like `email` (same TR39 skeleton) but is another string.
    async fn user_look_alike(&self, email: &str) -> Result<Option<User>>;
    /// All users, oldest first.
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Deletes a user with their sessions and tokens; whether one existed.
    async fn delete_user(&self, id: &str) -> Result<bool>;
    /// A page of users, oldest first, optionally only the one with `email`; and how many match.
    async fn users_page(
        &self,
        email: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<User>, i64)>;
    /// Replaces a user's email, verification, name, password hash, blocked flag and metadata;
    /// whether the user exists; `Conflict` if the new email is taken.
    async fn update_user(&self, user: &User) -> Result<bool>;
    /// Records a successful sign-in.
    async fn set_last_login(&self, id: &str, at: i64) -> Result<()>;

    /// Creates a client.
    async fn create_client(&self, client: &Client) -> Result<()>;
    /// All clients.
    async fn list_clients(&self) -> Result<Vec<Client>>;
    /// Deletes a client with its grants and tokens; whether one existed.
    async fn delete_client(&self, id: &str) -> Result<bool>;
    /// Replaces everything about a client but its id and creation time; whether it exists.
    async fn update_client(&self, client: &Client) -> Result<bool>;
    /// Replaces a client's policy overrides; whether the client exists.
    async fn set_client_policy(&self, id: &str, policy: &PolicyOverrides) -> Result<bool>;

    /// Creates an API; `Conflict` if the identifier is taken.
    async fn create_api(&self, api: &Api) -> Result<()>;
    /// All APIs.
    async fn list_apis(&self) -> Result<Vec<Api>>;
    /// Replaces an API's policy overrides (by identifier); whether the API exists.
    async fn set_api_policy(&self, identifier: &str, policy: &PolicyOverrides) -> Result<bool>;
    /// Replaces an API's name, scopes, token lifetime and policy (found by `id`); whether it
    /// exists.
    async fn update_api(&self, api: &Api) -> Result<bool>;
    /// Deletes an API (by `id`) with the client grants on it; whether it existed.
    async fn delete_api(&self, id: &str) -> Result<bool>;
    /// Removes a client's grant on an audience; whether there was one.
    async fn delete_client_grant(&self, client_id: &str, audience: &str) -> Result<bool>;
    /// Grants a client scopes on an API for `client_credentials` (replacing an earlier grant).
    async fn put_client_grant(&self, grant: &ClientGrant) -> Result<()>;
    /// Stores a new client grant; `Conflict` if the client already has one on that API (exactly
    /// one of two racing creations succeeds).
    async fn create_client_grant(&self, grant: &ClientGrant) -> Result<()>;
    /// All client grants.
    async fn list_client_grants(&self) -> Result<Vec<ClientGrant>>;

    /// Stores a new signing key and retires the older active keys of the same algorithm.
    async fn rotate_signing_key(&self, key: &SigningKeyRecord, at: i64) -> Result<()>;
    /// All signing keys, newest first.
    async fn list_signing_keys(&self) -> Result<Vec<SigningKeyRecord>>;
    /// Removes keys retired before `before` (their tokens have expired).
    async fn purge_signing_keys(&self, before: i64) -> Result<u64>;

    /// Creates a session whose cookie token has digest `token_digest`.
    async fn create_session(&self, session: &Session, token_digest: &str) -> Result<()>;
    /// The live session for a cookie token digest.
    async fn session_by_token(&self, token_digest: &str, now: i64) -> Result<Option<Session>>;
    /// The live session by id.
    async fn session_by_id(&self, id: &str, now: i64) -> Result<Option<Session>>;
    /// Notes that `client_id` received tokens in the session.
    async fn add_session_client(&self, id: &str, client_id: &str) -> Result<()>;
    /// Records a new interactive authentication in a live session and swaps its cookie token (so
    /// a token seen before the sign-in is worthless after it).
    async fn reauthenticate_session(&self, session: &Session, token_digest: &str) -> Result<()>;
    /// Ends a session and revokes the refresh tokens issued in it.
    async fn revoke_session(&self, id: &str, at: i64) -> Result<()>;

    /// Stores a pending authorization request.
    async fn put_pending(&self, pending: &PendingAuthorization) -> Result<()>;
    /// A pending request, if not expired.
    async fn pending(&self, id: &str, now: i64) -> Result<Option<PendingAuthorization>>;
    /// Spends a pending request (at most once).
    async fn take_pending(&self, id: &str, now: i64) -> Result<Option<PendingAuthorization>>;

    /// Stores an authorization code.
    async fn create_code(&self, code: &AuthCode) -> Result<()>;
    /// Spends a code atomically: `Fresh` once, `Replayed` afterwards.
    async fn spend_code(&self, digest: &str, now: i64) -> Result<Spent<AuthCode>>;

    /// Stores a refresh token.
    async fn create_refresh_token(&self, token: &RefreshToken) -> Result<()>;
    /// Spends a refresh token atomically for rotation: `Fresh` once, `Replayed` afterwards.
    /// Revoked families come back as `Missing`.
    async fn spend_refresh_token(&self, digest: &str, now: i64) -> Result<Spent<RefreshToken>>;
    /// Rotates a refresh token in one transaction: spends `old_digest` and, only if that was its
    /// first use, stores `next` and records access token `access_jti` in the family.
    async fn rotate_refresh_token(
        &self,
        old_digest: &str,
        now: i64,
        next: &RefreshToken,
        access_jti: &str,
        access_expires_at: i64,
    ) -> Result<Spent<RefreshToken>>;
    /// Adds `next` as a second successor of the already rotated `old_digest`, with its access
    /// token record, if `old_digest` was rotated at or after `used_since`, is not expired at
    /// `now`, and its family is not revoked (the refresh reuse interval); whether it did. The
    /// check and the inserts are one transaction, so a revocation cannot slip between them.
    async fn reissue_refresh_token(
        &self,
        old_digest: &str,
        used_since: i64,
        now: i64,
        next: &RefreshToken,
        access_jti: &str,
        access_expires_at: i64,
    ) -> Result<bool>;
    /// Replaces the grant a live (unspent) refresh token carries, keeping its family and expiry:
    /// a factor proved for it raises what it says was proved; whether it was live.
    async fn raise_refresh_token(&self, digest: &str, grant: &GrantContext) -> Result<bool>;
    /// Revokes a token family (every refresh and access token issued from one code).
    async fn revoke_family(&self, family_id: &str, at: i64) -> Result<()>;
    /// Whether a family has been revoked.
    async fn family_revoked(&self, family_id: &str) -> Result<bool>;
    /// The family of an unspent, unrevoked refresh token, for RFC 7009 and RFC 7662.
    async fn refresh_token_grant(&self, digest: &str, now: i64) -> Result<Option<RefreshToken>>;
    /// Records that access token `jti` belongs to a family, so revoking the family revokes it.
    async fn record_access_token(&self, jti: &str, family_id: &str, expires_at: i64) -> Result<()>;
    /// Revokes one access token by `jti`.
    async fn revoke_access_token(&self, jti: &str, at: i64) -> Result<()>;
    /// Whether an access token was revoked, directly or through its family.
    async fn access_token_revoked(&self, jti: &str) -> Result<bool>;

    /// Appends to the audit trail at `link.seq` and moves the sealed head to it, in one
    /// transaction; `Conflict` when that number is taken (another writer got there first).
    async fn append_audit(
        &self,
        event: &AuditEvent,
        link: &AuditLink,
        head: &AuditSeal,
    ) -> Result<()>;
    /// The sealed head, if any event was appended since the seal existed.
    async fn audit_seal(&self) -> Result<Option<AuditSeal>>;
    /// The newest link of the chain (an event's, or the checkpoint's when everything was pruned).
    async fn audit_head(&self) -> Result<Option<AuditLink>>;
    /// Events in insertion order after row `after_id`, at most `limit`, with their links.
    async fn audit_rows(&self, after_id: i64, limit: i64) -> Result<Vec<ChainedEvent>>;
    /// The current checkpoint.
    async fn audit_checkpoint(&self) -> Result<Option<AuditCheckpoint>>;
    /// Stores `checkpoint` and deletes the events up to its `seq` (and any from before the
    /// chain), in one transaction; how many went.
    async fn prune_audit(&self, checkpoint: &AuditCheckpoint) -> Result<u64>;
    /// Audit events matching `query`, newest first, with their row ids; and how many match.
    async fn search_audit(&self, query: &AuditQuery) -> Result<(Vec<LoggedEvent>, i64)>;
    /// The newest audit events, newest first.
    async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEvent>>;

    /// Deletes expired one-time items, sessions, tokens, rate windows, revoked families no token
    /// refers to, and lockout counters idle since `forget_failures_before`, in small batches (so
    /// no statement holds locks for long) and at most `budget` rows; returns how many went.
    async fn sweep_expired(
        &self,
        now: i64,
        forget_failures_before: i64,
        budget: u64,
    ) -> Result<u64>;

    /// Takes or renews the lease `name` for `holder` until `until`; whether `holder` has it (it
    /// is free, expired at `now`, or already `holder`'s). One node at a time does leased work.
    async fn take_lease(&self, name: &str, holder: &str, now: i64, until: i64) -> Result<bool>;

    /// Enrols a factor; `Conflict` if its WebAuthn credential id is taken.
    async fn create_factor(&self, factor: &Factor) -> Result<()>;
    /// A user's factors, oldest first, pending ones included.
    async fn factors(&self, user_id: &str) -> Result<Vec<Factor>>;
    /// A factor by id.
    async fn factor(&self, id: &str) -> Result<Option<Factor>>;
    /// A WebAuthn factor by credential id.
    async fn factor_by_credential(&self, credential_id: &str) -> Result<Option<Factor>>;
    /// Renames a user's factor; whether it existed.
    async fn rename_factor(&self, user_id: &str, id: &str, name: &str) -> Result<bool>;
    /// Removes a user's factor; whether it existed.
    async fn delete_factor(&self, user_id: &str, id: &str) -> Result<bool>;
    /// Marks a factor used (and active, confirming a pending association).
    async fn touch_factor(&self, id: &str, at: i64) -> Result<()>;
    /// TOTP replay guard: records `step` as used only if it is newer than every step used
    /// before (compare-and-set); whether it was.
    async fn use_totp_step(&self, id: &str, step: i64, at: i64) -> Result<bool>;
    /// WebAuthn: stores the new counter and credential only if the counter is still
    /// `old_count` (so two racing assertions cannot both pass); whether it was.
    async fn update_webauthn_factor(
        &self,
        id: &str,
        old_count: i64,
        new_count: i64,
        secret_enc: &[u8],
        detail: &serde_json::Value,
        at: i64,
    ) -> Result<bool>;

    /// Replaces a user's recovery codes with a new set (the old set dies).
    async fn replace_recovery_codes(
        &self,
        user_id: &str,
        digests: &[String],
        at: i64,
    ) -> Result<()>;
    /// Spends a recovery code atomically; whether it was live.
    async fn use_recovery_code(&self, user_id: &str, digest: &str, at: i64) -> Result<bool>;
    /// How many unused recovery codes a user has.
    async fn recovery_codes_left(&self, user_id: &str) -> Result<i64>;

    /// Stores a one-time code, removing any earlier code for the same purpose and destination.
    async fn put_otp(&self, code: &OneTimeCode) -> Result<()>;
    /// Counts one guess at a live code and returns it, or `None` if it is unknown, spent,
    /// expired, or out of guesses (`max_attempts`).
    async fn otp_attempt(
        &self,
        id: &str,
        now: i64,
        max_attempts: i64,
    ) -> Result<Option<OneTimeCode>>;
    /// Spends a code by id (at most once); whether it was live.
    async fn spend_otp(&self, id: &str, now: i64) -> Result<bool>;
    /// Spends a live code by digest (magic links) and returns it.
    async fn spend_otp_by_digest(&self, digest: &str, now: i64) -> Result<Option<OneTimeCode>>;

    /// Stores flow state.
    async fn put_flow(&self, flow: &Flow) -> Result<()>;
    /// Live flow state.
    async fn flow(&self, id: &str, now: i64) -> Result<Option<Flow>>;
    /// Replaces the data of a live flow; whether it was live.
    async fn update_flow(&self, id: &str, data: &serde_json::Value, now: i64) -> Result<bool>;
    /// Removes live flow state and returns it (at most once).
    async fn take_flow(&self, id: &str, now: i64) -> Result<Option<Flow>>;

    /// Remembers a device.
    async fn create_device(&self, device: &Device) -> Result<()>;
    /// Checks a device token and rotates it in one step: returns the device if `old_digest` was
    /// its current, live token, now replaced by `new_digest`.
    async fn rotate_device(
        &self,
        id: &str,
        old_digest: &str,
        new_digest: &str,
        now: i64,
    ) -> Result<Option<Device>>;
    /// A user's live remembered devices, newest first.
    async fn devices(&self, user_id: &str, now: i64) -> Result<Vec<Device>>;
    /// Forgets one device; whether it was live.
    async fn revoke_device(&self, user_id: &str, id: &str, at: i64) -> Result<bool>;
    /// Forgets all of a user's devices; how many.
    async fn revoke_devices(&self, user_id: &str, at: i64) -> Result<u64>;

    /// Notes that the user completed a multi-factor sign-in from a user agent (by its keyed
    /// digest).
    async fn note_agent(&self, user_id: &str, digest: &str, at: i64) -> Result<()>;
    /// Whether the user completed a multi-factor sign-in from this user agent since `since`.
    async fn agent_seen(&self, user_id: &str, digest: &str, since: i64) -> Result<bool>;

    /// A user's live sessions, newest first.
    async fn user_sessions(&self, user_id: &str, now: i64) -> Result<Vec<Session>>;
    /// The newest audit events about a user, newest first.
    async fn user_audit(&self, user_id: &str, limit: i64) -> Result<Vec<AuditEvent>>;

    /// Counts a failure against `key` and returns the new state.
    async fn record_failure(&self, key: &str, at: i64) -> Result<Failures>;
    /// The failures counted against `key`.
    async fn failures(&self, key: &str) -> Result<Failures>;
    /// Clears the failures of `key` after a success.
    async fn clear_failures(&self, key: &str) -> Result<()>;
    /// Counts one more attempt against `key` only if its count is still `seen`
    /// (compare-and-set: of concurrent reservations each sees a distinct count); whether this
    /// one won.
    async fn reserve_failure(&self, key: &str, seen: i64, at: i64) -> Result<bool>;
    /// Takes back one counted attempt of `key` (it succeeded).
    async fn release_failure(&self, key: &str) -> Result<()>;

    /// Stores a consent, or widens the existing one of its user, client and audience (the
    /// scopes are merged and `updated_at` moves).
    async fn put_consent(&self, consent: &Consent) -> Result<()>;
    /// The consent of `user_id` to `client_id` for `audience`, if any.
    async fn consent(
        &self,
        user_id: &str,
        client_id: &str,
        audience: Option<&str>,
    ) -> Result<Option<Consent>>;
    /// Consents, newest first, filtered by user and/or client.
    async fn consents(
        &self,
        user_id: Option<&str>,
        client_id: Option<&str>,
    ) -> Result<Vec<Consent>>;
    /// Deletes a consent by id; whether it existed.
    async fn delete_consent(&self, id: &str) -> Result<bool>;
    /// Revokes every token family `client_id` holds for `user_id` (a withdrawn consent).
    async fn revoke_client_families(&self, user_id: &str, client_id: &str, at: i64) -> Result<u64>;

    /// Schedules a user's deletion for `at` (replacing an earlier schedule); whether the user
    /// exists.
    async fn schedule_user_deletion(&self, id: &str, at: i64) -> Result<bool>;
    /// Cancels a user's scheduled deletion; whether one was pending.
    async fn cancel_user_deletion(&self, id: &str) -> Result<bool>;
    /// The user's console role name (`admin`, `support`, `auditor`), if any.
    async fn admin_role(&self, user_id: &str) -> Result<Option<String>>;
    /// Grants `role` to the user (replacing any other), or with `None` takes it; whether the
    /// user exists.
    async fn set_admin_role(&self, user_id: &str, role: Option<&str>, at: i64) -> Result<bool>;
    /// Users whose email (`by` = [`UserSearch::Email`], lowercased) or name (case-folded)
    /// starts with `prefix`, in that field's order, after the user with id `after` (the last of
    /// the previous page), at most `limit`: the console's search, a range scan of one index.
    async fn search_users(
        &self,
        by: UserSearch,
        prefix: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<User>>;
    /// Notes that session `id` was used at `at`, unless it was noted less than
    /// [`Session::SEEN_EVERY`] seconds before.
    async fn touch_session(&self, id: &str, at: i64) -> Result<()>;
    /// When the user's scheduled deletion is due, if one is.
    async fn user_deletion_due(&self, id: &str) -> Result<Option<i64>>;
    /// Audit events of each of `kinds` at or after `from`, counted per `bucket` seconds:
    /// `(kind, bucket number from 0, count)` for the buckets that have any (the dashboard's
    /// series, one index range per kind).
    async fn audit_histogram(
        &self,
        kinds: &[&str],
        from: i64,
        bucket: i64,
    ) -> Result<Vec<(String, i64, i64)>>;
    /// MFA adoption among users who are not blocked.
    async fn adoption(&self) -> Result<Adoption>;
    /// Sessions live at `now` (not ended, not expired).
    async fn live_sessions(&self, now: i64) -> Result<i64>;
    /// Replaces user `id`'s password hash with `new` only if it is still `old` (a rehash must
    /// not undo a password change, a reset or a block made meanwhile); whether it did.
    async fn replace_password_hash(&self, id: &str, old: &str, new: &str) -> Result<bool>;
    /// Records that `alias` (an id from the system the user came from) names `user_id`;
    /// `Conflict` if it names someone else.
    async fn set_user_alias(&self, alias: &str, user_id: &str) -> Result<()>;
    /// The user an alias names.
    async fn user_by_alias(&self, alias: &str) -> Result<Option<User>>;
    /// A tenant setting changed at run time (JSON text), if one is stored under `key`.
    async fn tenant_setting(&self, key: &str) -> Result<Option<String>>;
    /// Stores (`Some`) or clears (`None`) a tenant setting, bumping the configuration version
    /// so every node reloads.
    async fn set_tenant_setting(&self, key: &str, value: Option<&str>, at: i64) -> Result<()>;
    /// Creates many accounts (users, aliases, factors) in one transaction, all or none;
    /// `Conflict` if an address or alias is taken.
    async fn create_accounts(&self, accounts: &[crate::model::NewAccount]) -> Result<()>;
    /// Stores a new Action; `Conflict` if its name is taken. Bumps the configuration version.
    async fn create_action(&self, action: &crate::actions::Action) -> Result<()>;
    /// Replaces an Action by id (draft and deployed version); whether it existed; `Conflict` if
    /// the new name is another Action's. Bumps the configuration version.
    async fn save_action(&self, action: &crate::actions::Action) -> Result<bool>;
    /// One Action by id.
    async fn action(&self, id: &str) -> Result<Option<crate::actions::Action>>;
    /// Every Action, oldest first.
    async fn list_actions(&self) -> Result<Vec<crate::actions::Action>>;
    /// Deletes an Action; whether it existed. Bumps the configuration version.
    async fn delete_action(&self, id: &str) -> Result<bool>;
    /// How many times the user has signed in (Auth0's `stats.logins_count`).
    async fn logins_count(&self, user_id: &str) -> Result<i64>;
    /// The language the user reads emails in (a BCP 47 tag), if one was chosen.
    async fn user_locale(&self, user_id: &str) -> Result<Option<String>>;
    /// Sets (or with `None` forgets) the user's language; false if there is no such user.
    async fn set_user_locale(&self, user_id: &str, locale: Option<&str>) -> Result<bool>;
    /// Every application's logo address, by client id.
    async fn client_logos(&self) -> Result<Vec<(String, String)>>;
    /// Sets (or with `None` removes) an application's logo; false if there is no such client.
    /// Bumps the configuration version, so every node's pages show it.
    async fn set_client_logo(&self, client_id: &str, logo_uri: Option<&str>) -> Result<bool>;
    /// Every application's value of the setting `name`, by client id.
    async fn client_settings(&self, name: &str) -> Result<Vec<(String, String)>>;
    /// Sets (or with `None` removes) an application's setting `name`; false if there is no
    /// such client. Bumps the configuration version, so every node sees it.
    async fn set_client_setting(
        &self,
        client_id: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<bool>;
    /// Every application's `private_key_jwt` keys, by client id.
    async fn client_keys(&self) -> Result<Vec<(String, crate::model::ClientKeys)>>;
    /// Sets (or with `None` removes) an application's keys; false if there is no such client.
    /// Bumps the configuration version, so every node authenticates it the same way.
    async fn set_client_keys(
        &self,
        client_id: &str,
        keys: Option<&crate::model::ClientKeys>,
    ) -> Result<bool>;
    /// Users whose scheduled deletion is due at `now`, oldest due first, at most `limit`.
    async fn users_due_for_deletion(&self, now: i64, limit: i64) -> Result<Vec<String>>;
    /// Claims a due deletion (clears its schedule if it is due): true for exactly one caller,
    /// so one node deletes and a cancellation racing it loses cleanly.
    async fn claim_user_deletion(&self, id: &str, now: i64) -> Result<bool>;
    /// Links an upstream identity to a user; `Conflict` if that subject is linked already.
    async fn link_upstream(&self, identity: &UpstreamIdentity) -> Result<()>;
    /// The link of one upstream subject, if any.
    async fn upstream_identity(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UpstreamIdentity>>;
    /// A user's upstream links, oldest first.
    async fn upstream_identities(&self, user_id: &str) -> Result<Vec<UpstreamIdentity>>;
    /// Removes one of a user's upstream links; whether it existed.
    async fn unlink_upstream(&self, user_id: &str, provider: &str, subject: &str) -> Result<bool>;
}

/// What a configuration watch reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSignal {
    /// Something changed: reload.
    Changed,
    /// The watch lost its connection and may have missed changes: check the counter.
    Resumed,
}
