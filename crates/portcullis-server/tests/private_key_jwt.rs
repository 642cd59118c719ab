//! `private_key_jwt` client authentication (RFC 7523) over real HTTP: keys registered through
//! the management API by value or by address, assertions that are good once (also 80 times at
//! once), for this server, short-lived and signed by the client's key; secrets refused for such
//! a client; a rotated key found at the client's JWKS address.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::crypto::random;
use portcullis_testkit::{Engine, TestApp, spawn_app_with_env};
use serde_json::{Value, json};

const ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An assertion by `key` (`kid` in the header when given) for `client_id`, with `extra`
/// claims laid over the usual ones.
fn assertion(
    app: &TestApp,
    key: &EcKey,
    kid: Option<&str>,
    client_id: &str,
    extra: Value,
) -> String {
    let now = app.clock_now();
    let mut claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": app.issuer,
        "exp": now + 60,
        "iat": now,
        "jti": random::token(),
    });
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let mut header = json!({ "alg": "ES256", "typ": "JWT" });
    if let Some(kid) = kid {
        header["kid"] = kid.into();
    }
    key.sign(&header, &claims)
}

/// A client_credentials request for the management API authenticated by `jwt`.
async fn with_assertion(app: &TestApp, jwt: &str) -> (u16, Value) {
    let audience = format!("{}/api/v2/", app.issuer);
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("audience", audience.as_str()),
            ("client_assertion_type", ASSERTION),
            ("client_assertion", jwt),
        ])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// Registers a machine client with `keys` (`jwks` or `jwks_uri`) and a grant on the management
