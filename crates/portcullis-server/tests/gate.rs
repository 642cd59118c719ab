//! The gate every sign-in passes: no hosted endpoint finishes a sign-in below what the policy
//! and the request demand, whatever order the browser calls them in, twice, or 80 at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::ports::Store;
use portcullis_testkit::{Engine, TestApp, browser, form_value, spawn_app_with_env};

/// The user has TOTP; a new browser has just proved the password and waits on `/u/mfa`.
async fn password_proved(app: &TestApp, client_id: &str) -> reqwest::Client {
    let b = browser();
    let step = password_step(&b, app, client_id, "").await;
    assert_eq!(step.location.as_deref(), Some("/u/mfa"), "{}", step.body);
    b
}

/// Whether this browser holds a session: `/authorize?prompt=none` answers a code.
async fn signed_in(b: &reqwest::Client, app: &TestApp, client_id: &str) -> bool {
    let silent = get(b, app, &authorize_url(app, client_id, "&prompt=none")).await;
    silent.param("code").is_some()
}

/// A web client with one policy override.
async fn client_with(app: &TestApp, pair: &str) -> String {
    let mut policy = portcullis_core::policy::PolicyOverrides::default();
    policy.set(pair).unwrap();
    let (client, _) = app
        .create_client(portcullis_core::admin::NewClient {
            name: "gate test".into(),
            redirect_uris: vec![REDIRECT.into()],
            policy,
            ..Default::default()
        })
        .await;
    client.id
}

async fn bypass_attempts_fail(mfa: &str) {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (enrolling, _) = setup(&app).await;
    let (_totp, _) = enrol_totp(&browser(), &app, &enrolling).await;
    app.clock.advance(30);
    let client_id = client_with(&app, &format!("mfa={mfa}")).await;

    // "Continue" after recovery codes, with no recovery codes shown: back to the factor.
    let b = password_proved(&app, &client_id).await;
    let cont = submit(&b, &app, "/u/mfa", "/u/enroll/continue", &[]).await;
    assert_eq!(cont.location.as_deref(), Some("/u/mfa"), "{}", cont.body);
    assert!(cont.param("code").is_none());
    assert!(!signed_in(&b, &app, &client_id).await);
    // Twice makes no difference.
    let again = submit(&b, &app, "/u/mfa", "/u/enroll/continue", &[]).await;
    assert_eq!(again.location.as_deref(), Some("/u/mfa"));

    // Enrolling an attacker's own authenticator with the password alone: not offered.
    let user = user_id(&app).await;
    let before = app.store.factors(&user).await.unwrap().len();
    let page = get(&b, &app, "/u/enroll/totp").await;
    assert_ne!(page.status, 200, "{}", page.body);
    let csrf = form_value(&get(&b, &app, "/u/mfa").await.body, "csrf").unwrap();
    let posted = post(
        &b,
        &app,
        "/u/enroll/totp",
        &[("csrf", &csrf), ("enrollment", "x"), ("code", "123456")],
    )
    .await;
    assert!(posted.param("code").is_none());
    assert_eq!(app.store.factors(&user).await.unwrap().len(), before);

    // Eighty "continue" posts at once: not one finishes the sign-in.
    let csrf = form_value(&get(&b, &app, "/u/mfa").await.body, "csrf").unwrap();
    let mut tasks = Vec::new();
    for _ in 0..80 {
        let (b, url, csrf) = (b.clone(), app.url("/u/enroll/continue"), csrf.clone());
        tasks.push(tokio::spawn(async move {
            read(b.post(url).form(&[("csrf", csrf)]).send().await.unwrap()).await
        }));
    }
    for t in tasks {
        let page = t.await.unwrap();
        assert!(page.param("code").is_none(), "{:?}", page.location);
    }
    assert!(!signed_in(&b, &app, &client_id).await);
    app.stop().await;
}

#[tokio::test]
async fn gate_continue_without_the_factor_is_refused_under_adaptive() {
    bypass_attempts_fail("adaptive").await;
}

#[tokio::test]
async fn gate_continue_without_the_factor_is_refused_under_always() {
    bypass_attempts_fail("always").await;
}

#[tokio::test]
async fn gate_an_existing_session_meets_each_clients_policy() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let (relaxed, _) = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &relaxed).await;
    app.clock.advance(30);
    // Signed in with the password only, where the tenant asks for nothing more.
    let b = browser();
    let done = password_step(&b, &app, &relaxed, "").await;
    assert!(done.param("code").is_some(), "{:?}", done.location);
    // A client whose policy is "always": the session answers only after a step-up.
    let strict = client_with(&app, "mfa=always").await;
    let silent = get(&b, &app, &authorize_url(&app, &strict, "&prompt=none")).await;
    assert_eq!(
        silent.param("error").as_deref(),
        Some("interaction_required")
    );
    let asked = get(&b, &app, &authorize_url(&app, &strict, "")).await;
    assert_eq!(asked.location.as_deref(), Some("/u/mfa"));
    let proved = prove_totp(&b, &app, &totp).await;
    assert!(proved.param("code").is_some(), "{:?}", proved.location);
    app.stop().await;
}
