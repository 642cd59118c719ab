//! Administrative operations shared by the CLI, `serve --dev` seeding and (later) the management
//! API: creating users, clients and APIs, and rotating signing keys.

use crate::clock::Clock;
use crate::crypto::aead::MasterKeys;
use crate::crypto::jws::{Alg, Signer};
use crate::crypto::password::PasswordHasher;
use crate::crypto::secret::SecretString;
use crate::crypto::{random, token_digest};
use crate::model::{Api, Client, ClientGrant, SigningKeyRecord, User};
use crate::oauth::valid_redirect_uri;
use crate::ports::Store;
use crate::{Error, Result};

/// Grant types a client may be registered for.
pub const GRANT_TYPES: [&str; 7] = [
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "password",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:openid:params:grant-type:ciba",
];

/// Associated data binding an encrypted signing key to its row.
pub fn signing_key_context(kid: &str) -> String {
    format!("signing_key:{kid}")
}

pub use crate::identity::parse_email;

/// Checks a password an admin sets against the rules of [`crate::authn::password_rules`] (the
/// user's own email and name count against it). The estimate runs off the async executor.
pub async fn check_password(password: &SecretString, personal: &[&str]) -> Result<()> {
    let password = password.expose().to_string();
    let personal: Vec<String> = personal.iter().map(|p| p.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = personal.iter().map(String::as_str).collect();
        crate::authn::password_rules::check(&password, false, &refs)
    })
    .await
    .map_err(|e| Error::Invalid(e.to_string()))?
    .map_err(|w| Error::Invalid(w.to_string()))
}

/// Checks that metadata is a JSON object, as Auth0 requires.
pub fn check_metadata(field: &str, value: &serde_json::Value) -> Result<()> {
    if value.is_object() {
        Ok(())
    } else {
        Err(Error::Invalid(format!("{field} must be a JSON object")))
    }
}

/// What a new user looks like before it gets an id.
#[derive(Debug, Default)]
pub struct NewUser {
    /// Email address.
    pub email: String,
    /// Password; `None` for users who sign in with links, passkeys or upstream providers.
    pub password: Option<SecretString>,
    /// Display name.
    pub name: Option<String>,
    /// Whether the email address is known to be theirs.
    pub email_verified: bool,
    /// Whether sign-in is blocked.
    pub blocked: bool,
    /// `user_metadata` (an object; `Null` means `{}`).
    pub user_metadata: serde_json::Value,
    /// `app_metadata` (an object; `Null` means `{}`).
    pub app_metadata: serde_json::Value,
}

/// Creates a user; `Conflict` if the email is taken.
pub async fn add_user(
    store: &dyn Store,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    new: NewUser,
) -> Result<User> {
    let email = parse_email(&new.email)?;
    let object = |v: serde_json::Value| {
        if v.is_null() {
            crate::model::empty_object()
        } else {
            v
        }
    };
    let (user_metadata, app_metadata) = (object(new.user_metadata), object(new.app_metadata));
    check_metadata("user_metadata", &user_metadata)?;
    check_metadata("app_metadata", &app_metadata)?;
    let name = new
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if let Some(n) = &name {
        crate::identity::check_name(n)?;
    }
    crate::identity::check_look_alike(store, &email, None).await?;
    let password_hash = match new.password {
        Some(p) => {
            check_password(&p, &[&email, name.as_deref().unwrap_or_default()]).await?;
            Some(hasher.hash(p).await?)
        }
        None => None,
    };
    let user = User {
        id: random::id("usr"),
        email,
        email_verified: new.email_verified,
        name,
        password_hash,
        blocked: new.blocked,
        created_at: clock.now(),
        last_login: None,
        user_metadata,
        app_metadata,
    };
    store.create_user(&user).await?;
    Ok(user)
}

