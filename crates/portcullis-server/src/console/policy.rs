//! The console's policy page: the tenant policy key by key (what the config file says, what the
//! console changed, what is in force, and why each key matters), its editor, and a preview of
//! what a sign-in will ask for. The editor stores the same overrides as `PUT
//! /api/v2/mfa-policy/tenant` and `portcullis policy set`; the preview runs the gate's own rules
//! ([`Policy::preview`]).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portcullis_core::factor::FactorKind;
use portcullis_core::policy::{Ask, Browser, Policy, PolicyOverrides, Situation};
use portcullis_core::roles::Permission;
use portcullis_proto::acr::Acr;
use serde::Deserialize;

use super::{Console, Frame, enter_to_read, page};
use crate::error::AppResult;
use crate::http::ClientMeta;
use crate::state::AppState;
use crate::ui::{self, PageCtx};

const PATH: &str = "/admin/policy";

/// Every policy key, with what it decides, in the order the page shows them.
const KEYS: [(&str, &str); 13] = [
    (
        "mfa",
        "When a second factor is asked at sign-in: never (only when an app asks), adaptive (a user who has a factor, from a new browser or after failures), always (users without one enrol one).",
    ),
    (
        "required_acr",
        "The lowest level every token carries, as if every app sent acr_values: aal1 (one factor), aal2 (two), aal3 (a phishing-resistant key).",
    ),
    (
        "max_age",
        "The oldest sign-in accepted, in seconds, as if every app sent max_age; older sessions prove a factor again.",
    ),
    (
        "mfa_on_refresh",
        "Whether refreshing tokens needs a second factor: never (background refresh keeps working), or when_enrolled (apps get mfa_required).",
    ),
    (
        "allowed_factors",
        "The factor kinds users may prove and enrol: a comma list of webauthn, totp, email, sms.",
    ),
    (
        "enroll_with_any",
        "Whether a user asked for a level none of their factors reaches may enrol one on the spot (true) or the app hears unmet_authentication_requirements (false).",
    ),
    (
        "remember_device_days",
        "How long \"remember this browser\" stands in for the second factor, in days (0 hides the option).",
    ),
    (
        "signup",
        "Whether people may create an account on the hosted pages.",
    ),
    (
        "require_verified_email",
        "Whether users prove their email address with a code before they finish signing in.",
    ),
    (
        "require_dpop",
        "Whether tokens are issued only against a DPoP proof, bound to the client's key.",
    ),
    (
        "require_pushed_authorization_requests",
        "Whether authorization requests must be pushed first (PAR), never sent through the browser.",
    ),
    (
        "token_exchange",
        "Whether access tokens may be exchanged (RFC 8693): an API's tokens, or those a client holds.",
    ),
    (
        "fapi2",
        "The FAPI 2.0 Security Profile: PAR, PKCE, DPoP or certificate-bound tokens, private_key_jwt or mutual TLS required, 60-second codes, no RS256.",
    ),
];

/// One key's row: the layer below's value, this layer's override (as typed), the value in force.
pub(super) struct KeyRow {
    pub(super) key: &'static str,
    pub(super) explain: &'static str,
    /// The value of the layer below (the file for the tenant, the tenant for an app or API).
    pub(super) base: String,
    /// The override as the form shows it; empty follows the layer below.
    pub(super) value: String,
    pub(super) in_force: String,
    /// The choices when the key takes one of a few words.
    pub(super) choices: Vec<&'static str>,
}

