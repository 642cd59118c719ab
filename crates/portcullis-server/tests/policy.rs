//! Client and API policies at sign-in: the most specific layer wins, and each key changes what
//! the hosted pages ask for.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::{NewClient, create_api};
use portcullis_core::policy::PolicyOverrides;
use portcullis_testkit::{Engine, TestApp, browser, spawn_app_with_env};

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
    let chooser = get(&b, &app, "/u/enroll").await;
    assert!(chooser.body.contains("/u/enroll/totp"));
    assert!(!chooser.body.contains("channel=sms"), "{}", chooser.body);
    assert!(!chooser.body.contains("style=passkey"));
    assert_eq!(get(&b, &app, "/u/enroll/oob?channel=sms").await.status, 400);

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
