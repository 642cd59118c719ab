//! Settings: defaults → TOML file → `PORTCULLIS_<SECTION>__<KEY>` environment variables.
//!
//! Unknown keys are errors, so a typo never silently falls back to a default. Secrets may be given
//! through `*_file` keys (`master_key_file`, `database_url_file`) that name a file to read.

use std::net::SocketAddr;
use std::path::Path;

use portcullis_core::crypto::secret::SecretString;
use serde::Deserialize;

pub mod upstream;

/// A configuration problem, named so the operator knows what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file or an override does not parse, or a key is unknown.
    #[error("invalid configuration: {0}")]
    Invalid(String),
    /// An essential setting is missing.
    #[error("missing setting `{key}` (set it in the config file or as {env})")]
    Missing {
        /// The key.
        key: &'static str,
        /// The environment variable that sets it.
        env: &'static str,
    },
}

/// Token lifetimes, in seconds.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenSettings {
    /// Access token lifetime when no API sets its own.
    pub access_ttl: i64,
    /// ID token lifetime.
    pub id_ttl: i64,
    /// Refresh token absolute lifetime.
    pub refresh_ttl: i64,
    /// Authorization code lifetime (RFC 6749 §4.1.2 recommends at most 10 minutes).
    pub code_ttl: i64,
    /// Seconds after its rotation during which a refresh token presented again gets a second
    /// successor instead of revoking its family (a client whose answer was lost retries); 0
    /// turns it off.
    pub refresh_reuse_interval: i64,
    /// DPoP proofs must carry a nonce this server issued (RFC 9449 §8): a proof made in advance
    /// by a stolen key is then useless; clients retry once on `use_dpop_nonce`.
    pub dpop_require_nonce: bool,
}

impl Default for TokenSettings {
    fn default() -> Self {
        TokenSettings {
            access_ttl: 3600,
            id_ttl: 3600,
            refresh_ttl: 30 * 86400,
            code_ttl: 60,
            refresh_reuse_interval: 0,
            dpop_require_nonce: false,
        }
    }
}

/// Sign-in session settings.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionSettings {
    /// Absolute session lifetime in seconds.
    pub lifetime: i64,
    /// How long a pending `/authorize` request waits for the user, in seconds.
    pub login_ttl: i64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            lifetime: 7 * 86400,
            login_ttl: 1800,
        }
    }
}

/// Argon2id cost and concurrency.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordSettings {
    /// Memory in KiB (at least 19456).
    pub memory_kib: u32,
    /// Iterations (at least 2).
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// Hashes computed at once; more wait, so a login flood cannot exhaust memory.
    pub max_concurrent: usize,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        let cost = portcullis_core::crypto::password::PasswordCost::default();
        PasswordSettings {
            memory_kib: cost.memory_kib,
            iterations: cost.iterations,
            parallelism: cost.parallelism,
            max_concurrent: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        }
    }
}

/// Logging.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `text` or `json`.
    pub format: String,
    /// A `tracing` filter, e.g. `info` or `portcullis=debug`.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            format: "text".into(),
            level: "info".into(),
        }
    }
}

pub use portcullis_core::policy::MfaMode;

/// The tenant policy: the `[policy]` section (clients and APIs override it key by key).
pub type PolicySettings = portcullis_core::policy::Policy;

/// Native TLS (rustls): the `[tls]` section, PEM files.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// Certificate chain, leaf first.
    pub cert: std::path::PathBuf,
    /// Private key (PKCS#8, PKCS#1 or SEC1).
    pub key: std::path::PathBuf,
    /// Ask every client for a certificate (optional, any issuer), for mutual-TLS client
    /// authentication and certificate-bound tokens (RFC 8705). Off by default: browsers that
    /// hold certificates would prompt people to pick one.
    #[serde(default)]
    pub request_client_certificates: bool,
    /// CA certificates (PEM) that issue clients' certificates for `tls_client_auth` (RFC 8705
    /// §2.1); without it only self-signed certificates registered by clients are taken.
    #[serde(default)]
    pub client_ca: Option<std::path::PathBuf>,
}

/// A TLS-terminating proxy in front: the `[proxy]` section.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProxySettings {
    /// The addresses of the proxies whose `Client-Cert` and `Client-Cert-Chain` headers (RFC
    /// 9440) are believed: the client certificate of the handshake they terminated, for mutual
    /// TLS. Empty: the headers are never read, and are dropped from every request.
    pub client_cert_from: Vec<std::net::IpAddr>,
}