/// What a query asks the preview about.
#[derive(Deserialize, Default)]
pub(crate) struct PreviewQuery {
    #[serde(default)]
    client: String,
    #[serde(default)]
    api: String,
    #[serde(default)]
    f_webauthn: Option<String>,
    #[serde(default)]
    f_totp: Option<String>,
    #[serde(default)]
    f_sms: Option<String>,
    #[serde(default)]
    f_email: Option<String>,
    #[serde(default)]
    recovery: Option<String>,
    #[serde(default)]
    browser: String,
    #[serde(default)]
    acr: String,
    #[serde(default)]
    max_age: String,
    #[serde(default)]
    done: Option<String>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin_policy.html")]
struct PolicyPage {
    csrf: String,
    nonce: String,
    frame: Frame,
    can_edit: bool,
    rows: Vec<KeyRow>,
    error: Option<String>,
    notice: Option<&'static str>,
    clients: Vec<Choice>,
    apis: Vec<Choice>,
    factors: Vec<(&'static str, &'static str, bool)>,
    recovery: bool,
    browsers: Vec<Choice>,
    acrs: Vec<Choice>,
    max_age: String,
    /// The sentence the preview answers with.
    preview: String,
    /// The effective policy the preview used, as `key = value` lines.
    preview_policy: Vec<(String, String)>,
}

/// A key's value in a policy, as the page shows it.
fn shown(policy: &Policy, key: &str) -> String {
    let v = serde_json::to_value(policy)
        .ok()
        .and_then(|j| j.get(key).cloned())
        .unwrap_or(serde_json::Value::Null);
    text(&v)
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "none".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

fn choices(key: &str) -> Vec<&'static str> {
    match key {
        "mfa" => vec!["never", "adaptive", "always"],
        "required_acr" => vec!["aal1", "aal2", "aal3"],
        "mfa_on_refresh" => vec!["never", "when_enrolled"],
        "enroll_with_any"
        | "signup"
        | "require_verified_email"
        | "require_dpop"
        | "require_pushed_authorization_requests"
        | "token_exchange"
        | "fapi2" => {
            vec!["true", "false"]
        }
        _ => vec![],
    }
}

/// The rows for the tenant policy, with `typed` (the form's values after a refused save) in
/// place of the stored overrides.
fn rows(state: &AppState, typed: Option<&crate::http::Params>) -> Vec<KeyRow> {
    layer_rows(
        &state.settings().policy,
        &state.snapshot().tenant_policy,
        &state.tenant_policy(),
        typed,
    )
}

/// The rows for one layer of policy: `base` below it, its own `layer` (or what was `typed`),
/// and the policy `in_force` with it.
pub(super) fn layer_rows(
    base: &Policy,
    layer: &PolicyOverrides,
    in_force: &Policy,
    typed: Option<&crate::http::Params>,
) -> Vec<KeyRow> {
    let stored = serde_json::to_value(layer).unwrap_or_default();
    KEYS.iter()
        .map(|(key, explain)| KeyRow {
            key,
            explain,
            base: shown(base, key),
            value: match typed {
                Some(form) => form.get(key).unwrap_or_default().to_string(),
                None => stored.get(*key).map(text).unwrap_or_default(),
            },
            in_force: shown(in_force, key),
            choices: choices(key),
        })
        .collect()
}

/// The sentence for an [`Ask`].
fn sentence(ask: &Ask, max_age: Option<i64>) -> String {
    let kinds = |k: &[FactorKind]| {
        k.iter()
            .map(|k| k.label().to_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = match ask {
        Ask::Nothing { level } => format!(
            "nothing more than their password: the sign-in ends at {}.",
            level.as_str()
        ),
        Ask::RememberedBrowser => {
            "nothing more than their password: the remembered browser stands in for the second factor (aal2).".into()
        }
        Ask::Factor {
            level,
            kinds: k,
            recovery,
        } => format!(
            "their password, then a second factor ({}): {}{}.",
            level.as_str(),
            kinds(k),
            if *recovery { ", or a recovery code" } else { "" }
        ),
        Ask::Enrol { level, kinds: k } => format!(
            "their password, then to set up a second factor before continuing ({}): {}.",
            level.as_str(),
            kinds(k)
        ),
        Ask::Refused { level } => format!(
            "their password, and then the application hears unmet_authentication_requirements: nothing they have reaches {} and this policy does not let them enrol a factor that does.",
            level.as_str()
        ),
    };
    if let Some(m) = max_age {
        out.push_str(&format!(
            " A session older than {m} seconds proves a factor again."
        ));
    }
    out
}

/// `GET /admin/policy`: the tenant policy, its editor, and the preview for the query's case.
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<PreviewQuery>,
) -> Response {
    page(async {
        let console = inside!(enter_to_read(&state, &headers, PATH));
        let rows = rows(&state, None);
        render(
            &state,
            &headers,
            &console,
            rows,
            None,
            &query,
            StatusCode::OK,
        )
        .await
    })
    .await
}

/// A select's choices: `none` first, then each `(value, name)`; and whether `picked` is one.
fn picker(
    none: &str,
    picked: &str,
    items: impl Iterator<Item = (String, String)>,
) -> (Vec<Choice>, bool) {
    let mut out = vec![Choice {
        value: String::new(),
        label: none.into(),
        selected: picked.is_empty(),
    }];
    let mut known = false;
    for (value, name) in items {
        let selected = value == picked;
        known |= selected;
        out.push(Choice {
            label: format!("{name} ({value})"),
            value,
            selected,
        });
    }
    (out, known)
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    console: &Console,
    rows: Vec<KeyRow>,
    error: Option<String>,
    query: &PreviewQuery,
    status: StatusCode,
) -> AppResult<Response> {
    let store = state.store();
    let (clients, known_client) = picker(
        "no particular app (the tenant's policy)",
        &query.client,
        store
            .list_clients()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name)),
    );
    let (apis, known_api) = picker(
        "no API",
        &query.api,
        store
            .list_apis()
            .await?
            .into_iter()
            .map(|a| (a.identifier, a.name)),
    );
    let mut factors = Vec::new();
    let mut kinds = Vec::new();
    for (kind, name, on) in [
        (FactorKind::Webauthn, "f_webauthn", &query.f_webauthn),
        (FactorKind::Totp, "f_totp", &query.f_totp),
        (FactorKind::Sms, "f_sms", &query.f_sms),
        (FactorKind::Email, "f_email", &query.f_email),
    ] {
        if on.is_some() {
            kinds.push(kind);
        }
        factors.push((name, kind.label(), on.is_some()));
    }
    let browser = match query.browser.as_str() {
        "familiar" => Browser::Familiar,
        "remembered" => Browser::Remembered,
        _ => Browser::New,
    };
    let browsers = [
        (
            "new",
            "a browser they never used (or after failed attempts)",
        ),
        ("familiar", "a browser they signed in with before"),
        (
            "remembered",
            "a remembered browser (\"remember this browser\")",
        ),
    ]
    .iter()
    .map(|(v, l)| Choice {
        value: (*v).into(),
        label: (*l).into(),
        selected: *v == query.browser || (query.browser.is_empty() && *v == "new"),
    })
    .collect();
    let acr = Acr::parse(&query.acr);
    let acrs = [
        ("", "no acr_values"),
        ("aal1", "aal1"),
        ("aal2", "aal2"),
        ("aal3", "aal3"),
    ]
    .iter()
    .map(|(v, l)| Choice {
        value: (*v).into(),
        label: (*l).into(),
        selected: acr.map(Acr::as_str).unwrap_or("") == *v,
    })
    .collect();
    let max_age = query.max_age.trim().parse::<i64>().ok().filter(|m| *m >= 0);
    let policy = state
        .policy(
            known_client.then_some(query.client.as_str()),
            known_api.then_some(query.api.as_str()),
        )
        .await;
    let situation = Situation {
        factors: kinds,
        recovery_codes: query.recovery.is_some(),
        browser,
        acr_values: acr,
        max_age,
    };
    let ask = policy.preview(&situation);
    let effective_max_age = match (max_age, policy.max_age) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let preview_policy = KEYS
        .iter()
        .map(|(k, _)| (k.to_string(), shown(&policy, k)))
        .collect();
    let ctx = PageCtx::new(state, headers);
    let body = PolicyPage {
        csrf: ctx.csrf.clone(),
        nonce: ctx.nonce.clone(),
        frame: Frame::new(console, "policy"),
        can_edit: console.role.allows(Permission::ManagePolicy),
        rows,
        error,
        notice: query
            .done
            .as_deref()
            .filter(|d| *d == "saved")
            .map(|_| "The tenant policy is saved and in force on every node."),
        clients,
        apis,
        factors,
        recovery: query.recovery.is_some(),
        browsers,
        acrs,
        max_age: max_age.map(|m| m.to_string()).unwrap_or_default(),
        preview: sentence(&ask, effective_max_age),
        preview_policy,
    };
    ctx.respond(status, &body, vec![])
}

