//! The device authorization grant (RFC 8628) over real HTTP: a device asks for codes and
//! polls; a person types the code on the hosted page and signs in through the same gate as
//! the browser flow (step-up for `acr_values`, a second factor, the consent page showing the
//! code); the device gets its tokens once. Out of order, twice and 80 times at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use portcullis_core::admin::NewClient;
use portcullis_testkit::{Engine, TestApp, browser, form_value, spawn_app_with_env};
use serde_json::Value;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A public client for devices (a TV app, a CLI).
async fn device_client(app: &TestApp, third_party: bool) -> String {
    let (c, _) = app
        .create_client(NewClient {
            name: "Living Room TV".into(),
            grant_types: vec![GRANT.into(), "refresh_token".into()],
            public: true,
            third_party,
            ..NewClient::default()
        })
        .await;
    c.id
}

/// Asks for a device code; the status and body.
async fn start(app: &TestApp, client_id: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![("client_id", client_id)];
    form.extend_from_slice(extra);
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/device/code"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// One poll of the token endpoint; the status and body.
async fn poll(app: &TestApp, client_id: &str, device_code: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", GRANT),
            ("client_id", client_id),
            ("device_code", device_code),
        ])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// Types `code` on the hosted page; where it leads.
async fn enter(b: &reqwest::Client, app: &TestApp, code: &str) -> Page {
    submit(b, app, "/u/device", "/u/device", &[("user_code", code)]).await
}

