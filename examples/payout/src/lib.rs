//! The payout example: a web app that signs users in with `portcullis-rp`, and the API behind it
//! guarded by `portcullis-guard`. Changing the bank account needs `aal2` within five minutes;
//! deleting the account needs an authentication within the last minute; a machine client may
//! queue payouts with the `payouts:write` scope.

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use portcullis_guard::{
    Guard, GuardLayer, Protected, Requirement, Rule, Verified, max_age, require_acr, require_scopes,
};
use portcullis_rp::{Rp, RpError, UserSession};
use serde::Deserialize;

/// The API's audience.
pub const AUDIENCE: &str = "https://payouts.example.com";

/// Deleting the account: an authentication within the last minute.
pub struct DeleteAccount;

impl Requirement for DeleteAccount {
    fn rule() -> Rule {
        max_age(60)
    }
}

#[derive(Deserialize)]
struct BankAccount {
    iban: String,
}

#[derive(Deserialize)]
struct Payout {
    amount: u64,
}

/// The API: `GET /api/me`, `POST /api/bank-account` (aal2, 5 minutes), `DELETE /api/account`
/// (1 minute), `POST /api/payouts` (scope `payouts:write`).
pub fn api(guard: Guard) -> Router {
    let bank = Router::new()
        .route(
            "/api/bank-account",
            post(
                |Verified(c): Verified, Json(b): Json<BankAccount>| async move {
                    Json(serde_json::json!({ "changed": b.iban, "by": c.sub }))
                },
            ),
        )
        .layer(GuardLayer::new(
            guard.clone(),
            require_acr("aal2").max_age(300),
        ));
    let payouts = Router::new()
        .route(
            "/api/payouts",
            post(|Verified(c): Verified, Json(p): Json<Payout>| async move {
                Json(serde_json::json!({ "queued": p.amount, "by": c.sub }))
            }),
        )
        .layer(GuardLayer::new(
            guard.clone(),
            require_scopes(["payouts:write"]),
        ));
    Router::new()
        .route(
            "/api/me",
            get(|p: Protected| async move {
                let c = p.claims();
                Json(serde_json::json!({ "sub": c.sub, "acr": c.acr, "auth_time": c.auth_time }))
            }),
        )
        .route(
            "/api/account",
            delete(|p: Protected<DeleteAccount>| async move {
                Json(serde_json::json!({ "deleted": p.claims().sub }))
            }),
        )
        .merge(bank)
        .merge(payouts)
        .with_state(guard)
}

/// What the web app needs besides the relying party.
#[derive(Clone)]
pub struct Web {
    /// The relying party.
    pub rp: Rp,
    /// Where the API is (`http://127.0.0.1:4001`).
    pub api: String,
    /// HTTP client for the API.
    pub http: reqwest::Client,
}

/// The web app: `/` shows the user and their MFA status; `POST /bank-account` and
/// `POST /account/delete` call the API and, when it asks for a step-up, send the user to prove
/// a factor and bring them back to confirm.
pub fn web(web: Web) -> Router {
    let rp = web.rp.clone();
    rp.wrap(
        Router::new()
            .route("/", get(home))
            .route("/bank-account", post(change_bank_account))
            .route("/bank-account/confirm", get(confirm_bank_account))
            .route("/account/delete", post(delete_account))
            .route("/account/confirm-delete", get(confirm_delete))
            .with_state(web),
    )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Payouts</title></head><body><main>{body}</main></body></html>"
    ))
}

async fn home(session: UserSession) -> Html<String> {
    match session.get() {
        None => page("<h1>Payouts</h1><p><a href=\"/auth/login\">Sign in</a></p>"),
        Some(s) => {
            let level = s.acr.clone().unwrap_or_else(|| "unknown".into());
            let mfa = if s.amr.iter().any(|m| m == "mfa") {
                "on"
            } else {
                "not used for this sign-in"
            };
            page(&format!(
                "<h1>Payouts</h1><p>Signed in as <strong>{}</strong>.</p>\
                 <p>Assurance level: <span id=\"acr\">{}</span>; two-factor: <span id=\"mfa\">{mfa}</span>.</p>\
                 <form method=\"post\" action=\"/bank-account\"><label>New IBAN <input name=\"iban\"></label> <button>Change bank account</button></form>\
                 <form method=\"post\" action=\"/account/delete\"><button>Delete account</button></form>\
                 <p><a href=\"/auth/logout\">Sign out</a></p>",
                esc(s.email.as_deref().unwrap_or(&s.sub)),
                esc(&level)
            ))
        }
    }
}

