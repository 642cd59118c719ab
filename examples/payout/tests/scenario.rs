//! Seed 004's scenario over HTTP against a real Portcullis: a signed-in user changes the bank
//! account, proves a factor once, and for the next five minutes is not asked again; deleting
//! the account wants an authentication within the minute; a machine client is judged on scope.
//! Portcullis, the web app and the guard share one fake clock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use payout::{AUDIENCE, Web, api, web};
use portcullis_core::admin::{NewClient, create_api, grant_client};
use portcullis_core::clock::Clock;
use portcullis_core::factor::totp::TotpSecret;
use portcullis_core::policy::PolicyOverrides;
use portcullis_guard::Guard;
use portcullis_rp::{Rp, RpConfig};
use portcullis_testkit::{Engine, TestApp, browser, hosted, spawn_app_with_env};
use serde_json::{Value, json};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery staple";

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

struct Site {
    idp: TestApp,
    web: String,
    api: String,
    totp: TotpSecret,
}

async fn site() -> Site {
    let idp = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let user = idp.create_user(EMAIL, PASSWORD).await;
    let totp = TotpSecret::generate();
    idp.state
        .factors()
        .enroll_totp(&user.id, &totp, "Pixel", idp.clock.now() / 30)
        .await
        .unwrap();
    create_api(
        idp.store.as_ref(),
        &idp.clock,
        AUDIENCE,
        None,
        vec!["payouts:write".into()],
        PolicyOverrides::default(),
    )
    .await
    .unwrap();
    let clock = idp.clock.clone();
    let shared: portcullis_guard::Clock = Arc::new(move || clock.now());
    let guard = Guard::builder(idp.issuer.clone(), AUDIENCE)
        .clock(shared.clone())
        .build()
        .await
        .unwrap();
    let api_url = serve(api(guard)).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let web_url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let (client, secret) = idp
        .create_client(NewClient {
            name: "payouts".into(),
            redirect_uris: vec![format!("{web_url}/auth/callback")],
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            ..NewClient::default()
        })
        .await;
    idp.state.refresh().await.unwrap();
    let mut config = RpConfig::new(
        idp.issuer.clone(),
        client.id,
        secret,
        format!("{web_url}/auth/callback"),
        "the payout example's app secret, 32+ bytes",
    );
    config.audience = Some(AUDIENCE.into());
    config.clock = Some(shared);
    let rp = Rp::discover(config).await.unwrap();
    let app = web(Web {
        rp,
        api: api_url.clone(),
        http: reqwest::Client::new(),
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Site {
        idp,
        web: web_url,
        api: api_url,
        totp,
    }
}

async fn send(b: &reqwest::Client, req: reqwest::RequestBuilder) -> (u16, Option<String>, String) {
    let resp = b.execute(req.build().unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (status, location, resp.text().await.unwrap())
}

/// Follows the app's redirect to `/auth/login?…` through Portcullis and back; where it lands.
async fn through_login(
    s: &Site,
    b: &reqwest::Client,
    login: &str,
    password: bool,
    totp: bool,
) -> String {
    let (status, to_idp, _) = send(b, b.get(format!("{}{login}", s.web))).await;
    assert_eq!(status, 303);
    let answers = hosted::Answers {
        password: password.then_some((EMAIL, PASSWORD)),
        totp: totp.then_some(&s.totp),
    };
    let callback = hosted::authorize(&s.idp, b, &to_idp.unwrap(), &answers).await;
    let (status, back, body) = send(b, b.get(&callback)).await;
    assert_eq!(status, 303, "{body}");
    back.unwrap()
}

#[tokio::test]
async fn change_bank_account_steps_up_once_per_five_minutes() {
    let s = site().await;
    let b = browser();
    // Sign in with the password: aal1, two-factor not used.
    assert_eq!(through_login(&s, &b, "/auth/login", true, false).await, "/");
    let (_, _, home) = send(&b, b.get(&s.web)).await;
    assert!(
        home.contains("Signed in as <strong>ada@example.com</strong>"),
        "{home}"
    );
    assert!(
        home.contains("<span id=\"acr\">aal1</span>") && home.contains("not used for this sign-in")
    );

    // Change bank account: the API asks for aal2 within 300 s; the user proves TOTP only and
    // comes back to confirm the same change.
    let change = |iban: &'static str| {
        b.post(format!("{}/bank-account", s.web))
            .form(&[("iban", iban)])
    };
    let (status, login, _) = send(&b, change("DE89370400440532013000")).await;
    assert_eq!(status, 303);
    let login = login.unwrap();
    assert!(
        login.starts_with("/auth/login?")
            && login.contains("acr_values=aal2")
            && login.contains("max_age=300"),
        "{login}"
    );
    s.idp.clock.advance(30);
    let back = through_login(&s, &b, &login, false, true).await;
    assert_eq!(back, "/bank-account/confirm?iban=DE89370400440532013000");
    let (_, _, confirm) = send(&b, b.get(format!("{}{back}", s.web))).await;
    assert!(confirm.contains("value=\"DE89370400440532013000\""));
    let (status, _, done) = send(&b, change("DE89370400440532013000")).await;
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("<p id=\"result\">DE89370400440532013000</p>"));
    let (_, _, home) = send(&b, b.get(&s.web)).await;
    assert!(
        home.contains("<span id=\"acr\">aal2</span>")
            && home.contains("<span id=\"mfa\">on</span>")
    );

    // Within five minutes: no prompt.
    s.idp.clock.advance(240);
    assert_eq!(send(&b, change("GB33BUKB20201555555555")).await.0, 200);
    // Delete account wants an authentication within the minute: asked again.
    let (status, login, _) = send(&b, b.post(format!("{}/account/delete", s.web))).await;
    assert_eq!(status, 303);
    assert!(login.clone().unwrap().contains("max_age=60"), "{login:?}");
    // Past five minutes: the bank account asks again.
    s.idp.clock.advance(61);
    let (status, login, _) = send(&b, change("FR1420041010050500013M02606")).await;
    assert_eq!(
        (status, login.is_some_and(|l| l.contains("acr_values=aal2"))),
        (303, true)
    );
}

#[tokio::test]
async fn machine_clients_are_judged_on_scope() {
    let s = site().await;
    let token = |scopes: Vec<String>| {
        let idp = &s.idp;
        async move {
            let (c, secret) = idp
                .create_client(NewClient {
                    name: "payout batch".into(),
                    grant_types: vec!["client_credentials".into()],
                    ..NewClient::default()
                })
                .await;
            if !scopes.is_empty() {
                grant_client(idp.store.as_ref(), &c.id, AUDIENCE, scopes)
                    .await
                    .unwrap();
            }
            idp.state.refresh().await.unwrap();
            let v: Value = reqwest::Client::new()
                .post(idp.url("/oauth/token"))
                .basic_auth(&c.id, secret.as_deref())
                .form(&[("grant_type", "client_credentials"), ("audience", AUDIENCE)])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["access_token"].as_str().map(str::to_string)
        }
    };
    let writer = token(vec!["payouts:write".into()]).await.unwrap();
    let payout = |t: String| {
        reqwest::Client::new()
            .post(format!("{}/api/payouts", s.api))
            .bearer_auth(t)
            .json(&json!({ "amount": 1200 }))
            .send()
    };
    let resp = payout(writer).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["queued"], 1200);
    assert!(token(vec![]).await.is_none(), "no grant, no token");
    let resp = payout("not-a-token".into()).await.unwrap();
    assert_eq!(resp.status(), 401);
}
