//! WebAuthn over HTTP with a software authenticator: passkey and security-key enrolment,
//! passwordless sign-in, the second-factor challenge, and the checks that keep ceremonies
//! single-use and credentials honest.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use portcullis_core::factor::FactorKind;
use portcullis_core::ports::Store;
use portcullis_testkit::authenticator::SoftAuthenticator;
use portcullis_testkit::{Engine, TestApp, browser, form_value, spawn_app, spawn_app_with_env};
use serde_json::{Value, json};

/// A fresh sign-in page for `client_id`: its `state` and `csrf` fields.
async fn login_page(b: &reqwest::Client, app: &TestApp, client_id: &str) -> (String, String) {
    let first = get(b, app, &authorize_url(app, client_id, "")).await;
    let page = get(b, app, &first.location.expect("to the sign-in page")).await;
    assert!(
        page.body.contains("autocomplete=\"username webauthn\""),
        "passkey autofill on the email field"
    );
    (
        form_value(&page.body, "state").unwrap(),
        form_value(&page.body, "csrf").unwrap(),
    )
}

/// Asks the sign-in page's endpoint for a passwordless challenge: `(ceremony, options)`.
async fn passkey_challenge(b: &reqwest::Client, app: &TestApp, csrf: &str) -> (String, Value) {
    let resp = b
        .post(app.url("/u/login/passkey/options"))
        .form(&[("csrf", csrf), ("conditional", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.unwrap();
    (
        body["ceremony"].as_str().unwrap().to_string(),
        body["options"].clone(),
    )
}

async fn passkey_post(
    b: &reqwest::Client,
    app: &TestApp,
    state: &str,
    csrf: &str,
    ceremony: &str,
    answer: &Value,
) -> Page {
    post(
        b,
        app,
        "/u/login/passkey",
        &[
            ("state", state),
            ("csrf", csrf),
            ("ceremony", ceremony),
            ("credential", &answer.to_string()),
        ],
    )
    .await
}

/// Signs in with a passkey from a fresh browser; the answer to the passkey form.
async fn passwordless(app: &TestApp, client_id: &str, key: &mut SoftAuthenticator) -> Page {
    let b = browser();
    let (state, csrf) = login_page(&b, app, client_id).await;
    let (ceremony, options) = passkey_challenge(&b, app, &csrf).await;
    let answer = key.assert(&options).expect("a discoverable credential");
    passkey_post(&b, app, &state, &csrf, &ceremony, &answer).await
}

async fn webauthn_factors(app: &TestApp, user_id: &str) -> Vec<portcullis_core::model::Factor> {
    app.store
        .factors(user_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.kind == FactorKind::Webauthn)
        .collect()
}

#[tokio::test]
async fn passkey_enrolment_then_passwordless_sign_in() {
    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    let uid = user_id(&app).await;
    let mut key = SoftAuthenticator::new(&app.issuer);
    let b = browser();
    assert!(
        password_step(&b, &app, &client_id, "")
            .await
            .param("code")
            .is_some()
    );

    let page = get(&b, &app, "/u/enroll/webauthn?style=passkey").await;
    let options = page_options(&page.body);
    let pk = &options["publicKey"];
    assert_eq!(pk["rp"]["id"], "localhost");
    assert_eq!(pk["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(pk["authenticatorSelection"]["userVerification"], "required");
    let handle =
        portcullis_core::crypto::b64url_decode(pk["user"]["id"].as_str().unwrap()).unwrap();
    assert_eq!(handle.len(), 16, "an opaque handle, not the user id");
    assert!(!uid.as_bytes().windows(16).any(|w| w == handle.as_slice()));

    let done = register(&b, &app, &mut key, "passkey", "Laptop").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("recovery codes"),
        "issued with the first factor"
    );
    let factors = webauthn_factors(&app, &uid).await;
    assert_eq!(factors.len(), 1);
    let f = &factors[0];
    assert_eq!(f.name, "Laptop");
    assert_eq!(
        f.credential_id.as_deref(),
        Some(portcullis_core::crypto::b64url(&key.credentials[0].id).as_str())
    );
    assert_eq!(f.detail["passkey"], true);
    assert_eq!(f.detail["user_verified"], true);
    assert_eq!(f.detail["backup_eligible"], false);
    assert_eq!(f.detail["transports"], json!(["internal"]));
    let hex: String = key.aaguid.iter().map(|x| format!("{x:02x}")).collect();
    let aaguid = format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    assert_eq!(f.detail["aaguid"], aaguid);
    assert_eq!(f.sign_count, 1);
    assert!(f.secret_enc.is_some(), "the credential is sealed at rest");
    let sec = get(&b, &app, "/u/account/security").await;
    assert!(sec.body.contains("Passkey"), "{}", sec.body);
    assert!(sec.body.contains("on this device only"));

    // Passwordless: a device-bound passkey with user verification is aal3 on its own.
    let b2 = browser();
    let (state, csrf) = login_page(&b2, &app, &client_id).await;
    let (ceremony, options) = passkey_challenge(&b2, &app, &csrf).await;
    assert_eq!(options["mediation"], "conditional");
    assert!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "discoverable: no credential list"
    );
    let answer = key.assert(&options).unwrap();
    let signed = passkey_post(&b2, &app, &state, &csrf, &ceremony, &answer).await;
    let code = signed
        .param("code")
        .unwrap_or_else(|| panic!("{}", signed.body));
    let tokens = exchange(&app, &client_id, &secret, &code).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["sub"], uid);
    assert_eq!(id["acr"], "aal3");
    assert_eq!(id["amr"], json!(["hwk", "user", "mfa"]));
    assert_eq!(webauthn_factors(&app, &uid).await[0].sign_count, 2);

    // A challenge lives five minutes.
    let b4 = browser();
    let (state4, csrf4) = login_page(&b4, &app, &client_id).await;
    let (late, options) = passkey_challenge(&b4, &app, &csrf4).await;
    let slow = key.assert(&options).unwrap();
    app.clock.advance(301);
    let expired = passkey_post(&b4, &app, &state4, &csrf4, &late, &slow).await;
    assert_eq!(expired.status, 401, "{}", expired.body);

    // The answered challenge is gone: the same answer from another browser is refused.
    let b3 = browser();
    let (state, csrf) = login_page(&b3, &app, &client_id).await;
    let replay = passkey_post(&b3, &app, &state, &csrf, &ceremony, &answer).await;
    assert_eq!(replay.status, 401);
    assert!(replay.param("code").is_none());
    app.stop().await;
}

#[tokio::test]
async fn synced_passkey_is_aal2_and_one_without_user_verification_is_refused() {
    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    let uid = user_id(&app).await;
    let b = browser();
    password_step(&b, &app, &client_id, "").await;

    let mut lazy = SoftAuthenticator::new(&app.issuer);
    lazy.verifies_user = false;
    let refused = register(&b, &app, &mut lazy, "passkey", "No PIN").await;
    assert_eq!(refused.status, 422, "a passkey must verify the user");
    assert!(webauthn_factors(&app, &uid).await.is_empty());

    let mut synced = SoftAuthenticator::new(&app.issuer);
    synced.synced = true;
    synced.counter_step = 0;
    let done = register(&b, &app, &mut synced, "passkey", "Phone").await;
    assert_eq!(done.status, 200, "{}", done.body);
    let f = &webauthn_factors(&app, &uid).await[0];
    assert_eq!(f.detail["backup_eligible"], true);
    assert_eq!(f.detail["backup_state"], true);
    let sec = get(&b, &app, "/u/account/security").await;
    assert!(sec.body.contains("synced to your other devices"));

    // A counter that stays at zero is how synced passkeys behave: accepted, twice.
    for _ in 0..2 {
        let signed = passwordless(&app, &client_id, &mut synced).await;
        let code = signed
            .param("code")
            .unwrap_or_else(|| panic!("{}", signed.body));
        let tokens = exchange(&app, &client_id, &secret, &code).await;
        let id = claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["acr"], "aal2", "synced: not device-bound");
        assert_eq!(id["amr"], json!(["swk", "user", "mfa"]));
    }
    // With no counter to catch it, only the spent challenge stops a replayed answer.
    let b = browser();
    let (state, csrf) = login_page(&b, &app, &client_id).await;
    let (ceremony, options) = passkey_challenge(&b, &app, &csrf).await;
    let answer = synced.assert(&options).unwrap();
    let first = passkey_post(&b, &app, &state, &csrf, &ceremony, &answer).await;
    assert!(first.param("code").is_some());
    let b2 = browser();
    let (state, csrf) = login_page(&b2, &app, &client_id).await;
    let replay = passkey_post(&b2, &app, &state, &csrf, &ceremony, &answer).await;
    assert_eq!(replay.status, 401);
    app.stop().await;
}

#[tokio::test]
async fn security_key_as_second_factor_with_counter_and_replay_checks() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[
            ("PORTCULLIS_LIMITS__LOGIN_PER_MINUTE", "0"),
            ("PORTCULLIS_LIMITS__FACTOR_PER_MINUTE", "0"),
        ],
    )
    .await;
    let (client_id, secret) = setup(&app).await;
    let uid = user_id(&app).await;
    let mut key = SoftAuthenticator::new(&app.issuer);
    key.verifies_user = false;
    let b = browser();
    password_step(&b, &app, &client_id, "").await;
    let done = register(&b, &app, &mut key, "security_key", "YubiKey").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        webauthn_factors(&app, &uid).await[0].detail["passkey"],
        false
    );

    // Password, then the key.
    let b2 = browser();
    let step = password_step(&b2, &app, &client_id, "").await;
    assert_eq!(step.location.as_deref(), Some("/u/mfa"));
    let page = get(&b2, &app, "/u/mfa").await;
    assert!(page.body.contains("data-webauthn=\"get\""), "{}", page.body);
    let options = page_options(&page.body);
    assert_eq!(
        options["publicKey"]["allowCredentials"][0]["id"],
        portcullis_core::crypto::b64url(&key.credentials[0].id)
    );
    let answer = key.assert(&options).unwrap();
    let fields = |ceremony: &str, answer: &Value| {
        vec![
            ("csrf".to_string(), form_value(&page.body, "csrf").unwrap()),
            ("method".to_string(), "webauthn".to_string()),
            ("ceremony".to_string(), ceremony.to_string()),
            ("credential".to_string(), answer.to_string()),
        ]
    };
    let ceremony = form_value(&page.body, "ceremony").unwrap();
    let form = fields(&ceremony, &answer);
    let ok = read(b2.post(app.url("/u/mfa")).form(&form).send().await.unwrap()).await;
    let code = ok.param("code").unwrap_or_else(|| panic!("{}", ok.body));
    let tokens = exchange(&app, &client_id, &secret, &code).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], json!(["pwd", "hwk", "mfa"]));
    let used = &webauthn_factors(&app, &uid).await[0];
    assert_eq!(used.sign_count, 2);
    assert_eq!(used.last_used_at, Some(app.clock_now()));

    // Adding another (the key was just proved) lists the first credential to exclude it.
    let again = get(&b2, &app, "/u/enroll/webauthn?style=security_key").await;
    let excluded = page_options(&again.body)["publicKey"]["excludeCredentials"].clone();
    assert_eq!(
        excluded[0]["id"],
        portcullis_core::crypto::b64url(&key.credentials[0].id)
    );

    // The same ceremony and answer in a new sign-in: the challenge was spent.
    let b3 = browser();
    password_step(&b3, &app, &client_id, "").await;
    let own = get(&b3, &app, "/u/mfa").await;
    let mut form = form;
    form[0].1 = form_value(&own.body, "csrf").unwrap();
    let replay = read(b3.post(app.url("/u/mfa")).form(&form).send().await.unwrap()).await;
    assert_eq!(replay.status, 401);
    assert!(replay.param("code").is_none());

    // A cloned key: its counter went backwards. Refused, and the stored counter stays.
    key.credentials[0].counter = 0;
    let page = get(&b3, &app, "/u/mfa").await;
    let answer = key.assert(&page_options(&page.body)).unwrap();
    let form = vec![
        ("csrf", form_value(&page.body, "csrf").unwrap()),
        ("method", "webauthn".to_string()),
        ("ceremony", form_value(&page.body, "ceremony").unwrap()),
        ("credential", answer.to_string()),
    ];
    let cloned = read(b3.post(app.url("/u/mfa")).form(&form).send().await.unwrap()).await;
    assert_eq!(cloned.status, 401);
    assert!(cloned.body.contains("was not accepted"));
    assert_eq!(webauthn_factors(&app, &uid).await[0].sign_count, 2);
    app.stop().await;
}

