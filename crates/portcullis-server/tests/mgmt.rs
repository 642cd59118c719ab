//! The management API over HTTP: who may call it, users and their metadata, factors and
//! sessions (with back-channel logout delivered and retried), enrolment tickets, logs, clients,
//! resource servers and client grants, in Auth0's shapes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use portcullis_core::admin::{NewClient, grant_client};
use portcullis_core::ports::Store;
use portcullis_testkit::{Engine, TestApp, browser, form_value, spawn_app_with_env};
use serde_json::{Value, json};

fn assert_error(body: &Value, status: u16, code: &str) {
    assert_eq!(body["statusCode"], status, "{body}");
    assert_eq!(body["errorCode"], code, "{body}");
    assert!(
        body["error"].is_string() && body["message"].is_string(),
        "{body}"
    );
}

const ALL: [&str; 33] = portcullis_server::mgmt::SCOPES;

#[tokio::test]
async fn only_machine_tokens_with_the_named_scope_get_in() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (s, body) = call(&app, "", "GET", "/api/v2/users", None).await;
    assert_eq!(s, 401);
    assert_error(&body, 401, "invalid_token");
    let (s, body) = call(&app, "not.a.jwt", "GET", "/api/v2/users", None).await;
    assert_eq!(s, 401);
    assert_error(&body, 401, "invalid_token");

    // A token for another API is refused.
    let (client, secret) = app
        .create_client(NewClient {
            name: "m2m".into(),
            grant_types: vec!["client_credentials".into()],
            ..NewClient::default()
        })
        .await;
    portcullis_core::admin::create_api(
        app.store.as_ref(),
        &app.clock,
        "https://api.example",
        None,
        vec!["read:users".into()],
        Default::default(),
    )
    .await
    .unwrap();
    grant_client(
        app.store.as_ref(),
        &client.id,
        "https://api.example",
        vec!["read:users".into()],
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
    let (_, other) = grant(
        &app,
        &(client.id.clone(), secret.unwrap()),
        &[
            ("grant_type", "client_credentials"),
            ("audience", "https://api.example"),
        ],
    )
    .await;
    let (s, _) = call(
        &app,
        other["access_token"].as_str().unwrap(),
        "GET",
        "/api/v2/users",
        None,
    )
    .await;
    assert_eq!(s, 401);

    // A user's token for the management API is refused even with the scope.
    let (cid, csecret) = password_client(&app, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let (s, body) = grant(
        &app,
        &(cid, csecret),
        &[
            ("grant_type", "password"),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("audience", &audience(&app)),
            ("scope", "read:users"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, body) = call(
        &app,
        body["access_token"].as_str().unwrap(),
        "GET",
        "/api/v2/users",
        None,
    )
    .await;
    assert_eq!(s, 403, "{body}");
    assert_error(&body, 403, "unauthorized_client");

    // The scope is named when missing.
    let token = admin_token(&app, &["read:logs"]).await;
    let (s, body) = call(&app, &token, "GET", "/api/v2/users", None).await;
    assert_eq!(s, 403);
    assert_error(&body, 403, "insufficient_scope");
    assert!(
        body["message"].as_str().unwrap().contains("read:users"),
        "{body}"
    );
    let (s, _) = call(&app, &token, "GET", "/api/v2/logs", None).await;
    assert_eq!(s, 200);
    app.stop().await;
}

#[tokio::test]
async fn users_crud_metadata_and_validation() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let t = admin_token(&app, &ALL).await;
    let (s, ada) = call(
        &app,
        &t,
        "POST",
        "/api/v2/users",
        Some(json!({
            "email": "Ada@Example.com", "password": "correct horse battery", "name": "Ada",
            "connection": "Username-Password-Authentication",
            "user_metadata": {"theme": "dark", "lang": "en"}, "app_metadata": {"plan": "pro"},
        })),
    )
    .await;
    assert_eq!(s, 201, "{ada}");
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["email_verified"], false);
    assert_eq!(ada["multifactor"], json!([]));
    assert!(ada["created_at"].as_str().unwrap().ends_with(".000Z"));
    let id = ada["user_id"].as_str().unwrap().to_string();

    // Bad input: 400 naming the field; nothing is created.
    for (body, field) in [
        (json!({"email": "nope"}), "email"),
        (
            json!({"email": "b@example.com", "password": "short"}),
            "password",
        ),
        (
            json!({"email": "b@example.com", "password": "Password123!"}),
            "commonly used",
        ),
        (
            json!({"email": "bernadette@example.com", "password": "bernadette rocks 42"}),
            "your email address or name",
        ),
        (
            json!({"email": "b@example.com", "blocked": "yes"}),
            "blocked",
        ),
        (json!({"email": "b@example.com", "colour": "red"}), "colour"),
        (
            json!({"email": "b@example.com", "user_metadata": [1]}),
            "user_metadata",
        ),
        (json!({}), "email"),
    ] {
        let (s, err) = call(&app, &t, "POST", "/api/v2/users", Some(body.clone())).await;
        assert_eq!(s, 400, "{body} → {err}");
        assert_error(&err, 400, "invalid_body");
        assert!(
            err["message"].as_str().unwrap().contains(field),
            "{body} → {err}"
        );
    }
    assert!(
        app.store
            .user_by_email("b@example.com")
            .await
            .unwrap()
            .is_none()
    );
    let (s, err) = call(
        &app,
        &t,
        "POST",
        "/api/v2/users",
        Some(json!({"email": "ADA@example.com"})),
    )
    .await;
    assert_eq!(s, 409);
    assert_error(&err, 409, "auth0_idp_error");

    // Metadata merges at the top level; null removes a key.
    let (s, patched) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v2/users/{id}"),
        Some(json!({"user_metadata": {"lang": null, "tz": "UTC"}, "blocked": false})),
    )
    .await;
    assert_eq!(s, 200, "{patched}");
    assert_eq!(
        patched["user_metadata"],
        json!({"theme": "dark", "tz": "UTC"})
    );
    assert_eq!(patched["app_metadata"], json!({"plan": "pro"}));
    // A bad patch changes nothing.
    let (s, err) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v2/users/{id}"),
        Some(json!({"user_metadata": {"x": 1}, "email_verified": "no"})),
    )
    .await;
    assert_eq!(s, 400);
    assert!(
        err["message"].as_str().unwrap().contains("email_verified"),
        "{err}"
    );
    let (_, now) = call(&app, &t, "GET", &format!("/api/v2/users/{id}"), None).await;
    assert_eq!(now["user_metadata"], json!({"theme": "dark", "tz": "UTC"}));

    // Paging with totals, and lookup by email.
    for i in 0..3 {
        let (s, _) = call(
            &app,
            &t,
            "POST",
            "/api/v2/users",
            Some(json!({"email": format!("u{i}@example.com")})),
        )
        .await;
        assert_eq!(s, 201);
    }
    let (_, page) = call(
        &app,
        &t,
        "GET",
        "/api/v2/users?page=1&per_page=2&include_totals=true",
        None,
    )
    .await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["start"], 2);
    assert_eq!(page["users"].as_array().unwrap().len(), 2);
    let (_, bare) = call(&app, &t, "GET", "/api/v2/users?per_page=3", None).await;
    assert_eq!(bare.as_array().unwrap().len(), 3);
    let (s, err) = call(&app, &t, "GET", "/api/v2/users?per_page=500", None).await;
    assert_eq!(s, 400);
    assert_error(&err, 400, "invalid_query_string");
    let (_, found) = call(
        &app,
        &t,
        "GET",
        "/api/v2/users-by-email?email=U1@example.com",
        None,
    )
    .await;
    assert_eq!(found[0]["email"], "u1@example.com");

    // Delete: gone, and 404 in Auth0's shape after.
    let (s, _) = call(&app, &t, "DELETE", &format!("/api/v2/users/{id}"), None).await;
    assert_eq!(s, 204);
    let (s, err) = call(&app, &t, "GET", &format!("/api/v2/users/{id}"), None).await;
    assert_eq!(s, 404);
    assert_error(&err, 404, "inexistent_user");

    // The changes are in the audit trail, by the calling client, with no secrets.
    let (_, logs) = call(&app, &t, "GET", "/api/v2/logs?type=user.", None).await;
    let kinds: Vec<&str> = logs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "user.created").count(), 4);
    assert!(kinds.contains(&"user.updated") && kinds.contains(&"user.deleted"));
    assert!(!logs.to_string().contains("correct horse"));
    app.stop().await;
}

