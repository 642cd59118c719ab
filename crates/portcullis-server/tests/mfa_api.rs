//! The MFA API beyond challenges: `/mfa/associate` with an `mfa_token` and with an access token
//! for the MFA audience, `DELETE /mfa/authenticators/{id}`, and `mfa_required` on a code
//! exchange whose API asks for more than the session proved.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::create_api;
use portcullis_core::factor::totp::TotpSecret;
use portcullis_core::policy::PolicyOverrides;
use portcullis_core::ports::Store;
use portcullis_testkit::{Engine, TestApp, browser, spawn_app_with_env};
use serde_json::{Value, json};

fn mfa_audience(app: &TestApp) -> String {
    format!("{}/mfa/", app.issuer)
}

/// The password grant for the MFA audience: always `mfa_required`.
async fn mfa_token(app: &TestApp, cli: &(String, String), scope: &str) -> Value {
    let (status, body) = grant(
        app,
        cli,
        &[
            ("grant_type", "password"),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("audience", &mfa_audience(app)),
            ("scope", scope),
        ],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "mfa_required");
    body
}

/// `POST /mfa/associate` with a JSON body, as Auth0's SDKs send it.
async fn associate(
    app: &TestApp,
    cli: &(String, String),
    bearer: &str,
    body: Value,
) -> (u16, Value) {
    let mut body = body;
    body["client_id"] = cli.0.clone().into();
    body["client_secret"] = cli.1.clone().into();
    let resp = reqwest::Client::new()
        .post(app.url("/mfa/associate"))
        .bearer_auth(bearer)
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn list(app: &TestApp, bearer: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(app.url("/mfa/authenticators"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn delete(app: &TestApp, bearer: &str, id: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .delete(app.url(&format!("/mfa/authenticators/{id}")))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn types(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            // Auth0's newer SDKs filter on `type`: it must say the same.
            assert_eq!(a["type"], a["authenticator_type"], "{a}");
            format!(
                "{}{}",
                a["authenticator_type"].as_str().unwrap(),
                a["oob_channel"]
                    .as_str()
                    .map(|c| format!(":{c}"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test]
async fn associate_otp_with_an_mfa_token_then_manage_factors_with_an_mfa_api_token() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let cli = password_client(&app, &[]).await;
    let all = "enroll read:authenticators remove:authenticators";

    // No factor yet: the MFA audience still wants one, so the answer is "enrol".
    let body = mfa_token(&app, &cli, all).await;
    assert_eq!(
        body["mfa_requirements"],
        json!({ "enroll": [{ "type": "otp" }, { "type": "oob" }] })
    );
    let token = body["mfa_token"].as_str().unwrap().to_string();
    assert_eq!(list(&app, &token).await, (200, json!([])));

    for bad in [
        json!({ "authenticator_types": ["push"] }),
        json!({ "authenticator_types": ["otp", "oob"] }),
        json!({ "authenticator_types": ["oob"], "oob_channels": ["sms"], "phone_number": "12" }),
        json!({ "authenticator_types": ["oob"], "oob_channels": ["voice"] }),
        json!({ "authenticator_types": "otp", "oob_channels": { "x": 1 } }),
    ] {
        let (status, answer) = associate(&app, &cli, &token, bad.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("invalid_request")),
            "{bad}"
        );
    }
    let (status, otp_assoc) = associate(
        &app,
        &cli,
        &token,
        json!({ "authenticator_types": ["otp"] }),
    )
    .await;
    assert_eq!(status, 200, "{otp_assoc}");
    assert_eq!(otp_assoc["authenticator_type"], "otp");
    assert!(
        otp_assoc["barcode_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let codes = otp_assoc["recovery_codes"].as_array().unwrap();
    assert!(!codes.is_empty());
    let secret = TotpSecret::from_base32(otp_assoc["secret"].as_str().unwrap()).unwrap();

    // Pending until confirmed: not listed, and a plain sign-in still needs no factor.
    assert_eq!(types(&list(&app, &token).await.1), ["recovery-code"]);
    let (status, _) = password(&app, &cli, PASSWORD).await;
    assert_eq!(
        status, 200,
        "tenant policy is adaptive and no factor is active yet"
    );

    let (_, wrong) = otp(&app, &cli, &token, "000000").await;
    assert_eq!(wrong["error_description"], "Invalid otp_code.");
    app.clock.advance(30);
    let (status, tokens) = otp(&app, &cli, &token, &secret.code_at(app.clock_now())).await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let at = claims(&access);
    assert_eq!(at["aud"], mfa_audience(&app));
    assert_eq!(at["acr"], "aal2");
    assert_eq!(at["scope"], all);
    assert_eq!(tokens["expires_in"], 600);

    // Confirmed and listed; a second association needs more than an mfa_token now.
    let (status, listed) = list(&app, &access).await;
    assert_eq!(
        (status, types(&listed)),
        (200, vec!["otp".to_string(), "recovery-code".into()])
    );
    app.clock.advance(30);
    let again = mfa_token(&app, &cli, all).await;
    assert_eq!(
        again["mfa_requirements"],
        json!({ "challenge": [{ "type": "otp" }, { "type": "recovery-code" }] })
    );
    let again = again["mfa_token"].as_str().unwrap().to_string();
    let (status, refused) = associate(
        &app,
        &cli,
        &again,
        json!({ "authenticator_types": ["otp"] }),
    )
    .await;
    assert_eq!(
        (status, refused["error_description"].as_str()),
        (403, Some("User is already enrolled."))
    );

    // With the access token: an email factor, confirmed by the mfa-oob grant on that token.
    let (status, oob) = associate(
        &app,
        &cli,
        &access,
        json!({ "authenticator_types": ["oob"], "oob_channels": ["email"], "email": "ada.codes@example.com" }),
    )
    .await;
    assert_eq!(status, 200, "{oob}");
    assert_eq!(
        (oob["oob_channel"].as_str(), oob["binding_method"].as_str()),
        (Some("email"), Some("prompt"))
    );
    assert!(
        oob.get("recovery_codes").is_none(),
        "codes come with the first factor only"
    );
    let code = code_in(
        &app.state
            .outbox()
            .unwrap()
            .latest_to("ada.codes@example.com")
            .unwrap()
            .text,
    );
    let (status, confirmed) = grant(
        &app,
        &cli,
        &[
            ("grant_type", OOB),
            ("mfa_token", &access),
            ("oob_code", oob["oob_code"].as_str().unwrap()),
            ("binding_code", &code),
        ],
    )
    .await;
    assert_eq!(status, 200, "{confirmed}");
    let (_, listed) = list(&app, &access).await;
    assert_eq!(types(&listed), ["otp", "oob:email", "recovery-code"]);

    // Removing: never with an mfa_token, only with remove:authenticators.
    let otp_id = listed[0]["id"].as_str().unwrap().to_string();
    let (status, body) = delete(&app, &again, &otp_id).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("access_denied"))
    );
    app.clock.advance(30);
    let narrow = mfa_token(&app, &cli, "read:authenticators").await;
    let (_, narrow) = otp(
        &app,
        &cli,
        narrow["mfa_token"].as_str().unwrap(),
        &secret.code_at(app.clock_now()),
    )
    .await;
    let narrow = narrow["access_token"].as_str().unwrap();
    let (status, body) = delete(&app, narrow, &otp_id).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("insufficient_scope"))
    );
    assert_eq!(delete(&app, &access, &otp_id).await.0, 204);
    assert_eq!(delete(&app, &access, &otp_id).await.0, 404);
    assert_eq!(delete(&app, &access, "recovery-code").await.0, 204);
    let (_, listed) = list(&app, &access).await;
    assert_eq!(types(&listed), ["oob:email"]);
    let (status, _) = list(&app, "not.a.token").await;
    assert_eq!(status, 401);
    app.stop().await;
}

#[tokio::test]
async fn associate_sms_with_an_mfa_token_is_confirmed_by_the_oob_grant() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "always")]).await;
    app.create_user(EMAIL, PASSWORD).await;
    let cli = password_client(&app, &[]).await;
    let (status, body) = password(&app, &cli, PASSWORD).await;
    assert_eq!(status, 403, "{body}");
    let token = body["mfa_token"].as_str().unwrap().to_string();
    let phone = "+15555550123";
    let (status, sms) = associate(
        &app,
        &cli,
        &token,
        json!({ "authenticator_types": ["oob"], "oob_channels": ["sms"], "phone_number": "+1 555-555-0123" }),
    )
    .await;
    assert_eq!(status, 200, "{sms}");
    assert_eq!(sms["oob_channel"], "sms");
    assert!(
        sms["recovery_codes"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    // A pending factor cannot be challenged yet.
    let (status, _) = grant(
        &app,
        &cli,
        &[
            ("grant_type", OOB),
            ("mfa_token", &token),
            ("oob_code", "otp_x"),
            ("binding_code", "123456"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    let code = code_in(&app.state.outbox().unwrap().latest_to(phone).unwrap().text);
    let (status, tokens) = grant(
        &app,
        &cli,
        &[
            ("grant_type", OOB),
            ("mfa_token", &token),
            ("oob_code", sms["oob_code"].as_str().unwrap()),
            ("binding_code", &code),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        (id["acr"].as_str(), id["amr"].clone()),
        (Some("aal2"), json!(["pwd", "sms", "mfa"]))
    );
    // Now active: the next password grant is challenged with it.
    let (_, next) = password(&app, &cli, PASSWORD).await;
    assert_eq!(
        next["mfa_requirements"],
        json!({ "challenge": [{ "type": "oob" }, { "type": "recovery-code" }] })
    );
    let (_, listed) = list(&app, next["mfa_token"].as_str().unwrap()).await;
    assert_eq!(types(&listed), ["oob:sms", "recovery-code"]);
    app.stop().await;
}

#[tokio::test]
async fn a_code_exchange_below_the_api_policy_answers_mfa_required() {
    let app = spawn_app_with_env(Engine::Sqlite, &[("PORTCULLIS_POLICY__MFA", "never")]).await;
    let (client_id, secret) = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &client_id).await;
    let api = "https://ledger.example.com";
    create_api(
        app.store.as_ref(),
        &app.clock,
        api,
        None,
        vec!["read".into()],
        PolicyOverrides::default(),
    )
    .await
    .unwrap();
    let audience = format!(
        "&nonce=n-0S6&audience={}",
        form_urlencoded::byte_serialize(api.as_bytes()).collect::<String>()
    );
    app.clock.advance(30);
    let b = browser();
    let done = password_step(&b, &app, &client_id, &audience).await;
    let code = done
        .param("code")
        .expect("tenant policy never: password alone");

    // Meanwhile the API starts to require aal2.
    let mut strict = PolicyOverrides::default();
    strict.set("required_acr=aal2").unwrap();
    app.store.set_api_policy(api, &strict).await.unwrap();
    app.state.refresh().await.unwrap();
    let cli = (client_id.clone(), secret.clone());
    let exchange_form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let (status, body) = grant(&app, &cli, &exchange_form).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "mfa_required");
    assert_eq!(
        body["mfa_requirements"],
        json!({ "challenge": [{ "type": "otp" }, { "type": "recovery-code" }] })
    );
    let token = body["mfa_token"].as_str().unwrap();
    let (status, again) = grant(&app, &cli, &exchange_form).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant")),
        "the code is spent"
    );
    let (_, wrong) = otp(&app, &cli, token, "000000").await;
    assert_eq!(wrong["error"], "invalid_grant");
    let (status, tokens) = otp(&app, &cli, token, &totp.code_at(app.clock_now())).await;
    assert_eq!(status, 200, "{tokens}");
    // The audit trail tells the story with the client and the API.
    let events = app
        .store
        .user_audit(&user_id(&app).await, 50)
        .await
        .unwrap();
    for kind in ["stepup.requested", "stepup.failed", "stepup.met"] {
        let e = events
            .iter()
            .find(|e| e.kind == kind)
            .unwrap_or_else(|| panic!("{kind}"));
        assert_eq!(e.client_id.as_deref(), Some(client_id.as_str()), "{kind}");
        assert_eq!(e.detail["audience"], api, "{kind}");
    }
    let requested = events
        .iter()
        .find(|e| e.kind == "stepup.requested")
        .unwrap();
    assert_eq!(requested.detail["required_acr"], "aal2");
    assert_eq!(requested.detail["grant"], "authorization_code");
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["amr"], json!(["pwd", "otp", "mfa"]));
    assert_eq!(id["nonce"], "n-0S6");
    let at = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(at["aud"][0], api);
    assert_eq!(at["sid"], id["sid"]);
    // The browser's session keeps what it proved itself: the next request for the API asks.
    let next = get(&b, &app, &authorize_url(&app, &client_id, &audience)).await;
    assert_eq!(next.location.as_deref(), Some("/u/mfa"));
    app.stop().await;
}

#[tokio::test]
async fn challenges_and_associations_are_limited_per_address() {
    let app = spawn_app_with_env(
        Engine::Sqlite,
        &[
            ("PORTCULLIS_LIMITS__FACTOR_PER_MINUTE", "2"),
            ("PORTCULLIS_LIMITS__ENROLL_PER_MINUTE", "1"),
        ],
    )
    .await;
    app.create_user(EMAIL, PASSWORD).await;
    let cli = password_client(&app, &["mfa=always"]).await;
    let (_, body) = password(&app, &cli, PASSWORD).await;
    let token = body["mfa_token"].as_str().unwrap().to_string();
    let sms = json!({ "authenticator_types": ["oob"], "oob_channels": ["sms"], "phone_number": "+15555550123" });
    assert_eq!(associate(&app, &cli, &token, sms.clone()).await.0, 200);
    let (status, body) = associate(&app, &cli, &token, sms).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many_requests"))
    );
    let challenge = |token: String| {
        let (url, cli) = (app.url("/mfa/challenge"), cli.clone());
        async move {
            let resp = reqwest::Client::new()
                .post(url)
                .basic_auth(&cli.0, Some(&cli.1))
                .form(&[("mfa_token", token.as_str()), ("challenge_type", "oob")])
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(challenge(token.clone()).await.0);
    }
    assert_eq!(statuses[2], 429, "{statuses:?}");
    app.clock.advance(61);
    assert_ne!(challenge(token).await.0, 429, "a new minute");
    app.stop().await;
}
