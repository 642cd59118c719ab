//! Shared application state and the in-memory cache of clients, APIs, grants and keys.
//!
//! The token endpoint must not touch the database for `client_credentials` (DESIGN.md §10), so
//! configuration lives in an immutable [`Snapshot`] swapped whole when the store's change counter
//! moves. A background task polls the counter; a miss (unknown client) checks it at once, so a
//! client created by the CLI works on its first request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use portcullis_core::admin;
use portcullis_core::clock::Clock;
use portcullis_core::crypto::aead::MasterKeys;
use portcullis_core::crypto::jws::{Alg, Jwk, Signer};
use portcullis_core::crypto::password::{PasswordCost, PasswordHasher};
use portcullis_core::factor::webauthn::Relying;
use portcullis_core::model::{Api, AuditEvent, Client};
use portcullis_core::ports::Store;

use crate::config::Settings;
use crate::notify::Outbox;
use crate::ratelimit::{Class, RateLimiter};
use portcullis_core::authn::factors::Factors;
use portcullis_core::notify::Notifier;

/// An immutable view of the configuration data.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The store's change counter this was loaded at.
    pub version: i64,
    /// Clients by id.
    pub clients: HashMap<String, Client>,
    /// APIs by audience identifier.
    pub apis: HashMap<String, Api>,
    /// Granted scopes by (client id, audience).
    pub grants: HashMap<(String, String), Vec<String>>,
    /// The signing key per algorithm.
    pub signers: HashMap<Alg, Arc<Signer>>,
    /// Every published public key (active and recently retired).
    pub jwks: Vec<Jwk>,
    /// The JWKS document, serialised once.
    pub jwks_json: Arc<str>,
    /// The tenant policy keys changed at run time, laid over the file's `[policy]`.
    pub tenant_policy: portcullis_core::policy::PolicyOverrides,
    /// The deployed Actions bound to the post-login trigger, in order, secrets opened.
    pub post_login: Arc<portcullis_actions::Deployment>,
    /// Applications' logos (Auth0's `logo_uri`), by client id.
    pub client_logos: HashMap<String, String>,
    /// CIBA ping addresses by client id (clients without one poll).
    pub client_pings: HashMap<String, String>,
    /// Applications' `private_key_jwt` keys as registered, by client id.
    pub client_keys: HashMap<String, portcullis_core::model::ClientKeys>,
    /// The thumbprints of the certificates each `self_signed_tls_client_auth` client
    /// registered, by client id.
    pub client_certificates: HashMap<String, Vec<String>>,
    /// The certificate subject each `tls_client_auth` client registered, by client id.
    pub client_subjects: HashMap<String, crate::oidc::mtls::Subject>,
    /// Clients whose tokens are bound to their TLS client certificate (RFC 8705 §3).
    pub certificate_bound: std::collections::HashSet<String>,
    /// The same keys ready to verify assertions (a JWKS by address is fetched when first
    /// needed and again, at most once a minute, for an unknown `kid`).
    pub client_key_sets: HashMap<String, Arc<portcullis_guard::KeySet>>,
}

impl Snapshot {
    /// The signer of a client's ID tokens: its registered algorithm, RS256 when it has none
    /// (OIDC Core §3.1.3.7).
    pub fn signer_for(&self, client: &Client) -> Option<&Arc<Signer>> {
        self.signer(Some(&client.signing_alg))
    }

    /// The signer for `alg`, RS256 when none or an unknown one is named.
    pub fn signer(&self, alg: Option<&str>) -> Option<&Arc<Signer>> {
        alg.and_then(Alg::parse)
            .and_then(|alg| self.signers.get(&alg))
            .or_else(|| self.signers.get(&Alg::Rs256))
    }

    /// The signer of access tokens for `audience`: the API's `signing_alg`, RS256 by default
    /// (and for the `/userinfo` audience).
    pub fn access_signer(&self, audience: Option<&str>) -> Option<&Arc<Signer>> {
        let alg = audience
            .and_then(|a| self.apis.get(a))
            .and_then(|api| api.signing_alg.as_deref());
        self.signer(alg)
    }
}