/// Changes `user`'s email address (not stored yet): checked as at creation, and a new address
/// is not verified any more. Whether it changed; `Invalid` for a malformed address, `Conflict`
/// for one that looks like another user's.
pub async fn change_email(store: &dyn Store, user: &mut User, email: &str) -> Result<bool> {
    let email = parse_email(email)?;
    if email == user.email {
        return Ok(false);
    }
    crate::identity::check_look_alike(store, &email, Some(&user.id)).await?;
    user.email = email;
    user.email_verified = false;
    Ok(true)
}

/// Changes `user`'s display name (not stored yet): trimmed, empty for none, refused with
/// control or text-direction characters.
pub fn change_name(user: &mut User, name: &str) -> Result<()> {
    crate::identity::check_name(name.trim())?;
    user.name = Some(name.trim().to_string()).filter(|n| !n.is_empty());
    Ok(())
}

/// Creates a user with a password; `Conflict` if the email is taken.
pub async fn create_user(
    store: &dyn Store,
    hasher: &PasswordHasher,
    clock: &dyn Clock,
    email: &str,
    password: SecretString,
) -> Result<User> {
    add_user(
        store,
        hasher,
        clock,
        NewUser {
            email: email.into(),
            password: Some(password),
            ..NewUser::default()
        },
    )
    .await
}

/// An administrator's change to an account, with the sessions it ended: what the CLI records
/// in the audit trail.
#[derive(Debug, Clone)]
pub struct AccountChange {
    /// The user after the change.
    pub user: User,
    /// Ids of the sessions the change ended.
    pub ended_sessions: Vec<String>,
}

/// Ends every live session of a user in the store (no back-channel delivery: that needs a
/// running server, and the management API does it); the ids ended.
pub async fn end_sessions(
    store: &dyn Store,
    clock: &dyn Clock,
    user_id: &str,
) -> Result<Vec<String>> {
    let now = clock.now();
    let mut ended = Vec::new();
    for s in store.user_sessions(user_id, now).await? {
        store.revoke_session(&s.id, now).await?;
        ended.push(s.id);
    }
    Ok(ended)
}

async fn find_user(store: &dyn Store, id: &str) -> Result<User> {
    store
        .user_by_id(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("user {id}")))
}

/// Blocks or unblocks sign-in for a user; blocking ends every session at once.
pub async fn set_blocked(
    store: &dyn Store,
    clock: &dyn Clock,
    user_id: &str,
    blocked: bool,
) -> Result<AccountChange> {
    let mut user = find_user(store, user_id).await?;
    user.blocked = blocked;
    store.update_user(&user).await?;
    let ended_sessions = if blocked {
        end_sessions(store, clock, user_id).await?
    } else {
        Vec::new()
    };
    Ok(AccountChange {
        user,
        ended_sessions,
    })
}

/// Grants a console role to a user (replacing any other) or, with `None`, takes it. The one
/// implementation the CLI and the console share.
pub async fn set_role(
    store: &dyn Store,
    clock: &dyn Clock,
    user_id: &str,
    role: Option<crate::roles::Role>,
) -> Result<()> {
    if store
        .set_admin_role(user_id, role.map(|r| r.as_str()), clock.now())
        .await?
    {
        Ok(())
    } else {
        Err(Error::NotFound(format!("user {user_id}")))
    }
}

/// The user's console role; a stored name this version does not know counts as none.
pub async fn role_of(store: &dyn Store, user_id: &str) -> Result<Option<crate::roles::Role>> {
    Ok(store
        .admin_role(user_id)
        .await?
        .as_deref()
        .and_then(crate::roles::Role::parse))
}

/// The tenant setting under which the policy keys changed at run time are stored.
pub const TENANT_POLICY: &str = "policy";

/// The tenant policy keys changed at run time (the console, the management API, `portcullis
/// policy set`), laid over the config file's `[policy]`; empty when none is stored.
pub async fn tenant_overrides(store: &dyn Store) -> Result<crate::policy::PolicyOverrides> {
    match store.tenant_setting(TENANT_POLICY).await? {
        None => Ok(crate::policy::PolicyOverrides::default()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| Error::Invalid(format!("stored tenant policy: {e}"))),
    }
}

