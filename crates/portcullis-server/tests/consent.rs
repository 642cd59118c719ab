//! Third-party applications: a consent page before any code, remembered per user, application
//! and audience; never the MFA or management API; user tokens carry only scopes the API
//! defines and the client may have.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::NewClient;
use portcullis_core::ports::Store;
use portcullis_testkit::{TestApp, browser, form_value, spawn_app};

const THIRD: &str = "http://localhost:4000/callback";

/// A third-party web application that may also try the password grant: `(id, secret)`.
async fn third_party(app: &TestApp) -> (String, String) {
    let (client, secret) = app
        .create_client(NewClient {
            name: "Budget Helper".into(),
            redirect_uris: vec![THIRD.into()],
            grant_types: vec![
                "authorization_code".into(),
                "refresh_token".into(),
                "password".into(),
                "client_credentials".into(),
            ],
            third_party: true,
            ..NewClient::default()
        })
        .await;
    (client.id, secret.unwrap())
}

/// An authorization request to `redirect` with `scope` (space-separated) and `extra`.
fn url_for(app: &TestApp, client_id: &str, redirect: &str, scope: &str, extra: &str) -> String {
    let enc = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    format!(
        "{}/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope={}&state=t{extra}",
        app.issuer,
        enc(redirect),
        enc(scope)
    )
}

fn third_url(app: &TestApp, client_id: &str, extra: &str) -> String {
    url_for(app, client_id, THIRD, "openid email", extra)
}

