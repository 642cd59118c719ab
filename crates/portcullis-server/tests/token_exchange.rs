//! Token exchange (RFC 8693) over real HTTP: a backend service exchanges a user's access token
//! for another API's (impersonation), or with its own token as the actor (delegation, `act`,
//! nested on a second exchange); scopes only narrow; the level is never raised; the policy,
//! the grant type and the client grants decide who may exchange what; bad tokens, types and
//! parameters are refused; 80 exchanges at once are 80 separate tokens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::{self, NewClient};
use portcullis_core::policy::PolicyOverrides;
use portcullis_core::ports::Store;
use portcullis_testkit::{Engine, TestApp, browser, spawn_app_with_env};
use serde_json::Value;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const AT: &str = "urn:ietf:params:oauth:token-type:access_token";
const ORDERS: &str = "https://orders.example";
const PAYMENTS: &str = "https://payments.example";
const VAULT: &str = "https://vault.example";

fn policy(pairs: &[&str]) -> PolicyOverrides {
    let mut p = PolicyOverrides::default();
    for pair in pairs {
        p.set(pair).unwrap();
    }
    p
}

async fn api(app: &TestApp, identifier: &str, scopes: &[&str], keys: &[&str]) {
    admin::create_api(
        app.store.as_ref(),
        &app.clock,
        identifier,
        None,
        scopes.iter().map(|s| s.to_string()).collect(),
        policy(keys),
    )
    .await
    .unwrap();
}

async fn allow(app: &TestApp, client: &str, api: &str, scopes: &[&str]) {
    admin::grant_client(
        app.store.as_ref(),
        client,
        api,
        scopes.iter().map(|s| s.to_string()).collect(),
    )
    .await
    .unwrap();
}

/// A confidential backend client; `grants` its registered grant types.
async fn backend(app: &TestApp, grants: &[&str]) -> (String, String) {
    let (c, s) = app
        .create_client(NewClient {
            name: "Orders service".into(),
            grant_types: grants.iter().map(|g| g.to_string()).collect(),
            ..NewClient::default()
        })
        .await;
    (c.id, s.unwrap())
}

fn form<'a>(subject: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("grant_type", GRANT),
        ("subject_token", subject),
        ("subject_token_type", AT),
    ];
    f.extend_from_slice(extra);
    f
}

/// A `client_credentials` token of `client` for `audience`.
async fn machine_token(app: &TestApp, client: &(String, String), audience: &str) -> String {
    let (_, body) = grant(
        app,
        client,
        &[("grant_type", "client_credentials"), ("audience", audience)],
    )
    .await;
    body["access_token"].as_str().unwrap().to_string()
}

/// A world: a user signed in to a web app with a token for the orders API (aal1), a backend
/// service registered for token exchange holding client grants on payments and the vault.
struct World {
    app: TestApp,
    web: (String, String),
    service: (String, String),
    subject: String,
    refresh: String,
}

async fn world() -> World {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let web = setup(&app).await;
    api(
        &app,
        ORDERS,
        &["read:orders", "write:orders"],
        &["token_exchange=true"],
    )
    .await;
    api(&app, PAYMENTS, &["pay", "refund"], &[]).await;
    api(&app, VAULT, &["open"], &["required_acr=aal2"]).await;
    allow(&app, &web.0, ORDERS, &["read:orders", "write:orders"]).await;
    let service = backend(&app, &[GRANT, "client_credentials"]).await;
    allow(&app, &service.0, PAYMENTS, &["pay"]).await;
    allow(&app, &service.0, VAULT, &["open"]).await;
    app.state.refresh().await.unwrap();
    let url = authorize_url(&app, &web.0, "").replace(
        "scope=openid%20email",
        "scope=openid%20offline_access%20read:orders%20write:orders",
    ) + &format!("&audience={ORDERS}");
    let done = portcullis_testkit::login(&browser(), &app, &url, EMAIL, PASSWORD).await;
    let tokens = exchange(&app, &web.0, &web.1, &done.param("code").unwrap()).await;
    World {
        subject: tokens["access_token"].as_str().unwrap().to_string(),
        refresh: tokens["refresh_token"].as_str().unwrap().to_string(),
        app,
        web,
        service,
    }
}