/// Receives back-channel logout tokens, failing the first `fail_first` deliveries with 503.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<String>>>,
    fail_first: Arc<Mutex<u32>>,
}

async fn start_receiver(rx: Receiver) -> String {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/bcl",
        post(|axum::extract::State(rx): axum::extract::State<Receiver>, body: String| async move {
            let token = form_urlencoded::parse(body.as_bytes())
                .find(|(k, _)| k == "logout_token")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            rx.seen.lock().unwrap().push(token);
            let mut left = rx.fail_first.lock().unwrap();
            if *left > 0 {
                *left -= 1;
                axum::http::StatusCode::SERVICE_UNAVAILABLE
            } else {
                axum::http::StatusCode::OK
            }
        }),
    )
    .with_state(rx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://localhost:{}/bcl", addr.port())
}

async fn wait_for_log(app: &TestApp, t: &str, kind: &str) -> Value {
    for _ in 0..200 {
        let (_, logs) = call(app, t, "GET", &format!("/api/v2/logs?type={kind}"), None).await;
        if let Some(first) = logs.as_array().and_then(|l| l.first()) {
            return first.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no {kind} event");
}

#[tokio::test]
async fn factors_sessions_and_backchannel_logout() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[("PORTCULLIS_LOGOUT__BACKCHANNEL_BACKOFF_MS", "20")],
    )
    .await;
    let t = admin_token(&app, &ALL).await;
    let rx = Receiver::default();
    *rx.fail_first.lock().unwrap() = 2;
    let bcl = start_receiver(rx.clone()).await;
    app.create_user(EMAIL, PASSWORD).await;
    let (client, _) = app
        .create_client(NewClient {
            name: "RP".into(),
            redirect_uris: vec![REDIRECT.into()],
            backchannel_logout_uri: Some(bcl),
            ..NewClient::default()
        })
        .await;
    let b = browser();
    let (_totp, _codes) = enrol_totp(&b, &app, &client.id).await;
    let uid = user_id(&app).await;

    // Enrolments and authentication methods in Auth0's shapes.
    let (s, enrolments) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v2/users/{uid}/enrollments"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(enrolments[0]["status"], "confirmed");
    assert_eq!(enrolments[0]["type"], "authenticator");
    assert_eq!(enrolments[0]["name"], "Pixel");
    assert!(enrolments[0]["enrolled_at"].is_string());
    let (_, methods) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v2/users/{uid}/authentication-methods"),
        None,
    )
    .await;
    let types: Vec<&str> = methods
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["totp", "recovery-code"]);
    assert_eq!(methods[1]["remaining"], 10);
    let (_, user) = call(&app, &t, "GET", &format!("/api/v2/users/{uid}"), None).await;
    assert_eq!(user["multifactor"], json!(["totp"]));

    // Sessions: listed with what they proved.
    let (_, sessions) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v2/users/{uid}/sessions"),
        None,
    )
    .await;
    let list = sessions["sessions"].as_array().unwrap();
    assert!(!list.is_empty());
    let with_rp = list
        .iter()
        .find(|s| {
            s["clients"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["client_id"] == client.id)
        })
        .expect("a session that gave the RP tokens")
        .clone();
    assert_eq!(with_rp["acr"], "aal2", "enrolment proved the new factor");
    assert!(
        with_rp["authentication"]["methods"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );

    // Removing the factor ends the sessions and the RP hears of it, after two failed
    // deliveries, with a valid logout token.
    let fid = enrolments[0]["id"].as_str().unwrap();
    let (s, _) = call(
        &app,
        &t,
        "DELETE",
        &format!("/api/v2/guardian/enrollments/{fid}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    assert!(app.store.factors(&uid).await.unwrap().is_empty());
    assert!(
        app.store
            .user_sessions(&uid, app.clock_now())
            .await
            .unwrap()
            .is_empty()
    );
    let delivered = wait_for_log(&app, &t, "logout.backchannel_delivered").await;
    assert_eq!(delivered["details"]["attempts"], 3, "{delivered}");
    assert_eq!(delivered["client_id"], client.id);
    let token = rx.seen.lock().unwrap().last().unwrap().clone();
    let jwks: Vec<portcullis_core::crypto::jws::Jwk> =
        serde_json::from_value(app.get_json("/.well-known/jwks.json").await["keys"].clone())
            .unwrap();
    let v = portcullis_core::crypto::jws::verify(&token, &jwks).expect("signed by the issuer");
    assert_eq!(v.header.typ.as_deref(), Some("logout+jwt"));
    assert_eq!(v.claims["iss"], app.issuer);
    assert_eq!(v.claims["aud"], client.id);
    assert_eq!(v.claims["sub"], uid);
    assert_eq!(v.claims["sid"], with_rp["id"]);
    assert!(v.claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(v.claims.get("nonce").is_none());
    assert!(v.claims["jti"].as_str().unwrap().len() >= 20);
    // Each retry is a new token with its own jti: a relying party that saw the first one
    // would refuse a repeat as a replay.
    let jtis: std::collections::HashSet<String> = rx
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|t| {
            portcullis_core::crypto::jws::verify(t, &jwks)
                .unwrap()
                .claims["jti"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(jtis.len(), 3, "three attempts, three jtis");

    // The user was told by email.
    let outbox = app.state.outbox().unwrap();
    let mail = outbox.latest_to(EMAIL).unwrap();
    assert!(mail.subject.contains("removed"), "{}", mail.subject);
    assert!(
        mail.html.unwrap().contains("/u/account/security\">"),
        "the HTML part links the security page"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_receiver_that_refuses_is_not_retried_and_failures_are_recorded() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[
            ("PORTCULLIS_LOGOUT__BACKCHANNEL_BACKOFF_MS", "10"),
            ("PORTCULLIS_LOGOUT__BACKCHANNEL_ATTEMPTS", "3"),
        ],
    )
    .await;
    let t = admin_token(&app, &ALL).await;
    app.create_user(EMAIL, PASSWORD).await;
    // Nothing listens on this port: every attempt fails.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (client, _) = app
        .create_client(NewClient {
            name: "RP".into(),
            redirect_uris: vec![REDIRECT.into()],
            backchannel_logout_uri: Some(format!("http://localhost:{dead}/bcl")),
            ..NewClient::default()
        })
        .await;
    let b = browser();
    let done = password_step(&b, &app, &client.id, "").await;
    assert!(done.param("code").is_some());
    let uid = user_id(&app).await;
    let (s, _) = call(
        &app,
        &t,
        "DELETE",
        &format!("/api/v2/users/{uid}/sessions"),
        None,
    )
    .await;
    assert_eq!(s, 202);
    let failed = wait_for_log(&app, &t, "logout.backchannel_failed").await;
    assert_eq!(failed["details"]["attempts"], 3);
    assert_eq!(failed["details"]["outcome"], "unreachable");
    let revoked = wait_for_log(&app, &t, "session.revoked").await;
    assert_eq!(revoked["details"]["reason"], "admin");
    app.stop().await;
}

#[tokio::test]
async fn enrolment_ticket_enrols_without_signing_in_once() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let t = admin_token(&app, &ALL).await;
    app.create_user(EMAIL, PASSWORD).await;
    let uid = user_id(&app).await;
    for (body, field) in [
        (json!({"user_id": uid, "ttl_sec": 0}), "ttl_sec"),
        (json!({"user_id": uid, "ttl_sec": 2_592_001}), "ttl_sec"),
        (json!({"user_id": uid, "email": "x"}), "email"),
        (json!({"send_mail": true}), "user_id"),
    ] {
        let (s, err) = call(
            &app,
            &t,
            "POST",
            "/api/v2/guardian/enrollments/ticket",
            Some(body),
        )
        .await;
        assert_eq!(s, 400, "{err}");
        assert!(err["message"].as_str().unwrap().contains(field), "{err}");
    }
    let (s, err) = call(
        &app,
        &t,
        "POST",
        "/api/v2/guardian/enrollments/ticket",
        Some(json!({"user_id": "usr_nobody"})),
    )
    .await;
    assert_eq!(s, 404);
    assert_error(&err, 404, "inexistent_user");

    let (s, ticket) = call(
        &app,
        &t,
        "POST",
        "/api/v2/guardian/enrollments/ticket",
        Some(json!({"user_id": uid, "send_mail": true})),
    )
    .await;
    assert_eq!(s, 200, "{ticket}");
    let url = ticket["ticket_url"].as_str().unwrap().to_string();
    assert!(ticket["ticket_id"].as_str().unwrap().starts_with("tkt_"));
    assert!(url.starts_with(&format!("{}/u/ticket?t=", app.issuer)));
    let mail = app.state.outbox().unwrap().latest_to(EMAIL).unwrap();
    assert!(mail.text.contains(&url), "the link is emailed");

    // Opening the link spends nothing; the button does, once.
    let b = browser();
    let page = get(&b, &app, &url).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(EMAIL));
    let page = get(&b, &app, &url).await;
    let token = form_value(&page.body, "t").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    let go = post(&b, &app, "/u/ticket", &[("csrf", &csrf), ("t", &token)]).await;
    assert_eq!(go.location.as_deref(), Some("/u/enroll"), "{}", go.body);
    let again = post(&b, &app, "/u/ticket", &[("csrf", &csrf), ("t", &token)]).await;
    assert_eq!(again.status, 410, "single use");

    // The usual TOTP page, then recovery codes, then done: no session.
    let page = get(&b, &app, "/u/enroll/totp").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let secret = portcullis_core::factor::totp::TotpSecret::from_base32(between(
        &page.body,
        "id=\"totp-secret\">",
        "<",
    ))
    .unwrap();
    let ok = post(
        &b,
        &app,
        "/u/enroll/totp",
        &[
            ("csrf", &form_value(&page.body, "csrf").unwrap()),
            ("enrollment", &form_value(&page.body, "enrollment").unwrap()),
            ("code", &secret.code_at(app.clock_now())),
            ("name", "Phone"),
        ],
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("<li><code>"), "recovery codes shown");
    let csrf = form_value(&ok.body, "csrf").unwrap();
    let done = post(&b, &app, "/u/enroll/continue", &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("all set"), "{}", done.body);
    assert!(
        app.store
            .user_sessions(&uid, app.clock_now())
            .await
            .unwrap()
            .is_empty(),
        "a ticket signs nobody in"
    );
    let (_, enrolments) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v2/users/{uid}/enrollments"),
        None,
    )
    .await;
    assert_eq!(enrolments[0]["status"], "confirmed");
    assert_eq!(enrolments[0]["name"], "Phone");

    // An expired ticket shows the expired page.
    let (_, short) = call(
        &app,
        &t,
        "POST",
        "/api/v2/guardian/enrollments/ticket",
        Some(json!({"user_id": uid, "ttl_sec": 60})),
    )
    .await;
    app.clock.advance(61);
    let page = get(&browser(), &app, short["ticket_url"].as_str().unwrap()).await;
    assert_eq!(page.status, 410);
    app.stop().await;
}

#[tokio::test]
async fn password_change_and_block_end_sessions_with_a_notice() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let t = admin_token(&app, &ALL).await;
    let (cid, _) = setup(&app).await;
    let uid = user_id(&app).await;
    let b = browser();
    assert!(
        password_step(&b, &app, &cid, "")
            .await
            .param("code")
            .is_some()
    );
    assert_eq!(
        app.store
            .user_sessions(&uid, app.clock_now())
            .await
            .unwrap()
            .len(),
        1
    );
    let (s, err) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v2/users/{uid}"),
        Some(json!({"password": "short"})),
    )
    .await;
    assert_eq!(s, 400, "{err}");
    assert_eq!(
        app.store
            .user_sessions(&uid, app.clock_now())
            .await
            .unwrap()
            .len(),
        1,
        "nothing changed"
    );
    let (s, _) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v2/users/{uid}"),
        Some(json!({"password": "a whole new passphrase"})),
    )
    .await;
    assert_eq!(s, 200);
    assert!(
        app.store
            .user_sessions(&uid, app.clock_now())
            .await
            .unwrap()
            .is_empty()
    );
    let mail = app.state.outbox().unwrap().latest_to(EMAIL).unwrap();
    assert_eq!(mail.subject, "Your password was changed");
    assert!(mail.text.contains("/u/account/security"));
    // The new password works, the old does not.
    let b = browser();
    let old = password_step(&b, &app, &cid, "").await;
    assert!(old.param("code").is_none());
    let (_, logs) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v2/logs?user_id={uid}&type=password.changed"),
        None,
    )
    .await;
    assert_eq!(logs.as_array().unwrap().len(), 1);

    // Blocking ends sessions too.
    let (s, _) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v2/users/{uid}"),
        Some(json!({"blocked": true})),
    )
    .await;
    assert_eq!(s, 200);
    let (_, user) = call(&app, &t, "GET", &format!("/api/v2/users/{uid}"), None).await;
    assert_eq!(user["blocked"], true);

    // Forgetting remembered browsers answers 204.
    let (s, _) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v2/users/{uid}/multifactor/actions/invalidate-remember-browser"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    app.stop().await;
}

