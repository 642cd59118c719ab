//! Client-Initiated Backchannel Authentication (CIBA) over real HTTP, poll and ping: a client
//! names a user, the user approves from the emailed link through the one gate (aal2 with a
//! passkey or TOTP proved for the request, the consent page repeating the binding message), the
//! tokens carry what was proved, once. Denials, another account answering, bad requests, a spent link, 80 answers at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use portcullis_core::admin::NewClient;
use portcullis_testkit::{Engine, TestApp, browser, form_value, spawn_app_with_env};
use serde_json::{Value, json};

const GRANT: &str = "urn:openid:params:grant-type:ciba";
const BOB: &str = "bob@example.com";

/// A confidential client registered for CIBA: its id and secret.
async fn checkout(app: &TestApp) -> (String, String) {
    let (c, s) = app
        .create_client(NewClient {
            name: "Checkout".into(),
            grant_types: vec![GRANT.into()],
            ..NewClient::default()
        })
        .await;
    app.state.refresh().await.unwrap();
    (c.id, s.unwrap())
}

async fn ask(app: &TestApp, client: &(String, String), form: &[(&str, &str)]) -> (u16, Value) {
    post_as(app, client, "/bc-authorize", form).await
}

async fn poll(app: &TestApp, client: &(String, String), id: &str) -> (u16, Value) {
    grant(app, client, &[("grant_type", GRANT), ("auth_req_id", id)]).await
}