/// The overrides a submitted editor describes: each non-empty field as `KEY=VALUE`, parsed by
/// the same rules as `--policy KEY=VALUE`.
pub(super) fn overrides_from(form: &crate::http::Params) -> Result<PolicyOverrides, String> {
    let mut out = PolicyOverrides::default();
    for (key, _) in KEYS {
        if let Some(v) = form.get(key) {
            out.set(&format!("{key}={}", v.trim()))
                .map_err(|e| e.to_string())?;
        }
    }
    out.check().map_err(|e| e.to_string())?;
    Ok(out)
}

/// `POST /admin/policy`: saves the tenant policy overrides (an empty field follows the file).
pub(crate) async fn save(
    State(state): State<AppState>,
    meta: ClientMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    page(async {
        let (form, console) = inside!(super::form_to_change(
            &state,
            &headers,
            &body,
            PATH,
            Permission::ManagePolicy
        ));
        let overrides = match overrides_from(&form) {
            Ok(o) => o,
            Err(message) => {
                let rows = rows(&state, Some(&form));
                return render(
                    &state,
                    &headers,
                    &console,
                    rows,
                    Some(message),
                    &PreviewQuery::default(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        };
        crate::mgmt::apps::change_tenant_policy(&state, &overrides).await?;
        let detail = serde_json::json!({ "overrides": overrides });
        state
            .audit(
                "policy.tenant_changed",
                &meta,
                None,
                None,
                console.audit_detail(detail),
            )
            .await;
        Ok(ui::see_other(&format!("{PATH}?done=saved"), &[]))
    })
    .await
}