struct Inner {
    settings: Settings,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    hasher: PasswordHasher,
    master: MasterKeys,
    csrf_key: [u8; 32],
    snapshot: RwLock<Arc<Snapshot>>,
    reload: tokio::sync::Mutex<()>,
    notifier: Arc<dyn Notifier>,
    outbox: Option<Arc<Outbox>>,
    limiter: RateLimiter,
    /// Whether per-IP windows are counted in the database (PostgreSQL: several nodes).
    shared_limits: bool,
    /// `None` when the issuer's host is an IP address (WebAuthn needs a domain name).
    webauthn: Option<Relying>,
    metrics: crate::metrics::Metrics,
    http: reqwest::Client,
    audit_writer: tokio::sync::Mutex<()>,
    actions: portcullis_actions::Engine,
    i18n: Arc<crate::i18n::Catalog>,
    brand: Arc<crate::branding::Brand>,
    /// The verifier of `[tls] client_ca`, for `tls_client_auth`.
    client_ca: Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>,
}

/// Cheap-to-clone handle to everything a request needs.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppState({})", self.0.settings.issuer)
    }
}

/// Errors while building the state.
pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

impl AppState {
    /// Builds the state, creating signing keys on first start.
    pub async fn new(
        settings: Settings,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<AppState, BuildError> {
        let master = MasterKeys::from_base64(
            &settings
                .master_keys
                .iter()
                .map(|k| k.expose().to_string())
                .collect::<Vec<_>>(),
        )?;
        let p = &settings.password;
        let hasher = PasswordHasher::new(
            PasswordCost {
                memory_kib: p.memory_kib,
                iterations: p.iterations,
                parallelism: p.parallelism,
            },
            p.max_concurrent,
        )?;
        admin::ensure_keys(store.as_ref(), &master, clock.as_ref()).await?;
        admin::ensure_api(
            store.as_ref(),
            &crate::mgmt::builtin_api(&settings.issuer, clock.now()),
        )
        .await?;
        let csrf_key = master.derive("portcullis csrf v1");
        let notifier = crate::notify::build(&settings.notify, settings.outbox_dir.clone())?;
        let outbox = settings
            .outbox_dir
            .clone()
            .map(|d| Arc::new(Outbox::new(d)));
        let ip_issuer = settings.webauthn.rp_id.is_none()
            && url::Url::parse(&settings.issuer)
                .ok()
                .is_some_and(|u| matches!(u.host(), Some(url::Host::Ipv4(_) | url::Host::Ipv6(_))));
        let webauthn = if ip_issuer {
            // A WebAuthn relying party ID is a domain name (W3C WebAuthn §5.1.4.1): browsers
            // refuse IP addresses, so passkeys are off rather than broken.
            tracing::warn!(
                issuer = %settings.issuer,
                "passkeys and security keys are off: the issuer's host is an IP address, and WebAuthn needs a domain name (use localhost or a DNS name)"
            );
            None
        } else {
            Some(Relying::new(
                &settings.issuer,
                settings.webauthn.rp_id.as_deref(),
                &settings.webauthn.rp_name,
                master.derive("portcullis webauthn user handle v1"),
            )?)
        };
        let shared_limits = portcullis_store::Engine::of(settings.database_url.expose())
            == Some(portcullis_store::Engine::Postgres);
        let settings_actions = settings.actions.limits();
        let i18n = Arc::new(crate::i18n::Catalog::build(&settings.i18n)?);
        let brand = Arc::new(crate::branding::Brand::resolve(&settings.branding)?);
        let client_ca = crate::tls::client_ca(settings.tls.as_ref())?;
        let state = AppState(Arc::new(Inner {
            settings,
            store,
            clock,
            hasher,
            master,
            csrf_key,
            snapshot: RwLock::new(Arc::new(Snapshot {
                version: -1,
                ..Snapshot::default()
            })),
            reload: tokio::sync::Mutex::new(()),
            notifier,
            outbox,
            limiter: RateLimiter::default(),
            shared_limits,
            webauthn,
            metrics: crate::metrics::Metrics::default(),
            // Outbound calls go to addresses admins registered (back-channel logout); no
            // redirects, so a registered URI cannot bounce the call elsewhere.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent("Portcullis")
                .build()?,
            audit_writer: tokio::sync::Mutex::new(()),
            actions: portcullis_actions::Engine::start(settings_actions),
            i18n,
            brand,
            client_ca,
        }));
        state.refresh().await?;
        Ok(state)
    }

    /// The languages of the hosted pages and emails.
    pub fn i18n(&self) -> &Arc<crate::i18n::Catalog> {
        &self.0.i18n
    }

    /// The brand on pages and in emails.
    pub fn brand(&self) -> &Arc<crate::branding::Brand> {
        &self.0.brand
    }

    /// The verifier of `[tls] client_ca` (`tls_client_auth`), when one is configured.
    pub fn client_ca(&self) -> Option<&Arc<dyn rustls::server::danger::ClientCertVerifier>> {
        self.0.client_ca.as_ref()
    }

    /// The pool running post-login Actions.
    pub fn actions(&self) -> &portcullis_actions::Engine {
        &self.0.actions
    }

    /// The client for outbound HTTP calls.
    pub fn http(&self) -> &reqwest::Client {
        &self.0.http
    }

    /// Prometheus metrics.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.0.metrics
    }

