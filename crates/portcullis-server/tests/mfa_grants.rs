//! Auth0's non-interactive MFA over HTTP: the `password` grant's `mfa_required`, then the
//! `mfa-otp` and `mfa-recovery-code` grants that spend the `mfa_token`, and every error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::*;
use portcullis_core::admin::NewClient;
use portcullis_core::policy::PolicyOverrides;
use portcullis_core::ports::Store;
use portcullis_testkit::{Engine, TestApp, browser, spawn_app_with_env};
use serde_json::{Value, json};

#[tokio::test]
async fn password_then_mfa_otp_and_every_error() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let web = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &web.0).await;
    let cli = password_client(&app, &[]).await;

    // The password grant is opt-in per client.
    let (status, body) = grant(
        &app,
        &web,
        &[
            ("grant_type", "password"),
            ("username", EMAIL),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );

    let (status, body) = password(&app, &cli, "wrong password").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let (status, body) = password(&app, &cli, PASSWORD).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "mfa_required");
    assert_eq!(
        body["mfa_requirements"],
        json!({ "challenge": [{ "type": "otp" }, { "type": "recovery-code" }] })
    );
    let token = body["mfa_token"].as_str().unwrap().to_string();

    let (status, body) = otp(&app, &cli, &token, "000000").await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (400, Some("Invalid otp_code."))
    );

    // Another client cannot spend it; a tampered token is unknown.
    let other = password_client(&app, &[]).await;
    app.clock.advance(30);
    let code = totp.code_at(app.clock_now());
    let (status, body) = otp(&app, &other, &token, &code).await;
    assert_eq!(status, 400);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("another client")
    );
    let (_, body) = grant(
        &app,
        &cli,
        &[
            ("grant_type", OTP),
            ("mfa_token", &format!("{token}x")),
            ("otp", &code),
        ],
    )
    .await;
    assert_eq!(body["error"], "invalid_grant");

    let (status, body) = otp(&app, &cli, &token, &code).await;
    assert_eq!(status, 200, "{body}");
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], json!(["pwd", "otp", "mfa"]));

    // Spent.
    app.clock.advance(30);
    let code = totp.code_at(app.clock_now());
    let (_, body) = otp(&app, &cli, &token, &code).await;
    assert_eq!(body["error"], "invalid_grant");

    // Expired after mfa.token_ttl (300 s).
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let late = body["mfa_token"].as_str().unwrap().to_string();
    app.clock.advance(301);
    let code = totp.code_at(app.clock_now());
    let (_, body) = otp(&app, &cli, &late, &code).await;
    assert_eq!(body["error"], "expired_token");

    // Wrong codes run into the account's throttle: 429 too_many_attempts.
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap().to_string();
    let mut last = (0, Value::Null);
    for _ in 0..8 {
        last = otp(&app, &cli, &token, "000000").await;
    }
    assert_eq!(last.0, 429, "{}", last.1);
    assert_eq!(last.1["error"], "too_many_attempts");
    app.stop().await;
}

