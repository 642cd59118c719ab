//! Signed request objects (RFC 9101, JAR) over real HTTP: a request object by value at
//! `/authorize` and in a push to `/oauth/par` replaces the request's parameters; objects not
//! signed by the client's registered key, for another server or client, expired, too long-lived,
//! of another JWT type or unsigned are refused on a page (never redirected) or as JSON to the
//! pusher; a client without keys cannot use them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::crypto::random;
use portcullis_testkit::{Engine, TestApp, browser, spawn_app_with_env};
use serde_json::{Value, json};

const ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A request object by `key` for `client_id`, with `extra` laid over the usual claims (a
/// `null` removes one).
fn object(app: &TestApp, key: &EcKey, client_id: &str, extra: Value) -> String {
    let now = app.clock_now();
    let mut claims = json!({
        "iss": client_id,
        "aud": app.issuer,
        "exp": now + 300,
        "nbf": now,
        "jti": random::token(),
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": "openid email",
        "state": "from-the-object",
        "nonce": "n-0S6_WzA2Mj",
        "max_age": 3600,
    });
    let mut header = json!({ "alg": "ES256", "typ": "oauth-authz-req+jwt" });
    for (k, v) in extra.as_object().unwrap() {
        if k == "typ" {
            header["typ"] = v.clone();
        } else if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    key.sign(&header, &claims)
}

fn assertion(app: &TestApp, key: &EcKey, client_id: &str) -> String {
    let now = app.clock_now();
    key.sign(
        &json!({ "alg": "ES256", "typ": "JWT" }),
        &json!({ "iss": client_id, "sub": client_id, "aud": app.issuer, "exp": now + 60, "jti": random::token() }),
    )
}

fn front(client_id: &str, extra: &str) -> String {
    format!("/authorize?client_id={client_id}{extra}")
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_signed_request_object_is_the_request_and_bad_ones_are_shown_never_sent() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let discovery = app.get_json("/.well-known/openid-configuration").await;
    assert_eq!(discovery["request_parameter_supported"], true);
    assert!(
        discovery["request_object_signing_alg_values_supported"]
            .as_array()
            .unwrap()
            .contains(&Value::from("ES256"))
    );
    app.create_user(EMAIL, PASSWORD).await;
    let key = EcKey::new();
    let cid = keyed_web_client(&app, &key, json!({})).await;

    // The object is the request: the browser's own state and scope are not used.
    let jwt = object(&app, &key, &cid, json!({}));
    let done = sign_in(
        &browser(),
        &app,
        &front(
            &cid,
            &format!(
                "&request={}&state=forged&scope=openid%20offline_access",
                enc(&jwt)
            ),
        ),
    )
    .await;
    assert_eq!(
        done.param("state").as_deref(),
        Some("from-the-object"),
        "{:?}",
        done.location
    );
    let code = done.param("code").unwrap();
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_assertion_type", ASSERTION),
            ("client_assertion", assertion(&app, &key, &cid).as_str()),
        ])
        .send()
        .await
        .unwrap();
    let tokens: Value = resp.json().await.unwrap();
    assert_eq!(tokens["scope"], "openid email", "{tokens}");
    assert_eq!(
        claims(tokens["id_token"].as_str().unwrap())["nonce"],
        "n-0S6_WzA2Mj"
    );

    // Refused on a page, never sent to the redirect URI the object names.
    let stranger = EcKey::new();
    let now = app.clock_now();
    let unsigned = {
        let header = portcullis_core::crypto::b64url(br#"{"alg":"none"}"#);
        let body = portcullis_core::crypto::b64url(
            json!({ "iss": cid, "aud": app.issuer, "exp": now + 300, "response_type": "code", "redirect_uri": REDIRECT, "scope": "openid" })
                .to_string()
                .as_bytes(),
        );
        format!("{header}.{body}.")
    };
    let (other, _) = app.web_client(REDIRECT).await;
    let bad = [
        ("another key", object(&app, &stranger, &cid, json!({}))),
        (
            "another iss",
            object(&app, &key, &cid, json!({ "iss": other.id })),
        ),
        (
            "another client_id",
            object(&app, &key, &cid, json!({ "client_id": other.id })),
        ),
        (
            "another server",
            object(
                &app,
                &key,
                &cid,
                json!({ "aud": "https://elsewhere.example" }),
            ),
        ),
        (
            "expired",
            object(&app, &key, &cid, json!({ "exp": now - 1 })),
        ),
        ("no exp", object(&app, &key, &cid, json!({ "exp": null }))),
        (
            "two hours",
            object(&app, &key, &cid, json!({ "exp": now + 7200 })),
        ),
        (
            "nbf ahead",
            object(&app, &key, &cid, json!({ "nbf": now + 600 })),
        ),
        (
            "a DPoP proof's type",
            object(&app, &key, &cid, json!({ "typ": "dpop+jwt" })),
        ),
        (
            "nested",
            object(
                &app,
                &key,
                &cid,
                json!({ "request_uri": "https://evil.example/r" }),
            ),
        ),
        ("unsigned", unsigned),
        ("not a JWT", "abc".to_string()),
    ];
    for (why, jwt) in &bad {
        let page = get(
            &browser(),
            &app,
            &front(&cid, &format!("&request={}", enc(jwt))),
        )
        .await;
        assert_eq!(
            (page.status, page.location.as_deref()),
            (400, None),
            "{why}"
        );
        assert!(
            page.body.contains("could not be checked"),
            "{why}: {}",
            page.body
        );
    }
    // Signed by this client's key but presented under another client's id; a client without
    // keys cannot use request objects at all.
    let jwt = object(&app, &key, &cid, json!({}));
    let page = get(
        &browser(),
        &app,
        &front(&other.id, &format!("&request={}", enc(&jwt))),
    )
    .await;
    assert_eq!((page.status, page.location.as_deref()), (400, None));
    let own = object(&app, &key, &other.id, json!({}));
    let page = get(
        &browser(),
        &app,
        &front(&other.id, &format!("&request={}", enc(&own))),
    )
    .await;
    assert_eq!((page.status, page.location.as_deref()), (400, None));
    // A remote request_uri stays unsupported, and says so to the client.
    let page = get(
        &browser(),
        &app,
        &authorize_url(
            &app,
            &other.id,
            "&request_uri=https%3A%2F%2Fapp.example%2Freq",
        ),
    )
    .await;
    assert_eq!(
        page.param("error").as_deref(),
        Some("request_uri_not_supported")
    );
}

#[tokio::test]
async fn a_pushed_request_object_signs_in_and_bad_ones_are_answered_as_json() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let key = EcKey::new();
    let cid = keyed_web_client(&app, &key, json!({})).await;
    let push = |jwt: String| {
        let app = &app;
        let assertion = assertion(app, &key, &cid);
        async move {
            let resp = reqwest::Client::new()
                .post(app.url("/oauth/par"))
                .form(&[
                    ("request", jwt.as_str()),
                    ("client_assertion_type", ASSERTION),
                    ("client_assertion", assertion.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = push(object(
        &app,
        &key,
        &cid,
        json!({ "state": "pushed-object" }),
    ))
    .await;
    assert_eq!(status, 201, "{body}");
    let uri = body["request_uri"].as_str().unwrap();
    let done = sign_in(
        &browser(),
        &app,
        &front(&cid, &format!("&request_uri={}", enc(uri))),
    )
    .await;
    assert_eq!(done.param("state").as_deref(), Some("pushed-object"));

    let now = app.clock_now();
    for jwt in [
        object(&app, &EcKey::new(), &cid, json!({})),
        object(&app, &key, &cid, json!({ "exp": now - 1 })),
        object(
            &app,
            &key,
            &cid,
            json!({ "aud": "https://elsewhere.example" }),
        ),
    ] {
        let (status, body) = push(jwt).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request_object")),
            "{body}"
        );
    }
    // A valid object whose request is bad is refused as the same request would be.
    let (status, body) = push(object(
        &app,
        &key,
        &cid,
        json!({ "redirect_uri": "https://evil.example/cb" }),
    ))
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
}