/// The audit trail: the `[audit]` section.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSettings {
    /// Days events are kept; older ones are pruned daily behind a sealed checkpoint. `0` keeps
    /// everything.
    pub retention_days: i64,
}

/// Self-service accounts: the `[account]` section.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountSettings {
    /// Days between a user asking to delete their account and its deletion; signing in before
    /// then cancels it. `0` deletes at the next sweep.
    pub deletion_grace_days: i64,
}

impl Default for AccountSettings {
    fn default() -> Self {
        AccountSettings {
            deletion_grace_days: 7,
        }
    }
}

/// Post-login Actions' sandbox: the `[actions]` section.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ActionsSettings {
    /// CPU time all post-login Actions of one request may take, in milliseconds; past it the
    /// script is stopped and the sign-in refused.
    pub timeout_ms: u64,
    /// Heap one sandbox may use, in MiB.
    pub memory_mb: u64,
    /// Threads running Actions (0: one per core, at most 8).
    pub workers: usize,
}

impl Default for ActionsSettings {
    fn default() -> Self {
        ActionsSettings {
            timeout_ms: 200,
            memory_mb: 32,
            workers: 0,
        }
    }
}

impl ActionsSettings {
    /// The engine's limits these settings give.
    pub fn limits(&self) -> portcullis_actions::Limits {
        let defaults = portcullis_actions::Limits::default();
        portcullis_actions::Limits {
            timeout: std::time::Duration::from_millis(self.timeout_ms),
            memory: usize::try_from(self.memory_mb << 20).unwrap_or(usize::MAX),
            workers: if self.workers == 0 {
                defaults.workers
            } else {
                self.workers
            },
            queue: defaults.queue,
        }
    }
}

/// OIDC Back-Channel Logout delivery: the `[logout]` section.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogoutSettings {
    /// Attempts per logout token before delivery is recorded as failed.
    pub backchannel_attempts: u32,
    /// Wait before the first retry, in milliseconds; doubled after each failure.
    pub backchannel_backoff_ms: u64,
    /// How long one attempt may take, in milliseconds.
    pub backchannel_timeout_ms: u64,
}

impl Default for LogoutSettings {
    fn default() -> Self {
        LogoutSettings {
            backchannel_attempts: 5,
            backchannel_backoff_ms: 1000,
            backchannel_timeout_ms: 5000,
        }
    }
}

/// The Auth0-compatible MFA API: the `[mfa]` section.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MfaSettings {
    /// How long an `mfa_token` lives, in seconds.
    pub token_ttl: i64,
}

impl Default for MfaSettings {
    fn default() -> Self {
        MfaSettings { token_ttl: 300 }
    }
}

/// WebAuthn relying party: the `[webauthn]` section.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebauthnSettings {
    /// RP ID: the issuer's host (default) or a parent domain, so passkeys work across subdomains.
    pub rp_id: Option<String>,
    /// The name authenticators show next to the passkey.
    pub rp_name: String,
}

impl Default for WebauthnSettings {
    fn default() -> Self {
        WebauthnSettings {
            rp_id: None,
            rp_name: "Portcullis".into(),
        }
    }
}

/// Per-IP request limits on the hosted pages, per minute (0 turns one off).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Password submissions.
    pub login_per_minute: u32,
    /// Second-factor submissions and code sends.
    pub factor_per_minute: u32,
    /// Enrolment submissions.
    pub enroll_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            login_per_minute: 30,
            factor_per_minute: 30,
            enroll_per_minute: 20,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(untagged)]