/// What the API said.
enum Called {
    Done(serde_json::Value),
    StepUp {
        acr: Option<String>,
        max_age: Option<i64>,
    },
}

async fn call_api(
    web: &Web,
    session: &UserSession,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<Called, Response> {
    let token = match session.access_token(None).await {
        Ok(t) => t,
        // The provider wants a factor before it refreshes: that is a step-up too.
        Err(RpError::MfaRequired { .. }) => {
            return Ok(Called::StepUp {
                acr: Some("aal2".into()),
                max_age: None,
            });
        }
        Err(e) => return Err(e.into_response()),
    };
    let mut req = web
        .http
        .request(method, format!("{}{path}", web.api))
        .bearer_auth(&token.access_token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()).into_response())?;
    let status = resp.status();
    let json: serde_json::Value = resp.json().await.unwrap_or_default();
    if status.is_success() {
        return Ok(Called::Done(json));
    }
    if status == StatusCode::UNAUTHORIZED && json["error"] == "step_up_required" {
        return Ok(Called::StepUp {
            acr: json["required_acr"].as_str().map(str::to_string),
            max_age: json["max_age"].as_i64(),
        });
    }
    Err((status, Json(json)).into_response())
}

async fn change_bank_account(
    State(web): State<Web>,
    session: UserSession,
    Form(form): Form<BankAccount>,
) -> Response {
    if session.get().is_none() {
        return Redirect::to("/auth/login").into_response();
    }
    let body = serde_json::json!({ "iban": form.iban });
    match call_api(
        &web,
        &session,
        reqwest::Method::POST,
        "/api/bank-account",
        Some(body),
    )
    .await
    {
        Ok(Called::Done(v)) => page(&format!(
            "<h1>Bank account changed</h1><p id=\"result\">{}</p><p><a href=\"/\">Back</a></p>",
            esc(v["changed"].as_str().unwrap_or_default())
        ))
        .into_response(),
        Ok(Called::StepUp { acr, max_age }) => {
            let back = format!(
                "/bank-account/confirm?iban={}",
                url::form_urlencoded::byte_serialize(form.iban.as_bytes()).collect::<String>()
            );
            session.step_up(&back, acr.as_deref(), max_age)
        }
        Err(resp) => resp,
    }
}

async fn confirm_bank_account(Query(q): Query<BankAccount>) -> Html<String> {
    page(&format!(
        "<h1>Confirm the change</h1><form method=\"post\" action=\"/bank-account\"><input type=\"hidden\" name=\"iban\" value=\"{}\"><p>New IBAN: {}</p><button>Change bank account</button></form>",
        esc(&q.iban),
        esc(&q.iban)
    ))
}

async fn delete_account(State(web): State<Web>, session: UserSession) -> Response {
    if session.get().is_none() {
        return Redirect::to("/auth/login").into_response();
    }
    match call_api(
        &web,
        &session,
        reqwest::Method::DELETE,
        "/api/account",
        None,
    )
    .await
    {
        Ok(Called::Done(_)) => {
            page("<h1>Account deleted</h1><p id=\"result\">deleted</p>").into_response()
        }
        Ok(Called::StepUp { acr, max_age }) => {
            session.step_up("/account/confirm-delete", acr.as_deref(), max_age)
        }
        Err(resp) => resp,
    }
}

async fn confirm_delete() -> Html<String> {
    page(
        "<h1>Delete your account?</h1><form method=\"post\" action=\"/account/delete\"><button>Delete account</button></form>",
    )
}