#[tokio::test]
async fn recovery_code_grant_returns_a_fresh_code_and_one_token_spends_once() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[
            ("PORTCULLIS_LOCKOUT__FREE_ATTEMPTS", "99"),
            ("PORTCULLIS_LOCKOUT__LOCK_AFTER", "100"),
        ],
    )
    .await;
    let (web, _) = setup(&app).await;
    let (totp, codes) = enrol_totp(&browser(), &app, &web).await;
    let cli = password_client(&app, &[]).await;

    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap().to_string();
    let (status, body) = grant(
        &app,
        &cli,
        &[
            ("grant_type", RECOVERY),
            ("mfa_token", &token),
            ("recovery_code", &codes[0]),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let fresh = body["recovery_code"].as_str().unwrap().to_string();
    assert!(!codes.contains(&fresh));
    assert_eq!(claims(body["id_token"].as_str().unwrap())["acr"], "aal2");

    // Twenty clients racing with one token and one good code: one set of tokens.
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap().to_string();
    app.clock.advance(30);
    let code = totp.code_at(app.clock_now());
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (app, cli, token, code) = (app.clone(), cli.clone(), token.clone(), code.clone());
            tokio::spawn(async move { otp(&app, &cli, &token, &code).await.0 })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
    Arc::into_inner(app).unwrap().stop().await;
}

#[tokio::test]
async fn policy_decides_whether_the_password_grant_needs_a_factor() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    setup(&app).await;
    // No factor, adaptive: tokens at aal1.
    let cli = password_client(&app, &[]).await;
    let (status, body) = password(&app, &cli, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(claims(body["id_token"].as_str().unwrap())["acr"], "aal1");
    // No factor, "always": enrol first, with what the policy allows.
    let strict = password_client(&app, &["mfa=always", "allowed_factors=totp,sms"]).await;
    let (status, body) = password(&app, &strict, PASSWORD).await;
    assert_eq!(status, 403);
    assert_eq!(
        body["mfa_requirements"],
        json!({ "enroll": [{ "type": "otp" }, { "type": "oob" }] })
    );
    app.stop().await;
}

/// Sets the client's policy (seen by the server at once), then refreshes.
async fn refresh_under(
    app: &TestApp,
    cli: &(String, String),
    policy: &PolicyOverrides,
    refresh: &str,
) -> (u16, Value) {
    app.store.set_client_policy(&cli.0, policy).await.unwrap();
    app.state.refresh().await.unwrap();
    grant(
        app,
        cli,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await
}

#[tokio::test]
async fn refresh_needs_a_factor_only_when_mfa_on_refresh_says_so() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let web = setup(&app).await;
    let (client, secret) = app
        .create_client(NewClient {
            name: "mobile".into(),
            redirect_uris: vec![REDIRECT.into()],
            grant_types: vec!["password".into(), "refresh_token".into()],
            ..NewClient::default()
        })
        .await;
    let cli = (client.id.clone(), secret.unwrap());
    // Signed in with the password alone (no factor yet), with a refresh token.
    let (status, body) = grant(
        &app,
        &cli,
        &[
            ("grant_type", "password"),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("scope", "openid offline_access"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mut refresh = body["refresh_token"].as_str().unwrap().to_string();
    // The user enrols TOTP later; the client now says "always" but not on refresh.
    let (totp, _) = enrol_totp(&browser(), &app, &web.0).await;
    let mut policy = PolicyOverrides::default();
    policy.set("mfa=always").unwrap();
    let (status, body) = refresh_under(&app, &cli, &policy, &refresh).await;
    assert_eq!(status, 200, "background refresh keeps working: {body}");
    refresh = body["refresh_token"].as_str().unwrap().to_string();

    // mfa_on_refresh = when_enrolled: the aal1 grant must prove the factor first.
    policy.set("mfa_on_refresh=when_enrolled").unwrap();
    let (status, body) = refresh_under(&app, &cli, &policy, &refresh).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "mfa_required");
    let token = body["mfa_token"].as_str().unwrap().to_string();
    app.clock.advance(30);
    let (status, body) = otp(&app, &cli, &token, &totp.code_at(app.clock_now())).await;
    assert_eq!(status, 200, "{body}");
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], json!(["pwd", "otp", "mfa"]));
    app.stop().await;
}

#[tokio::test]
async fn mfa_authenticators_lists_what_the_token_can_prove() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let web = setup(&app).await;
    enrol_totp(&browser(), &app, &web.0).await;
    let cli = password_client(&app, &[]).await;
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap().to_string();
    let list = |bearer: Option<String>| {
        let app_url = app.url("/mfa/authenticators");
        async move {
            let mut req = reqwest::Client::new().get(app_url);
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = list(Some(token.clone())).await;
    assert_eq!(status, 200, "{body}");
    let types: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["authenticator_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["otp", "recovery-code"]);
    assert_eq!(body[0]["name"], "Pixel");
    assert_eq!(body[0]["active"], true);
    assert_eq!(list(None).await.0, 401);
    let (status, body) = list(Some(format!("{token}x"))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_grant"))
    );
    app.clock.advance(301);
    let (status, body) = list(Some(token)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("expired_token"))
    );
    app.stop().await;
}

#[tokio::test]
async fn mfa_challenge_sends_an_email_code_that_the_oob_grant_spends() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let web = setup(&app).await;
    let b = browser();
    password_step(&b, &app, &web.0, "").await;
    assert_eq!(enrol_email_codes(&b, &app, EMAIL).await.status, 200);
    let cli = password_client(&app, &[]).await;
    let (status, body) = password(&app, &cli, PASSWORD).await;
    assert_eq!(status, 403);
    assert_eq!(
        body["mfa_requirements"],
        json!({ "challenge": [{ "type": "oob" }, { "type": "recovery-code" }] })
    );
    let token = body["mfa_token"].as_str().unwrap().to_string();
    let challenge = |kind: &'static str, token: String| {
        let (url, cli) = (app.url("/mfa/challenge"), cli.clone());
        async move {
            let resp = reqwest::Client::new()
                .post(url)
                .basic_auth(&cli.0, Some(&cli.1))
                .form(&[("mfa_token", token.as_str()), ("challenge_type", kind)])
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, _) = challenge("otp", token.clone()).await;
    assert_eq!(status, 400, "no authenticator app to point at");
    let (status, sent) = challenge("oob", token.clone()).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["challenge_type"], "oob");
    assert_eq!(sent["binding_method"], "prompt");
    let oob_code = sent["oob_code"].as_str().unwrap().to_string();
    let code = code_in(&app.state.outbox().unwrap().latest_to(EMAIL).unwrap().text);
    let oob = |binding: String, oob_code: String| {
        let (app, cli, token) = (&app, cli.clone(), token.clone());
        async move {
            grant(
                app,
                &cli,
                &[
                    ("grant_type", "http://auth0.com/oauth/grant-type/mfa-oob"),
                    ("mfa_token", &token),
                    ("oob_code", &oob_code),
                    ("binding_code", &binding),
                ],
            )
            .await
        }
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (_, body) = oob(wrong.into(), oob_code.clone()).await;
    assert_eq!(body["error_description"], "Invalid binding_code.");
    let (_, body) = oob(code.clone(), "otp_forged".into()).await;
    assert_eq!(body["error"], "invalid_grant");
    let (status, body) = oob(code, oob_code).await;
    assert_eq!(status, 200, "{body}");
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], json!(["pwd", "otp", "mfa"]));
    app.stop().await;
}

