//! Every endpoint that takes a token takes only its own kind: an access token is not an ID
//! token hint, an ID token is not a bearer token, an mfa_token is not an access token.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_testkit::{TestApp, browser, spawn_app};
use serde_json::{Value, json};

/// A signed-in browser, its client `(id, secret)` and tokens (ID, access, refresh).
async fn signed_in(app: &TestApp) -> (reqwest::Client, (String, String), Value) {
    let (client_id, secret) = setup(app).await;
    let b = browser();
    let url = authorize_url(app, &client_id, "")
        .replace("scope=openid%20email", "scope=openid%20offline_access");
    let done = portcullis_testkit::login(&b, app, &url, EMAIL, PASSWORD).await;
    let tokens = exchange(app, &client_id, &secret, &done.param("code").unwrap()).await;
    (b, (client_id, secret), tokens)
}

async fn logout_with(b: &reqwest::Client, app: &TestApp, hint: &str) -> Page {
    let url = format!(
        "{}/oidc/logout?id_token_hint={}",
        app.issuer,
        form_urlencoded::byte_serialize(hint.as_bytes()).collect::<String>()
    );
    read(b.get(url).send().await.unwrap()).await
}

async fn still_signed_in(b: &reqwest::Client, app: &TestApp, client_id: &str) -> bool {
    get(b, app, &authorize_url(app, client_id, "&prompt=none"))
        .await
        .param("code")
        .is_some()
}

#[tokio::test]
async fn confusion_only_an_id_token_of_ours_is_an_id_token_hint() {
    let app = spawn_app().await;
    let (b, (client_id, _), tokens) = signed_in(&app).await;
    let access = tokens["access_token"].as_str().unwrap();
    // A logout token, as the server signs them for back-channel logout.
    let client = app.state.client(&client_id).await.unwrap();
    let signer = app.state.snapshot().signer_for(&client).cloned().unwrap();
    let now = app.clock_now();
    let id = claims(tokens["id_token"].as_str().unwrap());
    let logout_token = signer
        .sign_jwt(
            "logout+jwt",
            &json!({
                "iss": app.issuer, "aud": client_id, "iat": now, "exp": now + 120,
                "jti": "j1", "sub": id["sub"], "sid": id["sid"],
                "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
            }),
        )
        .unwrap();
    // Typed as an ID token but shaped as a logout token.
    let disguised = signer
        .sign_jwt(
            "JWT",
            &json!({
                "iss": app.issuer, "aud": client_id, "iat": now, "exp": now + 120,
                "sub": id["sub"], "sid": id["sid"],
                "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
            }),
        )
        .unwrap();
    for (what, hint) in [
        ("access token", access.to_string()),
        ("logout token", logout_token),
        ("events in a JWT", disguised),
        ("garbage", "not.a.token".into()),
    ] {
        let page = logout_with(&b, &app, &hint).await;
        assert_eq!(page.status, 400, "{what}: {:?}", page.location);
        assert!(page.body.contains("id_token_hint is not valid"), "{what}");
        assert!(still_signed_in(&b, &app, &client_id).await, "{what}");
    }
    // The real ID token signs out.
    let page = logout_with(&b, &app, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!still_signed_in(&b, &app, &client_id).await);
    app.stop().await;
}

#[tokio::test]
async fn confusion_bearer_endpoints_take_only_their_token() {
    let app = spawn_app().await;
    let (_, web, tokens) = signed_in(&app).await;
    let (id, access, refresh) = (
        tokens["id_token"].as_str().unwrap().to_string(),
        tokens["access_token"].as_str().unwrap().to_string(),
        tokens["refresh_token"].as_str().unwrap().to_string(),
    );
    let bearer = |path: &'static str, token: String| {
        let url = app.url(path);
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(bearer("/userinfo", access.clone()).await, 200);
    assert_eq!(bearer("/userinfo", id.clone()).await, 401, "ID token");
    assert_eq!(
        bearer("/userinfo", refresh.clone()).await,
        401,
        "refresh token"
    );
    for token in [&id, &refresh, &access] {
        assert_eq!(bearer("/mfa/authenticators", token.clone()).await, 401);
        assert_eq!(bearer("/api/v2/users", token.clone()).await, 401);
    }
    // An mfa_token is not an access token, and an access token is not an mfa_token.
    let cli = password_client(&app, &["mfa=always"]).await;
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let mfa_token = body["mfa_token"].as_str().unwrap().to_string();
    assert_eq!(bearer("/userinfo", mfa_token.clone()).await, 401);
    assert_eq!(bearer("/api/v2/users", mfa_token).await, 401);
    let (_, body) = otp(&app, &cli, &access, "123456").await;
    assert_eq!(body["error"], "invalid_grant");
    // An ID token or an access token is not a refresh token.
    for token in [&id, &access] {
        let (status, body) = grant(
            &app,
            &web,
            &[("grant_type", "refresh_token"), ("refresh_token", token)],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
    }
    let (status, _) = grant(
        &app,
        &web,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 200, "the refresh token itself works");
    app.stop().await;
}