#[tokio::test]
async fn one_assertion_sent_twenty_times_at_once_signs_in_once() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[("PORTCULLIS_LIMITS__FACTOR_PER_MINUTE", "0")],
    )
    .await;
    let (client_id, _secret) = setup(&app).await;
    let mut key = SoftAuthenticator::new(&app.issuer);
    let b = browser();
    password_step(&b, &app, &client_id, "").await;
    register(&b, &app, &mut key, "security_key", "Key").await;

    let b2 = browser();
    password_step(&b2, &app, &client_id, "").await;
    let page = get(&b2, &app, "/u/mfa").await;
    let answer = key.assert(&page_options(&page.body)).unwrap();
    let form = Arc::new(vec![
        ("csrf", form_value(&page.body, "csrf").unwrap()),
        ("method", "webauthn".to_string()),
        ("ceremony", form_value(&page.body, "ceremony").unwrap()),
        ("credential", answer.to_string()),
    ]);
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (app, b, form) = (app.clone(), b2.clone(), form.clone());
            tokio::spawn(async move {
                read(b.post(app.url("/u/mfa")).form(&*form).send().await.unwrap()).await
            })
        })
        .collect();
    let mut codes = 0;
    for t in tasks {
        if t.await.unwrap().param("code").is_some() {
            codes += 1;
        }
    }
    assert_eq!(codes, 1);
    Arc::into_inner(app).unwrap().stop().await;
}