    /// Settings.
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// The issuer identifier.
    pub fn issuer(&self) -> &str {
        &self.0.settings.issuer
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.0.store.as_ref()
    }

    /// The current time.
    pub fn now(&self) -> i64 {
        self.0.clock.now()
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.0.clock.as_ref()
    }

    /// The password hasher.
    pub fn hasher(&self) -> &PasswordHasher {
        &self.0.hasher
    }

    /// The master keys.
    pub fn master(&self) -> &MasterKeys {
        &self.0.master
    }

    /// Delivers emails and text messages.
    pub fn notifier(&self) -> &dyn Notifier {
        self.0.notifier.as_ref()
    }

    /// The dev outbox, in `--dev` only.
    pub fn outbox(&self) -> Option<Arc<Outbox>> {
        self.0.outbox.clone()
    }

    /// Factor logic bound to this request's time.
    pub fn factors(&self) -> Factors<'_> {
        Factors {
            store: self.store(),
            master: &self.0.master,
            lockout: self.0.settings.lockout,
            now: self.now(),
        }
    }

    /// The WebAuthn relying party of this issuer.
    pub fn webauthn(&self) -> crate::error::AppResult<&Relying> {
        self.0.webauthn.as_ref().ok_or_else(|| {
            crate::error::AppError::page(
                axum::http::StatusCode::NOT_FOUND,
                crate::tr!("webauthn-off"),
            )
        })
    }

    /// Whether passkeys and security keys can be used here.
    pub fn webauthn_on(&self) -> bool {
        self.0.webauthn.is_some()
    }

    /// Counts a request against the per-IP limit of `class`; seconds to wait if over it.
    pub async fn over_limit(&self, class: Class, meta: &crate::http::ClientMeta) -> Option<i64> {
        let l = &self.0.settings.limits;
        let limit = match class {
            Class::Login => l.login_per_minute,
            Class::Factor => l.factor_per_minute,
            Class::Enroll => l.enroll_per_minute,
            Class::Meter if l.enroll_per_minute == 0 => 0,
            Class::Meter => crate::ratelimit::METER_PER_MINUTE,
        };
        let ip = meta.ip.as_deref().unwrap_or("unknown");
        let now = self.now();
        if self.0.shared_limits && limit > 0 {
            match crate::ratelimit::shared_check(self.store(), class, ip, limit, now).await {
                Ok(wait) => return wait,
                Err(e) => {
                    tracing::warn!(error = %e, "shared rate limit unavailable; counting on this node")
                }
            }
        }
        self.0.limiter.check(class, ip, limit, now)
    }

    /// As [`AppState::over_limit`], for API clients: `429 too_many_requests` as JSON, with
    /// `Retry-After`.
    pub async fn limit_api(
        &self,
        class: Class,
        meta: &crate::http::ClientMeta,
    ) -> crate::error::AppResult<()> {
        match self.over_limit(class, meta).await {
            Some(seconds) => Err(crate::error::AppError::TooMany {
                code: portcullis_proto::oauth::ErrorCode::TooManyRequests,
                seconds,
            }),
            None => Ok(()),
        }
    }

    /// As [`AppState::over_limit`], as an error to return: `429` with `Retry-After`.
    pub async fn limit(
        &self,
        class: Class,
        meta: &crate::http::ClientMeta,
    ) -> crate::error::AppResult<()> {
        match self.over_limit(class, meta).await {
            Some(wait) => Err(crate::error::AppError::Throttled(wait)),
            None => Ok(()),
        }
    }

    /// Key for CSRF token MACs.
    pub fn csrf_key(&self) -> &[u8; 32] {
        &self.0.csrf_key
    }

    /// The current configuration snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.0.snapshot.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A client by id, reloading once if it is not cached (it may have just been created).
    pub async fn client(&self, id: &str) -> Option<Client> {
        if let Some(c) = self.snapshot().clients.get(id) {
            return Some(c.clone());
        }
        if let Err(e) = self.refresh().await {
            tracing::error!(error = %e, "configuration reload failed");
        }
        self.snapshot().clients.get(id).cloned()
    }

    /// An API by audience, reloading once if it is not cached.
    pub async fn api(&self, audience: &str) -> Option<Api> {
        if let Some(a) = self.snapshot().apis.get(audience) {
            return Some(a.clone());
        }
        if let Err(e) = self.refresh().await {
            tracing::error!(error = %e, "configuration reload failed");
        }
        self.snapshot().apis.get(audience).cloned()
    }

    /// The tenant's policy: the file's `[policy]` with the keys changed at run time (the
    /// console, `PUT /api/v2/mfa-policy/tenant`, `portcullis policy set`) laid over it.
    pub fn tenant_policy(&self) -> portcullis_core::policy::Policy {
        self.settings()
            .policy
            .clone()
            .with(&self.snapshot().tenant_policy)
    }

    /// The effective MFA policy for a client and, if the request names one, an API: the
    /// tenant's policy, then the client's overrides, then the API's.
    pub async fn policy(
        &self,
        client_id: Option<&str>,
        audience: Option<&str>,
    ) -> portcullis_core::policy::Policy {
        let client = match client_id {
            Some(id) => self.client(id).await,
            None => None,
        };
        let api = match audience {
            Some(a) => self.api(a).await,
            None => None,
        };
        self.tenant_policy().resolve(
            client.as_ref().map(|c| &c.policy),
            api.as_ref().map(|a| &a.policy),
        )
    }

    /// Reloads the snapshot if the store's change counter moved.
    pub async fn refresh(&self) -> Result<(), BuildError> {
        let _one_at_a_time = self.0.reload.lock().await;
        let version = self.store().config_version().await?;
        if version == self.snapshot().version {
            return Ok(());
        }
        let snapshot = self.load(version).await?;
        match self.0.snapshot.write() {
            Ok(mut g) => *g = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        Ok(())
    }

    /// Verifiers for the clients' registered keys (those that hold none are left out).
    fn key_sets(
        &self,
        keys: &HashMap<String, portcullis_core::model::ClientKeys>,
    ) -> HashMap<String, Arc<portcullis_guard::KeySet>> {
        let clock = self.0.clock.clone();
        let clock: portcullis_guard::Clock = Arc::new(move || clock.now());
        // A client's key server answers within seconds or not at all; no redirects.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(5))
            .user_agent("Portcullis")
            .build()
            .unwrap_or_default();
        keys.iter()
            .filter_map(|(id, k)| {
                let set = match (&k.jwks, &k.jwks_uri) {
                    (Some(jwks), _) => portcullis_guard::KeySet::fixed(jwks, clock.clone())?,
                    (None, Some(uri)) => portcullis_guard::KeySet::new(
                        http.clone(),
                        uri.clone(),
                        std::time::Duration::from_secs(60),
                        clock.clone(),
                    ),
                    (None, None) => return None,
                };
                Some((id.clone(), Arc::new(set)))
            })
            .collect()
    }

    async fn load(&self, version: i64) -> Result<Snapshot, BuildError> {
        let store = self.store();
        let client_keys: HashMap<_, _> = store.client_keys().await?.into_iter().collect();
        let clients = store
            .list_clients()
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let mut apis: HashMap<String, Api> = store
            .list_apis()
            .await?
            .into_iter()
            .map(|a| (a.identifier.clone(), a))
            .collect();
        let mfa = crate::oidc::mfa_api::builtin_api(self.issuer());
        apis.entry(mfa.identifier.clone()).or_insert(mfa);
        let grants = store
            .list_client_grants()
            .await?
            .into_iter()
            .map(|g| ((g.client_id, g.audience), g.scopes))
            .collect();
        let now = self.now();
        let keep_until = self.max_token_ttl();
        let mut signers = HashMap::new();
        let mut jwks = Vec::new();
        for record in store.list_signing_keys().await? {
            if record.retired_at.is_some_and(|r| r + keep_until < now) {
                continue;
            }
            let signer = admin::load_signer(&self.0.master, &record)?;
            jwks.push(signer.jwk().clone());
            if record.retired_at.is_none() {
                // Keys come newest first, so the first active key per algorithm wins.
                signers
                    .entry(signer.alg())
                    .or_insert_with(|| Arc::new(signer));
            }
        }
        let jwks_json: Arc<str> =
            serde_json::to_string(&serde_json::json!({ "keys": jwks }))?.into();
        Ok(Snapshot {
            version,
            clients,
            apis,
            grants,
            signers,
            jwks,
            jwks_json,
            tenant_policy: admin::tenant_overrides(store).await?,
            post_login: Arc::new(crate::actions::deployment(store, &self.0.master).await?),
            client_logos: store.client_logos().await?.into_iter().collect(),
            client_pings: store
                .client_settings(crate::oidc::ciba::PING_SETTING)
                .await?
                .into_iter()
                .collect(),
            client_certificates: certificates(store, &client_keys).await?,
            client_subjects: store
                .client_settings(crate::oidc::mtls::SUBJECT_SETTING)
                .await?
                .into_iter()
                .filter_map(|(id, v)| Some((id, serde_json::from_str(&v).ok()?)))
                .collect(),
            certificate_bound: store
                .client_settings(crate::oidc::mtls::BOUND_SETTING)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
            client_key_sets: self.key_sets(&client_keys),
            client_keys,
        })
    }

    /// The longest lifetime of a signed token; retired keys stay published this long.
    pub fn max_token_ttl(&self) -> i64 {
        let t = &self.0.settings.tokens;
        let api_max = self
            .snapshot()
            .apis
            .values()
            .map(|a| a.token_ttl)
            .max()
            .unwrap_or(0);
        t.access_ttl.max(t.id_ttl).max(api_max).max(86400)
    }

    /// Appends an audit event for a request; failures are logged, never shown to the user.
    pub async fn audit(
        &self,
        kind: &str,
        meta: &crate::http::ClientMeta,
        user_id: Option<&str>,
        client_id: Option<&str>,
        detail: serde_json::Value,
    ) {
        let event = AuditEvent {
            at: self.now(),
            kind: kind.into(),
            user_id: user_id.map(str::to_string),
            client_id: client_id.map(str::to_string),
            ip: meta.ip.clone(),
            user_agent: meta.user_agent.clone(),
            detail,
        };
        self.metrics().event(&event.kind, &event.detail);
        // One writer at a time on this node: each append reads the chain's head and writes the
        // next link, so concurrent requests would otherwise race for the same number. Other
        // nodes still can, and the append retries for them.
        let _one_writer = self.0.audit_writer.lock().await;
        if let Err(e) = portcullis_core::audit::append(self.store(), self.master(), &event).await {
            tracing::error!(error = %e, kind = %event.kind, "audit append failed");
        }
    }
}

/// A random name for this process among the nodes of a cluster (lease holder).
pub fn node_id() -> String {
    format!("node-{}", portcullis_core::crypto::random::token())
}

/// The registered certificates of the clients that authenticate with one, by client id. A
/// registration that no longer parses leaves its client without certificates (refused), not the
/// server without a snapshot.
async fn certificates(
    store: &dyn Store,
    keys: &HashMap<String, portcullis_core::model::ClientKeys>,
) -> Result<HashMap<String, Vec<String>>, BuildError> {
    Ok(store
        .client_settings(crate::oidc::mtls::METHOD_SETTING)
        .await?
        .into_iter()
        .filter(|(_, method)| method == crate::oidc::mtls::SELF_SIGNED)
        .filter_map(|(id, _)| {
            let jwks = keys.get(&id)?.jwks.as_ref()?;
            let found = crate::oidc::mtls::registered_certificates(jwks).ok()?;
            Some((id, found))
        })
        .collect())
}