enum KeyList {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

/// The longest a console sign-in lasts: NIST SP 800-63B's AAL2 reauthentication bound.
const DEFAULT_ADMIN_MAX_AGE: i64 = 12 * 3600;

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    issuer: Option<String>,
    listen: Option<String>,
    database_url: Option<String>,
    #[serde(default)]
    master_key: KeyList,
    #[serde(default)]
    tokens: TokenSettings,
    #[serde(default)]
    session: SessionSettings,
    #[serde(default)]
    password: PasswordSettings,
    #[serde(default)]
    log: LogSettings,
    #[serde(default)]
    policy: PolicySettings,
    #[serde(default)]
    webauthn: WebauthnSettings,
    #[serde(default)]
    mfa: MfaSettings,
    #[serde(default)]
    audit: AuditSettings,
    #[serde(default)]
    proxy: ProxySettings,
    #[serde(default)]
    logout: LogoutSettings,
    #[serde(default)]
    limits: LimitSettings,
    #[serde(default)]
    lockout: portcullis_core::authn::lockout::LockoutPolicy,
    #[serde(default)]
    account: AccountSettings,
    #[serde(default)]
    actions: ActionsSettings,
    #[serde(default)]
    i18n: crate::i18n::I18nSettings,
    #[serde(default)]
    branding: crate::branding::BrandingSettings,
    smtp: Option<crate::notify::SmtpSettings>,
    sms: Option<crate::notify::SmsSettings>,
    outbox_dir: Option<String>,
    tls: Option<TlsSettings>,
    #[serde(default)]
    upstream: std::collections::BTreeMap<String, upstream::RawUpstream>,
    admin_required_acr: Option<String>,
    admin_max_age: Option<i64>,
}

/// The resolved settings the server runs with.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    /// Issuer identifier (no trailing slash).
    pub issuer: String,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: SecretString,
    /// Master keys, base64; the first encrypts.
    pub master_keys: Vec<SecretString>,
    /// Token lifetimes.
    pub tokens: TokenSettings,
    /// Session settings.
    pub session: SessionSettings,
    /// Password hashing.
    pub password: PasswordSettings,
    /// Logging.
    pub log: LogSettings,
    /// Tenant MFA policy.
    pub policy: PolicySettings,
    /// WebAuthn relying party.
    pub webauthn: WebauthnSettings,
    /// The MFA API.
    pub mfa: MfaSettings,
    /// The audit trail.
    pub audit: AuditSettings,
    /// A TLS-terminating proxy in front.
    pub proxy: ProxySettings,
    /// Back-channel logout delivery.
    pub logout: LogoutSettings,
    /// Per-IP limits.
    pub limits: LimitSettings,
    /// Per-account throttle of password and factor guesses.
    pub lockout: portcullis_core::authn::lockout::LockoutPolicy,
    /// Self-service accounts.
    pub account: AccountSettings,
    /// Post-login Actions.
    pub actions: ActionsSettings,
    /// Languages of the hosted pages and emails.
    pub i18n: crate::i18n::I18nSettings,
    /// The brand on the hosted pages and emails.
    pub branding: crate::branding::BrandingSettings,
    /// Email and SMS delivery.
    pub notify: crate::notify::NotifySettings,
    /// Development only: where the outbox writes messages instead of sending them.
    pub outbox_dir: Option<std::path::PathBuf>,
    /// Development mode: dev outbox, seeded demo data, relaxed cookies on localhost.
    pub dev: bool,
    /// The issuer was derived from the listen address, so it follows the bound port.
    pub issuer_auto: bool,
    /// Serve HTTPS with these files instead of plain HTTP (behind no proxy).
    pub tls: Option<TlsSettings>,
    /// Upstream identity providers (federation), by name.
    pub upstream: Vec<upstream::UpstreamSettings>,
    /// What a console (`/admin`) sign-in must prove: `aal2` by default.
    pub admin_required_acr: portcullis_proto::acr::Acr,
    /// How old, in seconds, a console sign-in may be (12 hours by default, NIST AAL2's
    /// reauthentication bound).
    pub admin_max_age: i64,
}

/// Where settings come from, besides the built-in defaults.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// A TOML file.
    pub file: Option<String>,
    /// Environment variables (pass `std::env::vars()`).
    pub env: Vec<(String, String)>,
    /// `--dev`.
    pub dev: bool,
    /// `--listen`, which wins over file and environment.
    pub listen: Option<String>,
}

/// Default dev database and key file.
pub const DEV_DATABASE_URL: &str = "sqlite://./portcullis-dev.db";
/// File holding the dev master key, created on first `--dev` start.
pub const DEV_KEY_FILE: &str = "./portcullis-dev.key";
/// Where `--dev` writes emails and text messages.
pub const DEV_OUTBOX_DIR: &str = "./portcullis-dev-outbox";
const SECRET_FILE_KEYS: [&str; 2] = ["master_key", "database_url"];
/// Keys whose values stay text even when they look numeric: a sender `+15551234567` or a password
/// `0042` would lose its `+` or leading zeros as an integer.
const TEXT_KEYS: [&str; 5] = ["username", "password", "from", "client_id", "client_secret"];