#[tokio::test]
async fn foreign_credential_ids_and_user_handles_are_refused() {
    let app = spawn_app().await;
    let (client_id, _secret) = setup(&app).await;
    let uid = user_id(&app).await;
    let mut key = SoftAuthenticator::new(&app.issuer);
    let b = browser();
    password_step(&b, &app, &client_id, "").await;
    register(&b, &app, &mut key, "passkey", "Laptop").await;

    // Bob's authenticator claims Ada's credential id: the id is taken.
    let bob = app.create_user("bob@example.com", PASSWORD).await;
    let bb = browser();
    let out = portcullis_testkit::login(
        &bb,
        &app,
        &authorize_url(&app, &client_id, ""),
        "bob@example.com",
        PASSWORD,
    )
    .await;
    assert!(out.param("code").is_some());
    let mut hostile = SoftAuthenticator::new(&app.issuer);
    hostile.reuse_id = Some(key.credentials[0].id.clone());
    let clash = register(&bb, &app, &mut hostile, "passkey", "Mine now").await;
    assert_eq!(clash.status, 409, "{}", clash.body);
    assert!(webauthn_factors(&app, &bob.id).await.is_empty());
    assert_eq!(webauthn_factors(&app, &uid).await.len(), 1);

    // Ada's passkey answering with someone else's user handle.
    let b2 = browser();
    let (state, csrf) = login_page(&b2, &app, &client_id).await;
    let (ceremony, options) = passkey_challenge(&b2, &app, &csrf).await;
    let mut answer = key.assert(&options).unwrap();
    answer["response"]["userHandle"] = json!(portcullis_core::crypto::b64url(&[7u8; 16]));
    let refused = passkey_post(&b2, &app, &state, &csrf, &ceremony, &answer).await;
    assert_eq!(refused.status, 401);

    // A signature that does not verify.
    let (ceremony, options) = passkey_challenge(&b2, &app, &csrf).await;
    let mut answer = key.assert(&options).unwrap();
    answer["response"]["signature"] = json!(portcullis_core::crypto::b64url(&[1u8; 70]));
    let refused = passkey_post(&b2, &app, &state, &csrf, &ceremony, &answer).await;
    assert_eq!(refused.status, 401);

    // An answer for another site (a phishing origin).
    let mut phished = SoftAuthenticator::new("https://portcul1is.example");
    std::mem::swap(&mut phished.credentials, &mut key.credentials);
    let (ceremony, options) = passkey_challenge(&b2, &app, &csrf).await;
    let answer = phished.assert(&options).unwrap();
    let refused = passkey_post(&b2, &app, &state, &csrf, &ceremony, &answer).await;
    assert_eq!(refused.status, 401);
    app.stop().await;
}

#[tokio::test]
async fn passkey_enrolled_at_sign_in_when_policy_is_always() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "always")]).await;
    let (client_id, secret) = setup(&app).await;
    let mut key = SoftAuthenticator::new(&app.issuer);
    let b = browser();
    let step = password_step(&b, &app, &client_id, "").await;
    assert_eq!(step.location.as_deref(), Some("/u/enroll"));
    let chooser = get(&b, &app, "/u/enroll").await;
    assert!(chooser.body.contains("/u/enroll/webauthn?style=passkey"));
    let codes = register(&b, &app, &mut key, "passkey", "Laptop").await;
    assert!(codes.body.contains("recovery codes"), "{}", codes.body);
    let csrf = form_value(&codes.body, "csrf").unwrap();
    let done = post(&b, &app, "/u/enroll/continue", &[("csrf", &csrf)]).await;
    let tokens = exchange(&app, &client_id, &secret, &done.param("code").unwrap()).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal3");
    assert_eq!(id["amr"], json!(["pwd", "hwk", "user", "mfa"]));
    app.stop().await;
}