/// Replaces the tenant policy keys changed at run time (empty clears them all, so the file
/// rules again), after checking every value. The one implementation the console, the
/// management API and the CLI share.
pub async fn set_tenant_overrides(
    store: &dyn Store,
    clock: &dyn Clock,
    overrides: &crate::policy::PolicyOverrides,
) -> Result<()> {
    overrides.check()?;
    let text = (!overrides.is_empty())
        .then(|| serde_json::to_string(overrides))
        .transpose()
        .map_err(|e| Error::Invalid(e.to_string()))?;
    store
        .set_tenant_setting(TENANT_POLICY, text.as_deref(), clock.now())
        .await
}

/// Forces a password reset: the current password stops working, every session ends, and a
/// single-use reset link lives `ttl` seconds; returns the change and the link's token. Second
/// factors stay: the reset page still asks for one before the new password is taken.
pub async fn force_password_reset(
    store: &dyn Store,
    master: &MasterKeys,
    clock: &dyn Clock,
    user_id: &str,
    ttl: i64,
) -> Result<(AccountChange, String)> {
    let mut user = find_user(store, user_id).await?;
    user.password_hash = None;
    store.update_user(&user).await?;
    let ended_sessions = end_sessions(store, clock, user_id).await?;
    let token = password_link(store, master, clock, &user, ttl).await?;
    Ok((
        AccountChange {
            user,
            ended_sessions,
        },
        token,
    ))
}

/// A single-use link for `user` to choose a password (a new account without one, or a forced
/// reset), live `ttl` seconds; its token.
pub async fn password_link(
    store: &dyn Store,
    master: &MasterKeys,
    clock: &dyn Clock,
    user: &User,
    ttl: i64,
) -> Result<String> {
    crate::authn::factors::Factors {
        store,
        master,
        lockout: crate::authn::lockout::LockoutPolicy::default(),
        now: clock.now(),
    }
    .new_reset_link(&user.id, &user.email, ttl)
    .await
}

/// What a new client looks like before it gets an id and secret.
#[derive(Debug, Clone, Default)]
pub struct NewClient {
    /// Display name.
    pub name: String,
    /// Exact redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Exact post-logout redirect URIs.
    pub post_logout_redirect_uris: Vec<String>,
    /// Grant types; empty means `authorization_code` + `refresh_token`.
    pub grant_types: Vec<String>,
    /// Public (no secret, PKCE required).
    pub public: bool,
    /// Back-channel logout URI.
    pub backchannel_logout_uri: Option<String>,
    /// Third-party: users consent to it on a consent page, and it never gets the MFA or
    /// management API audiences.
    pub third_party: bool,
    /// Signing algorithm; default EdDSA.
    pub signing_alg: Option<String>,
    /// A fixed client id instead of a random one (dev seeding).
    pub id: Option<String>,
    /// MFA policy keys this client overrides.
    pub policy: crate::policy::PolicyOverrides,
}

/// Checks a client's rules: a name, exact absolute redirect URIs, known grant types that fit
/// a public or confidential client, a supported signing algorithm.
pub fn check_client(client: &Client) -> Result<()> {
    if client.name.trim().is_empty() {
        return Err(Error::Invalid("name is required".into()));
    }
    for uri in client
        .redirect_uris
        .iter()
        .chain(&client.post_logout_redirect_uris)
    {
        if !valid_redirect_uri(uri) {
            return Err(Error::Invalid(format!(
                "redirect URI {uri:?} must be absolute https (http only for localhost), without fragment"
            )));
        }
    }
    if let Some(uri) = &client.backchannel_logout_uri
        && !valid_redirect_uri(uri)
    {
        return Err(Error::Invalid(
            "backchannel_logout_uri is not a valid URI".into(),
        ));
    }
    if let Some(bad) = client
        .grant_types
        .iter()
        .find(|g| !GRANT_TYPES.contains(&g.as_str()))
    {
        return Err(Error::Invalid(format!("unknown grant type {bad:?}")));
    }
    if client.is_public() && client.allows_grant("client_credentials") {
        return Err(Error::Invalid(
            "public clients cannot use client_credentials".into(),
        ));
    }
    if client.allows_grant("authorization_code") && client.redirect_uris.is_empty() {
        return Err(Error::Invalid(
            "authorization_code needs at least one redirect URI".into(),
        ));
    }
    if Alg::parse(&client.signing_alg).is_none() {
        return Err(Error::Invalid(
            "signing algorithm must be EdDSA, ES256 or RS256".into(),
        ));
    }
    Ok(())
}

