//! Pushed authorization requests (RFC 9126) over real HTTP: a pushed request signs in with only
//! `client_id` and `request_uri` in the browser, once, within a minute, for its own client; bad
//! pushes are answered to the client; `require_pushed_authorization_requests` per client and
//! tenant; a DPoP proof at the push binds the code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::NewClient;
use portcullis_testkit::{Engine, TestApp, browser, spawn_app_with_env};
use serde_json::Value;

/// Pushes `form` as `client`; the status and body.
async fn push(app: &TestApp, client: (&str, &str), form: &[(&str, &str)]) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/par"))
        .basic_auth(client.0, Some(client.1))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

fn request(state: &str) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("redirect_uri", REDIRECT.into()),
        ("scope", "openid email".into()),
        ("state", state.into()),
        ("nonce", "n-0S6_WzA2Mj".into()),
    ]
}

fn borrowed<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The `/authorize` address a browser follows for a pushed request.
fn front(client_id: &str, request_uri: &str, extra: &str) -> String {
    format!(
        "/authorize?client_id={client_id}&request_uri={}{extra}",
        form_urlencoded::byte_serialize(request_uri.as_bytes()).collect::<String>()
    )
}

#[tokio::test]
async fn a_pushed_request_signs_in_once_for_its_client_within_a_minute() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let discovery = app.get_json("/.well-known/openid-configuration").await;
    assert_eq!(
        discovery["pushed_authorization_request_endpoint"],
        app.url("/oauth/par")
    );
    assert_eq!(discovery["require_pushed_authorization_requests"], false);
    let (cid, secret) = setup(&app).await;
    let (status, body) = push(&app, (&cid, &secret), &borrowed(&request("st1"))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["expires_in"], 60);
    let uri = body["request_uri"].as_str().unwrap().to_string();
    assert!(
        uri.starts_with("urn:ietf:params:oauth:request_uri:"),
        "{uri}"
    );

    // The browser carries only client_id and request_uri; what else it carries is not used.
    let b = browser();
    let done = sign_in(
        &b,
        &app,
        &front(&cid, &uri, "&state=forged&scope=openid%20offline_access"),
    )
    .await;
    assert_eq!(done.param("state").as_deref(), Some("st1"));
    let code = done.param("code").expect("a code");
    let tokens = exchange(&app, &cid, &secret, &code).await;
    assert_eq!(tokens["scope"], "openid email", "{tokens}");
    assert!(tokens.get("refresh_token").is_none());

    // Once only.
    let again = get(&b, &app, &front(&cid, &uri, "")).await;
    assert_eq!(again.status, 400);
    assert!(
        again.body.contains("expired or was already used"),
        "{}",
        again.body
    );

    // Another client cannot use a request pushed by this one, and it dies after a minute.
    let (other, _) = app.web_client(REDIRECT).await;
    let (_, body) = push(&app, (&cid, &secret), &borrowed(&request("st2"))).await;
    let uri = body["request_uri"].as_str().unwrap().to_string();
    assert_eq!(
        get(&browser(), &app, &front(&other.id, &uri, ""))
            .await
            .status,
        400
    );
    let (_, body) = push(&app, (&cid, &secret), &borrowed(&request("st3"))).await;
    let uri = body["request_uri"].as_str().unwrap().to_string();
    app.clock.advance(61);
    assert_eq!(
        get(&browser(), &app, &front(&cid, &uri, "")).await.status,
        400
    );
    // A request_uri that is not ours at all.
    let page = get(
        &browser(),
        &app,
        &front(&cid, "urn:ietf:params:oauth:request_uri:nothing", ""),
    )
    .await;
    assert_eq!(page.status, 400);
}

#[tokio::test]
async fn one_pushed_request_opens_one_sign_in_even_80_at_once() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (cid, secret) = setup(&app).await;
    let (_, body) = push(&app, (&cid, &secret), &borrowed(&request("st"))).await;
    let uri = body["request_uri"].as_str().unwrap().to_string();
    let url = app.url(&front(&cid, &uri, ""));
    let tries = (0..80).map(|_| {
        let url = url.clone();
        async move { browser().get(url).send().await.unwrap().status().as_u16() }
    });
    let statuses = futures_util::future::join_all(tries).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| *s == 303 || *s == 400));
}

#[tokio::test]
async fn bad_pushes_are_answered_to_the_client() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (cid, secret) = setup(&app).await;
    let base = request("st");
    let with = |k: &'static str, v: &str| {
        let mut f = base.clone();
        f.retain(|(key, _)| *key != k);
        f.push((k, v.to_string()));
        f
    };
    let cases = [
        (
            with("redirect_uri", "https://evil.example/cb"),
            400,
            "invalid_request",
        ),
        (
            with("response_type", "token"),
            400,
            "unsupported_response_type",
        ),
        (
            with("request_uri", "urn:ietf:params:oauth:request_uri:x"),
            400,
            "invalid_request",
        ),
        (
            with("request", "eyJhbGciOiJub25lIn0.e30."),
            400,
            "invalid_request_object",
        ),
        (
            with("code_challenge_method", "plain"),
            400,
            "invalid_request",
        ),
    ];
    for (form, status, error) in cases {
        let (got, body) = push(&app, (&cid, &secret), &borrowed(&form)).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(error)),
            "{form:?}"
        );
    }
    let (got, body) = push(&app, (&cid, "not the secret"), &borrowed(&base)).await;
    assert_eq!((got, body["error"].as_str()), (401, Some("invalid_client")));
}

#[tokio::test]
async fn clients_and_tenants_may_require_pushed_requests() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let mut strict = portcullis_core::policy::PolicyOverrides::default();
    strict
        .set("require_pushed_authorization_requests=true")
        .unwrap();
    let (client, secret) = app
        .create_client(NewClient {
            name: "strict".into(),
            redirect_uris: vec![REDIRECT.into()],
            policy: strict,
            ..NewClient::default()
        })
        .await;
    let secret = secret.unwrap();
    app.state.refresh().await.unwrap();
    let direct = get(&browser(), &app, &authorize_url(&app, &client.id, "")).await;
    assert_eq!(direct.param("error").as_deref(), Some("invalid_request"));
    let (_, body) = push(&app, (&client.id, &secret), &borrowed(&request("st"))).await;
    let uri = body["request_uri"].as_str().unwrap().to_string();
    let done = sign_in(&browser(), &app, &front(&client.id, &uri, "")).await;
    assert!(done.param("code").is_some(), "{:?}", done.location);

    let tenant = spawn_app_with_env(
        Engine::Sqlite,
        &[(
            "PORTCULLIS_POLICY__REQUIRE_PUSHED_AUTHORIZATION_REQUESTS",
            "true",
        )],
    )
    .await;
    let discovery = tenant.get_json("/.well-known/openid-configuration").await;
    assert_eq!(discovery["require_pushed_authorization_requests"], true);
    let (cid, _) = setup(&tenant).await;
    let direct = get(&browser(), &tenant, &authorize_url(&tenant, &cid, "")).await;
    assert_eq!(direct.param("error").as_deref(), Some("invalid_request"));
}
