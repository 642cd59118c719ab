//! Building and running the server: `Application::build` then `run_until`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use portcullis_core::clock::Clock;
use portcullis_core::ports::Store;
use portcullis_store::{SqlStore, StoreOptions};
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::state::{AppState, BuildError};

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    state: AppState,
    store: Arc<dyn Store>,
}

/// Opens the configured database and applies migrations.
pub async fn open_store(settings: &Settings) -> Result<SqlStore, BuildError> {
    let store = SqlStore::connect(&StoreOptions::new(settings.database_url.expose())).await?;
    store.migrate().await?;
    Ok(store)
}

impl Application {
    /// Connects to the database, migrates, binds the listener and loads keys.
    pub async fn build(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Application, BuildError> {
        let store = open_store(&settings).await?;
        Self::build_with_store(settings, Arc::new(store), clock).await
    }

    /// As [`Application::build`], with a store already open (tests, benchmarks).
    pub async fn build_with_store(
        mut settings: Settings,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<Application, BuildError> {
        // Bad certificate files fail the start, not the first connection.
        let tls = settings
            .tls
            .as_ref()
            .map(crate::tls::acceptor)
            .transpose()?;
        let listener = TcpListener::bind(settings.listen).await?;
        let bound = listener.local_addr()?;
        settings.listen = bound;
        if settings.issuer_auto {
            let scheme = if tls.is_some() { "https" } else { "http" };
            settings.issuer = format!("{scheme}://localhost:{}", bound.port());
        }
        let state = AppState::new(settings, store.clone(), clock).await?;
        Ok(Application {
            listener,
            tls,
            state,
            store,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.state.settings().listen.port()
    }

    /// The state (issuer, store, clock).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then drains in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let tasks = spawn_background(self.state.clone());
        let app =
            router(self.state.clone()).into_make_service_with_connect_info::<crate::tls::Peer>();
        let result = match self.tls {
            Some(acceptor) => {
                let listener = crate::tls::TlsListener::new(self.listener, acceptor);
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            None => {
                axum::serve(self.listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
        };
        for t in tasks {
            t.abort();
        }
        drop(self.store);
        result
    }
}

fn spawn_background(state: AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let poll = state.clone();
    let config_poller = tokio::spawn(async move {
        // Picks up changes made by the CLI or another node: pushed by PostgreSQL as they commit
        // (the counter is then only the fallback), polled on SQLite; misses also reload on demand.
        let mut signals = poll.store().config_signals();
        let every = match signals {
            Some(_) => Duration::from_secs(5),
            None => Duration::from_millis(250),
        };
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            match signals.as_mut() {
                Some(rx) => tokio::select! {
                    signal = rx.recv() => if signal.is_none() {
                        tracing::warn!("configuration listener stopped; polling instead");
                        signals = None;
                        tick = tokio::time::interval(Duration::from_millis(250));
                    },
                    _ = tick.tick() => {}
                },
                None => {
                    tick.tick().await;
                }
            }
            if let Err(e) = poll.refresh().await {
                tracing::warn!(error = %e, "configuration reload failed");
            }
        }
    });
    let sweeper = tokio::spawn(async move {
        // Every node tries; the lease holder sweeps, so a cluster sweeps once, and another
        // node takes over within a lease when the holder dies.
        let holder = crate::state::node_id();
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_prune: Option<i64> = None;
        loop {
            tick.tick().await;
            let now = state.now();
            match state
                .store()
                .take_lease("housekeeping", &holder, now, now + LEASE_FOR)
                .await
            {
                Ok(true) => housekeeping(&state, now, &mut last_prune).await,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping lease unavailable"),
            }
        }
    });
    vec![config_poller, sweeper]
}

/// How often a node tries the housekeeping lease and, holding it, sweeps.
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// How long the housekeeping lease lasts unless renewed (a dead holder's work resumes after it).
const LEASE_FOR: i64 = 60;
/// Rows one sweep deletes at most: 5,000 a second, more than the token endpoint creates.
const SWEEP_BUDGET: u64 = 50_000;

/// One round of the leased background work: audit retention (daily), expired rows, accounts past
/// their deletion grace, and retired keys no token can need.
async fn housekeeping(state: &AppState, now: i64, last_prune: &mut Option<i64>) {
    let days = state.settings().audit.retention_days;
    if days > 0 && last_prune.is_none_or(|at| now - at >= 86_400) {
        *last_prune = Some(now);
        match portcullis_core::audit::prune(state.store(), state.master(), now - days * 86_400, now)
            .await
        {
            Ok(n) if n > 0 => tracing::info!(events = n, "pruned audit events past retention"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "audit pruning refused"),
        }
    }
    // A lockout counter idle for longer than a lock lasts is forgotten (Keycloak's failure reset).
    let lockout = &state.settings().lockout;
    let forget = now - lockout.lock_for.max(lockout.max_delay);
    match state.store().sweep_expired(now, forget, SWEEP_BUDGET).await {
        Ok(n) if n > 0 => tracing::debug!(rows = n, "swept expired items"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "sweep failed"),
    }
    match crate::ui::profile::sweep_deletions(state).await {
        Ok(n) if n > 0 => tracing::info!(users = n, "deleted accounts past their grace period"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "account deletion sweep failed"),
    }
    if let Err(e) = state
        .store()
        .purge_signing_keys(now - state.max_token_ttl())
        .await
    {
        tracing::warn!(error = %e, "key purge failed");
    }
}

/// The full router.
pub fn router(state: AppState) -> Router {
    let dev = match state.outbox() {
        Some(outbox) => crate::notify::dev_routes(outbox),
        None => Router::new(),
    };
    Router::new()
        .merge(dev)
        .merge(crate::oidc::routes())
        .merge(crate::mgmt::routes())
        .merge(crate::ui::routes())
        .merge(crate::console::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::metrics))
        .route("/u/locale", get(crate::i18n::pick))
        .route("/u/assets/brand/{which}", get(crate::branding::image))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::i18n::negotiate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::tls::with_certificate,
        ))
        .layer(hsts(&state))
        // Nothing is stored by a cache unless its handler says so (discovery, JWKS, scripts):
        // answers carry codes, tokens, TOTP secrets, recovery codes, tickets and CSRF tokens.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(
            // Method and path only: query strings can carry codes and tokens.
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

/// `Strict-Transport-Security` on every answer of an https issuer (RFC 6797); nothing on plain
/// http, where browsers ignore it anyway.
fn hsts(
    state: &AppState,
) -> tower::util::Either<SetResponseHeaderLayer<HeaderValue>, tower::layer::util::Identity> {
    if state.issuer().starts_with("https://") {
        tower::util::Either::Left(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ))
    } else {
        tower::util::Either::Right(tower::layer::util::Identity::new())
    }
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    // Answer within a load balancer's check timeout: a database that does not answer in time is
    // as good as down for this node (the pool would otherwise wait up to its 10 s acquire).
    match tokio::time::timeout(READY_WITHIN, state.store().ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "store not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "store unreachable")
        }
        Err(_) => {
            tracing::warn!("store did not answer within the readiness timeout");
            (StatusCode::SERVICE_UNAVAILABLE, "store not answering")
        }
    }
}

/// How long `/readyz` waits for the database.
const READY_WITHIN: Duration = Duration::from_millis(500);
