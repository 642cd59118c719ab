//! What strict relying parties check, each test citing the section it holds Portcullis to.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_proto::acr::PAPE_MULTI_FACTOR;
use portcullis_testkit::{TestApp, browser, spawn_app};
use serde_json::{Value, json};

fn enc(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// A signed-in browser for `EMAIL` on the common client: `(browser, (id, secret), tokens)`.
async fn signed_in(app: &TestApp) -> (reqwest::Client, (String, String), Value) {
    let client = setup(app).await;
    let b = browser();
    let done = password_step(&b, app, &client.0, "").await;
    let tokens = exchange(app, &client.0, &client.1, &done.param("code").unwrap()).await;
    (b, client, tokens)
}

#[tokio::test]
async fn rp_logout_by_post_is_supported() {
    // RP-Initiated Logout 1.0 §2: the OP MUST support GET and POST.
    let app = spawn_app().await;
    let (b, (client_id, _), tokens) = signed_in(&app).await;
    let resp = b
        .post(app.url("/oidc/logout"))
        .form(&[("id_token_hint", tokens["id_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let silent = get(&b, &app, &authorize_url(&app, &client_id, "&prompt=none")).await;
    assert_eq!(silent.param("error").as_deref(), Some("login_required"));
    app.stop().await;
}

#[tokio::test]
async fn authorize_repeated_parameters_and_max_age_zero() {
    let app = spawn_app().await;
    let (b, (client_id, _), _) = signed_in(&app).await;
    // RFC 6749 §4.1.2.1 and §3.1: once client and redirect URI are valid, a repeated parameter
    // goes back to the client as invalid_request; a repeated client_id is shown, never sent.
    let twice = get(&b, &app, &authorize_url(&app, &client_id, "&scope=openid")).await;
    assert_eq!(twice.param("error").as_deref(), Some("invalid_request"));
    let page = get(
        &b,
        &app,
        &authorize_url(&app, &client_id, &format!("&client_id={client_id}")),
    )
    .await;
    assert_eq!(page.status, 400);
    // OIDC Core §3.1.2.1: max_age=0 is prompt=login, even in the second of the sign-in.
    let again = get(&b, &app, &authorize_url(&app, &client_id, "&max_age=0")).await;
    assert!(
        again.location.as_deref().unwrap().starts_with("/u/login"),
        "{:?}",
        again.location
    );
    app.stop().await;
}

#[tokio::test]
async fn userinfo_one_token_method_and_revocation_only_by_its_client() {
    let app = spawn_app().await;
    let (_, web, tokens) = signed_in(&app).await;
    let access = tokens["access_token"].as_str().unwrap();
    // RFC 6750 §2: a token in the header and in the body is invalid_request.
    let resp = reqwest::Client::new()
        .post(app.url("/userinfo"))
        .bearer_auth(access)
        .form(&[("access_token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
    // RFC 7009 §2.1: another client's token is refused, and stays valid.
    let (other, other_secret) = app.web_client(REDIRECT).await;
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/revoke"))
        .basic_auth(&other.id, Some(&other_secret))
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized_client");
    let ok = reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "still valid");
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/revoke"))
        .basic_auth(&web.0, Some(&web.1))
        .form(&[("token", access)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "its own client revokes it");
    app.stop().await;
}

#[tokio::test]
async fn id_token_hint_at_authorize_names_whose_session_may_answer() {
    // OIDC Core §3.1.2.1: with prompt=none, a hint for another user is login_required; a hint
    // that is not our ID token is invalid_request.
    let app = spawn_app().await;
    let (b, (client_id, secret), tokens) = signed_in(&app).await;
    let own = tokens["id_token"].as_str().unwrap().to_string();
    app.create_user("bob@example.com", PASSWORD).await;
    let bob_browser = browser();
    let url = authorize_url(&app, &client_id, "");
    let done =
        portcullis_testkit::login(&bob_browser, &app, &url, "bob@example.com", PASSWORD).await;
    let bobs = exchange(&app, &client_id, &secret, &done.param("code").unwrap()).await;
    let bob_hint = bobs["id_token"].as_str().unwrap();

    let mine = get(
        &b,
        &app,
        &authorize_url(
            &app,
            &client_id,
            &format!("&prompt=none&id_token_hint={own}"),
        ),
    )
    .await;
    assert!(mine.param("code").is_some(), "{:?}", mine.location);
    let other = get(
        &b,
        &app,
        &authorize_url(
            &app,
            &client_id,
            &format!("&prompt=none&id_token_hint={bob_hint}"),
        ),
    )
    .await;
    assert_eq!(other.param("error").as_deref(), Some("login_required"));
    let access = tokens["access_token"].as_str().unwrap();
    let bad = get(
        &b,
        &app,
        &authorize_url(
            &app,
            &client_id,
            &format!("&prompt=none&id_token_hint={access}"),
        ),
    )
    .await;
    assert_eq!(bad.param("error").as_deref(), Some("invalid_request"));
    app.stop().await;
}

#[tokio::test]
async fn claims_parameter_essential_acr_standard_claims_and_alias_echo() {
    let app = spawn_app().await;
    let (client_id, secret) = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &client_id).await;
    // Discovery says it (OIDC Discovery §3).
    let doc = app.get_json("/.well-known/openid-configuration").await;
    assert_eq!(doc["claims_parameter_supported"], true);

    let b = browser();
    app.clock.advance(30);
    password_step(&b, &app, &client_id, "").await;
    prove_totp(&b, &app, &totp).await;
    // Core §5.5: an individual claim asked for in the ID token comes in it.
    let claims = json!({ "id_token": { "email": null, "auth_time": { "essential": true } } });
    let url = authorize_url(
        &app,
        &client_id,
        &format!("&prompt=none&claims={}", enc(&claims.to_string())),
    )
    .replace("scope=openid%20email", "scope=openid");
    let answer = get(&b, &app, &url).await;
    let tokens = exchange(&app, &client_id, &secret, &answer.param("code").unwrap()).await;
    let id = claims_of(&tokens);
    assert_eq!(id["email"], EMAIL);
    assert!(id["auth_time"].is_i64());
    // Core §5.5.1.1: an essential acr the session meets; one it does not is stepped up.
    let essential = |values: &[&str]| {
        json!({ "id_token": { "acr": { "essential": true, "values": values } } }).to_string()
    };
    let met = get(
        &b,
        &app,
        &authorize_url(
            &app,
            &client_id,
            &format!("&prompt=none&claims={}", enc(&essential(&["aal2"]))),
        ),
    )
    .await;
    assert!(met.param("code").is_some(), "{:?}", met.location);
    let unmet = get(
        &b,
        &app,
        &authorize_url(
            &app,
            &client_id,
            &format!("&prompt=none&claims={}", enc(&essential(&["aal3"]))),
        ),
    )
    .await;
    assert_eq!(
        unmet.param("error").as_deref(),
        Some("interaction_required")
    );
    let unknown = get(
        &b,
        &app,
        &authorize_url(
            &app,
            &client_id,
            &format!("&claims={}", enc(&essential(&["gold"]))),
        ),
    )
    .await;
    assert_eq!(
        unknown.param("error").as_deref(),
        Some("unmet_authentication_requirements")
    );
    let malformed = get(
        &b,
        &app,
        &authorize_url(&app, &client_id, "&claims=%7Bnot-json"),
    )
    .await;
    assert_eq!(malformed.param("error").as_deref(), Some("invalid_request"));
    // Core §5.5.1.1: the alias the relying party asked for, met, is what acr says.
    let alias = get(
        &b,
        &app,
        &authorize_url(
            &app,
            &client_id,
            &format!("&prompt=none&acr_values={}", enc(PAPE_MULTI_FACTOR)),
        ),
    )
    .await;
    let tokens = exchange(&app, &client_id, &secret, &alias.param("code").unwrap()).await;
    let id = claims_of(&tokens);
    assert_eq!(id["acr"], PAPE_MULTI_FACTOR);
    assert!(id["amr"].as_array().unwrap().contains(&json!("mfa")));
    app.stop().await;
}

fn claims_of(tokens: &Value) -> Value {
    claims(tokens["id_token"].as_str().unwrap())
}

fn alg_of(jwt: &str) -> String {
    let header = jwt.split('.').next().unwrap();
    let v: Value =
        serde_json::from_slice(&portcullis_core::crypto::b64url_decode(header).unwrap()).unwrap();
    v["alg"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn algorithms_id_tokens_rs256_unless_registered_access_tokens_per_api() {
    // OIDC Core §3.1.3.7, Registration §2: id_token_signed_response_alg defaults to RS256.
    let app = spawn_app().await;
    let (b, (client_id, web_secret), tokens) = signed_in(&app).await;
    assert_eq!(alg_of(tokens["id_token"].as_str().unwrap()), "RS256");
    assert_eq!(alg_of(tokens["access_token"].as_str().unwrap()), "RS256");
    // A client that registered EdDSA gets EdDSA ID tokens.
    let (eddsa, secret) = app
        .create_client(portcullis_core::admin::NewClient {
            name: "modern".into(),
            redirect_uris: vec![REDIRECT.into()],
            signing_alg: Some("EdDSA".into()),
            ..Default::default()
        })
        .await;
    let silent = get(&b, &app, &authorize_url(&app, &eddsa.id, "&prompt=none")).await;
    let t = exchange(
        &app,
        &eddsa.id,
        &secret.unwrap(),
        &silent.param("code").unwrap(),
    )
    .await;
    assert_eq!(alg_of(t["id_token"].as_str().unwrap()), "EdDSA");
    // An API's signing_alg decides its access tokens, set through the management API.
    let admin = admin_token(
        &app,
        &["create:resource_servers", "update:resource_servers"],
    )
    .await;
    let (s, api) = call(
        &app,
        &admin,
        "POST",
        "/api/v2/resource-servers",
        Some(json!({"identifier": "https://fast.example", "signing_alg": "ES256", "scopes": [{"value": "read"}]})),
    )
    .await;
    assert_eq!(s, 201, "{api}");
    assert_eq!(api["signing_alg"], "ES256");
    let (s, err) = call(
        &app,
        &admin,
        "POST",
        "/api/v2/resource-servers",
        Some(json!({"identifier": "https://hs.example", "signing_alg": "HS256"})),
    )
    .await;
    assert_eq!(s, 400, "{err}");
    app.state.refresh().await.unwrap();
    let silent = get(
        &b,
        &app,
        &authorize_url(
            &app,
            &client_id,
            "&prompt=none&audience=https%3A%2F%2Ffast.example",
        ),
    )
    .await;
    let t = exchange(
        &app,
        &client_id,
        &web_secret,
        &silent.param("code").unwrap(),
    )
    .await;
    assert_eq!(alg_of(t["access_token"].as_str().unwrap()), "ES256");
    assert_eq!(alg_of(t["id_token"].as_str().unwrap()), "RS256");
    app.stop().await;
}