/// A new client secret and the digest to store (the secret is shown once).
pub fn new_client_secret() -> (SecretString, String) {
    let secret = SecretString::new(random::token());
    let digest = token_digest(secret.expose());
    (secret, digest)
}

/// Creates a client; returns it with its secret (shown once; only a digest is stored).
pub async fn create_client(
    store: &dyn Store,
    clock: &dyn Clock,
    new: NewClient,
) -> Result<(Client, Option<SecretString>)> {
    let mut grant_types = if new.grant_types.is_empty() {
        vec![
            "authorization_code".to_string(),
            "refresh_token".to_string(),
        ]
    } else {
        new.grant_types.clone()
    };
    grant_types.dedup();
    let (secret, secret_digest) = match new.public {
        true => (None, None),
        false => {
            let (s, d) = new_client_secret();
            (Some(s), Some(d))
        }
    };
    let client = Client {
        // Hex, like Auth0's alphanumeric ids: a leading '-' from base64url would read as a flag
        // on a command line.
        id: new.id.unwrap_or_else(|| {
            random::bytes::<16>()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        }),
        name: new.name.trim().to_string(),
        secret_digest,
        redirect_uris: new.redirect_uris,
        post_logout_redirect_uris: new.post_logout_redirect_uris,
        grant_types,
        backchannel_logout_uri: new.backchannel_logout_uri,
        first_party: !new.third_party,
        // OIDC Core §3.1.3.7 and Registration §2: RS256 unless the client registers another.
        signing_alg: new
            .signing_alg
            .unwrap_or_else(|| Alg::Rs256.as_str().into()),
        policy: new.policy,
        created_at: clock.now(),
    };
    check_client(&client)?;
    store.create_client(&client).await?;
    Ok((client, secret))
}

/// Grants a client scopes on an API for `client_credentials`; the API must exist and define them.
/// Replaces the client's grant on that API if it has one.
pub async fn grant_client(
    store: &dyn Store,
    client_id: &str,
    audience: &str,
    scopes: Vec<String>,
) -> Result<ClientGrant> {
    let grant = checked_grant(store, client_id, audience, scopes).await?;
    store.put_client_grant(&grant).await?;
    Ok(grant)
}

/// Grants a client scopes on an API it has no grant on yet: `Conflict` if it has one, also when
/// two requests race to create it.
pub async fn create_client_grant(
    store: &dyn Store,
    client_id: &str,
    audience: &str,
    scopes: Vec<String>,
) -> Result<ClientGrant> {
    let grant = checked_grant(store, client_id, audience, scopes).await?;
    store.create_client_grant(&grant).await?;
    Ok(grant)
}

/// A client grant whose API exists and defines every scope.
async fn checked_grant(
    store: &dyn Store,
    client_id: &str,
    audience: &str,
    scopes: Vec<String>,
) -> Result<ClientGrant> {
    let apis = store.list_apis().await?;
    let api = apis
        .iter()
        .find(|a| a.identifier == audience)
        .ok_or_else(|| Error::NotFound(format!("API {audience:?}")))?;
    if let Some(bad) = scopes.iter().find(|s| !api.scopes.contains(s)) {
        return Err(Error::Invalid(format!(
            "API {audience:?} has no scope {bad:?}"
        )));
    }
    Ok(ClientGrant {
        client_id: client_id.into(),
        audience: audience.into(),
        scopes,
    })
}

