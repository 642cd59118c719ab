//! Client and API policies at sign-in: the most specific layer wins, and each key changes what
//! the hosted pages ask for.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::{NewClient, create_api};
use portcullis_core::policy::PolicyOverrides;
use portcullis_testkit::{Engine, TestApp, browser, form_value, spawn_app_with_env};

fn layer(pairs: &[&str]) -> PolicyOverrides {
    let mut o = PolicyOverrides::default();
    for p in pairs {
        o.set(p).unwrap();
    }
    o
}

/// A web client on the common redirect URI with these overrides: `(id, secret)`.
async fn client_with(app: &TestApp, pairs: &[&str]) -> (String, String) {
    let (client, secret) = app
        .create_client(NewClient {
            name: "policy test".into(),
            redirect_uris: vec![REDIRECT.into()],
            policy: layer(pairs),
            ..NewClient::default()
        })
        .await;
    (client.id, secret.unwrap())
}

async fn api_with(app: &TestApp, identifier: &str, pairs: &[&str]) {
    create_api(
        app.store.as_ref(),
        &app.clock,
        identifier,
        None,
        vec!["read".into()],
        layer(pairs),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_client_policy_overrides_the_tenant_for_that_client_only() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (plain, _) = setup(&app).await;
    let (strict, _) = client_with(&app, &["mfa=always"]).await;
    // Tenant "adaptive", no factor: straight in. The strict client: enrol first.
    let easy = password_step(&browser(), &app, &plain, "").await;
    assert!(easy.param("code").is_some());
    let asked = password_step(&browser(), &app, &strict, "").await;
    assert_eq!(asked.location.as_deref(), Some("/u/enroll"));
    app.stop().await;
}

#[tokio::test]
async fn an_api_policy_is_the_most_specific_layer() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let (client_id, secret) = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &client_id).await;
    let api = "https://payouts.example.com";
    api_with(&app, api, &["required_acr=aal2", "remember_device_days=0"]).await;
    let audience = format!(
        "&audience={}",
        form_urlencoded::byte_serialize(api.as_bytes()).collect::<String>()
    );

    // Without the API: the tenant's "never" lets the password alone in.
    let b = browser();
    assert!(
        password_step(&b, &app, &client_id, "")
            .await
            .param("code")
            .is_some()
    );

    // For the API: aal2, even though the request did not ask; no "remember this device".
    app.clock.advance(30);
    let b2 = browser();
    let step = password_step(&b2, &app, &client_id, &audience).await;
    assert_eq!(step.location.as_deref(), Some("/u/mfa"));
    let page = get(&b2, &app, "/u/mfa").await;
    assert!(!page.body.contains("name=\"remember\""), "{}", page.body);
    let done = prove_totp(&b2, &app, &totp).await;
    let tokens = exchange(&app, &client_id, &secret, &done.param("code").unwrap()).await;
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["acr"], "aal2");
    assert_eq!(
        claims(tokens["access_token"].as_str().unwrap())["aud"][0],
        api
    );

    // The signed-in password session asking for the API: stepped up on the factor page.
    let again = get(&b, &app, &authorize_url(&app, &client_id, &audience)).await;
    assert_eq!(again.location.as_deref(), Some("/u/mfa"));
    app.stop().await;
}

#[tokio::test]
async fn max_age_allowed_factors_and_enrol_with_any_from_a_client_policy() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (plain, _) = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &plain).await;
    // A second factor the strict client does not accept.
    let b = browser();
    app.clock.advance(30);
    password_step(&b, &app, &plain, "").await;
    prove_totp(&b, &app, &totp).await;
    assert_eq!(enrol_email_codes(&b, &app, EMAIL).await.status, 303);

    let (strict, _) = client_with(&app, &["allowed_factors=totp", "max_age=60"]).await;
    // Signed in a minute ago (within the tenant's rules), but the client wants 60 s.
    app.clock.advance(61);
    let asked = get(&b, &app, &authorize_url(&app, &strict, "")).await;
    assert_eq!(asked.location.as_deref(), Some("/u/mfa"));
    let page = get(&b, &app, "/u/mfa").await;
    assert!(page.body.contains("authenticator app"), "{}", page.body);
    assert!(
        !page.body.contains("Email code to"),
        "email is not allowed here"
    );
    // A user with no factor at a client that asks for one enrols only what the client allows.
    app.create_user("carol@example.com", PASSWORD).await;
    let (totp_only, _) = client_with(&app, &["allowed_factors=totp", "mfa=always"]).await;
    let c = browser();
    let first = portcullis_testkit::login(
        &c,
        &app,
        &authorize_url(&app, &totp_only, ""),
        "carol@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(first.location.as_deref(), Some("/u/enroll"));
    let chooser = get(&c, &app, "/u/enroll").await;
    assert!(chooser.body.contains("/u/enroll/totp"));
    assert!(!chooser.body.contains("channel=sms"), "{}", chooser.body);
    assert!(!chooser.body.contains("style=passkey"));
    assert_eq!(get(&c, &app, "/u/enroll/oob?channel=sms").await.status, 400);

    // A user with no factor, a client that needs aal2 and lets nobody enrol: unmet at sign-in.
    app.create_user("bob@example.com", PASSWORD).await;
    let (closed, _) = client_with(&app, &["required_acr=aal2", "enroll_with_any=false"]).await;
    let out = portcullis_testkit::login(
        &browser(),
        &app,
        &authorize_url(&app, &closed, ""),
        "bob@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(
        out.param("error").as_deref(),
        Some("unmet_authentication_requirements")
    );
    app.stop().await;
}