/// Environment variables with the prefix that are not settings.
fn ignored_env(name: &str) -> bool {
    name == "PORTCULLIS_CONFIG" || name.starts_with("PORTCULLIS_TEST_")
}

fn env_value(key: &str, value: &str) -> toml::Value {
    // Lists given as comma-separated text.
    if key == "master_key" || key == "image_origins" || key == "client_cert_from" {
        let keys: Vec<toml::Value> = value
            .split(',')
            .map(|k| toml::Value::String(k.trim().to_string()))
            .collect();
        return toml::Value::Array(keys);
    }
    if TEXT_KEYS.contains(&key) {
        return toml::Value::String(value.to_string());
    }
    // Numbers and booleans keep their type so numeric settings can be overridden too.
    if let Ok(i) = value.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    match value {
        "true" => toml::Value::Boolean(true),
        "false" => toml::Value::Boolean(false),
        _ => toml::Value::String(value.to_string()),
    }
}

fn overlay_env(table: &mut toml::Table, env: &[(String, String)]) -> Result<(), ConfigError> {
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("PORTCULLIS_") else {
            continue;
        };
        if ignored_env(name) {
            continue;
        }
        let path: Vec<String> = rest.split("__").map(|p| p.to_lowercase()).collect();
        let (last, sections) = path
            .split_last()
            .ok_or_else(|| ConfigError::Invalid(name.clone()))?;
        let mut cursor = &mut *table;
        for section in sections {
            let entry = cursor
                .entry(section.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            cursor = entry.as_table_mut().ok_or_else(|| {
                ConfigError::Invalid(format!("{name}: `{section}` is not a section"))
            })?;
        }
        cursor.insert(last.clone(), env_value(last, value));
    }
    Ok(())
}

fn read_secret_files(table: &mut toml::Table) -> Result<(), ConfigError> {
    for key in SECRET_FILE_KEYS {
        let file_key = format!("{key}_file");
        if let Some(v) = table.remove(&file_key) {
            let path = v
                .as_str()
                .ok_or_else(|| ConfigError::Invalid(format!("`{file_key}` must be a path")))?
                .to_string();
            let content = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            table.insert(key.to_string(), env_value(key, content.trim()));
        }
    }
    Ok(())
}

fn dev_master_key() -> Result<String, ConfigError> {
    let path = Path::new(DEV_KEY_FILE);
    if let Ok(existing) = std::fs::read_to_string(path) {
        return Ok(existing.trim().to_string());
    }
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD
        .encode(portcullis_core::crypto::random::bytes::<32>());
    std::fs::write(path, &key).map_err(|source| ConfigError::Read {
        path: DEV_KEY_FILE.into(),
        source,
    })?;
    Ok(key)
}