/// API; its id.
async fn keyed_client(app: &TestApp, token: &str, keys: Value) -> String {
    let mut body = json!({
        "name": "signer",
        "app_type": "non_interactive",
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "private_key_jwt",
    });
    for (k, v) in keys.as_object().unwrap() {
        body[k] = v.clone();
    }
    let resp = reqwest::Client::new()
        .post(app.url("/api/v2/clients"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["token_endpoint_auth_method"], "private_key_jwt");
    assert!(created.get("client_secret").is_none(), "no secret to show");
    let id = created["client_id"].as_str().unwrap().to_string();
    portcullis_core::admin::grant_client(
        app.store.as_ref(),
        &id,
        &format!("{}/api/v2/", app.issuer),
        vec!["read:users".into()],
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
    id
}

#[tokio::test]
async fn a_client_signs_in_with_assertions_by_its_registered_key_once_each() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let discovery = app.get_json("/.well-known/openid-configuration").await;
    assert!(
        discovery["token_endpoint_auth_methods_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("private_key_jwt"))
    );
    assert_eq!(
        discovery["token_endpoint_auth_signing_alg_values_supported"],
        json!(["EdDSA", "ES256", "RS256", "PS256"])
    );
    let admin = admin_token(&app, &["create:clients", "read:clients", "update:clients"]).await;
    let key = EcKey::new();
    let id = keyed_client(&app, &admin, json!({ "jwks": { "keys": [key.jwk] } })).await;
    let shown: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v2/clients/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["jwks"]["keys"][0]["x"], key.jwk["x"]);

    let good = assertion(&app, &key, None, &id, json!({}));
    let (status, body) = with_assertion(&app, &good).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        payload(body["access_token"].as_str().unwrap())["client_id"],
        id.as_str()
    );
    // Each refused with 401 invalid_client, the reason in the log only.
    let now = app.clock_now();
    let other = EcKey::new();
    for (why, jwt) in [
        ("replayed", good.clone()),
        ("another key", assertion(&app, &other, None, &id, json!({}))),
        (
            "another audience",
            assertion(
                &app,
                &key,
                None,
                &id,
                json!({ "aud": "https://elsewhere.example" }),
            ),
        ),
        (
            "expired",
            assertion(&app, &key, None, &id, json!({ "exp": now - 1 })),
        ),
        (
            "an hour long",
            assertion(&app, &key, None, &id, json!({ "exp": now + 3600 })),
        ),
        (
            "iss is not the client",
            assertion(&app, &key, None, &id, json!({ "iss": "someone" })),
        ),
        (
            "no jti",
            assertion(&app, &key, None, &id, json!({ "jti": "" })),
        ),
        ("unsigned", format!("{}.", good.rsplit_once('.').unwrap().0)),
    ] {
        let (status, body) = with_assertion(&app, &jwt).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client")),
            "{why}: {body}"
        );
    }
    // The token endpoint's own address is an audience too.
    let to_endpoint = assertion(
        &app,
        &key,
        None,
        &id,
        json!({ "aud": [app.url("/oauth/token")] }),
    );
    assert_eq!(with_assertion(&app, &to_endpoint).await.0, 200);

    // One assertion, 80 requests at once: one token.
    let once = assertion(&app, &key, None, &id, json!({}));
    let tries = (0..80).map(|_| {
        let (app, once) = (&app, once.clone());
        async move { with_assertion(app, &once).await.0 }
    });
    let statuses = futures_util::future::join_all(tries).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_client_with_keys_cannot_use_a_secret_and_bad_keys_are_refused() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let admin = admin_token(&app, &["create:clients", "update:clients"]).await;
    let api = |method: reqwest::Method, path: &str, body: Value| {
        reqwest::Client::new()
            .request(method, app.url(path))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    // A confidential client moves to private_key_jwt: its secret stops working.
    let created: Value = api(
        reqwest::Method::POST,
        "/api/v2/clients",
        json!({ "name": "mover", "grant_types": ["client_credentials"] }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = created["client_id"].as_str().unwrap().to_string();
    let secret = created["client_secret"].as_str().unwrap().to_string();
    portcullis_core::admin::grant_client(
        app.store.as_ref(),
        &id,
        &format!("{}/api/v2/", app.issuer),
        vec!["read:users".into()],
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
    let client = (id.clone(), secret.clone());
    let audience = format!("{}/api/v2/", app.issuer);
    let form = [
        ("grant_type", "client_credentials"),
        ("audience", audience.as_str()),
    ];
    assert_eq!(grant(&app, &client, &form).await.0, 200);
    let key = EcKey::new();
    let moved = api(
        reqwest::Method::PATCH,
        &format!("/api/v2/clients/{id}"),
        json!({ "token_endpoint_auth_method": "private_key_jwt", "jwks": { "keys": [key.jwk] } }),
    )
    .await
    .unwrap();
    assert_eq!(moved.status(), 200);
    app.state.refresh().await.unwrap();
    let (status, body) = grant(&app, &client, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, _) = with_assertion(&app, &assertion(&app, &key, None, &id, json!({}))).await;
    assert_eq!(status, 200);

    // Registrations refused, each naming the field.
    let mut private = key.jwk.clone();
    private["d"] = json!("c2VjcmV0");
    for (why, body) in [
        ("a private key", json!({ "jwks": { "keys": [private] } })),
        ("no keys", json!({ "jwks": { "keys": [] } })),
        (
            "not a key",
            json!({ "jwks": { "keys": [{ "kty": "oct", "k": "AAAA" }] } }),
        ),
        (
            "plain http",
            json!({ "jwks_uri": "http://app.example/jwks.json" }),
        ),
        (
            "both",
            json!({ "jwks": { "keys": [key.jwk] }, "jwks_uri": "https://app.example/jwks.json" }),
        ),
        (
            "no keys for the method",
            json!({ "name": "x", "token_endpoint_auth_method": "private_key_jwt" }),
        ),
    ] {
        let resp = api(reqwest::Method::POST, "/api/v2/clients", body)
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{why}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains("property"),
            "{why}: {body}"
        );
    }
}

#[tokio::test]
async fn keys_published_at_an_address_are_fetched_and_refetched_for_a_new_kid() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let admin = admin_token(&app, &["create:clients"]).await;
    // The client's own key server.
    let published = std::sync::Arc::new(std::sync::Mutex::new(json!({ "keys": [] })));
    let served = published.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || {
            let doc = served.lock().unwrap().clone();
            async move { axum::Json(doc) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let first = EcKey::new();
    let mut jwk = first.jwk.clone();
    jwk["kid"] = "k1".into();
    *published.lock().unwrap() = json!({ "keys": [jwk] });
    let uri = format!("http://127.0.0.1:{port}/jwks.json");
    let id = keyed_client(&app, &admin, json!({ "jwks_uri": uri })).await;
    let (status, body) =
        with_assertion(&app, &assertion(&app, &first, Some("k1"), &id, json!({}))).await;
    assert_eq!(status, 200, "{body}");

    // The client rotates: the new kid is fetched, at most once a minute.
    let second = EcKey::new();
    let mut jwk = second.jwk.clone();
    jwk["kid"] = "k2".into();
    *published.lock().unwrap() = json!({ "keys": [jwk] });
    app.clock.advance(61);
    let (status, body) =
        with_assertion(&app, &assertion(&app, &second, Some("k2"), &id, json!({}))).await;
    assert_eq!(status, 200, "{body}");
}

/// The payload of a JWT.
fn payload(jwt: &str) -> Value {
    serde_json::from_slice(
        &portcullis_core::crypto::b64url_decode(jwt.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap()
}