#[tokio::test]
async fn a_device_signs_in_with_a_step_up_and_gets_its_tokens_once() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let discovery = app.get_json("/.well-known/openid-configuration").await;
    assert_eq!(
        discovery["device_authorization_endpoint"],
        app.url("/oauth/device/code")
    );
    assert!(
        discovery["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&Value::from(GRANT))
    );
    let (web, _) = setup(&app).await;
    let (totp, _) = enrol_totp(&browser(), &app, &web).await;
    let tv = device_client(&app, false).await;

    let (status, codes) = start(
        &app,
        &tv,
        &[
            ("scope", "openid email offline_access"),
            ("acr_values", "aal2"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{codes}");
    let device_code = codes["device_code"].as_str().unwrap().to_string();
    let user_code = codes["user_code"].as_str().unwrap().to_string();
    assert_eq!(codes["verification_uri"], app.url("/u/device"));
    assert_eq!(
        codes["verification_uri_complete"],
        app.url(&format!("/u/device?user_code={user_code}"))
    );
    assert_eq!(codes["expires_in"], 600);
    assert_eq!(codes["interval"], 5);
    assert!(
        user_code.len() == 9 && user_code.as_bytes()[4] == b'-',
        "{user_code}"
    );

    // Before the person answers: pending; polling within the interval: slow down.
    let (status, body) = poll(&app, &tv, &device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    let (_, body) = poll(&app, &tv, &device_code).await;
    assert_eq!(body["error"], "slow_down");
    app.clock.advance(5);
    let (_, body) = poll(&app, &tv, &device_code).await;
    assert_eq!(body["error"], "authorization_pending");

    // The link fills the code in but starts nothing: the person confirms it.
    let b = browser();
    let page = get(&b, &app, &format!("/u/device?user_code={user_code}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        form_value(&page.body, "user_code").as_deref(),
        Some(user_code.as_str())
    );
    app.clock.advance(5);
    let (_, body) = poll(&app, &tv, &device_code).await;
    assert_eq!(body["error"], "authorization_pending");

    // Typed in lower case without the dash: the same code. No session: the sign-in page.
    let typed = user_code.to_lowercase().replace('-', "");
    let login = follow(&b, &app, enter(&b, &app, &typed).await).await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("Living Room TV"), "{}", login.body);
    // The code is spent: typed again (here, or by someone else), it is refused.
    let again = enter(&browser(), &app, &user_code).await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("role=\"alert\""), "{}", again.body);

    // The password is not enough for aal2: the second factor, on the same journey.
    let mfa = password_form(&b, &app, &login).await;
    assert_eq!(mfa.location.as_deref(), Some("/u/mfa"), "{}", mfa.body);
    app.clock.advance(30);
    let proved = prove_totp(&b, &app, &totp).await;
    let consent = follow(&b, &app, proved).await;
    // A first-party app, yet the device is confirmed, with the code to compare.
    assert_eq!(consent.status, 200, "{}", consent.body);
    assert!(consent.body.contains(&user_code), "{}", consent.body);
    app.clock.advance(5);
    let (_, body) = poll(&app, &tv, &device_code).await;
    assert_eq!(body["error"], "authorization_pending");
    let done = decide(&b, &app, &consent, "allow").await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("Device connected"), "{}", done.body);

    app.clock.advance(5);
    let (status, tokens) = poll(&app, &tv, &device_code).await;
    assert_eq!(status, 200, "{tokens}");
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["acr"], "aal2");
    assert_eq!(id["aud"], tv.as_str());
    assert!(
        id["amr"].as_array().unwrap().contains(&Value::from("otp")),
        "{id}"
    );
    assert!(tokens["refresh_token"].is_string());
    // Once.
    app.clock.advance(5);
    let (status, body) = poll(&app, &tv, &device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // The refresh token works for the device.
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", tv.as_str()),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // A signed-in person approves the next device without signing in again: only the consent.
    let (_, codes) = start(&app, &tv, &[("scope", "openid")]).await;
    let consent = follow(
        &b,
        &app,
        enter(&b, &app, codes["user_code"].as_str().unwrap()).await,
    )
    .await;
    assert!(consent.body.contains("decision"), "{}", consent.body);
    decide(&b, &app, &consent, "allow").await;
    let (status, _) = poll(&app, &tv, codes["device_code"].as_str().unwrap()).await;
    assert_eq!(status, 200);

    // max_age=0 asks for a new sign-in even so.
    let (_, codes) = start(&app, &tv, &[("scope", "openid"), ("max_age", "0")]).await;
    let page = follow(
        &b,
        &app,
        enter(&b, &app, codes["user_code"].as_str().unwrap()).await,
    )
    .await;
    assert!(
        form_value(&page.body, "password").is_some() || page.body.contains("name=\"password\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn refusals_expiry_and_other_clients_codes_end_the_device_flow() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    let (web, secret) = setup(&app).await;
    let tv = device_client(&app, true).await;
    let other = device_client(&app, false).await;

    // A client not registered for the grant, and parameters a device request cannot carry.
    let resp = reqwest::Client::new()
        .post(app.url("/oauth/device/code"))
        .basic_auth(&web, Some(&secret))
        .form(&[("scope", "openid")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized_client");
    for (extra, error) in [
        (("redirect_uri", REDIRECT), "invalid_request"),
        (("prompt", "none"), "invalid_request"),
        (("request", "eyJ.e30."), "invalid_request"),
        (("audience", "https://nowhere.example"), "invalid_request"),
        (("max_age", "-1"), "invalid_request"),
        (
            (
                "claims",
                r#"{"id_token":{"acr":{"essential":true,"value":"gold"}}}"#,
            ),
            "unmet_authentication_requirements",
        ),
    ] {
        let (status, body) = start(&app, &tv, &[extra]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{extra:?}: {body}"
        );
    }
    let (status, body) = start(&app, "nobody", &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "{body}"
    );

    // A third-party device app: the person denies it. The device hears access_denied.
    let (_, codes) = start(&app, &tv, &[("scope", "openid")]).await;
    let device_code = codes["device_code"].as_str().unwrap().to_string();
    let b = browser();
    let login = follow(
        &b,
        &app,
        enter(&b, &app, codes["user_code"].as_str().unwrap()).await,
    )
    .await;
    let consent = follow(&b, &app, password_form(&b, &app, &login).await).await;
    assert!(consent.body.contains(codes["user_code"].as_str().unwrap()));
    let denied = decide(&b, &app, &consent, "deny").await;
    assert_eq!(denied.status, 200);
    assert!(
        denied.body.contains("Device not connected"),
        "{}",
        denied.body
    );
    // Another client cannot poll with this code.
    let (_, body) = poll(&app, &other, &device_code).await;
    assert_eq!(body["error"], "invalid_grant");
    let (status, body) = poll(&app, &tv, &device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied")),
        "{body}"
    );

    // Past ten minutes: expired for the device, and the code is refused on the page.
    let (_, codes) = start(&app, &tv, &[("scope", "openid")]).await;
    app.clock.advance(601);
    let (_, body) = poll(&app, &tv, codes["device_code"].as_str().unwrap()).await;
    assert_eq!(body["error"], "expired_token");
    let page = enter(&browser(), &app, codes["user_code"].as_str().unwrap()).await;
    assert_eq!(page.status, 400);
    // A made-up device code.
    let (_, body) = poll(&app, &tv, "not-a-device-code").await;
    assert_eq!(body["error"], "invalid_grant");
    // A form without its CSRF token changes nothing.
    let (_, codes) = start(&app, &tv, &[("scope", "openid")]).await;
    let forged = post(
        &browser(),
        &app,
        "/u/device",
        &[("user_code", codes["user_code"].as_str().unwrap())],
    )
    .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let page = enter(&browser(), &app, codes["user_code"].as_str().unwrap()).await;
    assert!(
        page.location.is_some(),
        "the code still works: {}",
        page.body
    );
}

#[tokio::test]
async fn one_user_code_and_one_approval_serve_once_even_80_at_once() {
    let app = spawn_app_with_env(Engine::Sqlite, &[]).await;
    setup(&app).await;
    let tv = device_client(&app, false).await;
    let (_, codes) = start(&app, &tv, &[("scope", "openid")]).await;
    let user_code = codes["user_code"].as_str().unwrap().to_string();
    let device_code = codes["device_code"].as_str().unwrap().to_string();

    // 80 browsers type the same code at once: one goes on to sign in.
    let mut forms = Vec::new();
    for _ in 0..80 {
        let b = browser();
        let page = get(&b, &app, "/u/device").await;
        forms.push((b, form_value(&page.body, "csrf").unwrap()));
    }
    let answers = futures_util::future::join_all(forms.iter().map(|(b, csrf)| {
        let app = &app;
        let user_code = user_code.as_str();
        async move {
            post(
                b,
                app,
                "/u/device",
                &[("csrf", csrf.as_str()), ("user_code", user_code)],
            )
            .await
        }
    }))
    .await;
    let went_on: Vec<usize> = (0..80)
        .filter(|i| answers[*i].status == 303 || answers[*i].status == 302)
        .collect();
    assert_eq!(
        went_on.len(),
        1,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    assert!(
        answers
            .iter()
            .filter(|a| a.status == 400 || a.status == 429)
            .count()
            == 79,
        "the others are refused or limited"
    );
    let (b, _) = &forms[went_on[0]];
    let login = follow(b, &app, answers.into_iter().nth(went_on[0]).unwrap()).await;
    let consent = follow(b, &app, password_form(b, &app, &login).await).await;
    decide(b, &app, &consent, "allow").await;

    // 80 polls at once after the approval: one set of tokens.
    app.clock.advance(5);
    let polls =
        futures_util::future::join_all((0..80).map(|_| poll(&app, &tv, &device_code))).await;
    let issued = polls.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(issued, 1, "{polls:?}");
    assert!(
        polls
            .iter()
            .filter(|(s, _)| *s != 200)
            .all(|(_, b)| b["error"] == "invalid_grant" || b["error"] == "slow_down"),
        "{polls:?}"
    );
}