#[tokio::test]
async fn adaptive_asks_on_a_new_browser_or_after_repeated_failures() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "adaptive")]).await;
    let (client_id, _) = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &client_id).await;
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    let chrome = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/131.0 Safari/537.36";

    // First time in this browser: asked, and the browser becomes known.
    app.clock.advance(30);
    let b = browser_as(firefox);
    let step = password_step(&b, &app, &client_id, "").await;
    assert_eq!(step.location.as_deref(), Some("/u/mfa"));
    assert!(prove_totp(&b, &app, &totp).await.param("code").is_some());

    // The same browser again, even without cookies: the password is enough.
    let again = password_step(&browser_as(firefox), &app, &client_id, "").await;
    assert!(again.param("code").is_some(), "{:?}", again.location);
    // Another browser: asked.
    let other = password_step(&browser_as(chrome), &app, &client_id, "").await;
    assert_eq!(other.location.as_deref(), Some("/u/mfa"));

    // Repeated failures make even the known browser prove a factor; success clears them.
    let known = browser_as(firefox);
    let login = get(&known, &app, &authorize_url(&app, &client_id, "")).await;
    let page = get(&known, &app, login.location.as_deref().unwrap()).await;
    let state = form_value(&page.body, "state").unwrap();
    for _ in 0..3 {
        let csrf = form_value(
            &get(&known, &app, login.location.as_deref().unwrap())
                .await
                .body,
            "csrf",
        )
        .unwrap();
        let wrong = post(
            &known,
            &app,
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("email", EMAIL),
                ("password", "not it"),
            ],
        )
        .await;
        assert_eq!(wrong.status, 401);
    }
    let asked = password_step(&known, &app, &client_id, "").await;
    assert_eq!(asked.location.as_deref(), Some("/u/mfa"));
    let fine = password_step(&browser_as(firefox), &app, &client_id, "").await;
    assert!(
        fine.param("code").is_some(),
        "failures cleared by the sign-in"
    );

    // `always` ignores the signal; `never` never asks.
    let (strict, _) = client_with(&app, &["mfa=always"]).await;
    let step = password_step(&browser_as(firefox), &app, &strict, "").await;
    assert_eq!(step.location.as_deref(), Some("/u/mfa"));
    app.stop().await;
}

#[tokio::test]
async fn adaptive_judges_password_grant_clients_the_same_way() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let web = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &web.0).await;
    let cli = password_client(&app, &[]).await;
    let send = |ua: &'static str, form: Vec<(&'static str, String)>| {
        let (url, cli) = (app.url("/oauth/token"), cli.clone());
        async move {
            let resp = reqwest::Client::new()
                .post(url)
                .header("user-agent", ua)
                .basic_auth(&cli.0, Some(&cli.1))
                .form(&form)
                .send()
                .await
                .unwrap();
            (
                resp.status().as_u16(),
                resp.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let pw = || {
        vec![
            ("grant_type", "password".to_string()),
            ("username", EMAIL.to_string()),
            ("password", PASSWORD.to_string()),
        ]
    };
    let (status, body) = send("payroll-cli/2.1", pw()).await;
    assert_eq!(status, 403, "{body}");
    app.clock.advance(30);
    let code = totp.code_at(app.clock_now());
    let (status, _) = send(
        "payroll-cli/2.1",
        vec![
            ("grant_type", OTP.to_string()),
            ("mfa_token", body["mfa_token"].as_str().unwrap().to_string()),
            ("otp", code),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        send("payroll-cli/2.1", pw()).await.0,
        200,
        "known client now"
    );
    assert_eq!(send("other-tool/1.0", pw()).await.0, 403);
    app.stop().await;
}