/// Answers the consent page the browser was sent to.
async fn answer(b: &reqwest::Client, app: &TestApp, consent_path: &str, decision: &str) -> Page {
    let page = get(b, app, consent_path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let state = form_value(&page.body, "state").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    post(
        b,
        app,
        "/u/consent",
        &[("csrf", &csrf), ("state", &state), ("decision", decision)],
    )
    .await
}

#[tokio::test]
async fn consent_asked_once_remembered_then_asked_again_when_wider_or_forced() {
    let app = spawn_app().await;
    let (first, _) = setup(&app).await;
    let (third, third_secret) = third_party(&app).await;
    let b = browser();
    assert!(
        password_step(&b, &app, &first, "")
            .await
            .param("code")
            .is_some(),
        "the first-party app never asks"
    );

    // Silent: no consent yet.
    let silent = get(&b, &app, &third_url(&app, &third, "&prompt=none")).await;
    assert_eq!(silent.param("error").as_deref(), Some("consent_required"));
    assert!(silent.location.unwrap().starts_with(THIRD));

    // Interactive: the consent page, in words; "Deny" tells the app access_denied.
    let asked = get(&b, &app, &third_url(&app, &third, "")).await;
    let path = asked.location.clone().unwrap();
    assert!(path.starts_with("/u/consent?state="), "{path}");
    let page = get(&b, &app, &path).await;
    assert!(page.body.contains("Budget Helper"), "{}", page.body);
    assert!(page.body.contains("See your email address"));
    assert!(page.body.contains(EMAIL));
    let denied = answer(&b, &app, &path, "deny").await;
    assert_eq!(denied.param("error").as_deref(), Some("access_denied"));
    // The answered request is spent.
    assert_eq!(get(&b, &app, &path).await.status, 400);

    // "Allow": a code, and the same scopes are silent afterwards.
    let asked = get(&b, &app, &third_url(&app, &third, "")).await;
    let allowed = answer(&b, &app, asked.location.as_deref().unwrap(), "allow").await;
    let code = allowed.param("code").expect("a code after consent");
    let tokens = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(&third, Some(&third_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", THIRD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(tokens.status(), 200);
    let silent = get(&b, &app, &third_url(&app, &third, "&prompt=none")).await;
    assert!(silent.param("code").is_some(), "{:?}", silent.location);

    // A wider scope asks again; so does prompt=consent.
    let wider = get(
        &b,
        &app,
        &url_for(&app, &third, THIRD, "openid email profile", "&prompt=none"),
    )
    .await;
    assert_eq!(wider.param("error").as_deref(), Some("consent_required"));
    let forced = get(&b, &app, &third_url(&app, &third, "&prompt=consent")).await;
    let path = forced.location.unwrap();
    assert!(path.starts_with("/u/consent?state="), "{path}");
    assert!(
        answer(&b, &app, &path, "allow")
            .await
            .param("code")
            .is_some()
    );

    // Eighty answers to one page at once: one decides.
    let asked = get(&b, &app, &third_url(&app, &third, "&prompt=consent")).await;
    let path = asked.location.unwrap();
    let page = get(&b, &app, &path).await;
    let state = form_value(&page.body, "state").unwrap();
    let csrf = form_value(&page.body, "csrf").unwrap();
    let mut tasks = Vec::new();
    for _ in 0..80 {
        let (b, url) = (b.clone(), app.url("/u/consent"));
        let form = vec![
            ("csrf", csrf.clone()),
            ("state", state.clone()),
            ("decision", "allow".to_string()),
        ];
        tasks.push(tokio::spawn(async move {
            read(b.post(url).form(&form).send().await.unwrap()).await
        }));
    }
    let mut codes = 0;
    for t in tasks {
        if t.await.unwrap().param("code").is_some() {
            codes += 1;
        }
    }
    assert_eq!(codes, 1);
    app.stop().await;
}

#[tokio::test]
async fn consent_a_third_party_never_gets_the_mfa_or_management_api_nor_passwords() {
    let app = spawn_app().await;
    let (first, _) = setup(&app).await;
    let third = third_party(&app).await;
    let b = browser();
    password_step(&b, &app, &first, "").await;
    for audience in [
        format!("{}/mfa/", app.issuer),
        format!("{}/api/v2/", app.issuer),
    ] {
        let aud: String = form_urlencoded::byte_serialize(audience.as_bytes()).collect();
        let scope = "openid read:authenticators remove:authenticators";
        let extra = format!("&audience={aud}");
        for prompt in ["", "&prompt=none"] {
            let url = url_for(&app, &third.0, THIRD, scope, &format!("{extra}{prompt}"));
            let answer = get(&b, &app, &url).await;
            assert_eq!(answer.param("error").as_deref(), Some("access_denied"));
            assert!(answer.param("code").is_none());
        }
        // Signed out too.
        let answer = get(
            &browser(),
            &app,
            &url_for(&app, &third.0, THIRD, scope, &extra),
        )
        .await;
        assert_eq!(answer.param("error").as_deref(), Some("access_denied"));
        // Nor as a machine, even with a client grant an admin made by mistake.
        if audience.ends_with("/mfa/") {
            continue;
        }
        portcullis_core::admin::grant_client(
            app.store.as_ref(),
            &third.0,
            &audience,
            vec!["read:users".into()],
        )
        .await
        .unwrap();
        app.state.refresh().await.unwrap();
        let (status, body) = grant(
            &app,
            &third,
            &[
                ("grant_type", "client_credentials"),
                ("audience", &audience),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("access_denied"))
        );
    }
    let (status, body) = grant(
        &app,
        &third,
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
    app.stop().await;
}

#[tokio::test]
async fn consent_listed_and_revoked_by_admins_and_users_ending_the_apps_tokens() {
    let app = spawn_app().await;
    let (first, _) = setup(&app).await;
    let third = third_party(&app).await;
    let b = browser();
    password_step(&b, &app, &first, "").await;
    let asked = get(
        &b,
        &app,
        &url_for(&app, &third.0, THIRD, "openid offline_access", ""),
    )
    .await;
    let code = answer(&b, &app, asked.location.as_deref().unwrap(), "allow")
        .await
        .param("code")
        .unwrap();
    let (status, tokens) = grant(
        &app,
        &third,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", THIRD),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();

    let token = admin_token(&app, &["read:grants", "delete:grants"]).await;
    let uid = user_id(&app).await;
    let (status, list) = call(
        &app,
        &token,
        "GET",
        &format!("/api/v2/grants?user_id={uid}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["clientID"], third.0.as_str());
    assert_eq!(list[0]["user_id"], uid.as_str());
    assert_eq!(
        list[0]["scope"],
        serde_json::json!(["openid", "offline_access"])
    );
    let id = list[0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v2/grants/{id}");
    assert_eq!(call(&app, &token, "DELETE", &path, None).await.0, 204);
    assert_eq!(
        call(&app, &token, "DELETE", &path, None).await.0,
        404,
        "once"
    );
    // The application's refresh token ended with the consent; silence asks again.
    let (status, body) = grant(
        &app,
        &third,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let silent = get(&b, &app, &third_url(&app, &third.0, "&prompt=none")).await;
    assert_eq!(silent.param("error").as_deref(), Some("consent_required"));

    // The user sees the app on the security page and removes its access there.
    let asked = get(&b, &app, &third_url(&app, &third.0, "")).await;
    answer(&b, &app, asked.location.as_deref().unwrap(), "allow").await;
    let page = get(&b, &app, "/u/account/security").await;
    assert!(page.body.contains("Budget Helper"), "{}", page.body);
    let consent_id = app
        .store
        .consents(Some(&uid), None)
        .await
        .unwrap()
        .pop()
        .unwrap()
        .id;
    let removed = submit(
        &b,
        &app,
        "/u/account/security",
        "/u/account/security",
        &[("action", "revoke_consent"), ("id", &consent_id)],
    )
    .await;
    assert_eq!(removed.status, 303);
    assert!(
        app.store
            .consents(Some(&uid), None)
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn scopes_a_user_token_carries_only_what_the_api_defines_and_the_client_may_have() {
    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    portcullis_core::admin::create_api(
        app.store.as_ref(),
        &app.clock,
        "https://api.x",
        None,
        vec!["read:x".into(), "write:x".into()],
        Default::default(),
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
    let b = browser();
    password_step(&b, &app, &client_id, "").await;
    let aud = "&audience=https%3A%2F%2Fapi.x&prompt=none";
    let scope = "openid read:x write:x admin:everything";
    let code_for = |extra: &str, scope: &str| {
        let (b, url) = (b.clone(), url_for(&app, &client_id, REDIRECT, scope, extra));
        async move {
            let page = read(b.get(url).send().await.unwrap()).await;
            page.param("code")
                .unwrap_or_else(|| panic!("{:?}", page.location))
        }
    };
    let tokens = exchange(&app, &client_id, &secret, &code_for(aud, scope).await).await;
    let at = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(at["scope"], "openid read:x write:x");
    // Without an audience, only OIDC scopes.
    let code = code_for("&prompt=none", "openid read:x admin:everything").await;
    let tokens = exchange(&app, &client_id, &secret, &code).await;
    assert_eq!(
        claims(tokens["access_token"].as_str().unwrap())["scope"],
        "openid"
    );
    // With a client grant on the API, the intersection.
    portcullis_core::admin::grant_client(
        app.store.as_ref(),
        &client_id,
        "https://api.x",
        vec!["read:x".into()],
    )
    .await
    .unwrap();
    app.state.refresh().await.unwrap();
    let tokens = exchange(&app, &client_id, &secret, &code_for(aud, scope).await).await;
    assert_eq!(
        claims(tokens["access_token"].as_str().unwrap())["scope"],
        "openid read:x"
    );
    app.stop().await;
}