#[tokio::test]
async fn the_token_endpoint_takes_json_bodies_as_auth0_sdks_send_them() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let web = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &web.0).await;
    let cli = password_client(&app, &[]).await;
    let post = |body: String, media: &'static str| {
        let url = app.url("/oauth/token");
        async move {
            let resp = reqwest::Client::new()
                .post(url)
                .header("content-type", media)
                .body(body)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = post(
        json!({
            "grant_type": "password", "username": EMAIL, "password": PASSWORD,
            "client_id": cli.0, "client_secret": cli.1, "scope": "openid",
        })
        .to_string(),
        "application/json",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("mfa_required"))
    );
    let token = body["mfa_token"].as_str().unwrap().to_string();
    app.clock.advance(30);
    let (status, body) = post(
        json!({
            "grant_type": OTP, "mfa_token": token, "otp": totp.code_at(app.clock_now()),
            "client_id": cli.0, "client_secret": cli.1,
        })
        .to_string(),
        "application/json; charset=utf-8",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for (body, media) in [
        ("grant_type=password".to_string(), "text/plain"),
        (
            json!({ "grant_type": { "nested": true } }).to_string(),
            "application/json",
        ),
        ("[1, 2]".to_string(), "application/json"),
    ] {
        let (status, answer) = post(body, media).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("invalid_request"))
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_events_factor_checks_tokens_and_latency_without_identities() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let web = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &web.0).await;
    let cli = password_client(&app, &[]).await;
    assert_eq!(password(&app, &cli, "wrong").await.0, 400);
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap().to_string();
    let wrong = if totp.code_at(app.clock_now()) == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(otp(&app, &cli, &token, wrong).await.0, 400);
    app.clock.advance(30);
    assert_eq!(
        otp(&app, &cli, &token, &totp.code_at(app.clock_now()))
            .await
            .0,
        200
    );

    let resp = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = resp.text().await.unwrap();
    for line in [
        "portcullis_events_total{kind=\"login.failure\"} 1",
        "portcullis_events_total{kind=\"stepup.met\"} 1",
        "portcullis_factor_checks_total{method=\"password\",outcome=\"failure\"} 1",
        "portcullis_factor_checks_total{method=\"totp\",outcome=\"failure\"} 1",
        "portcullis_factor_checks_total{method=\"totp\",outcome=\"success\"} 1",
        "portcullis_token_requests_total{grant_type=\"password\",outcome=\"invalid_grant\"} 1",
        "portcullis_token_requests_total{grant_type=\"password\",outcome=\"mfa_required\"} 1",
        "portcullis_token_requests_total{grant_type=\"http://auth0.com/oauth/grant-type/mfa-otp\",outcome=\"ok\"} 1",
        "portcullis_http_request_duration_seconds_count{route=\"/oauth/token\",method=\"POST\",status=\"403\"} 1",
    ] {
        assert!(text.contains(line), "missing {line} in:\n{text}");
    }
    assert!(
        !text.contains(EMAIL) && !text.contains("usr_") && !text.contains(&cli.0),
        "no identities in labels"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_lock_is_an_audit_event_of_its_own() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[
            ("PORTCULLIS_LOCKOUT__FREE_ATTEMPTS", "2"),
            ("PORTCULLIS_LOCKOUT__LOCK_AFTER", "3"),
        ],
    )
    .await;
    let web = setup(&app).await;
    enrol_totp(&browser(), &app, &web.0).await;
    let cli = password_client(&app, &[]).await;
    let locks = || async {
        app.store
            .recent_audit(200)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "lockout")
            .collect::<Vec<_>>()
    };
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap().to_string();
    for _ in 0..2 {
        assert_eq!(otp(&app, &cli, &token, "000000").await.0, 400);
    }
    assert!(locks().await.is_empty());
    assert_eq!(otp(&app, &cli, &token, "000000").await.0, 400);
    let found = locks().await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].detail["secret"], "factor");
    assert_eq!(
        found[0].user_id.as_deref(),
        Some(user_id(&app).await.as_str())
    );
    assert_eq!(otp(&app, &cli, &token, "000000").await.0, 429);

    // Passwords too, through the password grant.
    for _ in 0..3 {
        password(&app, &cli, "wrong password").await;
    }
    let found = locks().await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].detail["secret"], "password");
    app.stop().await;
}