/// The approval link in the newest email to `to` that carries one not seen in `seen`.
async fn link(app: &TestApp, to: &str, seen: &mut Vec<String>) -> String {
    for _ in 0..200 {
        let newest = app.state.outbox().unwrap().latest_to(to).map(|m| m.text);
        if let Some(text) = newest
            && let Some(i) = text.find("/u/ciba?t=")
        {
            let path: String = text[i..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            if !seen.contains(&path) {
                seen.push(path.clone());
                return path;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no approval link to {to}");
}

/// Presses `decision` on the link's page; the answer.
async fn answer(b: &reqwest::Client, app: &TestApp, path: &str, decision: &str) -> Page {
    let page = get(b, app, path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let t = form_value(&page.body, "t").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    post(
        b,
        app,
        "/u/ciba",
        &[("csrf", &csrf), ("t", &t), ("decision", decision)],
    )
    .await
}

#[tokio::test]
async fn a_user_approves_from_the_emailed_link_with_a_fresh_second_factor() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let discovery = app.get_json("/.well-known/openid-configuration").await;
    assert_eq!(
        discovery["backchannel_authentication_endpoint"],
        app.url("/bc-authorize")
    );
    assert_eq!(
        discovery["backchannel_token_delivery_modes_supported"],
        json!(["poll", "ping"])
    );
    assert_eq!(
        discovery["backchannel_user_code_parameter_supported"],
        false
    );
    let (web, _) = setup(&app).await;
    // Ada already has a session in this browser: approving still asks her for a factor.
    let b = browser();
    let (totp, _) = enrol_totp(&b, &app, &web).await;
    let client = checkout(&app).await;
    let mut seen = Vec::new();
    app.clock.advance(60);

    let (status, body) = ask(
        &app,
        &client,
        &[
            ("scope", "openid email"),
            ("login_hint", EMAIL),
            ("binding_message", "Pay 30 EUR to ACME"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["expires_in"].as_i64(), body["interval"].as_i64()),
        (Some(300), Some(5))
    );
    let id = body["auth_req_id"].as_str().unwrap().to_string();
    assert_eq!(
        poll(&app, &client, &id).await.1["error"],
        "authorization_pending"
    );
    assert_eq!(poll(&app, &client, &id).await.1["error"], "slow_down");
    // The device grant cannot redeem it.
    let (_, body) = grant(
        &app,
        &client,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", &id),
        ],
    )
    .await;
    assert!(body["error"].is_string(), "{body}");

    let mail = app.state.outbox().unwrap().latest_to(EMAIL).unwrap();
    assert_eq!(mail.subject, "Checkout asks for your approval");
    assert!(mail.text.contains("Pay 30 EUR to ACME"), "{}", mail.text);
    let path = link(&app, EMAIL, &mut seen).await;
    // Opening the link spends nothing; the page repeats the binding message.
    let page = get(&b, &app, &path).await;
    assert!(page.body.contains("Pay 30 EUR to ACME"), "{}", page.body);
    // Signed in at aal2 already, she still proves a factor for this request: one page.
    let step = answer(&b, &app, &path, "continue").await;
    assert_eq!(step.location.as_deref(), Some("/u/mfa"), "{}", step.body);
    app.clock.advance(30);
    let consent = follow(&b, &app, prove_totp(&b, &app, &totp).await).await;
    assert!(
        consent.body.contains("id=\"binding-message\""),
        "{}",
        consent.body
    );
    assert!(consent.body.contains("Pay 30 EUR to ACME"));
    let done = decide(&b, &app, &consent, "allow").await;
    assert!(done.body.contains("Request approved"), "{}", done.body);

    app.clock.advance(5);
    let (status, tokens) = poll(&app, &client, &id).await;
    assert_eq!(status, 200, "{tokens}");
    let claims = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["sub"], user_id(&app).await.as_str());
    assert_eq!(claims["acr"], "aal2");
    assert!(
        claims["amr"]
            .as_array()
            .unwrap()
            .contains(&Value::from("otp"))
    );
    app.clock.advance(5);
    assert_eq!(poll(&app, &client, &id).await.1["error"], "invalid_grant");
    // The link is spent.
    let again = get(&b, &app, &path).await;
    assert_eq!(again.status, 400);

    // Denied: the client hears access_denied.
    let (_, body) = ask(&app, &client, &[("scope", "openid"), ("login_hint", EMAIL)]).await;
    let id = body["auth_req_id"].as_str().unwrap().to_string();
    let path = link(&app, EMAIL, &mut seen).await;
    let denied = answer(&b, &app, &path, "deny").await;
    assert!(denied.body.contains("Request denied"), "{}", denied.body);
    let (status, body) = poll(&app, &client, &id).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied"))
    );

    // Another account answering Ada's link is refused, and so is the request.
    app.create_user(BOB, PASSWORD).await;
    let bob = browser();
    let (_, body) = ask(&app, &client, &[("scope", "openid"), ("login_hint", EMAIL)]).await;
    let id = body["auth_req_id"].as_str().unwrap().to_string();
    let path = link(&app, EMAIL, &mut seen).await;
    let login = follow(&bob, &app, answer(&bob, &app, &path, "continue").await).await;
    let state = form_value(&login.body, "state").unwrap();
    let csrf = form_value(&login.body, "csrf").unwrap();
    let signed = post(
        &bob,
        &app,
        "/u/login",
        &[
            ("state", &state),
            ("csrf", &csrf),
            ("email", BOB),
            ("password", PASSWORD),
        ],
    )
    .await;
    // Bob has no second factor: he enrols an authenticator app on the way, as anyone would.
    let enrol = follow(&bob, &app, signed).await;
    assert_eq!(enrol.status, 200);
    let page = get(&bob, &app, "/u/enroll/totp").await;
    let secret = portcullis_core::factor::totp::TotpSecret::from_base32(between(
        &page.body,
        "id=\"totp-secret\">",
        "<",
    ))
    .unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    let enrollment = form_value(&page.body, "enrollment").unwrap();
    let code = secret.code_at(app.clock_now());
    let codes = post(
        &bob,
        &app,
        "/u/enroll/totp",
        &[
            ("csrf", &csrf),
            ("enrollment", &enrollment),
            ("code", &code),
            ("name", "Bob's phone"),
        ],
    )
    .await;
    assert_eq!(codes.status, 200, "{}", codes.body);
    let cont = post(&bob, &app, "/u/enroll/continue", &[("csrf", &csrf)]).await;
    let consent = follow(&bob, &app, cont).await;
    let refused =
        if form_value(&consent.body, "decision").is_some() || consent.body.contains("decision") {
            decide(&bob, &app, &consent, "allow").await
        } else {
            consent
        };
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("another account"), "{}", refused.body);
    app.clock.advance(5);
    assert_eq!(poll(&app, &client, &id).await.1["error"], "access_denied");
}

#[tokio::test]
async fn bad_requests_are_refused_and_one_link_answers_once_even_80_at_once() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (web, secret) = setup(&app).await;
    let client = checkout(&app).await;
    let long = "x".repeat(65);
    for (form, status, error) in [
        (
            vec![("scope", "openid"), ("login_hint", "nobody@example.com")],
            400,
            "unknown_user_id",
        ),
        (vec![("scope", "openid")], 400, "invalid_request"),
        (
            vec![
                ("scope", "openid"),
                ("login_hint", EMAIL),
                ("id_token_hint", "x"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![("scope", "email"), ("login_hint", EMAIL)],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("scope", "openid"),
                ("login_hint", EMAIL),
                ("binding_message", long.as_str()),
            ],
            400,
            "invalid_binding_message",
        ),
        (
            vec![
                ("scope", "openid"),
                ("login_hint", EMAIL),
                ("binding_message", "Confirm at https://evil.example/x"),
            ],
            400,
            "invalid_binding_message",
        ),
        (
            vec![
                ("scope", "openid"),
                ("login_hint", EMAIL),
                ("user_code", "1234"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("scope", "openid"),
                ("login_hint", EMAIL),
                ("client_notification_token", "t"),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("scope", "openid"),
                ("login_hint", EMAIL),
                ("redirect_uri", REDIRECT),
            ],
            400,
            "invalid_request",
        ),
        (
            vec![
                ("scope", "openid"),
                ("login_hint", EMAIL),
                ("requested_expiry", "-5"),
            ],
            400,
            "invalid_request",
        ),
    ] {
        let (got, body) = ask(&app, &client, &form).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(error)),
            "{form:?}: {body}"
        );
    }
    // Someone whose only factor is email codes has nothing to approve with.
    app.create_user(BOB, PASSWORD).await;
    let bob = browser();
    let signed_in =
        portcullis_testkit::login(&bob, &app, &authorize_url(&app, &web, ""), BOB, PASSWORD).await;
    assert!(signed_in.param("code").is_some());
    enrol_email_codes(&bob, &app, BOB).await;
    let (got, body) = ask(&app, &client, &[("scope", "openid"), ("login_hint", BOB)]).await;
    assert_eq!(
        (got, body["error"].as_str()),
        (400, Some("access_denied")),
        "{body}"
    );
    // A client not registered for CIBA.
    let (got, body) = ask(
        &app,
        &(web.clone(), secret),
        &[("scope", "openid"), ("login_hint", EMAIL)],
    )
    .await;
    assert_eq!(
        (got, body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    assert!(
        app.state.outbox().unwrap().latest_to(EMAIL).is_none(),
        "no email for a refused request"
    );

    // 80 answers to one link at once: one goes on.
    let (_, body) = ask(&app, &client, &[("scope", "openid"), ("login_hint", EMAIL)]).await;
    assert!(body["auth_req_id"].is_string());
    let path = link(&app, EMAIL, &mut Vec::new()).await;
    let mut forms = Vec::new();
    for _ in 0..80 {
        let b = browser();
        let page = get(&b, &app, &path).await;
        forms.push((
            b,
            form_value(&page.body, "csrf").unwrap(),
            form_value(&page.body, "t").unwrap(),
        ));
    }
    let answers = futures_util::future::join_all(forms.iter().map(|(b, csrf, t)| {
        let app = &app;
        async move {
            post(
                b,
                app,
                "/u/ciba",
                &[
                    ("csrf", csrf.as_str()),
                    ("t", t.as_str()),
                    ("decision", "continue"),
                ],
            )
            .await
        }
    }))
    .await;
    let on: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(
        on.iter().filter(|s| **s == 302 || **s == 303).count(),
        1,
        "{on:?}"
    );
    assert_eq!(on.iter().filter(|s| **s == 400).count(), 79, "{on:?}");

    // Five requests a minute per user and client: the inbox is the user's.
    for _ in 0..4 {
        assert_eq!(
            ask(&app, &client, &[("scope", "openid"), ("login_hint", EMAIL)])
                .await
                .0,
            200
        );
    }
    let (got, body) = ask(&app, &client, &[("scope", "openid"), ("login_hint", EMAIL)]).await;
    assert_eq!(
        (got, body["error"].as_str()),
        (429, Some("too_many_requests"))
    );
}

#[tokio::test]
async fn a_ping_mode_client_is_told_when_the_answer_is_there() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (web, _) = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &web).await;
    let client = checkout(&app).await;

    // The client's notification endpoint, recording what it is told.
    let heard: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let record = heard.clone();
    let router = axum::Router::new().route(
        "/cb",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, axum::Json(body): axum::Json<Value>| {
                let record = record.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    record.lock().unwrap().push((auth, body));
                    axum::http::StatusCode::NO_CONTENT
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/cb", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let admin = admin_token(&app, &["update:clients", "read:clients"]).await;
    let resp = reqwest::Client::new()
        .patch(app.url(&format!("/api/v2/clients/{}", client.0)))
        .bearer_auth(&admin)
        .json(&json!({ "backchannel_client_notification_endpoint": endpoint }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let shown: Value = resp.json().await.unwrap();
    assert_eq!(shown["backchannel_token_delivery_mode"], "ping");
    assert_eq!(
        shown["backchannel_client_notification_endpoint"],
        endpoint.as_str()
    );
    app.state.refresh().await.unwrap();
    let bad = reqwest::Client::new()
        .patch(app.url(&format!("/api/v2/clients/{}", client.0)))
        .bearer_auth(&admin)
        .json(&json!({ "backchannel_client_notification_endpoint": "http://example.com/cb" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400, "plain http off loopback");

    // A ping client must send its notification token.
    let (got, _) = ask(&app, &client, &[("scope", "openid"), ("login_hint", EMAIL)]).await;
    assert_eq!(got, 400);
    let (_, body) = ask(
        &app,
        &client,
        &[
            ("scope", "openid"),
            ("login_hint", EMAIL),
            ("client_notification_token", "ping-secret-8e1"),
        ],
    )
    .await;
    let id = body["auth_req_id"].as_str().unwrap().to_string();
    let b = browser();
    let path = link(&app, EMAIL, &mut Vec::new()).await;
    let login = follow(&b, &app, answer(&b, &app, &path, "continue").await).await;
    password_form(&b, &app, &login).await;
    app.clock.advance(30);
    let consent = follow(&b, &app, prove_totp(&b, &app, &totp).await).await;
    decide(&b, &app, &consent, "allow").await;
    for _ in 0..200 {
        if !heard.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let pings = heard.lock().unwrap().clone();
    assert_eq!(
        pings,
        [(
            "Bearer ping-secret-8e1".to_string(),
            json!({ "auth_req_id": id })
        )]
    );
    let (status, tokens) = poll(&app, &client, &id).await;
    assert_eq!(status, 200, "{tokens}");
}