#[tokio::test]
async fn logs_filter_page_and_fetch_one() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let t = admin_token(&app, &ALL).await;
    for i in 0..5 {
        call(
            &app,
            &t,
            "POST",
            "/api/v2/users",
            Some(json!({"email": format!("l{i}@example.com")})),
        )
        .await;
    }
    let (_, page) = call(
        &app,
        &t,
        "GET",
        "/api/v2/logs?type=user.created&per_page=2&page=1&include_totals=true",
        None,
    )
    .await;
    assert_eq!(page["total"], 5);
    let logs = page["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 2);
    let id = logs[0]["log_id"].as_str().unwrap();
    let (s, one) = call(&app, &t, "GET", &format!("/api/v2/logs/{id}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(one, logs[0]);
    let (s, err) = call(&app, &t, "GET", "/api/v2/logs/999999", None).await;
    assert_eq!(s, 404);
    assert_error(&err, 404, "inexistent_log");
    let date = logs[0]["date"].as_str().unwrap();
    let (_, none) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v2/logs?type=user.created&to={date}&from=2000-01-01"),
        None,
    )
    .await;
    assert!(none.as_array().unwrap().len() < 5);
    let (_, later) = call(&app, &t, "GET", "/api/v2/logs?from=2999-01-01", None).await;
    assert_eq!(later, json!([]));
    for bad in [
        "from=yesterday",
        "type=DROP%20TABLE",
        "include_totals=maybe",
    ] {
        let (s, err) = call(&app, &t, "GET", &format!("/api/v2/logs?{bad}"), None).await;
        assert_eq!(s, 400, "{bad}");
        assert_error(&err, 400, "invalid_query_string");
    }
    app.stop().await;
}

#[tokio::test]
async fn clients_resource_servers_and_grants() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let t = admin_token(&app, &ALL).await;
    let (s, api) = call(
        &app,
        &t,
        "POST",
        "/api/v2/resource-servers",
        Some(json!({"identifier": "https://pay.example", "name": "Pay", "scopes": [{"value": "payouts:write", "description": "send money"}], "token_lifetime": 600, "mfa_policy": {"mfa": "always"}})),
    )
    .await;
    assert_eq!(s, 201, "{api}");
    assert_eq!(api["token_lifetime"], 600);
    assert_eq!(api["mfa_policy"], json!({"mfa": "always"}));
    let (s, err) = call(
        &app,
        &t,
        "POST",
        "/api/v2/resource-servers",
        Some(json!({"identifier": "https://pay.example"})),
    )
    .await;
    assert_eq!(s, 409, "{err}");
    let (s, err) = call(
        &app,
        &t,
        "POST",
        "/api/v2/resource-servers",
        Some(json!({"identifier": "https://x", "mfa_policy": {"mfa": "sometimes"}})),
    )
    .await;
    assert_eq!(s, 400);
    assert!(
        err["message"].as_str().unwrap().contains("mfa_policy"),
        "{err}"
    );
    let (_, all) = call(&app, &t, "GET", "/api/v2/resource-servers", None).await;
    let system = all
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["is_system"] == true)
        .unwrap()
        .clone();
    assert_eq!(system["identifier"], audience(&app));
    let (s, err) = call(
        &app,
        &t,
        "DELETE",
        &format!(
            "/api/v2/resource-servers/{}",
            system["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(s, 403);
    assert_error(&err, 403, "operation_not_supported");

    // A machine client, granted through the API, gets tokens; the grant removed, it does not.
    let (s, client) = call(
        &app,
        &t,
        "POST",
        "/api/v2/clients",
        Some(json!({"name": "payout worker", "grant_types": ["client_credentials"], "app_type": "non_interactive"})),
    )
    .await;
    assert_eq!(s, 201, "{client}");
    let cid = client["client_id"].as_str().unwrap().to_string();
    let secret = client["client_secret"].as_str().unwrap().to_string();
    let (s, g) = call(
        &app,
        &t,
        "POST",
        "/api/v2/client-grants",
        Some(json!({"client_id": cid, "audience": "https://pay.example", "scope": ["payouts:write"]})),
    )
    .await;
    assert_eq!(s, 201, "{g}");
    let (s, _) = call(
        &app,
        &t,
        "POST",
        "/api/v2/client-grants",
        Some(json!({"client_id": cid, "audience": "https://pay.example", "scope": []})),
    )
    .await;
    assert_eq!(s, 409);
    // 80 creations at once for another client: one grant, 79 conflicts (never a silent replace).
    let (_, other) = call(
        &app,
        &t,
        "POST",
        "/api/v2/clients",
        Some(json!({"name": "racer", "grant_types": ["client_credentials"], "app_type": "non_interactive"})),
    )
    .await;
    let other_id = other["client_id"].as_str().unwrap().to_string();
    let racing: Vec<_> = (0..80)
        .map(|n| {
            let (url, token, id) = (app.url("/api/v2/client-grants"), t.clone(), other_id.clone());
            tokio::spawn(async move {
                let scope = if n % 2 == 0 { json!(["payouts:write"]) } else { json!([]) };
                reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"client_id": id, "audience": "https://pay.example", "scope": scope}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for r in racing {
        statuses.push(r.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        79,
        "{statuses:?}"
    );
    let cc = |secret: String| {
        let app = &app;
        let cid = cid.clone();
        async move {
            grant(
                app,
                &(cid, secret),
                &[
                    ("grant_type", "client_credentials"),
                    ("audience", "https://pay.example"),
                ],
            )
            .await
        }
    };
    let (s, tok) = cc(secret.clone()).await;
    assert_eq!(s, 200, "{tok}");
    assert_eq!(
        claims(tok["access_token"].as_str().unwrap())["scope"],
        "payouts:write"
    );
    let (_, listed) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v2/client-grants?client_id={cid}"),
        None,
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Rotating the secret kills the old one.
    let (s, rotated) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v2/clients/{cid}/rotate-secret"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let new_secret = rotated["client_secret"].as_str().unwrap().to_string();
    assert_eq!(cc(secret.clone()).await.0, 401);
    assert_eq!(cc(new_secret.clone()).await.0, 200);

    // A bad update changes nothing.
    let (s, err) = call(&app, &t, "PATCH", &format!("/api/v2/clients/{cid}"), Some(json!({"name": "x", "callbacks": ["http://evil.example/cb#frag"], "grant_types": ["authorization_code"]}))).await;
    assert_eq!(s, 400, "{err}");
    let (_, same) = call(&app, &t, "GET", &format!("/api/v2/clients/{cid}"), None).await;
    assert_eq!(same["name"], "payout worker");
    let (s, upd) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v2/clients/{cid}"),
        Some(json!({"oidc_backchannel_logout": {"backchannel_logout_urls": ["https://app.example/bcl"]}, "mfa_policy": {"mfa_on_refresh": "never"}})),
    )
    .await;
    assert_eq!(s, 200, "{upd}");
    assert_eq!(
        upd["oidc_backchannel_logout"]["backchannel_logout_urls"][0],
        "https://app.example/bcl"
    );
    let (_, policy) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v2/mfa-policy?client_id={cid}&audience=https://pay.example"),
        None,
    )
    .await;
    assert_eq!(policy["effective"]["mfa"], "always", "{policy}");
    assert_eq!(policy["effective"]["mfa_on_refresh"], "never", "{policy}");

    let gid = g["id"].as_str().unwrap();
    let (s, _) = call(
        &app,
        &t,
        "DELETE",
        &format!("/api/v2/client-grants/{gid}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    assert_ne!(cc(new_secret.clone()).await.0, 200);
    let (s, _) = call(
        &app,
        &t,
        "DELETE",
        &format!("/api/v2/resource-servers/{}", api["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, _) = call(&app, &t, "DELETE", &format!("/api/v2/clients/{cid}"), None).await;
    assert_eq!(s, 204);
    let (s, err) = call(&app, &t, "GET", &format!("/api/v2/clients/{cid}"), None).await;
    assert_eq!(s, 404);
    assert_error(&err, 404, "inexistent_client");
    app.stop().await;
}

#[tokio::test]
async fn openapi_document_describes_every_operation() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let doc = app.get_json("/api/v2/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["servers"][0]["url"], app.issuer);
    let paths = doc["paths"].as_object().unwrap();
    let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        operations, 59,
        "55 management operations and 4 of the MFA API"
    );
    for (path, method) in [
        ("/api/v2/grants", "get"),
        ("/api/v2/grants/{id}", "delete"),
        ("/api/v2/users/{id}", "patch"),
        ("/api/v2/guardian/enrollments/ticket", "post"),
        ("/api/v2/logs", "get"),
        ("/mfa/associate", "post"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    let scheme = &doc["components"]["securitySchemes"]["management"];
    let scopes = scheme["flows"]["clientCredentials"]["scopes"]
        .as_object()
        .unwrap();
    assert_eq!(scopes.len(), ALL.len());
    assert_eq!(
        doc["paths"]["/api/v2/users"]["get"]["security"][0]["management"][0],
        "read:users"
    );
    let user = &doc["components"]["schemas"]["UserDoc"]["properties"];
    for field in [
        "user_id",
        "email",
        "email_verified",
        "user_metadata",
        "app_metadata",
        "multifactor",
    ] {
        assert!(user[field].is_object(), "{field}");
    }
    app.stop().await;
}

/// Runs the curl-only dashboard script against the app; its stdout lines, parsed.
async fn dashboard(app: &TestApp, id: &str, secret: &str, args: &[&str]) -> Vec<Value> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/dashboard/dashboard.sh"
    );
    let out = tokio::process::Command::new("sh")
        .arg(script)
        .args(args)
        .env("PORTCULLIS_URL", &app.issuer)
        .env("PORTCULLIS_CLIENT_ID", id)
        .env("PORTCULLIS_CLIENT_SECRET", secret)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn the_curl_dashboard_does_what_seed_000s_does() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (client_id, secret) = admin_client(&app, &ALL).await;
    let (cid, _) = setup(&app).await;
    let b = browser();
    enrol_totp(&b, &app, &cid).await;
    let uid = user_id(&app).await;
    let run = |args: Vec<String>| {
        let (app, id, secret) = (&app, client_id.clone(), secret.clone());
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            dashboard(app, &id, &secret, &args).await
        }
    };
    let status = run(vec!["status".into(), uid.clone()]).await;
    assert_eq!(status[0]["email"], EMAIL);
    assert_eq!(status[1][0]["status"], "confirmed");
    let fid = status[1][0]["id"].as_str().unwrap().to_string();

    let meta = run(vec![
        "metadata".into(),
        uid.clone(),
        r#"{"theme":"dark"}"#.into(),
    ])
    .await;
    assert_eq!(meta[0]["user_metadata"], json!({"theme": "dark"}));
    let ticket = run(vec![
        "enroll".into(),
        uid.clone(),
        "help@example.com".into(),
    ])
    .await;
    assert!(
        ticket[0]["ticket_url"]
            .as_str()
            .unwrap()
            .contains("/u/ticket?t=")
    );
    let mail = app
        .state
        .outbox()
        .unwrap()
        .latest_to("help@example.com")
        .unwrap();
    assert!(
        mail.text
            .contains(ticket[0]["ticket_url"].as_str().unwrap())
    );
    let sessions = run(vec!["sessions".into(), uid.clone()]).await;
    assert_eq!(sessions[0]["sessions"].as_array().unwrap().len(), 1);

    run(vec!["remove".into(), fid]).await;
    let status = run(vec!["status".into(), uid.clone()]).await;
    assert_eq!(status[1], json!([]));
    assert!(
        app.store
            .user_sessions(&uid, app.clock_now())
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn removing_a_factor_can_keep_the_session_that_asked() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let t = admin_token(&app, &ALL).await;
    let (cid, _) = setup(&app).await;
    let first = browser();
    let (totp, _) = enrol_totp(&first, &app, &cid).await;
    let uid = user_id(&app).await;
    // A second session with the password and the code.
    app.clock.advance(30);
    let second = browser();
    password_step(&second, &app, &cid, "").await;
    assert_eq!(prove_totp(&second, &app, &totp).await.status, 302);
    let sessions = app
        .store
        .user_sessions(&uid, app.clock_now())
        .await
        .unwrap();
    assert_eq!(sessions.len(), 2);
    let keep = sessions[1].id.clone();
    let fid = app.store.factors(&uid).await.unwrap()[0].id.clone();
    let (s, _) = call(
        &app,
        &t,
        "DELETE",
        &format!("/api/v2/guardian/enrollments/{fid}?keep_session={keep}"),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let left = app
        .store
        .user_sessions(&uid, app.clock_now())
        .await
        .unwrap();
    assert_eq!(
        left.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        [keep]
    );
    app.stop().await;
}

#[tokio::test]
async fn a_password_ticket_lets_a_user_created_without_one_set_it() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let t = admin_token(&app, &ALL).await;
    let (_, created) = call(
        &app,
        &t,
        "POST",
        "/api/v2/users",
        Some(json!({"email": EMAIL})),
    )
    .await;
    let uid = created["user_id"].as_str().unwrap().to_string();
    assert!(
        app.store
            .user_by_id(&uid)
            .await
            .unwrap()
            .unwrap()
            .password_hash
            .is_none()
    );
    let (s, err) = call(
        &app,
        &t,
        "POST",
        "/api/v2/tickets/password-change",
        Some(json!({"user_id": uid, "ttl_sec": 0})),
    )
    .await;
    assert_eq!(s, 400, "{err}");
    let (s, ticket) = call(
        &app,
        &t,
        "POST",
        "/api/v2/tickets/password-change",
        Some(json!({"user_id": uid, "send_mail": true})),
    )
    .await;
    assert_eq!(s, 201, "{ticket}");
    let url = ticket["ticket"].as_str().unwrap().to_string();
    assert!(
        app.state
            .outbox()
            .unwrap()
            .latest_to(EMAIL)
            .unwrap()
            .text
            .contains(&url)
    );
    // Days later (the default is five), the link still opens the password form, once.
    app.clock.advance(4 * 86_400);
    let b = browser();
    let page = get(&b, &app, &url).await;
    let (token, csrf) = (
        form_value(&page.body, "t").unwrap(),
        form_value(&page.body, "csrf").unwrap(),
    );
    let go = post(
        &b,
        &app,
        "/u/reset/continue",
        &[("csrf", &csrf), ("t", &token)],
    )
    .await;
    assert_eq!(go.location.as_deref(), Some("/u/reset/new"));
    let done = submit(
        &b,
        &app,
        "/u/reset/new",
        "/u/reset/new",
        &[("password", PASSWORD)],
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        post(
            &b,
            &app,
            "/u/reset/continue",
            &[("csrf", &csrf), ("t", &token)]
        )
        .await
        .status,
        410,
        "single use"
    );
    // The password now signs the user in.
    let (cid, _) = app.web_client(REDIRECT).await;
    let client_id = cid.id;
    let signed_in = browser();
    assert!(
        password_step(&signed_in, &app, &client_id, "")
            .await
            .param("code")
            .is_some()
    );

    // A forced reset: the password stops working and the session ends now, not at the link.
    let t = admin_token(&app, &ALL).await;
    let (s, forced) = call(
        &app,
        &t,
        "POST",
        "/api/v2/tickets/password-change",
        Some(json!({"user_id": uid, "invalidate_password": true})),
    )
    .await;
    assert_eq!(s, 201, "{forced}");
    let stored = app.store.user_by_id(&uid).await.unwrap().unwrap();
    assert!(stored.password_hash.is_none());
    assert!(
        app.store
            .user_sessions(&uid, app.clock_now())
            .await
            .unwrap()
            .is_empty()
    );
    let back = get(&signed_in, &app, &authorize_url(&app, &client_id, "")).await;
    assert!(back.location.unwrap().starts_with("/u/login"), "signed out");
    assert!(
        password_step(&browser(), &app, &client_id, "")
            .await
            .param("code")
            .is_none()
    );
    let (_, logs) = call(
        &app,
        &t,
        "GET",
        "/api/v2/logs?type=password.reset_forced",
        None,
    )
    .await;
    assert!(logs.to_string().contains("password.reset_forced"), "{logs}");
    app.stop().await;
}

#[tokio::test]
async fn users_look_alike_addresses_and_hidden_characters_in_names_are_refused() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let t = admin_token(&app, &["create:users", "update:users"]).await;
    let (s, alice) = call(
        &app,
        &t,
        "POST",
        "/api/v2/users",
        Some(
            json!({"email": "alice@example.com", "connection": "Username-Password-Authentication"}),
        ),
    )
    .await;
    assert_eq!(s, 201, "{alice}");
    for (email, message) in [
        ("\u{430}lice@example.com", "looks like"),
        ("\u{ff41}lice@example.com", "looks like"),
        ("Alice@EXAMPLE.com", "already exists"),
    ] {
        let (s, err) = call(
            &app,
            &t,
            "POST",
            "/api/v2/users",
            Some(json!({"email": email})),
        )
        .await;
        assert_eq!(s, 409, "{email}: {err}");
        assert!(err["message"].as_str().unwrap().contains(message), "{err}");
    }
    for name in ["Ada\u{0}", "evil\u{202E}gnp.exe", "two\nlines"] {
        let (s, err) = call(
            &app,
            &t,
            "POST",
            "/api/v2/users",
            Some(json!({"email": "bob@example.com", "name": name})),
        )
        .await;
        assert_eq!(s, 400, "{name:?}: {err}");
        let id = alice["user_id"].as_str().unwrap();
        let (s, err) = call(
            &app,
            &t,
            "PATCH",
            &format!("/api/v2/users/{id}"),
            Some(json!({"name": name})),
        )
        .await;
        assert_eq!(s, 400, "{name:?}: {err}");
    }
    // Moving another account onto a look-alike of Alice's address: refused too.
    let (_, bob) = call(
        &app,
        &t,
        "POST",
        "/api/v2/users",
        Some(json!({"email": "bob@example.com"})),
    )
    .await;
    let bob_id = bob["user_id"].as_str().unwrap();
    let (s, err) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v2/users/{bob_id}"),
        Some(json!({"email": "\u{430}lice@example.com"})),
    )
    .await;
    assert_eq!(s, 409, "{err}");
    app.stop().await;
}

#[tokio::test]
async fn tenant_policy_put_overrides_the_file_until_emptied() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let reader = admin_token(&app, &["read:clients"]).await;
    let (s, body) = call(
        &app,
        &reader,
        "PUT",
        "/api/v2/mfa-policy/tenant",
        Some(serde_json::json!({ "mfa": "always" })),
    )
    .await;
    assert_eq!(s, 403, "{body}");
    assert_error(&body, 403, "insufficient_scope");

    let t = admin_token(&app, &ALL).await;
    let (s, body) = call(
        &app,
        &t,
        "PUT",
        "/api/v2/mfa-policy/tenant",
        Some(serde_json::json!({ "mfa": "always", "max_age": 600 })),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["tenant"]["mfa"], "always");
    assert_eq!(
        body["tenant_overrides"],
        serde_json::json!({ "mfa": "always", "max_age": 600 })
    );
    let (_, read) = call(&app, &t, "GET", "/api/v2/mfa-policy", None).await;
    assert_eq!(read["tenant"]["mfa"], "always", "{read}");
    assert_eq!(read["effective"]["max_age"], 600);

    // Bad bodies are refused whole and change nothing.
    for bad in [
        serde_json::json!({ "mfa": "sometimes" }),
        serde_json::json!({ "max_age": -1 }),
        serde_json::json!({ "colour": "blue" }),
        serde_json::json!({ "allowed_factors": [] }),
        serde_json::json!([]),
    ] {
        let (s, body) = call(
            &app,
            &t,
            "PUT",
            "/api/v2/mfa-policy/tenant",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(s, 400, "{bad}: {body}");
        assert_error(&body, 400, "invalid_body");
    }
    assert_eq!(app.state.tenant_policy().max_age, Some(600));

    let (s, body) = call(
        &app,
        &t,
        "PUT",
        "/api/v2/mfa-policy/tenant",
        Some(serde_json::json!({})),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        app.state.tenant_policy(),
        app.state.settings().policy.clone()
    );
    let events = app.events("policy.tenant_changed").await;
    assert_eq!(events.len(), 2);
}
