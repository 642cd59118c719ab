//! Answers that carry a secret are never kept by a cache: `Cache-Control: no-store` unless a
//! handler says otherwise (discovery, JWKS and scripts are public and cacheable).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_testkit::spawn_app;
use serde_json::json;

fn cache_control(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn no_store_on_totp_secrets_recovery_codes_tickets_and_pages() {
    let app = spawn_app().await;
    app.create_user(EMAIL, PASSWORD).await;
    let cli = password_client(&app, &["mfa=always"]).await;
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap();
    let associated = reqwest::Client::new()
        .post(app.url("/mfa/associate"))
        .bearer_auth(token)
        .json(&json!({
            "authenticator_types": ["otp"],
            "client_id": cli.0, "client_secret": cli.1,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(associated.status(), 200);
    assert_eq!(cache_control(&associated), "no-store");

    let admin = admin_token(
        &app,
        &["create:guardian_enrollment_tickets", "create:user_tickets"],
    )
    .await;
    let uid = user_id(&app).await;
    for (path, body) in [
        (
            "/api/v2/guardian/enrollments/ticket",
            json!({ "user_id": uid }),
        ),
        ("/api/v2/tickets/password-change", json!({ "user_id": uid })),
    ] {
        let resp = reqwest::Client::new()
            .post(app.url(path))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        assert_eq!(cache_control(&resp), "no-store", "{path}");
    }
    let client_id = app.web_client(REDIRECT).await.0.id;
    let page = portcullis_testkit::browser()
        .get(authorize_url(&app, &client_id, ""))
        .send()
        .await
        .unwrap();
    assert_eq!(cache_control(&page), "no-store");
    let discovery = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap();
    assert_ne!(cache_control(&discovery), "no-store");
    app.stop().await;
}