#[tokio::test]
async fn a_service_exchanges_a_users_token_for_another_api_and_delegation_nests_act() {
    let w = world().await;
    let app = &w.app;
    let discovery = app.get_json("/.well-known/openid-configuration").await;
    assert!(
        discovery["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&Value::from(GRANT))
    );
    let user = claims(&w.subject);
    assert_eq!(user["acr"], "aal1");

    // Impersonation: the user's token for the orders API becomes one for payments.
    let (status, body) = grant(
        app,
        &w.service,
        &form(&w.subject, &[("audience", PAYMENTS)]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["issued_token_type"], AT);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "pay");
    assert!(body.get("refresh_token").is_none());
    let token = claims(body["access_token"].as_str().unwrap());
    assert_eq!(token["sub"], user["sub"]);
    assert_eq!(token["aud"], PAYMENTS);
    assert_eq!(token["client_id"], w.service.0.as_str());
    assert_eq!(token["scope"], "pay");
    // What the user proved, copied: never raised.
    for c in ["acr", "amr", "auth_time", "sid"] {
        assert_eq!(token[c], user[c], "{c}");
    }
    assert!(token.get("act").is_none(), "impersonation has no actor");

    // Delegation: the service's own token as the actor.
    let actor = &machine_token(app, &w.service, PAYMENTS).await;
    let (status, body) = grant(
        app,
        &w.service,
        &form(
            &w.subject,
            &[
                ("audience", PAYMENTS),
                ("actor_token", actor),
                ("actor_token_type", AT),
            ],
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let delegated = body["access_token"].as_str().unwrap().to_string();
    let token = claims(&delegated);
    assert_eq!(token["act"], serde_json::json!({ "sub": w.service.0 }));
    assert_eq!(token["sub"], user["sub"]);

    // The payments API does not allow exchanges of its tokens yet.
    let (status, body) = grant(app, &w.service, &form(&delegated, &[("scope", "pay")])).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("access_denied")),
        "{body}"
    );
    // Allowed on the service itself: a narrower token for the same API, the actor chain nested.
    let mut service = app.state.client(&w.service.0).await.unwrap();
    service.policy = policy(&["token_exchange=true"]);
    assert!(app.store.update_client(&service).await.unwrap());
    app.state.refresh().await.unwrap();
    let (status, body) = grant(
        app,
        &w.service,
        &form(
            &delegated,
            &[("actor_token", actor), ("actor_token_type", AT)],
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let nested = claims(body["access_token"].as_str().unwrap());
    assert_eq!(
        nested["act"],
        serde_json::json!({ "sub": w.service.0, "act": { "sub": w.service.0 } })
    );
    assert_eq!(nested["aud"], PAYMENTS);
    // Impersonation keeps an earlier actor.
    let (_, body) = grant(app, &w.service, &form(&delegated, &[])).await;
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["act"],
        serde_json::json!({ "sub": w.service.0 })
    );

    // Down-scoping on the same API: narrower only.
    let (status, body) = grant(
        app,
        &w.service,
        &form(&w.subject, &[("scope", "read:orders")]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let narrow = claims(body["access_token"].as_str().unwrap());
    assert_eq!(
        (narrow["scope"].as_str(), narrow["aud"].clone()),
        (Some("read:orders"), Value::from(ORDERS))
    );
    for (extra, error) in [
        (vec![("scope", "admin:orders")], "invalid_scope"),
        (
            vec![("audience", PAYMENTS), ("scope", "refund")],
            "invalid_scope",
        ),
        // The vault wants aal2; the user proved aal1: the exchange cannot raise it.
        (vec![("audience", VAULT)], "invalid_grant"),
        (
            vec![("audience", "https://nowhere.example")],
            "invalid_target",
        ),
        (vec![("resource", PAYMENTS)], "invalid_target"),
        (
            vec![(
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:refresh_token",
            )],
            "invalid_request",
        ),
        (vec![("actor_token", actor)], "invalid_request"),
        (vec![("actor_token_type", AT)], "invalid_request"),
    ] {
        let (status, body) = grant(app, &w.service, &form(&w.subject, &extra)).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{extra:?}: {body}"
        );
    }
}

#[tokio::test]
async fn who_may_exchange_what_and_bad_subject_tokens() {
    let w = world().await;
    let app = &w.app;
    // Not registered for the grant; public; no client grant on the target.
    let plain = backend(app, &["client_credentials"]).await;
    let (status, body) = grant(app, &plain, &form(&w.subject, &[("audience", PAYMENTS)])).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client")),
        "{body}"
    );
    let ungranted = backend(app, &[GRANT]).await;
    let (status, body) = grant(
        app,
        &ungranted,
        &form(&w.subject, &[("audience", PAYMENTS)]),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("access_denied")),
        "{body}"
    );
    let (public, _) = app
        .create_client(NewClient {
            name: "SPA".into(),
            redirect_uris: vec![REDIRECT.into()],
            grant_types: vec![GRANT.into(), "authorization_code".into()],
            public: true,
            ..NewClient::default()
        })
        .await;
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(&[
            ("client_id", public.id.as_str()),
            ("grant_type", GRANT),
            ("subject_token", w.subject.as_str()),
            ("subject_token_type", AT),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized_client", "{body}");

    // Subject tokens that are not a live user's token of this server.
    let machine = &machine_token(app, &w.service, PAYMENTS).await;
    // Another user's id in the payload, the signature kept.
    let parts: Vec<&str> = w.subject.split('.').collect();
    let mut payload = claims(&w.subject);
    payload["sub"] = Value::from("usr_someone_else");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        portcullis_core::crypto::b64url(&serde_json::to_vec(&payload).unwrap()),
        parts[2]
    );
    for (subject, error) in [
        ("not-a-token", "invalid_grant"),
        (forged.as_str(), "invalid_grant"),
        (machine, "invalid_grant"),
    ] {
        let (status, body) =
            grant(app, &w.service, &form(subject, &[("audience", PAYMENTS)])).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{body}"
        );
    }
    let (status, body) = grant(
        app,
        &w.service,
        &[
            ("grant_type", GRANT),
            ("subject_token", &w.subject),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "{body}"
    );
    // Another client's token as the actor.
    let other = backend(app, &[GRANT, "client_credentials"]).await;
    allow(app, &other.0, PAYMENTS, &["pay"]).await;
    app.state.refresh().await.unwrap();
    let theirs = machine_token(app, &other, PAYMENTS).await;
    let (status, body) = grant(
        app,
        &w.service,
        &form(
            &w.subject,
            &[
                ("audience", PAYMENTS),
                ("actor_token", theirs.as_str()),
                ("actor_token_type", AT),
            ],
        ),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );

    // 80 exchanges at once: 80 tokens, each its own.
    let answers = futures_util::future::join_all((0..80).map(|_| {
        let f = form(&w.subject, &[("audience", PAYMENTS)]);
        let service = w.service.clone();
        async move { grant(app, &service, &f).await }
    }))
    .await;
    let mut jtis: Vec<String> = answers
        .iter()
        .map(|(s, b)| {
            assert_eq!(*s, 200, "{b}");
            claims(b["access_token"].as_str().unwrap())["jti"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    jtis.sort();
    jtis.dedup();
    assert_eq!(jtis.len(), 80);

    // The user's grant revoked: its access token can no longer be exchanged.
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/revoke"))
        .basic_auth(&w.web.0, Some(&w.web.1))
        .form(&[("token", w.refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, body) = grant(
        app,
        &w.service,
        &form(&w.subject, &[("audience", PAYMENTS)]),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    assert!(!app.events("token.exchanged").await.is_empty());
}
