//! The guard in front of a real axum API, with tokens from a real Portcullis: the RFC 9470
//! step-up answer, the five-minute window on a shared fake clock, machine clients judged on
//! scope, key rotation, and both the layer and the extractor.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use portcullis_core::admin::{NewClient, create_api, grant_client, rotate_key};
use portcullis_core::crypto::jws::Alg as SignAlg;
use portcullis_core::factor::totp::TotpSecret;
use portcullis_core::policy::PolicyOverrides;
use portcullis_guard::{
    Guard, GuardLayer, Protected, Requirement, Rule, Verified, require_acr, require_scopes,
};
use portcullis_testkit::{Engine, TestApp, spawn_app_with_env};
use serde_json::{Value, json};

const API: &str = "https://payouts.example.com";
const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery staple";

#[derive(Clone)]
struct AppState {
    guard: Guard,
}

impl FromRef<AppState> for Guard {
    fn from_ref(s: &AppState) -> Guard {
        s.guard.clone()
    }
}

struct DeleteAccount;

impl Requirement for DeleteAccount {
    fn rule() -> Rule {
        require_acr("aal2").max_age(60)
    }
}

/// The payout API: `/me` (any token, extractor), `/bank-account` (aal2 within 5 minutes,
/// layer), `/payouts` (scope, layer), `/account` DELETE (aal2 within a minute, extractor).
async fn api(guard: Guard) -> String {
    let bank = Router::new()
        .route(
            "/bank-account",
            post(|Verified(c): Verified| async move { c.sub }),
        )
        .layer(GuardLayer::new(
            guard.clone(),
            require_acr("aal2").max_age(300),
        ));
    let payouts = Router::new()
        .route(
            "/payouts",
            post(|Verified(c): Verified| async move { c.sub }),
        )
        .layer(GuardLayer::new(
            guard.clone(),
            require_scopes(["payouts:write"]),
        ));
    let app = Router::new()
        .route(
            "/me",
            get(|p: Protected| async move { p.claims().sub.clone() }),
        )
        .route(
            "/account",
            axum::routing::delete(
                |p: Protected<DeleteAccount>| async move { p.claims().sub.clone() },
            ),
        )
        .merge(bank)
        .merge(payouts)
        .with_state(AppState { guard });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn call(method: reqwest::Method, url: String, token: &str) -> (u16, Option<String>, Value) {
    let resp = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string());
    let text = resp.text().await.unwrap();
    (
        status,
        challenge,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn token(app: &TestApp, id: &str, secret: &str, form: &[(&str, &str)]) -> Value {
    reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn client(app: &TestApp, grant: &str, policy: &str) -> (String, String) {
    let mut overrides = PolicyOverrides::default();
    overrides.set(policy).unwrap();
    let (c, s) = app
        .create_client(NewClient {
            name: "payout app".into(),
            grant_types: vec![grant.into()],
            policy: overrides,
            ..NewClient::default()
        })
        .await;
    (c.id, s.unwrap())
}

/// A machine client granted `scope` on the payout API.
async fn machine(app: &TestApp, scope: &str) -> (String, String) {
    let c = client(app, "client_credentials", "mfa=never").await;
    grant_client(app.store.as_ref(), &c.0, API, vec![scope.into()])
        .await
        .unwrap();
    c
}

#[tokio::test]
async fn step_up_window_and_machine_scopes_against_portcullis() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    create_api(
        app.store.as_ref(),
        &app.clock,
        API,
        None,
        vec!["payouts:write".into(), "payouts:read".into()],
        PolicyOverrides::default(),
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
    let clock = app.clock.clone();
    let guard = Guard::builder(app.issuer.clone(), API)
        .clock(std::sync::Arc::new(move || {
            portcullis_core::clock::Clock::now(&clock)
        }))
        .refetch_every(Duration::ZERO)
        .build()
        .await
        .unwrap();
    let url = api(guard).await;

    // A password-only token: fine for /me, a step-up answer for the bank account.
    let plain = client(&app, "password", "mfa=never").await;
    let password = |audience: &'static str| {
        [
            ("grant_type", "password"),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("audience", audience),
            ("scope", "openid payouts:write"),
        ]
    };
    let aal1 = token(&app, &plain.0, &plain.1, &password(API)).await;
    let aal1 = aal1["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        call(reqwest::Method::GET, format!("{url}/me"), &aal1)
            .await
            .0,
        200
    );
    let (status, challenge, body) =
        call(reqwest::Method::POST, format!("{url}/bank-account"), &aal1).await;
    assert_eq!(status, 401);
    let challenge = challenge.unwrap();
    assert!(
        challenge.starts_with("Bearer realm=\"api\", error=\"insufficient_user_authentication\""),
        "{challenge}"
    );
    assert!(
        challenge.ends_with(", acr_values=\"aal2\", max_age=300"),
        "{challenge}"
    );
    assert_eq!(
        body,
        json!({ "error": "step_up_required", "required_acr": "aal2", "max_age": 300 })
    );

    // Step up through the MFA API (enrol TOTP, prove it): the same request goes through.
    let strong = client(&app, "password", "mfa=always").await;
    let required = token(&app, &strong.0, &strong.1, &password(API)).await;
    let mfa_token = required["mfa_token"].as_str().unwrap().to_string();
    let assoc: Value = reqwest::Client::new()
        .post(app.url("/mfa/associate"))
        .bearer_auth(&mfa_token)
        .json(&json!({ "authenticator_types": ["otp"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = TotpSecret::from_base32(assoc["secret"].as_str().unwrap()).unwrap();
    let code = secret.code_at(portcullis_core::clock::Clock::now(&app.clock));
    let stepped = token(
        &app,
        &strong.0,
        &strong.1,
        &[
            ("grant_type", "http://auth0.com/oauth/grant-type/mfa-otp"),
            ("mfa_token", &mfa_token),
            ("otp", &code),
        ],
    )
    .await;
    let aal2 = stepped["access_token"].as_str().unwrap().to_string();
    let (status, _, sub) = call(reqwest::Method::POST, format!("{url}/bank-account"), &aal2).await;
    assert_eq!(status, 200, "{sub}");
    assert!(sub.as_str().unwrap().starts_with("usr_"));
    assert_eq!(
        call(reqwest::Method::DELETE, format!("{url}/account"), &aal2)
            .await
            .0,
        200
    );

    // Within five minutes no new prompt; after them, the bank account asks again.
    app.clock.advance(61);
    let (status, challenge, body) =
        call(reqwest::Method::DELETE, format!("{url}/account"), &aal2).await;
    assert_eq!(
        (status, body["max_age"].clone()),
        (401, json!(60)),
        "{challenge:?}"
    );
    app.clock.advance(200);
    assert_eq!(
        call(reqwest::Method::POST, format!("{url}/bank-account"), &aal2)
            .await
            .0,
        200
    );
    app.clock.advance(40);
    let (status, _, body) = call(reqwest::Method::POST, format!("{url}/bank-account"), &aal2).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("step_up_required"))
    );

    // Machine clients: judged on scope.
    let writer = machine(&app, "payouts:write").await;
    let reader = machine(&app, "payouts:read").await;
    let app = &app;
    let m2m = |c: (String, String)| async move {
        let t = token(
            app,
            &c.0,
            &c.1,
            &[("grant_type", "client_credentials"), ("audience", API)],
        )
        .await;
        t["access_token"].as_str().unwrap().to_string()
    };
    let w = m2m(writer.clone()).await;
    assert_eq!(
        call(reqwest::Method::POST, format!("{url}/payouts"), &w)
            .await
            .0,
        200
    );
    assert_eq!(
        call(reqwest::Method::POST, format!("{url}/bank-account"), &w)
            .await
            .0,
        200,
        "no user, no step-up"
    );
    let (status, challenge, body) = call(
        reqwest::Method::POST,
        format!("{url}/payouts"),
        &m2m(reader).await,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    assert!(challenge.unwrap().contains("scope=\"payouts:write\""));

    // Tokens for another audience, and no token at all.
    let userinfo = token(
        app,
        &plain.0,
        &plain.1,
        &[
            ("grant_type", "password"),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("scope", "openid"),
        ],
    )
    .await;
    let (status, challenge, _) = call(
        reqwest::Method::GET,
        format!("{url}/me"),
        userinfo["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert!(challenge.unwrap().contains("error=\"invalid_token\""));
    let bare = reqwest::get(format!("{url}/me")).await.unwrap();
    assert_eq!(bare.status(), 401);
    assert_eq!(bare.headers()["www-authenticate"], "Bearer realm=\"api\"");

    // Portcullis rotates the key of the API's algorithm (RS256 by default): new tokens carry a
    // new kid, the guard refetches.
    rotate_key(
        app.store.as_ref(),
        app.state.master(),
        &app.clock,
        SignAlg::Rs256,
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
    let rotated = m2m(writer).await;
    assert_ne!(rotated.split('.').next(), w.split('.').next(), "a new kid");
    assert_eq!(
        call(reqwest::Method::POST, format!("{url}/payouts"), &rotated)
            .await
            .0,
        200
    );
}

/// A DPoP-bound token from Portcullis's token endpoint (client credentials with a proof) in
/// front of the guard: the `DPoP` scheme with a fresh proof by the same key passes, a bearer
/// use of it, a replayed proof and another key's proof do not.
#[tokio::test]
async fn dpop_bound_tokens_from_portcullis_need_their_key_at_the_api() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    create_api(
        app.store.as_ref(),
        &app.clock,
        API,
        None,
        vec!["payouts:write".into()],
        PolicyOverrides::default(),
    )
    .await
    .unwrap();
    let writer = machine(&app, "payouts:write").await;
    app.state.refresh().await.unwrap();
    let clock = app.clock.clone();
    let now = move || portcullis_core::clock::Clock::now(&clock);
    let guard = Guard::builder(app.issuer.clone(), API)
        .clock(std::sync::Arc::new(now.clone()))
        .build()
        .await
        .unwrap();
    let url = api(guard).await;

    let key = crate::verify::DpopKey::new();
    let token_url = app.url("/oauth/token");
    let answer: Value = reqwest::Client::new()
        .post(&token_url)
        .basic_auth(&writer.0, Some(&writer.1))
        .header("DPoP", key.proof("POST", &token_url, now(), "", "t1"))
        .form(&[("grant_type", "client_credentials"), ("audience", API)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["token_type"], "DPoP", "{answer}");
    let access = answer["access_token"].as_str().unwrap().to_string();
    let payouts = format!("{url}/payouts");
    let send = |scheme: &str, proof: Option<String>| {
        let mut req = reqwest::Client::new()
            .post(&payouts)
            .header("authorization", format!("{scheme} {access}"));
        if let Some(p) = proof {
            req = req.header("DPoP", p);
        }
        req.send()
    };
    let good = key.proof("POST", &payouts, now(), &access, "a1");
    assert_eq!(
        send("DPoP", Some(good.clone())).await.unwrap().status(),
        200
    );
    assert_eq!(
        send("DPoP", Some(good)).await.unwrap().status(),
        401,
        "replayed"
    );
    assert_eq!(
        send("Bearer", None).await.unwrap().status(),
        401,
        "bearer use"
    );
    let other = crate::verify::DpopKey::new();
    let stolen = other.proof("POST", &payouts, now(), &access, "a2");
    assert_eq!(
        send("DPoP", Some(stolen)).await.unwrap().status(),
        401,
        "another key"
    );
    assert_ne!(key.jkt(), other.jkt());
}