/// Creates an API (resource server) with its scopes.
pub async fn create_api(
    store: &dyn Store,
    clock: &dyn Clock,
    identifier: &str,
    name: Option<&str>,
    scopes: Vec<String>,
    policy: crate::policy::PolicyOverrides,
) -> Result<Api> {
    let identifier = identifier.trim();
    if identifier.is_empty() || identifier.chars().any(char::is_whitespace) {
        return Err(Error::Invalid(
            "identifier must be a non-empty string without spaces".into(),
        ));
    }
    if let Some(bad) = scopes
        .iter()
        .find(|s| s.is_empty() || s.contains(char::is_whitespace))
    {
        return Err(Error::Invalid(format!("scope {bad:?} is not valid")));
    }
    let api = Api {
        id: random::id("api"),
        identifier: identifier.into(),
        name: name.unwrap_or(identifier).into(),
        scopes,
        token_ttl: 3600,
        signing_alg: None,
        policy,
        created_at: clock.now(),
    };
    store.create_api(&api).await?;
    Ok(api)
}

/// Makes sure a built-in API exists with `api`'s scopes: created on first start, its scopes
/// brought up to date after an upgrade, anything an admin changed left alone.
pub async fn ensure_api(store: &dyn Store, api: &Api) -> Result<()> {
    let existing = store
        .list_apis()
        .await?
        .into_iter()
        .find(|a| a.identifier == api.identifier);
    match existing {
        None => store.create_api(api).await,
        Some(a) if a.scopes != api.scopes => store
            .update_api(&Api {
                scopes: api.scopes.clone(),
                ..a
            })
            .await
            .map(|_| ()),
        Some(_) => Ok(()),
    }
}

/// Generates a new signing key for `alg`, stores it encrypted, and retires the previous one (it
/// stays published in JWKS until the tokens it signed have expired).
pub async fn rotate_key(
    store: &dyn Store,
    master: &MasterKeys,
    clock: &dyn Clock,
    alg: Alg,
) -> Result<SigningKeyRecord> {
    // RSA key generation takes tens of milliseconds: keep it off the async executor.
    let (signer, der) = tokio::task::spawn_blocking(move || Signer::generate(alg))
        .await
        .map_err(|e| Error::Crypto(e.to_string()))??;
    let now = clock.now();
    let record = SigningKeyRecord {
        kid: signer.kid().into(),
        alg: alg.as_str().into(),
        private_encrypted: master.encrypt(&der, &signing_key_context(signer.kid()))?,
        created_at: now,
        retired_at: None,
    };
    store.rotate_signing_key(&record, now).await?;
    Ok(record)
}

/// Makes sure every algorithm has an active key (first start).
pub async fn ensure_keys(store: &dyn Store, master: &MasterKeys, clock: &dyn Clock) -> Result<()> {
    let keys = store.list_signing_keys().await?;
    for alg in Alg::all() {
        if !keys
            .iter()
            .any(|k| k.alg == alg.as_str() && k.retired_at.is_none())
        {
            rotate_key(store, master, clock, alg).await?;
        }
    }
    Ok(())
}

/// Decrypts a stored signing key.
pub fn load_signer(master: &MasterKeys, record: &SigningKeyRecord) -> Result<Signer> {
    let alg =
        Alg::parse(&record.alg).ok_or_else(|| Error::Invalid("unknown key algorithm".into()))?;
    let der = master.decrypt(&record.private_encrypted, &signing_key_context(&record.kid))?;
    Signer::from_pkcs8(alg, &der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_parse_rules() {
        assert_eq!(parse_email(" Ada@Example.COM ").unwrap(), "ada@example.com");
        assert!(parse_email("nope").is_err());
        assert!(parse_email("a@b@c").is_err());
        assert!(parse_email("a b@c").is_err());
        assert!(parse_email("@c").is_err());
    }
}