impl Settings {
    /// Resolves settings from the sources.
    pub fn load(sources: &Sources) -> Result<Settings, ConfigError> {
        let mut table = match &sources.file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                text.parse::<toml::Table>()
                    .map_err(|e| ConfigError::Invalid(format!("{path}: {e}")))?
            }
            None => toml::Table::new(),
        };
        overlay_env(&mut table, &sources.env)?;
        read_secret_files(&mut table)?;
        if let Some(listen) = &sources.listen {
            table.insert("listen".into(), toml::Value::String(listen.clone()));
        }
        let raw: Raw = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_string()))?;
        Self::resolve(raw, sources.dev)
    }

    fn resolve(raw: Raw, dev: bool) -> Result<Settings, ConfigError> {
        let listen: SocketAddr = raw
            .listen
            .as_deref()
            .unwrap_or("127.0.0.1:8080")
            .parse()
            .map_err(|_| {
                ConfigError::Invalid("`listen` must be an address like 127.0.0.1:8080".into())
            })?;
        let issuer_auto = raw.issuer.is_none() && dev;
        let issuer = match raw.issuer {
            Some(i) => i,
            None if dev => format!(
                "{}://localhost:{}",
                if raw.tls.is_some() { "https" } else { "http" },
                listen.port()
            ),
            None => {
                return Err(ConfigError::Missing {
                    key: "issuer",
                    env: "PORTCULLIS_ISSUER",
                });
            }
        };
        let issuer = issuer.trim_end_matches('/').to_string();
        let parsed = url::Url::parse(&issuer)
            .map_err(|_| ConfigError::Invalid("`issuer` must be an absolute URL".into()))?;
        let local = matches!(
            parsed.host_str(),
            Some("localhost") | Some("127.0.0.1") | Some("[::1]")
        );
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && local) {
            return Err(ConfigError::Invalid(
                "`issuer` must use https (http is allowed only for localhost)".into(),
            ));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(ConfigError::Invalid(
                "`issuer` must not have a query or fragment".into(),
            ));
        }
        let database_url = match raw.database_url {
            Some(u) => u,
            None if dev => DEV_DATABASE_URL.into(),
            None => {
                return Err(ConfigError::Missing {
                    key: "database_url",
                    env: "PORTCULLIS_DATABASE_URL",
                });
            }
        };
        let master_keys = match raw.master_key {
            KeyList::One(k) => vec![k],
            KeyList::Many(ks) => ks,
            KeyList::None => Vec::new(),
        };
        let master_keys: Vec<String> = master_keys.into_iter().filter(|k| !k.is_empty()).collect();
        let master_keys = if master_keys.is_empty() {
            if !dev {
                return Err(ConfigError::Missing {
                    key: "master_key",
                    env: "PORTCULLIS_MASTER_KEY",
                });
            }
            vec![dev_master_key()?]
        } else {
            master_keys
        };
        let l = &raw.lockout;
        // NIST SP 800-63B §5.2.2 caps consecutive failures at 100.
        if !(1..=100).contains(&l.lock_after) || l.free_attempts >= l.lock_after || l.base_delay < 1
        {
            return Err(ConfigError::Invalid(
                "`lockout`: need 1 <= lock_after <= 100, free_attempts < lock_after, base_delay >= 1"
                    .into(),
            ));
        }
        // A reused token within the interval is not reuse: keep the window short.
        if !(0..=300).contains(&raw.tokens.refresh_reuse_interval) {
            return Err(ConfigError::Invalid(
                "`tokens.refresh_reuse_interval`: seconds from 0 (off) to 300".into(),
            ));
        }
        if raw.actions.timeout_ms == 0 || raw.actions.memory_mb < 4 {
            return Err(ConfigError::Invalid(
                "`actions.timeout_ms` must be positive and `actions.memory_mb` at least 4".into(),
            ));
        }
        crate::i18n::Catalog::build(&raw.i18n).map_err(ConfigError::Invalid)?;
        crate::branding::Brand::resolve(&raw.branding).map_err(ConfigError::Invalid)?;
        if raw.account.deletion_grace_days < 0 {
            return Err(ConfigError::Invalid(
                "`account.deletion_grace_days` cannot be negative".into(),
            ));
        }
        portcullis_core::crypto::aead::MasterKeys::from_base64(&master_keys)
            .map_err(|e| ConfigError::Invalid(format!("`master_key`: {e}")))?;
        let upstream = upstream::resolve_all(raw.upstream)?;
        let admin_required_acr = match raw.admin_required_acr.as_deref() {
            None => portcullis_proto::acr::Acr::Aal2,
            Some(v) => portcullis_proto::acr::Acr::parse(v).ok_or_else(|| {
                ConfigError::Invalid("`admin_required_acr`: aal1, aal2 or aal3".into())
            })?,
        };
        let admin_max_age = raw.admin_max_age.unwrap_or(DEFAULT_ADMIN_MAX_AGE);
        if !(60..=DEFAULT_ADMIN_MAX_AGE).contains(&admin_max_age) {
            return Err(ConfigError::Invalid(
                "`admin_max_age`: seconds from 60 to 43200 (12 hours)".into(),
            ));
        }
        Ok(Settings {
            issuer,
            listen,
            database_url: SecretString::new(database_url),
            master_keys: master_keys.into_iter().map(SecretString::new).collect(),
            tokens: raw.tokens,
            session: raw.session,
            password: raw.password,
            log: raw.log,
            policy: raw.policy,
            webauthn: raw.webauthn,
            mfa: raw.mfa,
            audit: raw.audit,
            proxy: raw.proxy,
            logout: raw.logout,
            limits: raw.limits,
            lockout: raw.lockout,
            account: raw.account,
            actions: raw.actions,
            i18n: raw.i18n,
            branding: raw.branding,
            notify: crate::notify::NotifySettings {
                smtp: raw.smtp,
                sms: raw.sms,
            },
            outbox_dir: dev.then(|| {
                std::path::PathBuf::from(raw.outbox_dir.as_deref().unwrap_or(DEV_OUTBOX_DIR))
            }),
            dev,
            issuer_auto,
            tls: raw.tls,
            upstream,
            admin_required_acr,
            admin_max_age,
        })
    }

    /// Whether cookies may go without `Secure` (plain http on a loopback issuer).
    pub fn insecure_cookies(&self) -> bool {
        self.issuer.starts_with("http://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn config_env_overrides_file_and_nested_keys() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            format!("issuer = \"https://id.example.com/\"\ndatabase_url = \"sqlite://x.db\"\nmaster_key = [\"{KEY}\"]\n[tokens]\naccess_ttl = 100\n"),
        )
        .unwrap();
        let s = Settings::load(&Sources {
            file: Some(file.display().to_string()),
            env: env(&[
                ("PORTCULLIS_TOKENS__ACCESS_TTL", "42"),
                ("PORTCULLIS_LISTEN", "127.0.0.1:9999"),
                ("PORTCULLIS_TEST_DATABASE_URL", "x"),
            ]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.issuer, "https://id.example.com");
        assert_eq!(s.tokens.access_ttl, 42);
        assert_eq!(s.listen.port(), 9999);
    }

    #[test]
    fn config_unknown_key_is_error() {
        let err = Settings::load(&Sources {
            env: env(&[
                ("PORTCULLIS_ISSUER", "https://a"),
                ("PORTCULLIS_TOKENS__ACESS_TTL", "1"),
            ]),
            dev: true,
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("acess_ttl"), "{err}");
    }

    /// Dev settings with the master key and `pairs` in the environment.
    fn dev(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut all = vec![("PORTCULLIS_MASTER_KEY", KEY)];
        all.extend_from_slice(pairs);
        Settings::load(&Sources {
            env: env(&all),
            dev: true,
            ..Default::default()
        })
    }

    #[test]
    fn config_account_grace_defaults_and_env_override() {
        assert_eq!(dev(&[]).unwrap().account.deletion_grace_days, 7);
        let s = dev(&[("PORTCULLIS_ACCOUNT__DELETION_GRACE_DAYS", "3")]).unwrap();
        assert_eq!(s.account.deletion_grace_days, 3);
        let err = dev(&[("PORTCULLIS_ACCOUNT__DELETION_GRACE_DAYS", "-1")]).unwrap_err();
        assert!(err.to_string().contains("deletion_grace_days"), "{err}");
    }

    #[test]
    fn config_console_defaults_overrides_and_bounds() {
        let s = dev(&[]).unwrap();
        assert_eq!(s.admin_required_acr, portcullis_proto::acr::Acr::Aal2);
        assert_eq!(s.admin_max_age, 12 * 3600);
        let s = dev(&[
            ("PORTCULLIS_ADMIN_REQUIRED_ACR", "aal3"),
            ("PORTCULLIS_ADMIN_MAX_AGE", "900"),
        ])
        .unwrap();
        assert_eq!(s.admin_required_acr, portcullis_proto::acr::Acr::Aal3);
        assert_eq!(s.admin_max_age, 900);
        for (key, value) in [
            ("PORTCULLIS_ADMIN_REQUIRED_ACR", "gold"),
            ("PORTCULLIS_ADMIN_MAX_AGE", "86400"),
            ("PORTCULLIS_ADMIN_MAX_AGE", "0"),
        ] {
            let err = dev(&[(key, value)]).unwrap_err();
            assert!(err.to_string().contains("admin_"), "{key}={value}: {err}");
        }
    }

    #[test]
    fn config_missing_issuer_is_named() {
        let err = Settings::load(&Sources::default()).unwrap_err();
        assert!(
            err.to_string().contains("`issuer`") && err.to_string().contains("PORTCULLIS_ISSUER")
        );
    }

    #[test]
    fn config_missing_master_key_is_named() {
        let err = Settings::load(&Sources {
            env: env(&[
                ("PORTCULLIS_ISSUER", "https://a"),
                ("PORTCULLIS_DATABASE_URL", "sqlite://x"),
            ]),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("`master_key`"), "{err}");
    }

    #[test]
    fn config_secret_file_variant_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("key");
        std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
        let s = Settings::load(&Sources {
            env: env(&[
                ("PORTCULLIS_ISSUER", "https://a"),
                ("PORTCULLIS_DATABASE_URL", "sqlite://x"),
                (
                    "PORTCULLIS_MASTER_KEY_FILE",
                    &key_file.display().to_string(),
                ),
            ]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.master_keys.len(), 1);
        assert_eq!(s.master_keys[0].expose(), KEY);
    }

    #[test]
    fn config_dev_issuer_follows_listen() {
        let s = Settings::load(&Sources {
            env: env(&[("PORTCULLIS_MASTER_KEY", KEY)]),
            dev: true,
            listen: Some("127.0.0.1:8123".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.issuer, "http://localhost:8123");
        assert!(s.insecure_cookies());
        let tls = Settings::load(&Sources {
            env: env(&[
                ("PORTCULLIS_MASTER_KEY", KEY),
                ("PORTCULLIS_TLS__CERT", "/etc/portcullis/cert.pem"),
                ("PORTCULLIS_TLS__KEY", "/etc/portcullis/key.pem"),
            ]),
            dev: true,
            listen: Some("127.0.0.1:8123".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(tls.issuer, "https://localhost:8123");
        assert!(!tls.insecure_cookies());
        let files = tls.tls.unwrap();
        assert_eq!(
            files.key,
            std::path::PathBuf::from("/etc/portcullis/key.pem")
        );
    }

    #[test]
    fn config_plain_http_issuer_refused_off_localhost() {
        let err = Settings::load(&Sources {
            env: env(&[
                ("PORTCULLIS_ISSUER", "http://id.example.com"),
                ("PORTCULLIS_MASTER_KEY", KEY),
            ]),
            dev: true,
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("https"));
    }

    #[test]
    fn config_env_text_keys_stay_strings() {
        assert_eq!(
            env_value("from", "+15551234567"),
            toml::Value::String("+15551234567".into())
        );
        assert_eq!(
            env_value("password", "0042"),
            toml::Value::String("0042".into())
        );
        assert_eq!(env_value("port", "465"), toml::Value::Integer(465));
    }

    #[test]
    fn config_readme_example_parses() {
        let readme = include_str!("../../../README.md");
        let start = readme.find("```toml\n").unwrap() + 8;
        let end = readme[start..].find("```").unwrap() + start;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key");
        std::fs::write(&key, KEY).unwrap();
        let text =
            readme[start..end].replace("/run/secrets/master_key", &key.display().to_string());
        let file = dir.path().join("portcullis.toml");
        std::fs::write(&file, text).unwrap();
        let s = Settings::load(&Sources {
            file: Some(file.display().to_string()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.policy.mfa, MfaMode::Adaptive);
        assert_eq!(s.lockout.lock_after, 20);
        assert_eq!(s.notify.sms.as_ref().unwrap().from, "+15551234567");
        assert_eq!(s.admin_max_age, 43200);
    }

    #[test]
    fn config_lockout_beyond_nist_bound_refused() {
        let e = Settings::load(&Sources {
            env: env(&[
                ("PORTCULLIS_LOCKOUT__LOCK_AFTER", "500"),
                ("PORTCULLIS_MASTER_KEY", KEY),
            ]),
            dev: true,
            ..Default::default()
        });
        assert!(matches!(e, Err(ConfigError::Invalid(m)) if m.contains("lockout")));
    }

    #[test]
    fn config_refresh_reuse_interval_off_by_default_and_bounded() {
        let load = |v: &str| {
            Settings::load(&Sources {
                env: env(&[
                    ("PORTCULLIS_TOKENS__REFRESH_REUSE_INTERVAL", v),
                    ("PORTCULLIS_MASTER_KEY", KEY),
                ]),
                dev: true,
                ..Default::default()
            })
        };
        assert_eq!(TokenSettings::default().refresh_reuse_interval, 0);
        assert_eq!(load("300").unwrap().tokens.refresh_reuse_interval, 300);
        for bad in ["301", "-1"] {
            let e = load(bad);
            assert!(
                matches!(e, Err(ConfigError::Invalid(m)) if m.contains("refresh_reuse_interval"))
            );
        }
    }
}
