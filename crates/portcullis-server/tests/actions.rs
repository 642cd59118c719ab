//! Post-login Actions through the management API and over HTTP: seed 001's Action pasted
//! verbatim on refresh, custom claims, `access.deny`, a challenge in the browser, a stopped
//! endless Action, and the API's shapes and refusals.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::NewClient;
use portcullis_core::ports::Store;
use portcullis_testkit::{Engine, TestApp, browser, spawn_app_with_env};
use serde_json::{Value, json};

/// Seed 001's Action, verbatim from the document the product was conceived from.
const SEED_001: &str = include_str!("../../portcullis-actions/tests/seed_001.js");

const SCOPES: &[&str] = &[
    "read:actions",
    "create:actions",
    "update:actions",
    "delete:actions",
];

/// Creates, deploys and binds (after those already bound) an Action; returns its id.
async fn deploy(app: &TestApp, token: &str, name: &str, code: &str) -> String {
    let (status, created) = call(
        app,
        token,
        "POST",
        "/api/v2/actions/actions",
        Some(json!({
            "name": name,
            "code": code,
            "runtime": "node18",
            "supported_triggers": [{ "id": "post-login", "version": "v3" }],
            "secrets": [{ "name": "PLAN", "value": "gold" }],
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, version) = call(
        app,
        token,
        "POST",
        &format!("/api/v2/actions/actions/{id}/deploy"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{version}");
    assert_eq!(version["number"], 1);
    let (_, bound) = call(
        app,
        token,
        "GET",
        "/api/v2/actions/triggers/post-login/bindings",
        None,
    )
    .await;
    let mut refs: Vec<Value> = bound["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| json!({ "ref": { "type": "action_id", "value": b["action"]["id"] } }))
        .collect();
    refs.push(json!({ "ref": { "type": "action_name", "value": name }, "display_name": name }));
    let (status, bound) = call(
        app,
        token,
        "PATCH",
        "/api/v2/actions/triggers/post-login/bindings",
        Some(json!({ "bindings": refs })),
    )
    .await;
    assert_eq!(status, 200, "{bound}");
    id
}

async fn unbind_all(app: &TestApp, token: &str) {
    let (status, body) = call(
        app,
        token,
        "PATCH",
        "/api/v2/actions/triggers/post-login/bindings",
        Some(json!({ "bindings": [] })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// A client with the password and refresh grants.
async fn mobile(app: &TestApp) -> (String, String) {
    let (client, secret) = app
        .create_client(NewClient {
            name: "mobile".into(),
            redirect_uris: vec![REDIRECT.into()],
            grant_types: vec![
                "authorization_code".into(),
                "password".into(),
                "refresh_token".into(),
            ],
            ..NewClient::default()
        })
        .await;
    (client.id, secret.unwrap())
}

async fn sign_in(app: &TestApp, cli: &(String, String), email: &str) -> (u16, Value) {
    grant(
        app,
        cli,
        &[
            ("grant_type", "password"),
            ("username", email),
            ("password", PASSWORD),
            ("scope", "openid offline_access"),
        ],
    )
    .await
}

async fn refresh(app: &TestApp, cli: &(String, String), token: &str) -> (u16, Value) {
    grant(
        app,
        cli,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

#[tokio::test]
async fn seed_001_runs_verbatim_and_refreshes_ask_for_a_factor() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let web = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &web.0).await;
    app.create_user("bob@example.com", PASSWORD).await;
    let cli = mobile(&app).await;
    let (status, ada) = sign_in(&app, &cli, EMAIL).await;
    assert_eq!(status, 200, "{ada}");
    let (status, bob) = sign_in(&app, &cli, "bob@example.com").await;
    assert_eq!(status, 200, "{bob}");

    let admin = admin_token(&app, SCOPES).await;
    deploy(&app, &admin, "MFA on refresh (seed 001)", SEED_001).await;

    // Enrolled: challenged with what Portcullis has of the factors listed (push is not).
    let (status, body) = refresh(&app, &cli, ada["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "mfa_required");
    assert_eq!(
        body["mfa_requirements"],
        json!({ "challenge": [{ "type": "otp" }, { "type": "recovery-code" }] })
    );
    app.clock.advance(30);
    let (status, tokens) = otp(
        &app,
        &cli,
        body["mfa_token"].as_str().unwrap(),
        &totp.code_at(app.clock_now()),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["acr"], "aal2");

    // Not enrolled: asked to enrol one of the kinds listed.
    let (status, body) = refresh(&app, &cli, bob["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "mfa_required");
    assert_eq!(
        body["mfa_requirements"],
        json!({ "enroll": [{ "type": "otp" }, { "type": "oob" }] })
    );

    // The Action asks nothing of a password grant, and client_credentials never runs it.
    let (status, body) = sign_in(&app, &cli, "bob@example.com").await;
    assert_eq!(status, 200, "{body}");
    let events = app.store.recent_audit(50).await.unwrap();
    assert!(
        events
            .iter()
            .filter(|e| e.kind == "stepup.requested")
            .count()
            >= 2,
        "each mfa_required is audited"
    );

    // 80 refreshes at once with one token: every one is challenged, none gets tokens.
    let t = bob["refresh_token"].as_str().unwrap();
    let answers = grant_at_once(
        &app,
        &cli,
        &[("grant_type", "refresh_token"), ("refresh_token", t)],
        80,
    )
    .await;
    assert!(
        answers
            .iter()
            .all(|(s, b)| *s == 403 && b["error"] == "mfa_required"),
        "{answers:?}"
    );
    // Unbound, the refresh goes through again.
    unbind_all(&app, &admin).await;
    let (status, body) = refresh(&app, &cli, t).await;
    assert_eq!(status, 200, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn custom_claims_metadata_and_deny_in_a_browser_sign_in() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let web = setup(&app).await;
    let admin = admin_token(&app, SCOPES).await;
    deploy(
        &app,
        &admin,
        "claims",
        r#"exports.onExecutePostLogin = async (event, api) => {
             if (event.user.app_metadata.banned) {
               return api.access.deny('Your account is under review.');
             }
             api.idToken.setCustomClaim('https://example.com/plan', event.secrets.PLAN);
             api.idToken.setCustomClaim('sub', 'someone-else');
             api.accessToken.setCustomClaim('https://example.com/logins', event.stats.logins_count);
             api.accessToken.setCustomClaim('https://example.com/methods', event.authentication.methods.map((m) => m.name));
             api.user.setAppMetadata('seen_by_action', event.client.client_id);
             console.log('signed in', event.user.email, event.transaction.requested_scopes.join(','));
           };"#,
    )
    .await;
    let b = browser();
    let done = password_step(&b, &app, &web.0, "").await;
    let code = done.param("code").expect("a code");
    let tokens = exchange(&app, &web.0, &web.1, &code).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["https://example.com/plan"], "gold");
    assert_ne!(
        id["sub"], "someone-else",
        "protocol claims are the server's"
    );
    let access = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(access["https://example.com/logins"], 1);
    assert_eq!(access["https://example.com/methods"], json!(["pwd"]));
    let mut user = app.store.user_by_email(EMAIL).await.unwrap().unwrap();
    assert_eq!(user.app_metadata["seen_by_action"], web.0);

    // Denied: the application hears access_denied with the Action's reason, and no code.
    user.app_metadata["banned"] = json!(true);
    app.store.update_user(&user).await.unwrap();
    let fresh = browser();
    let denied = password_step(&fresh, &app, &web.0, "").await;
    assert!(denied.param("code").is_none(), "{:?}", denied.location);
    assert_eq!(denied.param("error").as_deref(), Some("access_denied"));
    assert_eq!(
        denied.param("error_description").as_deref(),
        Some("Your account is under review.")
    );
    assert_eq!(denied.param("state").as_deref(), Some("s"));
    let events = app.store.recent_audit(50).await.unwrap();
    let event = events.iter().find(|e| e.kind == "action.denied").unwrap();
    assert_eq!(event.detail["reason"], "Your account is under review.");
    // The existing session is judged again too: a banned user's session gets no code either.
    let again = get(&b, &app, &authorize_url(&app, &web.0, "")).await;
    assert_eq!(again.param("error").as_deref(), Some("access_denied"));
    app.stop().await;
}

#[tokio::test]
async fn a_challenge_in_the_browser_is_proved_once_then_cleared() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let web = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &web.0).await;
    let admin = admin_token(&app, SCOPES).await;
    deploy(
        &app,
        &admin,
        "always otp",
        "exports.onExecutePostLogin = async (event, api) => { api.authentication.challengeWith({ type: 'otp' }); };",
    )
    .await;
    let b = browser();
    // The policy asks nothing more than a password; the Action asks for the app.
    let first = password_step(&b, &app, &web.0, "").await;
    assert_eq!(first.location.as_deref(), Some("/u/mfa"), "{}", first.body);
    // Out of order: the callback cannot be reached without the factor.
    let skipped = get(&b, &app, &authorize_url(&app, &web.0, "&prompt=none")).await;
    assert_eq!(
        skipped.param("error").as_deref(),
        Some("login_required"),
        "{:?}",
        skipped.location
    );
    app.clock.advance(30);
    let proved = prove_totp(&b, &app, &totp).await;
    let code = proved.param("code").expect("a code after the factor");
    let tokens = exchange(&app, &web.0, &web.1, &code).await;
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["acr"], "aal2");
    app.stop().await;
}

#[tokio::test]
async fn an_endless_action_is_stopped_and_the_server_keeps_serving() {
    let app =
        spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_ACTIONS__TIMEOUT_MS", "100")]).await;
    let web = setup(&app).await;
    let admin = admin_token(&app, SCOPES).await;
    deploy(
        &app,
        &admin,
        "spin",
        "exports.onExecutePostLogin = async () => { while (true) {} };",
    )
    .await;
    // client_credentials has no user: the Actions never run for it.
    admin_token(&app, &["read:actions"]).await;
    let page = password_step(&browser(), &app, &web.0, "").await;
    assert_eq!(page.status, 500, "{:?}", page.location);
    assert!(page.body.contains("stopped after 100 ms"), "{}", page.body);
    assert!(page.param("code").is_none());
    let events = app.store.recent_audit(50).await.unwrap();
    let failed = events.iter().find(|e| e.kind == "action.failed").unwrap();
    assert_eq!(failed.detail["reason"], "timeout");
    assert_eq!(failed.detail["action"], "spin");
    // Twice more, and the server answers everything else meanwhile.
    let (b1, discovery) = (browser(), app.url("/.well-known/openid-configuration"));
    let (a, b) = tokio::join!(
        password_step(&b1, &app, &web.0, ""),
        reqwest::get(discovery)
    );
    assert_eq!(a.status, 500);
    assert_eq!(b.unwrap().status(), 200);
    unbind_all(&app, &admin).await;
    let ok = password_step(&browser(), &app, &web.0, "").await;
    assert!(ok.param("code").is_some(), "{:?}", ok.location);
    app.stop().await;
}

#[tokio::test]
async fn the_management_api_keeps_auth0s_shapes_and_refuses_what_cannot_run() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let admin = admin_token(&app, SCOPES).await;
    let reader = admin_token(&app, &["read:actions"]).await;
    let body = |name: &str, code: &str| {
        json!({
            "name": name,
            "code": code,
            "supported_triggers": [{ "id": "post-login", "version": "v3" }],
            "secrets": [{ "name": "API_KEY", "value": "sk_very_secret_value" }],
        })
    };
    let ok = "exports.onExecutePostLogin = async () => {};";
    let (status, err) = call(
        &app,
        &reader,
        "POST",
        "/api/v2/actions/actions",
        Some(body("a", ok)),
    )
    .await;
    assert_eq!(
        (status, err["errorCode"].as_str()),
        (403, Some("insufficient_scope"))
    );
    let (status, created) = call(
        &app,
        &admin,
        "POST",
        "/api/v2/actions/actions",
        Some(body("a", ok)),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["secrets"][0]["name"], "API_KEY");
    assert!(
        !created.to_string().contains("sk_very_secret_value"),
        "secrets are write-only"
    );
    assert_eq!(created["all_changes_deployed"], false);
    let id = created["id"].as_str().unwrap().to_string();
    let stored = app.store.action(&id).await.unwrap().unwrap();
    assert!(
        !serde_json::to_string(&stored)
            .unwrap()
            .contains("sk_very_secret_value"),
        "sealed at rest"
    );
    // Twice: the name is taken.
    let (status, err) = call(
        &app,
        &admin,
        "POST",
        "/api/v2/actions/actions",
        Some(body("a", ok)),
    )
    .await;
    assert_eq!((status, err["errorCode"].as_str()), (409, Some("conflict")));
    for bad in [
        json!({ "name": "n", "code": ok, "supported_triggers": [{ "id": "credentials-exchange" }] }),
        json!({ "name": "n", "code": ok, "supported_triggers": [{ "id": "post-login" }], "dependencies": [{ "name": "axios", "version": "1" }] }),
        json!({ "name": "n", "code": ok }),
        json!({ "name": "", "code": ok, "supported_triggers": [{ "id": "post-login" }] }),
        json!({ "name": "n", "code": ok, "supported_triggers": [{ "id": "post-login" }], "secrets": [{ "name": "1X", "value": "v" }] }),
    ] {
        let (status, err) = call(
            &app,
            &admin,
            "POST",
            "/api/v2/actions/actions",
            Some(bad.clone()),
        )
        .await;
        assert_eq!(
            (status, err["errorCode"].as_str()),
            (400, Some("invalid_body")),
            "{bad}: {err}"
        );
    }
    // Out of order: binding before a deploy is refused.
    let bind =
        |value: &str| json!({ "bindings": [{ "ref": { "type": "action_id", "value": value } }] });
    let (status, err) = call(
        &app,
        &admin,
        "PATCH",
        "/api/v2/actions/triggers/post-login/bindings",
        Some(bind(&id)),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert!(err["message"].as_str().unwrap().contains("deploy it first"));
    let (status, err) = call(
        &app,
        &admin,
        "PATCH",
        "/api/v2/actions/triggers/post-login/bindings",
        Some(bind("act_nope")),
    )
    .await;
    assert_eq!(
        (status, err["errorCode"].as_str()),
        (404, Some("inexistent_action"))
    );
    // A draft that does not compile cannot be deployed; the error says where.
    let (status, _) = call(
        &app,
        &admin,
        "PATCH",
        &format!("/api/v2/actions/actions/{id}"),
        Some(json!({ "code": "exports.onExecutePostLogin = async (event, api) => {" })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, err) = call(
        &app,
        &admin,
        "POST",
        &format!("/api/v2/actions/actions/{id}/deploy"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{err}");
    // Fixed, a secret kept by name without its value, then deployed 80 times at once.
    let (status, updated) = call(
        &app,
        &admin,
        "PATCH",
        &format!("/api/v2/actions/actions/{id}"),
        Some(json!({ "code": ok, "secrets": [{ "name": "API_KEY" }] })),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    let deploys: Vec<_> = (0..80)
        .map(|_| {
            let (url, token) = (
                app.url(&format!("/api/v2/actions/actions/{id}/deploy")),
                admin.clone(),
            );
            tokio::spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for d in deploys {
        assert_eq!(d.await.unwrap(), 200);
    }
    let (_, got) = call(
        &app,
        &reader,
        "GET",
        &format!("/api/v2/actions/actions/{id}"),
        None,
    )
    .await;
    assert_eq!(got["all_changes_deployed"], true);
    assert_eq!(got["deployed_version"]["code"], ok);
    let deployed = app.state.snapshot().post_login.clone();
    assert!(deployed.is_empty(), "deployed, not bound: nothing runs");
    let (status, _) = call(
        &app,
        &admin,
        "PATCH",
        "/api/v2/actions/triggers/post-login/bindings",
        Some(bind(&id)),
    )
    .await;
    assert_eq!(status, 200);
    let scripts = app.state.snapshot().post_login.clone();
    assert_eq!(scripts.scripts().len(), 1);
    assert_eq!(
        scripts.scripts()[0].secrets["API_KEY"],
        "sk_very_secret_value"
    );
    let (_, list) = call(
        &app,
        &reader,
        "GET",
        "/api/v2/actions/actions?deployed=true",
        None,
    )
    .await;
    assert_eq!(list["total"], 1);
    let (_, triggers) = call(&app, &reader, "GET", "/api/v2/actions/triggers", None).await;
    assert_eq!(triggers["triggers"][0]["id"], "post-login");
    let (status, _) = call(
        &app,
        &reader,
        "GET",
        "/api/v2/actions/triggers/pre-user-registration/bindings",
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Bound: deleting is refused unless forced, which unbinds it.
    let (status, err) = call(
        &app,
        &admin,
        "DELETE",
        &format!("/api/v2/actions/actions/{id}"),
        None,
    )
    .await;
    assert_eq!((status, err["errorCode"].as_str()), (409, Some("conflict")));
    let (status, _) = call(
        &app,
        &admin,
        "DELETE",
        &format!("/api/v2/actions/actions/{id}?force=true"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &app,
        &admin,
        "DELETE",
        &format!("/api/v2/actions/actions/{id}?force=true"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert!(app.state.snapshot().post_login.is_empty());
    app.stop().await;
}
