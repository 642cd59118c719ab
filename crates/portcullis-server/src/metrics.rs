//! Prometheus metrics at `GET /metrics` (OpenMetrics text): security events by kind, factor
//! checks by method and outcome, token requests by grant and outcome, and request latency by
//! route. Counters only count; no label ever carries a user, a client or a secret.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::state::AppState;

type Labels = Vec<(&'static str, String)>;

/// The registry and its metric families.
pub struct Metrics {
    registry: Registry,
    events: Family<Labels, Counter>,
    factors: Family<Labels, Counter>,
    tokens: Family<Labels, Counter>,
    latency: Family<Labels, Histogram>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~16 s: token grants sit at the bottom, Argon2 sign-ins in the middle.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.0005, 2.0, 16,
    ))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("portcullis");
        let events = Family::<Labels, Counter>::default();
        let factors = Family::<Labels, Counter>::default();
        let tokens = Family::<Labels, Counter>::default();
        let latency = Family::<Labels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "events",
            "Security events written to the audit trail, by kind (login.success, lockout, stepup.met, …)",
            events.clone(),
        );
        registry.register(
            "factor_checks",
            "Authentication factor checks by method and outcome",
            factors.clone(),
        );
        registry.register(
            "token_requests",
            "Token endpoint requests by grant type and outcome",
            tokens.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Request latency by route, method and status",
            latency.clone(),
        );
        Metrics {
            registry,
            events,
            factors,
            tokens,
            latency,
        }
    }
}

impl Metrics {
    /// Counts an audit event, and the factor checks it reports.
    pub fn event(&self, kind: &str, detail: &serde_json::Value) {
        self.events
            .get_or_create(&vec![("kind", kind.to_string())])
            .inc();
        let factor = |method: &str, outcome: &'static str| {
            self.factors
                .get_or_create(&vec![
                    ("method", method.to_string()),
                    ("outcome", outcome.to_string()),
                ])
                .inc();
        };
        match kind {
            "login.success" | "stepup.met" => {
                for m in detail["methods"].as_array().into_iter().flatten() {
                    if let Some(m) = m.as_str() {
                        factor(m, "success");
                    }
                }
            }
            "login.failure" => factor("password", "failure"),
            "factor.failure" => factor(detail["method"].as_str().unwrap_or("unknown"), "failure"),
            _ => {}
        }
    }

    /// Counts a token request.
    pub fn token(&self, grant_type: &str, outcome: &str) {
        // Unknown grant types are folded so a caller cannot grow the label set without bound.
        let grant = if crate::oidc::token::GRANT_TYPES.contains(&grant_type) {
            grant_type
        } else {
            "other"
        };
        self.tokens
            .get_or_create(&vec![
                ("grant_type", grant.to_string()),
                ("outcome", outcome.to_string()),
            ])
            .inc();
    }

    fn encode(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            tracing::error!("metrics encoding failed");
        }
        out
    }
}

/// Times every request by its route pattern (never the raw path, whose ids would explode the
/// label set).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let resp = next.run(req).await;
    state
        .metrics()
        .latency
        .get_or_create(&vec![
            ("route", route),
            ("method", method),
            ("status", resp.status().as_u16().to_string()),
        ])
        .observe(started.elapsed().as_secs_f64());
    resp
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut resp = state.metrics().encode().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    resp
}

/// Shared handle.
pub type SharedMetrics = Arc<Metrics>;
